"""How far a converted model is from its Keras original, on a fixed validation set.

For every converted file the course reports one :class:`ParityRow`:

* ``max_abs_diff`` / ``mean_abs_diff`` of the raw outputs (softmax probabilities for the
  recognisers, YOLO head tensors for the detectors) on the same preprocessed inputs;
* recognisers: ``agreement`` = share of crops whose decoded text is the Keras text, and the
  exact-match accuracy of both models against the labels;
* detectors: ``agreement`` = mAP@0.5 of the TFLite detections scored against the Keras
  detections (1.0 when they find the same boxes), ``mean_iou`` of each Keras box with its best
  TFLite box, and mAP@0.5 of both against the ground truth.

The validation sets are synthetic and seeded (:func:`synthetic_crops`,
:func:`synthetic_scenes`), the same every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from lprkit.detection.metrics import evaluate_detections
from lprkit.detection.postprocess import box_iou
from lprkit.errors import InputError
from lprkit.recognition.metrics import exact_accuracy


def synthetic_crops(
    n: int,
    size: tuple[int, int],
    styles: str = "korean",
    seed: int = 0,
    two_line_top: str | None = None,
) -> tuple[list[np.ndarray], list[str]]:
    """``n`` synthetic RGB uint8 plate crops of ``size = (w, h)`` and their texts.

    For calibration and parity sets (:func:`lprkit.synth.dataset.generate_crops`). Two-line
    plates are strips of layout ``two_line_top`` (default: new data's): pass the recogniser's
    (``recognizer.two_line_top``) so that it reads what it was trained on.
    """
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.twoline import TOP_LAYOUT

    images, texts, _ = generate_crops(
        n, styles, size=tuple(size), seed=seed, two_line_top=two_line_top or TOP_LAYOUT
    )
    return list(images), list(texts)


def synthetic_scenes(
    n: int, styles: str = "korean", seed: int = 0, mode: str = "parking"
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``n`` synthetic scenes (:func:`lprkit.synth.scenes.compose_scene`) and their plate boxes.

    Returns
    -------
    images, boxes
        RGB uint8 scenes, and per scene an ``(M, 4)`` float32 array of plate boxes
        ``x1, y1, x2, y2`` in scene pixels.
    """
    from lprkit.config import make_rng
    from lprkit.synth.scenes import compose_scene

    rng = make_rng(seed)
    images, boxes = [], []
    for _ in range(n):
        scene = compose_scene(mode, rng, styles=styles)
        images.append(scene.image)
        boxes.append(np.array([p.box for p in scene.plates], np.float32).reshape(-1, 4))
    return images, boxes


def letterboxed_inputs(images, input_size: int) -> np.ndarray:
    """Detector input batch: each image letterboxed to ``input_size`` and scaled to [0, 1]."""
    from lprkit.detection.letterbox import letterbox

    if not len(images):
        return np.zeros((0, input_size, input_size, 3), np.float32)
    return np.stack([letterbox(im, input_size)[0] for im in images]).astype(np.float32) / 255.0


@dataclass
class ParityRow:
    """Agreement of one converted model with its Keras original (see the module notes)."""

    model: str
    precision: str
    n: int
    max_abs_diff: float
    mean_abs_diff: float
    agreement: float
    size_bytes: int | None = None
    keras_accuracy: float | None = None
    accuracy: float | None = None
    mean_iou: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def output_diff(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> tuple[float, float]:
    """Max and mean absolute difference over matching arrays of two output lists."""
    if len(a) != len(b):
        raise InputError(f"{len(a)} outputs against {len(b)}")
    diffs = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        if x.shape != y.shape:
            raise InputError(f"output {i}: shapes {x.shape} and {y.shape} differ")
        diffs.append(np.abs(x - y).ravel())
    d = np.concatenate(diffs) if diffs else np.zeros(1)
    return (float(d.max()), float(d.mean())) if d.size else (0.0, 0.0)


def _precision_of(model) -> str:
    p, runtime = getattr(model, "precision", None), getattr(model, "runtime", None)
    meta = runtime.metadata if runtime is not None else {}
    if p == "int8" and meta.get("int8_mode"):
        return f"int8-{meta['int8_mode']}"
    return p or "?"


def recognizer_parity(
    keras_recognizer,
    tflite_recognizer,
    crops: Sequence[np.ndarray],
    labels: Sequence[str] | None = None,
) -> ParityRow:
    """Compare a TFLite recogniser with its Keras original on the same crops.

    Parameters
    ----------
    keras_recognizer, tflite_recognizer
        Objects with ``predict_proba(crops)``, ``read(crops)`` and ``alphabet``
        (:class:`~lprkit.recognition.keras_recognizer.KerasRecognizer`,
        :class:`~lprkit.edge.recognizer.TFLiteRecognizer`).
    crops
        RGB uint8 crops.
    labels
        Plate texts, for the accuracy of both models.
    """
    if labels is not None and len(labels) != len(crops):
        raise InputError(f"{len(labels)} labels for {len(crops)} crops")
    ref = keras_recognizer.predict_proba(crops)
    got = tflite_recognizer.predict_proba(crops)
    max_d, mean_d = output_diff([ref], [got])
    alphabet = keras_recognizer.alphabet
    ref_text = [r.text for r in keras_recognizer.read(crops)]
    got_text = [r.text for r in tflite_recognizer.read(crops)]
    runtime = getattr(tflite_recognizer, "runtime", None)
    return ParityRow(
        model=tflite_recognizer.name,
        precision=_precision_of(tflite_recognizer),
        n=len(crops),
        max_abs_diff=max_d,
        mean_abs_diff=mean_d,
        agreement=exact_accuracy(ref_text, got_text, alphabet) if crops else 1.0,
        size_bytes=getattr(runtime, "size_bytes", None),
        keras_accuracy=None if labels is None else exact_accuracy(labels, ref_text, alphabet),
        accuracy=None if labels is None else exact_accuracy(labels, got_text, alphabet),
    )


def _mean_best_iou(ref: Sequence[np.ndarray], got: Sequence[np.ndarray]) -> float | None:
    best = []
    for r, g in zip(ref, got, strict=True):
        if len(r):
            iou = box_iou(r[:, :4], g[:, :4]) if len(g) else np.zeros((len(r), 1))
            best.extend(iou.max(axis=1))
    return float(np.mean(best)) if best else None


def detector_parity(
    keras_detector,
    tflite_detector,
    images: Sequence[np.ndarray],
    ground_truth: Sequence[np.ndarray] | None = None,
) -> ParityRow:
    """Compare a TFLite detector with its Keras original on the same images.

    Parameters
    ----------
    keras_detector, tflite_detector
        :class:`~lprkit.detection.keras_detector.KerasDetector` and
        :class:`~lprkit.edge.detector.TFLiteDetector` (same spec and input size).
    images
        RGB uint8 images of any size.
    ground_truth
        Per image, ``(M, 4)`` boxes (class 0) or ``(M, 5)`` with classes, in image pixels.
    """
    if ground_truth is not None and len(ground_truth) != len(images):
        raise InputError(f"{len(ground_truth)} ground-truth lists for {len(images)} images")
    size = keras_detector.input_size
    if tflite_detector.input_size != size:
        raise InputError(f"input sizes differ: Keras {size}, TFLite {tflite_detector.input_size}")
    x = letterboxed_inputs(images, size)
    max_d = mean_d = 0.0
    total = 0
    for i in range(len(x)):  # one at a time: YOLOv4 at 416 is heavy
        ref = keras_detector.model(x[i : i + 1], training=False)
        ref = [np.asarray(r) for r in (ref if isinstance(ref, (list, tuple)) else [ref])]
        mx, mn = output_diff(ref, tflite_detector.raw_outputs(x[i : i + 1]))
        count = sum(r.size for r in ref)
        max_d, mean_d, total = max(max_d, mx), mean_d + mn * count, total + count
    ref_det = keras_detector.predict_arrays(list(images))
    got_det = tflite_detector.predict_arrays(list(images))
    threshold = keras_detector.score_threshold
    num_classes = keras_detector.spec.num_classes
    # Keras detections above the threshold as ground truth: 1.0 = the same boxes found
    ref_gt = [r[r[:, 4] >= threshold][:, [0, 1, 2, 3, 5]] for r in ref_det]
    agree = evaluate_detections(got_det, ref_gt, num_classes, threshold).map50
    keras_map = tflite_map = None
    if ground_truth is not None:
        keras_map = evaluate_detections(ref_det, ground_truth, num_classes, threshold).map50
        tflite_map = evaluate_detections(got_det, ground_truth, num_classes, threshold).map50
    return ParityRow(
        model=tflite_detector.name,
        precision=_precision_of(tflite_detector),
        n=len(images),
        max_abs_diff=max_d,
        mean_abs_diff=mean_d / total if total else 0.0,
        agreement=agree if any(len(g) for g in ref_gt) else 1.0,
        size_bytes=tflite_detector.runtime.size_bytes,
        keras_accuracy=keras_map,
        accuracy=tflite_map,
        mean_iou=_mean_best_iou(ref_gt, got_det),
    )


def parity_table(rows: Sequence[ParityRow]) -> str:
    """A fixed-width text table of parity rows (accuracy = exact match or mAP@0.5)."""
    head = ("model", "precision", "MB", "n", "max|d|", "mean|d|", "agree", "keras acc",
            "tflite acc", "IoU")

    def fmt(v, spec):
        return "-" if v is None else format(v, spec)

    lines = [head]
    for r in rows:
        mb = None if r.size_bytes is None else r.size_bytes / 1e6
        lines.append((
            r.model, r.precision, fmt(mb, ".2f"), str(r.n), fmt(r.max_abs_diff, ".2e"),
            fmt(r.mean_abs_diff, ".2e"), fmt(r.agreement, ".3f"), fmt(r.keras_accuracy, ".3f"),
            fmt(r.accuracy, ".3f"), fmt(r.mean_iou, ".3f"),
        ))
    widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        for row in lines
    )
