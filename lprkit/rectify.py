"""Cutting plate crops out of frames: margin around a box, or perspective rectification
from four corners. NumPy + OpenCV only, so the edge runtime uses the same code."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lprkit.errors import InputError


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", type(image).__name__)
        raise InputError(f"expected an RGB image of shape (H, W, 3), got {shape}")
    if image.dtype != np.uint8:
        raise InputError(f"expected a uint8 image, got dtype {image.dtype}")


def expand_box(
    box: Sequence[float], margin: float, width: int, height: int
) -> tuple[int, int, int, int]:
    """Grow ``(x1, y1, x2, y2)`` by ``margin`` × its size on each side, clipped to the image.

    Returns integer pixel bounds suitable for slicing (``x2``/``y2`` exclusive).
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    if not (x2 > x1 and y2 > y1):
        raise InputError(f"box {tuple(box)} is empty: need x2 > x1 and y2 > y1")
    dx, dy = (x2 - x1) * margin, (y2 - y1) * margin
    return (
        max(0, int(np.floor(x1 - dx))),
        max(0, int(np.floor(y1 - dy))),
        min(width, int(np.ceil(x2 + dx))),
        min(height, int(np.ceil(y2 + dy))),
    )


def crop_box(image: np.ndarray, box: Sequence[float], margin: float = 0.08) -> np.ndarray:
    """Axis-aligned crop of ``box`` with a relative ``margin`` (the detector's boxes are tight).

    Raises
    ------
    ValueError
        If the image is not RGB uint8, or the box is empty or lies outside the image.
    """
    _check_image(image)
    h, w = image.shape[:2]
    x1, y1, x2, y2 = expand_box(box, margin, w, h)
    if x2 <= x1 or y2 <= y1:
        raise InputError(f"box {tuple(box)} lies outside the {w}x{h} image")
    return image[y1:y2, x1:x2].copy()


def order_corners(corners: np.ndarray) -> np.ndarray:
    """Order four points as top-left, top-right, bottom-right, bottom-left."""
    pts = np.asarray(corners, dtype=np.float32).reshape(4, 2)
    s, d = pts.sum(axis=1), np.diff(pts, axis=1)[:, 0]
    return np.stack([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]])


def rectify_corners(
    image: np.ndarray, corners: np.ndarray, out_size: tuple[int, int] | None = None
) -> np.ndarray:
    """Warp the quadrilateral ``corners`` (4×2, any order) to an upright rectangle.

    ``out_size`` is ``(width, height)``; by default the mean side lengths of the quadrilateral.
    """
    import cv2

    _check_image(image)
    src = order_corners(corners)
    if out_size is None:
        w = 0.5 * (np.linalg.norm(src[1] - src[0]) + np.linalg.norm(src[2] - src[3]))
        h = 0.5 * (np.linalg.norm(src[3] - src[0]) + np.linalg.norm(src[2] - src[1]))
        out_size = (max(2, round(w)), max(2, round(h)))
    w, h = out_size
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(
        image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
