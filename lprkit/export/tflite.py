"""Keras model -> ``.tflite``: float32, float16, dynamic-range int8 and full-integer int8.

The path is the one Keras 3 itself uses for ``model.export(format="litert")``: a SavedModel
written by ``keras.export.ExportArchive``, then ``tf.lite.TFLiteConverter.from_saved_model``.
(``TFLiteConverter.from_concrete_functions`` wrote files without weights on this toolchain;
the SavedModel route keeps inference mode and the weights explicit.) Three habits keep the files runnable by LiteRT alone:

* the batch is fixed (1 by default): Keras LSTMs with a free batch need the TF Select ops
  ``TensorListReserve/SetItem/Stack``;
* only built-in ops are allowed; if the converter needs TF Select, conversion stops and names
  the ops (``allow_select_ops=True`` accepts them, for a full TensorFlow runtime);
* every file is run once by LiteRT next to Keras (:func:`verify_conversion`): a float file that
  disagrees, or any file producing NaN, is an error rather than a silent bad model.

Recurrent layers are unrolled (same weights, :func:`lprkit.models.crnn.with_unrolled_rnn`)
for full-integer conversion, where calibrating the WHILE-loop LSTM crashes the converter
(a segfault, not an exception), and on request for the other precisions. With a fixed batch
the WHILE-loop graph converts to built-ins and ran faster than the unrolled one for the
course CRNN (LiteRT, 1 thread: 6.5 against 9.4 ms of CPU in fp32), hence that default. Keras 3
LSTMs are not fused into TFLite's ``UNIDIRECTIONAL_SEQUENCE_LSTM``; in full int8 the unrolled
BiLSTMs cost about 2 ms of the CRNN's 3.4 ms (its convolutions alone: 1.35 ms).

Deprecations on this toolchain: ``tf.lite.Interpreter`` warns that it is deprecated and
"scheduled for deletion in TF 2.20" (it is still in 2.21); lprkit runs every file, the checks
here included, with ``ai_edge_litert.interpreter.Interpreter`` instead. The converter itself
(``tf.lite.TFLiteConverter``) is still TensorFlow's supported path and issues no warning.

The files carry a JSON description (precision, alphabet, input size, YOLO spec ...) in the
flatbuffer's metadata, read back by :func:`lprkit.edge.runtime.read_metadata` without TF.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.edge.runtime import METADATA_NAME, LiteRTModel, model_ops, select_ops
from lprkit.errors import InputError, LprkitError

PRECISIONS = ("fp32", "fp16", "int8")
INT8_MODES = ("dynamic", "full")
RNN_CLASSES = ("LSTM", "GRU", "SimpleRNN")
#: fp32 files must match Keras to this max absolute difference, times max(1, |outputs|).
FP32_ATOL = 1e-4


@dataclass
class ConversionResult:
    """A converted model and what is known about it.

    Attributes
    ----------
    content
        The ``.tflite`` bytes (metadata included).
    precision, int8_mode
        What was asked for (``int8_mode`` is None unless ``precision == "int8"``).
    ops
        Operator counts of the file (see :func:`lprkit.edge.runtime.model_ops`).
    select_ops
        TF ops that fall back to TF Select (empty for files LiteRT runs alone).
    unrolled
        Whether recurrent layers were unrolled before conversion.
    max_abs_diff
        Largest ``|TFLite - Keras|`` over the outputs in the post-conversion check (None if
        skipped).
    seconds
        Conversion time.
    metadata
        The JSON embedded in the file.
    """

    content: bytes
    precision: str
    int8_mode: str | None
    ops: Counter
    select_ops: list[str]
    unrolled: bool
    max_abs_diff: float | None
    seconds: float
    metadata: dict = field(default_factory=dict)

    @property
    def size_bytes(self) -> int:
        return len(self.content)

    def summary(self) -> str:
        mode = f" ({self.int8_mode})" if self.int8_mode else ""
        flex = ", ".join(self.select_ops) or "none"
        diff = "n/a" if self.max_abs_diff is None else f"{self.max_abs_diff:.3g}"
        return (
            f"{self.precision}{mode}: {self.size_bytes / 1e6:.2f} MB, {sum(self.ops.values())} ops "
            f"({len(self.ops)} kinds), TF Select: {flex}, unrolled RNN: {self.unrolled}, "
            f"max |TFLite - Keras| = {diff}, {self.seconds:.1f} s"
        )


def check_precision(precision: str, int8_mode: str = "full") -> tuple[str, str | None]:
    """Validate ``precision`` / ``int8_mode``; returns them with ``int8_mode`` None unless int8."""
    if precision not in PRECISIONS:
        raise InputError(f"precision={precision!r}; use one of {', '.join(PRECISIONS)}")
    if int8_mode not in INT8_MODES:
        raise InputError(f"int8_mode={int8_mode!r}; use one of {', '.join(INT8_MODES)}")
    return precision, (int8_mode if precision == "int8" else None)


def has_rolled_rnn(model) -> bool:
    """True if ``model`` holds an LSTM/GRU/SimpleRNN layer that is not unrolled."""
    found = False

    def walk(obj):
        nonlocal found
        if isinstance(obj, dict):
            if obj.get("class_name") in RNN_CLASSES and not obj.get("config", {}).get("unroll"):
                found = True
            for v in obj.values():
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(model.get_config())
    return found


def input_specs(model, batch_size: int | None):
    """``tf.TensorSpec`` of each model input with the batch fixed to ``batch_size`` (``None``
    keeps it variable): the input signature the TFLite and ONNX exports trace."""
    import tensorflow as tf

    specs = []
    for t in model.inputs:
        shape = (batch_size, *t.shape[1:])
        if any(d is None for d in shape[1:]):
            raise InputError(
                f"input {t.name!r} has shape {tuple(t.shape)}; TFLite export needs every "
                "dimension but the batch fixed (build the model with a fixed input_size)"
            )
        specs.append(tf.TensorSpec(shape, tf.float32, name=t.name.split(":")[0]))
    return specs


def write_saved_model(model, directory: str | Path, batch_size: int | None = 1) -> Path:
    """Write ``model`` as a SavedModel with one ``serve`` endpoint of fixed batch size.

    ``batch_size=None`` leaves the batch free (Keras LSTMs then need TF Select ops).

    Inference mode (``training=False``) is baked in, so BatchNorm uses its moving statistics
    and Dropout is off.
    """
    import functools

    import keras

    archive = keras.export.ExportArchive()
    archive.track(model)
    specs = input_specs(model, batch_size)
    if len(specs) != 1:
        raise InputError(f"model {model.name!r} has {len(specs)} inputs; export takes one image input")
    call = functools.partial(model.__call__, training=False)
    archive.add_endpoint("serve", call, input_signature=specs)
    archive.write_out(str(directory), verbose=False)
    return Path(directory)


def representative_samples(
    samples: Iterable[np.ndarray] | np.ndarray, input_shape: tuple[int, ...], limit: int = 200
) -> list[np.ndarray]:
    """Collect calibration inputs as ``(1, *input_shape)`` float32 arrays.

    Parameters
    ----------
    samples
        Preprocessed model inputs (float, the range the model sees, e.g. [0, 1]): an iterable of
        single samples ``input_shape`` or batches ``(n, *input_shape)``, or one batch array.
    input_shape
        The model input without the batch, ``(h, w, c)``.
    limit
        At most this many samples are taken (a few hundred are plenty for calibration).
    """
    input_shape = tuple(int(v) for v in input_shape)
    if isinstance(samples, np.ndarray) and samples.ndim == len(input_shape) + 1:
        samples = list(samples)
    out: list[np.ndarray] = []
    for i, s in enumerate(samples):
        a = np.asarray(s, dtype=np.float32)
        if a.shape == input_shape:
            a = a[None]
        if a.ndim != len(input_shape) + 1 or a.shape[1:] != input_shape:
            raise InputError(
                f"calibration sample {i} has shape {a.shape}; expected {input_shape} or "
                f"(n, {', '.join(map(str, input_shape))})"
            )
        if not np.all(np.isfinite(a)):
            raise InputError(f"calibration sample {i} holds NaN or infinite values")
        out.extend(a[j : j + 1] for j in range(len(a)))
        if len(out) >= limit:
            break
    if not out:
        raise InputError("full-integer int8 needs calibration samples; none were given")
    return out[:limit]


def _with_unit_range(samples: list[np.ndarray]) -> list[np.ndarray]:
    """Calibration samples whose pixels span exactly [0, 1], the recognisers' input range.

    The int8 input's scale and zero point come from the smallest and largest calibration pixel;
    crops without a pure black or white pixel would give the file another input quantisation
    than ``x / 255`` (scale 1/255, zero point -128). One pixel of the first sample is set to 0
    and one to 1, which leaves the activation ranges as they were.
    """
    first = samples[0].copy()
    first.reshape(-1)[0], first.reshape(-1)[-1] = 0.0, 1.0
    return [first, *samples[1:]]


def _converter(saved_model: Path, precision: str, int8_mode: str | None, calib, select: bool):
    import tensorflow as tf

    conv = tf.lite.TFLiteConverter.from_saved_model(str(saved_model))
    ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if precision == "fp16":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.target_spec.supported_types = [tf.float16]
    elif int8_mode == "dynamic":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
    elif int8_mode == "full":
        conv.optimizations = [tf.lite.Optimize.DEFAULT]
        conv.representative_dataset = lambda: ([x] for x in calib)
        ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        conv.inference_input_type = tf.int8
        conv.inference_output_type = tf.int8
    if select:
        ops = [*ops, tf.lite.OpsSet.SELECT_TF_OPS]
    conv.target_spec.supported_ops = ops
    return conv


def add_metadata(content: bytes, metadata: dict, name: str = METADATA_NAME) -> bytes:
    """Return ``content`` with ``metadata`` (JSON) stored as a named flatbuffer metadata entry.

    An existing entry of the same name is replaced. Uses TensorFlow's own flatbuffer tools
    (``tensorflow.lite.tools.flatbuffer_utils``), which also handle files over 2 GB.
    """
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(bytearray(content))
    data = np.frombuffer(json.dumps(metadata, ensure_ascii=False).encode("utf-8"), np.uint8)
    buf = schema.BufferT()
    buf.data = data
    model.buffers = list(model.buffers or [])
    keep = [m for m in (model.metadata or []) if (m.name or b"") not in (name, name.encode())]
    entry = schema.MetadataT()
    entry.name = name
    entry.buffer = len(model.buffers)
    model.buffers.append(buf)
    model.metadata = [*keep, entry]
    return flatbuffer_utils.convert_object_to_bytearray(model)


def keras_outputs(model, x: np.ndarray) -> list[np.ndarray]:
    """The Keras model's outputs on ``x`` as a list of float32 arrays (the parity reference)."""
    y = model(x, training=False)
    y = y if isinstance(y, (list, tuple)) else [y]
    return [np.asarray(v, dtype=np.float32) for v in y]


def verify_conversion(
    model, content: bytes, inputs: np.ndarray, atol: float | None = None
) -> float:
    """Run ``content`` with LiteRT and ``model`` with Keras on ``inputs``; max abs difference.

    With ``atol``, the difference must stay within ``atol * max(1, max |Keras output|)``
    (float reassociation grows with the size of the outputs, e.g. raw YOLO heads).

    Raises
    ------
    LprkitError
        If the file fails to run, returns the wrong shapes, produces NaN / infinity (the
        symptom of a file written without its weights) or differs beyond ``atol``.
    """
    try:
        lite = LiteRTModel(content)(inputs)
    except (RuntimeError, ValueError) as err:
        raise LprkitError(f"the converted model does not run in LiteRT: {err}") from err
    ref = keras_outputs(model, inputs)
    if len(lite) != len(ref):
        raise LprkitError(f"the converted model has {len(lite)} outputs; Keras gives {len(ref)}")
    worst = scale = 0.0
    for i, (a, b) in enumerate(zip(lite, ref, strict=True)):
        if a.shape != b.shape:
            raise LprkitError(f"output {i}: TFLite shape {a.shape}, Keras shape {b.shape}")
        if not np.all(np.isfinite(a)):
            raise LprkitError(f"output {i} of the converted model holds NaN/inf (weights lost?)")
        if a.size:
            worst = max(worst, float(np.max(np.abs(a - b))))
            scale = max(scale, float(np.max(np.abs(b))))
    if atol is not None and worst > atol * max(1.0, scale):
        raise LprkitError(
            f"the TFLite model differs from Keras by up to {worst:.3g} (outputs up to "
            f"{scale:.3g}, tolerance {atol} relative); the conversion is wrong"
        )
    return worst


def convert(
    model,
    precision: str = "fp32",
    int8_mode: str = "full",
    representative_data: Iterable[np.ndarray] | np.ndarray | None = None,
    num_calibration: int = 200,
    unroll_rnn: bool | None = None,
    allow_select_ops: bool = False,
    batch_size: int | None = 1,
    metadata: dict | None = None,
    check: bool = True,
    check_inputs: np.ndarray | None = None,
) -> ConversionResult:
    """Convert a Keras model to TFLite bytes.

    Parameters
    ----------
    model
        A functional ``keras.Model`` with fixed input sizes.
    precision
        ``"fp32"``, ``"fp16"`` (weights stored as float16, computed in float32 on CPU) or
        ``"int8"``.
    int8_mode
        For int8: ``"dynamic"`` (int8 weights, float activations, no calibration) or ``"full"``
        (int8 weights and activations, int8 input/output; needs ``representative_data``).
    representative_data
        Calibration inputs for full int8: any iterable of preprocessed arrays
        (see :func:`representative_samples`), e.g. synthetic crops through
        :func:`lprkit.recognition.preprocess.preprocess_crops`.
    num_calibration
        At most this many calibration samples are used.
    unroll_rnn
        Unroll LSTM/GRU layers first. None: only for full int8 (required there).
    allow_select_ops
        Accept TF Select ops instead of failing (the file then needs the Flex delegate).
    batch_size
        Fixed batch of the file; None for a free batch (recurrent layers then need TF Select
        unless unrolled).
    metadata
        JSON-serialisable description stored in the file (merged with conversion facts).
    check
        Run the file against Keras once (:func:`verify_conversion`); fp32 must agree within
        :data:`FP32_ATOL` (relative to the output magnitude when that exceeds 1).
    check_inputs
        Inputs for the check (default: the first calibration samples, else seeded noise).

    Returns
    -------
    ConversionResult
    """
    import tensorflow as tf

    precision, mode = check_precision(precision, int8_mode)
    if batch_size is not None and int(batch_size) < 1:
        raise InputError(f"batch_size={batch_size}; use 1 or more, or None for a free batch")
    start = time.perf_counter()
    input_shape = tuple(int(d) for d in model.inputs[0].shape[1:])
    calib = None
    if mode == "full":
        if representative_data is None:
            raise InputError("precision='int8' with int8_mode='full' needs representative_data")
        calib = representative_samples(representative_data, input_shape, num_calibration)
        if batch_size is not None and batch_size != 1:
            calib = [np.repeat(c, batch_size, axis=0) for c in calib]
    rolled = has_rolled_rnn(model)
    unroll = rolled and (mode == "full" if unroll_rnn is None else bool(unroll_rnn))
    source = model
    if unroll:
        from lprkit.models.crnn import with_unrolled_rnn

        source = with_unrolled_rnn(model)
    with tempfile.TemporaryDirectory(prefix="lprkit_export_") as tmp:
        saved = write_saved_model(source, Path(tmp) / "saved_model", batch_size)
        try:
            content = _converter(saved, precision, mode, calib, select=False).convert()
        except Exception as err:  # ConverterError; its text names the failing TF ops
            try:
                content = _converter(saved, precision, mode, calib, select=True).convert()
            except Exception:
                raise LprkitError(f"TFLite conversion failed: {str(err).strip()[-800:]}") from err
            needed = select_ops(model_ops(content))
            if not allow_select_ops:
                raise LprkitError(
                    f"the model needs TF Select ops ({', '.join(needed) or 'unknown'}), which "
                    "LiteRT alone cannot run; fix the batch, unroll RNNs (unroll_rnn=True) or "
                    "pass allow_select_ops=True for a full TensorFlow runtime"
                ) from err
    ops = model_ops(content)
    flex = select_ops(ops)
    diff = None
    if check and not flex:
        if check_inputs is None:
            if calib:
                check_inputs = np.concatenate(calib[:2], axis=0)
            else:
                rng = np.random.default_rng(0)
                check_inputs = rng.random((batch_size or 1, *input_shape), dtype=np.float32)
        check_inputs = np.asarray(check_inputs, dtype=np.float32)
        atol = FP32_ATOL if precision == "fp32" else None
        diff = verify_conversion(model, content, check_inputs, atol)
    meta = {
        **(metadata or {}),
        "precision": precision,
        "int8_mode": mode,
        "batch_size": batch_size,
        "unrolled_rnn": unroll,
        "select_ops": flex,
        "converter": f"TFLiteConverter.from_saved_model (TensorFlow {tf.__version__})",
    }
    content = add_metadata(content, meta)
    return ConversionResult(
        content=content,
        precision=precision,
        int8_mode=mode,
        ops=ops,
        select_ops=flex,
        unrolled=unroll,
        max_abs_diff=diff,
        seconds=time.perf_counter() - start,
        metadata=meta,
    )


def _check_out(path: str | Path, overwrite: bool) -> Path:
    path = Path(path)
    if path.suffix != ".tflite":
        raise InputError(f"{path}: TFLite files must end in .tflite")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    return path


def save_tflite(content: bytes, path: str | Path, overwrite: bool = False) -> Path:
    """Write TFLite bytes atomically (temp file, then rename); refuse to overwrite unless asked."""
    from lprkit.fileio import atomic_write_bytes

    return atomic_write_bytes(_check_out(path, overwrite), content, overwrite=True)


def export_tflite(
    model, path: str | Path, precision: str = "fp32", overwrite: bool = False, **kwargs
) -> ConversionResult:
    """:func:`convert` then :func:`save_tflite`; ``kwargs`` go to :func:`convert`."""
    _check_out(path, overwrite)
    result = convert(model, precision, **kwargs)
    save_tflite(result.content, path, overwrite=overwrite)
    return result


# --------------------------------------------------------------------------- course models
def _styles_for(alphabet_name: str, styles: str | None) -> str:
    if styles:
        return styles
    if alphabet_name in ("korean", "latin"):
        return alphabet_name
    raise InputError(
        f"no default plate styles for alphabet {alphabet_name!r}; pass styles= (e.g. 'korean')"
    )


def recognizer_metadata(recognizer) -> dict:
    """What a TFLite recogniser needs from a :class:`KerasRecognizer` (alphabet, reading)."""
    from lprkit.recognition.preprocess import NORMALISATION

    return {
        "kind": "recognizer",
        "name": recognizer.name,
        "architecture": recognizer.model.name,
        "alphabet": recognizer.alphabet.name,
        "alphabet_tokens": list(recognizer.alphabet.tokens),
        "input_size": list(recognizer.input_size),
        "channels": recognizer.channels,
        "normalisation": NORMALISATION,
        "two_line": recognizer.two_line,
        "two_line_top": recognizer.two_line_top,
        "decoder": recognizer.decoder,
        "beam_width": recognizer.beam_width,
    }


def detector_metadata(detector) -> dict:
    """What a TFLite detector needs from a :class:`KerasDetector` (spec, classes, thresholds)."""
    from lprkit.detection.letterbox import PAD_VALUE

    return {
        "kind": "detector",
        "name": detector.name,
        "architecture": detector.model.name,
        "class_names": list(detector.class_names),
        "score_threshold": detector.score_threshold,
        "iou_threshold": detector.iou_threshold,
        "yolo_spec": detector.spec.to_dict(),
        "normalisation": "unit",
        "letterbox_pad": PAD_VALUE,
    }


def export_recognizer(
    recognizer,
    path: str | Path | None = None,
    precision: str = "fp32",
    int8_mode: str = "full",
    calibration: Iterable[np.ndarray] | np.ndarray | None = None,
    num_calibration: int = 200,
    styles: str | None = None,
    seed: int = 0,
    overwrite: bool = False,
    **kwargs,
) -> ConversionResult:
    """Convert a :class:`~lprkit.recognition.keras_recognizer.KerasRecognizer` (and save it).

    Full int8 calibrates on ``calibration`` (preprocessed crops) or, by default, on
    ``num_calibration`` synthetic crops of the alphabet's plate styles (seed ``seed``).
    ``path=None`` returns the result without writing a file; ``kwargs`` go to :func:`convert`.
    """
    _, mode = check_precision(precision, int8_mode)
    if path is not None:
        _check_out(path, overwrite)  # before minutes of conversion
    if mode == "full" and calibration is None:
        from lprkit.export.parity import synthetic_crops

        crops, _ = synthetic_crops(
            num_calibration, recognizer.input_size, _styles_for(recognizer.alphabet.name, styles),
            seed, recognizer.two_line_top,
        )
        calibration = recognizer.preprocess(crops)
    if mode == "full":
        shape = recognizer.model.input_shape[1:]
        calibration = _with_unit_range(representative_samples(calibration, shape, num_calibration))
    result = convert(
        recognizer.model, precision, int8_mode, representative_data=calibration,
        num_calibration=num_calibration, metadata=recognizer_metadata(recognizer), **kwargs,
    )
    if path is not None:
        save_tflite(result.content, path, overwrite=overwrite)
    return result


def export_detector(
    detector,
    path: str | Path | None = None,
    precision: str = "fp32",
    int8_mode: str = "full",
    calibration: Iterable[np.ndarray] | np.ndarray | None = None,
    num_calibration: int = 100,
    styles: str = "korean",
    seed: int = 0,
    overwrite: bool = False,
    **kwargs,
) -> ConversionResult:
    """Convert a :class:`~lprkit.detection.keras_detector.KerasDetector` (and save it).

    Full int8 calibrates on ``calibration`` (letterboxed inputs in [0, 1]) or, by default, on
    ``num_calibration`` synthetic parking and CCTV scenes (seed ``seed``).
    """
    _, mode = check_precision(precision, int8_mode)
    if path is not None:
        _check_out(path, overwrite)
    if mode == "full" and calibration is None:
        from lprkit.export.parity import letterboxed_inputs, synthetic_scenes

        half = num_calibration // 2
        park, _ = synthetic_scenes(num_calibration - half, styles, seed)
        cctv, _ = synthetic_scenes(half, styles, seed + 1, "cctv")
        calibration = letterboxed_inputs(park + cctv, detector.input_size)
    result = convert(
        detector.model, precision, int8_mode, representative_data=calibration,
        num_calibration=num_calibration, metadata=detector_metadata(detector), **kwargs,
    )
    if path is not None:
        save_tflite(result.content, path, overwrite=overwrite)
    return result
