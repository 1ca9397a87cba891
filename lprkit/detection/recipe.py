"""The course's plate-detector recipe: annotated folders in, a saved detector out.

This is what ``lprkit train detector``, notebook 03 and the shipped ``yolov4-tiny-plates``
checkpoint use: read annotated folders (frames folders, YOLO or VOC), fit anchors to the
plates' sizes, train YOLOv4-tiny (resumable), measure mAP on a validation set, and save the
detector with its measured metrics.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.config import by_profile
from lprkit.errors import InputError

Sample = tuple[Path, np.ndarray, np.ndarray]  # image path, (N, 4) boxes, (N,) class ids


def load_samples(folders: Sequence[str | os.PathLike], classes: Sequence[str] = ("plate",)) -> list[Sample]:
    """Read annotated folders into ``(path, boxes, class ids)`` samples.

    Objects whose class is not in ``classes`` (e.g. ``vehicle``) are left out.
    """
    from lprkit.data.detection_dataset import read_detection_folder

    index = {name: i for i, name in enumerate(classes)}
    samples = []
    for folder in folders:
        for path, ann in read_detection_folder(folder):
            objs = [o for o in ann.objects if o.label in index]
            boxes = np.array([[o.x1, o.y1, o.x2, o.y2] for o in objs], np.float32).reshape(-1, 4)
            samples.append((Path(path), boxes, np.array([index[o.label] for o in objs], np.int32)))
    if not samples:
        raise InputError(f"no annotated images in {', '.join(map(str, folders))}")
    return samples


def image_sizes(samples: Sequence[Sample]) -> np.ndarray:
    """``(N, 2)`` width, height of each sample's image (read from the file header)."""
    from PIL import Image

    sizes = []
    for path, _, _ in samples:
        with Image.open(path) as im:
            sizes.append(im.size)
    return np.array(sizes, np.float64)


def fit_anchors(samples: Sequence[Sample], input_size: int, k: int = 6, seed: int = 0) -> np.ndarray:
    """k-means anchors (1 − IoU) of the boxes as the network sees them after letterboxing."""
    from lprkit.detection.anchors import kmeans_anchors

    sizes = image_sizes(samples)
    wh = []
    for (_, boxes, _), (w, h) in zip(samples, sizes, strict=True):
        scale = input_size / max(w, h)
        wh.append((boxes[:, 2:] - boxes[:, :2]) * scale)
    return kmeans_anchors(np.concatenate(wh), k=k, seed=seed)


def evaluate_detector(detector, samples: Sequence[Sample], score_threshold: float = 0.25) -> dict:
    """mAP@0.5, mAP@0.5:0.95, precision and recall in original pixels."""
    from lprkit.data.folders import load_image
    from lprkit.detection.metrics import evaluate_detections

    preds, gts = [], []
    for start in range(0, len(samples), 8):
        chunk = samples[start : start + 8]
        for dets in detector.detect([load_image(p) for p, _, _ in chunk]):
            preds.append(np.array([[*d.box, d.score, d.class_id] for d in dets], np.float64).reshape(-1, 6))
        gts += [np.concatenate([b, c[:, None]], axis=1) for _, b, c in chunk]
    m = evaluate_detections(preds, gts, score_threshold=score_threshold)
    return {
        "map50": float(m.map50),
        "map50_95": float(m.map50_95),
        "precision": float(m.precision),
        "recall": float(m.recall),
        "images": len(samples),
    }


def train_plate_detector(
    train_folders: Sequence[str | os.PathLike],
    val_folders: Sequence[str | os.PathLike],
    out_dir: str | os.PathLike,
    *,
    input_size: int | None = None,
    epochs: int | None = None,
    max_minutes: float | None = None,
    init_from: str | os.PathLike | None = None,
    batch_size: int = 8,
    learning_rate: float = 2e-3,
    mosaic: float = 0.0,
    max_train_images: int | None = None,
    steps_per_epoch: int | None = None,
    work_dir: str | os.PathLike | None = None,
    seed: int = 0,
    precision: str = "float32",
    overwrite: bool = False,
    verbose: bool = True,
) -> dict:
    """Train YOLOv4-tiny on plates and save it as a detector folder.

    Parameters
    ----------
    train_folders, val_folders
        Annotated folders (frames, YOLO or VOC layout).
    out_dir
        Where the detector folder is written (refused if it exists, unless ``overwrite``).
    input_size
        Network input; by profile: smoke 128, course 320, full 416.
    epochs
        By profile (see :func:`lprkit.detection.train.train_detector`).
    max_minutes
        Training-time budget (validation not counted); the learning rate warms up and decays
        over it. When neither this nor ``epochs`` is given: 10 minutes in the course profile.
    init_from
        Start from this detector's weights and anchors (a shipped name or a folder) instead
        of a fresh model; its input size is used.
    max_train_images
        Use only the first images (by profile when None: smoke 16, else all).
    steps_per_epoch
        Batches per epoch (default: one pass); shorter epochs checkpoint more often.
    work_dir
        Resumable training state (default ``out_dir`` + ``.work``): run again to continue.
    precision
        ``float16`` halves the saved size (shipped checkpoints).

    Returns
    -------
    dict
        The training summary and validation metrics, also stored in the detector folder.
    """
    from lprkit.detection.augment import Augmenter
    from lprkit.detection.train import train_detector, training_dataset
    from lprkit.models.yolov4 import yolov4_tiny

    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise FileExistsError(f"{out_dir} exists; pass overwrite=True to replace it")
    start = None
    if init_from is not None:
        from lprkit.checkpoints import load_detector

        start = load_detector(init_from)
        if input_size and input_size != start.input_size:
            raise InputError(
                f"init_from {init_from!r} has input size {start.input_size}, not {input_size}"
            )
        input_size = start.input_size
    size = input_size or by_profile(smoke=128, course=320, full=416)
    if epochs is None and max_minutes is None:  # the course's laptop budget
        max_minutes = by_profile(smoke=None, course=10, full=None)
    limit = max_train_images or by_profile(smoke=16, course=None, full=None)
    train = load_samples(train_folders)[:limit]
    val = load_samples(val_folders)[: by_profile(smoke=8, course=None, full=None)]
    if len(train) < batch_size:
        raise InputError(f"{len(train)} training images is fewer than one batch of {batch_size}")
    if start is not None:
        anchors = start.spec.anchors  # grouped per head, as the model takes them
    else:
        anchors = fit_anchors(train, size, k=6, seed=seed)
    import keras

    keras.utils.set_random_seed(seed)  # the same weights at the start of every run
    model = yolov4_tiny(size, num_classes=1, anchors=anchors, name="yolov4_tiny_plates")
    if start is not None:
        model.set_weights(
            [w.astype(o.dtype) for w, o in zip(start.model.get_weights(), model.get_weights(), strict=True)]
        )
    spec = model.yolo_spec
    train_ds = training_dataset(
        train, spec, batch_size, augment=Augmenter(size, mosaic=mosaic), seed=seed, drop_remainder=True
    )
    val_ds = training_dataset(val, spec, batch_size, augment=None, shuffle=False)
    work = Path(work_dir) if work_dir else out_dir.with_name(out_dir.name + ".work")
    t0 = time.perf_counter()
    result = train_detector(
        model, train_ds, val_ds, spec=spec, epochs=epochs, max_minutes=max_minutes,
        learning_rate=learning_rate,
        checkpoint_dir=work / "checkpoints", log_dir=work / "logs", verbose=verbose,
        steps_per_epoch=steps_per_epoch or len(train) // batch_size,
    )  # fmt: skip
    minutes = (time.perf_counter() - t0) / 60
    run = {
        "epochs_run": result.epochs_run,
        "best_epoch": result.best_epoch,
        "train_minutes_this_run": round(minutes, 1),
        "max_minutes": max_minutes,
        "init_from": str(init_from) if init_from is not None else None,
        "history": result.history,
    }
    return _save_measured(model, anchors, train, val, out_dir, run, precision, overwrite)


def _save_measured(model, anchors, train, val, out_dir: Path, run: dict, precision: str, overwrite: bool) -> dict:
    """Measure ``model`` on ``val`` and save it with its summary as a detector folder."""
    from lprkit.detection.keras_detector import KerasDetector
    from lprkit.fileio import atomic_write_json

    size = model.yolo_spec.input_size
    detector = KerasDetector(model, size, name="yolov4-tiny-plates")
    summary = {
        "architecture": "yolov4_tiny",
        "input_size": size,
        "anchors": np.round(np.asarray(anchors, float), 1).tolist(),
        "train_images": len(train),
        **run,
        "val": evaluate_detector(detector, val),
    }
    detector.save(out_dir, overwrite=overwrite, precision=precision)
    atomic_write_json(Path(out_dir) / "training.json", summary)
    return summary


def save_best_so_far(
    train_folders: Sequence[str | os.PathLike],
    val_folders: Sequence[str | os.PathLike],
    out_dir: str | os.PathLike,
    work_dir: str | os.PathLike,
    *,
    input_size: int,
    seed: int = 0,
    max_train_images: int | None = None,
    precision: str = "float32",
    overwrite: bool = False,
) -> dict:
    """Save the best weights of a training run that is still going (or was interrupted).

    Use the same folders, ``input_size``, ``seed`` and ``max_train_images`` as the run: the
    anchors are fitted again from the same boxes, which gives the same anchors.
    """
    import json

    from lprkit.models.yolov4 import yolov4_tiny

    ckpt = Path(work_dir) / "checkpoints"
    state = json.loads((ckpt / "state.json").read_text(encoding="utf-8"))
    train = load_samples(train_folders)[:max_train_images]
    val = load_samples(val_folders)
    anchors = fit_anchors(train, input_size, k=6, seed=seed)
    model = yolov4_tiny(input_size, num_classes=1, anchors=anchors, name="yolov4_tiny_plates")
    model.load_weights(ckpt / "best.weights.h5")
    scores = state["history"].get("val_map50", [])
    best_epoch = int(np.argmax(scores)) + 1 if scores else state["epoch"]
    run = {"epochs_run": state["epoch"], "best_epoch": best_epoch, "note": "saved while training was unfinished"}
    return _save_measured(model, anchors, train, val, Path(out_dir), run, precision, overwrite)
