"""The pattern's numbers kept as entries are written (#20): ``stats_facts`` and
``stats_days``, so the figures for 100,000 incidents read about a thousand days
instead of every incident, and hand :mod:`victim_log.stats` a
:class:`~victim_log.stats.Tally`.

``stats_facts`` holds one :class:`~victim_log.stats.Fact` per incident that is not
deleted: its day and hour on the case's clock, kinds, breach mark, people, whether it
says the victim told them to stop, and its ``status`` (0 charted; 1 a context reply;
2 dated after it was recorded; 3 no date). ``stats_days`` holds each day's
:class:`~victim_log.stats.DayTotal` of the charted ones (JSON), added up by the one
loop the in-memory tally uses (:func:`victim_log.stats.day_totals`).

Both are written in the same transaction as the timeline rows they come from
(:mod:`victim_log.store.incidents` calls :func:`added` and :func:`replaced`; the
transaction calls :func:`settle` before it commits, which counts each day it touched
again). Days depend on the case's time zone, so the zone they were counted for is
kept beside them (meta ``stats.zone``): when the figures are asked for in another
zone, or were never counted (a vault from before schema 6, a restored backup), they
are counted afresh in one transaction; when the vault cannot be written just then,
the same figures are counted in memory. ``check`` compares them with the timeline
(:func:`problems`) and has them counted again when they differ.

Days are on the case's clock: an instant's day and hour there (summer time
included); a "day only" entry keeps the calendar date it was given, as the export
does. Context entries (the victim's replies) and deleted entries are never counted;
entries dated after they were recorded, far from the others or after today are left
out of the charts and named. "Turned up at work" is the search index's matches for
work words among the charted visits, looked up when the figures are counted.
"""

from __future__ import annotations

import contextlib
import functools
import json
import weakref
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import VictimLogError
from ..importers.context import asks_to_stop
from ..model import IncidentData
from ..model import order_day
from ..stats import AFTER_RECORDED
from ..stats import AT_PLACE
from ..stats import NIGHT_HOURS
from ..stats import DayTotal
from ..stats import Fact
from ..stats import Sources
from ..stats import Tally
from ..stats import assemble
from ..stats import day_totals
from ..stats import tally_facts
from . import db
from . import meta
from .db import Connection
from .index import IncidentFilter
from .index import where
from .orders import list_orders
from .people import list_people
from .records import Records

__all__ = ["ZONE_KEY", "added", "problems", "rebuild", "replaced", "settle", "tally"]

ZONE_KEY = "stats.zone"  # meta: the case zone the kept days were counted in
CHARTED, CONTEXT, LATE, UNDATED = 0, 1, 2, 3
_AFTER_RECORDING = 300  # seconds: a clock a little fast is not a wrong date
_TIMED = ("exact", "approximate")
_WORK_QUERY = (
    'location : (work OR office OR workplace) OR summary : ("at work" OR "my work" OR '
    '"my office" OR "workplace" OR "at my job") OR details : ("at work" OR "my work" OR "my office")'
)
_FACT_COLUMNS = "id, day, hour, kinds, breach, people, status, stop, work"
_INSERT_FACT = f"INSERT INTO stats_facts ({_FACT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)"
_REPLACE_FACT = _INSERT_FACT.replace("INSERT", "INSERT OR REPLACE", 1)
# What a fact is made from, read from the timeline (and the search index's details).
_SOURCE = (
    "SELECT i.id, i.occurred_start, i.precision, i.sort_key, i.first_recorded_at, i.kinds, i.breach,"
    " i.context, i.summary, coalesce(f.details, ''),"
    " (SELECT group_concat(person_id) FROM incident_people WHERE incident_id = i.id)"
    " FROM incidents i LEFT JOIN incident_fts f ON f.rowid = i.id WHERE +i.deleted = 0"
)
# (``+i.deleted``: read the table straight through. With the index on ``deleted`` the
# planner fetched each of 100,000 rows by its id, four to eight times slower.)
# The same without the accounts' words, for check (see :func:`problems`).
_SOURCE_NO_TEXT = _SOURCE.replace("i.summary, coalesce(f.details, '')", "'', ''").replace(
    " LEFT JOIN incident_fts f ON f.rowid = i.id", ""
)


# ---------------------------------------------------------------------------- facts


@functools.lru_cache(maxsize=1024)
def _instant(text: str) -> float | None:
    # Cached: the entries of one import share the moment they were recorded.
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _local(ts: float, zone: tzinfo) -> datetime | None:
    # ``fromtimestamp`` gives the same instant as ``epoch + timedelta`` then
    # ``astimezone`` (both round to the microsecond alike), in half the time: it
    # runs for every entry when ``check`` counts them again.
    try:
        return datetime.fromtimestamp(ts, zone)
    except (OverflowError, ValueError, OSError):
        return None


def _at_place(kinds: str) -> bool:
    return any(f",{k}," in kinds for k in AT_PLACE)


def fact_row(
    source: Sequence[Any], zone: tzinfo, work: bool = False, stop: bool | None = None
) -> tuple[int, int | None, int, str, int, str, int, int, int]:
    """The ``stats_facts`` row of one incident from its :data:`_SOURCE` columns;
    ``work``: the search index finds work words in it (see :func:`_work_ids`);
    ``stop``: whether its account says "stop", when known (else read from the words)."""
    iid, start, precision, key, first_at, kinds, breach, context, summary, details, people = source
    day, hour, late = None, -1, False
    if start:
        recorded = _instant(first_at)
        if precision in _TIMED:
            local = _local(float(key), zone)
            if local is not None:
                day, hour = local.toordinal(), local.hour
                late = recorded is not None and float(key) > recorded + _AFTER_RECORDING
        else:
            try:
                day = date.fromisoformat(str(start)[:10]).toordinal()
            except ValueError:
                day = None
            seen = _local(recorded, zone) if recorded is not None else None
            late = day is not None and seen is not None and day > seen.toordinal()
    status = CONTEXT if context else UNDATED if day is None else LATE if late else CHARTED
    if stop is None:
        stop = asks_to_stop(str(summary)) or asks_to_stop(str(details))
    stop = stop and not context
    at_work = work and _at_place(str(kinds))
    return (
        int(iid),
        day,
        hour,
        str(kinds),
        int(bool(breach)),
        str(people or ""),
        status,
        int(stop),
        int(at_work),
    )


def _fact(row: Sequence[Any]) -> Fact:
    iid, day, hour, kinds, breach, people, status, stop, work = row
    return Fact(
        int(iid),
        None if day is None else int(day),
        int(hour),
        str(kinds),
        bool(breach),
        tuple(int(p) for p in str(people).split(",")) if people else (),
        status == CONTEXT,
        AFTER_RECORDED if status == LATE else "",
        bool(stop),
        bool(work),
    )


def _source_row(row: Sequence[Any], data: IncidentData) -> tuple[Any, ...]:
    """:data:`_SOURCE`'s columns of an incident being written (its timeline row)."""
    return (
        row[0], row[4], row[6], row[7], row[2], row[9], row[13], row[15],
        data.summary, data.details, ",".join(str(p) for p in sorted(data.people)),
    )  # fmt: skip


# ---------------------------------------------------------------------------- kept as written


@dataclass
class _Pending:
    """What one open transaction changed: the days to count again at its end."""

    zone: tzinfo | None  # None: nothing is kept (never counted), so nothing to keep up
    days: set[int] = field(default_factory=set)
    places: set[int] = field(default_factory=set)  # written with a kind of being somewhere


_PENDING: weakref.WeakKeyDictionary[Records, _Pending] = weakref.WeakKeyDictionary()


def _kept_zone(conn: Connection) -> tzinfo | None:
    name = meta.get(conn, ZONE_KEY)
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError):
        return None


def _pending(rec: Records) -> _Pending | None:
    p = _PENDING.get(rec)
    if p is None:
        p = _PENDING[rec] = _Pending(_kept_zone(rec.conn))
    return p if p.zone is not None else None


def added(rec: Records, timeline: Sequence[Sequence[Any]], data: Sequence[IncidentData]) -> None:
    """New incidents' timeline rows (``index.timeline_row``) were written."""
    p = _pending(rec)
    if p is None or not timeline:
        return
    assert p.zone is not None
    rows = [fact_row(_source_row(row, d), p.zone) for row, d in zip(timeline, data, strict=True)]
    rec.conn.executemany(_INSERT_FACT, rows)
    p.days.update(r[1] for r in rows if r[6] == CHARTED and r[1] is not None)
    p.places.update(r[0] for r in rows if _at_place(r[3]))


def replaced(rec: Records, timeline: Sequence[Any], data: IncidentData, *, deleted: bool) -> None:
    """An incident's timeline row was replaced (edited, attached to, deleted)."""
    p = _pending(rec)
    if p is None:
        return
    assert p.zone is not None
    iid = int(timeline[0])
    old = rec.conn.execute("SELECT day, status FROM stats_facts WHERE id = ?", (iid,)).fetchone()
    if old is not None and old[1] == CHARTED and old[0] is not None:
        p.days.add(int(old[0]))
    if deleted:
        rec.conn.execute("DELETE FROM stats_facts WHERE id = ?", (iid,))
        return
    row = fact_row(_source_row(timeline, data), p.zone)
    rec.conn.execute(_REPLACE_FACT, row)
    if row[6] == CHARTED and row[1] is not None:
        p.days.add(row[1])
    if _at_place(row[3]):
        p.places.add(iid)


def settle(rec: Records) -> None:
    """Before the transaction commits: count again each day it touched."""
    p = _PENDING.pop(rec, None)
    if p is None:
        return
    if p.places:
        found = _work_ids(rec.conn, min(p.places), max(p.places)) & p.places
        if found:
            rec.conn.execute(
                "UPDATE stats_facts SET work = 1 WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(found)),),
            )
    if p.days:
        _count_days(rec.conn, sorted(p.days))


def _work_ids(conn: Connection, lo: int | None = None, hi: int | None = None) -> set[int]:
    """Incidents the search index finds with work words (ids lo..hi, or all)."""
    sql = "SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?"
    if lo is not None and hi is not None:
        return {int(r[0]) for r in conn.execute(sql + " AND rowid BETWEEN ? AND ?", (_WORK_QUERY, lo, hi))}
    return {int(r[0]) for r in conn.execute(sql, (_WORK_QUERY,))}


def _body(t: DayTotal) -> str:
    return json.dumps(list(t), separators=(",", ":"))


def _count_days(conn: Connection, days: Sequence[int]) -> None:
    chosen = json.dumps(list(days))
    facts = _facts(conn, "status = 0 AND day IN (SELECT value FROM json_each(?))", (chosen,))
    totals = day_totals(facts)
    conn.execute("DELETE FROM stats_days WHERE day IN (SELECT value FROM json_each(?))", (chosen,))
    conn.executemany(
        "INSERT INTO stats_days (day, body) VALUES (?, ?)", [(d, _body(t)) for d, t in totals.items()]
    )


def _zone_name(zone: tzinfo) -> str | None:
    name = getattr(zone, "key", None)
    return str(name) if name else None


def _fresh_facts(conn: Connection, zone: tzinfo) -> Iterator[tuple[Any, ...]]:
    work = _work_ids(conn)
    for source in conn.execute(_SOURCE):
        yield fact_row(source, zone, source[0] in work)


def rebuild(conn: Connection, zone: tzinfo) -> None:
    """Every fact and day counted afresh in ``zone`` (inside the caller's transaction)."""
    conn.execute("DELETE FROM stats_facts")
    conn.execute("DELETE FROM stats_days")
    rows = list(_fresh_facts(conn, zone))
    conn.executemany(_INSERT_FACT, rows)
    totals = day_totals(_fact(r) for r in rows if r[6] == CHARTED)
    conn.executemany(
        "INSERT INTO stats_days (day, body) VALUES (?, ?)", [(d, _body(t)) for d, t in totals.items()]
    )
    name = _zone_name(zone)
    if name:
        meta.put(conn, ZONE_KEY, name)
    else:
        meta.delete(conn, [ZONE_KEY])


def _kept_for(conn: Connection, zone: tzinfo) -> bool:
    """Whether the kept days are counted in ``zone``; counted afresh if not (False:
    the vault cannot be written just now, or the zone has no name to keep)."""
    name = _zone_name(zone)
    if name is None:
        return False
    if meta.get(conn, ZONE_KEY) == name:
        return True
    try:
        # No wait for a save another thread is making: counted in memory this time.
        with db.transaction(conn, "the pattern's counts", wait=0):
            rebuild(conn, zone)
    except VictimLogError:
        return False
    return True


def problems(conn: Connection) -> list[str]:
    """What ``check`` reports when the kept facts or days differ from the timeline (and
    then they are counted afresh when the figures are next asked for). Whether an
    entry's account says "stop" is checked for those kept as saying it."""
    zone = _kept_zone(conn)
    if zone is None:
        return []
    kept = {int(r[0]): tuple(r) for r in conn.execute(f"SELECT {_FACT_COLUMNS} FROM stats_facts")}
    # Every column worked out again but "stop", whose rule reads every account's words
    # (seconds for 100,000): each entry kept as saying "stop" is read again instead.
    work = _work_ids(conn)
    fresh = {}
    for source in conn.execute(_SOURCE_NO_TEXT):
        row = kept.get(int(source[0]))
        fresh[int(source[0])] = fact_row(source, zone, source[0] in work, bool(row and row[7]))
    said = conn.execute(
        "SELECT i.id, i.summary, f.details FROM stats_facts s JOIN incidents i ON i.id = s.id"
        " JOIN incident_fts f ON f.rowid = s.id WHERE s.stop = 1"
    ).fetchall()
    differ = sum(1 for i, summary, details in said if not (asks_to_stop(summary) or asks_to_stop(details)))
    differ += sum(1 for i in kept.keys() | fresh.keys() if kept.get(i) != fresh.get(i))
    days = {int(d): str(b) for d, b in conn.execute("SELECT day, body FROM stats_days")}
    differ += _days_differ(conn, days, fresh)
    if not differ:
        return []
    # Counted afresh at the next `stats`.
    with contextlib.suppress(VictimLogError), db.transaction(conn, "the pattern's counts"):
        meta.delete(conn, [ZONE_KEY])
    return [
        f"the pattern figures' kept counts differ from the timeline in {differ} rows: `victim-log "
        "stats` and the pattern view count them again the next time they are shown"
    ]


#: How many of the latest charted entries ``check`` adds up again in full, by whole
#: days (the escalation flags read the last weeks); every other day is compared by its
#: counts (below).
_ENTRIES_IN_FULL = 2000


def _days_differ(conn: Connection, days: dict[int, str], fresh: dict[int, tuple[Any, ...]]) -> int:
    """How many kept days differ from the facts: every day's total, night, breaches,
    hours and "stop" entries from one SQL count, and the latest days holding
    :data:`_ENTRIES_IN_FULL` entries (and any day whose counts differ) added up again
    in full. Adding up all of 100,000 entries in Python took about a second of
    ``check`` (#23.8's < 5 s)."""
    counted: dict[int, list[Any]] = {}
    for day, hour, n, breaches, stops in conn.execute(
        "SELECT day, hour, count(*), sum(breach), group_concat(CASE WHEN stop THEN id END)"
        " FROM stats_facts WHERE status = 0 GROUP BY day, hour"
    ):
        c = counted.setdefault(int(day), [0, 0, 0, [0] * 24, []])
        c[0] += n
        c[2] += breaches
        if hour >= 0:
            c[3][hour] += n
            c[1] += n if hour in NIGHT_HOURS else 0
        if stops:
            c[4] += [int(x) for x in str(stops).split(",")]
    full: set[int] = set()
    entries = 0
    for day in sorted(counted, reverse=True):
        if entries >= _ENTRIES_IN_FULL:
            break
        full.add(day)
        entries += counted[day][0]
    for day in days.keys() | counted.keys():
        try:
            kept = json.loads(days[day]) if day in days else None
            same = (
                kept is not None
                and day in counted
                and [kept[1], kept[2], kept[3], kept[4], sorted(kept[8])]
                == [
                    *counted[day][:4],
                    sorted(counted[day][4]),
                ]
            )
        except (ValueError, TypeError, IndexError, KeyError):
            same = False
        if not same:
            full.add(day)
    want = day_totals(_fact(r) for r in fresh.values() if r[6] == CHARTED and r[1] in full)
    return sum(1 for d in full if days.get(d) != (_body(want[d]) if d in want else None))


# ---------------------------------------------------------------------------- reading


def _facts(conn: Connection, sql: str, args: Sequence[Any] = ()) -> list[Fact]:
    return [_fact(r) for r in conn.execute(f"SELECT {_FACT_COLUMNS} FROM stats_facts WHERE {sql}", args)]


def _kept_tally(conn: Connection, today: int, people: Any, orders: Any) -> Tally:
    """The whole log from the kept days (the fast way: about a thousand rows)."""
    (text,) = conn.execute("SELECT '[' || coalesce(group_concat(body), '') || ']' FROM stats_days").fetchone()
    try:
        days = {int(b[0]): DayTotal(*b) for b in json.loads(str(text))}
    except (ValueError, TypeError, IndexError):  # damaged (check says so): added up from the facts
        days = day_totals(_facts(conn, "status = 0"))
    src = Sources(
        odd=_facts(conn, "status > 0"),
        outside=lambda lo, hi: _facts(conn, "status = 0 AND (day < ? OR day > ?)", (lo, hi)),
        recent=lambda a, b: _facts(conn, "status = 0 AND day BETWEEN ? AND ?", (a, b)),
        at_work=lambda lo, hi: conn.execute(
            "SELECT id, day FROM stats_facts WHERE work = 1 AND +status = 0 AND day BETWEEN ? AND ?", (lo, hi)
        ).fetchall(),
    )
    return assemble(days, today, src, people=people, orders_made=orders)


def _memory_facts(conn: Connection, zone: tzinfo, flt: IncidentFilter) -> Iterable[Fact]:
    """Facts counted afresh in memory (the vault could not be written just now)."""
    clause, args = where(flt)
    ids = {int(r[0]) for r in conn.execute(f"SELECT id FROM incidents{clause}", args)}
    return (_fact(r) for r in _fresh_facts(conn, zone) if r[0] in ids)


def tally(conn: Connection, flt: IncidentFilter, zone: tzinfo, today: date) -> Tally:
    """Counts for the incidents ``flt`` selects (deleted and context entries never),
    per day on ``zone``'s clock, for the figures on ``today``."""
    people = tuple((p.id, p.data.name, p.data.role) for p in list_people(conn))
    orders = []
    for o in list_orders(conn):
        made = order_day(o.data.made_on)
        if made is not None:
            orders.append((f"{o.data.order_type} {o.data.reference}".strip(), made.toordinal()))
    kept = _kept_for(conn, zone)
    if kept and flt == IncidentFilter():
        return _kept_tally(conn, today.toordinal(), people, orders)
    clause, args = where(flt)
    if kept:
        facts: Iterable[Fact] = _facts(conn, f"id IN (SELECT id FROM incidents{clause})", args)
    else:
        facts = _memory_facts(conn, zone, flt)
    return replace(tally_facts(facts, today), people=people, orders_made=tuple(orders))
