"""``lprkit video SOURCE``: read plates in a video with tracking and voting."""

from __future__ import annotations

import argparse
from pathlib import Path

from lprkit.commands.predict import add_model_options, build_pipeline


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "video",
        help="read plates in a video file, webcam or stream, voting over frames",
        description="Track plates across frames and vote over each track's reads, giving one "
        "best read per plate. SOURCE is a video file, a webcam index (0) or a stream URL.",
    )
    p.add_argument("source", metavar="SOURCE")
    p.add_argument("--stride", type=int, default=1, help="process every N-th frame (default 1)")
    p.add_argument("--max-frames", type=int, default=None, help="stop after N processed frames")
    p.add_argument("--out", type=Path, default=Path("lprkit_out"), help="output folder (default lprkit_out)")
    p.add_argument("--annotated", action="store_true", help="also write OUT/annotated.mp4")
    p.add_argument("--min-reads", type=int, default=2, help="drop plates read in fewer frames (default 2)")
    add_model_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import csv

    from lprkit.video import read_video

    args.out.mkdir(parents=True, exist_ok=True)
    result = read_video(
        args.source, build_pipeline(args), stride=args.stride, max_frames=args.max_frames,
        out_video=args.out / "annotated.mp4" if args.annotated else None, min_reads=args.min_reads,
    )  # fmt: skip
    path = args.out / "plates.csv"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "confidence", "reads", "first_frame", "last_frame"])
        for plate in result.plates:
            w.writerow([plate.text, f"{plate.confidence:.3f}", plate.n_reads, plate.first_frame, plate.last_frame])
            print(f"{plate.text}\t{plate.confidence:.2f}\t{plate.n_reads} reads\tframes {plate.first_frame}-{plate.last_frame}")
    tmp.replace(path)
    print(f"{len(result.plates)} plates in {len(result.frames)} frames -> {path}")
    return 0
