"""The pattern's numbers from the timeline index (#20): GROUP BY queries that hand
:mod:`victim_log.stats` a :class:`~victim_log.stats.Tally`.

Why SQL: the figures must come quickly for 100,000 incidents, so rows are counted per
day and kinds inside SQLite and Python sees a few thousand groups, not every incident.
The table is read once, start to end (no temporary table, no lookups row by row): the
same pass marks the "at work" search's matches, keeps the hours of the day as one
letter per incident for the weekday x hour grid, and names by id only the few groups
shown one by one (context replies, undated, late or future entries). The people's
counts come from the people index less the incidents not charted; the last weeks'
entries through the time index.

Days are on the case's clock: ``sort_key`` (the instant, UTC seconds) plus the case
zone's UTC offset at that instant, an SQL ``CASE`` over the zone's changes (summer time)
between the earliest and latest dates in the log. A "day only" entry keeps the
calendar date it was given, as the export does. Context entries (the victim's replies)
and deleted entries are never counted; entries dated after they were recorded are
left out of the charts and named. Nothing is kept between calls.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import tzinfo
from typing import Any

from ..importers.context import asks_to_stop
from ..model import order_day
from ..stats import BASELINE_DAYS
from ..stats import NIGHT_HOURS
from ..stats import RECENT_DAYS
from ..stats import DayGroup
from ..stats import Recent
from ..stats import Tally
from ..stats import plausible_range
from .db import Connection
from .index import IncidentFilter
from .index import where
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


@dataclass(frozen=True)
class _Rows:
    """Each timeline row's day, hour and "dated after it was recorded" flag on the
    case's clock, as SQL expressions over ``incidents`` (only numbers we computed are
    written into them, never anything of the diary)."""

    day: str  # date ordinal; NULL: no date
    hour: str  # 0..23; -1: no time of day
    late: str  # 1: dated after it was recorded
    source: str  # "incidents" (or "incidents NOT INDEXED": the one full scan)
    clause: str  # the filter's WHERE clause
    args: list[Any]  # its arguments

    def kept(self, lo: int, hi: int) -> str:
        """Charted: not context, not late, on a day in [lo, hi]."""
        return f"context = 0 AND {self.charted(lo, hi)}"

    def charted(self, lo: int, hi: int) -> str:
        return f"{self.late} = 0 AND {self.day} BETWEEN {int(lo)} AND {int(hi)}"

    def select(self, columns: str, extra: str = "", tail: str = "") -> str:
        glue = " AND " if self.clause else " WHERE "
        return f"SELECT {columns} FROM {self.source}{self.clause}{glue + extra if extra else ''}{tail}"


def _rows(conn: Connection, flt: IncidentFilter, zone: tzinfo, today: date) -> _Rows:
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
    off = _offset_sql("sort_key", changes)
    recorded = f"((julianday(first_recorded_at) - {_UNIX_JD}) * 86400)"
    roff = _offset_sql(recorded, changes)
    # Nothing can be recorded before the log's first journal entry: later dates only
    # need the (slower) comparison with when each was recorded.
    first = conn.execute("SELECT at FROM journal ORDER BY seq LIMIT 1").fetchone()
    try:
        since = int(datetime.fromisoformat(str(first[0])).timestamp()) - 2 * 86_400 if first else 0
    except ValueError:
        since = 0
    local = f"(CAST(sort_key + {off} AS INTEGER) + {_EPOCH_SECONDS})"
    untimed_day = f"CAST(julianday(substr(occurred_start, 1, 10)) - {_JD_ORDINAL} AS INTEGER)"
    late_untimed = f"{untimed_day} > (CAST({recorded} + {roff} AS INTEGER) + {_EPOCH_SECONDS}) / 86400 + 1"
    # The whole log is read in one pass over the table, not row by row through the
    # time index (which would look up each row again); a date range keeps the index.
    whole = not (flt.start or flt.end)
    return _Rows(
        day=f"(CASE WHEN occurred_start = '' THEN NULL WHEN {_TIMED} THEN {local} / 86400 + 1"
        f" ELSE {untimed_day} END)",
        hour=f"(CASE WHEN {_TIMED} AND occurred_start != '' THEN ({local} % 86400) / 3600 ELSE -1 END)",
        late=f"(CASE WHEN occurred_start = '' OR sort_key < {since} THEN 0 WHEN {_TIMED}"
        f" THEN coalesce(sort_key > {recorded} + {_AFTER_RECORDING}, 0)"
        f" ELSE coalesce({late_untimed}, 0) END)",
        source="incidents NOT INDEXED" if whole else "incidents",
        clause=clause,
        args=args,
    )


def _offset_sql(column: str, changes: Sequence[tuple[int, int]]) -> str:
    """``CASE`` giving the zone's offset at the instant in ``column`` (latest first:
    most entries are recent, so most rows stop at the first test). Only the numbers
    of the zone's changes are written into it."""
    if len(changes) == 1:
        return str(int(changes[0][1]))
    parts = ["CASE"]
    for at, off in reversed(changes[1:]):
        parts.append(f"WHEN {column} >= {int(at)} THEN {int(off)}")
    parts.append(f"ELSE {int(changes[0][1])} END")
    return "(" + " ".join(parts) + ")"


def tally(conn: Connection, flt: IncidentFilter, zone: tzinfo, today: date) -> Tally:
    """Counts for the incidents ``flt`` selects (deleted and context entries never),
    per day on ``zone``'s clock, for the figures on ``today``."""
    return _tally(conn, _rows(conn, flt, zone, today), flt, today)


@dataclass
class _Group:
    day: int | None
    kinds: str
    breach: bool
    context: bool
    late: bool
    count: int
    night: int
    first_id: int
    hours: str  # one letter per incident with a time of day: "A" is 00:00-00:59
    ids: tuple[int, ...]  # every id, for context, late, undated and future days only
    work: tuple[int, ...] = ()  # the ids the search for "at work" found


def _ids(text: object) -> tuple[int, ...]:
    return tuple(int(i) for i in str(text).split(",")) if text else ()


def _groups(conn: Connection, r: _Rows, today: date) -> list[_Group]:
    """The one pass over the table: incidents per day, kinds, breach, context and
    "late", with the hours of the day as letters (for the weekday x hour grid) and
    the ids of the few groups that are named one by one."""
    # Each row's day, hour and flag are worked out once, in a sub-query SQLite runs
    # alongside the grouping (LIMIT -1 keeps it from being folded into the outer query,
    # which would work them out again for every use).
    rows = r.select(
        f"id, kinds, breach, context + 2 * {r.late} AS flag, {r.day} AS day, {r.hour} AS hour,"
        # "Turned up at work": the search index's few matches, marked in the same pass
        # (looking each up afterwards would read most of the table a second time).
        " id IN (SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?) AS work",
        tail=" LIMIT -1",
    )
    named = f"flag > 0 OR day IS NULL OR day > {today.toordinal()}"
    sql = (
        f"SELECT day, kinds, breach, flag, count(*), sum(hour IN ({_NIGHT})), min(id),"
        " group_concat(char(65 + hour), '') FILTER (WHERE hour >= 0),"
        f" group_concat(id) FILTER (WHERE {named}), group_concat(id) FILTER (WHERE work)"
        f" FROM ({rows}) GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
    )
    return [
        _Group(
            None if d is None else int(d), str(k), bool(b), bool(flag & 1), bool(flag & 2), int(n),
            int(night or 0), int(first), str(hours or ""), _ids(ids), _ids(work),
        )
        for d, k, b, flag, n, night, first, hours, ids, work in conn.execute(sql, [_WORK_QUERY, *r.args])
    ]  # fmt: skip


def _tally(conn: Connection, r: _Rows, flt: IncidentFilter, today: date) -> Tally:
    groups = _groups(conn, r, today)
    counted = [g for g in groups if not g.context and g.day is not None]
    undated = sum(g.count for g in groups if not g.context and g.day is None)
    per_day: dict[int, int] = {}
    for g in counted:
        if not g.late:
            assert g.day is not None
            per_day[g.day] = per_day.get(g.day, 0) + g.count
    lo, hi = plausible_range(per_day, today.toordinal())
    kept = [g for g in counted if not g.late and g.day is not None and lo <= g.day <= hi]
    parsed: dict[str, tuple[str, ...]] = {}
    day_groups = tuple(
        DayGroup(g.day, parsed.get(g.kinds) or parsed.setdefault(g.kinds, _kinds(g.kinds)), g.breach,
                 g.count, g.night, g.first_id)
        for g in kept
        if g.day is not None
    )  # fmt: skip
    by_weekday: list[list[str]] = [[] for _ in range(7)]
    for g in kept:
        if g.hours and g.day is not None:
            by_weekday[(g.day - 1) % 7].append(g.hours)
    grid = [[0] * 24 for _ in range(7)]
    for wd, parts in enumerate(by_weekday):
        for letter, n in Counter("".join(parts)).items():
            grid[wd][ord(letter) - 65] = n
    outside = [g for g in counted if g.late or g.day is None or not lo <= g.day <= hi]
    out_count = sum(g.count for g in outside)
    if any(len(g.ids) != g.count for g in outside):  # a day far from the others: rare
        left_rows = [
            (int(i), int(d), bool(late))
            for i, d, late in conn.execute(
                r.select(
                    f"id, {r.day}, {r.late}",
                    f"context = 0 AND {r.day} IS NOT NULL AND NOT ({r.charted(lo, hi)})",
                    " ORDER BY 2, 1",
                ),
                r.args,
            )
        ]
    else:
        left_rows = sorted(((i, g.day, g.late) for g in outside for i in g.ids if g.day is not None),
                           key=lambda x: (x[1], x[0]))  # fmt: skip
    left = [(i, d, _why(late, d, today)) for i, d, late in left_rows[:20]]
    stop = [(i, g.day) for g in groups if g.context and g.day is not None for i in g.ids]
    stop += _said_stop(conn, r, lo, hi)
    stop.sort(key=lambda x: (x[1], x[0]))
    recent_from = max(lo, today.toordinal() - RECENT_DAYS - BASELINE_DAYS + 1)
    recent = tuple(
        Recent(int(i), int(d), int(h) in NIGHT_HOURS, _kinds(k))
        for i, d, h, k in conn.execute(
            r.select(
                f"id, {r.day}, {r.hour}, kinds",
                # The time index finds the last weeks (two days' margin for the clock).
                f"sort_key >= {_day_start(recent_from) - 2 * 86_400} AND {r.kept(recent_from, hi)}",
                " ORDER BY 2, 1",
            ).replace(" NOT INDEXED", ""),
            r.args,
        )
    )
    at_place = {f",{k}," for k in _AT_PLACE}
    work = sorted(
        (
            (i, d)
            for g in kept
            if (d := g.day) is not None and any(k in g.kinds for k in at_place)
            for i in g.work
        ),
        key=lambda x: (x[1], x[0]),
    )
    people = tuple((p.id, p.data.name, p.data.role) for p in list_people(conn))
    orders = []
    for o in list_orders(conn):
        made = order_day(o.data.made_on)
        if made is not None:
            orders.append((f"{o.data.order_type} {o.data.reference}".strip(), made.toordinal()))
    return Tally(
        groups=day_groups,
        today=today.toordinal(),
        grid=tuple(tuple(row) for row in grid),
        undated=undated,
        left_out=tuple(left),
        left_out_count=int(out_count),
        person_counts=_person_counts(conn, r, flt, groups, [i for i, _d, _l in left_rows], lo, hi),
        people=people,
        asked_to_stop=tuple(stop),
        at_work=tuple(work),
        recent=recent,
        orders_made=tuple(orders),
    )


def _day_start(day: int) -> int:
    return int(datetime.combine(date.fromordinal(day), datetime.min.time(), UTC).timestamp())


def _person_counts(
    conn: Connection,
    r: _Rows,
    flt: IncidentFilter,
    groups: Sequence[_Group],
    left_ids: Sequence[int],
    lo: int,
    hi: int,
) -> tuple[tuple[int, int], ...]:
    """Incidents naming each person, charted ones only. For the whole log: everyone's
    count from the people index, less the incidents not charted (deleted ones from the
    time index, the rest named by the pass over the table); no second pass."""
    if flt != IncidentFilter():
        return tuple(
            (int(p), int(n))
            for p, n in conn.execute(
                "SELECT person_id, count(*) FROM incident_people WHERE incident_id IN ("
                + r.select("id", r.kept(lo, hi))
                + ") GROUP BY 1",
                r.args,
            )
        )
    counts = {
        int(p): int(n) for p, n in conn.execute("SELECT person_id, count(*) FROM incident_people GROUP BY 1")
    }
    gone = [*(i for g in groups if g.context or g.day is None for i in g.ids), *left_ids]
    for p, n in conn.execute(
        "SELECT person_id, count(*) FROM incident_people WHERE incident_id IN"
        " (SELECT id FROM incidents WHERE deleted = 1 UNION ALL SELECT value FROM json_each(?)) GROUP BY 1",
        [json.dumps(gone)],
    ):
        counts[int(p)] -= int(n)
    return tuple((p, n) for p, n in sorted(counts.items()) if n > 0)


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(k for k in str(text).split(",") if k)


def _why(late: bool, day: int, today: date) -> str:
    if late:
        return "after it was recorded"
    return "after today" if day > today.toordinal() else "far from the other entries' dates"


def _from_search(r: _Rows, columns: str, extra: str, tail: str = "") -> str:
    """``r.select`` over the incidents the search index matches (its ``?`` after the
    filter's arguments): the matches are found first, then each is looked up."""
    sql = r.select(columns, f"incident_fts.rowid = incidents.id AND incident_fts MATCH ? AND {extra}", tail)
    return sql.replace(f"FROM {r.source}", "FROM incident_fts CROSS JOIN incidents", 1)


def _said_stop(conn: Connection, r: _Rows, lo: int, hi: int) -> list[tuple[int, int]]:
    """Incidents whose own account says the victim told them to stop (a call she
    answered, a word on the doorstep): candidates from the search index, each
    checked with the importers' rule (:func:`asks_to_stop`)."""
    out = []
    for i, d, summary, details in conn.execute(
        _from_search(r, f"incidents.id, {r.day}, incident_fts.summary, incident_fts.details", r.kept(lo, hi)),
        [*r.args, _STOP_QUERY],
    ):
        if asks_to_stop(str(summary)) or asks_to_stop(str(details)):
            out.append((int(i), int(d)))
    return out
