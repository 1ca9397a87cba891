"""A fair comparison of plate recognisers on the same crops.

Every recogniser (CRNN, LPRNet, Tesseract presets, TFLite models …) reads the same crops and
is scored by the same metrics (:mod:`lprkit.recognition.metrics`: exact plates and token
error rate, overall and per plate style). Timing is fair too: recognisers are built (models
loaded, Tesseract checked) before they are passed in, each one first reads a few crops
untimed (a warm-up: graph tracing, caches, the OS loading the Tesseract binary), and then
every batch is timed with :func:`time.perf_counter`.

>>> class Upper:
...     name = "echo"
...     def read(self, crops):
...         from lprkit.recognition.base import PlateRead
...         return [PlateRead("AB12", 1.0) for _ in crops]
>>> import numpy as np
>>> table = compare_recognizers([Upper()], [np.zeros((8, 32, 3), np.uint8)] * 2, ["AB12", "CD34"], warmup=0)
>>> table[0]["name"], table[0]["n"], table[0]["exact"]
('echo', 2, 0.5)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np

from lprkit.errors import InputError
from lprkit.recognition.metrics import cer, exact_accuracy

BASE_COLUMNS = ("name", "n", "exact", "cer", "ms_mean", "ms_median")


def format_table(rows: Sequence[dict], columns: Sequence[str], digits: int = 3,
                 markdown: bool = True) -> str:  # fmt: skip
    """Render dict rows as a GitHub Markdown table or as aligned plain text.

    Floats get ``digits`` decimals; missing values are left blank.
    """

    def fmt(v) -> str:
        if isinstance(v, float):
            return "" if np.isnan(v) else f"{v:.{digits}f}"
        return "" if v is None else str(v)

    cells = [[fmt(row.get(c)) for c in columns] for row in rows]
    if markdown:
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(" --- " for _ in columns) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in cells])
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = [columns] + cells
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in lines
    )


class ComparisonTable(list):
    """Rows (dicts) of :func:`compare_recognizers`, one per recogniser, plus what they read.

    A plain ``list`` of ``dict`` rows with keys ``name, n, exact, cer, ms_mean, ms_median``,
    ``details`` (what the recogniser says about itself, e.g. Tesseract's version) and
    ``exact[STYLE]`` per plate style.

    Attributes
    ----------
    texts, styles
        The true texts and styles (``None`` when not given) of the crops.
    predictions
        Recogniser name -> the text it read for each crop.
    confidences
        Recogniser name -> the confidence of each reading.
    latencies_ms
        Recogniser name -> milliseconds per plate of each crop (a batch's time shared out).
    """

    def __init__(self, rows=(), *, texts=(), styles=None, predictions=None, confidences=None,
                 latencies_ms=None) -> None:  # fmt: skip
        super().__init__(rows)
        self.texts: list[str] = list(texts)
        self.styles: list[str] | None = list(styles) if styles is not None else None
        self.predictions: dict[str, list[str]] = dict(predictions or {})
        self.confidences: dict[str, list[float]] = dict(confidences or {})
        self.latencies_ms: dict[str, np.ndarray] = dict(latencies_ms or {})

    def columns(self, details: bool = False, by_style: bool = True) -> list[str]:
        """Column names in display order: base columns, then one per style."""
        cols = list(BASE_COLUMNS)
        if by_style:
            for row in self:
                cols += [k for k in row if k.startswith("exact[") and k not in cols]
        return cols + (["details"] if details else [])

    def to_markdown(self, digits: int = 3, details: bool = False, by_style: bool = True) -> str:
        """The table as GitHub Markdown (``by_style=False``: without the per-style columns)."""
        return format_table(self, self.columns(details, by_style), digits, markdown=True)

    def to_text(self, digits: int = 3, details: bool = False, by_style: bool = True) -> str:
        """The table as aligned plain text."""
        return format_table(self, self.columns(details, by_style), digits, markdown=False)

    def style_rows(self) -> list[dict]:
        """Exact accuracy per plate style: one row per style, one column per recogniser."""
        if self.styles is None:
            raise InputError("no styles were given to compare_recognizers")
        counts = {s: self.styles.count(s) for s in sorted(set(self.styles))}
        return [
            {"style": s, "n": n, **{row["name"]: row[f"exact[{s}]"] for row in self}}
            for s, n in counts.items()
        ]

    def style_markdown(self, digits: int = 2) -> str:
        """:meth:`style_rows` as GitHub Markdown."""
        return format_table(
            self.style_rows(), ["style", "n", *(r["name"] for r in self)], digits, markdown=True
        )

    def __str__(self) -> str:
        return self.to_text()

    def best(self, key: str = "exact") -> dict:
        """The row with the highest ``key`` (ties: the faster one)."""
        if not self:
            raise InputError("the comparison table is empty")
        return max(self, key=lambda r: (r[key], -r["ms_mean"]))

    def disagreements(self) -> list[int]:
        """Indices of crops that the recognisers did not all read the same way."""
        names = list(self.predictions)
        return [
            i for i in range(len(self.texts)) if len({self.predictions[n][i] for n in names}) > 1
        ]


def compare_recognizers(
    recognizers: Sequence,
    crops: Sequence[np.ndarray] | Mapping[str, Sequence[np.ndarray]],
    texts: Sequence[str],
    styles: Sequence[str] | None = None,
    warmup: int = 3,
    batch_size: int = 1,
    alphabet=None,
    progress: bool = False,
) -> ComparisonTable:
    """Run every recogniser on the same crops and tabulate accuracy and latency.

    Parameters
    ----------
    recognizers
        Objects with ``name`` and ``read(crops) -> list[PlateRead]``, already built (loading
        is not timed). Names must be unique.
    crops
        RGB ``uint8`` crops; or the same plates as one-line strips cut in several two-line
        layouts, ``{two_line_top: crops}`` (:func:`lprkit.synth.dataset.generate_crops`), of
        which each recogniser reads the one it was trained on
        (:func:`lprkit.synth.twoline.top_layout_of`).
    texts
        True plate texts.
    styles
        Plate style of each crop, for the ``exact[STYLE]`` columns.
    warmup
        Untimed ``read`` calls (of one batch each) before timing starts.
    batch_size
        Crops per timed ``read`` call; 1 measures single-plate latency (the edge case).
    alphabet
        Tokenises texts for the error rate (:func:`lprkit.recognition.metrics.cer`); default
        each recogniser's ``alphabet`` attribute, else characters.
    progress
        Show a tqdm bar per recogniser.

    Returns
    -------
    ComparisonTable
        One row per recogniser, in the order given.

    Raises
    ------
    ValueError
        On mismatched lengths, no crops, duplicate names, a layout missing from ``crops`` or a
        recogniser that returns the wrong number of readings.
    """
    by_layout = dict(crops) if isinstance(crops, Mapping) else None
    if by_layout:
        if len({len(c) for c in by_layout.values()}) > 1:
            raise InputError(f"crops of every layout must be as many, got {_lengths(by_layout)}")
        crops = next(iter(by_layout.values()))
    n = len(crops)
    if n == 0:
        raise InputError("no crops to compare on")
    if len(texts) != n or (styles is not None and len(styles) != n):
        raise InputError(
            f"{n} crops, {len(texts)} texts"
            + (f", {len(styles)} styles" if styles is not None else "")
            + ": they must match"
        )
    if batch_size < 1 or warmup < 0:
        raise InputError(f"batch_size must be >= 1 and warmup >= 0, got {batch_size}, {warmup}")
    names = [getattr(r, "name", type(r).__name__) for r in recognizers]
    if len(set(names)) != len(names):
        raise InputError(f"recogniser names must be unique, got {names}")
    from tqdm.auto import tqdm

    table = ComparisonTable(texts=texts, styles=styles)
    for rec, name in zip(recognizers, names, strict=True):
        if by_layout:
            crops = _crops_for(rec, name, by_layout)
        for _ in range(warmup):
            rec.read(list(crops[:batch_size]))
        reads, ms = [], np.zeros(n)
        for i in tqdm(range(0, n, batch_size), desc=name, disable=not progress, leave=False):
            batch = list(crops[i : i + batch_size])
            start = time.perf_counter()
            out = rec.read(batch)
            ms[i : i + len(batch)] = 1000.0 * (time.perf_counter() - start) / len(batch)
            if len(out) != len(batch):
                raise InputError(f"{name} returned {len(out)} readings for {len(batch)} crops")
            reads.extend(out)
        hyps = [r.text for r in reads]
        alpha = alphabet or getattr(rec, "alphabet", None)
        row = {
            "name": name,
            "n": n,
            "exact": exact_accuracy(texts, hyps, alpha),
            "cer": cer(texts, hyps, alpha),
            "ms_mean": float(ms.mean()),
            "ms_median": float(np.median(ms)),
        }
        if styles is not None:
            for style in sorted(set(styles)):
                ids = [i for i, s in enumerate(styles) if s == style]
                row[f"exact[{style}]"] = exact_accuracy(
                    [texts[i] for i in ids], [hyps[i] for i in ids], alpha
                )
        describe = getattr(rec, "describe", None)
        row["details"] = describe() if callable(describe) else ""
        table.append(row)
        table.predictions[name] = hyps
        table.confidences[name] = [float(r.confidence) for r in reads]
        table.latencies_ms[name] = ms
    return table


def _lengths(by_layout: Mapping) -> dict[str, int]:
    return {layout: len(c) for layout, c in by_layout.items()}


def _crops_for(rec, name: str, by_layout: Mapping) -> Sequence[np.ndarray]:
    from lprkit.synth.twoline import top_layout_of

    layout = top_layout_of(rec)
    if layout not in by_layout:
        raise InputError(
            f"{name} reads two-line strips of layout {layout!r}; crops are given for "
            f"{sorted(by_layout)}"
        )
    return by_layout[layout]


def checkpoint_recognizers(alphabet: str | None = None) -> list:
    """Recognisers that :func:`lprkit.checkpoints.available` offers, loaded, for ``alphabet``.

    Returns an empty list when this version of lprkit has no ``lprkit.checkpoints`` module,
    so that notebooks can compare "whatever exists". Names that do not load as a recogniser
    (detectors) are skipped.
    """
    import importlib

    try:
        checkpoints = importlib.import_module("lprkit.checkpoints")
    except ModuleNotFoundError as exc:
        if exc.name == "lprkit.checkpoints":
            return []
        raise
    from lprkit.errors import LprkitError

    out = []
    for name in checkpoints.available():
        try:
            rec = checkpoints.load_recognizer(name)
        except (LprkitError, ValueError):  # not a recogniser (a detector checkpoint)
            continue
        rec_alphabet = getattr(getattr(rec, "alphabet", None), "name", None)
        if alphabet is None or rec_alphabet == alphabet:
            out.append(rec)
    return out


def text_font():
    """A small font with Hangul for plate texts in figures (matplotlib's default without one)."""
    from matplotlib.font_manager import FontProperties

    from lprkit.errors import LprkitError
    from lprkit.synth.fonts import find_fonts

    try:
        return FontProperties(fname=str(find_fonts("hangul")[0]), size=7)
    except LprkitError:
        return FontProperties(size=7)


def plot_accuracy_latency(table: ComparisonTable, ax=None, title: str | None = None):
    """Scatter of exact accuracy against mean ms per plate, one labelled point per recogniser.

    The latency axis is logarithmic: recognisers differ by orders of magnitude.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    else:
        fig = ax.figure
    for row in table:
        ax.scatter(row["ms_mean"], row["exact"], s=40)
        ax.annotate(row["name"], (row["ms_mean"], row["exact"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("ms per plate (mean, log scale)")
    ax.set_ylabel("exact plates")
    ax.set_ylim(-0.03, 1.05)
    ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    return fig


def plot_disagreements(table: ComparisonTable, crops: Sequence[np.ndarray], max_items: int = 12,
                       ncols: int = 3):  # fmt: skip
    """Grid of the crops the recognisers read differently, with the truth and every reading.

    Readings that match the truth are marked ``ok``, the others ``x``.

    Returns
    -------
    matplotlib.figure.Figure
        With a single "no disagreements" panel when all recognisers agreed everywhere.
    """
    import matplotlib.pyplot as plt

    ids = table.disagreements()[:max_items]
    font = text_font()
    if not ids:
        fig, ax = plt.subplots(figsize=(4, 1))
        ax.text(0.5, 0.5, "the recognisers agree on every crop", ha="center", va="center")
        ax.axis("off")
        return fig
    names = list(table.predictions)
    nrows = -(-len(ids) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.4 * ncols, (1.2 + 0.22 * len(names)) * nrows),
                             squeeze=False)  # fmt: skip
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, ids, strict=False):
        ax.imshow(crops[i])
        lines = [f"true  {table.texts[i]}"]
        for name in names:
            read = table.predictions[name][i]
            lines.append(f"{'ok' if read == table.texts[i] else 'x '}  {name}: {read or '(none)'}")
        ax.set_title("\n".join(lines), loc="left", fontproperties=font)
    fig.tight_layout()
    return fig
