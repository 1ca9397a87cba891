"""Stored notebooks follow the conventions: run in the course profile, clean metadata."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_notebooks_exist_in_course_order():
    names = [p.name for p in NOTEBOOKS]
    assert names and names[0] == "00_welcome.ipynb"
    assert names == sorted(names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_and_clean(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert all(c.execution_count is not None for c in code), "cells without a stored run"
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts), "stored outputs come from one top-to-bottom run"
    for c in code:
        assert "execution" not in c.metadata, "run scripts/clean_notebooks.py"
        for o in c.outputs:
            assert o.output_type != "error", f"stored error output: {o.get('ename')}"
            assert not (o.output_type == "stream" and o.name == "stderr"), "stderr in stored output"
    first = code[0].source
    assert "get_profile" in first or "get_profile" in code[1].source, "profile read near the top"
