"""Synthetic detection data sets on disk: scenes plus annotations in a chosen format.

Scene ``i`` is composed from its own generator seeded with ``(seed, i)``, so it is the same
whatever ``n``, the number of processes or the chunking. Formats (``fmt``):

``labels`` (default)
    A frames folder: images and ``labels.csv`` rows ``file,text,x,y,w,h`` (one per plate,
    integer pixels), what ``lprkit evaluate frames`` reads.
``openalpr``
    Images and one openalpr benchmark ``.txt`` per image (``file x y w h TEXT``).
``yolo``
    ``images/train/``, ``labels/train/`` and ``data.yaml`` (classes ``plate``, ``vehicle``),
    the layout darknet and Ultralytics read.
``voc``
    ``JPEGImages/``, ``Annotations/`` (LabelImg-style XML) and ``ImageSets/Main/train.txt``.
``coco``
    ``images/`` and ``annotations.json`` (COCO detection; plate text under ``attributes``).

Every format also gets ``annotations.jsonl`` (all objects with plate corners, text and style)
and ``manifest.json`` (settings, counts and plate-size statistics). The folder is built under
a hidden temporary name and renamed into place when complete.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.data.annotations import (
    DEFAULT_CLASSES,
    Annotation,
    ObjectBox,
    format_openalpr,
    format_voc,
    format_yolo,
    write_data_yaml,
)
from lprkit.errors import InputError
from lprkit.synth.scenes import REFERENCE_SIZE, SCENE_MODES, compose_scene

FORMATS: tuple[str, ...] = ("labels", "openalpr", "yolo", "voc", "coco")
MANIFEST_FORMAT = "lprkit-scenes/1"
CHUNK = 32  # scenes per worker task
_IMAGE_DIRS = {"labels": ".", "openalpr": ".", "yolo": "images/train", "voc": "JPEGImages", "coco": "images"}


def scene(i: int, mode: str, styles, size: tuple[int, int], seed: int, strength: float = 1.0):
    """Scene ``i`` of a data set (its generator is seeded with ``(seed, i)``)."""
    return compose_scene(mode, np.random.default_rng((seed, i)), size, styles, strength=strength)


def _object_record(o: ObjectBox) -> dict:
    rec = {"label": o.label, "box": [round(v, 2) for v in o.box]}
    if o.corners is not None:
        rec["corners"] = [[round(x, 2), round(y, 2)] for x, y in o.corners]
    if o.text:
        rec["text"], rec["style"] = o.text, o.style
    return rec


def _write_range(task) -> list[dict]:
    """Compose and write scenes ``start..stop`` into ``tmp``; returns one record per image."""
    import cv2

    start, stop, mode, styles, size, seed, strength, fmt, tmp, quality = task
    tmp = Path(tmp)
    image_dir = tmp / _IMAGE_DIRS[fmt]
    records = []
    for i in range(start, stop):
        sc = scene(i, mode, styles, size, seed, strength)
        name = f"{i:07d}.jpg"  # never from the plate text
        ok, buf = cv2.imencode(".jpg", sc.image[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:  # pragma: no cover - OpenCV always encodes uint8 images
            raise RuntimeError(f"could not encode {name}")
        (image_dir / name).write_bytes(buf.tobytes())
        ann = sc.annotation(name)
        stem = name[:-4]
        if fmt == "openalpr":
            (tmp / f"{stem}.txt").write_text(format_openalpr(ann), encoding="utf-8")
        elif fmt == "yolo":
            text = format_yolo(ann.objects, ann.width, ann.height, DEFAULT_CLASSES)
            (tmp / "labels" / "train" / f"{stem}.txt").write_text(text, encoding="utf-8")
        elif fmt == "voc":
            xml = format_voc(ann, folder="JPEGImages", path=f"JPEGImages/{name}")
            (tmp / "Annotations" / f"{stem}.xml").write_text(xml, encoding="utf-8")
        records.append({"file": name, "width": ann.width, "height": ann.height,
                        "objects": [_object_record(o) for o in ann.objects]})  # fmt: skip
    return records


def _processes(processes: int | None, n: int) -> int:
    if processes is not None:
        if processes < 1:
            raise InputError(f"processes must be >= 1, got {processes}")
        return processes
    return 1 if n < 2 * CHUNK else min(2, os.cpu_count() or 1)


def _run(tasks, procs: int, n: int, progress: bool) -> list[dict]:
    from tqdm.auto import tqdm

    records: list[dict] = []
    with tqdm(total=n, desc="scenes", unit="scene", disable=not progress) as bar:
        if procs == 1:
            for t in tasks:
                records += _write_range(t)
                bar.update(t[1] - t[0])
            return records
        import multiprocessing as mp

        # spawn: TensorFlow or OpenCV threads in the parent must not be forked
        with mp.get_context("spawn").Pool(procs) as pool:
            for r in pool.imap(_write_range, tasks):
                records += r
                bar.update(len(r))
    return records


def _check_args(n, mode, fmt, size, quality) -> tuple[int, int]:
    if n < 0:
        raise InputError(f"n must be >= 0, got {n}")
    if mode not in SCENE_MODES:
        raise InputError(f"unknown scene mode {mode!r}; use one of {', '.join(SCENE_MODES)}")
    if fmt not in FORMATS:
        raise InputError(f"unknown annotation format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not 1 <= quality <= 100:
        raise InputError(f"JPEG quality must be 1..100, got {quality}")
    if size is None:
        return REFERENCE_SIZE
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise InputError(f"size must be (width, height) in pixels, got {size!r}") from None
    if w < 64 or h < 64:
        raise InputError(f"scene size must be at least 64 x 64 pixels, got {w} x {h}")
    return w, h


def write_scene_dataset(
    out_dir: str | os.PathLike,
    n: int,
    mode: str = "parking",
    styles: str | Sequence[str] = "korean",
    seed: int = 0,
    fmt: str = "labels",
    overwrite: bool = False,
    size: tuple[int, int] | None = None,
    *,
    strength: float = 1.0,
    quality: int = 95,
    processes: int | None = None,
    progress: bool = True,
) -> Path:
    """Write ``n`` synthetic scenes with annotations in format ``fmt`` (see the module notes).

    Parameters
    ----------
    out_dir
        Folder to create; it must not exist or be empty unless ``overwrite``.
    n
        Number of scenes.
    mode
        ``"parking"`` or ``"cctv"`` (see :func:`lprkit.synth.scenes.compose_scene`).
    styles
        Plate styles, as :func:`lprkit.synth.styles.resolve_styles` accepts.
    seed
        Scene ``i`` is drawn from ``numpy.random.default_rng((seed, i))``.
    fmt
        ``"labels"``, ``"openalpr"``, ``"yolo"`` or ``"voc"``.
    overwrite
        Replace an existing data set: the new one is built beside it and swapped in at the
        end, so an interrupted write leaves the old one (or nothing), never a partial folder.
    size
        ``(width, height)``; ``None`` means 640 x 480.
    strength
        Degradation strength (0 clean, 1 default, 2 harsh).
    quality
        JPEG quality of the written images.
    processes
        Worker processes (``None``: 1 for small ``n``, else up to 2).
    progress
        Show a tqdm bar.

    Returns
    -------
    pathlib.Path
        The folder written.

    Raises
    ------
    FileExistsError
        If ``out_dir`` exists and is not empty, and ``overwrite`` is false.
    ValueError
        For a bad mode, format, size, style or count.
    """
    from lprkit import __version__
    from lprkit.fileio import write_folder_atomically
    from lprkit.synth.styles import resolve_styles

    wh = _check_args(n, mode, fmt, size, quality)
    names = resolve_styles(styles)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(
            f"{out} already exists and is not empty; pass overwrite=True (--overwrite) to replace it"
        )

    def fill(tmp: Path) -> None:
        (tmp / _IMAGE_DIRS[fmt]).mkdir(parents=True, exist_ok=True)
        if fmt == "yolo":
            (tmp / "labels" / "train").mkdir(parents=True)
        elif fmt == "voc":
            (tmp / "Annotations").mkdir()
            (tmp / "ImageSets" / "Main").mkdir(parents=True)
        tasks = [(s, min(s + CHUNK, n), mode, names, wh, seed, strength, fmt, str(tmp), quality)
                 for s in range(0, n, CHUNK)]  # fmt: skip
        records = _run(tasks, _processes(processes, n), n, progress)
        _write_index(tmp, fmt, records)
        manifest = {
            "format": MANIFEST_FORMAT,
            "lprkit_version": __version__,
            "mode": mode,
            "n": n,
            "seed": seed,
            "styles": names,
            "size": list(wh),
            "annotation_format": fmt,
            "classes": list(DEFAULT_CLASSES),
            "strength": strength,
            "jpeg_quality": quality,
            "counts": _counts(records),
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    return write_folder_atomically(out, fill, overwrite=True)


def _write_index(tmp: Path, fmt: str, records: list[dict]) -> None:
    """Per-dataset files: labels.csv / data.yaml / train.txt, and annotations.jsonl."""
    from lprkit.data.folders import format_frames_csv

    if fmt == "labels":
        rows = [(r["file"], ObjectBox("plate", *o["box"], text=o.get("text", "")))
                for r in records for o in r["objects"] if o["label"] == "plate"]  # fmt: skip
        (tmp / "labels.csv").write_text(format_frames_csv(rows), encoding="utf-8")
    elif fmt == "yolo":
        write_data_yaml(tmp, DEFAULT_CLASSES, splits=("train",))
    elif fmt == "voc":
        lines = "".join(r["file"][:-4] + "\n" for r in records)
        (tmp / "ImageSets" / "Main" / "train.txt").write_text(lines, encoding="utf-8")
    elif fmt == "coco":
        from lprkit.data.coco import COCO_FILE, write_coco

        anns = [Annotation(r["file"], [ObjectBox(o["label"], *o["box"], text=o.get("text", ""), style=o.get("style", ""))
                                       for o in r["objects"]], r["width"], r["height"]) for r in records]  # fmt: skip
        write_coco(tmp / COCO_FILE, anns, DEFAULT_CLASSES, image_dir=_IMAGE_DIRS["coco"])
    with open(tmp / "annotations.jsonl", "w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def _counts(records: list[dict]) -> dict:
    plates = [o for r in records for o in r["objects"] if o["label"] == "plate"]
    widths = np.array([o["box"][2] - o["box"][0] for o in plates], np.float64)
    stats = {}
    if len(widths):
        q = np.percentile(widths, [0, 10, 50, 90, 100])
        stats = dict(zip(("min", "p10", "median", "p90", "max"), (round(float(v), 1) for v in q),
                         strict=True))  # fmt: skip
    return {
        "images": len(records),
        "plates": len(plates),
        "vehicles": sum(o["label"] == "vehicle" for r in records for o in r["objects"]),
        "plate_width_px": stats,
        "by_style": dict(sorted(Counter(o["style"] for o in plates).items())),
    }


def read_annotations_jsonl(path: str | os.PathLike) -> list[Annotation]:
    """Read ``annotations.jsonl`` written by :func:`write_scene_dataset` (all details kept)."""
    from lprkit.data.annotations import AnnotationFormatError

    path = Path(path)
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            objs = [ObjectBox(o["label"], *o["box"], corners=o.get("corners"),
                              text=o.get("text", ""), style=o.get("style", ""))
                    for o in r["objects"]]  # fmt: skip
            out.append(Annotation(r["file"], objs, r["width"], r["height"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise AnnotationFormatError(f"{path}, line {n}: {exc}") from None
    return out
