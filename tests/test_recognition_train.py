"""train_recognizer: a tiny overfit, resumable checkpoints, dataset input."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from lprkit.charset import LATIN
from lprkit.recognition.keras_recognizer import KerasRecognizer
from lprkit.recognition.train import infer_alphabet, make_dataset, train_recognizer
from lprkit.synth.fonts import find_fonts

TEXTS = ["AB12", "CD34", "EF56", "GH78", "JK90", "LM13", "NP57", "RS24"]


def tiny_ctc_model():
    """A small convolutional CTC reader: traces in seconds (CRNN training is in test_crnn)."""
    import keras
    from keras import layers

    inputs = keras.Input((32, 128, 1), name="image")
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)  # (8, 32, 32)
    x = layers.Permute((2, 1, 3))(x)
    x = layers.Reshape((32, 8 * 32))(x)
    x = layers.Dense(64, activation="relu")(x)
    probs = layers.Dense(LATIN.num_classes, activation="softmax", name="probs")(x)
    return keras.Model(inputs, probs, name="tiny")


def render(texts, size=(160, 40)):
    """Black text on white: stand-in for the synthetic plate generator."""
    font = ImageFont.truetype(str(find_fonts("latin")[0]), 28)
    out = []
    for t in texts:
        im = Image.new("RGB", size, "white")
        ImageDraw.Draw(im).text((6, 4), t, fill="black", font=font)
        out.append(np.asarray(im))
    return np.stack(out)


def test_loss_finite_and_decreasing_on_tiny_overfit():
    import keras

    keras.utils.set_random_seed(0)  # the same start whatever ran before
    model = tiny_ctc_model()
    result = train_recognizer(
        model,
        (render(TEXTS), TEXTS),
        epochs=8,
        batch_size=8,
        learning_rate=1e-2,
        patience=None,
        seed=0,
        verbose=0,
    )
    loss = result.history["loss"]
    assert len(loss) == 8 and np.all(np.isfinite(loss))
    assert loss[-1] < 0.5 * loss[0]
    assert result.monitor == "loss" and result.epochs_run == 8
    assert result.recognizer.alphabet == LATIN


def test_checkpoints_resume_and_validation_reads(tmp_path, capsys):
    images = render(TEXTS)
    data = (images, TEXTS)
    ckpt = tmp_path / "run"
    first = train_recognizer(
        tiny_ctc_model(),
        data,
        data,
        epochs=1,
        batch_size=4,
        checkpoint_dir=ckpt,
        show_samples=2,
        verbose=0,
    )
    assert first.epochs_run == 1 and "val_exact" in first.history
    assert "epoch 1: val exact" in capsys.readouterr().out
    assert (ckpt / "best" / "meta.json").is_file() and (ckpt / "last" / "state.json").is_file()
    assert (ckpt / "logs" / "history.csv").read_text().startswith("epoch,")
    best = KerasRecognizer.load(ckpt / "best")
    assert best.meta["training"]["epoch"] == 1

    model = tiny_ctc_model()
    second = train_recognizer(
        model, data, data, epochs=2, batch_size=4, checkpoint_dir=ckpt, verbose=0
    )
    assert "resuming" in capsys.readouterr().out
    assert second.epochs_run == 2
    assert len(second.history["loss"]) == 2  # history of both runs
    assert int(np.asarray(model.optimizer.iterations)) == 4  # 2 epochs x 2 steps
    # a finished run is not trained again
    again = train_recognizer(
        tiny_ctc_model(), data, data, epochs=2, batch_size=4, checkpoint_dir=ckpt, verbose=0
    )
    assert again.epochs_run == 2 and len(again.history["loss"]) == 2


def test_resuming_another_models_run_is_refused(tmp_path):
    import keras

    from lprkit.errors import InputError

    images = render(TEXTS)
    ckpt = tmp_path / "run"
    train_recognizer(tiny_ctc_model(), (images, TEXTS), epochs=1, batch_size=4, checkpoint_dir=ckpt, verbose=0)
    other = tiny_ctc_model()
    wider = keras.Model(other.inputs, keras.layers.Dense(LATIN.num_classes, activation="softmax")(
        keras.layers.Dense(8)(other.layers[-2].output)))  # fmt: skip
    before = sorted(p.name for p in (ckpt / "last").iterdir())
    with pytest.raises(InputError, match="another model"):
        train_recognizer(wider, (images, TEXTS), epochs=2, batch_size=4, checkpoint_dir=ckpt, verbose=0)
    assert sorted(p.name for p in (ckpt / "last").iterdir()) == before


def test_dataset_input_and_errors():
    model = tiny_ctc_model()
    ds = make_dataset(render(TEXTS[:4]), TEXTS[:4], LATIN, (128, 32), 1, batch_size=2)
    x, y = next(iter(ds))
    assert x.shape == (2, 32, 128, 1) and float(np.max(x)) <= 1.0 and y.shape == (2, 4)
    result = train_recognizer(model, ds, epochs=1, verbose=0)
    assert np.isfinite(result.history["loss"][0])
    assert infer_alphabet(model) == LATIN
    with pytest.raises(ValueError, match="'\\?'"):
        make_dataset(render(["AB?"]), ["AB?"], LATIN, (128, 32), 1)
    with pytest.raises(ValueError, match="needs 68"):
        train_recognizer(model, ds, alphabet="korean", epochs=1)


def test_time_budget_stops_mid_run_anneals_and_is_not_repeated_on_resume(tmp_path, monkeypatch):
    import functools

    import keras

    import lprkit.recognition.train as train_module
    from lprkit.schedules import TimeBudget

    ticks = iter(range(10**6))  # a clock that moves one second each time it is read
    monkeypatch.setattr(
        train_module, "TimeBudget", functools.partial(TimeBudget, clock=lambda: float(next(ticks)))
    )
    keras.utils.set_random_seed(0)
    images, texts = render(TEXTS * 8), TEXTS * 8
    kwargs = dict(max_minutes=1.0, batch_size=8, learning_rate=1e-2, patience=None,
                  checkpoint_dir=tmp_path, verbose=0)  # fmt: skip
    result = train_recognizer(tiny_ctc_model(), (images, texts), (images[:8], texts[:8]), **kwargs)
    lrs = result.history["lr"]
    # 8 batches an epoch, about two clock reads a batch: 60 "seconds" end in the 4th epoch
    assert 3 <= result.epochs_run <= 5
    assert max(lrs) > 5e-3 and lrs[-1] < 5e-4  # warmed up, then annealed to the budget's end
    again = train_recognizer(tiny_ctc_model(), (images, texts), (images[:8], texts[:8]), **kwargs)
    assert again.epochs_run == result.epochs_run  # budget already spent: nothing more
