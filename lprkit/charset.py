"""Plate alphabets: which symbols a recogniser can read, and their integer codes.

An :class:`Alphabet` is an ordered list of *tokens*. A token is usually one character, but
Korean region names (``서울``, ``경기`` …) are single tokens because older plates print them
as one unit. Code 0 is reserved for the CTC blank, so token ``i`` in the list has code
``i + 1`` and a model needs ``len(alphabet) + 1`` output classes.

>>> KOREAN.encode("서울12가3456")[:2] == [KOREAN.code("서울"), KOREAN.code("1")]
True
>>> KOREAN.decode(KOREAN.encode("12가3456"))
'12가3456'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lprkit.errors import InputError

BLANK = 0

DIGITS = tuple("0123456789")
LATIN_LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Hangul used on Korean plates, grouped by use (Ministry of Land, Infrastructure and
# Transport numbering rules). Private cars draw from the 32 "series" syllables.
HANGUL_PRIVATE = tuple("가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주")
HANGUL_RENTAL = tuple("하허호")
HANGUL_COMMERCIAL = tuple("바사아자")  # taxis, buses, commercial vehicles
HANGUL_DELIVERY = tuple("배")  # delivery vehicles (2006+ yellow plates)
HANGUL_ALL = HANGUL_PRIVATE + HANGUL_RENTAL + HANGUL_COMMERCIAL + HANGUL_DELIVERY

# The 17 first-level administrative regions as printed on older and commercial plates.
KOREAN_REGIONS = (
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기",
    "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주",
)  # fmt: skip


@dataclass(frozen=True)
class Alphabet:
    """An ordered set of plate tokens with CTC codes (blank = 0).

    Parameters
    ----------
    name
        Short name used in checkpoints and on the command line (``"korean"``).
    tokens
        The symbols, in code order; each is one character or a multi-character unit such
        as a region name. Duplicates are not allowed.
    """

    name: str
    tokens: tuple[str, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)
    _max_len: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.tokens)) != len(self.tokens):
            raise InputError(f"alphabet {self.name!r} has duplicate tokens")
        if any(not t for t in self.tokens):
            raise InputError(f"alphabet {self.name!r} has an empty token")
        object.__setattr__(self, "_index", {t: i + 1 for i, t in enumerate(self.tokens)})
        object.__setattr__(self, "_max_len", max(len(t) for t in self.tokens))

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def num_classes(self) -> int:
        """Output classes a CTC model needs: every token plus the blank."""
        return len(self.tokens) + 1

    def code(self, token: str) -> int:
        """Code of one token (``1 … len(self)``)."""
        try:
            return self._index[token]
        except KeyError:
            raise InputError(self._unknown_message(token, token)) from None

    def tokenize(self, text: str) -> list[str]:
        """Split ``text`` into tokens, longest match first (``서울`` before ``서``).

        Spaces, hyphens and dots are separators on printed plates and are dropped.

        Raises
        ------
        ValueError
            Naming the first character that no token starts with.
        """
        out: list[str] = []
        i = 0
        while i < len(text):
            if text[i] in " -.·":
                i += 1
                continue
            for n in range(min(self._max_len, len(text) - i), 0, -1):
                piece = text[i : i + n]
                if piece in self._index:
                    out.append(piece)
                    i += n
                    break
            else:
                raise InputError(self._unknown_message(text[i], text))
        return out

    def encode(self, text: str) -> list[int]:
        """Codes for ``text`` (see :meth:`tokenize`)."""
        return [self._index[t] for t in self.tokenize(text)]

    def decode(self, ids: Iterable[int]) -> str:
        """Text for a sequence of codes; blanks (0) are skipped.

        This does *not* collapse repeats: CTC decoding does that before calling here.

        Raises
        ------
        ValueError
            If a code is negative or larger than ``len(self)``.
        """
        chars = []
        for i in ids:
            i = int(i)
            if i == BLANK:
                continue
            if not 0 < i <= len(self.tokens):
                raise InputError(
                    f"code {i} is outside alphabet {self.name!r} (codes 1..{len(self.tokens)}, 0 = blank)"
                )
            chars.append(self.tokens[i - 1])
        return "".join(chars)

    def can_write(self, text: str) -> bool:
        """True if every part of ``text`` is a token of this alphabet."""
        try:
            self.tokenize(text)
        except ValueError:
            return False
        return True

    def normalize(self, text: str) -> str:
        """Upper-case Latin letters and drop separators; raise on unknown characters."""
        return "".join(self.tokenize(text.upper() if self._has_latin else text))

    @property
    def _has_latin(self) -> bool:
        return "A" in self._index

    def _unknown_message(self, char: str, text: str) -> str:
        shown = "".join(t for t in self.tokens if len(t) == 1)
        multi = [t for t in self.tokens if len(t) > 1]
        extra = f" and the tokens {', '.join(multi)}" if multi else ""
        return (
            f"character {char!r} (U+{ord(char[0]):04X}) in {text!r} is not in alphabet "
            f"{self.name!r}; it accepts {shown!r}{extra}"
        )


KOREAN = Alphabet("korean", DIGITS + HANGUL_ALL + KOREAN_REGIONS)
LATIN = Alphabet("latin", DIGITS + LATIN_LETTERS)

ALPHABETS: dict[str, Alphabet] = {a.name: a for a in (KOREAN, LATIN)}


def get_alphabet(name: str | Alphabet) -> Alphabet:
    """Look an alphabet up by name (``"korean"``, ``"latin"``), or pass one through."""
    if isinstance(name, Alphabet):
        return name
    try:
        return ALPHABETS[name.lower()]
    except KeyError:
        raise InputError(
            f"unknown alphabet {name!r}; known alphabets: {', '.join(sorted(ALPHABETS))}"
        ) from None


def register_alphabet(alphabet: Alphabet) -> Alphabet:
    """Add an alphabet so :func:`get_alphabet` finds it by name; returns it."""
    if alphabet.name in ALPHABETS and ALPHABETS[alphabet.name] != alphabet:
        raise InputError(f"an alphabet named {alphabet.name!r} is already registered")
    ALPHABETS[alphabet.name] = alphabet
    return alphabet


def pad_labels(texts: Sequence[str], alphabet: Alphabet, max_len: int | None = None):
    """Encode texts into a zero-padded ``int32`` array and their lengths.

    Returns
    -------
    labels : numpy.ndarray, shape (n, max_len)
    lengths : numpy.ndarray, shape (n,)
    """
    import numpy as np

    encoded = [alphabet.encode(t) for t in texts]
    width = max_len if max_len is not None else max((len(e) for e in encoded), default=0)
    labels = np.zeros((len(encoded), width), dtype=np.int32)
    lengths = np.zeros(len(encoded), dtype=np.int32)
    for row, codes in enumerate(encoded):
        if len(codes) > width:
            raise InputError(f"{texts[row]!r} has {len(codes)} tokens, more than max_len={width}")
        labels[row, : len(codes)] = codes
        lengths[row] = len(codes)
    return labels, lengths
