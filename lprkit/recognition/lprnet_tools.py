"""Looking inside a CNN recogniser and comparing it with others (notebook 05).

* :func:`stage_table` groups LPRNet's layers into the stages of the paper's table (stem,
  small basic blocks, pools, the 4x1 and 1x13 convolutions, the context branch), with their
  output shapes and parameter counts;
* :func:`multiply_adds` counts the multiply-accumulates of a forward pass (convolutions,
  Dense and recurrent layers), the work that decides CPU latency more than parameters do;
* :func:`receptive_fields` computes, for every layer of a functional model, how many input
  pixels (height x width) one output position can see, and how far apart neighbouring
  positions are in the input: what "wide horizontal kernels" buy, in pixels;
* :func:`read_history` / :func:`plot_history` show a training run from its checkpoint folder;
* :func:`compare_batch_sizes` runs :func:`~lprkit.recognition.compare.compare_recognizers` at
  several batch sizes and joins the latencies, parameter counts and checkpoint sizes into one
  table; :func:`checkpoint_mb` is the size of a checkpoint on disk.

Only :func:`plot_history` and :func:`compare_batch_sizes` import heavy libraries (matplotlib,
tqdm), inside the functions; nothing here imports TensorFlow.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from lprkit.errors import InputError

#: A layer belongs to the stage its name starts with (``sbb1_3x1`` -> ``sbb1``); layers
#: whose names match none of these are stages of their own (``pool2``, ``logits`` ...).
STAGE_PATTERN = re.compile(r"^(stn|stem|sbb\d+|context\d+|conv_[0-9x]+)(?:_|$)")

#: Layers whose every output position depends on every input position (recurrent layers are
#: counted here too: a step of a bidirectional RNN depends on the whole sequence).
GLOBAL_LAYERS = (
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "AffineSampler",
    "Bidirectional", "LSTM", "GRU", "SimpleRNN",
)  # fmt: skip
#: Gates per recurrent cell: each gate is one input and one recurrent matrix product.
RNN_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
WINDOW_LAYERS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "MaxPooling2D", "AveragePooling2D")


def _stage(name: str) -> str:
    m = STAGE_PATTERN.match(name)
    return m.group(1) if m else name


def _kernel(layer) -> str:
    """``3x1`` for a (3, 1) convolution kernel (height x width), ``""`` for other layers."""
    size = getattr(layer, "kernel_size", None)
    return "x".join(str(int(v)) for v in size) if size is not None else ""


def _rnn_macs(cell, steps: int, features: int) -> int:
    units = int(cell.units)
    return steps * RNN_GATES[type(cell).__name__] * units * (features + units)


def layer_multiply_adds(layer) -> int:
    """Multiply-accumulate operations of one layer for one input image (batch 1).

    Counts convolutions (``out_h x out_w x out_c x kernel_h x kernel_w x in_c / groups``),
    depthwise convolutions, Dense layers (per position) and LSTM / GRU / SimpleRNN layers,
    bidirectional or not (``steps x gates x units x (features + units)`` per direction).
    Everything else (BatchNorm, pooling, activations, the STN sampler) counts 0: cheap
    element-wise or gathering work next to the matrix products.
    """
    kind = type(layer).__name__
    if kind not in ("Conv2D", "DepthwiseConv2D", "Dense", "Bidirectional", *RNN_GATES):
        return 0
    in_shape, out_shape = tuple(layer.input.shape), tuple(layer.output.shape)
    if kind in ("Conv2D", "DepthwiseConv2D"):
        kh, kw = _pair(layer.kernel_size)
        positions = int(out_shape[1]) * int(out_shape[2]) * int(out_shape[3])
        per_output = kh * kw * (1 if kind == "DepthwiseConv2D" else in_shape[-1] // layer.groups)
        return positions * int(per_output)
    if kind == "Dense":
        positions = 1
        for d in out_shape[1:-1]:
            positions *= int(d)
        return positions * int(in_shape[-1]) * int(out_shape[-1])
    steps, features = int(in_shape[1]), int(in_shape[-1])
    if kind == "Bidirectional":
        cells = (layer.forward_layer, layer.backward_layer)
        return sum(_rnn_macs(c, steps, features) for c in cells)
    return _rnn_macs(layer, steps, features)


def multiply_adds(model) -> int:
    """Multiply-accumulates of a forward pass at batch 1 (see :func:`layer_multiply_adds`)."""
    return sum(layer_multiply_adds(layer) for layer in model.layers)


def stage_table(model) -> list[dict]:
    """Layers grouped into stages by name, with shapes and parameter counts.

    Parameters
    ----------
    model
        A ``keras.Model`` whose layer names follow :mod:`lprkit.models.lprnet` (any model
        works: unknown names become one-layer stages).

    Returns
    -------
    list of dict
        ``{"stage", "layers", "kernels", "output", "params", "macs"}`` in the order in which the
        stages first appear among ``model.layers``: the number
        of layers, the convolution kernels (``"1x1 3x1 1x3 1x1"``), the output shape of the
        stage's last layer without the batch axis, the stage's parameter count (the
        counts add up to ``model.count_params()``) and its multiply-accumulates per image
        (:func:`layer_multiply_adds`).
    """
    rows: dict[str, dict] = {}
    for layer in model.layers:  # topological order: a stage's layers may interleave
        stage = _stage(layer.name)
        row = rows.setdefault(
            stage,
            {"stage": stage, "layers": 0, "kernels": [], "output": None, "params": 0, "macs": 0},
        )
        row["layers"] += 1
        if _kernel(layer):
            row["kernels"].append(_kernel(layer))
        row["output"] = tuple(layer.output.shape[1:])
        row["params"] += int(layer.count_params())
        row["macs"] += layer_multiply_adds(layer)
    for row in rows.values():
        row["kernels"] = " ".join(row["kernels"])
    return list(rows.values())


@dataclass(frozen=True)
class Field:
    """What one output position of a layer sees of the input image.

    Attributes
    ----------
    height, width
        Receptive field in input pixels (may exceed the image: padding counts).
    step_y, step_x
        Input pixels between neighbouring output positions (the layer's total stride).
    whole
        True when every output depends on the whole input (global pooling, flattening,
        a spatial transformer).
    """

    height: int
    width: int
    step_y: int
    step_x: int
    whole: bool = False

    def clipped(self, input_hw: tuple[int, int]) -> tuple[int, int]:
        """``(height, width)`` limited to the input size (the whole input when ``whole``)."""
        h, w = input_hw
        if self.whole:
            return h, w
        return min(self.height, h), min(self.width, w)


def _parents(layer_config: dict) -> list[str]:
    """Names of the layers feeding ``layer_config`` (from its serialised inbound nodes)."""
    found: list[str] = []

    def walk(obj) -> None:
        if isinstance(obj, dict):
            cfg = obj.get("config")
            history = cfg.get("keras_history") if isinstance(cfg, dict) else None
            if obj.get("class_name") == "__keras_tensor__" and history:
                found.append(history[0])
                return
            for v in obj.values():
                walk(v)
        elif isinstance(obj, (list, tuple)):  # serialised args are tuples
            for v in obj:
                walk(v)

    walk(layer_config.get("inbound_nodes", []))
    return found


def _pair(v) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


def receptive_fields(model) -> dict[str, Field]:
    """Receptive field and total stride of every layer of a functional Keras model.

    Windowed layers (convolutions, pools) grow the field by ``(kernel - 1) x step`` and
    multiply the step by their stride; layers that combine several inputs take the largest
    field of their inputs; after a ``Permute`` that puts the width first, kernels apply to
    the other image axes (fields are always given as image height and width);
    global pooling, flattening, a spatial transformer and recurrent layers see the whole
    input; other layers (BatchNorm, activations, dropout, ScaleNorm, reshapes that do not
    reorder axes, per-position Dense) keep it. Scalar statistics computed over the whole map
    (BatchNorm in training, ScaleNorm's RMS) are not counted.

    Returns
    -------
    dict
        Layer name -> :class:`Field`.

    Raises
    ------
    ValueError
        For a model without a functional layer graph (a subclassed model).
    """
    config = model.get_config()
    if "layers" not in config or not isinstance(config["layers"], list):
        raise InputError(f"{model.name}: receptive_fields needs a functional or Sequential model")
    fields: dict[str, Field] = {}
    order: dict[str, tuple[int, int]] = {}  # image axis (0 height, 1 width) of tensor axes 1, 2
    previous = None
    for lc in config["layers"]:  # serialised in topological order
        name, kind, cfg = lc["config"]["name"], lc["class_name"], lc["config"]
        parents = _parents(lc) or ([previous] if previous and "inbound_nodes" not in lc else [])
        previous = name
        if not parents:  # an input
            fields[name], order[name] = Field(1, 1, 1, 1), (0, 1)
            continue
        ins = [fields[p] for p in parents]
        rf = [max(i.height for i in ins), max(i.width for i in ins)]
        step = [max(i.step_y for i in ins), max(i.step_x for i in ins)]
        whole = any(i.whole for i in ins) or kind in GLOBAL_LAYERS
        axes = order[parents[0]]
        if kind == "Permute" and tuple(cfg.get("dims", ()))[:2] == (2, 1):  # width first
            axes = (axes[1], axes[0])
        elif kind in WINDOW_LAYERS:
            kernel = _pair(cfg.get("kernel_size", cfg.get("pool_size")))
            dilation = _pair(cfg.get("dilation_rate", 1))
            strides = cfg.get("strides")
            strides = _pair(strides) if strides is not None else kernel  # pools: stride = size
            for t, a in enumerate(axes):  # tensor axis t holds image axis a
                rf[a] += dilation[t] * (kernel[t] - 1) * step[a]
                step[a] *= strides[t]
        fields[name], order[name] = Field(rf[0], rf[1], step[0], step[1], whole), axes
    return fields


def read_history(work_dir: str | os.PathLike) -> dict[str, list[float]]:
    """The per-epoch history of a training run from its checkpoint folder.

    ``work_dir`` is the ``checkpoint_dir`` of :func:`~lprkit.recognition.train.train_recognizer`
    (``work_dir`` of :func:`~lprkit.recognition.recipe.train_plate_recognizer`): the history
    is in ``last/state.json``, over every resumed run.
    """
    path = Path(work_dir) / "last" / "state.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: {work_dir} holds no finished training epoch")
    history = json.loads(path.read_text(encoding="utf-8")).get("history")
    if not history:
        raise InputError(f"{path} has no 'history' entry")
    return history


def plot_history(history: dict[str, Sequence[float]], title: str | None = None):
    """Loss and validation accuracy against training minutes, one point per epoch.

    The x axis is cumulative wall-clock time (the ``seconds`` of each epoch) when the
    history has it, else the epoch number: budgeted runs are compared by time.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: CTC loss (train, validation) and validation exact plates / CER.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    n = len(history.get("loss", []))
    if n == 0:
        raise InputError("the history has no 'loss' values to plot")
    if len(history.get("seconds", [])) == n:
        x, xlabel = np.cumsum(history["seconds"]) / 60.0, "training minutes (end of each epoch)"
    else:
        x, xlabel = np.arange(1, n + 1), "epoch"
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
    for key, label in (("loss", "train"), ("val_loss", "validation")):
        if len(history.get(key, [])) == n:
            ax1.plot(x, history[key], "o-", label=label)
    ax1.set_ylabel("CTC loss")
    losses = [v for line in ax1.lines for v in line.get_ydata() if v > 0]
    if losses and max(losses) > 10 * min(losses):  # log only when it spans a decade
        ax1.set_yscale("log")
    top = 1.0
    for key, label in (("val_exact", "exact plates"), ("val_cer", "CER")):
        if len(history.get(key, [])) == n:
            ax2.plot(x, history[key], "o-", label=label)
            top = max(top, *history[key])  # an untrained model's CER can exceed 1
    ax2.set_ylim(-0.03, top + 0.03)
    for ax in (ax1, ax2):
        ax.set_xlabel(xlabel)
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    ax2.set_title("validation")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def checkpoint_mb(path: str | os.PathLike) -> float:
    """Size on disk of a checkpoint folder (all its files) or a single file, in MB (1e6 bytes)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_size / 1e6
    if not path.is_dir():
        raise FileNotFoundError(f"no checkpoint at {path}")
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def compare_batch_sizes(
    recognizers: Sequence,
    crops: Sequence | Mapping,
    texts: Sequence[str],
    styles: Sequence[str] | None = None,
    batch_sizes: Sequence[int] = (1, 64),
    warmup: int = 3,
    sizes_mb: dict[str, float] | None = None,
):
    """Accuracy, latency at several batch sizes, parameters and size of each recogniser.

    Runs :func:`~lprkit.recognition.compare.compare_recognizers` once per batch size (the
    readings, hence the accuracy, come from the first) and adds the columns ``ms_b{B}``
    (mean ms per plate at batch ``B``), ``params`` and ``mmacs`` (parameters and millions of
    multiply-accumulates per plate, when the recogniser has a Keras ``model``; else None)
    and ``mb`` (from ``sizes_mb``, by name). ``crops`` is a list, or ``{two_line_top: crops}``
    as :func:`~lprkit.recognition.compare.compare_recognizers` takes it.

    Returns
    -------
    ComparisonTable
        The first batch size's table with the extra columns; ``table.extra_columns`` lists
        them in display order.
    """
    from lprkit.recognition.compare import compare_recognizers

    if not batch_sizes:
        raise InputError("give at least one batch size")
    tables = [
        compare_recognizers(recognizers, crops, texts, styles, warmup=warmup, batch_size=b)
        for b in batch_sizes
    ]
    first = tables[0]
    sizes_mb = sizes_mb or {}
    for i, row in enumerate(first):
        rec = recognizers[i]
        for b, table in zip(batch_sizes, tables, strict=True):
            row[f"ms_b{b}"] = table[i]["ms_mean"]
        model = getattr(rec, "model", None)
        keras_model = hasattr(model, "count_params")
        row["params"] = int(model.count_params()) if keras_model else None
        row["mmacs"] = multiply_adds(model) / 1e6 if keras_model else None
        row["mb"] = sizes_mb.get(row["name"])
    first.extra_columns = [f"ms_b{b}" for b in batch_sizes] + ["params", "mmacs", "mb"]
    return first
