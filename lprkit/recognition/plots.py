"""Pictures for the recogniser notebook: the CTC alignment, training curves, crop grids.

:func:`ctc_alignment` is the logic (NumPy only, tested on its own); the ``plot_*`` functions
draw with matplotlib and return the figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from lprkit.charset import BLANK, Alphabet
from lprkit.errors import InputError

BLANK_MARK = "-"  # how a blank frame is written in a path


def ctc_alignment(probs: np.ndarray, alphabet: Alphabet) -> dict:
    """What greedy CTC decoding does, frame by frame.

    Parameters
    ----------
    probs
        ``(T, num_classes)`` softmax output for one plate, blank = 0.
    alphabet
        The model's alphabet.

    Returns
    -------
    dict
        ``codes`` (best class per frame), ``path`` (its token per frame, ``"-"`` for blank),
        ``best`` (its probability), ``emits`` (True where a frame starts a new token: not a
        blank and not a repeat of the frame before), ``text`` (the reading: repeats merged,
        blanks removed).

    Examples
    --------
    A path ``- 1 1 - 1 2 2 -`` reads ``112``: the blank between the two 1s keeps both.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != alphabet.num_classes:
        raise InputError(
            f"probabilities have shape {p.shape}; expected (T, {alphabet.num_classes}) "
            f"for alphabet {alphabet.name!r}"
        )
    codes = p.argmax(axis=1)
    prev = np.concatenate([[BLANK], codes[:-1]])
    emits = (codes != BLANK) & (codes != prev)
    path = [BLANK_MARK if c == BLANK else alphabet.tokens[c - 1] for c in codes]
    return {
        "codes": codes,
        "path": path,
        "best": p[np.arange(len(codes)), codes],
        "emits": emits,
        "text": alphabet.decode(codes[emits]),
    }


def _font(size: float):
    from lprkit.recognition.compare import text_font

    font = text_font()
    font.set_size(size)
    return font


def _shown_classes(p: np.ndarray, codes: np.ndarray, max_classes: int) -> list[int]:
    """Blank, the classes some frame picks, then the most probable others, up to a limit."""
    chosen = [BLANK] + [int(c) for c in dict.fromkeys(codes.tolist()) if c != BLANK]
    for c in np.argsort(-p.max(axis=0)):
        if len(chosen) >= max_classes:
            break
        if int(c) not in chosen:
            chosen.append(int(c))
    return chosen[: max(max_classes, 1)]


def plot_ctc_alignment(
    image: np.ndarray,
    probs: np.ndarray,
    alphabet: Alphabet,
    *,
    max_classes: int = 12,
    title: str | None = None,
):
    """The model input with its best class per frame above, and the probabilities below.

    Top: the image cut into ``T`` frames (the columns the CRNN reads), each labelled with
    its most probable class: blanks grey, frames that emit a new token red, repeats that
    merge into the token before orange. Bottom: the probability of blank and of the tokens
    that matter, per frame. The x label gives the path and the reading it collapses to.

    Parameters
    ----------
    image
        The model input (``(h, w)``, ``(h, w, 1)`` or RGB; uint8 or float in [0, 1]).
    probs
        ``(T, num_classes)`` softmax output for that image.
    alphabet
        The model's alphabet.
    max_classes
        Rows of the probability map (blank and the picked tokens always shown).
    title
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    al = ctc_alignment(probs, alphabet)
    p = np.asarray(probs, dtype=np.float64)
    steps = p.shape[0]
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    font = _font(9)
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(max(8.0, 0.32 * steps), 4.6), gridspec_kw={"height_ratios": [1, 2.2]},
        sharex=True,
    )  # fmt: skip
    top.imshow(img, cmap="gray", extent=(0, steps, 0, 1), aspect="auto", vmin=0,
               vmax=255 if img.dtype == np.uint8 else 1)  # fmt: skip
    for t in range(1, steps):
        top.axvline(t, color="cyan", lw=0.4, alpha=0.6)
    for t, (c, tok) in enumerate(zip(al["codes"], al["path"], strict=True)):
        colour = "0.6" if c == BLANK else ("red" if al["emits"][t] else "orange")
        top.text(t + 0.5, 1.04, tok, ha="center", va="bottom", color=colour, fontproperties=font)
    top.set_yticks([])
    top.set_ylim(0, 1)
    shown = _shown_classes(p, al["codes"], max_classes)
    names = ["blank" if c == BLANK else alphabet.tokens[c - 1] for c in shown]
    im = bottom.imshow(p[:, shown].T, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                       extent=(0, steps, len(shown), 0), interpolation="nearest")  # fmt: skip
    bottom.set_yticks(np.arange(len(shown)) + 0.5)
    bottom.set_yticklabels(names, fontproperties=font)
    bottom.set_xticks(np.arange(0, steps + 1, 4))
    path = "".join(tok if len(tok) == 1 else f"[{tok}]" for tok in al["path"])
    bottom.set_xlabel(f"frame (time step)   path {path}  →  {al['text'] or '(empty)'}",
                      fontproperties=font)  # fmt: skip
    fig.colorbar(im, ax=bottom, fraction=0.025, pad=0.01, label="probability")
    if title:
        top.set_title(title, fontproperties=_font(10), pad=16)
    fig.tight_layout()
    return fig


def plot_history(history: Mapping[str, Sequence[float]], keys: Sequence[str] = ("loss", "val_exact")):
    """One panel per group of curves: losses together, then each other key.

    Parameters
    ----------
    history
        Per-epoch values (``TrainResult.history`` or a ``history.csv`` read into lists).
    keys
        Keys to draw; ``loss`` also draws ``val_loss`` when present. Missing keys are skipped.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    present = [k for k in keys if history.get(k)]
    if not present:
        raise InputError(f"history has none of {list(keys)}; it has {sorted(history)}")
    fig, axes = plt.subplots(1, len(present), figsize=(4.5 * len(present), 3.2), squeeze=False)
    for ax, key in zip(axes[0], present, strict=True):
        curves = [key] + (["val_loss"] if key == "loss" and history.get("val_loss") else [])
        for name in curves:
            values = list(history[name])
            ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(key)
        if key.endswith("exact"):
            ax.set_ylim(-0.02, 1.02)
        if key == "loss":
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_crop_grid(
    images: Sequence[np.ndarray],
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    max_items: int | None = None,
    width: float = 2.6,
):
    """Crops in a grid, each with an optional (Hangul-capable) title.

    Returns
    -------
    matplotlib.figure.Figure
        A single "nothing to show" panel for an empty list.
    """
    import matplotlib.pyplot as plt

    images = list(images)[:max_items] if max_items else list(images)
    if titles is not None and len(titles) < len(images):
        raise InputError(f"{len(titles)} titles for {len(images)} images")
    if not images:
        fig, ax = plt.subplots(figsize=(4, 0.8))
        ax.text(0.5, 0.5, "nothing to show", ha="center", va="center")
        ax.axis("off")
        return fig
    ncols = max(1, min(ncols, len(images)))
    nrows = -(-len(images) // ncols)
    font = _font(9)
    lines = max((str(t).count("\n") + 1 for t in titles), default=0) if titles else 0
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, (1.0 + 0.22 * lines) * nrows),
                             squeeze=False)  # fmt: skip
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, img) in enumerate(zip(axes.flat, images, strict=False)):
        img = np.asarray(img)
        ax.imshow(img[:, :, 0] if img.ndim == 3 and img.shape[2] == 1 else img, cmap="gray")
        if titles is not None:
            ax.set_title(str(titles[i]), fontproperties=font, loc="left")
    fig.tight_layout()
    return fig


def plot_size_sweep(sweeps: Mapping[str, Sequence[dict]], lines: str = "all", target: float | None = None):
    """Exact accuracy against character height: one line per (recogniser, strength).

    Parameters
    ----------
    sweeps
        ``{recogniser name: rows of}`` :func:`lprkit.recognition.robustness.size_sweep`.
    lines
        Which plates to draw: ``"all"``, ``"one"`` or ``"two"``.
    target
        Draws a horizontal line at this accuracy (e.g. ``0.97``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, rows in sweeps.items():
        picked = [r for r in rows if r["lines"] == lines]
        if not picked:
            raise InputError(f"{name}: no rows for lines={lines!r}; they have {sorted({r['lines'] for r in rows})}")
        for strength in sorted({r["strength"] for r in picked}):
            points = sorted((r["char_height"], r["exact"]) for r in picked if r["strength"] == strength)
            heights, exact = zip(*points, strict=True)
            ax.plot(heights, exact, marker="o", linestyle="--" if strength == 0 else "-",
                    label=f"{name}, strength {strength:g}")  # fmt: skip
    if target is not None:
        ax.axhline(target, color="grey", linewidth=0.8)
    ax.set_xlabel("height of the smallest text line (pixels)")
    ax.set_ylabel("exact plates")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
