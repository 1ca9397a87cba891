"""Synthetic data sets: in-memory crops, folders on disk, tf.data, the CLI and the explorer."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from lprkit.cli import main
from lprkit.synth.dataset import (
    generate_crops,
    generate_crops_by_layout,
    read_labels,
    tf_dataset,
    write_recognition_dataset,
)
from lprkit.synth.explorer import SLIDERS, explore
from lprkit.synth.grammar import is_legal
from lprkit.synth.styles import get_style


def test_generate_crops_shapes_labels_and_reproducibility():
    imgs, texts, styles = generate_crops(12, "korean", size=(94, 24), seed=3)
    assert imgs.shape == (12, 24, 94, 3) and imgs.dtype == np.uint8
    assert len(texts) == len(styles) == 12
    assert all(is_legal(t, s) for t, s in zip(texts, styles, strict=True))
    again = generate_crops(12, "korean", size=(94, 24), seed=3)
    assert again[0].tobytes() == imgs.tobytes() and again[1] == texts
    # plate i does not depend on n: a prefix is the same data set
    head = generate_crops(5, "korean", size=(94, 24), seed=3)
    assert head[0].tobytes() == imgs[:5].tobytes()
    other = generate_crops(12, "korean", size=(94, 24), seed=4)
    assert other[1] != texts


def test_generate_crops_style_mix_and_errors():
    _, _, styles = generate_crops(40, "latin,kr_ev", size=(64, 16), seed=0, degrade_strength=0)
    assert "kr_ev" in styles and any(s.startswith(("eu_", "us_", "hk_", "in_", "br_")) for s in styles)
    with pytest.raises(ValueError, match="unknown plate style or group"):
        generate_crops(2, "klingon")
    with pytest.raises(ValueError, match=r"size must be \(width, height\)"):
        generate_crops(2, size=128)
    assert generate_crops(0, size=(64, 16))[0].shape == (0, 16, 64, 3)


def test_render_scale_draws_the_same_plates_sharper():
    import cv2

    def sharpness(imgs):
        return float(np.mean([np.abs(cv2.Laplacian(i, cv2.CV_32F)).mean() for i in imgs]))

    small = generate_crops(8, "kr_green_2line", size=(128, 32), seed=2, degrade_strength=0, render_scale=0.5)
    large = generate_crops(8, "kr_green_2line", size=(128, 32), seed=2, degrade_strength=0, render_scale=3)
    assert small[1] == large[1] and large[0].shape == (8, 32, 128, 3)
    # drawn small then enlarged is blurred; drawn large then shrunk keeps its edges
    assert sharpness(large[0]) > 1.3 * sharpness(small[0])
    with pytest.raises(ValueError, match="render_scale must be between 0.25 and 8"):
        generate_crops(2, size=(64, 16), render_scale=0)


def test_degradations_override_changes_images_not_plates():
    from lprkit.synth.degrade import DEGRADATIONS

    default = generate_crops(6, "kr_private_2019", size=(128, 32), seed=4)
    same = generate_crops(6, "kr_private_2019", size=(128, 32), seed=4, degradations={})
    assert same[0].tobytes() == default[0].tobytes()  # no override: the test set's bytes
    none = dict.fromkeys(DEGRADATIONS, 0.0)
    clean = generate_crops(6, "kr_private_2019", size=(128, 32), seed=4, degradations=none)
    strength0 = generate_crops(6, "kr_private_2019", size=(128, 32), seed=4, degrade_strength=0)
    assert clean[1] == default[1] and clean[2] == default[2]  # the same plates ...
    assert clean[0].tobytes() == strength0[0].tobytes()  # ... drawn clean when all are off
    assert not np.array_equal(clean[0], default[0])
    with pytest.raises(ValueError, match=r"unknown degradations \['fog'\]; known: warp"):
        generate_crops(2, size=(64, 16), degradations={"fog": 0.0})
    with pytest.raises(ValueError, match="degradation 'jpeg': probability 1.5 is outside"):
        generate_crops(2, size=(64, 16), degradations={"jpeg": 1.5})
    with pytest.raises(ValueError, match="degradation 'jpeg': probability 'often' is not a number"):
        generate_crops(2, size=(64, 16), degradations={"jpeg": "often"})


def test_two_line_plates_become_strips():
    imgs, texts, styles = generate_crops(6, "kr_green_2line", size=(128, 32), seed=1)
    assert set(styles) == {"kr_green_2line"} and imgs.shape == (6, 32, 128, 3)


def test_two_line_layout_changes_only_two_line_strips():
    def crops(styles, layout):
        return generate_crops(8, styles, size=(128, 32), seed=1, two_line_top=layout)

    one = [crops("kr_private_2006,kr_ev", layout) for layout in ("span", "text")]
    assert one[0][0].tobytes() == one[1][0].tobytes() and one[0][1] == one[1][1]
    span, text = crops("kr_green_2line", "span"), crops("kr_green_2line", "text")
    assert span[1] == text[1]  # the same plates, cut into strips two ways
    assert sum(not np.array_equal(a, b) for a, b in zip(span[0], text[0], strict=True)) >= 6
    default = generate_crops(8, "kr_green_2line", size=(128, 32), seed=1)
    assert default[0].tobytes() == text[0].tobytes()  # "text" is the default
    with pytest.raises(ValueError, match="layout 'tight' is unknown"):
        generate_crops(2, size=(64, 16), two_line_top="tight")
    cut, texts, styles = generate_crops_by_layout(8, "kr_green_2line", (128, 32), seed=1)
    assert sorted(cut) == ["span", "text"] and texts == span[1] and styles == span[2]
    assert all(np.array_equal(a, b) for a, b in zip(cut["span"], span[0], strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(cut["text"], text[0], strict=True))
    with pytest.raises(ValueError, match="no layouts given"):
        generate_crops_by_layout(2, layouts=())


def test_write_dataset_manifest_labels_and_no_overwrite(tmp_path):
    out = tmp_path / "crops"
    write_recognition_dataset(out, 20, styles="kr_ev,us", size=(96, 24), seed=5, progress=False)
    rows = read_labels(out)
    assert [r[0] for r in rows] == [f"{i:07d}.png" for i in range(20)]  # names never from text
    raw = (out / "labels.csv").read_text(encoding="utf-8")
    assert not raw.startswith("file") and raw.count("\n") == 20
    assert list(csv.reader(raw.splitlines()))[0] == list(rows[0])
    import cv2

    img = cv2.imread(str(out / rows[0][0]))
    assert img.shape == (24, 96, 3)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["seed"] == 5 and m["n"] == 20 and m["size"] == [96, 24]
    assert m["two_line_top"] == "text"
    assert m["lprkit_version"] and m["styles"][0] == "kr_ev"
    assert sum(m["counts"]["by_style"].values()) == 20
    before = (out / "labels.csv").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite"):
        write_recognition_dataset(out, 3, seed=6, progress=False)
    assert (out / "labels.csv").read_bytes() == before  # untouched
    write_recognition_dataset(out, 3, seed=6, overwrite=True, progress=False)
    assert len(read_labels(out)) == 3 and not (out / "0000003.png").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["crops"]  # no temp folders left


def test_write_is_reproducible_and_parallel_equal(tmp_path):
    a = write_recognition_dataset(tmp_path / "a", 6, seed=2, progress=False, processes=1)
    b = write_recognition_dataset(tmp_path / "b", 6, seed=2, progress=False, processes=2)
    for name in ["labels.csv", "0000000.png", "0000005.png"]:
        assert (a / name).read_bytes() == (b / name).read_bytes()


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    import lprkit.synth.dataset as ds

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ds, "_run_tasks", boom)
    with pytest.raises(KeyboardInterrupt):
        write_recognition_dataset(tmp_path / "x", 4, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_cli_synth_plates(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["synth", "plates", "--styles", "kr_ev,br_mercosur", "--n", "8", "--seed", "1",
                 "--out", str(out), "--size", "128x32"]) == 0
    rows = read_labels(out)
    assert len(rows) == 8 and all((out / f).is_file() for f, _ in rows)
    assert main(["synth", "plates", "--n", "2", "--out", str(out)]) == 2
    assert "overwrite" in capsys.readouterr().err
    assert main(["synth", "plates", "--n", "2", "--out", str(out), "--styles", "mars"]) == 2
    assert main(["synth", "plates", "--out", str(out), "--list-styles", "--styles", "brazil"]) == 0
    assert "br_mercosur" in capsys.readouterr().out


def test_explore_plain_function():
    res = explore("kr_green_2line", "", seed=3, strengths={"noise": 1.0, "rotate": 0.5})
    assert is_legal(res.text, "kr_green_2line") and res.clean.shape[2] == 3
    assert res.degraded.shape == res.clean.shape and "noise 1" in res.message
    assert res.strip.shape[1] > res.clean.shape[1]  # two-line plate became a strip
    clean = explore("kr_private_2006", "12가 3456", seed=0)
    assert clean.text == "12가3456" and np.array_equal(clean.clean, clean.degraded)
    bad = explore("kr_private_2006", "12바3456")
    assert bad.clean is None and "not a legal" in bad.message
    assert "warp" not in SLIDERS and "jpeg" in SLIDERS
    with pytest.raises(ValueError, match="unknown degradations"):
        explore(strengths={"fog": 1})


def test_tf_dataset_matches_generate_crops():
    ds = tf_dataset(5, "korean", size=(64, 16), seed=7, alphabet="korean", max_len=10, chunk=2)
    items = list(ds.as_numpy_iterator())
    imgs, texts, _ = generate_crops(5, "korean", size=(64, 16), seed=7)
    assert len(items) == 5
    assert np.array_equal(np.stack([i["image"] for i in items]), imgs)
    assert [i["text"].decode() for i in items] == texts
    assert items[0]["label"].shape == (10,) and items[0]["label_length"] > 0


def test_char_height_sets_the_smallest_line_and_keeps_the_plates():
    from lprkit.synth.dataset import crop_char_heights, make_crop

    default = generate_crops(6, "korean", size=(128, 32), seed=4)
    small = generate_crops(6, "korean", size=(128, 32), seed=4, char_height=9)
    assert small[1:] == default[1:] and not np.array_equal(small[0], default[0])
    for name in ("kr_private_2019", "kr_green_2line"):
        st, one = get_style(name), ([name], np.array([1.0]))
        for i in range(3):  # drawn clean and kept at its size, the plate is as tall as asked
            img = make_crop(i, *one, None, 4, 0.0, char_height=20)[0]
            assert img.shape[0] == pytest.approx(20 * st.size[1] / st.min_line_height, abs=1)
        # crop_char_heights replays the draws of the plates as they are
        for i, h in enumerate(crop_char_heights(3, name, None, seed=4)):
            img = make_crop(i, *one, None, 4, 0.0)[0]
            assert img.shape[0] == pytest.approx(h * st.size[1] / st.min_line_height, abs=1)
    with pytest.raises(ValueError, match="char_height must be between 4 and 200 pixels, got 1"):
        generate_crops(2, size=(64, 16), char_height=1)
    with pytest.raises(ValueError, match="char_height or render_scale, not both"):
        generate_crops(2, size=(64, 16), char_height=12, render_scale=2)


def test_plot_exploration_draws_the_three_pictures_or_the_reason():
    import matplotlib

    matplotlib.use("Agg")
    from lprkit.synth.explorer import plot_exploration

    fig = plot_exploration(explore("kr_commercial_2line", "", seed=0))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["clean", "degraded", "strip the recogniser reads"]
    assert fig._suptitle.get_text().startswith("kr_commercial_2line: ")
    rejected = plot_exploration(explore("kr_ev", "12가3456"))
    assert len(rejected.axes) == 1 and not rejected.axes[0].images
