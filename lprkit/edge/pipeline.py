"""Detector -> crop -> recogniser with two exported files (``.tflite`` or ``.onnx``): the reader
for a device without TF.

The logic is :class:`lprkit.pipeline.Pipeline` (NumPy + OpenCV only); this module builds it
from an edge detector and recogniser (LiteRT or ONNX Runtime) and adds a small command line for a device::

    python -m lprkit.edge.pipeline --detector det.tflite --recognizer rec.tflite IMAGE [IMAGE ...]
    python -m lprkit.edge.pipeline --detector det.tflite --recognizer rec.tflite --camera 0

``--camera`` also takes a GStreamer pipeline (a Jetson CSI camera), a URL or a video file.
Each image (or camera frame with plates) prints one JSON line:
``{"source", "ms", "plates": [{"text", "confidence", "box", "detection_score", "colour"}]}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from lprkit.data.folders import load_image
from lprkit.edge.detector import EdgeDetector
from lprkit.edge.recognizer import EdgeRecognizer
from lprkit.pipeline import Pipeline, PlateResult


def edge_pipeline(
    detector: str | Path | EdgeDetector,
    recognizer: str | Path | EdgeRecognizer,
    num_threads: int = 1,
    margin: float = 0.08,
    classify_colour: bool = True,
    score_threshold: float | None = None,
) -> Pipeline:
    """A :class:`~lprkit.pipeline.Pipeline` over an edge detector and recogniser.

    Parameters
    ----------
    detector, recognizer
        ``.tflite``/``.onnx`` paths (with lprkit metadata) or already built edge objects.
    num_threads
        Runtime threads for models built here.
    margin
        Crop margin around each box, as a fraction of its size.
    classify_colour
        Also classify the plate colour.
    score_threshold
        Detector score threshold (default: the file's).
    """
    if not isinstance(detector, EdgeDetector):
        detector = EdgeDetector(
            detector, score_threshold=score_threshold, num_threads=num_threads
        )
    if not isinstance(recognizer, EdgeRecognizer):
        recognizer = EdgeRecognizer(recognizer, num_threads=num_threads)
    return Pipeline(detector, recognizer, margin=margin, classify_colour=classify_colour)


def _line(source: str, ms: float, results: Sequence[PlateResult]) -> str:
    plates = [r.as_dict() for r in results]
    return json.dumps({"source": source, "ms": round(ms, 1), "plates": plates}, ensure_ascii=False)


def open_camera(source: str):
    """``cv2.VideoCapture`` for a device index (``"0"``), a GStreamer pipeline (has ``!``), a
    URL or a video file."""
    import cv2

    if source.isdigit():
        cap = cv2.VideoCapture(int(source))
    elif "!" in source:  # e.g. a Jetson CSI camera through nvarguscamerasrc
        cap = cv2.VideoCapture(source, cv2.CAP_GSTREAMER)
    else:
        cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        raise RuntimeError(
            f"cannot open camera {source!r} (check /dev/video*, permissions, and for GStreamer "
            "pipelines an OpenCV built with GStreamer: cv2.getBuildInformation())"
        )
    return cap


def _camera(pipe: Pipeline, source: str, frames: int | None) -> None:
    import cv2

    cap = open_camera(source)
    n = 0
    try:
        while frames is None or n < frames:
            ok, frame = cap.read()
            if not ok:
                break
            start = time.perf_counter()
            results = pipe.read(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
            if results:
                print(_line(f"camera:{n}", 1000 * (time.perf_counter() - start), results), flush=True)
            n += 1
    finally:
        cap.release()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line of ``python -m lprkit.edge.pipeline`` (see the module notes)."""
    p = argparse.ArgumentParser(
        prog="python -m lprkit.edge.pipeline", description=__doc__.split("\n")[0]
    )
    p.add_argument("images", nargs="*", help="image files to read")
    p.add_argument("--detector", required=True, help="YOLO .tflite or .onnx written by lprkit export")
    p.add_argument(
        "--recognizer", required=True, help="CRNN/LPRNet .tflite or .onnx written by lprkit export"
    )
    p.add_argument("--threads", type=int, default=2, help="runtime threads per model (default 2)")
    p.add_argument("--camera", default=None, metavar="SOURCE",
                   help="read a camera instead of files: an index (0), a GStreamer pipeline, "
                   "a URL or a video file")
    p.add_argument("--frames", type=int, default=None, help="stop the camera after N frames")
    args = p.parse_args(argv)
    if not args.images and args.camera is None:
        p.error("give image files or --camera SOURCE")
    pipe = edge_pipeline(args.detector, args.recognizer, num_threads=args.threads)
    if args.camera is not None:
        _camera(pipe, args.camera, args.frames)
        return 0
    for path in args.images:
        image = load_image(path)
        start = time.perf_counter()
        results = pipe.read(image)
        print(_line(str(path), 1000 * (time.perf_counter() - start), results))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
