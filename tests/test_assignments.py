"""The instructor kit: otter-grader assignments build, and grading tells solutions from blanks."""

import json
from pathlib import Path

import nbformat
import pytest

from lprkit.course.assignments import Score, as_expected, build, grade_built, masters, report_line

ROOT = Path(__file__).resolve().parents[1] / "assignments"


def _tiny_master(folder: Path) -> Path:
    """A one-question master notebook: double(x), one public and one hidden test."""
    raw, code = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        raw("# ASSIGNMENT CONFIG\nname: tiny\nrun_tests: false\nexport_cell: false\ntests:\n  ok_format: false"),
        raw("# BEGIN QUESTION\nname: q1"),
        raw("# BEGIN SOLUTION"),
        code("def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code('""" # BEGIN TEST CONFIG\npoints: 1\n""" # END TEST CONFIG\ndef test_two(double):\n    assert double(2) == 4'),
        code('""" # BEGIN TEST CONFIG\npoints: 1\nhidden: true\n""" # END TEST CONFIG\n'
             "def test_many(double):\n    assert all(double(x) == x + x for x in range(-5, 5))"),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    (folder / "tiny").mkdir(parents=True)
    path = folder / "tiny" / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_build_and_grade_a_tiny_assignment(tmp_path):
    master = _tiny_master(tmp_path / "src")
    out = build(master, tmp_path / "dist")
    assert (out / "autograder" / "tiny-autograder.zip").is_file()
    student = nbformat.read(out / "student" / "tiny.ipynb", as_version=4)
    source = "\n".join(c.source for c in student.cells)
    assert "return 2 * x" not in source and "grader.check(\"q1\")" in source, "no solution in the student copy"
    solution, blank = grade_built(out)
    assert (solution, blank) == (Score(2, 2), Score(0, 2))
    assert report_line("tiny", solution, blank) == "tiny: solution 2/2, student 0/2"
    assert as_expected(solution, blank)


def test_as_expected_needs_full_marks_and_a_gap():
    assert not as_expected(Score(9, 10), Score(0, 10)), "a solution short of full marks"
    assert not as_expected(Score(10, 10), Score(10, 10)), "a blank notebook at full marks"
    assert not as_expected(Score(0, 0), Score(0, 0)), "no points to earn"


def test_the_course_has_four_assignments_with_points_and_hidden_tests():
    found = masters(ROOT)
    assert [m.stem for m in found] == ["boxes", "ctc", "evaluation", "new_style"]
    for m in found:
        text = json.dumps(json.loads(m.read_text(encoding="utf-8")))
        assert "hidden: true" in text and "hidden: false" in text, f"{m.stem}: public and hidden tests"
        assert "Learning goals" in text and "Expected time" in text, m.stem


def test_errors_name_what_is_missing(tmp_path):
    with pytest.raises(ValueError, match="no assignment in"):
        masters(tmp_path)
    (tmp_path / "x").mkdir()
    with pytest.raises(ValueError, match="run `make assignments` first"):
        grade_built(tmp_path / "x")
