"""Checks on command-line options: a bad value ends the command with one line naming the
option, the value and what is accepted (argparse only checks that a number is a number)."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

from lprkit.errors import InputError


def check_number(
    args: argparse.Namespace,
    name: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    none_ok: bool = True,
) -> None:
    """Refuse ``args.<name>`` unless it is a finite number in ``[lo, hi]`` (``(lo, hi]`` with
    ``lo_open``); ``None`` (an option left out) passes when ``none_ok``."""
    value = getattr(args, name.replace("-", "_"))
    if value is None and none_ok:
        return
    low = "" if lo is None else (f"> {lo:g}" if lo_open else f">= {lo:g}")
    if lo is not None and hi is not None:
        accepted = f"in {'(' if lo_open else '['}{lo:g}, {hi:g}]"
    else:
        accepted = low or f"<= {hi:g}"
    bad = (
        value is None
        or not math.isfinite(value)
        or (lo is not None and (value <= lo if lo_open else value < lo))
        or (hi is not None and value > hi)
    )
    if bad:
        raise InputError(f"--{name} must be {accepted}, got {value}")


def check_output_file(path: str | os.PathLike, option: str, overwrite: bool) -> Path:
    """Check, before any work, that a result can be written to ``path``: not a folder, its
    folder exists or can be made (no file in the way), no earlier file unless ``overwrite``."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder; give a file name")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass --overwrite to replace it")
    check_output_folder(path.parent, option)
    return path


def check_output_folder(path: str | os.PathLike, option: str) -> Path:
    """Check that ``path`` is a folder or can be created (no file on the way to it)."""
    path = Path(path)
    for p in (path, *path.parents):
        if p.exists():
            if not p.is_dir():
                raise InputError(f"{option} {path}: {p} is a file, not a folder")
            if not os.access(p, os.W_OK):
                raise InputError(f"{option} {path}: cannot write in {p} (permission denied)")
            break
    return path
