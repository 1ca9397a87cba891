"""Where Tesseract is and what it can read: shared by ``lprkit info`` and :mod:`lprkit.ocr`."""

from __future__ import annotations

import re
import shutil
import subprocess


def tesseract_cmd() -> str:
    """The tesseract command pytesseract will run (its ``tesseract_cmd`` setting)."""
    try:
        import pytesseract

        return pytesseract.pytesseract.tesseract_cmd
    except ImportError:  # pragma: no cover - pytesseract is a dependency
        return "tesseract"


def _run(args: list[str], cmd: str | None = None) -> str | None:
    exe = shutil.which(cmd or tesseract_cmd())
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout + out.stderr


def tesseract_version(cmd: str | None = None) -> str | None:
    """Tesseract's version (``"5.3.0"``), or None when the binary is missing."""
    text = _run(["--version"], cmd)
    if text is None:
        return None
    match = re.search(r"tesseract\s+v?(\d+\.\d+(?:\.\d+)?)", text, re.IGNORECASE)
    return match.group(1) if match else "unknown"


def tesseract_languages(cmd: str | None = None) -> set[str]:
    """Language packs Tesseract has (``{"eng", "kor", "osd"}``); empty when missing."""
    text = _run(["--list-langs"], cmd)
    if text is None:
        return set()
    return {
        line.strip() for line in text.splitlines()[1:] if line.strip() and " " not in line.strip()
    }
