"""Figures and tables for looking inside a YOLO detector: layers, heads, anchors, targets, results.

Notebook 03 uses them; each returns a ``matplotlib.figure.Figure`` (or an array / rows) so that
tests can check what was drawn without a screen. Matplotlib and OpenCV are imported inside the
functions; nothing here needs TensorFlow except :func:`layer_table`, which reads a Keras model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lprkit.detection.postprocess import YoloSpec
from lprkit.errors import InputError

#: One colour per head stride, the same in YOLOv4 (8, 16, 32) and YOLOv4-tiny (16, 32).
STRIDE_COLOURS = {8: "tab:orange", 16: "tab:blue", 32: "tab:green", 64: "tab:purple"}
#: RGB colours of :func:`draw_detections`.
TRUTH_RGB = (40, 220, 40)
PRED_RGB = (255, 40, 40)

# Layers folded into the row of the convolution they follow.
_FOLDED = ("ZeroPadding2D", "BatchNormalization", "LeakyReLU", "Activation", "ReLU", "InputLayer")


def _shape(layer) -> tuple:
    out = layer.output
    return tuple(out.shape[1:]) if hasattr(out, "shape") else ()


def _describe(layer) -> str:
    kind = type(layer).__name__
    if kind == "Conv2D":
        k, s = layer.kernel_size[0], layer.strides[0]
        return f"conv {k}x{k}/{s}"
    if kind == "MaxPooling2D":
        return f"maxpool {layer.pool_size[0]}/{layer.strides[0]}"
    if kind == "UpSampling2D":
        return f"upsample x{layer.size[0]}"
    if kind == "ChannelGroup":
        return f"route: half {layer.group_id + 1} of {layer.groups}"
    if kind == "Concatenate":
        return f"concat {len(layer.input)}"
    if kind == "Add":
        return "residual add"
    if kind == "Identity":
        return "output (raw head)"
    return kind


def layer_table(model) -> list[tuple[str, str, tuple, int]]:
    """A compact layer table of a Darknet-style Keras model: one row per block, not per layer.

    A convolution's padding, BatchNorm and activation are folded into its row (the
    description ends with the activation), as a Darknet ``.cfg`` lists them.

    Parameters
    ----------
    model
        A model from :mod:`lprkit.models.yolov4` or :func:`lprkit.models.darknet.model_from_cfg`.

    Returns
    -------
    list of (name, description, output shape, parameters)
        Parameters include BatchNorm's running statistics (as Darknet's ``.weights`` stores
        them), so the last column sums to ``model.count_params()``.
    """
    rows: list[list] = []
    index: dict[str, list] = {}
    for layer in model.layers:
        kind = type(layer).__name__
        params = int(layer.count_params()) if layer.built else 0
        owner = index.get(layer.name.rsplit("_", 1)[0])  # conv_012_bn -> conv_012
        if kind in _FOLDED and owner is not None:
            owner[3] += params
            owner[2] = _shape(layer)
            if kind in ("LeakyReLU", "Activation", "ReLU"):
                owner[1] += " " + layer.name.rsplit("_", 1)[-1]
            continue
        if kind in _FOLDED and not params:  # the input, a convolution's padding
            continue
        row = [layer.name, _describe(layer), _shape(layer), params]
        rows.append(row)
        index[layer.name] = row
    return [(n, d, s, p) for n, d, s, p in rows]


def _axes(ax, ncols: int = 1, figsize=(6, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, axes = plt.subplots(1, ncols, figsize=figsize, squeeze=False)
        return fig, list(axes[0])
    axes = list(np.ravel(ax)) if isinstance(ax, Sequence | np.ndarray) else [ax]
    if len(axes) != ncols:
        raise InputError(f"expected {ncols} axes, got {len(axes)}")
    return axes[0].figure, axes


def plot_heads(spec: YoloSpec, centre: tuple[float, float] | None = None, ax=None):
    """One panel per head: the input canvas, its grid of cells and its anchors.

    Each head divides the ``input_size`` square into ``input_size / stride`` cells; every cell
    predicts one box per anchor of that head. Anchors are drawn at their true size, centred
    on the cell that holds ``centre`` (default: the middle of the input).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Rectangle

    size = spec.input_size
    cx, cy = centre if centre is not None else (size / 2, size / 2)
    if not (0 <= cx < size and 0 <= cy < size):
        raise InputError(f"centre {centre} is outside the {size}x{size} input")
    n = spec.num_heads
    fig, axes = _axes(ax, n, figsize=(4.2 * n, 4.4))
    for h, a in enumerate(axes):
        stride, grid = spec.strides[h], spec.grid_sizes()[h]
        colour = STRIDE_COLOURS.get(stride, "tab:red")
        a.add_patch(Rectangle((0, 0), size, size, facecolor="0.93", edgecolor="k"))
        for k in range(1, grid):
            a.axhline(k * stride, color="0.7", lw=0.5)
            a.axvline(k * stride, color="0.7", lw=0.5)
        col, row = int(cx // stride), int(cy // stride)
        a.add_patch(Rectangle((col * stride, row * stride), stride, stride, color=colour, alpha=0.5))
        ccx, ccy = (col + 0.5) * stride, (row + 0.5) * stride
        for w, ah in spec.anchors[h]:
            a.add_patch(Rectangle((ccx - w / 2, ccy - ah / 2), w, ah, fill=False, ec=colour, lw=1.5))
        a.set_xlim(-0.02 * size, 1.02 * size)
        a.set_ylim(1.02 * size, -0.02 * size)  # image coordinates: y down
        a.set_aspect("equal")
        a.set_title(f"stride {stride}: {grid}x{grid} cells, {len(spec.anchors[h])} anchors",
                    fontsize=10)  # fmt: skip
        a.set_xticks([0, size])
        a.set_yticks([0, size])
    fig.tight_layout()
    return fig


def plot_anchor_fit(wh: np.ndarray, anchors: Mapping[str, np.ndarray] | np.ndarray, ax=None):
    """Scatter of box sizes with anchor sets on top, each labelled with its mean best IoU.

    Parameters
    ----------
    wh
        ``(N, 2)`` box widths and heights in network-input pixels.
    anchors
        One ``(K, 2)`` anchor array, or a mapping name -> array to compare several sets.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from lprkit.detection.anchors import mean_best_iou

    wh = np.asarray(wh, dtype=np.float64)
    if wh.ndim != 2 or wh.shape[1] != 2 or not len(wh):
        raise InputError(f"wh must be a non-empty (N, 2) array of sizes, got shape {wh.shape}")
    sets = dict(anchors) if isinstance(anchors, Mapping) else {"anchors": anchors}
    fig, (a,) = _axes(ax, 1, figsize=(6, 4.2))
    a.scatter(wh[:, 0], wh[:, 1], s=6, alpha=0.35, color="0.4", label=f"{len(wh)} boxes")
    markers = "o^sD"
    for i, (name, anc) in enumerate(sets.items()):
        anc = np.asarray(anc, dtype=np.float64).reshape(-1, 2)
        iou = mean_best_iou(wh, anc)
        a.scatter(anc[:, 0], anc[:, 1], s=70, marker=markers[i % 4], edgecolor="k",
                  label=f"{name}: mean best IoU {iou:.2f}")  # fmt: skip
    a.set_xlabel("box width (input px)")
    a.set_ylabel("box height (input px)")
    a.legend(fontsize=8)
    a.grid(True, alpha=0.3)
    fig.tight_layout()
    return fig


def responsible_cells(heads: Sequence[np.ndarray], spec: YoloSpec) -> np.ndarray:
    """Where one image's targets put each box: ``(K, 8)`` rows ``head, row, col, anchor, x1..y2``.

    ``heads`` are one image's targets as :func:`~lprkit.detection.targets.build_targets`
    returns them (``(H, W, A, 5 + C)`` per head, no batch axis).
    """
    if len(heads) != spec.num_heads:
        raise InputError(f"{len(heads)} target arrays for a model with {spec.num_heads} heads")
    rows = []
    for h, (t, g) in enumerate(zip(heads, spec.grid_sizes(), strict=True)):
        t = np.asarray(t)
        want = (g, g, len(spec.anchors[h]), 5 + spec.num_classes)
        if t.shape != want:
            raise InputError(f"head {h} targets have shape {t.shape}, expected {want}")
        for r, c, a in zip(*np.nonzero(t[..., 4] > 0), strict=True):
            rows.append([h, r, c, a, *t[r, c, a, :4]])
    return np.array(rows, dtype=np.float64).reshape(-1, 8)


def _as_uint8(image) -> np.ndarray:
    img = np.asarray(image)
    if img.ndim != 3 or img.shape[2] != 3:
        raise InputError(f"expected an RGB image of shape (H, W, 3), got {img.shape}")
    if img.dtype == np.uint8:
        return img
    if np.issubdtype(img.dtype, np.floating) and img.min() >= 0 and img.max() <= 1:
        return (img * 255).round().astype(np.uint8)
    raise InputError(f"expected uint8 or float in [0, 1] pixels, got {img.dtype}")


def plot_targets(image, heads: Sequence[np.ndarray], spec: YoloSpec, ax=None):
    """One training image with its targets: the boxes, the cells and the anchors that learn them.

    Each box is drawn in white; each (head, cell, anchor) responsible for it gets its cell
    filled and the anchor drawn at the cell centre, coloured by head.

    Parameters
    ----------
    image
        The letterboxed network input, uint8 or float in [0, 1], ``(S, S, 3)``.
    heads
        That image's targets (no batch axis).
    spec
        The model's decoding spec.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.patches import Patch, Rectangle

    img = _as_uint8(image)
    if img.shape[:2] != (spec.input_size, spec.input_size):
        raise InputError(f"image is {img.shape[:2]}, the model input is {spec.input_size} square")
    cells = responsible_cells(heads, spec)
    fig, (a,) = _axes(ax, 1, figsize=(5, 5))
    a.imshow(img)
    for h, r, c, k, x1, y1, x2, y2 in cells:
        h, r, c, k = int(h), int(r), int(c), int(k)
        s = spec.strides[h]
        colour = STRIDE_COLOURS.get(s, "tab:red")
        a.add_patch(Rectangle((c * s, r * s), s, s, color=colour, alpha=0.35))
        w, ah = spec.anchors[h][k]
        a.add_patch(Rectangle(((c + 0.5) * s - w / 2, (r + 0.5) * s - ah / 2), w, ah, fill=False,
                              ec=colour, lw=1, ls="--"))  # fmt: skip
        a.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ec="white", lw=1.2))
    handles = [Patch(color=STRIDE_COLOURS.get(s, "tab:red"), alpha=0.6, label=f"stride {s}")
               for s in spec.strides]  # fmt: skip
    a.legend(handles=handles, fontsize=7, loc="lower right")
    n_boxes = len({tuple(row[4:]) for row in cells})
    a.set_title(f"{n_boxes} box{'es' if n_boxes != 1 else ''}, {len(cells)} responsible anchors",
                fontsize=9)  # fmt: skip
    a.axis("off")
    return fig


LOSS_KEYS = ("loss", "loss_box", "loss_obj", "loss_cls", "val_loss")
METRIC_KEYS = ("val_map50", "val_map50_95", "val_recall", "val_precision")


def plot_history(history: Mapping[str, Sequence[float]], ax=None):
    """Loss parts (log scale) and validation metrics per epoch, from a training history.

    Parameters
    ----------
    history
        ``TrainResult.history`` / the ``history`` of a training summary: lists per key, one
        value per epoch (``loss`` is required; ``loss_*``, ``val_*`` are drawn when present).
    ax
        Two axes to draw into (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if "loss" not in history or not len(history["loss"]):
        raise InputError(f"history needs a non-empty 'loss' list; keys: {sorted(history)}")
    n = len(history["loss"])
    bad = {k: len(v) for k, v in history.items() if len(v) != n}
    if bad:
        raise InputError(f"every history list needs {n} values (one per epoch); got {bad}")
    epochs = np.arange(1, n + 1)
    fig, (a, b) = _axes(ax, 2, figsize=(11, 3.6))
    for key in LOSS_KEYS:
        if key in history:
            a.plot(epochs, history[key], "o-" if n < 30 else "-", ms=3, label=key)
    a.set_yscale("log")
    a.set_xlabel("epoch")
    a.set_title("loss per image", fontsize=10)
    a.legend(fontsize=8)
    for key in METRIC_KEYS:
        if key in history:
            b.plot(epochs, history[key], "o-" if n < 30 else "-", ms=3, label=key[4:])
    b.set_ylim(-0.02, 1.02)
    b.set_xlabel("epoch")
    b.set_title("validation", fontsize=10)
    if any(k in history for k in METRIC_KEYS):
        b.legend(fontsize=8)
    for axis in (a, b):
        axis.grid(True, alpha=0.3)
        axis.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


def plot_pr_curves(results: Mapping, class_id: int = 0, ax=None):
    """Precision-recall curves at IoU 0.5 of one or more detectors, with their operating points.

    Parameters
    ----------
    results
        Name -> :class:`~lprkit.detection.metrics.DetectionMetrics`. The curve is the
        interpolated (COCO 101-point) precision; the dot is precision and recall at the
        metrics' ``score_threshold``.
    class_id
        Which class's curve to draw.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not results:
        raise InputError("plot_pr_curves needs at least one name -> DetectionMetrics")
    fig, (a,) = _axes(ax, 1, figsize=(5.2, 4.2))
    for i, (name, m) in enumerate(results.items()):
        pr = np.asarray(m.pr_precision)
        if pr.ndim != 2 or pr.shape[1] != len(m.pr_recall) or not 0 <= class_id < len(pr):
            raise InputError(
                f"{name}: pr_precision of shape {pr.shape} has no class {class_id} curve over "
                f"{len(m.pr_recall)} recall points"
            )
        colour = f"C{i}"
        a.plot(m.pr_recall, pr[class_id], color=colour,
               label=f"{name}: AP50 {m.ap[class_id, 0]:.2f}")  # fmt: skip
        a.plot([m.recall], [m.precision], "o", color=colour, ms=6)
    a.set_xlim(0, 1.01)
    a.set_ylim(0, 1.02)
    a.set_xlabel("recall")
    a.set_ylabel("precision")
    a.set_title("precision-recall at IoU 0.5 (dot: score threshold)", fontsize=10)
    a.grid(True, alpha=0.3)
    a.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def draw_detections(
    image: np.ndarray,
    predictions: np.ndarray,
    truth: np.ndarray | None = None,
    score_threshold: float = 0.25,
    thickness: int | None = None,
) -> np.ndarray:
    """A copy of ``image`` with true boxes (green) and detections (red, with their score).

    Parameters
    ----------
    image
        RGB uint8 ``(H, W, 3)``.
    predictions
        ``(N, 6)`` ``x1, y1, x2, y2, score, class`` in the image's pixels (as
        ``KerasDetector.predict_arrays`` returns them); rows under ``score_threshold`` are
        not drawn.
    truth
        ``(M, 4)`` or ``(M, 5)`` true boxes, or ``None``.

    Returns
    -------
    numpy.ndarray
        RGB uint8, the shape of ``image``.
    """
    import cv2

    img = _as_uint8(image)
    pred = np.asarray(predictions, dtype=np.float64)
    pred = pred.reshape(-1, pred.shape[-1] if pred.size else 6)
    if pred.shape[1] != 6:
        raise InputError(f"predictions must be (N, 6) x1, y1, x2, y2, score, class; got {pred.shape}")
    out = np.ascontiguousarray(img.copy())
    t = thickness or max(1, round(max(out.shape[:2]) / 300))
    if truth is not None:
        gt = np.asarray(truth, dtype=np.float64)
        gt = gt.reshape(-1, gt.shape[-1] if gt.size else 4)
        if gt.shape[1] not in (4, 5):
            raise InputError(f"truth must be (M, 4) or (M, 5) boxes, got {gt.shape}")
        for x1, y1, x2, y2 in gt[:, :4]:
            cv2.rectangle(out, (int(x1), int(y1)), (int(x2), int(y2)), TRUTH_RGB, t)
    scale = max(0.35, max(out.shape[:2]) / 1000)
    for x1, y1, x2, y2, score, _ in pred[pred[:, 4] >= score_threshold]:
        cv2.rectangle(out, (int(x1), int(y1)), (int(x2), int(y2)), PRED_RGB, t)
        cv2.putText(out, f"{score:.2f}", (int(x1), max(int(y1) - 3, 8)), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, PRED_RGB, max(1, t - 1), cv2.LINE_AA)  # fmt: skip
    return out


def image_grid(images: Sequence[np.ndarray], titles: Sequence[str] | None = None, cols: int = 3,
               width: float = 12.0):  # fmt: skip
    """Show images in a grid of ``cols`` columns, titled; returns the figure."""
    import matplotlib.pyplot as plt

    if not len(images):
        raise InputError("image_grid needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise InputError(f"{len(titles)} titles for {len(images)} images")
    cols = max(1, min(int(cols), len(images)))
    rows = -(-len(images) // cols)
    first = np.asarray(images[0])
    aspect = first.shape[0] / first.shape[1]
    fig, axes = plt.subplots(rows, cols, figsize=(width, width / cols * aspect * rows + 0.4 * rows),
                             squeeze=False)  # fmt: skip
    for a in axes.flat:
        a.axis("off")
    for i, (a, im) in enumerate(zip(axes.flat, images, strict=False)):
        a.imshow(im)
        if titles is not None:
            a.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def figure_jpeg(fig, quality: int = 85, close: bool = True) -> bytes:
    """The figure as JPEG bytes, for photo grids that would make a notebook's PNGs heavy.

    In a notebook: ``display(Image(figure_jpeg(fig)))``. With ``close`` the figure is closed,
    so that the inline backend does not show it a second time as PNG.
    """
    import io

    import matplotlib.pyplot as plt

    if not 1 <= int(quality) <= 95:
        raise InputError(f"JPEG quality must be in 1..95, got {quality}")
    buf = io.BytesIO()
    fig.savefig(buf, format="jpeg", pil_kwargs={"quality": int(quality)})
    if close:
        plt.close(fig)
    return buf.getvalue()
