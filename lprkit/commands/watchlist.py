"""``lprkit watchlist``: keep a database of registered plates and look reads up in it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from lprkit.commands._checks import check_number
from lprkit.errors import InputError

DESCRIPTION = """\
Manage a watchlist of registered plates (an SQLite file) and look plate reads up in it.
Plates are normalised (upper case, no spaces or hyphens). A lookup answers 'exact', 'near'
(within --max-distance, where look-alike characters such as 0/O, 8/B, 1/I, 마/머 cost 0.4
and other edits 1) or 'unknown'.
"""


def _db_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    # SUPPRESS so that `watchlist --db X lookup T` and `watchlist lookup T --db X` both work.
    p.add_argument(
        "--db", default=argparse.SUPPRESS, metavar="PATH", help="watchlist database file (required)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print JSON (one object per line) instead of a table",
    )
    return p


def register(sub: argparse._SubParsersAction) -> None:
    common = _db_parent()
    p = sub.add_parser(
        "watchlist",
        parents=[common],
        help="registered-plate database: import, add, look up",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")

    a = actions.add_parser(
        "import",
        parents=[common],
        help="import plates from a CSV file",
        description="Import a CSV whose header names plate (required) and "
        "any of owner, permit, notes. All rows or none are imported.",
    )
    a.add_argument("csv", metavar="CSV", help="CSV file with a header row")
    a.add_argument("--replace", action="store_true", help="update plates already registered")

    a = actions.add_parser("add", parents=[common], help="register one plate")
    a.add_argument("plate", metavar="PLATE")
    a.add_argument("--owner", default="")
    a.add_argument("--permit", default="")
    a.add_argument("--notes", default="")
    a.add_argument("--replace", action="store_true", help="update the plate if registered")

    a = actions.add_parser("remove", parents=[common], help="unregister one plate")
    a.add_argument("plate", metavar="PLATE")

    a = actions.add_parser(
        "lookup",
        parents=[common],
        help="look a read up (exit 1 if unknown)",
        description="Look a plate read up. Exit code 0 for an exact or near "
        "match, 1 for unknown, 2 for bad input.",
    )
    a.add_argument("text", metavar="TEXT", help="the plate as read")
    a.add_argument(
        "--max-distance",
        type=float,
        default=2.0,
        help="largest weighted edit distance for a near match (default 2)",
    )

    actions.add_parser("list", parents=[common], help="print every registered plate")
    p.set_defaults(func=run, _parser=p)


def run(args: argparse.Namespace) -> int:
    from lprkit.watchlist import normalize_plate

    if not args.action:
        args._parser.print_help()
        return 2
    if not getattr(args, "db", None):
        raise InputError("--db PATH is required (the watchlist database file)")
    as_json = getattr(args, "json", False)
    # Check the input before opening: a failed command must not leave a new, empty database.
    if args.action == "import" and not Path(args.csv).is_file():
        raise FileNotFoundError(f"watchlist CSV {args.csv} does not exist")
    if args.action in ("add", "remove"):
        normalize_plate(args.plate)
    # Only import/add may create a new database (a typo in --db should not look empty);
    # lookup and list open it read-only, so they never change the file.
    if args.action == "lookup":
        check_number(args, "max-distance", lo=0)
    writes = args.action in ("import", "add", "remove")
    new_db = not Path(args.db).exists()
    try:
        return _act(args, as_json, writes)
    except BaseException:
        if new_db and args.db != ":memory:":  # a failed import leaves no new, empty database
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(args.db + suffix).unlink(missing_ok=True)
        raise


def _act(args: argparse.Namespace, as_json: bool, writes: bool) -> int:
    from lprkit.watchlist import Watchlist

    with Watchlist(args.db, create=args.action in ("import", "add"), readonly=not writes) as wl:
        if args.action == "import":
            n = wl.import_csv(args.csv, replace=args.replace)
            _say(
                as_json,
                {"imported": n, "total": len(wl)},
                f"imported {n} plates ({len(wl)} registered)",
            )
        elif args.action == "add":
            r = wl.add(args.plate, args.owner, args.permit, args.notes, replace=args.replace)
            _say(as_json, r.as_dict(), f"added {r.plate}")
        elif args.action == "remove":
            if not wl.remove(args.plate):
                raise InputError(f"plate {args.plate!r} is not in {args.db}")
            _say(as_json, {"removed": args.plate}, f"removed {args.plate}")
        elif args.action == "list":
            records = wl.list()
            if as_json:
                for r in records:
                    print(json.dumps(r.as_dict(), ensure_ascii=False))
            else:
                print(_table([r.as_dict() for r in records]))
        else:  # lookup
            m = wl.lookup(args.text, max_distance=args.max_distance)
            info = {
                "kind": m.kind,
                "query": m.query,
                "plate": m.plate,
                "distance": m.distance,
                **(
                    {k: v for k, v in m.record.as_dict().items() if k != "plate"}
                    if m.record
                    else {}
                ),
            }
            if as_json:
                print(json.dumps(info, ensure_ascii=False))
            elif m.kind == "unknown":
                print(f"unknown  {m.query}")
            else:
                others = [p for p, _ in m.candidates[1:]]
                more = f"  (also near: {', '.join(others)})" if others else ""
                print(
                    f"{m.kind:<8} {m.plate}  distance={m.distance:g}  owner={m.record.owner!r}  "
                    f"permit={m.record.permit!r}  notes={m.record.notes!r}{more}"
                )
            return 1 if m.kind == "unknown" else 0
    return 0


def _say(as_json: bool, obj: dict, text: str) -> None:
    print(json.dumps(obj, ensure_ascii=False) if as_json else text)


def _table(rows: list[dict[str, str]]) -> str:
    import unicodedata

    def width(s: str) -> int:  # Hangul takes two terminal columns
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    cols = ["plate", "owner", "permit", "notes", "added"]
    if not rows:
        return "(no plates registered)"
    widths = {c: max(width(c), *(width(r[c]) for r in rows)) for c in cols}
    lines = ["  ".join(c.ljust(widths[c]) for c in cols).rstrip()]
    for r in rows:
        lines.append("  ".join(r[c] + " " * (widths[c] - width(r[c])) for c in cols).rstrip())
    return "\n".join(lines)
