"""Read plates in one line: ``lprkit.read("car.jpg")``, or ``lprkit.Reader(...)`` for many.

A :class:`Reader` loads a detector and a recogniser once (shipped names, checkpoint folders or
``.tflite``/``.onnx`` files written by ``lprkit export``, which run on LiteRT / ONNX Runtime
without TensorFlow) and reads images given as file paths or RGB arrays. Shipped names run on
Keras when TensorFlow is installed and on their shipped ``.tflite`` files otherwise (the light
install); ``backend=`` chooses. It is the command line's ``predict`` as a
Python object: the same :class:`~lprkit.pipeline.Pipeline`, tiles and read-confidence gate.
"""

from __future__ import annotations

import os

import numpy as np

from lprkit.errors import InputError
from lprkit.pipeline import PlateResult

#: The recogniser each region reads with (shipped checkpoint names).
REGION_RECOGNIZERS = {"korean": "crnn-korean", "latin": "crnn-latin"}
DEFAULT_DETECTOR = "yolov4-tiny-plates"


class Reader:
    """A detector and a recogniser loaded once, for reading many images.

    Parameters
    ----------
    region
        ``"korean"`` (default) or ``"latin"`` (European, US, Brazilian … plates): picks the
        shipped recogniser; ignored when ``recognizer`` is given.
    detector, recognizer
        A shipped name, a checkpoint folder or a ``.tflite``/``.onnx`` file.
    tile, min_confidence
        As :class:`~lprkit.pipeline.Pipeline`'s ``tile`` and ``min_read_confidence``
        (default: the calibrated settings).
    num_threads
        CPU threads of LiteRT / ONNX Runtime models; Keras models use TensorFlow's own pool.
    backend
        ``"keras"``, ``"litert"`` or ``"onnxruntime"``; default Keras when TensorFlow is
        installed, else LiteRT (:func:`lprkit.checkpoints.choose_backend`).
    providers
        ONNX Runtime execution providers (with ``backend="onnxruntime"``), e.g.
        ``["CUDAExecutionProvider", "CPUExecutionProvider"]``.
    """

    def __init__(
        self,
        region: str = "korean",
        *,
        detector: str | os.PathLike = DEFAULT_DETECTOR,
        recognizer: str | os.PathLike | None = None,
        tile: int | None = None,
        min_confidence: float | None = None,
        num_threads: int = 2,
        backend: str | None = None,
        providers=None,
    ) -> None:
        from lprkit.checkpoints import load_detector, load_recognizer
        from lprkit.pipeline import Pipeline

        if recognizer is None:
            if region not in REGION_RECOGNIZERS:
                raise InputError(f"unknown region {region!r}; use {' or '.join(REGION_RECOGNIZERS)}, or give recognizer=")
            recognizer = REGION_RECOGNIZERS[region]

        run = {"backend": backend, "num_threads": num_threads, "providers": providers}
        self.pipeline = Pipeline(
            load_detector(detector, **run), load_recognizer(recognizer, **run),
            tile=tile, min_read_confidence=min_confidence,
        )  # fmt: skip

    def read(self, image: str | os.PathLike | np.ndarray) -> list[PlateResult]:
        """The plates in one image (a path or an RGB ``uint8`` array), best detection first;
        detections read with too little confidence come back with ``unread=True``."""
        if isinstance(image, (str, os.PathLike)):
            from lprkit.data.folders import load_image

            image = load_image(image)
        elif not isinstance(image, np.ndarray):
            raise InputError(f"read() takes an image path or an RGB uint8 array, got {type(image).__name__}")
        return self.pipeline.read(image)

    def __repr__(self) -> str:
        return f"Reader(detector={self.pipeline.detector.name!r}, recognizer={self.pipeline.recognizer.name!r})"


_READERS: dict[tuple, Reader] = {}


def read(image: str | os.PathLike | np.ndarray, region: str = "korean", **options) -> list[PlateResult]:
    """Read the plates in one image with the shipped models: ``lprkit.read("car.jpg")``.

    The :class:`Reader` for ``region`` and ``options`` is kept, so later calls do not load the
    models again.
    """
    key = (region, tuple(sorted((k, str(v)) for k, v in options.items())))
    if key not in _READERS:
        _READERS[key] = Reader(region, **options)
    return _READERS[key].read(image)
