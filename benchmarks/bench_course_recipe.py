"""The course recogniser recipe under a few settings, same data and budget: which helps?

Each variant is one run of :func:`lprkit.recognition.recipe.train_plate_recognizer` (the
recipe of notebook 04 and ``lprkit train recognizer``) with the same training plates, seed
and time budget, changing only the settings the variant names. Runs go one after another (on
a 2-core CPU two at once would halve each other's steps) into ``--work``; a variant whose
checkpoint is already there is not trained again, so an interrupted sweep continues where
it stopped. The table gives, per variant, the epochs and images/s the budget bought, the best
validation exact accuracy, and exact accuracy on the held-out synthetic plates (all, and
two-line styles only) and on the real crops when ``LPRKIT_DATA_HOME`` holds them.

    LPRKIT_PROFILE=course python benchmarks/bench_course_recipe.py --work /tmp/sweep \\
        --variant text:two_line_top=text --variant span:two_line_top=span \\
        [--minutes 10] [--n-train 20000] [--arch crnn] [--styles korean] [--seed 0]

A variant is ``NAME:key=value,key=value`` with keys of ``train_plate_recognizer``
(``two_line_top``, ``learning_rate``, ``batch_size``, ``n_train``, ``model_options``, ...);
commas inside brackets belong to the value, so a narrower CRNN is
``--variant "narrow:model_options={'filters': (16, 32, 64, 64), 'rnn_units': 64}"``, and a
first epoch on milder plates (notebook 04's setting) ``--variant easy:easy_start=0.5``.
"""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

from lprkit.recognition.lprnet_tools import read_history
from lprkit.recognition.recipe import train_plate_recognizer
from lprkit.synth.styles import get_style


def parse_variant(spec: str) -> tuple[str, dict]:
    """``"name:key=value,key=value"`` -> ``(name, {key: value})``; values are Python literals
    when they parse as one (``2e-3``, ``64``), else strings (``text``)."""
    name, _, rest = spec.partition(":")
    if not name:
        raise ValueError(f"variant {spec!r} has no name; write NAME:key=value,...")
    settings = {}
    for item in filter(None, _split_top_level(rest)):
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"variant {spec!r}: {item!r} is not key=value")
        try:
            settings[key.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            settings[key.strip()] = value.strip()
    return name, settings


def _split_top_level(text: str) -> list[str]:
    """``text`` split at the commas that are not inside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def two_line_exact(by_style: list[dict]) -> float:
    """Exact accuracy over the two-line styles of a by-style table."""
    rows = [r for r in by_style if get_style(r["style"]).two_line]
    n = sum(r["n"] for r in rows)
    return sum(r["exact"] * r["n"] for r in rows) / n if n else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True, help="folder for the variants' checkpoints")
    ap.add_argument("--variant", action="append", required=True, help="NAME:key=value,... (repeat)")
    ap.add_argument(
        "--minutes",
        type=float,
        default=10.0,
        help="training budget per variant (0: none; give epochs=)",
    )
    ap.add_argument("--n-train", type=int, default=20_000, help="training plates (notebook 04's)")
    ap.add_argument("--arch", default="crnn")
    ap.add_argument("--styles", default="korean")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    variants = [parse_variant(v) for v in args.variant]
    rows = []
    for name, settings in variants:
        out = args.work / name
        if not (out / "meta.json").exists():
            budget = args.minutes or None
            options = {"n_train": args.n_train, "max_minutes": budget, **settings}
            train_plate_recognizer(
                out, arch=args.arch, styles=args.styles, seed=args.seed, overwrite=True,
                verbose=0, **options,
            )  # fmt: skip
        training = json.loads((out / "meta.json").read_text(encoding="utf-8"))["training"]
        synth = training["metrics"]["synthetic"]
        real = training["metrics"].get("real")
        rows.append((name, settings, training, synth, real))

    print(
        f"{'variant':16s} {'epochs':>6s} {'img/s':>6s} {'val':>6s} {'test':>6s} "
        f"{'2-line':>6s} {'real':>6s}  settings"
    )
    for name, settings, training, synth, real in rows:
        speed = _mean_speed(Path(str(args.work / name) + ".work"))
        print(
            f"{name:16s} {training['epochs_run']:6d} {speed:6.0f} {training['best_val_exact']:6.3f} "
            f"{synth['exact']:6.3f} {two_line_exact(synth['by_style']):6.3f} "
            f"{real['exact'] if real else float('nan'):6.3f}  {settings}"
        )


def _mean_speed(work: Path) -> float:
    """Mean training images/s over the epochs of a run (nan when its history has none)."""
    speeds = read_history(work).get("images_per_s") or []
    return sum(speeds) / len(speeds) if speeds else float("nan")


if __name__ == "__main__":
    main()
