"""DIN 1451 ``M`` and ``W`` drawn from strokes, for European plates.

European plates use DIN 1451 Mittelschrift (and Germany's FE-Schrift since 2000). The free
Open DIN face draws ``M`` with its middle vertex near the baseline and ``W`` with its middle
apex at cap height; on DIN plates the ``M``'s vertex stops around mid-height and the ``W``'s
middle apex sits below the top. A recogniser trained on Open DIN alone read the real ``M``
as ``H`` (``LM-633BD`` -> ``LH633BD``) and the real ``W`` as ``M`` or ``VV``. DIN 1451 is a
constructed face, lines of one width on a grid, so these two letters are drawn here the same
way, at the stem width and size of the plate's own font.
"""

from __future__ import annotations

import numpy as np

from lprkit.errors import InputError

DIN_LETTERS = ("M", "W")


def din_letter_mask(letter: str, width: int, height: int, stem: int, depth: float) -> np.ndarray:
    """Ink coverage (float32 0..1, ``(height, width)``) of a DIN 1451-style ``M`` or ``W``.

    Parameters
    ----------
    letter
        ``"M"`` or ``"W"``.
    width, height
        Glyph box in pixels (the ink box of the font's own letter).
    stem
        Stroke width in pixels.
    depth
        ``M``: how far down the middle vertex reaches (fraction of the height, from the top);
        ``W``: how far down the middle apex starts (0 is cap height).

    Raises
    ------
    ValueError
        For a letter other than those in :data:`DIN_LETTERS`, or a box too small to draw.
    """
    import cv2

    if letter not in DIN_LETTERS:
        raise InputError(f"no DIN stroke glyph for {letter!r}; drawn: {', '.join(DIN_LETTERS)}")
    if width < 3 * stem or height < 2 * stem or stem < 1:
        raise InputError(f"box {width}x{height} is too small for stem {stem}")
    k = 4  # draw 4x larger, then area-average: smooth edges at any size
    w, h, s = width * k, height * k, stem * k
    img = np.zeros((h, w), np.uint8)
    half = s / 2
    if letter == "M":
        # two upright stems; diagonals from their tops meet at the vertex
        strokes = [
            ((half, 0), (half, h)),
            ((w - half, 0), (w - half, h)),
            ((half, half), (w / 2, depth * h)),
            ((w - half, half), (w / 2, depth * h)),
        ]
    else:
        # four diagonals: outer ones from the top corners to the feet, inner ones to the apex
        feet = (0.28 * w, 0.72 * w)
        apex = (w / 2, depth * h + half)
        strokes = [
            ((half, 0), (feet[0], h - half)),
            ((feet[0], h - half), apex),
            (apex, (feet[1], h - half)),
            ((feet[1], h - half), (w - half, 0)),
        ]
    for a, b in strokes:
        pa = tuple(int(round(v)) for v in a)
        pb = tuple(int(round(v)) for v in b)
        cv2.line(img, pa, pb, 255, s, cv2.LINE_AA)
    out = cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)
    return out.astype(np.float32) / 255.0
