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
_STOP_QUERY = '"stop" OR "leave" OR "contact" OR "away" OR "message" OR "call"'
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


def _rows_sql(
    conn: Connection, flt: IncidentFilter, zone: tzinfo, today: date, *, context: bool
) -> tuple[str, list[Any]]:
    """A sub-select of the chosen rows with their day, hour and "dated after recorded"
    flag on the case's clock."""
    clause, args = where(flt)
    clause = (clause + " AND " if clause else " WHERE ") + ("context = 1" if context else "context = 0")
    now = int(datetime.combine(today, datetime.min.time(), UTC).timestamp())
    bounds = conn.execute(f"SELECT min(sort_key), max(sort_key) FROM incidents{clause}", args).fetchone()
    floor = now - _SPAN_YEARS * 366 * 86_400
    lo = max(int(bounds[0] if bounds[0] is not None else now), floor)
    hi = min(int(bounds[1] if bounds[1] is not None else now), now + 2 * 86_400)
    changes = _changes(zone, min(lo, hi), max(lo, hi))
    off, off_args = _offset_sql("sort_key", changes)
    recorded = f"((julianday(first_recorded_at) - {_UNIX_JD}) * 86400)"
    roff, roff_args = _offset_sql(recorded, changes)
    local = f"(CAST(sort_key + {off} AS INTEGER) + {_EPOCH_SECONDS})"
    day = (
        f"CASE WHEN occurred_start = '' THEN NULL WHEN {_TIMED} THEN {local} / 86400 + 1 "
        f"ELSE CAST(julianday(substr(occurred_start, 1, 10)) - {_JD_ORDINAL} AS INTEGER) END"
    )
    hour = f"CASE WHEN {_TIMED} AND occurred_start != '' THEN ({local} % 86400) / 3600 ELSE -1 END"
    late = (
        f"coalesce(CASE WHEN {_TIMED} THEN sort_key > {recorded} + {_AFTER_RECORDING} "
        f"ELSE CAST(julianday(substr(occurred_start, 1, 10)) - {_JD_ORDINAL} AS INTEGER) > "
        f"(CAST({recorded} + {roff} AS INTEGER) + {_EPOCH_SECONDS}) / 86400 + 1 END, 0)"
    )
    sql = (
        f"SELECT id, kinds, breach, sort_key, {day} AS day, {hour} AS hour, {late} AS late"
        f" FROM incidents{clause} AND occurred_start != ''"
    )
    # The CASE arguments in the order they appear: day, hour, late, then the filter's.
    ordered = [*off_args, *off_args, *roff_args, *args]
    return sql, ordered


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(k for k in str(text).split(",") if k)


def tally(conn: Connection, flt: IncidentFilter, zone: tzinfo, today: date) -> Tally:
    """Counts for the incidents ``flt`` selects (deleted and context entries never),
    per day on ``zone``'s clock, for the figures on ``today``."""
    rows, args = _rows_sql(conn, flt, zone, today, context=False)
    clause, wargs = where(flt)
    clause = (clause + " AND " if clause else " WHERE ") + "context = 0"
    undated = int(
        conn.execute(f"SELECT count(*) FROM incidents{clause} AND occurred_start = ''", wargs).fetchone()[0]
    )
    raw = conn.execute(
        f"SELECT day, kinds, breach, count(*), sum(hour IN ({_NIGHT})), min(id) FROM ({rows})"
        " WHERE late = 0 GROUP BY day, kinds, breach",
        args,
    ).fetchall()
    per_day: dict[int, int] = {}
    for r in raw:
        per_day[int(r[0])] = per_day.get(int(r[0]), 0) + int(r[3])
    lo, hi = plausible_range(per_day, today.toordinal())
    groups = tuple(
        DayGroup(int(r[0]), _kinds(r[1]), bool(r[2]), int(r[3]), int(r[4] or 0), int(r[5]))
        for r in raw
        if lo <= int(r[0]) <= hi
    )
    kept = "late = 0 AND day BETWEEN ? AND ?"
    grid = [[0] * 24 for _ in range(7)]
    for wd, hr, n in conn.execute(
        f"SELECT (day - 1) % 7, hour, count(*) FROM ({rows}) WHERE {kept} AND hour >= 0 GROUP BY 1, 2",
        [*args, lo, hi],
    ):
        grid[int(wd)][int(hr)] = int(n)
    out_count = conn.execute(
        f"SELECT count(*) FROM ({rows}) WHERE NOT ({kept})",
        [*args, lo, hi],
    ).fetchone()[0]
    left = [
        (
            int(i),
            int(d),
            "after it was recorded"
            if late
            else ("after today" if int(d) > today.toordinal() else "far from the other entries' dates"),
        )
        for i, d, late in conn.execute(
            f"SELECT id, day, late FROM ({rows}) WHERE NOT ({kept}) ORDER BY day, id LIMIT 20",
            [*args, lo, hi],
        )
    ]
    person_days = tuple(
        (int(p), int(d), int(n))
        for p, d, n in conn.execute(
            f"SELECT p.person_id, r.day, count(*) FROM ({rows}) AS r"
            f" JOIN incident_people AS p ON p.incident_id = r.id WHERE {kept.replace('day', 'r.day')}"
            " GROUP BY 1, 2",
            [*args, lo, hi],
        )
    )
    recent_from = max(lo, today.toordinal() - RECENT_DAYS - BASELINE_DAYS + 1)
    recent = tuple(
        Recent(int(i), int(d), int(h) in NIGHT_HOURS, _kinds(k))
        for i, d, h, k in conn.execute(
            f"SELECT id, day, hour, kinds FROM ({rows}) WHERE {kept} AND sort_key >= ? ORDER BY day, id",
            [*args, recent_from, hi, (recent_from - 719_163 - 2) * 86_400],
        )
    )
    ctx_rows, ctx_args = _rows_sql(conn, flt, zone, today, context=True)
    stop = [
        (int(i), int(d))
        for i, d in conn.execute(f"SELECT id, day FROM ({ctx_rows}) ORDER BY day, id", ctx_args)
    ]
    stop += _said_stop(conn, rows, args, kept, lo, hi)
    stop.sort(key=lambda x: (x[1], x[0]))
    work = [
        (int(i), int(d))
        for i, d in conn.execute(
            f"SELECT id, day FROM ({rows}) WHERE {kept} AND ("
            + " OR ".join("kinds LIKE ?" for _ in _AT_PLACE)
            + ") AND id IN (SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?) ORDER BY day, id",
            [*args, lo, hi, *(f"%,{k},%" for k in _AT_PLACE), _WORK_QUERY],
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
        person_days=person_days,
        people=people,
        asked_to_stop=tuple(stop),
        at_work=tuple(work),
        recent=recent,
        orders_made=tuple(orders),
    )


def _said_stop(
    conn: Connection, rows: str, args: list[Any], kept: str, lo: int, hi: int
) -> list[tuple[int, int]]:
    """Incidents whose own account says the victim told them to stop (a call she
    answered, a word on the doorstep): candidates from the search index, each
    checked with the importers' rule (:func:`asks_to_stop`)."""
    out = []
    for i, d, summary, details in conn.execute(
        f"SELECT r.id, r.day, f.summary, f.details FROM ({rows}) AS r JOIN incident_fts AS f"
        f" ON f.rowid = r.id WHERE {kept.replace('day', 'r.day')} AND r.id IN"
        " (SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?)",
        [*args, lo, hi, _STOP_QUERY],
    ):
        if asks_to_stop(str(summary)) or asks_to_stop(str(details)):
            out.append((int(i), int(d)))
    return out
