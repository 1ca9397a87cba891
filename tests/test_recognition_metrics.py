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
