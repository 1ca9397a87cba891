"""How well recognisers read two-line plates cut in each strip layout.

A recogniser is trained on two-line plates cut into one-line strips of one layout
(``two_line_top``: ``"span"`` or ``"text"``, :mod:`lprkit.synth.twoline`) and reads strips of
that layout. This script renders the same two-line plates of the recogniser's alphabet once,
cuts them both ways (:func:`~lprkit.synth.dataset.generate_crops_by_layout`) and prints the
exact-plate accuracy on each, at several degradation strengths: how much a model depends on
its own layout, and whether a re-training in the other layout is worth it.

    python benchmarks/bench_two_line_layouts.py [--recognizers crnn-korean,lprnet-korean]
        [--n 300] [--strengths 0,0.5,1] [--seed 5]
"""

from __future__ import annotations

import argparse
import time

from lprkit.checkpoints import load_recognizer
from lprkit.recognition.metrics import exact_accuracy
from lprkit.synth.dataset import generate_crops_by_layout
from lprkit.synth.styles import get_style, resolve_styles
from lprkit.synth.twoline import TOP_LAYOUTS


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--recognizers",
        default="crnn-korean,lprnet-korean,crnn-latin",
        help="shipped names or checkpoint folders, comma-separated",
    )
    ap.add_argument("--n", type=int, default=300, help="two-line plates per strength")
    ap.add_argument("--strengths", default="0,0.5,1", help="degradation strengths, comma-separated")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    strengths = [float(s) for s in args.strengths.split(",")]

    print(
        f"{'recogniser':16s} {'trained on':>10s} {'strength':>8s} "
        + " ".join(f"{'exact ' + layout:>11s}" for layout in TOP_LAYOUTS)
    )
    for name in args.recognizers.split(","):
        rec = load_recognizer(name)
        rec.two_line = False  # the crops below are strips already
        styles = [s for s in resolve_styles(rec.alphabet.name) if get_style(s).two_line]
        for strength in strengths:
            start = time.perf_counter()
            cut, texts, _ = generate_crops_by_layout(
                args.n,
                styles,
                size=rec.input_size,
                seed=args.seed,
                degrade_strength=strength,
                processes=None,
            )
            exact = {
                layout: exact_accuracy(texts, [r.text for r in rec.read(list(crops))], rec.alphabet)
                for layout, crops in cut.items()
            }
            print(
                f"{name:16s} {rec.two_line_top:>10s} {strength:8.1f} "
                + " ".join(f"{100 * exact[layout]:10.1f}%" for layout in TOP_LAYOUTS)
                + f"   ({time.perf_counter() - start:.0f} s)"
            )


if __name__ == "__main__":
    main()
