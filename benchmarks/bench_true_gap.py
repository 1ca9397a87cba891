"""Does the cut between the lines cost two-line reads? Strips cut at the found gap vs the true one.

Plates of the two-line Korean styles are drawn and degraded as
:func:`lprkit.synth.dataset.make_crop` draws them (``generate_crops`` of those styles with the
same seed; plates with a holder frame are left out), and the degradation's warp is replayed
on a mask of the two lines, so the true gap after the warp is known: its row at the middle
column and its slope. Each plate becomes two strips: one cut where
:func:`~lprkit.synth.twoline.find_gap` finds the gap (what the test set and inference do),
one cut along the true gap (levelled the same way). The recogniser reads both; the script
prints exact accuracy for each, how many plates only one of them reads, and how far the
found gap is from the true one::

    python benchmarks/bench_true_gap.py --recognizer crnn-korean [--n 1200] [--seed 52]
"""

from __future__ import annotations

import argparse
import copy

import numpy as np

from lprkit.checkpoints import load_recognizer
from lprkit.synth.dataset import draw_style_and_scale, style_table
from lprkit.synth.degrade import DEGRADATIONS, degrade, warp
from lprkit.synth.render import random_plate
from lprkit.synth.styles import get_style, resolve_styles
from lprkit.synth.twoline import find_gap, to_single_line, top_layout_of


def true_gap(plate, shape, rng: np.random.Generator) -> tuple[float, float]:
    """The gap's row (fraction of the height, middle column) and slope (degrees) after the warp
    that ``degrade`` applies with a copy of ``rng`` (taken just before it is called)."""
    h, w = shape[:2]
    mask = np.zeros((h, w, 3), np.uint8)
    row = int(round(plate.split * h))
    mask[:row, :, 0], mask[row:, :, 1] = 255, 255  # top line red, bottom line green
    rng.random(len(DEGRADATIONS))  # degrade's draws of which effects apply; warp always does
    warped = warp(mask, rng, 1.0)
    xs, ys = [], []
    for x in range(int(w * 0.1), int(w * 0.9)):
        top = np.flatnonzero(warped[:, x, 0] > 200)
        bottom = np.flatnonzero(warped[:, x, 1] > 200)
        if len(top) and len(bottom) and top.max() < bottom.min():
            xs.append(x)
            ys.append((top.max() + bottom.min() + 1) / 2)
    slope, offset = np.polyfit(xs, ys, 1)
    return (slope * w / 2 + offset) / h, float(np.degrees(np.arctan(slope)))


def strips(n: int, seed: int, size: tuple[int, int], layout: str):
    """Two-line test plates cut at the found and at the true gap: ``(found, true, texts, rows)``;
    ``rows`` holds ``|found - true|`` row errors in pixels."""
    import cv2

    two_line = [s for s in resolve_styles("korean") if get_style(s).two_line]
    names, cum = style_table(two_line)
    assert DEGRADATIONS["warp"].p == 1.0, "the replay assumes the warp is always applied"
    found, true, texts, rows = [], [], [], []
    for i in range(n):
        rng = np.random.default_rng((seed, i))  # as make_crop draws plate i
        name, scale = draw_style_and_scale(names, cum, size, rng)
        st = get_style(name)
        plate = random_plate(st, rng, scale=scale)
        if st.holder > 0 and rng.random() < st.holder:
            continue  # the mask would need the holder's frame
        replay = copy.deepcopy(rng)
        image = degrade(plate.image, rng, 1.0)
        split, angle = true_gap(plate, image.shape, replay)
        h, w = image.shape[:2]
        rot = cv2.getRotationMatrix2D((w / 2, split * h), angle, 1.0)
        level = cv2.warpAffine(
            image, rot, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        for out, strip in ((found, to_single_line(image, None, top_layout=layout)),
                           (true, to_single_line(level, split, top_layout=layout))):  # fmt: skip
            interp = cv2.INTER_AREA if strip.shape[1] > size[0] else cv2.INTER_LINEAR
            out.append(cv2.resize(strip, size, interpolation=interp))
        texts.append(plate.text)
        rows.append(abs(find_gap(image)[0] - split) * h)
    return found, true, texts, np.array(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--recognizer", default="crnn-korean", help="a name or folder")
    ap.add_argument("--n", type=int, default=1200, help="two-line plates")
    ap.add_argument("--seed", type=int, default=52)
    args = ap.parse_args()
    recognizer = load_recognizer(args.recognizer)
    found, true, texts, rows = strips(
        args.n, args.seed, recognizer.input_size, top_layout_of(recognizer)
    )
    right = {}
    for label, crops in (("found gap", found), ("true gap", true)):
        right[label] = np.array(
            [r.text == t for r, t in zip(recognizer.read(crops), texts, strict=True)]
        )
        print(f"{label:9s}: exact {right[label].mean():.3f} on {len(texts)} two-line plates")
    print(f"read only when cut at the true gap: {int((right['true gap'] & ~right['found gap']).sum())}; "
          f"only at the found gap: {int((right['found gap'] & ~right['true gap']).sum())}")  # fmt: skip
    print(f"found gap off the true one at the middle column: median {np.median(rows):.2f} px, "
          f"over 2 px on {np.mean(rows > 2):.1%} of plates")  # fmt: skip


if __name__ == "__main__":
    main()
