"""The course's recogniser recipe: synthetic plates in, a saved, measured checkpoint out.

What ``lprkit train recognizer``, notebooks 04/05 and the shipped ``crnn-korean``,
``lprnet-korean`` and ``crnn-latin`` checkpoints use: render a training and a validation set
from the plate generator, build a CRNN or LPRNet, train it (resumable, optionally within a
time budget), then measure it on a held-out synthetic set (a third seed) and, when they are
available, on real crops, and save everything with the checkpoint.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from collections.abc import Sequence
from pathlib import Path

from lprkit.config import by_profile
from lprkit.errors import InputError

INPUT_SIZES = {"crnn": (128, 32), "lprnet": (94, 24)}


def build_model(arch: str, alphabet, **options):
    """A fresh CRNN (grayscale 128×32) or LPRNet (RGB 94×24) for ``alphabet``.

    ``options`` go to the builder (:func:`lprkit.models.crnn.crnn` or
    :func:`lprkit.models.lprnet.lprnet`), e.g. ``filters=(16, 32, 64, 64), rnn_units=64`` for a
    narrower CRNN; the input size and channels are the recipe's and cannot be changed here.
    """
    builder, fixed = _builder(arch, options)
    return builder(alphabet, **fixed, **options)


def _builder(arch: str, options: dict):
    """The model builder of ``arch`` and the arguments the recipe fixes, after checking that
    ``options`` names only arguments the builder takes and the recipe leaves free."""
    import inspect

    if arch == "crnn":
        from lprkit.models.crnn import crnn as builder

        fixed = {"input_size": INPUT_SIZES["crnn"], "channels": 1}
    elif arch == "lprnet":
        from lprkit.models.lprnet import lprnet as builder

        fixed = {"input_size": INPUT_SIZES["lprnet"]}
    else:
        raise InputError(f"unknown architecture {arch!r}; use 'crnn' or 'lprnet'")
    taken = sorted(({"alphabet"} | set(fixed)) & set(options))
    if taken:
        raise InputError(f"model options {taken} are set by the recipe; leave them out")
    accepted = [p for p in inspect.signature(builder).parameters if p not in fixed and p != "alphabet"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InputError(f"unknown {arch} model options {unknown}; accepted: {', '.join(accepted)}")
    return builder, fixed


def resolve_alphabet(style_names: list[str], alphabet: str | None = None):
    """The alphabet to train ``style_names`` with: ``alphabet`` if given, else theirs (one only)."""
    from lprkit.charset import get_alphabet
    from lprkit.synth.styles import get_style

    if alphabet is None:
        alphabets = {get_style(s).alphabet for s in style_names}
        if len(alphabets) != 1:
            raise InputError(f"styles {','.join(style_names)!r} mix alphabets {sorted(alphabets)}; pass alphabet=")
        alphabet = alphabets.pop()
    return get_alphabet(alphabet)


def copy_recognizer_weights(source, model, alphabet) -> None:
    """Load a saved recogniser's weights into ``model``, refusing a mismatch."""
    from lprkit.checkpoints import load_recognizer

    start = load_recognizer(str(source))
    if start.alphabet.name != alphabet.name:
        raise InputError(
            f"init_from {source!r} reads alphabet {start.alphabet.name!r}, not {alphabet.name!r}"
        )
    theirs, ours = start.model.get_weights(), model.get_weights()
    shapes = [w.shape for w in ours]
    if [w.shape for w in theirs] != shapes:
        raise InputError(
            f"init_from {source!r} is a different architecture ({start.model.name}, "
            f"{len(theirs)} weight arrays) from the one being trained ({model.name}, {len(ours)})"
        )
    model.set_weights([w.astype(o.dtype) for w, o in zip(theirs, ours, strict=True)])


# The real set each alphabet's cards have always reported as "real" (one of its real_dev_sets).
MAIN_REAL_SET = {"korean": "kr_crops", "latin": "openalpr_eu crops"}


def real_crops(alphabet_name: str) -> tuple[list, list[str], str] | None:
    """Real crops for an alphabet when available locally: Korean crops, or plates cut from the
    European photos for Latin. None when the data is not there (no download is attempted)."""
    from lprkit.recognition.real_sets import real_dev_sets

    name = MAIN_REAL_SET.get(alphabet_name)
    found = real_dev_sets(alphabet_name, only=name)
    if name not in found:
        return None
    crops, texts = found[name]
    return crops, texts, name


def _real_training_crops(names, alphabet, copies: int, strength: float, seed: int,
                         focus: str = "", focus_copies: int = 0):
    """Augmented real crops of the named training sets: ``(images, texts, n_crops)``.

    Crops whose text holds any character of ``focus`` get ``focus_copies`` more degraded
    copies (after the usual ones), so that glyphs the model confuses are seen more often.

    The real training sets hold one-line plates, so their crops are used as one-line strips
    (their aspect ratio cannot tell: loose crops of one-line plates look two-line to it).
    """
    from lprkit.data.realdata import load_realdata
    from lprkit.recognition.finetune import augment_crops

    images, texts, n = [], [], 0
    for name in names:
        if name.endswith("_dev") or name in ("openalpr_eu", "kr_crops"):
            raise InputError(f"{name!r} is a development set: measure on it, never train on it")
        folder = load_realdata(name)
        crops = [c.load() for c in folder]
        bad = [t for t in folder.texts if not alphabet.can_write(t)]
        if bad:
            raise InputError(f"{name}: {len(bad)} texts cannot be written in {alphabet.name!r}, e.g. {bad[0]!r}")
        aug, labels = augment_crops(crops, folder.texts, copies, seed + 7, strength)
        images += aug
        texts += labels
        hard = [i for i, t in enumerate(folder.texts) if focus and set(t) & set(focus)]
        if hard and focus_copies:
            aug, labels = augment_crops([crops[i] for i in hard], [folder.texts[i] for i in hard],
                                        focus_copies, seed + 8, strength)
            keep = [j for j in range(len(aug)) if j % (focus_copies + 1)]  # copies, not originals
            images += [aug[j] for j in keep]
            texts += [labels[j] for j in keep]
        n += len(crops)
    return images, texts, n


def measure_real(recognizer) -> dict | None:
    """Exact accuracy and CER on the real crops of the recogniser's alphabet; None without them."""
    from lprkit.recognition.metrics import evaluate_recognizer

    real = real_crops(recognizer.alphabet.name)
    if real is None:
        return None
    crops, labels, name = real
    recognizer.read(crops)  # untimed: the first read of each batch shape builds a graph
    return {**evaluate_recognizer(recognizer, crops, labels).summary, "set": name}


def measure_synthetic(recognizer, seed: int, styles, n_test: int, processes: int = 1) -> dict:
    """Exact accuracy and CER on ``n_test`` held-out synthetic plates of seed ``seed``, by style."""
    from lprkit.recognition.metrics import evaluate_recognizer
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.twoline import top_layout_of

    images, texts, test_styles = generate_crops(
        n_test, styles, size=recognizer.input_size, seed=seed, processes=processes,
        two_line_top=top_layout_of(recognizer),
    )  # fmt: skip
    recognizer.read(list(images[:64]))  # untimed: the first read of each batch shape builds a graph
    report = evaluate_recognizer(recognizer, images, texts, test_styles)
    return {**report.summary, "seed": seed, "by_style": report.by_style}


def measure(recognizer, seed: int, styles, n_test: int) -> dict:
    """Exact accuracy and CER on held-out synthetic plates and (if present) real crops."""
    from lprkit.recognition.real_sets import measure_real_sets

    out = {"synthetic": measure_synthetic(recognizer, seed, styles, n_test)}
    real_sets = measure_real_sets(recognizer)  # every real set read once
    main = MAIN_REAL_SET.get(recognizer.alphabet.name)
    if main in real_sets:
        out["real"] = {**real_sets[main], "set": main}
    if real_sets:
        out["real_sets"] = real_sets
    return out


def train_plate_recognizer(
    out_dir: str | os.PathLike,
    *,
    arch: str = "crnn",
    styles: str = "korean",
    alphabet: str | None = None,
    n_train: int | None = None,
    n_val: int | None = None,
    n_test: int | None = None,
    epochs: int | None = None,
    max_minutes: float | None = None,
    init_from: str | os.PathLike | None = None,
    batch_size: int | None = None,
    learning_rate: float = 1e-3,
    seed: int = 0,
    two_line_top: str | None = None,
    model_options: dict | None = None,
    easy_start: float | None = None,
    real: Sequence[str] = (),
    real_copies: int = 4,
    real_strength: float = 0.6,
    real_focus: str = "",
    real_focus_copies: int = 0,
    work_dir: str | os.PathLike | None = None,
    precision: str = "float32",
    overwrite: bool = False,
    processes: int = 2,
    verbose="auto",
) -> dict:
    """Train a CRNN or LPRNet on synthetic plates and save a measured checkpoint folder.

    Parameters
    ----------
    out_dir
        Checkpoint folder to write (refused if it exists, unless ``overwrite``).
    arch
        ``"crnn"`` or ``"lprnet"``.
    styles
        Plate styles to train and test on (``"korean"``, ``"latin"``, names…).
    alphabet
        ``"korean"`` or ``"latin"``; default: the alphabet of the styles.
    n_train, n_val, n_test
        Synthetic plates; by profile (smoke 256/64/64, course 40k/1k/1k, full 200k/2k/5k).
    epochs
        Passes over the training set (default by profile, see ``train_recognizer``).
    max_minutes
        Training-time budget (validation not counted): the learning rate warms up and decays
        over it and training stops when it is spent (see ``train_recognizer``). When neither
        this nor ``epochs`` is given: 10 minutes in the course profile, epochs by profile
        otherwise.
    init_from
        Start from this checkpoint's weights (a shipped name or a folder) instead of a
        fresh model: same architecture and alphabet required. Continues a shipped model with
        a new schedule, or fine-tunes it.
    batch_size
        Default by profile (see ``train_recognizer``).
    learning_rate
        Peak Adam learning rate (lower it when continuing from ``init_from``). A higher one
        can leave CTC's all-blank plateau sooner or stay on it for the whole budget, depending
        on the seed (notebook 04, section 4); ``benchmarks/bench_course_recipe.py`` compares
        settings on the same data and budget.
    seed
        Training plates use ``seed``, validation ``seed + 1``, the test set ``seed + 2``.
    two_line_top
        How two-line plates are cut into strips, ``"text"`` or ``"span"``
        (:mod:`lprkit.synth.twoline`); recorded with the checkpoint. Default: the layout new
        training data uses.
    model_options
        Keyword arguments for the model builder (see :func:`build_model`), e.g.
        ``{"filters": (16, 32, 64, 64), "rnn_units": 64}`` for a narrower, faster CRNN;
        recorded with the checkpoint.
    easy_start
        Degradation strength (0 clean, 1 the usual) of a first epoch over the same training
        plates drawn milder, before the rest of the budget is spent on the usual ones. Clearer
        plates shorten CTC's all-blank plateau, so fewer runs lose their first epoch to it.
        Needs ``max_minutes`` (the learning rate then follows one schedule over both parts).
        None: no such epoch. ``benchmarks/bench_course_recipe.py`` measures what it gives.
    real
        Real crop sets mixed into the training plates, by name (``"br_crops_train"``; see
        :func:`lprkit.data.realdata.load_realdata`): each crop as it is plus ``real_copies``
        degraded copies (:func:`lprkit.recognition.finetune.augment_crops` at
        ``real_strength``). Development sets are refused. Real crops teach what synthetic
        plates cannot: real fonts, wear, light and the way real crops are cut.
    real_copies, real_strength
        Augmented copies per real crop and their degradation strength.
    real_focus, real_focus_copies
        Characters the model confuses on real plates (e.g. ``"ODQ"``): real crops whose text
        holds one of them get ``real_focus_copies`` more degraded copies.
    work_dir
        Resumable state (default ``out_dir`` + ``.work``): run again to continue.
    precision
        ``"float16"`` halves the saved size (shipped checkpoints).

    Returns
    -------
    dict
        Training summary and metrics, also saved in the checkpoint's ``meta.json``.
    """
    from lprkit.recognition.keras_recognizer import KerasRecognizer
    from lprkit.recognition.train import train_recognizer
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.styles import resolve_styles
    from lprkit.synth.twoline import TOP_LAYOUT, check_top_layout

    two_line_top = check_top_layout(two_line_top or TOP_LAYOUT)
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise FileExistsError(f"{out_dir} exists; pass overwrite=True to replace it")
    style_names = resolve_styles(styles)
    alpha = resolve_alphabet(style_names, alphabet)
    n_train = n_train or by_profile(smoke=256, course=40_000, full=200_000)
    if epochs is None and max_minutes is None:  # the course's laptop budget
        max_minutes = by_profile(smoke=None, course=10, full=None)
    n_val = n_val or by_profile(smoke=64, course=1_000, full=2_000)
    n_test = n_test or by_profile(smoke=64, course=1_000, full=5_000)
    if arch not in INPUT_SIZES:
        raise InputError(f"unknown architecture {arch!r}; use 'crnn' or 'lprnet'")
    size = INPUT_SIZES[arch]
    model_options = dict(model_options or {})
    _builder(arch, model_options)  # a misnamed option fails before the data is drawn
    if easy_start is not None:
        if not 0 <= easy_start <= 1:
            raise InputError(f"easy_start={easy_start}: give a degradation strength between 0 and 1")
        if not max_minutes:
            raise InputError("easy_start needs max_minutes: its epoch and the rest share one time-budget schedule")

    if real_focus_copies < 0 or (real_focus_copies and not alpha.can_write(real_focus)):
        raise InputError(f"real_focus={real_focus!r} / real_focus_copies={real_focus_copies}: give "
                         f"characters of the {alpha.name!r} alphabet and a count >= 0")
    real_train = _real_training_crops(real, alpha, real_copies, real_strength, seed,
                                      real_focus, real_focus_copies)
    work = Path(work_dir) if work_dir else out_dir.with_name(out_dir.name + ".work")
    t0 = time.perf_counter()
    cut = {"size": size, "processes": processes, "two_line_top": two_line_top}
    train = generate_crops(n_train, style_names, seed=seed, **cut)[:2]
    if real_train[0]:  # real crops join the synthetic ones (the trainer shuffles them)
        train = (list(train[0]) + real_train[0], list(train[1]) + real_train[1])
    val = generate_crops(n_val, style_names, seed=seed + 1, **cut)[:2]
    easy = None  # the same training plates drawn milder, unless a resumed run is past them
    if easy_start is not None and not (work / "last" / "state.json").is_file():
        easy = generate_crops(n_train, style_names, seed=seed, degrade_strength=easy_start, **cut)[:2]
    data_minutes = (time.perf_counter() - t0) / 60

    import keras

    keras.utils.set_random_seed(seed)  # the same weights at the start of every run
    model = build_model(arch, alpha, **model_options)
    if init_from is not None:
        copy_recognizer_weights(init_from, model, alpha)
    t0 = time.perf_counter()
    fit = {
        "alphabet": alpha, "max_minutes": max_minutes, "batch_size": batch_size, "learning_rate": learning_rate,
        "checkpoint_dir": work, "seed": seed, "two_line_top": two_line_top, "verbose": verbose,
    }  # fmt: skip
    if easy is not None:  # its epoch first; the second call resumes from its checkpoint
        train_recognizer(model, easy, val, epochs=1, **fit)
        easy = None
    result = train_recognizer(model, train, val, epochs=epochs, **fit)
    train_minutes = (time.perf_counter() - t0) / 60
    # "best": the real crops (and later users) may hold two-line plates in loose crops
    recognizer = KerasRecognizer(
        result.recognizer.model, alpha, two_line="best", two_line_top=two_line_top, name=out_dir.name
    )
    metrics = measure(recognizer, seed + 2, style_names, n_test)
    summary = {
        "architecture": arch,
        "alphabet": alpha.name,
        "styles": style_names,
        "input_size": list(size),
        "n_train": n_train,
        "n_val": n_val,
        "seed": seed,
        "init_from": str(init_from) if init_from is not None else None,
        "max_minutes": max_minutes,
        "batch_size": result.info.get("batch_size"),
        "learning_rate": learning_rate,
        "model_options": {k: list(v) if isinstance(v, tuple) else v for k, v in model_options.items()},
        "easy_start": easy_start,
        "real": {"sets": list(real), "crops": real_train[2], "copies": real_copies,
                 "focus": real_focus, "focus_copies": real_focus_copies,
                 "strength": real_strength} if real else None,
        "epochs_run": result.epochs_run,
        "best_val_exact": result.best,
        "data_minutes": round(data_minutes, 1),
        "train_minutes_this_run": round(train_minutes, 1),
        "date": _dt.date.today().isoformat(),
        "metrics": metrics,
    }
    recognizer.save(out_dir, precision=precision, overwrite=overwrite, training=summary)
    return summary
