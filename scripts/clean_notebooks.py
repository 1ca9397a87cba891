"""Strip metadata noise from executed notebooks, keeping outputs and execution counts.

Run after executing notebooks in the `course` profile (``make notebooks`` does both):
drops per-cell execution timestamps, stderr streams (TensorFlow's start-up log lines and
warnings, which differ between machines) and machine-specific language_info, so diffs show
only real changes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def clean(path: Path) -> bool:
    """Clean one notebook in place; return True if it changed."""
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    nb.metadata = {
        "kernelspec": nb.metadata.get(
            "kernelspec", {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
        ),
        "language_info": {"name": "python"},
    }
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")
            ]
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + ("" if after.endswith("\n") else "\n"), encoding="utf-8")
    return after != before


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(Path("notebooks").glob("*.ipynb"))
    for p in paths:
        print(f"{'cleaned' if clean(p) else 'clean  '} {p}")
