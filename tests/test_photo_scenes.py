"""Scenes on real photographs: plates pasted with boxes that fit, hard negatives, YOLO folder."""

import numpy as np
import pytest
from PIL import Image

from lprkit.data.detection_dataset import read_detection_folder
from lprkit.synth.photo_scenes import (
    background_view,
    compose_photo_scene,
    paste_plate,
    write_photo_scenes,
)


def _photo(seed=0, grey=True):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 255, (480, 640, 1 if grey else 3), dtype=np.uint8)
    return np.repeat(img, 3, axis=2) if grey else img


def test_pasted_plate_lies_inside_its_box():
    canvas = np.full((400, 600, 3), 50, np.float32)
    plate = np.full((40, 160, 3), 250, np.uint8)
    box = paste_plate(canvas, plate, np.random.default_rng(1), 160, (300, 200))
    assert box is not None
    x1, y1, x2, y2 = box
    assert 130 < x2 - x1 < 200 and 0 < x1 < x2 < 600 and 0 < y1 < y2 < 400
    changed = np.nonzero((np.abs(canvas - 50) > 20).any(axis=2))
    assert changed[1].min() >= x1 - 40 and changed[1].max() <= x2 + 40  # holder frame at most


def test_plate_leaving_the_image_is_not_pasted():
    canvas = np.zeros((100, 100, 3), np.float32)
    assert paste_plate(canvas, np.full((20, 80, 3), 255, np.uint8), np.random.default_rng(0), 80, (5, 5)) is None
    assert not canvas.any()


def test_compose_is_seeded_keeps_grey_photos_grey_and_makes_negatives():
    a, boxes = compose_photo_scene(_photo(), np.random.default_rng(3), n_plates=2, styles=["eu_de", "us_texas"])
    b, boxes_b = compose_photo_scene(_photo(), np.random.default_rng(3), n_plates=2, styles=["eu_de", "us_texas"])
    assert np.array_equal(a, b) and boxes == boxes_b
    assert 1 <= len(boxes) <= 2
    assert (a[..., 0] == a[..., 1]).all() and (a[..., 1] == a[..., 2]).all()
    h, w = a.shape[:2]
    for x1, y1, x2, y2 in boxes:
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
        assert 0.03 * w * 0.7 <= x2 - x1 <= 0.40 * w * 1.3
    empty, none = compose_photo_scene(_photo(), np.random.default_rng(3), n_plates=0)
    assert none == [] and empty.dtype == np.uint8


def test_min_view_gives_magnified_views():
    # a photo whose columns count 0..639: a view's pixel span tells how much of the photo it keeps
    photo = np.repeat(np.tile((np.arange(640) * 255 // 639).astype(np.uint8), (480, 1))[..., None], 3, axis=2)
    spans = {
        m: [np.ptp(background_view(photo, np.random.default_rng(i), long_side=(640, 640), min_view=m)[..., 0])
            for i in range(20)]
        for m in (0.3, 0.6)
    }
    assert min(spans[0.6]) >= 0.6 * 255 - 2
    assert min(spans[0.3]) < 0.6 * 255 and min(spans[0.3]) >= 0.3 * 255 - 2


def test_write_photo_scenes_is_a_yolo_folder_with_empty_labels_for_negatives(tmp_path):
    paths = []
    for i in range(2):
        p = tmp_path / f"bg{i}.jpg"
        Image.fromarray(_photo(i, grey=False)).save(p)
        paths.append(p)
    out = write_photo_scenes(tmp_path / "ps", 8, paths, styles="eu_de", negative_share=0.5, seed=0,
                             progress=False)
    items = read_detection_folder(out)
    assert len(items) == 8
    counts = [len(a.objects) for _, a in items]
    assert 0 in counts and any(counts)
    assert all(o.label == "plate" for _, a in items for o in a.objects)
    with pytest.raises(FileExistsError):
        write_photo_scenes(out, 2, paths, progress=False)
    with pytest.raises(ValueError, match="negative_share"):
        write_photo_scenes(tmp_path / "x", 2, paths, negative_share=2, progress=False)
    with pytest.raises(ValueError, match="min_view"):
        write_photo_scenes(tmp_path / "x", 2, paths, min_view=0, progress=False)
    assert not (tmp_path / "x").exists()
