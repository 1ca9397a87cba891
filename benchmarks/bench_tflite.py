"""Model size and median single-sample latency: Keras, TFLite (fp32/fp16/int8) on LiteRT with 1 and 2
threads, and ONNX Runtime, for LPRNet, CRNN and YOLOv4-tiny.

Latency does not depend on training, so untrained models of the course shapes are used
(int8 calibration still runs on synthetic crops / scenes, as ``lprkit export`` does)::

    nice -n 10 .venv/bin/python benchmarks/bench_tflite.py --out bench.json
    nice -n 10 .venv/bin/python benchmarks/bench_tflite.py --models lprnet --runs 200 --out lpr.json

Prints a table and writes JSON: machine facts (CPU, cores, load average before and after)
and one row per model x runtime x precision x threads, with the median wall-clock time and
the median process CPU time per call (the latter is what a shared machine distorts least).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

MODELS = ("lprnet", "crnn", "yolov4-tiny")
EXTRA_MODELS = ("yolov4",)  # full YOLOv4: minutes per conversion, only when asked for
#: issue #8 targets, ms per sample on LiteRT int8 (threads)
TARGETS = {"lprnet": (1.0, 1), "crnn": (2.0, 1), "yolov4-tiny": (24.0, 2)}


def build(name: str, size: int):
    """(keras.Model, metadata, calibration inputs) of one course model, untrained."""
    from lprkit.export.parity import letterboxed_inputs, synthetic_crops, synthetic_scenes
    from lprkit.recognition.preprocess import preprocess_crops

    if name == "lprnet":
        from lprkit.models.lprnet import lprnet

        model, wh, ch = lprnet("korean"), (94, 24), 3
    elif name == "crnn":
        from lprkit.models.crnn import crnn

        model, wh, ch = crnn("korean"), (128, 32), 1
    elif name in ("yolov4-tiny", "yolov4"):
        from lprkit.models.yolov4 import yolov4, yolov4_tiny

        model = (yolov4_tiny if name == "yolov4-tiny" else yolov4)(size)
        scenes, _ = synthetic_scenes(16, seed=1)
        return model, {"kind": "detector"}, letterboxed_inputs(scenes, size)
    else:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODELS + EXTRA_MODELS)}")
    crops, _ = synthetic_crops(64, wh, "korean", seed=1)
    return model, {"kind": "recognizer", "alphabet": "korean"}, preprocess_crops(crops, wh, ch)


def median_ms(fn, runs: int, warmup: int) -> tuple[float, float]:
    """Median wall-clock and median process-CPU milliseconds per call.

    On a shared machine the wall clock includes waiting for a core; the CPU time does not (for
    one thread it is the cost of the call itself; for two it sums both threads).
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return 1000 * statistics.median(wall), 1000 * statistics.median(cpu)


def bench_model(name: str, args, folder: Path) -> list[dict]:
    import tensorflow as tf

    from lprkit.edge.runtime import LiteRTModel
    from lprkit.export.onnx import export_onnx, onnx_session
    from lprkit.export.tflite import convert

    model, meta, calib = build(name, args.size)
    x = calib[:1]
    rows = []

    def row(runtime, precision, threads, size_bytes, ms, **extra):
        wall, cpu = ms
        rows.append({"model": name, "runtime": runtime, "precision": precision,
                     "threads": threads, "size_mb": round(size_bytes / 1e6, 3),
                     "median_ms": round(wall, 3), "median_cpu_ms": round(cpu, 3), **extra})
        print(f"  {runtime:12s} {precision:14s} {threads} thr  {size_bytes / 1e6:7.2f} MB  "
              f"{wall:8.2f} ms  (cpu {cpu:8.2f} ms)", flush=True)

    print(f"{name}: input {tuple(x.shape)}, {model.count_params():,} parameters", flush=True)
    fn = tf.function(lambda t: model(t, training=False))
    xt = tf.constant(x)

    def keras_call():
        y = fn(xt)
        return np.asarray(y[0] if isinstance(y, (list, tuple)) else y)

    keras_ms = median_ms(keras_call, max(args.runs // 4, 5), 3)
    size = sum(int(np.prod(w.shape)) * 4 for w in model.weights)
    row("keras", "fp32", "tf", size, keras_ms, note="tf.function, float32 weights")

    variants = [("fp32", "full", None), ("fp16", "full", None), ("int8", "dynamic", None),
                ("int8", "full", None)]
    if name == "crnn":  # the WHILE-loop fp32 default against the unrolled graph int8 needs
        variants.insert(1, ("fp32", "full", True))
    for precision, mode, unroll in variants:
        label = precision if precision != "int8" else f"int8-{mode}"
        t = time.perf_counter()
        res = convert(model, precision, mode, representative_data=calib,
                      num_calibration=args.calibration, unroll_rnn=unroll, metadata=meta)
        if res.unrolled and precision != "int8":
            label += "-unrolled"
        conv_s = time.perf_counter() - t
        (folder / f"{name}_{label}.tflite").write_bytes(res.content)
        for threads in (1, 2):
            lite = LiteRTModel(res.content, num_threads=threads)
            ms = median_ms(lambda lite=lite: lite.run_one(x), args.runs, args.warmup)
            row("litert", label, threads, res.size_bytes, ms, convert_s=round(conv_s, 1),
                max_abs_diff=res.max_abs_diff, ops=sum(res.ops.values()))
    try:
        onnx = export_onnx(model, folder / f"{name}.onnx", overwrite=True)
        for threads in (1, 2):
            sess = onnx_session(onnx.path, threads)
            feed = {sess.get_inputs()[0].name: x}
            ms = median_ms(lambda sess=sess, feed=feed: sess.run(None, feed), args.runs, args.warmup)
            row("onnxruntime", "fp32", threads, onnx.size_bytes, ms,
                max_abs_diff=onnx.max_abs_diff)
    except Exception as err:  # keep the TFLite figures if tf2onnx fails on a model
        print(f"  onnx export failed: {type(err).__name__}: {err}", flush=True)
        rows.append({"model": name, "runtime": "onnxruntime", "error": str(err)[:300]})
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'model':12s} {'runtime':12s} {'precision':16s} {'thr':>3s} {'MB':>8s} {'ms':>9s} "
             f"{'cpu ms':>9s}"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['model']:12s} {r['runtime']:12s} failed: {r['error'][:60]}")
            continue
        lines.append(f"{r['model']:12s} {r['runtime']:12s} {r['precision']:16s} "
                     f"{r['threads']!s:>3s} {r['size_mb']:8.2f} {r['median_ms']:9.2f} "
                     f"{r['median_cpu_ms']:9.2f}")
    return "\n".join(lines)


def target_report(rows: list[dict]) -> list[dict]:
    out = []
    for name, (limit, threads) in TARGETS.items():
        hits = [r for r in rows if r.get("model") == name and r.get("runtime") == "litert"
                and r.get("precision") == "int8-full" and r.get("threads") == threads]
        if hits:
            ms, cpu = hits[0]["median_ms"], hits[0]["median_cpu_ms"]
            out.append({"model": name, "threads": threads, "target_ms": limit, "ms": ms,
                        "cpu_ms": cpu, "met": ms <= limit})
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--models", default=",".join(MODELS),
                   help=f"comma list of {', '.join(MODELS + EXTRA_MODELS)} (default: all but yolov4)")
    p.add_argument("--size", type=int, default=416, help="YOLOv4-tiny input size (default 416)")
    p.add_argument("--runs", type=int, default=50, help="timed runs per setting (median reported)")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs first")
    p.add_argument("--calibration", type=int, default=32, help="int8 calibration samples")
    p.add_argument("--keep", default=None, help="folder to keep the converted files in")
    p.add_argument("--out", required=True, help="JSON results file")
    args = p.parse_args(argv)
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    for n in names:
        if n not in MODELS + EXTRA_MODELS:
            p.error(f"unknown model {n!r}; choose from {', '.join(MODELS + EXTRA_MODELS)}")
    import ai_edge_litert
    import onnxruntime
    import tensorflow as tf

    machine = {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "ai_edge_litert": getattr(ai_edge_litert, "__version__", "?"),
        "onnxruntime": onnxruntime.__version__,
        "loadavg_before": os.getloadavg(),
    }
    try:
        cpu = [ln for ln in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in ln]
        machine["cpu"] = cpu[0].split(":", 1)[1].strip() if cpu else machine["cpu"]
    except OSError:
        pass
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            rows += bench_model(name, args, folder)
    machine["loadavg_after"] = os.getloadavg()
    result = {"machine": machine, "runs": args.runs, "rows": rows, "targets": target_report(rows)}
    print()
    print(table(rows))
    for t in result["targets"]:
        print(f"target {t['model']} int8 {t['threads']} thr: {t['ms']:.2f} ms wall, "
              f"{t['cpu_ms']:.2f} ms cpu (<= {t['target_ms']} ms: {'met' if t['met'] else 'missed'})")
    Path(args.out).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
