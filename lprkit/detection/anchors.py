"""Anchor boxes from a data set: k-means on box sizes with ``1 - IoU`` as the distance.

Euclidean k-means on ``(w, h)`` lets big boxes dominate; with ``1 - IoU`` (boxes compared as
if they shared a centre) a small and a large cluster are judged alike, as in YOLOv2/v3/v4.
NumPy only.
"""

from __future__ import annotations

import numpy as np

from lprkit.config import make_rng
from lprkit.errors import InputError


def wh_iou(wh_a: np.ndarray, wh_b: np.ndarray) -> np.ndarray:
    """IoU of ``(N, 2)`` sizes with ``(K, 2)`` sizes, boxes aligned at one corner: ``(N, K)``."""
    a = np.asarray(wh_a, dtype=np.float64).reshape(-1, 2)
    b = np.asarray(wh_b, dtype=np.float64).reshape(-1, 2)
    inter = np.minimum(a[:, None, 0], b[None, :, 0]) * np.minimum(a[:, None, 1], b[None, :, 1])
    union = a.prod(axis=1)[:, None] + b.prod(axis=1)[None, :] - inter
    return inter / np.maximum(union, 1e-12)


def boxes_to_wh(boxes: np.ndarray) -> np.ndarray:
    """Widths and heights ``(N, 2)`` of ``(N, 4)`` ``x1, y1, x2, y2`` boxes."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    return boxes[:, 2:] - boxes[:, :2]


def mean_best_iou(wh: np.ndarray, anchors: np.ndarray) -> float:
    """Average over boxes of the IoU with their best anchor (Darknet's "avg IoU")."""
    return float(wh_iou(wh, anchors).max(axis=1).mean())


def kmeans_anchors(
    wh: np.ndarray,
    k: int = 9,
    seed: int | np.random.Generator | None = None,
    max_iter: int = 300,
) -> np.ndarray:
    """Cluster box sizes into ``k`` anchors with ``1 - IoU`` distance.

    Parameters
    ----------
    wh
        ``(N, 2)`` box widths and heights in network-input pixels (after letterboxing:
        multiply original sizes by the letterbox scale).
    k
        Number of anchors (9 for YOLOv4, 6 for YOLOv4-tiny).
    seed
        Seed or generator for the initial centres (k-means++ on ``1 - IoU``).
    max_iter
        Stop after this many assignment/update rounds if not converged.

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` float32 anchors sorted by area, smallest first.
    """
    wh = np.asarray(wh, dtype=np.float64).reshape(-1, 2)
    wh = wh[(wh > 0).all(axis=1)]
    if len(wh) < k:
        raise InputError(f"k-means needs at least k={k} boxes with positive size, got {len(wh)}")
    rng = make_rng(seed)
    # k-means++: each new centre is drawn with probability proportional to its distance.
    centres = [wh[rng.integers(len(wh))]]
    for _ in range(1, k):
        dist = 1.0 - wh_iou(wh, np.array(centres)).max(axis=1)
        total = dist.sum()
        p = dist / total if total > 0 else None
        centres.append(wh[rng.choice(len(wh), p=p)])
    centres = np.array(centres)
    assign = np.full(len(wh), -1)
    for _ in range(max_iter):
        new = np.argmax(wh_iou(wh, centres), axis=1)
        if np.array_equal(new, assign):
            break
        assign = new
        for j in range(k):
            members = wh[assign == j]
            if len(members):
                centres[j] = members.mean(axis=0)
            else:  # an empty cluster restarts at the box its centres fit worst
                centres[j] = wh[np.argmin(wh_iou(wh, centres).max(axis=1))]
    order = np.argsort(centres.prod(axis=1), kind="stable")
    return centres[order].astype(np.float32)
