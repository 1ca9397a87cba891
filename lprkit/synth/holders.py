"""Plate holders: the plastic or chrome frame many cars mount their plate in.

A detector's box is the plate, but the crop cut around it (box plus a margin) shows the holder
as well: a dark band on every side, often wider at the bottom where a dealer prints its name.
Recognisers trained only on bare plates read such crops worse; on the European photos a thick
dark frame next to the Slovak arms made ``crnn-latin`` read the arms as a first letter.

:func:`add_holder` draws one around a rendered plate. Styles say how often their plates have
one (:attr:`lprkit.synth.styles.PlateStyle.holder`).
"""

from __future__ import annotations

import numpy as np

from lprkit.errors import InputError

DEALER_WORDS = (
    "AUTO",
    "MOBIL",
    "CARS",
    "SERVICE",
    "MOTORS",
    "CENTRUM",
    "GMBH",
    "S.R.O.",
    "AUTOHAUS",
)


def add_holder(plate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The plate inside a holder frame on a car; a larger RGB uint8 image, the plate unchanged.

    The frame is 3-12% of the plate height on the top and sides and up to 2.2 times that at
    the bottom; black or dark grey plastic (chrome one time in five), and on half of the
    frames a line of small dealer text on the bottom bar. Around it, 0-10% of the plate width
    (left and right) and 0-20% of its height (top and bottom) of plain car body.

    Parameters
    ----------
    plate
        RGB uint8 ``(H, W, 3)`` plate image.
    rng
        The plate's generator (the frame's size, colour and text come from it).

    Raises
    ------
    ValueError
        If ``plate`` is not an RGB uint8 image.
    """
    import cv2

    plate = np.asarray(plate)
    if plate.ndim != 3 or plate.shape[2] != 3 or plate.dtype != np.uint8:
        raise InputError(
            f"add_holder needs an RGB uint8 image (H, W, 3), got shape {plate.shape} "
            f"dtype {plate.dtype}"
        )
    h, w = plate.shape[:2]
    u = rng.random(8)
    side = max(1, int(round(h * (0.03 + 0.09 * u[0]))))
    bottom = max(side, int(round(side * (1 + 1.2 * u[1]))))
    grey = 150 + 60 * u[3] if u[2] < 0.2 else 12 + 50 * u[3]  # chrome, or plastic
    colour = tuple(float(grey * t) for t in (1.0, 1.0, 1.03))
    out = cv2.copyMakeBorder(plate, side, bottom, side, side, cv2.BORDER_CONSTANT, value=colour)
    if u[4] < 0.5 and bottom >= 4:
        words = rng.choice(DEALER_WORDS, size=int(rng.integers(1, 4)))
        text = " ".join(str(word) for word in words)
        ink = (230.0,) * 3 if grey < 100 else (40.0,) * 3
        scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, max(2, int(bottom * 0.5)))
        (tw, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        x = int(side + (w - tw) * u[5])
        y = int(h + side + bottom * 0.75)
        cv2.putText(
            out, text, (max(x, side), y), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, 1, cv2.LINE_AA
        )
    # and some of the car around it: crops are cut with a margin around the plate's box
    # (frame_crops: 8% a side), so the holder is seldom at the crop's edge
    mx, my = int(w * 0.1 * u[6]), int(h * 0.2 * u[7])
    body = tuple(float(v) for v in rng.uniform(20, 200) * rng.uniform(0.8, 1.2, 3))
    return cv2.copyMakeBorder(out, my, my, mx, mx, cv2.BORDER_CONSTANT, value=body)
