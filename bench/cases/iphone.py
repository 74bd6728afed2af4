"""Issue 19: reading an iPhone backup's ``sms.db`` and an iMazing messages CSV.

The issue states no speed goal for these formats; the rows report how fast each is
read and in how much memory, as a ratio against the floor for the same work in
Python: ``parse_iphone_backup`` read to the end against a plain ``sqlite3`` SELECT of
the same columns (joined with the handles) that only counts rows; ``parse_imessage``
on the CSV against a ``csv.reader`` loop. Both in children, alternating. 200,000
messages (5,000 in quick mode).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from ..harness import CaseReport
from ..harness import Context
from ..harness import Goal
from ..harness import Row
from ..harness import median
from ..harness import paired_ratio
from ..harness import progress
from ..harness import rss_mb
from ..harness import run_python

NAME = "iphone"
TITLE = "Reading iPhone backups (sms.db) and iMazing CSV"
ISSUE = 19
GOALS: list[Goal] = []
HEADER = (
    "Chat Session,Message Date,Delivered Date,Read Date,Edited Date,Deleted Date,Service,Type,Sender ID,"
    "Sender Name,Status,Replying to,Subject,Text,Reactions,Attachment,Attachment type\n"
)


def _timed_parse(parse: Any, path: Path) -> dict[str, Any]:
    """Seconds to stream every item ``parse`` reads from ``path``, and how many."""
    start = time.perf_counter()
    with parse(path) as stream:
        items = sum(1 for _ in stream)
    return {"seconds": time.perf_counter() - start, "items": items}


def smsdb_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.importers.smsdb import parse_iphone_backup

    return _timed_parse(parse_iphone_backup, Path(args["file"]))


def select_child(args: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    conn = sqlite3.connect(f"file:{args['file']}?mode=ro&immutable=1", uri=True)
    cur = conn.execute(
        "SELECT m.ROWID, m.date, m.text, m.is_from_me, h.id FROM message m "
        "LEFT JOIN handle h ON h.ROWID = m.handle_id ORDER BY m.date"
    )
    items = 0
    while batch := cur.fetchmany(500):
        items += len(batch)
    conn.close()
    return {"seconds": time.perf_counter() - start, "items": items}


def imazing_child(args: dict[str, Any]) -> dict[str, Any]:
    from victim_log.importers.imessage import parse_imessage

    return _timed_parse(parse_imessage, Path(args["file"]))


def csv_child(args: dict[str, Any]) -> dict[str, Any]:
    import csv

    start = time.perf_counter()
    with open(args["file"], encoding="utf-8-sig", newline="") as fh:
        items = sum(1 for _ in csv.reader(fh)) - 1
    return {"seconds": time.perf_counter() - start, "items": items}


def _write(folder: Path, n: int) -> tuple[Path, Path]:
    from tests.importers.iphone_fixtures import SMS_SCHEMA
    from tests.importers.iphone_fixtures import apple_ns

    db = folder / "sms.db"
    conn = sqlite3.connect(db)
    conn.executescript(SMS_SCHEMA)
    conn.executemany(
        "INSERT INTO handle (ROWID, id, service) VALUES (?, ?, 'SMS')",
        [(i, f"+4477009{i:05d}") for i in range(1, 51)],
    )
    base = apple_ns(2024, 1, 1, 0, 0)
    words = "where are you, answer me "
    minute = 60 * 10**9
    rows = (
        (i, f"g{i}", words * (1 + i % 3), 1 + i % 50, base + i * minute, i % 3 == 0) for i in range(1, n + 1)
    )
    conn.executemany(
        "INSERT INTO message (ROWID, guid, text, handle_id, service, date, is_from_me) "
        "VALUES (?, ?, ?, ?, 'SMS', ?, ?)",
        rows,
    )
    conn.commit()
    conn.close()
    csv_path = folder / "Messages - Dan Marsh.csv"
    with open(csv_path, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(n):
            kind = "Outgoing" if i % 3 == 0 else "Incoming"
            when = f"2024-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00"
            fh.write(
                f"Dan Marsh,{when},,,,,SMS,{kind},+447700900123,"
                f'Dan Marsh,Read,,,"message {i} where are you, answer me",,,\n'
            )
    return db, csv_path


def _pair(ctx: Context, ours: str, ref: str, path: Path) -> tuple[list[float], list[float], list[int]]:
    times: dict[str, list[float]] = {"ours": [], "ref": []}
    rss: list[int] = []
    pair = [("ours", ours), ("ref", ref)]
    for i in range(ctx.reps):
        for side, target in pair if i % 2 == 0 else pair[::-1]:
            c, res = run_python(target, {"file": str(path)}, ctx=ctx)
            times[side].append(res["seconds"])
            if side == "ours":
                rss.append(c.peak_rss)
    return times["ours"], times["ref"], rss


def run(ctx: Context, report: CaseReport) -> None:
    n = ctx.size(200_000, 5_000)
    folder = ctx.work / "iphone"
    folder.mkdir(parents=True, exist_ok=True)
    with progress(ctx, f"writing an sms.db and an iMazing CSV of {n:,} messages"):
        db, csv_path = _write(folder, n)
    for label, ours_t, ref_t, path, ref_name in (
        ("sms.db read (parse_iphone_backup)", "smsdb_child", "select_child", db, "sqlite3 SELECT"),
        ("iMazing CSV read (parse_imessage)", "imazing_child", "csv_child", csv_path, "csv.reader loop"),
    ):
        ours, ref, rss = _pair(ctx, f"bench.cases.iphone:{ours_t}", f"bench.cases.iphone:{ref_t}", path)
        mb = path.stat().st_size / 1e6
        report.rows.append(
            Row(
                NAME,
                f"{label}: {n:,} messages, {mb:.1f} MB",
                None,
                ours=f"{n / median(ours):,.0f} messages/s, peak RSS {rss_mb(max(rss))}",
                reference=f"{ref_name} {n / median(ref):,.0f} rows/s",
                ratio=f"{paired_ratio(ours, ref):.2f}x time, lower is better",
                data={"ours_s": ours, "ref_s": ref, "messages": n, "rss": rss},
            )
        )
