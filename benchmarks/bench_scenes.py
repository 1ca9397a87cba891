"""Throughput of the synthetic scene composer (scenes per second) and plate sizes.

For each mode (parking, cctv) and size (416x416, 640x640) it composes scenes in-process and
prints wall and CPU rates, then the plate widths (pixels) it drew. CPU seconds are printed
beside wall seconds: on a shared machine the wall rate understates what the code does on
idle cores. With ``--write`` it also times `write_scene_dataset` end to end (JPEG + labels).

    python benchmarks/bench_scenes.py [--n 40] [--styles korean] [--write]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np

from lprkit.synth.scene_dataset import write_scene_dataset
from lprkit.synth.scenes import compose_scene


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bench(mode: str, size: tuple[int, int], n: int, styles: str) -> list[float]:
    compose_scene(mode, 10_000, size, styles)  # warm caches (fonts, glyphs)
    widths: list[float] = []
    wall, cpu = time.perf_counter(), _cpu()
    for i in range(n):
        sc = compose_scene(mode, np.random.default_rng((0, i)), size, styles)
        widths += [p.width for p in sc.plates]
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(f"{mode:8s} {size[0]}x{size[1]}: {n / wall:6.2f} scenes/s wall, "
          f"{n / cpu:6.2f} per CPU-second, {len(widths) / n:4.1f} plates/scene")  # fmt: skip
    return widths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40, help="scenes per mode and size")
    ap.add_argument("--styles", default="korean")
    ap.add_argument("--write", action="store_true", help="also time write_scene_dataset")
    args = ap.parse_args()
    for size in ((416, 416), (640, 640)):
        for mode in ("parking", "cctv"):
            w = np.array(bench(mode, size, args.n, args.styles))
            q = np.percentile(w, [0, 10, 50, 90, 100]).round(1)
            print(f"    plate width px min/p10/median/p90/max: {q.tolist()}")
    if args.write:
        with tempfile.TemporaryDirectory() as tmp:
            for fmt in ("labels", "yolo"):
                wall = time.perf_counter()
                write_scene_dataset(f"{tmp}/{fmt}", args.n, mode="cctv", fmt=fmt,
                                    styles=args.styles, progress=False, processes=1)  # fmt: skip
                wall = time.perf_counter() - wall
                print(f"write_scene_dataset 640x480 cctv {fmt}: {args.n / wall:6.2f} scenes/s")


if __name__ == "__main__":
    main()
