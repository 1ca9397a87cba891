"""Commands whose other tests call the library: run once through `lprkit` with valid input,
at smoke scale (every other command has its own end-to-end test beside its library tests)."""

from __future__ import annotations

import json

import pytest

from lprkit.cli import main


@pytest.mark.slow
def test_synth_scenes_then_train_detector(tmp_path, capsys):
    scenes = tmp_path / "scenes"
    assert main(["synth", "scenes", "--mode", "parking", "--n", "10", "--seed", "1", "--styles", "eu_de",
                 "--format", "yolo", "--out", str(scenes)]) == 0  # fmt: skip
    out = tmp_path / "det"
    assert main(["train", "detector", "--train", str(scenes), "--val", str(scenes), "--input-size", "64",
                 "--epochs", "1", "--batch-size", "2", "--out", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    summary = json.loads(printed[printed.index("{"):])
    assert summary and (out / "detector.json").is_file()
    assert main(["train", "detector", "--train", str(scenes), "--val", str(scenes), "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err


@pytest.mark.slow
def test_synth_photo_scenes_writes_a_yolo_folder(realdata_dir, tmp_path, monkeypatch, capsys):
    from lprkit.data.detection_dataset import read_detection_folder

    monkeypatch.setenv("LPRKIT_DATA_HOME", str(realdata_dir))
    out = tmp_path / "photo"
    assert main(["synth", "photo-scenes", "--n", "4", "--seed", "3", "--min-view", "0.3", "--no-real-crops",
                 "--out", str(out)]) == 0  # fmt: skip
    assert "wrote 4 photo scenes" in capsys.readouterr().out
    assert len(read_detection_folder(out)) == 4
