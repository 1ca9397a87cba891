"""TFLite conversion core: precisions, calibration input, metadata, TF Select reporting."""

from __future__ import annotations

import os

import numpy as np
import pytest

from lprkit.errors import LprkitError
from lprkit.export.tflite import (
    check_precision,
    convert,
    representative_samples,
    save_tflite,
)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def test_check_precision_names_what_is_accepted():
    assert check_precision("fp32") == ("fp32", None)
    assert check_precision("int8", "dynamic") == ("int8", "dynamic")
    with pytest.raises(ValueError, match="fp32, fp16, int8"):
        check_precision("bf16")
    with pytest.raises(ValueError, match="dynamic, full"):
        check_precision("int8", "weights")


def test_representative_samples_accepts_singles_and_batches():
    rng = np.random.default_rng(0)
    mixed = [rng.random((4, 6, 1)), rng.random((3, 4, 6, 1)), rng.random((4, 6, 1))]
    out = representative_samples(mixed, (4, 6, 1), limit=4)
    assert len(out) == 4 and all(s.shape == (1, 4, 6, 1) and s.dtype == np.float32 for s in out)
    assert len(representative_samples(rng.random((7, 4, 6, 1)), (4, 6, 1))) == 7
    with pytest.raises(ValueError, match=r"sample 1 has shape \(4, 5, 1\)"):
        representative_samples([rng.random((4, 6, 1)), rng.random((4, 5, 1))], (4, 6, 1))
    with pytest.raises(ValueError, match="NaN"):
        representative_samples([np.full((4, 6, 1), np.nan)], (4, 6, 1))
    with pytest.raises(ValueError, match="none were given"):
        representative_samples([], (4, 6, 1))


def test_save_tflite_is_atomic_and_refuses_to_overwrite(tmp_path):
    path = save_tflite(b"first", tmp_path / "m.tflite")
    with pytest.raises(FileExistsError, match="overwrite"):
        save_tflite(b"second", path)
    assert path.read_bytes() == b"first"
    save_tflite(b"second", path, overwrite=True)
    assert path.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["m.tflite"]  # no temp file left
    with pytest.raises(ValueError, match=".tflite"):
        save_tflite(b"x", tmp_path / "m.bin")


@pytest.fixture(scope="module")
def small_cnn():
    import keras
    from keras import layers

    keras.utils.set_random_seed(0)
    inp = keras.Input((16, 24, 3), name="image")
    x = layers.Conv2D(8, 3, padding="same", name="conv")(inp)
    x = layers.BatchNormalization(name="bn")(x)
    x = layers.ReLU(name="relu")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(5, activation="softmax", name="probs")(x)
    model = keras.Model(inp, out, name="small_cnn")
    bn = model.get_layer("bn")  # non-trivial moving statistics: inference mode must use them
    bn.moving_mean.assign(np.linspace(-0.2, 0.2, 8).astype("float32"))
    bn.moving_variance.assign(np.linspace(0.5, 2.0, 8).astype("float32"))
    return model


@pytest.mark.slow
def test_fp32_and_full_int8_match_keras(small_cnn):
    from lprkit.edge.runtime import LiteRTModel, read_metadata

    rng = np.random.default_rng(1)
    x = rng.random((3, 16, 24, 3), dtype=np.float32)
    ref = small_cnn(x, training=False).numpy()

    fp32 = convert(small_cnn, "fp32", metadata={"kind": "test", "note": "읽기"})
    assert fp32.select_ops == [] and fp32.ops["CONV_2D"] == 1 and fp32.max_abs_diff < 1e-5
    meta = read_metadata(fp32.content)
    assert meta["note"] == "읽기" and meta["precision"] == "fp32" and meta["batch_size"] == 1
    lite = LiteRTModel(fp32.content, num_threads=2)
    assert lite.input_shape == (1, 16, 24, 3) and not lite.quantized
    np.testing.assert_allclose(lite(x)[0], ref, atol=1e-5)  # a batch of 3 through batch 1

    int8 = convert(small_cnn, "int8", "full", representative_data=rng.random((30, 16, 24, 3)))
    q = LiteRTModel(int8.content)
    assert q.quantized and q.inputs[0].dtype == np.int8 and q.outputs[0].dtype == np.int8
    assert read_metadata(int8.content)["int8_mode"] == "full"
    assert int8.size_bytes < fp32.size_bytes
    np.testing.assert_allclose(q(x)[0], ref, atol=0.05)

    for precision, mode in (("fp16", "full"), ("int8", "dynamic")):  # no calibration needed
        small = convert(small_cnn, precision, mode)
        lite = LiteRTModel(small.content)
        assert not lite.quantized and read_metadata(small.content)["precision"] == precision
        if precision == "fp16":  # float16 weights, dequantised to float32 when loaded
            assert small.ops["DEQUANTIZE"] >= 1
        np.testing.assert_allclose(lite(x)[0], ref, atol=0.02)


def test_full_int8_needs_calibration(small_cnn):
    with pytest.raises(ValueError, match="representative_data"):
        convert(small_cnn, "int8", "full")


@pytest.mark.slow
def test_free_batch_lstm_needs_tf_select_and_says_which():
    import keras

    from lprkit.edge.runtime import LiteRTModel

    inp = keras.Input((6, 3), name="sequence")
    out = keras.layers.LSTM(4, return_sequences=True, name="lstm")(inp)
    model = keras.Model(inp, out, name="tiny_lstm")
    with pytest.raises(LprkitError, match="TensorListReserve"):
        convert(model, "fp32", batch_size=None)
    flex = convert(model, "fp32", batch_size=None, allow_select_ops=True)
    assert "TensorListReserve" in flex.select_ops and flex.max_abs_diff is None
    with pytest.raises(LprkitError, match="TF Select"):
        LiteRTModel(flex.content)


def test_recogniser_calibration_is_pinned_to_the_unit_input_range():
    from lprkit.export.tflite import _with_unit_range

    rng = np.random.default_rng(0)
    samples = [rng.uniform(0.1, 0.9, (1, 8, 16, 1)).astype(np.float32) for _ in range(3)]
    pinned = _with_unit_range(samples)
    assert min(s.min() for s in pinned) == 0.0 and max(s.max() for s in pinned) == 1.0
    assert np.count_nonzero(pinned[0] != samples[0]) == 2  # two pixels of the first sample
    assert all(a is b for a, b in zip(pinned[1:], samples[1:], strict=True))
    assert samples[0].min() >= 0.1  # the caller's arrays are left as they were
