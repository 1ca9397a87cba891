"""Plate text grammars: which labels are legal for a style, and drawing random legal ones.

A style's grammar is its sequence of :class:`~lprkit.synth.styles.Field` records. Each field
becomes one named regex group; digit fields with a range (``lo..hi``) are also checked by
value, so ``00가0000`` is not a legal Korean plate even though it matches ``\\d\\d가\\d{4}``.

Labels carry no separators: ``12가3456``, ``ABC1234``. Printed separators (``-``, spaces)
are part of the style's layout, not of the text.

>>> from lprkit.synth.styles import get_style
>>> is_legal("12가3456", "kr_private_2006"), is_legal("12바3456", "kr_private_2006")
(True, False)
"""

from __future__ import annotations

import functools
import re

import numpy as np

from lprkit.charset import get_alphabet
from lprkit.config import make_rng
from lprkit.errors import InputError
from lprkit.synth.styles import Field, PlateStyle, get_style


def field_regex(f: Field) -> str:
    """Regex (no groups) for one field."""
    if f.lo is not None and not f.pad:  # numbers printed without leading zeros
        return rf"[1-9]\d{{0,{f.count - 1}}}" if f.count > 1 else r"[1-9]"
    units = sorted(f.units, key=len, reverse=True)  # longest first: 서울 before 서
    if all(len(u) == 1 for u in units):
        alt = "[" + "".join(re.escape(u) for u in units) + "]"
    else:
        alt = "(?:" + "|".join(re.escape(u) for u in units) + ")"
    low = f.count if f.min_count is None else f.min_count
    return alt + (f"{{{f.count}}}" if low == f.count else f"{{{low},{f.count}}}")


@functools.cache
def style_regex(style: PlateStyle) -> re.Pattern[str]:
    """The compiled full-match regex of a style, one group ``f0, f1 …`` per field."""
    return re.compile("".join(f"(?P<f{i}>{field_regex(f)})" for i, f in enumerate(style.fields)))


def _normalize(text: str, style: PlateStyle) -> str:
    """Label form: separators dropped, Latin upper-cased; ValueError on unknown characters."""
    return get_alphabet(style.alphabet).normalize(text)


def split_fields(text: str, style: str | PlateStyle) -> list[str]:
    """Split a legal label into its fields' texts.

    Raises
    ------
    ValueError
        If ``text`` has characters outside the style's alphabet or is not a legal plate of
        the style, with the expected format and an example.
    """
    st = get_style(style)
    label = _normalize(text, st)
    m = style_regex(st).fullmatch(label)
    problem = None
    if m is None:
        problem = "does not match the format"
    else:
        for i, f in enumerate(st.fields):
            if f.lo is not None and not f.lo <= int(m.group(f"f{i}")) <= f.hi:
                problem = f"has {m.group(f'f{i}')!r} where {f.lo}..{f.hi} is allowed"
                break
        if problem is None and st.max_len is not None:
            n = len(get_alphabet(st.alphabet).tokenize(label))
            if n > st.max_len:
                problem = f"has {n} characters, more than {st.max_len}"
    if problem:
        raise InputError(
            f"{text!r} is not a legal {st.name} plate: it {problem} "
            f"{describe(st)} (e.g. {st.example!r})"
        )
    return [m.group(f"f{i}") for i in range(len(st.fields))]


def describe(style: str | PlateStyle) -> str:
    """A short human description of the format, e.g. ``[0-9]{2} [가나…]{1} [0-9]{4}``."""
    st = get_style(style)
    parts = []
    for f in st.fields:
        shown = "".join(f.units) if all(len(u) == 1 for u in f.units) else "|".join(f.units)
        if len(shown) > 24:
            shown = shown[:10] + "…" + shown[-4:]
        low = f.count if f.min_count is None else f.min_count
        rng = f" {f.lo}..{f.hi}" if f.lo is not None else ""
        n = f"{f.count}" if low == f.count else f"{low}-{f.count}"
        parts.append(f"[{shown}]x{n}{rng}")
    return "(" + " ".join(parts) + ")"


def is_legal(text: str, style: str | PlateStyle) -> bool:
    """True if ``text`` is a plate the style can carry (its regex and digit ranges)."""
    try:
        split_fields(text, style)
    except ValueError:
        return False
    return True


def _random_field(f: Field, rng: np.random.Generator) -> str:
    if f.lo is not None:
        value = int(rng.integers(f.lo, f.hi + 1))
        if not f.pad:
            return str(value)
        return str(value).zfill(f.count)
    low = f.count if f.min_count is None else f.min_count
    n = int(rng.integers(low, f.count + 1))
    idx = rng.integers(0, len(f.units), size=n)
    return "".join(f.units[i] for i in idx)


def random_fields(
    style: str | PlateStyle, rng: int | np.random.Generator | None = None
) -> list[str]:
    """Draw a random legal label for ``style``, as one string per field.

    Digit ranges are drawn uniformly; variable-length fields get a uniform length. The
    renderer uses the fields directly, since a label alone can be ambiguous (``BAB1234`` on
    a German plate is ``B AB 1234`` or ``BA B 1234``).
    """
    st = get_style(style)
    rng = make_rng(rng)
    for _ in range(100):
        parts = [_random_field(f, rng) for f in st.fields]
        if (
            st.max_len is None
            or len(get_alphabet(st.alphabet).tokenize("".join(parts))) <= st.max_len
        ):
            return parts
    raise RuntimeError(f"style {st.name}: could not draw a label within max_len={st.max_len}")


def random_text(style: str | PlateStyle, rng: int | np.random.Generator | None = None) -> str:
    """Draw a random legal label (no separators) for ``style``; see :func:`random_fields`."""
    return "".join(random_fields(style, rng))
