"""Running a ``.tflite`` file with LiteRT alone: no TensorFlow, only NumPy and ``ai_edge_litert``.

:class:`LiteRTModel` wraps ``ai_edge_litert.interpreter.Interpreter``:

* float32 arrays in and out, whatever the file stores: full-integer models get their inputs
  quantised (``q = round(x / scale) + zero_point``) and their outputs dequantised;
* a batch of any size, run one sample at a time when the file has a fixed batch of 1 (what
  :mod:`lprkit.export.tflite` writes, because LSTMs convert to built-in ops only that way);
* outputs in the order of the exported model (``output_0``, ``output_1`` ...), read from the
  file's signature rather than from tensor indices, which the converter may shuffle;
* a configurable thread count (XNNPACK, the default CPU delegate, uses it).

It also reads what a file holds without running it: :func:`model_ops` lists its operators
(TF Select ops appear as ``Flex...`` custom ops) and :func:`read_metadata` returns the JSON
that :mod:`lprkit.export.tflite` embeds (alphabet, input size, YOLO spec ...).
"""

from __future__ import annotations

import json
import re
import struct
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lprkit.errors import InputError, LprkitError

#: Name of the flatbuffer metadata entry holding lprkit's JSON description of the model.
METADATA_NAME = "lprkit"
#: Custom-op prefix the converter gives ops that fall back to TensorFlow (TF Select).
FLEX_PREFIX = "Flex"


def read_model_bytes(model: str | Path | bytes) -> bytes:
    if isinstance(model, (bytes, bytearray, memoryview)):
        return bytes(model)
    path = Path(model)
    if not path.is_file():
        raise FileNotFoundError(f"no TFLite model at {path}")
    return path.read_bytes()


def _flatbuffer(content: bytes, source: str = "model"):
    from ai_edge_litert import schema_py_generated as schema

    # TFLite files carry the identifier "TFL3" at bytes 4..8.
    if len(content) < 8 or content[4:8] != b"TFL3":
        raise LprkitError(f"{source} is not a TFLite file (it lacks the 'TFL3' identifier); give a .tflite file written by `lprkit export`")
    return schema.Model.GetRootAs(content, 0), schema


def _source(model) -> str:
    return str(model) if isinstance(model, (str, Path)) else "model"


@contextmanager
def _corrupt_as_error(model) -> Iterator[None]:
    """Flatbuffer offsets past the end of a cut-off file raise struct/index errors: name it."""
    try:
        yield
    except (struct.error, IndexError) as exc:
        raise LprkitError(
            f"{_source(model)} is a truncated or corrupt TFLite file ({exc}); export it again "
            "with `lprkit export`"
        ) from None


def model_ops(model: str | Path | bytes) -> Counter:
    """Count the operators of a TFLite model, over all its subgraphs.

    Built-in ops are named as in ``BuiltinOperator`` (``CONV_2D``, ``WHILE`` ...), custom ops by
    their custom code; ops that need TF Select are ``Flex<TF op name>``.
    """
    with _corrupt_as_error(model):
        return _model_ops(*_flatbuffer(read_model_bytes(model), _source(model)))


def _model_ops(fb, schema) -> Counter:
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    codes = []
    for i in range(fb.OperatorCodesLength()):
        oc = fb.OperatorCodes(i)
        # builtin codes above 127 live only in BuiltinCode; older files only fill the deprecated one
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        custom = oc.CustomCode()
        codes.append(custom.decode() if custom else names.get(code, f"BUILTIN_{code}"))
    counts: Counter = Counter()
    for s in range(fb.SubgraphsLength()):
        sub = fb.Subgraphs(s)
        for o in range(sub.OperatorsLength()):
            counts[codes[sub.Operators(o).OpcodeIndex()]] += 1
    return counts


def select_ops(ops: Counter | dict | Sequence[str]) -> list[str]:
    """The TF op names among ``ops`` that run only through TF Select (``FlexFoo`` -> ``Foo``)."""
    return sorted({op[len(FLEX_PREFIX) :] for op in ops if op.startswith(FLEX_PREFIX)})


def read_metadata(model: str | Path | bytes) -> dict:
    """Return the lprkit metadata embedded in a TFLite file, or ``{}`` when it has none."""
    with _corrupt_as_error(model):
        return _read_metadata(_flatbuffer(read_model_bytes(model), _source(model))[0])


def _read_metadata(fb) -> dict:
    for i in range(fb.MetadataLength()):
        entry = fb.Metadata(i)
        if entry.Name() and entry.Name().decode() == METADATA_NAME:
            data = fb.Buffers(entry.Buffer()).DataAsNumpy()
            try:
                return json.loads(bytes(data).decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as err:
                raise LprkitError(
                    f"the '{METADATA_NAME}' metadata is not valid JSON: {err}"
                ) from err
    return {}


@dataclass(frozen=True)
class TensorInfo:
    """One input or output of a TFLite model.

    ``scale`` and ``zero_point`` are 0 for float tensors; a quantised value ``q`` means
    ``(q - zero_point) * scale``.
    """

    name: str
    index: int
    shape: tuple[int, ...]
    dtype: np.dtype
    scale: float
    zero_point: int

    @property
    def quantized(self) -> bool:
        return np.issubdtype(self.dtype, np.integer) and self.scale > 0


def quantize(x: np.ndarray, info: TensorInfo) -> np.ndarray:
    """Float values to the integer type of ``info`` (round to nearest, saturate)."""
    lim = np.iinfo(info.dtype)
    q = np.round(np.asarray(x, dtype=np.float32) / info.scale) + info.zero_point
    return np.clip(q, lim.min, lim.max).astype(info.dtype)


def dequantize(q: np.ndarray, info: TensorInfo) -> np.ndarray:
    """Integer values of ``info`` back to float32."""
    return ((q.astype(np.float32) - info.zero_point) * info.scale).astype(np.float32)


def _natural_key(name: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def tensor_info(detail: dict, name: str) -> TensorInfo:
    scale, zero = detail.get("quantization", (0.0, 0))
    return TensorInfo(
        name=name,
        index=int(detail["index"]),
        shape=tuple(int(v) for v in detail["shape"]),
        dtype=np.dtype(detail["dtype"]),
        scale=float(scale),
        zero_point=int(zero),
    )


class LiteRTModel:
    """A TFLite model run by LiteRT, taking and returning float32 NumPy arrays.

    Parameters
    ----------
    model
        Path to a ``.tflite`` file, or its bytes.
    num_threads
        CPU threads for the interpreter (and XNNPACK); at least 1.

    Attributes
    ----------
    inputs, outputs
        :class:`TensorInfo` of each input and output, in signature order.
    metadata
        The embedded lprkit metadata (``{}`` when absent).
    ops
        Operator counts (:func:`model_ops`).
    """

    def __init__(self, model: str | Path | bytes, num_threads: int = 1) -> None:
        from ai_edge_litert.interpreter import Interpreter

        if int(num_threads) < 1:
            raise InputError(f"num_threads={num_threads}; use 1 or more")
        self.source = str(model) if isinstance(model, (str, Path)) else "<bytes>"
        content = read_model_bytes(model)
        self.size_bytes = len(content)
        try:
            self.metadata = read_metadata(content)
            self.ops = model_ops(content)
        except LprkitError as exc:  # name the file, not "model"
            raise LprkitError(str(exc).replace("model", self.source, 1)) from None
        flex = select_ops(self.ops)
        if flex:
            raise LprkitError(
                f"{self.source} needs TF Select ops ({', '.join(flex)}), which LiteRT alone cannot "
                "run; re-export it with built-in ops only (lprkit.export.tflite unrolls RNNs "
                "and fixes the batch for that)"
            )
        self.num_threads = int(num_threads)
        try:
            self._interp = Interpreter(model_content=content, num_threads=self.num_threads)
            self._interp.allocate_tensors()
        except (RuntimeError, ValueError) as exc:
            raise LprkitError(f"{self.source}: LiteRT cannot load it ({str(exc).splitlines()[0]})") from None
        self.inputs, self.outputs = self._signature_tensors()

    def _signature_tensors(self) -> tuple[list[TensorInfo], list[TensorInfo]]:
        interp = self._interp
        by_index = {d["index"]: d for d in interp.get_input_details()}
        by_index.update({d["index"]: d for d in interp.get_output_details()})
        sigs = interp._get_full_signature_list()  # public get_signature_list drops the indices
        if len(sigs) == 1:
            sig = next(iter(sigs.values()))
            ins = sorted(sig["inputs"].items(), key=lambda kv: _natural_key(kv[0]))
            outs = sorted(sig["outputs"].items(), key=lambda kv: _natural_key(kv[0]))
            return (
                [tensor_info(by_index[i], n) for n, i in ins],
                [tensor_info(by_index[i], n) for n, i in outs],
            )
        # no (or several) signatures: fall back to the interpreter's own order
        return (
            [tensor_info(d, d["name"]) for d in interp.get_input_details()],
            [tensor_info(d, d["name"]) for d in interp.get_output_details()],
        )

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of the first input, batch included (``(1, h, w, c)`` for lprkit exports)."""
        return self.inputs[0].shape

    @property
    def quantized(self) -> bool:
        """True when the first input is integer (a full-integer model)."""
        return self.inputs[0].quantized

    def run_one(self, *arrays: np.ndarray) -> list[np.ndarray]:
        """Run one invocation: each array must match its input's shape exactly."""
        if len(arrays) != len(self.inputs):
            raise InputError(f"the model takes {len(self.inputs)} inputs, got {len(arrays)}")
        for x, info in zip(arrays, self.inputs, strict=True):
            x = np.asarray(x)
            if x.shape != info.shape:
                raise InputError(
                    f"input {info.name!r} has shape {info.shape}; got an array of shape {x.shape}"
                )
            x = quantize(x, info) if info.quantized else x.astype(info.dtype, copy=False)
            self._interp.set_tensor(info.index, np.ascontiguousarray(x))
        self._interp.invoke()
        out = []
        for info in self.outputs:
            y = self._interp.get_tensor(info.index)
            out.append(dequantize(y, info) if info.quantized else np.array(y, dtype=np.float32))
        return out

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        """Run a batch of any size; returns one float32 array per output, batch first.

        A file with a fixed batch of ``b`` is invoked on consecutive slices of ``b`` samples.
        """
        return run_batched(self, arrays)

    def __repr__(self) -> str:
        kind = "int8" if self.quantized else "float"
        return (
            f"LiteRTModel({self.source!r}, {kind}, inputs={[i.shape for i in self.inputs]}, "
            f"outputs={[o.shape for o in self.outputs]}, num_threads={self.num_threads})"
        )


def run_batched(model, arrays: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run ``model.run_one`` over a batch of any size, in slices of the model's fixed batch.

    ``model`` is an edge model (:class:`LiteRTModel`,
    :class:`~lprkit.edge.onnx_runtime.OnnxRuntimeModel`): it has ``inputs`` and ``outputs``
    (:class:`TensorInfo`, batch first; a batch of ``-1`` is free) and ``run_one``, which runs
    arrays of exactly the inputs' shapes. Returns one float32 array per output, batch first.
    """
    arrays = [np.asarray(x, dtype=np.float32) for x in arrays]
    if len(arrays) != len(model.inputs):
        raise InputError(f"the model takes {len(model.inputs)} inputs, got {len(arrays)}")
    n = len(arrays[0])
    for x, info in zip(arrays, model.inputs, strict=True):
        if x.ndim != len(info.shape) or x.shape[1:] != info.shape[1:] or len(x) != n:
            raise InputError(
                f"input {info.name!r} takes arrays of shape (batch, "
                f"{', '.join(map(str, info.shape[1:]))}); got {x.shape}"
            )
    step = model.inputs[0].shape[0]
    if step < 1:  # a free batch: one invocation
        step = max(n, 1)
    if n % step:
        raise InputError(f"the model runs batches of {step}; got {n} samples")
    parts = [model.run_one(*(x[i : i + step] for x in arrays)) for i in range(0, n, step)]
    if not parts:
        return [np.zeros((0, *o.shape[1:]), np.float32) for o in model.outputs]
    return [np.concatenate(p, axis=0) for p in zip(*parts, strict=True)]
