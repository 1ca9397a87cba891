"""Letterbox geometry, pixels and box mapping (NumPy/OpenCV only)."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.detection.letterbox import (
    PAD_VALUE,
    from_letterbox,
    letterbox,
    letterbox_geometry,
    to_letterbox,
)


def test_geometry_of_a_wide_image():
    geo = letterbox_geometry(200, 100, 64)
    assert (geo.scale, geo.pad_x, geo.pad_y) == (0.32, 0, 16)
    tall = letterbox_geometry(50, 100, 64)
    assert (tall.scale, tall.pad_x, tall.pad_y) == (0.64, 16, 0)


def test_letterbox_pixels_are_centred_and_padded():
    image = np.full((100, 200, 3), 200, np.uint8)
    out, geo = letterbox(image, 64)
    assert out.shape == (64, 64, 3) and out.dtype == np.uint8
    assert (out[:16] == PAD_VALUE).all() and (out[48:] == PAD_VALUE).all()
    assert (out[16:48] == 200).all()
    assert geo.width == 200 and geo.height == 100 and geo.size == 64


def test_boxes_round_trip_and_clip():
    geo = letterbox_geometry(640, 480, 416)
    boxes = np.array([[10, 20, 110, 60], [600, 400, 640, 480]], np.float32)
    inside = to_letterbox(boxes, geo)
    np.testing.assert_allclose(inside[0], [6.5, 13 + 52, 71.5, 39 + 52])
    np.testing.assert_allclose(from_letterbox(inside, geo), boxes, atol=1e-4)
    outside = np.array([[-20, -20, 500, 500]], np.float32)  # reaches into the padding
    np.testing.assert_allclose(from_letterbox(outside, geo), [[0, 0, 640, 480]])


@pytest.mark.parametrize("shape,dtype", [((10, 10), np.uint8), ((10, 10, 4), np.uint8),
                                         ((10, 10, 3), np.float32)])
def test_letterbox_rejects_non_rgb_uint8(shape, dtype):
    with pytest.raises(ValueError, match="RGB uint8"):
        letterbox(np.zeros(shape, dtype), 32)
