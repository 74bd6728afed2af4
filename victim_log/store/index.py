"""The derived index tables: the timeline (``incidents``), people and exhibit links,
and full-text search (``incident_fts``), with the filters that read them.

Nothing here is the record: every row can be rebuilt from the incident's latest
stored version, and ``check`` compares them. A new incident's rows are plain
INSERTs (an import writes tens of thousands); a changed one's are replaced.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import TypedDict
from typing import Unpack

from ..errors import BadInput
from ..imported import is_context
from ..model import IncidentData
from ..model import parse_when
from .db import Connection

INSERT_TIMELINE = (
    "INSERT INTO incidents (id, version, first_recorded_at, recorded_at,"
    " occurred_start, occurred_end, precision, sort_key, deleted, kinds, summary,"
    " evidence_count, reported, breach, complete_later, context)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_REPLACE_TIMELINE = INSERT_TIMELINE.replace("INSERT", "INSERT OR REPLACE", 1)
INSERT_PERSON_LINK = "INSERT INTO incident_people (incident_id, person_id) VALUES (?, ?)"
INSERT_EVIDENCE_LINK = "INSERT INTO evidence_links (evidence_id, incident_id) VALUES (?, ?)"
INSERT_SEARCH = "INSERT INTO incident_fts (rowid, summary, details, location, people) VALUES (?,?,?,?,?)"


@dataclass(frozen=True)
class IncidentSummary:
    """One row of the timeline: enough to draw it without loading the full record."""

    id: int
    version: int
    occurred_start: str
    occurred_end: str
    precision: str
    kinds: tuple[str, ...]
    summary: str
    evidence_count: int
    reported: bool
    breach: bool
    complete_later: bool
    deleted: bool
    recorded_at: str
    first_recorded_at: str
    # The victim's own reply kept from an import for context (#16.5): shown in the
    # timeline, never counted as an incident.
    context: bool = False


@dataclass(frozen=True)
class IncidentFilter:
    text: str = ""
    start: str = ""  # ISO date or date-time, inclusive
    end: str = ""  # ISO date or date-time, inclusive (a date means to the end of that day)
    kinds: tuple[str, ...] = ()
    person_id: int | None = None
    has_evidence: bool | None = None
    reported: bool | None = None
    complete_later: bool | None = None
    include_deleted: bool = False


def sort_key(start: str, fallback: str) -> float:
    try:
        return parse_when(start or fallback).timestamp()
    except BadInput:
        return 0.0


def timeline_row(
    incident_id: int,
    version: int,
    first_at: str,
    at: str,
    data: IncidentData,
    evidence_count: int,
    deleted: bool,
) -> tuple[Any, ...]:
    """An incident's row in the ``incidents`` table (the timeline and its filters)."""
    return (
        incident_id,
        version,
        first_at,
        at,
        data.occurred_start,
        data.occurred_end,
        data.precision,
        sort_key(data.occurred_start, first_at),
        int(deleted),
        "," + ",".join(data.kinds) + ",",
        data.summary,
        evidence_count,
        int(not data.police.is_empty()),
        int("order_breach" in data.kinds or data.order_id is not None),
        int(data.complete_later),
        int(is_context(data.author)),
    )


def search_row(incident_id: int, data: IncidentData, people_text: str) -> tuple[Any, ...]:
    return (incident_id, data.summary, data.details, data.location, people_text)


def insert_new(
    conn: Connection,
    timeline: Sequence[tuple[Any, ...]],
    people: Sequence[tuple[int, int]],
    links: Sequence[tuple[int, int]],
    search: Sequence[tuple[Any, ...]],
) -> None:
    """The index rows of new incidents, one ``executemany`` per table."""
    conn.executemany(INSERT_TIMELINE, timeline)
    if people:
        conn.executemany(INSERT_PERSON_LINK, people)
    if links:
        conn.executemany(INSERT_EVIDENCE_LINK, links)
    conn.executemany(INSERT_SEARCH, search)


def replace_incident(
    conn: Connection,
    incident_id: int,
    version: int,
    first_at: str,
    at: str,
    data: IncidentData,
    evidence: tuple[int, ...],
    people_text: str,
    *,
    deleted: bool,
) -> None:
    """Bring a changed incident's timeline row, links and search row up to date."""
    conn.execute(
        _REPLACE_TIMELINE, timeline_row(incident_id, version, first_at, at, data, len(evidence), deleted)
    )
    conn.execute("DELETE FROM incident_fts WHERE rowid = ?", (incident_id,))
    conn.execute("DELETE FROM incident_people WHERE incident_id = ?", (incident_id,))
    conn.execute("DELETE FROM evidence_links WHERE incident_id = ?", (incident_id,))
    if deleted:
        return
    if data.people:
        conn.executemany(INSERT_PERSON_LINK, [(incident_id, p) for p in data.people])
    if evidence:
        conn.executemany(INSERT_EVIDENCE_LINK, [(e, incident_id) for e in evidence])
    conn.execute(INSERT_SEARCH, search_row(incident_id, data, people_text))


def incidents_naming(conn: Connection, person_id: int) -> list[int]:
    """Ids of the (not deleted) incidents that name this person."""
    rows = conn.execute("SELECT incident_id FROM incident_people WHERE person_id = ?", (person_id,))
    return [int(r[0]) for r in rows]


def set_people_text(conn: Connection, incident_id: int, text: str) -> None:
    conn.execute("UPDATE incident_fts SET people = ? WHERE rowid = ?", (text, incident_id))


_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn what a person types into a safe FTS5 prefix query (every word must match)."""
    words = _FTS_TOKEN.findall(text)[:20]
    return " ".join(f'"{w}"*' for w in words)


_SUMMARY_COLS = (
    "id, version, occurred_start, occurred_end, precision, kinds, summary,"
    " evidence_count, reported, breach, complete_later, deleted, recorded_at,"
    " first_recorded_at, context"
)


def where(flt: IncidentFilter) -> tuple[str, list[Any]]:
    """The WHERE clause (and its arguments) selecting the timeline rows ``flt`` wants."""
    clauses: list[str] = []
    args: list[Any] = []
    if not flt.include_deleted:
        clauses.append("deleted = 0")
    if flt.text.strip():
        query = fts_query(flt.text)
        if not query:
            clauses.append("0")
        else:
            clauses.append("id IN (SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?)")
            args.append(query)
    if flt.start:
        clauses.append("sort_key >= ?")
        args.append(parse_when(flt.start).timestamp())
    if flt.end:
        end = parse_when(flt.end)
        if len(flt.end.strip()) <= 10:  # a bare date: include the whole day
            end = end.replace(hour=23, minute=59, second=59)
        clauses.append("sort_key <= ?")
        args.append(end.timestamp())
    if flt.kinds:
        clauses.append("(" + " OR ".join("kinds LIKE ?" for _ in flt.kinds) + ")")
        args.extend(f"%,{k},%" for k in flt.kinds)
    if flt.person_id is not None:
        clauses.append("id IN (SELECT incident_id FROM incident_people WHERE person_id = ?)")
        args.append(flt.person_id)
    for column, wanted in (
        ("evidence_count > 0", flt.has_evidence),
        ("reported = 1", flt.reported),
        ("complete_later = 1", flt.complete_later),
    ):
        if wanted is not None:
            clauses.append(column if wanted else f"NOT ({column})")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


class Page(TypedDict, total=False):
    """Which part of a list: skip ``offset`` rows, then at most ``limit`` (None: all);
    newest first unless ``oldest_first``."""

    offset: int
    limit: int | None
    oldest_first: bool


def _listed(
    conn: Connection,
    columns: str,
    flt: IncidentFilter,
    *,
    offset: int = 0,
    limit: int | None = None,
    oldest_first: bool = False,
) -> list[Any]:
    """``columns`` of the timeline rows ``flt`` wants, newest first (by when it happened)."""
    clause, args = where(flt)
    order = "ASC" if oldest_first else "DESC"
    sql = f"SELECT {columns} FROM incidents{clause} ORDER BY sort_key {order}, id {order}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        args = [*args, int(limit), int(offset)]
    rows: list[Any] = conn.execute(sql, args).fetchall()
    return rows


def list_incidents(conn: Connection, flt: IncidentFilter, **page: Unpack[Page]) -> list[IncidentSummary]:
    """Newest first (by when it happened), a page at a time for lazy views."""
    return [_summary(r) for r in _listed(conn, _SUMMARY_COLS, flt, **page)]


def list_ids(conn: Connection, flt: IncidentFilter, **page: Unpack[Page]) -> list[int]:
    """The ids :func:`list_incidents` lists, in its order, read from the index alone
    (``list --json`` reads each body anyway: a twentieth of the time at 100,000, #23.7)."""
    return [int(r[0]) for r in _listed(conn, "id", flt, **page)]


def count_incidents(conn: Connection, flt: IncidentFilter) -> int:
    clause, args = where(flt)
    return int(conn.execute(f"SELECT count(*) FROM incidents{clause}", args).fetchone()[0])


def _summary(r: tuple[Any, ...]) -> IncidentSummary:
    return IncidentSummary(
        id=int(r[0]),
        version=int(r[1]),
        occurred_start=str(r[2]),
        occurred_end=str(r[3]),
        precision=str(r[4]),
        kinds=tuple(k for k in str(r[5]).split(",") if k),
        summary=str(r[6]),
        evidence_count=int(r[7]),
        reported=bool(r[8]),
        breach=bool(r[9]),
        complete_later=bool(r[10]),
        deleted=bool(r[11]),
        recorded_at=str(r[12]),
        first_recorded_at=str(r[13]),
        context=bool(r[14]),
    )
