"""``lprkit train detector|recognizer``: the course's training recipes from the command line.

Training is resumable: run the same command again and it continues from ``OUT.work``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lprkit.commands._checks import check_number, check_output_folder
from lprkit.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a plate detector or recogniser (resumable)",
        description="Train with the course's recipes; sizes default to the LPRKIT_PROFILE profile.",
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)

    d = kinds.add_parser(
        "detector",
        help="YOLOv4-tiny on annotated folders",
        description="Train YOLOv4-tiny on annotated folders (frames folders from `lprkit synth "
        "scenes`, YOLO or VOC) and save a detector folder usable as --detector PATH.",
    )
    d.add_argument("--train", nargs="+", required=True, type=Path, metavar="DIR", help="training folders")
    d.add_argument("--val", nargs="+", required=True, type=Path, metavar="DIR", help="validation folders")
    d.add_argument("--out", required=True, type=Path, help="detector folder to write")
    d.add_argument("--input-size", type=int, default=None, help="network input (multiple of 32; default by profile)")
    d.add_argument("--epochs", type=int, default=None, help="epochs (default by profile)")
    d.add_argument("--steps-per-epoch", type=int, default=None, help="batches per epoch (default: one pass)")
    d.add_argument("--max-minutes", type=float, default=None,
                   help="training budget in minutes (validation not counted): the learning rate "
                   "decays over it")
    d.add_argument("--init-from", default=None,
                   help="start from this detector (shipped NAME or folder) instead of a fresh model")
    d.add_argument("--batch-size", type=int, default=8)
    d.add_argument("--learning-rate", type=float, default=2e-3, help="peak AdamW learning rate")
    d.add_argument("--mosaic", type=float, default=0.0,
                   help="probability of a 2x2 mosaic augmentation (0-1; default 0)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--float16", action="store_true", help="save float16 weights (half the size)")
    d.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    d.set_defaults(func=run_detector)

    r = kinds.add_parser(
        "recognizer",
        help="CRNN or LPRNet on synthetic plates",
        description="Train a CTC recogniser on synthetic plates of the given styles and save a "
        "checkpoint folder usable as --recognizer PATH.",
    )
    r.add_argument("--arch", choices=("crnn", "lprnet"), default="crnn")
    r.add_argument("--styles", default="korean", help="plate styles: korean, latin, or names (default korean)")
    r.add_argument("--alphabet", default=None, help="korean or latin (default: from the styles)")
    r.add_argument("--n-train", type=int, default=None, help="synthetic training plates (default by profile)")
    r.add_argument("--epochs", type=int, default=None, help="epochs (default by profile)")
    r.add_argument("--max-minutes", type=float, default=None,
                   help="training budget in minutes (validation not counted): the learning "
                   "rate decays over it and "
                   "training stops when it is spent")
    r.add_argument("--batch-size", type=int, default=None, help="batch size (default by profile)")
    r.add_argument("--learning-rate", type=float, default=1e-3, help="peak Adam learning rate")
    r.add_argument("--init-from", default=None,
                   help="start from this checkpoint (shipped NAME or folder) instead of a fresh model")
    r.add_argument("--out", required=True, type=Path, help="checkpoint folder to write")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--two-line-top", choices=("text", "span"), default=None,
                   help="how two-line plates are cut into strips (default: text; see lprkit.synth.twoline)")
    r.add_argument("--easy-start", type=float, default=None, metavar="STRENGTH",
                   help="first epoch on the same plates degraded at this strength (0-1; needs "
                   "--max-minutes): shortens CTC's early plateau")
    r.add_argument("--real", nargs="+", default=(), metavar="SET",
                   help="real crop sets to mix into training (e.g. br_crops_train; "
                   "development sets are refused)")
    r.add_argument("--real-copies", type=int, default=4,
                   help="degraded copies of each real crop (default 4)")
    r.add_argument("--real-strength", type=float, default=0.6,
                   help="degradation strength of those copies (default 0.6)")
    r.add_argument("--real-focus", default="", metavar="CHARS",
                   help="characters the model confuses on real plates (e.g. ODQ): real crops "
                   "holding one get --real-focus-copies more copies")
    r.add_argument("--real-focus-copies", type=int, default=0,
                   help="extra degraded copies of each real crop holding a --real-focus character (default 0)")
    r.add_argument("--float16", action="store_true", help="save float16 weights (half the size)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    r.set_defaults(func=run_recognizer)


def _check_common(args: argparse.Namespace) -> None:
    check_number(args, "seed", lo=0)
    check_number(args, "epochs", lo=1)
    check_number(args, "batch-size", lo=1)
    check_number(args, "learning-rate", lo=0, lo_open=True)
    check_number(args, "max-minutes", lo=0, lo_open=True)
    check_output_folder(Path(args.out).parent, "--out")


def run_detector(args: argparse.Namespace) -> int:
    from lprkit.detection.recipe import train_plate_detector

    _check_common(args)
    check_number(args, "steps-per-epoch", lo=1)
    check_number(args, "mosaic", lo=0, hi=1)
    if args.input_size is not None and (args.input_size < 32 or args.input_size % 32):
        raise InputError(f"--input-size must be a multiple of 32 (e.g. 320, 416), got {args.input_size}")

    summary = train_plate_detector(
        args.train, args.val, args.out, input_size=args.input_size, epochs=args.epochs,
        steps_per_epoch=args.steps_per_epoch, batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed,
        mosaic=args.mosaic, max_minutes=args.max_minutes, init_from=args.init_from,
        precision="float16" if args.float16 else "float32", overwrite=args.overwrite,
    )  # fmt: skip
    print(json.dumps(summary, indent=2))
    return 0


def run_recognizer(args: argparse.Namespace) -> int:
    from lprkit.recognition.recipe import train_plate_recognizer

    _check_common(args)
    check_number(args, "n-train", lo=1)
    check_number(args, "easy-start", lo=0, hi=2)
    check_number(args, "real-copies", lo=0)
    check_number(args, "real-strength", lo=0, hi=2)
    check_number(args, "real-focus-copies", lo=0)

    summary = train_plate_recognizer(
        args.out, arch=args.arch, styles=args.styles, alphabet=args.alphabet, n_train=args.n_train,
        epochs=args.epochs, max_minutes=args.max_minutes, init_from=args.init_from,
        batch_size=args.batch_size, learning_rate=args.learning_rate, seed=args.seed,
        two_line_top=args.two_line_top, easy_start=args.easy_start, real=args.real,
        real_copies=args.real_copies, real_strength=args.real_strength,
        real_focus=args.real_focus, real_focus_copies=args.real_focus_copies,
        precision="float16" if args.float16 else "float32", overwrite=args.overwrite,
    )  # fmt: skip
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0
