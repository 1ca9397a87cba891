"""Detection data for training: read any annotated folder, feed it through ``tf.data``.

:func:`read_detection_folder` recognises the layouts lprkit writes and reads (YOLO with
``data.yaml``, Pascal VOC, a frames folder with ``labels.csv`` or openalpr ``.txt`` files) and
returns ``(image path, Annotation)`` pairs. :func:`detection_dataset` turns those into a
``tf.data.Dataset`` of letterboxed images with padded box tensors, the input a YOLO-style
detector's target builder expects.

TensorFlow is imported only inside :func:`detection_dataset`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.data.annotations import (
    DEFAULT_CLASSES,
    Annotation,
    read_data_yaml,
    read_voc,
    read_yolo,
    yolo_label_path,
)
from lprkit.data.coco import is_coco, read_coco
from lprkit.data.folders import IMAGE_SUFFIXES, read_frames_folder
from lprkit.errors import InputError
from lprkit.fileio import read_text


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(path) as im:  # reads the header only
            return im.size
    except OSError as exc:
        raise OSError(f"cannot read image size of {path}: {exc}") from None


def _images_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)


def _split_images(base: Path, split: str, value, yaml_path: Path) -> list[Path]:
    """The images of one split: a folder, a ``.txt`` list of image paths (relative to the
    list's folder, else to the dataset root), or a list of these."""
    if isinstance(value, (list, tuple)):
        return [img for v in value for img in _split_images(base, split, v, yaml_path)]
    if not isinstance(value, str) or not value:
        raise InputError(f"{yaml_path}: '{split}' must be a folder, a .txt list or a list of them, got {value!r}")
    where = base / value
    if where.is_dir():
        return _images_under(where)
    if where.is_file() and where.suffix == ".txt":
        images = []
        for n, line in enumerate(read_text(where).splitlines(), start=1):
            name = line.strip()
            if not name or name.startswith("#"):
                continue
            # darknet/CVAT lists start with the folder darknet ran in ("data/obj_train_data/…"):
            # drop leading folders until the image is found
            parts = Path(name).parts
            candidates = [where.parent / name] + [base / Path(*parts[k:]) for k in range(len(parts))]
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                raise FileNotFoundError(f"{where}, line {n}: image {name!r} not found (looked beside the list and in {base})")
            images.append(found)
        return images
    raise FileNotFoundError(f"{yaml_path}: '{split}: {value}' is neither a folder nor a .txt list under {base}")


def _read_yolo_folder(root: Path) -> list[tuple[Path, Annotation]]:
    yaml_path = root / "data.yaml"
    cfg = read_data_yaml(yaml_path)
    base = root / cfg["path"] if isinstance(cfg.get("path"), str) and cfg["path"] else root
    if not base.is_dir():  # Ultralytics resolves relative paths elsewhere; fall back to root
        base = root
    seen: dict[Path, None] = {}
    for split in ("train", "val", "test"):
        if cfg.get(split) is not None:
            seen.update(dict.fromkeys(_split_images(base, split, cfg[split], yaml_path)))
    if not seen:
        raise InputError(f"{yaml_path} names no images (give train/val as folders or .txt lists)")
    out = []
    for img in seen:
        w, h = _image_size(img)
        label = yolo_label_path(img)
        objs = read_yolo(label, w, h, cfg["names"]) if label.is_file() else []
        out.append((img, Annotation(img.name, objs, w, h)))
    return out


def _read_voc_folder(root: Path) -> list[tuple[Path, Annotation]]:
    xml_dir = root / "Annotations" if (root / "Annotations").is_dir() else root
    image_dir = root / "JPEGImages" if (root / "JPEGImages").is_dir() else xml_dir
    out = []
    for xml in sorted(xml_dir.glob("*.xml")):
        ann = read_voc(xml)
        img = image_dir / ann.file
        if not img.is_file():
            raise FileNotFoundError(f"{xml}: image {ann.file!r} not found in {image_dir}")
        if ann.width is None or ann.height is None:
            ann.width, ann.height = _image_size(img)
        out.append((img, ann))
    return out


def read_detection_folder(root: str | os.PathLike) -> list[tuple[Path, Annotation]]:
    """Read an annotated image folder in any supported layout.

    Tried in order: ``data.yaml`` (YOLO; splits as folders or ``.txt`` lists), COCO JSON
    (``*.json`` or ``annotations/*.json``), ``Annotations/`` or ``*.xml`` (Pascal VOC),
    ``labels.csv`` or ``*.txt`` (frames folder: plates only).

    Raises
    ------
    FileNotFoundError
        If the folder is missing or has no recognised annotations.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"detection folder not found: {root}")
    if (root / "data.yaml").is_file():
        return _read_yolo_folder(root)
    coco = [p for p in sorted(root.glob("*.json")) if is_coco(p)]
    if not coco and (root / "annotations").is_dir():  # the COCO dataset's own layout
        coco = [p for p in sorted((root / "annotations").glob("*.json")) if is_coco(p)]
    if coco:
        return [item for p in coco for item in read_coco(p)]
    if (root / "Annotations").is_dir() or any(root.glob("*.xml")):
        return _read_voc_folder(root)
    frames = read_frames_folder(root)  # raises FileNotFoundError with the accepted layouts
    out = []
    for f in frames:
        w, h = _image_size(f.path)
        out.append((f.path, Annotation(f.path.name, list(f.objects), w, h)))
    return out


def pad_boxes(
    annotations: Sequence[Annotation],
    classes: Sequence[str] = DEFAULT_CLASSES,
    max_boxes: int = 32,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boxes and class ids of each image, zero-padded to ``max_boxes``.

    Objects whose class is not in ``classes`` are dropped (e.g. vehicles for a plate-only
    detector: pass ``classes=("plate",)``).

    Returns
    -------
    boxes : float32 (n, max_boxes, 4)
        ``x1, y1, x2, y2`` in pixels of the original image; padding rows are 0.
    labels : int32 (n, max_boxes)
        Class index; padding is -1.
    counts : int32 (n,)
        Real boxes per image.

    Raises
    ------
    ValueError
        If an image has more than ``max_boxes`` objects of the kept classes (names it).
    """
    n = len(annotations)
    boxes = np.zeros((n, max_boxes, 4), np.float32)
    labels = np.full((n, max_boxes), -1, np.int32)
    counts = np.zeros(n, np.int32)
    for i, ann in enumerate(annotations):
        kept = [o for o in ann.objects if o.label in classes]
        if len(kept) > max_boxes:
            raise InputError(
                f"{ann.file} has {len(kept)} objects, more than max_boxes={max_boxes}; "
                "raise max_boxes"
            )
        for j, o in enumerate(kept):
            boxes[i, j] = o.box
            labels[i, j] = list(classes).index(o.label)
        counts[i] = len(kept)
    return boxes, labels, counts


def detection_dataset(
    source: str | os.PathLike | Sequence[tuple[str | os.PathLike, Annotation]],
    image_size: int | tuple[int, int] = 416,
    batch_size: int = 8,
    *,
    classes: Sequence[str] = DEFAULT_CLASSES,
    max_boxes: int = 32,
    shuffle: bool = True,
    seed: int = 0,
    repeat: bool = False,
):
    """A ``tf.data.Dataset`` of letterboxed images and padded boxes.

    Each element is a dict of batched tensors:

    * ``image``: float32 ``(B, H, W, 3)`` in 0..1, the image scaled to fit ``image_size``
      with its aspect ratio kept and the rest padded with grey 0.5 (letterbox);
    * ``boxes``: float32 ``(B, max_boxes, 4)``, ``x1, y1, x2, y2`` in pixels of the
      letterboxed image; padding rows are 0;
    * ``classes``: int32 ``(B, max_boxes)``, index into ``classes``, padding -1;
    * ``num_boxes``: int32 ``(B,)``.

    Parameters
    ----------
    source
        A folder (any layout :func:`read_detection_folder` reads) or ``(path, Annotation)``
        pairs.
    image_size
        Output size: an int for a square, or ``(width, height)``.
    batch_size
        Images per batch (the last batch may be smaller).
    classes
        Class names to keep, in index order.
    max_boxes
        Padding length (an image with more objects raises ValueError).
    shuffle, seed, repeat
        Shuffle every epoch (seeded), and repeat forever for ``model.fit(steps_per_epoch=...)``.
    """
    import tensorflow as tf

    items = read_detection_folder(source) if isinstance(source, str | os.PathLike) else list(source)
    if not items:
        raise InputError(f"no annotated images in {source}")
    tw, th = (image_size, image_size) if isinstance(image_size, int) else image_size
    paths = [str(p) for p, _ in items]
    anns = [a for _, a in items]
    boxes, labels, counts = pad_boxes(anns, classes, max_boxes)
    ds = tf.data.Dataset.from_tensor_slices((paths, boxes, labels, counts))
    if shuffle:
        ds = ds.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()

    def load(path, bx, lab, cnt):
        img = tf.io.decode_image(tf.io.read_file(path), channels=3, expand_animations=False)
        img = tf.image.convert_image_dtype(img, tf.float32)
        h, w = tf.cast(tf.shape(img)[0], tf.float32), tf.cast(tf.shape(img)[1], tf.float32)
        scale = tf.minimum(tw / w, th / h)
        nw, nh = tf.round(w * scale), tf.round(h * scale)
        img = tf.image.resize(img, tf.cast(tf.stack([nh, nw]), tf.int32), antialias=True)
        dx, dy = tf.floor((tw - nw) / 2), tf.floor((th - nh) / 2)
        img = tf.image.pad_to_bounding_box(
            img - 0.5, tf.cast(dy, tf.int32), tf.cast(dx, tf.int32), th, tw
        )
        img = tf.ensure_shape(img + 0.5, (th, tw, 3))
        valid = tf.cast(lab >= 0, tf.float32)[:, None]
        sx, sy = nw / w, nh / h
        bx = (bx * tf.stack([sx, sy, sx, sy]) + tf.stack([dx, dy, dx, dy])) * valid
        return {"image": img, "boxes": bx, "classes": lab, "num_boxes": cnt}

    ds = ds.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def box_sizes(
    items: Sequence[tuple[str | os.PathLike, Annotation] | Annotation],
    label: str = "plate",
    reference_width: int | None = 640,
) -> dict[str, np.ndarray]:
    """Sizes of the boxes of one class, to compare data sets (e.g. synthetic vs real).

    Parameters
    ----------
    items
        Annotations, or ``(image path, Annotation)`` pairs (an annotation without a size
        takes it from its image).
    label
        Class to measure.
    reference_width
        Express widths and heights as if every image were rescaled to this width (so photos
        of different resolutions compare); ``None`` keeps raw pixels.

    Returns
    -------
    dict
        float arrays ``width``, ``height`` (pixels), ``aspect`` (width / height) and
        ``fraction`` (box width / image width), one entry per box.
    """
    rows = []
    for item in items:
        path, ann = item if isinstance(item, tuple) else (None, item)
        w = ann.width
        if w is None:
            if path is None:
                raise InputError(f"{ann.file}: image width unknown; pass (path, annotation)")
            w = _image_size(Path(path))[0]
        k = reference_width / w if reference_width else 1.0
        rows += [(o.width * k, o.height * k, o.width / w) for o in ann.of_class(label)]
    a = np.array(rows, np.float64).reshape(-1, 3)
    return {
        "width": a[:, 0],
        "height": a[:, 1],
        "aspect": a[:, 0] / np.maximum(a[:, 1], 1e-9),
        "fraction": a[:, 2],
    }


CLASS_COLOURS = {"plate": (255, 40, 40), "vehicle": (40, 220, 40)}


def draw_objects(
    image: np.ndarray,
    objects: Sequence,
    *,
    distractors: Sequence[tuple[str, tuple[float, float, float, float]]] = (),
    corners: bool = True,
    thickness: int | None = None,
) -> np.ndarray:
    """A copy of ``image`` with boxes drawn: plates red, vehicles green, distractors yellow.

    Plate corners (when known and ``corners``) are drawn as a thin white quadrilateral
    inside the red box, so a reader sees both what the box and the rectifier get.
    """
    import cv2

    out = np.ascontiguousarray(image.copy())
    t = thickness or max(1, round(max(out.shape[:2]) / 400))
    for _, (x1, y1, x2, y2) in distractors:
        cv2.rectangle(out, (int(x1), int(y1)), (int(x2) - 1, int(y2) - 1), (255, 220, 0), t)
    for o in sorted(objects, key=lambda o: o.label != "vehicle"):  # plates on top
        colour = CLASS_COLOURS.get(o.label, (40, 120, 255))
        p1 = (int(np.floor(o.x1)), int(np.floor(o.y1)))
        p2 = (int(np.ceil(o.x2)) - 1, int(np.ceil(o.y2)) - 1)
        cv2.rectangle(out, p1, p2, colour, t)
        if corners and o.corners is not None:
            q = np.round((np.array(o.corners) - 0.5) * 4).astype(np.int32)
            cv2.polylines(out, [q], True, (255, 255, 255), 1, cv2.LINE_AA, shift=2)
    return out
