"""Video: read plates frame by frame, track them, and vote over each track's reads.

A plate seen in 20 frames is read 20 times; some reads are blurred or half-occluded. Tracking
links the reads of one plate and a confidence-weighted vote (:mod:`lprkit.tracking`) gives one
best read per plate, usually better than any single frame.

Sources are whatever OpenCV's ``VideoCapture`` opens: a file, a webcam index (``0``) or a
stream URL the user gives (no addresses or credentials live in this code).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.errors import LprkitError
from lprkit.tracking import Observation, PlateTracker, TrackResult


def _is_url(source: str) -> bool:
    return "://" in source


def open_capture(source: str | int | os.PathLike):
    """Open a ``cv2.VideoCapture`` for a file, webcam index or stream URL.

    Raises
    ------
    FileNotFoundError
        For a file path that does not exist.
    LprkitError
        When OpenCV cannot open the source.
    """
    import cv2

    if isinstance(source, str) and source.isdigit():
        source = int(source)
    if not isinstance(source, int):
        source = str(source)
        if not _is_url(source) and not Path(source).is_file():
            raise FileNotFoundError(f"video file not found: {source}")
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        what = f"webcam {source}" if isinstance(source, int) else f"video {source}"
        raise LprkitError(
            f"cannot open {what}: accepted are video files OpenCV can decode (mp4, avi, mkv…), "
            "a webcam index such as 0, or a stream URL"
        )
    return cap


def iter_frames(
    source: str | int | os.PathLike, stride: int = 1, max_frames: int | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame index, RGB uint8 frame)`` for every ``stride``-th frame."""
    import cv2

    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    cap = open_capture(source)
    try:
        index = yielded = 0
        while max_frames is None or yielded < max_frames:
            if not cap.grab():
                break
            if index % stride == 0:
                ok, bgr = cap.retrieve()
                if not ok:
                    break
                yield index, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                yielded += 1
            index += 1
    finally:
        cap.release()


def write_video(frames: Sequence[np.ndarray], path: str | os.PathLike, fps: float = 10.0) -> Path:
    """Write RGB frames to a video file (MJPG in ``.avi``, mp4v otherwise), atomically."""
    import cv2

    if not len(frames):
        raise ValueError("no frames to write")
    path = Path(path)
    h, w = frames[0].shape[:2]
    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if path.suffix.lower() == ".avi" else "mp4v"))
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    writer = cv2.VideoWriter(str(tmp), fourcc, fps, (w, h))
    if not writer.isOpened():
        raise LprkitError(f"OpenCV cannot write video {path}; use .avi or .mp4")
    try:
        for f in frames:
            if f.shape[:2] != (h, w):
                raise ValueError(f"frame of shape {f.shape} differs from the first frame's {(h, w)}")
            writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    tmp.replace(path)
    return path


@dataclass
class VideoResult:
    """What :func:`read_video` found.

    Attributes
    ----------
    plates
        One voted result per plate (tracks of the same plate merged).
    frames
        Per processed frame: ``(frame index, [(track id, text, confidence, box), ...])``.
    """

    plates: list[TrackResult]
    frames: list[tuple[int, list[tuple[int, str, float, tuple]]]] = field(default_factory=list)

    def single_frame_reads(self) -> list[str]:
        """Every per-frame read, for comparing voting with single frames."""
        return [text for _, reads in self.frames for _, text, _, _ in reads]


def read_video(
    source: str | int | os.PathLike,
    pipeline,
    *,
    stride: int = 1,
    max_frames: int | None = None,
    out_video: str | os.PathLike | None = None,
    fps: float = 10.0,
    tracker: PlateTracker | None = None,
    min_reads: int = 1,
    progress: bool = True,
) -> VideoResult:
    """Run ``pipeline`` (a :class:`lprkit.pipeline.Pipeline`) over a video, track and vote.

    Parameters
    ----------
    source
        Video file, webcam index or stream URL.
    stride
        Process every ``stride``-th frame.
    max_frames
        Stop after this many processed frames (needed for endless webcams and streams).
    out_video
        If given, write an annotated video there (boxes, track ids, the running vote).
    tracker
        A configured :class:`~lprkit.tracking.PlateTracker` (default settings otherwise).
    min_reads
        Plates read fewer times than this are dropped (one-frame false detections).
    """
    from tqdm.auto import tqdm

    from lprkit.pipeline import draw_results, plates_only

    tracker = tracker or PlateTracker()
    per_frame = []
    annotated = []
    for index, frame in tqdm(iter_frames(source, stride, max_frames), desc="frames", disable=not progress):
        everything = pipeline.read(frame)
        results = plates_only(everything)  # unread detections are not plates: no track, no vote
        obs = [Observation.from_read(r.box, r, index) for r in results]
        ids = tracker.update(obs, frame=index)
        per_frame.append(
            (index, [(t, r.text, r.confidence, r.box) for t, r in zip(ids, results, strict=True)])
        )
        if out_video is not None:
            annotated.append(draw_results(frame, everything))
    if out_video is not None and annotated:
        write_video(annotated, out_video, fps)
    return VideoResult(tracker.results(min_reads=min_reads), per_frame)
