"""Inference with LiteRT or ONNX Runtime, NumPy and OpenCV only: importable and working without
TensorFlow.

* :mod:`~lprkit.edge.runtime` — :class:`LiteRTModel` (float in/out, int8 scaling, threads),
  op listing and the lprkit metadata of a ``.tflite`` file;
* :mod:`~lprkit.edge.onnx_runtime` — :class:`OnnxRuntimeModel`, the same contract for an
  ``.onnx`` file (execution providers: CPU, CUDA, TensorRT);
* :mod:`~lprkit.edge.backends` — :func:`open_model`: which runtime runs a file;
* :mod:`~lprkit.edge.recognizer` — :class:`EdgeRecognizer` (CRNN / LPRNet, CTC decoding);
* :mod:`~lprkit.edge.detector` — :class:`EdgeDetector` (YOLO heads, NMS);
* :mod:`~lprkit.edge.pipeline` — detector -> crop -> recogniser over images or a camera.

``TFLiteDetector`` and ``TFLiteRecognizer`` are the earlier names of the edge classes.
Pre- and post-processing are the Keras path's own modules (recognition.preprocess,
recognition.ctc, detection.letterbox, detection.postprocess), never copies. ``onnxruntime`` is
imported only when an ``.onnx`` file is opened.
"""

from lprkit.edge.backends import open_model
from lprkit.edge.detector import EdgeDetector, TFLiteDetector
from lprkit.edge.recognizer import EdgeRecognizer, TFLiteRecognizer
from lprkit.edge.runtime import LiteRTModel, model_ops, read_metadata, select_ops

__all__ = [
    "EdgeDetector",
    "EdgeRecognizer",
    "LiteRTModel",
    "TFLiteDetector",
    "TFLiteRecognizer",
    "model_ops",
    "open_model",
    "read_metadata",
    "select_ops",
]
