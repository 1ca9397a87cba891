"""COCO detection annotations: one JSON file for a whole folder of images.

The layout CVAT, Roboflow, Label Studio and torchvision share: ``images`` (``id``,
``file_name``, ``width``, ``height``), ``annotations`` (``image_id``, ``category_id``, ``bbox``
as ``[x, y, width, height]`` in pixels from the top-left corner) and ``categories`` (``id``,
``name``). lprkit writes category ids from 1 (0 is often read as background) and keeps a
plate's text and style under ``attributes``, as CVAT does.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from lprkit.data.annotations import DEFAULT_CLASSES, Annotation, AnnotationFormatError, ObjectBox
from lprkit.fileio import atomic_write_text, read_text

COCO_FILE = "annotations.json"


def format_coco(annotations: Sequence[Annotation], classes: Sequence[str] = DEFAULT_CLASSES,
                image_dir: str = "images") -> str:  # fmt: skip
    """COCO JSON text for ``annotations`` (their ``file`` names relative to ``image_dir``)."""
    ids = {name: i + 1 for i, name in enumerate(classes)}
    images, objects = [], []
    for image_id, ann in enumerate(annotations, start=1):
        if ann.width is None or ann.height is None:
            raise AnnotationFormatError(f"{ann.file}: COCO needs the image width and height")
        images.append({"id": image_id, "file_name": f"{image_dir}/{ann.file}" if image_dir else ann.file,
                       "width": ann.width, "height": ann.height})  # fmt: skip
        for o in ann.objects:
            if o.label not in ids:
                raise AnnotationFormatError(f"{ann.file}: class {o.label!r} is not one of {list(classes)}")
            w, h = o.x2 - o.x1, o.y2 - o.y1
            record = {"id": len(objects) + 1, "image_id": image_id, "category_id": ids[o.label],
                      "bbox": [round(o.x1, 2), round(o.y1, 2), round(w, 2), round(h, 2)],
                      "area": round(w * h, 2), "iscrowd": 0}  # fmt: skip
            if o.text:
                record["attributes"] = {"text": o.text, "style": o.style}
            objects.append(record)
    categories = [{"id": i, "name": name} for name, i in ids.items()]
    return json.dumps({"images": images, "annotations": objects, "categories": categories}, ensure_ascii=False)


def write_coco(path: str | os.PathLike, annotations: Sequence[Annotation], classes: Sequence[str] = DEFAULT_CLASSES,
               image_dir: str = "images", *, overwrite: bool = False) -> Path:  # fmt: skip
    """Write :func:`format_coco` to ``path`` atomically."""
    return atomic_write_text(path, format_coco(annotations, classes, image_dir), overwrite=overwrite)


def is_coco(path: str | os.PathLike) -> bool:
    """Whether a JSON file looks like COCO (a mapping with ``images`` and ``annotations``)."""
    try:
        data = json.loads(read_text(path))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "images" in data and "annotations" in data


def read_coco(path: str | os.PathLike) -> list[tuple[Path, Annotation]]:
    """``(image path, Annotation)`` for every image of a COCO file, in its order.

    Image paths are ``file_name`` relative to the JSON file's folder, or to its ``images/``
    subfolder when they are not found there (Roboflow and CVAT exports differ).

    Raises
    ------
    AnnotationFormatError
        For JSON that is not COCO, an annotation naming an unknown image or category, or a
        bounding box that is not four numbers with positive width and height.
    FileNotFoundError
        For an image listed but missing.
    """
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except ValueError as exc:
        raise AnnotationFormatError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise AnnotationFormatError(f"{path}: not a COCO file (needs 'images', 'annotations', 'categories')")
    try:
        names = {int(c["id"]): str(c["name"]) for c in data.get("categories", [])}
        images = {int(im["id"]): im for im in data["images"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise AnnotationFormatError(f"{path}: bad image or category entry ({exc!r})") from None
    objects: dict[int, list[ObjectBox]] = {i: [] for i in images}
    for k, a in enumerate(data.get("annotations", [])):
        where = f"{path}: annotation {k}"
        try:
            image_id, category, bbox = int(a["image_id"]), int(a["category_id"]), [float(v) for v in a["bbox"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise AnnotationFormatError(f"{where}: needs image_id, category_id and bbox ({exc!r})") from None
        if image_id not in images:
            raise AnnotationFormatError(f"{where}: image_id {image_id} is not in 'images'")
        if category not in names:
            raise AnnotationFormatError(f"{where}: category_id {category} is not in 'categories'")
        if len(bbox) != 4 or bbox[2] <= 0 or bbox[3] <= 0:
            raise AnnotationFormatError(f"{where}: bbox must be [x, y, width, height] with width, height > 0")
        x, y, w, h = bbox
        attrs = a.get("attributes") or {}
        objects[image_id].append(ObjectBox(names[category], x, y, x + w, y + h,
                                           text=str(attrs.get("text", "")), style=str(attrs.get("style", ""))))  # fmt: skip
    out = []
    for image_id, im in images.items():
        name = str(im.get("file_name", ""))
        image = path.parent / name
        if not image.is_file() and (path.parent / "images" / name).is_file():
            image = path.parent / "images" / name
        if not image.is_file():
            raise FileNotFoundError(f"{path}: image {name!r} not found beside it or in images/")
        out.append((image, Annotation(image.name, objects[image_id], im.get("width"), im.get("height"))))
    return out
