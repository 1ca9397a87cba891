"""The ``lprkit`` command.

Each subcommand lives in its own module under :mod:`lprkit.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit code). Modules are discovered, so adding a
command means adding one file. Registration must stay cheap: heavy imports (TensorFlow,
OpenCV) happen inside ``func``.

Errors a user can fix (bad paths, unknown names, malformed files) end the program with exit
code 2 and one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from lprkit import __version__
from lprkit.errors import LprkitError

# Order in `lprkit --help`; commands not listed here come after, alphabetically.
COMMAND_ORDER = (
    "info",
    "demo",
    "synth",
    "train",
    "evaluate",
    "predict",
    "video",
    "export",
    "watchlist",
)

USER_ERRORS = (LprkitError, ValueError, FileNotFoundError, FileExistsError, NotADirectoryError)


def _command_modules() -> list[str]:
    import lprkit.commands as pkg

    names = [m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")]
    rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="lprkit",
        description="Licence-plate detection and recognition: the lprkit course toolkit.",
    )
    parser.add_argument("--version", action="version", version=f"lprkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        importlib.import_module(f"lprkit.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lprkit`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"lprkit {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lprkit {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
