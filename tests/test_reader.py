"""The one-line API: lprkit.read and lprkit.Reader, on paths and arrays."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import lprkit
from lprkit.pipeline import PlateResult


@pytest.fixture
def models(tiny_latin_models):
    return tiny_latin_models


@pytest.mark.slow
def test_reader_reads_paths_and_arrays_alike(models, tmp_path):
    image = np.random.default_rng(0).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "car.png")
    reader = lprkit.Reader(detector=models / "det", recognizer=models / "rec", min_confidence=0)
    from_path = reader.read(tmp_path / "car.png")
    assert from_path and all(isinstance(r, PlateResult) for r in from_path)
    assert [(r.box, r.text) for r in reader.read(image)] == [(r.box, r.text) for r in from_path]
    assert [(r.box, r.text) for r in lprkit.read(str(tmp_path / "car.png"), detector=models / "det",
                                                 recognizer=models / "rec", min_confidence=0)] == \
        [(r.box, r.text) for r in from_path]  # fmt: skip
    assert "rec" in repr(reader)


def test_reader_refuses_unknown_regions_and_inputs():
    with pytest.raises(ValueError, match="unknown region 'mars'"):
        lprkit.Reader("mars")
    reader = lprkit.Reader.__new__(lprkit.Reader)
    with pytest.raises(ValueError, match="image path or an RGB uint8 array"):
        reader.read([1, 2, 3])


def test_import_lprkit_stays_light():
    import subprocess
    import sys

    code = "import sys, lprkit; assert 'tensorflow' not in sys.modules and 'lprkit.pipeline' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
