import numpy as np
import pytest
from fakes import BoxDetector, scene

from lprkit.errors import LprkitError
from lprkit.pipeline import Pipeline
from lprkit.recognition.base import PlateRead
from lprkit.video import iter_frames, read_video, write_video


class FlakyRecognizer:
    """Right most of the time; every third read is wrong with low confidence."""

    name = "flaky"

    def __init__(self, truth):
        self.truth, self.n = truth, 0

    def read(self, crops):
        out = []
        for crop in crops:
            self.n += 1
            colour = "white" if crop[crop.shape[0] // 2, crop.shape[1] // 2].min() > 240 else "yellow"
            text = self.truth[colour]
            out.append(PlateRead(text[:-1] + "9", 0.3) if self.n % 3 == 0 else PlateRead(text, 0.9))
        return out


def _frames(n=12):
    frames = []
    for i in range(n):  # two plates moving towards each other
        frames.append(scene([((10 + 5 * i, 20, 60 + 5 * i, 35), (255, 255, 255)),
                             ((140 - 5 * i, 80, 190 - 5 * i, 95), (230, 200, 0))]))
    return frames


def test_write_and_iterate_video_with_stride(tmp_path):
    path = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    got = list(iter_frames(path))
    assert len(got) == 12 and got[0][1].shape == (120, 200, 3)
    assert [i for i, _ in iter_frames(path, stride=4)] == [0, 4, 8]
    assert len(list(iter_frames(path, max_frames=2))) == 2
    # MJPG is lossy, but the plate stays recognisably white
    assert got[0][1][25:30, 20:50].mean() > 230


def test_read_video_votes_one_read_per_plate(tmp_path):
    path = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    truth = {"white": "12가3456", "yellow": "34바5678"}
    # every reading kept (the misreads are low-confidence: a gated pipeline would drop them)
    pipe = Pipeline(BoxDetector(), FlakyRecognizer(truth), margin=0, classify_colour=False,
                    min_read_confidence=0)
    result = read_video(path, pipe, out_video=tmp_path / "out.avi", progress=False)
    assert (tmp_path / "out.avi").stat().st_size > 0
    single = result.single_frame_reads()
    assert len(single) == 24
    assert np.mean([t in truth.values() for t in single]) < 0.7  # a third of frames misread
    assert sorted(p.text for p in result.plates) == sorted(truth.values())  # voting fixes them
    assert all(p.n_reads == 12 for p in result.plates)
    assert len(list(read_video(path, pipe, stride=3, progress=False).frames)) == 4


def test_video_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="video file not found"):
        list(iter_frames(tmp_path / "nope.mp4"))
    (tmp_path / "bad.avi").write_bytes(b"garbage")
    with pytest.raises(LprkitError, match="cannot open video"):
        list(iter_frames(tmp_path / "bad.avi"))
    with pytest.raises(ValueError, match="stride"):
        list(iter_frames(tmp_path / "bad.avi", stride=0))
    with pytest.raises(ValueError, match="no frames"):
        write_video([], tmp_path / "x.avi")


def test_unread_detections_neither_vote_nor_make_tracks(tmp_path):
    path = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    truth = {"white": "12가3456", "yellow": "34바5678"}
    pipe = Pipeline(BoxDetector(), FlakyRecognizer(truth), margin=0, classify_colour=False,
                    min_read_confidence=0.5)
    result = read_video(path, pipe, progress=False)
    single = result.single_frame_reads()
    assert len(single) == 16 and set(single) == set(truth.values())  # the 0.3 misreads are unread
    assert sorted(p.text for p in result.plates) == sorted(truth.values())
