"""Hard-negative mining: where a detector fires on photos that hold no plate.

Random views of plate-free photos teach a detector little once it ignores most texture: the
few regions it still mistakes for plates (a grille, a row of windows, a sign) are a tiny share
of what it sees. :func:`false_boxes` finds those regions the way the pipeline looks at a
frame (whole frame plus magnified tiles, see :class:`~lprkit.detection.tiling.TiledDetector`);
``lprkit synth photo-scenes --focus-detector`` then writes training views that hold them, with
empty targets (or with plates pasted elsewhere), so training spends its steps on them.

Mine only photos you train on: boxes mined on development photos would leak them into
training.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from lprkit.data.folders import load_image
from lprkit.detection.base import Detector
from lprkit.detection.tiling import TiledDetector


def false_boxes(
    detector: Detector,
    photos: Sequence[str | os.PathLike],
    *,
    tile: int | None = 640,
    progress: bool = True,
) -> list[np.ndarray]:
    """Boxes ``detector`` finds on plate-free ``photos``: every one is a false detection.

    Parameters
    ----------
    detector
        Any detector; its own score threshold decides which boxes count (load it with a low
        one, e.g. 0.25, to mine the near misses too).
    photos
        Image files holding no plate.
    tile
        Run it as the pipeline does, on the whole frame and on tiles of this side (``None``:
        the whole frame only).

    Returns
    -------
    list of numpy.ndarray
        Per photo, an ``(n, 4)`` float array of ``x1, y1, x2, y2`` in photo pixels, best first.
    """
    from tqdm.auto import tqdm

    seen = TiledDetector(detector, tile=tile) if tile else detector
    out = []
    for path in tqdm(photos, desc="mining", disable=not progress, unit="photo"):
        dets = seen.detect([load_image(path)])[0]
        out.append(np.array([d.box for d in dets], np.float64).reshape(-1, 4))
    return out
