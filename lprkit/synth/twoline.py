"""Two-line plates to the one-line strip that CTC recognisers read.

A CTC recogniser reads left to right along one row of features, so a two-line plate (Korean
green and commercial plates, Hong Kong and Indian square plates) is cut at the gap between
its lines and the top line is scaled to the bottom line's height and put in front of it:

    ┌──────────┐
    │  서울 12  │        ┌──────┬──────────────┐
    │ 가 3456   │   ->   │서울12│ 가 3456       │
    └──────────┘        └──────┴──────────────┘

The same function runs on synthetic training plates and on real crops at inference, so the
recogniser always sees what it was trained on.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SPLIT = 0.4  # where the lines part on most two-line plates (fraction of the height)
SEARCH = (0.25, 0.6)  # rows searched for the gap when ``split`` is not given
TOP_SPAN = (0.12, 0.88)  # the top line is centred and narrower than the plate


def find_split(image: np.ndarray, search: tuple[float, float] = SEARCH) -> float:
    """Estimate the row (fraction of the height) between the two lines of a plate crop.

    Text rows are rich in horizontal intensity changes; the gap between lines is not. The
    smoothed per-row energy of the horizontal gradient is minimised over ``search``.
    """
    image = _check(image)
    gray = image.astype(np.float32).mean(axis=2) if image.ndim == 3 else image.astype(np.float32)
    h, w = gray.shape
    x1, x2 = int(w * 0.1), max(int(w * 0.9), int(w * 0.1) + 2)  # skip bolts and borders
    energy = np.abs(np.diff(gray[:, x1:x2], axis=1)).mean(axis=1)
    k = max(1, h // 48)
    energy = np.convolve(energy, np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    lo, hi = int(h * search[0]), max(int(h * search[1]), int(h * search[0]) + 1)
    if hi - lo < 2:
        return DEFAULT_SPLIT
    return float((lo + int(np.argmin(energy[lo:hi])) + 0.5) / h)


def to_single_line(
    image: np.ndarray, split: float | None = None, top_span: tuple[float, float] = TOP_SPAN
) -> np.ndarray:
    """Turn a two-line plate image into a one-line strip, top line first.

    Parameters
    ----------
    image
        RGB (or grayscale) uint8 plate crop, ``(H, W[, 3])``.
    split
        Row between the lines as a fraction of the height; ``None`` estimates it with
        :func:`find_split`.
    top_span
        Horizontal part of the top line kept (fractions of the width): the top line of a
        two-line plate is short and centred.

    Returns
    -------
    numpy.ndarray
        ``(H - s, w_top + W[, 3])`` with ``s = round(split * H)``: the top line, scaled to the
        bottom line's height, then the bottom line.

    Raises
    ------
    ValueError
        For a non-image array or a split outside ``(0, 1)``.
    """
    import cv2

    image = _check(image)
    h, w = image.shape[:2]
    if split is None:
        split = find_split(image)
    if not 0.0 < split < 1.0:
        raise ValueError(f"split must be a fraction of the height in (0, 1), got {split}")
    s = min(max(int(round(split * h)), 1), h - 1)
    x1, x2 = int(round(top_span[0] * w)), int(round(top_span[1] * w))
    if x2 - x1 < 1:
        raise ValueError(f"top_span {top_span} keeps no column of a {w}-pixel-wide image")
    top, bottom = image[:s, x1:x2], image[s:]
    hb = bottom.shape[0]
    new_w = max(1, int(round(top.shape[1] * hb / top.shape[0])))
    top = cv2.resize(top, (new_w, hb), interpolation=cv2.INTER_LINEAR)
    if top.ndim < bottom.ndim:  # cv2 drops a singleton channel axis
        top = top[:, :, None]
    return np.ascontiguousarray(np.concatenate([top, bottom], axis=1))


def _check(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] < 2 or image.shape[1] < 2:
        raise ValueError(
            f"expected a plate image (H, W) or (H, W, C) at least 2 x 2, got shape {image.shape}"
        )
    return image
