"""``lprkit info``: the environment check."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "info",
        help="check the environment (Python, TensorFlow, OpenCV, Tesseract, fonts, GPU)",
        description="Print each component as ok/missing, with the command that fixes it.",
    )
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from lprkit.info import environment_report, format_report

    checks = environment_report()
    print(
        json.dumps([c.as_dict() for c in checks], indent=2) if args.json else format_report(checks)
    )
    return 0 if all(c.ok or not c.required for c in checks) else 1
