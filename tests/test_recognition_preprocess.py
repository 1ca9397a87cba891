"""Crop preprocessing (NumPy/OpenCV only): sizes, colour, two-line strips, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lprkit.recognition import preprocess as pp


def test_resize_grey_rgb_and_scale():
    crops = [np.full((40, 200, 3), 255, np.uint8), np.zeros((10, 30, 3), np.uint8)]
    grey = pp.preprocess_crops(crops, (128, 32), channels=1)
    assert grey.shape == (2, 32, 128, 1) and grey.dtype == np.float32
    assert grey[0].min() == pytest.approx(1.0) and grey[1].max() == 0.0
    rgb = pp.preprocess_crops(np.stack([crops[0]] * 3), (94, 24), channels=3)
    assert rgb.shape == (3, 24, 94, 3)
    fitted = pp.fit_crops(crops, (94, 24), channels=3)
    assert fitted.dtype == np.uint8 and fitted.shape == (2, 24, 94, 3)


def test_grey_and_rgba_crops_are_accepted():
    out = pp.preprocess_crops(
        [np.zeros((20, 60), np.uint8), np.zeros((20, 60, 4), np.uint8)], (64, 16), 3
    )
    assert out.shape == (2, 16, 64, 3)


@pytest.mark.parametrize(
    ("crop", "message"),
    [
        (np.zeros((20, 60, 3), np.float32), "crop 0 has dtype float32"),
        (np.zeros((20, 60, 2), np.uint8), r"crop 0 has shape \(20, 60, 2\)"),
        (np.zeros((1, 60, 3), np.uint8), "at least 2 pixels"),
    ],
)
def test_bad_crops_are_named(crop, message):
    with pytest.raises(ValueError, match=message):
        pp.preprocess_crops([crop], (128, 32))


def test_bad_settings():
    crop = np.zeros((20, 60, 3), np.uint8)
    with pytest.raises(ValueError, match="channels=2"):
        pp.preprocess_crops([crop], (128, 32), channels=2)
    with pytest.raises(ValueError, match="2 flags for 1 crops"):
        pp.preprocess_crops([crop], (128, 32), two_line=[True, False])
    with pytest.raises(ValueError, match="'auto', 'best'"):
        pp.preprocess_crops([crop], (128, 32), two_line="yes")


def test_split_two_lines_puts_rows_side_by_side():
    crop = np.zeros((100, 200, 3), np.uint8)
    crop[:42] = 200  # upper row bright, lower row dark
    strip = pp.split_two_lines(crop, split=0.42)
    assert strip.shape[0] == 58
    assert strip.shape[1] == 200 + round(200 * 58 / 42)
    assert strip[:, :10].min() == 200 and strip[:, -10:].max() == 0


def test_two_line_flags_auto_and_hook():
    wide, square = np.zeros((30, 150, 3), np.uint8), np.zeros((60, 100, 3), np.uint8)
    assert not pp.is_two_line(wide) and pp.is_two_line(square)
    seen = []

    def hook(crop):
        seen.append(crop.shape)
        return crop

    pp.preprocess_crops([wide, square], (128, 32), two_line="auto", two_line_hook=hook)
    assert seen == [(60, 100, 3)]


def test_best_reads_possible_two_line_crops_both_ways_and_keeps_the_more_confident():
    from lprkit.recognition.base import PlateRead

    wide = np.zeros((20, 100, 3), np.uint8)  # width/height 5: one line only, read once
    strip_wins = np.zeros((40, 80, 3), np.uint8)  # width/height 2: read both ways
    flat_wins = np.ones((40, 80, 3), np.uint8)
    calls = []

    def predict_proba(crops, two_line):
        calls.append((len(crops), two_line))
        return [(two_line, int(c[0, 0, 0])) for c in crops]

    def decode(probs):  # flat readings 0.6; strips 0.9 for crops of 0s, 0.3 for crops of 1s
        return [
            PlateRead(f"{'strip' if strip else 'flat'}{v}", (0.3 if v else 0.9) if strip else 0.6)
            for strip, v in probs
        ]

    reads = pp.read_crops([wide, strip_wins, flat_wins], "best", predict_proba, decode)
    assert [r.text for r in reads] == ["flat0", "strip0", "flat1"]
    assert calls == [(3, False), (2, True)]
    calls.clear()
    assert [r.text for r in pp.read_crops([wide], "best", predict_proba, decode)] == ["flat0"]
    assert calls == [(1, False)]  # no candidate: no second pass
    calls.clear()
    pp.read_crops([wide, flat_wins], "auto", predict_proba, decode)
    assert calls == [(2, "auto")]  # other modes: one pass, as asked


def test_module_does_not_import_tensorflow():
    code = (
        "import sys, numpy as np; from lprkit.recognition import preprocess, ctc, metrics;"
        "preprocess.preprocess_crops([np.zeros((9, 9, 3), np.uint8)], (8, 8));"
        "ctc.decode(np.full((4, 3), 1/3), ctc.Alphabet('t', ('a', 'b')));"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_read_crops_refuses_one_image_instead_of_a_list():
    from lprkit.recognition.preprocess import read_crops

    crop = np.zeros((32, 128, 3), np.uint8)
    with pytest.raises(ValueError, match=r"wrap a single crop as \[crop\]"):
        read_crops(crop, False, lambda c, f: None, lambda p: None)
