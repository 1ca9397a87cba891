"""Emblems printed between the characters of a plate (``Field.mark`` in the styles).

Not part of the label, but a reader must learn to skip them: the Slovak coat of arms between
district and number (read as ``5`` or ``9`` by a model that never saw it) and the German
inspection and registration seals after the city code.
"""

from __future__ import annotations

import numpy as np

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
        raise ValueError(f"unknown plate mark {name!r}; known: {', '.join(MARKS)}")


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
    """The Slovak coat of arms, ``w`` pixels wide, centred on ``cx`` below row ``top``: a red
    shield with a white double cross over blue hills. Its colours fade towards white by a
    random amount, and half the shields get a thin grey rim: in photos the red often reads
    much lighter than the ink, and a dark, solid shield alone taught a recogniser to read the
    real ones as letters."""
    import cv2

    fade = rng.uniform(0.0, 0.6)
    red, blue = (np.array(c) * (1 - fade) + 255 * fade for c in ((238, 28, 37), (11, 78, 162)))

    sx1, sx2, sy1, sy2 = cx - w / 2, cx + w / 2, top, top + 1.2 * w
    shield = np.array(
        [
            (sx1, sy1),
            (sx2, sy1),
            (sx2, sy1 + 0.6 * (sy2 - sy1)),
            (cx, sy2),
            (sx1, sy1 + 0.6 * (sy2 - sy1)),
        ],
        np.float32,
    )
    outline = [np.round(shield).astype(np.int32)]
    cv2.fillPoly(canvas, outline, red.tolist(), cv2.LINE_AA)
    hill = (int(round(cx)), int(round(sy1 + 0.85 * (sy2 - sy1))))
    cv2.circle(canvas, hill, max(1, int(0.22 * w)), blue.tolist(), -1, cv2.LINE_AA)
    bar = max(1, int(round(0.1 * w)))
    cv2.line(
        canvas,
        (int(cx), int(sy1 + 0.12 * w)),
        (int(cx), int(sy1 + 0.8 * w)),
        (255, 255, 255),
        bar,
        cv2.LINE_AA,
    )
    for fy, half in ((0.3, 0.22), (0.52, 0.32)):
        y = int(sy1 + fy * w)
        cv2.line(
            canvas,
            (int(cx - half * w), y),
            (int(cx + half * w), y),
            (255, 255, 255),
            bar,
            cv2.LINE_AA,
        )
    if rng.random() < 0.5:
        rim = max(1, int(round(0.06 * w)))
        cv2.polylines(canvas, outline, True, (90, 90, 90), rim, cv2.LINE_AA)
