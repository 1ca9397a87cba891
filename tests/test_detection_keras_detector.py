"""KerasDetector: the Detector protocol, batching, letterbox mapping, save/load."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lprkit.detection.base import Detection, Detector
from lprkit.detection.keras_detector import KerasDetector
from lprkit.detection.postprocess import YoloSpec
from lprkit.models.yolov4 import yolov4_tiny

TINY_CFG = Path(__file__).parent / "fixtures" / "tiny.cfg"


@pytest.fixture(scope="module")
def model():
    m = yolov4_tiny(64, num_classes=1, anchors=[(8, 4), (16, 8), (24, 12), (32, 16), (48, 24), (64, 32)])
    # A large objectness bias makes every anchor fire, so there is something to decode.
    for name in ("conv_017", "conv_020"):
        layer = m.get_layer(name)
        kernel, bias = layer.get_weights()
        bias.reshape(3, 6)[:, 4:] = 6.0  # objectness and class
        layer.set_weights([kernel * 0.0, bias])
    return m


def _images():
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (48, 100, 3), dtype=np.uint8),
            rng.integers(0, 255, (90, 60, 3), dtype=np.uint8),
            rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)]


def test_detect_follows_the_protocol_and_maps_to_original_pixels(model):
    det = KerasDetector(model, 64, ("plate",), score_threshold=0.5, iou_threshold=0.45, batch_size=2)
    assert isinstance(det, Detector) and det.name == "yolov4_tiny"
    images = _images()
    results = det.detect(images)
    assert len(results) == 3
    for image, found in zip(images, results, strict=True):
        assert found and all(isinstance(d, Detection) and d.class_id == 0 for d in found)
        h, w = image.shape[:2]
        boxes = np.array([d.box for d in found])
        assert (boxes[:, [0, 2]] >= 0).all() and (boxes[:, [0, 2]] <= w).all()
        assert (boxes[:, [1, 3]] >= 0).all() and (boxes[:, [1, 3]] <= h).all()
        scores = [d.score for d in found]
        assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5
    # Batching does not change the answer.
    one_by_one = [KerasDetector(model, 64, score_threshold=0.5).detect([im])[0] for im in images]
    assert [len(r) for r in one_by_one] == [len(r) for r in results]


def test_save_and_load_round_trip(model, tmp_path):
    det = KerasDetector(model, 64, ("plate",), score_threshold=0.6, name="toy")
    folder = det.save(tmp_path / "det")
    meta = json.loads((folder / "detector.json").read_text())
    assert meta["class_names"] == ["plate"] and meta["input_size"] == 64
    assert meta["anchors"][1] == [[32, 16], [48, 24], [64, 32]]
    with pytest.raises(FileExistsError, match="overwrite=True"):
        det.save(folder)
    loaded = KerasDetector.load(folder)
    assert loaded.spec == det.spec and loaded.score_threshold == 0.6 and loaded.name == "toy"
    images = _images()
    np.testing.assert_allclose(
        np.concatenate(loaded.predict_arrays(images)), np.concatenate(det.predict_arrays(images)),
        atol=1e-5,
    )
    assert KerasDetector.load(folder, score_threshold=0.9).score_threshold == 0.9
    with pytest.raises(FileNotFoundError, match="detector.json"):
        KerasDetector.load(tmp_path)


def test_cfg_model_saves_with_its_custom_layers(tmp_path):
    from lprkit.models.darknet import model_from_cfg

    det = KerasDetector(model_from_cfg(TINY_CFG), 64, ("plate",))
    loaded = KerasDetector.load(det.save(tmp_path / "cfgdet"))
    x = np.random.default_rng(1).uniform(0, 1, (1, 64, 64, 3)).astype(np.float32)
    for a, b in zip(det.model.predict(x, verbose=0), loaded.model.predict(x, verbose=0), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_mismatches_are_refused(model):
    with pytest.raises(ValueError, match="input_size=96 does not match"):
        KerasDetector(model, 96)
    with pytest.raises(ValueError, match="2 class names for a model with 1 classes"):
        KerasDetector(model, 64, ("plate", "car"))
    other = YoloSpec(64, 1, (((1, 1),),), (16,), (1.0,))
    with pytest.raises(ValueError, match="got 2 head outputs"):
        KerasDetector(model, 64, spec=other).detect(_images()[:1])
