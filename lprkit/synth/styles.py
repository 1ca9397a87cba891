"""Plate styles as data: size, colours, lines of character fields, bands, captions and fonts.

A :class:`PlateStyle` describes one kind of physical plate. The renderer
(:mod:`lprkit.synth.render`) and the text grammar (:mod:`lprkit.synth.grammar`) read these
records; nothing in them branches on a style's name, so adding a plate type means adding an
entry to :data:`STYLES`.

Geometry is given in fractions of the plate (``x1, y1, x2, y2`` in ``0..1``) so a style renders
at any scale; ``size`` is the plate's real proportion in pixels at scale 1 (millimetres for
most plates, e.g. Korean long plates are 520 x 110 mm).

>>> get_style("kr_private_2019").size
(520, 110)
>>> resolve_styles("kr_ev,br_mercosur")
['kr_ev', 'br_mercosur']
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, field

from lprkit.charset import (
    DIGITS,
    HANGUL_COMMERCIAL,
    HANGUL_DELIVERY,
    HANGUL_PRIVATE,
    HANGUL_RENTAL,
    KOREAN_REGIONS,
    LATIN_LETTERS,
)
from lprkit.errors import InputError

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]

GROUPS: tuple[str, ...] = ("korean", "hongkong", "india", "europe", "us", "brazil")


@dataclass(frozen=True)
class Field:
    """A run of characters on a plate drawn from one pool (e.g. "four digits").

    Parameters
    ----------
    units
        What one draw can produce: single characters, or multi-character units such as a
        region name (``서울``) or an Indian state code (``MH``).
    count
        Number of units (the maximum, for variable-length fields).
    min_count
        Minimum number of units; ``None`` means exactly ``count``.
    lo, hi
        For digit fields: the legal range of the whole field's value.
    pad
        Digit fields: zero-padded to ``count`` digits (else printed without leading zeros).
    height
        Glyph height relative to the line height.
    width
        Cell width of one character relative to the line's standard cell.
    gap
        Extra blank space after the field, in standard cells.
    sep
        A separator printed after the field (``"-"`` or ``"·"``); never part of the label.
    mark
        An emblem drawn in the blank after the field (``"sk_arms"``: the Slovak coat of arms
        over a hyphen; ``"sk_stickers"``: one or two inspection stickers over a hyphen;
        ``"de_seals"``: German inspection and registration seals); never part
        of the label. The field's ``gap`` makes the room for it.
    """

    units: tuple[str, ...]
    count: int = 1
    min_count: int | None = None
    lo: int | None = None
    hi: int | None = None
    pad: bool = True
    height: float = 1.0
    width: float = 1.0
    gap: float = 0.0
    sep: str = ""
    mark: str = ""

    @property
    def fixed(self) -> bool:
        return self.min_count is None or self.min_count == self.count


@dataclass(frozen=True)
class Line:
    """One printed line: its fields and where it sits on the plate."""

    fields: tuple[Field, ...]
    box: Box
    cell_aspect: float = 0.52  # standard cell width / line height


@dataclass(frozen=True)
class Caption:
    """Decorative text that is not part of the label (state name, city, slogan)."""

    texts: tuple[str, ...]  # one is drawn at random
    box: Box
    colour: RGB | None = None  # None: the style's ink colour
    script: str = "latin"


@dataclass(frozen=True)
class Band:
    """A coloured strip: the EU country band, the Korean 2019 hologram band, Mercosur's top."""

    side: str  # "left", "right" or "top"
    size: float  # fraction of the plate width (left/right) or height (top)
    colour: RGB | None  # None: no strip of its own, only the emblem and label
    emblem: str | None = None  # "eu_stars", "taegeuk", "br_flag", "sk_arms" or None
    label: str = ""  # country code or name printed on the band
    label_colour: RGB = (255, 255, 255)


@dataclass(frozen=True)
class PlateStyle:
    """One plate type. See the module docstring and :data:`STYLES`."""

    name: str
    group: str
    alphabet: str  # lprkit.charset alphabet name: "korean" or "latin"
    colour: str  # background colour class
    two_line: bool
    size: tuple[int, int]  # (width, height) at scale 1
    background: RGB
    ink: RGB
    lines: tuple[Line, ...]
    example: str  # a legal label, shown in error messages and docs
    description: str = ""
    script: str = "latin"  # font script for the characters: "hangul" or "latin"
    fonts: tuple[str, ...] = ()  # preferred font files, best first (others of the script follow)
    bands: tuple[Band, ...] = ()
    captions: tuple[Caption, ...] = ()
    border: RGB | None = (30, 30, 30)
    border_width: float = 0.018  # fraction of the plate height
    bolts: tuple[tuple[float, float], ...] = ()  # bolt-hole centres, plate fractions
    max_len: int | None = None  # most tokens a label may have (variable-length formats)
    weight: float = 1.0  # relative frequency when styles are mixed
    holder: float = 0.0  # share of recognition crops showing a holder frame (synth/holders.py)
    fields: tuple[Field, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.group not in GROUPS:
            raise InputError(f"style {self.name!r}: unknown group {self.group!r}")
        if self.two_line != (len(self.lines) == 2):
            raise InputError(f"style {self.name!r}: two_line must match the number of lines")
        object.__setattr__(self, "fields", tuple(f for ln in self.lines for f in ln.fields))

    @property
    def min_line_height(self) -> float:
        """Height in pixels of the smallest text line's box at scale 1 (the glyphs fill 86-98%
        of it): what limits how small a plate can be drawn and still be read."""
        return min(ln.box[3] - ln.box[1] for ln in self.lines) * self.size[1]

    @property
    def units(self) -> tuple[str, ...]:
        """Every unit the grammar can draw, in first-seen order (the style's character set)."""
        seen: dict[str, None] = {}
        for f in self.fields:
            seen.update(dict.fromkeys(f.units))
        return tuple(seen)


# --- colours ------------------------------------------------------------------------------
WHITE: RGB = (242, 242, 238)
BLACK: RGB = (22, 22, 24)
KR_YELLOW: RGB = (246, 190, 22)
KR_GREEN: RGB = (34, 108, 72)
KR_EV_BLUE: RGB = (96, 172, 226)
KR_NAVY: RGB = (28, 58, 128)
EU_BLUE: RGB = (0, 51, 153)
YELLOW: RGB = (250, 204, 30)
NAVY: RGB = (24, 42, 104)

# --- character pools ----------------------------------------------------------------------
LETTERS = LATIN_LETTERS
NO_IOQ = tuple(c for c in LETTERS if c not in "IOQ")
NO_IOU = tuple(c for c in LETTERS if c not in "IOU")
NO_IOQU = tuple(c for c in LETTERS if c not in "IOQU")
NO_IQZ = tuple(c for c in LETTERS if c not in "IQZ")
NL_CONSONANTS = tuple("BDFGHJKLNPRSTVXZ")
KR_PRIVATE = HANGUL_PRIVATE + HANGUL_RENTAL  # white/EV plates: private series + rental 하허호
KR_COMMERCIAL = HANGUL_COMMERCIAL + HANGUL_DELIVERY  # yellow plates: 바사아자 + delivery 배
KR_OLD_REGIONS = tuple(r for r in KOREAN_REGIONS if r != "세종")  # Sejong exists since 2012
# Slovak district codes (1997-2022 format, still the most common on the road).
SK_DISTRICTS = tuple(
    "BA BB BJ BL BN BR BS BT BY CA DK DS DT GA GL HC HE IL KA KE KK KM KN KS LC LE LM LV MA MI "
    "ML MT MY NM NO NR NZ PB PD PE PK PN PO PP PT PU RA RK RS RV SA SB SC SE SI SK SL SN SO SP "
    "SV TN TO TR TS TT TV VK VT ZA ZC ZH ZM ZV".split()
)
CZ_REGIONS = tuple("ABCEHJKLMPSTUZ")  # the region letter of Czech plates (1B8 0338)
IN_STATES = tuple(
    "AP AR AS BR CG CH DL GA GJ HP HR JH JK KA KL LA MH ML MN MP MZ NL OD PB PY RJ SK TN TR TS UK UP WB".split()
)


def digits(
    n: int,
    lo: int | None = None,
    hi: int | None = None,
    *,
    pad: bool = True,
    min_count: int | None = None,
    **kw,
) -> Field:
    """A digit field of ``n`` digits, optionally restricted to ``lo..hi``."""
    return Field(DIGITS, n, min_count, lo, hi, pad, **kw)


def letters(n: int, pool: Sequence[str] = LETTERS, *, min_count: int | None = None, **kw) -> Field:
    """A field of ``n`` (or ``min_count..n``) units from ``pool``."""
    return Field(tuple(pool), n, min_count, **kw)


# --- Korean -------------------------------------------------------------------------------
KR_FONTS = (
    "NanumGothicBold.ttf",
    "NanumBarunGothicBold.ttf",
    "NanumSquareB.ttf",
    "NanumSquareRoundB.ttf",
)
KR_LONG = (520, 110)
KR_SHORT = (335, 155)
KR_SQUARE = (335, 170)
LONG_BOLTS = ((0.03, 0.5), (0.97, 0.5))
SHORT_BOLTS = ((0.22, 0.1), (0.78, 0.1))
TAEGEUK = Band("left", 0.075, KR_NAVY, "taegeuk", "KOR")


def _kr(name: str, colour: str, size, bg, ink, lines, example, description, **kw) -> PlateStyle:
    return PlateStyle(
        name,
        "korean",
        "korean",
        colour,
        len(lines) == 2,
        size,
        bg,
        ink,
        tuple(lines),
        example,
        description,
        script="hangul",
        fonts=KR_FONTS,
        **kw,
    )


def _kr_one_line(lead: Sequence[Field], pool, x1=0.05, x2=0.95, y1=0.12, y2=0.88) -> Line:
    return Line(
        (*lead, Field(tuple(pool), height=0.92, width=1.15, gap=0.4), digits(4, 1, 9999)),
        (x1, y1, x2, y2),
    )


KOREAN_STYLES = [
    _kr(
        "kr_private_2006",
        "white",
        KR_LONG,
        WHITE,
        BLACK,
        [_kr_one_line([digits(2, 1, 99)], KR_PRIVATE)],
        "12가3456",
        "White private plate (2006-2019): two-digit type, Hangul series, four-digit serial.",
        bolts=LONG_BOLTS,
        weight=3.0,
    ),
    _kr(
        "kr_private_2019",
        "white",
        KR_LONG,
        WHITE,
        BLACK,
        [_kr_one_line([digits(3, 100, 999)], KR_PRIVATE, x1=0.11, x2=0.96)],
        "123가4567",
        "White private plate (2019+): three-digit type; hologram band with the taegeuk "
        "and KOR on the left.",
        bands=(TAEGEUK,),
        weight=3.0,
    ),
    _kr(
        "kr_ev",
        "blue",
        KR_LONG,
        KR_EV_BLUE,
        BLACK,
        [_kr_one_line([digits(3, 100, 699)], KR_PRIVATE, x1=0.11, x2=0.96)],
        "123가4567",
        "Electric vehicles (2017+): sky-blue plate, EV mark and taegeuk on the left.",
        bands=(Band("left", 0.075, (30, 90, 170), "taegeuk", "EV"),),
        weight=1.5,
    ),
    _kr(
        "kr_region_old",
        "white",
        KR_LONG,
        WHITE,
        BLACK,
        [
            _kr_one_line(
                [Field(KR_OLD_REGIONS, height=0.8, width=1.9, gap=0.15), digits(2, 1, 99)],
                KR_PRIVATE,
                x1=0.04,
                x2=0.96,
            )
        ],
        "서울12가3456",
        "Older long plate with the region name first (before the 2004-2006 national plates).",
        bolts=LONG_BOLTS,
        weight=0.8,
    ),
    _kr(
        "kr_commercial",
        "yellow",
        KR_LONG,
        KR_YELLOW,
        BLACK,
        [
            _kr_one_line(
                [Field(KOREAN_REGIONS, height=0.8, width=1.9, gap=0.15), digits(2, 1, 99)],
                KR_COMMERCIAL,
                x1=0.04,
                x2=0.96,
            )
        ],
        "서울12바3456",
        "Yellow commercial plate (taxis, buses, trucks, delivery 배): region, type, "
        "business Hangul, serial.",
        bolts=LONG_BOLTS,
        weight=1.0,
    ),
    _kr(
        "kr_commercial_2line",
        "yellow",
        KR_SQUARE,
        KR_YELLOW,
        BLACK,
        [
            Line(
                (Field(KOREAN_REGIONS, width=2.0, gap=0.25), digits(2, 1, 99)),
                (0.2, 0.1, 0.8, 0.38),
            ),
            Line(
                (Field(KR_COMMERCIAL, height=0.7, width=1.2, gap=0.15), digits(4, 1, 9999)),
                (0.05, 0.42, 0.95, 0.9),
            ),
        ],
        "서울12바3456",
        "Yellow commercial two-line plate (trucks, buses): region and type over business "
        "Hangul and a large serial.",
        bolts=SHORT_BOLTS,
        weight=0.8,
    ),
    _kr(
        "kr_green_2line",
        "green",
        KR_SQUARE,
        KR_GREEN,
        WHITE,
        [
            Line(
                (Field(KR_OLD_REGIONS, width=2.0, gap=0.25), digits(2, 1, 99)),
                (0.2, 0.1, 0.8, 0.38),
            ),
            Line(
                (Field(KR_PRIVATE, height=0.7, width=1.2, gap=0.15), digits(4, 1, 9999)),
                (0.05, 0.42, 0.95, 0.9),
            ),
        ],
        "서울12가3456",
        "Green private plate (1973-2003): region and type over Hangul and serial.",
        bolts=SHORT_BOLTS,
        border=(235, 235, 230),
        weight=0.8,
    ),
    _kr(
        "kr_green_2line_2004",
        "green",
        KR_SQUARE,
        KR_GREEN,
        WHITE,
        [
            # a thin, widely spaced top line between the bolts, over very large digits
            Line(
                (digits(2, 1, 99, width=1.3), Field(KR_PRIVATE, width=1.5)),
                (0.22, 0.03, 0.78, 0.29),
                cell_aspect=0.85,
            ),
            Line((digits(4, 1, 9999),), (0.04, 0.33, 0.96, 0.95), cell_aspect=0.72),
        ],
        "12가3456",
        "Green national plate (2004-2006, no region): type and Hangul over a large serial.",
        bolts=((0.13, 0.16), (0.87, 0.16)),
        border=(235, 235, 230),
        weight=0.8,
    ),
    _kr(
        "kr_private_2line_short",
        "white",
        KR_SHORT,
        WHITE,
        BLACK,
        [
            Line((digits(2, 1, 99), Field(KR_PRIVATE, width=1.2)), (0.28, 0.1, 0.72, 0.38)),
            Line((digits(4, 1, 9999),), (0.06, 0.42, 0.94, 0.92), cell_aspect=0.6),
        ],
        "12가3456",
        "Short white two-line plate (335 x 155) for cars with a square plate recess.",
        bolts=SHORT_BOLTS,
        weight=0.8,
    ),
    _kr(
        "kr_private_2006_short",
        "white",
        KR_SHORT,
        WHITE,
        BLACK,
        [_kr_one_line([digits(2, 1, 99)], KR_PRIVATE, y1=0.25, y2=0.8)],
        "12가3456",
        "White one-line plate on the short 335 x 155 blank (older cars).",
        bolts=SHORT_BOLTS,
        weight=0.6,
    ),
]


# --- other regions ------------------------------------------------------------------------
LATIN_FONTS = (
    "DejaVuSansCondensed-Bold.ttf",
    "LiberationSansNarrow-Bold.ttf",
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
)
NARROW_FONTS = ("LiberationSansNarrow-Bold.ttf", "DejaVuSansCondensed-Bold.ttf")
# European plates use DIN 1451-like faces (FE-Schrift in Germany since 2000); Open DIN
# (Debian ``fonts-opendin``) is the closest free one. Without it the narrow fonts are used.
EU_FONTS = ("OSP-DIN.ttf",) + NARROW_FONTS
US_SIZE = (480, 240)  # 12 x 6 inches
ONE_LINE = (0.05, 0.14, 0.95, 0.86)


def _latin(name, group, colour, size, bg, ink, lines, example, description, **kw) -> PlateStyle:
    kw.setdefault("fonts", LATIN_FONTS)
    return PlateStyle(
        name,
        group,
        "latin",
        colour,
        len(lines) == 2,
        size,
        bg,
        ink,
        tuple(lines),
        example,
        description,
        **kw,
    )


# European plates are mostly photographed in a dealer's holder; other groups draw none yet, so
# their crops (and the Korean training sets) stay as they were
EU_HOLDER_SHARE = 0.5


def _eu(name, code, colour, bg, fields, example, description, right_band=False, band=None, **kw):
    bands = (band or Band("left", 0.08, EU_BLUE, "eu_stars", code),)
    if right_band:
        bands += (Band("right", 0.08, EU_BLUE),)
    x2 = 0.9 if right_band else 0.96
    return _latin(
        name,
        "europe",
        colour,
        (520, 110),
        bg,
        BLACK,
        [Line(tuple(fields), (0.12, 0.12, x2, 0.88), cell_aspect=0.55)],
        example,
        description,
        bands=bands,
        fonts=EU_FONTS,
        holder=EU_HOLDER_SHARE,
        **kw,
    )


def _slovak_fields(mark: str) -> list[Field]:
    """District, three digits, two letters; ``mark`` in the gap after the district."""
    return [Field(SK_DISTRICTS, gap=0.9, mark=mark), digits(3, 1, 999), letters(2)]


def _us(name, colour, bg, ink, fields, example, top, bottom=(), cap=None, **kw):
    caps = (Caption(tuple(top), (0.12, 0.05, 0.88, 0.24), cap),)
    if bottom:
        caps += (Caption(tuple(bottom), (0.2, 0.83, 0.8, 0.95), cap),)
    return _latin(
        name,
        "us",
        colour,
        US_SIZE,
        bg,
        ink,
        [Line(tuple(fields), (0.06, 0.27, 0.94, 0.8), cell_aspect=0.5)],
        example,
        f"US plate, {top[0].title()} style: state name above the characters.",
        captions=caps,
        bolts=((0.2, 0.12), (0.8, 0.12)),
        **kw,
    )


def _india_one_line() -> Line:
    """State, district, series, number: the line of every one-line Indian plate."""
    fields = (
        Field(IN_STATES, gap=0.25),
        digits(2, 1, 99, gap=0.35),
        letters(2, NO_IOQ, min_count=1, gap=0.35),
        digits(4, 1, 9999),
    )
    return Line(fields, ONE_LINE)


OTHER_STYLES = [
    _latin(
        "hk_rear",
        "hongkong",
        "yellow",
        (520, 110),
        YELLOW,
        BLACK,
        [
            Line(
                (letters(2, NO_IOQ, gap=0.5), digits(4, 1, 9999, pad=False, min_count=1)),
                ONE_LINE,
                cell_aspect=0.55,
            )
        ],
        "AB1234",
        "Hong Kong rear plate: yellow, two letters and up to four digits.",
    ),
    _latin(
        "hk_front",
        "hongkong",
        "white",
        (520, 110),
        WHITE,
        BLACK,
        [
            Line(
                (letters(2, NO_IOQ, gap=0.5), digits(4, 1, 9999, pad=False, min_count=1)),
                ONE_LINE,
                cell_aspect=0.55,
            )
        ],
        "XY88",
        "Hong Kong front plate: white, same format as the rear.",
    ),
    _latin(
        "hk_rear_2line",
        "hongkong",
        "yellow",
        (340, 200),
        YELLOW,
        BLACK,
        [
            Line((letters(2, NO_IOQ),), (0.25, 0.08, 0.75, 0.46)),
            Line((digits(4, 1, 9999, pad=False, min_count=1),), (0.1, 0.52, 0.9, 0.92)),
        ],
        "CD567",
        "Hong Kong square rear plate: letters over digits.",
        weight=0.7,
    ),
    _latin(
        "in_private",
        "india",
        "white",
        (500, 120),
        WHITE,
        BLACK,
        [_india_one_line()],
        "MH12AB1234",
        "Indian private plate: state, district, series, number.",
    ),
    _latin(
        "in_commercial",
        "india",
        "yellow",
        (500, 120),
        YELLOW,
        BLACK,
        [_india_one_line()],
        "KA01C5678",
        "Indian commercial plate: yellow with black characters.",
    ),
    _latin(
        "in_ev",
        "india",
        "green",
        (500, 120),
        (20, 120, 70),
        (245, 245, 245),
        [_india_one_line()],
        "DL03EV1234",
        "Indian electric vehicle plate: green, white text.",
        border=(245, 245, 245),
        weight=0.6,
    ),
    _latin(
        "in_private_2line",
        "india",
        "white",
        (340, 200),
        WHITE,
        BLACK,
        [
            Line(
                (Field(IN_STATES, gap=0.25), digits(2, 1, 99)), (0.15, 0.08, 0.85, 0.45)
            ),
            Line(
                (letters(2, NO_IOQ, min_count=1, gap=0.25), digits(4, 1, 9999)),
                (0.06, 0.52, 0.94, 0.92),
            ),
        ],
        "TN09BX4321",
        "Indian square plate (two-wheelers, some cars): state and district over the rest.",
        weight=0.7,
    ),
    _eu(
        "eu_de",
        "D",
        "white",
        WHITE,
        [
            letters(3, NO_IOQ, min_count=1, gap=0.8, mark="de_seals"),
            letters(2, NO_IOQ, min_count=1, gap=0.3),
            digits(4, 1, 9999, pad=False, min_count=1),
        ],
        "BAB1234",
        "German plate: city code, inspection and registration seals, letters, number; EU band "
        "with D.",
        max_len=8,
    ),
    _eu(
        "eu_sk",
        "SK",
        "white",
        WHITE,
        _slovak_fields("sk_arms"),
        "RK755AJ",
        "Slovak plate (2004-2022): district, coat of arms over a hyphen, three digits, two "
        "letters; EU band with SK.",
        weight=0.8,
    ),
    _eu(
        "eu_sk_1997",
        "SK",
        "white",
        WHITE,
        _slovak_fields("sk_stickers"),
        "BA123AB",
        "Slovak plate of the 1997 issue, still common: coat of arms over SK at the left, no "
        "EU band, inspection stickers over the hyphen.",
        band=Band("left", 0.08, None, "sk_arms", "SK", label_colour=BLACK),
        weight=0.8,
    ),
    _eu(
        "eu_cz",
        "CZ",
        "white",
        WHITE,
        [
            digits(1, 1, 9),
            letters(1, CZ_REGIONS),
            Field(DIGITS + LETTERS, 1, gap=0.6),
            digits(4),
        ],
        "1B80338",
        "Czech plate (2001+): region number and letter, a serial character, four digits; "
        "EU band with CZ.",
        weight=0.6,
    ),
    _eu(
        "eu_fr",
        "F",
        "white",
        WHITE,
        [letters(2, NO_IOU, sep="-"), digits(3, 1, 999, sep="-"), letters(2, NO_IOU)],
        "AB123CD",
        "French SIV plate (2009+): AB-123-CD, blue bands on both sides.",
        right_band=True,
    ),
    _eu(
        "eu_nl",
        "NL",
        "yellow",
        YELLOW,
        [letters(2, NL_CONSONANTS, sep="-"), digits(3, 1, 999, sep="-"), letters(1, NL_CONSONANTS)],
        "GB123X",
        "Dutch yellow plate, side code XX-999-X.",
    ),
    _eu(
        "eu_it",
        "I",
        "white",
        WHITE,
        [letters(2, NO_IOQU, gap=0.4), digits(3, 0, 999, gap=0.4), letters(2, NO_IOQU)],
        "AB123CD",
        "Italian plate (1994+): AB 123CD, blue bands on both sides.",
        right_band=True,
    ),
    _eu(
        "eu_uk",
        "UK",
        "yellow",
        YELLOW,
        [letters(2, NO_IQZ), digits(2, 2, 75, gap=0.8), letters(3, NO_IQZ)],
        "AB12CDE",
        "UK rear plate: yellow, memory tag, age identifier, random letters.",
    ),
    _us(
        "us_california",
        "white",
        WHITE,
        (24, 40, 104),
        [digits(1, 1, 9), letters(3, NO_IOQ), digits(3)],
        "7ABC123",
        ["California"],
        cap=(190, 30, 40),
        border=None,
    ),
    _us(
        "us_newyork",
        "white",
        (238, 236, 226),
        (20, 40, 110),
        [letters(3, NO_IOQ, sep="-"), digits(4)],
        "ABC1234",
        ["NEW YORK"],
        ["EXCELSIOR"],
        border=(230, 120, 30),
    ),
    _us(
        "us_texas",
        "white",
        WHITE,
        BLACK,
        [letters(3, NO_IOQ, gap=0.6), digits(4)],
        "ABC1234",
        ["TEXAS"],
        ["THE LONE STAR STATE"],
        border=None,
    ),
    _us(
        "us_florida",
        "white",
        WHITE,
        (10, 100, 60),
        [letters(4, NO_IOQ), digits(2)],
        "ABCD12",
        ["FLORIDA"],
        ["SUNSHINE STATE"],
        cap=(10, 80, 160),
        border=None,
    ),
    _us(
        "us_yellow",
        "yellow",
        YELLOW,
        NAVY,
        [letters(3, NO_IOQ, gap=0.5), digits(3)],
        "ABC123",
        ["NEW YORK", "MICHIGAN", "DELAWARE", "MARYLAND"],
        border=NAVY,
    ),
    _us(
        "us_blue",
        "blue",
        NAVY,
        YELLOW,
        [letters(3, NO_IOQ, sep="-"), digits(4)],
        "ABC1234",
        ["PENNSYLVANIA", "CONNECTICUT", "NEW JERSEY", "KENTUCKY"],
        border=YELLOW,
    ),
    _latin(
        "br_old",
        "brazil",
        "grey",
        (400, 130),
        (186, 188, 190),
        BLACK,
        [Line((letters(3, sep="-"), digits(4)), (0.05, 0.3, 0.95, 0.9))],
        "ABC1234",
        "Brazilian plate before 2018: grey, ABC-1234 under the city and state.",
        captions=(
            Caption(
                (
                    "SAO PAULO - SP",
                    "RIO DE JANEIRO - RJ",
                    "CURITIBA - PR",
                    "BELO HORIZONTE - MG",
                    "PORTO ALEGRE - RS",
                    "RECIFE - PE",
                ),
                (0.15, 0.05, 0.85, 0.25),
            ),
        ),
        bolts=((0.06, 0.15), (0.94, 0.15)),
    ),
    _latin(
        "br_mercosur",
        "brazil",
        "white",
        (400, 130),
        WHITE,
        BLACK,
        [Line((letters(3), digits(1), letters(1), digits(2)), (0.06, 0.3, 0.94, 0.93))],
        "ABC1D23",
        "Mercosur plate (Brazil 2018+): blue top band with BRASIL, ABC1D23.",
        bands=(Band("top", 0.22, EU_BLUE, "br_flag", "BRASIL"),),
    ),
]

STYLES: dict[str, PlateStyle] = {s.name: s for s in KOREAN_STYLES + OTHER_STYLES}


def get_style(name: str | PlateStyle) -> PlateStyle:
    """Look a style up by name, or pass a :class:`PlateStyle` through.

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    if isinstance(name, PlateStyle):
        return name
    try:
        return STYLES[name]
    except (KeyError, TypeError):
        raise InputError(
            f"unknown plate style {name!r}; known styles: {', '.join(STYLES)}"
        ) from None


def resolve_styles(spec: str | Sequence[str]) -> list[str]:
    """Expand a style spec into style names (no duplicates, in registry order per item).

    ``spec`` is a comma-separated string or a list of items; each item is ``"korean"``
    (Korean styles), ``"latin"`` (all non-Korean styles), ``"all"``, a group name
    (``"europe"``, ``"us"`` …), a style name, a name prefix (``"eu"`` for ``eu_*``) or a
    shell pattern (``"kr_*_2line*"``).

    Raises
    ------
    ValueError
        For an item that matches nothing, listing what is accepted.
    """
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for raw in items:
        item = str(raw).strip()
        if not item:
            continue
        if item == "all":
            names = list(STYLES)
        elif item == "latin":
            names = [n for n, s in STYLES.items() if s.alphabet == "latin"]
        elif item in GROUPS:
            names = [n for n, s in STYLES.items() if s.group == item]
        elif item in STYLES:
            names = [item]
        else:  # a shell pattern, or a name prefix such as "eu" or "kr"
            names = fnmatch.filter(STYLES, item) or [n for n in STYLES if n.startswith(item + "_")]
        if not names:
            raise InputError(
                f"unknown plate style or group {item!r}; use korean, latin, all, a group "
                f"({', '.join(GROUPS)}) or style names: {', '.join(STYLES)}"
            )
        out.extend(n for n in names if n not in out)
    if not out:
        raise InputError("no plate styles given; use e.g. 'korean', 'latin' or 'kr_ev,eu_de'")
    return out
