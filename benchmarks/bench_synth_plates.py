"""Throughput of the synthetic plate generator (plates per second).

Prints, for crops of 128x32 and 94x24: render + degrade + strip + resize on 1 and 2
processes, a per-stage breakdown (where the time goes), and the end-to-end rate of
`lprkit synth plates` writing PNG files. CPU seconds are printed beside wall seconds:
on a shared machine the wall rate understates what the code does on idle cores.

    python benchmarks/bench_synth_plates.py [--n 20000] [--styles korean]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from lprkit.synth.dataset import CHUNK, generate_crops, style_table
from lprkit.synth.degrade import degrade
from lprkit.synth.render import random_plate
from lprkit.synth.styles import get_style
from lprkit.synth.twoline import to_single_line


def _cpu() -> float:
    t = os.times()  # children too: worker processes
    return t.user + t.system + t.children_user + t.children_system


def bench_generate(n: int, styles: str, size, processes: int) -> None:
    generate_crops(min(n, 2 * CHUNK), styles, size, seed=99, processes=1)  # warm caches
    wall, cpu = time.perf_counter(), _cpu()
    generate_crops(n, styles, size, seed=0, processes=processes)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    print(f"render+degrade {size[0]}x{size[1]}  {processes} proc: {n / wall:7.0f} plates/s wall,"
          f" {n / cpu:7.0f} plates per CPU-second")


def bench_stages(n: int, styles: str, size) -> None:
    import cv2

    names, cum = style_table(styles)
    t = dict.fromkeys(("render", "degrade", "strip+resize", "png encode"), 0.0)
    for i in range(n):
        rng = np.random.default_rng((1, i))
        st = get_style(names[min(int(np.searchsorted(cum, rng.random(), side="right")), len(names) - 1)])
        scale = size[0] * rng.uniform(0.9, 1.35) / st.size[0]
        if st.two_line:
            scale = size[1] * rng.uniform(1.1, 2.0) / st.size[1]
        a = time.perf_counter()
        img = random_plate(st, rng, scale=scale).image
        b = time.perf_counter()
        img = degrade(img, rng)
        c = time.perf_counter()
        if st.two_line:
            img = to_single_line(img)
        img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
        d = time.perf_counter()
        cv2.imencode(".png", img, [cv2.IMWRITE_PNG_COMPRESSION, 1])
        e = time.perf_counter()
        for k, v in zip(t, (b - a, c - b, d - c, e - d), strict=True):
            t[k] += v
    total = sum(t.values())
    print(f"stages {size[0]}x{size[1]} (1 process, ms/plate): " + ", ".join(
        f"{k} {1000 * v / n:.3f} ({100 * v / total:.0f}%)" for k, v in t.items()))


def bench_cli(n: int, styles: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "lprkit.cli", "synth", "plates", "--styles", styles,
               "--n", str(n), "--seed", "0", "--size", "128x32", "--processes", "2",
               "--out", os.path.join(tmp, "out")]
        wall, cpu = time.perf_counter(), _cpu()
        subprocess.run(cmd, check=True, capture_output=True)
        wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        files = len(os.listdir(os.path.join(tmp, "out"))) - 2
    print(f"end to end `lprkit synth plates --size 128x32 --processes 2` ({files} PNGs written):"
          f" {n / wall:7.0f} plates/s wall ({wall:.1f} s), {n / cpu:7.0f} plates per CPU-second;"
          f" 500,000 plates would take {500_000 / (n / wall) / 60:.1f} min at this wall rate")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--styles", default="korean")
    args = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    for size in ((128, 32), (94, 24)):
        bench_stages(min(args.n, 2000), args.styles, size)
        for procs in (1, 2):
            bench_generate(args.n, args.styles, size, procs)
    bench_cli(args.n, args.styles)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
