"""Measuring exported models for the course's export report (notebook 08).

* :func:`litert_latency` / :func:`time_calls`: median wall-clock and process-CPU milliseconds
  of single-sample LiteRT calls, at a chosen thread count;
* :func:`int8_activation`, :func:`keras_activation`, :func:`plot_quantization`: one layer's
  activations in a full-integer file next to the float model's, to see what calibration chose
  (scale, zero point, the representable range) and what rounding and clipping did;
* :func:`check_target` / :func:`targets_table`: a measured figure against an issue's target;
* :func:`detector_at_input_size`: the same detector weights at another input size (YOLO is
  fully convolutional), e.g. 416 for a latency figure of a detector trained at 320;
* :func:`run_without_tensorflow`: run a module or code in a child Python in which importing
  TensorFlow or Keras fails, to show that :mod:`lprkit.edge` does not need them.

Latency and quantisation helpers run with LiteRT alone; only :func:`keras_activation` and
:func:`detector_at_input_size` import Keras.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lprkit.edge.runtime import (
    LiteRTModel,
    TensorInfo,
    dequantize,
    quantize,
    read_model_bytes,
    tensor_info,
)
from lprkit.errors import InputError, LprkitError

#: Top-level packages the child of :func:`run_without_tensorflow` refuses to import.
BLOCKED_PACKAGES = ("tensorflow", "keras", "tf_keras", "tensorflow_cpu")
_BLOCKED_MARK = "LPRKIT_BLOCKED_IMPORTS="


# --------------------------------------------------------------------------- latency
@dataclass(frozen=True)
class Latency:
    """Median milliseconds per call over ``runs`` timed calls.

    ``cpu_ms`` is process CPU time: on a shared machine the wall clock also counts waiting
    for a core, the CPU time does not (with 2 threads it sums both threads).
    """

    median_ms: float
    cpu_ms: float
    runs: int


def time_calls(fn: Callable[[], object], runs: int = 50, warmup: int = 5) -> Latency:
    """Call ``fn`` ``warmup`` times untimed, then ``runs`` times timed; medians in ms."""
    if int(runs) < 1 or int(warmup) < 0:
        raise InputError(f"runs={runs}, warmup={warmup}; need runs >= 1 and warmup >= 0")
    for _ in range(int(warmup)):
        fn()
    wall, cpu = [], []
    for _ in range(int(runs)):
        t, c = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - t)
    return Latency(1000 * statistics.median(wall), 1000 * statistics.median(cpu), int(runs))


def litert_latency(
    model: str | Path | bytes | LiteRTModel,
    num_threads: int = 1,
    runs: int = 50,
    warmup: int = 5,
    x: np.ndarray | None = None,
) -> Latency:
    """Single-sample latency of a ``.tflite`` file on LiteRT with ``num_threads`` threads.

    Parameters
    ----------
    model
        A path, the file's bytes, or a :class:`LiteRTModel` (its own thread count is used).
    x
        One float input of the file's input shape (batch 1), e.g. a preprocessed crop;
        default seeded uniform noise in [0, 1]. Quantising it is part of the timed call, as it
        is when an application runs the model.
    """
    lite = model if isinstance(model, LiteRTModel) else LiteRTModel(model, num_threads)
    shape = lite.input_shape
    if x is None:
        x = np.random.default_rng(0).random(shape, dtype=np.float32)
    x = np.asarray(x, np.float32)
    if x.shape != shape:
        raise InputError(f"x has shape {x.shape}; the model takes {shape}")
    return time_calls(lambda: lite.run_one(x), runs, warmup)


# --------------------------------------------------------------------------- quantisation
def _layer_pattern(layer_name: str) -> re.Pattern:
    # the converter names tensors after the Keras layers: "<model>_1/<layer>_1/Relu;..."
    return re.compile(rf"(^|/){re.escape(layer_name)}(_\d+)?(/|$)")


def int8_activation(
    model: str | Path | bytes, x: np.ndarray, layer_name: str
) -> tuple[np.ndarray, np.ndarray, TensorInfo]:
    """The int8 output of one layer of a full-integer file, for one input.

    The file is run by a LiteRT interpreter that keeps its intermediate tensors; the tensor
    is found by the Keras layer name the converter writes into tensor names (the first of
    the fused op names, e.g. ``lprnet_1/sbb1_relu_1/Relu;...`` for ``sbb1_relu``).

    Parameters
    ----------
    model
        A full-integer ``.tflite`` file (path or bytes).
    x
        One float input, shape ``(1, h, w, c)``, in the model's range (quantised here).
    layer_name
        Name of the Keras layer whose output to read.

    Returns
    -------
    codes, values, info
        The int8 codes, their dequantised float32 values ``(q - zero_point) * scale``, and the
        tensor's :class:`~lprkit.edge.runtime.TensorInfo`.
    """
    from ai_edge_litert.interpreter import Interpreter

    with warnings.catch_warnings():  # "for debugging purposes only": which this is
        warnings.simplefilter("ignore", UserWarning)
        interp = Interpreter(
            model_content=read_model_bytes(model), experimental_preserve_all_tensors=True
        )
    interp.allocate_tensors()
    inp = tensor_info(interp.get_input_details()[0], "input")
    if not inp.quantized:
        raise LprkitError("int8_activation needs a full-integer file (its input is not int8)")
    x = np.asarray(x, np.float32)
    if x.shape != inp.shape:
        raise InputError(f"x has shape {x.shape}; the model takes {inp.shape}")
    pattern = _layer_pattern(layer_name)
    found = [
        d for d in interp.get_tensor_details()
        if pattern.search(d["name"].split(";")[0]) and d["quantization"][0] > 0
        and len(d["shape"]) >= 2 and d["dtype"] == np.int8
    ]  # fmt: skip
    if not found:
        raise LprkitError(
            f"no int8 activation of layer {layer_name!r} in this file (fused into another op, "
            "or not a layer of this model)"
        )
    interp.set_tensor(inp.index, quantize(x, inp))
    interp.invoke()
    info = tensor_info(found[-1], found[-1]["name"].split(";")[0])
    codes = np.array(interp.get_tensor(info.index))
    return codes, dequantize(codes, info), info


def keras_activation(model, x: np.ndarray, layer_name: str) -> np.ndarray:
    """The float output of layer ``layer_name`` of a functional Keras ``model`` for ``x``."""
    import keras

    try:
        layer = model.get_layer(layer_name)
    except ValueError as err:
        raise InputError(f"model {model.name!r} has no layer {layer_name!r}") from err
    probe = keras.Model(model.inputs[0] if len(model.inputs) == 1 else model.inputs, layer.output)
    return np.asarray(probe(np.asarray(x, np.float32), training=False), np.float32)


def int8_range(info: TensorInfo) -> tuple[float, float]:
    """The float interval an int8 tensor can represent: codes -128 and 127, dequantised."""
    return (-128 - info.zero_point) * info.scale, (127 - info.zero_point) * info.scale


def plot_quantization(
    float_values: np.ndarray,
    dequantized: np.ndarray,
    info: TensorInfo,
    title: str = "",
    max_points: int = 4000,
    seed: int = 0,
):
    """Two panels: the float values' histogram with the int8 range, and float vs dequantised.

    Left: where the float activations lie, shaded where int8 can represent them (values
    outside are clipped). Right: each dequantised value against its float value; the steps
    are one ``scale`` high, and the distance from the diagonal is the quantisation error.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    f = np.asarray(float_values, np.float32).ravel()
    d = np.asarray(dequantized, np.float32).ravel()
    if f.shape != d.shape:
        raise InputError(f"{f.size} float values against {d.size} dequantised values")
    lo, hi = int8_range(info)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.2))
    a.axvspan(lo, hi, color="tab:green", alpha=0.15, label="int8 range")
    a.hist(f, bins=80, color="tab:blue", alpha=0.8, label="float (Keras)")
    a.set_yscale("log")
    a.set_xlabel("activation value")
    a.legend(fontsize=8)
    a.set_title(f"{title}: scale {info.scale:.4g}, zero point {info.zero_point}", fontsize=9)
    pick = np.random.default_rng(seed).permutation(f.size)[:max_points]
    b.plot([f.min(), f.max()], [f.min(), f.max()], color="grey", lw=0.8)
    b.scatter(f[pick], d[pick], s=3, alpha=0.5)
    b.set_xlabel("float (Keras)")
    b.set_ylabel("int8, dequantised (TFLite)")
    b.set_title(f"max |error| {np.max(np.abs(f - d)):.3g}", fontsize=9)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class TargetCheck:
    """A measured figure against a target: met when ``value <= limit``."""

    what: str
    value: float
    limit: float
    unit: str = ""

    @property
    def met(self) -> bool:
        return bool(np.isfinite(self.value)) and self.value <= self.limit


def check_target(what: str, value: float, limit: float, unit: str = "") -> TargetCheck:
    """A :class:`TargetCheck` (lower is better: latency, accuracy lost)."""
    return TargetCheck(str(what), float(value), float(limit), str(unit))


def targets_table(checks: Sequence[TargetCheck]) -> str:
    """One line per check: what, measured, target, met / NOT met."""
    width = max((len(c.what) for c in checks), default=0)
    lines = []
    for c in checks:
        unit = f" {c.unit}" if c.unit else ""
        lines.append(
            f"{c.what.ljust(width)}  {c.value:8.3f}{unit.ljust(4)} (target <= {c.limit:g}{unit}): "
            f"{'met' if c.met else 'NOT met'}"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- detector size
def detector_at_input_size(detector, input_size: int, scale_anchors: bool = True):
    """The same YOLO weights as ``detector`` (a :class:`KerasDetector`) at another input size.

    YOLO is fully convolutional, so only the input layer changes; the heads' grids follow
    (``input_size / stride``). With ``scale_anchors``, anchors grow with the input, so an
    object filling the same share of the letterboxed image keeps the same anchor match.
    The model was trained at its own size: detections at another size are not what its
    card measured (use the result for timing, or measure it).
    """
    import keras

    from lprkit.detection.keras_detector import KerasDetector, custom_objects
    from lprkit.models.yolov4 import check_input_size

    size = check_input_size(input_size)
    config = detector.model.get_config()
    inputs = [layer for layer in config["layers"] if layer["class_name"] == "InputLayer"]
    if len(inputs) != 1:
        raise InputError(f"expected one input layer, found {len(inputs)}")
    old = list(inputs[0]["config"]["batch_shape"])
    inputs[0]["config"]["batch_shape"] = [old[0], size, size, old[3]]
    model = keras.Model.from_config(config, custom_objects=custom_objects())
    model.set_weights(detector.model.get_weights())
    ratio = size / detector.input_size if scale_anchors else 1.0
    anchors = tuple(
        tuple((float(w) * ratio, float(h) * ratio) for w, h in head) for head in detector.spec.anchors
    )
    spec = replace(detector.spec, input_size=size, anchors=anchors)
    model.yolo_spec = spec
    return KerasDetector(
        model, size, detector.class_names, detector.score_threshold, detector.iou_threshold,
        spec=spec, name=f"{detector.name}@{size}",
    )  # fmt: skip


# --------------------------------------------------------------------------- no TensorFlow
_CHILD = textwrap.dedent(
    f"""
    import atexit, importlib.abc, json, runpy, sys
    BLOCKED, attempts = {BLOCKED_PACKAGES!r}, []

    class _Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                attempts.append(name)
                raise ImportError(f"{{name}} is blocked (lprkit.export.report.run_without_tensorflow)")
            return None

    sys.meta_path.insert(0, _Block())
    atexit.register(lambda: print({_BLOCKED_MARK!r} + json.dumps(attempts), file=sys.stderr))
    flag, target, *rest = sys.argv[1:]
    if flag == "-m":
        sys.argv = [target, *rest]
        runpy.run_module(target, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *rest]
        exec(compile(target, "<code>", "exec"), {{"__name__": "__main__"}})
    """
)


@dataclass
class ChildResult:
    """What :func:`run_without_tensorflow` saw: exit code, output, blocked import attempts."""

    returncode: int
    stdout: str
    stderr: str
    blocked_attempts: list[str]


def run_without_tensorflow(
    *args: str, timeout: float = 300, env: dict | None = None
) -> ChildResult:
    """Run ``python -m MODULE ARGS...`` or ``python -c CODE ARGS...`` with TensorFlow blocked.

    A meta-path hook in the child makes every import of ``tensorflow``/``keras`` fail with
    ImportError (as on a device where they are not installed) and records the attempts; the
    lprkit package of this process is put first on the child's ``PYTHONPATH``.

    Parameters
    ----------
    args
        ``"-m", module, *arguments`` or ``"-c", code, *arguments``.
    timeout
        Seconds before the child is killed (``subprocess.TimeoutExpired``).
    env
        Environment of the child (default: this process's).
    """
    if len(args) < 2 or args[0] not in ("-m", "-c"):
        raise InputError(f"give '-m', MODULE, ... or '-c', CODE, ...; got {args[:2]!r}")
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )  # fmt: skip
    attempts, lines = [], []
    for line in proc.stderr.splitlines():
        if line.startswith(_BLOCKED_MARK):
            attempts = json.loads(line[len(_BLOCKED_MARK) :])
        else:
            lines.append(line)
    return ChildResult(proc.returncode, proc.stdout, "\n".join(lines), attempts)
