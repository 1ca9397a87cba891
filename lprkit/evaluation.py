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
        ``n`` (frames), ``plates`` (labelled plates), ``recall``, ``precision``,
        ``end_to_end_exact`` (exactly read and matched / labelled plates), ``ms_per_frame``
        (mean pipeline time per frame after one warm-up frame, image decoding excluded),
        ``detector``, ``recognizer``, and ``frames`` (per-frame details).
    """
    from tqdm.auto import tqdm

    from lprkit.data.folders import read_frames_folder

    frames = list(read_frames_folder(folder))[:limit]
    if not frames:
        raise ValueError(f"frames folder {folder} has no labelled frames")
    n_gt = n_pred = n_match = n_exact = 0
    times: list[float] = []
    details = []
    for i, frame in enumerate(tqdm(frames, desc="frames", disable=not progress)):
        image = frame.load()
        if i == 0:
            pipeline.read(image)  # warm-up: first calls build graphs / allocate
        t0 = time.perf_counter()
        results = pipeline.read(image)
        times.append(time.perf_counter() - t0)
        plates = frame.plates
        gt = np.array([[o.x1, o.y1, o.x2, o.y2] for o in plates]).reshape(-1, 4)
        pairs = match_boxes(
            np.array([r.box for r in results]).reshape(-1, 4),
            np.array([r.detection_score for r in results]),
            gt,
            iou_threshold,
        )
        exact = [
            normalize_text(results[p].text) == normalize_text(plates[g].text) for p, g in pairs
        ]
        n_gt += len(plates)
        n_pred += len(results)
        n_match += len(pairs)
        n_exact += sum(exact)
        details.append(
            {
                "file": frame.path.name,
                "labels": [o.text for o in plates],
                "reads": [r.text for r in results],
                "matched": len(pairs),
                "exact": int(sum(exact)),
            }
        )
    return {
        "n": len(frames),
        "plates": n_gt,
        "recall": n_match / n_gt if n_gt else 0.0,
        "precision": n_match / n_pred if n_pred else 0.0,
        "end_to_end_exact": n_exact / n_gt if n_gt else 0.0,
        "ms_per_frame": 1000.0 * float(np.mean(times)),
        "detector": pipeline.detector.name,
        "recognizer": pipeline.recognizer.name,
        "frames": details,
    }


def summary(
    result: dict,
    keys: Sequence[str] = ("n", "recall", "precision", "end_to_end_exact", "ms_per_frame"),
) -> str:
    """One line with the headline figures of :func:`evaluate_frames`."""
    parts = []
    for k in keys:
        v = result[k]
        parts.append(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}")
    return " ".join(parts)
