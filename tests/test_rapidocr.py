"""The RapidOCR baseline: clear errors without the optional package, Latin only."""

import sys

import pytest

from lprkit.errors import LprkitError
from lprkit.ocr.rapidocr import RapidOCRRecognizer


def test_missing_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # import fails
    with pytest.raises(LprkitError, match="pip install rapidocr-onnxruntime"):
        RapidOCRRecognizer("latin")


def test_refuses_hangul_and_unknown_modes(monkeypatch):
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    with pytest.raises(ValueError, match="Latin plates only"):
        RapidOCRRecognizer("korean")
    with pytest.raises(ValueError, match="mode='boxes'"):
        RapidOCRRecognizer("latin", mode="boxes")
