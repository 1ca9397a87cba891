"""Turning plate crops of any size into recogniser input: NumPy and OpenCV only.

The Keras recognisers and the TFLite edge runtime both call :func:`preprocess_crops`, so
this module must never import TensorFlow. Steps, in order:

1. optional two-line handling: a two-line plate (old Korean and commercial plates) is cut
   into its two rows, which are put side by side as one strip;
2. colour: RGB kept for 3 channels, converted to grey for 1;
3. resize to the model's ``(width, height)`` (a stretch: plates have a near-constant aspect
   ratio and both CRNN and LPRNet are trained on stretched crops);
4. normalise to float32 in [0, 1] (``x / 255``), the scaling recorded as ``"unit"`` in
   checkpoints.

Aspect ratio alone does not tell a two-line plate: loosely cropped single-line Korean plates
in real CCTV data have width/height near 2, like two-line ones. Two-line handling is therefore
off unless asked for, per crop (a list of flags), by aspect ratio (``"auto"``), or by reading
every crop whose aspect ratio allows two lines both ways and keeping the more confident
reading (``"best"``, :func:`read_crops`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from lprkit.errors import InputError

NORMALISATION = "unit"  # x / 255 -> [0, 1]; stored in checkpoints' meta.json
TWO_LINE_MAX_ASPECT = 2.6  # "auto": crops with width / height below this count as two-line
TWO_LINE_SPLIT = 0.42  # default fraction of the height taken by the upper row

TwoLineHook = Callable[[np.ndarray], np.ndarray]
TWO_LINE_MODES = "False, True, 'auto', 'best' or a list of flags"


def check_crop(crop: np.ndarray, index: int = 0, what: str = "crop") -> np.ndarray:
    """Return ``crop`` as an RGB uint8 HWC array, or raise a ValueError naming the crop
    (``what`` names it: ``"crop"``, ``"image"``).

    Grey (HW or HW1) crops are accepted and repeated to three channels; RGBA loses alpha.
    """
    a = np.asarray(crop)
    if a.dtype != np.uint8:
        raise InputError(f"{what} {index} has dtype {a.dtype}; expected RGB uint8 HWC arrays")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[2] not in (1, 3, 4) or a.shape[0] < 2 or a.shape[1] < 2:
        raise InputError(
            f"{what} {index} has shape {a.shape}; expected (height, width, 3) RGB (grey and "
            "RGBA are converted) with height and width of at least 2 pixels"
        )
    if a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    elif a.shape[2] == 4:
        a = a[:, :, :3]
    return a


def split_two_lines(crop: np.ndarray, split: float = TWO_LINE_SPLIT) -> np.ndarray:
    """Cut a two-line plate into its rows and place them side by side as one strip.

    The upper row (region + digits on Korean plates) is scaled to the height of the lower one,
    so a recogniser trained on single-line strips reads the upper row first.

    Parameters
    ----------
    crop
        RGB uint8 HWC two-line plate.
    split
        Fraction of the height where the rows meet (0.42 suits Korean two-line plates, whose
        upper row is smaller).

    Returns
    -------
    numpy.ndarray
        RGB uint8 strip, as high as the lower row.
    """
    import cv2

    if not 0.1 <= split <= 0.9:
        raise InputError(f"split={split} must be between 0.1 and 0.9 of the crop height")
    h = crop.shape[0]
    cut = int(round(h * split))
    top, bottom = crop[:cut], crop[cut:]
    hb = bottom.shape[0]
    wt = max(1, int(round(top.shape[1] * hb / max(top.shape[0], 1))))
    top = cv2.resize(top, (wt, hb), interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(np.concatenate([top, bottom], axis=1))


def default_two_line_hook(top_layout: str | None = None) -> TwoLineHook:
    """The synth package's ``to_single_line`` when it exists, else :func:`split_two_lines`.

    ``top_layout`` is the recogniser's two-line layout (``"span"`` or ``"text"``, see
    :mod:`lprkit.synth.twoline`); ``None`` is the layout new training data uses.
    """
    try:
        from lprkit.synth.twoline import check_top_layout, to_single_line
    except ImportError:  # pragma: no cover - the synth package ships with lprkit
        return split_two_lines
    if top_layout is None:
        return to_single_line
    return functools.partial(to_single_line, top_layout=check_top_layout(top_layout))


def is_two_line(crop: np.ndarray, max_aspect: float = TWO_LINE_MAX_ASPECT) -> bool:
    """Guess from the aspect ratio alone whether a crop holds a two-line plate."""
    h, w = crop.shape[:2]
    return w / h < max_aspect


def two_line_flags(
    crops: Sequence[np.ndarray], two_line: bool | str | Sequence[bool]
) -> list[bool]:
    if isinstance(two_line, str):
        if two_line not in ("auto", "best"):
            raise InputError(f"two_line={two_line!r}; use {TWO_LINE_MODES}")
        # "best" preprocesses like "auto"; read_crops reads its candidates both ways
        return [is_two_line(c) for c in crops]
    if isinstance(two_line, (bool, np.bool_)):
        return [bool(two_line)] * len(crops)
    flags = [bool(f) for f in two_line]
    if len(flags) != len(crops):
        raise InputError(f"two_line has {len(flags)} flags for {len(crops)} crops")
    return flags


def resize_crop(crop: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize an image to ``size = (width, height)``: area filter when shrinking."""
    import cv2

    w, h = size
    shrink = crop.shape[1] > w or crop.shape[0] > h
    interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    return cv2.resize(crop, (w, h), interpolation=interp)


def fit_crops(
    crops: Sequence[np.ndarray] | np.ndarray,
    size: tuple[int, int],
    channels: int = 1,
    two_line: bool | str | Sequence[bool] = False,
    two_line_hook: TwoLineHook | None = None,
) -> np.ndarray:
    """Two-line strip, colour and resize, without scaling: uint8 ``(n, h, w, channels)``.

    Training keeps data in this form (a quarter of the memory of float32) and scales each
    batch; see :func:`preprocess_crops` for the parameters.
    """
    import cv2

    if channels not in (1, 3):
        raise InputError(f"channels={channels}; recognisers take 1 (grey) or 3 (RGB)")
    w, h = (int(v) for v in size)
    if w < 2 or h < 2:
        raise InputError(f"size={size} must be (width, height) of at least 2 pixels each")
    if isinstance(crops, np.ndarray) and crops.ndim == 4:
        crops = list(crops)
    crops = [check_crop(c, i) for i, c in enumerate(crops)]
    flags = two_line_flags(crops, two_line)
    hook = two_line_hook or (default_two_line_hook() if any(flags) else None)
    out = np.empty((len(crops), h, w, channels), dtype=np.uint8)
    for i, (crop, flag) in enumerate(zip(crops, flags, strict=True)):
        if flag:
            crop = hook(crop)
        if channels == 1:
            crop = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
        out[i] = resize_crop(crop, (w, h)).reshape(h, w, channels)
    return out


def preprocess_crops(
    crops: Sequence[np.ndarray] | np.ndarray,
    size: tuple[int, int],
    channels: int = 1,
    two_line: bool | str | Sequence[bool] = False,
    two_line_hook: TwoLineHook | None = None,
) -> np.ndarray:
    """Prepare crops for a recogniser: two-line strip, colour, resize, scale to [0, 1].

    Parameters
    ----------
    crops
        RGB uint8 HWC arrays of any size (a list, or one ``(n, h, w, 3)`` array).
    size
        Model input ``(width, height)``.
    channels
        1 (grey) or 3 (RGB).
    two_line
        False (single-line crops), True (all two-line), ``"auto"`` (aspect ratio below
        :data:`TWO_LINE_MAX_ASPECT`) or one flag per crop; ``"best"`` prepares crops as
        ``"auto"`` does (reading them both ways is :func:`read_crops`' job).
    two_line_hook
        Function turning a two-line crop into a single-line strip; default
        :func:`default_two_line_hook`.

    Returns
    -------
    numpy.ndarray
        float32 ``(n, height, width, channels)`` in [0, 1].
    """
    fitted = fit_crops(crops, size, channels, two_line, two_line_hook)
    return fitted.astype(np.float32) / np.float32(255.0)


def best_two_line(
    crops: Sequence[np.ndarray], predict_proba: Callable, decode: Callable
) -> tuple[list[bool], list]:
    """Which crops read more confidently as two-line strips, and the kept readings.

    Every crop is read as one line; each crop whose aspect ratio allows two lines
    (:func:`is_two_line`) is read again as a strip, and the reading with the higher plate
    confidence is kept. A loose one-line crop reads confidently as it is, a two-line plate only
    as a strip, so no knowledge of the crop's layout is needed; the price is a second forward
    pass for the candidates.

    Parameters
    ----------
    crops
        RGB uint8 HWC crops of any size.
    predict_proba
        ``predict_proba(crops, two_line) -> (n, T, classes)`` probabilities.
    decode
        ``decode(probs) -> list[PlateRead]``.

    Returns
    -------
    tuple[list[bool], list[PlateRead]]
        One flag per crop (True: read as a strip) and the kept readings.
    """
    crops = [check_crop(c, i) for i, c in enumerate(crops)]
    reads = decode(predict_proba(crops, False))
    flags = [False] * len(crops)
    candidates = [i for i, c in enumerate(crops) if is_two_line(c)]
    if candidates:
        strips = decode(predict_proba([crops[i] for i in candidates], True))
        for i, strip in zip(candidates, strips, strict=True):
            if strip.confidence > reads[i].confidence:
                reads[i], flags[i] = strip, True
    return flags, reads


def read_crops(
    crops: Sequence[np.ndarray],
    two_line: bool | str | Sequence[bool],
    predict_proba: Callable,
    decode: Callable,
) -> list:
    """Read crops with a recogniser's ``predict_proba`` and ``decode``.

    ``two_line="best"`` reads possible two-line crops both ways (:func:`best_two_line`);
    any other mode is passed to ``predict_proba`` (see :func:`preprocess_crops`).

    Raises
    ------
    ValueError
        When ``crops`` is one image array instead of a list of crops (it would otherwise be
        read row by row, one "plate" per pixel row).
    """
    if isinstance(crops, np.ndarray) and crops.ndim == 3 and crops.dtype == np.uint8:
        raise InputError(
            f"read() takes a list of crops, got one {crops.shape} image array; "
            "wrap a single crop as [crop]"
        )
    if isinstance(two_line, str) and two_line == "best":
        return best_two_line(crops, predict_proba, decode)[1]
    return decode(predict_proba(crops, two_line))
