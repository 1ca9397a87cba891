"""Finding fonts on the system for plate rendering.

Fonts are not shipped with lprkit. Hangul needs a Korean font (Nanum, from the Debian/Ubuntu
package ``fonts-nanum``); Latin plates use DejaVu / Liberation, with the DejaVu Sans that
matplotlib ships as a last resort, so Latin rendering works wherever matplotlib is installed.
European styles prefer Open DIN (``fonts-opendin``), close to the DIN 1451 plate lettering,
and fall back to the narrow Latin fonts without it.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from lprkit.errors import InputError, LprkitError

# Preferred fonts per script, in order: plate-like (condensed, bold, square) first.
FONT_FAMILIES: dict[str, tuple[str, ...]] = {
    "hangul": (
        "NanumGothicBold.ttf",
        "NanumBarunGothicBold.ttf",
        "NanumSquareB.ttf",
        "NanumSquareRoundB.ttf",
        "NanumGothic.ttf",
        "NanumBarunGothic.ttf",
        "NanumSquareR.ttf",
        "NanumGothicCodingBold.ttf",
    ),
    "latin": (
        "DejaVuSansCondensed-Bold.ttf",
        "DejaVuSans-Bold.ttf",
        "LiberationSansNarrow-Bold.ttf",
        "LiberationSans-Bold.ttf",
        "LiberationMono-Bold.ttf",
        "DejaVuSansMono-Bold.ttf",
        "DejaVuSans.ttf",
    ),
}

INSTALL_HINT = {
    "hangul": "install a Korean font: `sudo apt-get install fonts-nanum` (Debian/Ubuntu), "
    "or put NanumGothicBold.ttf in ~/.fonts",
    "latin": "install DejaVu or Liberation fonts: `sudo apt-get install fonts-dejavu-core "
    "fonts-liberation`, or reinstall matplotlib (it ships DejaVu Sans)",
}


def font_dirs() -> list[Path]:
    """Folders searched for ``.ttf``/``.otf`` files, most specific first."""
    home = Path.home()
    dirs = [Path(p) for p in os.environ.get("LPRKIT_FONT_DIRS", "").split(os.pathsep) if p]
    dirs += [home / ".fonts", home / ".local/share/fonts"]
    if sys.platform == "darwin":
        dirs += [home / "Library/Fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts")]
    elif sys.platform == "win32":
        dirs += [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    else:
        dirs += [Path("/usr/local/share/fonts"), Path("/usr/share/fonts")]
    try:
        import matplotlib

        dirs.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf")
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        pass
    return [d for d in dirs if d.is_dir()]


@functools.cache
def _all_font_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for d in font_dirs():
        for path in sorted(d.rglob("*")):
            if path.suffix.lower() in (".ttf", ".otf", ".ttc"):
                found.setdefault(path.name, path)
    return found


def find_fonts(script: str) -> list[Path]:
    """All known fonts for ``script`` (``"hangul"`` or ``"latin"``) found here, best first.

    Raises
    ------
    ValueError
        For an unknown script.
    LprkitError
        When no font for the script is installed, with the command that installs one.
    """
    if script not in FONT_FAMILIES:
        raise InputError(f"unknown script {script!r}; use one of {', '.join(FONT_FAMILIES)}")
    files = _all_font_files()
    found = [files[name] for name in FONT_FAMILIES[script] if name in files]
    if not found:
        raise LprkitError(
            f"no {script} font found in {', '.join(map(str, font_dirs()))}: {INSTALL_HINT[script]}"
        )
    return found


def style_fonts(preferred: tuple[str, ...], script: str) -> list[Path]:
    """Fonts to draw a style with: its ``preferred`` files that are installed, best first.

    Falls back to every installed font of ``script`` when none of the preferred ones is
    present (so a style still renders, with a different look).

    Raises
    ------
    LprkitError
        When no font for the script is installed (see :func:`find_fonts`).
    """
    files = _all_font_files()
    found = [files[name] for name in preferred if name in files]
    return found or find_fonts(script)
