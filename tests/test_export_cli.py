"""``lprkit export``: user errors are one line and exit 2; a checkpoint folder converts."""

from __future__ import annotations

import os

import pytest

from lprkit import cli

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "x.bin"], "use a .tflite or .onnx file name"),
        (["--out", "x.onnx", "--precision", "int8"], "ONNX export is float32"),
        (["--out", "taken.tflite"], "exists; pass --overwrite"),
    ],
)
def test_bad_arguments_are_one_line_errors(tmp_path, capsys, monkeypatch, extra, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken.tflite").write_bytes(b"keep")
    assert cli.main(["export", "missing_ckpt", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("lprkit export: error:")
    assert (tmp_path / "taken.tflite").read_bytes() == b"keep"


def test_unknown_checkpoint_and_plain_folder(tmp_path, capsys):
    out = str(tmp_path / "m.tflite")
    assert cli.main(["export", str(tmp_path / "nope"), "--out", out]) == 2
    assert "unknown checkpoint" in capsys.readouterr().err
    assert cli.main(["export", str(tmp_path), "--out", out]) == 2
    assert "not a checkpoint folder" in capsys.readouterr().err


@pytest.mark.slow
def test_export_recognizer_folder_to_tflite(tmp_path, capsys):
    import keras

    from lprkit.edge import TFLiteRecognizer
    from lprkit.models.lprnet import lprnet
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    keras.utils.set_random_seed(0)
    model = lprnet("latin", (40, 16), max_label_len=3)
    ckpt = KerasRecognizer(model, "latin", name="lpr_tiny").save(tmp_path / "ckpt")
    out = tmp_path / "lpr.tflite"
    assert cli.main(["export", str(ckpt), "--precision", "fp32", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"wrote {out}" in text and "TF Select: none" in text
    lite = TFLiteRecognizer(out)
    assert lite.name == "lpr_tiny" and lite.alphabet.name == "latin" and lite.input_size == (40, 16)
