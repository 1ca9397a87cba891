"""fp32 TFLite YOLOv4-tiny must detect like Keras (raw heads within float tolerance, same boxes)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

pytestmark = pytest.mark.slow
SIZE = 128


def randomise_convs(model, seed: int = 0) -> None:
    """He-normal kernels: the Darknet initialiser (std 0.01) makes untrained heads ~1e-13."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.__class__.__name__ == "Conv2D":
            k = layer.kernel
            fan_in = int(np.prod(k.shape[:-1]))
            k.assign(rng.normal(0, np.sqrt(2.0 / fan_in), k.shape).astype("float32"))


def test_fp32_tflite_detector_matches_keras(tmp_path):
    import keras

    from lprkit.detection.base import Detector
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.edge import TFLiteDetector
    from lprkit.export.parity import detector_parity, synthetic_scenes
    from lprkit.export.tflite import export_detector
    from lprkit.models.yolov4 import yolov4_tiny

    keras.utils.set_random_seed(0)
    model = yolov4_tiny(SIZE)
    randomise_convs(model)
    keras_det = KerasDetector(model, SIZE, score_threshold=0.3, name="tiny_yolo")
    path = tmp_path / "yolo.tflite"
    result = export_detector(keras_det, path, "fp32")
    assert result.select_ops == [] and result.max_abs_diff < 1e-4

    lite = TFLiteDetector(path)  # spec, classes and thresholds from the metadata
    assert isinstance(lite, Detector)
    assert lite.spec == keras_det.spec and lite.class_names == ("plate",)
    assert lite.score_threshold == 0.3 and lite.name == "tiny_yolo"

    images, boxes = synthetic_scenes(3, seed=5)
    row = detector_parity(keras_det, lite, images, boxes)
    assert row.max_abs_diff < 1e-4, f"fp32 heads differ from Keras by {row.max_abs_diff}"
    assert row.agreement == pytest.approx(1.0) and row.mean_iou == pytest.approx(1.0, abs=1e-5)
    assert row.accuracy == pytest.approx(row.keras_accuracy)
    got, ref = lite.detect(images), keras_det.detect(images)
    assert [len(g) for g in got] == [len(r) for r in ref] and sum(len(r) for r in ref) > 0
    np.testing.assert_allclose(
        np.array([d.box for g in got for d in g]), np.array([d.box for r in ref for d in r]),
        rtol=1e-5, atol=0.01,  # pixels: exp() of the size logits amplifies float noise
    )
    with pytest.raises(ValueError, match="list of images"):
        lite.detect(images[0])
