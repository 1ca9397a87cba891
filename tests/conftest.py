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
