"""Annotation formats: YOLO txt + data.yaml, Pascal VOC (LabelImg), openalpr txt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lprkit.data.annotations import (
    Annotation,
    AnnotationFormatError,
    ObjectBox,
    atomic_write_text,
    format_openalpr,
    read_data_yaml,
    read_openalpr,
    read_voc,
    read_yolo,
    write_data_yaml,
    write_openalpr,
    write_voc,
    write_yolo,
    yolo_label_path,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _random_boxes(rng, width, height, n):
    out = []
    for _ in range(n):
        x1, x2 = sorted(rng.integers(0, width + 1, size=2))
        y1, y2 = sorted(rng.integers(0, height + 1, size=2))
        label = ("plate", "vehicle")[int(rng.integers(2))]
        out.append(ObjectBox(label, float(x1), float(y1), float(x2), float(y2)))
    return out


def test_objectbox_rejects_inverted_and_bad_corners():
    with pytest.raises(ValueError, match="x2 < x1"):
        ObjectBox("plate", 10, 0, 5, 4)
    with pytest.raises(ValueError, match="4 points"):
        ObjectBox("plate", 0, 0, 5, 4, corners=((0, 0), (1, 0), (1, 1)))
    b = ObjectBox.from_xywh("plate", 3, 4, 10, 5)
    assert b.box == (3, 4, 13, 9) and b.xywh() == (3, 4, 10, 5)


@pytest.mark.parametrize("size", [(416, 416), (640, 480), (2048, 1536), (97, 33)])
def test_yolo_round_trip_is_exact_to_the_pixel(tmp_path, size):
    width, height = size
    rng = np.random.default_rng(width)
    boxes = _random_boxes(rng, width, height, 25)
    path = write_yolo(tmp_path / "a.txt", boxes, width, height)
    back = read_yolo(path, width, height)
    assert [b.label for b in back] == [b.label for b in boxes]
    got = np.array([[round(v) for v in b.box] for b in back])
    np.testing.assert_array_equal(got, np.array([b.box for b in boxes]))
    assert np.abs(np.array([b.box for b in back]) - got).max() < 0.01


def test_yolo_line_format_and_unknown_class(tmp_path):
    path = write_yolo(tmp_path / "b.txt", [ObjectBox("vehicle", 0, 0, 320, 240)], 640, 480)
    assert path.read_text() == "1 0.250000 0.250000 0.500000 0.500000\n"
    with pytest.raises(ValueError, match="'bus' is not in the class list"):
        write_yolo(tmp_path / "c.txt", [ObjectBox("bus", 0, 0, 1, 1)], 10, 10)


def test_yolo_malformed_names_file_and_line(tmp_path):
    with pytest.raises(AnnotationFormatError, match=r"yolo_bad_fields.txt, line 2: expected 5"):
        read_yolo(FIXTURES / "yolo_bad_fields.txt", 100, 100)
    bad = tmp_path / "bad.txt"
    bad.write_text("0 0.5 0.5 0.1 0.1\n\n7 0.5 0.5 0.1 0.1\n")
    with pytest.raises(AnnotationFormatError, match=r"line 3: class index 7 is outside 0..1"):
        read_yolo(bad, 100, 100)
    bad.write_text("0 0.5 0.5 1.5 0.1\n")
    with pytest.raises(AnnotationFormatError, match="normalised to 0..1"):
        read_yolo(bad, 100, 100)
    bad.write_text("zero 0.5 0.5 0.5 0.1\n")
    with pytest.raises(AnnotationFormatError, match="line 1: expected an integer class"):
        read_yolo(bad, 100, 100)
    bad.write_text("3 0.5 0.5 0.5 0.1\n")
    assert [o.label for o in read_yolo(bad, 10, 10, classes=None)] == ["3"]


def test_yolo_label_path():
    assert yolo_label_path("ds/images/train/x.jpg") == Path("ds/labels/train/x.txt")
    assert yolo_label_path("ds/obj_train_data/x.jpg") == Path("ds/obj_train_data/x.txt")  # darknet, CVAT


def test_data_yaml_round_trip_and_tool_forms(tmp_path):
    path = write_data_yaml(tmp_path, ["plate", "vehicle"], splits=("train",))
    cfg = read_data_yaml(path)
    assert cfg["names"] == ["plate", "vehicle"] and cfg["nc"] == 2
    assert cfg["train"] == "images/train" and cfg["val"] == "images/train"
    with pytest.raises(FileExistsError):
        write_data_yaml(tmp_path, ["plate"])
    ultra = read_data_yaml(FIXTURES / "ultralytics_data.yaml")
    assert ultra["names"] == ["plate", "vehicle"]
    assert ultra["path"] == "../datasets/plates" and ultra["val"] == "images/val"
    assert read_data_yaml(FIXTURES / "inline_data.yaml")["names"] == ["plate", "vehicle"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: images/train\nnames: [a, b]\nnc: 3\n")
    with pytest.raises(AnnotationFormatError, match="nc=3 but 'names' lists 2"):
        read_data_yaml(bad)
    bad.write_text("train images/train\n")
    with pytest.raises(AnnotationFormatError, match=r"bad.yaml: expected a mapping"):
        read_data_yaml(bad)
    bad.write_text("train: [images\nnames: [a]\n")
    with pytest.raises(AnnotationFormatError, match=r"bad.yaml, line 2: not valid YAML"):
        read_data_yaml(bad)


def test_read_labelimg_fixture():
    ann = read_voc(FIXTURES / "labelimg_car_001.xml")
    assert (ann.file, ann.width, ann.height, ann.depth) == ("car_001.jpg", 640, 480, 3)
    assert [o.label for o in ann.objects] == ["plate", "vehicle"]
    assert ann.objects[0].box == (251, 302, 389, 334)
    assert ann.objects[1].box == (120, 95, 640, 470)
    assert ann.objects[0].text == "" and ann.objects[0].corners is None


def test_voc_round_trip_with_text_style_corners(tmp_path):
    corners = ((100.5, 200.25), (180.0, 202.0), (179.0, 230.0), (101.0, 228.5))
    plate = ObjectBox(
        "plate", 100, 200, 180, 230, corners=corners, text="12가3456", style="kr_white"
    )
    car = ObjectBox("vehicle", 0, 50, 400, 300)
    ann = Annotation("s_000001.jpg", [plate, car], 416, 320)
    path = write_voc(tmp_path / "s.xml", ann)
    back = read_voc(path)
    assert back == ann
    text = path.read_text()
    assert "<truncated>1</truncated>" in text  # the vehicle touches the left edge
    assert "\t\t<bndbox>" in text  # LabelImg indentation
    with pytest.raises(FileExistsError):
        write_voc(path, ann)


def test_voc_malformed(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<annotation>\n<filename>a.jpg</filename>\n<object><name>plate</name>\n")
    with pytest.raises(AnnotationFormatError, match=r"bad.xml, line 4: not well-formed"):
        read_voc(bad)
    text = (
        (FIXTURES / "labelimg_car_001.xml")
        .read_text()
        .replace("<xmax>389</xmax>", "<xmax>x</xmax>")
    )
    bad.write_text(text)
    with pytest.raises(
        AnnotationFormatError, match=r"bad.xml, line \d+: <xmax> is 'x', not a number"
    ):
        read_voc(bad)
    bad.write_text(text.replace("<xmax>x</xmax>", "<xmax>10</xmax>"))
    with pytest.raises(AnnotationFormatError, match="xmax < xmin"):
        read_voc(bad)
    with pytest.raises(FileNotFoundError, match="nothing.xml"):
        read_voc(tmp_path / "nothing.xml")


def test_read_openalpr_fixtures():
    (ann,) = read_openalpr(FIXTURES / "openalpr_test_042.txt")
    assert ann.file == "test_042.jpg"
    (o,) = ann.objects
    assert (o.label, o.xywh(), o.text) == ("plate", (190, 193, 129, 29), "BB135BO")
    lenient = read_openalpr(FIXTURES / "openalpr_spaces.txt")
    assert [a.file for a in lenient] == ["eu7.jpg", "missing.jpg"]
    assert lenient[0].objects[0].xywh() == (338, 249, 92, 21)
    assert lenient[0].objects[0].text == "AB12345"
    assert lenient[1].objects[0].text == ""  # an unread plate


def test_openalpr_round_trip_and_errors(tmp_path):
    plates = [ObjectBox.from_xywh("plate", 10, 20, 30, 8, text="AB123"),
              ObjectBox.from_xywh("plate", 50, 60, 31, 9, text="XY99")]  # fmt: skip
    ann = Annotation("f.jpg", [*plates, ObjectBox("vehicle", 0, 0, 99, 99)], 100, 100)
    assert format_openalpr(ann).splitlines()[0] == "f.jpg\t10\t20\t30\t8\tAB123"
    (back,) = read_openalpr(write_openalpr(tmp_path / "f.txt", ann))
    assert back.objects == plates
    bad = tmp_path / "bad.txt"
    bad.write_text("a.jpg\t1\t2\t3\t4\tA\nb.jpg\t1\t2\n")
    with pytest.raises(
        AnnotationFormatError, match=r"bad.txt, line 2: expected 'file x y w h TEXT'"
    ):
        read_openalpr(bad)
    bad.write_text("a.jpg\t1\tten\t3\t4\tA\n")
    with pytest.raises(AnnotationFormatError, match="line 1: x y w h must be whole numbers"):
        read_openalpr(bad)


def test_atomic_write_refuses_overwrite(tmp_path):
    p = atomic_write_text(tmp_path / "x.txt", "one")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        atomic_write_text(p, "two")
    atomic_write_text(p, "two", overwrite=True)
    assert p.read_text() == "two"
    assert sorted(f.name for f in tmp_path.iterdir()) == ["x.txt"]  # no temp files left
