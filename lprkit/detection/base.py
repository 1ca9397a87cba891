"""What every detector returns, so that Keras and TFLite detectors are interchangeable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class Detection:
    """One detected object in original-image pixels.

    Attributes
    ----------
    box
        ``(x1, y1, x2, y2)`` floats in the pixels of the image given to the detector.
    score
        Objectness x class probability, in [0, 1].
    class_id
        Index into the detector's class names (0 = ``plate`` for the course detectors).
    """

    box: tuple[float, float, float, float]
    score: float
    class_id: int = 0


def detections_from_rows(rows: np.ndarray) -> list[Detection]:
    """``(N, 6)`` rows ``x1, y1, x2, y2, score, class`` as :class:`Detection` objects."""
    return [Detection((float(r[0]), float(r[1]), float(r[2]), float(r[3])), float(r[4]), int(r[5])) for r in rows]


@runtime_checkable
class Detector(Protocol):
    """Anything that finds plates: ``detect(images) -> list[list[Detection]]`` (one list per image)."""

    name: str
    class_names: tuple[str, ...]

    def detect(self, images: Sequence[np.ndarray]) -> list[list[Detection]]: ...
