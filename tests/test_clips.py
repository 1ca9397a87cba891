import itertools

import numpy as np
import pytest

from lprkit.synth.clips import CLIP_DEGRADATIONS, make_clip

SIZE = (240, 180)


@pytest.fixture(scope="module")
def clip():
    return make_clip("parking", n_frames=6, rng=3, size=SIZE, degrade_prob=0.5, pan=0.3)


def test_shapes_and_lengths(clip):
    assert len(clip.frames) == len(clip.boxes) == len(clip.degraded) == len(clip.offsets) == 6
    assert all(f.shape == (180, 240, 3) and f.dtype == np.uint8 for f in clip.frames)
    assert clip.scene.shape == (180, 240 + 72, 3)
    assert all(d is None or d in CLIP_DEGRADATIONS for d in clip.degraded)
    assert clip.plates and set(clip.plates) == {t for b in clip.boxes for t, _ in b}


def test_same_seed_same_bytes(clip):
    again = make_clip("parking", n_frames=6, rng=3, size=SIZE, degrade_prob=0.5, pan=0.3)
    assert all(np.array_equal(a, b) for a, b in zip(clip.frames, again.frames, strict=True))
    assert again.boxes == clip.boxes and again.degraded == clip.degraded
    other = make_clip("parking", n_frames=6, rng=4, size=SIZE, degrade_prob=0.5, pan=0.3)
    assert not np.array_equal(other.frames[0], clip.frames[0])


def test_boxes_move_with_the_pan_and_stay_inside(clip):
    xs = [x for x, _ in clip.offsets]
    assert xs[0] == 0 and xs[-1] == 72 and xs == sorted(xs)
    for boxes in clip.boxes:
        for _, (x1, y1, x2, y2) in boxes:
            assert 0 <= x1 < x2 <= 240 and 0 <= y1 < y2 <= 180
    # the same plate shifts left by exactly the window's move, and keeps its size
    for text in clip.plates:
        seen = [(i, b) for i, bs in enumerate(clip.boxes) for t, b in bs if t == text]
        for (i, a), (j, b) in itertools.pairwise(seen):
            dx = clip.offsets[j][0] - clip.offsets[i][0]
            assert a[0] - b[0] == pytest.approx(dx) and a[2] - b[2] == pytest.approx(dx)
            assert a[1] == b[1] and a[3] == b[3]


def test_frames_are_crops_and_degraded_frames_differ(clip):
    for frame, (x, _), name in zip(clip.frames, clip.offsets, clip.degraded, strict=True):
        window = clip.scene[:, x : x + 240]
        assert np.array_equal(frame, window) == (name is None)
    assert any(d is not None for d in clip.degraded) and any(d is None for d in clip.degraded)


def test_degrade_prob_extremes():
    clean = make_clip(n_frames=3, rng=1, size=SIZE, degrade_prob=0.0)
    assert clean.degraded == [None] * 3
    dirty = make_clip(n_frames=3, rng=1, size=SIZE, degrade_prob=1.0)
    assert all(d is not None for d in dirty.degraded)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_frames": 1}, "at least 2 frames"),
        ({"degrade_prob": 1.5}, "degrade_prob"),
        ({"pan": -0.1}, "pan must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_clip(size=SIZE, **kwargs)


def test_score_clip_counts_frames_and_votes(tmp_path):
    from fakes import BoxDetector

    from lprkit.pipeline import Pipeline
    from lprkit.recognition.base import PlateRead
    from lprkit.synth.clips import Clip, score_clip
    from lprkit.video import read_video, write_video

    class Flaky:
        """Reads the white plate right except in every third frame."""

        name = "flaky"

        def __init__(self):
            self.n = 0

        def read(self, crops):
            self.n += 1
            return [PlateRead("12가3456" if self.n % 3 else "12가3458", 0.9) for _ in crops]

    frames, boxes = [], []
    for i in range(6):
        f = np.full((120, 200, 3), 60, np.uint8)
        f[20:35, 10 + 5 * i : 60 + 5 * i] = 255
        frames.append(f)
        boxes.append([("12가3456", (10.0 + 5 * i, 20.0, 60.0 + 5 * i, 35.0))])
    clip = Clip(frames, ["12가3456", "99허9999"], boxes)
    clip.boxes[5].append(("99허9999", (150.0, 90.0, 190.0, 110.0)))  # never detected
    pipe = Pipeline(BoxDetector(), Flaky(), margin=0, classify_colour=False)
    video = read_video(write_video(frames, tmp_path / "c.avi"), pipe, progress=False)
    score = score_clip(clip, video)
    assert score["appearances"] == 7
    assert score["rows"][0] == {"text": "12가3456", "frames": 6, "frames_exact": 4,
                                "voted": "12가3456"}  # fmt: skip
    assert score["rows"][1]["voted"] == "" and score["rows"][1]["frames_exact"] == 0
    assert score["single_frame_exact"] == pytest.approx(4 / 7)
    assert score["voted_exact"] == pytest.approx(1 / 2)
