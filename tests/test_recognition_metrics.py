"""Metrics with known answers: edit distance over tokens, CER, confusions, by-style table."""

from __future__ import annotations

import pytest

from lprkit.charset import KOREAN
from lprkit.recognition.base import PlateRead
from lprkit.recognition.metrics import (
    align,
    cer,
    confusion_table,
    edit_distance,
    evaluate_recognizer,
    exact_accuracy,
    misread_line,
    two_line_errors,
)


def test_edit_distance_known_answers():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("12가3456", "12가3456") == 0
    # a region is one token: 서울 -> 부산 is one substitution, not two
    assert edit_distance("서울12가3456", "부산12가3456", KOREAN) == 1
    assert edit_distance("서울12가3456", "부산12가3456") == 2


def test_cer_and_exact():
    refs = ["AB12", "CD34"]
    assert cer(refs, ["AB12", "CD3"]) == pytest.approx(1 / 8)
    assert cer(refs, ["XB12", ""]) == pytest.approx(5 / 8)
    assert exact_accuracy(refs, ["AB12", "CD-34"]) == 1.0
    assert exact_accuracy(refs, ["AB12", "CD35"]) == 0.5
    with pytest.raises(ValueError, match="2 references but 1 readings"):
        cer(refs, ["AB12"])


def test_align_and_confusions():
    assert align(list("abc"), list("axcd")) == [("a", "a"), ("b", "x"), ("c", "c"), ("", "d")]
    rows = confusion_table(["8B", "8A", "12"], ["BB", "BA", "1"])
    assert rows[0] == {"true": "8", "read": "B", "count": 2}
    assert {"true": "2", "read": "", "count": 1} in rows


class FakeRecognizer:
    name = "fake"
    alphabet = KOREAN

    def __init__(self, answers):
        self.answers = dict(answers)

    def read(self, crops):
        return [PlateRead(self.answers[int(c)], 0.5) for c in crops]


def test_evaluate_recognizer_table():
    texts = ["12가3456", "서울12가3456", "34나5678", "123가4567"]
    reads = {0: "12가3456", 1: "부산12가3456", 2: "34나5678", 3: "123가456"}
    report = evaluate_recognizer(
        FakeRecognizer(reads), [0, 1, 2, 3], texts, styles=["a", "b", "a", "b"], batch_size=3
    )
    assert report.summary["n"] == 4 and report.summary["recognizer"] == "fake"
    assert report.summary["exact"] == 0.5
    assert report.summary["cer"] == pytest.approx(2 / 30)
    assert [r["correct"] for r in report.rows] == [True, False, True, False]
    by = {b["style"]: b for b in report.by_style}
    assert by["a"]["exact"] == 1.0 and by["b"]["exact"] == 0.0
    assert {"true": "서울", "read": "부산", "count": 1} in report.confusions
    assert len(report.errors()) == 2 and "exact=0.500" in str(report)
    with pytest.raises(ValueError, match="3 styles for 4 texts"):
        evaluate_recognizer(FakeRecognizer(reads), [0, 1, 2, 3], texts, styles=["a"] * 3)


def test_two_line_errors_name_the_line_that_was_misread():
    refs = ["서울94사6731", "서울94사6731", "서울94사6731", "서울94사6731", "47루2194", "12가3456"]
    hyps = ["서울94사6731", "부산94사6731", "서울94바6731", "부산94사673", "47루21944", "12가3457"]
    styles = ["kr_commercial_2line"] * 4 + ["kr_private_2line_short", "kr_private_2006"]
    rows = two_line_errors(refs, hyps, styles, KOREAN)
    assert rows == [  # one-line plates are skipped; styles come sorted
        {
            "style": "kr_commercial_2line",
            "n": 4,
            "wrong": 3,
            "top_only": 1,
            "bottom_only": 1,
            "other": 1,
        },
        {
            "style": "kr_private_2line_short",
            "n": 1,
            "wrong": 1,
            "top_only": 0,
            "bottom_only": 1,
            "other": 0,
        },
    ]
    # a token added between the lines keeps both lines' tokens but is still wrong
    assert two_line_errors(["47루2194"], ["47루12194"], ["kr_private_2line_short"])[0]["other"] == 1
    with pytest.raises(ValueError, match="2 references, 1 readings and 2 styles"):
        two_line_errors(["47루2194"] * 2, ["47루2194"], ["kr_private_2line_short"] * 2)
    with pytest.raises(ValueError, match="not a legal kr_private_2line_short plate"):
        two_line_errors(["123가4567"], ["123가4568"], ["kr_private_2line_short"])


def test_misread_line_per_plate():
    style = "kr_commercial_2line"
    assert misread_line("서울94사6731", "부산94사6731", style, KOREAN) == "top"
    assert misread_line("서울94사6731", "서울94바6731", style, KOREAN) == "bottom"
    assert misread_line("서울94사6731", "부산94사673", style, KOREAN) == "other"
    assert misread_line("서울94사6731", "서울94사6731", style, KOREAN) is None
    assert misread_line("12가3456", "12가3457", "kr_private_2006", KOREAN) is None  # one line


def test_paired_difference_known_answer_and_symmetry():
    from lprkit.recognition.metrics import paired_difference

    a = [True] * 15 + [False] * 5 + [True] * 80
    b = [False] * 15 + [True] * 5 + [True] * 80
    diff, lo, hi = paired_difference(a, b)
    assert diff == pytest.approx(0.10)
    assert (lo, hi) == pytest.approx((0.10 - 1.96 * 0.0435890, 0.10 + 1.96 * 0.0435890), abs=1e-6)
    assert paired_difference(b, a) == pytest.approx((-diff, -hi, -lo))
    # identical results: no difference and no spread
    assert paired_difference(a, a) == (0.0, 0.0, 0.0)


def test_paired_difference_refuses_unequal_lists():
    from lprkit.recognition.metrics import paired_difference

    with pytest.raises(ValueError, match="equally long"):
        paired_difference([True, False], [True])
