import pytest

from lprkit import checkpoints
from lprkit.errors import LprkitError


def test_unknown_name_lists_what_is_accepted():
    with pytest.raises(LprkitError, match=r"unknown checkpoint 'no-such-model'.*\.tflite"):
        checkpoints.resolve("no-such-model")


def test_kind_of_folders_and_errors(tmp_path):
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "meta.json").write_text("{}")
    (tmp_path / "det").mkdir()
    (tmp_path / "det" / "detector.json").write_text("{}")
    (tmp_path / "empty").mkdir()
    assert checkpoints.checkpoint_kind(tmp_path / "rec") == "recognizer"
    assert checkpoints.checkpoint_kind(tmp_path / "det") == "detector"
    with pytest.raises(LprkitError, match="not a checkpoint folder"):
        checkpoints.checkpoint_kind(tmp_path / "empty")
    with pytest.raises(LprkitError, match="holds a detector, not a recognizer"):
        checkpoints.load_recognizer(tmp_path / "det")
    with pytest.raises(LprkitError, match="holds a recognizer, not a detector"):
        checkpoints.load_detector(tmp_path / "rec")


def test_tesseract_needs_an_alphabet():
    with pytest.raises(ValueError, match="--alphabet korean"):
        checkpoints.load_recognizer("tesseract")


def test_shipped_checkpoints_have_model_cards():
    for name in checkpoints.available():
        card = checkpoints.model_card(name)
        for heading in ("## Data", "## Command", "## Metrics"):
            assert heading in card, f"{name}: card.md lacks {heading}"


def test_grammar_styles_constrain_a_shipped_reader():
    from lprkit.synth.grammar import is_legal
    from lprkit.synth.render import render_plate

    plates = [render_plate(t, "eu_sk", seed, scale=0.5).image for seed, t in enumerate(["RK755AJ", "BA302OZ"])]
    rec = checkpoints.load_recognizer("crnn-latin", grammar_styles="eu_sk")
    assert rec.decoder == "beam" and rec.name == "crnn-latin [grammar: eu_sk]"
    texts = [r.text for r in rec.read(plates)]
    assert texts == ["RK755AJ", "BA302OZ"]
    assert all(is_legal(t, "eu_sk") for t in texts)


def test_grammar_styles_errors():
    with pytest.raises(ValueError, match="not 'latin' plates.*crnn-latin.*europe or latin"):
        checkpoints.load_recognizer("crnn-latin", grammar_styles="korean")
    with pytest.raises(ValueError, match="applies to CTC recognisers.*not tesseract"):
        checkpoints.load_recognizer("tesseract", alphabet="latin", grammar_styles="europe")
    with pytest.raises(ValueError, match="unknown plate style or group 'mars'"):
        checkpoints.load_recognizer("crnn-latin", grammar_styles="mars")


def test_shipped_readers_read_possible_two_line_crops_both_ways_by_default():
    assert checkpoints.load_recognizer("crnn-latin").two_line == "best"
    assert checkpoints.load_recognizer("crnn-latin", two_line=False).two_line is False
    assert checkpoints.load_recognizer("crnn-latin", grammar_styles="eu_sk").two_line == "best"


def test_shipped_korean_reader_reads_two_line_plates_in_whole_crops():
    from lprkit.synth.render import render_plate

    texts = ["12가3456", "47모6302", "03수2289", "88조1433"]
    plates = [render_plate(t, "kr_green_2line_2004", s, scale=0.4).image for s, t in enumerate(texts)]
    rec = checkpoints.load_recognizer("crnn-korean")
    assert [r.text for r in rec.read(plates)] == texts  # read both ways, the strip wins
    flat = [r.text for r in rec.read(plates, two_line=False)]
    assert not any(f == t for f, t in zip(flat, texts, strict=True))  # squashed: unreadable


def test_shipped_recognizers_record_their_two_line_layout():
    import json

    from lprkit.synth.twoline import TOP_LAYOUTS

    for name in checkpoints.available():
        path = checkpoints.resolve(name)
        if checkpoints.checkpoint_kind(path) != "recognizer":
            continue
        layout = json.loads((path / "meta.json").read_text())["two_line_top"]
        assert layout in TOP_LAYOUTS, name
        assert checkpoints.load_recognizer(name).two_line_top == layout, name
        assert f"strips of the `{layout}` layout" in checkpoints.model_card(name), name


def test_card_metrics_is_the_first_metrics_table(tmp_path):
    from lprkit.checkpoints import card_metrics

    for name in ("crnn-korean", "yolov4-tiny-plates"):
        table = card_metrics(name).splitlines()
        assert table[0].startswith("| set |") and set(table[1]) <= set("|-") and len(table) >= 3
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "card.md").write_text("# m\n\n## Metrics\n\nNothing measured yet.\n\n## Limitations\n", encoding="utf-8")
    with pytest.raises(LprkitError, match="holds no table"):
        card_metrics(folder)
