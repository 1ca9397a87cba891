"""Two-line plates to one-line strips: shape, order (top line first) and split finding."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.synth.render import random_plate, render_plate
from lprkit.synth.styles import STYLES
from lprkit.synth.twoline import TOP_SPAN, find_split, to_single_line

TWO_LINE = [n for n, s in STYLES.items() if s.two_line]


def test_strip_shape_on_a_synthetic_array():
    img = np.zeros((100, 200, 3), np.uint8)
    img[:40] = 200  # top line area bright, bottom dark
    strip = to_single_line(img, split=0.4)
    top_w = round(200 * (TOP_SPAN[1] - TOP_SPAN[0]) * 60 / 40)
    assert strip.shape == (60, top_w + 200, 3) and strip.dtype == np.uint8
    assert strip[:, :top_w].min() == 200 and strip[:, top_w:].max() == 0  # top first
    assert to_single_line(img[:, :, 0], split=0.4).shape == (60, top_w + 200)


@pytest.mark.parametrize("name", TWO_LINE)
def test_rendered_two_line_plate_order(name):
    p = random_plate(name, 4, scale=0.5)
    h, w = p.image.shape[:2]
    strip = to_single_line(p.image, p.split)
    s = round(p.split * h)
    assert strip.shape[0] == h - s and strip.shape[1] > w
    # the right part of the strip is the bottom line, unchanged
    assert np.array_equal(strip[:, -w:], p.image[s:])
    # the left part is the top line's characters: darker/lighter ink where the top boxes were
    top_w = strip.shape[1] - w
    ink = np.array(STYLES[name].ink, float)
    left = strip[:, :top_w].reshape(-1, 3).astype(float)
    assert (np.abs(left - ink).sum(axis=1) < 60).mean() > 0.03


@pytest.mark.parametrize("name", TWO_LINE)
def test_find_split_lands_between_the_lines(name):
    for seed in range(5):
        p = random_plate(name, seed, scale=0.4)
        h = p.image.shape[0]
        top = p.char_boxes[:, 3] <= p.split * h + 1
        lo = p.char_boxes[top, 3].max() / h - 0.03
        hi = p.char_boxes[~top, 1].min() / h + 0.03
        assert lo <= find_split(p.image) <= hi


def test_bad_inputs():
    img = render_plate("서울12가3456", "kr_green_2line", 0, scale=0.3).image
    with pytest.raises(ValueError, match="split must be a fraction"):
        to_single_line(img, split=1.2)
    with pytest.raises(ValueError, match="expected a plate image"):
        to_single_line(np.zeros((5,), np.uint8))
