"""KerasRecognizer: reading crops of any size, checkpoint folders round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lprkit.charset import LATIN, Alphabet
from lprkit.errors import LprkitError
from lprkit.models.crnn import crnn
from lprkit.models.lprnet import lprnet
from lprkit.recognition.base import PlateRead, Recognizer
from lprkit.recognition.keras_recognizer import KerasRecognizer

SMALL = {"filters": (8, 8, 16, 16), "rnn_units": 16}


def crops(n=3, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (20 + 7 * i, 90 + 13 * i, 3), dtype=np.uint8) for i in range(n)]


def test_reads_any_size_crops():
    rec = KerasRecognizer(crnn(LATIN, **SMALL), LATIN, batch_size=2)
    assert isinstance(rec, Recognizer)
    assert rec.input_size == (128, 32) and rec.channels == 1
    reads = rec.read(crops(3))
    assert len(reads) == 3 and all(isinstance(r, PlateRead) for r in reads)
    assert all(0.0 <= r.confidence <= 1.0 for r in reads)
    assert all(len(r.char_confidences) == len(LATIN.tokenize(r.text)) for r in reads)
    assert rec.predict_proba(crops(5)).shape == (5, 32, LATIN.num_classes)
    assert rec.read([]) == []


def test_two_line_flag_goes_through_the_strip_hook():
    rec = KerasRecognizer(lprnet(LATIN), LATIN)
    square = crops(1)[0][:, :40]
    one = rec.predict_proba([square], two_line=False)
    two = rec.predict_proba([square], two_line=True)
    assert one.shape == two.shape and not np.allclose(one, two)


def test_best_two_line_mode_reads_square_crops_both_ways():
    rec = KerasRecognizer(lprnet(LATIN), LATIN)
    square, wide = crops(1)[0][:, :40], crops(1)[0]
    flat = rec.read([square, wide], two_line=False)
    strip = rec.read([square], two_line=True)[0]
    best = rec.read([square, wide], two_line="best")
    assert best[0] == max(flat[0], strip, key=lambda r: r.confidence)
    assert best[1] == flat[1]  # too wide for two lines: read as it is


def test_wrong_alphabet_or_decoder():
    model = crnn(LATIN, **SMALL)
    with pytest.raises(ValueError, match="needs 68"):
        KerasRecognizer(model, "korean")
    with pytest.raises(ValueError, match="decoder"):
        KerasRecognizer(model, LATIN, decoder="best")


@pytest.mark.parametrize("builder", ["crnn", "lprnet_stn"])
def test_save_load_round_trip_identical(tmp_path, builder):
    model = crnn(LATIN, **SMALL) if builder == "crnn" else lprnet(LATIN, stn=True)
    rec = KerasRecognizer(model, LATIN, decoder="beam", beam_width=4)
    path = rec.save(tmp_path / "ckpt", training={"epochs": 3})
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["alphabet"] == "latin" and meta["input_size"] == list(rec.input_size)
    assert meta["training"] == {"epochs": 3} and meta["files"] == ["model.keras"]
    loaded = KerasRecognizer.load(path)
    assert loaded.decoder == "beam" and loaded.alphabet == LATIN
    x = crops(4)
    np.testing.assert_array_equal(loaded.predict_proba(x), rec.predict_proba(x))
    assert loaded.read(x) == rec.read(x)
    assert not list(tmp_path.glob(".ckpt*"))  # no temporary folders left


def test_two_line_layout_is_recorded_and_used(tmp_path):
    from lprkit.synth.render import render_plate
    from lprkit.synth.twoline import to_single_line

    plate = render_plate("12가3456", "kr_private_2line_short", 0, scale=0.4).image
    model = crnn("korean", **SMALL)
    new = KerasRecognizer(model, "korean")
    old = KerasRecognizer(model, "korean", two_line_top="span")
    assert new.two_line_top == "text"
    for rec in (new, old):  # each cuts two-line crops the way it was trained
        strip = to_single_line(plate, top_layout=rec.two_line_top)
        want = rec.preprocess([strip])
        np.testing.assert_array_equal(rec.preprocess([plate], two_line=True), want)
    assert not np.array_equal(new.preprocess([plate], True), old.preprocess([plate], True))
    path = old.save(tmp_path / "old")
    assert json.loads((path / "meta.json").read_text(encoding="utf-8"))["two_line_top"] == "span"
    assert KerasRecognizer.load(path).two_line_top == "span"
    assert KerasRecognizer.load(path, two_line_top="text").two_line_top == "text"
    # files saved before the layout was recorded read "span" strips
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta.pop("two_line_top")
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    assert KerasRecognizer.load(new.save(tmp_path / "new")).two_line_top == "text"
    assert KerasRecognizer.load(path).two_line_top == "span"
    with pytest.raises(ValueError, match="layout 'wide' is unknown"):
        KerasRecognizer(model, "korean", two_line_top="wide")


def test_float16_checkpoint_is_small_and_close(tmp_path):
    rec = KerasRecognizer(crnn(LATIN, **SMALL), LATIN)
    big = rec.save(tmp_path / "f32")
    small = rec.save(tmp_path / "f16", precision="float16")
    size = {p.name: sum(f.stat().st_size for f in p.iterdir()) for p in (big, small)}
    assert size["f16"] < size["f32"]
    loaded = KerasRecognizer.load(small)
    x = crops(2)
    np.testing.assert_allclose(loaded.predict_proba(x), rec.predict_proba(x), atol=2e-3)


@pytest.mark.parametrize("precision", ["float32", "float16"])
def test_checkpoint_of_a_compiled_model_loads_uncompiled(tmp_path, precision):
    import keras

    model = crnn(LATIN, **SMALL)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", jit_compile=True)
    loaded = KerasRecognizer.load(KerasRecognizer(model, LATIN).save(tmp_path / "c", precision=precision))
    assert not loaded.model.compiled  # no XLA setting carried over from training


def test_custom_alphabet_travels_with_checkpoint(tmp_path):
    alpha = Alphabet("digits_only_test", tuple("0123456789"))
    rec = KerasRecognizer(crnn(alpha, **SMALL), alpha)
    loaded = KerasRecognizer.load(rec.save(tmp_path / "c"))
    assert loaded.alphabet.tokens == alpha.tokens


def test_no_silent_overwrite_and_clear_load_errors(tmp_path):
    rec = KerasRecognizer(crnn(LATIN, **SMALL), LATIN)
    path = rec.save(tmp_path / "c")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        rec.save(path)
    rec.save(path, overwrite=True, precision="float16")
    assert sorted(p.name for p in path.iterdir()) == [
        "architecture.json",
        "meta.json",
        "weights.npz",
    ]
    with pytest.raises(FileNotFoundError, match="not a recogniser checkpoint"):
        KerasRecognizer.load(tmp_path / "missing")
    (path / "meta.json").write_text("{", encoding="utf-8")
    with pytest.raises(LprkitError, match="not valid JSON"):
        KerasRecognizer.load(path)
