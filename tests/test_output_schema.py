"""predict --json: one versioned JSON object per image, valid against docs/reads.schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lprkit import cli

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "reads.schema.json"


@pytest.fixture
def models(tiny_latin_models):
    return tiny_latin_models


@pytest.mark.slow
def test_predict_json_lines_on_stdout_follow_the_schema(models, tmp_path, capsys):
    import jsonschema

    from lprkit.outputs import SCHEMA as VERSION
    from lprkit.watchlist import Watchlist

    rng = np.random.default_rng(0)
    for name in ("a.png", "b.png"):
        Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8)).save(tmp_path / name)
    with Watchlist(tmp_path / "w.db") as wl:
        wl.add("AB123")
    argv = ["predict", str(tmp_path), "--detector", str(models / "det"), "--recognizer", str(models / "rec"),
            "--out", str(tmp_path / "out"), "--json", "-", "--watchlist", str(tmp_path / "w.db"),
            "--min-confidence", "0"]  # fmt: skip
    assert cli.main(argv) == 0
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]  # nothing else on stdout
    assert [r["file"] for r in records] == ["a.png", "b.png"]
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for r in records:
        jsonschema.validate(r, schema)
        assert r["schema"] == VERSION and (r["width"], r["height"]) == (128, 96)
    plates = [p for r in records for p in r["plates"]]
    assert plates and all(p["watchlist"] is not None for p in plates if p["text"])
    assert "plates in 2 images" in captured.err
    rows = (tmp_path / "out" / "reads.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1 + len(plates)  # the CSV stays
    # to a file: the same objects; an existing file is kept without --overwrite
    out_file = tmp_path / "reads.json"
    assert cli.main([*argv[:6], "--out", str(tmp_path / "out2"), "--json", str(out_file), "--min-confidence", "0"]) == 0
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 2
    assert cli.main([*argv[:6], "--out", str(tmp_path / "out3"), "--json", str(out_file)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_the_schema_is_valid_json_schema():
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_a_refused_run_creates_no_json_file(models, tmp_path, capsys):
    Image.fromarray(np.zeros((96, 128, 3), np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "reads.csv").write_text("an earlier run\n")
    argv = ["predict", str(tmp_path / "a.png"), "--detector", str(models / "det"), "--recognizer",
            str(models / "rec"), "--out", str(tmp_path / "out"), "--json", str(tmp_path / "r.json")]  # fmt: skip
    assert cli.main(argv) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()
    assert (tmp_path / "out" / "reads.csv").read_text() == "an earlier run\n"
