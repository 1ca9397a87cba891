"""Full-integer int8 of a CRNN: RNNs unrolled, calibrated on synthetic crops, close to Keras."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.mark.slow
def test_full_int8_crnn_calibrates_on_synth_crops(tmp_path):
    import keras
    import numpy as np

    from lprkit.edge import TFLiteRecognizer, read_metadata
    from lprkit.export.parity import recognizer_parity, synthetic_crops
    from lprkit.export.tflite import export_recognizer
    from lprkit.models.crnn import crnn
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    keras.utils.set_random_seed(3)
    model = crnn("latin", (16, 16), filters=(8, 8, 16, 16), rnn_units=16, max_label_len=1)
    rec = KerasRecognizer(model, "latin", name="tiny_crnn")
    path = tmp_path / "crnn_int8.tflite"
    # no calibration given: 24 synthetic latin crops are rendered (the LSTM WHILE loop would
    # crash the calibrator, so the model must be unrolled automatically)
    result = export_recognizer(rec, path, "int8", "full", num_calibration=24, seed=1)
    assert result.unrolled and "WHILE" not in result.ops and result.select_ops == []
    meta = read_metadata(path)
    assert meta["int8_mode"] == "full" and meta["alphabet"] == "latin"

    lite = TFLiteRecognizer(path)
    io = lite.runtime.inputs[0], lite.runtime.outputs[0]
    assert [t.dtype for t in io] == [np.int8, np.int8] and all(t.scale > 0 for t in io)
    crops, texts = synthetic_crops(10, (64, 16), "latin", seed=9)
    row = recognizer_parity(rec, lite, crops, texts)
    assert row.precision == "int8-full" and row.max_abs_diff < 0.05
    probs = lite.predict_proba(crops)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, atol=0.05)  # dequantised softmax
