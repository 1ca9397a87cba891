"""Small plates in large frames: run a detector on the whole frame and on overlapping tiles.

A 1280x720 frame letterboxed into a 320-pixel input shrinks 4x, so a plate 4% of the frame
wide (51 px) reaches the network 13 px wide and 3 px high: below what a stride-16 head can
find. Cutting the frame into overlapping tiles about ``tile`` pixels across and detecting in
each (batched with the whole frame) shows small plates at up to 2.5x the size; the boxes are
mapped back to the frame and merged with one NMS. Large plates, cut by tile borders, are
found in the whole-frame pass.

:class:`TiledDetector` wraps any :class:`~lprkit.detection.base.Detector` (Keras, LiteRT,
ONNX Runtime) and is one itself; NumPy only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lprkit.detection.base import Detection, Detector, detections_from_rows
from lprkit.detection.postprocess import nms
from lprkit.errors import InputError


def tile_grid(width: int, height: int, tile: int, overlap: float = 0.2) -> list[tuple[int, int, int, int]]:
    """Windows ``(x1, y1, x2, y2)`` of side at most ``tile`` covering a ``width`` x ``height``
    image, neighbours overlapping by at least ``overlap`` of a tile (so a plate cut by one
    border is whole in the next). An image no larger than ``tile`` is one window."""
    if tile < 16:
        raise InputError(f"tile must be >= 16 pixels, got {tile}")
    if not 0 <= overlap < 1:
        raise InputError(f"overlap must be in [0, 1), got {overlap}")

    def starts(length: int) -> list[int]:
        if length <= tile:
            return [0]
        n = math.ceil((length - tile) / (tile * (1 - overlap))) + 1
        return [round(i * (length - tile) / (n - 1)) for i in range(n)]

    return [(x, y, min(x + tile, width), min(y + tile, height))
            for y in starts(height) for x in starts(width)]  # fmt: skip


def _cut_by_tile(box: np.ndarray, win, width: int, height: int, tol: float = 2.0) -> bool:
    """Whether ``box`` touches an edge of its tile that lies inside the image: then the tile
    shows only part of the object, which another tile (or the whole frame) shows whole."""
    x1, y1, x2, y2 = win
    return bool(
        (x1 > 0 and box[0] <= x1 + tol) or (y1 > 0 and box[1] <= y1 + tol)
        or (x2 < width and box[2] >= x2 - tol) or (y2 < height and box[3] >= y2 - tol)
    )  # fmt: skip


class TiledDetector:
    """A detector run on the whole frame plus overlapping tiles, boxes merged by NMS.

    Parameters
    ----------
    detector
        Any :class:`~lprkit.detection.base.Detector`.
    tile
        Tile side in frame pixels; frames whose long side is at most ``min_side`` are not
        tiled (the whole-frame pass alone sees their plates large enough).
    overlap
        Least overlap of neighbouring tiles, as a fraction of the tile.
    min_side
        Tile only frames whose long side exceeds this (default ``1.5 * tile``).
    iou_threshold
        Overlap above which the merged boxes of one class suppress each other.
    tile_score
        Least score of a box found in a tile (the whole-frame pass keeps the detector's own
        threshold): a tile magnifies texture, and magnified texture is where false boxes
        come from. ``None``: no extra threshold.
    """

    def __init__(
        self,
        detector: Detector,
        tile: int = 640,
        overlap: float = 0.25,
        min_side: int | None = None,
        iou_threshold: float = 0.45,
        tile_score: float | None = None,
    ) -> None:
        if not isinstance(detector, Detector):
            raise TypeError(f"{type(detector).__name__} is not a Detector (needs name, class_names, detect)")
        tile_grid(tile, tile, tile, overlap)  # checks tile and overlap
        self.detector = detector
        self.tile = int(tile)
        self.overlap = float(overlap)
        self.min_side = int(min_side) if min_side is not None else int(1.5 * tile)
        self.iou_threshold = float(iou_threshold)
        if tile_score is not None and not 0 <= tile_score <= 1:
            raise InputError(f"tile_score must be in [0, 1], got {tile_score}")
        self.tile_score = tile_score
        self.name = detector.name  # the same model: reports name it, and `tile` says how it ran
        self.class_names = tuple(detector.class_names)

    def windows(self, image: np.ndarray) -> list[tuple[int, int, int, int]]:
        """The tiles of one image (none when it is small enough to be seen whole)."""
        h, w = image.shape[:2]
        if max(h, w) <= self.min_side:
            return []
        return tile_grid(w, h, self.tile, self.overlap)

    def detect(self, images: Sequence[np.ndarray]) -> list[list[Detection]]:
        """Detections per image, in whole-image pixels, best first."""
        views, owners, windows, tiled = [], [], [], set()
        for i, image in enumerate(images):
            h, w = image.shape[:2]
            tiles = self.windows(image)
            if tiles:
                tiled.add(i)
            for win in [(0, 0, w, h), *tiles]:
                views.append(image[win[1] : win[3], win[0] : win[2]])
                owners.append(i)
                windows.append(win)
        found = self.detector.detect(views)
        untiled = {i: dets for dets, i in zip(found, owners, strict=True) if i not in tiled}
        rows: list[list[np.ndarray]] = [[] for _ in images]
        for dets, i, win in zip(found, owners, windows, strict=True):
            if i not in tiled:
                continue
            h, w = images[i].shape[:2]
            is_tile = win != (0, 0, w, h)
            for d in dets:
                if is_tile and self.tile_score is not None and d.score < self.tile_score:
                    continue
                box = np.asarray(d.box, np.float64) + [win[0], win[1], win[0], win[1]]
                if _cut_by_tile(box, win, w, h):
                    continue
                rows[i].append(np.array([*box, d.score, d.class_id]))
        out = []
        for i, r in enumerate(rows):
            if i in untiled:  # seen whole: exactly what the detector found
                out.append(list(untiled[i]))
                continue
            if not r:
                out.append([])
                continue
            a = np.stack(r)
            keep = nms(a[:, :4], a[:, 4], self.iou_threshold, classes=a[:, 5].astype(np.int64))
            out.append(detections_from_rows(a[keep]))
        return out
