"""Shipped checkpoints and the one place where names and paths become models.

A *checkpoint* is a folder written by :meth:`KerasRecognizer.save
<lprkit.recognition.keras_recognizer.KerasRecognizer.save>` (``meta.json``) or
:meth:`KerasDetector.save <lprkit.detection.keras_detector.KerasDetector.save>`
(``detector.json``), or a ``.tflite``/``.onnx`` file written by :mod:`lprkit.export`
(self-describing through its embedded metadata). Shipped checkpoints live in
``lprkit/checkpoints/NAME/`` with a ``card.md`` model card; ``lprkit … --recognizer NAME`` and
``--detector NAME`` find them here.

*Backends.* A checkpoint folder runs on Keras (``"keras"``, needs TensorFlow) or, through the
exported file it holds (``model_fp16.tflite``, ``model_int8.tflite``, ``model.onnx``: see
:mod:`lprkit.export.shipped`), on LiteRT (``"litert"``) or ONNX Runtime (``"onnxruntime"``),
which need neither TensorFlow nor Keras. ``backend=None`` picks Keras when TensorFlow is
installed and LiteRT otherwise (the light install, ``pip install lprkit``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from lprkit.errors import InputError, LprkitError

SHIPPED_DIR = Path(__file__).resolve().parent / "checkpoints"
KINDS = ("recognizer", "detector")
#: What ``backend=`` (``--backend``) accepts; ``None`` chooses (see :func:`choose_backend`).
BACKENDS = ("keras", "litert", "onnxruntime")
#: Suffix of the exported files each edge backend runs.
EDGE_SUFFIX = {"litert": ".tflite", "onnxruntime": ".onnx"}
TRAIN_EXTRA = "pip install 'lprkit[train]'"


def _importable(*modules: str) -> bool:
    try:
        return all(importlib.util.find_spec(m) is not None for m in modules)
    except (ImportError, ValueError):  # a blocked import, or a module set to None
        return False


def tensorflow_available() -> bool:
    """True when TensorFlow and Keras can be imported (without importing them)."""
    return _importable("tensorflow", "keras")


def litert_available() -> bool:
    """True when LiteRT (``ai_edge_litert``) can be imported; it has no wheel for every platform
    (none for macOS on Intel)."""
    return _importable("ai_edge_litert")


def check_backend(backend: str | None) -> str | None:
    """``backend`` lower-cased, or an :class:`InputError` naming the accepted ones."""
    if backend is None:
        return None
    if str(backend).lower() not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; use {', '.join(BACKENDS)} (or leave it out: automatic)")
    return str(backend).lower()


def choose_backend(path: str | os.PathLike, backend: str | None = None) -> str:
    """The backend that runs ``path`` (a checkpoint folder or an exported file).

    A ``.tflite`` file runs on LiteRT and an ``.onnx`` file on ONNX Runtime (asking another
    backend is an error); a folder runs on ``backend``, else on Keras when TensorFlow is
    installed, else on LiteRT, else (no LiteRT wheel for the platform) on ONNX Runtime.
    """
    backend = check_backend(backend)
    path = Path(path)
    for native, suffix in EDGE_SUFFIX.items():
        if path.suffix.lower() == suffix:
            if backend not in (None, native):
                raise InputError(
                    f"{path} is a {suffix} file, which runs on {native}, not {backend}; leave "
                    f"--backend out or give a checkpoint name or folder"
                )
            return native
    if backend is None:
        if tensorflow_available():
            return "keras"
        return "litert" if litert_available() else "onnxruntime"
    return backend


def edge_files(folder: str | os.PathLike) -> dict[str, Path]:
    """The exported files a checkpoint folder holds, by backend (``model_*.tflite``, ``model*.onnx``)."""
    folder = Path(folder)
    found = {}
    for backend, suffix in EDGE_SUFFIX.items():
        files = sorted(folder.glob(f"model*{suffix}"))
        if files:
            found[backend] = files[0]
    return found


def edge_file(folder: str | os.PathLike, backend: str) -> Path:
    """The file of ``folder`` that ``backend`` runs, or a one-line error saying how to make one."""
    folder = Path(folder)
    file = edge_files(folder).get(backend)
    if file is not None:
        return file
    name = folder.name if folder.parent == SHIPPED_DIR else str(folder)
    suffix = EDGE_SUFFIX[backend]
    make = (
        f"lprkit export {name} --out {folder.name}.onnx"
        if backend == "onnxruntime"
        else f"lprkit export {name} --precision fp16 --out {folder.name}.tflite"
    )
    why = " (not shipped: the package stays small)" if backend == "onnxruntime" else ""
    raise LprkitError(
        f"{name} has no {suffix} file for {backend}{why}; make one with `{make}` (needs "
        f"TensorFlow: {TRAIN_EXTRA}) and pass that file instead of the name"
    )


def _keras_check(path: Path) -> None:
    if not tensorflow_available():
        raise LprkitError(
            f"{path.name} on Keras needs TensorFlow, which is not installed: {TRAIN_EXTRA}, or "
            "read with --backend litert (what this install runs)"
        )


def _edge_options(backend: str, num_threads: int | None, providers) -> dict:
    if providers is not None and backend != "onnxruntime":
        raise InputError(
            f"execution providers apply to --backend onnxruntime, not {backend}; drop --providers "
            "or add --backend onnxruntime"
        )
    options = {} if num_threads is None else {"num_threads": num_threads}
    if providers is not None:
        options["providers"] = providers
    return options


def available() -> list[str]:
    """Names of the shipped checkpoints present in this installation."""
    if not SHIPPED_DIR.is_dir():
        return []
    return sorted(
        p.name for p in SHIPPED_DIR.iterdir()
        if (p / "meta.json").is_file() or (p / "detector.json").is_file()
    )  # fmt: skip


def resolve(name_or_path: str | os.PathLike) -> Path:
    """The checkpoint folder or ``.tflite`` file for a shipped name or a path.

    Raises
    ------
    LprkitError
        For a name that is neither a shipped checkpoint nor an existing path, listing what is
        accepted.
    """
    path = Path(name_or_path).expanduser()
    if path.exists():
        return path
    shipped = SHIPPED_DIR / str(name_or_path)
    if str(name_or_path) in available():
        return shipped
    names = ", ".join(available()) or "none installed"
    raise LprkitError(
        f"unknown checkpoint {str(name_or_path)!r}: give a shipped name ({names}), a checkpoint "
        "folder (meta.json or detector.json) or a .tflite/.onnx file written by `lprkit export`"
    )


def checkpoint_kind(path: str | os.PathLike) -> str:
    """``"recognizer"`` or ``"detector"`` for a checkpoint folder or ``.tflite`` file."""
    path = Path(path)
    if path.is_dir():
        if (path / "meta.json").is_file():
            return "recognizer"
        if (path / "detector.json").is_file():
            return "detector"
        raise LprkitError(f"{path} is not a checkpoint folder: it has no meta.json (recogniser) or detector.json (detector)")
    if path.suffix.lower() in (".tflite", ".onnx"):
        from lprkit.edge.backends import read_model_metadata

        kind = read_model_metadata(path).get("kind")
        if kind not in KINDS:
            raise LprkitError(f"{path} carries no lprkit metadata saying what it holds; export it with `lprkit export`")
        return kind
    raise LprkitError(f"{path}: expected a checkpoint folder, a .tflite or an .onnx file")


def _expect(path: Path, kind: str) -> None:
    found = checkpoint_kind(path)
    if found != kind:
        raise LprkitError(f"{path} holds a {found}, not a {kind}")


def load_recognizer(
    name_or_path: str | os.PathLike,
    *,
    alphabet: str | None = None,
    grammar_styles: str | None = None,
    backend: str | None = None,
    num_threads: int | None = None,
    providers=None,
    **options,
):
    """A :class:`~lprkit.recognition.base.Recognizer` for a name, folder or ``.tflite``/``.onnx`` file.

    ``backend`` (``"keras"``, ``"litert"``, ``"onnxruntime"``; default: Keras when TensorFlow
    is installed, else LiteRT, see :func:`choose_backend`) says what runs a checkpoint;
    ``num_threads`` (LiteRT / ONNX Runtime threads; Keras uses TensorFlow's own pool) and
    ``providers`` (ONNX Runtime execution providers) go to the edge runtimes.

    ``"tesseract"`` gives the Tesseract baseline with its best preset for ``alphabet``
    (``korean`` or ``latin``); ``"rapidocr"`` the RapidOCR baseline (Latin only, an optional
    install, see :mod:`lprkit.ocr.rapidocr`). ``options`` go to the recogniser (e.g. ``decoder="beam"``).
    CTC recognisers read crops whose aspect ratio allows two lines both as they are and as a
    two-line strip, and keep the more confident reading (``two_line="best"``, see
    :func:`~lprkit.recognition.preprocess.read_crops`; pass ``two_line=`` to choose otherwise).
    Tesseract reads two-line plates as a block by itself.
    ``grammar_styles`` (e.g. ``"europe"``, ``"korean"``, ``"eu_sk,eu_cz"``: what
    :func:`~lprkit.synth.styles.resolve_styles` takes) makes a CTC recogniser return only
    plates legal in one of those synthetic styles, by beam search
    (:func:`~lprkit.recognition.ctc.synth_grammar`).

    Raises
    ------
    ValueError
        For unknown grammar styles, styles of another alphabet than the recogniser's, or a
        grammar asked of Tesseract.
    """
    if str(name_or_path).lower() == "rapidocr":
        if grammar_styles:
            raise InputError("--grammar applies to CTC recognisers, not rapidocr")
        from lprkit.ocr.rapidocr import RapidOCRRecognizer

        return RapidOCRRecognizer(alphabet or "latin")
    tesseract = str(name_or_path).lower() == "tesseract"
    if grammar_styles and tesseract:
        raise InputError(
            "--grammar applies to CTC recognisers (checkpoints and .tflite files), not tesseract"
        )
    if not tesseract:
        options.setdefault("two_line", "best")
    backend = check_backend(backend)
    if grammar_styles:
        options.update(backend=backend, num_threads=num_threads, providers=providers)
        return _with_grammar(name_or_path, alphabet, grammar_styles, options)
    if tesseract:
        from lprkit.ocr import TesseractRecognizer

        if alphabet is None:
            raise InputError("--recognizer tesseract needs --alphabet korean|latin")
        return TesseractRecognizer(alphabet, **options)
    path = resolve(name_or_path)
    _expect(path, "recognizer")
    runs_on = choose_backend(path, backend)
    if runs_on == "keras":
        _edge_options(runs_on, None, providers)
        _keras_check(path)
        from lprkit.recognition.keras_recognizer import KerasRecognizer

        rec = KerasRecognizer.load(path, **options)
    else:
        from lprkit.edge.recognizer import EdgeRecognizer

        file = path if path.is_file() else edge_file(path, runs_on)
        rec = EdgeRecognizer(file, **_edge_options(runs_on, num_threads, providers), **options)
    if alphabet is not None and rec.alphabet.name != alphabet:
        raise InputError(f"{path} reads the {rec.alphabet.name!r} alphabet, not {alphabet!r}")
    return rec


def _with_grammar(name_or_path, alphabet: str | None, styles: str, options: dict):
    """:func:`load_recognizer` with reads constrained to the plates of synthetic ``styles``."""
    from lprkit.recognition.ctc import synth_grammar
    from lprkit.synth.styles import STYLES, resolve_styles

    names = resolve_styles(styles)
    options = {"decoder": "beam", **options, "grammar": synth_grammar(names)}
    rec = load_recognizer(name_or_path, alphabet=alphabet, **options)
    other = [n for n in names if STYLES[n].alphabet != rec.alphabet.name]
    if other:
        raise InputError(
            f"grammar styles {', '.join(other)} are not {rec.alphabet.name!r} plates, which is "
            f"what {name_or_path} reads; give styles of its alphabet (e.g. "
            f"{'korean' if rec.alphabet.name == 'korean' else 'europe or latin'})"
        )
    rec.name = f"{rec.name} [grammar: {styles}]"  # tables and JSON say how it read
    return rec


def load_detector(
    name_or_path: str | os.PathLike,
    *,
    backend: str | None = None,
    num_threads: int | None = None,
    providers=None,
    **options,
):
    """A :class:`~lprkit.detection.base.Detector` for a name, folder or ``.tflite``/``.onnx`` file.

    ``backend``, ``num_threads`` and ``providers`` as for :func:`load_recognizer`; ``options``
    go to the detector (e.g. ``score_threshold``).
    """
    path = resolve(name_or_path)
    _expect(path, "detector")
    runs_on = choose_backend(path, backend)
    if runs_on == "keras":
        _edge_options(runs_on, None, providers)
        _keras_check(path)
        from lprkit.detection.keras_detector import KerasDetector

        return KerasDetector.load(path, **options)
    from lprkit.edge.detector import EdgeDetector

    file = path if path.is_file() else edge_file(path, runs_on)
    return EdgeDetector(file, **_edge_options(runs_on, num_threads, providers), **options)


def load_model_for_export(name_or_path: str | os.PathLike, alphabet: str | None = None):
    """The Keras recogniser or detector behind a name or folder, for :mod:`lprkit.export`.

    A bare recogniser ``.keras`` file needs ``alphabet``.
    """
    path = Path(name_or_path)
    if path.is_file() and path.suffix == ".keras":
        if alphabet is None:
            raise InputError(
                f"{path} is a bare Keras file: pass --alphabet for a recogniser (detectors need "
                "the folder written by KerasDetector.save, which holds the anchors)"
            )
        import keras

        import lprkit.models.lprnet  # noqa: F401  (registers LPRNet's custom layers)
        from lprkit.recognition.keras_recognizer import KerasRecognizer

        return KerasRecognizer(keras.saving.load_model(path, compile=False), alphabet)
    path = resolve(name_or_path)
    if path.suffix.lower() in (".tflite", ".onnx"):
        raise InputError(f"{path} is already an exported file; export from a checkpoint folder or name")
    if checkpoint_kind(path) == "recognizer":
        return load_recognizer(path, backend="keras")
    return load_detector(path, backend="keras")


def _card_text(name_or_path: str | os.PathLike) -> str:
    card = resolve(name_or_path) / "card.md"
    if not card.is_file():
        raise FileNotFoundError(f"{card} not found: this checkpoint has no model card")
    return card.read_text(encoding="utf-8")


def model_card(name_or_path: str | os.PathLike) -> str:
    """The model card (``card.md``) of a checkpoint folder, without its YAML front matter
    (:func:`card_metadata` parses that)."""
    from lprkit.model_cards import split_front_matter

    return split_front_matter(_card_text(name_or_path))[1]


def card_metadata(name_or_path: str | os.PathLike) -> dict:
    """The YAML front matter of a model card (licence, datasets, ``model-index`` figures …);
    ``{}`` for a card without one (see :mod:`lprkit.model_cards`)."""
    from lprkit.model_cards import split_front_matter

    return split_front_matter(_card_text(name_or_path))[0]


def card_metrics(name_or_path: str | os.PathLike) -> str:
    """The first table of a model card's ``## Metrics`` section (Markdown): what a notebook
    shows of a card, rather than the whole card with its training commands."""
    lines = model_card(name_or_path).splitlines()
    try:
        start = lines.index("## Metrics")
    except ValueError:
        raise LprkitError(f"the model card of {name_or_path} has no '## Metrics' section") from None
    table: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            table.append(line)
        elif table or line.startswith("#"):
            break
    if not table:
        raise LprkitError(f"the '## Metrics' section of {name_or_path}'s model card holds no table")
    return "\n".join(table)
