"""Two-line plates to one-line strips: shape, order (top line first) and finding the gap,
level or tilted, in tight and loose crops."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.synth.render import random_plate, render_plate
from lprkit.synth.styles import STYLES
from lprkit.synth.twoline import (
    TEXT_MARGIN,
    TOP_LAYOUT,
    TOP_SPAN,
    crop_to_text,
    find_gap,
    find_split,
    to_single_line,
    top_layout_of,
)

TWO_LINE = [n for n, s in STYLES.items() if s.two_line]


def test_strip_shape_on_a_synthetic_array():
    img = np.zeros((100, 200, 3), np.uint8)
    img[:40] = 200  # top line area bright, bottom dark
    strip = to_single_line(img, split=0.4, top_layout="span")
    top_w = round(200 * (TOP_SPAN[1] - TOP_SPAN[0]) * 60 / 40)
    assert strip.shape == (60, top_w + 200, 3) and strip.dtype == np.uint8
    assert strip[:, :top_w].min() == 200 and strip[:, top_w:].max() == 0  # top first
    assert to_single_line(img[:, :, 0], split=0.4, top_layout="span").shape == (60, top_w + 200)
    # a blank top line has no text to crop to: the "text" layout keeps all of it
    assert np.array_equal(to_single_line(img, split=0.4, top_layout="text"), strip)


def test_crop_to_text_keeps_the_text_and_a_margin():
    top = np.full((40, 200, 3), 230, np.uint8)
    for x in (80, 95, 110):  # three dark strokes, rows 12..27, columns 80..114
        top[12:28, x : x + 5] = 20
    crop = crop_to_text(top)
    assert crop.base is not None  # a view: nothing copied
    rows = np.flatnonzero((crop < 100).any(axis=(1, 2)))
    cols = np.flatnonzero((crop < 100).any(axis=(0, 2)))
    assert len(rows) == 16 and len(cols) == 15 and cols[-1] - cols[0] == 34  # all strokes kept
    assert 2 <= rows[0] <= 10 and 2 <= crop.shape[0] - 1 - rows[-1] <= 10  # margins, not more
    assert 2 <= cols[0] <= 16 and 2 <= crop.shape[1] - 1 - cols[-1] <= 16
    assert crop.shape[1] < 0.4 * top.shape[1]


def test_text_layout_gives_the_short_top_line_more_of_the_strip():
    p = render_plate("12가3456", "kr_private_2line_short", 0, scale=0.5)
    h, w = p.image.shape[:2]
    span = to_single_line(p.image, p.split, top_layout="span")
    text = to_single_line(p.image, p.split, top_layout="text")
    assert span.shape[0] == text.shape[0]
    assert np.array_equal(text[:, -w:], span[:, -w:])  # the bottom line is the same
    top_span, top_text = span[:, : span.shape[1] - w], text[:, : text.shape[1] - w]
    assert top_text.shape[1] < 0.7 * top_span.shape[1]  # narrower: less of the plate's face

    def glyph_rows(img):  # share of the rows that cross the dark characters, not a border
        ink = (img < 100).all(axis=2).mean(axis=1)
        return ((ink > 0) & (ink < 0.6)).mean()

    # the characters are taller: all of the height but the margins above and below them
    assert glyph_rows(top_text) > glyph_rows(top_span)
    assert abs(glyph_rows(top_text) - 1 / (1 + 2 * TEXT_MARGIN)) < 0.05


def test_layout_names():
    img = render_plate("서울12가3456", "kr_green_2line", 0, scale=0.3).image
    with pytest.raises(ValueError, match=r"layout 'tight' is unknown; use one of \('span', 'text'\)"):
        to_single_line(img, top_layout="tight")

    class Tesseract:  # a reader without a layout of its own
        pass

    class Old:
        two_line_top = "span"

    assert top_layout_of(Tesseract()) == TOP_LAYOUT and top_layout_of(Old()) == "span"


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


def posed(name, seed, angle, pad_top=0.0, pad=0.1):
    """A rendered two-line plate rotated by ``angle`` degrees (counter-clockwise) inside a loose
    crop of plain background; returns the image and the corners of its top- and bottom-line
    characters in that image."""
    import cv2

    p = random_plate(name, seed, scale=0.3)
    h, w = p.image.shape[:2]
    out_w, out_h = int(w * (1 + 2 * pad)), int(h * (1 + pad + pad_top))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rot[:, 2] += (w * pad, h * pad_top)
    image = cv2.warpAffine(p.image, rot, (out_w, out_h), borderValue=(90, 90, 90))
    b = p.char_boxes
    corners = np.stack([b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]], b[:, [0, 3]]], axis=1)
    corners = corners @ rot[:, :2].T + rot[:, 2]
    top = b[:, 3] <= p.split * h + 1
    return image, corners[top].reshape(-1, 2), corners[~top].reshape(-1, 2)


def gap_offsets(image, split, angle, points):
    """Signed distances (pixels, down is positive) of ``points`` from the cut line."""
    h, w = image.shape[:2]
    return points[:, 1] - (split * h + np.tan(np.deg2rad(angle)) * (points[:, 0] - w / 2))


@pytest.mark.parametrize("name", TWO_LINE)
@pytest.mark.parametrize("angle", [-6.0, 5.0])
def test_find_gap_follows_a_tilted_plate(name, angle):
    for seed in range(3):
        image, top, bottom = posed(name, seed, angle)
        split, found = find_gap(image)
        assert gap_offsets(image, split, found, top).max() <= 1.0
        assert gap_offsets(image, split, found, bottom).min() >= -1.0


@pytest.mark.parametrize("name", TWO_LINE)
def test_upright_plate_is_cut_level(name):
    for seed in range(3):
        image, top, bottom = posed(name, seed, 0.0)
        split, angle = find_gap(image)
        assert abs(angle) <= 1.0
        assert gap_offsets(image, split, angle, top).max() <= 1.0
        assert gap_offsets(image, split, angle, bottom).min() >= -1.0


def test_plain_background_above_the_plate_is_not_taken_for_the_gap():
    # a loose crop: 45% of the plate's height of empty background above it, which crosses no
    # text at all; the gap must still be found between the two text lines
    image, top, bottom = posed("kr_green_2line", 1, 0.0, pad_top=0.45, pad=0.0)
    split = find_split(image)
    assert gap_offsets(image, split, 0.0, top).max() <= 1.0
    assert gap_offsets(image, split, 0.0, bottom).min() >= -1.0


def test_tilted_plate_is_levelled_before_the_cut():
    # white ink on green: where the bottom line's ink sits, in its left and right halves
    image, _, _ = posed("kr_green_2line", 2, 7.0)
    w = image.shape[1]

    def ink_drop(strip):
        bottom = strip[:, -w:].astype(float).mean(axis=2)
        rows = np.arange(bottom.shape[0])[:, None]
        left, right = bottom[:, w // 4 : w // 2] > 200, bottom[:, w // 2 : 3 * w // 4] > 200
        return (rows * right).sum() / right.sum() - (rows * left).sum() / left.sum()

    assert abs(ink_drop(to_single_line(image, max_tilt=0.0))) > 3.0  # cut level: still tilted
    strip = to_single_line(image)
    assert abs(ink_drop(strip)) < 1.5 and strip.dtype == np.uint8
    assert strip.shape[0] < image.shape[0]


def test_bad_inputs():
    img = render_plate("서울12가3456", "kr_green_2line", 0, scale=0.3).image
    with pytest.raises(ValueError, match="split must be a fraction"):
        to_single_line(img, split=1.2)
    with pytest.raises(ValueError, match="expected a plate image"):
        to_single_line(np.zeros((5,), np.uint8))
