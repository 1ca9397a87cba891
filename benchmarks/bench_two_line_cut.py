"""How often the two-line cut falls between the lines, and what it costs per plate.

Two-line plates are drawn with their character boxes, then posed as a detector would hand them
over: rotated by up to ``--max-angle`` degrees, cropped loosely (up to 15% of the plate's size
of background on each side) and, with ``--degrade``, blurred, noised and compressed
(:func:`~lprkit.synth.degrade.degrade` without its own warp, whose geometry is not recorded).
The pose is known, so a cut can be checked: it is right when every top-line character lies
above the cut line and every bottom-line character below it. Printed per cutting mode:
correct cuts and milliseconds per plate. Then, for the default cut, how often the ``"text"``
layout's crop of the top line (:func:`~lprkit.synth.twoline.text_box`) keeps every top-line
character whole, and what it adds per plate.

    python benchmarks/bench_two_line_cut.py [--n 500] [--max-angle 8] [--degrade]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from lprkit.synth.degrade import degrade
from lprkit.synth.render import random_plate
from lprkit.synth.styles import STYLES, resolve_styles
from lprkit.synth.twoline import TOP_SPAN, find_gap, text_box


def posed_plate(name: str, rng: np.random.Generator, max_angle: float, degraded: bool):
    """A two-line plate rotated and loosely cropped: ``(image, top_corners, bottom_corners)``."""
    import cv2

    p = random_plate(name, rng, scale=rng.uniform(36, 64) / STYLES[name].size[1])
    h, w = p.image.shape[:2]
    m = rng.uniform(0.0, 0.15, 4) * (w, h, w, h)  # background: left, top, right, bottom
    out_w, out_h = int(round(w + m[0] + m[2])), int(round(h + m[1] + m[3]))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-max_angle, max_angle), 1.0)
    rot[:, 2] += m[:2]
    fill = tuple(float(v) for v in rng.uniform(10, 140, 3))
    image = cv2.warpAffine(p.image, rot, (out_w, out_h), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    if degraded:
        image = degrade(image, rng, 1.0, probabilities={"warp": 0.0})
    b = p.char_boxes
    corners = np.stack([b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]], b[:, [0, 3]]], axis=1)
    corners = corners @ rot[:, :2].T + rot[:, 2]
    top = b[:, 3] <= p.split * h + 1
    return image, corners[top].reshape(-1, 2), corners[~top].reshape(-1, 2)


def separates(shape, split: float, angle: float, top: np.ndarray, bottom: np.ndarray) -> bool:
    """True when the cut line leaves ``top`` corners above it and ``bottom`` ones below."""
    h, w = shape[:2]

    def side(pts):
        return pts[:, 1] - (split * h + np.tan(np.deg2rad(angle)) * (pts[:, 0] - w / 2))

    return bool(side(top).max() <= 1.0 and side(bottom).min() >= -1.0)  # 1-pixel slack


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=500, help="plates per run")
    ap.add_argument("--max-angle", type=float, default=8.0, help="largest rotation, degrees")
    ap.add_argument("--degrade", action="store_true", help="blur, noise, JPEG … as in training")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    names = [n for n in resolve_styles("korean") if STYLES[n].two_line]
    rng = np.random.default_rng(args.seed)
    plates = [posed_plate(names[i % len(names)], rng, args.max_angle, args.degrade)
              for i in range(args.n)]
    print(f"{args.n} two-line Korean plates, rotated up to {args.max_angle} degrees, loose crops"
          f"{', degraded' if args.degrade else ''}")
    for label, tilt in [("level cut only (max_tilt=0)", 0.0), ("tilted cuts (default)", None)]:
        kwargs = {} if tilt is None else {"max_tilt": tilt}
        start = time.perf_counter()
        gaps = [find_gap(img, **kwargs) for img, _, _ in plates]
        ms = 1000 * (time.perf_counter() - start) / args.n
        ok = np.mean([separates(img.shape, s, a, t, b) for (img, t, b), (s, a) in zip(plates, gaps, strict=True)])
        print(f"  {label:<30} correct cuts {100 * ok:5.1f}%   {ms:.2f} ms per plate")
    kept, seconds = [], 0.0
    for (img, top, bottom), (split, angle) in zip(plates, gaps, strict=True):
        if separates(img.shape, split, angle, top, bottom):  # a wrong cut is counted above
            ok, dt = top_text_kept(img, split, angle, top)
            kept.append(ok)
            seconds += dt
    print(f"  text layout: the top line's crop keeps all its characters on {100 * np.mean(kept):5.1f}% "
          f"of the {len(kept)} correct cuts   {1000 * seconds / len(kept):.2f} ms per plate")


def top_text_kept(image, split: float, angle: float, top: np.ndarray) -> tuple[bool, float]:
    """Does :func:`text_box` keep every top-line corner (1-pixel slack)? And its seconds."""
    import cv2

    h, w = image.shape[:2]
    if angle:  # as to_single_line does: level the gap, and the corners with it
        rot = cv2.getRotationMatrix2D((w / 2.0, split * h), angle, 1.0)
        image = cv2.warpAffine(image, rot, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        top = top @ rot[:, :2].T + rot[:, 2]
    s = min(max(int(round(split * h)), 1), h - 1)
    x0 = int(round(TOP_SPAN[0] * w))
    start = time.perf_counter()
    y1, y2, x1, x2 = text_box(image[:s, x0 : int(round(TOP_SPAN[1] * w))])
    dt = time.perf_counter() - start
    x, y = top[:, 0] - x0, top[:, 1]
    return bool((x >= x1 - 1).all() and (x <= x2 + 1).all() and (y >= y1 - 1).all() and (y <= y2 + 1).all()), dt


if __name__ == "__main__":
    main()
