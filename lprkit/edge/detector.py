"""A YOLO detector run by LiteRT (``.tflite``) or ONNX Runtime (``.onnx``), without TensorFlow.

Same steps as :class:`lprkit.detection.keras_detector.KerasDetector`, from the same modules:
:func:`~lprkit.detection.letterbox.letterbox` into the square input, ``/ 255``, the model,
then :func:`~lprkit.detection.postprocess.postprocess` (decode, threshold, NMS, undo the
letterbox). The anchors, strides and class names come from the file's metadata
(:class:`~lprkit.detection.postprocess.YoloSpec`) or from arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.detection.base import Detection, detections_from_rows
from lprkit.detection.letterbox import letterbox
from lprkit.detection.postprocess import YoloSpec, postprocess
from lprkit.edge.backends import open_model
from lprkit.errors import InputError, LprkitError


class EdgeDetector:
    """Find plates with an exported YOLO model (a :class:`~lprkit.detection.base.Detector`).

    Parameters
    ----------
    model
        Path to a ``.tflite`` (LiteRT) or ``.onnx`` (ONNX Runtime) file, its bytes, or an
        opened :class:`~lprkit.edge.runtime.LiteRTModel` /
        :class:`~lprkit.edge.onnx_runtime.OnnxRuntimeModel`.
    spec
        Anchors/strides of the heads; default from the file's metadata.
    class_names
        One name per class; default from metadata, else ``class_0`` ...
    score_threshold, iou_threshold
        Detection threshold and per-class NMS overlap; default from metadata, else 0.25/0.45.
    max_detections
        At most this many boxes per image.
    num_threads
        CPU threads of the runtime.
    providers
        ONNX Runtime execution providers (``.onnx`` only), e.g. ``"CUDAExecutionProvider,CPUExecutionProvider"``.
    name
        Name reported to callers; default from metadata, else the file name.
    """

    def __init__(
        self,
        model: str | Path | bytes,
        spec: YoloSpec | None = None,
        class_names: Sequence[str] | None = None,
        score_threshold: float | None = None,
        iou_threshold: float | None = None,
        max_detections: int = 100,
        num_threads: int = 1,
        name: str | None = None,
        providers=None,
    ) -> None:
        self.runtime = open_model(model, num_threads=num_threads, providers=providers)
        meta = self.runtime.metadata
        if meta.get("kind", "detector") != "detector":
            raise LprkitError(f"{self.runtime.source} holds a {meta['kind']}, not a detector")
        if spec is None:
            if "yolo_spec" not in meta:
                raise LprkitError(
                    f"{self.runtime.source} carries no YOLO spec; pass spec= (anchors, strides)"
                )
            spec = YoloSpec.from_dict(meta["yolo_spec"])
        self.spec = spec
        shape = self.runtime.input_shape
        if len(shape) != 4 or shape[1:] != (spec.input_size, spec.input_size, 3):
            raise LprkitError(
                f"{self.runtime.source}: input {shape} does not match a {spec.input_size}x"
                f"{spec.input_size} RGB YOLO input"
            )
        self._order = self._head_order()
        names = (
            class_names
            or meta.get("class_names")
            or [f"class_{i}" for i in range(spec.num_classes)]
        )
        if len(names) != spec.num_classes:
            raise InputError(
                f"{len(names)} class names for a model with {spec.num_classes} classes"
            )
        self.class_names = tuple(names)
        self.input_size = spec.input_size
        self.score_threshold = float(
            meta.get("score_threshold", 0.25) if score_threshold is None else score_threshold
        )
        self.iou_threshold = float(
            meta.get("iou_threshold", 0.45) if iou_threshold is None else iou_threshold
        )
        self.max_detections = int(max_detections)
        source = Path(self.runtime.source).stem if self.runtime.source != "<bytes>" else "edge"
        self.name = name or meta.get("name") or source
        self.precision = meta.get("precision")

    def _head_order(self) -> list[int]:
        """Index of the file output holding each head of the spec (matched by grid size)."""
        grids = self.spec.grid_sizes()
        outs = [o.shape for o in self.runtime.outputs]
        order = []
        for head, g in enumerate(grids):
            depth = len(self.spec.anchors[head]) * (5 + self.spec.num_classes)
            match = [i for i, s in enumerate(outs) if s[1:] == (g, g, depth) and i not in order]
            if not match:
                raise LprkitError(
                    f"{self.runtime.source}: no output of shape (1, {g}, {g}, {depth}) for head "
                    f"{head} of the spec; outputs are {outs}"
                )
            order.append(match[0])
        return order

    @property
    def num_threads(self) -> int:
        return self.runtime.num_threads

    def raw_outputs(self, batch: np.ndarray) -> list[np.ndarray]:
        """Head outputs for a float32 ``(n, size, size, 3)`` batch in [0, 1], in spec order."""
        outs = self.runtime(batch)
        return [outs[i] for i in self._order]

    def predict_arrays(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Detections per image as ``(N, 6)`` arrays ``x1, y1, x2, y2, score, class`` (original pixels)."""
        if isinstance(images, np.ndarray) and images.ndim == 3:
            raise InputError(
                f"detect takes a list of images; got one array of shape {images.shape} "
                "(wrap it in a list)"
            )
        results: list[np.ndarray] = []
        for image in images:
            boxed, geo = letterbox(np.asarray(image), self.input_size)
            x = boxed[None].astype(np.float32) / 255.0
            results += postprocess(
                self.raw_outputs(x),
                self.spec,
                self.score_threshold,
                self.iou_threshold,
                self.max_detections,
                letterboxes=[geo],
            )
        return results

    def detect(self, images: Sequence[np.ndarray]) -> list[list[Detection]]:
        """Find objects in RGB uint8 images; one list of :class:`Detection` per image, best first."""
        return [detections_from_rows(rows) for rows in self.predict_arrays(images)]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.name!r}, input_size={self.input_size}, "
            f"classes={self.class_names}, precision={self.precision!r}, "
            f"num_threads={self.num_threads})"
        )


#: The earlier name, kept: an :class:`EdgeDetector` runs ``.tflite`` and ``.onnx`` files.
TFLiteDetector = EdgeDetector
