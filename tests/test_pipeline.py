"""Pipeline logic with stand-in detector and recogniser (the real models are tested elsewhere)."""

import numpy as np
import pytest
from fakes import BoxDetector, SizeRecognizer, scene

from lprkit.pipeline import Pipeline, PlateResult, draw_results


def test_reads_each_plate_with_colour_and_box():
    img = scene([((10, 10, 60, 30), (255, 255, 255)), ((100, 70, 180, 90), (230, 200, 0))])
    pipe = Pipeline(BoxDetector(), SizeRecognizer(), margin=0)
    results = pipe.read(img)
    assert [r.text for r in results] == ["50", "80"]
    assert [r.colour for r in results] == ["white", "yellow"]
    assert results[0].box == (10.0, 10.0, 60.0, 30.0)
    assert results[1].as_dict() == {
        "text": "80", "confidence": 0.5, "box": [100.0, 70.0, 180.0, 90.0],
        "detection_score": 0.9, "colour": "yellow", "unread": False,
    }


def test_batch_recognises_all_crops_in_one_call_and_keeps_order():
    rec = SizeRecognizer()
    pipe = Pipeline(BoxDetector(), rec, margin=0, classify_colour=False)
    imgs = [scene([((0, 0, 40, 10), (255, 255, 255))]), scene([]), scene([((0, 0, 70, 10), (230, 200, 0))])]
    results = pipe.read_batch(imgs)
    assert rec.calls == 1
    assert [[r.text for r in row] for row in results] == [["40"], [], ["70"]]
    assert results[0][0].colour is None


def test_empty_detection_gives_empty_list_without_calling_recogniser():
    rec = SizeRecognizer()
    assert Pipeline(BoxDetector(), rec).read(scene([])) == []
    assert rec.calls == 0
    assert Pipeline(BoxDetector(), rec).read_batch([]) == []


def test_margin_grows_crop():
    img = scene([((50, 50, 100, 60), (255, 255, 255))])
    assert Pipeline(BoxDetector(), SizeRecognizer(), margin=0.1).read(img)[0].text == "60"


def test_rejects_objects_that_are_not_detectors_or_recognisers():
    with pytest.raises(TypeError, match="is not a Detector"):
        Pipeline(object(), SizeRecognizer())
    with pytest.raises(TypeError, match="is not a Recognizer"):
        Pipeline(BoxDetector(), object())
    with pytest.raises(ValueError, match="margin"):
        Pipeline(BoxDetector(), SizeRecognizer(), margin=-1)


def test_read_paths_and_corrupt_file(tmp_path):
    from PIL import Image

    Image.fromarray(scene([((0, 0, 30, 10), (255, 255, 255))])).save(tmp_path / "a.png")
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    pipe = Pipeline(BoxDetector(), SizeRecognizer(), margin=0)
    [(path, res)] = list(pipe.read_paths([tmp_path / "a.png"]))
    assert path.name == "a.png" and res[0].text == "30"
    with pytest.raises(Exception, match="bad.jpg"):
        list(pipe.read_paths([tmp_path / "bad.jpg"]))


def test_draw_results_marks_the_box():
    img = scene([])
    out = draw_results(img, [PlateResult((20, 30, 120, 60), 0.9, "12가3456", 0.8, colour="white")])
    assert out.shape == img.shape and out.dtype == np.uint8
    assert (out[30:61, 20] == (0, 255, 0)).all(axis=1).any()
    assert (img == 60).all()  # input untouched


class _ConfidenceRecognizer:
    """Reads every crop as 'AB12' with a confidence that depends on the crop's width."""

    name = "confidence"

    def read(self, crops):
        from lprkit.recognition.base import PlateRead

        return [PlateRead("AB12", 0.9 if c.shape[1] > 60 else 0.2, (0.9,) * 4) for c in crops]


def test_unbelievable_reads_are_reported_unread_not_as_plates():
    from lprkit.pipeline import plates_only

    img = scene([((10, 10, 50, 30), (255, 255, 255)), ((100, 70, 180, 90), (230, 200, 0))])
    results = Pipeline(BoxDetector(), _ConfidenceRecognizer(), margin=0, min_read_confidence=0.5).read(img)
    assert [(r.text, r.unread) for r in results] == [("", True), ("AB12", False)]
    assert results[0].confidence == pytest.approx(0.2) and results[0].char_confidences == ()
    assert [r.text for r in plates_only(results)] == ["AB12"]
    assert results[0].as_dict()["unread"] is True
    everything = Pipeline(BoxDetector(), _ConfidenceRecognizer(), margin=0, min_read_confidence=0).read(img)
    assert [r.text for r in everything] == ["AB12", "AB12"]


def test_min_read_confidence_outside_0_1_is_refused():
    with pytest.raises(ValueError, match="min_read_confidence"):
        Pipeline(BoxDetector(), SizeRecognizer(), min_read_confidence=1.5)


def test_unread_boxes_are_drawn_and_labelled_unread():
    img = scene([((10, 10, 50, 30), (255, 255, 255))])
    results = Pipeline(BoxDetector(), _ConfidenceRecognizer(), margin=0, min_read_confidence=0.5).read(img)
    drawn = draw_results(img, results)
    assert drawn.shape == img.shape
    assert (drawn[10:30, 10] == (255, 140, 0)).all(axis=1).any()  # the orange outline
