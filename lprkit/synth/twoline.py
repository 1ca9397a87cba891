"""Two-line plates to the one-line strip that CTC recognisers read.

A CTC recogniser reads left to right along one row of features, so a two-line plate (Korean
green and commercial plates, Hong Kong and Indian square plates) is cut at the gap between
its lines and the top line is scaled to the bottom line's height and put in front of it:

    ┌──────────┐
    │  서울 12  │        ┌──────┬──────────────┐
    │ 가 3456   │   ->   │서울12│ 가 3456       │
    └──────────┘        └──────┴──────────────┘

The same function runs on synthetic training plates and on real crops at inference, so the
recogniser always sees what it was trained on.

How much of the top line goes into the strip is its *layout*, recorded with every trained
recogniser (``two_line_top`` in a checkpoint's ``meta.json`` and a TFLite file's metadata):

- ``"span"``: the middle :data:`TOP_SPAN` of the width, full height above the gap. Recognisers
  saved before the layout was recorded read strips made this way.
- ``"text"`` (:data:`TOP_LAYOUT`, the default): that part cropped further to the text found in
  it (:func:`crop_to_text`), so the short top line of a small plate (``58무``, ``서울 12``)
  fills more of the strip's height and takes less of its width.
"""

from __future__ import annotations

import numpy as np

from lprkit.errors import InputError

DEFAULT_SPLIT = 0.4  # where the lines part on most two-line plates (fraction of the height)
SEARCH = (0.25, 0.6)  # rows searched for the gap when ``split`` is not given
TOP_SPAN = (0.12, 0.88)  # the top line is centred and narrower than the plate
MAX_TILT = 10.0  # degrees: degraded and real crops are rotated and seen at an angle
TILT_STEP = 1.0
TILT_MARGIN = 0.02  # a tilted cut's valley must be this much deeper (0..1 scale) to win
TOP_LAYOUTS = ("span", "text")  # how the top line is cut out (see the module docstring)
TOP_LAYOUT = "text"  # the layout of new training data and new recognisers
LEGACY_TOP_LAYOUT = "span"  # recognisers whose files do not say which layout they read
TEXT_COLUMNS = 0.25  # crop_to_text: columns whose edge energy is this share of the busiest
TEXT_ROWS = 0.2  # ... and rows
TEXT_MARGIN = 0.2  # margin kept around the text, in text heights


def find_gap(
    image: np.ndarray, search: tuple[float, float] = SEARCH, max_tilt: float = MAX_TILT
) -> tuple[float, float]:
    """Find the straight line between the two lines of a plate crop, allowing for tilt.

    Text rows are rich in horizontal intensity changes; the gap between lines is not, and
    neither is the plain background a loose crop leaves above a plate. So every straight line
    through ``search`` (rows, fractions of the height) with a slope of up to ``max_tilt``
    degrees is scored by the horizontal-gradient energy it crosses *relative to* the busiest
    parallel line above it and below it: the winner is a deep valley with text on both sides.
    A level line is kept unless a tilted one is clearly better, so an upright plate is cut
    level.

    Parameters
    ----------
    image
        RGB (or grayscale) uint8 plate crop, ``(H, W[, 3])``.
    search
        Rows the gap may cross the middle column at, as fractions of the height.
    max_tilt
        Steepest slope tried, in degrees, in steps of 1 degree (0: level lines only).

    Returns
    -------
    split : float
        Row where the line crosses the middle column, as a fraction of the height.
    angle : float
        The line's slope in degrees (positive: it falls to the right in image coordinates).
    """
    import cv2

    image = _check(image)
    gray = image.astype(np.float32).mean(axis=2) if image.ndim == 3 else image.astype(np.float32)
    h, w = gray.shape
    x1, x2 = int(w * 0.1), max(int(w * 0.9), int(w * 0.1) + 2)  # skip bolts and borders
    energy = np.abs(np.diff(gray[:, x1:x2], axis=1))
    k = max(1, h // 48)  # smooth down the columns: (2k+1)-row mean, zeros beyond the crop
    energy = cv2.boxFilter(energy, -1, (1, 2 * k + 1), borderType=cv2.BORDER_CONSTANT)
    lo, hi = int(h * search[0]), max(int(h * search[1]), int(h * search[0]) + 1)
    if hi - lo < 2:
        return DEFAULT_SPLIT, 0.0
    cols = np.arange(energy.shape[1])
    dx = cols + x1 + 0.5 - w / 2  # column offsets from the plate's middle
    # level first, then ever steeper: a tilt must beat the best so far by a margin to win
    steps = np.arange(-max_tilt, max_tilt + 1e-6, TILT_STEP) if max_tilt > 0 else np.zeros(1)
    angles = np.array(sorted(steps, key=abs))
    # rows[a, y, x]: the row that the line of slope a through offset y crosses at column x
    slopes = np.tan(np.deg2rad(angles))[:, None, None]
    rows = np.rint(np.arange(h)[None, :, None] + slopes * dx[None, None, :]).astype(int)
    profile = energy[np.clip(rows, 0, h - 1), cols].mean(axis=2)  # (angles, offsets)
    above = np.maximum.accumulate(profile, axis=1)  # busiest parallel line at or above
    below = np.maximum.accumulate(profile[:, ::-1], axis=1)[:, ::-1]
    # 1: no valley (or nothing busy on one side, e.g. plain background), 0: a deep one
    floor = 0.05 * profile.max(axis=1, keepdims=True) + 1e-6
    depth = (profile + floor) / (np.minimum(above, below) + floor)
    inside = (rows.min(axis=2) >= 0) & (rows.max(axis=2) <= h - 1)  # stays in the crop
    depth[~inside] = np.inf
    depth[:, :lo] = depth[:, hi:] = np.inf
    best_rows = np.argmin(depth, axis=1)
    best_depths = depth[np.arange(len(angles)), best_rows]
    best = 0  # the level line (angles[0]); its rows in ``search`` always lie inside the crop
    for i in range(1, len(angles)):
        if best_depths[i] < best_depths[best] - TILT_MARGIN:
            best = i
    return float((best_rows[best] + 0.5) / h), float(angles[best])


def find_split(image: np.ndarray, search: tuple[float, float] = SEARCH) -> float:
    """Estimate the row (fraction of the height) between the two lines of an upright crop.

    The level-only case of :func:`find_gap`: the row in ``search`` whose smoothed
    horizontal-gradient energy is lowest relative to the busiest rows above and below it.
    """
    return find_gap(image, search, max_tilt=0.0)[0]


def text_box(top: np.ndarray) -> tuple[int, int, int, int]:
    """Where a plate's top line holds its text, with a margin: ``(y1, y2, x1, x2)``.

    Vertical strokes make horizontal intensity changes; the plate's plain face, bolts aside,
    makes few. Columns, then rows within them, are kept where that energy (smoothed) reaches
    :data:`TEXT_COLUMNS` / :data:`TEXT_ROWS` of its peak, plus :data:`TEXT_MARGIN` text heights
    on every side. When the text found is implausibly small (under 0.3 of the height or 0.15 of
    the width: a blank or washed-out line), the box is the whole image.

    Parameters
    ----------
    top
        RGB (or grayscale) uint8 image of the top line, ``(H, W[, C])``.

    Returns
    -------
    tuple of int
        Rows ``y1:y2`` and columns ``x1:x2`` of ``top``.
    """
    import cv2

    top = _check(top)
    h, w = top.shape[:2]
    if h < 4 or w < 4:
        return 0, h, 0, w
    gray = top.astype(np.float32).mean(axis=2) if top.ndim == 3 else top.astype(np.float32)
    energy = np.abs(np.diff(gray, axis=1))
    cols = cv2.blur(energy.sum(axis=0)[None, :], (max(1, h // 3) | 1, 1)).ravel()
    c1, c2 = _busy_span(cols, TEXT_COLUMNS)
    rows = cv2.blur(energy[:, c1:c2].sum(axis=1)[:, None], (1, max(1, h // 8) | 1)).ravel()
    r1, r2 = _busy_span(rows, TEXT_ROWS)
    if r2 - r1 < 0.3 * h or c2 - c1 < 0.15 * w:
        return 0, h, 0, w
    pad = int(round(TEXT_MARGIN * (r2 - r1)))
    # c2 indexes the differences, which sit between columns c and c + 1
    return max(0, r1 - pad), min(h, r2 + pad), max(0, c1 - pad), min(w, c2 + 1 + pad)


def crop_to_text(top: np.ndarray) -> np.ndarray:
    """The part of a plate's top line that holds its text (:func:`text_box`), as a view."""
    y1, y2, x1, x2 = text_box(top)
    return _check(top)[y1:y2, x1:x2]


def _busy_span(profile: np.ndarray, share: float) -> tuple[int, int]:
    """First and one-past-last index where ``profile`` reaches ``share`` of its peak."""
    peak = float(profile.max()) if profile.size else 0.0
    if peak <= 0:
        return 0, len(profile)
    busy = np.flatnonzero(profile >= share * peak)
    return int(busy[0]), int(busy[-1]) + 1


def to_single_line(
    image: np.ndarray,
    split: float | None = None,
    top_span: tuple[float, float] = TOP_SPAN,
    max_tilt: float = MAX_TILT,
    top_layout: str = TOP_LAYOUT,
) -> np.ndarray:
    """Turn a two-line plate image into a one-line strip, top line first.

    Parameters
    ----------
    image
        RGB (or grayscale) uint8 plate crop, ``(H, W[, 3])``.
    split
        Row between the lines as a fraction of the height; ``None`` finds the gap with
        :func:`find_gap` and, if the gap is tilted, first rotates the crop so that it is level.
    top_span
        Horizontal part of the top line kept (fractions of the width): the top line of a
        two-line plate is short and centred.
    max_tilt
        Steepest gap searched for when ``split`` is ``None``, in degrees (0: level cuts only).
    top_layout
        ``"text"`` crops the top line to its text (:func:`crop_to_text`); ``"span"`` keeps all
        of ``top_span`` above the gap, as recognisers saved before the layout was recorded
        expect.

    Returns
    -------
    numpy.ndarray
        ``(H - s, w_top + W[, 3])`` with ``s = round(split * H)``: the top line, scaled to the
        bottom line's height, then the bottom line.

    Raises
    ------
    ValueError
        For a non-image array, a split outside ``(0, 1)`` or an unknown layout.
    """
    import cv2

    check_top_layout(top_layout)
    image = _check(image)
    h, w = image.shape[:2]
    if split is None:
        split, angle = find_gap(image, max_tilt=max_tilt)
        if angle:  # level the gap (and the text lines with it) before cutting along it
            centre = (w / 2.0, split * h)
            rot = cv2.getRotationMatrix2D(centre, angle, 1.0)
            image = cv2.warpAffine(image, rot, (w, h), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE).reshape(image.shape)
    if not 0.0 < split < 1.0:
        raise InputError(f"split must be a fraction of the height in (0, 1), got {split}")
    s = min(max(int(round(split * h)), 1), h - 1)
    x1, x2 = int(round(top_span[0] * w)), int(round(top_span[1] * w))
    if x2 - x1 < 1:
        raise InputError(f"top_span {top_span} keeps no column of a {w}-pixel-wide image")
    top, bottom = image[:s, x1:x2], image[s:]
    if top_layout == "text":
        top = crop_to_text(top)
    hb = bottom.shape[0]
    new_w = max(1, int(round(top.shape[1] * hb / top.shape[0])))
    top = cv2.resize(top, (new_w, hb), interpolation=cv2.INTER_LINEAR)
    if top.ndim < bottom.ndim:  # cv2 drops a singleton channel axis
        top = top[:, :, None]
    return np.ascontiguousarray(np.concatenate([top, bottom], axis=1))


def check_top_layout(top_layout: str) -> str:
    """Return ``top_layout`` if it is one of :data:`TOP_LAYOUTS`, else raise a ValueError."""
    if top_layout not in TOP_LAYOUTS:
        raise InputError(f"two-line top layout {top_layout!r} is unknown; use one of {TOP_LAYOUTS}")
    return top_layout


def top_layout_of(reader) -> str:
    """The two-line layout a recogniser reads: its ``two_line_top``, else :data:`TOP_LAYOUT`.

    Readers without one (Tesseract) get the layout of new synthetic data.
    """
    return check_top_layout(getattr(reader, "two_line_top", TOP_LAYOUT))


def _check(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] < 2 or image.shape[1] < 2:
        raise InputError(
            f"expected a plate image (H, W) or (H, W, C) at least 2 x 2, got shape {image.shape}"
        )
    return image
