"""Which runtime runs a model file: LiteRT for ``.tflite``, ONNX Runtime for ``.onnx``.

Both wrappers (:class:`~lprkit.edge.runtime.LiteRTModel`,
:class:`~lprkit.edge.onnx_runtime.OnnxRuntimeModel`) take and return float32 arrays and carry
lprkit's metadata, so the edge detector and recogniser take either; :func:`open_model` picks
the wrapper from the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lprkit.errors import InputError, LprkitError

#: Edge runtimes and the file suffix each runs.
EDGE_BACKENDS = {"litert": ".tflite", "onnxruntime": ".onnx"}


def is_runtime_model(obj) -> bool:
    """True for an already opened edge model (it has inputs, outputs, metadata and run_one)."""
    return all(hasattr(obj, a) for a in ("inputs", "outputs", "metadata", "run_one"))


def backend_of(model: str | Path | bytes) -> str:
    """``"litert"`` or ``"onnxruntime"`` for a model file (by suffix) or its bytes.

    Raises
    ------
    InputError
        For a path that ends in neither ``.tflite`` nor ``.onnx``.
    """
    if isinstance(model, (bytes, bytearray, memoryview)):
        return "litert" if bytes(model[4:8]) == b"TFL3" else "onnxruntime"
    suffix = Path(model).suffix.lower()
    for backend, ext in EDGE_BACKENDS.items():
        if suffix == ext:
            return backend
    raise InputError(f"{model}: an edge model file ends in .tflite (LiteRT) or .onnx (ONNX Runtime)")


def open_model(
    model,
    num_threads: int = 1,
    providers: str | Sequence[str] | None = None,
):
    """An edge model for a ``.tflite``/``.onnx`` path or bytes; an opened model is returned as is.

    Parameters
    ----------
    model
        A path, file bytes, or a :class:`~lprkit.edge.runtime.LiteRTModel` /
        :class:`~lprkit.edge.onnx_runtime.OnnxRuntimeModel`.
    num_threads
        CPU threads of the runtime.
    providers
        ONNX Runtime execution providers; refused for a ``.tflite`` file.
    """
    if is_runtime_model(model):
        return model
    backend = backend_of(model)
    if backend == "onnxruntime":
        from lprkit.edge.onnx_runtime import OnnxRuntimeModel

        return OnnxRuntimeModel(model, num_threads=num_threads, providers=providers)
    if providers is not None:
        raise InputError(
            "execution providers apply to ONNX Runtime (.onnx files, --backend onnxruntime), "
            f"not to the LiteRT file {model if isinstance(model, (str, Path)) else '<bytes>'}"
        )
    from lprkit.edge.runtime import LiteRTModel

    return LiteRTModel(model, num_threads=num_threads)


def read_model_metadata(path: str | Path) -> dict:
    """The lprkit metadata of a ``.tflite`` or ``.onnx`` file (``{}`` when it has none)."""
    if backend_of(path) == "onnxruntime":
        from lprkit.edge.onnx_runtime import read_onnx_metadata

        return read_onnx_metadata(path)
    from lprkit.edge.runtime import read_metadata

    if not Path(path).is_file():
        raise LprkitError(f"no model file at {path}")
    return read_metadata(path)
