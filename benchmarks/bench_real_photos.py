"""The reader on real development photos: one table from one command.

    LPRKIT_DATA_HOME=../shared/realdata .venv/bin/python benchmarks/bench_real_photos.py \
        [--detector yolov4-tiny-plates] [--recognizer crnn-latin] [--tile 640] \
        [--min-confidence C] [--calibrate] [--json out.json]

Sets (see :mod:`lprkit.data.photo_dev_sets`): ``openalpr_eu`` at full size, the small-plate
proxy (the same photos shrunk to plates 4-10% of a 1280x720 frame, pasted into plate-free
development photos), and the development part of ``negatives/``.

Per set: detection recall (any box at IoU 0.5), recall and precision of the plates the
pipeline reports (readings under the confidence threshold are unread, not plates),
end-to-end exact, detector boxes and reported plates per plate-free photo, ms per frame.
``--calibrate`` also prints those figures for a range of read-confidence thresholds and of
detector score thresholds, from one pass of the pipeline with every reading kept (run it with
``--score 0.25`` or lower so that the sweep sees every box). The detector may be a ``.tflite`` file (e.g.
an int8 export) to time the edge runtime.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)  # read confidence
SCORES = (0.25, 0.3, 0.4, 0.5, 0.6, 0.7)  # detector score (at the read threshold in use)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--detector", default="yolov4-tiny-plates")
    p.add_argument("--recognizer", default="crnn-latin")
    p.add_argument("--tile", type=int, default=None, help="tile side (default: the CLI's; 0 off)")
    p.add_argument("--tile-score", type=float, default=None,
                   help="least score of boxes found only in tiles (default: the pipeline's)")
    p.add_argument("--min-confidence", type=float, default=None, help="default: the pipeline's")
    p.add_argument("--score", type=float, default=None, help="detector score threshold (default its own)")
    p.add_argument("--threads", type=int, default=2, help="CPU threads of .tflite models (default 2)")
    p.add_argument("--calibrate", action="store_true", help="also print every threshold in THRESHOLDS")
    p.add_argument("--proxy-dir", default=None, help="where the small-plate proxy is cached")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    from lprkit.checkpoints import load_detector, load_recognizer
    from lprkit.data.folders import read_frames_folder
    from lprkit.data.photo_dev_sets import negatives_dev, write_small_plate_proxy
    from lprkit.data.realdata import dataset_dir
    from lprkit.evaluation import collect_frames, collect_negatives, score_frames, score_negatives
    from lprkit.pipeline import DEFAULT_TILE, MIN_READ_CONFIDENCE, Pipeline

    tile = DEFAULT_TILE if args.tile is None else args.tile
    threshold = MIN_READ_CONFIDENCE if args.min_confidence is None else args.min_confidence
    def edge(path):  # LiteRT models take a thread count; Keras ones use TensorFlow's pool
        return {"num_threads": args.threads} if str(path).endswith(".tflite") else {}

    options = {} if args.score is None else {"score_threshold": args.score}
    detector = load_detector(args.detector, **options, **edge(args.detector))
    pipeline = Pipeline(
        detector, load_recognizer(args.recognizer, **edge(args.recognizer)), min_read_confidence=0.0,
        tile=tile, tile_score=args.tile_score,
    )
    detector = pipeline.detector
    proxy = Path(args.proxy_dir or Path(tempfile.gettempdir()) / "lprkit_small_plate_proxy")
    sets = {
        "openalpr_eu": read_frames_folder(dataset_dir("openalpr_eu")),
        "small-plate proxy": read_frames_folder(write_small_plate_proxy(proxy)),
    }
    runs, table = {}, {}
    for name, frames in sets.items():
        runs[name], ms = collect_frames(pipeline, frames)
        table[name] = {**score_frames(runs[name], threshold), "ms_per_frame": ms, "n": len(frames)}
    neg_paths = negatives_dev()
    negs, ms = collect_negatives(pipeline, neg_paths)
    table["negatives (dev)"] = {**score_negatives(negs, threshold), "ms_per_frame": ms, "n": len(neg_paths)}

    tile_score = getattr(detector, "tile_score", None)
    print(f"detector {detector.name} (tiles {tile or 'off'}, tile score {tile_score}), recognizer {pipeline.recognizer.name}, "
          f"min read confidence {threshold}")
    print("| set | n | detection recall | recall | precision | end-to-end exact | boxes / plate-free photo | false plates / plate-free photo | ms / frame |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in table.items():
        def f(k, r=r):
            return f"{r[k]:.3f}" if k in r else "—"
        print(f"| {name} | {r['n']} | {f('detection_recall')} | {f('recall')} | {f('precision')} | "
              f"{f('end_to_end_exact')} | {f('boxes_per_photo')} | {f('false_plates_per_photo')} | {r['ms_per_frame']:.0f} |")
    calibration = []
    if args.calibrate:
        print("\n| min read confidence | eu recall | eu precision | proxy recall | proxy precision | false plates / plate-free photo |")
        print("|---|---|---|---|---|---|")
        for t in THRESHOLDS:
            eu, small = score_frames(runs["openalpr_eu"], t), score_frames(runs["small-plate proxy"], t)
            neg = score_negatives(negs, t)
            calibration.append({"threshold": t, "eu": eu, "proxy": small, "negatives": neg})
            print(f"| {t:.1f} | {eu['recall']:.3f} | {eu['precision']:.3f} | {small['recall']:.3f} | "
                  f"{small['precision']:.3f} | {neg['false_plates_per_photo']:.3f} |")
    if args.calibrate:
        print("\n| detector score | eu detection recall | proxy detection recall | boxes / plate-free photo | false plates / plate-free photo |")
        print("|---|---|---|---|---|")
        for s in SCORES:
            eu = score_frames(runs["openalpr_eu"], threshold, min_score=s)
            small = score_frames(runs["small-plate proxy"], threshold, min_score=s)
            neg = score_negatives(negs, threshold, min_score=s)
            calibration.append({"min_score": s, "eu": eu, "proxy": small, "negatives": neg})
            print(f"| {s:.2f} | {eu['detection_recall']:.3f} | {small['detection_recall']:.3f} | "
                  f"{neg['boxes_per_photo']:.3f} | {neg['false_plates_per_photo']:.3f} |")
    out = {"detector": detector.name, "recognizer": pipeline.recognizer.name, "tile": tile, "tile_score": tile_score,
           "min_read_confidence": threshold, "sets": table, "calibration": calibration}
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
