"""Watchlist: normalisation, look-alike distance, exact/near/unknown, CSV import, SQL
injection, concurrent readers, and the ``lprkit watchlist`` command."""

from __future__ import annotations

import json
import sqlite3
import threading

import numpy as np
import pytest

from lprkit.cli import main
from lprkit.errors import LprkitError
from lprkit.watchlist import (
    LOOKALIKE_COST,
    LOOKALIKE_PAIRS,
    Watchlist,
    normalize_plate,
    plate_distance,
    plate_distances,
    plate_tokens,
    substitution_cost,
)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "w.db"
    with Watchlist(path) as wl:
        wl.add("12가3456", owner="Kim", permit="resident")
        wl.add("AB-123-CD", owner="Smith", notes="visitor")
        wl.add("서울12바3456", owner="Lee")
    return path


def test_normalize_and_tokens():
    assert normalize_plate(" ab-12 3.cd ") == "AB123CD"
    # Decomposed Hangul (NFD, as some tools write it) is the same plate.
    import unicodedata

    assert normalize_plate(unicodedata.normalize("NFD", "12가3456")) == "12가3456"
    assert plate_tokens("서울12바3456") == ["서울", "1", "2", "바", "3", "4", "5", "6"]
    for bad in ("", " - ", "AB\x00C", "X" * 40):
        with pytest.raises(ValueError, match="plate text"):
            normalize_plate(bad)


def test_lookalike_costs():
    for a, b in [
        ("0", "O"),
        ("8", "B"),
        ("1", "I"),
        ("5", "S"),
        ("2", "Z"),
        ("6", "G"),
        ("머", "마"),
        ("고", "구"),
        ("바", "배"),
        ("마", "바"),
        ("오", "호"),
    ]:
        assert frozenset((a, b)) in LOOKALIKE_PAIRS
        assert substitution_cost(a, b) == substitution_cost(b, a) == LOOKALIKE_COST
    assert substitution_cost("A", "X") == 1.0
    assert substitution_cost("가", "하") == 1.0
    assert plate_distance("AB0123", "ABO123") == pytest.approx(0.4)
    assert plate_distance("AB0123", "ABX123") == pytest.approx(1.0)
    assert plate_distance("8B0123", "B80123") == pytest.approx(0.8)  # two look-alikes
    assert plate_distance("12가3456", "12가345") == pytest.approx(1.0)  # deletion
    assert plate_distance("서울12바3456", "부산12바3456") == pytest.approx(1.0)  # one region token


def test_vectorised_distances_match_scalar():
    rng = np.random.default_rng(0)
    pool = list("0123456789OBIS8가마머고구") + ["서울", "부산"]
    plates = [[str(t) for t in rng.choice(pool, size=rng.integers(1, 9))] for _ in range(300)]
    for query in ("12가3456", "서울8B0", "O", "머머머머머머머머머머"):
        expected = [plate_distance(plate_tokens(query), p) for p in plates]
        np.testing.assert_allclose(plate_distances(query, plates), expected)
    assert plate_distances("AB", []).shape == (0,)


def test_exact_near_unknown(db):
    with Watchlist(db, create=False) as wl:
        m = wl.lookup("12 가 3456")
        assert (m.kind, m.plate, m.distance, m.record.owner) == ("exact", "12가3456", 0.0, "Kim")
        m = wl.lookup("12머3456")  # not a look-alike of 가: one full substitution
        assert (m.kind, m.plate, m.distance) == ("near", "12가3456", 1.0)
        m = wl.lookup("A8I23CD")  # 8/B and I/1
        assert (m.kind, m.plate, m.distance) == ("near", "AB123CD", pytest.approx(0.8))
        assert m.record.notes == "visitor"
        assert wl.lookup("A8I23CD", max_distance=0.5).kind == "unknown"
        assert wl.lookup("서울12배3456").distance == pytest.approx(0.4)
        m = wl.lookup("99무9999")
        assert (m.kind, m.plate, m.distance, m.record) == ("unknown", None, None, None)
        assert wl.lookup("12가3456", max_distance=0).kind == "exact"
        with pytest.raises(ValueError, match="max_distance"):
            wl.lookup("12가3456", max_distance=-1)


def test_near_candidates_sorted(tmp_path):
    with Watchlist(tmp_path / "c.db") as wl:
        wl.add("AB1234")
        wl.add("AB1235")
        m = wl.lookup("AB123S")  # S/5 look-alike to AB1235, plain substitution to AB1234
        assert m.plate == "AB1235"
        assert [p for p, _ in m.candidates] == ["AB1235", "AB1234"]
        assert [d for _, d in m.candidates] == [pytest.approx(0.4), pytest.approx(1.0)]


def test_add_remove_replace(db):
    with Watchlist(db) as wl:
        assert len(wl) == 3 and "ab 123 cd" in wl
        with pytest.raises(ValueError, match="already registered"):
            wl.add("ab123cd")
        wl.add("ab123cd", owner="New", replace=True)
        assert wl.get("AB123CD").owner == "New" and len(wl) == 3
        assert wl.remove("AB-123-CD") is True
        assert wl.remove("AB-123-CD") is False
        assert [r.plate for r in wl.list()] == ["12가3456", "서울12바3456"]
        assert wl.get("12가3456").added.endswith("+00:00")


def test_near_lookup_sees_other_connections_writes(tmp_path):
    path = tmp_path / "v.db"
    with Watchlist(path) as reader, Watchlist(path) as writer:
        assert reader.lookup("AB1234").kind == "unknown"  # fills the reader's cache
        writer.add("AB1235")
        assert reader.lookup("AB1234").plate == "AB1235"
        writer.remove("AB1235")
        assert reader.lookup("AB1234", max_distance=1).kind == "unknown"
        reader.add("XY1234")  # the reader's own write must refresh its cache too
        assert reader.lookup("XY1284").plate == "XY1234"


def test_sql_injection_is_data(tmp_path):
    nasty = "'; DROP TABLE plates; --"
    with Watchlist(tmp_path / "i.db") as wl:
        wl.add("12가3456")
        wl.add("12가3457", owner="Robert'); DROP TABLE plates;--", notes='" OR 1=1 --')
        assert len(wl) == 2
        m = wl.lookup("12가3457")
        assert m.kind == "exact" and m.record.owner == "Robert'); DROP TABLE plates;--"
        assert m.record.notes == '" OR 1=1 --'
        for probe in (nasty, "' OR '1'='1", "12가3456' OR 1=1 --", "%", "A_B*"):
            with pytest.raises(ValueError, match="letters, digits and Hangul only"):
                wl.lookup(probe, max_distance=0)
        assert wl.lookup("OR11", max_distance=0).kind == "unknown"
        assert len(wl) == 2
    conn = sqlite3.connect(tmp_path / "i.db")
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert tables == ["plates"]
    assert conn.execute("SELECT COUNT(*) FROM plates").fetchone()[0] == 2
    conn.close()


def test_import_csv_and_errors(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(
        '\ufeffPlate,owner,permit,notes\n12가3456,Kim,A1,\n\nab-12,"Lee, J",B2,"x"\n',
        encoding="utf-8",
    )
    with Watchlist(tmp_path / "w.db") as wl:
        assert wl.import_csv(good) == 2
        assert wl.get("AB12").owner == "Lee, J"
        cases = {
            "plate,owner\n12가3456,A\n,B\n": "line 3: plate text '' is empty",
            "plate,owner\n77XY,A\n77XY,B\n": "line 3: plate 77XY repeats line 2",
            "plate,owner\n77XY,A,extra\n": "line 2: 3 fields, the header has 2",
            "plate,colour\n77XY,red\n": "line 1: header",
            "owner,notes\nA,B\n": "line 1: header",
            "plate\n77XY\n12가3456\n": "line 3: plate 12가3456 is already registered",
            "": "is empty",
        }
        for i, (text, message) in enumerate(cases.items()):
            bad = tmp_path / f"bad{i}.csv"
            bad.write_text(text, encoding="utf-8")
            with pytest.raises(ValueError, match=rf"bad{i}\.csv.*{message}"):
                wl.import_csv(bad)
        assert len(wl) == 2  # nothing from a failed import was kept (77XY came before the error)
        assert wl.import_csv(tmp_path / "bad5.csv", replace=True) == 2
        with pytest.raises(FileNotFoundError, match="missing.csv"):
            wl.import_csv(tmp_path / "missing.csv")


def test_open_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Watchlist(tmp_path / "none.db", create=False)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LprkitError, match="junk.db is not a usable watchlist"):
        Watchlist(junk)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE plates (id INTEGER, x TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(LprkitError, match="columns"):
        Watchlist(other)


def test_concurrent_readers_while_writing(tmp_path):
    path = tmp_path / "c.db"
    with Watchlist(path) as wl:
        wl.add("12가3456", owner="Kim")
        assert wl._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    n_writes, errors, seen = 150, [], []
    done = threading.Event()

    def writer():
        try:
            with Watchlist(path) as w:
                for i in range(n_writes):
                    w.add(f"{i:02d}가{i:04d}", owner=f"o{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            done.set()

    def reader():
        try:
            with Watchlist(path, create=False) as r:
                counts = []
                while not done.is_set() or len(counts) < 5:
                    assert r.lookup("12가3456").kind == "exact"
                    counts.append(len(r))
                assert counts == sorted(counts)  # a reader never sees rows disappear
                seen.append(counts[-1])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(4)] + [
        threading.Thread(target=writer)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(seen) == 4
    with Watchlist(path) as wl:
        assert len(wl) == n_writes + 1


READER = """
import sys, time
from lprkit.watchlist import Watchlist
path, final = sys.argv[1], int(sys.argv[2])
counts, deadline = [], time.time() + 60
with Watchlist(path, create=False) as wl:
    open(sys.argv[3], "w").close()  # tell the writer this reader is in
    while time.time() < deadline:
        assert wl.lookup("12가3456").kind == "exact"
        counts.append(len(wl))
        if counts[-1] == final:
            break
assert counts == sorted(counts), "rows disappeared"
print(len(counts), counts[0], counts[-1])
"""


def test_reader_processes_while_writing(tmp_path):
    import subprocess
    import sys
    import time

    path, n_writes = tmp_path / "p.db", 300
    with Watchlist(path) as wl:
        wl.add("12가3456")
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(path), str(n_writes + 1), str(tmp_path / f"r{k}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(2)
    ]
    deadline = time.time() + 60
    while not all((tmp_path / f"r{k}").exists() for k in range(2)) and time.time() < deadline:
        time.sleep(0.01)
    with Watchlist(path) as wl:
        for i in range(n_writes):
            wl.add(f"{i:03d}가{i:04d}")
    for p in readers:
        out, err = p.communicate(timeout=90)
        assert p.returncode == 0, err
        n_reads, first, last = map(int, out.split())
        assert last == n_writes + 1 and first < last and n_reads > 1  # read during writes


def test_cli(tmp_path, capsys):
    db = str(tmp_path / "w.db")
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("plate,owner,permit,notes\n12가3456,Kim,resident,\n", encoding="utf-8")
    assert main(["watchlist", "import", str(csv_path), "--db", db]) == 0
    assert "imported 1 plates" in capsys.readouterr().out
    assert main(["watchlist", "--db", db, "add", "AB123CD", "--owner", "Smith"]) == 0
    assert main(["watchlist", "lookup", "12거3456", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("near     12가3456  distance=0.4  owner='Kim'")
    assert main(["watchlist", "lookup", "ZZ999", "--db", db, "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["kind"] == "unknown"
    assert main(["watchlist", "list", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["plate", "owner", "permit", "notes", "added"]
    assert [ln.split()[0] for ln in lines[1:]] == ["12가3456", "AB123CD"]
    assert main(["watchlist", "remove", "AB123CD", "--db", db]) == 0
    capsys.readouterr()
    for argv, message in [
        (["watchlist", "remove", "AB123CD", "--db", db], "not in"),
        (["watchlist", "lookup", "X1", "--db", str(tmp_path / "no.db")], "does not exist"),
        (["watchlist", "lookup", "X1"], "--db PATH is required"),
        (["watchlist", "add", "- -", "--db", db], "empty"),
        (["watchlist", "import", str(tmp_path / "none.csv"), "--db", db], "none.csv"),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and message in err and err.startswith("lprkit watchlist")


@pytest.mark.parametrize("text", ["=1+2", "AB/12", "12가3456!"])
def test_plate_text_with_other_characters_is_refused(text):
    from lprkit.watchlist import normalize_plate

    with pytest.raises(ValueError, match="letters, digits and Hangul only"):
        normalize_plate(text)


def _foreign_db(path):
    """Another application's SQLite file (rollback journal, its own table)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE cars (id INTEGER, plate TEXT)")
    conn.execute("INSERT INTO cars VALUES (1, 'AB123')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("readonly", [False, True])
def test_foreign_and_empty_files_are_refused_and_left_unchanged(tmp_path, readonly):
    other = tmp_path / "other.db"
    before = _foreign_db(other)
    with pytest.raises(LprkitError, match="without a 'plates' table"):
        Watchlist(other, readonly=readonly)
    assert other.read_bytes() == before  # no table added, journal mode not switched to WAL
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(LprkitError, match="empty file"):
        Watchlist(empty, readonly=readonly)
    assert empty.stat().st_size == 0


def test_readonly_watchlist_looks_up_and_refuses_changes(db):
    before = db.read_bytes()
    with Watchlist(db, readonly=True) as wl:
        assert wl.lookup("12거3456").kind == "near" and len(wl) == 3
        with pytest.raises(LprkitError, match="read-only"):
            wl.add("XY999")
        with pytest.raises(LprkitError, match="read-only"):
            wl.remove("12가3456")
    assert db.read_bytes() == before
    with pytest.raises(FileNotFoundError, match="does not exist"):
        Watchlist(db.with_name("none.db"), readonly=True)


def test_cli_never_creates_or_changes_a_database_on_failure(tmp_path, capsys):
    db = tmp_path / "w.db"
    for argv, message in [
        (["watchlist", "import", str(tmp_path / "none.csv"), "--db", str(db)], "none.csv"),
        (["watchlist", "add", "=1+2", "--db", str(db)], "letters, digits"),
    ]:
        assert main(argv) == 2
        assert message in capsys.readouterr().err
        assert not db.exists()
    other = tmp_path / "other.db"
    before = _foreign_db(other)
    for action in (["lookup", "AB123"], ["list"], ["add", "AB123"]):
        assert main(["watchlist", *action, "--db", str(other)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "not a watchlist" in err
    assert other.read_bytes() == before
