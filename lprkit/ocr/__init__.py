"""The Tesseract baseline: preprocessing presets (:mod:`lprkit.ocr.preprocess`) and a reader
that implements the :class:`~lprkit.recognition.base.Recognizer` interface
(:mod:`lprkit.ocr.tesseract`).

Importing this package is cheap; OpenCV and pytesseract load when a crop is read.
"""

from lprkit.ocr.preprocess import BEST_PRESET, PRESETS
from lprkit.ocr.tesseract import TesseractRecognizer, normalize_text, whitelist_chars

__all__ = ["BEST_PRESET", "PRESETS", "TesseractRecognizer", "normalize_text", "whitelist_chars"]
