"""The Tesseract baseline: read plate crops with pytesseract, normalised to a plate alphabet.

Tesseract is a general OCR engine (an LSTM line recogniser behind a page-layout analyser).
To read plates with it we choose how it segments the crop (``psm``: 7 = one text line,
6 = a block of lines, 8 = one word), restrict its output to the plate's characters (a
whitelist), switch off its dictionaries (plates are not words) and prepare the image
(:mod:`lprkit.ocr.preprocess`). Whatever it returns is then normalised to the alphabet.

>>> normalize_text("12 가-34·56", "korean")
'12가3456'
>>> normalize_text("서 울 12", "korean")  # syllables re-joined into the region token
'서울12'
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np

from lprkit.charset import Alphabet, get_alphabet
from lprkit.errors import InputError, LprkitError
from lprkit.ocr.preprocess import BEST_PRESET, Step, get_preset, preprocess
from lprkit.recognition.base import PlateRead

INSTALL_HINT = (
    "install it with `sudo apt-get install tesseract-ocr tesseract-ocr-kor` (Debian/Ubuntu), "
    "`brew install tesseract tesseract-lang` (macOS) or `conda install -c conda-forge tesseract`"
)

# Tesseract language model per alphabet. The Korean model reads digits too: adding `eng`
# ("kor+eng") ran both models, took twice as long and read fewer real Korean crops.
DEFAULT_LANG = {"korean": "kor", "latin": "eng"}

# Latin look-alikes of digits. Applied only to characters the alphabet does not have and only
# when the digit is in it: a Korean plate has no letter O, so "O" can only be a zero; a Latin
# plate may have both, so nothing is changed there (which one is meant needs a plate grammar).
LOOKALIKES = {
    "O": "0",
    "o": "0",
    "Q": "0",
    "I": "1",
    "l": "1",
    "Z": "2",
    "z": "2",
    "S": "5",
    "B": "8",
}

PSM_CHOICES = (6, 7, 8, 13)

_CMD_LOCK = threading.Lock()


def whitelist_chars(alphabet: str | Alphabet) -> str:
    """Single characters Tesseract may output for ``alphabet``.

    Tesseract's whitelist is a set of characters, so multi-character tokens (Korean region
    names such as ``서울``) are expanded to their syllables; :func:`normalize_text` joins them
    back into tokens.
    """
    chars: dict[str, None] = {}
    for token in get_alphabet(alphabet).tokens:
        for ch in token:
            chars.setdefault(ch, None)
    return "".join(chars)


def normalize_chars(
    chars: Sequence[tuple[str, float]], alphabet: str | Alphabet
) -> list[tuple[str, float]]:
    """Normalise characters read with their confidences into alphabet tokens.

    Steps: Unicode NFKC (full-width digits become ASCII), upper case for alphabets with
    Latin letters, digit look-alikes (:data:`LOOKALIKES`) for characters outside the
    alphabet, removal of every character no token contains (spaces, punctuation, the ``|``
    Tesseract reads from plate frames, unknown letters), then a longest-match scan into
    tokens that also drops leftovers such as a lone syllable of a region name.

    Returns
    -------
    list of (token, confidence)
        A token made of several characters (``서울``) gets their lowest confidence.
    """
    alpha = get_alphabet(alphabet)
    known = set(alpha.tokens)
    latin = "A" in known
    symbols = {c for t in alpha.tokens for c in t}
    flat: list[tuple[str, float]] = []
    for ch, conf in chars:
        for c in unicodedata.normalize("NFKC", ch):
            c = c.upper() if latin else c
            if c not in known and LOOKALIKES.get(c) in known:
                c = LOOKALIKES[c]
            if c in symbols:  # spaces and punctuation go, so "서 울" still makes 서울
                flat.append((c, float(conf)))
    longest = max(len(t) for t in alpha.tokens)
    out: list[tuple[str, float]] = []
    i = 0
    while i < len(flat):
        for n in range(min(longest, len(flat) - i), 0, -1):
            piece = "".join(c for c, _ in flat[i : i + n])
            if piece in known:
                out.append((piece, min(conf for _, conf in flat[i : i + n])))
                i += n
                break
        else:
            i += 1  # not part of any token: drop it
    return out


def normalize_text(raw: str, alphabet: str | Alphabet) -> str:
    """Turn Tesseract's raw text into plate text in ``alphabet`` (see :func:`normalize_chars`)."""
    return "".join(t for t, _ in normalize_chars([(c, 1.0) for c in raw], alphabet))


_CINFO = re.compile(
    r"<span class=['\"]ocrx_cinfo['\"][^>]*?x_conf ([\d.]+)[^>]*>(.*?)</span>", re.S
)
_WORD = re.compile(r"<span class=['\"]ocrx_word['\"].*?</span>\s*</span>", re.S)


def parse_hocr_chars(hocr: str) -> list[list[tuple[str, float]]]:
    """Characters and their confidences (0-100) per word, in reading order, from hOCR
    written with ``hocr_char_boxes=1``."""
    words = []
    for word in _WORD.finditer(hocr):
        chars = [(html.unescape(text), float(conf)) for conf, text in _CINFO.findall(word.group(0))]
        if chars:
            words.append(chars)
    return words


def check_tesseract(lang: str, tesseract_cmd: str | None = None) -> str:
    """Check that the binary runs and has every language pack in ``lang`` (``"kor+eng"``).

    Returns
    -------
    str
        Tesseract's version, e.g. ``"5.3.0"``.

    Raises
    ------
    LprkitError
        Naming the missing binary or language pack and how to install it.
    """
    from lprkit.ocr_env import tesseract_cmd as default_cmd
    from lprkit.ocr_env import tesseract_languages, tesseract_version

    cmd = tesseract_cmd or default_cmd()
    version = tesseract_version(cmd)
    if version is None:
        raise LprkitError(f"Tesseract not found (tried {cmd!r}): {INSTALL_HINT}")
    have = tesseract_languages(cmd)
    missing = [part for part in lang.split("+") if part not in have]
    if missing:
        packs = " ".join(f"tesseract-ocr-{m}" for m in missing)
        raise LprkitError(
            f"Tesseract {version} at {cmd!r} lacks the language data {', '.join(missing)} "
            f"(it has {', '.join(sorted(have)) or 'none'}): install it with "
            f"`sudo apt-get install {packs}` (Debian/Ubuntu) or `brew install tesseract-lang` (macOS)"
        )
    return version


@contextlib.contextmanager
def _tesseract_settings(cmd: str | None, threads: int | None) -> Iterator[None]:
    """Point pytesseract at ``cmd`` and cap Tesseract's OpenMP threads while reading.

    Both are process-wide (pytesseract's command is a module global, the thread cap an
    environment variable the subprocess inherits), hence the lock and the restore.
    """
    import pytesseract

    with _CMD_LOCK:
        before_cmd = pytesseract.pytesseract.tesseract_cmd
        before_omp = os.environ.get("OMP_THREAD_LIMIT")
        if cmd is not None:
            pytesseract.pytesseract.tesseract_cmd = cmd
        if threads is not None:
            os.environ["OMP_THREAD_LIMIT"] = str(threads)
        try:
            yield
        finally:
            pytesseract.pytesseract.tesseract_cmd = before_cmd
            if before_omp is None:
                os.environ.pop("OMP_THREAD_LIMIT", None)
            else:
                os.environ["OMP_THREAD_LIMIT"] = before_omp


class TesseractRecognizer:
    """Tesseract as a :class:`~lprkit.recognition.base.Recognizer`.

    Parameters
    ----------
    alphabet
        ``"korean"``, ``"latin"`` or an :class:`~lprkit.charset.Alphabet`; decides the
        whitelist, the language model and the normalisation of the output.
    preset
        A preprocessing preset name from :data:`lprkit.ocr.preprocess.PRESETS` or a list of
        ``(step, kwargs)``.
    psm
        Page segmentation mode for one-line crops: 7 (a line, default), 8 (a word), 6 (a
        block) or 13 (raw line). On synthetic crops 7 and 6 read the same; 8 and 13 read far
        fewer plates (they lose characters after the gaps between groups).
    name
        Label in comparison tables; default ``"tesseract-<preset>"``.
    tesseract_cmd
        Path of the ``tesseract`` binary; default pytesseract's setting (``tesseract`` on PATH).
    lang
        Tesseract languages, default ``kor`` for Korean and ``eng`` for Latin.
    whitelist
        Restrict output to the alphabet's characters.
    two_line_aspect
        Crops narrower than this width/height ratio may hold two lines and are read with
        psm 6 (a block); the lines are joined top to bottom. ``0`` disables it.
    timeout
        Seconds before one Tesseract call is abandoned.
    threads
        OpenMP threads per Tesseract call (``OMP_THREAD_LIMIT``). One is fastest for small
        crops: on 2 cores it took 120 ms per plate against 200 ms with Tesseract's default.
        ``None`` leaves Tesseract's default.

    Raises
    ------
    LprkitError
        When the binary or a language pack is missing (checked here, so that reading
        times exclude it).
    """

    def __init__(
        self,
        alphabet: str | Alphabet = "korean",
        preset: str | Sequence[Step] = BEST_PRESET,
        psm: int = 7,
        name: str | None = None,
        tesseract_cmd: str | None = None,
        *,
        lang: str | None = None,
        whitelist: bool = True,
        two_line_aspect: float = 3.0,
        timeout: float = 10.0,
        threads: int | None = 1,
    ) -> None:
        self.alphabet = get_alphabet(alphabet)
        if psm not in PSM_CHOICES:
            raise InputError(f"psm {psm} is not supported for plates; use one of {PSM_CHOICES}")
        self.steps = get_preset(preset)
        self.preset = preset if isinstance(preset, str) else "custom"
        self.psm = psm
        self.lang = lang or DEFAULT_LANG.get(self.alphabet.name, "eng")
        self.whitelist = whitelist
        self.two_line_aspect = float(two_line_aspect)
        self.timeout = timeout
        self.threads = threads
        self.tesseract_cmd = tesseract_cmd
        self.name = name or f"tesseract-{self.preset}"
        self.version = check_tesseract(self.lang, tesseract_cmd)

    def __repr__(self) -> str:
        return f"TesseractRecognizer({self.describe()})"

    def describe(self) -> str:
        """One line with everything that decides the result, Tesseract's version first."""
        two = f", psm 6 below aspect {self.two_line_aspect:g}" if self.two_line_aspect else ""
        return (
            f"tesseract {self.version} lang={self.lang} psm={self.psm}{two} preset={self.preset} "
            f"alphabet={self.alphabet.name} whitelist={'on' if self.whitelist else 'off'}"
        )

    def config(self, psm: int | None = None) -> str:
        """The command-line options passed to Tesseract."""
        parts = [f"--psm {psm or self.psm}", "--oem 1", "-c hocr_char_boxes=1"]
        # Plates are not dictionary words: the word lists only pull readings towards words.
        parts += ["-c load_system_dawg=0", "-c load_freq_dawg=0"]
        if self.whitelist:
            parts.append(f"-c tessedit_char_whitelist={whitelist_chars(self.alphabet)}")
        return " ".join(parts)

    def psm_for(self, crop: np.ndarray) -> int:
        """psm used for ``crop``: 6 for crops that may hold two lines, else :attr:`psm`."""
        h, w = np.asarray(crop).shape[:2]
        if self.two_line_aspect and h > 0 and w / h < self.two_line_aspect:
            return 6
        return self.psm

    def read_chars(self, crop: np.ndarray) -> list[list[tuple[str, float]]]:
        """Tesseract's reading of one crop: per word, its characters and their confidences
        (0-100), before normalisation.

        Character confidences come from hOCR because Tesseract reports a word confidence of
        0 whenever a whitelist is set (tesseract-ocr/tesseract#3856); a word's confidence is
        its lowest character confidence, as Tesseract defines it.
        """
        import pytesseract

        image = preprocess(crop, self.steps)
        try:
            with _tesseract_settings(self.tesseract_cmd, self.threads):
                hocr = pytesseract.image_to_pdf_or_hocr(
                    image,
                    lang=self.lang,
                    config=self.config(self.psm_for(crop)),
                    extension="hocr",
                    timeout=self.timeout,
                )
        except pytesseract.TesseractNotFoundError:
            raise LprkitError(f"Tesseract not found: {INSTALL_HINT}") from None
        except pytesseract.TesseractError as exc:
            raise LprkitError(f"Tesseract failed ({self.describe()}): {exc.message}") from None
        except RuntimeError as exc:  # pytesseract's timeout
            raise LprkitError(f"Tesseract gave no answer within {self.timeout} s: {exc}") from None
        return parse_hocr_chars(hocr.decode("utf-8"))

    def read_raw(self, crop: np.ndarray) -> str:
        """Tesseract's raw text for one crop, words (and lines) joined by spaces."""
        return " ".join("".join(c for c, _ in word) for word in self.read_chars(crop))

    def read_one(self, crop: np.ndarray) -> PlateRead:
        """Read one RGB ``uint8`` crop.

        The confidence is the lowest confidence of the tokens kept (0 for an empty reading):
        a plate is only right when every character is.
        """
        chars = [pair for word in self.read_chars(crop) for pair in word]
        tokens = normalize_chars(chars, self.alphabet)
        confs = tuple(conf / 100.0 for _, conf in tokens)
        return PlateRead(
            text="".join(t for t, _ in tokens),
            confidence=min(confs) if confs else 0.0,
            char_confidences=confs,
        )

    def read(self, crops: Sequence[np.ndarray]) -> list[PlateRead]:
        """Read RGB ``uint8`` crops of any size, one Tesseract call each."""
        return [self.read_one(c) for c in crops]
