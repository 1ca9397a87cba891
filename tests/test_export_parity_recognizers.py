"""fp32 TFLite recognisers must read exactly like Keras: CRNN (unrolled LSTMs) and LPRNet."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

pytestmark = pytest.mark.slow
FLOAT_TOL = 1e-5


@pytest.fixture(scope="module")
def crops():
    from lprkit.export.parity import synthetic_crops

    return synthetic_crops(12, (64, 16), "latin", seed=3)


def _recognizer(kind: str):
    import keras

    from lprkit.recognition.keras_recognizer import KerasRecognizer

    keras.utils.set_random_seed(7)
    if kind == "crnn":
        from lprkit.models.crnn import crnn

        model = crnn("latin", (16, 16), filters=(8, 8, 16, 16), rnn_units=16, max_label_len=1)
    else:
        from lprkit.models.lprnet import lprnet

        model = lprnet("latin", (40, 16), channels=3, max_label_len=3)
        # the older two-line layout, so that the metadata check below sees a non-default value
        return KerasRecognizer(model, "latin", name=f"tiny_{kind}", two_line_top="span")
    return KerasRecognizer(model, "latin", name=f"tiny_{kind}")


@pytest.mark.parametrize("kind", ["crnn", "lprnet"])
def test_fp32_tflite_reads_like_keras(kind, crops, tmp_path):
    from lprkit.edge import TFLiteRecognizer
    from lprkit.export.parity import parity_table, recognizer_parity
    from lprkit.export.tflite import export_recognizer
    from lprkit.recognition.base import Recognizer

    keras_rec = _recognizer(kind)
    path = tmp_path / f"{kind}.tflite"
    result = export_recognizer(keras_rec, path, "fp32", unroll_rnn=True)
    assert result.select_ops == []
    assert result.unrolled == (kind == "crnn")
    if kind == "crnn":
        assert "WHILE" not in result.ops  # unrolled: no control flow left

    lite = TFLiteRecognizer(path)  # alphabet, size, channels from the embedded metadata
    assert isinstance(lite, Recognizer)
    assert lite.alphabet.name == "latin" and lite.input_size == keras_rec.input_size
    assert lite.channels == keras_rec.channels and lite.name == f"tiny_{kind}"
    assert lite.two_line_top == keras_rec.two_line_top == ("span" if kind == "lprnet" else "text")

    images, texts = crops
    row = recognizer_parity(keras_rec, lite, images, texts)
    assert row.max_abs_diff < FLOAT_TOL, f"fp32 {kind} differs from Keras by {row.max_abs_diff}"
    assert row.agreement == 1.0 and row.accuracy == row.keras_accuracy and row.n == 12
    assert f"tiny_{kind}" in parity_table([row])
    with pytest.raises(ValueError, match="37 output classes but alphabet 'korean'"):
        TFLiteRecognizer(path, alphabet="korean")

