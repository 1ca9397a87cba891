"""Synthetic scenes: geometry of the annotations, reproducibility, dataset writer, tf.data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lprkit.charset import KOREAN, LATIN
from lprkit.data.annotations import read_voc
from lprkit.data.detection_dataset import pad_boxes, read_detection_folder
from lprkit.synth.backgrounds import DISTRACTOR_KINDS, draw_distractor
from lprkit.synth.scene_dataset import read_annotations_jsonl, write_scene_dataset
from lprkit.synth.scenes import PLATE_WIDTHS, compose_scene
from lprkit.synth.vehicles import VEHICLE_KINDS, draw_vehicle, random_vehicle


def _iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area


@pytest.fixture(scope="module")
def scenes():
    return {
        mode: [compose_scene(mode, seed, with_masks=True) for seed in (1, 2, 3)]
        for mode in ("parking", "cctv")
    }


@pytest.mark.parametrize("mode", ["parking", "cctv"])
def test_boxes_inside_image_and_cover_the_rendered_plate(scenes, mode):
    for sc in scenes[mode]:
        h, w = sc.image.shape[:2]
        assert sc.image.dtype == np.uint8 and sc.image.shape == (480, 640, 3)
        assert sc.plates and len(sc.plates) == len(sc.vehicles) == len(sc.plate_masks)
        for o in sc.objects:
            assert 0 <= o.x1 < o.x2 <= w and 0 <= o.y1 < o.y2 <= h
        for plate, mask in zip(sc.plates, sc.plate_masks, strict=True):
            ys, xs = np.nonzero(mask)
            drawn = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)  # pixel i spans i..i+1
            # the box covers every drawn plate pixel and is tight around them
            assert np.abs(np.subtract(drawn, plate.box)).max() <= 1.0
            # the four corners span exactly the box
            c = np.array(plate.corners)
            np.testing.assert_allclose([*c.min(0), *c.max(0)], plate.box, atol=1e-6)
            # corners are TL, TR, BR, BL: clockwise in image coordinates (y down)
            x, y = c[:, 0], c[:, 1]
            assert 0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y) > 0
            assert plate.text and KOREAN.can_write(plate.text) and plate.style.startswith("kr_")
            # its vehicle box holds it
            assert any(
                v.x1 <= plate.x1 and v.y1 <= plate.y1 and plate.x2 <= v.x2 and plate.y2 <= v.y2
                for v in sc.vehicles
            )


def test_plate_widths_follow_the_modes(scenes):
    for mode, (lo, hi) in PLATE_WIDTHS.items():
        widths = [p.width for sc in scenes[mode] for p in sc.plates]
        assert lo - 1e-6 <= min(widths) and max(widths) <= hi + 1e-6, (mode, widths)
    parking = np.median([p.width for sc in scenes["parking"] for p in sc.plates])
    cctv = np.median([p.width for sc in scenes["cctv"] for p in sc.plates])
    assert parking > 1.5 * cctv
    assert np.mean([len(sc.plates) for sc in scenes["cctv"]]) >= 2


def test_seeds_reproducible_and_distinct():
    a = compose_scene("cctv", 7, size=(320, 240))
    b = compose_scene("cctv", np.random.default_rng(7), size=(320, 240))
    c = compose_scene("cctv", 8, size=(320, 240))
    assert a.image.tobytes() == b.image.tobytes() and a.objects == b.objects
    assert a.image.tobytes() != c.image.tobytes()


def test_styles_size_and_errors():
    sc = compose_scene("parking", 3, size=(416, 416), styles="eu_de", strength=0)
    assert sc.image.shape == (416, 416, 3)
    assert {p.style for p in sc.plates} == {"eu_de"}
    assert all(LATIN.can_write(p.text) for p in sc.plates)
    lo, hi = (v * 416 / 640 for v in PLATE_WIDTHS["parking"])
    assert all(lo - 1e-6 <= p.width <= hi + 1e-6 for p in sc.plates)
    with pytest.raises(ValueError, match="unknown scene mode 'street'"):
        compose_scene("street", 0)
    with pytest.raises(ValueError, match="at least 64 x 64"):
        compose_scene("parking", 0, size=(32, 400))
    with pytest.raises(ValueError, match="unknown plate style"):
        compose_scene("parking", 0, styles="xx_nowhere")


def test_distractors_are_drawn_and_not_annotated(scenes):
    img = np.full((120, 200, 3), 100.0, np.float32)
    rng = np.random.default_rng(0)
    for kind in DISTRACTOR_KINDS:
        before = img.copy()
        box = draw_distractor(img, kind, 20, 20, 30, rng)
        assert box is not None and box[2] > box[0] and box[3] > box[1]
        assert not np.array_equal(before, img)
    with pytest.raises(ValueError, match="unknown distractor kind"):
        draw_distractor(img, "tree", 0, 0, 10, rng)
    kinds = set()
    for sc in scenes["parking"] + scenes["cctv"]:
        for kind, box in sc.distractors:
            kinds.add(kind)
            assert all(_iou(box, p.box) < 0.5 for p in sc.plates)
    assert len(kinds) >= 3


@pytest.mark.parametrize("kind", VEHICLE_KINDS)
def test_vehicle_layer_holds_its_plate(kind):
    rng = np.random.default_rng(5)
    spec = random_vehicle(rng, 300, elevation=0.5, kind=kind)
    d = draw_vehicle(spec, (520, 110), rng)
    h, w = d.rgba.shape[:2]
    assert d.rgba.dtype == np.uint8 and d.rgba[:, :, 3].max() == 255
    q = d.plate_quad
    assert (q >= 0).all() and (q[:, 0] <= w).all() and (q[:, 1] <= d.ground_y).all()
    assert abs((q[1, 0] - q[0, 0]) - 520 * 300 / spec.width_mm) < 1e-3  # real plate scale
    assert (np.asarray(d.rgba[:, :, :3]) <= d.rgba[:, :, 3:4]).all()  # premultiplied
    with pytest.raises(ValueError, match="unknown vehicle kind"):
        random_vehicle(rng, 100, kind="tank")


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    root = tmp_path_factory.mktemp("scenes")
    return {
        fmt: write_scene_dataset(
            root / fmt, 2, mode="cctv", seed=4, fmt=fmt, progress=False, size=(320, 240)
        )  # fmt: skip
        for fmt in ("labels", "openalpr", "yolo", "voc")
    }


@pytest.mark.parametrize("fmt", ["labels", "openalpr", "yolo", "voc"])
def test_dataset_formats_read_back(datasets, fmt):
    out = datasets[fmt]
    full = read_annotations_jsonl(out / "annotations.jsonl")
    items = read_detection_folder(out)
    assert [p.name for p, _ in items] == ["0000000.jpg", "0000001.jpg"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n"] == 2 and manifest["annotation_format"] == fmt
    assert manifest["counts"]["plates"] == sum(len(a.of_class("plate")) for a in full)
    for (path, ann), ref in zip(items, full, strict=True):
        assert path.is_file() and (ann.width, ann.height) == (320, 240)
        labels = ("plate",) if fmt in ("labels", "openalpr") else ("plate", "vehicle")
        want = [o for o in ref.objects if o.label in labels]
        assert [o.label for o in ann.objects] == [o.label for o in want]
        tol = 0.35 if fmt == "yolo" else 0.5  # YOLO keeps 6 decimals; others whole pixels
        np.testing.assert_allclose([o.box for o in ann.objects], [o.box for o in want], atol=tol)
        if fmt in ("labels", "openalpr"):
            assert [o.text for o in ann.objects] == [o.text for o in want]
    if fmt == "voc":
        ann = read_voc(out / "Annotations" / "0000000.xml")
        assert ann.of_class("plate")[0].text == full[0].of_class("plate")[0].text
        assert ann.of_class("plate")[0].corners is not None


def test_dataset_is_reproducible_atomic_and_not_overwritten(datasets, tmp_path):
    one = write_scene_dataset(tmp_path / "one", 1, mode="cctv", seed=4, progress=False,
                              size=(320, 240))  # fmt: skip
    # scene 0 is the same whatever n
    assert (one / "0000000.jpg").read_bytes() == (datasets["labels"] / "0000000.jpg").read_bytes()
    with pytest.raises(FileExistsError, match="overwrite"):
        write_scene_dataset(one, 1, progress=False)
    write_scene_dataset(one, 1, mode="parking", overwrite=True, progress=False, size=(320, 240))
    assert json.loads((one / "manifest.json").read_text())["mode"] == "parking"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one"]  # no temp folders left
    with pytest.raises(ValueError, match="unknown annotation format 'kitti'"):
        write_scene_dataset(tmp_path / "x", 1, fmt="kitti")
    assert not (tmp_path / "x").exists()


def test_cli_synth_scenes(tmp_path, capsys):
    from lprkit.cli import main

    out = tmp_path / "frames"
    code = main(["synth", "scenes", "--mode", "parking", "--n", "1", "--seed", "2",
                 "--out", str(out), "--format", "labels"])  # fmt: skip
    assert code == 0 and (out / "labels.csv").is_file() and (out / "0000000.jpg").is_file()
    assert main(["synth", "scenes", "--n", "1", "--out", str(out)]) == 2
    assert "overwrite" in capsys.readouterr().err


def test_pad_boxes(datasets):
    anns = [a for _, a in read_detection_folder(datasets["yolo"])]
    boxes, labels, counts = pad_boxes(anns, ("plate",), max_boxes=8)
    assert boxes.shape == (2, 8, 4) and (labels[:, : counts.min()] == 0).all()
    assert (labels[0, counts[0] :] == -1).all() and (boxes[0, counts[0] :] == 0).all()
    np.testing.assert_allclose(boxes[0, : counts[0]], [o.box for o in anns[0].of_class("plate")])
    with pytest.raises(ValueError, match="more than max_boxes=1"):
        pad_boxes(anns, max_boxes=1)


@pytest.mark.slow  # imports TensorFlow
def test_tf_detection_dataset(datasets):
    from lprkit.data.detection_dataset import detection_dataset

    anns = [a for _, a in read_detection_folder(datasets["yolo"])]

    ds = detection_dataset(datasets["yolo"], image_size=160, batch_size=2, shuffle=False)
    (batch,) = list(ds)
    assert batch["image"].shape == (2, 160, 160, 3) and batch["boxes"].shape == (2, 32, 4)
    img = batch["image"].numpy()
    assert 0.0 <= img.min() and img.max() <= 1.0
    # 320 x 240 letterboxed into 160 x 160: scale 0.5, 20 px grey bands top and bottom
    np.testing.assert_allclose(img[:, :20], 0.5, atol=1e-6)
    n0 = int(batch["num_boxes"][0])
    want = np.array([o.box for o in anns[0].objects]) * 0.5 + (0, 20, 0, 20)
    np.testing.assert_allclose(batch["boxes"][0, :n0].numpy(), want, atol=1e-3)
    assert (batch["classes"][0, n0:].numpy() == -1).all()


def test_draw_objects_and_box_sizes(scenes):
    from lprkit.data.annotations import Annotation, ObjectBox
    from lprkit.data.detection_dataset import box_sizes, draw_objects

    sc = scenes["parking"][0]
    drawn = draw_objects(sc.image, sc.objects, distractors=sc.distractors, thickness=1)
    assert drawn.shape == sc.image.shape and not np.array_equal(drawn, sc.image)
    p = sc.plates[0]
    plain = draw_objects(sc.image, sc.objects, corners=False, thickness=1)
    assert tuple(plain[int(p.y1) + 1, int(np.floor(p.x1))]) == (255, 40, 40)  # red plate edge
    assert sc.image is not drawn
    ann = Annotation("a.jpg", [ObjectBox("plate", 10, 10, 74, 26), ObjectBox("vehicle", 0, 0, 9, 9)],
                     1280, 960)  # fmt: skip
    s = box_sizes([ann], reference_width=640)
    assert s["width"].tolist() == [32.0] and s["height"].tolist() == [8.0]
    assert s["aspect"].tolist() == [4.0] and s["fraction"].tolist() == [0.05]
    with pytest.raises(ValueError, match="image width unknown"):
        box_sizes([Annotation("b.jpg", [ObjectBox("plate", 0, 0, 1, 1)])])
