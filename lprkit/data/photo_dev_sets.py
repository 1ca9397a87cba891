"""Development sets of real photos that predict how the reader does on photos it never saw.

* ``openalpr_eu`` at full size: 108 European photos, plates about a quarter of the frame wide;
* the **small-plate proxy** (:func:`write_small_plate_proxy`): the same photos shrunk so their
  plate is 4-10% of a 1280x720 frame wide (road cameras: a median 7%) and pasted at a random
  place into a view of a plate-free development photo;
* the **development part of the negatives** (:func:`negatives_dev`): plate-free photos the
  detector never trains on (:func:`~lprkit.data.train_detector_sets.split_negatives`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lprkit.config import make_rng

PROXY_SIZE = (1280, 720)
PROXY_WIDTHS = (0.04, 0.10)  # plate width / frame width, log-uniform


def negatives_dev(download: bool = False) -> list[Path]:
    """The plate-free development photos (never used for training)."""
    from lprkit.data.train_detector_sets import load_negatives, split_negatives

    return split_negatives(load_negatives(download=download, progress=False))[1]


def negatives_train(download: bool = False) -> list[Path]:
    """The plate-free photos detectors may train on."""
    from lprkit.data.train_detector_sets import load_negatives, split_negatives

    return split_negatives(load_negatives(download=download, progress=False))[0]


def write_small_plate_proxy(
    out_dir: str | os.PathLike,
    *,
    seed: int = 0,
    size: tuple[int, int] = PROXY_SIZE,
    widths: tuple[float, float] = PROXY_WIDTHS,
    overwrite: bool = False,
    download: bool = True,
) -> Path:
    """Write the small-plate proxy as a frames folder (``labels.csv`` + JPEGs), once per seed.

    Each ``openalpr_eu`` photo is scaled so its plate is ``widths`` of the frame width
    (log-uniform) and pasted into a ``size`` view of a development negative; the label
    box is scaled and moved with it. Deterministic for a seed; an existing complete folder is
    reused unless ``overwrite``. With ``download``, missing real photos are fetched (local
    copies under ``LPRKIT_DATA_HOME`` are used first).
    """
    import cv2

    from lprkit.data.folders import load_image
    from lprkit.data.realdata import load_openalpr_eu
    from lprkit.fileio import atomic_write_text

    out = Path(out_dir)
    if (out / "labels.csv").is_file() and not overwrite:
        return out
    frames = list(load_openalpr_eu(download=download, progress=False))
    backgrounds = negatives_dev(download=download)
    out.mkdir(parents=True, exist_ok=True)
    W, H = size
    rows = []
    for i, frame in enumerate(frames):
        rng = make_rng(np.random.default_rng((seed, i)))
        photo = frame.load()
        plate = frame.plates[0]
        target = float(np.exp(rng.uniform(np.log(widths[0]), np.log(widths[1])))) * W
        s = target / max(plate.x2 - plate.x1, 1.0)
        ph, pw = photo.shape[:2]
        small = cv2.resize(photo, (max(int(pw * s), 1), max(int(ph * s), 1)), interpolation=cv2.INTER_AREA)
        bg = load_image(backgrounds[int(rng.integers(len(backgrounds)))])
        canvas = cv2.resize(bg, (W, H), interpolation=cv2.INTER_AREA)
        sh, sw = small.shape[:2]
        sw, sh = min(sw, W), min(sh, H)
        x0, y0 = int(rng.integers(0, W - sw + 1)), int(rng.integers(0, H - sh + 1))
        canvas[y0 : y0 + sh, x0 : x0 + sw] = small[:sh, :sw]
        name = f"small_{frame.path.stem}.jpg"
        cv2.imwrite(str(out / name), cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])
        x1, y1 = plate.x1 * s + x0, plate.y1 * s + y0
        w, h = (plate.x2 - plate.x1) * s, (plate.y2 - plate.y1) * s
        rows.append(f"{name},{plate.text},{x1:.1f},{y1:.1f},{w:.1f},{h:.1f}")
    atomic_write_text(out / "labels.csv", "\n".join(rows) + "\n", overwrite=True)
    return out
