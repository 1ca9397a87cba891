"""Export report helpers: latency, int8 activations, targets, detector input size, no-TF child."""

from __future__ import annotations

import os

import numpy as np
import pytest

from lprkit.edge.runtime import TensorInfo
from lprkit.errors import LprkitError
from lprkit.export.report import (
    Latency,
    check_target,
    int8_range,
    plot_quantization,
    run_without_tensorflow,
    targets_table,
    time_calls,
)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _info(scale, zero_point):
    return TensorInfo("t", 0, (1, 4), np.dtype(np.int8), scale, zero_point)


def test_time_calls_counts_warmup_and_runs():
    calls = []
    lat = time_calls(lambda: calls.append(1), runs=7, warmup=3)
    assert len(calls) == 10 and lat.runs == 7
    assert isinstance(lat, Latency) and lat.median_ms >= 0 and lat.cpu_ms >= 0
    with pytest.raises(ValueError, match="runs=0"):
        time_calls(lambda: None, runs=0)


def test_int8_range_and_targets_known_answers():
    assert int8_range(_info(0.1, -128)) == pytest.approx((0.0, 25.5))
    assert int8_range(_info(1 / 256, -128)) == pytest.approx((0.0, 255 / 256))
    assert int8_range(_info(0.5, 0)) == pytest.approx((-64.0, 63.5))
    ok = check_target("lprnet int8 1 thread", 0.8, 1.0, "ms")
    bad = check_target("crnn int8 1 thread", 2.5, 2.0, "ms")
    better = check_target("exact-match lost", -0.4, 1.0, "pp")  # int8 better than Keras
    assert ok.met and not bad.met and better.met
    assert not check_target("nothing measured", float("nan"), 1.0).met
    lines = targets_table([ok, bad]).splitlines()
    assert len(lines) == 2 and lines[0].endswith(": met") and lines[1].endswith(": NOT met")
    assert "0.800" in lines[0] and "target <= 2 ms" in lines[1]


def test_plot_quantization_draws_two_panels():
    import matplotlib

    matplotlib.use("Agg")
    f = np.linspace(0, 3, 200, dtype=np.float32)
    info = _info(0.02, -128)
    d = np.clip(np.round(f / 0.02) * 0.02, 0, 255 * 0.02)
    fig = plot_quantization(f, d, info, title="layer")
    assert len(fig.axes) == 2 and "zero point -128" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="200 float values against 10"):
        plot_quantization(f, d[:10], info)


@pytest.fixture(scope="module")
def tiny_int8(tmp_path_factory):
    """A tiny conv net, its fp32 and full-int8 files and its calibration inputs."""
    import keras

    from lprkit.export.tflite import convert

    keras.utils.set_random_seed(5)
    inp = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inp)
    x = keras.layers.ReLU(name="act")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    out = keras.layers.Dense(3, activation="softmax", name="probs")(x)
    model = keras.Model(inp, out, name="tiny")
    calib = np.random.default_rng(1).random((16, 8, 8, 1), dtype=np.float32)
    fp32 = convert(model, "fp32").content
    int8 = convert(model, "int8", "full", representative_data=calib).content
    return model, fp32, int8, calib


@pytest.mark.slow
def test_int8_activation_matches_keras_within_a_few_steps(tiny_int8):
    from lprkit.export.report import int8_activation, keras_activation, litert_latency

    model, fp32, int8, calib = tiny_int8
    x = calib[:1]
    codes, values, info = int8_activation(int8, x, "act")
    ref = keras_activation(model, x, "act")
    assert codes.dtype == np.int8 and codes.shape == ref.shape == (1, 8, 8, 4)
    assert info.scale > 0 and "act" in info.name
    np.testing.assert_allclose(values, (codes.astype(np.float32) - info.zero_point) * info.scale)
    # ReLU output: calibration maps 0 to the lowest code; errors of a few steps at most
    assert info.zero_point == -128 and values.min() >= 0
    assert np.max(np.abs(values - ref)) <= 3 * info.scale
    with pytest.raises(LprkitError, match="no int8 activation of layer 'nope'"):
        int8_activation(int8, x, "nope")
    with pytest.raises(LprkitError, match="full-integer"):
        int8_activation(fp32, x, "act")
    with pytest.raises(ValueError, match="takes"):
        int8_activation(int8, calib[:2], "act")
    with pytest.raises(ValueError, match="no layer 'nope'"):
        keras_activation(model, x, "nope")

    lat = litert_latency(int8, num_threads=1, runs=3, warmup=1, x=x)
    assert lat.runs == 3 and lat.median_ms > 0
    with pytest.raises(ValueError, match=r"\(1, 8, 8, 1\)"):
        litert_latency(fp32, x=np.zeros((1, 4, 4, 1), np.float32))


@pytest.mark.slow
def test_detector_at_input_size_keeps_weights_and_scales_anchors():
    import keras

    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.export.report import detector_at_input_size
    from lprkit.models.yolov4 import yolov4_tiny

    keras.utils.set_random_seed(2)
    det = KerasDetector(yolov4_tiny(64), 64, score_threshold=0.3, name="tiny")
    big = detector_at_input_size(det, 96)
    assert big.input_size == 96 and big.spec.input_size == 96 and big.name == "tiny@96"
    assert big.score_threshold == 0.3 and big.class_names == det.class_names
    assert [o.shape[1] for o in big.model.outputs] == [6, 3]  # strides 16 and 32
    np.testing.assert_allclose(big.spec.all_anchors(), det.spec.all_anchors() * 1.5, rtol=1e-6)
    for a, b in zip(det.model.get_weights(), big.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    same = detector_at_input_size(det, 64, scale_anchors=False)
    x = np.random.default_rng(0).random((1, 64, 64, 3), dtype=np.float32)
    for a, b in zip(det.model(x), same.model(x), strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-6)
    with pytest.raises(ValueError, match="multiple of 32"):
        detector_at_input_size(det, 100)


def test_run_without_tensorflow_blocks_imports_and_runs_modules():
    ok = run_without_tensorflow("-c", "import sys, lprkit.edge; print(sys.argv[1:])", "a")
    assert ok.returncode == 0 and ok.stdout.strip() == "['a']" and ok.blocked_attempts == []
    blocked = run_without_tensorflow("-c", "import tensorflow")
    assert blocked.returncode != 0 and blocked.blocked_attempts == ["tensorflow"]
    assert "is blocked" in blocked.stderr
    usage = run_without_tensorflow("-m", "lprkit.edge.pipeline")  # argparse: no images given
    assert usage.returncode == 2 and "arguments are required: --detector" in usage.stderr
    assert usage.blocked_attempts == []
    with pytest.raises(ValueError, match="'-m', MODULE"):
        run_without_tensorflow("lprkit.edge.pipeline")
