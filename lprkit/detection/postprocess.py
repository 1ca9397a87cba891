"""From raw YOLO head outputs to boxes in original pixels: decode, filter, NMS (NumPy only).

This module imports neither TensorFlow nor OpenCV, so the edge runtime (LiteRT + NumPy) reuses it.

A YOLO head is a ``(B, H, W, A * (5 + C))`` tensor: for each cell and each of its ``A`` anchors
``(tx, ty, tw, th, to, tc_1..tc_C)``. Darknet decodes them as::

    x = (sigmoid(tx) * s - (s - 1) / 2 + cell_x) * stride        # s = scale_x_y
    w = exp(tw) * anchor_w
    score_c = sigmoid(to) * sigmoid(tc_c)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lprkit.detection.letterbox import Letterbox, from_letterbox
from lprkit.errors import InputError

#: Largest ``tw``/``th`` decoded (exp(10) ~ 22 000 x the anchor): keeps untrained nets finite.
MAX_LOG_SCALE = 10.0


@dataclass(frozen=True)
class YoloSpec:
    """What a decoder needs to know about a YOLO model's heads, in the order the model returns them.

    Attributes
    ----------
    input_size
        Side of the square network input in pixels.
    num_classes
        Number of classes ``C``.
    anchors
        Per head, the ``(w, h)`` anchor sizes in network-input pixels.
    strides
        Per head, input pixels per grid cell (8, 16, 32).
    scale_xy
        Per head, Darknet's ``scale_x_y`` (1.0 = plain YOLOv3 decoding).
    """

    input_size: int
    num_classes: int
    anchors: tuple[tuple[tuple[float, float], ...], ...]
    strides: tuple[int, ...]
    scale_xy: tuple[float, ...]

    def __post_init__(self) -> None:
        n = len(self.anchors)
        if not n or len(self.strides) != n or len(self.scale_xy) != n:
            raise InputError(
                f"YoloSpec needs one anchor set, stride and scale_xy per head; got "
                f"{len(self.anchors)} anchor sets, {len(self.strides)} strides, "
                f"{len(self.scale_xy)} scale_xy"
            )

    @property
    def num_heads(self) -> int:
        return len(self.anchors)

    def head_anchors(self, head: int) -> np.ndarray:
        """Anchors of one head as a float32 ``(A, 2)`` array."""
        return np.asarray(self.anchors[head], dtype=np.float32).reshape(-1, 2)

    def all_anchors(self) -> np.ndarray:
        """Anchors of every head stacked into a ``(sum A, 2)`` array."""
        return np.concatenate([self.head_anchors(h) for h in range(self.num_heads)])

    def grid_sizes(self) -> list[int]:
        return [self.input_size // s for s in self.strides]

    def to_dict(self) -> dict:
        return {
            "input_size": self.input_size,
            "num_classes": self.num_classes,
            "anchors": [[list(map(float, a)) for a in head] for head in self.anchors],
            "strides": list(self.strides),
            "scale_xy": list(self.scale_xy),
        }

    @classmethod
    def from_dict(cls, data: dict) -> YoloSpec:
        try:
            return cls(
                input_size=int(data["input_size"]),
                num_classes=int(data["num_classes"]),
                anchors=tuple(
                    tuple((float(w), float(h)) for w, h in head) for head in data["anchors"]
                ),
                strides=tuple(int(s) for s in data["strides"]),
                scale_xy=tuple(float(s) for s in data["scale_xy"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(
                f"not a YOLO spec ({err}); expected keys input_size, num_classes, anchors, "
                "strides, scale_xy"
            ) from err


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)  # overflow-free form of 1 / (1 + exp(-x))


def decode_outputs(
    outputs: Sequence[np.ndarray], spec: YoloSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decode raw head outputs into boxes and probabilities.

    Parameters
    ----------
    outputs
        One ``(B, H, W, A * (5 + C))`` array per head, in ``spec`` order.
    spec
        The heads' anchors, strides and ``scale_x_y``.

    Returns
    -------
    boxes, objectness, class_probs
        ``(B, N, 4)`` pixel ``(x1, y1, x2, y2)`` in network-input coordinates, ``(B, N)`` and
        ``(B, N, C)``, with ``N`` the number of anchors over all cells of all heads.
    """
    if len(outputs) != spec.num_heads:
        raise InputError(f"got {len(outputs)} head outputs, the spec describes {spec.num_heads}")
    all_boxes, all_obj, all_cls = [], [], []
    for head, raw in enumerate(outputs):
        raw = np.asarray(raw, dtype=np.float32)
        anchors = spec.head_anchors(head)
        n_anchors = len(anchors)
        b, h, w, depth = raw.shape
        if depth != n_anchors * (5 + spec.num_classes):
            raise InputError(
                f"head {head} has {depth} channels; expected {n_anchors} anchors x "
                f"(5 + {spec.num_classes} classes) = {n_anchors * (5 + spec.num_classes)}"
            )
        t = raw.reshape(b, h, w, n_anchors, 5 + spec.num_classes)
        gy, gx = np.meshgrid(
            np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32), indexing="ij"
        )
        grid = np.stack([gx, gy], axis=-1)[None, :, :, None, :]
        s = spec.scale_xy[head]
        centre = (_sigmoid(t[..., 0:2]) * s - (s - 1.0) / 2.0 + grid) * spec.strides[head]
        size = np.exp(np.minimum(t[..., 2:4], MAX_LOG_SCALE)) * anchors
        boxes = np.concatenate([centre - size / 2.0, centre + size / 2.0], axis=-1)
        all_boxes.append(boxes.reshape(b, -1, 4))
        all_obj.append(_sigmoid(t[..., 4]).reshape(b, -1))
        all_cls.append(_sigmoid(t[..., 5:]).reshape(b, -1, spec.num_classes))
    return (
        np.concatenate(all_boxes, axis=1),
        np.concatenate(all_obj, axis=1),
        np.concatenate(all_cls, axis=1),
    )


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (N, 4) with every box in ``b`` (M, 4), as an (N, M) array."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    tl = np.maximum(a[:, None, :2], b[None, :, :2])
    br = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.prod(np.clip(br - tl, 0.0, None), axis=-1)
    area_a = np.prod(np.clip(a[:, 2:] - a[:, :2], 0.0, None), axis=-1)
    area_b = np.prod(np.clip(b[:, 2:] - b[:, :2], 0.0, None), axis=-1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def nms(
    boxes: np.ndarray,
    scores: np.ndarray,
    iou_threshold: float = 0.45,
    classes: np.ndarray | None = None,
    max_detections: int | None = None,
) -> np.ndarray:
    """Greedy non-maximum suppression; per class when ``classes`` is given.

    Boxes of different classes never suppress each other: each class is shifted by an offset
    larger than any coordinate, so one pass handles all classes.

    Returns
    -------
    numpy.ndarray
        Indices of the kept boxes, highest score first.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(boxes) != len(scores):
        raise InputError(f"{len(boxes)} boxes but {len(scores)} scores")
    if classes is not None and len(boxes):
        offset = np.abs(boxes).max() * 2.0 + 1.0
        boxes = boxes + (np.asarray(classes, dtype=np.float64) * offset)[:, None]
    order = np.argsort(-scores, kind="stable")
    area = np.prod(np.clip(boxes[:, 2:] - boxes[:, :2], 0.0, None), axis=1)
    keep: list[int] = []
    while order.size and (max_detections is None or len(keep) < max_detections):
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        tl = np.maximum(boxes[i, :2], boxes[rest, :2])
        br = np.minimum(boxes[i, 2:], boxes[rest, 2:])
        inter = np.prod(np.clip(br - tl, 0.0, None), axis=1)
        union = area[i] + area[rest] - inter
        iou = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)
        order = rest[iou <= iou_threshold]
    return np.asarray(keep, dtype=np.int64)


def postprocess(
    outputs: Sequence[np.ndarray],
    spec: YoloSpec,
    score_threshold: float = 0.25,
    iou_threshold: float = 0.45,
    max_detections: int = 100,
    letterboxes: Sequence[Letterbox] | None = None,
) -> list[np.ndarray]:
    """Decode heads, keep scores above a threshold, run per-class NMS, undo the letterbox.

    Parameters
    ----------
    outputs
        Raw head outputs of a batch, in ``spec`` order.
    spec
        The model's :class:`YoloSpec`.
    score_threshold
        Minimum ``objectness x class probability``.
    iou_threshold
        Boxes of one class overlapping a better one by more than this are dropped.
    max_detections
        At most this many boxes per image.
    letterboxes
        One :class:`~lprkit.detection.letterbox.Letterbox` per image to map boxes back to the
        original pixels (and clip them to the image); ``None`` keeps network-input pixels.

    Returns
    -------
    list of numpy.ndarray
        Per image a float32 ``(N, 6)`` array ``x1, y1, x2, y2, score, class_id``, best first.
    """
    boxes, obj, cls = decode_outputs(outputs, spec)
    if letterboxes is not None and len(letterboxes) != len(boxes):
        raise InputError(f"{len(letterboxes)} letterboxes for a batch of {len(boxes)} images")
    scores = obj[..., None] * cls
    results = []
    for i in range(len(boxes)):
        idx, class_ids = np.nonzero(scores[i] >= score_threshold)
        b, s = boxes[i][idx], scores[i][idx, class_ids]
        keep = nms(b, s, iou_threshold, classes=class_ids, max_detections=max_detections)
        b, s, c = b[keep], s[keep], class_ids[keep]
        if letterboxes is not None:
            b = from_letterbox(b, letterboxes[i])
        results.append(np.concatenate([b, s[:, None], c[:, None]], axis=1).astype(np.float32))
    return results
