"""Inference with LiteRT, NumPy and OpenCV only: importable and working without TensorFlow.

* :mod:`~lprkit.edge.runtime` — :class:`LiteRTModel` (float in/out, int8 scaling, threads),
  op listing and the lprkit metadata of a ``.tflite`` file;
* :mod:`~lprkit.edge.recognizer` — :class:`TFLiteRecognizer` (CRNN / LPRNet, CTC decoding);
* :mod:`~lprkit.edge.detector` — :class:`TFLiteDetector` (YOLO heads, NMS);
* :mod:`~lprkit.edge.pipeline` — detector -> crop -> recogniser over images or a camera.

Pre- and post-processing are the Keras path's own modules (recognition.preprocess,
recognition.ctc, detection.letterbox, detection.postprocess), never copies.
"""

from lprkit.edge.detector import TFLiteDetector
from lprkit.edge.recognizer import TFLiteRecognizer
from lprkit.edge.runtime import LiteRTModel, model_ops, read_metadata, select_ops

__all__ = [
    "LiteRTModel",
    "TFLiteDetector",
    "TFLiteRecognizer",
    "model_ops",
    "read_metadata",
    "select_ops",
]
