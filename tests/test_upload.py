import io
from unittest import mock

import numpy as np
import pytest
from fakes import BoxDetector, SizeRecognizer, scene
from PIL import Image

from lprkit.errors import LprkitError
from lprkit.pipeline import Pipeline
from lprkit.upload import decode_image, png_bytes, read_uploaded, upload_panel


@pytest.fixture
def pipe():
    return Pipeline(BoxDetector(), SizeRecognizer(), margin=0, classify_colour=False)


def test_png_bytes_round_trip(pipe):
    img = scene([((20, 30, 80, 50), (255, 255, 255))])
    assert np.array_equal(decode_image(png_bytes(img)), img)
    annotated, rows = read_uploaded(memoryview(png_bytes(img)), pipe)
    assert annotated.shape == img.shape and annotated.dtype == np.uint8
    assert not np.array_equal(annotated, img)  # the box is drawn
    assert len(rows) == 1 and rows[0]["text"] == "60"  # SizeRecognizer reads the crop width
    assert rows[0]["box"] == [20.0, 30.0, 80.0, 50.0]


def test_grey_and_rgba_images_become_rgb(pipe):
    buf = io.BytesIO()
    Image.new("RGBA", (30, 20), (10, 20, 30, 128)).save(buf, format="PNG")
    img = decode_image(buf.getvalue())
    assert img.shape == (20, 30, 3) and img.dtype == np.uint8
    buf = io.BytesIO()
    Image.new("L", (30, 20), 200).save(buf, format="JPEG")
    assert decode_image(buf.getvalue()).shape == (20, 30, 3)
    _, rows = read_uploaded(buf.getvalue(), pipe)
    assert rows == []


@pytest.mark.parametrize(
    "data", [b"", b"not an image at all", png_bytes(np.zeros((8, 8, 3), np.uint8))[:40]]
)
def test_corrupt_bytes_give_a_clear_error(pipe, data):
    with pytest.raises(LprkitError, match=r"car\.png .*(empty|not an image).*PNG, JPEG"):
        read_uploaded(data, pipe, name="car.png")


def test_panel_shows_reads_and_errors(pipe):
    panel = upload_panel(pipe)
    assert panel.upload.accept == "image/*" and panel.output in panel.children
    img = scene([((20, 30, 80, 50), (255, 255, 255))])
    shown = []
    # the callback prints into the Output widget; capture what it prints
    with mock.patch("lprkit.upload.print", create=True, side_effect=shown.append):
        for f in ({"name": "a.png", "content": memoryview(png_bytes(img))},
                  {"name": "b.txt", "content": memoryview(b"hello")}):  # fmt: skip
            panel.on_upload({"new": (f,)})
    assert any("'text': '60'" in str(s) for s in shown)
    assert any("b.txt" in str(s) and "not an image" in str(s) for s in shown)
