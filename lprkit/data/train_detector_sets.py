"""Real sets from the public openalpr/train-detector repository: Brazilian crops and negatives.

Three sets, each looked for first in ``lprkit.config.data_home() / <name>`` (CI and developers
point ``LPRKIT_DATA_HOME`` at a local copy) and otherwise downloaded with :mod:`pooch` from
the repository pinned to commit :data:`COMMIT`, every file checked against its SHA-256:

``br_crops_train`` (2,669) and ``br_crops_dev`` (719)
    Real Brazilian plate crops (grey and Mercosur-era, day and night, 60-200 px wide) from
    the ``br/`` folder, whose file names carry the plate text. The two parts are split by
    plate text: no text appears in both. Train on the first, measure on the second.
``negatives`` (618)
    Real photographs with no readable plate (rooms, streets, night scenes, aerial views;
    mostly grey) from ``raw-neg/``: every detection on them is a false positive.
    :func:`split_negatives` cuts them into a training and a development part.

The registries in ``lprkit/data/registry/`` list each file as ``file,text,original,sha256``
(crops; files are stored under short names) or ``file,sha256`` (negatives). The repository
is AGPL-3.0; nothing from it is committed here.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from lprkit.config import data_home
from lprkit.data.folders import Crop, CropsFolder, read_crops_folder
from lprkit.errors import InputError, LprkitError

REPOSITORY = "openalpr/train-detector"
COMMIT = "1bd54b452c5fad1d7b5717a339664c85fefc4481"
BASE_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/"
CROP_SETS = ("br_crops_train", "br_crops_dev")
SETS = (*CROP_SETS, "negatives")
LICENCE = "AGPL-3.0 (openalpr/train-detector)"
_REGISTRY = Path(__file__).with_name("registry")


def registry(name: str) -> list[dict[str, str]]:
    """The registry rows of a set: ``file``, ``sha256`` and, for crops, ``text`` and ``original``.

    Raises
    ------
    ValueError
        For a name that is not one of :data:`SETS`.
    """
    if name not in SETS:
        raise InputError(f"unknown set {name!r}; known: {', '.join(SETS)}")
    fields = ["file", "text", "original", "sha256"] if name in CROP_SETS else ["file", "sha256"]
    with open(_REGISTRY / f"{name}.csv", encoding="utf-8", newline="") as f:
        return [dict(zip(fields, row, strict=True)) for row in csv.reader(f)]


def url_of(row: dict[str, str], name: str) -> str:
    """The public URL of one registry row (``#`` in the original names is written ``%23``)."""
    path = row["original"] if name in CROP_SETS else f"raw-neg/{row['file']}"
    return BASE_URL + path.replace("#", "%23")


def _ensure(name: str, download: bool, progress: bool) -> Path:
    folder = data_home() / name
    rows = registry(name)
    missing = [r for r in rows if not (folder / r["file"]).is_file()]
    if not missing:
        return folder
    if not download:
        raise FileNotFoundError(
            f"{name} is not complete in {folder} ({len(missing)} of {len(rows)} files missing): "
            f"set LPRKIT_DATA_HOME to a folder holding {name}/, or pass download=True to fetch "
            f"them from {BASE_URL}"
        )
    import pooch
    from tqdm.auto import tqdm

    folder.mkdir(parents=True, exist_ok=True)
    for row in tqdm(missing, desc=name, disable=not progress, unit="file"):
        try:
            pooch.retrieve(url_of(row, name), f"sha256:{row['sha256']}", fname=row["file"],
                           path=folder, progressbar=False)  # fmt: skip
        except Exception as exc:  # network errors come in many types (requests, OSError)
            raise LprkitError(
                f"could not download {url_of(row, name)} into {folder}: {exc}. Check the "
                "connection, or put a copy there (or set LPRKIT_DATA_HOME)."
            ) from exc
    return folder


def load_br_crops(split: str = "train", *, download: bool = True, progress: bool = True) -> CropsFolder:
    """The real Brazilian crops of one split (``"train"`` or ``"dev"``) as a crops folder.

    A local copy's ``labels.csv`` is read when present; otherwise the texts come from the
    registry (and missing images are downloaded, see the module notes).

    Raises
    ------
    ValueError
        For an unknown split.
    FileNotFoundError
        With ``download=False`` and an incomplete local copy (says where to put one).
    LprkitError
        When a download fails or a file's checksum does not match.
    """
    if split not in ("train", "dev"):
        raise InputError(f"split={split!r}; use 'train' or 'dev'")
    name = f"br_crops_{split}"
    folder = data_home() / name
    if (folder / "labels.csv").is_file():
        return read_crops_folder(folder)
    folder = _ensure(name, download, progress)
    return CropsFolder(folder, [Crop(folder / r["file"], r["text"]) for r in registry(name)])


def load_negatives(*, download: bool = True, progress: bool = True) -> list[Path]:
    """Paths of the 618 plate-free photographs, in registry order (see the module notes)."""
    folder = _ensure("negatives", download, progress)
    return [folder / r["file"] for r in registry("negatives")]


def split_negatives(paths: list[Path], dev_every: int = 3) -> tuple[list[Path], list[Path]]:
    """Training and development parts of the negatives: every ``dev_every``-th photo of each
    source (the leading letters of the file name: ``neg``, ``youtube``, ``UMD``…) goes to
    development.

    Splitting within each source keeps both parts alike (rooms, streets, video frames), and
    the split depends only on the names, so it never changes between runs or machines.
    """
    if dev_every < 2:
        raise InputError(f"dev_every must be >= 2, got {dev_every}")
    by_source: dict[str, list[Path]] = {}
    for p in sorted(paths, key=lambda p: p.name):
        source = re.match(r"[A-Za-z]*", p.name).group(0)
        by_source.setdefault(source, []).append(p)
    train, dev = [], []
    for group in by_source.values():
        for i, p in enumerate(group):
            (dev if i % dev_every == dev_every - 1 else train).append(p)
    return train, dev
