"""``lprkit video SOURCE``: read plates in a video with tracking and voting."""

from __future__ import annotations

import argparse
from pathlib import Path

from lprkit.commands._checks import check_number, check_output_folder
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
    p.add_argument("--overwrite", action="store_true", help="replace an earlier run's results in --out")
    add_model_options(p)
    p.set_defaults(func=run)


OUTPUTS = ("plates.csv", "reads.csv", "annotated.mp4")


def run(args: argparse.Namespace) -> int:
    """Read the video; write OUT/reads.csv as frames come, OUT/plates.csv (one voted read per
    plate) at the end, also after Ctrl-C."""
    import csv

    from lprkit.video import open_capture, read_video

    check_number(args, "stride", lo=1)
    check_number(args, "max-frames", lo=1)
    check_number(args, "min-reads", lo=1)
    check_output_folder(args.out, "--out")
    earlier = [name for name in OUTPUTS if (args.out / name).exists()]
    if earlier and not args.overwrite:
        raise FileExistsError(
            f"{args.out} holds an earlier run's {', '.join(earlier)}; pass --overwrite to replace "
            "them or choose another --out"
        )
    pipeline = build_pipeline(args)  # a bad model name fails here, before anything is written
    open_capture(args.source).release()  # and so does a source that cannot be opened
    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "reads.partial.csv"  # grows frame by frame; becomes reads.csv at the end
    with open(partial, "w", newline="", encoding="utf-8") as f:
        reads = csv.writer(f)
        reads.writerow(["frame", "track", "text", "confidence", "x1", "y1", "x2", "y2"])

        def write_reads(index, frame_reads):
            for track, text, confidence, box in frame_reads:
                reads.writerow([index, track, text, f"{confidence:.3f}", *(f"{v:.1f}" for v in box)])
            f.flush()  # a killed run still leaves every frame read so far

        result = read_video(
            args.source, pipeline, stride=args.stride, max_frames=args.max_frames,
            out_video=args.out / "annotated.mp4" if args.annotated else None, min_reads=args.min_reads,
            on_frame=write_reads,
        )  # fmt: skip
    partial.replace(args.out / "reads.csv")
    if not args.annotated:  # an earlier run's video would sit beside results it does not show
        (args.out / "annotated.mp4").unlink(missing_ok=True)
    path = args.out / "plates.csv"
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "confidence", "reads", "first_frame", "last_frame"])
        for plate in result.plates:
            w.writerow([plate.text, f"{plate.confidence:.3f}", plate.n_reads, plate.first_frame, plate.last_frame])
            print(f"{plate.text}\t{plate.confidence:.2f}\t{plate.n_reads} reads\tframes {plate.first_frame}-{plate.last_frame}")
    tmp.replace(path)
    stopped = " (stopped by Ctrl-C; results cover the frames read until then)" if result.interrupted else ""
    print(f"{len(result.plates)} plates in {len(result.frames)} frames -> {path}{stopped}")
    return 0
