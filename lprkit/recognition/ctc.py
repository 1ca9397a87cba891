"""CTC for plate reading: the loss (Keras) and decoding (NumPy only).

A CTC model gives, for each of ``T`` time steps (columns of the plate), a probability for
every class: blank (code 0) or one alphabet token. A *path* picks one class per step; the
reading is the path with repeats merged and blanks removed (``--11-2가`` -> ``12가``).

* :func:`ctc_loss` — Keras loss on softmax outputs, blank = 0, labels padded with 0.
* :func:`greedy_decode` — the best path, merged: fast, usually good enough.
* :func:`beam_decode` — prefix beam search: sums the probability of all paths of a reading.
* :func:`decode` — either, optionally constrained by a plate grammar (:class:`TokenGrammar`,
  regexes, or any ``is_legal(text)`` function such as the synth grammar), so that an illegal
  reading such as ``12가345`` loses to a legal one that is slightly less likely.
* :func:`char_confidences`, :func:`ctc_log_likelihood` — confidences of a given reading.

Decoding imports neither TensorFlow nor Keras: the TFLite edge runtime reuses it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from lprkit.charset import BLANK, DIGITS, HANGUL_ALL, KOREAN_REGIONS, Alphabet
from lprkit.errors import InputError
from lprkit.recognition.base import PlateRead

NEG_INF = -math.inf
_EPS = 1e-7


# --------------------------------------------------------------------------- loss (Keras)
def ctc_loss(y_true, y_pred):
    """CTC loss per sample for a model whose last layer is a softmax.

    Parameters
    ----------
    y_true
        int ``(batch, max_len)`` token codes padded with 0 (the blank never occurs in a label,
        so the label length is the number of non-zero codes).
    y_pred
        float ``(batch, T, num_classes)`` softmax probabilities, blank = class 0.

    Returns
    -------
    Tensor ``(batch,)`` of negative log-likelihoods.
    """
    from keras import ops

    y_true = ops.cast(y_true, "int32")
    label_length = ops.sum(ops.cast(ops.not_equal(y_true, BLANK), "int32"), axis=-1)
    steps = ops.shape(y_pred)[1]
    logit_length = ops.ones_like(label_length) * steps
    # ctc_loss applies log-softmax to its input; log(p) of a softmax is already normalised.
    log_probs = ops.log(ops.cast(y_pred, "float32") + _EPS)
    return ops.ctc_loss(y_true, log_probs, label_length, logit_length, mask_index=BLANK)


# --------------------------------------------------------------------------- grammars
@runtime_checkable
class Grammar(Protocol):
    """Which readings are legal plates. ``is_prefix`` may be absent or return None."""

    def is_legal(self, tokens: Sequence[str]) -> bool: ...


@dataclass(frozen=True)
class TokenGrammar:
    """A small automaton over tokens: a list of patterns, each a sequence of token sets.

    Build it with :meth:`from_spec`. Because it can tell whether a *prefix* can still become
    a legal plate, beam search prunes illegal readings as it goes instead of filtering at
    the end.
    """

    patterns: tuple[tuple[frozenset[str], ...], ...]

    @classmethod
    def from_spec(cls, specs: Iterable[str], classes: dict[str, Iterable[str]]) -> TokenGrammar:
        """Patterns as space-separated class letters; ``?`` after a letter makes it optional.

        >>> g = TokenGrammar.from_spec(["D D? H"], {"D": "0123456789", "H": "가나"})
        >>> g.is_legal(list("1가")), g.is_legal(list("12가")), g.is_prefix(list("12"))
        (True, True, True)
        """
        sets = {k: frozenset(v) for k, v in classes.items()}
        out: list[tuple[frozenset[str], ...]] = []
        for spec in specs:
            seqs: list[list[frozenset[str]]] = [[]]
            for item in spec.split():
                key, optional = item.rstrip("?"), item.endswith("?")
                if key not in sets:
                    raise InputError(
                        f"grammar pattern {spec!r} uses class {key!r}; known: {sorted(sets)}"
                    )
                grown = [s + [sets[key]] for s in seqs]
                seqs = seqs + grown if optional else grown
            out.extend(tuple(s) for s in seqs)
        return cls(tuple(dict.fromkeys(out)))

    def is_prefix(self, tokens: Sequence[str]) -> bool:
        n = len(tokens)
        return any(
            len(p) >= n and all(t in s for t, s in zip(tokens, p, strict=False))
            for p in self.patterns
        )

    def is_legal(self, tokens: Sequence[str]) -> bool:
        n = len(tokens)
        return any(
            len(p) == n and all(t in s for t, s in zip(tokens, p, strict=True))
            for p in self.patterns
        )


@dataclass(frozen=True)
class TextGrammar:
    """Legal plates decided on the joined text by a function (regexes, the synth grammar).

    It cannot judge prefixes, so constrained beam search keeps the n best readings and
    returns the most likely legal one.
    """

    accept: Callable[[str], bool]

    def is_legal(self, tokens: Sequence[str]) -> bool:
        return bool(self.accept("".join(tokens)))


def regex_grammar(patterns: str | Iterable[str]) -> TextGrammar:
    """Legal if the whole text matches one of the regexes."""
    compiled = [re.compile(p) for p in ([patterns] if isinstance(patterns, str) else patterns)]
    return TextGrammar(lambda text: any(r.fullmatch(text) for r in compiled))


def korean_grammar() -> TokenGrammar:
    """Korean plates: ``12가3456``, ``123가4567`` and region plates ``서울12가3456``."""
    classes = {"D": DIGITS, "H": HANGUL_ALL, "R": KOREAN_REGIONS}
    return TokenGrammar.from_spec(["D D D? H D D D D", "R D D? H D D D D"], classes)


def synth_grammar(styles: str | Iterable[str]) -> TextGrammar:
    """Legal in any of the synthetic plate ``styles`` (``lprkit.synth.grammar.is_legal``).

    ``styles`` takes what ``resolve_styles`` takes: a group (``"korean"``, ``"latin"``), a
    comma-separated list or style names.
    """
    from lprkit.synth.grammar import is_legal
    from lprkit.synth.styles import resolve_styles

    names = resolve_styles(styles)
    return TextGrammar(lambda text: any(is_legal(text, s) for s in names))


def as_grammar(spec) -> Grammar | None:
    """A grammar from: None, a grammar object, a regex or list of regexes, or ``f(text)``."""
    if spec is None or hasattr(spec, "is_legal"):
        return spec
    if isinstance(spec, str) or (
        isinstance(spec, (list, tuple)) and all(isinstance(s, str) for s in spec)
    ):
        return regex_grammar(spec)
    if callable(spec):
        return TextGrammar(spec)
    raise InputError(
        f"cannot use {type(spec).__name__} as a plate grammar; give a TokenGrammar, a regex, "
        "a list of regexes or a function text -> bool"
    )


# --------------------------------------------------------------------------- decoding
def _check_probs(probs: np.ndarray) -> np.ndarray:
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 2:
        raise InputError(f"CTC probabilities have shape {p.shape}; expected (T, num_classes)")
    return p


def greedy_decode(probs: np.ndarray) -> tuple[list[int], list[float]]:
    """Best path, repeats merged and blanks removed.

    Parameters
    ----------
    probs
        ``(T, num_classes)`` softmax output for one plate, blank = 0.

    Returns
    -------
    codes, char_confidences
        Token codes, and for each the highest probability among the steps that emitted it.
    """
    p = _check_probs(probs)
    best = p.argmax(axis=1)
    codes: list[int] = []
    confs: list[float] = []
    prev = BLANK
    for t, c in enumerate(best):
        c = int(c)
        if c != BLANK and c == prev:
            confs[-1] = max(confs[-1], float(p[t, c]))
        elif c != BLANK:
            codes.append(c)
            confs.append(float(p[t, c]))
        prev = c
    return codes, confs


def beam_decode(
    probs: np.ndarray,
    beam_width: int = 10,
    top_paths: int = 1,
    prune: float = 1e-4,
    prefix_ok: Callable[[tuple[int, ...]], bool] | None = None,
) -> list[tuple[list[int], float]]:
    """CTC prefix beam search.

    Parameters
    ----------
    probs
        ``(T, num_classes)`` softmax output, blank = 0.
    beam_width
        Prefixes kept after each step.
    top_paths
        Readings returned.
    prune
        Classes below this probability at a step are not tried there (speed).
    prefix_ok
        If given, prefixes for which it returns False are dropped (grammar pruning).

    Returns
    -------
    list of (codes, log_probability)
        Most likely first; the log-probability sums over every path of the reading.
    """
    p = _check_probs(probs)
    logp = np.log(p + 1e-30)
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, NEG_INF)}
    for t in range(p.shape[0]):
        lp = logp[t]
        chars = [int(c) for c in np.nonzero(p[t] >= prune)[0] if c != BLANK]
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pnb) in beams.items():
            total = np.logaddexp(pb, pnb)
            cur = nxt.setdefault(prefix, [NEG_INF, NEG_INF])
            cur[0] = np.logaddexp(cur[0], total + lp[BLANK])
            if prefix:  # the last token continues without a blank
                cur[1] = np.logaddexp(cur[1], pnb + lp[prefix[-1]])
            for c in chars:
                new = prefix + (c,)
                if prefix_ok is not None and not prefix_ok(new):
                    continue
                ext = nxt.setdefault(new, [NEG_INF, NEG_INF])
                # a repeated token needs a blank between the two copies
                src = pb if prefix and c == prefix[-1] else total
                ext[1] = np.logaddexp(ext[1], src + lp[c])
        ranked = sorted(nxt.items(), key=lambda kv: np.logaddexp(*kv[1]), reverse=True)
        beams = {k: (v[0], v[1]) for k, v in ranked[:beam_width]}
    ranked = sorted(beams.items(), key=lambda kv: np.logaddexp(*kv[1]), reverse=True)
    return [(list(k), float(np.logaddexp(*v))) for k, v in ranked[:top_paths]]


def _extended(codes: Sequence[int]) -> np.ndarray:
    ext = np.zeros(2 * len(codes) + 1, dtype=np.int64)
    ext[1::2] = codes
    return ext


def _skip_allowed(ext: np.ndarray) -> np.ndarray:
    """Where a path may jump from state s-2 to s (a token different from the one before)."""
    skip = np.zeros(len(ext), dtype=bool)
    skip[2:] = (ext[2:] != BLANK) & (ext[2:] != ext[:-2])
    return skip


def ctc_log_likelihood(probs: np.ndarray, codes: Sequence[int]) -> float:
    """log P(reading | image): the CTC forward algorithm over every path of ``codes``."""
    p = _check_probs(probs)
    ext = _extended(codes)
    lp = np.log(p[:, ext] + 1e-30)
    skip = _skip_allowed(ext)
    alpha = np.full(len(ext), NEG_INF)
    alpha[:2] = lp[0, :2]
    for t in range(1, p.shape[0]):
        prev1 = np.concatenate([[NEG_INF], alpha[:-1]])
        prev2 = np.where(skip, np.concatenate([[NEG_INF, NEG_INF], alpha[:-2]]), NEG_INF)
        alpha = np.logaddexp(np.logaddexp(alpha, prev1), prev2) + lp[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if len(ext) > 1 else alpha[-1])


def char_confidences(probs: np.ndarray, codes: Sequence[int]) -> list[float]:
    """Per-token confidence of a reading: its peak probability along the best alignment.

    The best alignment (Viterbi) is the most likely path that reads ``codes``; for the
    greedy reading it is the greedy path, so this agrees with :func:`greedy_decode`.
    Returns zeros if ``codes`` cannot fit in ``T`` steps.
    """
    p = _check_probs(probs)
    if not codes:
        return []
    ext = _extended(codes)
    lp = np.log(p[:, ext] + 1e-30)
    skip = _skip_allowed(ext)
    n_t, n_s = lp.shape
    delta = np.full(n_s, NEG_INF)
    delta[:2] = lp[0, :2]
    back = np.zeros((n_t, n_s), dtype=np.int64)
    idx = np.arange(n_s)
    for t in range(1, n_t):
        cand = np.stack(
            [
                delta,
                np.concatenate([[NEG_INF], delta[:-1]]),
                np.where(skip, np.concatenate([[NEG_INF, NEG_INF], delta[:-2]]), NEG_INF),
            ]
        )
        arg = cand.argmax(axis=0)
        back[t] = idx - arg
        delta = cand[arg, idx] + lp[t]
    end = n_s - 1 if delta[-1] >= delta[-2] else n_s - 2
    if not np.isfinite(delta[end]):
        return [0.0] * len(codes)
    confs = [0.0] * len(codes)
    s = end
    for t in range(n_t - 1, -1, -1):
        if s % 2 == 1:
            k = s // 2
            confs[k] = max(confs[k], float(p[t, ext[s]]))
        s = back[t, s]
    return confs


def _plate_read(probs: np.ndarray, codes: Sequence[int], alphabet: Alphabet, confs=None):
    confs = char_confidences(probs, codes) if confs is None else confs
    conf = float(np.prod(confs)) if confs else 0.0
    return PlateRead(alphabet.decode(codes), conf, tuple(float(c) for c in confs))


def constrained_decode(
    probs: np.ndarray,
    alphabet: Alphabet,
    grammar,
    beam_width: int = 10,
    prune: float = 1e-5,
) -> tuple[list[int], float] | None:
    """The most likely reading that the grammar accepts, or None if the beam found none.

    With a grammar that judges prefixes (``is_prefix``), illegal prefixes are pruned during
    the search; otherwise the ``4 * beam_width`` best readings are searched for a legal one.
    """
    g = as_grammar(grammar)
    tokens = alphabet.tokens

    def to_tokens(codes):
        return [tokens[c - 1] for c in codes]

    if hasattr(g, "is_prefix"):
        results = beam_decode(
            probs, beam_width, beam_width, prune, prefix_ok=lambda c: g.is_prefix(to_tokens(c))
        )
    else:
        results = beam_decode(probs, 4 * beam_width, 4 * beam_width, prune)
    for codes, logp in results:
        if g.is_legal(to_tokens(codes)):
            return codes, logp
    return None


def decode(
    probs: np.ndarray,
    alphabet: Alphabet,
    method: str = "greedy",
    grammar=None,
    beam_width: int = 10,
) -> list[PlateRead]:
    """Decode a batch of CTC outputs into plate readings with confidences.

    Parameters
    ----------
    probs
        ``(n, T, num_classes)`` softmax outputs (or ``(T, num_classes)`` for one plate).
    alphabet
        The model's alphabet; ``num_classes`` must be ``alphabet.num_classes``.
    method
        ``"greedy"`` or ``"beam"``.
    grammar
        Optional plate grammar (see :func:`as_grammar`). If no legal reading is found, the
        unconstrained reading of ``method`` is returned.
    beam_width
        Beam width for ``"beam"`` and for constrained search.

    Returns
    -------
    list of PlateRead
        Confidence = product of the per-token confidences (0 for an empty reading).
    """
    p = np.asarray(probs)
    if p.ndim == 2:
        p = p[None]
    if p.ndim != 3 or p.shape[-1] != alphabet.num_classes:
        raise InputError(
            f"CTC probabilities have shape {p.shape}; expected (n, T, "
            f"{alphabet.num_classes}) for alphabet {alphabet.name!r}"
        )
    if method not in ("greedy", "beam"):
        raise InputError(f"decoding method {method!r}; use 'greedy' or 'beam'")
    g = as_grammar(grammar)
    reads = []
    for row in p:
        found = constrained_decode(row, alphabet, g, beam_width) if g is not None else None
        if found is not None:
            reads.append(_plate_read(row, found[0], alphabet))
        elif method == "greedy":
            codes, confs = greedy_decode(row)
            reads.append(_plate_read(row, codes, alphabet, confs))
        else:
            reads.append(_plate_read(row, beam_decode(row, beam_width)[0][0], alphabet))
    return reads
