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
