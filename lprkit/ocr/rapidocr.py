"""RapidOCR (PP-OCR models on ONNX Runtime) as a baseline recogniser: a modern general OCR.

It has never seen a plate, which makes it the honest bar for a specialised model: the
course's recognisers must read more real plates than it does. It reads Latin text only (no
Hangul). Install with ``pip install rapidocr-onnxruntime`` (the ``rapidocr`` extra); the
models ship inside that wheel, so nothing is downloaded at run time.

A crop is read as a new user would: text detection, then recognition of each text line; the
lines are joined top to bottom, and only characters of the alphabet are kept (upper case).
When the detector finds no text the whole crop is recognised as one line.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lprkit.charset import Alphabet, get_alphabet
from lprkit.errors import LprkitError
from lprkit.recognition.base import PlateRead


def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        raise LprkitError(
            "--recognizer rapidocr needs RapidOCR: pip install rapidocr-onnxruntime "
            "(or pip install 'lprkit[rapidocr]')"
        ) from None
    return RapidOCR()


class RapidOCRRecognizer:
    """RapidOCR as a :class:`~lprkit.recognition.base.Recognizer` (Latin plates only).

    Parameters
    ----------
    alphabet
        ``"latin"`` (RapidOCR's default models read no Hangul).
    name
        Label in comparison tables.

    Raises
    ------
    ValueError
        For an alphabet other than Latin.
    LprkitError
        When ``rapidocr-onnxruntime`` is not installed (says how to install it).
    """

    def __init__(self, alphabet: str | Alphabet = "latin", name: str = "rapidocr") -> None:
        self.alphabet = get_alphabet(alphabet) if isinstance(alphabet, str) else alphabet
        if self.alphabet.name != "latin":
            raise ValueError(
                f"--recognizer rapidocr reads Latin plates only, not {self.alphabet.name!r} "
                "(its models have no Hangul)"
            )
        self.name = name
        self._ocr = _engine()
        self._allowed = set(self.alphabet.tokens)

    def _clean(self, text: str) -> str:
        return "".join(c for c in text.upper() if c in self._allowed)

    def read_one(self, crop: np.ndarray) -> PlateRead:
        """Read one RGB uint8 crop."""
        import cv2

        bgr = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2BGR)
        found, _ = self._ocr(bgr)
        if found:  # [box, text, score] per line; sort lines top to bottom
            lines = sorted(found, key=lambda f: (min(p[1] for p in f[0]), min(p[0] for p in f[0])))
            parts = [(self._clean(t), float(s)) for _, t, s in lines]
            parts = [(t, s) for t, s in parts if t]
        else:
            rec, _ = self._ocr(bgr, use_det=False, use_cls=False)
            parts = [(self._clean(t), float(s)) for t, s in (rec or []) if self._clean(t)]
        if not parts:
            return PlateRead("", 0.0)
        return PlateRead("".join(t for t, _ in parts), float(min(s for _, s in parts)))

    def read(self, crops: Sequence[np.ndarray]) -> list[PlateRead]:
        """Read RGB uint8 crops (any size), one :class:`PlateRead` each."""
        if isinstance(crops, np.ndarray) and crops.ndim == 3:
            raise ValueError("read() takes a list of crops; wrap a single crop as [crop]")
        return [self.read_one(c) for c in crops]
