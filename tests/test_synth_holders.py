"""Plate holders around recognition crops (lprkit.synth.holders)."""

import numpy as np
import pytest

from lprkit.synth.holders import add_holder
from lprkit.synth.render import render_plate


def _find(haystack: np.ndarray, needle: np.ndarray) -> tuple[int, int] | None:
    """Top-left corner where ``needle`` sits in ``haystack`` pixel for pixel, or None."""
    h, w = needle.shape[:2]
    for y in range(haystack.shape[0] - h + 1):
        for x in range(haystack.shape[1] - w + 1):
            if np.array_equal(haystack[y : y + h, x : x + w], needle):
                return y, x
    return None


def test_holder_surrounds_the_plate_and_keeps_it_unchanged():
    plate = render_plate("RK755AJ", "eu_sk", 0, scale=0.3).image
    framed = add_holder(plate, np.random.default_rng(4))
    assert framed.dtype == np.uint8 and framed.shape[2] == 3
    assert framed.shape[0] > plate.shape[0] and framed.shape[1] > plate.shape[1]
    at = _find(framed, plate)
    assert at is not None  # the plate is inside, untouched
    y, x = at
    # the frame is thicker (or as thick) at the bottom than at the top, where dealers print
    below = framed.shape[0] - (y + plate.shape[0])
    assert below >= y
    assert np.array_equal(framed, add_holder(plate, np.random.default_rng(4)))  # seeded


def test_holder_rejects_what_is_not_an_rgb_image():
    with pytest.raises(ValueError, match=r"RGB uint8.*\(20, 60\)"):
        add_holder(np.zeros((20, 60), np.uint8), np.random.default_rng(0))
    with pytest.raises(ValueError, match="float"):
        add_holder(np.zeros((20, 60, 3), np.float32), np.random.default_rng(0))


def test_only_styles_with_holders_get_one_and_about_half_of_european_crops(monkeypatch):
    import lprkit.synth.dataset as dataset
    from lprkit.synth.styles import EU_HOLDER_SHARE, get_style

    calls = []
    real = dataset.add_holder

    def spy(image, rng):
        calls.append(image.shape)
        return real(image, rng)

    monkeypatch.setattr(dataset, "add_holder", spy)
    dataset.generate_crops(40, "korean,us_california,hk_rear", size=(128, 32), seed=1, processes=1)
    assert calls == []  # styles without holders never get one
    dataset.generate_crops(40, "eu_de", size=(128, 32), seed=1, processes=1)
    assert EU_HOLDER_SHARE == 0.5 and 0.25 * 40 < len(calls) < 0.75 * 40
    assert get_style("kr_private_2006").holder == 0 and get_style("eu_sk_1997").holder > 0
