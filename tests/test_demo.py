import pytest

from lprkit import cli
from lprkit.checkpoints import available


@pytest.mark.slow
def test_demo_renders_styles_and_reads_scenes_with_shipped_checkpoints(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path), "--scenes", "2", "--real", "1"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "plates.png").stat().st_size > 10_000
    if {"yolov4-tiny-plates", "crnn-korean"} <= set(available()):
        assert "synthetic scenes:" in out
        lines = (tmp_path / "scenes" / "reads.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("file,frame,plate,text")
        assert len(list((tmp_path / "scenes" / "annotated").iterdir())) == 2
    else:
        assert "shipped checkpoints missing" in out


def test_compare_reads_tells_right_wrong_unread_missed_and_false_plates():
    from lprkit.commands.demo import compare_reads
    from lprkit.data.annotations import ObjectBox
    from lprkit.pipeline import PlateResult

    plates = [ObjectBox("plate", 0, 0, 100, 30, text="AB123"), ObjectBox("plate", 200, 0, 300, 30, text="CD456"),
              ObjectBox("plate", 400, 0, 500, 30, text="EF789"), ObjectBox("plate", 0, 100, 100, 130, text="GH012")]
    results = [
        PlateResult((1, 0, 100, 30), 0.9, "AB-123", 0.95),          # right (normalised)
        PlateResult((200, 0, 300, 31), 0.8, "CD458", 0.7),          # wrong
        PlateResult((400, 0, 500, 30), 0.7, "", 0.2, unread=True),  # found, not believable
        PlateResult((600, 0, 700, 30), 0.9, "XY999", 0.9),          # no label there
        PlateResult((600, 100, 700, 130), 0.6, "", 0.1, unread=True),  # unread and unlabelled: silent
    ]
    lines, counts = compare_reads(results, plates)
    assert counts == {"right": 1, "WRONG": 1, "unread": 1, "missed": 1, "false plate": 1}
    assert [line.split()[-1] for line in lines] == ["right", "WRONG", "unread", "missed", "plate"]
    assert "(unread, 0.20)" in lines[2] and lines[3].startswith("GH012") and "(no box)" in lines[3]
