"""Short synthetic "videos": a camera panning across one composed scene.

:func:`make_clip` composes one scene wider than the frame and slides a crop window across it,
so the plates move between frames as they would under a panning camera, and their boxes stay
known exactly. Some frames are degraded (motion blur, sensor noise, low resolution) so that a
single frame's read fails now and then, which is what voting over a track
(:func:`lprkit.video.read_video`) is for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lprkit.config import make_rng
from lprkit.errors import InputError

CLIP_DEGRADATIONS: tuple[str, ...] = ("motion_blur", "noise", "downscale")

Box = tuple[float, float, float, float]


@dataclass
class Clip:
    """A synthetic clip.

    Attributes
    ----------
    frames
        RGB uint8 frames, all of the same shape.
    plates
        Texts of the plates visible (whole) in at least one frame, in order of appearance.
    boxes
        Per frame, ``[(text, (x1, y1, x2, y2)), ...]`` of the plates wholly inside that frame.
    degraded
        Per frame, the degradation applied (one of :data:`CLIP_DEGRADATIONS`) or ``None``.
    offsets
        Per frame, the ``(x, y)`` of the crop window in the scene.
    scene
        The full composed scene the frames were cut from.
    """

    frames: list[np.ndarray]
    plates: list[str]
    boxes: list[list[tuple[str, Box]]]
    degraded: list[str | None] = field(default_factory=list)
    offsets: list[tuple[int, int]] = field(default_factory=list)
    scene: np.ndarray | None = field(default=None, repr=False)


def _inside(box: Box, w: int, h: int) -> bool:
    x1, y1, x2, y2 = box
    return x1 >= 0 and y1 >= 0 and x2 <= w and y2 <= h


def make_clip(
    mode: str = "parking",
    n_frames: int = 12,
    rng: int | np.random.Generator | None = None,
    size: tuple[int, int] = (640, 480),
    styles: str | list[str] = "korean",
    degrade_prob: float = 0.4,
    pan: float = 0.3,
    *,
    strength: float = 1.5,
    scene_strength: float = 0.3,
) -> Clip:
    """A short clip of a camera panning across one synthetic scene.

    Parameters
    ----------
    mode
        Scene mode, ``"parking"`` or ``"cctv"`` (see :func:`lprkit.synth.scenes.compose_scene`).
    n_frames
        Number of frames (at least 2).
    rng
        Seed or generator; the same seed gives the same frames, byte for byte.
    size
        ``(width, height)`` of each frame.
    styles
        Plate styles for the scene, as :func:`lprkit.synth.styles.resolve_styles` accepts.
    degrade_prob
        Probability that a frame gets one of :data:`CLIP_DEGRADATIONS`.
    pan
        How far the camera moves over the clip, as a fraction of the frame width: the scene
        is ``1 + pan`` frame widths wide and the window slides from its left to its right end.
    strength
        Strength of the per-frame degradations (see :func:`lprkit.synth.degrade.apply`).
    scene_strength
        Degradation strength of the scene itself (light blur/noise/JPEG; 0 for a clean scene).

    Raises
    ------
    ValueError
        For fewer than 2 frames, a probability outside [0, 1] or a negative pan.
    """
    from lprkit.synth.degrade import apply
    from lprkit.synth.scenes import compose_scene

    if n_frames < 2:
        raise InputError(f"a clip needs at least 2 frames, got n_frames={n_frames}")
    if not 0.0 <= degrade_prob <= 1.0:
        raise InputError(f"degrade_prob must be in [0, 1], got {degrade_prob}")
    if pan < 0:
        raise InputError(f"pan must be >= 0 (a fraction of the frame width), got {pan}")
    rng = make_rng(rng)
    w, h = (int(v) for v in size)
    big_w = w + int(round(pan * w))
    scene = compose_scene(mode, rng, (big_w, h), styles, strength=scene_strength)
    plates = [(p.text, p.box) for p in scene.plates]
    # left to right, evenly spaced; integer offsets keep frames exact crops of the scene
    xs = np.rint(np.linspace(0, big_w - w, n_frames)).astype(int)
    frames, boxes, degraded, offsets, seen = [], [], [], [], []
    for x in xs:
        frame = np.ascontiguousarray(scene.image[:, x : x + w])
        name = None
        if rng.random() < degrade_prob:
            name = CLIP_DEGRADATIONS[int(rng.integers(len(CLIP_DEGRADATIONS)))]
            frame = apply(name, frame, rng, strength)
        visible = []
        for text, (x1, y1, x2, y2) in plates:
            box = (float(x1 - x), float(y1), float(x2 - x), float(y2))
            if _inside(box, w, h):
                visible.append((text, box))
                if text not in seen:
                    seen.append(text)
        frames.append(frame)
        boxes.append(visible)
        degraded.append(name)
        offsets.append((int(x), 0))
    return Clip(frames, seen, boxes, degraded, offsets, scene.image)


def score_clip(clip: Clip, video, iou_threshold: float = 0.5) -> dict:
    """Compare single-frame reads with voted reads on a clip whose truth is known.

    Parameters
    ----------
    clip
        The clip that was written to a video and read.
    video
        The :class:`~lprkit.video.VideoResult` of reading it with ``stride=1``.
    iou_threshold
        A read belongs to a plate when their boxes overlap at this IoU or more.

    Returns
    -------
    dict
        ``single_frame_exact`` (share of (frame, visible plate) pairs read exactly in that
        frame), ``voted_exact`` (share of the clip's plates whose track's voted read is exact),
        ``appearances`` and ``rows``: per plate ``text``, ``frames`` (frames visible),
        ``frames_exact`` (frames read exactly) and ``voted`` (voted read, ``""`` if never
        detected).
    """
    from collections import Counter

    from lprkit.evaluation import match_boxes, normalize_text

    reads = dict(video.frames)
    stats = {t: {"frames": 0, "frames_exact": 0, "tracks": Counter()} for t in clip.plates}
    for i, visible in enumerate(clip.boxes):
        got = reads.get(i, [])
        pairs = match_boxes(
            [r[3] for r in got], [r[2] for r in got], [b for _, b in visible], iou_threshold
        )
        for text, _ in visible:
            stats[text]["frames"] += 1
        for p, g in pairs:
            text = visible[g][0]
            stats[text]["tracks"][got[p][0]] += 1
            stats[text]["frames_exact"] += normalize_text(got[p][1]) == normalize_text(text)
    voted_by_track = {tid: p.text for p in video.plates for tid in p.track_ids}
    rows = []
    for text, s in stats.items():
        tid = s["tracks"].most_common(1)[0][0] if s["tracks"] else None
        rows.append(
            {
                "text": text,
                "frames": s["frames"],
                "frames_exact": s["frames_exact"],
                "voted": voted_by_track.get(tid, ""),
            }
        )
    appearances = sum(r["frames"] for r in rows)
    n_voted = sum(normalize_text(r["voted"]) == normalize_text(r["text"]) for r in rows)
    return {
        "single_frame_exact": sum(r["frames_exact"] for r in rows) / appearances
        if appearances
        else 0.0,
        "voted_exact": n_voted / len(rows) if rows else 0.0,
        "appearances": appearances,
        "rows": rows,
    }
