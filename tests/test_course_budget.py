import re
import subprocess
import sys

from lprkit.course.budget import budget_line, kernel_minutes, peak_memory_gb


def test_budget_line_reports_minutes_and_memory_of_this_process():
    line = budget_line()
    assert re.fullmatch(r"course budget: \d+\.\d min, peak memory \d+\.\d\d GB", line)
    assert 0 <= kernel_minutes() < 24 * 60
    assert 0.01 < peak_memory_gb() < 64  # a Python process with NumPy holds some MB

def test_peak_memory_grows_when_a_fresh_process_uses_memory():
    """In a fresh process: in the test run, earlier tests may have set a peak far above what
    this process holds now, and 300 MB more need not move it."""
    code = (
        "from lprkit.course.budget import peak_memory_gb\n"
        "before = peak_memory_gb()\n"
        "block = bytearray(300_000_000)\n"
        "block[::4096] = b'x' * len(block[::4096])  # touch the pages so they count\n"
        "print(peak_memory_gb() - before)\n"
    )
    grown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert float(grown) >= 0.15
