"""What every recogniser returns and accepts, so that CRNN, LPRNet, Tesseract and TFLite
models can be compared, swapped in the pipeline and evaluated by the same code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True)
class PlateRead:
    """One plate's reading.

    Attributes
    ----------
    text
        The plate text in the recogniser's alphabet, without separators (``"12가3456"``).
    confidence
        Confidence of the whole reading in [0, 1] (the product or minimum of the per-character
        confidences for CTC models, Tesseract's mean word confidence / 100 for the baseline).
    char_confidences
        Confidence of each token of ``text``, when the recogniser gives them.
    """

    text: str
    confidence: float
    char_confidences: tuple[float, ...] = field(default=())


@runtime_checkable
class Recognizer(Protocol):
    """Anything that reads plate crops: ``read(crops) -> list[PlateRead]``.

    ``crops`` are RGB uint8 HWC arrays of any size; each recogniser resizes them itself.
    ``name`` labels the recogniser in comparison tables.
    """

    name: str

    def read(self, crops: Sequence[np.ndarray]) -> list[PlateRead]: ...
