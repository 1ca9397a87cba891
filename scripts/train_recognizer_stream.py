"""Train a recogniser on plates streamed from the generator (GPU machines with many cores).

Maintainer tool behind the shipped Korean recognisers: see
:func:`lprkit.recognition.stream.train_streaming`. It needs no TensorFlow, so on a machine with
JAX's CUDA build and no TensorFlow it runs as::

    KERAS_BACKEND=jax python scripts/train_recognizer_stream.py OUT --arch crnn \\
        --init-from crnn-korean --minutes 9.2 --learning-rate 1e-3 --workers 7

Two runs can share one GPU (``XLA_PYTHON_CLIENT_PREALLOCATE=false`` for JAX). Then ship the
folder with ``scripts/ship_checkpoint.py OUT NAME --command "..."``.
"""

from __future__ import annotations

import argparse
import json


def main(argv: list[str] | None = None) -> dict:
    from lprkit.recognition.stream import train_streaming

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="checkpoint folder to write")
    ap.add_argument("--arch", choices=["crnn", "lprnet"], default="crnn")
    ap.add_argument("--styles", default="korean")
    ap.add_argument("--init-from", help="shipped name or checkpoint folder to start from")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--epoch-steps", type=int, default=400)
    ap.add_argument("--workers", type=int, help="plate-drawing processes (default: cores - 2)")
    ap.add_argument("--capacity", type=int, default=3_000_000)
    ap.add_argument("--seed", type=int, default=300_000, help="first training seed")
    ap.add_argument("--n-val", type=int, default=2000)
    ap.add_argument("--n-test", type=int, default=1000)
    ap.add_argument(
        "--two-line-top", choices=["text", "span"], help="how two-line plates are cut into strips (default: text)"
    )
    ap.add_argument("--float16", action="store_true", help="save float16 weights")
    ap.add_argument("--overwrite", action="store_true")
    args = ap.parse_args(argv)
    summary = train_streaming(
        args.out, arch=args.arch, styles=args.styles, init_from=args.init_from, minutes=args.minutes,
        learning_rate=args.learning_rate, batch_size=args.batch_size, epoch_steps=args.epoch_steps,
        workers=args.workers, capacity=args.capacity, seed=args.seed, n_val=args.n_val,
        n_test=args.n_test, precision="float16" if args.float16 else "float32", two_line_top=args.two_line_top,
        overwrite=args.overwrite,
        log=lambda line: print(line, flush=True),
    )  # fmt: skip
    syn = summary["metrics"]["synthetic"]
    print(json.dumps({"best_val_exact": summary["best_val_exact"], "test_exact": syn["exact"], "test_seed": syn["seed"]}))
    return summary


if __name__ == "__main__":
    main()
