"""The Tesseract baseline: presets, whitelist, normalisation, errors and real readings."""

from __future__ import annotations

import numpy as np
import pytest

import lprkit.ocr.preprocess as pp
from lprkit.charset import KOREAN, LATIN
from lprkit.errors import LprkitError
from lprkit.ocr import BEST_PRESET, PRESETS, TesseractRecognizer, normalize_text, whitelist_chars
from lprkit.ocr.tesseract import normalize_chars, parse_hocr_chars
from lprkit.ocr_env import tesseract_languages, tesseract_version

HAVE_TESSERACT = tesseract_version() is not None
LANGS = tesseract_languages() if HAVE_TESSERACT else set()
needs_eng = pytest.mark.skipif(
    "eng" not in LANGS,
    reason="Tesseract with English data not installed: sudo apt-get install tesseract-ocr",
)
needs_kor = pytest.mark.skipif(
    "kor" not in LANGS,
    reason="Tesseract Korean data not installed: sudo apt-get install tesseract-ocr-kor",
)


def text_image(text: str, height: int = 60, invert: bool = False) -> np.ndarray:
    """Big black DejaVu Sans Bold text on white (RGB uint8), tightly cropped with a margin."""
    from PIL import Image, ImageDraw, ImageFont

    from lprkit.synth.fonts import find_fonts

    font_path = next(p for p in find_fonts("latin") if p.name == "DejaVuSans-Bold.ttf")
    font = ImageFont.truetype(str(font_path), height)
    x1, y1, x2, y2 = font.getbbox(text)
    img = Image.new("RGB", (x2 - x1 + 2 * height // 3, y2 - y1 + 2 * height // 3), "white")
    ImageDraw.Draw(img).text((height // 3 - x1, height // 3 - y1), text, font=font, fill="black")
    arr = np.asarray(img)
    return 255 - arr if invert else arr


# --------------------------------------------------------------- whitelist, normalisation


def test_whitelist_is_single_characters_of_the_alphabet():
    latin = whitelist_chars("latin")
    assert latin == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    korean = whitelist_chars(KOREAN)
    assert len(korean) == len(set(korean))
    assert "서" in korean and "울" in korean and "제" in korean  # region syllables expanded
    assert "서울" not in korean.split()  # no multi-character entries
    assert set("0123456789가나하배") <= set(korean)
    assert not set(korean) & set("ABCO-| ")


@pytest.mark.parametrize(
    ("raw", "alphabet", "expected"),
    [
        ("AB-12 cd", "latin", "AB12CD"),  # separators dropped, upper-cased
        ("|RK 755-AJ|", "latin", "RK755AJ"),  # frame bars dropped
        ("O1 IS", "latin", "O1IS"),  # Latin has O, I and S: nothing is "corrected"
        ("１２가３４５６", "korean", "12가3456"),  # full-width digits
        ("O1가 345B", "korean", "01가3458"),  # no Latin on Korean plates: look-alikes are digits
        ("서 울 12 가 3456", "korean", "서울12가3456"),  # region re-tokenised from syllables
        ("울12가3456", "korean", "12가3456"),  # a lone region syllable is not a token
        ("12가 3456 XY", "korean", "12가3456"),  # unknown letters dropped
        ("", "korean", ""),
    ],
)
def test_normalize_text(raw, alphabet, expected):
    assert normalize_text(raw, alphabet) == expected


def test_normalize_chars_keeps_confidences_per_token():
    chars = [("서", 90.0), ("울", 60.0), ("-", 10.0), ("1", 99.0)]
    assert normalize_chars(chars, KOREAN) == [("서울", 60.0), ("1", 99.0)]


def test_parse_hocr_chars():
    hocr = (
        "<span class='ocr_line' id='line_1_1' title='bbox 0 0 50 20'>"
        "<span class='ocrx_word' id='word_1_1' title='bbox 0 0 20 20; x_wconf 0'>"
        "<span class='ocrx_cinfo' title='x_bboxes 0 0 9 20; x_conf 91.5'>A</span>"
        "<span class='ocrx_cinfo' title='x_bboxes 10 0 20 20; x_conf 80'>&amp;</span>"
        "</span>\n  "
        "<span class='ocrx_word' id='word_1_2' title='bbox 30 0 50 20; x_wconf 0'>"
        "<span class='ocrx_cinfo' title='x_bboxes 30 0 40 20; x_conf 70.25'>7</span>"
        "</span></span>"
    )
    assert parse_hocr_chars(hocr) == [[("A", 91.5), ("&", 80.0)], [("7", 70.25)]]


# --------------------------------------------------------------------------- preprocessing


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_gives_a_grey_uint8_image(preset):
    out = pp.preprocess(text_image("AB12", 30), preset)
    assert out.dtype == np.uint8 and out.ndim == 2 and min(out.shape) > 10


def test_preprocess_steps_lists_each_step():
    steps = pp.preprocess_steps(text_image("AB12", 30), "full")
    assert [name for name, _ in steps] == ["input"] + [name for name, _ in PRESETS["full"]]
    assert steps[0][1].ndim == 3


def test_unknown_preset_and_step_are_named():
    with pytest.raises(ValueError, match="unknown preset 'nope'.*otsu"):
        pp.get_preset("nope")
    with pytest.raises(ValueError, match="unknown preprocessing step 'blur'"):
        pp.get_preset([("gray", {}), ("blur", {})])
    with pytest.raises(ValueError, match="uint8"):
        pp.to_gray(np.zeros((4, 4), np.float32))


def test_scale_brings_characters_to_the_target_height():
    gray = pp.to_gray(text_image("AB12", 12))
    assert 8 <= pp.estimate_text_height(gray) <= 14
    bigger = pp.scale(gray, text_height=36)
    assert 30 <= pp.estimate_text_height(bigger) <= 42


def test_polarity_makes_text_dark_on_light():
    light_on_dark = pp.otsu(pp.to_gray(text_image("AB12", 40, invert=True)))
    fixed = pp.polarity(light_on_dark)
    assert np.mean(fixed < 128) < 0.5
    assert np.array_equal(pp.polarity(fixed), fixed)  # already right: unchanged


def test_pad_adds_a_white_margin():
    img = np.zeros((40, 100), np.uint8)
    out = pp.pad(img, frac=0.25)
    assert out.shape == (60, 120)
    assert out[:10].min() == 255 and out[:, -10:].min() == 255 and out[10:50, 10:110].max() == 0


def test_deskew_straightens_a_tilted_line():
    import cv2

    binary = pp.otsu(pp.to_gray(text_image("AB12CD", 40)))
    h, w = binary.shape
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 6.0, 1.0)
    tilted = cv2.warpAffine(binary, rot, (w, h), borderValue=255, flags=cv2.INTER_NEAREST)

    def ink_rows(img):
        return int(np.count_nonzero((img < 128).any(axis=1)))

    assert ink_rows(pp.deskew(tilted)) < ink_rows(tilted) - 5


def test_clean_removes_frame_and_specks_but_keeps_characters():
    binary = pp.otsu(pp.to_gray(text_image("AB12", 40)))
    framed = binary.copy()
    framed[:3, :] = framed[-3:, :] = 0  # a frame
    framed[:, :3] = framed[:, -3:] = 0
    framed[8:10, 8:10] = 0  # a speck
    cleaned = pp.clean(framed)
    assert (
        cleaned[:3].min() == 255
        and cleaned[:, :3].min() == 255
        and cleaned[8:10, 8:10].min() == 255
    )
    assert np.array_equal(cleaned[5:-5, 12:-5], binary[5:-5, 12:-5])


# --------------------------------------------------------------------------- errors


def test_missing_binary_says_how_to_install(tmp_path):
    with pytest.raises(LprkitError, match="apt-get install tesseract-ocr tesseract-ocr-kor"):
        TesseractRecognizer("latin", tesseract_cmd=str(tmp_path / "no-such-tesseract"))


@needs_eng
def test_missing_language_pack_is_named():
    with pytest.raises(LprkitError, match="lacks the language data xyz.*tesseract-ocr-xyz"):
        TesseractRecognizer("latin", lang="eng+xyz")


@needs_eng
def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="psm 3"):
        TesseractRecognizer("latin", psm=3)
    with pytest.raises(ValueError, match="unknown alphabet"):
        TesseractRecognizer("klingon")
    with pytest.raises(ValueError, match="unknown preset"):
        TesseractRecognizer("latin", preset="nope")


# --------------------------------------------------------------------------- reading


@needs_eng
def test_clean_latin_plate_is_read_with_the_best_preset():
    rec = TesseractRecognizer("latin")
    assert rec.preset == BEST_PRESET and rec.name == f"tesseract-{BEST_PRESET}"
    assert rec.version and rec.version in rec.describe()
    reads = rec.read([text_image("RK755AJ"), text_image("WA56660", 50, invert=True)])
    assert [r.text for r in reads] == ["RK755AJ", "WA56660"]
    for r in reads:
        assert 0.0 < r.confidence <= 1.0
        assert len(r.char_confidences) == len(r.text)
        assert r.confidence == min(r.char_confidences)


@needs_eng
def test_rendered_plates_are_read():
    from lprkit.synth.render import render_plate

    rec = TesseractRecognizer("latin")
    plate = render_plate("AB123CD", "eu_fr", 0, scale=0.5)
    assert rec.read_one(plate.image).text == "AB123CD"


@needs_eng
def test_two_line_crops_are_read_as_a_block_and_joined():
    rec = TesseractRecognizer("latin")
    top, bottom = text_image("KX"), text_image("9610")
    width = max(top.shape[1], bottom.shape[1])
    stack = np.full((top.shape[0] + bottom.shape[0], width, 3), 255, np.uint8)
    stack[: top.shape[0], : top.shape[1]] = top
    stack[top.shape[0] :, : bottom.shape[1]] = bottom
    assert rec.psm_for(stack) == 6 and rec.psm_for(text_image("RK755AJ")) == 7
    assert rec.read_one(stack).text == "KX9610"


@needs_kor
def test_korean_plate_is_read_with_the_korean_model():
    from lprkit.recognition.metrics import edit_distance
    from lprkit.synth.render import render_plate

    rec = TesseractRecognizer("korean")
    assert rec.lang == "kor" and "가" in rec.config()
    plate = render_plate("123가4567", "kr_private_2019", 1, scale=0.5)
    read = rec.read_one(plate.image)
    assert KOREAN.can_write(read.text)
    # Tesseract's Hangul is its weak point: the digits must be right, one token may be off.
    assert "".join(c for c in read.text if c.isdigit()) == "1234567"
    assert edit_distance("123가4567", read.text, KOREAN) <= 1


@needs_eng
def test_whitelist_keeps_output_inside_the_alphabet():
    rec = TesseractRecognizer("latin", preset="raw")
    raw = rec.read_raw(text_image("AB-12.CD"))
    assert set(raw) <= set(whitelist_chars(LATIN)) | {" "}
    assert normalize_text(raw, LATIN) == "AB12CD"


def test_plot_steps_shows_every_step_of_every_crop():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = pp.plot_steps([text_image("AB12", 30), text_image("CD34", 30)], "full", titles=["a", "b"])
    assert len(fig.axes) == 2 * (len(PRESETS["full"]) + 1)
    assert [ax.get_title() for ax in fig.axes[:3]] == ["input", "gray", "scale"]
    plt.close(fig)
