"""Run-time settings: the profile, the data home and seeds.

The profile decides how much work the notebooks and training functions do:

* ``smoke``  — tests and CI: seconds per notebook.
* ``course`` — the default: minutes on a 2-core laptop or Binder, under 2 GB of RAM.
* ``full``   — a GPU: reproduces the shipped checkpoints.

It is read from the ``LPRKIT_PROFILE`` environment variable each time :func:`get_profile`
is called, so tests can change it with ``monkeypatch.setenv``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar

import numpy as np

from lprkit.errors import InputError

PROFILES: tuple[str, ...] = ("smoke", "course", "full")
DEFAULT_PROFILE = "course"
DEFAULT_SEED = 1234

T = TypeVar("T")


def get_profile() -> str:
    """Return the active profile name from ``LPRKIT_PROFILE`` (default ``course``).

    Raises
    ------
    ValueError
        If the variable holds something other than one of :data:`PROFILES`.
    """
    value = os.environ.get("LPRKIT_PROFILE", "").strip().lower() or DEFAULT_PROFILE
    if value not in PROFILES:
        raise InputError(
            f"LPRKIT_PROFILE={value!r} is not a known profile; use one of {', '.join(PROFILES)}"
        )
    return value


def by_profile(*, smoke: T, course: T, full: T, profile: str | None = None) -> T:
    """Pick the value for the active (or given) profile.

    Parameters
    ----------
    smoke, course, full
        The value to use in each profile.
    profile
        Profile to use instead of the active one.

    Examples
    --------
    >>> by_profile(smoke=10, course=1_000, full=100_000, profile="smoke")
    10
    """
    name = profile or get_profile()
    if name not in PROFILES:
        raise InputError(f"unknown profile {name!r}; use one of {', '.join(PROFILES)}")
    return {"smoke": smoke, "course": course, "full": full}[name]


def data_home() -> Path:
    """Folder where real data sets are looked for first and downloaded to.

    ``LPRKIT_DATA_HOME`` if set, else the user cache folder (``~/.cache/lprkit`` on Linux,
    as :func:`pooch.os_cache` gives it).
    """
    env = os.environ.get("LPRKIT_DATA_HOME")
    if env:
        return Path(env).expanduser()
    import pooch  # light, but only needed here

    return Path(pooch.os_cache("lprkit"))


def make_rng(seed: int | np.random.Generator | None = None) -> np.random.Generator:
    """Return a NumPy generator: the one given, or a new one from ``seed``.

    ``None`` means :data:`DEFAULT_SEED`, so that unseeded calls are still reproducible.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(DEFAULT_SEED if seed is None else seed)
