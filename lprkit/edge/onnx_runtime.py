"""Running an ``.onnx`` file with ONNX Runtime: no TensorFlow, only NumPy and ``onnxruntime``.

:class:`OnnxRuntimeModel` has the call contract of :class:`~lprkit.edge.runtime.LiteRTModel`
(float32 arrays in and out, a batch of any size run in slices of the file's fixed batch,
outputs in the exported model's order, ``metadata``, ``inputs``/``outputs`` as
:class:`~lprkit.edge.runtime.TensorInfo`), so :class:`~lprkit.edge.detector.EdgeDetector` and
:class:`~lprkit.edge.recognizer.EdgeRecognizer` run either file without knowing which.

ONNX Runtime picks its hardware through *execution providers* (``CPUExecutionProvider``,
``CUDAExecutionProvider``, ``TensorrtExecutionProvider`` …, in order of preference); which are
available depends on the installed wheel (``onnxruntime`` has the CPU one, ``onnxruntime-gpu``
adds CUDA and TensorRT). The lprkit metadata that :func:`lprkit.export.onnx.export_onnx`
embeds (alphabet, input size, YOLO spec …) is the model's ``metadata_props`` entry ``lprkit``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.edge.runtime import METADATA_NAME, TensorInfo, run_batched
from lprkit.errors import InputError, LprkitError

#: What ONNX Runtime runs on when no providers are asked for.
DEFAULT_PROVIDERS = ("CPUExecutionProvider",)

_DTYPES = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(double)": np.float64,
    "tensor(int8)": np.int8,
    "tensor(uint8)": np.uint8,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
}


def available_providers() -> list[str]:
    """The execution providers the installed ONNX Runtime offers, best first."""
    import onnxruntime as ort

    return list(ort.get_available_providers())


def check_providers(providers: str | Sequence[str] | None) -> tuple[str, ...]:
    """Providers as a tuple (a comma-separated string is split); ``None`` gives the CPU one.

    Raises
    ------
    InputError
        For an empty list or a provider this ONNX Runtime lacks, naming the available ones.
    """
    if providers is None:
        return DEFAULT_PROVIDERS
    if isinstance(providers, str):
        providers = providers.split(",")
    names = tuple(p.strip() for p in providers if p.strip())
    available = available_providers()
    if not names:
        raise InputError(f"no execution provider given; available: {', '.join(available)}")
    unknown = [p for p in names if p not in available]
    if unknown:
        raise InputError(
            f"ONNX Runtime here has no {', '.join(unknown)}; available: {', '.join(available)} "
            "(CUDA and TensorRT need the onnxruntime-gpu wheel)"
        )
    return names


def _tensor_info(arg, index: int) -> TensorInfo:
    shape = tuple(d if isinstance(d, int) and d > 0 else -1 for d in arg.shape)
    if arg.type not in _DTYPES:
        raise LprkitError(f"ONNX tensor {arg.name!r} has type {arg.type}; lprkit runs float models")
    return TensorInfo(arg.name, index, shape, np.dtype(_DTYPES[arg.type]), 0.0, 0)


class OnnxRuntimeModel:
    """An ONNX model run by ONNX Runtime, taking and returning float32 NumPy arrays.

    Parameters
    ----------
    model
        Path to an ``.onnx`` file, or its bytes.
    num_threads
        Intra-op CPU threads; at least 1.
    providers
        Execution providers in order of preference (names or one comma-separated string);
        default the CPU provider. :func:`check_providers` says which exist here.

    Attributes
    ----------
    inputs, outputs
        :class:`~lprkit.edge.runtime.TensorInfo` of each input and output, in graph order
        (a free dimension is ``-1``).
    metadata
        The embedded lprkit metadata (``{}`` when absent).
    providers
        The providers the session runs with.
    """

    def __init__(
        self,
        model: str | Path | bytes,
        num_threads: int = 1,
        providers: str | Sequence[str] | None = None,
    ) -> None:
        import onnxruntime as ort

        if int(num_threads) < 1:
            raise InputError(f"num_threads={num_threads}; use 1 or more")
        names = check_providers(providers)
        self.source = str(model) if isinstance(model, (str, Path)) else "<bytes>"
        if isinstance(model, (str, Path)):
            if not Path(model).is_file():
                raise FileNotFoundError(f"no ONNX model at {model}")
            content = Path(model).read_bytes()
        else:
            content = bytes(model)
        self.size_bytes = len(content)
        self.num_threads = int(num_threads)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.num_threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3  # errors only: no provider chatter on stderr
        try:
            self._session = ort.InferenceSession(content, opts, providers=list(names))
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidProtobuf types
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LprkitError(
                f"{self.source} is not an ONNX model ONNX Runtime can load ({first}); give an "
                ".onnx file written by `lprkit export NAME --out FILE.onnx`"
            ) from None
        self.providers = tuple(self._session.get_providers())
        self.metadata = session_metadata(self._session, self.source)
        self.inputs = [_tensor_info(a, i) for i, a in enumerate(self._session.get_inputs())]
        self.outputs = [_tensor_info(a, i) for i, a in enumerate(self._session.get_outputs())]
        self.ops: dict = {}

    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of the first input, batch included (``(1, h, w, c)`` for lprkit exports)."""
        return self.inputs[0].shape

    @property
    def quantized(self) -> bool:
        """ONNX files from lprkit are float32: always False."""
        return False

    def run_one(self, *arrays: np.ndarray) -> list[np.ndarray]:
        """Run one invocation: each array must match its input's shape (free dims aside)."""
        if len(arrays) != len(self.inputs):
            raise InputError(f"the model takes {len(self.inputs)} inputs, got {len(arrays)}")
        feed = {}
        for x, info in zip(arrays, self.inputs, strict=True):
            x = np.asarray(x)
            fixed = all(a == b or b == -1 for a, b in zip(x.shape, info.shape, strict=False))
            if x.ndim != len(info.shape) or not fixed:
                raise InputError(
                    f"input {info.name!r} has shape {info.shape}; got an array of shape {x.shape}"
                )
            feed[info.name] = np.ascontiguousarray(x.astype(info.dtype, copy=False))
        out = self._session.run([o.name for o in self.outputs], feed)
        return [np.asarray(y, dtype=np.float32) for y in out]

    def __call__(self, *arrays: np.ndarray) -> list[np.ndarray]:
        """Run a batch of any size; returns one float32 array per output, batch first."""
        return run_batched(self, arrays)

    def __repr__(self) -> str:
        return (
            f"OnnxRuntimeModel({self.source!r}, inputs={[i.shape for i in self.inputs]}, "
            f"outputs={[o.shape for o in self.outputs]}, providers={list(self.providers)}, "
            f"num_threads={self.num_threads})"
        )


def session_metadata(session, source: str = "model") -> dict:
    """The lprkit metadata of an ONNX Runtime session's model, or ``{}`` when it has none."""
    raw = session.get_modelmeta().custom_metadata_map.get(METADATA_NAME)
    if raw is None:
        return {}
    try:
        return json.loads(raw)
    except ValueError as err:
        raise LprkitError(f"{source}: the '{METADATA_NAME}' metadata is not valid JSON: {err}") from None


def read_onnx_metadata(model: str | Path | bytes) -> dict:
    """Return the lprkit metadata embedded in an ONNX file, or ``{}`` when it has none."""
    return OnnxRuntimeModel(model).metadata
