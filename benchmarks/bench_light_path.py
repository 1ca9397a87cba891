"""Frames per second of the light path (LiteRT, ONNX Runtime) against the Keras pipeline, on the
same real photos in the same run, with the same tiling and thresholds::

    LPRKIT_DATA_HOME=../shared/realdata .venv/bin/python benchmarks/bench_light_path.py \
        [--n 20] [--detector yolov4-tiny-plates] [--recognizer crnn-latin] [--threads 2] \
        [--onnx-dir DIR] [--json out.json]

Each backend builds the :class:`~lprkit.pipeline.Pipeline` that ``lprkit predict`` builds
(default tile and read-confidence threshold) from the shipped names: Keras (when TensorFlow is
installed), the shipped ``.tflite`` files on LiteRT, and ``.onnx`` files on ONNX Runtime when
``--onnx-dir`` holds ``NAME.onnx`` for both models (made there with ``lprkit export`` when
missing and TensorFlow + tf2onnx are installed). Every pipeline reads the first frame once
untimed, then the first ``--n`` ``openalpr_eu`` photos, one at a time. Printed per backend:
frames/s, mean and median ms per frame, the plates reported, and how many of them have the
text Keras read at the same place. On a shared machine compare the ratios, not the absolutes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def onnx_files(folder: Path, names: list[str]) -> list[Path] | None:
    """``folder/NAME.onnx`` per name, exported here when missing and TensorFlow allows it."""
    from lprkit.checkpoints import tensorflow_available

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.onnx" for name in names]
    for name, path in zip(names, paths, strict=True):
        if path.is_file():
            continue
        if not tensorflow_available():
            return None
        from lprkit.checkpoints import load_model_for_export
        from lprkit.export.onnx import export_onnx
        from lprkit.export.tflite import detector_metadata, recognizer_metadata

        obj = load_model_for_export(name)
        meta = recognizer_metadata(obj) if hasattr(obj, "alphabet") else detector_metadata(obj)
        print(f"exporting {name} -> {path}")
        export_onnx(obj.model, path, metadata=meta)
    return paths


def time_pipeline(pipeline, images) -> tuple[list[float], list[list]]:
    """Milliseconds per frame and the results, after one untimed read of the first frame."""
    pipeline.read(images[0])
    ms, results = [], []
    for image in images:
        start = time.perf_counter()
        results.append(pipeline.read(image))
        ms.append(1000 * (time.perf_counter() - start))
    return ms, results


def same_reads(reference: list[list], results: list[list]) -> int:
    """Reported plates whose text equals the reference's plate at the same place (IoU >= 0.5)."""
    import numpy as np

    from lprkit.detection.postprocess import box_iou

    n = 0
    for ref, got in zip(reference, results, strict=True):
        ref = [r for r in ref if not r.unread]
        for r in got:
            if r.unread or not ref:
                continue
            iou = box_iou(np.array([r.box], np.float32), np.array([q.box for q in ref], np.float32))[0]
            n += int(iou.max() >= 0.5 and ref[int(iou.argmax())].text == r.text)
    return n


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=20, help="photos (the first N of openalpr_eu)")
    p.add_argument("--detector", default="yolov4-tiny-plates")
    p.add_argument("--recognizer", default="crnn-latin")
    p.add_argument("--threads", type=int, default=2, help="LiteRT / ONNX Runtime threads (default 2)")
    p.add_argument("--onnx-dir", type=Path, default=None, help="folder of NAME.onnx files")
    p.add_argument("--providers", default=None, help="ONNX Runtime execution providers")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    from lprkit.checkpoints import load_detector, load_recognizer, tensorflow_available
    from lprkit.data.folders import load_image, read_frames_folder
    from lprkit.data.realdata import dataset_dir
    from lprkit.pipeline import Pipeline

    frames = list(read_frames_folder(dataset_dir("openalpr_eu")))[: args.n]
    images = [load_image(f.path) for f in frames]
    runs: dict[str, tuple] = {}
    if tensorflow_available():
        runs["keras"] = (args.detector, args.recognizer, {"backend": "keras"})
    runs["litert"] = (args.detector, args.recognizer, {"backend": "litert", "num_threads": args.threads})
    if args.onnx_dir is not None:
        files = onnx_files(args.onnx_dir, [args.detector, args.recognizer])
        if files:
            runs["onnxruntime"] = (*files, {"num_threads": args.threads, "providers": args.providers})
        else:
            print(f"onnxruntime skipped: no .onnx files in {args.onnx_dir} and no TensorFlow to export them")

    table, results = {}, {}
    for backend, (det, rec, options) in runs.items():
        pipeline = Pipeline(load_detector(det, **options), load_recognizer(rec, **options))
        ms, results[backend] = time_pipeline(pipeline, images)
        mean = statistics.fmean(ms)
        table[backend] = {
            "frames": len(images),
            "fps": 1000 / mean,
            "ms_mean": mean,
            "ms_median": statistics.median(ms),
            "plates": sum(not r.unread for rs in results[backend] for r in rs),
        }
    reference = results.get("keras")
    print(f"{len(images)} openalpr_eu photos, detector {args.detector}, recogniser {args.recognizer}, "
          f"{args.threads} runtime threads, load average {os.getloadavg()[0]:.1f}")
    print(f"{'backend':<12} {'frames/s':>9} {'ms mean':>9} {'ms median':>10} {'x Keras':>8} {'plates':>7} {'as Keras':>9}")
    for backend, row in table.items():
        ratio = row["fps"] / table["keras"]["fps"] if "keras" in table else float("nan")
        same = same_reads(reference, results[backend]) if reference is not None else None
        row["speedup_vs_keras"], row["same_reads_as_keras"] = ratio, same
        print(f"{backend:<12} {row['fps']:>9.2f} {row['ms_mean']:>9.1f} {row['ms_median']:>10.1f} "
              f"{ratio:>8.2f} {row['plates']:>7} {'-' if same is None else same:>9}")
    out = {"n": len(images), "detector": args.detector, "recognizer": args.recognizer,
           "threads": args.threads, "load_average": os.getloadavg(), "backends": table}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    main()
