"""Experiment: does a 10-minute CRNN run gain from more (or fewer) two-line training plates?

Maintainer script (issue #6). It repeats notebook 04's course run (20,000 Korean plates, seed 0,
10 minutes of training on this CPU) with a chosen share of the training plates drawn from the
two-line styles; the natural share, from the styles' weights, is about 23%. The validation and
test sets keep the natural mixture, so the printed figures compare with notebook 04's. Usage::

    LPRKIT_PROFILE=course python scripts/two_line_share.py 0.5
"""

from __future__ import annotations

import argparse
import tempfile

import numpy as np

N_TRAIN, N_VAL, N_TEST, SEED, MINUTES = 20_000, 1_000, 1_000, 0, 10


def mixed_training_set(n: int, share: float, size: tuple[int, int], seed: int):
    """``n`` Korean training crops, ``share`` of them from the two-line styles, shuffled."""
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.styles import get_style, resolve_styles

    names = resolve_styles("korean")
    two = [s for s in names if get_style(s).two_line]
    one = [s for s in names if s not in two]
    n_two = int(round(n * share))
    a = generate_crops(n - n_two, one, size=size, seed=seed, processes=2)
    b = generate_crops(n_two, two, size=size, seed=seed + 1000, processes=2)
    order = np.random.default_rng(seed).permutation(n)
    texts = a[1] + b[1]
    return np.concatenate([a[0], b[0]])[order], [texts[i] for i in order]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("share", type=float, help="fraction of two-line training plates, 0..1")
    args = ap.parse_args()
    if not 0.0 <= args.share <= 1.0:
        ap.error(f"share {args.share} must be between 0 and 1")

    import keras

    from lprkit.charset import get_alphabet
    from lprkit.recognition.keras_recognizer import KerasRecognizer
    from lprkit.recognition.recipe import INPUT_SIZES, build_model, measure
    from lprkit.recognition.train import train_recognizer
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.styles import resolve_styles

    alphabet, size = get_alphabet("korean"), INPUT_SIZES["crnn"]
    train = mixed_training_set(N_TRAIN, args.share, size, SEED)
    val = generate_crops(N_VAL, "korean", size=size, seed=SEED + 1, processes=2)[:2]
    keras.utils.set_random_seed(SEED)  # the recipe's starting weights
    model = build_model("crnn", alphabet)
    with tempfile.TemporaryDirectory() as work:
        result = train_recognizer(model, train, val, alphabet=alphabet, max_minutes=MINUTES,
                                  checkpoint_dir=work, seed=SEED, verbose=0)
    reader = KerasRecognizer(result.recognizer.model, alphabet, two_line="best", name=f"share {args.share}")
    synth = measure(reader, SEED + 2, resolve_styles("korean"), N_TEST)["synthetic"]
    print(f"two-line share {args.share}: {result.epochs_run} epochs, held-out exact {synth['exact']:.3f}, "
          f"CER {synth['cer']:.3f}")
    for row in synth["by_style"]:
        print(f"  {row['style']:<24} n={row['n']:<4} exact={row['exact']:.3f}")


if __name__ == "__main__":
    main()
