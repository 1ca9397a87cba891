"""`lprkit evaluate crops|frames` as in the command-line contract (DESIGN.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from lprkit import checkpoints
from lprkit.cli import main
from lprkit.commands.evaluate import infer_alphabet, write_json
from lprkit.ocr_env import tesseract_languages, tesseract_version

needs_eng = pytest.mark.skipif(
    tesseract_version() is None or "eng" not in tesseract_languages(),
    reason="Tesseract with English data not installed: sudo apt-get install tesseract-ocr",
)

PLATES = ["RK755AJ", "WA56660", "BS47040"]


def text_image(text: str, height: int = 60) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    from lprkit.synth.fonts import find_fonts

    font_path = next(p for p in find_fonts("latin") if p.name == "DejaVuSans-Bold.ttf")
    font = ImageFont.truetype(str(font_path), height)
    x1, y1, x2, y2 = font.getbbox(text)
    img = Image.new("RGB", (x2 - x1 + 2 * height // 3, y2 - y1 + 2 * height // 3), "white")
    ImageDraw.Draw(img).text((height // 3 - x1, height // 3 - y1), text, font=font, fill="black")
    return np.asarray(img)


@pytest.fixture
def crops_dir(tmp_path):
    from PIL import Image

    folder = tmp_path / "crops"
    folder.mkdir()
    rows = []
    for i, text in enumerate(PLATES):
        Image.fromarray(text_image(text)).save(folder / f"c{i}.png")
        rows.append(f"c{i}.png,{text}")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


@needs_eng
def test_evaluate_crops_with_tesseract_writes_the_contract_json(crops_dir, tmp_path, capsys):
    out = tmp_path / "res" / "tess.json"
    rc = main(["evaluate", "crops", str(crops_dir), "--recognizer", "tesseract",
               "--alphabet", "latin", "--json", str(out), "--warmup", "1"])  # fmt: skip
    assert rc == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == {"n", "exact", "cer", "ms_per_plate", "recognizer"}
    assert result["n"] == 3
    assert result["exact"] == 1.0 and result["cer"] == 0.0
    assert result["ms_per_plate"] > 0
    assert result["recognizer"].startswith("tesseract (tesseract ")
    assert tesseract_version() in result["recognizer"]  # the version is recorded
    printed = capsys.readouterr().out
    assert "exact=1.000" in printed and "wrote" in printed
    assert [p.name for p in out.parent.iterdir()] == ["tess.json"]  # no temp file left

    # An existing result is not replaced without --overwrite.
    out.write_text("{}", encoding="utf-8")
    rc = main(["evaluate", "crops", str(crops_dir), "--json", str(out), "--limit", "1"])
    assert rc == 2 and "--overwrite" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "{}"
    rc = main(["evaluate", "crops", str(crops_dir), "--json", str(out), "--limit", "1",
               "--overwrite", "--warmup", "0"])  # fmt: skip
    assert rc == 0 and json.loads(out.read_text(encoding="utf-8"))["n"] == 1


def test_missing_folder_and_bad_labels_are_user_errors(tmp_path, crops_dir, capsys):
    assert main(["evaluate", "crops", str(tmp_path / "nope")]) == 2
    assert "crops folder not found" in capsys.readouterr().err
    (crops_dir / "labels.csv").write_text("c0.png,RK-755/AJ\n", encoding="utf-8")
    if tesseract_version() is None:
        pytest.skip("label checking runs after Tesseract is found")
    assert main(["evaluate", "crops", str(crops_dir), "--alphabet", "latin"]) == 2
    err = capsys.readouterr().err
    assert "c0.png" in err and "'/'" in err


def test_unknown_recognizer_is_a_clear_error(crops_dir, capsys):
    rc = main(["evaluate", "crops", str(crops_dir), "--recognizer", "no-such-model"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "no-such-model" in err
    assert "unknown checkpoint" in err and "shipped name" in err
    with pytest.raises(ValueError, match="--preset applies to --recognizer tesseract only"):
        from lprkit.commands.evaluate import make_recognizer

        make_recognizer("no-such-model", "latin", preset="otsu")


def test_evaluate_crops_with_a_grammar_names_it_in_the_json(crops_dir, tmp_path, capsys):
    out = tmp_path / "latin.json"
    rc = main(["evaluate", "crops", str(crops_dir), "--recognizer", "crnn-latin",
               "--grammar", "europe", "--json", str(out), "--warmup", "0"])  # fmt: skip
    assert rc == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["recognizer"] == "crnn-latin [grammar: europe]" and result["n"] == 3
    rc = main(["evaluate", "crops", str(crops_dir), "--recognizer", "crnn-latin",
               "--grammar", "korean"])  # fmt: skip
    assert rc == 2 and "not 'latin' plates" in capsys.readouterr().err


@pytest.fixture
def frames_dir(tmp_path):
    from PIL import Image

    folder = tmp_path / "frames"
    folder.mkdir()
    frame = np.full((200, 400, 3), 128, np.uint8)
    plate = text_image("RK755AJ")
    frame[50 : 50 + plate.shape[0], 40 : 40 + plate.shape[1]] = plate
    Image.fromarray(frame).save(folder / "f0.png")
    h, w = plate.shape[:2]
    (folder / "labels.csv").write_text(f"f0.png,RK755AJ,40,50,{w},{h}\n", encoding="utf-8")
    return folder, (40.0, 50.0, 40.0 + w, 50.0 + h)


def test_evaluate_frames_parser_defaults():
    from lprkit.cli import build_parser

    args = build_parser().parse_args(["evaluate", "frames", "F", "--recognizer", "x"])
    assert (args.dir, args.detector, args.recognizer, args.json, args.iou) == (
        "F",
        "yolov4-tiny-plates",
        "x",
        None,
        0.5,
    )


def test_evaluate_frames_with_a_missing_detector_is_a_clear_error(frames_dir, capsys):
    rc = main(["evaluate", "frames", str(frames_dir[0]), "--detector", "no-such-detector"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "no-such-detector" in err
    assert "unknown checkpoint" in err


@needs_eng
def test_evaluate_frames_with_an_oracle_detector(frames_dir, tmp_path, monkeypatch):
    from lprkit.detection.base import Detection

    folder, box = frames_dir

    class Oracle:  # finds exactly the labelled plate
        name = "oracle"
        class_names = ("plate",)

        def detect(self, images):
            return [[Detection(box, 0.99)] for _ in images]

    monkeypatch.setattr(checkpoints, "load_detector", lambda name, **run: Oracle())
    out = tmp_path / "frames.json"
    assert main(["evaluate", "frames", str(folder), "--json", str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert list(result) == [
        "n",
        "recall",
        "precision",
        "end_to_end_exact",
        "detection_recall",
        "unread",
        "ms_per_frame",
        "detector",
        "recognizer",
    ]
    assert (result["n"], result["recall"], result["precision"]) == (1, 1.0, 1.0)
    assert (result["end_to_end_exact"], result["detection_recall"], result["unread"]) == (1.0, 1.0, 0)
    assert (result["detector"], result["recognizer"]) == ("oracle", "tesseract")
    assert main(["evaluate", "frames", str(folder), "--json", str(out), "--overwrite", "--tile", "0"]) == 0
    assert main(["evaluate", "frames", str(folder), "--tile", "-5"]) == 2


def test_evaluate_without_target_prints_help(capsys):
    assert main(["evaluate"]) == 2
    assert "crops" in capsys.readouterr().out


def test_infer_alphabet_and_atomic_json(tmp_path):
    assert infer_alphabet(["AB12", "12가3456"]) == "korean"
    assert infer_alphabet(["AB12"]) == "latin"
    path = write_json(tmp_path / "r.json", {"n": 1, "recognizer": "가"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"n": 1, "recognizer": "가"}
    with pytest.raises(FileExistsError, match="--overwrite"):
        write_json(path, {})


def test_registration_is_light():
    code = (
        "import argparse, sys\n"
        "from lprkit.commands import evaluate\n"
        "evaluate.register(argparse.ArgumentParser().add_subparsers())\n"
        "print(sorted(m for m in ('cv2', 'tensorflow', 'pytesseract', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
