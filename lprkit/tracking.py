"""Plate tracks across video frames, and one best read per track by voting.

A video shows the same plate in many frames, and a recogniser misreads some of them (motion
blur, glare, a plate half out of view). Three steps turn per-frame reads into one read per
vehicle:

1. :class:`PlateTracker` links detections frame to frame by overlap (IoU) and centre
   distance to where each track is expected (constant-velocity prediction), greedily, best
   pairs first. A track unseen for more than ``max_age`` frames is closed.
2. :func:`vote_reads` turns a track's reads into one text: a confidence-weighted vote over
   whole strings, and a per-position character vote over the reads of the winning length;
   the candidate that agrees best with all reads wins.
3. :func:`deduplicate` merges tracks of the same plate (equal text, or near text when the
   tracks never coexist in a frame, e.g. a track lost behind a bus and found again).

NumPy only: no SciPy, TensorFlow or OpenCV.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lprkit.detection.postprocess import box_iou
from lprkit.errors import InputError
from lprkit.watchlist import normalize_plate, plate_distance, plate_tokens

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Observation:
    """One plate read in one frame: box ``(x1, y1, x2, y2)``, text and confidence.

    ``char_confidences`` (one per token of ``text``), when the recogniser gives them, make the
    per-position vote finer. ``frame`` is filled in by :meth:`PlateTracker.update`.
    """

    box: Box
    text: str
    confidence: float
    char_confidences: tuple[float, ...] = ()
    frame: int = -1

    @classmethod
    def from_read(cls, box: Sequence[float], read: object, frame: int = -1) -> Observation:
        """From a detector box and a :class:`~lprkit.recognition.base.PlateRead`."""
        return cls(
            tuple(float(v) for v in box), read.text, float(read.confidence),
            tuple(getattr(read, "char_confidences", ()) or ()), frame,
        )  # fmt: skip


@dataclass(frozen=True)
class VoteResult:
    """Outcome of :func:`vote_reads`.

    Attributes
    ----------
    text
        The chosen read ("" when there were no usable reads).
    confidence
        Confidence-weighted agreement of all reads with ``text``, in [0, 1] (1: every read
        said exactly this).
    n_reads
        Reads that took part.
    method
        ``"string"`` (the whole-string winner) or ``"position"`` (per-position consensus,
        possibly a text no single frame read).
    string_votes
        ``(text, summed confidence)`` for each distinct read, best first.
    """

    text: str
    confidence: float
    n_reads: int
    method: str
    string_votes: tuple[tuple[str, float], ...] = ()


def _as_read(r: object) -> tuple[str, float, tuple[float, ...]]:
    if isinstance(r, tuple):
        return str(r[0]), float(r[1]), ()
    return r.text, float(r.confidence), tuple(getattr(r, "char_confidences", ()) or ())


def vote_reads(reads: Iterable[object], min_confidence: float = 0.0) -> VoteResult:
    """One best read from many reads of the same plate.

    Parameters
    ----------
    reads
        :class:`Observation`, :class:`lprkit.recognition.base.PlateRead` or ``(text,
        confidence)`` tuples. Empty texts and reads below ``min_confidence`` are ignored.

    Notes
    -----
    Each read weighs its confidence. The whole-string vote sums weights per distinct text.
    The per-position vote takes the reads whose token count won a weighted vote and, at each
    position, the token with the largest summed weight (per-character confidences when given).
    Of the two candidates the one with the larger weighted agreement
    ``sum(w_i * max(0, 1 - d(c, r_i) / len(c))) / sum(w_i)`` (``d`` = :func:`plate_distance`)
    wins; ties go to the whole-string winner, a text actually read.

    >>> vote_reads([("12가3456", 0.9), ("12가3486", 0.4), ("12가3456", 0.8)]).text
    '12가3456'
    >>> vote_reads([("A23", 0.5), ("1B3", 0.5), ("12C", 0.5)]).text  # no frame was right
    '123'
    """
    tokens, weights, char_w = [], [], []
    for r in reads:
        text, conf, chars = _as_read(r)
        if conf < min_confidence or not text.strip(" -"):
            continue
        toks = plate_tokens(normalize_plate(text))
        w = float(np.clip(conf, 1e-6, 1.0))
        tokens.append(toks)
        weights.append(w)
        char_w.append(chars if len(chars) == len(toks) else (w,) * len(toks))
    if not tokens:
        return VoteResult("", 0.0, 0, "string")

    by_text: dict[str, float] = defaultdict(float)
    by_length: dict[int, float] = defaultdict(float)
    for toks, w in zip(tokens, weights, strict=True):
        by_text["".join(toks)] += w
        by_length[len(toks)] += w
    string_votes = tuple(sorted(by_text.items(), key=lambda kv: (-kv[1], kv[0])))
    best_string = string_votes[0][0]

    length = max(by_length, key=lambda n: (by_length[n], n == len(plate_tokens(best_string))))
    position: list[str] = []
    for j in range(length):
        votes: dict[str, float] = defaultdict(float)
        for toks, cw in zip(tokens, char_w, strict=True):
            if len(toks) == length:
                votes[toks[j]] += cw[j]
        position.append(max(sorted(votes), key=votes.__getitem__))
    consensus = "".join(position)

    def agreement(candidate: str) -> float:
        cand = plate_tokens(candidate)
        total = sum(
            w * max(0.0, 1.0 - plate_distance(cand, toks) / len(cand))
            for toks, w in zip(tokens, weights, strict=True)
        )
        return total / sum(weights)

    s_string, s_position = agreement(best_string), agreement(consensus)
    if consensus != best_string and s_position > s_string:
        return VoteResult(consensus, s_position, len(tokens), "position", string_votes)
    return VoteResult(best_string, s_string, len(tokens), "string", string_votes)


@dataclass
class Track:
    """A plate followed across frames. ``velocity`` is in box units per frame."""

    track_id: int
    observations: list[Observation] = field(default_factory=list)
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(4))

    @property
    def box(self) -> np.ndarray:
        return np.asarray(self.observations[-1].box, dtype=np.float64)

    @property
    def first_frame(self) -> int:
        return self.observations[0].frame

    @property
    def last_frame(self) -> int:
        return self.observations[-1].frame

    def predict(self, frame: int) -> np.ndarray:
        """Where the box should be at ``frame``, moving at the track's velocity."""
        return self.box + self.velocity * (frame - self.last_frame)

    def vote(self, min_confidence: float = 0.0) -> VoteResult:
        return vote_reads(self.observations, min_confidence)


@dataclass(frozen=True)
class TrackResult:
    """One plate seen in a video: the voted read, the tracks it came from and when."""

    text: str
    confidence: float
    n_reads: int
    track_ids: tuple[int, ...]
    first_frame: int
    last_frame: int
    box: Box  # box of the most confident read
    vote: VoteResult


class PlateTracker:
    """Link per-frame plate reads into tracks.

    Parameters
    ----------
    iou_threshold
        A detection may join a track if its IoU with the predicted box is at least this ...
    max_centre_distance
        ... or if its centre lies within this many predicted-box diagonals of the predicted
        centre (fast plates in low frame rates barely overlap between frames).
    max_age
        Consecutive frames a track may go unseen and still be continued.
    smoothing
        Weight of the newest displacement in the velocity estimate (0..1).
    """

    def __init__(
        self,
        iou_threshold: float = 0.2,
        max_centre_distance: float = 0.5,
        max_age: int = 5,
        smoothing: float = 0.5,
    ) -> None:
        if not 0 <= iou_threshold <= 1 or max_centre_distance < 0 or max_age < 0:
            raise InputError(
                "need 0 <= iou_threshold <= 1, max_centre_distance >= 0 and max_age >= 0; got "
                f"{iou_threshold}, {max_centre_distance}, {max_age}"
            )
        self.iou_threshold = iou_threshold
        self.max_centre_distance = max_centre_distance
        self.max_age = max_age
        self.smoothing = smoothing
        self.tracks: list[Track] = []
        self._frame = -1

    def active(self, frame: int | None = None) -> list[Track]:
        """Tracks that may still be continued at ``frame`` (default: the last frame seen):
        those missed in at most ``max_age`` frames since their last read."""
        frame = self._frame if frame is None else frame
        return [t for t in self.tracks if frame - t.last_frame - 1 <= self.max_age]

    def update(self, observations: Sequence[Observation], frame: int | None = None) -> list[int]:
        """Add one frame's reads; returns the track id given to each, in order.

        ``frame`` defaults to the previous frame + 1; frames must increase.
        """
        frame = self._frame + 1 if frame is None else int(frame)
        if frame <= self._frame:
            raise InputError(f"frame {frame} is not after the previous frame {self._frame}")
        boxes = np.array([o.box for o in observations], dtype=np.float64).reshape(-1, 4)
        if len(boxes) and not np.all(boxes[:, 2:] > boxes[:, :2]):
            bad = int(np.flatnonzero(~np.all(boxes[:, 2:] > boxes[:, :2], axis=1))[0])
            raise InputError(f"box {observations[bad].box} in frame {frame} has x2<=x1 or y2<=y1")
        candidates = self.active(frame)
        ids = [-1] * len(observations)
        for ti, oi in self._associate(candidates, boxes, frame):
            ids[oi] = candidates[ti].track_id
            self._extend(candidates[ti], observations[oi], frame)
        for oi, obs in enumerate(observations):
            if ids[oi] < 0:
                track = Track(len(self.tracks))
                track.observations.append(_at(obs, frame))
                self.tracks.append(track)
                ids[oi] = track.track_id
        self._frame = frame
        return ids

    def _associate(
        self, tracks: list[Track], boxes: np.ndarray, frame: int
    ) -> list[tuple[int, int]]:
        if not tracks or not len(boxes):
            return []
        pred = np.stack([t.predict(frame) for t in tracks])
        iou = box_iou(pred, boxes)
        centre_p = (pred[:, :2] + pred[:, 2:]) / 2
        centre_b = (boxes[:, :2] + boxes[:, 2:]) / 2
        diag = np.linalg.norm(pred[:, 2:] - pred[:, :2], axis=1)
        dist = np.linalg.norm(centre_p[:, None] - centre_b[None], axis=2) / diag[:, None]
        allowed = (iou >= self.iou_threshold) | (dist <= self.max_centre_distance)
        cost = np.where(allowed, (1.0 - iou) + dist, np.inf)
        pairs: list[tuple[int, int]] = []
        used_t, used_o = set(), set()
        # Greedy on the cost matrix: cheapest pair first, each track and detection used once.
        for flat in np.argsort(cost, axis=None, kind="stable"):
            ti, oi = divmod(int(flat), cost.shape[1])
            if not np.isfinite(cost[ti, oi]):
                break  # sorted: every remaining pair is outside the gates
            if ti not in used_t and oi not in used_o:
                used_t.add(ti)
                used_o.add(oi)
                pairs.append((ti, oi))
        return pairs

    def _extend(self, track: Track, obs: Observation, frame: int) -> None:
        step = (np.asarray(obs.box, dtype=np.float64) - track.box) / (frame - track.last_frame)
        a = self.smoothing if len(track.observations) > 1 else 1.0
        track.velocity = a * step + (1 - a) * track.velocity
        track.observations.append(_at(obs, frame))

    def results(
        self,
        min_reads: int = 1,
        min_confidence: float = 0.0,
        dedup: bool = True,
        max_distance: float = 1.0,
    ) -> list[TrackResult]:
        """One :class:`TrackResult` per plate: voted, optionally de-duplicated, by first frame.

        Tracks with fewer than ``min_reads`` reads (often false detections) are dropped.
        """
        results = [track_result([t], min_confidence) for t in self.tracks]
        results = [r for r in results if r.n_reads >= min_reads and r.text]
        if dedup:
            by_id = {t.track_id: t for t in self.tracks}
            results = deduplicate(results, by_id, max_distance, min_confidence)
        return sorted(results, key=lambda r: (r.first_frame, r.track_ids))


def _at(obs: Observation, frame: int) -> Observation:
    return Observation(obs.box, obs.text, obs.confidence, obs.char_confidences, frame)


def track_result(tracks: Sequence[Track], min_confidence: float = 0.0) -> TrackResult:
    """Vote over the reads of one or more tracks of the same plate."""
    observations = [o for t in tracks for o in t.observations]
    vote = vote_reads(observations, min_confidence)
    best = max(observations, key=lambda o: o.confidence)
    return TrackResult(
        vote.text,
        vote.confidence,
        vote.n_reads,
        tuple(sorted(t.track_id for t in tracks)),
        min(o.frame for o in observations),
        max(o.frame for o in observations),
        tuple(float(v) for v in best.box),
        vote,
    )


def deduplicate(
    results: Sequence[TrackResult],
    tracks: dict[int, Track],
    max_distance: float = 1.0,
    min_confidence: float = 0.0,
) -> list[TrackResult]:
    """Merge results that are the same plate and re-vote over their pooled reads.

    Two results merge when their texts are equal, or within ``max_distance``
    (:func:`~lprkit.watchlist.plate_distance`) and their frame spans do not overlap (two
    near-identical plates seen at the same time are two vehicles).
    """
    parent = list(range(len(results)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(results):
        for j in range(i + 1, len(results)):
            b = results[j]
            apart = a.last_frame < b.first_frame or b.last_frame < a.first_frame
            if a.text == b.text or (apart and plate_distance(a.text, b.text) <= max_distance):
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(results)):
        groups[root(i)].append(i)
    merged = []
    for members in groups.values():
        if len(members) == 1:
            merged.append(results[members[0]])
        else:
            ids = [tid for m in members for tid in results[m].track_ids]
            merged.append(track_result([tracks[t] for t in ids], min_confidence))
    return merged


def track_and_vote(
    frames: Iterable[Sequence[Observation]], **tracker_options: float
) -> list[TrackResult]:
    """Track a whole sequence of per-frame reads and return one result per plate."""
    tracker = PlateTracker(**tracker_options)
    for obs in frames:
        tracker.update(obs)
    return tracker.results()
