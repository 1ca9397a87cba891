"""Video: read plates frame by frame, track them, and vote over each track's reads.

A plate seen in 20 frames is read 20 times; some reads are blurred or half-occluded. Tracking
links the reads of one plate and a confidence-weighted vote (:mod:`lprkit.tracking`) gives one
best read per plate, usually better than any single frame.

Sources are whatever OpenCV's ``VideoCapture`` opens: a file, a webcam index (``0``) or a
stream URL the user gives (no addresses or credentials live in this code).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lprkit.errors import InputError, LprkitError
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


def capture_fps(cap) -> float | None:
    """Frames per second that a capture reports, or ``None`` when it reports none (some
    webcams and streams say 0)."""
    import cv2

    fps = float(cap.get(cv2.CAP_PROP_FPS) or 0)
    return fps if 0 < fps < 1000 else None


def _frames(cap, stride: int, max_frames: int | None) -> Iterator[tuple[int, np.ndarray]]:
    import cv2

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


def _check_stride(stride: int) -> None:
    if stride < 1:
        raise InputError(f"stride must be >= 1, got {stride}")


def iter_frames(
    source: str | int | os.PathLike, stride: int = 1, max_frames: int | None = None
) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(frame index, RGB uint8 frame)`` for every ``stride``-th frame."""
    _check_stride(stride)
    cap = open_capture(source)
    try:
        yield from _frames(cap, stride, max_frames)
    finally:
        cap.release()


class VideoSink:
    """Write RGB frames to a video file one at a time (MJPG in ``.avi``, mp4v otherwise).

    Frames go to a hidden temporary file beside ``path``, renamed to ``path`` by
    :meth:`close`; nothing is held in memory, and a failed run leaves any earlier ``path``
    as it was. Use as a context manager: an exception inside the block discards the file.
    """

    def __init__(self, path: str | os.PathLike, fps: float = 10.0) -> None:
        if not fps > 0:
            raise InputError(f"fps must be > 0, got {fps}")
        self.path = Path(path)
        self.fps = float(fps)
        self.size: tuple[int, int] | None = None
        self.count = 0
        self._tmp = self.path.with_name(f".{self.path.stem}.tmp{self.path.suffix}")
        self._writer = None

    def write(self, frame: np.ndarray) -> None:
        """Append one RGB frame (all frames must have the first frame's size)."""
        import cv2

        h, w = frame.shape[:2]
        if self._writer is None:
            fourcc = cv2.VideoWriter_fourcc(*("MJPG" if self.path.suffix.lower() == ".avi" else "mp4v"))
            self._writer = cv2.VideoWriter(str(self._tmp), fourcc, self.fps, (w, h))
            if not self._writer.isOpened():
                self._writer = None
                raise LprkitError(f"OpenCV cannot write video {self.path}; use .avi or .mp4")
            self.size = (h, w)
        elif (h, w) != self.size:
            raise InputError(f"frame of shape {frame.shape} differs from the first frame's {self.size}")
        self._writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        self.count += 1

    def close(self) -> Path | None:
        """Finish the file and move it into place; ``None`` when no frame was written."""
        if self._writer is None:
            return None
        self._writer.release()
        self._writer = None
        self._tmp.replace(self.path)
        return self.path

    def discard(self) -> None:
        """Drop what was written (the file at ``path`` is left as it was)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoSink:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()


def write_video(frames: Sequence[np.ndarray], path: str | os.PathLike, fps: float = 10.0) -> Path:
    """Write RGB frames to a video file (MJPG in ``.avi``, mp4v otherwise), atomically."""
    if not len(frames):
        raise InputError("no frames to write")
    with VideoSink(path, fps) as sink:
        for f in frames:
            sink.write(f)
    return Path(path)


@dataclass
class VideoResult:
    """What :func:`read_video` found.

    Attributes
    ----------
    plates
        One voted result per plate (tracks of the same plate merged).
    frames
        Per processed frame: ``(frame index, [(track id, text, confidence, box), ...])``.
    interrupted
        True when Ctrl-C stopped the run: the results cover the frames read until then.
    fps
        Frame rate of the annotated video (the source's, divided by the stride).
    """

    plates: list[TrackResult]
    frames: list[tuple[int, list[tuple[int, str, float, tuple]]]] = field(default_factory=list)
    interrupted: bool = False
    fps: float | None = None

    def single_frame_reads(self) -> list[str]:
        """Every per-frame read, for comparing voting with single frames."""
        return [text for _, reads in self.frames for _, text, _, _ in reads]


FrameReads = list[tuple[int, str, float, tuple]]


def read_video(
    source: str | int | os.PathLike,
    pipeline,
    *,
    stride: int = 1,
    max_frames: int | None = None,
    out_video: str | os.PathLike | None = None,
    fps: float | None = None,
    tracker: PlateTracker | None = None,
    min_reads: int = 1,
    on_frame: Callable[[int, FrameReads], None] | None = None,
    progress: bool = True,
) -> VideoResult:
    """Run ``pipeline`` (a :class:`lprkit.pipeline.Pipeline`) over a video, track and vote.

    Ctrl-C (the way to stop a webcam or a stream) ends the run cleanly: the frames read so far
    are voted on, the annotated video is closed, and the result says ``interrupted``.

    Parameters
    ----------
    source
        Video file, webcam index or stream URL.
    stride
        Process every ``stride``-th frame.
    max_frames
        Stop after this many processed frames (needed for endless webcams and streams).
    out_video
        If given, write an annotated video there (boxes, track ids, the running vote), frame
        by frame.
    fps
        Frame rate of the annotated video; default the source's divided by ``stride`` (so it
        plays at the source's speed), 10 when the source reports none.
    tracker
        A configured :class:`~lprkit.tracking.PlateTracker` (default settings otherwise).
    min_reads
        Plates read fewer times than this are dropped (one-frame false detections).
    on_frame
        Called after each frame with ``(frame index, [(track id, text, confidence, box)…])``,
        e.g. to write reads as they come.
    """
    from tqdm.auto import tqdm

    from lprkit.pipeline import draw_results, plates_only

    _check_stride(stride)
    tracker = tracker or PlateTracker()
    per_frame = []
    interrupted = False
    cap = open_capture(source)
    try:
        if fps is None:
            fps = (capture_fps(cap) or 10.0 * stride) / stride
        sink = VideoSink(out_video, fps) if out_video is not None else None
        try:
            for index, frame in tqdm(_frames(cap, stride, max_frames), desc="frames", disable=not progress):
                everything = pipeline.read(frame)
                results = plates_only(everything)  # unread detections are not plates: no track, no vote
                obs = [Observation.from_read(r.box, r, index) for r in results]
                ids = tracker.update(obs, frame=index)
                reads = [(t, r.text, r.confidence, r.box) for t, r in zip(ids, results, strict=True)]
                per_frame.append((index, reads))
                if sink is not None:
                    sink.write(draw_results(frame, everything))
                if on_frame is not None:
                    on_frame(index, reads)
        except KeyboardInterrupt:
            interrupted = True
        except BaseException:
            if sink is not None:
                sink.discard()
            raise
        if sink is not None:
            sink.close()
    finally:
        cap.release()
    return VideoResult(tracker.results(min_reads=min_reads), per_frame, interrupted, fps)
