"""Detection data in the layouts other tools write: COCO JSON, data.yaml with folder, .txt-list
and list splits (PyYAML), a CVAT "YOLO 1.1" export with labels beside the images."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from lprkit.data.annotations import Annotation, AnnotationFormatError, ObjectBox, read_data_yaml
from lprkit.data.coco import format_coco, read_coco, write_coco
from lprkit.data.detection_dataset import read_detection_folder


def _image(path, w=64, h=48):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((h, w, 3), np.uint8)).save(path)


def test_coco_round_trip_keeps_boxes_classes_and_plate_text(tmp_path):
    anns = [Annotation("a.jpg", [ObjectBox("plate", 4, 5, 24.5, 12, text="AB123", style="eu_de"),
                                 ObjectBox("vehicle", 0, 0, 60, 40)], 64, 48),
            Annotation("b.jpg", [], 64, 48)]  # fmt: skip
    for a in anns:
        _image(tmp_path / "images" / a.file)
    write_coco(tmp_path / "annotations.json", anns)
    data = json.loads((tmp_path / "annotations.json").read_text())
    assert data["categories"] == [{"id": 1, "name": "plate"}, {"id": 2, "name": "vehicle"}]
    assert data["annotations"][0]["bbox"] == [4, 5, 20.5, 7] and data["annotations"][0]["area"] == 143.5
    back = read_coco(tmp_path / "annotations.json")
    assert [p.name for p, _ in back] == ["a.jpg", "b.jpg"]
    assert back[0][1].objects == anns[0].objects and back[1][1].objects == []
    assert [a for _, a in read_detection_folder(tmp_path)] == [a for _, a in back]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["annotations"][0].update(image_id=9), "image_id 9"),
        (lambda d: d["annotations"][0].update(category_id=7), "category_id 7"),
        (lambda d: d["annotations"][0].update(bbox=[1, 2, 0, 3]), "width, height > 0"),
        (lambda d: d["images"][0].update(file_name="gone.jpg"), "gone.jpg"),
    ],
)
def test_bad_coco_is_refused_naming_the_entry(tmp_path, change, message):
    _image(tmp_path / "a.jpg")
    data = json.loads(format_coco([Annotation("a.jpg", [ObjectBox("plate", 1, 1, 9, 5)], 64, 48)], image_dir=""))
    change(data)
    (tmp_path / "c.json").write_text(json.dumps(data))
    with pytest.raises((AnnotationFormatError, FileNotFoundError), match=message):
        read_coco(tmp_path / "c.json")


def test_synth_scenes_writes_coco_that_reads_back(tmp_path):
    from lprkit.synth.scene_dataset import write_scene_dataset

    out = write_scene_dataset(tmp_path / "s", n=3, mode="parking", styles="eu_de", seed=4, fmt="coco",
                              processes=1, progress=False)  # fmt: skip
    items = read_detection_folder(out)
    assert len(items) == 3 and all(p.parent.name == "images" for p, _ in items)
    plates = [o for _, a in items for o in a.objects if o.label == "plate"]
    assert plates and all(o.text for o in plates)


def _yolo_root(tmp_path, yaml_text, images):
    for name in images:
        _image(tmp_path / name)
        label = tmp_path / name.replace("images/", "labels/").rsplit(".", 1)[0]
        label.with_suffix(".txt").parent.mkdir(parents=True, exist_ok=True)
        label.with_suffix(".txt").write_text("0 0.5 0.5 0.25 0.25\n")
    (tmp_path / "data.yaml").write_text(yaml_text)
    return tmp_path


def test_data_yaml_with_txt_splits_lists_and_download_block(tmp_path):
    root = _yolo_root(tmp_path, "path: .\ntrain: train.txt\nval: [images/val, extra.txt]\n"
                      "names:\n  0: plate\ndownload: |\n  echo fetched elsewhere\n",
                      ["images/tr/a.jpg", "images/tr/b.jpg", "images/val/c.jpg", "images/x/d.jpg"])  # fmt: skip
    (root / "train.txt").write_text("./images/tr/a.jpg\nimages/tr/b.jpg\n\n")
    (root / "extra.txt").write_text("images/x/d.jpg\n")
    cfg = read_data_yaml(root / "data.yaml")
    assert cfg["names"] == ["plate"] and cfg["val"] == ["images/val", "extra.txt"]
    items = read_detection_folder(root)
    assert sorted(p.name for p, _ in items) == ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
    assert all(len(a.objects) == 1 for _, a in items)


def test_cvat_yolo_export_with_labels_beside_images(tmp_path):
    """CVAT "YOLO 1.1": obj.names, train.txt of data/obj_train_data/*.jpg, labels beside."""
    for name in ("x.jpg", "y.jpg"):
        _image(tmp_path / "obj_train_data" / name)
        (tmp_path / "obj_train_data" / name).with_suffix(".txt").write_text("0 0.5 0.5 0.5 0.25\n")
    (tmp_path / "train.txt").write_text("data/obj_train_data/x.jpg\ndata/obj_train_data/y.jpg\n")
    (tmp_path / "data.yaml").write_text("train: train.txt\nval: train.txt\nnames: [plate]\nnc: 1\n")
    items = read_detection_folder(tmp_path)
    assert [p.name for p, _ in items] == ["x.jpg", "y.jpg"]
    assert items[0][1].objects[0].box == pytest.approx((16, 18, 48, 30))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("train: nowhere\nnames: [plate]\n", "neither a folder nor a .txt list"),
        ("names: [plate]\n", "names no images"),
        ("train: [a\nnames: [plate]\n", "not valid YAML"),
        ("train: images\nnames: [plate]\nnc: 2\n", "nc=2"),
        ("train: images\nnames:\n  1: plate\n", "0..n-1"),
        ("- just a list\n", "mapping"),
    ],
)
def test_data_yaml_problems_name_the_file(tmp_path, text, message):
    (tmp_path / "images").mkdir()
    (tmp_path / "data.yaml").write_text(text)
    with pytest.raises((AnnotationFormatError, FileNotFoundError, ValueError), match=message):
        read_detection_folder(tmp_path)
