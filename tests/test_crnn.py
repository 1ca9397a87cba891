"""CRNN builder: shapes, time steps for CTC, named layers, unrolled rebuild."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.charset import KOREAN, LATIN
from lprkit.models.crnn import crnn, min_time_steps, with_unrolled_rnn

SMALL = {"filters": (8, 8, 16, 16), "rnn_units": 16}


def test_shapes_and_time_steps():
    model = crnn(KOREAN, **SMALL)
    assert model.input_shape == (None, 32, 128, 1)
    assert model.output_shape == (None, 32, KOREAN.num_classes)
    # the longest Korean plates (8 tokens) and the 9-token margin both fit
    assert model.output_shape[1] >= min_time_steps(len(KOREAN.tokenize("서울12가3456")))
    assert model.output_shape[1] >= min_time_steps(9) == 17
    names = {layer.name for layer in model.layers}
    assert {"image", "bi_lstm1", "bi_lstm2", "logits", "probs"} <= names


def test_rgb_gru_and_taller_input():
    model = crnn("latin", input_size=(160, 64), channels=3, rnn="gru", **SMALL)
    assert model.input_shape == (None, 64, 160, 3)
    assert model.output_shape == (None, 40, LATIN.num_classes)
    x = np.random.default_rng(0).random((2, 64, 160, 3), dtype=np.float32)
    y = model.predict(x, verbose=0)
    assert np.allclose(y.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_size": (64, 32)}, "T=16"),
        ({"input_size": (130, 32)}, "multiple of 4"),
        ({"channels": 2}, "channels=2"),
        ({"rnn": "rnn"}, "'lstm' or 'gru'"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        crnn(KOREAN, **{**SMALL, **kwargs})


@pytest.mark.parametrize("rnn", ["lstm", "gru"])
def test_unrolled_rebuild_gives_same_outputs(rnn):
    model = crnn(LATIN, rnn=rnn, **SMALL)
    unrolled = with_unrolled_rnn(model)
    cells = [layer.forward_layer for layer in unrolled.layers if layer.name.startswith("bi_")]
    assert cells and all(c.unroll for c in cells)
    x = np.random.default_rng(1).random((3, 32, 128, 1), dtype=np.float32)
    np.testing.assert_allclose(unrolled(x), model(x), atol=1e-5)


@pytest.mark.slow
def test_ctc_loss_decreases_on_tiny_overfit():
    import keras

    from lprkit.recognition.ctc import ctc_loss

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(3)
    x = rng.random((8, 32, 128, 1), dtype=np.float32)
    texts = ["AB12", "CD34", "EF56", "GH78", "JK90", "LM13", "NP57", "RS24"]
    y = np.array([LATIN.encode(t) for t in texts], dtype=np.int32)
    model = crnn(LATIN, **SMALL)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=ctc_loss)
    losses = [float(model.train_on_batch(x, y)) for _ in range(8)]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.7 * losses[0]
