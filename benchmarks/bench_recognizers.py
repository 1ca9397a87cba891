"""Speed of the Keras recognisers: per-plate latency and training throughput.

For each model (CRNN, LPRNet) it measures, after warm-up, the median time of

* ``forward``: one compiled forward pass (``predict_on_batch``) at batch 1 and batch 64,
* ``read``: ``KerasRecognizer.read`` on RGB crops of another size (resize + forward + greedy
  CTC decoding), at batch 1 and 64,
* ``train``: one training step at batch 64 (CTC loss, Adam), reported as images/s.

Usage (the numbers depend on the machine and on whatever else runs on it)::

    TF_CPP_MIN_LOG_LEVEL=3 nice -n 10 python benchmarks/bench_recognizers.py --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402


def timed(fn, repeats: int, warmup: int = 2) -> float:
    """Median seconds of ``fn()`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def build(name: str, alphabet: str):
    from lprkit.models.crnn import crnn
    from lprkit.models.lprnet import lprnet

    if name == "crnn":
        return crnn(alphabet)
    if name == "lprnet":
        return lprnet(alphabet)
    if name == "lprnet_stn":
        return lprnet(alphabet, stn=True)
    raise SystemExit(f"unknown model {name!r}; use crnn, lprnet or lprnet_stn")


def bench_model(name: str, alphabet: str, repeats: int, train_steps: int) -> dict:
    import keras

    from lprkit.charset import get_alphabet
    from lprkit.recognition.ctc import ctc_loss
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    alpha = get_alphabet(alphabet)
    model = build(name, alphabet)
    rec = KerasRecognizer(model, alpha)
    rng = np.random.default_rng(0)
    h, w, c = model.input_shape[1:]
    crops = rng.integers(0, 256, (64, 48, 180, 3), dtype=np.uint8)
    out = {"model": name, "params": int(model.count_params()), "input": [w, h, c]}
    for batch in (1, 64):
        x = rng.random((batch, h, w, c), dtype=np.float32)
        fwd = timed(lambda x=x: model.predict_on_batch(x), repeats)
        read = timed(lambda b=batch: rec.read(list(crops[:b])), max(3, repeats // 4))
        out[f"forward_ms_per_plate_b{batch}"] = 1000 * fwd / batch
        out[f"read_ms_per_plate_b{batch}"] = 1000 * read / batch
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=ctc_loss)
    x = rng.random((64, h, w, c), dtype=np.float32)
    y = rng.integers(1, alpha.num_classes, (64, 8)).astype(np.int32)
    step = timed(lambda: model.train_on_batch(x, y), train_steps)
    out["train_images_per_s_b64"] = 64 / step
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--models", default="crnn,lprnet", help="comma-separated: crnn, lprnet, lprnet_stn"
    )
    p.add_argument("--alphabet", default="korean")
    p.add_argument("--repeats", type=int, default=20, help="timed forward passes per setting")
    p.add_argument("--train-steps", type=int, default=10, help="timed training steps")
    p.add_argument("--json", help="also write the results here")
    args = p.parse_args(argv)
    import keras
    import tensorflow as tf

    results = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_1min": os.getloadavg()[0],
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "gpus": len(tf.config.list_physical_devices("GPU")),
        },
        "models": [],
    }
    for name in args.models.split(","):
        r = bench_model(name.strip(), args.alphabet, args.repeats, args.train_steps)
        results["models"].append(r)
        print(
            f"{r['model']:<11} params={r['params']:>9,}  forward ms/plate b1={r['forward_ms_per_plate_b1']:.2f} "
            f"b64={r['forward_ms_per_plate_b64']:.3f}  read ms/plate b1={r['read_ms_per_plate_b1']:.2f} "
            f"b64={r['read_ms_per_plate_b64']:.3f}  train img/s b64={r['train_images_per_s_b64']:.0f}",
            flush=True,
        )
    results["machine"]["load_average_1min_end"] = os.getloadavg()[0]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
