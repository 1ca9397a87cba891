"""``lprkit evaluate crops|frames``: score a recogniser, or the whole pipeline, on a folder.

``evaluate crops DIR`` reads a crops folder (images + ``labels.csv`` rows ``file,text``) with
one recogniser and prints exact accuracy, character error rate and ms per plate;
``--json OUT`` writes ``{"n", "exact", "cer", "ms_per_plate", "recognizer"}``.
``evaluate frames DIR`` runs detector + recogniser on a frames folder
(:func:`lprkit.evaluation.evaluate_frames`) and writes
``{"n", "recall", "precision", "end_to_end_exact", "ms_per_frame", "detector", "recognizer"}``.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from lprkit.commands._checks import check_number, check_output_file
from lprkit.commands.predict import (
    add_backend_options,
    add_grammar_option,
    add_reading_options,
    assemble_pipeline,
    backend_options,
    check_reading_options,
)
from lprkit.errors import InputError

HANGUL = re.compile("[\uac00-\ud7a3]")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score a recogniser on plate crops, or detector + recogniser on frames",
        description="Score a recogniser on a crops folder, or the full pipeline on a frames folder.",
    )
    targets = p.add_subparsers(dest="target", metavar="TARGET")
    p.set_defaults(func=lambda args: _print_help(p))

    c = targets.add_parser(
        "crops",
        help="exact plates, character error rate and ms per plate of one recogniser",
        description="Read every crop of DIR (images + labels.csv rows file,text, no header) "
        "with one recogniser and compare with the labels.",
    )
    c.add_argument("dir", metavar="DIR", help="crops folder")
    c.add_argument(
        "--recognizer", default="tesseract", metavar="NAME|PATH",
        help="'tesseract' or 'rapidocr' (the baselines), a shipped checkpoint name or a "
        "checkpoint/.tflite path (default: tesseract)",
    )  # fmt: skip
    c.add_argument(
        "--alphabet", default=None, metavar="A",
        help="plate alphabet for tesseract: korean or latin (default: korean if any label "
        "has Hangul, else latin); checkpoints bring their own",
    )  # fmt: skip
    c.add_argument(
        "--preset", default=None, help="tesseract preprocessing preset (default: the best one)"
    )
    add_grammar_option(c)
    c.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N crops")
    c.add_argument(
        "--warmup", type=int, default=3, metavar="N", help="untimed reads first (default 3)"
    )
    c.add_argument("--json", default=None, metavar="OUT", help="write the summary as JSON")
    c.add_argument("--overwrite", action="store_true", help="replace an existing --json file")
    add_backend_options(c)
    c.set_defaults(func=run_crops)

    f = targets.add_parser(
        "frames",
        help="detection recall/precision and end-to-end exact reads on frames",
        description="Run detector + recogniser on DIR (images + labels.csv rows "
        "file,text,x,y,w,h, or openalpr .txt files); a read counts only when its box matches "
        "a labelled plate (IoU >= --iou).",
    )
    f.add_argument("dir", metavar="DIR", help="frames folder")
    f.add_argument(
        "--detector",
        default="yolov4-tiny-plates",
        metavar="NAME|PATH",
        help="shipped detector or checkpoint path (default: yolov4-tiny-plates)",
    )
    f.add_argument(
        "--recognizer",
        default="tesseract",
        metavar="NAME|PATH",
        help="'tesseract', a shipped recogniser or a checkpoint/.tflite path (default: tesseract)",
    )
    f.add_argument("--alphabet", default=None, metavar="A", help="plate alphabet for tesseract")
    add_grammar_option(f)
    add_reading_options(f)
    f.add_argument("--iou", type=float, default=0.5, help="IoU for a box to match (default 0.5)")
    f.add_argument("--limit", type=int, default=None, metavar="N", help="only the first N frames")
    f.add_argument("--json", default=None, metavar="OUT", help="write the summary as JSON")
    f.add_argument("--overwrite", action="store_true", help="replace an existing --json file")
    add_backend_options(f)
    f.set_defaults(func=run_frames)


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def infer_alphabet(texts: list[str]) -> str:
    """``"korean"`` when any label has Hangul, else ``"latin"``."""
    return "korean" if any(HANGUL.search(t) for t in texts) else "latin"


def _alphabet_for(recognizer: str, alphabet: str | None, texts: list[str]) -> str | None:
    """Tesseract needs an alphabet (inferred from the labels when not given); a checkpoint
    brings its own, so only an explicit one is passed on (to be checked)."""
    if recognizer.lower() == "tesseract":
        return alphabet or infer_alphabet(texts)
    return alphabet


def make_recognizer(
    name_or_path: str,
    alphabet: str | None = None,
    preset: str | None = None,
    grammar_styles: str | None = None,
    **run,
):
    """Build the recogniser the command line names.

    ``tesseract`` gives :class:`~lprkit.ocr.tesseract.TesseractRecognizer` with ``alphabet``
    and ``preset`` (default its best preset); anything else goes to
    :func:`lprkit.checkpoints.load_recognizer` (with ``grammar_styles``, if given, and ``run``:
    ``backend``, ``num_threads``, ``providers``).

    Raises
    ------
    LprkitError
        For an unknown checkpoint, or when Tesseract is missing.
    """
    # (Tesseract with a grammar goes on to load_recognizer, which says why it cannot be.)
    if name_or_path.lower() == "tesseract" and not grammar_styles:
        from lprkit.ocr.preprocess import BEST_PRESET
        from lprkit.ocr.tesseract import TesseractRecognizer

        return TesseractRecognizer(
            alphabet or "latin", preset=preset or BEST_PRESET, name="tesseract"
        )
    if preset is not None:
        raise InputError("--preset applies to --recognizer tesseract only")
    from lprkit.checkpoints import load_recognizer

    # A checkpoint brings its alphabet; an explicit --alphabet is checked against it.
    return load_recognizer(name_or_path, alphabet=alphabet, grammar_styles=grammar_styles, **run)


def _read_crops(folder: str, limit: int | None):
    from lprkit.data.folders import read_crops_folder

    crops = read_crops_folder(folder)
    items = list(crops)[:limit] if limit is not None else list(crops)
    if not items:
        raise InputError(f"{folder}/labels.csv lists no crops")
    return items


def _check_labels(items, alphabet) -> None:
    for item in items:
        try:
            alphabet.tokenize(item.text)
        except ValueError as exc:
            raise InputError(f"label of {item.path} in labels.csv: {exc}") from None


def write_json(path: str | os.PathLike, data: dict, overwrite: bool = False) -> Path:
    """Write ``data`` as JSON atomically (temp file + rename); refuse to replace a file
    unless ``overwrite``."""
    from lprkit.fileio import atomic_write_json

    return atomic_write_json(path, data, overwrite=overwrite)


def _check_options(args: argparse.Namespace) -> None:
    """Refuse bad numbers and an unwritable --json before any work."""
    if args.json:
        check_output_file(args.json, "--json", args.overwrite)
    check_number(args, "limit", lo=1)
    if hasattr(args, "iou"):
        check_number(args, "iou", lo=0, hi=1, lo_open=True)
        check_reading_options(args)


def run_crops(args: argparse.Namespace) -> int:
    from lprkit.charset import get_alphabet
    from lprkit.recognition.compare import compare_recognizers

    _check_options(args)
    run = backend_options(args)
    items = _read_crops(args.dir, args.limit)
    texts = [item.text for item in items]
    alphabet = _alphabet_for(args.recognizer, args.alphabet, texts)
    recognizer = make_recognizer(args.recognizer, alphabet, args.preset, grammar_styles=args.grammar, **run)
    alpha = get_alphabet(getattr(recognizer, "alphabet", None) or alphabet or "latin")
    _check_labels(items, alpha)
    crops = [item.load() for item in items]
    row = compare_recognizers([recognizer], crops, texts, warmup=args.warmup, progress=True)[0]
    name = row["name"] + (f" ({row['details']})" if row["details"] else "")
    summary = {
        "n": row["n"],
        "exact": row["exact"],
        "cer": row["cer"],
        "ms_per_plate": row["ms_mean"],
        "recognizer": name,
    }
    print(
        f"{name}\nn={summary['n']}  exact={summary['exact']:.3f}  cer={summary['cer']:.3f}  "
        f"ms/plate={summary['ms_per_plate']:.1f} (median {row['ms_median']:.1f})"
    )
    if args.json:
        print(f"wrote {write_json(args.json, summary, args.overwrite)}")
    return 0


FRAMES_KEYS = (
    "n",
    "recall",
    "precision",
    "end_to_end_exact",
    "detection_recall",
    "unread",
    "ms_per_frame",
    "detector",
    "recognizer",
)


def run_frames(args: argparse.Namespace) -> int:
    _check_options(args)
    run = backend_options(args)
    from lprkit.checkpoints import load_detector
    from lprkit.data.folders import read_frames_folder
    from lprkit.evaluation import evaluate_frames

    texts = [o.text for frame in read_frames_folder(args.dir) for o in frame.plates]
    detector = load_detector(args.detector, **run)
    alphabet = _alphabet_for(args.recognizer, args.alphabet, texts)
    recognizer = make_recognizer(args.recognizer, alphabet, grammar_styles=args.grammar, **run)
    result = evaluate_frames(
        args.dir, assemble_pipeline(detector, recognizer, args), iou_threshold=args.iou,
        limit=args.limit,
    )
    summary = {k: result[k] for k in FRAMES_KEYS}
    print(
        "  ".join(
            f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in summary.items()
        )
    )
    if args.json:
        print(f"wrote {write_json(args.json, summary, args.overwrite)}")
    return 0
