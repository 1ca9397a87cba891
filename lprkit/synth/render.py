"""Drawing clean plates from a style and a label, with per-character boxes.

Glyphs are rasterised once per (font, token, stroke) at a large size and cached as ink masks;
a plate is then composed with OpenCV resizes and alpha blends, which is what makes hundreds of
plates per second possible. Every plate varies its font (several per style), stroke weight,
character spacing, condensing, glyph height, line position and colours, drawn from ``rng``.

>>> import numpy as np
>>> p = render_plate("12가3456", "kr_private_2006", np.random.default_rng(0))
>>> p.image.shape, p.text, p.char_boxes.shape
((110, 520, 3), '12가3456', (7, 4))
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lprkit.charset import get_alphabet
from lprkit.config import make_rng
from lprkit.errors import InputError
from lprkit.synth.din_glyphs import DIN_LETTERS, din_letter_mask
from lprkit.synth.fonts import style_fonts
from lprkit.synth.grammar import random_fields, split_fields
from lprkit.synth.marks import draw_mark, draw_sk_shield
from lprkit.synth.styles import Band, PlateStyle, get_style

GLYPH_SIZE = 96  # px font size glyph masks are rasterised at (then scaled to each plate)
STROKES = (0, 1, 2)  # extra stroke widths (px at GLYPH_SIZE): weight variation
# European plates draw M and W in DIN 1451's shape on this share of plates (din_glyphs.py),
# at one of these depths (M: middle vertex; W: middle apex), fractions of the cap height.
DIN_SHARE = 0.5
DIN_DEPTHS = {"M": (0.5, 0.6, 0.7), "W": (0.1, 0.25, 0.4)}
# regular-weight fonts for the small "SK" under the 1997 Slovak arms (the plate's own font is
# used for the rest)
SK_LABEL_FONTS = (
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSansNarrow-Regular.ttf",
)
_DIN_TAG = "#din"  # font path suffix: "<font>#din<level>" draws DIN_LETTERS from strokes


@dataclass(frozen=True)
class RenderedPlate:
    """A clean plate image and where its characters are.

    Attributes
    ----------
    image
        RGB uint8 ``(H, W, 3)`` at the style's size (times the ``scale`` asked for).
    text
        The label: tokens of the style's alphabet, no separators.
    style
        Style name.
    char_boxes
        float32 ``(n_tokens, 4)``: ``x1, y1, x2, y2`` ink box of each token, in label order.
    split
        For two-line plates, the row (fraction of the height) between the lines; else None.
    """

    image: np.ndarray
    text: str
    style: str
    char_boxes: np.ndarray
    split: float | None = None


# --- glyph cache --------------------------------------------------------------------------
@functools.cache
def _font(path: str, size: int = GLYPH_SIZE):
    from PIL import ImageFont

    return ImageFont.truetype(path, size)


@functools.cache
def _notdef(path: str) -> bytes:
    """Bitmap the font draws for a character it lacks (U+FFFF is never a real glyph)."""
    return bytes(_font(path).getmask("\uffff"))


@functools.lru_cache(maxsize=16384)
def glyph_mask(path: str, text: str, stroke: int = 0) -> np.ndarray:
    """Ink coverage (float32 0..1) of ``text`` in font ``path``, cropped to the ink.

    Raises
    ------
    ValueError
        If the font has no glyph for a character of ``text`` (it would draw a box).
    """
    from PIL import Image, ImageDraw

    if _DIN_TAG in path:
        return _din_glyph(path, text, stroke)
    font = _font(path)
    for ch in text:
        if ch != " " and bytes(font.getmask(ch)) == _notdef(path):
            raise InputError(f"font {Path(path).name} cannot draw {ch!r} (U+{ord(ch):04X})")
    x0, y0, x1, y1 = font.getbbox(text, stroke_width=stroke)
    img = Image.new("L", (x1 - x0 + 2, y1 - y0 + 2), 0)
    ImageDraw.Draw(img).text(
        (1 - x0, 1 - y0), text, font=font, fill=255, stroke_width=stroke, stroke_fill=255
    )
    arr = np.asarray(img, dtype=np.float32) / 255.0
    rows, cols = np.flatnonzero(arr.max(axis=1) > 0.1), np.flatnonzero(arr.max(axis=0) > 0.1)
    if rows.size == 0:
        raise InputError(f"font {Path(path).name} draws nothing for {text!r}")
    mask = arr[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    mask.setflags(write=False)
    return mask


def _din_glyph(path: str, text: str, stroke: int) -> np.ndarray:
    """A DIN 1451 letter at the size and stem width of the tagged font's own letter."""
    base, level = path.split(_DIN_TAG)
    if text not in DIN_LETTERS:
        return glyph_mask(base, text, stroke)
    h, w = glyph_mask(base, text, stroke).shape
    # the base font's "I" gives the stem; a serif "I" is wider than its stem, so keep the stem
    # within what the letter's box can hold
    stem = min(glyph_mask(base, "I", stroke).shape[1], w // 3, h // 2)
    mask = din_letter_mask(text, w, h, max(stem, 1), DIN_DEPTHS[text][int(level)])
    mask.setflags(write=False)
    return mask


@functools.cache
def _fonts_of(style: PlateStyle) -> tuple[str, ...]:
    return tuple(str(p) for p in style_fonts(style.fonts, style.script))


@functools.lru_cache(maxsize=16384)
def _mip(path: str, text: str, stroke: int, level: int) -> np.ndarray:
    """:func:`glyph_mask` halved ``level`` times (area-averaged), so small plates resize fast."""
    import cv2

    mask = glyph_mask(path, text, stroke)
    if level == 0:
        return mask
    up = _mip(path, text, stroke, level - 1)
    size = (max(1, up.shape[1] // 2), max(1, up.shape[0] // 2))
    out = cv2.resize(up, size, interpolation=cv2.INTER_AREA)
    out.setflags(write=False)
    return out


@functools.lru_cache(maxsize=65536)
def _sized_mask(path: str, text: str, stroke: int, w: int, h: int) -> np.ndarray:
    """:func:`glyph_mask` resized to ``w x h`` from the nearest larger mip level."""
    import cv2

    level, mh = 0, glyph_mask(path, text, stroke).shape[0]
    while level < 4 and mh // 2 >= h:
        level, mh = level + 1, mh // 2
    mask = _mip(path, text, stroke, level)
    interp = cv2.INTER_AREA if w < mask.shape[1] // 2 else cv2.INTER_LINEAR
    return cv2.resize(mask, (w, h), interpolation=interp)


def _paste(
    canvas: np.ndarray, glyph: tuple[str, str, int], box, colour: np.ndarray
) -> tuple[int, ...]:
    """Blend ``colour`` through the glyph's mask resized to ``box``; returns the box used."""
    x1, y1, x2, y2 = int(box[0] + 0.5), int(box[1] + 0.5), int(box[2] + 0.5), int(box[3] + 0.5)
    w, h = max(x2 - x1, 1), max(y2 - y1, 1)
    m = _sized_mask(*glyph, w, h)
    H, W = canvas.shape[:2]
    cx1, cy1, cx2, cy2 = max(x1, 0), max(y1, 0), min(x1 + w, W), min(y1 + h, H)
    if cx2 <= cx1 or cy2 <= cy1:
        return x1, y1, x1 + w, y1 + h
    m = m[cy1 - y1 : cy2 - y1, cx1 - x1 : cx2 - x1, None]
    region = canvas[cy1:cy2, cx1:cx2]
    region += (colour - region) * m
    return x1, y1, x1 + w, y1 + h


def _fit(
    mask: np.ndarray, box, condense: float = 1.0, squash: bool = False
) -> tuple[float, float, float, float]:
    """Box of the mask's aspect (times ``condense``) centred in ``box``.

    A glyph wider than the box is shrunk, or with ``squash`` narrowed at full height (plate
    characters keep one height: a wide ``W`` is drawn condensed, not small).
    """
    x1, y1, x2, y2 = box
    bw, bh = x2 - x1, y2 - y1
    h = bh
    w = mask.shape[1] / mask.shape[0] * h * condense
    if w > bw:
        h, w = (h, bw) if squash else (h * bw / w, bw)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


# --- decorations --------------------------------------------------------------------------
def _draw_band(canvas, band: Band, W: int, H: int, font: str, rng) -> None:
    import cv2

    if band.side == "left":
        x1, y1, x2, y2 = 0, 0, band.size * W, H
    elif band.side == "right":
        x1, y1, x2, y2 = W - band.size * W, 0, W, H
    else:
        x1, y1, x2, y2 = 0, 0, W, band.size * H
    if band.colour is not None:  # None: printed on the plate's own background
        canvas[int(y1) : int(round(y2)), int(x1) : int(round(x2))] = band.colour
    bw, bh = x2 - x1, y2 - y1
    label_colour = None  # the band's own unless the emblem picks one
    if band.emblem in ("eu_stars", "taegeuk"):
        cx, cy, r = (x1 + x2) / 2, y1 + bh * 0.3, min(bw, bh) * 0.3
        if band.emblem == "eu_stars":
            for k in range(12):
                a = 2 * np.pi * k / 12
                cv2.circle(
                    canvas,
                    (int(cx + r * np.cos(a)), int(cy + r * np.sin(a))),
                    max(1, int(r * 0.14)),
                    (255, 204, 0),
                    -1,
                    cv2.LINE_AA,
                )
        else:
            c, rr = (int(cx), int(cy)), max(int(r), 2)
            cv2.ellipse(canvas, c, (rr, rr), 0, 180, 360, (205, 46, 58), -1, cv2.LINE_AA)
            cv2.ellipse(canvas, c, (rr, rr), 0, 0, 180, (0, 71, 160), -1, cv2.LINE_AA)
        label_box = (x1 + bw * 0.12, y1 + bh * 0.62, x2 - bw * 0.12, y1 + bh * 0.9)
    elif band.emblem == "sk_arms":  # Slovak plates of 1997: the arms over SK, no blue band
        font, label_colour = _sk_emblem(canvas, x1, x2, y1, bw, bh, font, rng)
        label_box = (x1 + bw * 0.12, y1 + bh * 0.6, x2 - bw * 0.12, y1 + bh * 0.86)
    elif band.emblem == "br_flag":
        fx1, fy1, fx2, fy2 = x2 - bw * 0.1, y1 + bh * 0.2, x2 - bw * 0.03, y2 - bh * 0.2
        canvas[int(fy1) : int(fy2), int(fx1) : int(fx2)] = (0, 150, 60)
        pts = np.array(
            [
                ((fx1 + fx2) / 2, fy1),
                (fx2, (fy1 + fy2) / 2),
                ((fx1 + fx2) / 2, fy2),
                (fx1, (fy1 + fy2) / 2),
            ],
            np.int32,
        )
        cv2.fillConvexPoly(canvas, pts, (250, 210, 0), cv2.LINE_AA)
        label_box = (x1 + bw * 0.3, y1 + bh * 0.2, x2 - bw * 0.3, y2 - bh * 0.2)
    else:
        label_box = (x1 + bw * 0.15, y1 + bh * 0.3, x2 - bw * 0.15, y2 - bh * 0.3)
    if band.label:
        mask = glyph_mask(font, band.label)
        _paste(
            canvas,
            (font, band.label, 0),
            _fit(mask, label_box),
            np.array(band.label_colour if label_colour is None else label_colour, np.float32),
        )


def _sk_emblem(canvas, x1: float, x2: float, y1: float, bw: float, bh: float, font: str, rng):
    """The 1997 Slovak arms, varied in size and height; returns the font and colour of "SK".

    On real plates "SK" is small, thin and often grey. Drawn always bold and black, with one
    shield size, it taught a recogniser that this emblem never looks like a letter, and real
    ones were then read as an extra first character.
    """
    u = rng.random(6)
    width = min(bw * (0.75 + 0.2 * u[0]), bh * (0.34 + 0.12 * u[1]))
    draw_sk_shield(canvas, (x1 + x2) / 2, y1 + bh * (0.06 + 0.1 * u[2]), width, rng)
    light = style_fonts(SK_LABEL_FONTS, "latin")
    label_font = str(light[int(u[4] * len(light))]) if u[3] < 0.7 else font
    return label_font, (25 + 110 * u[5],) * 3


def _decorate(canvas, st: PlateStyle, W: int, H: int, ink, latin_font: str, rng) -> None:
    import cv2

    for band in st.bands:
        _draw_band(canvas, band, W, H, latin_font, rng)
    for cap in st.captions:
        text = cap.texts[int(rng.integers(len(cap.texts)))]
        mask = glyph_mask(latin_font, text)
        box = (cap.box[0] * W, cap.box[1] * H, cap.box[2] * W, cap.box[3] * H)
        colour = ink if cap.colour is None else np.array(cap.colour, np.float32)
        _paste(canvas, (latin_font, text, 0), _fit(mask, box), colour)
    if st.border is not None:
        t = max(1, int(round(st.border_width * H)))
        cv2.rectangle(
            canvas,
            (t // 2, t // 2),
            (W - 1 - t // 2, H - 1 - t // 2),
            tuple(float(c) for c in st.border),
            t,
            cv2.LINE_AA,
        )
    if not st.bolts:
        return
    bg = canvas[H // 2, W // 2]
    # an empty hole reads darker than the plate; a screw head or a chrome cap reads lighter
    shade = bg * 0.7 if rng.random() < 0.5 else bg + (235.0 - bg) * rng.uniform(0.5, 0.9)
    for bx, by in st.bolts:
        r = max(1, int(round(0.035 * H)))
        cv2.circle(
            canvas,
            (int(bx * W), int(by * H)),
            r,
            tuple(float(c) for c in shade),
            -1,
            cv2.LINE_AA,
        )


# --- characters ---------------------------------------------------------------------------
def _layout_line(line, parts, alphabet, spacing: float, W: int, H: int, jx: float, jy: float):
    """Cells of one line: ``(x1, x2, token, field)`` in pixels, and emblem marks
    ``(x1, x2, name)`` (field None: a separator; marks fill the blank after their field)."""
    lx1, ly1 = (line.box[0] + jx) * W, (line.box[1] + jy) * H
    lx2, ly2 = (line.box[2] + jx) * W, (line.box[3] + jy) * H
    cell = line.cell_aspect * (ly2 - ly1)
    items = []  # (x offset, width, token, field)
    marks = []  # (x offset, width, emblem name)
    x = 0.0
    for f, part in zip(line.fields, parts, strict=True):
        for i, tok in enumerate(alphabet.tokenize(part)):
            if i:
                x += spacing * cell
            items.append((x, f.width * cell, tok, f))
            x += f.width * cell
        if f.mark:
            marks.append((x + spacing * cell, f.gap * cell, f.mark))
        x += (f.gap + spacing) * cell
        if f.sep:
            items.append((x, 0.45 * cell, f.sep, None))
            x += (0.45 + spacing) * cell
    total = x - spacing * cell
    s = (lx2 - lx1) / max(total, 1e-6)
    offset = 0.0
    if s > 1.15:  # short variable-length text: natural spacing, centred
        offset, s = ((lx2 - lx1) - total * 1.15) / 2, 1.15
    x0 = lx1 + offset
    cells = [(x0 + a * s, x0 + (a + w) * s, tok, f) for a, w, tok, f in items]
    placed = [(x0 + a * s, x0 + (a + w) * s, name) for a, w, name in marks]
    return cells, placed, ly1, ly2


def _draw_lines(cov: np.ndarray, st: PlateStyle, parts: list[str], font: str, rng):
    """Draw the label's ink coverage into ``cov`` (H, W); returns token boxes (label order)
    and the emblem marks to paint, ``(name, (x1, y1, x2, y2))``."""
    H, W = cov.shape
    alphabet = get_alphabet(st.alphabet)
    stroke = int(STROKES[rng.integers(len(STROKES))])
    # condensing (plate fonts are narrower than system fonts), spacing, glyph height
    condense, spacing, hscale = rng.uniform((0.78, 0.03, 0.86), (1.0, 0.14, 0.98))
    din_font = font
    if st.group == "europe" and rng.random() < DIN_SHARE:
        din_font = f"{font}{_DIN_TAG}{rng.integers(len(DIN_DEPTHS['M']))}"
    jitter = rng.normal(0, 1, (len(st.lines), 2)) * 0.008
    dys = rng.normal(0, 0.012, 24)  # per-character baseline wobble (more than any plate has)
    boxes: list[tuple[int, ...]] = []
    marks: list[tuple[str, tuple[float, ...]]] = []
    k = n = 0
    for li, line in enumerate(st.lines):
        lparts = parts[k : k + len(line.fields)]
        k += len(line.fields)
        cells, placed, ly1, ly2 = _layout_line(line, lparts, alphabet, spacing, W, H, *jitter[li])
        lh, cy = ly2 - ly1, (ly1 + ly2) / 2
        marks += [(name, (mx1, ly1, mx2, ly2)) for mx1, mx2, name in placed]
        for cx1, cx2, tok, f in cells:
            if f is None:  # a printed separator, not part of the label
                sw, sh = (cx2 - cx1) * 0.7, max(lh * 0.08, 1.0)
                if tok == "·":
                    sw = sh = max(lh * 0.12, 1.0)
                sx = (cx1 + cx2) / 2
                cov[
                    int(cy - sh / 2) : int(cy + sh / 2) + 1, int(sx - sw / 2) : int(sx + sw / 2) + 1
                ] = 1
                continue
            gh = lh * f.height * hscale
            dy = dys[n % len(dys)] * lh
            n += 1
            pad = 0.02 * (cx2 - cx1)
            glyph_font = din_font if tok in DIN_LETTERS else font
            box = _fit(
                glyph_mask(glyph_font, tok, stroke),
                (cx1 + pad, cy - gh / 2 + dy, cx2 - pad, cy + gh / 2 + dy),
                condense,
                squash=True,
            )
            boxes.append(_stamp(cov, (glyph_font, tok, stroke), box))
    return boxes, marks


def _stamp(cov: np.ndarray, glyph: tuple[str, str, int], box) -> tuple[int, ...]:
    """Max the glyph's mask, resized to ``box``, into the coverage map; returns the box."""
    x1, y1 = int(box[0] + 0.5), int(box[1] + 0.5)
    w, h = max(int(box[2] + 0.5) - x1, 1), max(int(box[3] + 0.5) - y1, 1)
    m = _sized_mask(*glyph, w, h)
    H, W = cov.shape
    cx1, cy1, cx2, cy2 = max(x1, 0), max(y1, 0), min(x1 + w, W), min(y1 + h, H)
    if cx2 > cx1 and cy2 > cy1:
        region = cov[cy1:cy2, cx1:cx2]
        np.maximum(region, m[cy1 - y1 : cy2 - y1, cx1 - x1 : cx2 - x1], out=region)
    return x1, y1, x1 + w, y1 + h


def _draw(
    st: PlateStyle, parts: list[str], rng: np.random.Generator, scale: float
) -> RenderedPlate:
    import cv2

    if scale <= 0:
        raise InputError(f"scale must be positive, got {scale}")
    W, H = max(int(round(st.size[0] * scale)), 8), max(int(round(st.size[1] * scale)), 4)
    jit = rng.normal(0, 1, 6)
    bg = np.array(
        [min(max(c + 5 * j, 0), 255) for c, j in zip(st.background, jit[:3], strict=True)],
        np.float32,
    )
    ink = np.array(
        [min(max(c + 7 * j, 0), 255) for c, j in zip(st.ink, jit[3:], strict=True)], np.float32
    )
    canvas = np.empty((H, W, 3), np.float32)
    canvas[:] = bg
    fonts = _fonts_of(st)
    font = fonts[int(rng.integers(len(fonts)))]
    _decorate(canvas, st, W, H, ink, _fonts_of(_LATIN_DECOR)[0], rng)
    cov = np.zeros((H, W), np.float32)
    boxes, marks = _draw_lines(cov, st, parts, font, rng)
    for name, box in marks:
        draw_mark(canvas, cov, name, box, rng)
    canvas += (ink - canvas) * cov[:, :, None]
    image = cv2.convertScaleAbs(canvas)  # rounds and saturates to uint8
    split = None
    if st.two_line:
        split = float((st.lines[0].box[3] + st.lines[1].box[1]) / 2)
    return RenderedPlate(
        image, "".join(parts), st.name, np.asarray(boxes, np.float32).reshape(-1, 4), split
    )


# Captions and band labels are Latin text whatever the plate's own script.
_LATIN_DECOR = PlateStyle(
    "_decor",
    "us",
    "latin",
    "white",
    False,
    (1, 1),
    (0, 0, 0),
    (0, 0, 0),
    (),
    "",
    fonts=("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
)


def render_plate(
    text: str,
    style: str | PlateStyle,
    rng: int | np.random.Generator | None = None,
    *,
    scale: float = 1.0,
) -> RenderedPlate:
    """Draw ``text`` on a plate of ``style``.

    Parameters
    ----------
    text
        The label; separators (spaces, ``-``) are allowed and ignored, Latin is upper-cased.
    style
        Style name or :class:`~lprkit.synth.styles.PlateStyle`.
    rng
        Seed or generator for the look (font, spacing, colours); same seed, same bytes.
    scale
        Image size relative to the style's ``size`` (e.g. ``0.3`` for a 156 x 33 Korean plate).

    Raises
    ------
    ValueError
        For an unknown style, a character outside the style's alphabet, or text that is not
        a legal plate of the style.
    """
    st = get_style(style)
    return _draw(st, split_fields(text, st), make_rng(rng), scale)


def random_plate(
    style: str | PlateStyle, rng: int | np.random.Generator | None = None, *, scale: float = 1.0
) -> RenderedPlate:
    """Draw a random legal plate of ``style`` (see :func:`render_plate`)."""
    st = get_style(style)
    rng = make_rng(rng)
    return _draw(st, random_fields(st, rng), rng, scale)
