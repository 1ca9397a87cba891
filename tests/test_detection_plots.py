"""Figures and tables of lprkit.detection.plots: what they draw, and the errors they raise."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lprkit.detection.metrics import evaluate_detections  # noqa: E402
from lprkit.detection.plots import (  # noqa: E402
    PRED_RGB,
    TRUTH_RGB,
    draw_detections,
    figure_jpeg,
    image_grid,
    layer_table,
    plot_anchor_fit,
    plot_heads,
    plot_history,
    plot_pr_curves,
    plot_targets,
    responsible_cells,
)
from lprkit.detection.postprocess import YoloSpec  # noqa: E402
from lprkit.detection.targets import build_targets  # noqa: E402

SPEC = YoloSpec(
    input_size=64,
    num_classes=1,
    anchors=(((6, 4), (10, 6), (14, 8)), ((20, 10), (30, 16), (48, 24))),
    strides=(16, 32),
    scale_xy=(1.05, 1.05),
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_layer_table_folds_blocks_and_sums_to_the_model():
    from lprkit.models.yolov4 import yolov4_tiny

    model = yolov4_tiny(64, num_classes=1)
    rows = layer_table(model)
    assert sum(r[3] for r in rows) == model.count_params()
    assert len(rows) < len(model.layers)  # BatchNorm, activations, padding folded away
    by_name = {r[0]: r for r in rows}
    assert by_name["conv_000"][1] == "conv 3x3/2 leaky"
    assert by_name["conv_000"][2] == (32, 32, 32)  # after its activation
    assert by_name["conv_000"][3] == 3 * 3 * 3 * 32 + 4 * 32  # kernel + BatchNorm (4 per filter)
    assert by_name["head_s16"][2] == (4, 4, 18) and by_name["head_s32"][2] == (2, 2, 18)
    assert not any(r[0].endswith(("_bn", "_leaky", "_pad")) for r in rows)


def test_plot_heads_draws_grid_cell_and_anchors():
    fig = plot_heads(SPEC, centre=(40, 20))
    axes = fig.axes
    assert len(axes) == SPEC.num_heads
    for h, ax in enumerate(axes):
        # canvas + highlighted cell + one rectangle per anchor
        assert len(ax.patches) == 2 + len(SPEC.anchors[h])
        assert len(ax.lines) == 2 * (SPEC.grid_sizes()[h] - 1)
        cell = ax.patches[1]
        s = SPEC.strides[h]
        assert cell.get_xy() == ((40 // s) * s, (20 // s) * s) and cell.get_width() == s
    with pytest.raises(ValueError, match="outside the 64x64 input"):
        plot_heads(SPEC, centre=(64, 10))


def test_plot_anchor_fit_compares_sets():
    wh = np.array([[10, 5], [12, 6], [40, 20], [44, 18]], float)
    fig = plot_anchor_fit(wh, {"fitted": [[11, 5.5], [42, 19]], "far": [[200, 200], [300, 300]]})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "4 boxes"
    fitted, far = (float(s.rsplit(" ", 1)[1]) for s in labels[1:])
    assert fitted > 0.8 and far < 0.05
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_anchor_fit(np.zeros((3, 3)), [[1, 1]])


def test_responsible_cells_match_build_targets():
    boxes = np.array([[8, 8, 20, 14], [10, 30, 58, 54]], np.float32)
    heads, _ = build_targets(boxes, np.zeros(2, int), SPEC, assign_iou=1.0)
    cells = responsible_cells(heads, SPEC)
    assert cells.shape == (2, 8)
    # small box: stride 16, centre (14, 11) -> cell row 0 col 0; large: stride 32, centre (34, 42)
    got = {tuple(int(v) for v in row[:4]): tuple(row[4:]) for row in cells}
    assert got[(0, 0, 0, 1)] == (8, 8, 20, 14)
    assert got[(1, 1, 1, 2)] == (10, 30, 58, 54)
    with pytest.raises(ValueError, match="1 target arrays for a model with 2 heads"):
        responsible_cells(heads[:1], SPEC)
    with pytest.raises(ValueError, match=r"head 0 targets have shape \(4, 4, 3\)"):
        responsible_cells([heads[0][..., 0], heads[1]], SPEC)


def test_plot_targets_builds_and_checks_the_image():
    boxes = np.array([[8, 8, 20, 14], [10, 30, 58, 54]], np.float32)
    heads, _ = build_targets(boxes, np.zeros(2, int), SPEC)
    n_cells = len(responsible_cells(heads, SPEC))
    image = np.random.default_rng(0).uniform(0, 1, (64, 64, 3)).astype(np.float32)
    fig = plot_targets(image, heads, SPEC)
    ax = fig.axes[0]
    assert ax.get_title() == f"2 boxes, {n_cells} responsible anchors"
    assert len(ax.patches) == 3 * n_cells  # cell, anchor, box per responsible anchor
    with pytest.raises(ValueError, match="the model input is 64 square"):
        plot_targets(np.zeros((32, 32, 3), np.uint8), heads, SPEC)
    with pytest.raises(ValueError, match="uint8 or float in"):
        plot_targets(image * 255, heads, SPEC)


def test_plot_history_draws_losses_and_metrics():
    history = {
        "loss": [9.0, 5.0, 3.0],
        "loss_box": [4.0, 2.0, 1.0],
        "loss_obj": [4.0, 2.5, 1.8],
        "loss_cls": [1.0, 0.5, 0.2],
        "lr": [1e-3, 2e-3, 1e-4],
        "val_loss": [8.0, 6.0, 4.0],
        "val_map50": [0.1, 0.4, 0.6],
        "val_recall": [0.2, 0.5, 0.7],
    }
    fig = plot_history(history)
    losses, metrics = fig.axes
    assert [ln.get_label() for ln in losses.lines] == ["loss", "loss_box", "loss_obj", "loss_cls", "val_loss"]
    assert [ln.get_label() for ln in metrics.lines] == ["map50", "recall"]
    np.testing.assert_array_equal(metrics.lines[0].get_xdata(), [1, 2, 3])
    with pytest.raises(ValueError, match="non-empty 'loss'"):
        plot_history({"val_map50": [0.1]})
    with pytest.raises(ValueError, match=r"3 values .* \{'val_map50': 2\}"):
        plot_history({**history, "val_map50": [0.1, 0.2]})


def test_plot_pr_curves_one_curve_and_point_per_detector():
    gts = [np.array([[0, 0, 10, 10]], float), np.array([[20, 20, 40, 40]], float)]
    good = [np.array([[0, 0, 10, 10, 0.9, 0]]), np.array([[20, 20, 40, 40, 0.8, 0]])]
    half = [np.array([[0, 0, 10, 10, 0.9, 0]]), np.array([[60, 60, 70, 70, 0.8, 0]])]
    results = {"good": evaluate_detections(good, gts), "half": evaluate_detections(half, gts)}
    fig = plot_pr_curves(results)
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # a curve and an operating point each
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["good: AP50 1.00", "half: AP50 0.50"]
    assert tuple(ax.lines[3].get_xydata()[0]) == (0.5, 0.5)  # half: recall 1/2, precision 1/2
    with pytest.raises(ValueError, match="at least one"):
        plot_pr_curves({})
    with pytest.raises(ValueError, match="no class 3 curve"):
        plot_pr_curves(results, class_id=3)


def test_draw_detections_colours_boxes_above_threshold():
    image = np.zeros((100, 120, 3), np.uint8)
    pred = np.array([[10, 10, 50, 40, 0.9, 0], [60, 60, 90, 90, 0.1, 0]])
    out = draw_detections(image, pred, truth=np.array([[70, 5, 110, 30]]), thickness=1)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert not image.any()  # the input is left alone
    assert tuple(out[25, 10]) == PRED_RGB  # left edge of the kept detection
    assert tuple(out[20, 70]) == TRUTH_RGB
    assert not out[75, 60].any()  # under the score threshold: not drawn
    assert not out[55:58, 55:58].any()
    with pytest.raises(ValueError, match=r"\(N, 6\)"):
        draw_detections(image, np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        draw_detections(image[..., 0], pred)


def test_image_grid_layout_and_errors():
    images = [np.zeros((30, 40, 3), np.uint8)] * 5
    fig = image_grid(images, [f"im {i}" for i in range(5)], cols=3)
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes[:5]] == [f"im {i}" for i in range(5)]
    with pytest.raises(ValueError, match="2 titles for 5 images"):
        image_grid(images, ["a", "b"])
    with pytest.raises(ValueError, match="at least one image"):
        image_grid([])


def test_figure_jpeg_encodes_and_closes():
    import io

    from PIL import Image

    fig = image_grid([np.full((30, 40, 3), 200, np.uint8)] * 2, cols=2, width=4)
    data = figure_jpeg(fig, quality=80)
    assert data[:2] == b"\xff\xd8"  # JPEG start-of-image marker
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.size == tuple(int(v) for v in fig.get_size_inches() * fig.dpi)
    assert not plt.fignum_exists(fig.number)
    with pytest.raises(ValueError, match="quality must be in 1..95"):
        figure_jpeg(plt.figure(), quality=0)
