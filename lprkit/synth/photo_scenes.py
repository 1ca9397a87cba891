"""Training scenes on real photographs: plates pasted into plate-free photos, and empty photos.

A detector trained only on drawn scenes learns "a light rectangle with dark strokes on a
plain field" and fires on real texture (road surface, grilles, window frames). Two things
teach it otherwise:

* **plates on real backgrounds**: rendered plates (every synthetic style) and real plate
  crops, warped with a little perspective, sized from 3% to 40% of the frame width, their
  brightness, blur and noise matched to the photo around them;
* **hard negatives**: real photos with no plate, kept as they are with empty targets.

:func:`compose_photo_scene` makes one such image; :func:`write_photo_scenes` writes a YOLO
folder (``data.yaml``, ``images/train``, ``labels/train``: an empty label file for a photo
without plates) that ``lprkit train detector --train`` reads beside the drawn scenes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lprkit.config import make_rng
from lprkit.errors import InputError

WIDTH_RANGE = (0.03, 0.40)  # plate width as a fraction of the frame width (log-uniform)
# A view keeps this fraction (or more) of each side of the photo. The pipeline's 640-px tiles
# show about a third of a large frame, magnified: views as small as that teach the detector
# what magnified texture looks like (see notebook 03b and the detector card).
MIN_VIEW = 0.6
LONG_SIDE = (480, 1280)  # a view's long side after resizing, pixels: many scales from one photo


def _load_rgb(path) -> np.ndarray:
    from lprkit.data.folders import load_image

    return load_image(path)


def view_window(
    h: int, w: int, rng: np.random.Generator, min_view: float = MIN_VIEW, contain=None
) -> tuple[int, int, int, int]:
    """A random window ``(x, y, width, height)`` of an ``h`` x ``w`` photo keeping ``min_view``
    to 100% of each side; with ``contain`` (a box ``x1, y1, x2, y2``) the window holds it whole."""
    ch, cw = int(h * rng.uniform(min_view, 1.0)), int(w * rng.uniform(min_view, 1.0))
    if contain is None:
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        return x, y, cw, ch
    x1, y1, x2, y2 = (float(v) for v in contain)
    # at least the box and a margin of half its size on each side, at most the photo
    cw = int(min(w, max(cw, 2 * (x2 - x1))))
    ch = int(min(h, max(ch, 2 * (y2 - y1))))
    xs = (max(0, int(np.ceil(x2)) - cw), min(int(x1), w - cw))
    ys = (max(0, int(np.ceil(y2)) - ch), min(int(y1), h - ch))
    y = int(rng.integers(ys[0], max(ys) + 1))
    x = int(rng.integers(xs[0], max(xs) + 1))
    return x, y, cw, ch


def background_view(
    photo: np.ndarray,
    rng: np.random.Generator,
    long_side=LONG_SIDE,
    min_view: float = MIN_VIEW,
    contain=None,
) -> np.ndarray:
    """A random crop of ``photo`` (``min_view`` to 100% of each side, holding the box
    ``contain`` when given), resized so its long side is in ``long_side``: the same photo
    gives many backgrounds at many scales."""
    return _view(photo, rng, long_side, min_view, contain)[0]


def _view(photo, rng, long_side, min_view, contain) -> tuple[np.ndarray, float, tuple[int, int]]:
    """:func:`background_view`, and how photo pixels map into it: ``(p - origin) * scale``."""
    import cv2

    h, w = photo.shape[:2]
    x, y, cw, ch = view_window(h, w, rng, min_view, contain)
    target = rng.uniform(*long_side)
    s = target / max(ch, cw)
    size = (max(int(round(cw * s)), 32), max(int(round(ch * s)), 32))
    view = cv2.resize(photo[y : y + ch, x : x + cw], size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    return view, size[0] / cw, (x, y)


def _is_grey(image: np.ndarray) -> bool:
    small = image[::8, ::8].astype(np.int16)
    return bool(np.abs(small[..., 0] - small[..., 1]).max() < 6 and np.abs(small[..., 1] - small[..., 2]).max() < 6)


def _plate_quad(w: float, h: float, rng: np.random.Generator) -> np.ndarray:
    """Corners of a plate ``w`` x ``h`` seen slightly from the side or above, rotated a little,
    centred on the origin (TL, TR, BR, BL)."""
    quad = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float64)
    yaw = rng.uniform(-0.18, 0.18)  # one vertical edge shorter than the other
    quad[[1, 2], 1] *= 1 - max(yaw, 0)
    quad[[0, 3], 1] *= 1 + min(yaw, 0)
    pitch = rng.uniform(-0.1, 0.1)  # one horizontal edge shorter
    quad[[0, 1], 0] *= 1 - max(pitch, 0)
    quad[[2, 3], 0] *= 1 + min(pitch, 0)
    a = np.deg2rad(rng.uniform(-6, 6))
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return quad @ rot.T


def _with_holder(plate: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The plate on a darker or lighter surround (a bumper, a holder frame), and where the
    plate's own corners are in the padded image."""
    h, w = plate.shape[:2]
    px, py = int(w * rng.uniform(0.05, 0.25)), int(h * rng.uniform(0.1, 0.6))
    tone = rng.uniform(0, 255, 3) if rng.random() < 0.5 else np.full(3, rng.uniform(0, 60))
    out = np.empty((h + 2 * py, w + 2 * px, 3), np.float32)
    out[:] = tone
    out[py : py + h, px : px + w] = plate
    corners = np.array([[px, py], [px + w, py], [px + w, py + h], [px, py + h]], np.float64)
    return out, corners


def paste_plate(
    image: np.ndarray, plate: np.ndarray, rng: np.random.Generator, width: float, centre
) -> tuple[float, float, float, float] | None:
    """Warp ``plate`` (RGB) into float32 ``image`` in place, ``width`` pixels wide around
    ``centre``, matched to the photo's light, blur and noise. Returns the plate's box
    ``(x1, y1, x2, y2)``, or None when it would leave the image."""
    import cv2

    H, W = image.shape[:2]
    ph, pw = plate.shape[:2]
    height = width * ph / pw
    quad = _plate_quad(width, height, rng) + np.asarray(centre, np.float64)
    if quad.min() < 1 or quad[:, 0].max() > W - 1 or quad[:, 1].max() > H - 1:
        return None
    src_img = plate.astype(np.float32)
    src_corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float64)
    if rng.random() < 0.5:
        src_img, src_corners = _with_holder(src_img, rng)
    hom = cv2.getPerspectiveTransform(src_corners.astype(np.float32), quad.astype(np.float32))
    sh, sw = src_img.shape[:2]
    outline = cv2.perspectiveTransform(
        np.array([[[0, 0], [sw, 0], [sw, sh], [0, sh]]], np.float32), hom
    )[0]
    x1, y1 = np.floor(outline.min(0)).astype(int)
    x2, y2 = np.ceil(outline.max(0)).astype(int)
    x1, y1, x2, y2 = max(x1, 0), max(y1, 0), min(x2, W), min(y2, H)
    if x2 - x1 < 2 or y2 - y1 < 2:
        return None
    shift = np.array([[1, 0, -x1], [0, 1, -y1], [0, 0, 1]], np.float64)
    roi_hom = shift @ hom
    warped = cv2.warpPerspective(src_img, roi_hom, (x2 - x1, y2 - y1), flags=cv2.INTER_AREA)
    alpha = cv2.warpPerspective(np.ones((sh, sw), np.float32), roi_hom, (x2 - x1, y2 - y1))[..., None]
    roi = image[y1:y2, x1:x2]
    # light: the plate takes part of the surrounding brightness, as if lit by the same scene
    around = float(roi.mean()) if roi.size else 128.0
    gain = rng.uniform(0.6, 1.15) * (0.5 + 0.5 * around / 128.0)
    warped = warped * np.clip(gain, 0.35, 1.6)
    sigma = rng.uniform(0, 1.2) * max(1.0, width / 150)
    if sigma > 0.3:
        warped = cv2.GaussianBlur(warped, (0, 0), sigma)
    warped += rng.normal(0, rng.uniform(0, 6), warped.shape).astype(np.float32)
    roi[:] = roi * (1 - alpha) + np.clip(warped, 0, 255) * alpha
    box = quad.min(0).tolist() + quad.max(0).tolist()
    return (box[0], box[1], box[2], box[3])


def _plate_source(rng, real_crops, styles):
    """A real crop (half the time, when given) or a freshly rendered plate of a random style."""
    if real_crops and rng.random() < 0.5:
        return _load_rgb(real_crops[int(rng.integers(len(real_crops)))])
    from lprkit.synth.render import random_plate
    from lprkit.synth.styles import get_style

    style = styles[int(rng.integers(len(styles)))]
    return random_plate(style, rng, scale=rng.uniform(0.4, 1.0) * 300 / get_style(style).size[0]).image[..., :3]


def compose_photo_scene(
    photo: np.ndarray,
    rng: np.random.Generator,
    *,
    n_plates: int,
    real_crops: Sequence[str | os.PathLike] = (),
    styles: Sequence[str] = ("eu_de",),
    width_range: tuple[float, float] = WIDTH_RANGE,
    min_view: float = MIN_VIEW,
    focus=None,
) -> tuple[np.ndarray, list[tuple[float, float, float, float]]]:
    """One training image: a random view of ``photo`` with up to ``n_plates`` plates on it
    (the view keeps ``min_view`` or more of each side of the photo). With ``focus`` (a box
    ``x1, y1, x2, y2`` in photo pixels, e.g. where a detector fired falsely) the view holds
    that box and no plate is pasted over it: a targeted hard negative.

    Returns
    -------
    image, boxes
        RGB uint8 image and the plate boxes ``(x1, y1, x2, y2)`` (fewer than ``n_plates`` when
        a plate found no free place). With ``n_plates=0`` the view is a hard negative.
    """
    view, scale, (ox, oy) = _view(photo, rng, LONG_SIDE, min_view, focus)
    view = view.astype(np.float32)
    grey = _is_grey(view)
    H, W = view.shape[:2]
    boxes: list[tuple[float, float, float, float]] = []
    taken = [] if focus is None else [tuple((np.asarray(focus, float) - [ox, oy, ox, oy]) * scale)]
    lo, hi = np.log(width_range[0]), np.log(width_range[1])
    for _ in range(n_plates):
        plate = _plate_source(rng, real_crops, styles)
        width = float(np.exp(rng.uniform(lo, hi))) * W
        for _try in range(10):
            centre = (rng.uniform(0.05, 0.95) * W, rng.uniform(0.1, 0.95) * H)
            half = np.array([width, width * plate.shape[0] / plate.shape[1]]) * 0.8
            cand = (centre[0] - half[0], centre[1] - half[1], centre[0] + half[0], centre[1] + half[1])
            if any(not (cand[2] < b[0] or cand[0] > b[2] or cand[3] < b[1] or cand[1] > b[3]) for b in taken):
                continue
            box = paste_plate(view, plate, rng, width, centre)
            if box is not None:
                boxes.append(box)
                taken.append(box)
                break
    if grey:  # a grey photo stays grey: a coloured plate on it would be too easy a clue
        view[:] = view.mean(axis=2, keepdims=True)
    return np.clip(view, 0, 255).astype(np.uint8), boxes


def write_photo_scenes(
    out_dir: str | os.PathLike,
    n: int,
    backgrounds: Sequence[str | os.PathLike],
    *,
    real_crops: Sequence[str | os.PathLike] = (),
    styles="all",
    negative_share: float = 0.25,
    max_plates: int = 3,
    min_view: float = MIN_VIEW,
    focus_boxes: Sequence[Sequence[Sequence[float]]] | None = None,
    seed: int = 0,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Write ``n`` photo scenes as a YOLO folder (see the module notes).

    Parameters
    ----------
    out_dir
        Folder to create (refused if it exists, unless ``overwrite``).
    n
        Images to write; a share ``negative_share`` of them keeps no plate (hard negatives).
    backgrounds
        Plate-free photos (e.g. the training part of
        :func:`lprkit.data.train_detector_sets.split_negatives`): never the development part.
    real_crops
        Real plate crop files pasted half of the time (the rest are rendered plates).
    styles
        Rendered plate styles (what :func:`lprkit.synth.styles.resolve_styles` takes).
    max_plates
        Plates on an image with plates: 1 to this many.
    min_view
        Smallest share of each side of a photo that a view keeps (0-1]: smaller values give
        magnified views, as the pipeline's tiles do.
    focus_boxes
        Per background, boxes ``(x1, y1, x2, y2)`` that views should hold (see
        :func:`lprkit.detection.mining.false_boxes`): only backgrounds with at least one box
        are used, and each view holds one of them, chosen at random.
    seed
        Image ``i`` is drawn from ``numpy.random.default_rng((seed, i))``.

    Returns
    -------
    Path
        The folder written (built beside it and renamed at the end, so an interrupted run
        leaves no partial folder).
    """
    import shutil

    import cv2
    from tqdm.auto import tqdm

    from lprkit.data.annotations import ObjectBox, write_data_yaml, write_yolo
    from lprkit.synth.styles import resolve_styles

    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise FileExistsError(f"{out} exists and is not empty; pass overwrite=True to replace it")
    if n < 1:
        raise InputError(f"n must be >= 1, got {n}")
    if not backgrounds:
        raise InputError("no background photos given")
    if not 0 <= negative_share <= 1:
        raise InputError(f"negative_share must be in [0, 1], got {negative_share}")
    if not 0 < min_view <= 1:
        raise InputError(f"min_view must be in (0, 1], got {min_view}")
    names = resolve_styles(styles)
    focus: list[Sequence[Sequence[float]] | None] = [None] * len(backgrounds)
    if focus_boxes is not None:
        if len(focus_boxes) != len(backgrounds):
            raise InputError(f"focus_boxes has {len(focus_boxes)} entries for {len(backgrounds)} backgrounds")
        keep = [k for k, b in enumerate(focus_boxes) if len(b)]
        if not keep:
            raise InputError("focus_boxes holds no box: nothing to focus on")
        backgrounds = [backgrounds[k] for k in keep]
        focus = [focus_boxes[k] for k in keep]
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "images" / "train").mkdir(parents=True)
    (tmp / "labels" / "train").mkdir(parents=True)
    cache: dict[int, np.ndarray] = {}
    for i in tqdm(range(n), desc="photo scenes", disable=not progress):
        rng = make_rng(np.random.default_rng((seed, i)))
        k = int(rng.integers(len(backgrounds)))
        if k not in cache:
            if len(cache) > 64:
                cache.clear()
            cache[k] = _load_rgb(backgrounds[k])
        n_plates = 0 if rng.random() < negative_share else int(rng.integers(1, max_plates + 1))
        target = None if focus[k] is None else focus[k][int(rng.integers(len(focus[k])))]
        image, boxes = compose_photo_scene(
            cache[k], rng, n_plates=n_plates, real_crops=real_crops, styles=names, min_view=min_view,
            focus=target,
        )  # fmt: skip
        stem = f"photo_{seed}_{i:06d}"
        quality = int(rng.integers(60, 96))
        cv2.imwrite(str(tmp / "images" / "train" / f"{stem}.jpg"), cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, quality])  # fmt: skip
        objs = [ObjectBox("plate", *b) for b in boxes]
        write_yolo(tmp / "labels" / "train" / f"{stem}.txt", objs, image.shape[1], image.shape[0])
    write_data_yaml(tmp, splits=("train",))
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out
