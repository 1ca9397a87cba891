"""``lprkit synth``: synthetic plate crops and scenes."""

from __future__ import annotations

import argparse
from pathlib import Path

from lprkit.commands._checks import check_number, check_output_folder
from lprkit.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synth",
        help="generate synthetic plates (crops) or scenes (frames)",
        description="Generate synthetic training and test data.",
    )
    kinds = p.add_subparsers(dest="synth_command", metavar="KIND")

    pl = kinds.add_parser(
        "plates",
        help="plate crops: DIR/labels.csv (file,text) + images",
        description="Render, degrade and write plate crops as a crops folder "
        "(images, labels.csv with rows file,text, manifest.json).",
    )
    pl.add_argument(
        "--styles",
        default="korean",
        help="korean, latin, all, a group (europe, us, ...) or STYLE[,STYLE] (default: korean)",
    )
    pl.add_argument("--n", type=int, default=1000, help="number of plates (default: 1000)")
    pl.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    pl.add_argument("--out", required=True, help="output folder")
    pl.add_argument(
        "--size",
        default=None,
        metavar="WxH",
        help="resize to one-line strips of WxH pixels, e.g. 128x32 (default: keep "
        "each crop's size, two-line plates as two lines, like real crops)",
    )
    pl.add_argument(
        "--strength",
        type=float,
        default=1.0,
        help="degradation strength: 0 clean, 1 default, 2 harsh",
    )
    pl.add_argument("--format", dest="image_format", choices=("png", "jpg"), default="png")
    pl.add_argument("--processes", type=int, default=None, help="worker processes (default: 2)")
    pl.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    pl.add_argument("--list-styles", action="store_true", help="list the styles and exit")
    pl.set_defaults(func=run_plates)

    sc = kinds.add_parser(
        "scenes",
        help="frames with plates on cars: DIR/labels.csv (file,text,x,y,w,h) + images",
        description="Compose synthetic parking or CCTV frames with plates.",
    )
    sc.add_argument("--mode", choices=("parking", "cctv"), default="parking")
    sc.add_argument("--n", type=int, default=100, help="number of frames (default: 100)")
    sc.add_argument("--seed", type=int, default=0)
    sc.add_argument("--out", required=True, help="output folder")
    sc.add_argument("--styles", default="korean", help="plate styles (as for `synth plates`)")
    sc.add_argument(
        "--format",
        dest="fmt",
        choices=("labels", "openalpr", "yolo", "voc", "coco"),
        default="labels",
        help="annotation format (default: labels.csv)",
    )
    sc.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    sc.set_defaults(func=run_scenes)

    ph = kinds.add_parser(
        "photo-scenes",
        help="plates pasted into real plate-free photos, and empty photos: a YOLO folder",
        description="Compose detector training images on real photographs (the training part "
        "of the negatives set, see lprkit.data.train_detector_sets): rendered plates and real "
        "Brazilian crops pasted with perspective and matched light, 3-40%% of the frame wide, "
        "and plate-free photos as hard negatives. Writes a YOLO folder (data.yaml).",
    )
    ph.add_argument("--n", type=int, default=1000, help="number of images (default: 1000)")
    ph.add_argument("--seed", type=int, default=0)
    ph.add_argument("--out", required=True, help="output folder")
    ph.add_argument("--styles", default="all", help="rendered plate styles (default: all)")
    ph.add_argument("--negative-share", type=float, default=0.25,
                    help="share of images left without plates (default 0.25)")
    ph.add_argument("--min-view", type=float, default=0.6,
                    help="smallest share of each side of a photo a view keeps, (0, 1] "
                    "(default 0.6; 0.3 adds magnified views like the pipeline's tiles)")
    ph.add_argument("--focus-detector", metavar="NAME|PATH",
                    help="mine hard negatives: run this detector (as the pipeline does, with "
                    "tiles) on the training photos and centre every view on one of its false "
                    "boxes; photos where it finds none are not used")
    ph.add_argument("--focus-score", type=float, default=0.25,
                    help="least score of a mined false box, (0, 1] (default 0.25)")
    ph.add_argument("--no-real-crops", action="store_true",
                    help="paste rendered plates only (no real Brazilian crops)")
    ph.add_argument("--overwrite", action="store_true", help="replace an existing folder")
    ph.set_defaults(func=run_photo_scenes)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


MAX_SIDE = 2048  # a plate crop larger than this is a typo, and would not fit in memory


def _parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise InputError(f"--size must look like 128x32 (width x height), got {text!r}") from None
    if not (8 <= w <= MAX_SIDE and 8 <= h <= MAX_SIDE):
        raise InputError(f"--size sides must be 8 to {MAX_SIDE} pixels (e.g. 128x32), got {text!r}")
    return w, h


def run_plates(args: argparse.Namespace) -> int:
    from lprkit.synth.styles import STYLES, resolve_styles

    if args.list_styles:
        for name in resolve_styles(args.styles):
            st = STYLES[name]
            print(f"{name:24s} {st.group:9s} {st.colour:7s} {st.example:12s} {st.description}")
        return 0
    check_number(args, "n", lo=0)
    check_number(args, "seed", lo=0)
    check_number(args, "strength", lo=0, hi=2)
    check_output_folder(Path(args.out).parent, "--out")
    check_number(args, "processes", lo=1)
    from lprkit.synth.dataset import write_recognition_dataset

    out = write_recognition_dataset(
        args.out,
        args.n,
        styles=args.styles,
        size=_parse_size(args.size),
        seed=args.seed,
        overwrite=args.overwrite,
        degrade_strength=args.strength,
        processes=args.processes,
        image_format=args.image_format,
    )
    print(f"wrote {args.n} plates to {out} (labels.csv, manifest.json)")
    return 0


def run_scenes(args: argparse.Namespace) -> int:
    check_number(args, "n", lo=0)
    check_number(args, "seed", lo=0)
    check_output_folder(Path(args.out).parent, "--out")
    try:
        from lprkit.synth.scene_dataset import write_scene_dataset
    except ImportError as exc:
        from lprkit.errors import LprkitError

        raise LprkitError(f"synthetic scenes are not available in this version ({exc})") from None
    out = write_scene_dataset(
        args.out,
        n=args.n,
        mode=args.mode,
        styles=args.styles,
        seed=args.seed,
        fmt=args.fmt,
        overwrite=args.overwrite,
    )
    print(f"wrote {args.n} {args.mode} frames to {out}")
    return 0


def run_photo_scenes(args: argparse.Namespace) -> int:
    check_number(args, "n", lo=1)
    check_number(args, "seed", lo=0)
    check_number(args, "negative-share", lo=0, hi=1)
    check_number(args, "min-view", lo=0, hi=1, lo_open=True)
    check_number(args, "focus-score", lo=0, hi=1, lo_open=True)
    check_output_folder(Path(args.out).parent, "--out")
    from lprkit.data.photo_dev_sets import negatives_train
    from lprkit.data.train_detector_sets import load_br_crops
    from lprkit.synth.photo_scenes import write_photo_scenes

    photos = negatives_train(download=True)
    focus = None
    if args.focus_detector:
        from lprkit.checkpoints import load_detector
        from lprkit.detection.mining import false_boxes

        detector = load_detector(args.focus_detector, score_threshold=args.focus_score)
        focus = false_boxes(detector, photos)
        n_boxes, n_photos = sum(len(b) for b in focus), sum(1 for b in focus if len(b))
        print(f"mined {n_boxes} false boxes (score >= {args.focus_score}) on {n_photos} of "
              f"{len(photos)} training photos with {detector.name}")
        if not n_boxes:
            raise InputError(f"{detector.name} finds no box on the training photos at score "
                             f"{args.focus_score}: nothing to focus on; lower --focus-score")
    crops = [] if args.no_real_crops else [c.path for c in load_br_crops("train")]
    out = write_photo_scenes(
        args.out, args.n, photos, real_crops=crops, styles=args.styles,
        negative_share=args.negative_share, min_view=args.min_view, focus_boxes=focus,
        seed=args.seed, overwrite=args.overwrite,
    )  # fmt: skip
    print(f"wrote {args.n} photo scenes to {out} (YOLO layout, data.yaml)")
    return 0
