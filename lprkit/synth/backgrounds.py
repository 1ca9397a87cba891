"""Procedural backgrounds for scenes: asphalt, walls, kerbs, painted lines, and distractors.

No photographs are needed: textures are sums of smooth value noise at a few scales plus grain,
and the ground is a plane seen in perspective (lines converge on a vanishing point). The
distractors are things a plate detector must learn to ignore: signs, stickers, text panels
and bright plate-shaped rectangles.

All functions take a :class:`numpy.random.Generator` and work on float32 RGB images in 0..255
(converted to uint8 once the scene is finished).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from lprkit.errors import InputError

DISTRACTOR_KINDS: tuple[str, ...] = ("sign", "text_panel", "sticker", "bright_rect")

# Texts on panels and stickers: plate-like but not plates (wrong pattern, words, phone numbers).
_PANEL_TEXTS = (
    "EXIT", "NO PARKING", "B2", "A-13", "P3", "VISITOR", "주차금지", "출구", "입구",
    "경차전용", "방문차량", "B1 주차장", "STAFF ONLY", "CCTV", "SLOW", "010-2345-6789",
    "1588-0000", "LOADING", "전기차 충전", "장애인 전용", "RESERVED", "ZONE C", "24H",
)  # fmt: skip


def value_noise(h: int, w: int, rng: np.random.Generator, cell: float) -> np.ndarray:
    """Smooth noise in 0..1 with features about ``cell`` pixels across (float32, (h, w))."""
    import cv2

    gh, gw = max(int(h / cell) + 2, 2), max(int(w / cell) + 2, 2)
    grid = rng.random((gh, gw), dtype=np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def fractal_noise(h: int, w: int, rng: np.random.Generator, cells=(96, 24, 6)) -> np.ndarray:
    """Sum of :func:`value_noise` octaves, weights halving with each finer octave, in 0..1."""
    out = np.zeros((h, w), np.float32)
    total = 0.0
    for k, cell in enumerate(cells):
        weight = 0.5**k
        out += weight * value_noise(h, w, rng, cell)
        total += weight
    return out / total


def fill_aa(img: np.ndarray, polys, colour, opacity: float = 1.0) -> None:
    """Fill polygons (float pixel coordinates) on a float32 image, antialiased, in place.

    OpenCV antialiases only 8-bit drawing, so the polygons are drawn into an 8-bit coverage
    mask over their bounding box and the colour is blended through it.
    """
    import cv2

    polys = [np.asarray(p, np.float32).reshape(-1, 2) for p in polys]
    h, w = img.shape[:2]
    allp = np.concatenate(polys)
    x1, y1 = np.floor(allp.min(0)).astype(int) - 1
    x2, y2 = np.ceil(allp.max(0)).astype(int) + 2
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, w), min(y2, h)
    if x2 <= x1 or y2 <= y1:
        return
    mask = np.zeros((y2 - y1, x2 - x1), np.uint8)
    shifted = [np.round((p - (x1, y1)) * 16).astype(np.int32) for p in polys]
    cv2.fillPoly(mask, shifted, 255, cv2.LINE_AA, shift=4)
    m = mask.astype(np.float32)[:, :, None] * (opacity / 255.0)
    roi = img[y1:y2, x1:x2]
    roi += (np.asarray(colour, np.float32) - roi) * m


def _tint(gray: np.ndarray, colour) -> np.ndarray:
    return gray[:, :, None] * (np.asarray(colour, np.float32) / 128.0)


def asphalt(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Asphalt: grey with blotches, aggregate grain, darker repairs and a few cracks."""
    import cv2

    base = rng.uniform(60, 125)
    tone = base + 40 * (fractal_noise(h, w, rng) - 0.5)
    tone += rng.normal(0, rng.uniform(4, 10), (h, w)).astype(np.float32)  # aggregate grain
    img = _tint(tone, (128 + rng.normal(0, 3), 128 + rng.normal(0, 2), 128 + rng.normal(0, 4)))
    for _ in range(int(rng.integers(0, 3))):  # patched repairs: darker polygons
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.05, 0.2) * w
        pts = [[cx + r * np.cos(a), cy + 0.5 * r * np.sin(a)]
               for a in np.sort(rng.uniform(0, 2 * np.pi, 7))]  # fmt: skip
        fill_aa(img, [pts], (base * 0.8,) * 3)
    n_cracks = int(rng.integers(0, 4))
    if n_cracks:  # dark random walks, drawn antialiased into one mask
        mask = np.zeros((h, w), np.uint8)
        for _ in range(n_cracks):
            steps = rng.normal(0, w * 0.015, (12, 2)) + (w * 0.01, 0)
            pts = rng.uniform((0, 0), (w, h)) + np.cumsum(steps, axis=0)
            cv2.polylines(mask, [pts.astype(np.int32)], False, 255, 1, cv2.LINE_AA)
        img -= img * (0.45 / 255.0) * mask[:, :, None].astype(np.float32)
    return img


def wall(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A wall: painted concrete with panel seams, or bricks."""
    import cv2

    colour = np.array(
        [(200, 198, 190), (170, 170, 172), (215, 205, 180), (150, 160, 170), (180, 120, 100)][
            int(rng.integers(5))
        ],
        np.float32,
    ) + rng.normal(0, 8, 3)
    tone = 128 + 30 * (fractal_noise(h, w, rng, (128, 32, 8)) - 0.5)
    tone += rng.normal(0, 3, (h, w)).astype(np.float32)
    img = _tint(tone, colour)
    seam = tuple(float(c) * 0.7 for c in colour)
    if rng.random() < 0.4:  # bricks
        bh = int(rng.uniform(0.025, 0.06) * max(h, 200)) + 3
        bw = int(bh * rng.uniform(2.2, 3.2))
        for r, y in enumerate(range(0, h, bh)):
            cv2.line(img, (0, y), (w, y), seam, 1)
            off = (r % 2) * bw // 2
            for x in range(-off, w, bw):
                cv2.line(img, (x, y), (x, min(y + bh, h)), seam, 1)
    else:  # concrete panels
        pw = int(rng.uniform(0.15, 0.4) * w) + 10
        for x in range(int(rng.integers(pw)), w, pw):
            cv2.line(img, (x, 0), (x, h), seam, 1, cv2.LINE_AA)
        if rng.random() < 0.5:
            y = int(rng.uniform(0.3, 0.7) * h)
            cv2.rectangle(img, (0, y), (w, y + max(h // 40, 2)), seam, -1)  # a painted stripe
    return img


@dataclass(frozen=True)
class Ground:
    """Where the ground plane is in a background.

    Attributes
    ----------
    top
        First image row of the ground (rows above are wall / kerb).
    horizon
        Row of the horizon (may be above the image, i.e. negative): apparent size at row
        ``y`` is proportional to ``y - horizon``.
    vanish_x
        Column of the vanishing point of lines running away from the camera.
    """

    top: float
    horizon: float
    vanish_x: float

    def scale_at(self, y: float, height: int) -> float:
        """Apparent size at row ``y`` relative to the bottom row (1 at ``y = height``)."""
        return max(y - self.horizon, 1.0) / max(height - self.horizon, 1.0)


def _ground_line(img, ground: Ground, x_bottom: float, width: float, colour, h: int) -> None:
    """A painted line on the ground from the bottom edge toward the vanishing point."""
    t = ground.scale_at(ground.top, h)
    x_top = ground.vanish_x + (x_bottom - ground.vanish_x) * t
    pts = [[x_bottom - width / 2, h], [x_bottom + width / 2, h],
           [x_top + width * t / 2, ground.top], [x_top - width * t / 2, ground.top]]  # fmt: skip
    fill_aa(img, [pts], colour, opacity=0.9)


def kerb(img: np.ndarray, y: int, rng: np.random.Generator) -> int:
    """Draw a kerb band whose lower edge is row ``y``; returns its top row."""
    import cv2

    h, w = img.shape[:2]
    kh = max(int(rng.uniform(0.02, 0.05) * h), 3)
    top = max(y - kh, 0)
    c = rng.uniform(150, 200)
    img[top:y] = _tint(c + 10 * (value_noise(y - top, w, rng, 12) - 0.5), (128, 128, 126))
    img[top : top + max(kh // 4, 1)] *= 1.12  # lit top face
    step = int(rng.uniform(0.08, 0.2) * w) + 5
    for x in range(int(rng.integers(step)), w, step):
        cv2.line(img, (x, top), (x, y), (c * 0.7,) * 3, 1)
    if rng.random() < 0.4:  # painted yellow/red kerb
        img[top:y] *= np.array((1.1, 0.9, 0.35) if rng.random() < 0.7 else (1.1, 0.45, 0.4))
    return top


def background(mode: str, width: int, height: int, rng: np.random.Generator):
    """A background for ``mode`` (``"parking"`` or ``"cctv"``).

    Returns
    -------
    image : numpy.ndarray
        float32 (height, width, 3), RGB 0..255.
    ground : Ground
        Where the ground plane is, for placing vehicles in perspective.
    """
    h, w = height, width
    img = asphalt(h, w, rng)
    if mode == "parking":
        top = rng.uniform(0.18, 0.5) * h  # wall base, seen at bumper height
        horizon = top - rng.uniform(0.05, 0.3) * h
    else:  # cctv: an elevated camera sees mostly ground
        top = rng.uniform(0.0, 0.22) * h if rng.random() < 0.6 else 0.0
        horizon = -rng.uniform(0.3, 1.5) * h
    ground = Ground(float(top), float(horizon), float(rng.uniform(0.25, 0.75) * w))
    if top >= 2:
        itop = int(top)
        img[:itop] = wall(itop, w, rng)
        if rng.random() < 0.6:
            kerb(img, itop, rng)
    paint = (235, 235, 228) if rng.random() < 0.7 else (225, 190, 60)
    paint = tuple(float(c) * rng.uniform(0.75, 1.0) for c in paint)
    if mode == "parking" or rng.random() < 0.5:  # parking bays
        bay = rng.uniform(0.3, 0.55) * w if mode == "parking" else rng.uniform(0.15, 0.3) * w
        for x in np.arange(rng.uniform(-bay, 0), w + bay, bay):
            _ground_line(img, ground, x, rng.uniform(0.012, 0.02) * w, paint, h)
    else:  # traffic lanes, some dashed stretches painted over by asphalt
        lane = rng.uniform(0.2, 0.4) * w
        for x in np.arange(rng.uniform(-lane, 0), w + lane, lane):
            _ground_line(img, ground, x, rng.uniform(0.008, 0.015) * w, paint, h)
        if rng.random() < 0.5:
            _dash(img, ground, rng, h)
    if mode == "cctv" and rng.random() < 0.3:  # a stop line across the road
        y = int(rng.uniform(0.5, 0.9) * h)
        img[y : y + max(int(0.012 * h * ground.scale_at(y, h)) + 1, 2)] = paint
    return img, ground


def _dash(img, ground: Ground, rng, h: int) -> None:
    """Break painted lines into dashes by re-covering stretches with asphalt tone."""
    period = rng.uniform(0.08, 0.15) * h
    y = ground.top + rng.uniform(0, period)
    while y < h:
        s = ground.scale_at(y, h)
        gap = period * s * 0.5
        y0, y1 = int(y), int(min(y + gap, h))
        if y1 > y0:
            rows = img[y0:y1]
            rows[:] = np.minimum(rows, np.median(rows, axis=1, keepdims=True) * 1.05)
        y += max(period * s, 4)


# --------------------------------------------------------------------------- distractors


@functools.cache
def _pil_font(script: str, size: int):
    from PIL import ImageFont

    from lprkit.synth.fonts import find_fonts

    return ImageFont.truetype(str(find_fonts(script)[0]), size)


def _text_patch(text: str, h: int, fg, bg, pad: float = 0.25) -> np.ndarray:
    """``text`` drawn on a ``bg`` rectangle ``h`` pixels high (float32 RGB)."""
    from PIL import Image, ImageDraw

    script = "latin" if text.isascii() else "hangul"
    size = max(int(h * (1 - 2 * pad)), 6)
    font = _pil_font(script, size)
    x1, y1, x2, y2 = font.getbbox(text)
    w = max(int((x2 - x1) + 2 * pad * h), h)
    im = Image.new("RGB", (w, h), tuple(int(c) for c in bg))
    ImageDraw.Draw(im).text(((w - (x2 - x1)) / 2 - x1, (h - (y2 - y1)) / 2 - y1), text,
                            fill=tuple(int(c) for c in fg), font=font)  # fmt: skip
    return np.asarray(im, np.float32)


def _paste(img: np.ndarray, patch: np.ndarray, x: int, y: int, alpha: np.ndarray | None = None):
    """Blend ``patch`` (through ``alpha`` in 0..1, if given) with its top-left at (x, y),
    clipped to the image; returns the box it covers, or None if almost nothing shows."""
    h, w = img.shape[:2]
    ph, pw = patch.shape[:2]
    x1, y1, x2, y2 = max(x, 0), max(y, 0), min(x + pw, w), min(y + ph, h)
    if x2 - x1 < 2 or y2 - y1 < 2:
        return None
    src = patch[y1 - y : y2 - y, x1 - x : x2 - x].astype(np.float32)
    if alpha is None:
        img[y1:y2, x1:x2] = src
    else:
        a = alpha[y1 - y : y2 - y, x1 - x : x2 - x, None]
        img[y1:y2, x1:x2] += (src - img[y1:y2, x1:x2]) * a
    return (float(x1), float(y1), float(x2), float(y2))


def _sign(s: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A road sign ``s`` pixels across: (RGB uint8 patch, alpha 0..1)."""
    import cv2

    patch = np.zeros((s, s, 4), np.uint8)  # drawn with alpha 255 so edges are antialiased
    c, r = (s // 2, s // 2), s // 2 - 1
    style = int(rng.integers(3))
    if style == 0:  # blue square "P"
        text = _text_patch("P", s, (255, 255, 255), (20, 70, 170), 0.12)
        patch[:, :, :3] = cv2.resize(text, (s, s)).astype(np.uint8)
        patch[:, :, 3] = 255
    elif style == 1:  # no-parking roundel
        cv2.circle(patch, c, r, (200, 30, 30, 255), -1, cv2.LINE_AA)
        cv2.circle(patch, c, int(r * 0.75), (30, 80, 180, 255), -1, cv2.LINE_AA)
        d = int(r * 0.55)
        cv2.line(patch, (c[0] - d, c[1] - d), (c[0] + d, c[1] + d), (200, 30, 30, 255),
                 max(s // 8, 1), cv2.LINE_AA)  # fmt: skip
    else:  # speed limit
        cv2.circle(patch, c, r, (200, 30, 30, 255), -1, cv2.LINE_AA)
        cv2.circle(patch, c, int(r * 0.78), (245, 245, 245, 255), -1, cv2.LINE_AA)
        t = _text_patch(str(int(rng.choice([10, 20, 30]))), max(int(r * 0.9), 6),
                        (20, 20, 20), (245, 245, 245), 0.1)  # fmt: skip
        th, tw = t.shape[:2]
        if tw < s and th < s:
            y0, x0 = c[1] - th // 2, c[0] - tw // 2
            patch[y0 : y0 + th, x0 : x0 + tw, :3] = t.astype(np.uint8)
    alpha = patch[:, :, 3].astype(np.float32) / 255.0
    # colours were blended with transparent black at the edges: un-premultiply
    rgb = patch[:, :, :3].astype(np.float32) / np.maximum(alpha, 1e-3)[:, :, None]
    return rgb.clip(0, 255), alpha


def draw_distractor(img: np.ndarray, kind: str, x: float, y: float, size: float,
                    rng: np.random.Generator):  # fmt: skip
    """Draw one distractor of ``kind`` about ``size`` pixels high with its top-left at (x, y).

    Kinds (:data:`DISTRACTOR_KINDS`): ``sign`` (parking, no-parking and speed-limit signs on a
    pole), ``text_panel`` (a plate-shaped board with words or a phone number), ``sticker``
    (small coloured label) and ``bright_rect`` (a blank bright plate-shaped rectangle).

    Returns
    -------
    tuple or None
        The box it covers ``(x1, y1, x2, y2)``, or ``None`` if it fell outside the image.
    """
    s = max(int(size), 6)
    x, y = int(x), int(y)
    if kind == "sign":
        rgb, alpha = _sign(s, rng)
        pole = [[x + s / 2 - s / 20 - 0.5, y + s / 2], [x + s / 2 + s / 20 + 0.5, y + s / 2],
                [x + s / 2 + s / 20 + 0.5, y + s * rng.uniform(1.8, 3.5)],
                [x + s / 2 - s / 20 - 0.5, y + s * rng.uniform(1.8, 3.5)]]  # fmt: skip
        fill_aa(img, [pole], (110, 110, 115))
        return _paste(img, rgb, x, y, alpha)
    if kind == "text_panel":
        text = str(rng.choice(_PANEL_TEXTS))
        bg, fg = [((245, 245, 240), (20, 20, 20)), ((250, 210, 40), (20, 20, 20)),
                  ((30, 110, 60), (240, 240, 240)), ((25, 60, 150), (240, 240, 240))][
            int(rng.integers(4))]  # fmt: skip
        patch = _text_patch(text, s, fg, bg)
        patch[[0, -1]] *= 0.5  # a dark frame
        patch[:, [0, -1]] *= 0.5
        return _paste(img, patch, x, y)
    if kind == "sticker":
        import cv2

        w = int(s * rng.uniform(1.0, 2.5))
        colour = rng.uniform(40, 255, 3)
        if rng.random() < 0.6:
            word = str(rng.choice(["OK", "2024", "A", "7", "GO", "X", "안전"]))
            patch = cv2.resize(_text_patch(word, s, 255 - colour, colour, 0.15), (w, s))
        else:
            patch = np.empty((s, w, 3), np.float32)
            patch[:] = colour
            for k in range(0, w, max(w // 5, 2)):
                cv2.line(patch, (k, 0), (k + s, s), tuple(255 - colour), max(s // 6, 1))
        return _paste(img, patch, x, y)
    if kind == "bright_rect":
        w = int(s * rng.uniform(2.0, 5.0))  # plate-like proportions, but blank
        patch = np.empty((s, w, 3), np.float32)
        patch[:] = rng.uniform(215, 255) * np.array(
            (1.0, rng.uniform(0.9, 1.0), rng.uniform(0.75, 1.0))
        )
        b = max(s // 12, 1)
        patch[:b], patch[-b:], patch[:, :b], patch[:, -b:] = 60, 60, 60, 60
        return _paste(img, patch, x, y)
    raise InputError(f"unknown distractor kind {kind!r}; use one of {', '.join(DISTRACTOR_KINDS)}")
