"""ONNX export through tf2onnx, checked with onnxruntime against Keras."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def test_export_onnx_checks_path_before_converting(tmp_path):
    from lprkit.export.onnx import export_onnx

    with pytest.raises(ValueError, match=".onnx"):
        export_onnx(None, tmp_path / "m.tflite")
    (tmp_path / "m.onnx").write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite"):
        export_onnx(None, tmp_path / "m.onnx")
    assert (tmp_path / "m.onnx").read_bytes() == b"old"


@pytest.mark.slow
def test_unrolled_crnn_onnx_matches_keras(tmp_path):
    pytest.importorskip("tf2onnx")
    pytest.importorskip("onnxruntime")
    import keras

    from lprkit.export.onnx import DEFAULT_OPSET, export_onnx, onnx_session, run_onnx
    from lprkit.models.crnn import crnn

    keras.utils.set_random_seed(2)
    model = crnn("latin", (16, 16), filters=(8, 8, 16, 16), rnn_units=16, max_label_len=1)
    result = export_onnx(model, tmp_path / "crnn.onnx")
    assert result.opset == DEFAULT_OPSET and result.max_abs_diff < 1e-5
    assert "Loop" not in result.ops and result.ops["Conv"] == 6  # unrolled: a static graph
    x = np.random.default_rng(0).random((3, 16, 16, 1), dtype=np.float32)
    got = run_onnx(onnx_session(result.path, num_threads=2), x)[0]
    np.testing.assert_allclose(got, model(x, training=False).numpy(), atol=1e-5)
    assert [p.name for p in tmp_path.iterdir()] == ["crnn.onnx"]  # no temp file left
