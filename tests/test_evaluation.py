import json

import numpy as np
import pytest
from fakes import BoxDetector, SizeRecognizer, scene
from PIL import Image

from lprkit.evaluation import evaluate_frames, match_boxes, normalize_text, summary
from lprkit.pipeline import Pipeline


def test_match_boxes_greedy_by_score_one_to_one():
    gt = np.array([[0, 0, 10, 10], [20, 0, 30, 10]])
    pred = np.array([[0, 0, 10, 10], [1, 0, 11, 10], [20, 0, 30, 10], [50, 50, 60, 60]])
    pairs = match_boxes(pred, np.array([0.5, 0.9, 0.8, 0.99]), gt, 0.5)
    assert sorted(pairs) == [(1, 0), (2, 1)]  # higher-scoring overlapping box wins gt 0
    assert match_boxes(np.zeros((0, 4)), np.zeros(0), gt) == []
    assert match_boxes(pred, np.ones(4), np.zeros((0, 4))) == []


def test_normalize_text():
    assert normalize_text("ab-12 3") == "AB123"


def test_evaluate_frames_counts_matches_and_exact_reads(tmp_path):
    # Two frames; the SizeRecognizer "reads" a crop as its width in pixels.
    Image.fromarray(scene([((10, 10, 60, 30), (255, 255, 255))])).save(tmp_path / "a.png")
    Image.fromarray(scene([((100, 70, 180, 90), (230, 200, 0))])).save(tmp_path / "b.png")
    rows = [
        "a.png,50,10,10,50,20",  # found and read right (width 50)
        "a.png,99,150,100,30,10",  # labelled but never detected
        "b.png,81,100,70,80,20",  # found, read as 80: wrong text
    ]
    (tmp_path / "labels.csv").write_text("\n".join(rows) + "\n")
    pipe = Pipeline(BoxDetector(), SizeRecognizer(), margin=0, classify_colour=False)
    result = evaluate_frames(tmp_path, pipe, progress=False)
    assert result["n"] == 2 and result["plates"] == 3
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["precision"] == pytest.approx(1.0)
    assert result["end_to_end_exact"] == pytest.approx(1 / 3)
    assert result["ms_per_frame"] > 0
    assert result["detector"] == "boxes" and result["recognizer"] == "size"
    json.dumps(result)  # serialisable as the CLI writes it
    assert summary(result).startswith("n=2 recall=0.667")


def test_evaluate_frames_errors(tmp_path):
    pipe = Pipeline(BoxDetector(), SizeRecognizer())
    with pytest.raises(FileNotFoundError, match="frames folder not found"):
        evaluate_frames(tmp_path / "missing", pipe)
    with pytest.raises(FileNotFoundError, match="no labels"):
        evaluate_frames(tmp_path, pipe)


def test_unread_detections_are_not_plates_but_count_as_found(tmp_path):
    img = scene([((10, 10, 60, 30), (255, 255, 255)), ((100, 70, 180, 90), (230, 200, 0))])
    Image.fromarray(img).save(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("a.png,50,10,10,50,20\n")  # the yellow box is no plate
    # SizeRecognizer reads with confidence 0.5: above 0.4 every box is a plate, above 0.6 none
    loose = Pipeline(BoxDetector(), SizeRecognizer(), margin=0, min_read_confidence=0.4)
    strict = Pipeline(BoxDetector(), SizeRecognizer(), margin=0, min_read_confidence=0.6)
    r = evaluate_frames(tmp_path, loose, progress=False)
    assert (r["recall"], r["precision"], r["unread"]) == (1.0, 0.5, 0)
    r = evaluate_frames(tmp_path, strict, progress=False)
    assert (r["recall"], r["precision"], r["end_to_end_exact"]) == (0.0, 0.0, 0.0)
    assert (r["detection_recall"], r["unread"]) == (1.0, 2)
