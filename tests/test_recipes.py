"""The training recipes end to end in the smoke profile (tiny data, one epoch)."""

import json

import pytest

from lprkit.checkpoints import load_detector, load_recognizer


@pytest.mark.slow
def test_detector_recipe_saves_a_measured_detector_and_best_so_far(tmp_path):
    from lprkit.detection.recipe import save_best_so_far, train_plate_detector
    from lprkit.synth.scene_dataset import write_scene_dataset

    train = write_scene_dataset(tmp_path / "train", 6, mode="parking", seed=1, size=(320, 240), progress=False)
    val = write_scene_dataset(tmp_path / "val", 3, mode="cctv", seed=2, size=(320, 240), progress=False)
    summary = train_plate_detector([train], [val], tmp_path / "det", input_size=64, epochs=1, batch_size=2, verbose=False)
    assert summary["epochs_run"] == 1 and summary["input_size"] == 64
    assert 0.0 <= summary["val"]["map50"] <= 1.0 and summary["val"]["images"] == 3
    saved = json.loads((tmp_path / "det" / "training.json").read_text())
    assert saved["anchors"] == summary["anchors"]
    assert load_detector(tmp_path / "det").name == "yolov4-tiny-plates"
    with pytest.raises(FileExistsError):
        train_plate_detector([train], [val], tmp_path / "det", input_size=64, epochs=1, verbose=False)
    again = save_best_so_far([train], [val], tmp_path / "det2", tmp_path / "det.work", input_size=64)
    assert again["anchors"] == summary["anchors"]  # refitted from the same boxes


@pytest.mark.slow
def test_recognizer_recipe_saves_a_measured_checkpoint(tmp_path):
    from lprkit.recognition.recipe import train_plate_recognizer

    summary = train_plate_recognizer(tmp_path / "rec", arch="lprnet", styles="kr_private_2006", verbose=0)
    assert summary["alphabet"] == "korean" and summary["n_train"] == 256
    assert summary["metrics"]["synthetic"]["n"] == 64
    assert summary["learning_rate"] == 1e-3  # the default, recorded
    rec = load_recognizer(tmp_path / "rec")
    assert rec.name == "rec" and rec.input_size == (94, 24) and rec.two_line_top == "text"
    with pytest.raises(ValueError, match="mix alphabets"):
        train_plate_recognizer(tmp_path / "x", styles="kr_ev,eu_de")


@pytest.mark.parametrize(
    "arch, styles, source, match",
    [
        ("lprnet", "korean", "crnn-korean", "different architecture"),
        ("crnn", "korean", "crnn-latin", "alphabet 'latin'"),
    ],
)
def test_recognizer_recipe_refuses_an_incompatible_starting_checkpoint(tmp_path, arch, styles, source, match):
    from lprkit.recognition.recipe import train_plate_recognizer

    with pytest.raises(ValueError, match=match):
        train_plate_recognizer(tmp_path / "out", arch=arch, styles=styles, init_from=source,
                               n_train=16, n_val=8, n_test=8, epochs=1, verbose=0)  # fmt: skip
    assert not (tmp_path / "out").exists()


def test_recognizer_recipe_records_the_layout_and_learning_rate_asked_for(tmp_path):
    from lprkit.cli import main
    from lprkit.recognition.recipe import train_plate_recognizer

    args = ["train", "recognizer", "--arch", "lprnet", "--styles", "kr_green_2line", "--n-train", "32",
            "--epochs", "1", "--two-line-top", "span", "--learning-rate", "5e-4", "--out", str(tmp_path / "rec")]
    assert main(args) == 0
    rec = load_recognizer(tmp_path / "rec")
    assert rec.two_line_top == "span" and rec.meta["training"]["metrics"]["synthetic"]["n"] == 64
    assert rec.meta["training"]["learning_rate"] == 5e-4
    with pytest.raises(ValueError, match="layout 'wide' is unknown"):
        train_plate_recognizer(tmp_path / "x", two_line_top="wide", n_train=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="unknown architecture 'vit'"):
        train_plate_recognizer(tmp_path / "x", arch="vit", n_train=8, epochs=1, verbose=0)
    assert not (tmp_path / "x").exists()


def test_recognizer_recipe_builds_and_records_the_model_options(tmp_path):
    from lprkit.recognition.recipe import train_plate_recognizer

    narrow = {"filters": (8, 16, 16, 16), "rnn_units": 16}
    summary = train_plate_recognizer(tmp_path / "rec", arch="crnn", styles="kr_ev", n_train=16, n_val=8,
                                     n_test=8, epochs=1, model_options=narrow, verbose=0)  # fmt: skip
    assert summary["model_options"] == {"filters": [8, 16, 16, 16], "rnn_units": 16}
    model = load_recognizer(tmp_path / "rec").model
    assert model.get_layer("conv6").filters == 16 and model.get_layer("bi_lstm1").forward_layer.units == 16
    with pytest.raises(ValueError, match=r"model options \['input_size'\] are set by the recipe"):
        train_plate_recognizer(tmp_path / "x", model_options={"input_size": (64, 32)}, n_train=8, epochs=1)
    with pytest.raises(ValueError, match=r"unknown crnn model options \['width'\]; accepted: rnn, "):
        train_plate_recognizer(tmp_path / "x", model_options={"width": 2}, n_train=8, epochs=1)
    assert not (tmp_path / "x").exists()


def test_easy_start_trains_a_first_epoch_on_milder_plates(tmp_path, monkeypatch):
    import lprkit.synth.dataset as dataset
    from lprkit.recognition.recipe import train_plate_recognizer

    drawn = []
    real_generate = dataset.generate_crops

    def spy(n, styles, *args, degrade_strength=1.0, seed=0, **kwargs):
        drawn.append((n, seed, degrade_strength))
        return real_generate(n, styles, *args, degrade_strength=degrade_strength, seed=seed, **kwargs)

    import lprkit.recognition.train as train_module

    fits = []
    real_train = train_module.train_recognizer

    def train_spy(model, train, val, **kwargs):
        fits.append((train, kwargs["epochs"], kwargs["checkpoint_dir"]))
        return real_train(model, train, val, **kwargs)

    monkeypatch.setattr(dataset, "generate_crops", spy)
    monkeypatch.setattr(train_module, "train_recognizer", train_spy)
    summary = train_plate_recognizer(tmp_path / "rec", arch="crnn", styles="kr_ev", n_train=16, n_val=8,
                                     n_test=8, max_minutes=0.5, easy_start=0.25, verbose=0)  # fmt: skip
    # training, validation, then the same training plates at strength 0.25, then the test set
    assert drawn[:3] == [(16, 0, 1.0), (8, 1, 1.0), (16, 0, 0.25)] and drawn[3][1] == 2
    # one epoch on the milder plates, then the usual ones resumed from the same checkpoint folder
    (easy, easy_epochs, easy_dir), (usual, usual_epochs, usual_dir) = fits
    assert easy_epochs == 1 and usual_epochs is None and easy_dir == usual_dir
    assert easy[1] == usual[1] and easy[0].shape == usual[0].shape and (easy[0] != usual[0]).any()
    assert summary["easy_start"] == 0.25 and summary["epochs_run"] >= 1
    assert load_recognizer(tmp_path / "rec").model is not None
    with pytest.raises(ValueError, match=r"easy_start=1.5: give a degradation strength between 0 and 1"):
        train_plate_recognizer(tmp_path / "x", easy_start=1.5, n_train=8, max_minutes=1)
    with pytest.raises(ValueError, match="easy_start needs max_minutes"):
        train_plate_recognizer(tmp_path / "x", easy_start=0.5, n_train=8, epochs=1)
    assert not (tmp_path / "x").exists()


def test_recognizer_recipe_mixes_real_crops_and_refuses_development_sets(tmp_path, monkeypatch):
    from PIL import Image

    from lprkit.data import realdata
    from lprkit.data.folders import read_crops_folder
    from lprkit.recognition.recipe import train_plate_recognizer

    folder = tmp_path / "real"
    folder.mkdir()
    rows = []
    for i, text in enumerate(["AB123", "CD456", "EF789"]):
        Image.new("RGB", (90, 30), (200, 200, 200)).save(folder / f"{i}.png")
        rows.append(f"{i}.png,{text}")
    (folder / "labels.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.setattr(realdata, "load_realdata", lambda name: read_crops_folder(folder))
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path / "no_real_sets"))  # nothing to measure
    summary = train_plate_recognizer(tmp_path / "rec", arch="crnn", styles="eu_de", n_train=16, n_val=8,
                                     n_test=8, epochs=1, real=["my_real_train"], real_copies=2,
                                     model_options={"filters": (8, 8, 8, 8), "rnn_units": 8}, verbose=0)
    assert summary["real"] == {"sets": ["my_real_train"], "crops": 3, "copies": 2, "strength": 0.6,
                               "focus": "", "focus_copies": 0}
    for dev in ("br_crops_dev", "openalpr_eu", "kr_crops"):
        with pytest.raises(ValueError, match="development set"):
            train_plate_recognizer(tmp_path / "x", styles="eu_de", n_train=8, epochs=1, real=[dev])
    assert not (tmp_path / "x").exists()


def test_real_focus_gives_crops_with_confused_characters_more_copies(tmp_path, monkeypatch):
    from PIL import Image

    from lprkit.charset import get_alphabet
    from lprkit.data import realdata
    from lprkit.data.folders import read_crops_folder
    from lprkit.recognition.recipe import _real_training_crops, train_plate_recognizer

    folder = tmp_path / "real"
    folder.mkdir()
    texts = ["OB123", "CD456", "EF789"]
    for i in range(len(texts)):
        Image.new("RGB", (90, 30), (200, 200, 200)).save(folder / f"{i}.png")
    (folder / "labels.csv").write_text("".join(f"{i}.png,{t}\n" for i, t in enumerate(texts)))
    monkeypatch.setattr(realdata, "load_realdata", lambda name: read_crops_folder(folder))
    images, labels, n = _real_training_crops(["mine"], get_alphabet("latin"), 1, 0.6, 0, "OQ", 3)
    # each crop and one copy, then three more copies of the only crop holding O or Q
    assert n == 3 and len(images) == 3 * 2 + 3
    assert labels == ["OB123", "OB123", "CD456", "CD456", "EF789", "EF789"] + ["OB123"] * 3
    assert all(im.shape == (30, 90, 3) for im in images)
    with pytest.raises(ValueError, match="real_focus='o-'"):
        train_plate_recognizer(tmp_path / "x", styles="eu_de", n_train=8, epochs=1, real=["mine"],
                               real_focus="o-", real_focus_copies=2)
    assert not (tmp_path / "x").exists()
