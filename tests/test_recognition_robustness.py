"""quality_sweep: the same plates at several sizes and degradation strengths."""

import numpy as np
import pytest

from lprkit.charset import get_alphabet
from lprkit.recognition.base import PlateRead
from lprkit.recognition.robustness import quality_pivot, quality_sweep
from lprkit.synth.dataset import generate_crops
from lprkit.synth.styles import get_style

SIZE = (128, 32)
STYLES = ["kr_private_2019", "kr_green_2line"]


class ScriptedRecognizer:
    """Reads the i-th crop of each call as ``texts[i]``, optionally spoiling two-line plates."""

    name = "scripted"
    input_size = SIZE
    alphabet = get_alphabet("korean")

    def __init__(self, texts, styles, spoil_two_line=False):
        self.texts, self.styles, self.spoil = texts, styles, spoil_two_line
        self.offset, self.batches = 0, []

    def read(self, crops):
        self.batches.append(np.stack(crops))
        out = []
        for k in range(len(crops)):
            i = (self.offset + k) % len(self.texts)
            text = self.texts[i]
            if self.spoil and get_style(self.styles[i]).two_line:
                text = text[:-1]  # one token missing
            out.append(PlateRead(text, 0.9))
        self.offset += len(crops)
        return out


@pytest.fixture(scope="module")
def plates():
    _, texts, styles = generate_crops(12, STYLES, size=SIZE, seed=3)
    return texts, styles


def test_every_condition_draws_the_same_plates(plates):
    texts, styles = plates
    rec = ScriptedRecognizer(texts, styles)
    rows = quality_sweep(rec, STYLES, strengths=(0.0, 1.0), render_scales=(1.0, 2.0), n=12, seed=3,
                         processes=1)
    assert [(r["render_scale"], r["strength"], r["lines"]) for r in rows][:3] == [
        (1.0, 0.0, "all"), (1.0, 0.0, "one"), (1.0, 0.0, "two")]
    assert len(rows) == 2 * 2 * 3
    # the scripted reader returns the first draw's texts: right in every condition
    assert all(r["exact"] == 1.0 and r["cer"] == 0.0 for r in rows)
    n_two = sum(get_style(s).two_line for s in styles)
    assert {r["n"] for r in rows if r["lines"] == "two"} == {n_two}
    assert {r["n"] for r in rows if r["lines"] == "all"} == {12}
    # ... but the images differ: clean vs degraded, small vs large
    clean, degraded = rec.batches[0], rec.batches[1]
    assert clean.shape == degraded.shape == (12, SIZE[1], SIZE[0], 3)
    assert not np.array_equal(clean, degraded)
    assert not np.array_equal(rec.batches[0], rec.batches[2])


def test_rows_split_one_and_two_line_plates(plates):
    texts, styles = plates
    rows = quality_sweep(ScriptedRecognizer(texts, styles, spoil_two_line=True), STYLES,
                         strengths=(1.0,), render_scales=(1.0,), n=12, seed=3, processes=1)
    by_lines = {r["lines"]: r for r in rows}
    two = [t for t, s in zip(texts, styles, strict=True) if get_style(s).two_line]
    assert 0 < len(two) < 12
    assert by_lines["one"]["exact"] == 1.0 and by_lines["two"]["exact"] == 0.0
    assert by_lines["all"]["exact"] == pytest.approx(1 - len(two) / 12)
    alphabet = get_alphabet("korean")
    assert by_lines["two"]["cer"] == pytest.approx(len(two) / sum(len(alphabet.tokenize(t)) for t in two))


def test_one_line_styles_give_no_two_line_row():
    _, texts, styles = generate_crops(4, ["kr_ev"], size=SIZE, seed=1)
    rows = quality_sweep(ScriptedRecognizer(texts, styles), ["kr_ev"], strengths=(0.5,),
                         render_scales=(1.0,), n=4, seed=1, processes=1)
    assert [r["lines"] for r in rows] == ["all", "one"]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n": 0}, "at least one plate"), ({"strengths": ()}, "at least one strength"),
     ({"strengths": (3.0,)}, "outside \\[0, 2\\]"), ({"render_scales": (20.0,)}, "render_scale")],
)
def test_bad_arguments_are_named(kwargs, message):
    rec = ScriptedRecognizer(["12가3456"], ["kr_private_2019"])
    with pytest.raises(ValueError, match=message):
        quality_sweep(rec, ["kr_private_2019"], **{"n": 2, "processes": 1, **kwargs})


def test_pivot_puts_strengths_in_columns():
    rows = [
        {"render_scale": 1.0, "strength": s, "lines": lines, "n": 10, "exact": e, "cer": 0.1}
        for s, e in ((0.0, 0.9), (1.0, 0.5)) for lines in ("all", "two")
    ]
    table, columns = quality_pivot(rows)
    assert columns == ["render scale", "lines", "n", "strength 0", "strength 1"]
    assert table == [
        {"render scale": "1x", "lines": "all", "n": 10, "strength 0": 0.9, "strength 1": 0.5},
        {"render scale": "1x", "lines": "two", "n": 10, "strength 0": 0.9, "strength 1": 0.5},
    ]
    assert quality_pivot(rows, "cer")[0][0]["strength 1"] == 0.1
    with pytest.raises(ValueError, match="'exact' or 'cer'"):
        quality_pivot(rows, "speed")


def test_size_overrides_the_recognizers_input(plates):
    texts, styles = plates
    rec = ScriptedRecognizer(texts, styles)
    quality_sweep(rec, STYLES, strengths=(0.0,), render_scales=(1.0,), n=12, seed=3, size=(94, 24),
                  processes=1)
    assert rec.batches[0].shape == (12, 24, 94, 3)


def test_degradation_ablation_reads_the_same_plates_per_condition(plates):
    from lprkit.recognition.robustness import default_ablations, degradation_ablation

    texts, styles = plates
    rec = ScriptedRecognizer(texts, styles, spoil_two_line=True)
    conditions = {"without downscale": {"downscale": 0.0}, "clean": {"warp": 0.0, "jpeg": 0.0}}
    rows = degradation_ablation(rec, STYLES, conditions, n=12, seed=3, processes=1)
    labels = ["as in the test set", "without downscale", "clean"]
    assert [(r["condition"], r["lines"]) for r in rows] == [
        (c, lines) for c in labels for lines in ("all", "one", "two")]
    # the same plates in every condition (the scripted reader is right on one-line plates) ...
    assert {r["exact"] for r in rows if r["lines"] == "one"} == {1.0}
    assert {r["exact"] for r in rows if r["lines"] == "two"} == {0.0}
    # ... and the first condition is the test set itself
    test_set = generate_crops(12, STYLES, size=SIZE, seed=3)[0]
    assert rec.batches[0].tobytes() == test_set.tobytes()
    assert not np.array_equal(rec.batches[0], rec.batches[2])
    defaults = default_ablations()
    assert defaults["without downscale"] == {"downscale": 0.0}
    assert "without rotate" not in defaults  # applied only inside warp in the test set
    assert set(defaults["without any (clean)"]) >= {"warp", "jpeg", "noise"}
    with pytest.raises(ValueError, match="condition 'foggy': unknown degradations"):
        degradation_ablation(rec, STYLES, {"foggy": {"fog": 1.0}}, n=2, processes=1)
    with pytest.raises(ValueError, match="at least one plate"):
        degradation_ablation(rec, STYLES, n=0)


def test_ablation_pivot_puts_line_layouts_in_columns():
    from lprkit.recognition.robustness import ablation_pivot

    rows = [
        {"condition": c, "lines": lines, "n": 5, "exact": e, "cer": 0.2}
        for c, e in (("as in the test set", 0.6), ("without jpeg", 0.8)) for lines in ("all", "two")
    ]
    table, columns = ablation_pivot(rows)
    assert columns == ["condition", "all", "two"]  # no one-line plates, no column
    assert table == [{"condition": "as in the test set", "all": 0.6, "two": 0.6},
                     {"condition": "without jpeg", "all": 0.8, "two": 0.8}]
    assert ablation_pivot(rows, "cer")[0][1]["two"] == 0.2
    with pytest.raises(ValueError, match="'exact' or 'cer'"):
        ablation_pivot(rows, "speed")


def test_size_sweep_draws_the_same_plates_at_each_height(plates):
    from lprkit.recognition.robustness import size_pivot, size_sweep

    texts, styles = plates
    rec = ScriptedRecognizer(texts, styles, spoil_two_line=True)
    rows = size_sweep(rec, STYLES, char_heights=(10, 30), strengths=(0.0, 1.0), n=12, seed=3, processes=1)
    assert [(r["char_height"], r["strength"]) for r in rows[::3]] == [
        (10.0, 0.0), (10.0, 1.0), (30.0, 0.0), (30.0, 1.0)]
    assert {r["exact"] for r in rows if r["lines"] == "one"} == {1.0}  # the same plates each time
    assert {r["exact"] for r in rows if r["lines"] == "two"} == {0.0}
    small, large = rec.batches[0], rec.batches[2]  # both clean: only the drawn size differs
    assert small.shape == large.shape == (12, SIZE[1], SIZE[0], 3) and not np.array_equal(small, large)
    table, columns = size_pivot(rows)
    assert columns == ["char height", "lines", "n", "strength 0", "strength 1"]
    assert table[0] == {"char height": "10 px", "lines": "all", "n": 12, "strength 0": rows[0]["exact"],
                        "strength 1": rows[3]["exact"]}
    read_before = len(rec.batches)
    with pytest.raises(ValueError, match="char_height must be between 4 and 200 pixels, got 2"):
        size_sweep(rec, STYLES, char_heights=(10, 2), n=2, processes=1)
    assert len(rec.batches) == read_before  # refused before reading the first height
    with pytest.raises(ValueError, match="at least one character height"):
        size_sweep(rec, STYLES, char_heights=(), n=2, processes=1)


def test_by_char_height_bins_the_test_set(plates):
    from lprkit.recognition.robustness import by_char_height
    from lprkit.synth.dataset import crop_char_heights

    texts, styles = plates
    rec = ScriptedRecognizer(texts, styles, spoil_two_line=True)
    heights = crop_char_heights(12, STYLES, SIZE, seed=3)
    two = np.array([get_style(s).two_line for s in styles])
    assert heights[two].max() < 18 <= heights[~two].min()  # top lines of two-line plates are small
    rows = by_char_height(rec, STYLES, edges=(18,), n=12, seed=3, processes=1)
    assert [r["char_height"] for r in rows] == ["< 18 px", ">= 18 px", "all"]
    below, above, total = rows
    assert (below["n"], above["n"], total["n"]) == (two.sum(), (~two).sum(), 12)
    assert below["exact"] == 0.0 and above["exact"] == 1.0 and above["exact_from_here"] == 1.0
    assert below["exact_from_here"] == total["exact"] == pytest.approx((~two).mean())
    assert below["share"] + above["share"] == pytest.approx(1.0)
    assert rec.batches[0].tobytes() == generate_crops(12, STYLES, size=SIZE, seed=3)[0].tobytes()
    with pytest.raises(ValueError, match="edges must be increasing"):
        by_char_height(rec, STYLES, edges=(12, 10), n=2)


def test_char_height_bins_of_plates_already_read():
    from lprkit.recognition.robustness import char_height_bins

    rows = [{"text": "AB", "read": read, "correct": read == "AB"} for read in ("AB", "A", "AB", "AB")]
    bins = char_height_bins(rows, [9.0, 11.0, 30.0, 12.0], edges=(10, 20))
    assert [(r["char_height"], r["n"], r["exact"], r["exact_from_here"]) for r in bins] == [
        ("< 10 px", 1, 1.0, 0.75), ("10-20 px", 2, 0.5, 2 / 3), (">= 20 px", 1, 1.0, 1.0), ("all", 4, 0.75, 0.75)]
    assert bins[1]["cer"] == 0.25 and bins[1]["share"] == 0.5  # one edit over four characters
    with pytest.raises(ValueError, match="3 heights for 4 plates"):
        char_height_bins(rows, [9.0, 11.0, 30.0], edges=(10,))
