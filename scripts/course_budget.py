"""Run notebooks in the ``course`` profile and report each one's time and peak memory.

    python scripts/course_budget.py                     # every notebook
    python scripts/course_budget.py notebooks/07_end_to_end_pipeline.ipynb --store

Each notebook's last code cell prints ``course budget: <minutes> min, peak memory <GB> GB``
(:func:`lprkit.course.budget.budget_line`: the kernel's wall time and its peak resident
memory, what Binder's limit counts). This script executes the notebooks one after another
(``LPRKIT_PROFILE=course``, the notebooks' folder as working directory), reads that line,
prints one row per notebook and updates ``docs/course_budget.md`` (rows of notebooks not run
this time are kept). The budget is 10 minutes and 2 GB per notebook on a 2-core CPU.

``--store`` writes the executed notebooks back with their outputs (metadata noise stripped
by ``scripts/clean_notebooks.py``), as ``make notebooks`` does.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINE = re.compile(r"course budget: ([0-9.]+) min, peak memory ([0-9.]+) GB")
MAX_MINUTES, MAX_GB = 10.0, 2.0
HEADER = "| notebook | minutes | peak memory (GB) | within budget |\n|---|---|---|---|\n"


def budget_of(nb) -> tuple[float, float]:
    """The figures the notebook's last code cell printed.

    Raises
    ------
    ValueError
        When the last code cell printed no budget line.
    """
    code = [c for c in nb.cells if c.cell_type == "code"]
    text = "".join(o.get("text", "") for o in (code[-1].outputs if code else []) if o.output_type == "stream")
    found = LINE.search(text)
    if not found:
        raise ValueError("its last code cell printed no 'course budget: ...' line "
                         "(end the notebook with print(lprkit.course.budget.budget_line()))")
    return float(found.group(1)), float(found.group(2))


def coalesce_streams(nb) -> None:
    """Merge consecutive stdout (or stderr) outputs of a cell into one, as a notebook
    front end shows them: a cell that prints in a loop stores one block, not one per print."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.outputs:
            prev = merged[-1] if merged else None
            if prev is not None and out.output_type == prev.output_type == "stream" and out.name == prev.name:
                prev.text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def run(path: Path, timeout: int, store: bool) -> tuple[float, float, float]:
    """Execute one notebook in the course profile; its (minutes, GB) and the wall minutes."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["LPRKIT_PROFILE"] = "course"
    os.environ.pop("MPLBACKEND", None)  # stored notebooks keep inline figures
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    wall = (time.perf_counter() - start) / 60
    minutes, gb = budget_of(nb)
    if store:
        sys.path.insert(0, str(ROOT / "scripts"))
        from clean_notebooks import clean

        coalesce_streams(nb)
        nbformat.write(nb, path)
        clean(path)
    return minutes, gb, wall


def row(name: str, minutes: float, gb: float) -> str:
    ok = "yes" if minutes <= MAX_MINUTES and gb <= MAX_GB else "**no**"
    return f"| `{name}` | {minutes:.1f} | {gb:.2f} | {ok} |"


def write_table(out: Path, rows: dict[str, str]) -> None:
    """Update the table in ``out``: rows given replace those of the same notebook."""
    from lprkit.fileio import atomic_write_text

    kept: dict[str, str] = {}
    if out.is_file():
        for line in out.read_text(encoding="utf-8").splitlines():
            m = re.match(r"\| `([^`]+)` \|", line)
            if m:
                kept[m.group(1)] = line
    kept.update(rows)
    cpu = f"{os.cpu_count()} cores, {platform.machine()}"
    text = (
        "# Course budget\n\n"
        "Wall time and the kernel's peak resident memory of each notebook run top to bottom in the\n"
        f"`course` profile (budget: {MAX_MINUTES:g} minutes and {MAX_GB:g} GB each), measured by\n"
        "`python scripts/course_budget.py` on the development machine\n"
        f"({cpu}; last run {date.today().isoformat()}). Each notebook prints the same line in its\n"
        "last cell. A notebook missing from the table has not been measured with the script yet.\n\n"
        + HEADER + "\n".join(kept[k] for k in sorted(kept)) + "\n"
    )
    atomic_write_text(out, text, overwrite=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebooks", nargs="*", help="notebooks to run (default: all in notebooks/)")
    p.add_argument("--store", action="store_true", help="write the executed notebooks back")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per cell (default 1800)")
    p.add_argument("--out", default=str(ROOT / "docs" / "course_budget.md"), help="table to update")
    args = p.parse_args(argv)
    paths = [Path(n) for n in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = [str(n) for n in paths if not n.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    rows, over = {}, []
    for path in paths:
        try:
            minutes, gb, wall = run(path.resolve(), args.timeout, args.store)
        except ValueError as exc:
            print(f"error: {path.name}: {exc}", file=sys.stderr)
            return 2
        rows[path.stem] = row(path.stem, minutes, gb)
        print(f"{path.stem}: {minutes:.1f} min, peak memory {gb:.2f} GB (wall {wall:.1f} min)", flush=True)
        if minutes > MAX_MINUTES or gb > MAX_GB:
            over.append(path.stem)
    write_table(Path(args.out), rows)
    if over:
        print(f"over budget: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
