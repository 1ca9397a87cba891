import numpy as np
import pytest

from lprkit.charset import (
    ALPHABETS,
    BLANK,
    HANGUL_ALL,
    KOREAN,
    KOREAN_REGIONS,
    LATIN,
    Alphabet,
    get_alphabet,
    pad_labels,
    register_alphabet,
)


@pytest.mark.parametrize("alphabet", [KOREAN, LATIN], ids=lambda a: a.name)
def test_every_token_round_trips(alphabet):
    for code, token in enumerate(alphabet.tokens, start=1):
        assert alphabet.encode(token) == [code]
        assert alphabet.decode([code]) == token
    text = "".join(alphabet.tokens)
    assert alphabet.decode(alphabet.encode(text)) == text


def test_blank_is_zero_and_not_a_token():
    assert BLANK == 0
    assert KOREAN.num_classes == len(KOREAN) + 1
    assert KOREAN.decode([0, KOREAN.code("1"), 0, 0, KOREAN.code("가")]) == "1가"


def test_korean_covers_plate_hangul_and_regions():
    for syllable in "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호바사아자배":
        assert KOREAN.can_write(syllable)
    assert len(KOREAN_REGIONS) == 17
    assert len(set(HANGUL_ALL)) == len(HANGUL_ALL) == 40


def test_regions_are_single_tokens_longest_match():
    assert KOREAN.tokenize("서울12가3456") == ["서울", "1", "2", "가", "3", "4", "5", "6"]
    # 서 alone is a private-series syllable, not the start of a region
    assert KOREAN.tokenize("12서3456") == list("12서3456")
    assert KOREAN.tokenize("경기 12-바 3456") == ["경기", *"12바3456"]


def test_unknown_character_names_it_and_the_alphabet():
    with pytest.raises(ValueError, match=r"'X'.*U\+0058.*'korean'"):
        KOREAN.encode("12X3456")
    with pytest.raises(ValueError, match=r"'가'.*'latin'.*0123456789ABC"):
        LATIN.encode("12가")


def test_decode_rejects_out_of_range_codes():
    with pytest.raises(ValueError, match=r"code 37 is outside alphabet 'latin' \(codes 1..36"):
        LATIN.decode([37])
    with pytest.raises(ValueError):
        LATIN.decode([-1])


def test_latin_normalize_uppercases_and_drops_separators():
    assert LATIN.normalize("ab-12 c") == "AB12C"


def test_get_and_register_alphabet():
    assert get_alphabet("Korean") is KOREAN
    assert get_alphabet(LATIN) is LATIN
    with pytest.raises(ValueError, match="known alphabets: korean, latin"):
        get_alphabet("greek")
    hk = register_alphabet(Alphabet("test-hex", tuple("0123456789ABCDEF")))
    try:
        assert get_alphabet("test-hex") is hk
        with pytest.raises(ValueError, match="already registered"):
            register_alphabet(Alphabet("test-hex", tuple("01")))
    finally:
        ALPHABETS.pop("test-hex")


def test_duplicate_tokens_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        Alphabet("bad", ("A", "A"))


def test_pad_labels():
    labels, lengths = pad_labels(["12가3456", "서울1"], KOREAN)
    assert labels.shape == (2, 7) and labels.dtype == np.int32
    assert lengths.tolist() == [7, 2]
    assert labels[1, 2:].tolist() == [0] * 5
    with pytest.raises(ValueError, match="more than max_len=3"):
        pad_labels(["12345"], LATIN, max_len=3)
