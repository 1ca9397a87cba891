"""Plate styles the package does not ship: describe one, register it, use it everywhere.

A :class:`~lprkit.synth.styles.PlateStyle` says what a plate looks like (size, colours, lines
of fields) and, through its fields, which labels it can carry (its grammar). Once registered,
its name works wherever a style name does: rendering, ``generate_crops``, grammars,
``resolve_styles``. The course's *new plate style* assignment starts here.

>>> from lprkit.synth.styles import Line, PlateStyle, digits, letters
>>> demo = PlateStyle("xx_demo", "europe", "latin", "white", False, (520, 110), (240, 240, 236),
...                   (20, 20, 20), (Line((letters(2), digits(4)), (0.06, 0.12, 0.94, 0.88)),),
...                   "AB1234")
>>> register_style(demo, replace=True).name
'xx_demo'
"""

from __future__ import annotations

from lprkit.errors import InputError
from lprkit.synth.grammar import is_legal, style_regex
from lprkit.synth.styles import STYLES, PlateStyle


def register_style(style: PlateStyle, *, replace: bool = False) -> PlateStyle:
    """Add ``style`` to :data:`~lprkit.synth.styles.STYLES` for this process.

    Parameters
    ----------
    style
        The new style; its ``example`` must be a label its own fields can draw.
    replace
        Allow replacing a style of the same name (a shipped one too).

    Returns
    -------
    PlateStyle
        ``style``, now known by name.

    Raises
    ------
    TypeError
        For anything but a :class:`PlateStyle`.
    ValueError
        When the name is taken (without ``replace``) or the example does not fit the fields.
    """
    if not isinstance(style, PlateStyle):
        raise TypeError(f"register_style needs a PlateStyle, got {type(style).__name__}")
    if style.name in STYLES and not replace:
        raise InputError(f"a style named {style.name!r} exists; pass replace=True to replace it")
    if not is_legal(style.example, style):
        raise InputError(
            f"style {style.name!r}: its example {style.example!r} is not a label its fields "
            f"can draw (pattern {style_regex(style).pattern})"
        )
    STYLES[style.name] = style
    return style
