"""How long a notebook ran and how much memory its kernel took: the course budget line.

Every notebook ends with ``print(budget_line())``: ``course budget: <minutes> min, peak
memory <GB> GB``, the kernel's wall time since it started and its peak resident memory (what
Binder's ~2 GB limit counts).
"""

from __future__ import annotations

import os
import resource
import time

_IMPORTED = time.time()


def kernel_minutes() -> float:
    """Minutes since this process started (Linux), else since lprkit.course.budget was imported."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) / 60
    except (OSError, ValueError, IndexError):
        return (time.time() - _IMPORTED) / 60


def peak_memory_gb() -> float:
    """Peak resident memory of this process in GB (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if os.uname().sysname == "Darwin" else 1024
    return peak * scale / 1e9


def budget_line() -> str:
    """``course budget: <minutes> min, peak memory <GB> GB`` for this kernel so far."""
    return f"course budget: {kernel_minutes():.1f} min, peak memory {peak_memory_gb():.2f} GB"
