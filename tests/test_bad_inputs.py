"""Bad input and faults, as a table: each case gives exit code 2 and one line that names the
problem and what is accepted, and leaves every file as it was (hashes before and after).

The same cases, in words, are in ``docs/errors.md``; a test checks that each case is listed.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lprkit import cli
from lprkit.errors import InputError, LprkitError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "errors.md"


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ws"))


def make_workspace(w: Path) -> Path:
    """A workspace of good and bad files the cases point at (never changed by them)."""
    from lprkit.charset import LATIN
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.models.crnn import crnn
    from lprkit.models.yolov4 import yolov4_tiny
    from lprkit.recognition.keras_recognizer import KerasRecognizer
    from lprkit.video import write_video

    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(w / "img.png")
    (w / "notimage.jpg").write_text("hello")
    (w / "folder").mkdir()
    (w / "file.txt").write_text("x")
    crops = w / "crops"
    crops.mkdir()
    for i in range(2):
        Image.fromarray(rng.integers(0, 255, (32, 128, 3), dtype=np.uint8)).save(crops / f"c{i}.png")
    (crops / "labels.csv").write_text("c0.png,AB123\nc1.png,CD456\n")
    for name, labels in [("crops_blank", b"c0.png,\n"), ("crops_missing", b"nope.png,AB1\n"),
                         ("crops_utf16", "c0.png,AB1\n".encode("utf-16")),
                         ("crops_korean", "c0.png,12가3456\n".encode())]:  # fmt: skip
        shutil.copytree(crops, w / name)
        (w / name / "labels.csv").write_bytes(labels)
    frames = w / "frames"
    frames.mkdir()
    Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(frames / "f.png")
    (frames / "labels.csv").write_text("f.png,AB1,10,10,60,20\n")
    for name, row in [("frames_outside", "f.png,AB1,100,80,60,30\n"), ("frames_negative", "f.png,AB1,10,10,-5,10\n"),
                      ("frames_text", "f.png,AB1,ten,10,5,10\n")]:  # fmt: skip
        shutil.copytree(frames, w / name)
        (w / name / "labels.csv").write_text(row)
    conn = sqlite3.connect(w / "foreign.db")
    conn.execute("CREATE TABLE cars (id INTEGER, plate TEXT)")
    conn.commit()
    conn.close()
    (w / "empty.db").touch()
    (w / "plates.csv").write_text("plate,owner\nAB123,Kim\n")
    (w / "plates_bad.csv").write_text("plate,owner\nAB123,Kim\n=1+2,Lee\n")
    models = w / "models"
    KerasDetector(yolov4_tiny(64), 64, score_threshold=0.0).save(models / "det")
    KerasRecognizer(crnn(LATIN, filters=(8, 8, 8, 8), rnn_units=8), LATIN).save(models / "rec")
    KerasRecognizer(crnn(LATIN, filters=(8, 8, 8, 8), rnn_units=8), LATIN).save(models / "rec16", precision="float16")
    (models / "rec16" / "weights.npz").write_bytes(rng.bytes(3000))  # random bytes, not an .npz
    (w / "not.tflite").write_bytes(b"\0" * 64)
    (w / "not.onnx").write_bytes(b"\0" * 64)
    (w / "old.tflite").write_bytes(b"an earlier export")
    (w / "cut.tflite").write_bytes(b"\x1c\0\0\0TFL3" + b"\xff" * 24)  # a header, then nothing
    write_video([rng.integers(0, 255, (64, 96, 3), dtype=np.uint8) for _ in range(3)], w / "clip.avi")
    (w / "garbage.mp4").write_bytes(rng.bytes(500))
    (w / "earlier").mkdir()
    (w / "earlier" / "plates.csv").write_text("text,confidence,reads,first_frame,last_frame\n")
    (w / "earlier_predict").mkdir()
    (w / "earlier_predict" / "reads.csv").write_text("file\n")
    return w


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}  # fmt: skip


DET = ["--detector", "{w}/models/det"]
REC = ["--recognizer", "{w}/models/rec"]
MODELS = DET + REC
NEW = "{w}/new"

# (case, argv, words the one-line message must hold: the problem and what is accepted)
CLI_CASES = [
    # synth
    ("synth: unknown style", ["synth", "plates", "--styles", "nosuch", "--n", "2", "--out", NEW], ["'nosuch'", "kr_ev"]),
    ("synth: negative --n", ["synth", "plates", "--n", "-1", "--out", NEW], ["--n", ">= 0"]),
    ("synth: negative --seed", ["synth", "plates", "--n", "2", "--seed", "-1", "--out", NEW], ["--seed", ">= 0"]),
    ("synth: --strength out of range", ["synth", "plates", "--n", "2", "--strength", "-5", "--out", NEW], ["--strength", "[0, 2]"]),
    ("synth: --strength nan", ["synth", "plates", "--n", "2", "--strength", "nan", "--out", NEW], ["--strength", "nan"]),
    ("synth: absurd --size", ["synth", "plates", "--n", "2", "--size", "100000x100000", "--out", NEW], ["--size", "2048"]),
    ("synth: malformed --size", ["synth", "plates", "--n", "2", "--size", "abc", "--out", NEW], ["--size", "128x32"]),
    ("synth: --out is a file", ["synth", "plates", "--n", "2", "--out", "{w}/file.txt"], ["file.txt", "not a folder"]),
    ("synth: --out under a file", ["synth", "plates", "--n", "2", "--out", "{w}/file.txt/x"], ["--out", "is a file"]),
    ("synth: --out holds files", ["synth", "plates", "--n", "2", "--out", "{w}/crops"], ["crops", "--overwrite"]),
    ("synth scenes: negative --n", ["synth", "scenes", "--n", "-3", "--out", NEW], ["--n", ">= 0"]),
    ("synth scenes: unknown style", ["synth", "scenes", "--n", "2", "--styles", "zz", "--out", NEW], ["'zz'", "korean"]),
    ("synth scenes: --out holds files", ["synth", "scenes", "--n", "2", "--out", "{w}/crops"], ["crops", "--overwrite"]),
    ("synth photo-scenes: --min-view 0", ["synth", "photo-scenes", "--n", "2", "--min-view", "0", "--out", NEW], ["--min-view", "(0, 1]"]),
    ("synth photo-scenes: --focus-score 0", ["synth", "photo-scenes", "--n", "2", "--focus-score", "0", "--focus-detector", "yolov4-tiny-plates", "--out", NEW], ["--focus-score", "(0, 1]"]),
    ("synth photo-scenes: --negative-share 2", ["synth", "photo-scenes", "--n", "2", "--negative-share", "2", "--out", NEW], ["--negative-share", "[0, 1]"]),
    # evaluate
    ("evaluate: missing folder", ["evaluate", "crops", "{w}/nope", *REC], ["nope", "not found"]),
    ("evaluate: folder without labels.csv", ["evaluate", "crops", "{w}/folder", *REC], ["labels.csv", "crops folder needs"]),
    ("evaluate: blank label", ["evaluate", "crops", "{w}/crops_blank", *REC], ["line 1", "empty text"]),
    ("evaluate: label names a missing image", ["evaluate", "crops", "{w}/crops_missing", *REC], ["nope.png", "not found"]),
    ("evaluate: UTF-16 labels.csv", ["evaluate", "crops", "{w}/crops_utf16", *REC], ["labels.csv", "not UTF-8", "save it as UTF-8"]),
    ("evaluate: label outside the alphabet", ["evaluate", "crops", "{w}/crops_korean", *REC], ["'가'", "alphabet 'latin'"]),
    ("evaluate: unknown recognizer", ["evaluate", "crops", "{w}/crops", "--recognizer", "nosuch"], ["'nosuch'", "crnn-latin"]),
    ("evaluate: --json is a folder", ["evaluate", "crops", "{w}/crops", *REC, "--json", "{w}/folder"], ["--json", "is a folder"]),
    ("evaluate: --json under a file", ["evaluate", "crops", "{w}/crops", *REC, "--json", "{w}/file.txt/o.json"], ["--json", "is a file"]),
    ("evaluate: --json exists", ["evaluate", "crops", "{w}/crops", *REC, "--json", "{w}/file.txt"], ["file.txt exists", "--overwrite"]),
    ("evaluate: unknown alphabet", ["evaluate", "crops", "{w}/crops", "--recognizer", "tesseract", "--alphabet", "greek"], ["'greek'", "korean, latin"]),
    ("evaluate: --providers without onnxruntime", ["evaluate", "crops", "{w}/crops", *REC, "--providers", "CPUExecutionProvider"], ["--providers", "--backend onnxruntime"]),
    ("evaluate: --limit 0", ["evaluate", "crops", "{w}/crops", *REC, "--limit", "0"], ["--limit", ">= 1"]),
    ("evaluate frames: box outside the image", ["evaluate", "frames", "{w}/frames_outside", *MODELS], ["line 1", "lies outside", "128x96"]),
    ("evaluate frames: negative width", ["evaluate", "frames", "{w}/frames_negative", *MODELS], ["line 1", "negative width"]),
    ("evaluate frames: text in a coordinate", ["evaluate", "frames", "{w}/frames_text", *MODELS], ["line 1", "ten"]),
    ("evaluate frames: crops folder given", ["evaluate", "frames", "{w}/crops", *MODELS], ["6 columns", "file,text,x,y,w,h"]),
    ("evaluate frames: unknown detector", ["evaluate", "frames", "{w}/frames", "--detector", "nosuch", *REC], ["'nosuch'", "yolov4-tiny-plates"]),
    ("evaluate frames: unknown --backend", ["evaluate", "frames", "{w}/frames", *MODELS, "--backend", "jax"], ["'jax'", "litert"]),
    ("evaluate frames: --iou 2", ["evaluate", "frames", "{w}/frames", *MODELS, "--iou", "2"], ["--iou", "(0, 1]"]),
    ("evaluate frames: detector as recognizer", ["evaluate", "frames", "{w}/frames", *DET, "--recognizer", "{w}/models/det"], ["detector", "recogni"]),
    # predict
    ("predict: missing input", ["predict", "{w}/nope.jpg", *MODELS, "--out", NEW], ["nope.jpg", "not found"]),
    ("predict: folder without images", ["predict", "{w}/folder", *MODELS, "--out", NEW], ["no images", ".jpg"]),
    ("predict: not an image", ["predict", "{w}/notimage.jpg", *MODELS, "--out", NEW], ["notimage.jpg", "accepted"]),
    ("predict: --out is a file", ["predict", "{w}/img.png", *MODELS, "--out", "{w}/file.txt"], ["--out", "is a file"]),
    ("predict: earlier results in --out", ["predict", "{w}/img.png", *MODELS, "--out", "{w}/earlier_predict"], ["reads.csv exists", "--overwrite"]),
    ("predict: missing watchlist", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--watchlist", "{w}/no.db"], ["no.db", "does not exist"]),
    ("predict: watchlist is a folder", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--watchlist", "{w}/folder"], ["folder", "not a file"]),
    ("predict: another application's database", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--watchlist", "{w}/foreign.db"], ["foreign.db", "not a watchlist"]),
    ("predict: --min-confidence 2", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--min-confidence", "2"], ["--min-confidence", "[0, 1]"]),
    ("predict: --min-score -1", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--min-score", "-1"], ["--min-score", "[0, 1]"]),
    ("predict: --tile 5", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--tile", "5"], ["--tile", "16 pixels"]),
    ("predict: random bytes as weights.npz", ["predict", "{w}/img.png", *DET, "--recognizer", "{w}/models/rec16", "--out", NEW], ["weights.npz", "not a weights file"]),
    ("predict: not a .tflite file", ["predict", "{w}/img.png", *DET, "--recognizer", "{w}/not.tflite", "--out", NEW], ["not.tflite", "TFL3"]),
    ("predict: truncated .tflite", ["predict", "{w}/img.png", *DET, "--recognizer", "{w}/cut.tflite", "--out", NEW], ["cut.tflite", "truncated"]),
    ("predict: unknown --backend", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--backend", "tensorrt"], ["'tensorrt'", "keras, litert, onnxruntime"]),
    ("predict: --providers without onnxruntime", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--providers", "CPUExecutionProvider"], ["--providers", "--backend onnxruntime"]),
    ("predict: unknown execution provider", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--backend", "onnxruntime", "--providers", "NoSuchExecutionProvider"], ["NoSuchExecutionProvider", "available: ", "CPUExecutionProvider"]),
    ("predict: --backend onnxruntime without an .onnx file", ["predict", "{w}/img.png", *MODELS, "--out", NEW, "--backend", "onnxruntime"], ["no .onnx file", "lprkit export", "--out det.onnx"]),
    ("predict: not an .onnx file", ["predict", "{w}/img.png", *DET, "--recognizer", "{w}/not.onnx", "--out", NEW], ["not.onnx", "not an ONNX model", "lprkit export"]),
    ("predict: folder that is no checkpoint", ["predict", "{w}/img.png", *DET, "--recognizer", "{w}/folder", "--out", NEW], ["meta.json", "detector.json"]),
    # export
    ("export: unknown checkpoint", ["export", "nosuch", "--out", "{w}/x.tflite"], ["'nosuch'", "crnn-korean"]),
    ("export: --out is a folder", ["export", "{w}/models/rec", "--out", "{w}/folder"], ["--out", ".tflite or .onnx"]),
    ("export: --out exists", ["export", "{w}/models/rec", "--out", "{w}/old.tflite"], ["old.tflite exists", "--overwrite"]),
    ("export: negative --seed", ["export", "{w}/models/rec", "--out", "{w}/x.tflite", "--seed", "-2"], ["--seed", ">= 0"]),
    ("export: --calibration -5", ["export", "{w}/models/rec", "--precision", "int8", "--calibration", "-5", "--out", "{w}/x.tflite"], ["--calibration", ">= 1"]),
    ("export: --out under a file", ["export", "{w}/models/rec", "--out", "{w}/file.txt/x.tflite"], ["--out", "is a file"]),
    ("export: ONNX in int8", ["export", "{w}/models/rec", "--precision", "int8", "--out", "{w}/x.onnx"], ["ONNX", "float32"]),
    # watchlist
    ("watchlist: --db is a folder", ["watchlist", "lookup", "AB1", "--db", "{w}/folder"], ["folder", "not a file"]),
    ("watchlist: another application's database", ["watchlist", "lookup", "AB1", "--db", "{w}/foreign.db"], ["'plates' table", "new file name"]),
    ("watchlist: empty file", ["watchlist", "list", "--db", "{w}/empty.db"], ["0 bytes", "new file name"]),
    ("watchlist: add to another application's database", ["watchlist", "add", "AB1", "--db", "{w}/foreign.db"], ["not a watchlist"]),
    ("watchlist: import a missing CSV", ["watchlist", "import", "{w}/no.csv", "--db", NEW + ".db"], ["no.csv", "does not exist"]),
    ("watchlist: import a CSV without header", ["watchlist", "import", "{w}/crops/labels.csv", "--db", NEW + ".db"], ["header", "plate,owner,permit,notes"]),
    ("watchlist: import a formula", ["watchlist", "import", "{w}/plates_bad.csv", "--db", NEW + ".db"], ["line 3", "letters, digits"]),
    ("watchlist: add a formula", ["watchlist", "add", "=1+2", "--db", NEW + ".db"], ["'='", "letters, digits and Hangul"]),
    ("watchlist: lookup in a missing database", ["watchlist", "lookup", "AB1", "--db", NEW + ".db"], ["new.db", "does not exist"]),
    ("watchlist: --max-distance -1", ["watchlist", "lookup", "AB1", "--db", "{w}/foreign.db", "--max-distance", "-1"], ["--max-distance", ">= 0"]),
    # video
    ("video: missing file", ["video", "{w}/nope.mp4", *MODELS, "--out", NEW], ["nope.mp4", "not found"]),
    ("video: not a video", ["video", "{w}/garbage.mp4", *MODELS, "--out", NEW], ["garbage.mp4", "webcam index"]),
    ("video: --stride 0", ["video", "{w}/clip.avi", *MODELS, "--out", NEW, "--stride", "0"], ["--stride", ">= 1"]),
    ("video: --max-frames 0", ["video", "{w}/clip.avi", *MODELS, "--out", NEW, "--max-frames", "0"], ["--max-frames", ">= 1"]),
    ("video: earlier results in --out", ["video", "{w}/clip.avi", *MODELS, "--out", "{w}/earlier"], ["plates.csv", "--overwrite"]),
    ("video: unknown --backend", ["video", "{w}/clip.avi", *MODELS, "--out", NEW, "--backend", "tflite"], ["'tflite'", "litert"]),
    ("video: --out is a file", ["video", "{w}/clip.avi", *MODELS, "--out", "{w}/file.txt"], ["--out", "is a file"]),
    # train
    ("train: unknown style", ["train", "recognizer", "--styles", "zz", "--out", NEW], ["'zz'", "korean"]),
    ("train: --out exists", ["train", "recognizer", "--out", "{w}/crops"], ["crops exists", "overwrite"]),
    ("train: unknown --init-from", ["train", "recognizer", "--init-from", "nosuch", "--out", NEW], ["'nosuch'", "crnn-latin"]),
    ("train: --init-from a detector", ["train", "recognizer", "--init-from", "{w}/models/det", "--out", NEW], ["detector", "not a recognizer"]),
    ("train: a development set as training data", ["train", "recognizer", "--styles", "latin", "--real", "br_crops_dev", "--out", NEW], ["br_crops_dev", "never train on it"]),
    ("train: --epochs 0", ["train", "recognizer", "--epochs", "0", "--out", NEW], ["--epochs", ">= 1"]),
    ("train: negative --learning-rate", ["train", "recognizer", "--learning-rate", "-1", "--out", NEW], ["--learning-rate", "> 0"]),
    ("train: --real-strength nan", ["train", "recognizer", "--real-strength", "nan", "--out", NEW], ["--real-strength", "[0, 2]"]),
    ("train detector: missing folder", ["train", "detector", "--train", "{w}/nope", "--val", "{w}/frames", "--out", NEW], ["nope", "not found"]),
    ("train detector: --input-size 100", ["train", "detector", "--train", "{w}/frames", "--val", "{w}/frames", "--input-size", "100", "--out", NEW], ["--input-size", "multiple of 32"]),
    ("train detector: --mosaic 2", ["train", "detector", "--train", "{w}/frames", "--val", "{w}/frames", "--mosaic", "2", "--out", NEW], ["--mosaic", "[0, 1]"]),
    ("train detector: a crops folder", ["train", "detector", "--train", "{w}/crops", "--val", "{w}/frames", "--out", NEW], ["6 columns", "file,text,x,y,w,h"]),
]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize(("case", "argv", "words"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_bad_input_gives_one_line_exit_2_and_changes_nothing(ws, case, argv, words, capsys):
    argv = [a.format(w=ws) for a in argv]
    before = _snapshot(ws)
    code = cli.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, f"{case}: exit {code}, stderr {err}"
    assert len(err) == 1 and err[0].startswith(f"lprkit {argv[0]}: error: "), err
    for word in words:
        assert word.lower() in err[0].lower(), f"{case}: {word!r} not in {err[0]!r}"
    assert _snapshot(ws) == before, f"{case} changed the workspace"


# (case, call, error type, words) through the Python API
def _api_cases():
    from lprkit.data.folders import read_crops_folder
    from lprkit.detection.tiling import TiledDetector
    from lprkit.edge.runtime import LiteRTModel
    from lprkit.models.files import load_model_files
    from lprkit.recognition.preprocess import check_crop
    from lprkit.synth.styles import resolve_styles
    from lprkit.video import VideoSink
    from lprkit.watchlist import Watchlist, normalize_plate

    def sink_two_sizes(w):
        with VideoSink(w / "new.avi", fps=5) as sink:
            sink.write(np.zeros((32, 48, 3), np.uint8))
            sink.write(np.zeros((40, 48, 3), np.uint8))

    return [
        ("api: float crop", lambda w: check_crop(np.zeros((8, 32, 3), np.float32)), InputError, ["float32", "uint8"]),
        ("api: crop of wrong shape", lambda w: check_crop(np.zeros((8, 32, 5), np.uint8)), InputError, ["(8, 32, 5)", "RGB"]),
        ("api: corrupt weights.npz", lambda w: load_model_files(w / "models" / "rec16"), LprkitError, ["weights.npz", "not a weights file"]),
        ("api: truncated .tflite", lambda w: LiteRTModel(w / "cut.tflite"), LprkitError, ["cut.tflite", "truncated"]),
        ("api: UTF-16 labels.csv", lambda w: read_crops_folder(w / "crops_utf16"), InputError, ["labels.csv", "not UTF-8"]),
        ("api: another application's database", lambda w: Watchlist(w / "foreign.db"), LprkitError, ["'plates' table"]),
        ("api: read-only open of another application's database", lambda w: Watchlist(w / "foreign.db", readonly=True), LprkitError, ["not a watchlist"]),
        ("api: formula as plate text", lambda w: normalize_plate("=SUM(A1)"), InputError, ["'='", "letters"]),
        ("api: unknown style", lambda w: resolve_styles("eu_zz"), InputError, ["'eu_zz'"]),
        ("api: tiles too small", lambda w: TiledDetector(_Det(), tile=5), InputError, ["tile", "16"]),
        ("api: video frames of two sizes", sink_two_sizes, InputError, ["differs", "first frame"]),
    ]  # fmt: skip


class _Det:
    name, class_names = "fake", ("plate",)

    def detect(self, images):
        return [[] for _ in images]


API_CASES = _api_cases()


@pytest.mark.slow
@pytest.mark.parametrize(("case", "call", "error", "words"), API_CASES, ids=[c[0] for c in API_CASES])
def test_bad_input_through_the_api_names_the_problem(ws, case, call, error, words):
    before = _snapshot(ws)
    with pytest.raises(error) as info:
        call(ws)
    for word in words:
        assert word.lower() in str(info.value).lower(), f"{case}: {word!r} not in {info.value}"
    assert _snapshot(ws) == before


def test_at_least_sixty_cases_and_each_is_in_the_docs():
    cases = [c[0] for c in CLI_CASES] + [c[0] for c in API_CASES]
    assert len(cases) >= 60 and len(set(cases)) == len(cases)
    text = DOCS.read_text(encoding="utf-8")
    missing = [c for c in cases if f"| {c} |" not in text]
    assert not missing, f"docs/errors.md lacks {missing}"


def test_user_errors_are_value_errors_too():
    assert issubclass(InputError, ValueError) and issubclass(InputError, LprkitError)


@pytest.mark.parametrize("bug", [KeyError("internal"), ValueError("internal")])
def test_a_bug_keeps_its_traceback(monkeypatch, bug):
    """What is not a user error (a KeyError, a bare ValueError inside lprkit) is not turned into
    a tidy one-liner: it propagates, so Python prints its traceback and exits with 1."""
    import lprkit.commands.info as info

    def broken(args):
        raise bug

    monkeypatch.setattr(info, "run", broken)
    with pytest.raises(type(bug)):
        cli.main(["info"])


# --- faults that now work -------------------------------------------------------------------


@pytest.mark.slow
def test_predict_reads_the_rest_of_a_folder_and_names_what_it_skipped(ws, tmp_path, capsys):
    images = tmp_path / "imgs"
    images.mkdir()
    shutil.copy(ws / "img.png", images / "a.png")
    shutil.copy(ws / "notimage.jpg", images / "b.jpg")
    shutil.copy(ws / "img.png", images / "c.png")
    argv = ["predict", str(images), *(a.format(w=ws) for a in MODELS), "--out", str(tmp_path / "out")]
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    assert [ln for ln in captured.err.splitlines() if "skipped" in ln] == [
        f"lprkit predict: skipped {images / 'b.jpg'}: cannot decode image {images / 'b.jpg'} (5 bytes): "
        "corrupt or not an image; accepted: .jpg, .jpeg, .png, .bmp, .webp, .tif, .tiff"
    ]
    assert "in 2 images" in captured.out and "1 skipped" in captured.out
    assert sorted(p.name for p in (tmp_path / "out" / "annotated").iterdir()) == ["a.jpg", "c.jpg"]


def test_pipeline_reads_grey_and_rgba_frames_like_rgb():
    from fakes import BoxDetector, scene

    from lprkit.pipeline import Pipeline

    class Reader:
        name = "r"

        def read(self, crops):
            from lprkit.recognition.base import PlateRead

            return [PlateRead("AB123", 0.9) for _ in crops]

    rgb = scene([((10, 20, 60, 35), (255, 255, 255))])
    pipe = Pipeline(BoxDetector(), Reader(), margin=0, classify_colour=False)
    want = [(r.box, r.text) for r in pipe.read(rgb)]
    assert want
    grey = rgb.mean(axis=2).astype(np.uint8)
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 255, np.uint8)], axis=2)
    for frame in (grey, grey[..., None], rgba):
        assert [(r.box, r.text) for r in pipe.read(frame)] == want


def test_written_files_get_the_usual_permissions(tmp_path):
    import os

    from lprkit.fileio import atomic_write_bytes, write_folder_atomically

    mask = os.umask(0o022)
    try:
        path = atomic_write_bytes(tmp_path / "model.tflite", b"x")
        folder = write_folder_atomically(tmp_path / "ckpt", lambda p: (p / "a").write_text("a"))
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644
    assert folder.stat().st_mode & 0o777 == 0o755


def test_a_stale_temporary_folder_is_removed_by_the_next_run(tmp_path):
    from lprkit.fileio import write_folder_atomically

    stale = tmp_path / ".data.k3j2h1"  # what a run killed outright leaves
    stale.mkdir()
    (stale / "0001.png").write_bytes(b"x")
    write_folder_atomically(tmp_path / "data", lambda p: (p / "labels.csv").write_text(""))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


@pytest.mark.slow
def test_sigterm_leaves_no_temporary_dataset(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "plates"
    env = {**os.environ, "LPRKIT_PROFILE": "smoke"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lprkit.cli", "synth", "plates", "--n", "200000", "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline and not any(tmp_path.iterdir()):
        time.sleep(0.2)
    time.sleep(1.0)
    assert any(tmp_path.iterdir()), "the run never started writing"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
