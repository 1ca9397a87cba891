"""Plate styles, grammars and rendering: every style, every character, legal text only."""

from __future__ import annotations

import re

import numpy as np
import pytest

from lprkit.charset import get_alphabet
from lprkit.synth.grammar import is_legal, random_text, split_fields, style_regex
from lprkit.synth.render import RenderedPlate, glyph_mask, random_plate, render_plate
from lprkit.synth.styles import GROUPS, STYLES, get_style, resolve_styles

ALL = list(STYLES)
KOREAN_REQUIRED = ("kr_private_2006", "kr_private_2019", "kr_region_old", "kr_commercial",
                   "kr_commercial_2line", "kr_green_2line", "kr_private_2line_short", "kr_ev")


def test_registry_covers_the_required_types():
    for name in KOREAN_REQUIRED:
        assert STYLES[name].alphabet == "korean" and name.startswith("kr_")
    assert {s.group for s in STYLES.values()} == set(GROUPS)
    assert len(resolve_styles("us")) >= 3  # several US colour schemes and layouts
    assert {STYLES[n].colour for n in resolve_styles("us")} >= {"white", "yellow", "blue"}
    assert {"br_old", "br_mercosur"} <= set(STYLES)
    assert STYLES["kr_private_2006"].size == (520, 110)
    assert STYLES["kr_private_2line_short"].size[0] == 335
    assert STYLES["kr_private_2019"].bands[0].side == "left"  # the 2019 left-edge band


def test_resolve_styles_specs():
    assert resolve_styles("korean") == [n for n in ALL if n.startswith("kr_")]
    assert resolve_styles("latin") == [n for n in ALL if not n.startswith("kr_")]
    assert resolve_styles("kr_ev,eu") == ["kr_ev"] + [n for n in ALL if n.startswith("eu_")]
    assert resolve_styles(["brazil", "br_old"]) == ["br_old", "br_mercosur"]
    assert resolve_styles("kr_*2line*") == [n for n in ALL if n.startswith("kr_") and "2line" in n]
    with pytest.raises(ValueError, match="unknown plate style or group 'mars'.*kr_ev"):
        resolve_styles("korean,mars")
    with pytest.raises(ValueError, match="no plate styles"):
        resolve_styles(" , ")


def test_get_style_unknown_lists_names():
    assert get_style(STYLES["kr_ev"]) is STYLES["kr_ev"]
    with pytest.raises(ValueError, match="unknown plate style 'kr_nope'.*kr_private_2006"):
        get_style("kr_nope")


@pytest.mark.parametrize("name", ALL)
def test_grammar_draws_only_legal_plates(name):
    st = STYLES[name]
    rng = np.random.default_rng(0)
    texts = [random_text(st, rng) for _ in range(300)]
    assert all(style_regex(st).fullmatch(t) for t in texts)
    assert all(is_legal(t, st) for t in texts)
    assert is_legal(st.example, st)
    alphabet = get_alphabet(st.alphabet)
    assert all(alphabet.can_write(t) for t in texts)
    assert len(set(texts)) > 250  # random, not a handful of plates


@pytest.mark.parametrize(
    ("text", "style", "legal"),
    [
        ("12가3456", "kr_private_2006", True),
        ("12 가 3456", "kr_private_2006", True),  # printed separators are ignored
        ("12바3456", "kr_private_2006", False),  # commercial Hangul on a private plate
        ("12하3456", "kr_private_2006", True),  # rental 하 is a white plate
        ("00가3456", "kr_private_2006", False),  # type 00 does not exist
        ("123가4567", "kr_private_2006", False),
        ("099가4567", "kr_private_2019", False),  # three-digit types start at 100
        ("서울12바3456", "kr_commercial", True),
        ("서울12가3456", "kr_commercial", False),
        ("세종12가3456", "kr_green_2line", False),  # Sejong is newer than green plates
        ("AB1234", "hk_rear", True),
        ("IO1234", "hk_rear", False),  # HK avoids I, O, Q
        ("AB0123", "hk_rear", False),  # no leading zero
        ("ab-123-cd", "eu_fr", True),
        ("ABC1D23", "br_mercosur", True),
        ("ABC1234", "br_mercosur", False),
        ("MH12AB1234", "in_private", True),
        ("XX12AB1234", "in_private", False),  # not a state code
        ("ABCDE1234", "eu_de", False),  # German plates have at most 8 characters
        ("RK-755AJ", "eu_sk", True),
        ("XX755AJ", "eu_sk", False),  # not a Slovak district
        ("RK000AJ", "eu_sk", False),  # serials run 001..999
        ("1B8 0338", "eu_cz", True),
        ("0B80338", "eu_cz", False),  # region numbers start at 1
        ("1Q80338", "eu_cz", False),  # Q is no Czech region letter
    ],
)
def test_is_legal_known_answers(text, style, legal):
    assert is_legal(text, style) is legal


def test_split_fields_and_error_message():
    assert split_fields("서울12바3456", "kr_commercial") == ["서울", "12", "바", "3456"]
    with pytest.raises(ValueError, match=r"'12바3456' is not a legal kr_private_2006 plate.*12가3456"):
        split_fields("12바3456", "kr_private_2006")
    with pytest.raises(ValueError, match="'00' where 1..99"):
        split_fields("00가3456", "kr_private_2006")
    with pytest.raises(ValueError, match=r"character 'Q'.*korean"):
        split_fields("12Q3456", "kr_private_2006")


def _plate_with(st, unit: str, rng) -> str:
    """A legal plate of ``st`` that contains ``unit``."""
    for _ in range(500):
        fields = split_fields(random_text(st, rng), st)
        if unit in "".join(fields):
            return "".join(fields)
        for k, f in enumerate(st.fields):  # put the unit in a field whose pool holds it
            if unit in f.units and f.lo is None:
                fields[k] = unit * (f.count if f.min_count is None else f.min_count)
                if is_legal("".join(fields), st):
                    return "".join(fields)
    raise AssertionError(f"{st.name}: no legal plate with {unit!r}")


@pytest.mark.parametrize("name", ALL)
def test_every_style_renders_every_character(name):
    st = STYLES[name]
    rng = np.random.default_rng(1)
    for unit in st.units:
        plate = render_plate(_plate_with(st, unit, rng), st, rng, scale=0.3)
        assert unit in plate.text
        assert len(plate.char_boxes) == len(get_alphabet(st.alphabet).tokenize(plate.text))


@pytest.mark.parametrize("name", ALL)
def test_render_shapes_boxes_and_ink(name):
    st = STYLES[name]
    p = random_plate(st, np.random.default_rng(3), scale=0.5)
    assert isinstance(p, RenderedPlate) and p.style == name and is_legal(p.text, st)
    h, w = p.image.shape[:2]
    assert p.image.dtype == np.uint8 and p.image.shape[2] == 3
    assert (w, h) == (round(st.size[0] * 0.5), round(st.size[1] * 0.5))
    n = len(get_alphabet(st.alphabet).tokenize(p.text))
    assert p.char_boxes.shape == (n, 4) and p.char_boxes.dtype == np.float32
    b = p.char_boxes
    assert (b[:, 2] > b[:, 0]).all() and (b[:, 3] > b[:, 1]).all()
    assert b[:, [0, 2]].min() >= 0 and b[:, [0, 2]].max() <= w
    assert b[:, [1, 3]].min() >= 0 and b[:, [1, 3]].max() <= h
    ink = np.array(st.ink, float)
    for x1, y1, x2, y2 in b.astype(int):  # each box holds pixels near the ink colour
        patch = p.image[y1:y2, x1:x2].reshape(-1, 3).astype(float)
        assert np.abs(patch - ink).sum(axis=1).min() < 90
    if st.two_line:
        assert 0.2 < p.split < 0.7
        top = b[:, 3] <= p.split * h + 1
        assert top.any() and not top.all() and not top[np.argmax(~top):].any()  # top tokens first
    else:
        assert p.split is None
        assert (np.diff(b[:, 0]) > 0).all()  # one line reads left to right


def _gap_pixels(plate, after: int):
    """The plate's pixels strictly between character ``after`` and the next one."""
    b = plate.char_boxes.astype(int)
    return plate.image[:, b[after, 2] : b[after + 1, 0]].reshape(-1, 3).astype(int)


def test_marks_are_painted_between_fields_and_not_read():
    sk = render_plate("RK755AJ", "eu_sk", 0, scale=0.6)
    assert sk.text == "RK755AJ" and len(sk.char_boxes) == 7
    gap = _gap_pixels(sk, 1)  # between the district code and the digits
    red = (gap[:, 0] > 170) & (gap[:, 0] - gap[:, 1] > 60) & (gap[:, 0] - gap[:, 2] > 60)
    assert red.sum() > 10  # the coat of arms' red shield (faded by a random amount)
    de = render_plate("MAB123", "eu_de", 0, scale=0.6)
    city, letters, _ = map(len, split_fields("MAB123", "eu_de"))
    gap = _gap_pixels(de, city - 1)  # the seals follow the city code
    assert ((gap.max(axis=1) - gap.min(axis=1)) > 60).sum() > 10  # coloured seals
    # the gap before the number stays blank: marks go only where a field asks for one
    gap = _gap_pixels(de, city + letters - 1)
    assert ((gap.max(axis=1) - gap.min(axis=1)) > 60).sum() == 0


@pytest.mark.parametrize("name", ["in_private", "in_ev", "in_private_2line"])
def test_multi_letter_units_get_one_cell_per_letter(name):
    # Indian state codes are one unit of two Latin letters: drawn as two ordinary letters,
    # not two double-width cells that squeeze the rest of the plate.
    p = render_plate("MH12AB1234", name, 0, scale=0.6)
    widths = p.char_boxes[:, 2] - p.char_boxes[:, 0]
    assert widths[:2].max() < 1.5 * np.median(widths[2:])


def test_slovak_1997_plate_has_the_arms_at_the_left_and_stickers_in_the_gap():
    sk = render_plate("RK755AJ", "eu_sk_1997", 0, scale=0.6)
    assert sk.text == "RK755AJ" and len(sk.char_boxes) == 7
    band = sk.image[:, : int(sk.char_boxes[0, 0])].reshape(-1, 3).astype(int)
    red = (band[:, 0] > 170) & (band[:, 0] - band[:, 1] > 60) & (band[:, 0] - band[:, 2] > 60)
    blue = (band[:, 2] > 120) & (band[:, 0] < 60)
    assert red.sum() > 10 and blue.sum() < red.sum()  # the arms, not a blue EU band
    gap = _gap_pixels(sk, 1)
    assert ((gap.max(axis=1) - gap.min(axis=1)) > 60).sum() > 10  # coloured stickers
    eu = render_plate("RK755AJ", "eu_sk", 0, scale=0.6)
    band = eu.image[:, : int(eu.char_boxes[0, 0])].reshape(-1, 3).astype(int)
    assert ((band[:, 2] > 120) & (band[:, 0] < 60)).sum() > 100  # the 2004 plates' EU band


def test_european_plates_draw_din_m_and_w_on_some_plates_only(monkeypatch):
    import lprkit.synth.render as render

    stamped = []
    real = render._sized_mask

    def spy(path, text, stroke, w, h):
        stamped.append((path, text))
        return real(path, text, stroke, w, h)

    monkeypatch.setattr(render, "_sized_mask", spy)
    din_plates = 0
    for seed in range(40):
        stamped.clear()
        render_plate("MWM123", "eu_de", seed)
        tagged = {text for path, text in stamped if "#din" in path}
        assert tagged in (set(), {"M", "W"})  # only M and W, and both on a DIN plate
        din_plates += bool(tagged)
    assert 0.25 * 40 < din_plates < 0.75 * 40  # DIN_SHARE = 0.5
    stamped.clear()
    render_plate("12가3456", "kr_private_2006", 0)
    render_plate("7MWM123", "us_california", 0)
    assert stamped and not any("#din" in path for path, _ in stamped)


def test_din_letters_reach_their_depth_only():
    from lprkit.synth.din_glyphs import din_letter_mask

    m = din_letter_mask("M", 60, 100, 12, depth=0.5)
    assert m.shape == (100, 60) and m.dtype == np.float32 and 0 <= m.min() and m.max() <= 1
    centre = m[:, 27:33].max(axis=1)
    assert centre[45:55].max() > 0.9 and centre[70:].max() < 0.1  # the vertex stops mid-way
    assert m[:, :12].mean() > 0.9 and m[:, -12:].mean() > 0.9  # upright stems
    w = din_letter_mask("W", 70, 100, 12, depth=0.4)
    centre = w[:, 32:38].max(axis=1)
    assert centre[:25].max() < 0.1 and centre[45:55].max() > 0.9  # the apex starts below the top
    with pytest.raises(ValueError, match="no DIN stroke glyph for 'N'; drawn: M, W"):
        din_letter_mask("N", 60, 100, 12, 0.5)
    with pytest.raises(ValueError, match="too small"):
        din_letter_mask("M", 20, 100, 12, 0.5)


def test_din_glyph_keeps_the_fonts_size():
    from lprkit.synth.fonts import find_fonts

    font = str(find_fonts("latin")[0])
    for ch in "MW":
        own, din = glyph_mask(font, ch), glyph_mask(font + "#din0", ch)
        assert own.shape == din.shape and not np.array_equal(own, din)
    assert np.array_equal(glyph_mask(font + "#din1", "A"), glyph_mask(font, "A"))


def test_unknown_mark_is_an_error():
    from dataclasses import replace

    from lprkit.synth.styles import Field, Line

    st = STYLES["eu_sk"]
    line = st.lines[0]
    fields = (replace(line.fields[0], mark="flag"),) + line.fields[1:]
    bad = replace(st, name="eu_bad", lines=(Line(fields, line.box, line.cell_aspect),))
    assert isinstance(bad.fields[0], Field)
    with pytest.raises(ValueError, match="unknown plate mark 'flag'; known: sk_arms, sk_stickers, de_seals"):
        render_plate("RK755AJ", bad, 0)


def test_european_styles_prefer_a_din_font_when_installed():
    from lprkit.synth.fonts import style_fonts

    fonts = [p.name for p in style_fonts(STYLES["eu_sk"].fonts, "latin")]
    assert fonts[-2:] == ["LiberationSansNarrow-Bold.ttf", "DejaVuSansCondensed-Bold.ttf"]
    assert fonts[0] == "OSP-DIN.ttf" or "OSP-DIN.ttf" not in fonts


def test_same_seed_same_bytes_and_seeds_differ():
    a = render_plate("12가3456", "kr_private_2006", 7)
    b = render_plate("12가3456", "kr_private_2006", np.random.default_rng(7))
    c = render_plate("12가3456", "kr_private_2006", 8)
    assert a.image.tobytes() == b.image.tobytes()
    assert np.array_equal(a.char_boxes, b.char_boxes)
    assert a.image.tobytes() != c.image.tobytes()
    r1, r2 = random_plate("us_texas", 5), random_plate("us_texas", 5)
    assert r1.text == r2.text and r1.image.tobytes() == r2.image.tobytes()


def test_render_errors():
    with pytest.raises(ValueError, match="not a legal kr_ev plate"):
        render_plate("12가3456", "kr_ev", 0)
    with pytest.raises(ValueError, match="unknown plate style"):
        render_plate("12가3456", "kr_private", 0)
    with pytest.raises(ValueError, match="not in alphabet 'latin'"):
        render_plate("AB가1234", "hk_rear", 0)
    with pytest.raises(ValueError, match="scale must be positive"):
        render_plate("12가3456", "kr_private_2006", 0, scale=0)


def test_glyph_mask_rejects_characters_the_font_lacks():
    from lprkit.synth.fonts import find_fonts

    latin = str(find_fonts("latin")[0])
    assert glyph_mask(latin, "A").max() > 0.9
    with pytest.raises(ValueError, match=re.escape("cannot draw '가'")):
        glyph_mask(latin, "가")


def test_bolts_are_drawn_as_dark_holes_or_light_screw_heads():
    from lprkit.synth.render import render_plate

    shades = set()
    for seed in range(16):
        plate = render_plate("12가3456", "kr_green_2line_2004", seed)
        h, w = plate.image.shape[:2]
        grey = plate.image.astype(float).mean(axis=2)
        bolt = grey[int(0.16 * h), int(0.13 * w)]
        ground = grey[int(0.16 * h), int(0.05 * w)]  # plate background beside the bolt
        shades.add("light" if bolt > ground + 20 else "dark" if bolt < ground - 10 else "none")
    assert shades == {"light", "dark"}


def test_green_2004_plate_has_a_thin_wide_top_line_over_large_digits():
    from lprkit.synth.render import render_plate

    plate = render_plate("12가3456", "kr_green_2line_2004", 0)
    h, w = plate.image.shape[:2]
    top, bottom = plate.char_boxes[:3], plate.char_boxes[3:]
    assert top[:, 3].max() <= 0.33 * h  # the "12가" line keeps to the top third
    assert top[:, 2].max() - top[:, 0].min() >= 0.4 * w  # spread out between the bolts
    assert (bottom[:, 3] - bottom[:, 1]).min() >= 0.45 * h  # the serial fills the rest
    assert 0.29 <= plate.split <= 0.33


def test_slovak_1997_sk_label_is_often_thin_and_grey(monkeypatch):
    # real 1997 plates print a small, thin, often grey "SK" under the arms; always bold
    # black taught a recogniser the wrong emblem
    import lprkit.synth.render as render

    labels = []
    real_paste = render._paste

    def paste_spy(canvas, glyph, box, colour):
        if glyph[1] == "SK":
            labels.append((glyph[0], float(colour[0])))
        return real_paste(canvas, glyph, box, colour)

    monkeypatch.setattr(render, "_paste", paste_spy)
    for seed in range(20):
        render_plate("RK755AJ", "eu_sk_1997", seed, scale=0.4)
    assert len(labels) == 20
    light = [font for font, _ in labels if font.rsplit("/", 1)[-1] in render.SK_LABEL_FONTS]
    assert 0 < len(light) < 20  # a regular-weight font on some plates, the plate's on others
    greys = [c for _, c in labels]
    assert min(greys) >= 25 and max(greys) <= 135 and max(greys) - min(greys) > 40
