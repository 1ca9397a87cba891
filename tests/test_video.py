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


class StopAfter:
    """A pipeline wrapper that raises ``exc`` on its ``n``-th frame (Ctrl-C, or a fault)."""

    def __init__(self, pipeline, n, exc=KeyboardInterrupt):
        self.pipeline, self.n, self.exc, self.calls = pipeline, n, exc, 0

    def read(self, frame):
        self.calls += 1
        if self.calls == self.n:
            raise self.exc()
        return self.pipeline.read(frame)


def _pipe():
    truth = {"white": "12가3456", "yellow": "34바5678"}
    return Pipeline(BoxDetector(), FlakyRecognizer(truth), margin=0, classify_colour=False,
                    min_read_confidence=0)


def test_annotated_video_keeps_the_source_frame_rate(tmp_path):
    import cv2

    path = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    for stride, expected in [(1, 5.0), (2, 2.5)]:
        out = tmp_path / f"out{stride}.avi"
        result = read_video(path, _pipe(), stride=stride, out_video=out, progress=False)
        assert result.fps == pytest.approx(expected)
        cap = cv2.VideoCapture(str(out))
        assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(expected)
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(result.frames)
        cap.release()


def test_ctrl_c_keeps_the_frames_read_so_far(tmp_path):
    import cv2

    path = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    seen = []
    result = read_video(path, StopAfter(_pipe(), 6), out_video=tmp_path / "out.avi", min_reads=1,
                        on_frame=lambda i, reads: seen.append((i, len(reads))), progress=False)
    assert result.interrupted and len(result.frames) == 5
    assert seen == [(i, 2) for i in range(5)]
    assert len(result.plates) == 2
    cap = cv2.VideoCapture(str(tmp_path / "out.avi"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 5
    cap.release()


def test_a_fault_leaves_no_partial_video(tmp_path):
    path = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    earlier = tmp_path / "out.avi"
    earlier.write_bytes(b"an earlier video")
    with pytest.raises(RuntimeError):
        read_video(path, StopAfter(_pipe(), 3, RuntimeError), out_video=earlier, progress=False)
    assert earlier.read_bytes() == b"an earlier video"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.avi", "out.avi"]


def test_video_command_writes_as_it_goes_and_keeps_earlier_results(tmp_path, monkeypatch, capsys):
    import lprkit.commands.video as video_command
    from lprkit import cli

    clip = write_video(_frames(), tmp_path / "clip.avi", fps=5)
    out = tmp_path / "out"
    monkeypatch.setattr(video_command, "build_pipeline", lambda args: StopAfter(_pipe(), 8))
    assert cli.main(["video", str(clip), "--out", str(out), "--min-reads", "1", "--annotated"]) == 0
    assert "stopped by Ctrl-C" in capsys.readouterr().out
    rows = (out / "reads.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "frame,track,text,confidence,x1,y1,x2,y2" and len(rows) == 1 + 7 * 2
    assert len((out / "plates.csv").read_text(encoding="utf-8").splitlines()) == 3
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ["annotated.mp4", "plates.csv", "reads.csv"]
    assert cli.main(["video", str(clip), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--overwrite" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    monkeypatch.setattr(video_command, "build_pipeline", lambda args: _pipe())
    assert cli.main(["video", str(clip), "--out", str(out), "--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["plates.csv", "reads.csv"]  # no stale video
    assert len((out / "reads.csv").read_text(encoding="utf-8").splitlines()) == 1 + 12 * 2
