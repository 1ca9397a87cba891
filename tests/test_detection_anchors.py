"""k-means anchors with 1 - IoU distance."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.detection.anchors import boxes_to_wh, kmeans_anchors, mean_best_iou, wh_iou


def test_wh_iou_known_values():
    iou = wh_iou([[10, 10], [4, 2]], [[10, 10], [5, 20], [2, 4]])
    np.testing.assert_allclose(iou[0], [1.0, 50 / 150, 8 / 100])
    np.testing.assert_allclose(iou[1], [8 / 100, 8 / 100, 4 / 12])


def test_boxes_to_wh():
    np.testing.assert_allclose(boxes_to_wh([[1, 2, 11, 7]]), [[10, 5]])


def _clusters(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[8, 4], [40, 12], [120, 60]], float)
    return np.concatenate([c * rng.uniform(0.9, 1.1, (50, 2)) for c in centres]), centres


def test_kmeans_finds_clear_clusters_sorted_by_area():
    wh, centres = _clusters()
    anchors = kmeans_anchors(wh, k=3, seed=1)
    assert anchors.shape == (3, 2) and anchors.dtype == np.float32
    np.testing.assert_allclose(anchors, centres, rtol=0.05)
    assert mean_best_iou(wh, anchors) > 0.85
    assert mean_best_iou(wh, anchors) > mean_best_iou(wh, np.array([[30.0, 30.0]] * 3))


def test_kmeans_is_seeded():
    wh, _ = _clusters(1)
    a = kmeans_anchors(wh, k=6, seed=5)
    assert np.array_equal(a, kmeans_anchors(wh, k=6, seed=5))
    assert np.all(np.diff(a.prod(axis=1)) >= 0)


def test_kmeans_needs_enough_boxes():
    with pytest.raises(ValueError, match="at least k=9 boxes"):
        kmeans_anchors([[1, 1], [2, 2], [0, 5]], k=9)
