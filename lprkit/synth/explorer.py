"""An interactive plate explorer: pick a style, type a plate, turn each degradation up.

The logic is :func:`explore`, a plain function (tested without a browser);
:func:`explorer_widget` only wires ipywidgets controls to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from lprkit.config import make_rng
from lprkit.errors import InputError
from lprkit.synth.degrade import DEGRADATIONS
from lprkit.synth.grammar import random_text
from lprkit.synth.render import render_plate
from lprkit.synth.styles import STYLES, get_style
from lprkit.synth.twoline import to_single_line

# The explorer's sliders: the combined warp is shown through its three parts.
SLIDERS: tuple[str, ...] = tuple(n for n in DEGRADATIONS if n != "warp")


@dataclass(frozen=True)
class Exploration:
    """What the explorer shows for one setting of its controls."""

    style: str
    text: str  # the label drawn ('' when the text was rejected)
    clean: np.ndarray | None  # the clean plate
    degraded: np.ndarray | None  # after the chosen degradations
    strip: np.ndarray | None  # one-line strip (two-line plates), else the degraded image
    message: str  # what happened, or why the text was rejected


def explore(
    style: str = "kr_private_2019",
    text: str = "",
    seed: int = 0,
    strengths: Mapping[str, float] | None = None,
    scale: float = 0.5,
) -> Exploration:
    """Render ``text`` (or a random legal plate) and apply each degradation at its strength.

    Degradations are applied in :data:`~lprkit.synth.degrade.DEGRADATIONS` order, each with
    its own strength (0 or missing: off), all drawn from ``seed``. An illegal text does not
    raise: the result carries the reason in ``message`` and no images.

    Raises
    ------
    ValueError
        For an unknown style or degradation name (programming errors, not user input).
    """
    st = get_style(style)
    strengths = dict(strengths or {})
    unknown = set(strengths) - set(DEGRADATIONS)
    if unknown:
        raise InputError(
            f"unknown degradations {sorted(unknown)}; known: {', '.join(DEGRADATIONS)}"
        )
    rng = make_rng(seed)
    label = text.strip() or random_text(st, rng)
    try:
        plate = render_plate(label, st, rng, scale=scale)
    except ValueError as exc:
        return Exploration(st.name, "", None, None, None, str(exc))
    img = plate.image
    applied = []
    for name, deg in DEGRADATIONS.items():
        s = float(strengths.get(name, 0.0))
        if s > 0:
            img = deg.fn(img, rng, s)
            applied.append(f"{name} {s:g}")
    strip = to_single_line(img, None if applied else plate.split) if st.two_line else img
    msg = f"{st.name}: {plate.text}" + (f" | {', '.join(applied)}" if applied else " | clean")
    return Exploration(st.name, plate.text, plate.image, img, strip, msg)


def plot_exploration(res: Exploration, width: float = 9.0):
    """The explorer's three pictures (clean, degraded, one-line strip) as a matplotlib figure:
    the static picture a stored notebook keeps where a live widget shows nothing.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per picture, titled; a figure with only the message when the text was rejected.
    """
    import matplotlib.pyplot as plt

    panels = [(t, im) for t, im in (("clean", res.clean), ("degraded", res.degraded),
                                    ("strip the recogniser reads", res.strip)) if im is not None]
    fig, axes = plt.subplots(1, max(1, len(panels)), figsize=(width, width / 8), squeeze=False)
    for ax, (title, image) in zip(axes[0], panels, strict=False):
        ax.imshow(image)
        ax.set_title(title, fontsize=9)
    for ax in axes[0]:
        ax.axis("off")
    fig.suptitle(res.message, fontsize=10)
    return fig


def _png(image: np.ndarray) -> bytes:
    import cv2

    ok, buf = cv2.imencode(".png", np.ascontiguousarray(image[:, :, ::-1]))
    return buf.tobytes()


def explorer_widget(style: str = "kr_private_2019"):  # pragma: no cover - needs a browser
    """ipywidgets UI around :func:`explore`; display the returned widget in a notebook."""
    import ipywidgets as W

    style_w = W.Dropdown(options=list(STYLES), value=style, description="style")
    text_w = W.Text(value="", placeholder="empty: random legal plate", description="text")
    seed_w = W.IntSlider(value=0, min=0, max=999, description="seed")
    sliders = {
        n: W.FloatSlider(
            value=0.0,
            min=0.0,
            max=2.0,
            step=0.1,
            description=n,
            style={"description_width": "120px"},
        )
        for n in SLIDERS
    }
    images = [W.Image(format="png") for _ in range(3)]
    msg = W.Label()

    def update(*_):
        res = explore(
            style_w.value, text_w.value, seed_w.value, {n: s.value for n, s in sliders.items()}
        )
        msg.value = res.message
        for w, img in zip(images, (res.clean, res.degraded, res.strip), strict=True):
            w.value = _png(img) if img is not None else b""

    for w in (style_w, text_w, seed_w, *sliders.values()):
        w.observe(update, names="value")
    update()
    controls = W.VBox([style_w, text_w, seed_w, *sliders.values()])
    return W.HBox(
        [
            controls,
            W.VBox(
                [
                    msg,
                    W.Label("clean"),
                    images[0],
                    W.Label("degraded"),
                    images[1],
                    W.Label("recogniser input"),
                    images[2],
                ]
            ),
        ]
    )


def style_grid(styles: str | list[str] = "all", seed: int = 0, cols: int = 4,
               cell: tuple[int, int] = (300, 150)) -> np.ndarray:
    """One random plate of each style on a labelled grid (RGB uint8), for a quick overview.

    Each plate is scaled to fit ``cell`` (width, height) with its style name underneath.
    """
    import cv2

    from lprkit.synth.render import random_plate
    from lprkit.synth.styles import resolve_styles

    names = resolve_styles(styles)
    cw, ch = cell
    rows = -(-len(names) // cols)
    grid = np.full((rows * ch, cols * cw, 3), 60, np.uint8)
    for k, name in enumerate(names):
        st = get_style(name)
        scale = min((cw - 16) / st.size[0], (ch - 34) / st.size[1])
        img = random_plate(st, np.random.default_rng((seed, k)), scale=scale).image
        r, c = divmod(k, cols)
        y, x = r * ch + 6, c * cw + (cw - img.shape[1]) // 2
        grid[y : y + img.shape[0], x : x + img.shape[1]] = img
        cv2.putText(grid, name, (c * cw + 8, (r + 1) * ch - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    (235, 235, 235), 1, cv2.LINE_AA)
    return grid
