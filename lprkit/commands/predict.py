"""``lprkit predict IMAGE|DIR [--out DIR] [--crop]``: read the plates in images."""

from __future__ import annotations

import argparse
from pathlib import Path

from lprkit.commands._checks import check_number, check_output_file, check_output_folder
from lprkit.errors import InputError

DEFAULT_DETECTOR = "yolov4-tiny-plates"
DEFAULT_RECOGNIZER = "crnn-korean"


def add_model_options(p: argparse.ArgumentParser) -> None:
    """--detector/--recognizer/--alphabet, shared by predict, video and evaluate frames."""
    p.add_argument("--detector", default=DEFAULT_DETECTOR,
                   help=f"shipped name, detector folder, .tflite or .onnx (default {DEFAULT_DETECTOR})")
    p.add_argument("--recognizer", default=DEFAULT_RECOGNIZER,
                   help=f"shipped name, checkpoint folder, .tflite, .onnx or 'tesseract' (default {DEFAULT_RECOGNIZER})")
    p.add_argument("--alphabet", default=None, help="korean or latin (needed with --recognizer tesseract)")
    add_grammar_option(p)
    p.add_argument("--min-score", type=float, default=0.0, help="drop detections below this score")
    add_reading_options(p)
    add_backend_options(p)


#: Runtime threads of LiteRT / ONNX Runtime models on the command line (as lprkit.Reader).
EDGE_THREADS = 2


def add_backend_options(p: argparse.ArgumentParser) -> None:
    """--backend and --providers, shared by predict, video and evaluate crops|frames."""
    p.add_argument(
        "--backend", default=None, metavar="keras|litert|onnxruntime",
        help="what runs shipped names and checkpoint folders: keras (needs TensorFlow), litert "
        "(their shipped .tflite file) or onnxruntime (an .onnx file); default keras when "
        "TensorFlow is installed, else litert. .tflite/.onnx paths run on their own runtime",
    )  # fmt: skip
    p.add_argument(
        "--providers", default=None, metavar="P[,P...]",
        help="ONNX Runtime execution providers in order of preference, e.g. "
        "CUDAExecutionProvider,CPUExecutionProvider (with --backend onnxruntime)",
    )  # fmt: skip


def backend_options(args: argparse.Namespace) -> dict:
    """``backend``/``num_threads``/``providers`` for :func:`lprkit.checkpoints.load_detector`
    and ``load_recognizer``; a bad --backend or --providers is refused before models load."""
    from lprkit.checkpoints import check_backend

    backend = check_backend(args.backend)
    providers = None
    if args.providers is not None:
        if backend != "onnxruntime":
            raise InputError(
                f"--providers applies to --backend onnxruntime, not {backend or 'the automatic choice'}; "
                "add --backend onnxruntime or drop --providers"
            )
        from lprkit.edge.onnx_runtime import check_providers

        providers = check_providers(args.providers)
    return {"backend": backend, "num_threads": EDGE_THREADS, "providers": providers}


def add_reading_options(p: argparse.ArgumentParser) -> None:
    """--min-confidence and --tile, shared by predict, video, evaluate frames and demo."""
    p.add_argument(
        "--min-confidence", type=float, default=None, metavar="C",
        help="report reads less confident than C (0-1) as unread, not as plates "
        "(default: the calibrated lprkit.pipeline.MIN_READ_CONFIDENCE; 0 reports every read)",
    )  # fmt: skip
    from lprkit.pipeline import DEFAULT_TILE

    p.add_argument(
        "--tile", type=int, default=DEFAULT_TILE, metavar="PX",
        help=f"also detect in overlapping PX-pixel tiles of frames larger than 1.5 tiles, for "
        f"small plates (default {DEFAULT_TILE}; 0: whole frame only)",
    )  # fmt: skip


def check_reading_options(args: argparse.Namespace) -> None:
    """Refuse bad --tile, --min-confidence and --min-score values, before models load."""
    if args.tile < 0 or 0 < args.tile < 16:
        raise InputError(f"--tile must be 0 (off) or a tile side of at least 16 pixels, got {args.tile}")
    check_number(args, "min-confidence", lo=0, hi=1)
    if hasattr(args, "min_score"):
        check_number(args, "min-score", lo=0, hi=1)


def assemble_pipeline(detector, recognizer, args: argparse.Namespace):
    """A pipeline of loaded models with the reading options of ``args`` (see above)."""
    from lprkit.pipeline import Pipeline

    check_reading_options(args)
    return Pipeline(
        detector, recognizer, min_detection_score=getattr(args, "min_score", 0.0),
        min_read_confidence=args.min_confidence, tile=args.tile,
    )  # fmt: skip


def add_grammar_option(p: argparse.ArgumentParser) -> None:
    """--grammar STYLES: read only plates legal in those synthetic styles (CTC recognisers)."""
    p.add_argument(
        "--grammar", default=None, metavar="STYLES",
        help="return only plates legal in these plate styles (korean, europe, latin, style "
        "names such as eu_sk,eu_cz), by beam search; CTC recognisers only",
    )  # fmt: skip


def build_pipeline(args: argparse.Namespace):
    """The pipeline the model options describe."""
    from lprkit.checkpoints import load_detector, load_recognizer

    check_reading_options(args)
    run = backend_options(args)
    return assemble_pipeline(
        load_detector(args.detector, **run),
        load_recognizer(args.recognizer, alphabet=args.alphabet, grammar_styles=args.grammar, **run),
        args,
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "predict",
        help="read the plates in an image or a folder of images",
        description="Detect and read plates; writes OUT/reads.csv, OUT/reads.jsonl and "
        "annotated images (and crops with --crop).",
    )
    p.add_argument("input", type=Path, metavar="IMAGE|DIR")
    p.add_argument("--out", type=Path, default=Path("lprkit_out"), help="output folder (default lprkit_out)")
    p.add_argument("--crop", action="store_true", help="also save each plate crop")
    p.add_argument("--watchlist", type=Path, default=None, help="SQLite watchlist to look reads up in")
    p.add_argument("--overwrite", action="store_true", help="replace reads.csv/jsonl in --out")
    p.add_argument("--json", default=None, metavar="FILE|-",
                   help="also write one JSON object per image (schema lprkit.reads/1, see "
                   "docs/output-schema.md) to FILE, or to stdout with '-' (the table then goes to stderr)")
    add_model_options(p)
    p.set_defaults(func=run)


def image_paths(path: Path) -> list[Path]:
    """The image files given: one file, or the images of a folder (sorted)."""
    from lprkit.data.folders import IMAGE_SUFFIXES

    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise FileNotFoundError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {path}")
        return files
    raise FileNotFoundError(f"input not found: {path}")


def run(args: argparse.Namespace) -> int:
    """Read every image; an image that cannot be decoded is skipped and named at the end.
    Nothing is written until one image has been read."""
    import json
    import sys
    import time
    from contextlib import ExitStack

    from tqdm.auto import tqdm

    from lprkit.data.folders import load_image
    from lprkit.errors import LprkitError
    from lprkit.outputs import ReadsWriter, image_record
    from lprkit.watchlist import Watchlist

    paths = image_paths(args.input)
    check_output_folder(args.out, "--out")
    to_stdout = args.json == "-"
    if args.json and not to_stdout:
        check_output_file(args.json, "--json", args.overwrite)
    say = sys.stderr if to_stdout else sys.stdout  # stdout carries only JSON with --json -
    annotated = (args.out / "annotated").resolve()
    if any(p.resolve().parent == annotated for p in paths):
        raise InputError(f"the input {args.input} is the output's annotated/ folder: choose another --out")
    pipeline = build_pipeline(args)
    plates, skipped, out = 0, [], None
    with ExitStack() as stack:
        watchlist = stack.enter_context(Watchlist(args.watchlist, readonly=True)) if args.watchlist else None
        json_out = sys.stdout if to_stdout else None
        for path in tqdm(paths, desc="images", disable=len(paths) < 2):
            try:
                image = load_image(path)
            except (LprkitError, OSError) as exc:
                skipped.append((path, exc))
                continue
            if out is None:  # the first image read: now the outputs are made
                out = stack.enter_context(
                    ReadsWriter(args.out, save_crops=args.crop, watchlist=watchlist, overwrite=args.overwrite)
                )
                if args.json and not to_stdout:
                    json_out = stack.enter_context(open(args.json, "w", encoding="utf-8"))  # noqa: SIM115
            start = time.perf_counter()
            results = pipeline.read(image)
            ms = 1000 * (time.perf_counter() - start)
            if json_out is not None:
                record = image_record(path, image, results, ms, watchlist)
                json_out.write(json.dumps(record, ensure_ascii=False) + "\n")
                json_out.flush()
            for row in out.write(path, image, results):
                flag = f"  [{row['watchlist']}: {row['watchlist_plate']}]" if row["watchlist"] else ""
                text = "(unread)" if row["unread"] else row["text"]
                print(f"{path.name}\t{text}\t{row['confidence']:.2f}\t{row['colour']}{flag}", file=say)
                plates += not row["unread"]
    if out is None:
        if len(skipped) == 1:
            raise skipped[0][1]
        raise InputError(f"none of the {len(paths)} images could be read (first: {skipped[0][1]})")
    for path, exc in skipped:
        print(f"lprkit predict: skipped {path}: {str(exc).splitlines()[0]}", file=sys.stderr)
    unread = f", {out.rows - plates} unread detections" if out.rows > plates else ""
    gone = f", {len(skipped)} skipped (listed above)" if skipped else ""
    print(f"{plates} plates in {len(paths) - len(skipped)} images{unread}{gone} -> {args.out}/reads.csv", file=say)
    return 0
