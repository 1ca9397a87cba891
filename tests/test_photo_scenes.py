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


def test_view_window_holds_the_focus_box():
    from lprkit.synth.photo_scenes import view_window

    rng = np.random.default_rng(0)
    for _ in range(200):
        box = (rng.uniform(0, 500), rng.uniform(0, 380))
        box = (*box, box[0] + rng.uniform(5, 140), box[1] + rng.uniform(5, 100))
        x, y, w, h = view_window(480, 640, rng, 0.3, contain=box)
        assert x <= box[0] and y <= box[1] and x + w >= box[2] and y + h >= box[3], (box, x, y, w, h)
        assert 0 <= x and 0 <= y and x + w <= 640 and y + h <= 480


def test_focused_scene_keeps_plates_off_the_false_box():
    from lprkit.synth.photo_scenes import _view

    photo = _photo(4, grey=False)
    focus = (300.0, 200.0, 360.0, 230.0)
    for seed in range(10):
        # the same draws as compose_photo_scene makes first: where the focus box lands in the view
        view, scale, (ox, oy) = _view(photo, np.random.default_rng(seed), (480, 1280), 0.3, focus)
        fx1, fy1, fx2, fy2 = (np.array(focus) - [ox, oy, ox, oy]) * scale
        assert 0 <= fx1 < fx2 <= view.shape[1] + 1 and 0 <= fy1 < fy2 <= view.shape[0] + 1
        image, boxes = compose_photo_scene(photo, np.random.default_rng(seed), n_plates=3, styles=["eu_de"],
                                           min_view=0.3, focus=focus)
        assert image.shape == view.shape
        for x1, y1, x2, y2 in boxes:
            assert x2 < fx1 or x1 > fx2 or y2 < fy1 or y1 > fy2, "a plate pasted over the mined box"


def test_focus_boxes_choose_the_photos(tmp_path):
    paths = []
    for i in range(3):
        p = tmp_path / f"bg{i}.jpg"
        Image.fromarray(np.full((240, 320, 3), 40 + 80 * i, np.uint8)).save(p)
        paths.append(p)
    focus = [np.zeros((0, 4)), np.array([[10.0, 10.0, 60.0, 30.0]]), np.zeros((0, 4))]
    out = write_photo_scenes(tmp_path / "ps", 6, paths, negative_share=1.0, focus_boxes=focus, seed=0,
                             progress=False)
    # every view comes from the one photo with a mined box (grey level 120, JPEG within a few levels)
    for image_path, _ in read_detection_folder(out):
        level = np.asarray(Image.open(image_path)).mean()
        assert abs(level - 120) < 6, level
    with pytest.raises(ValueError, match="focus_boxes has 2 entries for 3 backgrounds"):
        write_photo_scenes(tmp_path / "a", 2, paths, focus_boxes=focus[:2], progress=False)
    with pytest.raises(ValueError, match="holds no box"):
        write_photo_scenes(tmp_path / "b", 2, paths, focus_boxes=[np.zeros((0, 4))] * 3, progress=False)


def test_false_boxes_maps_tiles_back_to_the_photo(tmp_path):
    from lprkit.detection.base import Detection
    from lprkit.detection.mining import false_boxes

    class Fires:
        """Finds one box at the same place in every image it is given (whole frame or tile)."""

        name, class_names = "fires", ("plate",)

        def detect(self, images):
            return [[Detection((10.0, 20.0, 50.0, 35.0), 0.9, 0)] for _ in images]

    paths = []
    for i, size in enumerate([(300, 400), (1200, 1600)]):
        p = tmp_path / f"p{i}.png"
        Image.fromarray(np.zeros((*size, 3), np.uint8)).save(p)
        paths.append(p)
    small, large = false_boxes(Fires(), paths, tile=640, progress=False)
    assert small.shape == (1, 4) and np.allclose(small, [[10, 20, 50, 35]])  # not tiled
    assert large.shape[1] == 4 and len(large) > 1  # whole frame + tiles, each in photo pixels
    assert (large[:, 0] >= 10).all() and (large[:, 2] <= 1600).all()
    whole = false_boxes(Fires(), paths[1:], tile=None, progress=False)[0]
    assert np.allclose(whole, [[10, 20, 50, 35]])
