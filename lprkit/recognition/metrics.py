"""How well a recogniser reads: exact plates, character errors, confusions, by plate style.

Errors are counted over *tokens* of the alphabet (``서울`` is one token), so a Korean region
misread costs one edit, as it does on the plate. Without an alphabet, characters are used.
Everything here is plain Python + NumPy; no TensorFlow.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lprkit.charset import Alphabet
from lprkit.errors import InputError

GAP = ""  # the empty token stands for a missing (deleted) or extra (inserted) token


def _tokens(text: str, alphabet: Alphabet | None) -> list[str]:
    if alphabet is None:
        return [c for c in text if c not in " -.·"]
    try:
        return alphabet.tokenize(text)
    except ValueError:
        # A reading from another recogniser (Tesseract) may hold foreign characters:
        # score them as characters rather than failing the whole evaluation.
        return [c for c in text if c not in " -.·"]


def align(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[str, str]]:
    """Levenshtein alignment of two token sequences.

    Returns
    -------
    list of (ref_token, hyp_token)
        Matches and substitutions pair two tokens; deletions pair a token with ``""``,
        insertions ``""`` with a token.
    """
    n, m = len(ref), len(hyp)
    d = np.zeros((n + 1, m + 1), dtype=np.int64)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            sub = d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1])
            d[i, j] = min(sub, d[i - 1, j] + 1, d[i, j - 1] + 1)
    pairs: list[tuple[str, str]] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i, j] == d[i - 1, j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((ref[i - 1], hyp[j - 1]))
            i, j = i - 1, j - 1
        elif i > 0 and d[i, j] == d[i - 1, j] + 1:
            pairs.append((ref[i - 1], GAP))
            i -= 1
        else:
            pairs.append((GAP, hyp[j - 1]))
            j -= 1
    return pairs[::-1]


def edit_distance(ref: str, hyp: str, alphabet: Alphabet | None = None) -> int:
    """Token edit distance (insertions + deletions + substitutions)."""
    return sum(r != h for r, h in align(_tokens(ref, alphabet), _tokens(hyp, alphabet)))


def cer(refs: Sequence[str], hyps: Sequence[str], alphabet: Alphabet | None = None) -> float:
    """Character (token) error rate: total edits / total reference tokens.

    >>> cer(["12가3456"], ["12가3457"])
    0.14285714285714285
    """
    if len(refs) != len(hyps):
        raise InputError(f"{len(refs)} references but {len(hyps)} readings")
    edits = sum(edit_distance(r, h, alphabet) for r, h in zip(refs, hyps, strict=True))
    total = sum(len(_tokens(r, alphabet)) for r in refs)
    return edits / total if total else float(edits > 0)


def exact_accuracy(
    refs: Sequence[str], hyps: Sequence[str], alphabet: Alphabet | None = None
) -> float:
    """Fraction of plates read exactly (separators ignored)."""
    if len(refs) != len(hyps):
        raise InputError(f"{len(refs)} references but {len(hyps)} readings")
    if not refs:
        return 0.0
    hits = sum(
        _tokens(r, alphabet) == _tokens(h, alphabet) for r, h in zip(refs, hyps, strict=True)
    )
    return hits / len(refs)


def confusion_table(
    refs: Sequence[str], hyps: Sequence[str], alphabet: Alphabet | None = None
) -> list[dict]:
    """Counts of every (true token, read token) pair that differ, most frequent first.

    Rows: ``{"true": "8", "read": "B", "count": 3}``; ``""`` marks a missing or extra token.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for r, h in zip(refs, hyps, strict=True):
        for pair in align(_tokens(r, alphabet), _tokens(h, alphabet)):
            if pair[0] != pair[1]:
                counts[pair] += 1
    return [
        {"true": t, "read": p, "count": n}
        for (t, p), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@dataclass
class EvalReport:
    """Result of :func:`evaluate_recognizer`: a tidy table plus summaries.

    Attributes
    ----------
    rows
        One dict per plate: ``text``, ``read``, ``correct``, ``edits``, ``confidence``,
        ``style``.
    summary
        ``{"n", "exact", "cer", "ms_per_plate", "recognizer"}`` (the JSON of
        ``lprkit evaluate crops``).
    by_style
        Per style: ``{"style", "n", "exact", "cer"}``.
    confusions
        :func:`confusion_table` rows.
    """

    rows: list[dict]
    summary: dict
    by_style: list[dict] = field(default_factory=list)
    confusions: list[dict] = field(default_factory=list)

    def errors(self) -> list[dict]:
        """Rows read wrongly, least confident first."""
        return sorted((r for r in self.rows if not r["correct"]), key=lambda r: r["confidence"])

    def __str__(self) -> str:
        s = self.summary
        lines = [
            f"{s['recognizer']}: n={s['n']} exact={s['exact']:.3f} cer={s['cer']:.3f} "
            f"ms/plate={s['ms_per_plate']:.2f}"
        ]
        lines += [
            f"  {b['style']:<20} n={b['n']:<5} exact={b['exact']:.3f} cer={b['cer']:.3f}"
            for b in self.by_style
        ]
        return "\n".join(lines)


def evaluate_recognizer(
    recognizer,
    images: Sequence[np.ndarray],
    texts: Sequence[str],
    styles: Sequence[str] | None = None,
    alphabet: Alphabet | None = None,
    batch_size: int = 64,
) -> EvalReport:
    """Read ``images`` with ``recognizer`` and compare with ``texts``.

    Parameters
    ----------
    recognizer
        Anything with ``read(crops) -> list[PlateRead]`` and a ``name``.
    images
        RGB uint8 crops of any size.
    texts
        True plate texts.
    styles
        Optional plate style of each crop, for accuracy by style.
    alphabet
        Tokenises texts for the error rate; default the recogniser's ``alphabet`` if it has
        one, else characters.
    batch_size
        Crops per ``read`` call.
    """
    if len(images) != len(texts):
        raise InputError(f"{len(images)} images but {len(texts)} texts")
    if styles is not None and len(styles) != len(texts):
        raise InputError(f"{len(styles)} styles for {len(texts)} texts")
    alphabet = alphabet or getattr(recognizer, "alphabet", None)
    reads = []
    start = time.perf_counter()
    for i in range(0, len(images), batch_size):
        reads.extend(recognizer.read(list(images[i : i + batch_size])))
    elapsed = time.perf_counter() - start
    if len(reads) != len(texts):
        raise InputError(f"recogniser returned {len(reads)} readings for {len(texts)} crops")
    rows = []
    for i, (text, read) in enumerate(zip(texts, reads, strict=True)):
        edits = edit_distance(text, read.text, alphabet)
        rows.append(
            {
                "text": text,
                "read": read.text,
                "correct": edits == 0,
                "edits": edits,
                "confidence": float(read.confidence),
                "style": styles[i] if styles is not None else None,
            }
        )
    hyps = [r["read"] for r in rows]
    summary = {
        "n": len(rows),
        "exact": exact_accuracy(texts, hyps, alphabet),
        "cer": cer(texts, hyps, alphabet),
        "ms_per_plate": 1000.0 * elapsed / max(len(rows), 1),
        "recognizer": getattr(recognizer, "name", type(recognizer).__name__),
    }
    by_style = []
    if styles is not None:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(styles):
            groups[s].append(i)
        for s in sorted(groups):
            ids = groups[s]
            r, h = [texts[i] for i in ids], [hyps[i] for i in ids]
            by_style.append(
                {
                    "style": s,
                    "n": len(ids),
                    "exact": exact_accuracy(r, h, alphabet),
                    "cer": cer(r, h, alphabet),
                }
            )
    return EvalReport(rows, summary, by_style, confusion_table(texts, hyps, alphabet))


def misread_line(ref: str, hyp: str, style: str, alphabet: Alphabet | None = None) -> str | None:
    """Which line of a two-line plate a reading got wrong.

    A two-line plate is cut into a one-line strip whose top-line part is small and often the
    most degraded, so it helps to know whether a wrong read kept the bottom line intact.
    A read "keeps" the top line if it starts with the top line's tokens, and the bottom line
    if it ends with the bottom line's.

    Parameters
    ----------
    ref, hyp
        True text (a legal plate of ``style``) and reading.
    style
        The plate's style name.
    alphabet
        Tokenises texts (``서울`` is one token); default characters.

    Returns
    -------
    str or None
        ``"top"`` (only the top line wrong), ``"bottom"`` (only the bottom line wrong),
        ``"other"`` (both lines wrong, or tokens added between them); None when the reading is
        right or the style has one line.
    """
    from lprkit.synth.grammar import split_fields
    from lprkit.synth.styles import get_style

    st = get_style(style)
    ref_tokens, hyp_tokens = _tokens(ref, alphabet), _tokens(hyp, alphabet)
    if not st.two_line or ref_tokens == hyp_tokens:
        return None
    fields = split_fields(ref, st)
    top = _tokens("".join(fields[: len(st.lines[0].fields)]), alphabet)
    bottom = ref_tokens[len(top) :]
    top_kept = hyp_tokens[: len(top)] == top
    bottom_kept = (
        len(hyp_tokens) >= len(bottom) and hyp_tokens[len(hyp_tokens) - len(bottom) :] == bottom
    )
    if bottom_kept and not top_kept:
        return "top"
    if top_kept and not bottom_kept:
        return "bottom"
    return "other"


def two_line_errors(
    refs: Sequence[str],
    hyps: Sequence[str],
    styles: Sequence[str],
    alphabet: Alphabet | None = None,
) -> list[dict]:
    """Which line of two-line plates a recogniser got wrong, counted per two-line style.

    Parameters
    ----------
    refs, hyps
        True texts (legal plates of their style) and readings.
    styles
        Plate style of each text; one-line styles are skipped.
    alphabet
        Tokenises texts (``서울`` is one token); default characters.

    Returns
    -------
    list of dict
        Per two-line style: ``{"style", "n", "wrong", "top_only", "bottom_only", "other"}``:
        wrong reads with only the top line wrong, only the bottom line wrong, and the rest
        (both lines wrong, or tokens added between them); see :func:`misread_line`.
    """
    from lprkit.synth.styles import get_style

    if not len(refs) == len(hyps) == len(styles):
        raise InputError(f"{len(refs)} references, {len(hyps)} readings and {len(styles)} styles")
    columns = {"top": "top_only", "bottom": "bottom_only", "other": "other"}
    table: dict[str, dict] = {}
    for ref, hyp, name in zip(refs, hyps, styles, strict=True):
        if not get_style(name).two_line:
            continue
        row = table.setdefault(
            name, {"style": name, "n": 0, "wrong": 0, "top_only": 0, "bottom_only": 0, "other": 0}
        )
        row["n"] += 1
        line = misread_line(ref, hyp, name, alphabet)
        if line is not None:
            row["wrong"] += 1
            row[columns[line]] += 1
    return [table[name] for name in sorted(table)]


def paired_difference(
    correct_a: Sequence[bool], correct_b: Sequence[bool], z: float = 1.96
) -> tuple[float, float, float]:
    """Difference in exact accuracy of two recognisers read on the same crops, with an interval.

    The crops are shared, so the two accuracies are not independent: only the crops one reads
    and the other misses (``b``: A right and B wrong, ``c``: the reverse) carry information.
    The difference is ``(b - c) / n`` and its standard error
    ``sqrt((b + c) - (b - c)**2 / n) / n`` (the Wald interval for paired proportions; 95 % for
    ``z = 1.96``). An interval that contains 0 does not tell the two apart.

    >>> a = [True] * 15 + [False] * 5 + [True] * 80
    >>> b = [False] * 15 + [True] * 5 + [True] * 80
    >>> [round(v, 4) for v in paired_difference(a, b)]
    [0.1, 0.0146, 0.1854]
    """
    a = np.asarray(correct_a, dtype=bool)
    b_ = np.asarray(correct_b, dtype=bool)
    if a.shape != b_.shape or a.ndim != 1 or not len(a):
        raise InputError(f"need two equally long, non-empty lists of right/wrong; got {a.shape} and {b_.shape}")
    n = len(a)
    b = int(np.sum(a & ~b_))
    c = int(np.sum(~a & b_))
    diff = (b - c) / n
    se = float(np.sqrt(max((b + c) - (b - c) ** 2 / n, 0.0))) / n
    return diff, diff - z * se, diff + z * se
