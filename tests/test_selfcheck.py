"""The exercises' self-checks: right answers pass, wrong ones get a hint that hides the answer."""

import pytest

from lprkit.course.selfcheck import EXERCISES, check

RIGHT = {
    "00-tokens": {"서울12가3456": 8, "AB123CD": 7},
    "03-anchor-ious": (0.25, 0.25),
    "04-ctc-frames": {"1234": 4, "1123": 5, "1111": 7},
}
WRONG = {
    "00-tokens": {"서울12가3456": 9, "AB123CD": 7},
    "03-anchor-ious": (0.5, 0.25),
    "04-ctc-frames": {"1234": 4, "1123": 4, "1111": 8},
}


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_right_answers_pass(name, capsys):
    assert check(name, RIGHT[name]) is True
    assert capsys.readouterr().out == f"{name}: right\n"


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_wrong_answers_get_a_hint_without_the_answer(name, capsys):
    assert check(name, WRONG[name]) is False
    out = capsys.readouterr().out
    assert out.startswith(f"{name}: not yet; ")
    hint = out.split("; ", 1)[1]
    right = RIGHT[name]
    if isinstance(right, dict):  # the hint may name the labels, never the numbers
        for label in right:
            hint = hint.replace(label, "")
        right = right.values()
    assert not any(str(v) in hint for v in right), hint


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_placeholder_and_malformed_answers(name, capsys):
    assert check(name, None) is False
    assert "no answer yet" in capsys.readouterr().out
    assert check(name, "nonsense") is False
    assert "give a" in capsys.readouterr().out


def test_every_self_check_is_in_its_notebook():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "notebooks"
    for name, ex in EXERCISES.items():
        source = "".join("".join(c["source"]) for c in json.loads((root / f"{ex.notebook}.ipynb").read_text())["cells"])
        assert f'check("{name}", my_answer)' in source, f"{ex.notebook} lacks the self-check {name}"


def test_unknown_exercise():
    with pytest.raises(ValueError, match="unknown exercise 'nope'; known: 00-tokens"):
        check("nope", 1)
