"""Fine-tuning a trained CTC recogniser on a handful of real crops, honestly measured.

A recogniser trained on synthetic plates reads real ones worse: other fonts, wear, light,
loose crops. A few labelled real crops can close part of that gap, but with 20 crops any
accuracy figure is fragile, so this module pairs fine-tuning with cross-validation:

* :func:`freeze_backbone` — the convolutional feature extractor stops learning (its
  BatchNorm layers run in inference mode); the sequence layers and the classifier still learn;
* :func:`augment_crops` — seeded copies of the real crops with the synthetic pipeline's
  degradations (geometry jitter, blur, noise, light; :func:`lprkit.synth.degrade.degrade`);
* :func:`fine_tune` — a *new* recogniser (the input model is cloned, never changed) trained
  on the augmented real crops mixed with synthetic plates, so it does not forget the rest;
* :func:`make_folds` and :func:`cross_validate` — every crop is read exactly once by a model
  that never saw it (nor another crop of the same plate), before and after fine-tuning, per
  mode; :func:`wilson_interval` gives the uncertainty of an accuracy over so few crops.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lprkit.config import by_profile, make_rng
from lprkit.errors import InputError
from lprkit.recognition.metrics import cer, exact_accuracy
from lprkit.recognition.preprocess import (
    best_two_line,
    check_crop,
    default_two_line_hook,
    two_line_flags,
)

MODES = ("frozen", "full")
# layer types that make up a convolutional feature extractor
_BACKBONE_TYPES = (
    "Conv1D",
    "Conv2D",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "BatchNormalization",
)


# --------------------------------------------------------------------------- freezing
def freeze_backbone(model) -> list[str]:
    """Make the convolutional feature extractor of ``model`` non-trainable, in place.

    Frozen: convolution and BatchNormalization layers whose output is a feature map
    (rank 4), except the model's last layer with weights (the classifier, which must adapt).
    A frozen BatchNormalization layer also runs in inference mode in Keras 3: its moving mean
    and variance stay as they are. Everything else (for a CRNN: the sequence dense layer, the
    recurrent layers and the output layer) stays trainable.

    Parameters
    ----------
    model
        A ``keras.Model`` (compile it, or recompile it, afterwards: Keras reads the
        trainable flags when compiling).

    Returns
    -------
    list of str
        Names of the layers frozen.

    Raises
    ------
    ValueError
        If the model has no convolutional layer to freeze.
    """
    weighted = [layer for layer in model.layers if layer.weights]
    head = weighted[-1] if weighted else None
    frozen = []
    for layer in weighted:
        if layer is head or type(layer).__name__ not in _BACKBONE_TYPES:
            continue
        if len(layer.output.shape) != 4:
            continue
        layer.trainable = False
        frozen.append(layer.name)
    if not frozen:
        raise InputError(
            f"model {model.name!r} has no convolution or BatchNormalization layer producing "
            "feature maps to freeze; use mode='full'"
        )
    return frozen


def clone_recognizer(recognizer, name: str | None = None):
    """A :class:`KerasRecognizer` with a copy of ``recognizer``'s model and weights.

    The reading settings (decoder, grammar, beam width, two-line handling) are kept;
    nothing done to the copy reaches the original.
    """
    import keras

    from lprkit.recognition.keras_recognizer import KerasRecognizer, custom_objects

    # from_config rather than clone_model: a loaded model's compile config names the CTC loss,
    # which clone_model would try (and fail) to deserialise; the copy is compiled afresh anyway
    with keras.saving.custom_object_scope(custom_objects()):
        model = type(recognizer.model).from_config(recognizer.model.get_config())
    model.set_weights(recognizer.model.get_weights())
    return KerasRecognizer(
        model,
        recognizer.alphabet,
        decoder=recognizer.decoder,
        grammar=recognizer.grammar,
        beam_width=recognizer.beam_width,
        two_line=recognizer.two_line,
        two_line_top=recognizer.two_line_top,
        name=name or recognizer.name,
        batch_size=recognizer.batch_size,
        meta={k: v for k, v in recognizer.meta.items() if k == "training"},
    )


# --------------------------------------------------------------------------- data
def augment_crops(
    crops: Sequence[np.ndarray],
    texts: Sequence[str],
    copies: int,
    seed=0,
    strength: float = 0.6,
) -> tuple[list[np.ndarray], list[str]]:
    """Each crop as it is, followed by ``copies`` degraded copies of it.

    Degradations are those of the synthetic generator (:func:`lprkit.synth.degrade.degrade`:
    perspective, rotation and crop jitter, blur, noise, light, JPEG), at a lower
    ``strength`` than for clean renders because real crops are degraded already.

    Returns
    -------
    crops, texts
        ``len(crops) * (1 + copies)`` RGB uint8 crops (sizes as given) and their texts.
    """
    from lprkit.synth.degrade import degrade

    if len(crops) != len(texts):
        raise InputError(f"{len(crops)} crops but {len(texts)} texts")
    if copies < 0:
        raise InputError(f"copies must be >= 0, got {copies}")
    rng = make_rng(seed)
    out_images, out_texts = [], []
    for i, (crop, text) in enumerate(zip(crops, texts, strict=True)):
        crop = check_crop(crop, i)
        out_images.append(crop)
        out_texts.append(text)
        for _ in range(copies):
            out_images.append(degrade(crop, rng, strength))
            out_texts.append(text)
    return out_images, out_texts


def _check_texts(texts: Sequence[str], alphabet) -> None:
    for i, t in enumerate(texts):
        if not t or not alphabet.can_write(t):
            raise InputError(
                f"text {i} ({t!r}) cannot be written in the {alphabet.name!r} alphabet "
                f"(tokens: {' '.join(alphabet.tokens)})"
            )


def _synthetic(recognizer, n: int, styles, seed: int):
    from lprkit.synth.dataset import generate_crops

    if styles is None:
        styles = recognizer.meta.get("training", {}).get("styles") or recognizer.alphabet.name
    images, texts, _ = generate_crops(
        n, styles, size=recognizer.input_size, seed=seed, two_line_top=recognizer.two_line_top
    )
    return list(images), texts


# --------------------------------------------------------------------------- fine-tuning
def fine_tune(
    recognizer,
    crops: Sequence[np.ndarray],
    texts: Sequence[str],
    *,
    mode: str = "frozen",
    epochs: int | None = None,
    learning_rate: float | None = None,
    augment_copies: int | None = None,
    augment_strength: float = 0.6,
    synthetic: tuple[Sequence[np.ndarray], Sequence[str]] | None = None,
    n_synthetic: int | None = None,
    synthetic_styles=None,
    batch_size: int = 32,
    two_line=None,
    seed: int = 0,
    verbose=0,
):
    """Fine-tune a copy of ``recognizer`` on real labelled crops.

    Parameters
    ----------
    recognizer
        A trained :class:`~lprkit.recognition.keras_recognizer.KerasRecognizer`; it is not
        modified.
    crops, texts
        Real RGB uint8 crops of any size and their plate texts.
    mode
        ``"frozen"`` (the convolutional feature extractor keeps its weights, see
        :func:`freeze_backbone`) or ``"full"`` (every other layer learns). In both modes
        BatchNorm layers stay frozen in inference mode: a few dozen crops cannot estimate
        their statistics.
    epochs
        Passes over the mixed training set; by profile: smoke 1, course 6, full 10.
    learning_rate
        Peak Adam rate (warm-up then cosine decay); default 1e-3 frozen, 3e-4 full.
    augment_copies
        Degraded copies per real crop (:func:`augment_crops`); by profile: smoke 2,
        course 15, full 30.
    augment_strength
        Strength of those degradations.
    synthetic
        Synthetic ``(images, texts)`` mixed in so that the model keeps reading every plate
        style; or else
    n_synthetic
        synthetic plates to render (styles: ``synthetic_styles``, default those the
        recogniser was trained on). Default: as many as augmented real crops; 0 for none.
    batch_size
        Training batch size.
    two_line
        Two-line handling of the real crops (False, True, ``"auto"``, ``"best"`` or one flag per
        crop; see :func:`layout_flags`); default the recogniser's own setting.
    seed
        Seeds the augmentation, the synthetic plates, the shuffling and dropout.
    verbose
        Keras progress display.

    Returns
    -------
    KerasRecognizer
        The fine-tuned copy; ``meta["fine_tune"]`` records the settings and the training
        loss per epoch.
    """
    import keras

    from lprkit.recognition.keras_recognizer import KerasRecognizer
    from lprkit.recognition.train import train_recognizer

    if not isinstance(recognizer, KerasRecognizer):
        raise TypeError(
            f"fine_tune needs a KerasRecognizer (a trained Keras CTC model), got "
            f"{type(recognizer).__name__}"
        )
    if mode not in MODES:
        raise InputError(f"mode={mode!r}; use 'frozen' or 'full'")
    if len(crops) != len(texts):
        raise InputError(f"{len(crops)} crops but {len(texts)} texts")
    if len(crops) == 0:
        raise InputError("no crops to fine-tune on; give at least one labelled crop")
    alphabet = recognizer.alphabet
    _check_texts(texts, alphabet)
    epochs = epochs or by_profile(smoke=1, course=6, full=10)
    learning_rate = learning_rate or (1e-3 if mode == "frozen" else 3e-4)
    copies = augment_copies if augment_copies is not None else by_profile(smoke=2, course=15, full=30)

    rng = make_rng(seed)
    images, labels = augment_crops(crops, texts, copies, rng, augment_strength)
    flags = layout_flags(recognizer, crops, two_line)
    if any(flags):  # strip two-line plates after the geometric jitter, as at reading time
        hook = default_two_line_hook(recognizer.two_line_top)
        per_copy = [f for f in flags for _ in range(1 + copies)]
        images = [hook(im) if f else im for im, f in zip(images, per_copy, strict=True)]
    n_real = len(images)
    if synthetic is None:
        n_synth = n_real if n_synthetic is None else int(n_synthetic)
        synthetic = _synthetic(recognizer, n_synth, synthetic_styles, seed + 1) if n_synth else ([], [])
    syn_images, syn_texts = list(synthetic[0]), list(synthetic[1])
    if len(syn_images) != len(syn_texts):
        raise InputError(f"synthetic: {len(syn_images)} images but {len(syn_texts)} texts")
    _check_texts(syn_texts, alphabet)

    tuned = clone_recognizer(recognizer, name=f"{recognizer.name}+ft-{mode}")
    net = tuned.model
    frozen = freeze_backbone(net) if mode == "frozen" else []
    for layer in net.layers:  # too few images to re-estimate BatchNorm statistics
        if type(layer).__name__ == "BatchNormalization":
            layer.trainable = False
    keras.utils.set_random_seed(int(rng.integers(2**31 - 1)))  # dropout
    start = time.perf_counter()
    result = train_recognizer(
        net,
        (images + syn_images, labels + syn_texts),
        alphabet=alphabet,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        patience=epochs + 1,  # fixed number of epochs: no validation set to stop on
        seed=rng,
        verbose=verbose,
    )
    tuned.meta["fine_tune"] = {
        "mode": mode,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "n_real": len(crops),
        "augment_copies": copies,
        "augment_strength": augment_strength,
        "n_synthetic": len(syn_images),
        "frozen_layers": frozen,
        "seed": seed,
        "seconds": round(time.perf_counter() - start, 1),
        "history": {"loss": [float(v) for v in result.history.get("loss", [])]},
    }
    return tuned


# --------------------------------------------------------------------------- folds
def make_folds(
    n: int, folds: int | str = 5, groups: Sequence | None = None, seed=0
) -> list[list[int]]:
    """Split ``range(n)`` into held-out folds, keeping each group in a single fold.

    Parameters
    ----------
    n
        Number of items.
    folds
        Number of folds ``k``, or ``"loo"``: one fold per group (leave one out).
    groups
        A group label per item (e.g. the plate text, so that two crops of the same plate
        are never on both sides); default: every item its own group.
    seed
        Shuffles the groups before they are dealt to folds.

    Returns
    -------
    list of list of int
        Held-out indices per fold: every index in exactly one fold, folds as even in size as
        the groups allow.
    """
    groups = list(range(n)) if groups is None else list(groups)
    if len(groups) != n:
        raise InputError(f"{len(groups)} group labels for {n} items")
    unique = list(dict.fromkeys(groups))
    if folds == "loo":
        k = len(unique)
    elif isinstance(folds, (int, np.integer)) and not isinstance(folds, bool):
        k = int(folds)
    else:
        raise InputError(f"folds={folds!r}; give a number of folds (>= 2) or 'loo'")
    if len(unique) < 2:
        raise InputError(
            f"too few crops for cross-validation: {n} crop(s) in {len(unique)} group(s); "
            "need at least 2 different plates"
        )
    if not 2 <= k <= len(unique):
        raise InputError(f"folds={folds!r}: need 2 <= k <= {len(unique)} (the number of groups)")
    members: dict = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    order = make_rng(seed).permutation(len(unique))
    shuffled = [unique[j] for j in order]
    shuffled.sort(key=lambda g: -len(members[g]))  # stable: big groups first, then shuffled
    out: list[list[int]] = [[] for _ in range(k)]
    for g in shuffled:
        smallest = min(range(k), key=lambda f: (len(out[f]), f))
        out[smallest].extend(members[g])
    return [sorted(f) for f in out]


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % for ``z = 1.96``).

    Unlike ``p ± z·sqrt(p(1-p)/n)`` it stays inside [0, 1] and is not empty at 0 or n
    successes, which matters for accuracies over a few crops.

    >>> [round(v, 3) for v in wilson_interval(10, 20)]
    [0.299, 0.701]
    """
    if n <= 0:
        raise InputError(f"n must be positive, got {n}")
    if not 0 <= successes <= n:
        raise InputError(f"successes={successes} must be between 0 and n={n}")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# --------------------------------------------------------------------------- cross-validation
@dataclass
class CrossValidation:
    """Result of :func:`cross_validate`.

    Attributes
    ----------
    folds
        Held-out crop indices of each fold.
    rows
        Tidy table, one row per crop and model: ``index``, ``fold``, ``text``, ``model``
        (``"before"`` or a mode), ``read``, ``correct``, ``confidence``.
    summary
        One row per model: ``model``, ``n``, ``exact``, ``exact_low``, ``exact_high``
        (Wilson 95 %), ``cer``, ``fixed`` and ``broken`` (crops read wrongly before and
        rightly after, and the reverse), ``seconds`` (fine-tuning time, all folds).
    settings
        What was run (folds, modes, seed, fine-tuning options).
    """

    folds: list[list[int]]
    rows: list[dict]
    summary: list[dict]
    settings: dict = field(default_factory=dict)

    def reads(self, model: str) -> list[str]:
        """Readings of every crop, in crop order, by ``"before"`` or a mode."""
        found = sorted((r for r in self.rows if r["model"] == model), key=lambda r: r["index"])
        if not found:
            known = sorted({r["model"] for r in self.rows})
            raise InputError(f"no model {model!r} in this cross-validation; known: {known}")
        return [r["read"] for r in found]

    def wide(self) -> list[dict]:
        """One row per crop: ``index``, ``fold``, ``text`` and the reading of each model."""
        out: dict[int, dict] = {}
        for r in sorted(self.rows, key=lambda r: r["index"]):
            row = out.setdefault(r["index"], {"index": r["index"], "fold": r["fold"], "text": r["text"]})
            row[r["model"]] = r["read"]
        return list(out.values())

    def summary_markdown(self) -> str:
        """The summary as a Markdown table."""
        lines = [
            "| model | crops | exact | 95% interval | CER | fixed | broken |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in self.summary:
            lines.append(
                f"| {s['model']} | {s['n']} | {s['exact']:.1%} | "
                f"{s['exact_low']:.1%} – {s['exact_high']:.1%} | {s['cer']:.3f} | "
                f"{s.get('fixed', '')} | {s.get('broken', '')} |"
            )
        return "\n".join(lines)


def layout_flags(recognizer, crops: Sequence[np.ndarray], two_line=None) -> list[bool]:
    """One two-line flag per crop for training and reading; ``"best"`` is decided once, by
    how ``recognizer`` (before any fine-tuning) reads each crop more confidently."""
    mode = recognizer.two_line if two_line is None else two_line
    if isinstance(mode, str) and mode == "best":
        return best_two_line(list(crops), recognizer.predict_proba, recognizer.decode)[0]
    return two_line_flags(list(crops), mode)


def _read(recognizer, crops, flags) -> list:
    return recognizer.read(list(crops), two_line=list(flags)) if crops else []


def cross_validate(
    recognizer,
    crops: Sequence[np.ndarray],
    texts: Sequence[str],
    *,
    folds: int | str = 5,
    modes: Sequence[str] = MODES,
    groups: Sequence | None = None,
    n_synthetic: int | None = None,
    synthetic: tuple[Sequence[np.ndarray], Sequence[str]] | None = None,
    two_line=None,
    seed: int = 0,
    verbose: bool = False,
    **fine_tune_options,
) -> CrossValidation:
    """Cross-validated fine-tuning: does it help on crops the fine-tuned model never saw?

    For each fold, each mode fine-tunes a fresh copy of ``recognizer`` on the other folds'
    crops and reads the held-out ones; the untouched ``recognizer`` reads every crop once
    for the "before" figures. Every crop is thus scored exactly once per model, and the
    summary compares the same crops before and after.

    Parameters
    ----------
    recognizer
        The trained KerasRecognizer to start from (not modified).
    crops, texts
        Real labelled crops (RGB uint8, any size).
    folds
        ``k`` or ``"loo"`` (see :func:`make_folds`).
    modes
        Fine-tuning modes to compare (``"frozen"``, ``"full"``).
    groups
        Group label per crop kept within one fold; default the plate text, so that two crops
        of the same car never sit on both sides of a split.
    n_synthetic, synthetic
        Synthetic plates mixed into every fine-tuning (rendered once and shared by the
        folds); default as many as each fold's augmented real crops.
    two_line
        Two-line handling of the crops for training and reading (default the recogniser's).
    seed
        Seeds the folds and every fine-tuning: same seed, same result.
    verbose
        Print one line per fold and mode.
    fine_tune_options
        Passed to :func:`fine_tune` (``epochs``, ``learning_rate``, ``augment_copies``,
        ``batch_size`` …).

    Returns
    -------
    CrossValidation
    """
    if len(crops) != len(texts):
        raise InputError(f"{len(crops)} crops but {len(texts)} texts")
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise InputError(f"modes={tuple(modes)!r}; use one or both of {MODES}")
    crops = [check_crop(c, i) for i, c in enumerate(crops)]
    texts = list(texts)
    alphabet = recognizer.alphabet
    _check_texts(texts, alphabet)
    split = make_folds(len(crops), folds, texts if groups is None else groups, seed)
    flags = layout_flags(recognizer, crops, two_line)
    copies = fine_tune_options.get("augment_copies")
    if copies is None:
        copies = by_profile(smoke=2, course=15, full=30)
        fine_tune_options["augment_copies"] = copies
    if synthetic is None:
        largest = max(len(crops) - len(f) for f in split) * (1 + copies)
        n_synth = largest if n_synthetic is None else int(n_synthetic)
        styles = fine_tune_options.pop("synthetic_styles", None)
        synthetic = _synthetic(recognizer, n_synth, styles, seed + 1) if n_synth else ([], [])

    rows: list[dict] = []
    fold_of = {i: f for f, idx in enumerate(split) for i in idx}

    def add(model, indices, reads):
        for i, r in zip(indices, reads, strict=True):
            rows.append(
                {
                    "index": i,
                    "fold": fold_of[i],
                    "text": texts[i],
                    "model": model,
                    "read": r.text,
                    "correct": exact_accuracy([texts[i]], [r.text], alphabet) == 1.0,
                    "confidence": float(r.confidence),
                }
            )

    everyone = list(range(len(crops)))
    add("before", everyone, _read(recognizer, crops, flags))
    seconds = dict.fromkeys(modes, 0.0)
    for f, held in enumerate(split):
        train_ids = [i for i in everyone if i not in set(held)]
        for mode in modes:
            start = time.perf_counter()
            tuned = fine_tune(
                recognizer,
                [crops[i] for i in train_ids],
                [texts[i] for i in train_ids],
                mode=mode,
                synthetic=synthetic,
                two_line=[flags[i] for i in train_ids],
                seed=seed + 1000 * (f + 1),
                **fine_tune_options,
            )
            seconds[mode] += time.perf_counter() - start
            add(mode, held, _read(tuned, [crops[i] for i in held], [flags[i] for i in held]))
            if verbose:
                ok = sum(r["correct"] for r in rows[-len(held) :])
                print(
                    f"fold {f + 1}/{len(split)} {mode:6s}: trained on {len(train_ids)} crops, "
                    f"{ok}/{len(held)} held-out read exactly",
                    flush=True,
                )
            del tuned

    before = {r["index"]: r["correct"] for r in rows if r["model"] == "before"}
    summary = []
    for model in ("before", *modes):
        mine = sorted((r for r in rows if r["model"] == model), key=lambda r: r["index"])
        hyps = [r["read"] for r in mine]
        hits = sum(r["correct"] for r in mine)
        lo, hi = wilson_interval(hits, len(mine))
        row = {
            "model": model,
            "n": len(mine),
            "exact": exact_accuracy(texts, hyps, alphabet),
            "exact_low": lo,
            "exact_high": hi,
            "cer": cer(texts, hyps, alphabet),
        }
        if model != "before":
            row["fixed"] = sum(r["correct"] and not before[r["index"]] for r in mine)
            row["broken"] = sum(before[r["index"]] and not r["correct"] for r in mine)
            row["seconds"] = round(seconds[model], 1)
        summary.append(row)
    settings = {
        "folds": folds,
        "modes": list(modes),
        "seed": seed,
        "n_synthetic": len(synthetic[0]),
        "grouped_by": "plate text" if groups is None else "groups",
        **fine_tune_options,
    }
    return CrossValidation(split, rows, summary, settings)
