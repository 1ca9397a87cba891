"""Tracking and voting on synthetic frame sequences with known ground truth."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lprkit.config import make_rng
from lprkit.detection.postprocess import box_iou
from lprkit.recognition.base import PlateRead
from lprkit.tracking import (
    Observation,
    PlateTracker,
    deduplicate,
    track_and_vote,
    vote_reads,
)
from lprkit.watchlist import plate_tokens

PLATES = ("12가3456", "34나5678")
WRONG = list("0123456789가나다라마거너더러머")


def corrupt(text: str, rng: np.random.Generator, n: int = 1) -> str:
    """``text`` with ``n`` tokens replaced by other tokens."""
    toks = plate_tokens(text)
    for j in rng.choice(len(toks), size=n, replace=False):
        toks[j] = rng.choice([t for t in WRONG if t != toks[j]])
    return "".join(toks)


def crossing_sequence(seed: int, n_frames: int = 30, p_bad: float = 0.45, p_miss: float = 0.1):
    """Two plates driving towards each other in neighbouring lanes; they pass mid-sequence.

    Returns per-frame observations and, for each, the index of the true plate. Bad frames
    read the plate with 1-2 wrong tokens at low confidence; some frames miss a plate.
    """
    rng = make_rng(seed)
    w, h = 120.0, 30.0
    frames, truth = [], []
    for f in range(n_frames):
        obs, who = [], []
        for k, text in enumerate(PLATES):
            if rng.random() < p_miss:
                continue
            x = 40 + 18 * f if k == 0 else 40 + 18 * (n_frames - 1 - f)
            y = 200 + 12 * k  # lanes 12 px apart: the boxes overlap heavily when passing
            box = np.array([x, y, x + w, y + h]) + rng.normal(0, 1.5, 4)
            if rng.random() < p_bad:
                read, conf = corrupt(text, rng, n=int(rng.integers(1, 3))), rng.uniform(0.2, 0.5)
            else:
                read, conf = text, rng.uniform(0.55, 0.95)
            obs.append(Observation(tuple(box.tolist()), read, float(conf)))
            who.append(k)
        order = rng.permutation(len(obs))  # detector output order means nothing
        frames.append([obs[i] for i in order])
        truth.append([who[i] for i in order])
    return frames, truth


def test_box_iou():
    a = np.array([[0, 0, 10, 10], [0, 0, 10, 10]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]])
    np.testing.assert_allclose(box_iou(a, b), [[1, 1 / 3, 0], [1, 1 / 3, 0]])
    assert box_iou(np.zeros((0, 4)), b).shape == (0, 3)


def test_vote_weighting_and_inputs():
    # Whole-string vote: confidence, not count, decides.
    r = vote_reads([("12가3456", 0.9), ("12가3458", 0.3), ("12가3458", 0.3)])
    assert (r.text, r.method, r.n_reads) == ("12가3456", "string", 3)
    assert r.string_votes[0] == ("12가3456", pytest.approx(0.9))
    # Per-position vote finds a text that no single frame read.
    r = vote_reads([("12가3450", 0.6), ("12나3456", 0.6), ("72가3456", 0.6)])
    assert (r.text, r.method) == ("12가3456", "position")
    assert 0.8 < r.confidence < 1.0
    # Per-character confidences outvote a whole-read confidence.
    reads = [PlateRead("AB12", 0.5, (0.9, 0.9, 0.9, 0.1)), PlateRead("AB13", 0.6, (0.9,) * 4)]
    reads.append(PlateRead("XB12", 0.55, (0.1, 0.9, 0.9, 0.9)))
    assert vote_reads(reads).text == "AB12"
    obs = [Observation.from_read(np.array([0, 0, 9, 9]), r, frame=3) for r in reads]
    assert vote_reads(obs).text == "AB12" and obs[0].box == (0.0, 0.0, 9.0, 9.0)
    assert obs[0].char_confidences == (0.9, 0.9, 0.9, 0.1) and obs[0].frame == 3
    # Odd-length reads do not take part in the per-position vote; separators are ignored.
    r = vote_reads([("12 가 3456", 0.5), ("12가345", 0.9), ("12-가-3456", 0.5)])
    assert r.text == "12가3456"
    assert vote_reads([("", 0.9), ("AB", 0.1)], min_confidence=0.2).text == ""
    assert vote_reads([]).n_reads == 0


def test_voting_beats_single_frames_and_tracks_do_not_swap():
    single_ok = single_n = vote_ok = vote_n = 0
    for seed in range(20):
        frames, truth = crossing_sequence(seed)
        tracker = PlateTracker(max_age=3)
        owner: dict[int, set[int]] = {}
        for obs, who in zip(frames, truth, strict=True):
            for tid, k, o in zip(tracker.update(obs), who, obs, strict=True):
                owner.setdefault(tid, set()).add(k)
                single_ok += o.text == PLATES[k]
                single_n += 1
        # No track ever holds reads of both plates: they passed without swapping.
        assert all(len(s) == 1 for s in owner.values()), owner
        results = tracker.results()
        assert len(results) == 2
        for r in results:
            (k,) = {k for t in r.track_ids for k in owner[t]}
            vote_ok += r.text == PLATES[k]
            vote_n += 1
    single_acc, vote_acc = single_ok / single_n, vote_ok / vote_n
    assert single_acc < 0.7  # the sequence really is degraded
    assert vote_acc > single_acc
    assert vote_acc == 1.0


def test_voting_recovers_when_every_frame_is_wrong():
    rng = make_rng(7)
    frames = [
        [Observation((10.0 + 5 * f, 10.0, 130.0 + 5 * f, 40.0), corrupt(PLATES[0], rng), 0.5)]
        for f in range(9)
    ]
    assert not any(o.text == PLATES[0] for obs in frames for o in obs)
    (result,) = track_and_vote(frames)
    assert (result.text, result.vote.method, result.n_reads) == (PLATES[0], "position", 9)


def test_max_age_and_dedup_after_occlusion():
    def frame(f: int, text: str = "AB1234", conf: float = 0.8) -> list[Observation]:
        return [Observation((10.0 + 4 * f, 50.0, 110.0 + 4 * f, 80.0), text, conf)]

    tracker = PlateTracker(max_age=2)
    ids = [tracker.update(frame(f), frame=f)[0] for f in (0, 1, 2, 5)]  # 2 frames missed: kept
    assert len(set(ids)) == 1
    tracker.update(frame(9, "AB1284", 0.4), frame=9)  # 3 frames missed: a new track
    tracker.update(frame(10, "A81234", 0.3), frame=10)
    assert len(tracker.tracks) == 2
    raw = tracker.results(dedup=False)
    assert [r.track_ids for r in raw] == [(0,), (1,)]
    (merged,) = tracker.results(dedup=True)  # near texts, never seen together: one plate
    assert (merged.text, merged.track_ids, merged.n_reads) == ("AB1234", (0, 1), 6)
    assert (merged.first_frame, merged.last_frame) == (0, 10)


def test_dedup_keeps_near_plates_seen_together():
    tracker = PlateTracker()
    for _ in range(3):
        tracker.update(
            [
                Observation((0.0, 0.0, 100.0, 30.0), "AB1234", 0.9),
                Observation((300.0, 0.0, 400.0, 30.0), "AB1235", 0.9),
            ]
        )
    assert [r.text for r in tracker.results()] == ["AB1234", "AB1235"]
    # Equal texts always merge (e.g. a detector that boxed the same plate twice).
    tracks = {t.track_id: t for t in tracker.tracks}
    a, b = tracker.results(dedup=False)
    same = [a, dataclasses.replace(b, text="AB1234")]
    assert len(deduplicate(same, tracks)) == 1


def test_bad_input():
    tracker = PlateTracker()
    tracker.update([], frame=3)
    with pytest.raises(ValueError, match="frame 2 is not after"):
        tracker.update([], frame=2)
    with pytest.raises(ValueError, match=r"box \(5.0, 0.0, 1.0, 9.0\) in frame 4"):
        tracker.update([Observation((5.0, 0.0, 1.0, 9.0), "A", 1.0)])
    with pytest.raises(ValueError, match="iou_threshold"):
        PlateTracker(iou_threshold=2)


def test_greedy_assigns_every_gated_pair():
    # The second-cheapest pair (track 0, detection 1) is invalid once track 0 took detection 0;
    # the greedy pass must skip it and still give detection 1 to track 1.
    tracker = PlateTracker(iou_threshold=0.0, max_centre_distance=5.0)
    a, b = (0.0, 0.0, 100.0, 30.0), (60.0, 0.0, 160.0, 30.0)
    assert tracker.update([Observation(a, "AB1234", 0.9), Observation(b, "CD5678", 0.9)]) == [0, 1]
    moved = (25.0, 0.0, 125.0, 30.0)  # plate 1 jumped left, nearer plate 0's box
    ids = tracker.update([Observation(a, "AB1234", 0.9), Observation(moved, "CD5678", 0.9)])
    assert ids == [0, 1]
    assert len(tracker.tracks) == 2
