"""Letterboxing: resize an image into a square without distorting it, and map boxes both ways.

NumPy + OpenCV only (no TensorFlow): the edge runtime reuses it. Darknet's ``letterbox_image``
does the same: scale so that the longer side fits, centre, pad with mid-grey.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lprkit.errors import InputError

PAD_VALUE = 128


@dataclass(frozen=True)
class Letterbox:
    """How one image was placed in the square network input.

    ``input = original * scale + (pad_x, pad_y)``; ``width``/``height`` are the original size.
    """

    scale: float
    pad_x: int
    pad_y: int
    width: int
    height: int
    size: int


def letterbox_geometry(width: int, height: int, size: int) -> Letterbox:
    """Return the :class:`Letterbox` that fits a ``width x height`` image into ``size x size``."""
    if width <= 0 or height <= 0 or size <= 0:
        raise InputError(f"letterbox needs positive sizes, got {width}x{height} into {size}")
    scale = min(size / width, size / height)
    new_w = max(1, round(width * scale))
    new_h = max(1, round(height * scale))
    return Letterbox(scale, (size - new_w) // 2, (size - new_h) // 2, width, height, size)


def letterbox(
    image: np.ndarray, size: int, pad_value: int = PAD_VALUE
) -> tuple[np.ndarray, Letterbox]:
    """Resize an RGB uint8 ``(H, W, 3)`` image into ``(size, size, 3)`` keeping its aspect ratio.

    Returns
    -------
    padded, geometry
        The letterboxed uint8 image and the :class:`Letterbox` to map boxes with.
    """
    import cv2  # optional at import time: light modules stay importable without it

    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError(
            f"expected an RGB uint8 image of shape (H, W, 3), got {image.dtype} {image.shape}"
        )
    h, w = image.shape[:2]
    geo = letterbox_geometry(w, h, size)
    new_w, new_h = max(1, round(w * geo.scale)), max(1, round(h * geo.scale))
    interp = cv2.INTER_AREA if geo.scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interp)
    out = np.full((size, size, 3), pad_value, dtype=np.uint8)
    out[geo.pad_y : geo.pad_y + new_h, geo.pad_x : geo.pad_x + new_w] = resized
    return out, geo


def to_letterbox(boxes: np.ndarray, geo: Letterbox) -> np.ndarray:
    """Map ``(N, 4)`` original-pixel ``x1, y1, x2, y2`` boxes into network-input pixels."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    offset = np.array([geo.pad_x, geo.pad_y, geo.pad_x, geo.pad_y], dtype=np.float32)
    return boxes * np.float32(geo.scale) + offset


def from_letterbox(boxes: np.ndarray, geo: Letterbox, clip: bool = True) -> np.ndarray:
    """Map ``(N, 4)`` network-input boxes back to original pixels, clipped to the image."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    offset = np.array([geo.pad_x, geo.pad_y, geo.pad_x, geo.pad_y], dtype=np.float32)
    out = (boxes - offset) / np.float32(geo.scale)
    if clip:
        out = np.clip(out, 0.0, np.array([geo.width, geo.height] * 2, dtype=np.float32))
    return out
