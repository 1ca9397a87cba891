"""Synthetic parking and CCTV scenes with exact plate and vehicle boxes.

:func:`compose_scene` builds a scene in layers: a procedural background
(:mod:`lprkit.synth.backgrounds`) with distractors that look like plates but are not, vehicles
drawn procedurally (:mod:`lprkit.synth.vehicles`) back to front with soft shadows, and on each
vehicle a synthetic plate (:mod:`lprkit.synth.render`) warped into place by the same
homography that places the vehicle, so its four corners and box are known exactly. Lighting,
blur, noise and JPEG come last (:func:`lprkit.synth.degrade.degrade`, geometry switched off).

Two modes, as in the Korean parking/CCTV project this course follows:

* ``parking``: one to three large vehicles, near-frontal, plates 80–300 px wide;
* ``cctv``: an elevated camera, several smaller vehicles in perspective, plates 20–100 px wide.

Plate widths are given for a 640 x 480 frame and scale with ``min(W / 640, H / 480)``.
No vehicle is placed where it would hide part of a plate, and every plate lies inside the
image, so each box covers exactly the plate that was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from lprkit.config import make_rng
from lprkit.data.annotations import Annotation, ObjectBox
from lprkit.errors import InputError
from lprkit.synth.backgrounds import DISTRACTOR_KINDS, Ground, background, draw_distractor
from lprkit.synth.vehicles import draw_vehicle, random_vehicle

SCENE_MODES: tuple[str, ...] = ("parking", "cctv")
REFERENCE_SIZE = (640, 480)
PLATE_WIDTHS: dict[str, tuple[float, float]] = {"parking": (80.0, 300.0), "cctv": (20.0, 100.0)}
# Real plate widths (mm) where a style's ``size`` is not in millimetres.
_REAL_WIDTH_MM = {"us": 305.0}
_GEOMETRY_OFF = {"warp": 0.0, "rotate": 0.0, "perspective": 0.0, "crop_jitter": 0.0}
# The plate itself: grime and light only (blur, noise and JPEG hit the whole scene later).
_PLATE_LOOK = {**_GEOMETRY_OFF, "downscale": 0.0, "motion_blur": 0.0, "gaussian_blur": 0.0,
               "noise": 0.0, "jpeg": 0.0, "grayscale": 0.0, "night_ir": 0.0}  # fmt: skip
_SCENE_LOOK = {**_GEOMETRY_OFF, "dirt": 0.0, "glare": 0.05, "downscale": 0.15}


@dataclass
class Scene:
    """A composed scene.

    Attributes
    ----------
    image
        RGB uint8 (H, W, 3).
    objects
        :class:`~lprkit.data.annotations.ObjectBox` es in drawing order: each ``vehicle``
        followed by its ``plate`` (with corners TL, TR, BR, BL, text and style).
    mode
        ``"parking"`` or ``"cctv"``.
    distractors
        ``(kind, box)`` of every distractor drawn (not annotated: they are negatives).
    plate_masks
        With ``with_masks=True``: one bool (H, W) mask per plate (in :attr:`plates` order)
        of the pixels the plate covers, as rendered.
    """

    image: np.ndarray
    objects: list[ObjectBox]
    mode: str
    distractors: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)
    plate_masks: list[np.ndarray] | None = None

    @property
    def plates(self) -> list[ObjectBox]:
        return [o for o in self.objects if o.label == "plate"]

    @property
    def vehicles(self) -> list[ObjectBox]:
        return [o for o in self.objects if o.label == "vehicle"]

    def annotation(self, file: str) -> Annotation:
        """The scene's labels as an :class:`~lprkit.data.annotations.Annotation`."""
        h, w = self.image.shape[:2]
        return Annotation(file, list(self.objects), w, h)


# --------------------------------------------------------------------------- geometry


def _shift(dx: float, dy: float) -> np.ndarray:
    return np.array([[1, 0, dx], [0, 1, dy], [0, 0, 1]], np.float64)


def _apply(hom: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.c_[np.asarray(pts, np.float64), np.ones(len(pts))] @ hom.T
    return p[:, :2] / p[:, 2:3]


def _pose(yaw: float, pitch: float, roll: float, distance: float) -> np.ndarray:
    """Homography of a plane through the origin turned by yaw/pitch then rolled, seen by a
    pinhole camera ``distance`` away whose focal length equals that distance (scale 1 at 0)."""
    d = distance
    cy, sy, cp, sp = np.cos(yaw), np.sin(yaw), np.cos(pitch), np.sin(pitch)
    rot = np.array([[cy, 0, 0], [-sy * sp, cp, 0], [sy / d * cp, sp / d, 1]], np.float64)
    c, s = np.cos(roll), np.sin(roll)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]) @ rot


def _warp_into(img: np.ndarray, src: np.ndarray, hom: np.ndarray):
    """Composite premultiplied RGBA ``src`` onto ``img`` (float32 RGB) through ``hom``, which
    maps continuous source coordinates to continuous image coordinates. ``src`` is uint8
    (alpha 0..255) or float32 (alpha 0..1).

    Returns the ROI ``(x1, y1)`` and the warped alpha there (or None when off-image).
    """
    import cv2

    h, w = img.shape[:2]
    sh, sw = src.shape[:2]
    corners = _apply(hom, np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float64))
    x1, y1 = np.floor(corners.min(0)).astype(int) - 1
    x2, y2 = np.ceil(corners.max(0)).astype(int) + 1
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
    if x2 <= x1 or y2 <= y1:
        return None
    # OpenCV puts pixel centres at integers; our coordinates put them at i + 0.5
    h_cv = _shift(-0.5 - x1, -0.5 - y1) @ hom @ _shift(0.5, 0.5)
    out = cv2.warpPerspective(src, h_cv, (x2 - x1, y2 - y1), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))  # fmt: skip
    out = out.astype(np.float32)
    if src.dtype == np.uint8:
        out[:, :, 3] *= 1.0 / 255.0
    alpha = out[:, :, 3:4]
    roi = img[y1:y2, x1:x2]
    roi *= 1.0 - alpha
    roi += out[:, :, :3]
    return (x1, y1), alpha[:, :, 0]


def _soft_shadow(img: np.ndarray, pts: np.ndarray, blur: float, strength: float) -> None:
    """Darken the ground under a vehicle: a blurred polygon."""
    import cv2

    h, w = img.shape[:2]
    pad = int(3 * blur) + 2
    x1, y1 = np.floor(pts.min(0)).astype(int) - pad
    x2, y2 = np.ceil(pts.max(0)).astype(int) + pad
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
    if x2 <= x1 or y2 <= y1:
        return
    mask = np.zeros((y2 - y1, x2 - x1), np.float32)
    cv2.fillPoly(mask, [np.round((pts - (x1, y1)) * 16).astype(np.int32)], 1.0, cv2.LINE_8, shift=4)
    mask = cv2.GaussianBlur(mask, (0, 0), max(blur, 0.5))
    img[y1:y2, x1:x2] *= 1.0 - strength * mask[:, :, None]


# --------------------------------------------------------------------------- placement


@dataclass
class _Placed:
    """A vehicle drawn and posed, before it is composited."""

    rgba: np.ndarray
    hom: np.ndarray  # layer -> image, continuous coordinates
    vehicle_box: tuple[float, float, float, float]
    plate_corners: np.ndarray
    style: str
    plate_quad: np.ndarray
    ground_pts: np.ndarray
    depth: float  # plate centre row: larger is nearer

    @property
    def plate_box(self) -> tuple[float, float, float, float]:
        (x1, y1), (x2, y2) = self.plate_corners.min(0), self.plate_corners.max(0)
        return (float(x1), float(y1), float(x2), float(y2))


def _overlaps(a, b, pad: float = 2.0) -> bool:
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def _pick_style(names: list[str], weights: np.ndarray, rng: np.random.Generator) -> str:
    return names[int(rng.choice(len(names), p=weights))]


def _plate_mm(style: str) -> tuple[float, float]:
    from lprkit.synth.styles import get_style

    st = get_style(style)
    real_w = _REAL_WIDTH_MM.get(st.group, float(st.size[0]))
    return real_w, real_w * st.size[1] / st.size[0]


def _rough_boxes(style: str, plate_w: float, centre) -> tuple[tuple, tuple]:
    """Cheap estimates of (vehicle box, plate box) before drawing, to skip hopeless spots."""
    pw_mm, ph_mm = _plate_mm(style)
    vw = plate_w * 1800.0 / pw_mm
    ph = plate_w * ph_mm / pw_mm
    cx, cy = centre
    vehicle = (cx - 0.5 * vw, cy - 0.9 * vw, cx + 0.5 * vw, cy + 0.15 * vw)
    return vehicle, (cx - plate_w / 2, cy - ph / 2, cx + plate_w / 2, cy + ph / 2)


def _place_vehicle(rng, style, plate_w, centre, elevation, yaw, pitch, roll, size):
    """Draw a vehicle whose plate box is ``plate_w`` px wide, centred at ``centre``."""
    import cv2

    plate_mm = _plate_mm(style)
    spec = random_vehicle(rng, 1.0, elevation)
    spec = replace(spec, width=plate_w * spec.width_mm / plate_mm[0])
    drawing = draw_vehicle(spec, plate_mm, rng)
    pc = drawing.plate_quad.mean(0)
    distance = spec.width * rng.uniform(1.6, 4.0)
    posed = _pose(yaw, pitch, roll, distance) @ _shift(-pc[0], -pc[1])
    # scale so the plate's box (not its unturned face) is plate_w wide, as the modes promise
    span = np.ptp(_apply(posed, drawing.plate_quad)[:, 0])
    k = plate_w / max(span, 1e-6)
    hom = _shift(*centre) @ np.diag([k, k, 1.0]) @ posed
    corners = _apply(hom, drawing.plate_quad)

    bx, by, bw, bh = cv2.boundingRect((drawing.rgba[:, :, 3] > 5).astype(np.uint8))
    body = np.array([[bx, by], [bx + bw, by], [bx + bw, by + bh], [bx, by + bh]], np.float64)
    vb = _apply(hom, body)
    w, h = size
    (bx1, by1), (bx2, by2) = vb.min(0), vb.max(0)
    box = (max(bx1, 0.0), max(by1, 0.0), min(bx2, float(w)), min(by2, float(h)))
    gy = drawing.ground_y
    lw = drawing.rgba.shape[1]
    ground = _apply(hom, np.array([[0.1 * lw, gy - 0.04 * lw], [0.9 * lw, gy - 0.04 * lw],
                                   [0.95 * lw, gy + 0.03 * lw], [0.05 * lw, gy + 0.03 * lw]]))  # fmt: skip
    return _Placed(drawing.rgba, hom, box, corners, style, drawing.plate_quad, ground, centre[1])


def _render_plate(style: str, plate_w: float, rng, look: float):
    """The plate image, a little larger than shown so the warp filters rather than invents."""
    from lprkit.synth.degrade import degrade
    from lprkit.synth.render import random_plate
    from lprkit.synth.styles import get_style

    plate = random_plate(style, rng, scale=max(plate_w * 1.25, 40.0) / get_style(style).size[0])
    if look > 0:
        plate = replace(plate, image=degrade(plate.image, rng, look, probabilities=_PLATE_LOOK))
    return plate


def _inside(corners: np.ndarray, w: int, h: int, margin: float = 1.0) -> bool:
    return bool(
        (corners[:, 0] >= margin).all() and (corners[:, 0] <= w - margin).all()
        and (corners[:, 1] >= margin).all() and (corners[:, 1] <= h - margin).all()
    )  # fmt: skip


def _hopeless(placed: list[_Placed], style, plate_w, centre, w: int, h: int) -> bool:
    """True if a vehicle here would surely hide a plate, or its plate leave the image."""
    vehicle, plate = _rough_boxes(style, plate_w, centre)
    if plate[0] < 0 or plate[2] > w or plate[1] < 0 or plate[3] > h:
        return True
    for other in placed:
        if centre[1] >= other.depth and _overlaps(vehicle, other.plate_box, -0.1 * plate_w):
            return True
        if centre[1] < other.depth and _overlaps(other.vehicle_box, plate, 0.0):
            return True
    return False


def _accept(placed: list[_Placed], cand: _Placed, w: int, h: int) -> bool:
    """A candidate is kept if its plate is inside the image and no plate gets covered."""
    if not _inside(cand.plate_corners, w, h):
        return False
    for other in placed:
        front, back = (cand, other) if cand.depth >= other.depth else (other, cand)
        if _overlaps(front.vehicle_box, back.plate_box):
            return False
        if _overlaps(cand.plate_box, other.plate_box, 4.0):
            return False
    return True


def _layout_parking(rng, size, scale, names, weights) -> list[_Placed]:
    w, h = size
    n = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
    lo, hi = (v * scale for v in PLATE_WIDTHS["parking"])
    # about how wide a vehicle may be for n to fit side by side (a single one may be cropped)
    max_vehicle = w * {1: 1.7, 2: 0.85, 3: 0.6}[n]
    slots = (np.arange(n) + 0.5) / n * w
    placed: list[_Placed] = []
    for i in range(n):
        for _ in range(8):
            style = _pick_style(names, weights, rng)
            top = min(hi, max_vehicle / 3.4)
            pw = float(rng.uniform(min(lo, top), top))
            cx = slots[i] + rng.normal(0, 0.04 * w)
            cy = rng.uniform(0.5, 0.9) * h
            yaw, pitch = np.deg2rad(rng.normal(0, 9)), np.deg2rad(rng.uniform(-4, 10))
            roll = np.deg2rad(rng.normal(0, 1.5))
            if _hopeless(placed, style, pw, (cx, cy), w, h):
                continue
            cand = _place_vehicle(rng, style, pw, (cx, cy), rng.uniform(0.0, 0.25),
                                  yaw, pitch, roll, size)  # fmt: skip
            if _accept(placed, cand, w, h):
                placed.append(cand)
                break
    return placed


def _layout_cctv(rng, size, scale, names, weights, ground: Ground) -> list[_Placed]:
    w, h = size
    lo, hi = (v * scale for v in PLATE_WIDTHS["cctv"])
    near = rng.uniform(0.45, 1.0) * hi  # plate width at the bottom row
    target = int(rng.integers(2, 8))
    placed: list[_Placed] = []
    for _ in range(8 * target):
        if len(placed) >= target:
            break
        style = _pick_style(names, weights, rng)
        cy = rng.uniform(max(ground.top, 0.1 * h) + 0.08 * h, 0.95 * h)
        pw = float(np.clip(near * ground.scale_at(cy, h) * rng.uniform(0.85, 1.15), lo, hi))
        cx = rng.uniform(0.06, 0.94) * w
        lean = np.arctan2(cx - ground.vanish_x, cy - ground.horizon)  # lanes converge
        # a side lane is seen at an angle (yaw) and a little tilted (roll)
        roll = float(np.clip(-0.3 * lean + np.deg2rad(rng.normal(0, 3)), -0.26, 0.26))
        yaw = float(np.clip(0.5 * lean + np.deg2rad(rng.normal(0, 12)), -0.6, 0.6))
        pitch = np.deg2rad(rng.uniform(5, 20))
        if _hopeless(placed, style, pw, (cx, cy), w, h):
            continue
        cand = _place_vehicle(rng, style, pw, (cx, cy), rng.uniform(0.35, 0.9),
                              yaw, pitch, roll, size)  # fmt: skip
        if _accept(placed, cand, w, h):
            placed.append(cand)
    return placed


# --------------------------------------------------------------------------- composition


def _distractors(img, rng, mode, ground: Ground, scale, avoid=()) -> list[tuple[str, tuple]]:
    h, w = img.shape[:2]
    n = int(rng.integers(1, 5) if mode == "parking" else rng.integers(2, 7))
    lo, hi = (14, 60) if mode == "parking" else (6, 26)
    out = []
    for _ in range(n):
        kind = DISTRACTOR_KINDS[int(rng.integers(len(DISTRACTOR_KINDS)))]
        s = float(np.exp(rng.uniform(np.log(lo), np.log(hi)))) * scale
        on_wall = ground.top > s * 1.5 and rng.random() < 0.6
        y = rng.uniform(0, ground.top - s) if on_wall else rng.uniform(0, h - s)
        x = rng.uniform(-0.1 * s, w - s)
        box = draw_distractor(img, kind, x, y, s, rng)
        if box is not None and not any(_overlaps(box, a, 0.0) for a in avoid):
            out.append((kind, box))
    return out


def _visible(covered: np.ndarray, box) -> float:
    """Fraction of ``box`` that no vehicle covers."""
    x1, y1, x2, y2 = (int(round(v)) for v in box)
    part = covered[y1:y2, x1:x2]
    return 1.0 - float(part.mean()) if part.size else 0.0


def _lighting(img: np.ndarray, rng: np.random.Generator) -> None:
    """Sun and shade: a linear brightness gradient and a colour cast, in place."""
    h, w = img.shape[:2]
    a = rng.uniform(0, 2 * np.pi)
    xs = (np.linspace(-0.5, 0.5, w, dtype=np.float32) * np.float32(np.cos(a)))[None, :]
    ys = (np.linspace(-0.5, 0.5, h, dtype=np.float32) * np.float32(np.sin(a)))[:, None]
    gain = np.float32(rng.uniform(0.85, 1.1)) + np.float32(rng.uniform(0.0, 0.35)) * (xs + ys)
    cast = 1.0 + rng.normal(0, 0.04, 3).astype(np.float32)
    img *= gain[:, :, None] * cast


def compose_scene(
    mode: str = "parking",
    rng: int | np.random.Generator | None = None,
    size: tuple[int, int] = REFERENCE_SIZE,
    styles: str | list[str] = "korean",
    *,
    strength: float = 1.0,
    with_masks: bool = False,
) -> Scene:
    """Compose one synthetic scene with plate and vehicle annotations.

    Parameters
    ----------
    mode
        ``"parking"`` (1–3 large near-frontal vehicles) or ``"cctv"`` (elevated camera,
        several smaller vehicles in perspective).
    rng
        Seed or generator; the same seed gives the same bytes.
    size
        ``(width, height)`` of the image in pixels (at least 64 each).
    styles
        Plate styles to draw from, as :func:`lprkit.synth.styles.resolve_styles` accepts
        (``"korean"``, ``"latin"``, ``"kr_ev,eu"`` …); weighted by each style's ``weight``.
    strength
        Degradation strength (plate grime, scene blur/noise/JPEG); 0 turns them off.
    with_masks
        Also return the rendered mask of every plate (for checking the boxes).

    Raises
    ------
    ValueError
        For an unknown mode or style, or a size that is too small.
    """
    from lprkit.synth.degrade import degrade
    from lprkit.synth.styles import get_style, resolve_styles

    if mode not in SCENE_MODES:
        raise InputError(f"unknown scene mode {mode!r}; use one of {', '.join(SCENE_MODES)}")
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise InputError(f"size must be (width, height), got {size!r}") from None
    if w < 64 or h < 64:
        raise InputError(f"scene size must be at least 64 x 64 pixels, got {w} x {h}")
    rng = make_rng(rng)
    names = resolve_styles(styles)
    weights = np.array([get_style(n).weight for n in names], np.float64)
    weights /= weights.sum()
    scale = min(w / REFERENCE_SIZE[0], h / REFERENCE_SIZE[1])

    img, ground = background(mode, w, h, rng)
    distractors = _distractors(img, rng, mode, ground, scale)
    placed: list[_Placed] = []
    while not placed:  # every scene has a plate (a layout almost never comes back empty)
        if mode == "parking":
            placed = _layout_parking(rng, (w, h), scale, names, weights)
        else:
            placed = _layout_cctv(rng, (w, h), scale, names, weights, ground)
    placed.sort(key=lambda p: p.depth)  # far to near

    objects: list[ObjectBox] = []
    masks: list[np.ndarray] = []
    covered = np.zeros((h, w), np.float32)  # how much vehicles hide, for the distractors
    for p in placed:
        blur = 0.03 * (p.plate_box[2] - p.plate_box[0]) * 3
        _soft_shadow(img, p.ground_pts, blur, rng.uniform(0.35, 0.6))
        roi = _warp_into(img, p.rgba, p.hom)
        if roi is not None:
            (x1, y1), alpha = roi
            cov = covered[y1 : y1 + alpha.shape[0], x1 : x1 + alpha.shape[1]]
            cov += alpha * (1.0 - cov)
        plate = _render_plate(p.style, p.plate_box[2] - p.plate_box[0], rng, strength)
        plate_img = plate.image.astype(np.float32)
        ph, pw = plate_img.shape[:2]
        src = np.concatenate([plate_img, np.ones((ph, pw, 1), np.float32)], axis=2)
        to_quad = _quad_hom(pw, ph, p.plate_quad)
        roi = _warp_into(img, src, p.hom @ to_quad)
        objects.append(ObjectBox("vehicle", *p.vehicle_box))
        corners = tuple((float(x), float(y)) for x, y in p.plate_corners)
        objects.append(ObjectBox("plate", *p.plate_box, corners=corners, text=plate.text,
                                 style=plate.style))  # fmt: skip
        if with_masks:
            mask = np.zeros((h, w), bool)
            if roi is not None:
                (x1, y1), alpha = roi
                mask[y1 : y1 + alpha.shape[0], x1 : x1 + alpha.shape[1]] = alpha >= 0.5
            masks.append(mask)
    distractors = [(k, b) for k, b in distractors if _visible(covered, b) >= 0.5]
    plate_boxes = [o.box for o in objects if o.label == "plate"]
    for _ in range(int(rng.integers(0, 3))):  # stickers on vehicles, never on a plate
        vehicles = [o for o in objects if o.label == "vehicle"]
        if not vehicles:
            break
        v = vehicles[int(rng.integers(len(vehicles)))]
        s = max(0.06 * v.width, 5.0)
        x, y = (
            rng.uniform(v.x1, max(v.x2 - s, v.x1 + 1)),
            rng.uniform(v.y1, max(v.y2 - s, v.y1 + 1)),
        )
        if any(_overlaps((x, y, x + 2.5 * s, y + s), b, 2.0) for b in plate_boxes):
            continue
        box = draw_distractor(img, "sticker", x, y, s, rng)
        if box is not None:
            distractors.append(("sticker", box))
    _lighting(img, rng)
    image = np.clip(img, 0, 255).astype(np.uint8)
    if strength > 0:
        image = degrade(image, rng, strength, probabilities=_SCENE_LOOK)
    return Scene(image, objects, mode, distractors, masks if with_masks else None)


def _quad_hom(w: int, h: int, quad: np.ndarray) -> np.ndarray:
    """Homography from a ``w`` x ``h`` image (continuous coordinates) onto ``quad``."""
    import cv2

    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(src, np.asarray(quad, np.float32)).astype(np.float64)
