"""The whole reader: frame → plate boxes → crops → text (+ colour), for any backend.

:class:`Pipeline` works with anything that follows the :class:`~lprkit.detection.base.Detector`
and :class:`~lprkit.recognition.base.Recognizer` protocols (Keras models, TFLite models through
:mod:`lprkit.edge`, Tesseract), and imports only NumPy and OpenCV, so the edge runtime uses
this same code on a device without TensorFlow.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.detection.base import Detection, Detector
from lprkit.detection.tiling import TiledDetector
from lprkit.errors import InputError
from lprkit.recognition.base import PlateRead, Recognizer
from lprkit.recognition.preprocess import check_crop
from lprkit.rectify import crop_box, rectify_corners

# Readings less confident than this are reported as unread (calibrated on the development
# sets by benchmarks/bench_real_photos.py --calibrate; see the detector's model card). With the
# detector at score 0.6 and tile score 0.75, 0.4 keeps the false plates per plate-free photo of
# 0.5 (0.015) and reads more plates (EU recall 0.944 -> 0.972, small-plate proxy 0.898 -> 0.935).
MIN_READ_CONFIDENCE = 0.4
# Frames larger than 1.5 tiles are also searched in overlapping tiles of this side, so that
# small plates reach the detector large enough (lprkit.detection.tiling; measured by
# benchmarks/bench_real_photos.py).
DEFAULT_TILE = 640
# Boxes found only in tiles need this score (None: the detector's own threshold). A tile
# magnifies texture, where false boxes come from: on the development sets 0.75 (detector at
# 0.6) took boxes per plate-free photo from 0.369 to 0.305 at the same detection recall
# (benchmarks/bench_real_photos.py --tile-score; the detector's card).
DEFAULT_TILE_SCORE: float | None = 0.75


@dataclass(frozen=True)
class PlateResult:
    """One plate found and read in a frame.

    Attributes
    ----------
    box
        ``(x1, y1, x2, y2)`` in frame pixels.
    detection_score
        The detector's confidence.
    text, confidence, char_confidences
        The recogniser's reading (see :class:`~lprkit.recognition.base.PlateRead`).
    colour
        Plate background colour class (``white``, ``yellow``, ``green``, ``blue`` = EV,
        ``other``), or ``None`` when colour classification is off.
    unread
        True when the reading was not believable (its confidence is under the pipeline's
        ``min_read_confidence``, or it is empty): something plate-like was found but no
        plate is reported, and ``text`` is empty.
    crop
        The crop the recogniser read (not compared, not serialised).
    """

    box: tuple[float, float, float, float]
    detection_score: float
    text: str
    confidence: float
    char_confidences: tuple[float, ...] = ()
    colour: str | None = None
    unread: bool = False
    crop: np.ndarray | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict:
        """JSON-ready fields (no crop); box rounded to 0.1 px."""
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "box": [round(float(v), 1) for v in self.box],
            "detection_score": round(float(self.detection_score), 4),
            "colour": self.colour,
            "unread": self.unread,
        }


def plates_only(results: Sequence[PlateResult]) -> list[PlateResult]:
    """The results reported as plates (believable reads), without the unread detections."""
    return [r for r in results if not r.unread]


class Pipeline:
    """Detector + recogniser (+ plate colour) over images.

    Parameters
    ----------
    detector, recognizer
        Any objects following the Detector / Recognizer protocols.
    margin
        Crop margin around each box, as a fraction of the box size (detector boxes are tight;
        recognisers were trained on crops with some border).
    classify_colour
        Also classify the plate colour (EV plates are blue).
    min_detection_score
        Drop detections below this score (the detector's own threshold applies first).
    min_read_confidence
        A reading less confident than this is reported as unread (``unread=True``, empty
        text), not as a plate: on plate-free photos the detector's false boxes are read with
        low confidence. Default :data:`MIN_READ_CONFIDENCE`, calibrated on the development
        sets (``benchmarks/bench_real_photos.py --calibrate``); 0 reports every reading.
    tile
        Wrap the detector in a :class:`~lprkit.detection.tiling.TiledDetector` with tiles of
        this side (default :data:`DEFAULT_TILE`), so small plates in large frames are found;
        0 runs the detector on whole frames only, as does a detector that already tiles.
    tile_score
        Least score of a box found only in a tile (:class:`TiledDetector`'s ``tile_score``);
        default :data:`DEFAULT_TILE_SCORE`.
    """

    def __init__(
        self,
        detector: Detector,
        recognizer: Recognizer,
        *,
        margin: float = 0.08,
        classify_colour: bool = True,
        min_detection_score: float = 0.0,
        min_read_confidence: float | None = None,
        tile: int | None = None,
        tile_score: float | None = None,
    ) -> None:
        if not isinstance(detector, Detector):
            raise TypeError(
                f"{type(detector).__name__} is not a Detector (needs name, class_names, detect)"
            )
        if not isinstance(recognizer, Recognizer):
            raise TypeError(f"{type(recognizer).__name__} is not a Recognizer (needs name, read)")
        if margin < 0:
            raise InputError(f"margin must be >= 0, got {margin}")
        tile = DEFAULT_TILE if tile is None else int(tile)
        if tile < 0:
            raise InputError(f"tile must be 0 (whole frames only) or a tile side in pixels, got {tile}")
        if tile and not isinstance(detector, TiledDetector):
            detector = TiledDetector(
                detector, tile=tile, tile_score=DEFAULT_TILE_SCORE if tile_score is None else tile_score
            )
        self.detector = detector
        self.recognizer = recognizer
        self.margin = margin
        self.classify_colour = classify_colour
        self.min_detection_score = min_detection_score
        self.min_read_confidence = (
            MIN_READ_CONFIDENCE if min_read_confidence is None else float(min_read_confidence)
        )
        if not 0 <= self.min_read_confidence <= 1:
            raise InputError(f"min_read_confidence must be in [0, 1], got {min_read_confidence}")

    def crops(self, image: np.ndarray, detections: Sequence[Detection]) -> list[np.ndarray]:
        """Cut one crop per detection (corners, when a detection has them, are rectified)."""
        out = []
        for det in detections:
            corners = getattr(det, "corners", None)
            out.append(
                rectify_corners(image, np.asarray(corners))
                if corners is not None
                else crop_box(image, det.box, self.margin)
            )
        return out

    def read_batch(self, images: Sequence[np.ndarray]) -> list[list[PlateResult]]:
        """Read every plate in each image; all crops of the batch are recognised together."""
        if len(images) == 0:
            return []
        # grey and RGBA frames are read like RGB ones (as recognisers do with crops)
        images = [check_crop(im, i, what="image") for i, im in enumerate(images)]
        all_dets = self.detector.detect(images)
        per_image: list[tuple[list[Detection], list[np.ndarray]]] = []
        for image, dets in zip(images, all_dets, strict=True):
            dets = [d for d in dets if d.score >= self.min_detection_score and d.class_id == 0]
            per_image.append((dets, self.crops(image, dets)))
        flat_crops = [c for _, crops in per_image for c in crops]
        reads: list[PlateRead] = self.recognizer.read(flat_crops) if flat_crops else []
        colours = self._colours(flat_crops)
        results, k = [], 0
        for dets, crops in per_image:
            row = []
            for det, crop in zip(dets, crops, strict=True):
                read = reads[k]
                unread = not read.text or read.confidence < self.min_read_confidence
                row.append(
                    PlateResult(
                        box=tuple(float(v) for v in det.box),
                        detection_score=float(det.score),
                        text="" if unread else read.text,
                        confidence=float(read.confidence),
                        char_confidences=() if unread else tuple(read.char_confidences),
                        colour=colours[k],
                        unread=unread,
                        crop=crop,
                    )
                )
                k += 1
            results.append(row)
        return results

    def read(self, image: np.ndarray) -> list[PlateResult]:
        """Read every plate in one image."""
        return self.read_batch([image])[0]

    def read_paths(
        self, paths: Iterable[str | os.PathLike], batch_size: int = 4
    ) -> Iterator[tuple[Path, list[PlateResult]]]:
        """Read image files in batches; yields ``(path, results)`` in input order."""
        from lprkit.data.folders import load_image

        batch: list[tuple[Path, np.ndarray]] = []
        for p in paths:
            batch.append((Path(p), load_image(p)))
            if len(batch) == batch_size:
                yield from self._flush(batch)
                batch = []
        if batch:
            yield from self._flush(batch)

    def _flush(self, batch):
        results = self.read_batch([img for _, img in batch])
        return [(path, res) for (path, _), res in zip(batch, results, strict=True)]

    def _colours(self, crops: Sequence[np.ndarray]) -> list[str | None]:
        if not self.classify_colour:
            return [None] * len(crops)
        from lprkit.plate_colour import plate_colour

        return [plate_colour(c) for c in crops]


def draw_results(image: np.ndarray, results: Sequence[PlateResult]) -> np.ndarray:
    """A copy of ``image`` with each plate's box and reading drawn on it (unread detections
    in orange, labelled ``unread``).

    Hangul is drawn with a Hangul font through Pillow (OpenCV's fonts are ASCII only).
    """
    from PIL import Image, ImageDraw, ImageFont

    from lprkit.errors import LprkitError
    from lprkit.synth.fonts import find_fonts

    canvas = Image.fromarray(image).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    size = max(12, image.shape[0] // 30)
    try:
        font = ImageFont.truetype(str(find_fonts("hangul")[0]), size)
    except LprkitError:
        font = ImageFont.load_default()
    for r in results:
        x1, y1, x2, y2 = r.box
        unread = getattr(r, "unread", False)
        outline = (255, 140, 0) if unread else (0, 255, 0)  # orange: found, but not read
        draw.rectangle([x1, y1, x2, y2], outline=outline, width=max(2, size // 8))
        text = "unread" if unread else r.text
        label = f"{text} {r.confidence:.2f}" + (f" {r.colour}" if r.colour and not unread else "")
        tx, ty = x1, max(0, y1 - size - 4)
        bbox = draw.textbbox((tx, ty), label, font=font)
        draw.rectangle(bbox, fill=(0, 0, 0))
        draw.text((tx, ty), label, fill=(255, 255, 0), font=font)
    return np.asarray(canvas)
