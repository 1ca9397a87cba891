"""Emblems printed between the characters of a plate (``Field.mark`` in the styles).

Not part of the label, but a reader must learn to skip them: the Slovak coat of arms between
district and number (read as ``5`` or ``9`` by a model that never saw it) and the German
inspection and registration seals after the city code.
"""

from __future__ import annotations

import numpy as np

from lprkit.errors import InputError

MARKS = ("sk_arms", "sk_stickers", "de_seals")


def draw_mark(
    canvas: np.ndarray,
    cov: np.ndarray,
    name: str,
    box: tuple[float, float, float, float],
    rng: np.random.Generator,
) -> None:
    """Paint the emblem ``name`` into the blank ``box`` (x1, y1, x2, y2: the gap after a
    field, the line's full height) of a plate ``canvas`` (H, W, 3 float32 RGB); ink parts
    (the Slovak hyphen) go into the coverage map ``cov`` (H, W) instead.

    Raises
    ------
    ValueError
        For an unknown mark, listing :data:`MARKS`.
    """
    import cv2

    x1, y1, x2, y2 = box
    lh, cx = y2 - y1, (x1 + x2) / 2
    if name == "sk_arms":
        # the coat of arms above a hyphen
        w = min(x2 - x1, 0.42 * lh)
        draw_sk_shield(canvas, cx, y1 + 0.02 * lh, w, rng)
        hy, hw, hh = y1 + 0.7 * lh, 0.3 * (x2 - x1), max(0.08 * lh, 1.0)
        cov[int(hy - hh / 2) : int(hy + hh / 2) + 1, int(cx - hw) : int(cx + hw) + 1] = 1
    elif name == "sk_stickers":
        # one or two round inspection stickers (technical, emissions): one sits above the
        # hyphen, two stacked cover it
        r = max(1.0, min(0.4 * (x2 - x1), 0.17 * lh))
        n = 1 + int(rng.integers(2))
        for fy in (0.3, 0.7)[:n]:
            fill = _SEAL_COLOURS[int(rng.integers(len(_SEAL_COLOURS)))]
            c = (int(round(cx)), int(round(y1 + fy * lh)))
            cv2.circle(canvas, c, int(round(r)), fill, -1, cv2.LINE_AA)
        if n == 1:
            hy, hw, hh = y1 + 0.62 * lh, 0.3 * (x2 - x1), max(0.08 * lh, 1.0)
            cov[int(hy - hh / 2) : int(hy + hh / 2) + 1, int(cx - hw) : int(cx + hw) + 1] = 1
    elif name == "de_seals":
        # inspection sticker (colour of its year) over the round state registration seal
        r = max(1.0, min(0.45 * (x2 - x1), 0.22 * lh))
        year = _SEAL_COLOURS[int(rng.integers(len(_SEAL_COLOURS)))]
        for fy, fill in ((0.3, year), (0.72, (200, 200, 196))):
            c = (int(round(cx)), int(round(y1 + fy * lh)))
            cv2.circle(canvas, c, int(round(r)), fill, -1, cv2.LINE_AA)
            cv2.circle(canvas, c, max(1, int(round(r * 0.45))), (70, 70, 70), 1, cv2.LINE_AA)
    else:
        raise InputError(f"unknown plate mark {name!r}; known: {', '.join(MARKS)}")


# Hauptuntersuchung stickers: one colour per year, in a six-year cycle.
_SEAL_COLOURS = (
    (228, 94, 160),
    (60, 160, 70),
    (240, 140, 30),
    (60, 120, 200),
    (250, 210, 40),
    (150, 100, 60),
)


def draw_sk_shield(
    canvas: np.ndarray, cx: float, top: float, w: float, rng: np.random.Generator
) -> None:
    """The Slovak coat of arms, ``w`` pixels wide, centred on ``cx`` below row ``top``: a
    shield with a round foot, a white double cross on red over blue hills, and a light or
    grey rim. Its colours fade towards white by a random amount: in photos the red often
    reads much lighter than the ink, and a dark, solid shield alone taught a recogniser to
    read the real ones as letters."""
    import cv2

    fade = rng.uniform(0.0, 0.6)
    red, blue = (np.array(c) * (1 - fade) + 255 * fade for c in ((238, 28, 37), (11, 78, 162)))
    h = 1.2 * w
    foot = [
        (cx + w / 2 * np.cos(a), top + 0.55 * h + 0.45 * h * np.sin(a))
        for a in np.linspace(0, np.pi, 13)
    ]
    outline = [np.round([(cx - w / 2, top), (cx + w / 2, top), *foot]).astype(np.int32)]
    inside = np.zeros(canvas.shape[:2], np.uint8)
    cv2.fillPoly(inside, outline, 1)
    hills = inside.astype(bool)
    hills[: max(0, int(top + 0.68 * h))] = False
    cv2.fillPoly(canvas, outline, red.tolist(), cv2.LINE_AA)
    canvas[hills] = blue
    bar = max(1, int(round(0.1 * w)))
    white = (255, 255, 255)
    cv2.line(canvas, (int(cx), int(top + 0.1 * h)), (int(cx), int(top + 0.66 * h)), white, bar)
    for fy, half in ((0.27, 0.2), (0.45, 0.3)):
        y = int(top + fy * h)
        cv2.line(canvas, (int(cx - half * w), y), (int(cx + half * w), y), white, bar)
    rim = (225, 225, 220) if rng.random() < 0.5 else (90, 90, 90)
    cv2.polylines(canvas, outline, True, rim, max(1, int(round(0.06 * w))), cv2.LINE_AA)
