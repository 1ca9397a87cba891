"""LPRNet builder: shapes, time steps, BatchNorm momentum, the STN sampler."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.charset import KOREAN, LATIN
from lprkit.models.crnn import min_time_steps
from lprkit.models.lprnet import AffineSampler, lprnet


def test_shapes_time_steps_and_no_rnn():
    model = lprnet(KOREAN)
    assert model.input_shape == (None, 24, 94, 3)
    assert model.output_shape == (None, 24, KOREAN.num_classes)
    assert model.output_shape[1] >= min_time_steps(9)
    kinds = {type(layer).__name__ for layer in model.layers}
    assert not kinds & {"LSTM", "GRU", "Bidirectional"}
    assert {"conv_1x13", "sbb1_squeeze", "context", "probs"} <= {lay.name for lay in model.layers}
    bns = [lay for lay in model.layers if type(lay).__name__ == "BatchNormalization"]
    assert bns and all(b.momentum == pytest.approx(0.9) for b in bns)
    x = np.random.default_rng(0).random((2, 24, 94, 3), dtype=np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0).sum(-1), 1.0, atol=1e-5)


def test_grey_and_other_sizes():
    model = lprnet(LATIN, input_size=(128, 32), channels=1)
    assert model.output_shape == (None, 32, LATIN.num_classes)
    with pytest.raises(ValueError, match="T=16"):
        lprnet(LATIN, input_size=(64, 24))
    with pytest.raises(ValueError, match="height"):
        lprnet(LATIN, input_size=(94, 12))


def test_stn_starts_as_identity():
    plain = lprnet(LATIN, dropout=0.0)
    with_stn = lprnet(LATIN, stn=True, dropout=0.0)
    assert "stn_sampler" in {lay.name for lay in with_stn.layers}
    # copy the shared layers' weights: with an identity transform the outputs agree
    for layer in plain.layers:
        if layer.weights:
            with_stn.get_layer(layer.name).set_weights(layer.get_weights())
    x = np.random.default_rng(2).random((2, 24, 94, 3), dtype=np.float32)
    np.testing.assert_allclose(with_stn(x), plain(x), atol=1e-4)


def test_affine_sampler_shifts_and_clamps():
    img = np.arange(2 * 4 * 5 * 1, dtype=np.float32).reshape(2, 4, 5, 1)
    identity = np.tile(np.float32([1, 0, 0, 0, 1, 0]), (2, 1))
    np.testing.assert_allclose(AffineSampler()([img, identity]), img, atol=1e-4)
    shift = np.tile(np.float32([1, 0, 2 / 4, 0, 1, 0]), (2, 1))  # one pixel to the right
    out = np.asarray(AffineSampler()([img, shift]))
    np.testing.assert_allclose(out[:, :, :-1], img[:, :, 1:], atol=1e-4)
    np.testing.assert_allclose(out[:, :, -1], img[:, :, -1], atol=1e-4)  # border repeated
