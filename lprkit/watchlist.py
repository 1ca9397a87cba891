"""A watchlist of registered plates in SQLite, with exact, near and unknown lookups.

Plates are stored *normalised* (Unicode NFC, upper case, no spaces, hyphens or dots), so
``"12가 3456"`` and ``"12가-3456"`` are the same plate. A lookup first tries the exact text,
then the closest registered plate by a weighted edit distance (:func:`plate_distance`) in
which characters that a recogniser often mistakes for each other (``0``/``O``, ``8``/``B``,
``머``/``마`` …, see :data:`LOOKALIKE_PAIRS`) cost less than other substitutions.

All SQL is parameterised: plate text, owner and notes are data, never SQL. A database that
lprkit creates runs in WAL mode, so several readers (threads or processes, each with its own
:class:`Watchlist`) can look plates up while one writer adds or removes them. lprkit never
changes a file it did not create (another application's SQLite file, an empty file), and a
watchlist opened with ``readonly=True`` is never written.

>>> with Watchlist(":memory:") as wl:
...     _ = wl.add("12가3456", owner="Kim")
...     wl.lookup("12가 3456").kind, wl.lookup("12거3456").kind, wl.lookup("99무9999").kind
('exact', 'near', 'unknown')
"""

from __future__ import annotations

import csv
import io
import sqlite3
import unicodedata
import urllib.parse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import numpy as np

from lprkit.charset import KOREAN_REGIONS
from lprkit.errors import InputError, LprkitError
from lprkit.fileio import read_text

# --- text normalisation and look-alike distance -----------------------------------------

SEPARATORS = " \t-.·_"
MAX_PLATE_LENGTH = 32

SUBSTITUTION_COST = 1.0
INDEL_COST = 1.0
LOOKALIKE_COST = 0.4

# Latin/digit pairs that OCR (and people) confuse on plates.
LATIN_LOOKALIKES = (
    ("0", "O"),
    ("0", "D"),
    ("O", "D"),
    ("O", "Q"),
    ("8", "B"),
    ("1", "I"),
    ("5", "S"),
    ("2", "Z"),
    ("6", "G"),
)

# Hangul confusions, as rules on the jamo of open syllables (no final consonant) that differ
# in one part only: vowels ㅏ/ㅓ (마/머), ㅗ/ㅜ (모/무), ㅏ/ㅐ (바/배); initials ㅁ/ㅂ (마/바),
# ㅇ/ㅎ (오/호). These are the strokes that blur first in small, tilted or low-contrast crops.
HANGUL_VOWEL_LOOKALIKES = (("ㅏ", "ㅓ"), ("ㅗ", "ㅜ"), ("ㅏ", "ㅐ"))
HANGUL_INITIAL_LOOKALIKES = (("ㅁ", "ㅂ"), ("ㅇ", "ㅎ"))

_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"


def _syllable(initial: str, vowel: str) -> str:
    return chr(0xAC00 + (_INITIALS.index(initial) * 21 + _VOWELS.index(vowel)) * 28)


def _hangul_lookalikes() -> list[tuple[str, str]]:
    pairs = []
    for a, b in HANGUL_VOWEL_LOOKALIKES:
        pairs += [(_syllable(i, a), _syllable(i, b)) for i in _INITIALS]
    for a, b in HANGUL_INITIAL_LOOKALIKES:
        pairs += [(_syllable(a, v), _syllable(b, v)) for v in _VOWELS]
    return pairs


#: Unordered pairs of tokens whose substitution costs :data:`LOOKALIKE_COST`.
LOOKALIKE_PAIRS: frozenset[frozenset[str]] = frozenset(
    frozenset(p) for p in LATIN_LOOKALIKES + tuple(_hangul_lookalikes())
)

_REGIONS_BY_LENGTH = sorted(KOREAN_REGIONS, key=len, reverse=True)


def normalize_plate(text: str) -> str:
    """Canonical form of a plate text: NFC, upper case, without separators.

    Raises
    ------
    ValueError
        If the text is empty after normalisation, longer than :data:`MAX_PLATE_LENGTH`
        characters, or holds a control character or any other character that is not a
        letter or a digit.
    """
    if not isinstance(text, str):
        raise InputError(f"plate text must be a string, got {type(text).__name__}")
    out = "".join(c for c in unicodedata.normalize("NFC", text).upper() if c not in SEPARATORS)
    bad = next((c for c in out if unicodedata.category(c)[0] == "C"), None)
    if bad is not None:
        raise InputError(f"plate text {text!r} holds control character U+{ord(bad):04X}")
    if not out:
        raise InputError(f"plate text {text!r} is empty once spaces and hyphens are dropped")
    odd = next((c for c in out if not c.isalnum()), None)
    if odd is not None:  # e.g. "=1+2", which a spreadsheet would run as a formula
        raise InputError(
            f"plate text {text!r} holds {odd!r}; plates hold letters, digits and Hangul only "
            f"(spaces, hyphens and dots are dropped)"
        )
    if len(out) > MAX_PLATE_LENGTH:
        raise InputError(
            f"plate text {text!r} has {len(out)} characters; at most {MAX_PLATE_LENGTH} accepted"
        )
    return out


def plate_tokens(text: str) -> list[str]:
    """Split a normalised plate into tokens: Korean region names are one token each
    (``서울``), everything else one character."""
    out, i = [], 0
    while i < len(text):
        region = next((r for r in _REGIONS_BY_LENGTH if text.startswith(r, i)), None)
        out.append(region or text[i])
        i += len(out[-1])
    return out


def substitution_cost(a: str, b: str) -> float:
    """Cost of reading token ``b`` where ``a`` is printed (0, look-alike, or 1)."""
    if a == b:
        return 0.0
    return LOOKALIKE_COST if frozenset((a, b)) in LOOKALIKE_PAIRS else SUBSTITUTION_COST


def plate_distance(a: str | list[str], b: str | list[str]) -> float:
    """Weighted edit distance between two plates (strings are normalised and tokenised).

    Insertions and deletions cost :data:`INDEL_COST`, substitutions
    :data:`SUBSTITUTION_COST`, look-alike substitutions :data:`LOOKALIKE_COST`.

    >>> plate_distance("12가3456", "12가3456"), plate_distance("AB0123", "AB O123")
    (0.0, 0.4)
    """
    ta = plate_tokens(normalize_plate(a)) if isinstance(a, str) else a
    tb = plate_tokens(normalize_plate(b)) if isinstance(b, str) else b
    prev = [j * INDEL_COST for j in range(len(tb) + 1)]
    for i, x in enumerate(ta, 1):
        row = [i * INDEL_COST]
        for j, y in enumerate(tb, 1):
            row.append(
                min(
                    prev[j] + INDEL_COST,
                    row[j - 1] + INDEL_COST,
                    prev[j - 1] + substitution_cost(x, y),
                )
            )
        prev = row
    return round(prev[-1], 6)  # sums of 0.4 should compare equal to their decimal value


def plate_distances(query: str | list[str], plates: Sequence[list[str]]) -> np.ndarray:
    """:func:`plate_distance` from one plate to many tokenised plates at once (NumPy).

    The dynamic programme runs over the query and plate positions, each step vectorised over
    all plates, so a lookup in thousands of plates takes milliseconds.
    """
    q = plate_tokens(normalize_plate(query)) if isinstance(query, str) else query
    if not plates:
        return np.zeros(0)
    vocab = {t: i for i, t in enumerate(dict.fromkeys(q + [t for p in plates for t in p]))}
    lengths = np.array([len(p) for p in plates])
    ids = np.zeros((len(plates), int(lengths.max())), dtype=np.int64)
    for row, p in enumerate(plates):
        ids[row, : len(p)] = [vocab[t] for t in p]
    tokens = list(vocab)
    # sub[i, n, j]: cost of substituting plate n's token j by query token i
    sub = np.array([[substitution_cost(a, b) for b in tokens] for a in q]).reshape(len(q), -1)
    sub = sub[:, ids]
    prev = np.repeat(np.arange(ids.shape[1] + 1, dtype=np.float64)[:, None] * INDEL_COST,
                     len(plates), axis=1)  # fmt: skip
    for i in range(1, len(q) + 1):
        cur = np.empty_like(prev)
        cur[0] = i * INDEL_COST
        for j in range(1, ids.shape[1] + 1):
            cur[j] = np.minimum(np.minimum(prev[j], cur[j - 1]) + INDEL_COST,
                                prev[j - 1] + sub[i - 1, :, j - 1])  # fmt: skip
        prev = cur
    return np.round(prev[lengths, np.arange(len(plates))], 6)


# --- the database ------------------------------------------------------------------------

FIELDS = ("plate", "owner", "permit", "notes")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS plates (
    plate  TEXT PRIMARY KEY NOT NULL,
    owner  TEXT NOT NULL DEFAULT '',
    permit TEXT NOT NULL DEFAULT '',
    notes  TEXT NOT NULL DEFAULT '',
    added  TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class PlateRecord:
    """One registered plate. ``added`` is an ISO 8601 UTC timestamp."""

    plate: str
    owner: str = ""
    permit: str = ""
    notes: str = ""
    added: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "plate": self.plate,
            "owner": self.owner,
            "permit": self.permit,
            "notes": self.notes,
            "added": self.added,
        }


@dataclass(frozen=True)
class Match:
    """Result of :meth:`Watchlist.lookup`.

    Attributes
    ----------
    kind
        ``"exact"``, ``"near"`` or ``"unknown"``.
    query
        The normalised text that was looked up.
    plate, distance, record
        The best registered plate, its distance to the query (0 for exact) and its record;
        ``None`` for ``"unknown"``.
    candidates
        Every registered plate within ``max_distance`` as ``(plate, distance)``, best first,
        so that an ambiguous near match can be shown as such.
    """

    kind: str
    query: str
    plate: str | None = None
    distance: float | None = None
    record: PlateRecord | None = None
    candidates: tuple[tuple[str, float], ...] = ()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _clean_field(name: str, value: object) -> str:
    value = "" if value is None else str(value).strip()
    if any(unicodedata.category(c) == "Cc" and c not in "\t" for c in value):
        raise InputError(f"{name} {value!r} holds a control character")
    return value


class Watchlist:
    """A watchlist database; use as a context manager, one instance per thread or process.

    lprkit changes only databases it created: an existing file must already hold a watchlist
    (a ``plates`` table with the watchlist's columns), so another application's SQLite file,
    or an empty file, is refused rather than given a new table.

    Parameters
    ----------
    path
        SQLite file (``":memory:"`` for a throw-away list).
    create
        Create the file if it does not exist; with ``False`` a missing file raises
        ``FileNotFoundError``.
    readonly
        Open for lookups only (implies ``create=False``): nothing is written, so a read-only
        file, or one on a read-only disk, can be looked up; :meth:`add`, :meth:`remove` and
        :meth:`import_csv` raise :class:`~lprkit.errors.LprkitError`.
    timeout
        Seconds to wait for another writer's lock before failing.
    """

    def __init__(
        self, path: str | Path, *, create: bool = True, readonly: bool = False, timeout: float = 10.0
    ) -> None:
        self.path = str(path)
        self.readonly = bool(readonly)
        self._cache: tuple | None = None
        self._conn = None
        memory = self.path == ":memory:"
        new = False
        if not memory:
            p = Path(path)
            if p.is_dir():
                raise IsADirectoryError(f"watchlist database {p} is a folder, not a file")
            if not p.exists():
                if readonly or not create:
                    raise FileNotFoundError(f"watchlist database {p} does not exist")
                if not p.parent.is_dir():
                    raise FileNotFoundError(f"folder {p.parent} for watchlist database does not exist")
                new = True
            elif p.stat().st_size == 0:
                raise LprkitError(
                    f"{p} is an empty file (0 bytes), not a watchlist database; "
                    "remove it or give a new file name"
                )
        try:
            self._conn = self._connect(timeout)
            if memory or new:
                if not memory:  # readers keep reading while one process writes
                    self._conn.execute("PRAGMA journal_mode=WAL")
                with self._conn:
                    self._conn.execute(_SCHEMA)
            columns = [row[1] for row in self._conn.execute("PRAGMA table_info(plates)")]
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise LprkitError(f"{self.path} is not a usable watchlist database: {exc}") from None
        if not columns:
            self._close_quietly()
            raise LprkitError(
                f"{self.path} is an SQLite database without a 'plates' table: not a watchlist "
                "(lprkit changes only databases it created); give a new file name"
            )
        if columns[:4] != list(FIELDS) or "added" not in columns:
            self._close_quietly()
            raise LprkitError(
                f"{self.path} has a 'plates' table with columns {columns}; "
                f"a watchlist needs {list(FIELDS) + ['added']}"
            )

    def _connect(self, timeout: float) -> sqlite3.Connection:
        if not self.readonly:
            conn = sqlite3.connect(self.path, timeout=timeout)
            conn.execute("PRAGMA synchronous=NORMAL")
            return conn
        uri = f"file:{urllib.parse.quote(str(Path(self.path).resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=timeout)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            # A WAL database in a folder we cannot write (no -shm file can be made) opens
            # only as immutable: fine for lookups, as nobody can be writing it there either.
            conn.close()
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=timeout)
        return conn

    def _writable(self) -> sqlite3.Connection:
        """The connection, for a change; refused on a read-only watchlist."""
        if self.readonly:
            raise LprkitError(f"watchlist {self.path} was opened read-only; open it with readonly=False to change it")
        return self._conn

    # context manager -----------------------------------------------------------------
    def __enter__(self) -> Watchlist:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        self._close_quietly()

    def _close_quietly(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()
            self._conn = None

    # reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM plates").fetchone()[0]

    def __contains__(self, plate: str) -> bool:
        return self.get(plate) is not None

    def __iter__(self) -> Iterator[PlateRecord]:
        return iter(self.list())

    def _tokenised(self) -> tuple[list[str], list[list[str]]]:
        """All plates and their tokens, cached until this or another connection writes."""
        version = (self._conn.execute("PRAGMA data_version").fetchone()[0],
                   self._conn.total_changes)  # fmt: skip
        if self._cache is None or self._cache[0] != version:
            plates = [p for (p,) in self._conn.execute("SELECT plate FROM plates ORDER BY plate")]
            self._cache = (version, plates, [plate_tokens(p) for p in plates])
        return self._cache[1], self._cache[2]

    def get(self, plate: str) -> PlateRecord | None:
        """The record of a registered plate, or ``None``."""
        row = self._conn.execute(
            "SELECT plate, owner, permit, notes, added FROM plates WHERE plate = ?",
            (normalize_plate(plate),),
        ).fetchone()
        return PlateRecord(*row) if row else None

    def list(self) -> list[PlateRecord]:
        """All records, sorted by plate."""
        rows = self._conn.execute(
            "SELECT plate, owner, permit, notes, added FROM plates ORDER BY plate"
        )
        return [PlateRecord(*r) for r in rows]

    def lookup(self, text: str, max_distance: float = 2.0) -> Match:
        """Look a read plate up: exact, else the nearest plate within ``max_distance``.

        Parameters
        ----------
        text
            The plate as read (normalised here).
        max_distance
            Largest :func:`plate_distance` that still counts as a near match (``0`` means
            exact matches only). Ties go to the alphabetically first plate; all plates within
            reach are in :attr:`Match.candidates`.
        """
        if not max_distance >= 0:
            raise InputError(f"max_distance must be >= 0, got {max_distance}")
        query = normalize_plate(text)
        record = self.get(query)
        if record is not None:
            return Match("exact", query, query, 0.0, record, ((query, 0.0),))
        plates, tokens = self._tokenised()
        d = plate_distances(plate_tokens(query), tokens)
        found = sorted((float(d[i]), plates[i]) for i in np.flatnonzero(d <= max_distance))
        if not found:
            return Match("unknown", query)
        found.sort()
        d, plate = found[0]
        return Match(
            "near", query, plate, d, self.get(plate), tuple((p, dist) for dist, p in found)
        )

    # writing ---------------------------------------------------------------------------
    def add(
        self,
        plate: str,
        owner: str = "",
        permit: str = "",
        notes: str = "",
        *,
        replace: bool = False,
    ) -> PlateRecord:
        """Register a plate; an existing plate raises ``ValueError`` unless ``replace``."""
        record = self._record(plate, owner, permit, notes)
        with self._writing() as conn:
            self._insert(conn, [record], replace, where="")
        return record

    def remove(self, plate: str) -> bool:
        """Unregister a plate; returns ``False`` if it was not registered."""
        with self._writing() as conn:
            cur = conn.execute("DELETE FROM plates WHERE plate = ?", (normalize_plate(plate),))
        return cur.rowcount > 0

    def import_csv(self, path: str | Path, *, replace: bool = False) -> int:
        """Add every row of a CSV file in one transaction (all rows or none).

        The first row is a header naming the columns: ``plate`` (required) and any of
        ``owner``, ``permit``, ``notes``. Returns the number of rows imported.

        Raises
        ------
        ValueError
            Naming the file and line of the first bad row (empty or invalid plate, wrong
            number of fields, a plate repeated in the file, or already registered when
            ``replace`` is false), or an unknown/missing header column.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"watchlist CSV {path} does not exist")
        records: list[tuple[int, PlateRecord]] = []
        seen: dict[str, int] = {}
        with io.StringIO(read_text(path), newline="") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path} is empty; expected a header row {','.join(FIELDS)}")
            columns = [h.strip().lower() for h in header]
            unknown = [c for c in columns if c not in FIELDS]
            if unknown or "plate" not in columns or len(set(columns)) != len(columns):
                raise InputError(
                    f"{path} line 1: header {header} is not valid; use the columns "
                    f"{','.join(FIELDS)} (plate required, each once)"
                )
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue  # blank lines are harmless
                if len(row) != len(columns):
                    raise InputError(
                        f"{path} line {line}: {len(row)} fields, the header has {len(columns)}"
                    )
                values = dict(zip(columns, row, strict=True))
                try:
                    record = self._record(
                        values["plate"],
                        values.get("owner", ""),
                        values.get("permit", ""),
                        values.get("notes", ""),
                    )
                except ValueError as exc:
                    raise InputError(f"{path} line {line}: {exc}") from None
                if record.plate in seen:
                    raise InputError(
                        f"{path} line {line}: plate {record.plate} repeats line {seen[record.plate]}"
                    )
                seen[record.plate] = line
                records.append((line, record))
        with self._writing() as conn:
            for line, record in records:
                self._insert(conn, [record], replace, where=f"{path} line {line}: ")
        return len(records)

    def _record(self, plate: str, owner: str, permit: str, notes: str) -> PlateRecord:
        return PlateRecord(
            normalize_plate(plate),
            _clean_field("owner", owner),
            _clean_field("permit", permit),
            _clean_field("notes", notes),
            _now(),
        )

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One transaction (all or nothing); SQLite's write failures become one line."""
        conn = self._writable()
        try:
            with conn:
                yield conn
        except sqlite3.OperationalError as exc:  # e.g. a read-only file or a full disk
            raise LprkitError(f"cannot change watchlist {self.path}: {exc}") from None

    def _insert(self, conn: sqlite3.Connection, records: list[PlateRecord], replace: bool, where: str) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        for r in records:
            try:
                conn.execute(
                    f"{verb} INTO plates (plate, owner, permit, notes, added) VALUES (?, ?, ?, ?, ?)",
                    (r.plate, r.owner, r.permit, r.notes, r.added),
                )
            except sqlite3.IntegrityError:
                raise InputError(
                    f"{where}plate {r.plate} is already registered (replace=True / --replace updates it)"
                ) from None
