"""The openalpr/train-detector sets: registries, URLs, the negatives split, local copies."""

import pytest

from lprkit.data import train_detector_sets as tds
from lprkit.data.photo_dev_sets import negatives_dev, negatives_train


def test_registries_list_every_file_once_with_a_checksum():
    train, dev = tds.registry("br_crops_train"), tds.registry("br_crops_dev")
    assert (len(train), len(dev), len(tds.registry("negatives"))) == (2669, 719, 618)
    assert not {r["text"] for r in train} & {r["text"] for r in dev}  # split by plate text
    for row in train[:50] + dev[:50]:
        assert len(row["sha256"]) == 64 and row["text"].isalnum() and row["original"].startswith("br/")


def test_urls_are_pinned_and_escape_hashes():
    row = tds.registry("br_crops_dev")[0]
    url = tds.url_of(row, "br_crops_dev")
    assert url.startswith(f"https://raw.githubusercontent.com/openalpr/train-detector/{tds.COMMIT}/br/")
    assert "#" not in url and "%23" in url
    neg = tds.registry("negatives")[0]
    assert tds.url_of(neg, "negatives").endswith("/raw-neg/" + neg["file"])
    with pytest.raises(ValueError, match="unknown set"):
        tds.registry("nope")


def test_negatives_split_is_disjoint_stable_and_per_source(tmp_path):
    names = [f"neg-{i:04d}.jpg" for i in range(9)] + [f"youtube_{i}.jpg" for i in range(6)]
    paths = [tmp_path / n for n in names]
    train, dev = tds.split_negatives(paths)
    assert len(dev) == 3 + 2 and not set(train) & set(dev) and len(train) + len(dev) == 15
    assert tds.split_negatives(list(reversed(paths))) == (train, dev)
    with pytest.raises(ValueError):
        tds.split_negatives(paths, dev_every=1)


def test_missing_local_copy_without_download_says_where(tmp_path, monkeypatch):
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="LPRKIT_DATA_HOME"):
        tds.load_br_crops("dev", download=False)
    with pytest.raises(ValueError, match="split"):
        tds.load_br_crops("test")


def test_local_copy_is_read(realdata_dir, monkeypatch):
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(realdata_dir))
    dev = tds.load_br_crops("dev", download=False)
    assert len(dev) == 719 and dev.texts[0].isalnum()
    train_neg, dev_neg = negatives_train(), negatives_dev()
    assert len(train_neg) + len(dev_neg) == 618 and not set(train_neg) & set(dev_neg)
