"""CTC loss and decoding on hand-made probability matrices with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lprkit.charset import KOREAN, LATIN, Alphabet
from lprkit.recognition import ctc

ABC = Alphabet("abc_test", ("a", "b", "c"))  # codes: blank 0, a 1, b 2, c 3


def frames(*rows):
    """Rows of {code: prob}; the remaining mass goes to the blank."""
    n = max(max(r) for r in rows if r) + 1 if any(rows) else 2
    out = np.zeros((len(rows), max(n, 4)))
    for t, r in enumerate(rows):
        for c, p in r.items():
            out[t, c] = p
        out[t, 0] = 1.0 - sum(r.values())
    return out


def korean_frames(text_steps):
    """One frame per entry: a token read with prob p (the rest is blank), or a dict."""
    out = np.zeros((len(text_steps), KOREAN.num_classes))
    for t, step in enumerate(text_steps):
        probs = step if isinstance(step, dict) else {step[0]: step[1]}
        for token, p in probs.items():
            out[t, KOREAN.code(token)] = p
        out[t, 0] = 1.0 - sum(probs.values())
    return out


def test_greedy_merges_repeats_and_drops_blanks():
    # best path: a a - a b b -  -> "aab"
    p = frames({1: 0.9}, {1: 0.8}, {}, {1: 0.7}, {2: 0.6}, {2: 0.95}, {})
    codes, confs = ctc.greedy_decode(p)
    assert ABC.decode(codes) == "aab"
    assert confs == pytest.approx([0.9, 0.7, 0.95])


def test_greedy_empty_when_all_blank():
    p = frames({}, {1: 0.1}, {})
    assert ctc.greedy_decode(p) == ([], [])
    (read,) = ctc.decode(p[:, :4], ABC)
    assert read.text == "" and read.confidence == 0.0


def test_beam_beats_greedy_when_paths_add_up():
    # Each frame: blank 0.5, a 0.4, b 0.1. Best path is "--" (0.25) but P("a") = 0.56.
    p = frames({1: 0.4, 2: 0.1}, {1: 0.4, 2: 0.1})
    greedy_codes, _ = ctc.greedy_decode(p)
    assert greedy_codes == []
    (codes, logp), *_ = ctc.beam_decode(p, beam_width=5)
    assert codes == [1]
    assert math.exp(logp) == pytest.approx(0.56)
    assert logp >= ctc.ctc_log_likelihood(p, greedy_codes)


def test_beam_probability_matches_forward_algorithm():
    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(4), size=6)
    for codes, logp in ctc.beam_decode(p, beam_width=50, top_paths=5, prune=0.0):
        assert logp == pytest.approx(ctc.ctc_log_likelihood(p, codes), abs=1e-9)


def test_forward_algorithm_known_value():
    # T=2, label "a": paths aa, a-, -a
    p = frames({1: 0.6}, {1: 0.3})
    expected = 0.6 * 0.3 + 0.6 * 0.7 + 0.4 * 0.3
    assert math.exp(ctc.ctc_log_likelihood(p, [1])) == pytest.approx(expected)
    # "aa" needs a blank between: impossible in 2 steps
    assert ctc.ctc_log_likelihood(p, [1, 1]) < -50


def test_char_confidences_follow_best_alignment():
    p = frames({1: 0.9}, {1: 0.6}, {}, {2: 0.7}, {2: 0.8})
    assert ctc.char_confidences(p, [1, 2]) == pytest.approx([0.9, 0.8])
    assert ctc.char_confidences(p, []) == []


def test_constrained_decoding_prefers_legal_plate():
    # Greedy reads 12가345 (the "6" frame is 55 % blank); 12가3456 is legal and close.
    steps = [("1", 0.9), ("2", 0.9), ("가", 0.9), ("3", 0.9), ("4", 0.9), ("5", 0.9)]
    p = korean_frames([*steps, ("6", 0.45), {}])
    (plain,) = ctc.decode(p, KOREAN)
    assert plain.text == "12가345"
    for grammar in (
        ctc.korean_grammar(),
        r"\d{2,3}[가-힣]\d{4}",
        [r"[가-힣]{2}\d{2}[가-힣]\d{4}", r"\d{2,3}[가-힣]\d{4}"],
        lambda text: len(text) in (7, 8) and text[-4:].isdigit(),
    ):
        (read,) = ctc.decode(p, KOREAN, grammar=grammar)
        assert read.text == "12가3456"
        assert len(read.char_confidences) == 7
        assert read.char_confidences[-1] == pytest.approx(0.45)
        assert read.confidence == pytest.approx(np.prod(read.char_confidences))


def test_constrained_falls_back_when_nothing_legal():
    p = korean_frames([("1", 0.99), ("2", 0.99), {}])
    (read,) = ctc.decode(p, KOREAN, grammar=ctc.korean_grammar())
    assert read.text == "12"


def test_token_grammar_prefixes_and_regions():
    g = ctc.korean_grammar()
    assert g.is_legal(KOREAN.tokenize("서울12가3456"))
    assert g.is_legal(KOREAN.tokenize("123가4567"))
    assert not g.is_legal(KOREAN.tokenize("12가345"))
    assert g.is_prefix(KOREAN.tokenize("서울1"))
    assert not g.is_prefix(KOREAN.tokenize("가1"))
    with pytest.raises(ValueError, match="class 'X'"):
        ctc.TokenGrammar.from_spec(["D X"], {"D": "0"})


def test_as_grammar_rejects_other_types():
    with pytest.raises(ValueError, match="plate grammar"):
        ctc.as_grammar(42)


def test_decode_checks_shape_and_method():
    p = np.full((2, 5, LATIN.num_classes), 1.0 / LATIN.num_classes)
    assert len(ctc.decode(p, LATIN, method="beam")) == 2
    with pytest.raises(ValueError, match="expected"):
        ctc.decode(p, KOREAN)
    with pytest.raises(ValueError, match="'greedy' or 'beam'"):
        ctc.decode(p, LATIN, method="viterbi")


def test_keras_loss_equals_forward_algorithm():
    from keras import ops

    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(5), size=(2, 8)).astype("float32")
    labels = np.array([[1, 2, 2, 0], [3, 0, 0, 0]], dtype="int32")
    loss = np.asarray(ops.convert_to_numpy(ctc.ctc_loss(labels, p)))
    expected = [-ctc.ctc_log_likelihood(p[0], [1, 2, 2]), -ctc.ctc_log_likelihood(p[1], [3])]
    assert loss.shape == (2,)
    assert loss == pytest.approx(expected, rel=1e-4)


def test_synth_grammar_plugs_in():
    pytest.importorskip("lprkit.synth.grammar")
    steps = [("1", 0.9), ("2", 0.9), ("가", 0.9), ("3", 0.9), ("4", 0.9), ("5", 0.9)]
    p = korean_frames([*steps, ("6", 0.45), {}])
    grammar = ctc.synth_grammar(["kr_private_2006", "kr_private_2019"])
    assert grammar.is_legal(KOREAN.tokenize("12가3456"))
    (read,) = ctc.decode(p, KOREAN, grammar=grammar)
    assert read.text == "12가3456"


def test_synth_grammar_takes_style_groups():
    from lprkit.synth.dataset import generate_crops

    texts = generate_crops(20, "korean", size=(64, 16), seed=3)[1]
    grammar = ctc.synth_grammar("korean")
    assert all(grammar.is_legal(KOREAN.tokenize(t)) for t in texts)
    assert not grammar.is_legal(KOREAN.tokenize("12가34"))
    with pytest.raises(ValueError, match="nosuchstyle"):
        ctc.synth_grammar("nosuchstyle")
