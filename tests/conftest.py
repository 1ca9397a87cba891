"""Test settings: every test (and every notebook nbval runs) uses the `smoke` profile."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Set before any kernel or TensorFlow starts: nbval kernels inherit this environment.
os.environ["LPRKIT_PROFILE"] = "smoke"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
SHARED_REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture(autouse=True)
def _smoke_profile(monkeypatch):
    monkeypatch.setenv("LPRKIT_PROFILE", "smoke")


@pytest.fixture
def realdata_dir() -> Path:
    """Folder with the real development photos (LPRKIT_DATA_HOME or ../shared/realdata)."""
    for candidate in (os.environ.get("LPRKIT_DATA_HOME"), SHARED_REALDATA):
        if candidate and (Path(candidate) / "openalpr_eu").is_dir():
            return Path(candidate)
    pytest.skip("real data not available: set LPRKIT_DATA_HOME to a folder holding openalpr_eu/ and kr_crops/")


@pytest.fixture(scope="session")
def tiny_latin_models(tmp_path_factory) -> Path:
    """Untrained tiny models: ``det`` (score threshold 0, so it proposes boxes to read) and a
    Latin ``rec``, for tests of commands and outputs rather than of accuracy."""
    from lprkit.charset import LATIN
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.models.crnn import crnn
    from lprkit.models.yolov4 import yolov4_tiny
    from lprkit.recognition.keras_recognizer import KerasRecognizer

    root = tmp_path_factory.mktemp("tiny_latin_models")
    KerasDetector(yolov4_tiny(64), 64, score_threshold=0.0).save(root / "det")
    KerasRecognizer(crnn(LATIN, filters=(8, 8, 8, 8), rnn_units=8), LATIN).save(root / "rec")
    return root
