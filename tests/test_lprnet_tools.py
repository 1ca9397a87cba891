"""Stages, receptive fields, training history and the batch-size comparison of notebook 05."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lprkit.charset import KOREAN, LATIN
from lprkit.recognition.base import PlateRead
from lprkit.recognition.lprnet_tools import (
    Field,
    checkpoint_mb,
    compare_batch_sizes,
    multiply_adds,
    plot_history,
    read_history,
    receptive_fields,
    stage_table,
)


@pytest.fixture(scope="module")
def lprnet_korean():
    from lprkit.models.lprnet import lprnet

    return lprnet(KOREAN)


def test_stage_table_follows_the_paper_and_counts_every_parameter(lprnet_korean):
    rows = stage_table(lprnet_korean)
    by_stage = {r["stage"]: r for r in rows}
    assert sum(r["params"] for r in rows) == lprnet_korean.count_params()
    assert sum(r["macs"] for r in rows) == multiply_adds(lprnet_korean)
    assert by_stage["stem"]["macs"] == 24 * 94 * 64 * 3 * 3 * 3
    assert [r["stage"] for r in rows][:4] == ["image", "stem", "pool1", "sbb1"]
    assert by_stage["sbb1"]["kernels"] == "1x1 3x1 1x3 1x1"
    assert by_stage["sbb1"]["layers"] == 6  # four convolutions, BatchNorm, ReLU
    assert by_stage["conv_1x13"]["output"] == (3, 24, KOREAN.num_classes)
    assert by_stage["context1"]["layers"] == 2  # pool + ScaleNorm, though not adjacent
    assert by_stage["probs"]["output"] == (24, KOREAN.num_classes)


def test_receptive_fields_known_answers():
    import keras
    from keras import layers

    x = inp = keras.Input((32, 32, 1), name="in")
    x = layers.Conv2D(2, 3, padding="same", name="c3")(x)
    x = layers.MaxPooling2D(2, name="p2")(x)  # stride defaults to the pool size
    a = layers.Conv2D(2, (1, 5), padding="same", name="wide")(x)
    b = layers.Conv2D(2, 3, dilation_rate=2, padding="same", name="dil")(x)
    x = layers.Concatenate(name="cat")([a, b])
    g = layers.GlobalAveragePooling2D(name="gap")(x)
    fields = receptive_fields(keras.Model(inp, [x, g]))
    assert fields["in"] == Field(1, 1, 1, 1)
    assert fields["c3"] == Field(3, 3, 1, 1)
    assert fields["p2"] == Field(4, 4, 2, 2)
    assert fields["wide"] == Field(4, 12, 2, 2)  # 4 + (5 - 1) * 2 across
    assert fields["dil"] == Field(12, 12, 2, 2)  # a dilated 3x3 spans 5 positions
    assert fields["cat"] == Field(12, 12, 2, 2)  # the widest of its inputs
    assert fields["gap"].whole and fields["gap"].clipped((32, 32)) == (32, 32)
    assert fields["wide"].clipped((3, 10)) == (3, 10)

    seq = keras.Sequential([keras.Input((8, 8, 1)), layers.Conv2D(1, 3, name="s1")])
    assert receptive_fields(seq)["s1"] == Field(3, 3, 1, 1)


def test_lprnet_fields_and_what_lies_outside_them(lprnet_korean):
    import keras

    fields = receptive_fields(lprnet_korean)
    assert fields["conv_1x13"] == Field(33, 69, 4, 4)
    assert fields["probs"].clipped((24, 94)) == (24, 69)
    assert not fields["probs"].whole
    # A pixel outside column 0's field leaves that column unchanged; one inside changes it.
    sub = keras.Model(lprnet_korean.input, lprnet_korean.get_layer("conv_4x1").output)
    x = np.random.default_rng(0).random((1, 24, 94, 3), dtype=np.float32)
    base = np.asarray(sub(x))[0, :, 0]
    far, near = x.copy(), x.copy()
    far[0, :, 60] += 1.0  # the 4x1 stage sees 21 px wide: column 0 ends near x = 10
    near[0, :, 4] += 1.0
    np.testing.assert_allclose(np.asarray(sub(far))[0, :, 0], base, atol=1e-6)
    assert np.abs(np.asarray(sub(near))[0, :, 0] - base).max() > 1e-4


def test_stn_makes_every_output_see_the_whole_plate():
    from lprkit.models.lprnet import lprnet

    fields = receptive_fields(lprnet(LATIN, stn=True))
    assert fields["stn_sampler"].whole and fields["probs"].whole
    assert fields["probs"].clipped((24, 94)) == (24, 94)


def test_multiply_adds_known_answers():
    import keras
    from keras import layers

    x = inp = keras.Input((8, 8, 2))
    x = layers.Conv2D(4, 3, padding="same", name="conv")(x)  # 8*8*4 outputs x 3*3*2
    x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Reshape((4, 16))(x)  # a sequence of 4 steps, 16 features
    x = layers.Dense(6)(x)  # 4 * 16 * 6
    x = layers.Bidirectional(layers.LSTM(3, return_sequences=True))(x)  # 2 * 4 * 4*3*(6+3)
    x = layers.GRU(2)(x)  # 4 * 3*2*(6+2)
    assert multiply_adds(keras.Model(inp, x)) == 8 * 8 * 4 * 18 + 384 + 864 + 192


def test_permute_and_recurrent_layers():
    import keras
    from keras import layers

    x = inp = keras.Input((16, 32, 1))
    x = layers.Permute((2, 1, 3), name="width_first")(x)  # (32, 16, 1): width is axis 1 now
    x = layers.Conv2D(1, (5, 1), padding="same", name="along_width")(x)
    x = layers.Reshape((32, 16), name="seq")(x)
    y = layers.Bidirectional(layers.LSTM(2, return_sequences=True), name="rnn")(x)
    fields = receptive_fields(keras.Model(inp, y))
    assert fields["along_width"] == Field(1, 5, 1, 1)  # a 5-wide kernel in image terms
    assert not fields["seq"].whole and fields["rnn"].whole


def test_read_and_plot_history(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    with pytest.raises(FileNotFoundError, match="no finished training epoch"):
        read_history(tmp_path)
    (tmp_path / "last").mkdir()
    history = {"loss": [9.0, 3.0], "val_loss": [8.0, 4.0], "val_exact": [0.1, 0.5],
               "val_cer": [0.8, 0.2], "seconds": [60.0, 30.0]}  # fmt: skip
    (tmp_path / "last" / "state.json").write_text(json.dumps({"epoch": 2, "history": history}))
    assert read_history(tmp_path) == history
    fig = plot_history(history, title="run")
    ax_loss, ax_val = fig.axes
    np.testing.assert_allclose(ax_loss.lines[0].get_xdata(), [1.0, 1.5])  # minutes
    assert len(ax_loss.lines) == 2 and len(ax_val.lines) == 2
    assert ax_loss.get_yscale() == "linear"  # 9 to 3: less than a decade
    assert plot_history({"loss": [90.0, 5.0]}).axes[0].get_yscale() == "log"
    no_time = plot_history({"loss": [2.0, 1.0, 0.5]})
    np.testing.assert_allclose(no_time.axes[0].lines[0].get_xdata(), [1, 2, 3])
    with pytest.raises(ValueError, match="no 'loss'"):
        plot_history({"loss": []})


def test_checkpoint_mb(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"x" * 500_000)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(b"x" * 250_000)
    assert checkpoint_mb(tmp_path) == pytest.approx(0.75)
    assert checkpoint_mb(tmp_path / "a.bin") == pytest.approx(0.5)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        checkpoint_mb(tmp_path / "missing")


class Fixed:
    """Reads every crop as ``text``; records the batch sizes it was called with."""

    alphabet = KOREAN

    def __init__(self, name, text):
        self.name, self.text, self.calls = name, text, []

    def read(self, crops):
        self.calls.append(len(crops))
        return [PlateRead(self.text, 0.9) for _ in crops]


def test_compare_batch_sizes_joins_latency_params_and_size():
    crops = [np.zeros((16, 64, 3), np.uint8)] * 5
    texts = ["12가3456", "12가3456", "34나5678", "12가3456", "34나5678"]
    a, b = Fixed("a", "12가3456"), Fixed("b", "34나5678")
    table = compare_batch_sizes([a, b], crops, texts, batch_sizes=(1, 4), warmup=0,
                                sizes_mb={"a": 1.5})  # fmt: skip
    assert [r["name"] for r in table] == ["a", "b"]
    assert table[0]["exact"] == pytest.approx(0.6) and table[1]["exact"] == pytest.approx(0.4)
    assert table.extra_columns == ["ms_b1", "ms_b4", "params", "mmacs", "mb"]
    assert all(r["ms_b1"] >= 0 and r["ms_b4"] >= 0 for r in table)
    assert table[0]["mb"] == 1.5 and table[1]["mb"] is None
    assert table[0]["params"] is None and table[0]["mmacs"] is None  # no Keras model
    assert a.calls == [1] * 5 + [4, 1]  # batch 1 first, then batches of 4
    with pytest.raises(ValueError, match="at least one batch size"):
        compare_batch_sizes([a], crops, texts, batch_sizes=())
