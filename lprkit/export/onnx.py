"""Keras model -> ONNX (for TensorRT on a Jetson), checked with onnxruntime against Keras.

The converter is tf2onnx through Keras 3's public ``model.export(format="onnx")``: Keras
traces the model with a fixed input signature, calls ``tf2onnx.convert.from_function`` and
first patches tf2onnx 1.17 for NumPy 2 (its constant-folding rewriter still uses ``np.object``
and friends). Checked with TF 2.21 / Keras 3.15 / tf2onnx 1.17 / onnx 1.23 / onnxruntime 1.31
on the three course models; a direct ``tf2onnx.convert.from_function`` call without the patch
also converted the CRNN, so the patch is a safety net rather than a requirement here.

Choices made for TensorRT:

* opset 13 by default, the newest that the TensorRT 8.2 of JetPack 4.6 (Jetson Nano) parses;
  JetPack 5/6 (Orin) accept newer opsets;
* a fixed batch of 1 (a dynamic batch would need a TensorRT optimisation profile);
* recurrent layers unrolled, so the CRNN becomes MatMul / Sigmoid / Tanh nodes instead of
  ONNX ``Loop`` nodes: a static graph is what TensorRT fuses and times best (not measured
  here: no Jetson was available).
"""

from __future__ import annotations

import os
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lprkit.errors import InputError, LprkitError
from lprkit.fileio import share_like_a_new_file

#: Newest ONNX opset that TensorRT 8.2 (JetPack 4.6, Jetson Nano) parses.
DEFAULT_OPSET = 13
#: fp32 ONNX outputs must match Keras to this max absolute difference.
ONNX_ATOL = 1e-4


@dataclass
class OnnxResult:
    """An exported ONNX file: where it is, its ops, and how far it is from Keras."""

    path: Path
    opset: int
    ops: Counter
    max_abs_diff: float | None
    seconds: float

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size


def onnx_ops(path: str | Path) -> Counter:
    """Count the node types of an ONNX graph (top level)."""
    import onnx

    return Counter(node.op_type for node in onnx.load(str(path)).graph.node)


def onnx_session(path: str | Path, num_threads: int = 1):
    """An onnxruntime CPU session with ``num_threads`` intra-op threads."""
    import onnxruntime as ort

    if not Path(path).is_file():
        raise FileNotFoundError(f"no ONNX model at {path}")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = int(num_threads)
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def embed_metadata(path: str | Path, metadata: dict) -> None:
    """Store ``metadata`` as JSON in the ``metadata_props`` entry ``lprkit`` of an ONNX file
    (replacing an earlier entry), rewriting the file in place."""
    import json

    import onnx

    from lprkit.edge.runtime import METADATA_NAME

    model = onnx.load(str(path))
    keep = [p for p in model.metadata_props if p.key != METADATA_NAME]
    del model.metadata_props[:]
    model.metadata_props.extend(keep)
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_NAME, json.dumps(metadata, ensure_ascii=False)
    onnx.save(model, str(path))


def run_onnx(session, x: np.ndarray) -> list[np.ndarray]:
    """Run a session on a float32 batch of any size (one sample at a time for a fixed batch 1)."""
    inp = session.get_inputs()[0]
    x = np.asarray(x, dtype=np.float32)
    step = inp.shape[0] if isinstance(inp.shape[0], int) else len(x)
    if step == 0 or len(x) % max(step, 1):
        raise InputError(f"the ONNX model runs batches of {inp.shape[0]}; got {len(x)} samples")
    parts = [session.run(None, {inp.name: x[i : i + step]}) for i in range(0, len(x), step)]
    return [np.concatenate(p, axis=0) for p in zip(*parts, strict=True)]


def export_onnx(
    model,
    path: str | Path,
    opset: int = DEFAULT_OPSET,
    batch_size: int = 1,
    unroll_rnn: bool = True,
    overwrite: bool = False,
    check: bool = True,
    check_inputs: np.ndarray | None = None,
    metadata: dict | None = None,
) -> OnnxResult:
    """Export a Keras model to ONNX with tf2onnx and check it with onnxruntime.

    Parameters
    ----------
    model
        Functional ``keras.Model`` with fixed input sizes.
    path
        Output ``.onnx`` file, written atomically.
    opset
        ONNX opset (13 suits TensorRT 8.2 on a Jetson Nano).
    batch_size
        Fixed batch of the graph.
    unroll_rnn
        Unroll LSTM/GRU layers first (TensorRT-friendly graph, same weights).
    overwrite
        Replace an existing file.
    check
        Run onnxruntime next to Keras on ``check_inputs`` (default: seeded noise); a
        difference above :data:`ONNX_ATOL` or NaN raises :class:`LprkitError`.
    metadata
        lprkit's description of the model (:func:`~lprkit.export.tflite.recognizer_metadata`,
        :func:`~lprkit.export.tflite.detector_metadata`), stored as JSON in the model's
        ``metadata_props`` under ``lprkit`` with the precision, batch and opset added, so
        :class:`~lprkit.edge.recognizer.EdgeRecognizer` / :class:`~lprkit.edge.detector.EdgeDetector`
        run the file on ONNX Runtime without further arguments.
    """
    from lprkit.export.tflite import has_rolled_rnn, input_specs, keras_outputs

    path = Path(path)
    if path.suffix != ".onnx":
        raise InputError(f"{path}: ONNX files must end in .onnx")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
    start = time.perf_counter()
    source = model
    if unroll_rnn and has_rolled_rnn(model):
        from lprkit.models.crnn import with_unrolled_rnn

        source = with_unrolled_rnn(model)
    specs = input_specs(source, batch_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".onnx", dir=path.parent)
    os.close(fd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # np.object probe in Keras' patch
            source.export(
                tmp, format="onnx", input_signature=specs, opset_version=int(opset), verbose=False
            )
        if metadata is not None:
            embed_metadata(tmp, {**metadata, "precision": "fp32", "batch_size": batch_size,
                                 "unrolled_rnn": source is not model, "opset": int(opset)})
        diff = None
        if check:
            if check_inputs is None:
                rng = np.random.default_rng(0)
                check_inputs = rng.random((batch_size, *specs[0].shape[1:]), dtype=np.float32)
            got = run_onnx(onnx_session(tmp), check_inputs)
            ref = keras_outputs(model, np.asarray(check_inputs, np.float32))
            if len(got) != len(ref) or any(a.shape != b.shape for a, b in zip(got, ref, strict=False)):
                raise LprkitError("the ONNX model's outputs do not match the Keras outputs in shape")
            if not all(np.all(np.isfinite(a)) for a in got):
                raise LprkitError("the ONNX model produced NaN/inf")
            diff = max(float(np.max(np.abs(a - b))) for a, b in zip(got, ref, strict=True))
            if diff > ONNX_ATOL:
                raise LprkitError(f"the ONNX model differs from Keras by up to {diff:.3g}")
        share_like_a_new_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return OnnxResult(path, int(opset), onnx_ops(path), diff, time.perf_counter() - start)
