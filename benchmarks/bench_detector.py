"""CPU latency of YOLOv4-tiny and YOLOv4 forward passes, and training throughput.

    nice -n 10 .venv/bin/python benchmarks/bench_detector.py [--runs 5] [--json out.json]
        [--models tiny,full] [--sizes 416,320] [--batches 1,8] [--train tiny] [--train-batch 8]

Forward: median wall time of ``--runs`` calls after two warm-up calls (a ``tf.function`` of the
model in inference mode, 1 class). Training: images per second of the real training step
(YOLO loss + AdamW) over ``--train-steps`` steps after one warm-up step.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np


def _build(kind: str, size: int):
    from lprkit.models.yolov4 import yolov4, yolov4_tiny

    return (yolov4_tiny if kind == "tiny" else yolov4)(size, num_classes=1)


def forward_latency(kind: str, size: int, batch: int, runs: int) -> dict:
    import tensorflow as tf

    model = _build(kind, size)
    fn = tf.function(lambda x: model(x, training=False))
    x = tf.constant(np.random.default_rng(0).uniform(0, 1, (batch, size, size, 3)).astype(np.float32))
    for _ in range(2):
        [o.numpy() for o in fn(x)]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        [o.numpy() for o in fn(x)]
        times.append(time.perf_counter() - t)
    ms = statistics.median(times) * 1000
    return {"model": kind, "size": size, "batch": batch, "median_ms": round(ms, 1),
            "ms_per_image": round(ms / batch, 1), "runs": runs}


def training_throughput(kind: str, size: int, batch: int, steps: int) -> dict:
    import keras
    import tensorflow as tf

    from lprkit.detection.loss import yolo_loss
    from lprkit.detection.targets import build_targets

    model = _build(kind, size)
    spec = model.yolo_spec
    rng = np.random.default_rng(0)
    per = []
    for _ in range(batch):
        xy = rng.uniform(0, size * 0.8, (3, 2))
        boxes = np.concatenate([xy, xy + rng.uniform(20, size * 0.2, (3, 2))], axis=1)
        per.append(build_targets(boxes, np.zeros(3, int), spec))
    heads = [tf.constant(np.stack([p[0][h] for p in per])) for h in range(spec.num_heads)]
    gt = tf.constant(np.stack([p[1] for p in per]))
    x = tf.constant(rng.uniform(0, 1, (batch, size, size, 3)).astype(np.float32))
    optimizer = keras.optimizers.AdamW(1e-4)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(yolo_loss(heads, list(model(x, training=True)), gt, spec)["total"])
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    step().numpy()
    t = time.perf_counter()
    for _ in range(steps):
        step().numpy()
    sec = (time.perf_counter() - t) / steps
    return {"model": kind, "size": size, "batch": batch, "s_per_step": round(sec, 3),
            "images_per_s": round(batch / sec, 2), "steps": steps}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="tiny,full")
    p.add_argument("--sizes", default="416,320")
    p.add_argument("--batches", default="1,8")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--train", default="tiny", help="models to time training for ('' = none)")
    p.add_argument("--train-batch", type=int, default=8)
    p.add_argument("--train-steps", type=int, default=3)
    p.add_argument("--json", default=None, help="also write the results here")
    args = p.parse_args(argv)
    import tensorflow as tf

    sizes = [int(s) for s in args.sizes.split(",")]
    info = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "tensorflow": tf.__version__, "load_avg_start": os.getloadavg()}
    forward, train = [], []
    print(f"{'model':6} {'size':>4} {'batch':>5} {'median ms':>10} {'ms/image':>9}")
    for kind in args.models.split(","):
        for size in sizes:
            for batch in (int(b) for b in args.batches.split(",")):
                r = forward_latency(kind, size, batch, args.runs)
                forward.append(r)
                print(f"{kind:6} {size:>4} {batch:>5} {r['median_ms']:>10} {r['ms_per_image']:>9}",
                      flush=True)
    for kind in filter(None, args.train.split(",")):
        for size in sizes:
            r = training_throughput(kind, size, args.train_batch, args.train_steps)
            train.append(r)
            print(f"train {kind} {size} batch {r['batch']}: {r['s_per_step']} s/step, "
                  f"{r['images_per_s']} images/s", flush=True)
    info["load_avg_end"] = os.getloadavg()
    print(f"load average start {info['load_avg_start']}, end {info['load_avg_end']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"info": info, "forward": forward, "train": train}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
