"""Training augmentation for the detector, built on albumentations: mosaic, scale, flip, colour.

Every call takes a ``seed``: the same image, boxes and seed give the same bytes, whatever
thread of a ``tf.data`` pipeline runs it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from lprkit.detection.letterbox import PAD_VALUE
from lprkit.errors import InputError

Sample = tuple[np.ndarray, np.ndarray, np.ndarray]  # RGB uint8 image, (N, 4) boxes, (N,) classes


class Augmenter:
    """Letterbox an image into the network input with random geometry and colour.

    Parameters
    ----------
    input_size
        Side of the square output.
    scale
        Range of the random zoom applied after letterboxing (Darknet's ``jitter``).
    translate
        Largest shift, as a fraction of the input side.
    flip
        Probability of a horizontal flip.
    colour
        Probability of the hue/saturation/value and brightness/contrast jitter.
    mosaic
        Probability of a 2x2 mosaic with the ``extra`` samples passed to :meth:`__call__`.
    min_visibility
        Boxes cut by the border keep at least this fraction of their area, or are dropped.
    """

    def __init__(
        self,
        input_size: int,
        scale: tuple[float, float] = (0.6, 1.4),
        translate: float = 0.15,
        flip: float = 0.5,
        colour: float = 0.8,
        mosaic: float = 0.0,
        min_visibility: float = 0.4,
    ) -> None:
        import albumentations as A
        import cv2

        self.input_size = int(input_size)
        self.mosaic = float(mosaic)
        s = self.input_size
        steps = []
        if mosaic > 0:
            steps.append(
                A.Mosaic(
                    grid_yx=(2, 2),
                    target_size=(s, s),
                    cell_shape=(s, s),
                    fit_mode="contain",
                    fill=PAD_VALUE,
                    p=mosaic,
                )
            )
        steps += [
            A.LongestMaxSize(max_size=s),
            A.PadIfNeeded(s, s, position="center", border_mode=cv2.BORDER_CONSTANT, fill=PAD_VALUE),
            A.Affine(
                scale=scale,
                translate_percent=(-translate, translate),
                keep_ratio=True,
                border_mode=cv2.BORDER_CONSTANT,
                fill=PAD_VALUE,
                p=1.0,
            ),
            A.HorizontalFlip(p=flip),
            A.HueSaturationValue(
                hue_shift_limit=10, sat_shift_limit=40, val_shift_limit=30, p=colour
            ),
            A.RandomBrightnessContrast(p=colour * 0.6),
        ]
        bbox = A.BboxParams(
            format="pascal_voc",
            label_fields=["class_labels"],
            min_visibility=min_visibility,
            clip=True,
            filter_invalid_bboxes=True,
        )
        self._compose = A.Compose(steps, bbox_params=bbox, seed=0)
        self._lock = threading.Lock()  # albumentations keeps its generator on the Compose

    def __call__(
        self,
        image: np.ndarray,
        boxes: np.ndarray,
        classes: np.ndarray,
        seed: int,
        extra: Sequence[Sample] = (),
    ) -> Sample:
        """Augment one sample (and, for mosaic, up to three ``extra`` ones).

        Returns
        -------
        image, boxes, classes
            ``(S, S, 3)`` uint8, ``(N, 4)`` float32 input-pixel boxes, ``(N,)`` int64.
        """
        image = np.ascontiguousarray(image)
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InputError(
                f"expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}"
            )
        boxes, classes = _clean(image, boxes, classes)
        data = {"image": image, "bboxes": boxes, "class_labels": classes}
        if self.mosaic > 0:
            data["mosaic_metadata"] = [
                {"image": np.ascontiguousarray(im), "bboxes": b, "class_labels": c}
                for im, b, c in ((im, *_clean(im, b, c)) for im, b, c in extra)
            ]
        with self._lock:
            self._compose.set_random_seed(int(seed) % (2**32))
            out = self._compose(**data)
        b = np.asarray(out["bboxes"], dtype=np.float32).reshape(-1, 4)
        c = np.asarray(out["class_labels"], dtype=np.int64).reshape(-1)
        return out["image"], b, c


def _clean(image: np.ndarray, boxes, classes) -> tuple[np.ndarray, np.ndarray]:
    """Clip boxes to the image and drop empty ones (albumentations rejects them)."""
    h, w = image.shape[:2]
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    classes = np.asarray(classes, dtype=np.int64).reshape(-1)
    if len(boxes) != len(classes):
        raise InputError(f"{len(boxes)} boxes but {len(classes)} class ids")
    boxes = np.clip(boxes, 0, np.array([w, h, w, h], dtype=np.float32))
    keep = (boxes[:, 2] - boxes[:, 0] >= 1) & (boxes[:, 3] - boxes[:, 1] >= 1)
    return boxes[keep], classes[keep]
