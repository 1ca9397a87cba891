"""Detection metrics: COCO-style mAP@0.5 and mAP@0.5:0.95, precision/recall, PR curves (NumPy).

Follows ``pycocotools`` ``COCOeval`` for boxes without crowd annotations:

* per image and class, detections are taken best score first (at most ``max_detections``); each
  is matched to the unmatched ground truth it overlaps most, if that IoU is at least the
  threshold;
* per class, all detections are ranked by score; precision is made monotone (the envelope from
  the right) and read at the 101 recall points ``0, 0.01, ..., 1`` (0 beyond the highest
  recall reached); AP is their mean;
* mAP averages AP over classes that have ground truth (and, for 0.5:0.95, over the ten IoU
  thresholds ``0.5, 0.55, ..., 0.95``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lprkit.detection.postprocess import box_iou
from lprkit.errors import InputError

IOU_THRESHOLDS = np.linspace(0.5, 0.95, 10)
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


@dataclass
class DetectionMetrics:
    """Results of :func:`evaluate_detections` (all counts at IoU 0.5)."""

    map50: float
    map50_95: float
    ap: np.ndarray  #: (classes, IoU thresholds); NaN for classes without ground truth
    iou_thresholds: np.ndarray
    precision: float  #: at ``score_threshold``
    recall: float  #: at ``score_threshold``
    tp: int
    fp: int
    fn: int
    score_threshold: float
    pr_recall: np.ndarray  #: the 101 recall points
    pr_precision: np.ndarray  #: (classes, 101) interpolated precision at IoU 0.5

    def as_dict(self) -> dict:
        """The scalar results, for JSON reports."""
        return {
            "map50": self.map50,
            "map50_95": self.map50_95,
            "precision": self.precision,
            "recall": self.recall,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "score_threshold": self.score_threshold,
        }


def _as_predictions(pred) -> np.ndarray:
    """``(N, 6)`` array from an array or a list of :class:`~lprkit.detection.base.Detection`."""
    if isinstance(pred, np.ndarray):
        arr = pred.astype(np.float64).reshape(-1, pred.shape[-1] if pred.size else 6)
    else:
        arr = np.array([[*d.box, d.score, d.class_id] for d in pred], dtype=np.float64).reshape(
            -1, 6
        )
    if arr.shape[1] != 6:
        raise InputError(
            f"predictions must be (N, 6) x1, y1, x2, y2, score, class; got {arr.shape}"
        )
    return arr


def _as_ground_truth(gt) -> np.ndarray:
    """``(M, 5)`` array from ``(M, 4)`` (class 0) or ``(M, 5)``; rows with class < 0 dropped."""
    arr = np.asarray(gt, dtype=np.float64)
    arr = arr.reshape(-1, arr.shape[-1] if arr.size else 5)
    if arr.shape[1] == 4:
        arr = np.concatenate([arr, np.zeros((len(arr), 1))], axis=1)
    if arr.shape[1] != 5:
        raise InputError(
            f"ground truth must be (M, 4) boxes or (M, 5) boxes + class; got {arr.shape}"
        )
    return arr[arr[:, 4] >= 0]


def match_detections(
    det_boxes: np.ndarray, gt_boxes: np.ndarray, iou_thresholds: np.ndarray
) -> np.ndarray:
    """COCO greedy matching of detections (already sorted best first) to ground truth.

    Returns
    -------
    numpy.ndarray
        Boolean ``(T, N)``: whether detection ``n`` is a true positive at threshold ``t``.
    """
    ious = box_iou(det_boxes, gt_boxes)
    tp = np.zeros((len(iou_thresholds), len(det_boxes)), dtype=bool)
    for t, thr in enumerate(iou_thresholds):
        taken = np.zeros(len(gt_boxes), dtype=bool)
        for d in range(len(det_boxes)):
            cand = np.where(taken, -1.0, ious[d])
            if not len(cand):
                break
            # the last of equal bests, as pycocotools' loop keeps replacing on ties
            g = len(cand) - 1 - int(np.argmax(cand[::-1]))
            if cand[g] >= min(thr, 1 - 1e-10):
                taken[g] = True
                tp[t, d] = True
    return tp


def _interpolated_precision(tp: np.ndarray, n_gt: int) -> np.ndarray:
    """101-point precision of ranked hits ``tp`` (bool, best score first) against ``n_gt``."""
    q = np.zeros(len(RECALL_POINTS))
    if not len(tp):
        return q
    tp_sum = np.cumsum(tp, dtype=np.float64)
    fp_sum = np.cumsum(~tp, dtype=np.float64)
    recall = tp_sum / n_gt
    precision = tp_sum / (tp_sum + fp_sum + np.spacing(1))
    precision = np.maximum.accumulate(precision[::-1])[::-1]  # envelope from the right
    idx = np.searchsorted(recall, RECALL_POINTS, side="left")
    ok = idx < len(precision)
    q[ok] = precision[idx[ok]]
    return q


def evaluate_detections(
    predictions: Sequence,
    ground_truths: Sequence,
    num_classes: int | None = None,
    score_threshold: float = 0.25,
    iou_thresholds: Sequence[float] = IOU_THRESHOLDS,
    max_detections: int = 100,
) -> DetectionMetrics:
    """Score detections against ground truth, COCO-style.

    Parameters
    ----------
    predictions
        Per image: an ``(N, 6)`` array ``x1, y1, x2, y2, score, class`` or a list of
        :class:`~lprkit.detection.base.Detection`.
    ground_truths
        Per image: ``(M, 5)`` ``x1, y1, x2, y2, class`` (rows with class < 0 are padding) or
        ``(M, 4)`` boxes of class 0.
    num_classes
        Number of classes; default: the largest class id seen + 1.
    score_threshold
        Where precision and recall are read.
    iou_thresholds
        Thresholds averaged for mAP@0.5:0.95; the first must be 0.5 for ``map50``.
    max_detections
        Per image and class, only the best this many detections count (COCO: 100).

    Returns
    -------
    DetectionMetrics
    """
    if len(predictions) != len(ground_truths):
        raise InputError(f"{len(predictions)} prediction lists for {len(ground_truths)} images")
    thresholds = np.asarray(iou_thresholds, dtype=np.float64)
    if not np.isclose(thresholds[0], 0.5):
        raise InputError(f"the first IoU threshold must be 0.5 (for map50), got {thresholds[0]}")
    preds = [_as_predictions(p) for p in predictions]
    gts = [_as_ground_truth(g) for g in ground_truths]
    if num_classes is None:
        seen = [a[:, -1].max() for a in preds + gts if len(a)]
        num_classes = int(max(seen)) + 1 if seen else 1

    ap = np.full((num_classes, len(thresholds)), np.nan)
    pr = np.zeros((num_classes, len(RECALL_POINTS)))
    tp_count = fp_count = n_gt_total = 0
    for c in range(num_classes):
        scores, hits, n_gt = [], [], 0
        for p, g in zip(preds, gts, strict=True):
            pc, gc = p[p[:, 5] == c], g[g[:, 4] == c]
            order = np.argsort(-pc[:, 4], kind="mergesort")[:max_detections]
            pc = pc[order]
            n_gt += len(gc)
            hits.append(match_detections(pc[:, :4], gc[:, :4], thresholds))
            scores.append(pc[:, 4])
        score = np.concatenate(scores)
        hit = np.concatenate(hits, axis=1)
        above = score >= score_threshold
        tp_count += int(hit[0, above].sum())
        fp_count += int((~hit[0, above]).sum())
        n_gt_total += n_gt
        if n_gt == 0:
            continue  # COCO leaves classes without ground truth out of the mean
        rank = np.argsort(-score, kind="mergesort")
        curves = [_interpolated_precision(hit[t, rank], n_gt) for t in range(len(thresholds))]
        ap[c] = [q.mean() for q in curves]
        pr[c] = curves[0]
    has_gt = ~np.isnan(ap[:, 0])
    map50 = float(ap[has_gt, 0].mean()) if has_gt.any() else 0.0
    map50_95 = float(ap[has_gt].mean()) if has_gt.any() else 0.0
    return DetectionMetrics(
        map50=map50,
        map50_95=map50_95,
        ap=ap,
        iou_thresholds=thresholds,
        precision=tp_count / (tp_count + fp_count) if tp_count + fp_count else 0.0,
        recall=tp_count / n_gt_total if n_gt_total else 0.0,
        tp=tp_count,
        fp=fp_count,
        fn=n_gt_total - tp_count,
        score_threshold=float(score_threshold),
        pr_recall=RECALL_POINTS.copy(),
        pr_precision=pr,
    )
