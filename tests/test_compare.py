"""The comparison harness: same crops, same metrics, fair timing, tables and figures."""

from __future__ import annotations

import time

import numpy as np
import pytest

from lprkit.charset import KOREAN
from lprkit.recognition.base import PlateRead
from lprkit.recognition.compare import (
    ComparisonTable,
    checkpoint_recognizers,
    compare_recognizers,
    plot_accuracy_latency,
    plot_disagreements,
)

TEXTS = ["12가3456", "서울34나5678", "98하7654", "11배2222"]
STYLES = ["kr_private", "kr_region", "kr_private", "kr_private"]


def crops(n: int = len(TEXTS)) -> list[np.ndarray]:
    # The crop's first pixel tells the fake recognisers which plate it is.
    out = []
    for i in range(n):
        img = np.zeros((16, 64, 3), np.uint8)
        img[0, 0, 0] = i
        out.append(img)
    return out


class Lookup:
    """Reads from a table of answers, sleeping ``delay`` seconds per crop; counts calls."""

    alphabet = KOREAN

    def __init__(self, name, answers, delay=0.0, load_delay=0.0):
        time.sleep(load_delay)  # "loading the model": must not be timed
        self.name, self.answers, self.delay, self.calls = name, answers, delay, []

    def read(self, batch):
        self.calls.append(len(batch))
        time.sleep(self.delay * len(batch))
        return [PlateRead(self.answers[int(c[0, 0, 0])], 0.9) for c in batch]

    def describe(self):
        return f"lookup {self.name}"


def test_table_rows_accuracy_cer_and_styles():
    perfect = Lookup("perfect", TEXTS)
    sloppy = Lookup("sloppy", ["12가3457", "서울34나5678", "", "11배2222"])
    table = compare_recognizers([perfect, sloppy], crops(), TEXTS, STYLES, warmup=0)
    assert isinstance(table, ComparisonTable) and isinstance(table, list)
    assert [r["name"] for r in table] == ["perfect", "sloppy"]
    best, worst = table
    assert best["n"] == 4 and best["exact"] == 1.0 and best["cer"] == 0.0
    assert worst["exact"] == 0.5
    # Tokens: 7 + 8 (서울 is one token) + 7 + 7 = 29; edits: 1 substitution + 7 deletions.
    assert worst["cer"] == pytest.approx(8 / 29)
    assert worst["exact[kr_private]"] == pytest.approx(1 / 3)
    assert worst["exact[kr_region]"] == 1.0
    assert best["details"] == "lookup perfect"
    assert table.predictions["sloppy"][2] == "" and table.texts == TEXTS
    assert table.disagreements() == [0, 2]
    assert table.best()["name"] == "perfect"


def test_each_recogniser_reads_the_crops_of_its_two_line_layout():
    def shifted(k):  # plate i as the crop of plate i + k: a reader of the wrong cut misreads
        out = crops()
        for i, img in enumerate(out):
            img[0, 0, 0] = (i + k) % len(TEXTS)
        return out

    new, old, tess = Lookup("new", TEXTS), Lookup("old", TEXTS), Lookup("tesseract", TEXTS)
    new.two_line_top, old.two_line_top = "text", "span"  # tess has none: the default, "text"
    by_layout = {"text": crops(), "span": shifted(0)}
    table = compare_recognizers([new, old, tess], by_layout, TEXTS, warmup=0)
    assert [r["exact"] for r in table] == [1.0, 1.0, 1.0]
    by_layout["span"] = shifted(1)
    assert compare_recognizers([old], by_layout, TEXTS, warmup=0)[0]["exact"] == 0.0
    with pytest.raises(ValueError, match=r"old reads two-line strips of layout 'span'; crops are given for \['text'\]"):
        compare_recognizers([new, old], {"text": crops()}, TEXTS, warmup=0)
    with pytest.raises(ValueError, match="every layout must be as many"):
        compare_recognizers([new], {"text": crops(), "span": crops(2)}, TEXTS, warmup=0)


def test_timing_uses_a_warmup_and_excludes_loading():
    slow_loader = Lookup("slow-load", TEXTS, delay=0.002, load_delay=0.3)
    table = compare_recognizers([slow_loader], crops(), TEXTS, warmup=2, batch_size=1)
    assert slow_loader.calls == [1, 1] + [1] * 4  # two untimed warm-up reads, then one per crop
    row = table[0]
    assert 1.5 <= row["ms_median"] <= 100  # ~2 ms each; the 300 ms "load" is not in it
    assert row["ms_mean"] >= 1.5
    assert len(table.latencies_ms["slow-load"]) == 4


def test_batches_share_their_time():
    rec = Lookup("batched", TEXTS, delay=0.001)
    table = compare_recognizers([rec], crops(), TEXTS, warmup=1, batch_size=3)
    assert rec.calls == [3, 3, 1]
    ms = table.latencies_ms["batched"]
    assert ms[0] == ms[1] == ms[2]


def test_bad_input_is_rejected():
    ok = Lookup("a", TEXTS)
    with pytest.raises(ValueError, match="4 crops, 3 texts"):
        compare_recognizers([ok], crops(), TEXTS[:3])
    with pytest.raises(ValueError, match="no crops"):
        compare_recognizers([ok], [], [])
    with pytest.raises(ValueError, match="unique"):
        compare_recognizers([ok, Lookup("a", TEXTS)], crops(), TEXTS, warmup=0)

    class Short(Lookup):
        def read(self, batch):
            return super().read(batch)[:-1]

    with pytest.raises(ValueError, match="short returned 0 readings for 1 crops"):
        compare_recognizers([Short("short", TEXTS)], crops(), TEXTS, warmup=0)


def test_markdown_and_text_rendering():
    table = compare_recognizers(
        [Lookup("perfect", TEXTS), Lookup("empty", [""] * 4)], crops(), TEXTS, STYLES, warmup=0
    )
    md = table.to_markdown(digits=2).splitlines()
    assert md[0].startswith("| name | n | exact | cer | ms_mean | ms_median | exact[kr_private]")
    assert md[1].count("---") == len(table.columns())
    assert md[2].startswith("| perfect | 4 | 1.00 | 0.00 |")
    assert md[3].startswith("| empty | 4 | 0.00 | 1.00 |")
    text = str(table).splitlines()
    assert len(text) == 3 and text[1].split()[:4] == ["perfect", "4", "1.000", "0.000"]
    assert "details" in table.to_text(details=True).splitlines()[0]


def test_figures(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    table = compare_recognizers(
        [Lookup("perfect", TEXTS), Lookup("sloppy", ["", TEXTS[1], "x", TEXTS[3]], delay=0.001)],
        crops(), TEXTS, STYLES, warmup=0,
    )  # fmt: skip
    fig = plot_accuracy_latency(table, title="test")
    assert isinstance(fig, Figure) and len(fig.axes[0].collections) == 2
    grid = plot_disagreements(table, crops(), max_items=12, ncols=3)
    titled = [ax.get_title(loc="left") for ax in grid.axes if ax.get_title(loc="left")]
    assert len(titled) == 2 and "true  12가3456" in titled[0] and "x   sloppy: (none)" in titled[0]
    grid.savefig(tmp_path / "grid.png")  # Hangul renders without error

    agree = compare_recognizers([Lookup("a", TEXTS), Lookup("b", TEXTS)], crops(), TEXTS, warmup=0)
    assert isinstance(plot_disagreements(agree, crops()), Figure)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_checkpoint_recognizers(monkeypatch):
    import importlib.util
    import sys
    import types

    if importlib.util.find_spec("lprkit.checkpoints") is None:  # not written yet
        assert checkpoint_recognizers("korean") == []

    from lprkit.errors import LprkitError

    fake = types.ModuleType("lprkit.checkpoints")
    fake.available = lambda: ["crnn-korean", "crnn-latin", "yolov4-tiny-plates"]

    def load_recognizer(name):
        if name.startswith("yolo"):
            raise LprkitError(f"{name} is a detector")
        return Lookup(name, TEXTS) if "korean" in name else type("L", (), {"alphabet": None})()

    fake.load_recognizer = load_recognizer
    monkeypatch.setitem(sys.modules, "lprkit.checkpoints", fake)
    assert [r.name for r in checkpoint_recognizers("korean")] == ["crnn-korean"]
    assert len(checkpoint_recognizers()) == 2
    monkeypatch.setitem(sys.modules, "lprkit.checkpoints", None)  # absent module
    assert checkpoint_recognizers("korean") == []


def test_style_rows_and_tables_without_style_columns():
    table = compare_recognizers(
        [Lookup("perfect", TEXTS), Lookup("empty", [""] * 4)], crops(), TEXTS, STYLES, warmup=0
    )
    assert table.style_rows() == [
        {"style": "kr_private", "n": 3, "perfect": 1.0, "empty": 0.0},
        {"style": "kr_region", "n": 1, "perfect": 1.0, "empty": 0.0},
    ]
    md = table.style_markdown().splitlines()
    assert (
        md[0] == "| style | n | perfect | empty |" and md[2] == "| kr_private | 3 | 1.00 | 0.00 |"
    )
    assert "exact[" not in table.to_markdown(by_style=False)
    no_styles = compare_recognizers([Lookup("a", TEXTS)], crops(), TEXTS, warmup=0)
    with pytest.raises(ValueError, match="no styles"):
        no_styles.style_rows()
