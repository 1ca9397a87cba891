"""How a recogniser's accuracy falls with image quality: a sweep over plate size and degradation.

A single exact-match figure on the synthetic test set mixes easy plates (large, sharp) with
plates that have lost most of their detail (a two-line plate 35 pixels high, blurred and
downscaled, whose top line is a few pixels tall). :func:`quality_sweep` draws the *same*
plates (same texts and styles: one seed) at several render sizes and degradation strengths and
reads each version, so the rows differ only in image quality:

- ``render_scale`` multiplies the size a plate is drawn and degraded at (1 = the test set's
  size: one-line plates 0.9-1.35x the model's width, two-line plates 1.1-2x its height);
- ``strength`` scales every degradation (0 = a clean render, 1 = the test set's level).

:func:`size_sweep` draws the same plates with their smallest characters a given number of
pixels high: accuracy against the character height a camera delivers.

:func:`degradation_ablation` asks which degradation costs the most: it reads the same plates
with one degradation (or a group) left out at a time, everything else as in the test set.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from lprkit.errors import InputError
from lprkit.synth.styles import get_style, resolve_styles


def quality_sweep(
    recognizer,
    styles: str | Sequence[str] = "korean",
    strengths: Sequence[float] = (0.0, 0.5, 1.0),
    render_scales: Sequence[float] = (1.0, 2.0),
    n: int = 300,
    seed: int = 12,
    size: tuple[int, int] | None = None,
    processes: int | None = None,
) -> list[dict]:
    """Exact accuracy and CER of ``recognizer`` for every (render scale, strength) pair.

    Parameters
    ----------
    recognizer
        A loaded recogniser (``read``, ``input_size``, ``alphabet``). The crops are given to
        it as one-line strips, as in training, so its two-line mode must leave wide crops
        alone (``False``, or ``"best"``, the default of ``load_recognizer``).
    styles
        Plate styles or a group name (``"korean"``, ``"latin"``).
    strengths
        Degradation strengths, each in ``[0, 2]``.
    render_scales
        Multipliers of the rendered plate size, each in ``[0.25, 8]``.
    n
        Plates per condition (the same plates in every condition).
    seed
        Seed of the plates.
    size
        ``(width, height)`` of the crops; default the recogniser's input size. Give the same
        size to compare recognisers with different inputs on the same crops.
    processes
        Worker processes for rendering (``None``: up to 2 for large ``n``).

    Returns
    -------
    list of dict
        One row per condition and line layout, ``{"render_scale", "strength", "lines", "n",
        "exact", "cer"}``; ``lines`` is ``"all"``, ``"one"`` or ``"two"`` (a layout absent from
        ``styles`` gets no row).
    """
    if not strengths or not render_scales:
        raise InputError("give at least one strength and one render scale")
    return _sweep(recognizer, styles, "render_scale", render_scales, strengths, n, seed, size, processes)


def _sweep(recognizer, styles, key: str, values, strengths, n, seed, size, processes) -> list[dict]:
    """Read the same plates for every (``generate_crops`` keyword ``key`` = value, strength)."""
    if n < 1:
        raise InputError(f"n={n}: need at least one plate per condition")
    for s in strengths:
        if not 0.0 <= s <= 2.0:
            raise InputError(f"strength {s} is outside [0, 2] (0 = clean, 1 = the test set's level)")
    names = resolve_styles(styles)
    rows = []
    for value in values:
        for strength in strengths:
            condition = {key: float(value), "strength": float(strength)}
            crops = {"degrade_strength": float(strength), key: float(value)}
            rows += _read_by_lines(recognizer, names, n, seed, size, processes, condition, crops)
    return rows


def _read_by_lines(recognizer, styles, n, seed, size, processes, condition, crops) -> list[dict]:
    """Rows ``{**condition, "lines", "n", "exact", "cer"}`` for ``generate_crops(..., **crops)``
    read by ``recognizer``: all plates, then one-line and two-line plates apart."""
    from lprkit.recognition.metrics import evaluate_recognizer
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.twoline import top_layout_of

    images, texts, plate_styles = generate_crops(
        n, styles, size=size or recognizer.input_size, seed=seed, processes=processes,
        two_line_top=top_layout_of(recognizer), **crops,
    )  # fmt: skip
    # evaluate_recognizer's groups give the one- and two-line rows ("style" = layout)
    lines = ["two" if get_style(s).two_line else "one" for s in plate_styles]
    report = evaluate_recognizer(recognizer, images, texts, lines)
    return [
        {**condition, "lines": g["style"], "n": g["n"], "exact": g["exact"], "cer": g["cer"]}
        for g in [{**report.summary, "style": "all"}, *report.by_style]
    ]


def size_sweep(
    recognizer,
    styles: str | Sequence[str] = "korean",
    char_heights: Sequence[float] = (8, 10, 12, 14, 16, 20, 24),
    strengths: Sequence[float] = (1.0,),
    n: int = 300,
    seed: int = 12,
    size: tuple[int, int] | None = None,
    processes: int | None = None,
) -> list[dict]:
    """Exact accuracy and CER of ``recognizer`` for plates drawn with characters of each height.

    Every condition draws the same plates, each so that its smallest text line (the top line
    of a two-line plate) is ``char_height`` pixels high before it is degraded and resized to
    the model's input: accuracy against the character height a camera delivers, the figure
    ANPR camera specifications state. In the Korean test set at 128×32 that line is 9-18
    pixels high on two-line plates and 18-44 on one-line plates
    (:func:`lprkit.synth.dataset.crop_char_heights`).

    Parameters
    ----------
    recognizer
        A loaded recogniser (see :func:`quality_sweep`).
    styles
        Plate styles or a group name.
    char_heights
        Heights in pixels, each in ``[4, 200]``.
    strengths
        Degradation strengths, each in ``[0, 2]`` (1 = the test set's level).
    n, seed, size, processes
        As in :func:`quality_sweep`.

    Returns
    -------
    list of dict
        ``{"char_height", "strength", "lines", "n", "exact", "cer"}``, ``lines`` ``"all"``,
        ``"one"`` or ``"two"`` as in :func:`quality_sweep`.
    """
    if not char_heights or not strengths:
        raise InputError("give at least one character height and one strength")
    from lprkit.synth.dataset import check_char_height

    for h in char_heights:  # all checked before the first condition is read
        check_char_height(h)
    return _sweep(recognizer, styles, "char_height", char_heights, strengths, n, seed, size, processes)


def by_char_height(
    recognizer,
    styles: str | Sequence[str] = "korean",
    edges: Sequence[float] = (10, 12, 14, 16, 18, 20, 24),
    n: int = 1000,
    seed: int = 52,
    size: tuple[int, int] | None = None,
    processes: int | None = None,
) -> list[dict]:
    """The test set's exact accuracy in bins of character height.

    The plates are those of the test set as it is (no size imposed, unlike
    :func:`size_sweep`); each falls in the bin of its smallest text line's height as drawn
    (:func:`lprkit.synth.dataset.crop_char_heights`). Shows which share of the test set lies
    below a given character height and how well those plates are read.

    Parameters
    ----------
    recognizer
        A loaded recogniser (see :func:`quality_sweep`).
    styles
        Plate styles or a group name.
    edges
        Increasing bin edges in pixels; the first bin holds everything below the first edge,
        the last everything from the last edge up.
    n, seed, size, processes
        As in :func:`quality_sweep` (the model cards' test set: ``n=1000, seed=52``).

    Returns
    -------
    list of dict
        One row per non-empty bin, smallest first, then all plates: ``{"char_height"
        ("< 10 px", "10-12 px", …, "all"), "low", "n", "share", "exact", "cer",
        "exact_from_here"}``. ``low`` is the bin's lower edge (0 for the first, -1 for the
        "all" row); ``exact_from_here`` is the accuracy on every plate from ``low`` up.
    """
    from lprkit.recognition.metrics import evaluate_recognizer
    from lprkit.synth.dataset import crop_char_heights, generate_crops
    from lprkit.synth.twoline import top_layout_of

    _check_edges(edges)  # before any plate is drawn
    if n < 1:
        raise InputError(f"n={n}: need at least one plate")
    names = resolve_styles(styles)
    size = size or recognizer.input_size
    images, texts, _ = generate_crops(
        n, names, size=size, seed=seed, processes=processes, two_line_top=top_layout_of(recognizer)
    )
    heights = crop_char_heights(n, names, size, seed)
    report = evaluate_recognizer(recognizer, images, texts)
    return char_height_bins(report.rows, heights, edges, recognizer.alphabet)


def char_height_bins(rows: Sequence[dict], heights, edges: Sequence[float], alphabet=None) -> list[dict]:
    """Plates already read, in bins of character height: the table of :func:`by_char_height`.

    Parameters
    ----------
    rows
        Per-plate rows of :func:`lprkit.recognition.metrics.evaluate_recognizer`
        (``report.rows``: ``"text"``, ``"read"`` and ``"correct"``).
    heights
        The smallest text line's height of each plate, in pixels
        (:func:`lprkit.synth.dataset.crop_char_heights`).
    edges
        Increasing bin edges in pixels (see :func:`by_char_height`).
    alphabet
        Tokenises the texts for the CER (the recogniser's alphabet; default characters).

    Returns
    -------
    list of dict
        As :func:`by_char_height`.
    """
    import numpy as np

    from lprkit.recognition.metrics import cer

    edges = _check_edges(edges)
    heights = np.asarray(heights, np.float64)
    if len(heights) != len(rows) or not len(rows):
        raise InputError(f"{len(heights)} heights for {len(rows)} plates; give one per plate (at least one)")
    correct = np.array([r["correct"] for r in rows], bool)
    lows = [0.0, *edges]
    labels = [f"< {edges[0]:g} px"] + [f"{a:g}-{b:g} px" for a, b in itertools.pairwise(edges)]
    labels.append(f">= {edges[-1]:g} px")
    bins = np.searchsorted(edges, heights, side="right")  # 0: below the first edge
    n = len(rows)

    def row(label, low, m, from_here):
        return {"char_height": label, "low": low, "n": int(m.sum()), "share": float(m.mean()),
                "exact": float(correct[m].mean()),
                "cer": cer([r["text"] for r, k in zip(rows, m, strict=True) if k],
                           [r["read"] for r, k in zip(rows, m, strict=True) if k], alphabet),
                "exact_from_here": float(correct[from_here].mean())}  # fmt: skip

    out = [row(label, lows[b], bins == b, bins >= b) for b, label in enumerate(labels) if (bins == b).any()]
    return out + [row("all", -1.0, np.ones(n, bool), np.ones(n, bool))]


def _check_edges(edges: Sequence[float]) -> list[float]:
    edges = [float(e) for e in edges]
    if not edges or any(b <= a for a, b in itertools.pairwise(edges)):
        raise InputError(f"edges must be increasing pixel heights, got {edges}")
    return edges


def default_ablations() -> dict[str, dict[str, float]]:
    """One condition per degradation the test set applies, leaving it out:
    ``{"without downscale": {"downscale": 0.0}, ...}``, then the three blurs left out together,
    then all of them (``"without any (clean)"``)."""
    from lprkit.synth.degrade import DEGRADATIONS

    active = [name for name, d in DEGRADATIONS.items() if d.p > 0]
    conditions = {f"without {name}": {name: 0.0} for name in active}
    blurs = [name for name in ("downscale", "motion_blur", "gaussian_blur") if name in active]
    conditions["without " + " + ".join(blurs)] = dict.fromkeys(blurs, 0.0)
    conditions["without any (clean)"] = dict.fromkeys(active, 0.0)
    return conditions


def degradation_ablation(
    recognizer,
    styles: str | Sequence[str] = "korean",
    conditions: dict[str, dict[str, float]] | None = None,
    n: int = 300,
    seed: int = 12,
    size: tuple[int, int] | None = None,
    processes: int | None = None,
) -> list[dict]:
    """Exact accuracy and CER of ``recognizer`` with degradations left out, one condition at a time.

    Every condition draws the same plates (texts and styles) as the test set would, at its
    size and strength, and changes only how often the named degradations apply; the first
    row is the test set's own mix (``"as in the test set"``). The gain of a condition over
    that row is what its degradations cost the recogniser.

    Parameters
    ----------
    recognizer
        A loaded recogniser (see :func:`quality_sweep`).
    styles
        Plate styles or a group name.
    conditions
        ``{label: {degradation name: probability}}``; default :func:`default_ablations`
        (each degradation left out on its own, then the blurs together, then all).
    n, seed, size, processes
        As in :func:`quality_sweep`.

    Returns
    -------
    list of dict
        ``{"condition", "lines", "n", "exact", "cer"}``, ``lines`` ``"all"``, ``"one"`` or
        ``"two"`` as in :func:`quality_sweep`.

    Raises
    ------
    ValueError
        For an unknown degradation name, a probability outside [0, 1] or ``n < 1``.
    """
    from lprkit.synth.degrade import check_degradations

    if n < 1:
        raise InputError(f"n={n}: need at least one plate per condition")
    conditions = default_ablations() if conditions is None else dict(conditions)
    for label, probabilities in conditions.items():
        try:
            check_degradations(probabilities)
        except ValueError as err:
            raise InputError(f"condition {label!r}: {err}") from None
    names = resolve_styles(styles)
    rows = []
    for label, probabilities in {"as in the test set": None, **conditions}.items():
        crops = {"degradations": probabilities}
        condition = {"condition": label}
        rows += _read_by_lines(recognizer, names, n, seed, size, processes, condition, crops)
    return rows


def quality_pivot(rows: Sequence[dict], value: str = "exact") -> tuple[list[dict], list[str]]:
    """:func:`quality_sweep` rows as one row per (render scale, lines), one column per strength.

    Returns
    -------
    (list of dict, list of str)
        The pivoted rows and their column names, ready for
        :func:`lprkit.recognition.compare.format_table`.
    """
    return _pivot_strengths(rows, "render_scale", "render scale", "{:g}x", value)


def size_pivot(rows: Sequence[dict], value: str = "exact") -> tuple[list[dict], list[str]]:
    """:func:`size_sweep` rows as one row per (character height, lines), one column per strength.

    Returns
    -------
    (list of dict, list of str)
        As :func:`quality_pivot`, the first column ``"char height"`` (``"12 px"``).
    """
    return _pivot_strengths(rows, "char_height", "char height", "{:g} px", value)


def _pivot_strengths(rows, key: str, label: str, fmt: str, value: str) -> tuple[list[dict], list[str]]:
    """One row per (``rows[key]``, lines), labelled ``fmt.format(...)``; one column per strength."""
    if value not in ("exact", "cer"):
        raise InputError(f"value={value!r}; use 'exact' or 'cer'")
    strengths = sorted({r["strength"] for r in rows})
    columns = [label, "lines", "n"] + [f"strength {s:g}" for s in strengths]
    table: dict[tuple[float, str], dict] = {}
    for r in rows:
        row = table.setdefault((r[key], r["lines"]), {label: fmt.format(r[key]), "lines": r["lines"], "n": r["n"]})
        row[f"strength {r['strength']:g}"] = r[value]
    return list(table.values()), columns


def ablation_pivot(rows: Sequence[dict], value: str = "exact") -> tuple[list[dict], list[str]]:
    """:func:`degradation_ablation` rows as one row per condition, one column per line layout.

    Returns
    -------
    (list of dict, list of str)
        Rows ``{"condition", "all", "one", "two"}`` (a layout absent from the plates has no
        column) and their column names, for :func:`lprkit.recognition.compare.format_table`.
    """
    if value not in ("exact", "cer"):
        raise InputError(f"value={value!r}; use 'exact' or 'cer'")
    table: dict[str, dict] = {}
    for r in rows:
        table.setdefault(r["condition"], {"condition": r["condition"]})[r["lines"]] = r[value]
    layouts = [lines for lines in ("all", "one", "two") if any(lines in row for row in table.values())]
    return list(table.values()), ["condition", *layouts]
