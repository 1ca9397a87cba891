"""Learning-rate schedules driven by a time budget instead of a step count.

On a laptop CPU a course run is limited by minutes, not epochs. A cosine schedule laid out
over 30 epochs and cut off after 5 never anneals, and the model stops at a high learning
rate. :class:`TimeBudget` lays the warm-up and the cosine decay over the wall-clock budget
instead, so whatever the machine's speed, the run ends annealed. Both trainers (recogniser
and detector) use it; no TensorFlow here.
"""

from __future__ import annotations

import math
import time

from lprkit.errors import InputError


def warmup_cosine(
    fraction: float, peak: float, warmup: float = 0.05, floor: float = 0.01, hold: float = 0.0
) -> float:
    """Learning rate at ``fraction`` (0 to 1) of a run: linear warm-up, hold, cosine decay.

    Parameters
    ----------
    fraction
        Share of the run already done; clipped to [0, 1].
    peak
        Learning rate reached at the end of the warm-up.
    warmup
        Share of the run spent warming up from ``floor * peak`` to ``peak``.
    floor
        Final (and initial) learning rate as a share of ``peak``.
    hold
        Share of the run kept at ``peak`` after the warm-up. CTC recognisers need it: they
        spend their first thousand or so steps on an all-blank plateau, and a rate that is
        already decaying makes the escape from it slower.

    Returns
    -------
    float
    """
    if peak <= 0:
        raise InputError(f"peak learning rate must be positive, got {peak}")
    if not (0 <= warmup and 0 <= hold and warmup + hold < 1):
        raise InputError(f"warmup and hold must be >= 0 with warmup + hold < 1, got {warmup}, {hold}")
    f = min(max(float(fraction), 0.0), 1.0)
    low = floor * peak
    if f < warmup:
        return low + (peak - low) * f / warmup
    if f < warmup + hold:
        return peak
    progress = (f - warmup - hold) / (1 - warmup - hold)
    return low + (peak - low) * 0.5 * (1 + math.cos(math.pi * progress))


class TimeBudget:
    """Wall-clock training budget that survives resumption.

    Only training counts: the trainers :meth:`pause` the clock while they validate and write
    checkpoints, so a course run's budget buys the same number of steps whether or not it
    validates after every epoch. The wall time of a run is therefore a little longer.

    Parameters
    ----------
    minutes
        Total training time allowed, over all resumed runs.
    spent_seconds
        Time already spent by earlier runs (from a checkpoint's state).
    clock
        Time source in seconds (tests pass a fake one).
    """

    def __init__(self, minutes: float, spent_seconds: float = 0.0, clock=time.perf_counter):
        if minutes <= 0:
            raise InputError(f"time budget must be positive, got {minutes} minutes")
        self.seconds = 60.0 * float(minutes)
        self._before = float(spent_seconds)
        self._clock = clock
        self._start = clock()
        self._paused_at: float | None = None

    @property
    def spent(self) -> float:
        """Seconds used so far, including earlier runs, not counting pauses."""
        now = self._paused_at if self._paused_at is not None else self._clock()
        return self._before + now - self._start

    def pause(self) -> None:
        """Stop the clock (validation, checkpoints); a second call does nothing."""
        if self._paused_at is None:
            self._paused_at = self._clock()

    def resume(self) -> None:
        """Start the clock again after :meth:`pause`; does nothing when it runs."""
        if self._paused_at is not None:
            self._start += self._clock() - self._paused_at
            self._paused_at = None

    @property
    def fraction(self) -> float:
        """Share of the budget used, 0 to 1."""
        return min(self.spent / self.seconds, 1.0)

    @property
    def done(self) -> bool:
        """True once the budget is spent."""
        return self.spent >= self.seconds

    def learning_rate(
        self, peak: float, warmup: float = 0.05, floor: float = 0.01, hold: float = 0.0
    ) -> float:
        """:func:`warmup_cosine` at the budget's current fraction."""
        return warmup_cosine(self.fraction, peak, warmup, floor, hold)
