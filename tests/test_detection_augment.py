"""Seeded augmentation: geometry follows the boxes, mosaic brings in other images."""

from __future__ import annotations

import numpy as np
import pytest

from lprkit.detection.augment import Augmenter

RED = (220, 30, 30)


def _scene(seed=0, size=(120, 200)):
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 60, (*size, 3), dtype=np.uint8)
    image[40:60, 50:110] = RED
    return image, np.array([[50, 40, 110, 60]], np.float32), np.array([0])


def test_same_seed_same_bytes_and_boxes_follow_the_content():
    aug = Augmenter(96, colour=0.0, min_visibility=0.9)
    image, boxes, classes = _scene()
    a = aug(image, boxes, classes, seed=7)
    b = aug(image, boxes, classes, seed=7)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[0].shape == (96, 96, 3) and a[0].dtype == np.uint8
    seen = 0
    for seed in range(6):
        out, out_boxes, out_classes = aug(image, boxes, classes, seed=seed)
        assert out_boxes.dtype == np.float32 and out_classes.tolist() == [0] * len(out_boxes)
        for x1, y1, x2, y2 in out_boxes:
            inner = out[int(y1) + 2 : int(y2) - 1, int(x1) + 2 : int(x2) - 1].reshape(-1, 3)
            assert np.abs(inner.mean(axis=0) - RED).max() < 25  # the box still holds the plate
            seen += 1
    assert seen >= 4
    c = aug(image, boxes, classes, seed=8)
    assert not np.array_equal(a[0], c[0])


def test_mosaic_takes_boxes_from_other_images():
    aug = Augmenter(96, mosaic=1.0, colour=0.0, scale=(1.0, 1.0), translate=0.0, flip=0.0,
                    min_visibility=0.1)
    image, boxes, classes = _scene(0)
    extra = [(np.full((80, 80, 3), 90, np.uint8), np.array([[10, 10, 70, 70]]), np.array([1]))] * 3
    counts = [len(aug(image, boxes, classes, seed=s, extra=extra)[2]) for s in range(5)]
    labels = np.concatenate([aug(image, boxes, classes, seed=s, extra=extra)[2] for s in range(5)])
    assert max(counts) >= 2 and 1 in labels


def test_rejects_bad_input():
    aug = Augmenter(64)
    with pytest.raises(ValueError, match="RGB uint8"):
        aug(np.zeros((10, 10), np.uint8), np.zeros((0, 4)), np.zeros(0), seed=0)
    with pytest.raises(ValueError, match="1 boxes but 2 class ids"):
        aug(np.zeros((10, 10, 3), np.uint8), np.zeros((1, 4)), np.zeros(2), seed=0)
