"""Build the autograded assignments and grade their solutions (``make assignments``,
``make grade-solutions``; see docs/instructors.md).

    python scripts/assignments.py build [--only NAME ...]
    python scripts/assignments.py grade [--only NAME ...] [--jobs N]

``grade`` prints one line per assignment, ``<name>: solution <points>/<total>, student
<points>/<total>``, and exits 1 unless every solution earns full marks and every untouched
student notebook fewer.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lprkit.course.assignments import as_expected, build, grade_built, masters, report_line
from lprkit.errors import LprkitError

ROOT = Path(__file__).resolve().parents[1] / "assignments"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("action", choices=["build", "grade"])
    p.add_argument("--only", nargs="+", metavar="NAME", help="these assignments only")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default 2)")
    p.add_argument("--dist", default=str(ROOT / "dist"), help="where built assignments go")
    args = p.parse_args(argv)
    try:
        chosen = [m for m in masters(ROOT) if not args.only or m.stem in args.only]
        if args.only and len(chosen) != len(set(args.only)):
            known = ", ".join(m.stem for m in masters(ROOT))
            print(f"error: unknown assignment in {args.only}; known: {known}", file=sys.stderr)
            return 2
        start = time.perf_counter()
        if args.action == "build":
            for m in chosen:
                print(f"built {build(m, args.dist)}")
            return 0
        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            scores = list(pool.map(lambda m: grade_built(Path(args.dist) / m.stem), chosen))
    except LprkitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ok = True
    for m, (solution, student) in zip(chosen, scores, strict=True):
        print(report_line(m.stem, solution, student))
        ok &= as_expected(solution, student)
    print(f"graded {len(chosen)} assignments in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
