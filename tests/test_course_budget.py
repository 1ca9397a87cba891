import re
import time

from lprkit.course.budget import budget_line, kernel_minutes, peak_memory_gb


def test_budget_line_reports_minutes_and_memory_of_this_process():
    line = budget_line()
    assert re.fullmatch(r"course budget: \d+\.\d min, peak memory \d+\.\d\d GB", line)
    assert 0 <= kernel_minutes() < 24 * 60
    assert 0.01 < peak_memory_gb() < 64  # a Python process with NumPy holds some MB
    before = peak_memory_gb()
    block = bytearray(200_000_000)
    block[::4096] = b"x" * len(block[::4096])  # touch the pages so they count
    time.sleep(0)
    assert peak_memory_gb() >= before + 0.15
