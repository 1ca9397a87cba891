"""Recogniser plots: the CTC alignment logic (known answers) and that the figures draw."""

from __future__ import annotations

import matplotlib.pyplot as plt  # the Agg backend: tests/conftest.py sets MPLBACKEND
import numpy as np
import pytest

from lprkit.charset import KOREAN, LATIN
from lprkit.recognition.plots import (
    ctc_alignment,
    plot_crop_grid,
    plot_ctc_alignment,
    plot_history,
)


def path_probs(path, alphabet, peak=0.9):
    """Softmax-like rows whose best class spells ``path`` ("-" = blank)."""
    n = alphabet.num_classes
    probs = np.full((len(path), n), (1 - peak) / (n - 1))
    for t, tok in enumerate(path):
        probs[t, 0 if tok == "-" else alphabet.code(tok)] = peak
    return probs


def test_alignment_merges_repeats_and_drops_blanks():
    al = ctc_alignment(path_probs(list("-11-122-"), LATIN), LATIN)
    assert al["text"] == "112"  # the blank between the 1s keeps both
    assert al["path"] == list("-11-122-")
    assert al["emits"].tolist() == [False, True, False, False, True, True, False, False]
    assert np.allclose(al["best"], 0.9)


def test_alignment_with_region_tokens():
    al = ctc_alignment(path_probs(["서울", "서울", "-", "1", "가"], KOREAN), KOREAN)
    assert al["text"] == "서울1가" and al["path"][0] == "서울"
    assert al["emits"].tolist() == [True, False, False, True, True]


def test_alignment_rejects_wrong_shapes():
    with pytest.raises(ValueError, match="expected \\(T, 37\\)"):
        ctc_alignment(np.zeros((5, 10)), LATIN)


def test_plots_draw():
    probs = path_probs(list("--AB--12-"), LATIN)
    fig = plot_ctc_alignment(np.zeros((32, 36, 1), np.float32), probs, LATIN, max_classes=6,
                             title="t")  # fmt: skip
    heat = fig.axes[1]
    assert [t.get_text() for t in heat.get_yticklabels()][:5] == ["blank", "A", "B", "1", "2"]
    assert "→  AB12" in heat.get_xlabel()
    assert len(fig.axes[0].texts) == 9  # one label per frame
    plt.close(fig)

    fig = plot_history({"loss": [3.0, 2.0, 1.0], "val_loss": [3.5, 2.5, 2.0], "val_exact": [0, 0.5, 0.8]})
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="has none of"):
        plot_history({"lr": [1.0]})

    crops = [np.full((20, 60, 3), v, np.uint8) for v in (0, 100, 200)]
    fig = plot_crop_grid(crops, ["a", "b\nc", "d"], ncols=2)
    assert len(fig.axes) == 4 and fig.axes[1].get_title(loc="left") == "b\nc"
    plt.close(fig)
    plt.close(plot_crop_grid([]))
    with pytest.raises(ValueError, match="1 titles for 3 images"):
        plot_crop_grid(crops, ["a"])


def test_size_sweep_plot_draws_one_line_per_model_and_strength():
    from lprkit.recognition.plots import plot_size_sweep

    rows = [{"char_height": h, "strength": s, "lines": lines, "exact": e}
            for h, e in ((12, 0.5), (8, 0.2), (20, 0.9)) for s in (0.0, 1.0) for lines in ("all", "one")]
    fig = plot_size_sweep({"a": rows, "b": rows}, target=0.97)
    ax = fig.axes[0]
    assert len(ax.lines) == 5  # two models x two strengths, and the target
    assert list(ax.lines[0].get_xdata()) == [8, 12, 20] and list(ax.lines[0].get_ydata()) == [0.2, 0.5, 0.9]
    assert ax.lines[0].get_linestyle() == "--" and ax.lines[1].get_linestyle() == "-"
    plt.close(fig)
    with pytest.raises(ValueError, match="a: no rows for lines='two'; they have \\['all', 'one'\\]"):
        plot_size_sweep({"a": rows}, lines="two")
