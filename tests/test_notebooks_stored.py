"""Stored notebooks follow the conventions: run in the course profile, clean metadata."""

import re
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


BUDGET = re.compile(r"course budget: ([0-9.]+) min, peak memory ([0-9.]+) GB")
# Over the course budget when last measured: peak memory 2.26 GB (03: training YOLOv4-tiny) and
# 3.96 GB (08: the TFLite conversions). Strict: the test fails as soon as one of them fits, so
# that this set is emptied.
NOT_YET_WITHIN_BUDGET = {"03_yolov4_detector.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_the_course_structure(path):
    nb = nbformat.read(path, as_version=4)
    headings = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()]
    for heading in ("## Aims", "## Exercises", "## References"):
        assert heading in headings, f"no '{heading}' heading"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert not re.search(r"\bissue #?\d+|git history|/tmp/", text), "development history in the learner's text"


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason="not yet within the course budget"))
     if p.name in NOT_YET_WITHIN_BUDGET else p for p in NOTEBOOKS],
    ids=lambda p: p.name,
)
def test_last_cell_prints_a_course_budget_within_limits(path):
    nb = nbformat.read(path, as_version=4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "budget_line()" in last.source, "the last code cell must print budget_line()"
    printed = "".join(o.get("text", "") for o in last.outputs if o.output_type == "stream")
    found = BUDGET.search(printed)
    assert found, "no stored budget line: run scripts/course_budget.py --store"
    minutes, gb = float(found.group(1)), float(found.group(2))
    assert minutes <= 10 and gb <= 2, f"{minutes} min, {gb} GB: over the course budget (10 min, 2 GB)"
