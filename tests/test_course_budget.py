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
