"""Self-checks for the notebooks' exercises: say whether an answer is right, not what it is.

A learner writes an answer into a notebook cell and calls :func:`check` with the exercise's
name; the check computes the right answer with lprkit and prints one line, ``right`` or
``not yet`` with a hint that does not give the answer away. Solutions to every exercise live
with the instructor material (``docs/instructors.md``), not in the learner's notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lprkit.errors import InputError


@dataclass(frozen=True)
class Exercise:
    """One self-checked exercise: what the answer looks like, and how to judge it."""

    notebook: str
    shape: str  # what to pass, e.g. "a tuple of two floats"
    judge: Callable[[Any], str | None]  # None when right, else a hint


def _token_counts(answer) -> str | None:
    from lprkit.charset import get_alphabet

    want = {
        "서울12가3456": len(get_alphabet("korean").tokenize("서울12가3456")),
        "AB123CD": len(get_alphabet("latin").tokenize("AB123CD")),
    }
    if not isinstance(answer, dict) or set(answer) != set(want):
        return f"give a dict with the keys {sorted(want)}"
    wrong = [k for k in want if answer[k] != want[k]]
    if wrong:
        return f"count again for {', '.join(wrong)}: is every character one token?"
    return None


def _anchor_ious(answer) -> str | None:
    import numpy as np

    from lprkit.detection.anchors import wh_iou

    want = [
        float(wh_iou(np.array([[20, 6]]), np.array([[40, 12]]))[0, 0]),
        float(wh_iou(np.array([[200, 60]]), np.array([[400, 120]]))[0, 0]),
    ]
    try:
        got = [float(v) for v in answer]
    except (TypeError, ValueError):
        return "give a tuple of two floats (small box, large box)"
    if len(got) != 2:
        return "give a tuple of two floats (small box, large box)"
    if any(abs(g - w) > 0.005 for g, w in zip(got, want, strict=True)):
        return "not both right: the intersection is the smaller width times the smaller height"
    return None


def _ctc_frames(answer) -> str | None:
    labels = ("1234", "1123", "1111")
    if not isinstance(answer, dict) or set(answer) != set(labels):
        return f"give a dict with the keys {list(labels)}"
    want = {lab: len(lab) + sum(a == b for a, b in zip(lab, lab[1:], strict=False)) for lab in labels}
    wrong = [lab for lab in labels if answer[lab] != want[lab]]
    if wrong:
        return f"look again at {', '.join(wrong)}: what must sit between two equal tokens?"
    return None


EXERCISES: dict[str, Exercise] = {
    "00-tokens": Exercise("00_welcome", "a dict {text: number of tokens}", _token_counts),
    "03-anchor-ious": Exercise("03_yolov4_detector", "a tuple of two floats", _anchor_ious),
    "04-ctc-frames": Exercise("04_crnn_recognizer", "a dict {label: frames}", _ctc_frames),
}


def check(name: str, answer: Any) -> bool:
    """Print whether ``answer`` to exercise ``name`` is right; return True when it is.

    ``None`` (the notebooks' placeholder) prints how to answer instead.

    Raises
    ------
    ValueError
        For an unknown exercise name, listing the known ones.
    """
    if name not in EXERCISES:
        raise InputError(f"unknown exercise {name!r}; known: {', '.join(EXERCISES)}")
    ex = EXERCISES[name]
    if answer is None:
        print(f"{name}: no answer yet; set my_answer to {ex.shape} and run the cell again")
        return False
    hint = ex.judge(answer)
    print(f"{name}: right" if hint is None else f"{name}: not yet; {hint}")
    return hint is None
