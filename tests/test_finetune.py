"""Fine-tuning on a few real crops: freezing, cloning, folds, cross-validation, errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from lprkit.charset import LATIN
from lprkit.recognition.finetune import (
    augment_crops,
    cross_validate,
    fine_tune,
    freeze_backbone,
    make_folds,
    wilson_interval,
)
from lprkit.recognition.keras_recognizer import KerasRecognizer
from lprkit.synth.fonts import find_fonts

TEXTS = ["AB12", "CD34", "EF56", "GH78", "JK90", "LM13"]


def tiny_ctc_model():
    """Two conv + BatchNorm blocks, then a per-column head: a CRNN in miniature."""
    import keras
    from keras import layers

    inputs = keras.Input((32, 128, 1), name="image")
    x = inputs
    for i, n in enumerate((8, 16), start=1):
        x = layers.Conv2D(n, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.ReLU()(x)
        x = layers.MaxPooling2D(2)(x)  # ends at (8, 32, 16)
    x = layers.Permute((2, 1, 3))(x)
    x = layers.Reshape((32, 8 * 16))(x)
    x = layers.Dense(32, activation="relu", name="seq_dense")(x)
    probs = layers.Dense(LATIN.num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, probs, name="tiny")


def render(texts, size=(150, 40)):
    """Black text on white, at slightly different sizes: stand-ins for real crops."""
    font = ImageFont.truetype(str(find_fonts("latin")[0]), 26)
    out = []
    for i, t in enumerate(texts):
        im = Image.new("RGB", (size[0] + 4 * i, size[1]), "white")
        ImageDraw.Draw(im).text((6, 5), t, fill="black", font=font)
        out.append(np.asarray(im))
    return out


@pytest.fixture(scope="module")
def recognizer():
    import keras

    keras.utils.set_random_seed(0)
    model = tiny_ctc_model()
    # non-trivial BatchNorm statistics, so that "unchanged" means something
    for layer in model.layers:
        if layer.name.startswith("bn"):
            layer.moving_mean.assign(np.full(layer.moving_mean.shape, 0.1, np.float32))
            layer.moving_variance.assign(np.full(layer.moving_variance.shape, 2.0, np.float32))
    # the older two-line layout: fine-tuned copies must keep the one their model was trained on
    return KerasRecognizer(model, LATIN, name="tiny", two_line_top="span")


@pytest.fixture(scope="module")
def crops():
    return render(TEXTS)


def _weights(model, name):
    return [np.array(w) for w in model.get_layer(name).get_weights()]


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_freeze_backbone_freezes_conv_and_bn_only():
    model = tiny_ctc_model()
    frozen = freeze_backbone(model)
    assert frozen == ["conv1", "bn1", "conv2", "bn2"]
    assert not model.get_layer("conv1").trainable and not model.get_layer("bn2").trainable
    assert model.get_layer("seq_dense").trainable and model.get_layer("probs").trainable
    names = {v.path.split("/")[0] for v in model.trainable_weights}
    assert names == {"seq_dense", "probs"}


def test_freeze_backbone_refuses_a_model_without_convolutions():
    import keras
    from keras import layers

    inputs = keras.Input((32, 10))
    model = keras.Model(inputs, layers.Dense(LATIN.num_classes, activation="softmax")(inputs))
    with pytest.raises(ValueError, match="mode='full'"):
        freeze_backbone(model)


def test_frozen_fine_tune_keeps_backbone_trains_head_and_leaves_input_alone(recognizer, crops):
    before = {n: _weights(recognizer.model, n) for n in ("conv1", "bn1", "conv2", "bn2", "probs")}
    tuned = fine_tune(
        recognizer, crops, TEXTS, mode="frozen", epochs=4, learning_rate=1e-2,
        augment_copies=1, n_synthetic=0, batch_size=6, seed=0,
    )  # fmt: skip
    assert tuned is not recognizer and tuned.model is not recognizer.model
    for name in ("conv1", "bn1", "conv2", "bn2"):  # kernels and BatchNorm statistics
        assert _same(_weights(tuned.model, name), before[name]), name
    assert not _same(_weights(tuned.model, "probs"), before["probs"])
    # the input recogniser: same weights, every layer still trainable
    for name, weights in before.items():
        assert _same(_weights(recognizer.model, name), weights)
    assert all(layer.trainable for layer in recognizer.model.layers)
    info = tuned.meta["fine_tune"]
    assert info["mode"] == "frozen" and info["frozen_layers"] == ["conv1", "bn1", "conv2", "bn2"]
    assert info["n_real"] == 6 and info["augment_copies"] == 1 and info["n_synthetic"] == 0
    loss = info["history"]["loss"]
    assert len(loss) == 4 and np.all(np.isfinite(loss)) and loss[-1] < loss[0]
    assert tuned.name == "tiny+ft-frozen" and tuned.alphabet == LATIN
    assert tuned.two_line_top == "span"


def test_full_fine_tune_trains_convolutions_but_keeps_batchnorm_statistics(recognizer, crops):
    tuned = fine_tune(
        recognizer, crops[:4], TEXTS[:4], mode="full", epochs=1, learning_rate=1e-2,
        augment_copies=0, synthetic=(crops[4:], TEXTS[4:]), batch_size=6, seed=1,
    )  # fmt: skip
    assert not _same(_weights(tuned.model, "conv1"), _weights(recognizer.model, "conv1"))
    bn_before, bn_after = _weights(recognizer.model, "bn1"), _weights(tuned.model, "bn1")
    assert _same(bn_after[2:], bn_before[2:])  # moving mean and variance
    assert tuned.meta["fine_tune"]["n_synthetic"] == 2
    assert tuned.meta["fine_tune"]["frozen_layers"] == []


def test_augment_crops_is_seeded_and_keeps_the_originals(crops):
    images, texts = augment_crops(crops[:2], TEXTS[:2], copies=3, seed=5)
    assert len(images) == 8 and texts == [TEXTS[0]] * 4 + [TEXTS[1]] * 4
    assert np.array_equal(images[0], crops[0]) and np.array_equal(images[4], crops[1])
    assert all(a.shape == crops[0].shape and a.dtype == np.uint8 for a in images[:4])
    assert not np.array_equal(images[1], crops[0])
    again, _ = augment_crops(crops[:2], TEXTS[:2], copies=3, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(images, again, strict=True))


def test_make_folds_partition_keep_groups_and_are_seeded():
    groups = [f"p{i // 2}" if i < 6 else f"q{i}" for i in range(20)]  # three plates seen twice
    folds = make_folds(20, 5, groups, seed=3)
    flat = sorted(i for f in folds for i in f)
    assert flat == list(range(20)) and len(folds) == 5
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    fold_of = {i: k for k, f in enumerate(folds) for i in f}
    assert all(fold_of[i] == fold_of[i + 1] for i in (0, 2, 4))  # a plate stays in one fold
    assert make_folds(20, 5, groups, seed=3) == folds
    assert make_folds(20, 5, groups, seed=4) != folds
    loo = make_folds(20, "loo", groups)
    assert len(loo) == 17 and sorted(i for f in loo for i in f) == list(range(20))
    assert len(make_folds(5, "loo")) == 5


@pytest.mark.parametrize(
    ("n", "folds", "groups", "message"),
    [
        (1, 2, None, "too few crops"),
        (4, 2, ["a"] * 4, "too few crops"),
        (4, 5, None, "2 <= k <= 4"),
        (4, 1, None, "2 <= k <= 4"),
        (4, "all", None, "'loo'"),
        (4, 2, ["a", "b"], "2 group labels for 4"),
    ],
)
def test_make_folds_errors(n, folds, groups, message):
    with pytest.raises(ValueError, match=message):
        make_folds(n, folds, groups)


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(10, 20)
    assert (round(lo, 3), round(hi, 3)) == (0.299, 0.701)
    lo, hi = wilson_interval(0, 20)
    assert lo == 0.0 and round(hi, 3) == 0.161
    lo, hi = wilson_interval(20, 20)
    assert hi == 1.0 and round(lo, 3) == 0.839
    with pytest.raises(ValueError, match="positive"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson_interval(5, 4)


def test_cross_validate_scores_every_crop_once_per_model(recognizer, crops):
    kwargs = dict(folds=2, epochs=1, augment_copies=0, n_synthetic=0, batch_size=8, seed=2)
    cv = cross_validate(recognizer, crops, TEXTS, **kwargs)
    assert sorted(i for f in cv.folds for i in f) == list(range(6)) and len(cv.folds) == 2
    for model in ("before", "frozen", "full"):
        assert sorted(r["index"] for r in cv.rows if r["model"] == model) == list(range(6))
    assert cv.reads("before") == [r.text for r in recognizer.read(crops)]
    fold_of = {i: k for k, f in enumerate(cv.folds) for i in f}
    assert all(r["fold"] == fold_of[r["index"]] for r in cv.rows)
    assert [s["model"] for s in cv.summary] == ["before", "frozen", "full"]
    for s in cv.summary:
        hits = sum(r["correct"] for r in cv.rows if r["model"] == s["model"])
        assert s["n"] == 6 and s["exact"] == hits / 6
        assert 0 <= s["exact_low"] <= s["exact"] <= s["exact_high"] <= 1
    assert {"fixed", "broken", "seconds"} <= set(cv.summary[1])
    wide = cv.wide()
    assert [w["text"] for w in wide] == TEXTS and {"before", "frozen", "full"} <= set(wide[0])
    assert "| before | 6 |" in cv.summary_markdown()
    with pytest.raises(ValueError, match="no model 'nope'"):
        cv.reads("nope")
    again = cross_validate(recognizer, crops, TEXTS, modes=("frozen",), **kwargs)
    assert again.folds == cv.folds and again.reads("frozen") == cv.reads("frozen")


def test_errors(recognizer, crops):
    with pytest.raises(ValueError, match="6 crops but 5 texts"):
        fine_tune(recognizer, crops, TEXTS[:5])
    with pytest.raises(ValueError, match="6 crops but 5 texts"):
        cross_validate(recognizer, crops, TEXTS[:5])
    with pytest.raises(ValueError, match="no crops"):
        fine_tune(recognizer, [], [])
    with pytest.raises(ValueError, match="mode='partial'"):
        fine_tune(recognizer, crops, TEXTS, mode="partial")
    with pytest.raises(ValueError, match="modes="):
        cross_validate(recognizer, crops, TEXTS, modes=("frozen", "partial"))
    with pytest.raises(ValueError, match="too few crops"):
        cross_validate(recognizer, crops[:1], TEXTS[:1])
    with pytest.raises(ValueError, match=r"text 1 \('C\?'\)"):
        fine_tune(recognizer, crops[:2], ["AB", "C?"])
    with pytest.raises(TypeError, match="KerasRecognizer"):
        fine_tune(recognizer.model, crops, TEXTS)


def test_best_layout_is_decided_once_by_the_recogniser_before_fine_tuning(recognizer):
    import copy

    from lprkit.recognition.finetune import layout_flags
    from lprkit.recognition.preprocess import best_two_line

    rec = copy.copy(recognizer)  # the fixture is shared by the module: leave it as it is
    rec.two_line = "best"
    rng = np.random.default_rng(0)
    crops = [rng.integers(0, 256, (40, 80, 3), dtype=np.uint8) for _ in range(4)]
    crops.append(rng.integers(0, 256, (20, 120, 3), dtype=np.uint8))  # too wide for two lines
    flags = layout_flags(rec, crops)
    assert flags == best_two_line(crops, rec.predict_proba, rec.decode)[0]
    assert flags[-1] is False
    assert [r.text for r in rec.read(crops, two_line=flags)] == [r.text for r in rec.read(crops)]
    assert layout_flags(rec, crops, two_line="auto") == [True] * 4 + [False]
