"""ONNX Runtime as an edge backend beside LiteRT: the same detector and recogniser classes read
``.onnx`` files exported with lprkit's metadata and agree with Keras; names and folders go to
the backend asked for (or chosen: Keras when TensorFlow is importable)."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny CRNN and YOLOv4-tiny saved as checkpoint folders, exported to .onnx (with
    metadata) and .tflite, and synthetic crops and a scene to read."""
    pytest.importorskip("tf2onnx")
    import keras

    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.export.onnx import export_onnx
    from lprkit.export.parity import synthetic_crops, synthetic_scenes
    from lprkit.export.tflite import (
        detector_metadata,
        export_detector,
        export_recognizer,
        recognizer_metadata,
    )
    from lprkit.models.crnn import crnn
    from lprkit.models.yolov4 import yolov4_tiny
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    root = tmp_path_factory.mktemp("onnx_backend")
    keras.utils.set_random_seed(4)
    rec = KerasRecognizer(
        crnn("latin", (16, 16), filters=(8, 8, 16, 16), rnn_units=16, max_label_len=1), "latin"
    )
    det_model = yolov4_tiny(64)
    rng = np.random.default_rng(0)
    for layer in det_model.layers:  # He-normal kernels: meaningful heads, boxes above 0.3
        if layer.__class__.__name__ == "Conv2D":
            fan_in = int(np.prod(layer.kernel.shape[:-1]))
            layer.kernel.assign(rng.normal(0, np.sqrt(2 / fan_in), layer.kernel.shape))
    det = KerasDetector(det_model, 64, score_threshold=0.3)
    rec.save(root / "rec")
    det.save(root / "det")
    export_onnx(rec.model, root / "rec.onnx", metadata=recognizer_metadata(rec))
    export_onnx(det.model, root / "det.onnx", metadata=detector_metadata(det))
    export_recognizer(rec, root / "rec.tflite", "fp32")
    export_detector(det, root / "det.tflite", "fp32")
    crops, _ = synthetic_crops(6, (64, 16), "latin", seed=2)
    scenes, _ = synthetic_scenes(1, seed=3)
    return root, rec, det, crops, scenes[0]


@pytest.mark.slow
def test_onnx_files_carry_metadata_and_read_like_keras(tiny):
    from lprkit.edge import EdgeDetector, EdgeRecognizer
    from lprkit.edge.backends import read_model_metadata
    from lprkit.edge.onnx_runtime import OnnxRuntimeModel

    root, rec, det, crops, scene = tiny
    meta = read_model_metadata(root / "rec.onnx")
    assert meta["kind"] == "recognizer" and meta["alphabet"] == "latin"
    assert meta["precision"] == "fp32" and meta["opset"] == 13 and meta["unrolled_rnn"] is True
    assert read_model_metadata(root / "det.onnx")["yolo_spec"] == det.spec.to_dict()

    onnx_rec = EdgeRecognizer(root / "rec.onnx", num_threads=2)
    assert isinstance(onnx_rec.runtime, OnnxRuntimeModel)
    assert onnx_rec.runtime.providers == ("CPUExecutionProvider",)
    np.testing.assert_allclose(onnx_rec.predict_proba(crops), rec.predict_proba(crops), atol=1e-4)
    assert [r.text for r in onnx_rec.read(crops)] == [r.text for r in rec.read(crops)]

    onnx_det = EdgeDetector(root / "det.onnx")
    want = [d.box for d in det.detect([scene])[0]]
    got = [d.box for d in onnx_det.detect([scene])[0]]
    assert len(got) == len(want) > 0
    np.testing.assert_allclose(got, want, atol=0.01)
    assert "EdgeDetector" in repr(onnx_det) and onnx_det.score_threshold == 0.3


@pytest.mark.slow
def test_onnx_and_litert_models_share_the_call_contract(tiny):
    from lprkit.edge.backends import open_model

    root, rec, *_ = tiny
    x = np.random.default_rng(1).random((3, 16, 16, 1), dtype=np.float32)
    onnx_model, lite_model = open_model(root / "rec.onnx"), open_model(root / "rec.tflite")
    assert onnx_model.input_shape == lite_model.input_shape == (1, 16, 16, 1)  # fixed batch 1
    a, b = onnx_model(x)[0], lite_model(x)[0]
    assert a.shape == b.shape == (3, *rec.model.output_shape[1:]) and a.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=1e-4)
    assert onnx_model(x[:0])[0].shape == (0, *a.shape[1:])
    assert open_model(onnx_model) is onnx_model
    with pytest.raises(ValueError, match=r"shape \(batch, 16, 16, 1\)"):
        onnx_model(np.zeros((2, 8, 8, 1), np.float32))


def test_providers_are_checked_against_this_onnx_runtime():
    from lprkit.edge.onnx_runtime import available_providers, check_providers

    assert "CPUExecutionProvider" in available_providers()
    assert check_providers(None) == ("CPUExecutionProvider",)
    assert check_providers("CPUExecutionProvider, ") == ("CPUExecutionProvider",)
    with pytest.raises(ValueError, match="no NoSuchExecutionProvider; available: .*CPUExecutionProvider"):
        check_providers("NoSuchExecutionProvider,CPUExecutionProvider")


@pytest.mark.slow
def test_names_and_folders_go_to_the_backend_asked_for(tiny, tmp_path, monkeypatch):
    from lprkit import checkpoints
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.edge import EdgeDetector, EdgeRecognizer
    from lprkit.errors import LprkitError
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    root, *_ = tiny
    folder = tmp_path / "rec"
    shutil.copytree(root / "rec", folder)
    assert isinstance(checkpoints.load_recognizer(folder), KerasRecognizer)  # TF here: Keras
    with pytest.raises(LprkitError, match=r"no \.tflite file for litert; make one with `lprkit export"):
        checkpoints.load_recognizer(folder, backend="litert")
    with pytest.raises(LprkitError, match=r"no \.onnx file for onnxruntime.*--out rec\.onnx"):
        checkpoints.load_recognizer(folder, backend="onnxruntime")
    shutil.copy(root / "rec.tflite", folder / "model_fp32.tflite")
    shutil.copy(root / "rec.onnx", folder / "model.onnx")
    assert checkpoints.edge_files(folder) == {"litert": folder / "model_fp32.tflite", "onnxruntime": folder / "model.onnx"}
    lite = checkpoints.load_recognizer(folder, backend="litert", num_threads=2)
    onnx = checkpoints.load_recognizer(folder, backend="onnxruntime", providers=["CPUExecutionProvider"])
    assert isinstance(lite, EdgeRecognizer) and lite.runtime.num_threads == 2 and lite.two_line == "best"
    assert type(onnx.runtime).__name__ == "OnnxRuntimeModel"
    with pytest.raises(ValueError, match="providers apply to --backend onnxruntime, not litert"):
        checkpoints.load_recognizer(folder, backend="litert", providers=["CPUExecutionProvider"])
    with pytest.raises(ValueError, match="unknown backend 'tensorrt'; use keras, litert, onnxruntime"):
        checkpoints.load_recognizer(folder, backend="tensorrt")
    with pytest.raises(ValueError, match=r"\.onnx file, which runs on onnxruntime, not litert"):
        checkpoints.load_recognizer(root / "rec.onnx", backend="litert")
    assert isinstance(checkpoints.load_detector(root / "det.onnx"), EdgeDetector)
    assert isinstance(checkpoints.load_detector(root / "det", backend="keras"), KerasDetector)

    # without TensorFlow the same folder runs on its LiteRT file, and Keras is refused
    monkeypatch.setattr(checkpoints, "tensorflow_available", lambda: False)
    assert checkpoints.choose_backend(folder) == "litert"
    monkeypatch.setattr(checkpoints, "litert_available", lambda: False)  # e.g. macOS on Intel
    assert checkpoints.choose_backend(folder) == "onnxruntime"
    assert type(checkpoints.load_recognizer(folder).runtime).__name__ == "OnnxRuntimeModel"
    monkeypatch.setattr(checkpoints, "litert_available", lambda: True)
    assert isinstance(checkpoints.load_recognizer(folder), EdgeRecognizer)
    with pytest.raises(LprkitError, match=r"needs TensorFlow.*lprkit\[train\].*--backend litert"):
        checkpoints.load_recognizer(folder, backend="keras")


def test_tensorflow_available_survives_a_blocked_import(monkeypatch):
    import sys

    from lprkit.checkpoints import tensorflow_available

    monkeypatch.setitem(sys.modules, "tensorflow", None)
    assert tensorflow_available() is False
