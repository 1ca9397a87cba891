"""Writing files so that a failed or interrupted write never leaves a half-written file.

Every writer in lprkit goes through these: the content goes to a temporary file beside the
target, which is then renamed over it (an atomic step on POSIX and Windows), and an existing
file is only replaced when the caller says so.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from lprkit.errors import InputError


def read_text(path: str | os.PathLike) -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped); a file in another encoding
    raises :class:`~lprkit.errors.InputError` naming it, rather than a ``UnicodeDecodeError``."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8 "
            "(in a spreadsheet: CSV UTF-8)"
        ) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def share_like_a_new_file(path: str | os.PathLike) -> None:
    """Give a file or folder made through ``tempfile`` (mode 0600/0700) the mode a plainly
    created one would have (0644/0755 under the usual umask): others may read what we export."""
    base = 0o777 if Path(path).is_dir() else 0o666
    os.chmod(path, base & ~_umask())


def _check_target(path: str | os.PathLike, overwrite: bool) -> Path:
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    path = _check_target(path, overwrite)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        share_like_a_new_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, *, overwrite: bool = False) -> Path:
    """Write UTF-8 ``text`` (``\\n`` line ends) atomically; see :func:`atomic_write_bytes`."""
    return atomic_write_bytes(path, text.encode("utf-8"), overwrite=overwrite)


def atomic_write_json(path: str | os.PathLike, data, *, overwrite: bool = True, indent: int = 2) -> Path:
    """Write ``data`` as UTF-8 JSON atomically (replaces by default: used for state files)."""
    text = json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    return atomic_write_text(path, text, overwrite=overwrite)


def write_folder_atomically(path: str | os.PathLike, fill: Callable[[Path], None], overwrite: bool = False) -> Path:
    """Create folder ``path`` by calling ``fill(tmp)`` on a temporary sibling, then renaming it.

    Raises
    ------
    FileExistsError
        If ``path`` exists and ``overwrite`` is false.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    # a run killed outright (SIGKILL, power loss) leaves its temporary sibling behind: the next
    # run removes it (two runs writing one folder at once would race on the rename anyway)
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        fill(tmp)
        share_like_a_new_file(tmp)
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
        os.replace(tmp, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path
