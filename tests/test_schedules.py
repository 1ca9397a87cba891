"""Time-budget learning-rate schedule: known values, resumption, bad arguments."""

from __future__ import annotations

import pytest

from lprkit.schedules import TimeBudget, warmup_cosine


def test_warmup_cosine_known_points():
    assert warmup_cosine(0.0, 1.0, warmup=0.1, floor=0.01) == pytest.approx(0.01)
    assert warmup_cosine(0.05, 1.0, warmup=0.1, floor=0.01) == pytest.approx(0.505)
    assert warmup_cosine(0.1, 1.0, warmup=0.1, floor=0.01) == pytest.approx(1.0)
    assert warmup_cosine(0.55, 1.0, warmup=0.1, floor=0.01) == pytest.approx(0.505)  # half-way
    assert warmup_cosine(1.0, 1.0, warmup=0.1, floor=0.01) == pytest.approx(0.01)
    assert warmup_cosine(7.0, 2.0, warmup=0.0, floor=0.5) == pytest.approx(1.0)  # clipped
    assert warmup_cosine(0.0, 2.0, warmup=0.0) == pytest.approx(2.0)
    # with a hold: the peak stays until warm-up + hold, then the cosine runs over the rest
    assert warmup_cosine(0.3, 1.0, warmup=0.1, hold=0.4) == pytest.approx(1.0)
    assert warmup_cosine(0.75, 1.0, warmup=0.1, floor=0.0, hold=0.4) == pytest.approx(0.5)


def test_time_budget_counts_earlier_runs():
    now = [100.0]
    budget = TimeBudget(1.0, spent_seconds=30.0, clock=lambda: now[0])
    assert budget.fraction == pytest.approx(0.5)
    assert not budget.done
    now[0] += 29.0
    assert budget.spent == pytest.approx(59.0)
    assert budget.learning_rate(1.0) < 0.05  # nearly annealed
    now[0] += 1.0
    assert budget.done and budget.fraction == 1.0


def test_time_budget_does_not_count_pauses():
    now = [0.0]
    budget = TimeBudget(1.0, clock=lambda: now[0])
    now[0] = 10.0
    budget.pause()  # e.g. validation
    now[0] = 50.0
    assert budget.spent == pytest.approx(10.0)
    budget.resume()
    assert budget.spent == pytest.approx(10.0)
    budget.pause()
    budget.pause()  # a second pause keeps the first pause's start
    now[0] = 80.0
    budget.resume()
    budget.resume()  # resuming a running clock changes nothing
    now[0] = 90.0
    assert budget.spent == pytest.approx(20.0) and not budget.done


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: warmup_cosine(0.5, 0.0), "peak learning rate"),
        (lambda: warmup_cosine(0.5, 1.0, warmup=1.0), "warmup"),
        (lambda: warmup_cosine(0.5, 1.0, warmup=0.5, hold=0.5), "hold"),
        (lambda: TimeBudget(0), "time budget"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
