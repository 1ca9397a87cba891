"""Environment check behind ``lprkit info`` and notebook 00.

Each check reports ok/missing, what was found, and the command that fixes it. Checks import
the library they test, so this module is only imported when the report is asked for.
"""

from __future__ import annotations

import importlib
import platform
import sys
from dataclasses import asdict, dataclass

APT_FIX = "sudo apt-get install tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng fonts-nanum"
PIP_FIX = "pip install -e .   (from the course folder; `make setup` does it)"
TRAIN_FIX = "pip install -e '.[train]'   (TensorFlow and Keras; `make setup` installs the course)"
COURSE_FIX = "pip install -e '.[course]'   (the notebook stack; `make setup` does it)"


@dataclass(frozen=True)
class Check:
    """One line of the environment report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _package(
    name: str, module: str | None = None, required: bool = True, fix: str = PIP_FIX
) -> Check:
    try:
        mod = importlib.import_module(module or name)
    except Exception as exc:  # ImportError, or a broken install raising anything else
        return Check(name, False, f"not importable ({type(exc).__name__}: {exc})", fix, required)
    return Check(name, True, str(getattr(mod, "__version__", "installed")), required=required)


def _tesseract() -> list[Check]:
    from lprkit.ocr_env import tesseract_languages, tesseract_version

    version = tesseract_version()
    if version is None:
        return [Check("tesseract", False, "binary not found on PATH", APT_FIX)]
    langs = tesseract_languages()
    major = int(version.split(".")[0]) if version[0].isdigit() else 0
    checks = [Check("tesseract", major >= 4, version, APT_FIX)]
    for lang in ("eng", "kor"):
        checks.append(
            Check(
                f"tesseract {lang} data",
                lang in langs,
                "installed" if lang in langs else "missing",
                f"sudo apt-get install tesseract-ocr-{lang}",
            )
        )
    return checks


def _fonts() -> list[Check]:
    from lprkit.errors import LprkitError
    from lprkit.synth.fonts import INSTALL_HINT, find_fonts, style_fonts
    from lprkit.synth.styles import EU_FONTS

    checks = []
    for script in ("hangul", "latin"):
        try:
            fonts = find_fonts(script)
            checks.append(Check(f"{script} fonts", True, ", ".join(f.name for f in fonts)))
        except LprkitError:
            checks.append(Check(f"{script} fonts", False, "none found", INSTALL_HINT[script]))
    din = EU_FONTS[0]  # Open DIN; European styles fall back to the narrow fonts after it
    found = din in {p.name for p in style_fonts(EU_FONTS, "latin")}
    checks.append(
        Check(
            "European plate font",
            found,
            din if found else "missing: European plates are drawn with narrow Latin fonts",
            "sudo apt-get install fonts-opendin",
            required=False,
        )
    )
    return checks


def _gpu() -> Check:
    try:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
    except Exception as exc:
        return Check("GPU", False, f"TensorFlow unavailable ({exc})", required=False)
    detail = ", ".join(g.name for g in gpus) if gpus else "none (CPU only: use the course profile)"
    return Check(
        "GPU", bool(gpus), detail, "optional: pip install -e '.[gpu]' on a CUDA machine", False
    )


def environment_report() -> list[Check]:
    """Run every check and return them in display order."""
    from lprkit.config import data_home, get_profile

    py_ok = sys.version_info >= (3, 10)
    checks = [Check("python", py_ok, platform.python_version(), "use Python 3.10 or newer")]
    try:
        checks.append(Check("profile", True, get_profile()))
    except ValueError as exc:
        checks.append(Check("profile", False, str(exc), "export LPRKIT_PROFILE=course"))
    checks.append(Check("data home", True, str(data_home()), required=False))
    checks += [
        _package("numpy"),
        _package("tensorflow", fix=TRAIN_FIX),
        _package("keras", fix=TRAIN_FIX),
        _package("opencv", "cv2"),
        _package("pillow", "PIL"),
        _package("pytesseract", fix=TRAIN_FIX),
        _package("albumentations", fix=TRAIN_FIX),
        _package("pooch"),
        _package("ipywidgets", fix=COURSE_FIX),
        _package("ai-edge-litert", "ai_edge_litert", required=False),
        _package("onnxruntime", required=False),
    ]
    checks += _tesseract()
    checks += _fonts()
    checks.append(_gpu())
    return checks


def format_report(checks: list[Check]) -> str:
    """Human-readable report, one check per line, with fixes for what is missing."""
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        status = "ok" if c.ok else ("MISSING" if c.required else "absent (optional)")
        line = f"{c.name:<{width}}  {status:<17} {c.detail}"
        if not c.ok and c.fix:
            line += f"\n{'':<{width}}  fix: {c.fix}"
        lines.append(line)
    missing = [c.name for c in checks if c.required and not c.ok]
    lines.append(
        "all required components found" if not missing else f"missing: {', '.join(missing)}"
    )
    return "\n".join(lines)
