"""Box annotations and the file formats labelling tools use.

One image's labels are an :class:`Annotation` holding :class:`ObjectBox` es. Boxes are pixel
``(x1, y1, x2, y2)`` floats in continuous coordinates (``x2 = x + w``); each format converts at
its own boundary:

* **YOLO** (darknet, Ultralytics): one ``.txt`` per image, a line ``class cx cy w h`` per object,
  all normalised by the image size; ``data.yaml`` names the classes and the ``images/<split>``
  folders (labels live in the matching ``labels/<split>`` folders).
* **Pascal VOC** XML as LabelImg writes it: integer ``xmin ymin xmax ymax`` per ``<object>``.
  Plate text, style and corners travel in extra tags LabelImg ignores.
* **openalpr benchmark** ``.txt``: ``file x y w h TEXT``, tab separated.

Readers raise :class:`AnnotationFormatError` naming the file and line at fault.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lprkit.errors import InputError, LprkitError
from lprkit.fileio import atomic_write_text, read_text

DEFAULT_CLASSES: tuple[str, ...] = ("plate", "vehicle")

Corners = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]


class AnnotationFormatError(LprkitError, ValueError):
    """A malformed annotation file; the message names the file and line."""


@dataclass(frozen=True)
class ObjectBox:
    """One labelled object in an image.

    Parameters
    ----------
    label
        Class name (``"plate"``, ``"vehicle"`` …).
    x1, y1, x2, y2
        Box in pixels, top-left and bottom-right, continuous coordinates.
    corners
        Optional four points (top-left, top-right, bottom-right, bottom-left) of a plate's
        quadrilateral, in pixels, for rectification.
    text
        Plate text (empty when unknown or not a plate).
    style
        Plate style name (empty when unknown).
    """

    label: str
    x1: float
    y1: float
    x2: float
    y2: float
    corners: Corners | None = None
    text: str = ""
    style: str = ""

    def __post_init__(self) -> None:
        values = (self.x1, self.y1, self.x2, self.y2)
        if not all(math.isfinite(v) for v in values):
            raise InputError(f"box {values} has a value that is not a finite number")
        if self.x2 < self.x1 or self.y2 < self.y1:
            raise InputError(f"box {values} has x2 < x1 or y2 < y1; give (x1, y1, x2, y2)")
        if self.corners is not None:
            pts = tuple((float(x), float(y)) for x, y in self.corners)
            if len(pts) != 4:
                raise InputError(f"corners need 4 points (TL, TR, BR, BL), got {len(pts)}")
            object.__setattr__(self, "corners", pts)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """``(x1, y1, x2, y2)``."""
        return (self.x1, self.y1, self.x2, self.y2)

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @classmethod
    def from_xywh(cls, label: str, x: float, y: float, w: float, h: float, **kw) -> ObjectBox:
        """Build from top-left corner plus size."""
        return cls(label, x, y, x + w, y + h, **kw)

    def xywh(self) -> tuple[float, float, float, float]:
        """``(x, y, w, h)``: top-left corner plus size."""
        return (self.x1, self.y1, self.width, self.height)

    def rounded(self) -> ObjectBox:
        """The same object with the box rounded to whole pixels."""
        return replace(
            self, x1=float(round(self.x1)), y1=float(round(self.y1)),
            x2=float(round(self.x2)), y2=float(round(self.y2)),
        )  # fmt: skip


@dataclass
class Annotation:
    """The labels of one image.

    Parameters
    ----------
    file
        Image file name (relative to the folder it lives in).
    objects
        The labelled objects.
    width, height
        Image size in pixels; ``None`` when a format does not record it (openalpr).
    depth
        Channels (VOC records it).
    """

    file: str
    objects: list[ObjectBox] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    depth: int = 3

    def of_class(self, label: str) -> list[ObjectBox]:
        """Objects with the given class name."""
        return [o for o in self.objects if o.label == label]


# --------------------------------------------------------------------------- helpers


def _read_lines(path: Path) -> list[str]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"annotation file not found: {path}")
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise AnnotationFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None


def _fmt(v: float) -> str:
    """Shortest text for a coordinate: ``12`` for whole numbers, else up to 3 decimals."""
    r = round(float(v), 3)
    return str(int(r)) if r == int(r) else f"{r:.3f}".rstrip("0")


# --------------------------------------------------------------------------- YOLO


def format_yolo(
    objects: Iterable[ObjectBox], width: int, height: int, classes: Sequence[str] = DEFAULT_CLASSES
) -> str:
    """YOLO label text: one ``class cx cy w h`` line per object, normalised to 0..1.

    Raises
    ------
    ValueError
        If an object's class is not in ``classes``.
    """
    lines = []
    for o in objects:
        if o.label not in classes:
            raise InputError(f"class {o.label!r} is not in the class list {list(classes)}")
        cx, cy = (o.x1 + o.x2) / 2 / width, (o.y1 + o.y2) / 2 / height
        lines.append(
            f"{classes.index(o.label)} {cx:.6f} {cy:.6f} {o.width / width:.6f} {o.height / height:.6f}"
        )
    return "".join(line + "\n" for line in lines)


def write_yolo(
    path: str | os.PathLike,
    objects: Iterable[ObjectBox],
    width: int,
    height: int,
    classes: Sequence[str] = DEFAULT_CLASSES,
    *,
    overwrite: bool = False,
) -> Path:
    """Write a YOLO ``.txt`` label file (see :func:`format_yolo`)."""
    return atomic_write_text(
        path, format_yolo(objects, width, height, classes), overwrite=overwrite
    )


def read_yolo(
    path: str | os.PathLike,
    width: int,
    height: int,
    classes: Sequence[str] | None = DEFAULT_CLASSES,
) -> list[ObjectBox]:
    """Read a YOLO ``.txt`` label file into pixel boxes.

    Parameters
    ----------
    path
        The label file.
    width, height
        Size of its image in pixels (YOLO stores normalised values).
    classes
        Class names by index; ``None`` names classes by their index (``"0"``).

    Raises
    ------
    AnnotationFormatError
        Naming file and line for a line that is not five numbers, a class index out of range
        or a value outside 0..1.
    """
    path = Path(path)
    objects = []
    for n, line in enumerate(_read_lines(path), start=1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        where = f"{path}, line {n}"
        if len(parts) != 5:
            raise AnnotationFormatError(
                f"{where}: expected 5 fields 'class cx cy w h', got {len(parts)}: {line!r}"
            )
        try:
            idx = int(parts[0])
            cx, cy, w, h = (float(p) for p in parts[1:])
        except ValueError:
            raise AnnotationFormatError(
                f"{where}: expected an integer class and four numbers, got {line!r}"
            ) from None
        if classes is not None and not 0 <= idx < len(classes):
            raise AnnotationFormatError(
                f"{where}: class index {idx} is outside 0..{len(classes) - 1} ({list(classes)})"
            )
        if not all(0.0 <= v <= 1.0 for v in (cx, cy, w, h)):
            raise AnnotationFormatError(
                f"{where}: YOLO values must be normalised to 0..1, got {line!r}"
            )
        name = classes[idx] if classes is not None else str(idx)
        bw, bh = w * width, h * height
        x1, y1 = cx * width - bw / 2, cy * height - bh / 2
        objects.append(ObjectBox(name, x1, y1, x1 + bw, y1 + bh))
    return objects


def write_data_yaml(
    root: str | os.PathLike,
    classes: Sequence[str] = DEFAULT_CLASSES,
    splits: Sequence[str] = ("train", "val"),
    *,
    overwrite: bool = False,
) -> Path:
    """Write ``root/data.yaml`` for the Ultralytics / darknet YOLO layout.

    Images are in ``images/<split>/`` and labels in ``labels/<split>/``; the file leaves out
    ``path`` so tools take the folder holding ``data.yaml`` as the dataset root. With a single
    split, ``val`` points at it too (Ultralytics requires a ``val`` entry).
    """
    if not splits:
        raise InputError("write_data_yaml needs at least one split")
    entries = {s: f"images/{s}" for s in splits}
    entries.setdefault("train", f"images/{splits[0]}")
    entries.setdefault("val", f"images/{splits[0]}")
    lines = ["# lprkit detection dataset: images/<split>/*.jpg, labels/<split>/*.txt"]
    lines += [f"{k}: {v}" for k, v in entries.items()]
    lines.append(f"nc: {len(classes)}")
    lines.append("names:")
    lines += [f"  {i}: {name}" for i, name in enumerate(classes)]
    return atomic_write_text(Path(root) / "data.yaml", "\n".join(lines) + "\n", overwrite=overwrite)


def read_data_yaml(path: str | os.PathLike) -> dict:
    """Read a YOLO ``data.yaml`` (with PyYAML's ``safe_load``): the whole mapping, with
    ``names`` made a list and ``nc`` checked against it.

    ``names`` may be a list or a mapping ``{0: a, 1: b}``, as Ultralytics, darknet, CVAT and
    Roboflow write it; splits (``train``, ``val``, ``test``) may be a folder, a ``.txt`` file
    listing images, or a list of these (:func:`lprkit.data.detection_dataset` reads them).

    Raises
    ------
    AnnotationFormatError
        For YAML that does not parse (with its line), a file that is not a mapping, or a
        missing or inconsistent ``names``/``nc``.
    """
    import yaml

    path = Path(path)
    text = "\n".join(_read_lines(path))
    try:
        cfg = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise AnnotationFormatError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(cfg, dict):
        raise AnnotationFormatError(f"{path}: expected a mapping with 'names' and the splits")
    names = cfg.get("names")
    if isinstance(names, dict):
        try:
            pairs = sorted((int(k), str(v)) for k, v in names.items())
        except (TypeError, ValueError):
            raise AnnotationFormatError(f"{path}: 'names' keys must be class indices 0..n-1") from None
        if [k for k, _ in pairs] != list(range(len(pairs))):
            raise AnnotationFormatError(f"{path}: class indices in 'names' must be 0..n-1")
        names = [v for _, v in pairs]
    if not isinstance(names, list) or not names:
        raise AnnotationFormatError(f"{path}: no 'names' list of class names")
    cfg["names"] = [str(n) for n in names]
    if "nc" in cfg:
        if not isinstance(cfg["nc"], int):
            raise AnnotationFormatError(f"{path}: nc must be an integer, got {cfg['nc']!r}")
        if cfg["nc"] != len(cfg["names"]):
            raise AnnotationFormatError(f"{path}: nc={cfg['nc']} but 'names' lists {len(cfg['names'])} classes")
    return cfg


def yolo_label_path(image_path: str | os.PathLike) -> Path:
    """Label file for an image in the YOLO layout: ``…/images/x.jpg`` -> ``…/labels/x.txt``;
    an image outside an ``images`` folder has its label beside it (``x.txt``)."""
    p = Path(image_path)
    parts = list(p.parts)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "images":
            parts[i] = "labels"
            return Path(*parts).with_suffix(".txt")
    return p.with_suffix(".txt")  # darknet / CVAT "YOLO 1.1": the label beside its image


# --------------------------------------------------------------------------- Pascal VOC


def _sub(parent: ET.Element, tag: str, text: object | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def format_voc(annotation: Annotation, *, folder: str = "images", path: str | None = None) -> str:
    """Pascal VOC XML for one image, laid out as LabelImg writes it.

    Box values are rounded to whole pixels (VOC stores integers). Plate ``text``, ``style``
    and ``corners`` are written as extra tags inside ``<object>``, which LabelImg ignores.
    """
    if annotation.width is None or annotation.height is None:
        raise InputError(f"{annotation.file}: VOC needs the image width and height")
    root = ET.Element("annotation")
    _sub(root, "folder", folder)
    _sub(root, "filename", annotation.file)
    _sub(root, "path", path or annotation.file)
    _sub(_sub(root, "source"), "database", "Unknown")
    size = _sub(root, "size")
    _sub(size, "width", annotation.width)
    _sub(size, "height", annotation.height)
    _sub(size, "depth", annotation.depth)
    _sub(root, "segmented", 0)
    for o in annotation.objects:
        obj = _sub(root, "object")
        _sub(obj, "name", o.label)
        _sub(obj, "pose", "Unspecified")
        truncated = int(
            o.x1 <= 0 or o.y1 <= 0 or o.x2 >= annotation.width or o.y2 >= annotation.height
        )
        _sub(obj, "truncated", truncated)
        _sub(obj, "difficult", 0)
        bb = _sub(obj, "bndbox")
        for tag, v in zip(("xmin", "ymin", "xmax", "ymax"), o.box, strict=True):
            _sub(bb, tag, int(round(v)))
        if o.text:
            _sub(obj, "text", o.text)
        if o.style:
            _sub(obj, "style", o.style)
        if o.corners is not None:
            c = _sub(obj, "corners")
            for i, (x, y) in enumerate(o.corners, start=1):
                _sub(c, f"x{i}", _fmt(x))
                _sub(c, f"y{i}", _fmt(y))
    ET.indent(root, space="\t")
    return ET.tostring(root, encoding="unicode") + "\n"


def write_voc(
    path: str | os.PathLike,
    annotation: Annotation,
    *,
    folder: str = "images",
    overwrite: bool = False,
) -> Path:
    """Write a VOC XML file (see :func:`format_voc`)."""
    return atomic_write_text(path, format_voc(annotation, folder=folder), overwrite=overwrite)


def _line_of(path: Path, el: ET.Element | None, text: str) -> str:
    # ElementTree keeps no line numbers; find the tag's first occurrence as a hint
    if el is None:
        return f"{path}"
    for n, line in enumerate(text.splitlines(), start=1):
        if f"<{el.tag}" in line:
            return f"{path}, line {n}"
    return f"{path}"


def read_voc(path: str | os.PathLike) -> Annotation:
    """Read a Pascal VOC / LabelImg XML file.

    Coordinates are taken as LabelImg writes them (pixel positions, not shifted by the
    1-based VOC convention); fractional values are accepted.

    Raises
    ------
    AnnotationFormatError
        For XML that does not parse (with its line) or misses ``filename``, ``size`` or an
        object's ``name`` / ``bndbox`` values.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"annotation file not found: {path}")
    text = read_text(path)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0]
        raise AnnotationFormatError(f"{path}, line {line}: not well-formed XML ({exc})") from None
    if root.tag != "annotation":
        raise AnnotationFormatError(
            f"{path}, line 1: root element is <{root.tag}>, expected <annotation>"
        )

    def need(el: ET.Element, tag: str) -> str:
        child = el.find(tag)
        if child is None or child.text is None or not child.text.strip():
            raise AnnotationFormatError(
                f"{_line_of(path, el, text)}: <{el.tag}> has no <{tag}> value"
            )
        return child.text.strip()

    def number(el: ET.Element, tag: str, kind=float):
        value = need(el, tag)
        try:
            return kind(float(value)) if kind is int else kind(value)
        except ValueError:
            where = _line_of(path, el.find(tag), text)
            raise AnnotationFormatError(f"{where}: <{tag}> is {value!r}, not a number") from None

    size = root.find("size")
    width = height = None
    depth = 3
    if size is not None:
        width, height = number(size, "width", int), number(size, "height", int)
        if size.find("depth") is not None and (size.findtext("depth") or "").strip():
            depth = number(size, "depth", int)
    ann = Annotation(need(root, "filename"), [], width, height, depth)
    for i, obj in enumerate(root.findall("object")):
        bb = obj.find("bndbox")
        if bb is None:
            raise AnnotationFormatError(f"{path}: <object> number {i + 1} has no <bndbox>")
        x1, y1, x2, y2 = (number(bb, t) for t in ("xmin", "ymin", "xmax", "ymax"))
        if x2 < x1 or y2 < y1:
            raise AnnotationFormatError(
                f"{path}: <object> number {i + 1} has xmax < xmin or ymax < ymin ({x1}, {y1}, {x2}, {y2})"
            )
        corners = None
        c = obj.find("corners")
        if c is not None:
            corners = tuple((number(c, f"x{k}"), number(c, f"y{k}")) for k in range(1, 5))
        ann.objects.append(
            ObjectBox(need(obj, "name"), x1, y1, x2, y2, corners=corners,
                      text=(obj.findtext("text") or "").strip(),
                      style=(obj.findtext("style") or "").strip())
        )  # fmt: skip
    return ann


# --------------------------------------------------------------------------- openalpr


def format_openalpr(annotation: Annotation) -> str:
    """openalpr benchmark text: ``file\\tx\\ty\\tw\\th\\tTEXT`` per plate, whole pixels."""
    lines = []
    for o in annotation.of_class("plate"):
        x, y, w, h = (int(round(v)) for v in o.rounded().xywh())
        lines.append(f"{annotation.file}\t{x}\t{y}\t{w}\t{h}\t{o.text}")
    return "".join(line + "\n" for line in lines)


def write_openalpr(
    path: str | os.PathLike, annotation: Annotation, *, overwrite: bool = False
) -> Path:
    """Write an openalpr benchmark ``.txt`` file (plates only, see :func:`format_openalpr`)."""
    return atomic_write_text(path, format_openalpr(annotation), overwrite=overwrite)


def read_openalpr(path: str | os.PathLike) -> list[Annotation]:
    """Read an openalpr benchmark ``.txt`` file: ``file x y w h TEXT`` per line.

    Fields are tab separated in the benchmark; runs of spaces are accepted too. The text may
    be missing (an unread plate). Lines for the same image are grouped into one
    :class:`Annotation`, in file order.

    Raises
    ------
    AnnotationFormatError
        Naming file and line when a line has too few fields or a non-integer coordinate.
    """
    path = Path(path)
    grouped: dict[str, Annotation] = {}
    for n, line in enumerate(_read_lines(path), start=1):
        if not line.strip():
            continue
        parts = line.split("\t") if "\t" in line else line.split(None, 5)
        parts = [p.strip() for p in parts]
        if len(parts) > 6:  # extra tabs: the text is the rest
            parts = parts[:5] + [" ".join(p for p in parts[5:] if p)]
        where = f"{path}, line {n}"
        if len(parts) < 5:
            raise AnnotationFormatError(
                f"{where}: expected 'file x y w h TEXT' (tab separated), got {line!r}"
            )
        try:
            x, y, w, h = (int(float(p)) for p in parts[1:5])
        except ValueError:
            raise AnnotationFormatError(
                f"{where}: x y w h must be whole numbers, got {parts[1:5]}"
            ) from None
        if w < 0 or h < 0:
            raise AnnotationFormatError(f"{where}: negative width or height in {line!r}")
        text = parts[5] if len(parts) > 5 else ""
        ann = grouped.setdefault(parts[0], Annotation(parts[0]))
        ann.objects.append(ObjectBox.from_xywh("plate", x, y, w, h, text=text))
    return list(grouped.values())
