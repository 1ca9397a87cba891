"""CIoU and the YOLO loss (keras.ops)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lprkit.detection.loss import box_ciou, yolo_loss
from lprkit.detection.postprocess import YoloSpec
from lprkit.detection.targets import build_targets

SPEC = YoloSpec(
    input_size=64,
    num_classes=2,
    anchors=(((8, 4), (16, 8), (24, 12)), ((32, 16), (48, 24), (64, 32))),
    strides=(16, 32),
    scale_xy=(1.05, 1.05),
)


def test_ciou_known_values():
    a = np.array([[0, 0, 2, 2], [0, 0, 2, 2], [0, 0, 4, 2]], np.float32)
    b = np.array([[0, 0, 2, 2], [1, 0, 3, 2], [0, 0, 2, 2]], np.float32)
    v = 4 / math.pi**2 * (math.atan(2) - math.atan(1)) ** 2
    expected = [1.0, 1 / 3 - 1 / 13, 0.5 - 1 / 20 - v / (0.5 + v) * v]
    np.testing.assert_allclose(np.asarray(box_ciou(a, b)), expected, atol=1e-5)


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _perfect_outputs(heads, spec):
    """Raw outputs that decode exactly to the targets (objectness and classes saturated)."""
    outs = []
    for h, t in enumerate(heads):
        b, g, _, a, d = t.shape
        anchors, s, stride = spec.head_anchors(h), spec.scale_xy[h], spec.strides[h]
        raw = np.zeros_like(t)
        obj = t[..., 4] > 0
        col = np.arange(g)[None, None, :, None]
        row = np.arange(g)[None, :, None, None]
        fx = ((t[..., 0] + t[..., 2]) / 2 / stride - col + (s - 1) / 2) / s
        fy = ((t[..., 1] + t[..., 3]) / 2 / stride - row + (s - 1) / 2) / s
        raw[..., 0] = np.where(obj, _logit(fx), 0)
        raw[..., 1] = np.where(obj, _logit(fy), 0)
        raw[..., 2] = np.where(obj, np.log(np.maximum(t[..., 2] - t[..., 0], 1e-3) / anchors[:, 0]), 0)
        raw[..., 3] = np.where(obj, np.log(np.maximum(t[..., 3] - t[..., 1], 1e-3) / anchors[:, 1]), 0)
        raw[..., 4] = np.where(obj, 20.0, -20.0)
        raw[..., 5:] = np.where(t[..., 5:] > 0.5, 20.0, -20.0)
        outs.append(raw.reshape(b, g, g, a * d))
    return outs


def _batch(boxes_list, classes_list):
    per = [build_targets(b, c, SPEC, max_boxes=8) for b, c in zip(boxes_list, classes_list, strict=True)]
    heads = [np.stack([p[0][h] for p in per]) for h in range(SPEC.num_heads)]
    return heads, np.stack([p[1] for p in per])


def test_perfect_predictions_cost_nothing_and_wrong_ones_do():
    heads, gt = _batch([[[4, 4, 20, 12], [30, 30, 62, 46]], [[10, 40, 50, 60]]], [[0, 1], [1]])
    perfect = _perfect_outputs(heads, SPEC)
    parts = {k: np.asarray(v) for k, v in yolo_loss(heads, perfect, gt, SPEC).items()}
    assert parts["total"].shape == (2,)
    np.testing.assert_allclose(parts["box"], 0, atol=1e-3)
    np.testing.assert_allclose(parts["obj"], 0, atol=1e-4)
    np.testing.assert_allclose(parts["cls"], 0, atol=1e-4)
    np.testing.assert_allclose(parts["total"], parts["box"] + parts["obj"] + parts["cls"])
    shifted = [o.copy() for o in perfect]
    for o in shifted:
        o.reshape(*o.shape[:3], 3, 7)[..., 0] += 1.5  # move every box right
    worse = np.asarray(yolo_loss(heads, shifted, gt, SPEC)["box"])
    assert (worse > 0.05).all()


def test_ignore_rule_spares_good_negatives():
    box = np.array([[0, 0, 20, 10]], np.float32)
    heads, gt = _batch([box], [[0]])
    # An anchor that is not responsible (head 0 anchor 0) predicts the box with confidence.
    fake = [h.copy() for h in heads]
    fake[0][0, 0, 0, 0, :5] = [0, 0, 20, 10, 1]
    outs = _perfect_outputs(fake, SPEC)
    spared = float(np.asarray(yolo_loss(heads, outs, gt, SPEC, ignore_iou=0.7)["obj"])[0])
    punished = float(np.asarray(yolo_loss(heads, outs, gt, SPEC, ignore_iou=1.01)["obj"])[0])
    assert spared == pytest.approx(0, abs=1e-4)
    assert punished == pytest.approx(20.0, abs=1e-3)  # BCE(0, logit 20)


def test_gradients_are_finite():
    import tensorflow as tf

    heads, gt = _batch([[[4, 4, 20, 12]]], [[0]])
    raw = [tf.Variable(np.random.default_rng(0).normal(0, 3, (1, g, g, 21)).astype(np.float32))
           for g in (4, 2)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(yolo_loss(heads, raw, gt, SPEC)["total"])
    grads = tape.gradient(loss, raw)
    assert all(np.isfinite(g.numpy()).all() and np.abs(g.numpy()).sum() > 0 for g in grads)


def test_head_count_is_checked():
    heads, gt = _batch([[[4, 4, 20, 12]]], [[0]])
    with pytest.raises(ValueError, match="expected 2 heads"):
        yolo_loss(heads[:1], heads[:1], gt, SPEC)
