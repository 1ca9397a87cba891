"""The YOLOv4 loss in ``keras.ops``: CIoU for boxes, binary cross-entropy for objectness and classes.

Per image and summed over every cell and anchor of every head:

* **box**: ``(2 - w * h / S^2) * (1 - CIoU)`` at responsible anchors (small boxes weigh more);
* **objectness**: BCE towards 1 at responsible anchors, towards 0 elsewhere -- except where a
  prediction already overlaps some ground truth by more than ``ignore_iou`` (Darknet's
  ``ignore_thresh``): such near-misses are not punished;
* **class**: BCE per class at responsible anchors.

Targets come from :func:`lprkit.detection.targets.build_targets`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from keras import ops

from lprkit.detection.postprocess import MAX_LOG_SCALE, YoloSpec
from lprkit.errors import InputError

EPS = 1e-7


def decode_head(raw, anchors, stride: int, scale_xy: float, num_classes: int):
    """Decode one raw head ``(B, H, W, A * (5 + C))`` as Darknet does.

    Returns
    -------
    boxes, obj_logit, cls_logit
        ``(B, H, W, A, 4)`` ``x1, y1, x2, y2`` in input pixels, ``(B, H, W, A)`` and
        ``(B, H, W, A, C)`` logits.
    """
    n_anchors = len(anchors)
    h, w = raw.shape[1], raw.shape[2]
    t = ops.reshape(raw, (-1, h, w, n_anchors, 5 + num_classes))
    gy, gx = ops.meshgrid(
        ops.arange(h, dtype="float32"), ops.arange(w, dtype="float32"), indexing="ij"
    )
    grid = ops.reshape(ops.stack([gx, gy], axis=-1), (1, h, w, 1, 2))
    centre = (ops.sigmoid(t[..., 0:2]) * scale_xy - (scale_xy - 1.0) / 2.0 + grid) * stride
    anchor = ops.reshape(ops.convert_to_tensor(anchors, dtype="float32"), (1, 1, 1, n_anchors, 2))
    size = ops.exp(ops.minimum(t[..., 2:4], MAX_LOG_SCALE)) * anchor
    boxes = ops.concatenate([centre - size / 2.0, centre + size / 2.0], axis=-1)
    return boxes, t[..., 4], t[..., 5:]


def box_ciou(a, b):
    """Complete IoU of boxes ``a`` and ``b`` (``..., 4`` as ``x1, y1, x2, y2``), elementwise.

    ``CIoU = IoU - d^2 / c^2 - alpha * v``: ``d`` the distance between centres, ``c`` the
    diagonal of the smallest enclosing box, ``v`` the aspect-ratio mismatch.
    """
    wa, ha = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]
    wb, hb = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1]
    iw = ops.maximum(ops.minimum(a[..., 2], b[..., 2]) - ops.maximum(a[..., 0], b[..., 0]), 0.0)
    ih = ops.maximum(ops.minimum(a[..., 3], b[..., 3]) - ops.maximum(a[..., 1], b[..., 1]), 0.0)
    inter = iw * ih
    iou = inter / (wa * ha + wb * hb - inter + EPS)
    cw = ops.maximum(a[..., 2], b[..., 2]) - ops.minimum(a[..., 0], b[..., 0])
    ch = ops.maximum(a[..., 3], b[..., 3]) - ops.minimum(a[..., 1], b[..., 1])
    diag = cw * cw + ch * ch + EPS
    dx = (a[..., 0] + a[..., 2] - b[..., 0] - b[..., 2]) / 2.0
    dy = (a[..., 1] + a[..., 3] - b[..., 1] - b[..., 3]) / 2.0
    v = (4.0 / math.pi**2) * ops.square(ops.arctan(wa / (ha + EPS)) - ops.arctan(wb / (hb + EPS)))
    alpha = ops.stop_gradient(v / (1.0 - iou + v + EPS))
    return iou - (dx * dx + dy * dy) / diag - alpha * v


def pairwise_iou(a, b):
    """IoU of ``a`` (``..., N, 4``) with ``b`` (``..., M, 4``) broadcast to ``(..., N, M)``."""
    a, b = ops.expand_dims(a, -2), ops.expand_dims(b, -3)
    iw = ops.maximum(ops.minimum(a[..., 2], b[..., 2]) - ops.maximum(a[..., 0], b[..., 0]), 0.0)
    ih = ops.maximum(ops.minimum(a[..., 3], b[..., 3]) - ops.maximum(a[..., 1], b[..., 1]), 0.0)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / (area_a + area_b - inter + EPS)


def bce_with_logits(target, logit):
    """Elementwise binary cross-entropy from logits, stable for large ``|logit|``."""
    return ops.maximum(logit, 0.0) - logit * target + ops.log1p(ops.exp(-ops.abs(logit)))


def yolo_loss(
    y_true: Sequence,
    y_pred: Sequence,
    gt,
    spec: YoloSpec,
    ignore_iou: float = 0.7,
    weights: tuple[float, float, float] = (1.0, 1.0, 1.0),
) -> dict:
    """YOLOv4 loss per image.

    Parameters
    ----------
    y_true
        Per head ``(B, H, W, A, 5 + C)`` targets (boxes, objectness, classes).
    y_pred
        Per head raw model outputs ``(B, H, W, A * (5 + C))``.
    gt
        ``(B, M, 5)`` padded ground truth (``x1, y1, x2, y2, class``; class ``-1`` = padding),
        used for the ignore rule.
    spec
        The model's heads.
    ignore_iou
        Predictions overlapping a ground truth by more than this get no "no object" loss.
    weights
        Multipliers of the box, objectness and class terms.

    Returns
    -------
    dict
        ``box``, ``obj``, ``cls`` and ``total``, each a ``(B,)`` tensor.
    """
    if len(y_true) != spec.num_heads or len(y_pred) != spec.num_heads:
        raise InputError(
            f"expected {spec.num_heads} heads, got {len(y_true)} targets and {len(y_pred)} outputs"
        )
    gt = ops.convert_to_tensor(gt, dtype="float32")
    gt_valid = ops.cast(gt[..., 4] >= 0, "float32")
    gt_boxes = gt[..., :4] * ops.expand_dims(gt_valid, -1)
    area_norm = float(spec.input_size) ** 2
    parts = {"box": 0.0, "obj": 0.0, "cls": 0.0}
    for h in range(spec.num_heads):
        true = ops.convert_to_tensor(y_true[h], dtype="float32")
        boxes, obj_logit, cls_logit = decode_head(
            y_pred[h], spec.head_anchors(h), spec.strides[h], spec.scale_xy[h], spec.num_classes
        )
        obj = true[..., 4]
        tbox = true[..., :4]
        scale = 2.0 - (tbox[..., 2] - tbox[..., 0]) * (tbox[..., 3] - tbox[..., 1]) / area_norm
        box = obj * scale * (1.0 - box_ciou(boxes, tbox))

        b = ops.shape(boxes)[0]
        flat = ops.reshape(boxes, (b, -1, 4))
        best = ops.max(pairwise_iou(flat, gt_boxes), axis=-1)
        best = ops.stop_gradient(ops.reshape(best, ops.shape(obj)))
        background = (1.0 - obj) * ops.cast(best < ignore_iou, "float32")
        conf = obj * bce_with_logits(1.0, obj_logit) + background * bce_with_logits(0.0, obj_logit)
        cls = ops.expand_dims(obj, -1) * bce_with_logits(true[..., 5:], cls_logit)

        parts["box"] = parts["box"] + ops.sum(box, axis=(1, 2, 3))
        parts["obj"] = parts["obj"] + ops.sum(conf, axis=(1, 2, 3))
        parts["cls"] = parts["cls"] + ops.sum(cls, axis=(1, 2, 3, 4))
    parts = {k: v * w for (k, v), w in zip(parts.items(), weights, strict=True)}
    parts["total"] = parts["box"] + parts["obj"] + parts["cls"]
    return parts
