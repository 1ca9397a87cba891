"""`lprkit predict` and `lprkit video` plumbing with small untrained checkpoints."""

import csv

import numpy as np
import pytest
from PIL import Image

from lprkit import cli


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    from lprkit.charset import KOREAN
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.models.crnn import crnn
    from lprkit.models.yolov4 import yolov4_tiny
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    root = tmp_path_factory.mktemp("models")
    # a very low threshold so that the untrained detector proposes boxes to read
    KerasDetector(yolov4_tiny(64), 64, score_threshold=0.0).save(root / "det")
    KerasRecognizer(crnn(KOREAN, filters=(8, 8, 8, 8), rnn_units=8), KOREAN).save(root / "rec")
    return root


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "imgs"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(folder / f"im{i}.png")
    return folder


@pytest.mark.slow
def test_predict_writes_reads_and_refuses_to_overwrite(tiny_models, images, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["predict", str(images), "--detector", str(tiny_models / "det"),
            "--recognizer", str(tiny_models / "rec"), "--out", str(out), "--crop"]
    assert cli.main(args) == 0
    with open(out / "reads.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, "the zero-threshold detector proposes boxes"
    assert {r["file"] for r in rows} <= {"im0.png", "im1.png"}
    assert (out / "reads.jsonl").read_text(encoding="utf-8").count("\n") == len(rows)
    assert sorted(p.name for p in (out / "annotated").iterdir()) == ["im0.jpg", "im1.jpg"]
    assert any((out / "crops").iterdir())
    assert "plates in 2 images" in capsys.readouterr().out
    # a second run must not silently replace the first one's results
    assert cli.main(args) == 2
    assert "exists" in capsys.readouterr().err


def test_predict_errors_are_one_line(tmp_path, capsys):
    assert cli.main(["predict", str(tmp_path / "missing.jpg")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "input not found" in err
    (tmp_path / "empty").mkdir()
    assert cli.main(["predict", str(tmp_path / "empty")]) == 2
    assert "no images" in capsys.readouterr().err
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    assert cli.main(["predict", str(tmp_path / "a.png"), "--detector", "nonexistent-model"]) == 2
    assert "unknown checkpoint 'nonexistent-model'" in capsys.readouterr().err


@pytest.mark.slow
def test_video_command(tiny_models, tmp_path, capsys):
    from lprkit.video import write_video

    rng = np.random.default_rng(1)
    clip = write_video([rng.integers(0, 255, (64, 96, 3), dtype=np.uint8) for _ in range(4)], tmp_path / "c.avi")
    out = tmp_path / "vout"
    code = cli.main(["video", str(clip), "--detector", str(tiny_models / "det"), "--recognizer",
                     str(tiny_models / "rec"), "--out", str(out), "--min-reads", "1"])
    assert code == 0
    header = (out / "plates.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "text,confidence,reads,first_frame,last_frame"
    assert "in 4 frames" in capsys.readouterr().out
    assert cli.main(["video", str(tmp_path / "nope.mp4")]) == 2


def test_predict_and_video_take_a_grammar():
    from lprkit.cli import build_parser
    from lprkit.commands.predict import build_pipeline

    for command in (["predict", "x.jpg"], ["video", "clip.mp4"]):
        args = build_parser().parse_args([*command, "--recognizer", "crnn-latin", "--grammar", "europe"])
        assert args.grammar == "europe"
    pipeline = build_pipeline(args)
    assert pipeline.recognizer.name == "crnn-latin [grammar: europe]"
    assert pipeline.recognizer.decoder == "beam" and pipeline.recognizer.two_line == "best"


@pytest.mark.slow
def test_predict_keeps_earlier_pictures_and_inputs(tiny_models, images, tmp_path, capsys):
    out = tmp_path / "out"
    models = ["--detector", str(tiny_models / "det"), "--recognizer", str(tiny_models / "rec")]
    Image.open(images / "im0.png").save(images / "im0.jpg")  # same stem, another picture
    assert cli.main(["predict", str(images), *models, "--out", str(out)]) == 0
    assert sorted(p.name for p in (out / "annotated").iterdir()) == ["im0.jpg", "im0_png.jpg", "im1.jpg"]
    capsys.readouterr()
    (out / "reads.csv").unlink()
    (out / "reads.jsonl").unlink()
    before = {p.name: p.read_bytes() for p in (out / "annotated").iterdir()}
    assert cli.main(["predict", str(images / "im1.png"), *models, "--out", str(out)]) == 2
    assert "annotated" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (out / "annotated").iterdir()} == before
    # reading the annotated pictures back into the same --out would replace them
    assert cli.main(["predict", str(out / "annotated"), *models, "--out", str(out), "--overwrite"]) == 2
    assert "annotated/ folder" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (out / "annotated").iterdir()} == before
