"""The pattern's numbers from the timeline index (#20): GROUP BY queries that hand
:mod:`victim_log.stats` a :class:`~victim_log.stats.Tally`.

Why SQL: the figures must come in well under a fifth of a second for 100,000
incidents, so rows are counted per day and kinds inside SQLite and Python sees a few
thousand groups, not every incident.

Days are on the case's clock: ``sort_key`` (the instant, UTC seconds) plus the case
zone's UTC offset at that instant, an SQL ``CASE`` over the zone's changes (summer time)
between the earliest and latest dates in the log. A "day only" entry keeps the
calendar date it was given, as the export does. Context entries (the victim's replies)
and deleted entries are never counted; entries dated after they were recorded are
left out of the charts and named.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from ..importers.context import asks_to_stop
from ..model import order_day
from ..stats import BASELINE_DAYS, NIGHT_HOURS, RECENT_DAYS, DayGroup, Recent, Tally, plausible_range
from .db import Connection
from .index import IncidentFilter, where
from .orders import list_orders
from .people import list_people

__all__ = ["tally"]

_EPOCH_SECONDS = 62_135_596_800  # 0001-01-01 to 1970-01-01: keeps every day positive
_JD_ORDINAL = 1_721_424.5  # julianday() of ordinal 0
_UNIX_JD = 2_440_587.5
_SPAN_YEARS = 80  # summer-time changes are followed this far back from today
_AFTER_RECORDING = 300  # seconds: a clock a little fast is not a wrong date
_NIGHT = ",".join(str(h) for h in sorted(NIGHT_HOURS))
_TIMED = "precision IN ('exact', 'approximate')"
# The victim's words asking them to stop, from the search index (checked after).
_STOP_VERBS = (
    "contact", "messag", "call", "text", "ring", "phon", "email", "follow", "watch",
    "harass", "bother", "pester", "stalk", "writ", "send", "turn", "show", "com",
)  # fmt: skip
_EVER_VERBS = ("contact", "call", "messag", "text", "com")
_STOP_QUERY = " OR ".join(
    [
        *(f'"stop {v}"*' for v in _STOP_VERBS),
        *(f'"{no} {v}"*' for no in ("don t", "dont", "do not", "never") for v in (*_STOP_VERBS, "go")),
        # "don't ever ..." for the commonest verbs only: every phrase costs search time
        *(f'"{no} ever {v}"*' for no in ("don t", "dont", "do not", "never") for v in _EVER_VERBS),
        '"please stop"', '"pls stop"', '"just stop"', '"leave me alone"', '"leave me be"',
        '"stay away"', '"get away from me"', '"go away"', '"don t want"', '"do not want"',
        '"dont want"', '"no contact"', '"no more contact"', '"no further contact"',
        '"leave me and my"', "^stop",
    ]
)  # fmt: skip
_WORK_QUERY = (
    'location : (work OR office OR workplace) OR summary : ("at work" OR "my work" OR '
    '"my office" OR "workplace" OR "at my job") OR details : ("at work" OR "my work" OR "my office")'
)
_AT_PLACE = ("turned_up", "in_person", "loitering", "following")


def _offset(zone: tzinfo, ts: int) -> int:
    off = datetime.fromtimestamp(ts, UTC).astimezone(zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def _changes(zone: tzinfo, lo: int, hi: int) -> list[tuple[int, int]]:
    """(from instant, offset) for every change of ``zone``'s offset in [lo, hi], the
    first from ``lo``; a week's steps, each change found to the second."""
    prev = _offset(zone, lo)
    out = [(lo, prev)]
    step = 7 * 86_400
    t = lo
    while t < hi:
        nxt = min(t + step, hi)
        off = _offset(zone, nxt)
        if off != prev:
            a, b = t, nxt
            while b - a > 1:
                m = (a + b) // 2
                if _offset(zone, m) == prev:
                    a = m
                else:
                    b = m
            out.append((b, off))
            prev = off
        t = nxt
    return out


def _offset_sql(column: str, changes: Sequence[tuple[int, int]]) -> tuple[str, list[Any]]:
    """``CASE`` giving the zone's offset at the instant in ``column`` (latest first:
    most entries are recent, so most rows stop at the first test)."""
    if len(changes) == 1:
        return "?", [changes[0][1]]
    parts, args = ["CASE"], []
    for at, off in reversed(changes[1:]):
        parts.append(f"WHEN {column} >= ? THEN ?")
        args += [at, off]
    parts.append("ELSE ? END")
    args.append(changes[0][1])
    return "(" + " ".join(parts) + ")", args


_SEQ = itertools.count(1)


def _fill_rows(conn: Connection, table: str, flt: IncidentFilter, zone: tzinfo, today: date) -> None:
    """One pass over the timeline table into ``temp.<table>``: each chosen row's day,
    hour and "dated after it was recorded" flag on the case's clock, and whether it is
    a context entry (the one full scan; everything after reads the small table)."""
    clause, args = where(flt)
    now = int(datetime.combine(today, datetime.min.time(), UTC).timestamp())
    # Bounds from the time index alone (no scan): the zone's changes between them.
    # Two queries: SQLite answers a lone min() or max() with one seek of the index.
    bounds = (
        conn.execute("SELECT min(sort_key) FROM incidents WHERE deleted = 0").fetchone()[0],
        conn.execute("SELECT max(sort_key) FROM incidents WHERE deleted = 0").fetchone()[0],
    )
    floor = now - _SPAN_YEARS * 366 * 86_400
    lo = max(int(bounds[0] if bounds[0] is not None else now), floor)
    hi = min(int(bounds[1] if bounds[1] is not None else now), now + 2 * 86_400)
    changes = _changes(zone, min(lo, hi), max(lo, hi))
    off, off_args = _offset_sql("sort_key", changes)
    recorded = f"((julianday(first_recorded_at) - {_UNIX_JD}) * 86400)"
    roff, roff_args = _offset_sql(recorded, changes)
    # Nothing can be recorded before the log's first journal entry: later dates only
    # need the (slower) comparison with when each was recorded.
    first = conn.execute("SELECT at FROM journal ORDER BY seq LIMIT 1").fetchone()
    try:
        since = int(datetime.fromisoformat(str(first[0])).timestamp()) - 2 * 86_400 if first else 0
    except ValueError:
        since = 0
    local = f"(CAST(sort_key + {off} AS INTEGER) + {_EPOCH_SECONDS})"
    untimed_day = f"CAST(julianday(substr(occurred_start, 1, 10)) - {_JD_ORDINAL} AS INTEGER)"
    conn.execute(
        f"CREATE TEMP TABLE {table} (id INTEGER PRIMARY KEY, kinds TEXT, breach INT, context INT,"
        " day INT, hour INT, late INT)"
    )
    late_untimed = f"{untimed_day} > (CAST({recorded} + {roff} AS INTEGER) + {_EPOCH_SECONDS}) / 86400 + 1"
    sql = (
        f"INSERT INTO temp.{table} SELECT id, kinds, breach, context,"
        f" CASE WHEN occurred_start = '' THEN NULL WHEN {_TIMED} THEN {local} / 86400 + 1"
        f" ELSE {untimed_day} END,"
        f" CASE WHEN {_TIMED} AND occurred_start != '' THEN ({local} % 86400) / 3600 ELSE -1 END,"
        f" CASE WHEN occurred_start = '' OR sort_key < ? THEN 0 WHEN {_TIMED}"
        f" THEN coalesce(sort_key > {recorded} + {_AFTER_RECORDING}, 0)"
        f" ELSE coalesce({late_untimed}, 0) END FROM incidents{clause}"
    )
    conn.execute(sql, [*off_args, *off_args, since, *roff_args, *args])


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(k for k in str(text).split(",") if k)


def tally(conn: Connection, flt: IncidentFilter, zone: tzinfo, today: date) -> Tally:
    """Counts for the incidents ``flt`` selects (deleted and context entries never),
    per day on ``zone``'s clock, for the figures on ``today``."""
    table = f"vl_stats_{next(_SEQ)}"  # one per call: the app may run two at once
    _fill_rows(conn, table, flt, zone, today)
    try:
        return _tally(conn, table, today)
    finally:
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _tally(conn: Connection, table: str, today: date) -> Tally:
    rows = f"temp.{table}"
    undated = int(
        conn.execute(f"SELECT count(*) FROM {rows} WHERE context = 0 AND day IS NULL").fetchone()[0]
    )
    raw = conn.execute(
        f"SELECT day, kinds, breach, count(*), sum(hour IN ({_NIGHT})), min(id) FROM {rows}"
        " WHERE context = 0 AND late = 0 AND day IS NOT NULL GROUP BY day, kinds, breach"
    ).fetchall()
    per_day: dict[int, int] = {}
    for r in raw:
        per_day[int(r[0])] = per_day.get(int(r[0]), 0) + int(r[3])
    lo, hi = plausible_range(per_day, today.toordinal())
    parsed: dict[str, tuple[str, ...]] = {}
    groups = tuple(
        DayGroup(int(r[0]), parsed.get(r[1]) or parsed.setdefault(r[1], _kinds(r[1])), bool(r[2]), int(r[3]),
                 int(r[4] or 0), int(r[5]))
        for r in raw
        if lo <= int(r[0]) <= hi
    )  # fmt: skip
    kept = "context = 0 AND late = 0 AND day BETWEEN ? AND ?"
    grid = [[0] * 24 for _ in range(7)]
    for cell, n in conn.execute(
        f"SELECT hour + 24 * ((day - 1) % 7), count(*) FROM {rows} WHERE {kept} AND hour >= 0 GROUP BY 1",
        [lo, hi],
    ):
        grid[int(cell) // 24][int(cell) % 24] = int(n)
    outside = f"context = 0 AND day IS NOT NULL AND NOT (late = 0 AND day BETWEEN {int(lo)} AND {int(hi)})"
    out_count = conn.execute(f"SELECT count(*) FROM {rows} WHERE {outside}").fetchone()[0]
    left = [
        (int(i), int(d), _why(bool(late), int(d), today))
        for i, d, late in conn.execute(
            f"SELECT id, day, late FROM {rows} WHERE {outside} ORDER BY day, id LIMIT 20"
        )
    ]
    person_counts = tuple(
        (int(p), int(n))
        for p, n in conn.execute(
            f"SELECT p.person_id, count(*) FROM {rows} AS r JOIN incident_people AS p"
            f" ON p.incident_id = r.id WHERE r.{kept.replace(' day', ' r.day').replace('late', 'r.late')}"
            " GROUP BY 1",
            [lo, hi],
        )
    )
    recent_from = max(lo, today.toordinal() - RECENT_DAYS - BASELINE_DAYS + 1)
    recent = tuple(
        Recent(int(i), int(d), int(h) in NIGHT_HOURS, _kinds(k))
        for i, d, h, k in conn.execute(
            f"SELECT id, day, hour, kinds FROM {rows} WHERE {kept} ORDER BY day, id", [recent_from, hi]
        )
    )
    stop = [
        (int(i), int(d))
        for i, d in conn.execute(
            f"SELECT id, day FROM {rows} WHERE context = 1 AND day IS NOT NULL ORDER BY day, id"
        )
    ]
    stop += _said_stop(conn, rows, kept, lo, hi)
    stop.sort(key=lambda x: (x[1], x[0]))
    # Both searches start from the search index (few matches), then look each up.
    rkept = "r." + kept.replace(" day", " r.day").replace("late", "r.late")
    work = [
        (int(i), int(d))
        for i, d in conn.execute(
            f"SELECT r.id, r.day FROM incident_fts AS f JOIN {rows} AS r ON r.id = f.rowid"
            f" WHERE incident_fts MATCH ? AND {rkept} AND ("
            + " OR ".join("r.kinds LIKE ?" for _ in _AT_PLACE)
            + ") ORDER BY r.day, r.id",
            [_WORK_QUERY, lo, hi, *(f"%,{k},%" for k in _AT_PLACE)],
        )
    ]
    people = tuple((p.id, p.data.name, p.data.role) for p in list_people(conn))
    orders = []
    for o in list_orders(conn):
        made = order_day(o.data.made_on)
        if made is not None:
            orders.append((f"{o.data.order_type} {o.data.reference}".strip(), made.toordinal()))
    return Tally(
        groups=groups,
        today=today.toordinal(),
        grid=tuple(tuple(row) for row in grid),
        undated=undated,
        left_out=tuple(left),
        left_out_count=int(out_count),
        person_counts=person_counts,
        people=people,
        asked_to_stop=tuple(stop),
        at_work=tuple(work),
        recent=recent,
        orders_made=tuple(orders),
    )


def _why(late: bool, day: int, today: date) -> str:
    if late:
        return "after it was recorded"
    return "after today" if day > today.toordinal() else "far from the other entries' dates"


def _said_stop(conn: Connection, rows: str, kept: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Incidents whose own account says the victim told them to stop (a call she
    answered, a word on the doorstep): candidates from the search index, each
    checked with the importers' rule (:func:`asks_to_stop`)."""
    out = []
    rkept = "r." + kept.replace(" day", " r.day").replace("late", "r.late")
    for i, d, summary, details in conn.execute(
        f"SELECT r.id, r.day, f.summary, f.details FROM incident_fts AS f JOIN {rows} AS r"
        f" ON r.id = f.rowid WHERE incident_fts MATCH ? AND {rkept}",
        [_STOP_QUERY, lo, hi],
    ):
        if asks_to_stop(str(summary)) or asks_to_stop(str(details)):
            out.append((int(i), int(d)))
    return out
