"""Decoding YOLO heads, NMS and mapping back to original pixels (NumPy only)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lprkit.detection.letterbox import letterbox_geometry
from lprkit.detection.postprocess import YoloSpec, box_iou, decode_outputs, nms, postprocess

SPEC = YoloSpec(
    input_size=64,
    num_classes=2,
    anchors=(((10, 5), (20, 10)), ((30, 15), (60, 30))),
    strides=(16, 32),
    scale_xy=(1.0, 1.1),
)


def _empty_outputs(batch=1):
    return [np.full((batch, 4, 4, 2 * 7), -10.0, np.float32),
            np.full((batch, 2, 2, 2 * 7), -10.0, np.float32)]


def test_decode_one_cell_by_hand():
    outs = _empty_outputs()
    cell = outs[1].reshape(1, 2, 2, 2, 7)
    cell[0, 1, 0, 1] = [0.0, np.log(3.0), np.log(2.0), 0.0, 3.0, -2.0, 1.0]
    boxes, obj, cls = decode_outputs(outs, SPEC)
    assert boxes.shape == (1, 4 * 4 * 2 + 2 * 2 * 2, 4)
    i = 4 * 4 * 2 + (1 * 2 + 0) * 2 + 1  # head 1, row 1, col 0, anchor 1
    sx = 0.5 * 1.1 - 0.05 + 0  # sigmoid(0) * s - (s - 1) / 2 + cell_x
    sy = 0.75 * 1.1 - 0.05 + 1  # sigmoid(log 3) = 0.75
    cx, cy, w, h = sx * 32, sy * 32, 2 * 60, 1 * 30
    np.testing.assert_allclose(boxes[0, i], [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], rtol=1e-5)
    np.testing.assert_allclose(obj[0, i], 1 / (1 + np.exp(-3.0)), rtol=1e-6)
    np.testing.assert_allclose(cls[0, i], 1 / (1 + np.exp([2.0, -1.0])), rtol=1e-6)


def test_decode_rejects_wrong_depth():
    with pytest.raises(ValueError, match=r"head 0 has 13 channels; expected 2 anchors"):
        decode_outputs([np.zeros((1, 4, 4, 13)), np.zeros((1, 2, 2, 14))], SPEC)


def test_nms_known_answer_and_per_class():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], float)
    scores = np.array([0.9, 0.8, 0.7, 0.95])
    assert nms(boxes, scores, 0.5).tolist() == [3, 2]
    assert nms(boxes, scores, 0.5, classes=np.array([0, 1, 0, 0])).tolist() == [3, 1, 2]
    assert nms(boxes, scores, 0.5, max_detections=1).tolist() == [3]
    assert nms(np.zeros((0, 4)), np.zeros(0)).tolist() == []
    np.testing.assert_allclose(box_iou(boxes[:1], boxes[1:2]), [[81 / 119]])


def test_postprocess_filters_and_maps_back_through_letterbox():
    outs = _empty_outputs(batch=2)
    head = outs[0].reshape(2, 4, 4, 2, 7)
    # image 0: one strong class-1 box at cell (row 2, col 1), anchor 0, and a weak one.
    head[0, 2, 1, 0] = [0, 0, 0, 0, 4.0, -4.0, 4.0]
    head[0, 0, 0, 0] = [0, 0, 0, 0, -1.0, -1.0, -1.0]
    results = postprocess(outs, SPEC, score_threshold=0.5)
    assert [r.shape for r in results] == [(1, 6), (0, 6)]
    x1, y1, x2, y2, score, cls = results[0][0]
    np.testing.assert_allclose([x1, y1, x2, y2], [19, 37.5, 29, 42.5])  # centre (24, 40), 10 x 5
    assert cls == 1 and score == pytest.approx((1 / (1 + np.exp(-4.0))) ** 2, rel=1e-5)

    geo = letterbox_geometry(128, 64, 64)  # scale 0.5, pad_y 16
    mapped = postprocess(outs, SPEC, score_threshold=0.5, letterboxes=[geo, geo])
    np.testing.assert_allclose(mapped[0][0, :4], [38, 43, 58, 53])
    with pytest.raises(ValueError, match="1 letterboxes for a batch of 2"):
        postprocess(outs, SPEC, letterboxes=[geo])


def test_spec_dict_round_trip_and_errors():
    assert YoloSpec.from_dict(SPEC.to_dict()) == SPEC
    with pytest.raises(ValueError, match="not a YOLO spec"):
        YoloSpec.from_dict({"input_size": 64})
    with pytest.raises(ValueError, match="one anchor set, stride and scale_xy per head"):
        YoloSpec(64, 1, (((1, 1),),), (8, 16), (1.0,))


def test_edge_modules_do_not_import_tensorflow_or_cv2():
    code = (
        "import sys, lprkit.detection.postprocess, lprkit.detection.letterbox, "
        "lprkit.detection.anchors, lprkit.detection.metrics, lprkit.detection.targets\n"
        "bad = [m for m in ('tensorflow', 'keras', 'cv2') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
