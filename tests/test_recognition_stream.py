"""Streamed training: plates drawn by worker processes, a time-budgeted run, a loadable checkpoint."""

import json

import numpy as np
import pytest

from lprkit.charset import get_alphabet
from lprkit.recognition.preprocess import fit_crops
from lprkit.recognition.stream import PlateStream, train_streaming
from lprkit.synth.dataset import generate_crops

STYLE = "kr_private_2006"


@pytest.mark.slow
def test_plate_stream_holds_the_generators_plates_of_each_seed_in_order():
    alpha = get_alphabet("korean")
    stream = PlateStream([STYLE], alpha, (128, 32), 1, seed=7, capacity=64, workers=2, chunk=32)
    try:
        stream.wait_for(64)
        x, labels = stream.batch(5, np.random.default_rng(0))
    finally:
        stream.close()
    assert stream.filled == 64 and stream.chunks_done == 2
    for k, seed in enumerate((7, 8)):  # same seed, same bytes as generate_crops
        images, texts, _ = generate_crops(32, STYLE, size=(128, 32), seed=seed)
        assert np.array_equal(stream.images[32 * k : 32 * (k + 1)], fit_crops(images, (128, 32), 1))
        assert [alpha.decode(row) for row in stream.labels[32 * k : 32 * (k + 1)]] == texts
    assert x.shape == (5, 32, 128, 1) and x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
    assert labels.shape == (5, 10) and labels.dtype == np.int32


@pytest.mark.slow
def test_plate_stream_cuts_two_line_plates_in_the_layout_asked_for():
    alpha, style = get_alphabet("korean"), "kr_commercial_2line"
    images = {}
    for layout in ("span", "text"):
        stream = PlateStream([style], alpha, (128, 32), 1, seed=3, capacity=8, workers=1, chunk=8, two_line_top=layout)
        try:
            stream.wait_for(8)
        finally:
            stream.close()
        crops = generate_crops(8, style, size=(128, 32), seed=3, two_line_top=layout)[0]
        assert np.array_equal(stream.images, fit_crops(crops, (128, 32), 1))
        images[layout] = stream.images
    assert not np.array_equal(images["span"], images["text"])
    with pytest.raises(ValueError, match="two-line top layout 'middle' is unknown"):
        PlateStream([style], alpha, (128, 32), 1, seed=3, capacity=8, workers=1, two_line_top="middle")


def test_plate_stream_refuses_no_workers_and_a_batch_before_any_plate():
    alpha = get_alphabet("korean")
    with pytest.raises(ValueError, match="workers must be at least 1"):
        PlateStream([STYLE], alpha, (94, 24), 3, seed=0, capacity=8, workers=0)
    stream = PlateStream([STYLE], alpha, (94, 24), 3, seed=0, capacity=8, workers=1, chunk=8)
    stream.close()
    with pytest.raises(RuntimeError, match="no plates drawn yet"):
        stream.batch(2, np.random.default_rng(0))


@pytest.mark.slow
def test_train_streaming_saves_a_measured_checkpoint_naming_its_seeds(tmp_path):
    from lprkit.checkpoints import load_recognizer

    lines = []
    summary = train_streaming(
        tmp_path / "rec", arch="lprnet", styles=STYLE, minutes=0.01, batch_size=4, epoch_steps=2,
        workers=1, capacity=64, seed=1000, plates_per_seed=32, min_buffer=32, n_val=8, n_test=8,
        two_line_top="span", log=lines.append,
    )  # fmt: skip
    assert summary["epochs_run"] == 1 and summary["n_train"] % 32 == 0 and summary["n_train"] >= 32
    first, last = summary["streamed"]["seeds"]
    assert first == 1000 and last - first + 1 == summary["n_train"] // 32
    assert summary["streamed"]["steps"] == 2 and summary["metrics"]["synthetic"]["n"] == 8
    assert lines[0].startswith("start: val exact") and "val_exact" in lines[1]
    saved = json.loads((tmp_path / "rec" / "meta.json").read_text())
    assert saved["training"]["metrics"]["synthetic"]["seed"] == 52
    assert saved["two_line_top"] == "span"
    loaded = load_recognizer(tmp_path / "rec")
    assert loaded.input_size == (94, 24) and loaded.two_line_top == "span"
    with pytest.raises(FileExistsError):
        train_streaming(tmp_path / "rec", arch="lprnet", styles=STYLE)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"arch": "resnet"}, ValueError, "unknown architecture 'resnet'"),
        ({"arch": "lprnet", "init_from": "crnn-korean"}, ValueError, "different architecture"),
        ({"styles": "kr_ev,eu_de"}, ValueError, "mix alphabets"),
        ({"two_line_top": "middle"}, ValueError, "two-line top layout 'middle' is unknown"),
    ],
)
def test_train_streaming_refuses_bad_settings_before_drawing(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_streaming(tmp_path / "out", workers=1, capacity=8, **kwargs)
    assert not (tmp_path / "out").exists()
