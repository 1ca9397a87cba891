"""Crops/frames folders, 2-set keyboard names and the real-data loaders (never downloads)."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from lprkit.charset import HANGUL_ALL, KOREAN
from lprkit.data import realdata
from lprkit.data.annotations import AnnotationFormatError, ObjectBox
from lprkit.data.folders import (
    dubeolsik_to_hangul,
    hangul_to_dubeolsik,
    load_image,
    read_crops_folder,
    read_frames_folder,
    text_from_filename,
    write_frames_csv,
)
from lprkit.errors import LprkitError


def _write_png(path: Path, h=20, w=40, value=128):
    import cv2

    cv2.imwrite(str(path), np.full((h, w, 3), value, np.uint8))


# --------------------------------------------------------------------------- 2-set keyboard


def test_dubeolsik_composition_rules():
    assert dubeolsik_to_hangul("aj") == "머"
    assert dubeolsik_to_hangul("gksrmf") == "한글"  # finals
    assert dubeolsik_to_hangul("rkqtdl") == "값이"  # double final split before a vowel
    assert dubeolsik_to_hangul("dhkswjs") == "완전"  # compound vowel
    assert dubeolsik_to_hangul("Rkr") == "깍"  # shifted key = tense consonant
    assert dubeolsik_to_hangul("12rk") == "12가"  # non-keys pass through
    assert dubeolsik_to_hangul("r") == "ㄱ"  # a lone consonant stays a jamo


def test_dubeolsik_round_trips_every_plate_hangul():
    for h in HANGUL_ALL:
        keys = hangul_to_dubeolsik(h)
        assert keys.isascii() and dubeolsik_to_hangul(keys) == h


def test_text_from_filename():
    assert text_from_filename("aziz_cctv_train_01aj1010_00479.jpg") == "01머1010"
    assert text_from_filename("A72qk6984_0884.jpg") == "서울72바6984"
    assert text_from_filename("Z123gh4567_0001.jpg") == "123호4567"
    assert text_from_filename("photo_0001.jpg") is None
    with pytest.raises(ValueError, match="region letter 'Y'"):
        text_from_filename("Y12rk3456_1.jpg")


def test_text_from_filename_matches_kr_crops_labels(realdata_dir):
    rows = list(csv.reader(open(realdata_dir / "kr_crops" / "labels.csv", encoding="utf-8")))
    assert len(rows) == 20
    for name, text in rows:
        assert text_from_filename(name) == text
        assert KOREAN.can_write(text)


# --------------------------------------------------------------------------- folders


def test_crops_folder(tmp_path):
    _write_png(tmp_path / "a.png")
    _write_png(tmp_path / "b.png", value=10)
    (tmp_path / "labels.csv").write_text('a.png,12가3456\n\nb.png,"AB,1"\n', encoding="utf-8")
    folder = read_crops_folder(tmp_path)
    assert folder.texts == ["12가3456", "AB,1"]
    img = folder[1].load()
    assert img.dtype == np.uint8 and img.shape == (20, 40, 3) and img.max() == 10
    (tmp_path / "labels.csv").write_text("a.png,1,2\n")
    with pytest.raises(AnnotationFormatError, match=r"labels.csv, line 1: expected 2 columns"):
        read_crops_folder(tmp_path)
    (tmp_path / "labels.csv").write_text("a.png,1\nc.png,2\n")
    with pytest.raises(FileNotFoundError, match=r"line 2: image 'c.png' not found"):
        read_crops_folder(tmp_path)
    with pytest.raises(FileNotFoundError, match="crops folder not found"):
        read_crops_folder(tmp_path / "nope")


def test_frames_folder_csv_groups_repeated_files(tmp_path):
    for name in ("f1.png", "f2.png"):
        _write_png(tmp_path / name, 100, 200)
    rows = [
        ("f1.png", ObjectBox.from_xywh("plate", 10, 20, 50, 12, text="12가3456")),
        ("f2.png", ObjectBox.from_xywh("plate", 1, 2, 3, 4, text="AB12")),
        ("f1.png", ObjectBox.from_xywh("plate", 100, 60, 40, 10, text="34나5678")),
    ]
    write_frames_csv(tmp_path / "labels.csv", rows)
    assert (tmp_path / "labels.csv").read_text().splitlines()[0] == "f1.png,12가3456,10,20,50,12"
    folder = read_frames_folder(tmp_path)
    assert folder.source == "labels.csv"
    assert [f.path.name for f in folder] == ["f1.png", "f2.png"]
    assert [p.text for p in folder[0].plates] == ["12가3456", "34나5678"]
    assert folder[0].plates[1].xywh() == (100, 60, 40, 10)
    (tmp_path / "labels.csv").write_text("f1.png,X,1,2,three,4\n")
    with pytest.raises(AnnotationFormatError, match="line 1: x,y,w,h must be numbers"):
        read_frames_folder(tmp_path)


def test_frames_folder_openalpr_txt(tmp_path):
    _write_png(tmp_path / "eu1.png")
    (tmp_path / "eu1.txt").write_text("eu1.png\t3\t4\t20\t6\tM5XSX\n")
    folder = read_frames_folder(tmp_path)
    assert folder.source == "openalpr"
    assert folder[0].plates[0].xywh() == (3, 4, 20, 6) and folder[0].plates[0].text == "M5XSX"
    (tmp_path / "eu1.txt").unlink()
    with pytest.raises(FileNotFoundError, match="has no labels"):
        read_frames_folder(tmp_path)


def test_corrupt_image_names_the_file(tmp_path):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    with pytest.raises(LprkitError, match="cannot decode image .*broken.jpg"):
        load_image(bad)
    with pytest.raises(FileNotFoundError, match="image not found"):
        load_image(tmp_path / "none.jpg")


# --------------------------------------------------------------------------- loaders


def test_openalpr_eu_local_copy(realdata_dir, monkeypatch):
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(realdata_dir))
    frames = realdata.load_openalpr_eu(download=False)
    assert len(frames) == 108
    assert all(len(f.plates) == 1 and f.plates[0].text for f in frames)
    assert realdata.verify("openalpr_eu") == []
    img = frames[0].load()
    p = frames[0].plates[0]
    assert p.x2 <= img.shape[1] and p.y2 <= img.shape[0]


def test_openalpr_eu_registry_covers_labels(realdata_dir):
    # the .txt hashes are those of the benchmark's one-line files, rebuilt from labels.csv
    rows = list(csv.reader(open(realdata_dir / "openalpr_eu" / "labels.csv", encoding="utf-8")))
    assert len(realdata.OPENALPR_EU_SHA256) == 2 * len(rows)
    for name, text, x, y, w, h in rows:
        line = f"{name}\t{x}\t{y}\t{w}\t{h}\t{text}\n".encode()
        txt = name.rsplit(".", 1)[0] + ".txt"
        assert realdata.OPENALPR_EU_SHA256[txt] == "sha256:" + hashlib.sha256(line).hexdigest()


def test_openalpr_eu_download_path_uses_pooch(realdata_dir, tmp_path, monkeypatch):
    """The download branch, with pooch's fetch replaced by a copy from the local set."""
    import pooch

    src = realdata_dir / "openalpr_eu"
    labels = {r[0]: r for r in csv.reader(open(src / "labels.csv", encoding="utf-8"))}
    calls = []

    class FakePooch:
        def __init__(self, path, base_url, registry, **kw):
            self.path, self.base_url, self.registry = Path(path), base_url, registry

        def fetch(self, name):
            calls.append(self.base_url + name)
            self.path.mkdir(parents=True, exist_ok=True)
            if name.endswith(".txt"):
                f, text, x, y, w, h = labels[name[:-4] + ".jpg"]
                (self.path / name).write_text(f"{f}\t{x}\t{y}\t{w}\t{h}\t{text}\n")
            else:
                shutil.copyfile(src / name, self.path / name)
            return str(self.path / name)

    monkeypatch.setattr(pooch, "create", FakePooch)
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="openalpr_eu is not in"):
        realdata.load_openalpr_eu(download=False)
    frames = realdata.load_openalpr_eu(progress=False)
    assert frames.source == "openalpr" and len(frames) == 108
    assert len(calls) == 216 and calls[0].startswith(realdata.OPENALPR_EU_URL)
    got = {f.path.name: (f.plates[0].text, f.plates[0].xywh()) for f in frames}
    want = {n: (r[1], tuple(float(v) for v in r[2:])) for n, r in labels.items()}
    assert got == want


def test_kr_crops_local_and_from_names(realdata_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(realdata_dir))
    crops = realdata.load_realdata("kr_crops")
    assert len(crops) == 20 and crops.texts[0] == "01머1010"
    assert realdata.verify("kr_crops") == []
    # a copy with the original key-coded names and no labels.csv
    home = tmp_path / "home"
    (home / "kr_crops").mkdir(parents=True)
    for c in list(crops)[:3]:
        shutil.copyfile(c.path, home / "kr_crops" / c.path.name.split("train_", 1)[1])
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(home))
    named = realdata.load_kr_crops()
    assert sorted(named.texts) == sorted(crops.texts[:3])
    assert len(realdata.verify("kr_crops")) == 17


def test_kr_crops_without_a_copy_and_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="kr_crops is not in .*load_kr_crops\\(download=True\\)"):
        realdata.load_kr_crops(download=False)
    assert not (tmp_path / "kr_crops").exists()
    with pytest.raises(ValueError, match="unknown real data set 'ccpd'"):
        realdata.load_realdata("ccpd")


def test_kr_crops_download_fetches_the_pinned_originals(realdata_dir, tmp_path, monkeypatch):
    """Downloads go to the pinned commit's URLs with each file's SHA-256 (pooch stands in for
    the network here: it copies the local originals and checks the digest as pooch would)."""
    import pooch

    calls = []

    def fake_retrieve(url, known_hash, fname, path, progressbar):
        calls.append(url)
        source = realdata_dir / "kr_crops" / fname
        assert known_hash == f"sha256:{realdata.sha256(source)}"
        shutil.copyfile(source, Path(path) / fname)
        return str(Path(path) / fname)

    monkeypatch.setattr(pooch, "retrieve", fake_retrieve)
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path))
    crops = realdata.load_kr_crops(progress=False)
    assert len(crops) == 20 and len(calls) == 20
    assert sorted(crops.texts) == sorted(read_crops_folder(realdata_dir / "kr_crops").texts)
    assert calls[0] == ("https://raw.githubusercontent.com/azizsiyaev/korean_car_licence_plate_detection"
                        "_and_recognition/f4a21cea6f1d3da6da255d2e8f992f7784bc8238/Recognition%20part."
                        "%20CRNN%20KERAS/DB/cctv_train/01aj1010_00479.jpg")
    assert realdata.verify("kr_crops") == []
    calls.clear()
    assert len(realdata.load_kr_crops()) == 20 and calls == []  # a complete copy is not fetched again
    next(iter(sorted((tmp_path / "kr_crops").glob("aziz_*")))).unlink()  # as if cut short
    assert len(realdata.load_kr_crops(progress=False)) == 20 and len(calls) == 20

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr(pooch, "retrieve", offline)
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path / "other"))
    with pytest.raises(LprkitError, match="could not download https://raw.githubusercontent.com/azizsiyaev"):
        realdata.load_kr_crops(progress=False)
    with pytest.raises(ValueError, match="not a kr_crops file name"):
        realdata.kr_crops_url("01aj1010_00479.jpg")


def test_real_eu_plate_sizes(realdata_dir, monkeypatch):
    from lprkit.data.annotations import Annotation
    from lprkit.data.detection_dataset import box_sizes

    monkeypatch.setenv("LPRKIT_DATA_HOME", str(realdata_dir))
    frames = realdata.load_openalpr_eu(download=False)
    s = box_sizes([(f.path, Annotation(f.path.name, list(f.objects))) for f in frames])
    assert len(s["width"]) == 108
    assert 0.15 < np.median(s["fraction"]) < 0.35  # plates ~a quarter of the frame width
    assert 4.0 < np.median(s["aspect"]) < 5.0  # one-line European plates


def test_crops_folder_refuses_an_empty_text(tmp_path):
    from PIL import Image

    from lprkit.data.annotations import AnnotationFormatError
    from lprkit.data.folders import read_crops_folder

    Image.new("RGB", (40, 12)).save(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("a.png,\n")
    with pytest.raises(AnnotationFormatError, match="line 1: 'a.png' has an empty text"):
        read_crops_folder(tmp_path)


def test_frames_folder_refuses_a_box_outside_its_image(tmp_path):
    from PIL import Image

    from lprkit.data.annotations import AnnotationFormatError
    from lprkit.data.folders import read_frames_folder

    Image.new("RGB", (100, 50)).save(tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("a.png,AB1,10,10,20,8\na.png,CD2,90,40,30,20\n")
    with pytest.raises(AnnotationFormatError, match=r"line 2: box .* lies outside a.png \(100x50"):
        read_frames_folder(tmp_path)
