"""The ``lprkit`` command.

Each subcommand lives in its own module under :mod:`lprkit.commands` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit code). Modules are discovered, so adding a
command means adding one file. Registration must stay cheap: heavy imports (TensorFlow,
OpenCV) happen inside ``func``.

Errors a user can fix (bad paths, unknown names, malformed files: :class:`LprkitError`, and
``OSError`` such as a missing file or a folder that cannot be written) end the program with exit
code 2 and one line on stderr, never a traceback. Anything else is a bug in lprkit: it keeps its
traceback (exit code 1), so it can be reported.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import threading
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

USER_ERRORS = (LprkitError, OSError)
#: Libraries of the `train` and `course` extras, which the light install (no extras) lacks.
EXTRA_MODULES = {
    "tensorflow": "train", "keras": "train", "albumentations": "train", "matplotlib": "train",
    "pytesseract": "train", "tf2onnx": "onnx", "onnx": "onnx", "ipywidgets": "course",
}  # fmt: skip


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
    # SIGTERM (a closed terminal, a stopped container) unwinds like Ctrl-C, so temporary
    # files and folders are removed by the code that made them
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        print(f"lprkit {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        root = (exc.name or "").split(".")[0]
        if root not in EXTRA_MODULES:
            raise  # a missing module lprkit does not expect to be missing is a bug
        extra = EXTRA_MODULES[root]
        print(f"lprkit {args.command}: error: this needs {root}, which this install lacks: "
              f"pip install 'lprkit[{extra}]' (reading plates needs no extra: see --backend)",
              file=sys.stderr)  # fmt: skip
        return 2
    except MemoryError:
        print(f"lprkit {args.command}: error: not enough memory for what was asked "
              "(a smaller --n, --size or --batch-size needs less)", file=sys.stderr)  # fmt: skip
        return 2
    except KeyboardInterrupt:
        print(f"lprkit {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _one_line(exc: BaseException) -> str:
    """The first line of an error; an ``OSError`` without its own words names its file."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        return f"{exc.filename}: {exc.strerror}"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
