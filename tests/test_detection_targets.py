"""Assigning ground truth to heads, cells and anchors."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.detection.postprocess import YoloSpec
from lprkit.detection.targets import build_targets

SPEC = YoloSpec(
    input_size=64,
    num_classes=2,
    anchors=(((8, 4), (16, 8), (24, 12)), ((32, 16), (48, 24), (64, 32))),
    strides=(16, 32),
    scale_xy=(1.05, 1.05),
)


def test_best_anchor_and_cell():
    box = np.array([[36, 20, 52, 28]], np.float32)  # 16 x 8, centre (44, 24)
    heads, gt = build_targets(box, [1], SPEC, assign_iou=1.0)
    assert [h.shape for h in heads] == [(4, 4, 3, 7), (2, 2, 3, 7)]
    assert heads[0][:, :, :, 4].sum() == 1 and heads[1][..., 4].sum() == 0
    cell = heads[0][1, 2, 1]  # row 24 // 16 = 1, col 44 // 16 = 2, anchor (16, 8)
    np.testing.assert_allclose(cell, [36, 20, 52, 28, 1, 0, 1])
    assert gt.shape == (100, 5)
    np.testing.assert_allclose(gt[0], [36, 20, 52, 28, 1])
    assert (gt[1:, 4] == -1).all()


def test_extra_anchors_above_threshold():
    box = np.array([[0, 0, 20, 10]], np.float32)  # IoU 0.64 with (16, 8), 0.69 with (24, 12)
    heads, _ = build_targets(box, [0], SPEC, assign_iou=0.5)
    assert heads[0][0, 0, :, 4].tolist() == [0, 1, 1]
    heads, _ = build_targets(box, [0], SPEC, assign_iou=0.213)
    # IoU 0.16 with (8, 4) stays out; 0.39 with (32, 16) on the other head comes in.
    assert heads[0][0, 0, :, 4].tolist() == [0, 1, 1] and heads[1][0, 0, :, 4].tolist() == [1, 0, 0]


def test_clipping_dropping_and_smoothing():
    boxes = np.array([[-10, -10, 10, 10], [63.5, 10, 80, 20]], np.float32)
    heads, gt = build_targets(boxes, [0, 1], SPEC, max_boxes=3, label_smoothing=0.2)
    np.testing.assert_allclose(gt[0], [0, 0, 10, 10, 0])  # clipped; the other is < 1 px wide
    assert (gt[1:, 4] == -1).all()
    positive = heads[0][..., 4] == 1
    np.testing.assert_allclose(heads[0][positive][0, 5:], [0.9, 0.1])


def test_rejects_bad_classes():
    with pytest.raises(ValueError, match=r"class ids must be in \[0, 2\)"):
        build_targets([[0, 0, 10, 10]], [2], SPEC)
    with pytest.raises(ValueError, match="2 boxes but 1 class ids"):
        build_targets([[0, 0, 10, 10], [0, 0, 5, 5]], [0], SPEC)
    heads, gt = build_targets(np.zeros((0, 4)), [], SPEC)
    assert sum(h[..., 4].sum() for h in heads) == 0 and (gt[:, 4] == -1).all()
