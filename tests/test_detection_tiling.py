"""Tiled detection: windows cover the frame, boxes come back in frame pixels, cut boxes go."""

import numpy as np
import pytest
from fakes import BoxDetector

from lprkit.detection.base import Detection
from lprkit.detection.tiling import TiledDetector, tile_grid


def test_tile_grid_covers_the_image_with_overlap():
    wins = tile_grid(1280, 720, 640, overlap=0.25)
    assert len(wins) == 6
    covered = np.zeros((720, 1280), bool)
    for x1, y1, x2, y2 in wins:
        assert x2 - x1 <= 640 and y2 - y1 <= 640
        covered[y1:y2, x1:x2] = True
    assert covered.all()
    xs = sorted({w[0] for w in wins})
    assert all(b - a <= 640 * 0.75 for a, b in zip(xs, xs[1:], strict=False))
    assert tile_grid(300, 200, 640) == [(0, 0, 300, 200)]


@pytest.mark.parametrize("tile,overlap", [(8, 0.2), (640, 1.0), (640, -0.1)])
def test_tile_grid_refuses_bad_settings(tile, overlap):
    with pytest.raises(ValueError):
        tile_grid(1000, 1000, tile, overlap)


class _SmallOnly:
    """Finds white boxes only in views no larger than 700 px: a detector that misses small
    plates in whole large frames."""

    name = "small-only"
    class_names = ("plate",)

    def __init__(self):
        self.views = []

    def detect(self, images):
        self.views.append([im.shape[:2] for im in images])
        return [BoxDetector().detect([im])[0] if max(im.shape[:2]) <= 700 else [] for im in images]


def test_small_plate_found_in_a_tile_and_mapped_back_to_the_frame():
    frame = np.full((720, 1280, 3), 60, np.uint8)
    frame[600:620, 1000:1060] = 255
    inner = _SmallOnly()
    dets = TiledDetector(inner, tile=640).detect([frame])[0]
    assert len(inner.views) == 1 and len(inner.views[0]) == 7  # whole frame + 6 tiles, one batch
    assert len(dets) == 1
    assert dets[0].box == pytest.approx((1000, 600, 1060, 620))


def test_small_frames_are_not_tiled_and_duplicates_merge():
    frame = np.full((400, 600, 3), 60, np.uint8)
    frame[100:120, 100:160] = 255
    inner = _SmallOnly()
    tiled = TiledDetector(inner, tile=640)
    assert tiled.windows(frame) == []
    assert [d.box for d in tiled.detect([frame])[0]] == [(100, 100, 160, 120)]
    big = np.full((720, 1280, 3), 60, np.uint8)
    big[300:320, 600:660] = 255  # inside two overlapping tiles: found twice, kept once
    assert len(TiledDetector(inner, tile=640).detect([big])[0]) == 1


def test_boxes_cut_by_an_inner_tile_edge_are_dropped():
    class Half:
        name, class_names = "half", ("plate",)

        def detect(self, images):  # a box touching the left edge of every view
            return [[Detection((0.0, 10.0, 30.0, 30.0), 0.9)] for _ in images]

    frame = np.zeros((720, 1280, 3), np.uint8)
    dets = TiledDetector(Half(), tile=640).detect([frame])[0]
    # kept only where the view's left edge is the frame's (x1 == 0): whole frame, first column
    assert {d.box[0] for d in dets} == {0.0}


def test_tiled_detector_needs_a_detector():
    with pytest.raises(TypeError, match="not a Detector"):
        TiledDetector(object())


def test_tile_score_drops_weak_boxes_found_only_in_tiles():
    class Scored:
        """A box of score 0.6 in every tile, 0.9 in the whole frame (a different place)."""

        name, class_names = "scored", ("plate",)

        def detect(self, images):
            return [[Detection((100.0, 100.0, 160.0, 120.0), 0.9 if im.shape[1] == 1280 else 0.6)]
                    for im in images]  # fmt: skip

    frame = np.zeros((720, 1280, 3), np.uint8)
    every = TiledDetector(Scored(), tile=640).detect([frame])[0]
    strict = TiledDetector(Scored(), tile=640, tile_score=0.7).detect([frame])[0]
    assert len(every) > 1 and [d.score for d in strict] == [0.9]
    with pytest.raises(ValueError, match="tile_score"):
        TiledDetector(Scored(), tile_score=1.5)
