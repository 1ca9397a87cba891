"""Training targets: which head, cell and anchor is responsible for each ground-truth box.

YOLOv4 (Darknet ``iou_thresh=0.213``) makes a box the responsibility of its best-matching
anchor over all heads *and* of every other anchor whose shape IoU with it exceeds the
threshold; the cell is the one containing the box centre on that anchor's head. NumPy only.
"""

from __future__ import annotations

import numpy as np

from lprkit.detection.anchors import wh_iou
from lprkit.detection.postprocess import YoloSpec
from lprkit.errors import InputError

#: Darknet's ``iou_thresh`` in yolov4.cfg.
ASSIGN_IOU = 0.213


def build_targets(
    boxes: np.ndarray,
    classes: np.ndarray,
    spec: YoloSpec,
    assign_iou: float = ASSIGN_IOU,
    max_boxes: int = 100,
    label_smoothing: float = 0.0,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Encode one image's boxes as per-head YOLO targets.

    Parameters
    ----------
    boxes
        ``(N, 4)`` ``x1, y1, x2, y2`` in network-input pixels (after letterboxing).
    classes
        ``(N,)`` integer class ids in ``[0, num_classes)``.
    spec
        Heads, anchors and strides of the model.
    assign_iou
        Extra anchors with shape IoU above this also learn the box (1.0 = best anchor only).
    max_boxes
        Length of the padded ground-truth list (boxes beyond it are dropped there, not in the
        head targets).
    label_smoothing
        Class targets become ``1 - eps`` / ``eps / C``.

    Returns
    -------
    heads, gt
        One float32 ``(H, W, A, 5 + C)`` array per head holding ``x1, y1, x2, y2, objectness,
        class one-hot`` at responsible cells (zeros elsewhere), and ``(max_boxes, 5)`` float32
        ``x1, y1, x2, y2, class`` padded with class ``-1``.
    """
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    classes = np.asarray(classes, dtype=np.int64).reshape(-1)
    if len(boxes) != len(classes):
        raise InputError(f"{len(boxes)} boxes but {len(classes)} class ids")
    c = spec.num_classes
    if len(classes) and (classes.min() < 0 or classes.max() >= c):
        raise InputError(f"class ids must be in [0, {c}), got {classes.min()}..{classes.max()}")
    size = spec.input_size
    boxes = np.clip(boxes, 0, size)
    wh = boxes[:, 2:] - boxes[:, :2]
    valid = (wh > 1.0).all(axis=1)  # boxes squeezed to a pixel by clipping carry no signal
    boxes, classes, wh = boxes[valid], classes[valid], wh[valid]

    heads = [
        np.zeros((g, g, len(spec.anchors[h]), 5 + c), np.float32)
        for h, g in enumerate(spec.grid_sizes())
    ]
    anchors = spec.all_anchors()
    owner = np.concatenate([np.full(len(a), h) for h, a in enumerate(spec.anchors)])
    slot = np.concatenate([np.arange(len(a)) for a in spec.anchors])
    one_hot = np.full((len(boxes), c), label_smoothing / c, np.float32)
    one_hot[np.arange(len(boxes)), classes] = 1.0 - label_smoothing + label_smoothing / c
    if len(boxes):
        ious = wh_iou(wh, anchors)
        centres = (boxes[:, :2] + boxes[:, 2:]) / 2.0
        # Larger boxes first, so that where two boxes claim one slot the smaller one wins.
        for i in np.argsort(-wh.prod(axis=1), kind="stable"):
            chosen = set(np.nonzero(ious[i] > assign_iou)[0].tolist()) | {int(ious[i].argmax())}
            for a in sorted(chosen):
                h = owner[a]
                g = heads[h].shape[0]
                col, row = np.clip((centres[i] / spec.strides[h]).astype(int), 0, g - 1)
                heads[h][row, col, slot[a], :4] = boxes[i]
                heads[h][row, col, slot[a], 4] = 1.0
                heads[h][row, col, slot[a], 5:] = one_hot[i]
    gt = np.zeros((max_boxes, 5), np.float32)
    gt[:, 4] = -1.0
    n = min(len(boxes), max_boxes)
    gt[:n, :4] = boxes[:n]
    gt[:n, 4] = classes[:n]
    return heads, gt
