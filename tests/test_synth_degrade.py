"""Degradations: reproducible, shape-preserving, each one actually changes the plate."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.synth.degrade import DEGRADATIONS, apply, degrade
from lprkit.synth.render import render_plate


@pytest.fixture(scope="module")
def plate() -> np.ndarray:
    return render_plate("12가3456", "kr_private_2006", 0, scale=0.4).image


def test_degrade_same_seed_same_bytes(plate):
    a = degrade(plate, 11)
    b = degrade(plate, np.random.default_rng(11))
    c = degrade(plate, 12)
    assert a.shape == plate.shape and a.dtype == np.uint8
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()


def test_strength_zero_is_a_copy(plate):
    out = degrade(plate, 1, strength=0)
    assert out is not plate and np.array_equal(out, plate)
    assert np.array_equal(apply("noise", plate, 1, strength=0), plate)


@pytest.mark.parametrize("name", list(DEGRADATIONS))
def test_each_degradation_changes_and_reproduces(name, plate):
    a = apply(name, plate, 5, strength=1.5)
    b = apply(name, plate, 5, strength=1.5)
    assert a.shape == plate.shape and a.dtype == np.uint8
    assert a.tobytes() == b.tobytes()
    assert np.abs(a.astype(int) - plate.astype(int)).mean() > 0.5


def test_grayscale_effects_are_gray(plate):
    for name in ("grayscale", "night_ir"):
        out = apply(name, plate, 2)
        assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])


def test_stronger_means_more_change(plate):
    diffs = []
    for s in (0.3, 2.0):
        outs = [degrade(plate, i, strength=s) for i in range(30)]
        diffs.append(np.mean([np.abs(o.astype(int) - plate).mean() for o in outs]))
    assert diffs[1] > diffs[0]


def test_probabilities_override_and_errors(plate):
    only_gray = {n: 0.0 for n in DEGRADATIONS} | {"grayscale": 1.0}
    out = degrade(plate, 3, probabilities=only_gray)
    assert np.array_equal(out[..., 0], out[..., 2])
    with pytest.raises(ValueError, match="unknown degradations \\['fog'\\]"):
        degrade(plate, 3, probabilities={"fog": 1.0})
    with pytest.raises(ValueError, match="unknown degradation 'fog'"):
        apply("fog", plate)
    with pytest.raises(ValueError, match=r"RGB uint8 image \(H, W, 3\), got shape \(4, 4\)"):
        degrade(np.zeros((4, 4), np.uint8), 0)
