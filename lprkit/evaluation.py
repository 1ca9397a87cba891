"""End-to-end evaluation on a frames folder: detection recall/precision at IoU 0.5 and the
share of plates read exactly (a read counts only when its box matches a labelled plate).

This is what ``lprkit evaluate frames`` runs; its JSON keys are part of the command-line
contract: ``n, recall, precision, end_to_end_exact, ms_per_frame, detector, recognizer``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import numpy as np

from lprkit.detection.postprocess import box_iou
from lprkit.errors import InputError


def normalize_text(text: str) -> str:
    """Compare plate texts without case, spaces, hyphens or dots."""
    return "".join(ch for ch in text.upper() if ch not in " -.·_")


def match_boxes(
    pred_boxes: np.ndarray,
    pred_scores: np.ndarray,
    gt_boxes: np.ndarray,
    iou_threshold: float = 0.5,
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching, best-scoring prediction first.

    Returns
    -------
    list of (prediction index, ground-truth index)
        Pairs whose IoU is at least ``iou_threshold``.
    """
    pred_boxes = np.asarray(pred_boxes, dtype=np.float64).reshape(-1, 4)
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    if not len(pred_boxes) or not len(gt_boxes):
        return []
    ious = box_iou(pred_boxes, gt_boxes)
    taken = np.zeros(len(gt_boxes), dtype=bool)
    pairs = []
    for p in np.argsort(-np.asarray(pred_scores, dtype=np.float64), kind="stable"):
        cand = np.where(taken, -1.0, ious[p])
        g = int(np.argmax(cand))
        if cand[g] >= iou_threshold:
            taken[g] = True
            pairs.append((int(p), g))
    return pairs


def _matches(results, gt: np.ndarray, iou_threshold: float) -> list[tuple[int, int]]:
    boxes = np.array([r.box for r in results]).reshape(-1, 4)
    return match_boxes(boxes, np.array([r.detection_score for r in results]), gt, iou_threshold)


def evaluate_frames(
    folder: str | os.PathLike,
    pipeline,
    *,
    iou_threshold: float = 0.5,
    limit: int | None = None,
    progress: bool = True,
) -> dict:
    """Run ``pipeline`` (a :class:`lprkit.pipeline.Pipeline`) over a frames folder.

    Parameters
    ----------
    folder
        Images plus ``labels.csv`` (``file,text,x,y,w,h``) or openalpr ``.txt`` files.
    pipeline
        Detector + recogniser to evaluate.
    iou_threshold
        A predicted box matches a labelled plate at this IoU or more.
    limit
        Evaluate only the first ``limit`` frames.

    Returns
    -------
    dict
        ``n`` (frames), ``plates`` (labelled plates), ``recall`` and ``precision`` of the
        plates reported (unread detections are not plates, see
        :class:`~lprkit.pipeline.PlateResult`), ``end_to_end_exact`` (exactly read and
        matched / labelled plates), ``detection_recall`` (labelled plates matched by any
        detection, read or not), ``unread`` (detections reported as unread), ``ms_per_frame``
        (mean pipeline time per frame after one warm-up frame, image decoding excluded),
        ``detector``, ``recognizer``, and ``frames`` (per-frame details).
    """
    from lprkit.data.folders import read_frames_folder

    frames = list(read_frames_folder(folder))[:limit]
    if not frames:
        raise InputError(f"frames folder {folder} has no labelled frames")
    rows, ms = collect_frames(pipeline, frames, progress)
    c, details = _tally(rows, lambda r: not getattr(r, "unread", False), iou_threshold)
    for frame, d in zip(frames, details, strict=True):
        d["file"] = frame.path.name
    n_gt, n_pred, n_match = c["plates"], c["reported"], c["matched"]
    return {
        "n": len(frames),
        "plates": n_gt,
        "recall": n_match / n_gt if n_gt else 0.0,
        "precision": n_match / n_pred if n_pred else 0.0,
        "end_to_end_exact": c["exact"] / n_gt if n_gt else 0.0,
        "detection_recall": c["found"] / n_gt if n_gt else 0.0,
        "unread": c["detections"] - n_pred,
        "ms_per_frame": ms,
        "detector": pipeline.detector.name,
        "recognizer": pipeline.recognizer.name,
        "frames": details,
    }


def summary(
    result: dict,
    keys: Sequence[str] = ("n", "recall", "precision", "end_to_end_exact", "detection_recall", "ms_per_frame"),
) -> str:
    """One line with the headline figures of :func:`evaluate_frames`."""
    parts = []
    for k in keys:
        v = result[k]
        parts.append(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
    return " ".join(parts)


# --------------------------------------------------------------------------- thresholds
# One pass of a pipeline that keeps every reading (min_read_confidence=0), scored afterwards
# at any confidence threshold: how the pipeline's threshold is calibrated.


def collect_frames(pipeline, frames, progress: bool = False) -> tuple[list[dict], float]:
    """Run ``pipeline`` over labelled frames; returns per frame ``{"results", "plates"}``
    (every reading the pipeline gives) and the mean milliseconds per frame (after a warm-up)."""
    from tqdm.auto import tqdm

    rows, times = [], []
    for i, frame in enumerate(tqdm(list(frames), desc="frames", disable=not progress)):
        image = frame.load()
        if i == 0:
            pipeline.read(image)  # warm-up: first calls build graphs / allocate
        t0 = time.perf_counter()
        results = pipeline.read(image)
        times.append(time.perf_counter() - t0)
        rows.append({"results": results, "plates": frame.plates})
    return rows, 1000.0 * float(np.mean(times)) if times else 0.0


def score_frames(rows: list[dict], threshold: float, iou_threshold: float = 0.5, min_score: float = 0.0) -> dict:
    """Figures of :func:`collect_frames` output when readings under ``threshold`` are unread
    (and detections scored under ``min_score`` dropped): ``detection_recall`` (any box),
    ``recall`` and ``precision`` of the reported plates, ``end_to_end_exact``."""
    rows = [{**row, "results": [r for r in row["results"] if r.detection_score >= min_score]} for row in rows]
    c, _ = _tally(rows, lambda r: bool(r.text) and r.confidence >= threshold, iou_threshold)
    n_gt = c["plates"]
    return {
        "detection_recall": c["found"] / n_gt if n_gt else 0.0,
        "recall": c["matched"] / n_gt if n_gt else 0.0,
        "precision": c["matched"] / c["reported"] if c["reported"] else 1.0,
        "end_to_end_exact": c["exact"] / n_gt if n_gt else 0.0,
    }


def _tally(rows: list[dict], reported, iou_threshold: float) -> tuple[dict, list[dict]]:
    """Counts over :func:`collect_frames` rows when ``reported(result)`` says which results
    are reported as plates, and per-frame details."""
    c = dict.fromkeys(("plates", "reported", "matched", "exact", "found", "detections"), 0)
    details = []
    for row in rows:
        plates, everything = row["plates"], row["results"]
        gt = np.array([[o.x1, o.y1, o.x2, o.y2] for o in plates]).reshape(-1, 4)
        kept = [r for r in everything if reported(r)]
        pairs = _matches(kept, gt, iou_threshold)
        exact = sum(normalize_text(kept[p].text) == normalize_text(plates[g].text) for p, g in pairs)
        c["plates"] += len(plates)
        c["reported"] += len(kept)
        c["matched"] += len(pairs)
        c["exact"] += exact
        c["found"] += len(_matches(everything, gt, iou_threshold))
        c["detections"] += len(everything)
        details.append({"labels": [o.text for o in plates], "reads": [r.text for r in kept],
                        "unread": len(everything) - len(kept), "matched": len(pairs), "exact": int(exact)})
    return c, details


def collect_negatives(pipeline, paths, progress: bool = False) -> tuple[list[list], float]:
    """Run ``pipeline`` over plate-free photos: every reading per photo, and ms per photo."""
    from tqdm.auto import tqdm

    from lprkit.data.folders import load_image

    per_photo, times = [], []
    for i, p in enumerate(tqdm(list(paths), desc="photos", disable=not progress)):
        image = load_image(p)
        if i == 0:
            pipeline.read(image)
        t0 = time.perf_counter()
        per_photo.append(pipeline.read(image))
        times.append(time.perf_counter() - t0)
    return per_photo, 1000.0 * float(np.mean(times)) if times else 0.0


def score_negatives(per_photo: list[list], threshold: float, min_score: float = 0.0) -> dict:
    """``boxes_per_photo`` (every detection scored ``min_score`` or more is false on a
    plate-free photo) and ``false_plates_per_photo`` (those read with confidence
    ``threshold`` or more, reported as plates)."""
    n = max(len(per_photo), 1)
    per_photo = [[x for x in r if x.detection_score >= min_score] for r in per_photo]
    boxes = sum(len(r) for r in per_photo)
    plates = sum(sum(1 for x in r if x.text and x.confidence >= threshold) for r in per_photo)
    return {"boxes_per_photo": boxes / n, "false_plates_per_photo": plates / n}
