"""Procedural vehicles seen from the front or the back, drawn with OpenCV.

A vehicle is a stack of simple shapes — tyres, body, bumper, grille or boot lid, lights, glass,
roof, mirrors — whose proportions depend on its kind (sedan, hatchback, SUV, van, truck), with
random colour, light and grille shapes. ``elevation`` (0 = camera at bumper height, 1 = looking
steeply down) shows more of the bonnet and roof, as a CCTV camera sees them.

:func:`draw_vehicle` returns an RGBA layer with *premultiplied* colour (what OpenCV's
antialiased drawing on a transparent canvas produces; it also warps correctly) and the
rectangle where the plate is mounted, so the scene composer can warp both with one homography.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lprkit.errors import InputError

VEHICLE_KINDS: tuple[str, ...] = ("sedan", "hatchback", "suv", "van", "truck")
_KIND_WEIGHTS = np.array([0.35, 0.2, 0.25, 0.12, 0.08])

# Body colours by rough popularity (white, black, greys, silver dominate real fleets).
BODY_COLOURS: tuple[tuple[int, int, int], ...] = (
    (235, 235, 232), (240, 240, 240), (25, 25, 28), (40, 40, 45), (128, 130, 134),
    (170, 172, 176), (195, 197, 200), (150, 25, 30), (25, 45, 110), (60, 80, 120),
    (200, 190, 160), (40, 70, 50), (120, 60, 30), (230, 200, 40),
)  # fmt: skip
_COLOUR_WEIGHTS = np.array([6, 3, 5, 2, 4, 4, 3, 1.5, 1.5, 1, 1, 0.6, 0.5, 0.3])

# Real widths (mm) by kind, for the plate-to-body ratio.
_WIDTH_MM = {"sedan": (1750, 1900), "hatchback": (1680, 1800), "suv": (1820, 1990),
             "van": (1880, 2050), "truck": (1950, 2300)}  # fmt: skip
# Height of the lower body (bumper bottom to bonnet line) and of the glass, per unit width.
_LOW = {"sedan": 0.36, "hatchback": 0.40, "suv": 0.48, "van": 0.52, "truck": 0.60}
_GLASS = {"sedan": 0.22, "hatchback": 0.25, "suv": 0.25, "van": 0.34, "truck": 0.30}
_BONNET = {"sedan": 0.40, "hatchback": 0.30, "suv": 0.34, "van": 0.08, "truck": 0.04}


@dataclass(frozen=True)
class VehicleSpec:
    """What a vehicle looks like; see :func:`random_vehicle`."""

    kind: str
    view: str  # "front" or "rear"
    colour: tuple[int, int, int]
    width: float  # pixels across the body at the plate
    width_mm: float  # real width, so a plate of known size scales with it
    elevation: float = 0.0


@dataclass(frozen=True)
class VehicleDrawing:
    """A drawn vehicle.

    Attributes
    ----------
    rgba
        uint8 (H, W, 4): premultiplied RGB and alpha, both 0..255.
    plate_quad
        float32 (4, 2): plate corners TL, TR, BR, BL in the layer, continuous pixel
        coordinates (pixel ``i`` spans ``i .. i+1``).
    ground_y
        Layer row where the tyres touch the ground.
    """

    rgba: np.ndarray
    plate_quad: np.ndarray
    ground_y: float


def random_vehicle(
    rng: np.random.Generator, width: float, elevation: float = 0.0, kind: str | None = None
) -> VehicleSpec:
    """Draw a random :class:`VehicleSpec` about ``width`` pixels wide."""
    if kind is None:
        kind = VEHICLE_KINDS[
            int(rng.choice(len(VEHICLE_KINDS), p=_KIND_WEIGHTS / _KIND_WEIGHTS.sum()))
        ]
    elif kind not in VEHICLE_KINDS:
        raise InputError(f"unknown vehicle kind {kind!r}; use one of {', '.join(VEHICLE_KINDS)}")
    ci = int(rng.choice(len(BODY_COLOURS), p=_COLOUR_WEIGHTS / _COLOUR_WEIGHTS.sum()))
    colour = tuple(int(np.clip(c + rng.normal(0, 6), 0, 255)) for c in BODY_COLOURS[ci])
    view = "front" if rng.random() < 0.6 else "rear"
    return VehicleSpec(kind, view, colour, float(width), float(rng.uniform(*_WIDTH_MM[kind])),
                       float(elevation))  # fmt: skip


class _Canvas:
    """An RGBA uint8 canvas drawn with antialiased OpenCV calls (alpha 255 where drawn)."""

    def __init__(self, h: int, w: int):
        self.a = np.zeros((h, w, 4), np.uint8)
        self.gain = np.ones(h, np.float32)

    def poly(self, pts, colour, radius: float = 0.0) -> None:
        import cv2

        pts = _rounded(np.asarray(pts, np.float32), radius) if radius > 0 else np.asarray(pts)
        col = (*[int(np.clip(c, 0, 255)) for c in colour], 255)
        cv2.fillPoly(self.a, [np.round(pts * 16).astype(np.int32)], col, cv2.LINE_AA, shift=4)

    def rect(self, x1, y1, x2, y2, colour, radius: float = 0.0) -> None:
        self.poly([(x1, y1), (x2, y1), (x2, y2), (x1, y2)], colour, radius)

    def ellipse(self, cx, cy, rx, ry, colour) -> None:
        t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        self.poly(np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1), colour)

    def shade(self, y1: float, y2: float, top: float, bottom: float) -> None:
        """Light rows ``y1..y2`` with a vertical gradient (curved panels), applied at the end."""
        y1, y2 = max(int(y1), 0), min(int(y2), len(self.gain))
        if y2 > y1:
            self.gain[y1:y2] *= np.linspace(top, bottom, y2 - y1, dtype=np.float32)

    def rgba(self) -> np.ndarray:
        """uint8 layer: premultiplied RGB (shaded) and alpha, both 0..255."""
        gain = np.round(self.gain * 256).astype(np.uint32)[:, None, None]
        rgb = (self.a[:, :, :3] * gain) >> 8  # integer maths: these layers are large
        out = self.a.copy()
        out[:, :, :3] = np.minimum(rgb, self.a[:, :, 3:4])  # stay premultiplied
        return out


def _rounded(pts: np.ndarray, r: float, steps: int = 4) -> np.ndarray:
    """Polygon with each corner replaced by a quadratic curve of about radius ``r``."""
    prev, nxt = np.roll(pts, 1, axis=0), np.roll(pts, -1, axis=0)
    d0, d1 = prev - pts, nxt - pts
    n0 = np.maximum(np.linalg.norm(d0, axis=1, keepdims=True), 1e-6)
    n1 = np.maximum(np.linalg.norm(d1, axis=1, keepdims=True), 1e-6)
    a = pts + d0 * (np.minimum(r, n0 / 2) / n0)
    b = pts + d1 * (np.minimum(r, n1 / 2) / n1)
    t = np.linspace(0, 1, steps, dtype=np.float32)[None, :, None]
    curve = (1 - t) ** 2 * a[:, None] + 2 * (1 - t) * t * pts[:, None] + t**2 * b[:, None]
    return curve.reshape(-1, 2)


def _mix(c, k: float):
    return tuple(float(np.clip(v * k, 0, 255)) for v in c)


def draw_vehicle(
    spec: VehicleSpec, plate_size: tuple[float, float], rng: np.random.Generator
) -> VehicleDrawing:
    """Draw a vehicle and place a plate of real size ``plate_size`` (width, height in mm).

    The plate rectangle is returned (not drawn): the caller warps the plate image onto it.
    """
    W = spec.width
    e = float(np.clip(spec.elevation, 0, 1))
    kind, front = spec.kind, spec.view == "front"
    body = spec.colour
    mm = W / spec.width_mm  # pixels per millimetre at the front face
    # vertical stack, bottom to top
    tyre = 0.07 * W
    low = _LOW[kind] * W * rng.uniform(0.92, 1.08)
    bonnet = (_BONNET[kind] if front else _BONNET[kind] * 0.6) * W * e
    glass = _GLASS[kind] * W * rng.uniform(0.9, 1.1) * (1 + 0.8 * e)
    roof = (0.03 + 0.3 * e) * W
    margin = 0.07 * W
    H = int(np.ceil(tyre + low + bonnet + glass + roof + 2))
    CW = int(np.ceil(W + 2 * margin))
    cv = _Canvas(H, CW)
    x0, x1 = margin, margin + W  # body sides
    yg = H - 1.0  # ground
    yb = yg - tyre  # body bottom
    yl = yb - low  # bonnet line
    yh = yl - bonnet  # base of the glass
    yr = yh - glass  # roof front edge
    cx = (x0 + x1) / 2

    # tyres (behind the body)
    tw = W * rng.uniform(0.13, 0.17)
    for tx in (x0 + 0.05 * W, x1 - 0.05 * W - tw):
        cv.rect(tx, yb - 0.08 * W, tx + tw, yg, (22, 22, 24), radius=0.03 * W)
    # roof, glass house (pillars in body colour), bonnet, lower body
    inset = {"van": 0.04, "truck": 0.03}.get(kind, 0.12) * W
    top_inset = inset + (0.04 if kind in ("van", "truck") else 0.1) * W
    cv.poly([(x0 + top_inset, yr - roof), (x1 - top_inset, yr - roof),
             (x1 - top_inset + 0.01 * W, yr), (x0 + top_inset - 0.01 * W, yr)],
            _mix(body, 1.08), radius=0.05 * W)  # fmt: skip
    cv.poly([(x0 + top_inset, yr), (x1 - top_inset, yr), (x1 - inset, yh), (x0 + inset, yh)],
            body, radius=0.02 * W)  # fmt: skip
    if bonnet > 1:
        cv.poly([(x0 + inset, yh), (x1 - inset, yh), (x1 - 0.02 * W, yl), (x0 + 0.02 * W, yl)],
                _mix(body, 1.05), radius=0.03 * W)  # fmt: skip
    cv.rect(x0, yl, x1, yb, body, radius=0.06 * W)
    cv.shade(int(yl), int(yb), 1.08, 0.8)
    # glass: dark, bluish, with a diagonal reflection
    g = 0.035 * W
    glass_col = tuple(rng.uniform(25, 60) * np.array((0.9, 1.0, 1.15)))
    gpts = [(x0 + top_inset + g, yr + g * 0.6), (x1 - top_inset - g, yr + g * 0.6),
            (x1 - inset - g * 0.6, yh - g * 0.4), (x0 + inset + g * 0.6, yh - g * 0.4)]  # fmt: skip
    cv.poly(gpts, glass_col, radius=0.02 * W)
    rx = cx + rng.uniform(-0.3, 0.2) * W
    cv.poly([(rx, yr + g), (rx + 0.1 * W, yr + g), (rx - 0.02 * W, yh - g), (rx - 0.12 * W, yh - g)],
            _mix(glass_col, 1.6))  # fmt: skip
    # mirrors
    for side in (-1, 1):
        mx = (x0 + inset) if side < 0 else (x1 - inset)
        cv.poly([(mx, yh - 0.05 * W), (mx + side * 0.09 * W, yh - 0.06 * W),
                 (mx + side * 0.09 * W, yh - 0.01 * W), (mx, yh)], _mix(body, 0.85), 0.01 * W)  # fmt: skip

    # bumper band and lights
    bump_h = rng.uniform(0.11, 0.16) * W
    bump_col = body if rng.random() < 0.6 else (38, 38, 40)
    cv.rect(x0 + 0.01 * W, yb - bump_h, x1 - 0.01 * W, yb, _mix(bump_col, 0.92), radius=0.04 * W)
    light_w, light_h = rng.uniform(0.16, 0.26) * W, rng.uniform(0.06, 0.1) * W
    ly = yl + rng.uniform(0.03, 0.07) * W
    shape = int(rng.integers(3))
    lamp = (235, 235, 228) if front else (190, 25, 25)
    for side in (-1, 1):
        ax = x0 + 0.04 * W if side < 0 else x1 - 0.04 * W - light_w
        if shape == 0:
            cv.rect(ax, ly, ax + light_w, ly + light_h, lamp, radius=0.015 * W)
        elif shape == 1:  # swept back toward the sides
            lo, hi = (ax, ax + light_w) if side < 0 else (ax + light_w, ax)
            cv.poly([(lo, ly), (hi, ly + light_h * 0.3), (hi, ly + light_h), (lo, ly + light_h * 0.8)],
                    lamp, 0.01 * W)  # fmt: skip
        else:
            cv.ellipse(ax + light_w / 2, ly + light_h / 2, light_w / 2, light_h / 2, lamp)
        inner = (255, 250, 220) if front else (240, 80, 60)
        cv.ellipse(
            ax + light_w * (0.3 if side < 0 else 0.7),
            ly + light_h / 2,
            light_h * 0.3,
            light_h * 0.3,
            inner,
        )

    # plate, sized from its real size
    pw, ph = plate_size[0] * mm, plate_size[1] * mm
    pcx = cx + rng.normal(0, 0.01) * W
    between = ly + light_h + 0.01 * W  # plates sit below the lights' top row
    lowest = yb - ph / 2 - 0.025 * W
    if front:
        pcy = rng.uniform(min(between + ph / 2, lowest), lowest)
        gw, gh = rng.uniform(0.3, 0.55) * W, rng.uniform(0.07, 0.14) * W
        gy = max(yl + 0.02 * W, min(ly, pcy - ph / 2 - gh - 0.015 * W))
        grille_col = _mix((30, 30, 32), rng.uniform(0.7, 1.6))
        cv.rect(cx - gw / 2, gy, cx + gw / 2, gy + gh, grille_col, radius=rng.uniform(0, 0.04) * W)
        for k in range(1, int(rng.integers(2, 6))):
            yy = gy + gh * k / 6
            cv.rect(cx - gw / 2 + 0.01 * W, yy, cx + gw / 2 - 0.01 * W, yy + max(0.006 * W, 1),
                    _mix(grille_col, 1.8))  # fmt: skip
        cv.ellipse(cx, gy + gh / 2, 0.025 * W, 0.018 * W, (190, 190, 195))  # badge
    else:
        pcy = rng.uniform(min(ly + ph / 2, lowest), lowest)
        cv.ellipse(
            cx, min(yl + 0.03 * W, pcy - ph / 2 - 0.03 * W), 0.025 * W, 0.015 * W, (190, 190, 195)
        )
    if rng.random() < 0.5:  # fog lamps / reflectors
        fc = (220, 220, 210) if front else (160, 30, 30)
        for fx in (x0 + 0.12 * W, x1 - 0.12 * W):
            cv.ellipse(fx, yb - bump_h / 2, 0.025 * W, 0.015 * W, fc)
    # plate mount: a dark recess just larger than the plate
    cv.rect(pcx - pw / 2 - 0.01 * W, pcy - ph / 2 - 0.01 * W, pcx + pw / 2 + 0.01 * W,
            pcy + ph / 2 + 0.01 * W, (30, 30, 32), radius=0.005 * W)  # fmt: skip
    cv.shade(int(yr - roof), int(yl), 1.05, 0.95)

    rgba = cv.rgba()
    quad = np.array([(pcx - pw / 2, pcy - ph / 2), (pcx + pw / 2, pcy - ph / 2),
                     (pcx + pw / 2, pcy + ph / 2), (pcx - pw / 2, pcy + ph / 2)], np.float32)  # fmt: skip
    return VehicleDrawing(rgba, quad + 0.5, yg + 1.0)  # cv2 draws pixel centres at integers
