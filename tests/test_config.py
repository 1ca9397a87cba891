import numpy as np
import pytest

from lprkit import config


def test_default_profile_is_course(monkeypatch):
    monkeypatch.delenv("LPRKIT_PROFILE")
    assert config.get_profile() == "course"


@pytest.mark.parametrize("value", ["smoke", "course", "full", " FULL "])
def test_known_profiles(monkeypatch, value):
    monkeypatch.setenv("LPRKIT_PROFILE", value)
    assert config.get_profile() == value.strip().lower()


def test_unknown_profile_names_value_and_choices(monkeypatch):
    monkeypatch.setenv("LPRKIT_PROFILE", "turbo")
    with pytest.raises(ValueError, match=r"'turbo'.*smoke, course, full"):
        config.get_profile()


def test_by_profile_picks_active(monkeypatch):
    assert config.by_profile(smoke=1, course=2, full=3) == 1  # conftest sets smoke
    monkeypatch.setenv("LPRKIT_PROFILE", "full")
    assert config.by_profile(smoke=1, course=2, full=3) == 3
    assert config.by_profile(smoke=1, course=2, full=3, profile="course") == 2
    with pytest.raises(ValueError, match="unknown profile"):
        config.by_profile(smoke=1, course=2, full=3, profile="fast")


def test_data_home_env_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("LPRKIT_DATA_HOME", str(tmp_path))
    assert config.data_home() == tmp_path
    monkeypatch.delenv("LPRKIT_DATA_HOME")
    assert config.data_home().name == "lprkit"


def test_make_rng_is_reproducible():
    a = config.make_rng(7).integers(0, 1000, 5)
    b = config.make_rng(7).integers(0, 1000, 5)
    assert np.array_equal(a, b)
    g = np.random.default_rng(1)
    assert config.make_rng(g) is g
    assert np.array_equal(config.make_rng(None).random(3), config.make_rng(config.DEFAULT_SEED).random(3))
