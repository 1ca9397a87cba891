"""COCO-style mAP, precision/recall and PR curves on hand-computed fixtures."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.detection.base import Detection
from lprkit.detection.metrics import evaluate_detections, match_detections

GT = [np.array([[0, 0, 10, 10, 0], [20, 20, 30, 30, 0]], float), np.array([[0, 0, 10, 10, 0]], float)]


def test_perfect_detections():
    preds = [np.array([[0, 0, 10, 10, 0.9, 0], [20, 20, 30, 30, 0.8, 0]]), [Detection((0, 0, 10, 10), 0.7)]]
    m = evaluate_detections(preds, GT)
    assert (m.map50, m.map50_95, m.precision, m.recall) == pytest.approx((1, 1, 1, 1))
    assert (m.tp, m.fp, m.fn) == (3, 0, 0)
    np.testing.assert_allclose(m.pr_precision[0], 1.0)
    assert m.pr_recall[-1] == 1.0


def test_ranked_hits_by_hand():
    # Ranked: TP (0.9), FP (0.8), TP (0.7), FP (0.6) against 3 ground-truth boxes.
    # Recall 1/3, 1/3, 2/3, 2/3; precision 1, 1/2, 2/3, 1/2 -> envelope 1, 2/3, 2/3, 1/2.
    # 101 points: r = 0.00..0.33 (34 points) read 1; r = 0.34..0.66 (33 points) read 2/3;
    # r >= 0.67 is never reached: 0.  AP = (34 + 33 * 2/3) / 101 = 56 / 101.
    preds = [
        np.array([[0, 0, 10, 10, 0.9, 0], [40, 40, 50, 50, 0.8, 0], [20, 20, 30, 30, 0.7, 0]]),
        np.array([[60, 60, 70, 70, 0.6, 0]]),
    ]
    m = evaluate_detections(preds, GT, score_threshold=0.65)
    assert m.map50 == pytest.approx(56 / 101)
    assert m.pr_precision[0, 33] == pytest.approx(1) and m.pr_precision[0, 34] == pytest.approx(2 / 3)
    assert m.pr_precision[0, 67] == 0.0
    assert (m.tp, m.fp, m.fn) == (2, 1, 1)
    assert m.precision == pytest.approx(2 / 3) and m.recall == pytest.approx(2 / 3)


def test_iou_thresholds_average():
    # IoU 0.77: a hit at 0.50 ... 0.75 (6 of 10 thresholds).
    m = evaluate_detections([np.array([[0, 0, 10, 7.7, 0.9, 0]])], [np.array([[0, 0, 10, 10]])])
    assert m.map50 == pytest.approx(1)
    assert m.map50_95 == pytest.approx(0.6)
    np.testing.assert_allclose(m.ap[0], [1] * 6 + [0] * 4)


def test_duplicates_and_classes():
    # A duplicate of a matched box is a false positive; a class without ground truth is left
    # out of the mean but its detections still count as false positives.
    preds = [np.array([[0, 0, 10, 10, 0.9, 0], [0, 0, 10, 10.5, 0.8, 0], [0, 0, 10, 10, 0.7, 1]])]
    m = evaluate_detections(preds, [np.array([[0, 0, 10, 10, 0]])], num_classes=2)
    assert m.map50 == pytest.approx(1) and np.isnan(m.ap[1]).all()
    assert (m.tp, m.fp, m.fn) == (1, 2, 0)


def test_matching_prefers_the_best_overlap():
    dets = np.array([[0, 0, 10, 10]], float)
    gts = np.array([[0, 0, 10, 12], [0, 0, 10, 10.5]], float)
    tp = match_detections(dets, gts, np.array([0.5, 0.9]))
    assert tp.tolist() == [[True], [True]]  # matched to the 0.95-IoU box, so also at 0.9


def test_no_predictions_and_errors():
    m = evaluate_detections([np.zeros((0, 6)), []], GT)
    assert (m.map50, m.recall, m.precision, m.fn) == (0.0, 0.0, 0.0, 3)
    with pytest.raises(ValueError, match="2 prediction lists for 1 images"):
        evaluate_detections([[], []], GT[:1])
    with pytest.raises(ValueError, match=r"\(N, 6\)"):
        evaluate_detections([np.zeros((1, 5))], GT[:1])
    with pytest.raises(ValueError, match="must be 0.5"):
        evaluate_detections([[]], GT[:1], iou_thresholds=[0.6])
