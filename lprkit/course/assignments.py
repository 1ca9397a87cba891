"""The instructor kit: build the autograded assignments and grade their solutions.

Each assignment is one otter-grader master notebook, ``assignments/<name>/<name>.ipynb``
(questions, solutions between ``# BEGIN SOLUTION`` / ``# END SOLUTION``, public and hidden
tests). :func:`build` runs ``otter assign`` on it and writes

``assignments/dist/<name>/student/<name>.ipynb``
    what learners get: the prompts, the public checks (``grader.check("q1")``), no solutions;
``assignments/dist/<name>/autograder/<name>-autograder.zip``
    what grades a submission, hidden tests included (``otter run -a ZIP SUBMISSION``);
``assignments/dist/<name>/autograder/<name>.ipynb``
    the solution notebook.

:func:`grade` runs ``otter run`` (no Docker: the current environment, which has lprkit) on a
notebook and returns its points. ``make grade-solutions`` grades every solution and every
untouched student notebook: solutions must get full marks, untouched student notebooks less
(their tests fail cleanly; the grader does not crash).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lprkit.errors import InputError, LprkitError
from lprkit.fileio import write_folder_atomically


@dataclass(frozen=True)
class Score:
    """Points a notebook earned, out of the assignment's total."""

    points: float
    total: float

    def __str__(self) -> str:
        return f"{self.points:g}/{self.total:g}"


def masters(root: str | os.PathLike) -> list[Path]:
    """The master notebooks under ``root`` (``<name>/<name>.ipynb``), sorted by name."""
    root = Path(root)
    found = sorted(p for p in root.glob("*/*.ipynb") if p.stem == p.parent.name)
    if not found:
        raise InputError(f"no assignment in {root}: expected <name>/<name>.ipynb master notebooks")
    return found


def _otter() -> list[str]:
    """The otter command of this environment (the one whose Python has lprkit)."""
    exe = Path(sys.executable).with_name("otter")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "otter"]


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise LprkitError(f"{' '.join(cmd[:3])} failed (exit {done.returncode}):\n" + "\n".join(tail))
    return done


def build(master: str | os.PathLike, dist: str | os.PathLike) -> Path:
    """Run ``otter assign`` on ``master`` into ``dist/<name>/`` (replaced); returns that folder.

    The autograder zip is renamed ``<name>-autograder.zip`` (otter stamps it with the time) so
    that its path can be written in documentation.
    """
    master = Path(master).resolve()
    name = master.stem

    def fill(tmp: Path) -> None:
        _run([*_otter(), "assign", "--no-pdfs", str(master), str(tmp.resolve())])
        zips = sorted((tmp / "autograder").glob(f"{name}-autograder*.zip"))
        if len(zips) != 1:
            raise LprkitError(f"otter assign wrote {len(zips)} autograder zips for {name}, expected 1")
        zips[0].rename(tmp / "autograder" / f"{name}-autograder.zip")

    return write_folder_atomically(Path(dist) / name, fill, overwrite=True)


def grade(notebook: str | os.PathLike, autograder_zip: str | os.PathLike) -> Score:
    """Grade one notebook with ``otter run`` and return its points.

    Raises
    ------
    LprkitError
        When otter itself fails (not when tests fail: those just earn no points).
    """
    with tempfile.TemporaryDirectory(prefix="lprkit-grade-") as tmp:
        _run([*_otter(), "run", "--no-logo", "-a", str(Path(autograder_zip).resolve()),
              "-o", tmp, str(Path(notebook).resolve())])  # fmt: skip
        results = json.loads((Path(tmp) / "results.json").read_text(encoding="utf-8"))
    scored = [t for t in results["tests"] if "max_score" in t]
    return Score(sum(t.get("score", 0) or 0 for t in scored), sum(t["max_score"] for t in scored))


def grade_built(folder: str | os.PathLike) -> tuple[Score, Score]:
    """Grade the solution and the untouched student notebook of one built assignment."""
    folder = Path(folder)
    name = folder.name
    zip_path = folder / "autograder" / f"{name}-autograder.zip"
    if not zip_path.is_file():
        raise InputError(f"{zip_path} is missing: run `make assignments` first")
    solution = grade(folder / "autograder" / f"{name}.ipynb", zip_path)
    student = grade(folder / "student" / f"{name}.ipynb", zip_path)
    return solution, student


def report_line(name: str, solution: Score, student: Score) -> str:
    """``<name>: solution <points>/<total>, student <points>/<total>``."""
    return f"{name}: solution {solution}, student {student}"


def as_expected(solution: Score, student: Score) -> bool:
    """Solutions earn every point; untouched student notebooks earn fewer."""
    return solution.points == solution.total > 0 and student.points < student.total
