"""A style described by a user joins the registry and works wherever a style name does."""

import numpy as np
import pytest

from lprkit.synth import styles
from lprkit.synth.custom_styles import register_style
from lprkit.synth.styles import LATIN_FONTS, Line, PlateStyle, digits, letters


def _style(name="xx_test", example="AB1234"):
    line = Line((letters(2), digits(4)), (0.06, 0.12, 0.94, 0.88))
    return PlateStyle(name, "europe", "latin", "white", False, (520, 110), (240, 240, 236), (20, 20, 20),
                      (line,), example, fonts=LATIN_FONTS)


@pytest.fixture(autouse=True)
def _clean_registry(monkeypatch):
    monkeypatch.setattr(styles, "STYLES", dict(styles.STYLES))
    import lprkit.synth.custom_styles as custom

    monkeypatch.setattr(custom, "STYLES", styles.STYLES)


def test_registered_style_renders_and_generates_crops():
    from lprkit.synth.dataset import generate_crops
    from lprkit.synth.grammar import is_legal

    register_style(_style())
    assert "xx_test" in styles.resolve_styles("xx_test,eu_de")
    x, texts, names = generate_crops(5, "xx_test", size=(128, 32), seed=3)
    assert x.shape == (5, 32, 128, 3) and set(names) == {"xx_test"}
    assert all(is_legal(t, "xx_test") and len(t) == 6 for t in texts)
    again, texts_again, _ = generate_crops(5, "xx_test", size=(128, 32), seed=3)
    assert np.array_equal(x, again) and texts == texts_again


def test_refusals_name_the_problem():
    register_style(_style())
    with pytest.raises(ValueError, match="'xx_test' exists; pass replace=True"):
        register_style(_style())
    register_style(_style(example="ZZ9999"), replace=True)
    assert styles.get_style("xx_test").example == "ZZ9999"
    with pytest.raises(ValueError, match="example 'AB12' is not a label its fields can draw"):
        register_style(_style("xx_other", example="AB12"))
    assert "xx_other" not in styles.STYLES
    with pytest.raises(TypeError, match="needs a PlateStyle"):
        register_style("eu_de")


def test_a_style_without_fonts_draws_with_every_font_of_its_script():
    # regression: a serif "I" is wider than its stem, and DIN-style M/W drawn from it did not fit
    from lprkit.synth.render import random_plate

    line = Line((letters(3, sep="-"), digits(3, 1, 999), letters(1)), (0.06, 0.14, 0.94, 0.86))
    register_style(PlateStyle("xx_nofont", "europe", "latin", "green", False, (440, 120), (20, 110, 60),
                              (245, 245, 240), (line,), "ABC-123D"))
    rng = np.random.default_rng(0)
    assert all(random_plate("xx_nofont", rng).image.shape[2] in (3, 4) for _ in range(150))
