"""A trained Keras YOLO model as a :class:`~lprkit.detection.base.Detector`, with save/load.

A saved detector is a folder holding ``model.keras`` and ``detector.json`` (input size,
anchors, strides, ``scale_x_y``, class names, thresholds).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.detection.base import Detection, detections_from_rows
from lprkit.detection.letterbox import letterbox
from lprkit.detection.postprocess import YoloSpec, postprocess
from lprkit.errors import InputError

META_FILE = "detector.json"


class KerasDetector:
    """Detect objects with a YOLO Keras model: letterbox, forward in batches, decode, NMS.

    Parameters
    ----------
    model
        A model from :mod:`lprkit.models.yolov4` or :func:`lprkit.models.darknet.model_from_cfg`.
    input_size
        Side of the square input; must match the model.
    class_names
        One name per class (``("plate",)`` for the course detectors).
    score_threshold
        Minimum ``objectness x class probability`` of a detection.
    iou_threshold
        Per-class NMS overlap threshold.
    spec
        Anchors/strides; default ``model.yolo_spec``.
    batch_size
        Images per forward pass in :meth:`detect`.
    name
        Name reported to callers (e.g. in ``lprkit evaluate frames`` JSON).
    """

    def __init__(
        self,
        model,
        input_size: int,
        class_names: Sequence[str] = ("plate",),
        score_threshold: float = 0.25,
        iou_threshold: float = 0.45,
        spec: YoloSpec | None = None,
        batch_size: int = 8,
        name: str | None = None,
    ) -> None:
        spec = spec or getattr(model, "yolo_spec", None)
        if spec is None:
            raise InputError("this model has no yolo_spec attribute: pass spec=")
        if spec.input_size != input_size or tuple(model.input_shape[1:3]) != (
            input_size,
            input_size,
        ):
            raise InputError(
                f"input_size={input_size} does not match the model input {model.input_shape[1:3]} "
                f"/ spec input {spec.input_size}"
            )
        if len(class_names) != spec.num_classes:
            raise InputError(
                f"{len(class_names)} class names for a model with {spec.num_classes} classes"
            )
        self.model = model
        self.input_size = int(input_size)
        self.class_names = tuple(class_names)
        self.score_threshold = float(score_threshold)
        self.iou_threshold = float(iou_threshold)
        self.spec = spec
        self.batch_size = int(batch_size)
        self.name = name or model.name
        self._forward = None

    def predict_arrays(self, images: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Detections per image as ``(N, 6)`` arrays ``x1, y1, x2, y2, score, class`` (original pixels)."""
        import tensorflow as tf

        if self._forward is None:
            self._forward = tf.function(
                lambda x: self.model(x, training=False), reduce_retracing=True
            )
        results: list[np.ndarray] = []
        for start in range(0, len(images), self.batch_size):
            chunk = images[start : start + self.batch_size]
            boxed = [letterbox(np.asarray(im), self.input_size) for im in chunk]
            x = np.stack([b[0] for b in boxed]).astype(np.float32) / 255.0
            out = self._forward(tf.constant(x))
            out = [o.numpy() for o in (out if isinstance(out, list | tuple) else [out])]
            results += postprocess(
                out,
                self.spec,
                self.score_threshold,
                self.iou_threshold,
                letterboxes=[b[1] for b in boxed],
            )
        return results

    def detect(self, images: Sequence[np.ndarray]) -> list[list[Detection]]:
        """Find objects in RGB uint8 images; one list of :class:`Detection` per image, best first."""
        return [detections_from_rows(rows) for rows in self.predict_arrays(images)]

    def save(self, folder: str | os.PathLike, overwrite: bool = False, precision: str = "float32") -> Path:
        """Write the model and ``detector.json`` into ``folder`` (atomically).

        ``precision="float16"`` stores half-size weights (for checkpoints kept in git); see
        :mod:`lprkit.models.files`.

        Raises
        ------
        FileExistsError
            If ``folder`` exists and ``overwrite`` is false.
        """
        from lprkit.fileio import write_folder_atomically
        from lprkit.models.files import save_model_files

        def fill(tmp: Path) -> None:
            files = save_model_files(self.model, tmp, precision, custom_objects())
            meta = {
                "format": "lprkit-yolo-detector/1",
                "name": self.name,
                "class_names": list(self.class_names),
                "score_threshold": self.score_threshold,
                "iou_threshold": self.iou_threshold,
                "precision": precision,
                "files": files,
                **self.spec.to_dict(),
            }
            (tmp / META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")

        return write_folder_atomically(folder, fill, overwrite)

    @classmethod
    def load(cls, folder: str | os.PathLike, **overrides) -> KerasDetector:
        """Load a detector saved by :meth:`save`; keyword arguments override saved thresholds."""
        from lprkit.models.files import load_model_files

        folder = Path(folder)
        meta_path = folder / META_FILE
        if not meta_path.is_file():
            raise FileNotFoundError(f"{meta_path} not found: not a detector saved by KerasDetector.save")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        spec = YoloSpec.from_dict(meta)
        model = load_model_files(folder, custom_objects())
        model.yolo_spec = spec
        kwargs = {
            "class_names": meta.get("class_names", [f"class_{i}" for i in range(spec.num_classes)]),
            "score_threshold": meta.get("score_threshold", 0.25),
            "iou_threshold": meta.get("iou_threshold", 0.45),
            "name": meta.get("name"),
            **overrides,
        }
        return cls(model, spec.input_size, spec=spec, **kwargs)


def custom_objects() -> dict:
    import lprkit.models.layers as layers  # registers the custom layers

    return {"ChannelGroup": layers.ChannelGroup}
