import os
import re

import pytest

from lprkit.course.budget import budget_line, kernel_minutes, peak_memory_gb


def test_budget_line_reports_minutes_and_memory_of_this_process():
    line = budget_line()
    assert re.fullmatch(r"course budget: \d+\.\d min, peak memory \d+\.\d\d GB", line)
    assert 0 <= kernel_minutes() < 24 * 60
    assert 0.01 < peak_memory_gb() < 64  # a Python process with NumPy holds some MB

def _resident_gb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e9


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads resident memory from /proc")
def test_peak_memory_covers_what_the_process_holds_and_grows_past_it():
    before = peak_memory_gb()
    assert before >= 0.99 * _resident_gb()
    # earlier tests may have left a peak far above what the process holds now: use enough
    # memory to pass it, so that the peak has to move
    need = max(0.0, before - _resident_gb()) + 0.25
    block = bytearray(int(need * 1e9))
    block[::4096] = b"x" * len(block[::4096])  # touch the pages so they count
    assert peak_memory_gb() >= before + 0.15


def _script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "course_budget.py"
    spec = importlib.util.spec_from_file_location("course_budget", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_course_budget_reads_the_last_cell_and_keeps_other_rows(tmp_path):
    import nbformat

    cb = _script()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)"), nbformat.v4.new_code_cell("print(budget_line())")]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="course budget: 7.5 min, peak memory 1.25 GB\n")]
    assert cb.budget_of(nb) == (7.5, 1.25)
    nb.cells[1].outputs = []
    with pytest.raises(ValueError, match="printed no 'course budget"):
        cb.budget_of(nb)
    out = tmp_path / "budget.md"
    cb.write_table(out, {"01_a": cb.row("01_a", 3.0, 0.5), "02_b": cb.row("02_b", 12.0, 1.0)})
    cb.write_table(out, {"01_a": cb.row("01_a", 4.0, 0.5)})
    text = out.read_text(encoding="utf-8")
    assert "| `01_a` | 4.0 | 0.50 | yes |" in text and "| `02_b` | 12.0 | 1.00 | **no** |" in text
    assert "3.0" not in text


def test_course_budget_merges_consecutive_prints():
    import nbformat

    cb = _script()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("for i in range(3): print(i)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{i}\n") for i in range(3)]
    cell.outputs.insert(2, nbformat.v4.new_output("stream", name="stderr", text="warn\n"))
    nb.cells = [cell]
    cb.coalesce_streams(nb)
    assert [(o.name, o.text) for o in cell.outputs] == [("stdout", "0\n1\n"), ("stderr", "warn\n"), ("stdout", "2\n")]
