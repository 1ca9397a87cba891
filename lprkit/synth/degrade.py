"""Degradations that make a clean plate look like a crop a detector hands over.

Each degradation is a plain function ``fn(image, rng, strength) -> image`` registered in
:data:`DEGRADATIONS`, so the notebook and the explorer can show them one at a time;
:func:`degrade` applies a random subset in a physical order (geometry, dirt and light, optics,
sensor, compression). ``strength`` scales every effect: 0 leaves the image as it is, 1 is the
training default, 2 is harsh. The output has the input's shape.

Photometric effects use albumentations (seeded from ``rng`` on every call, so the same seed
gives the same bytes); the geometry is one OpenCV perspective warp that combines rotation,
perspective and loose/tight crop jitter, which is both faster and closer to what a detector
crop is than chaining separate transforms.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lprkit.config import make_rng
from lprkit.errors import InputError


@dataclass(frozen=True)
class Degradation:
    """One named effect, and how often :func:`degrade` applies it."""

    name: str
    fn: Callable[[np.ndarray, np.random.Generator, float], np.ndarray]
    p: float
    description: str


# --- geometry -----------------------------------------------------------------------------
def warp(
    image: np.ndarray,
    rng: np.random.Generator,
    strength: float = 1.0,
    *,
    rotate: float = 1.0,
    perspective: float = 1.0,
    crop: float = 1.0,
) -> np.ndarray:
    """Rotation, perspective and crop jitter as one homography; same output size.

    The plate's corners are rotated (up to 5 degrees x strength), moved independently (up to
    5% of the size), and the crop box around them is loosened or tightened per side
    (-2% .. +12% of the size). What falls outside the plate is a random "car body" colour.
    """
    import cv2

    h, w = image.shape[:2]
    s = float(strength)
    u = rng.random(17)  # one draw for everything: this runs on every plate
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    a = np.deg2rad((u[0] * 10 - 5) * s * rotate)
    c, si = np.cos(a), np.sin(a)
    centred = corners - (w / 2, h / 2)
    quad = centred @ np.array([[c, si], [-si, c]], np.float32) + (w / 2, h / 2)
    quad += (u[1:9].reshape(4, 2) * 2 - 1) * (w, h) * (0.05 * s * perspective)
    x1, y1 = quad.min(axis=0)
    x2, y2 = quad.max(axis=0)
    m = (u[9:13] * 0.14 - 0.02) * (s * crop)  # left, top, right, bottom margins
    x1, x2 = x1 - m[0] * w, x2 + m[2] * w
    y1, y2 = y1 - m[1] * h, y2 + m[3] * h
    # map the jittered crop box onto the output frame
    dst = (quad - (x1, y1)) * (w / max(x2 - x1, 1.0), h / max(y2 - y1, 1.0))
    hom = cv2.getPerspectiveTransform(corners, dst.astype(np.float32))
    grey = 10 + 130 * u[13]
    fill = tuple(float(grey * (0.8 + 0.4 * v)) for v in u[14:17])
    return cv2.warpPerspective(
        image, hom, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=fill
    )


def rotate(image, rng, strength=1.0):
    """Rotation only (see :func:`warp`)."""
    return warp(image, rng, strength, perspective=0, crop=0)


def perspective(image, rng, strength=1.0):
    """Perspective only: the plate seen from the side or from above (see :func:`warp`)."""
    return warp(image, rng, strength, rotate=0, crop=0)


def crop_jitter(image, rng, strength=1.0):
    """Loose or tight crop, as from an imprecise detector box (see :func:`warp`)."""
    return warp(image, rng, strength, rotate=0, perspective=0)


# --- albumentations-backed effects ---------------------------------------------------------
_PY_RANDOM = random.Random(0)


@functools.lru_cache(maxsize=512)
def _transform(name: str, s: float):
    """The albumentations transform for ``name`` at strength ``s`` (cached: building is slow)."""
    import albumentations as A

    q = min(s, 2.0)
    make = {
        "motion_blur": lambda: A.MotionBlur(blur_limit=(3, 3 + 2 * max(1, round(2 * q))), p=1),
        "gaussian_blur": lambda: A.GaussianBlur(sigma_limit=(0.3, 0.3 + 1.2 * q), p=1),
        "downscale": lambda: A.Downscale(
            scale_range=(max(0.2, 1 - 0.45 * q), max(0.25, 1 - 0.15 * q)), p=1
        ),
        "noise": lambda: A.GaussNoise(std_range=(0.01, 0.01 + 0.07 * q), p=1),
        "jpeg": lambda: A.ImageCompression(quality_range=(max(5, int(95 - 65 * q)), 95), p=1),
        "brightness_contrast": lambda: A.RandomBrightnessContrast(
            (-0.3 * q, 0.3 * q), (-0.35 * q, 0.25 * q), p=1
        ),
        "gamma": lambda: A.RandomGamma((max(20, 100 - 40 * q), 100 + 60 * q), p=1),
        "shadow": lambda: A.RandomShadow(
            shadow_roi=(0, 0, 1, 1),
            num_shadows_limit=(1, 2),
            shadow_intensity_range=(0.15 * q, 0.2 + 0.3 * q),
            p=1,
        ),
        "grayscale": lambda: A.ToGray(p=1),
    }
    return make[name]()


def _albu(name: str) -> Callable[[np.ndarray, np.random.Generator, float], np.ndarray]:
    def fn(image, rng, strength=1.0):
        if strength <= 0:
            return image
        t = _transform(name, round(float(strength), 2))
        # albumentations draws from a numpy and a Python generator: hand it ours, and a
        # Python one seeded from ours (cheaper than set_random_seed building both)
        _PY_RANDOM.seed(int(rng.integers(2**31)))
        t.set_random_state(rng, _PY_RANDOM)
        return t(image=np.ascontiguousarray(image))["image"]

    fn.__name__ = name
    fn.__doc__ = f"albumentations {name.replace('_', ' ')}, seeded from ``rng``."
    return fn


# --- hand-written effects (no library equivalent that is fast enough) ---------------------
def dirt(image: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Mud and grime: soft brown/grey blotches (smooth noise, thresholded)."""
    import cv2

    h, w = image.shape[:2]
    field = cv2.resize(rng.random((4, 12), dtype=np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    cover = np.clip((field - (0.85 - 0.15 * strength)) * 4.0, 0, 1) * min(0.8, 0.5 * strength)
    colour = np.array([90, 75, 55], np.float32) * rng.uniform(0.5, 1.2)
    out = image.astype(np.float32)
    out += (colour - out) * cover[:, :, None]
    return out.astype(np.uint8)


def glare(image: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Specular glare: a bright soft spot (albumentations caps Illumination too low for it)."""
    h, w = image.shape[:2]
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    sx, sy = w * rng.uniform(0.08, 0.3), h * rng.uniform(0.3, 0.9)
    gx = np.exp(-(((np.arange(w, dtype=np.float32) - cx) / sx) ** 2))
    gy = np.exp(-(((np.arange(h, dtype=np.float32) - cy) / sy) ** 2))
    spot = np.outer(gy, gx) * min(0.95, rng.uniform(0.4, 0.8) * strength)
    out = image.astype(np.float32)
    out += (255.0 - out) * spot[:, :, None]
    return out.astype(np.uint8)


def night_ir(image: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Night / infrared camera: gray, dark, contrasty, noisy."""
    gray = image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    gain = rng.uniform(1.0 - 0.5 * min(strength, 1.6), 1.0)
    gamma = rng.uniform(1.0, 1.0 + 0.8 * strength)
    out = 255.0 * (gray / 255.0) ** gamma * gain
    out += rng.normal(0, 6 * strength, out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    return np.repeat(out[:, :, None], 3, axis=2)


DEGRADATIONS: dict[str, Degradation] = {
    d.name: d
    for d in [
        Degradation("warp", warp, 1.0, "rotation + perspective + loose/tight crop, one warp"),
        Degradation("rotate", rotate, 0.0, "rotation only (part of warp)"),
        Degradation("perspective", perspective, 0.0, "perspective only (part of warp)"),
        Degradation("crop_jitter", crop_jitter, 0.0, "loose/tight crop only (part of warp)"),
        Degradation("dirt", dirt, 0.12, "mud and grime blotches"),
        Degradation("shadow", _albu("shadow"), 0.15, "cast shadows (albumentations RandomShadow)"),
        Degradation("glare", glare, 0.12, "glare / specular hot spot"),
        Degradation("downscale", _albu("downscale"), 0.3, "low resolution, scaled down and up"),
        Degradation("motion_blur", _albu("motion_blur"), 0.15, "motion blur"),
        Degradation("gaussian_blur", _albu("gaussian_blur"), 0.3, "out of focus"),
        Degradation("brightness_contrast", _albu("brightness_contrast"), 0.5, "exposure"),
        Degradation("gamma", _albu("gamma"), 0.2, "gamma"),
        Degradation("grayscale", _albu("grayscale"), 0.1, "gray camera"),
        Degradation("night_ir", night_ir, 0.06, "night / infrared camera"),
        Degradation("noise", _albu("noise"), 0.3, "sensor noise (albumentations GaussNoise)"),
        Degradation("jpeg", _albu("jpeg"), 0.4, "JPEG artefacts"),
    ]
}


def apply(
    name: str,
    image: np.ndarray,
    rng: int | np.random.Generator | None = None,
    strength: float = 1.0,
) -> np.ndarray:
    """Apply one degradation by name (for showing them one at a time).

    Raises
    ------
    ValueError
        For an unknown name, listing the known ones.
    """
    if name not in DEGRADATIONS:
        raise InputError(f"unknown degradation {name!r}; known: {', '.join(DEGRADATIONS)}")
    image = _check(image)
    if strength <= 0:
        return image.copy()
    return DEGRADATIONS[name].fn(image, make_rng(rng), float(strength))


def degrade(
    image: np.ndarray,
    rng: int | np.random.Generator | None = None,
    strength: float = 1.0,
    *,
    probabilities: dict[str, float] | None = None,
) -> np.ndarray:
    """Apply a random subset of :data:`DEGRADATIONS` in order; same shape out.

    Parameters
    ----------
    image
        RGB uint8 ``(H, W, 3)`` plate image.
    rng
        Seed or generator; the same one gives the same bytes.
    strength
        Scales every effect (0: a copy of the input; 1: training default; 2: harsh).
    probabilities
        Override how often each named degradation is applied (``{"night_ir": 0.5}``).
    """
    image = _check(image)
    rng = make_rng(rng)
    if strength <= 0:
        return image.copy()
    probs = {n: d.p for n, d in DEGRADATIONS.items()}
    probs.update(check_degradations(probabilities) or {})
    draws = rng.random(len(probs))
    out = image
    for (name, p), u in zip(probs.items(), draws, strict=True):
        if u < p:
            out = DEGRADATIONS[name].fn(out, rng, float(strength))
    return out if out is not image else image.copy()


def check_degradations(probabilities: dict[str, float] | None) -> dict[str, float] | None:
    """``probabilities`` as ``{name: float}`` after checking every name is a known degradation
    and every value a probability in [0, 1]; None stays None."""
    if probabilities is None:
        return None
    unknown = set(probabilities) - set(DEGRADATIONS)
    if unknown:
        known = ", ".join(DEGRADATIONS)
        raise InputError(f"unknown degradations {sorted(unknown)}; known: {known}")
    out = {}
    for name, p in probabilities.items():
        try:
            p = float(p)
        except (TypeError, ValueError):
            raise InputError(f"degradation {name!r}: probability {p!r} is not a number") from None
        if not 0.0 <= p <= 1.0:
            raise InputError(f"degradation {name!r}: probability {p} is outside [0, 1]")
        out[name] = p
    return out


def _check(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError(
            f"expected an RGB uint8 image (H, W, 3), got shape {image.shape} dtype {image.dtype}"
        )
    return image
