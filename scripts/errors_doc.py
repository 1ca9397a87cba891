"""Write docs/errors.md: every bad-input case of tests/test_bad_inputs.py with the one line
lprkit answers (run: python scripts/errors_doc.py; about two minutes)."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("LPRKIT_PROFILE", "smoke")

HEADER = """# Errors: what lprkit says when the input is wrong

A mistake in what you give lprkit (a missing file, a value out of range, a malformed label, a
file another program owns) ends a command with **exit code 2 and one line** on stderr that
names the problem and what is accepted; files you already have are left exactly as they were
(`tests/test_bad_inputs.py` checks every case below, hashing the files before and after). Any
other error is a bug in lprkit: it keeps its Python traceback and exit code 1, so please report
it. In Python, user mistakes raise `lprkit.errors.LprkitError`; `InputError` (a bad value) is
also a `ValueError`.

Faults that are handled rather than refused: `predict` on a folder reads every image it can and
lists the ones it skipped; `video` writes `reads.csv` as frames are read and, after Ctrl-C,
`plates.csv` from the frames read so far; SIGTERM removes temporary files like Ctrl-C does, and
a run killed outright leaves a hidden temporary folder that the next run removes; grey and RGBA
images are read like RGB ones; exported files get the usual permissions (0644).

This page is written by `scripts/errors_doc.py` from the test table (`WS` is the test's
workspace folder).
"""


def main() -> int:
    import test_bad_inputs as table

    from lprkit import cli

    lines = [HEADER, "## Command line", "", "| case | command | lprkit says (exit 2) |", "|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        ws = table.make_workspace(Path(tmp))
        for case, argv, _ in table.CLI_CASES:
            argv = [a.format(w=ws) for a in argv]
            err = io.StringIO()
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = cli.main(argv)
            said = err.getvalue().strip().replace(str(ws), "WS")
            if code != 2:
                raise SystemExit(f"{case}: exit {code}, expected 2 (run the tests)")
            shown = " ".join(argv).replace(str(ws), "WS")
            lines.append(f"| {case} | `lprkit {shown}` | {_cell(said)} |")
        lines += ["", "## Python API", "", "| case | raises |", "|---|---|"]
        for case, call, error, _ in table.API_CASES:
            try:
                call(ws)
            except error as exc:
                said = f"`{type(exc).__name__}`: " + _cell(str(exc).replace(str(ws), "WS"))
            else:
                raise SystemExit(f"{case}: no error raised")
            lines.append(f"| {case} | {said} |")
    (ROOT / "docs" / "errors.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote docs/errors.md ({len(table.CLI_CASES)} command cases, {len(table.API_CASES)} API cases)")
    return 0


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    raise SystemExit(main())
