"""The pattern's counts kept as entries are written (#20): ``stats_slots`` and
``stats_odd``, derived from the timeline index like the index is derived from the
records, so ``victim-log stats`` and the pattern view read a few thousand rows, not
every incident.

``stats_slots`` counts the plain incidents (not deleted, not context, a time of day
known, dated after 1970-01-02 and not after they were recorded) per quarter hour of
UTC (``slot``), kinds and breach mark, with the lowest id among them. A quarter hour
falls on one day and one hour of the case's clock for every zone whose offsets and
changes are whole quarter hours, so a change of the case zone needs no rebuild;
:mod:`victim_log.store.stats` falls back to reading every row for any other zone.
``stats_odd`` names every other incident that is not deleted (undated, "day only",
context replies, dated after they were recorded): they are few, and read one by one
with the reference rules.

Both are written in the same transaction as the timeline rows they come from
(:mod:`victim_log.store.index` calls :func:`added` and :func:`replaced`), built by the
schema migration for a vault that had none, and compared with the timeline by
``check`` (:func:`problems`); :func:`rebuild` writes them afresh (no command runs it
yet). Anything that writes ``incidents`` another way must call :func:`rebuild`. The
export's key facts page counts its entries itself and never reads them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

__all__ = ["BUILD", "ODD", "PLAIN", "SLOT", "SLOT_SECONDS", "added", "problems", "rebuild", "replaced"]

SLOT_SECONDS = 900
# The conditions use the same arithmetic as store/stats.py's "dated after it was
# recorded" test, so a plain incident is one the reference rules never call late.
_TIMED_OK = (
    "(context = 0 AND precision IN ('exact', 'approximate') AND occurred_start != ''"
    " AND sort_key >= 86400 AND sort_key <= ((julianday(first_recorded_at) - 2440587.5) * 86400) + 300)"
)
PLAIN = f"deleted = 0 AND {_TIMED_OK}"
ODD = f"deleted = 0 AND coalesce({_TIMED_OK}, 0) = 0"
SLOT = f"(CAST(sort_key AS INTEGER) / {SLOT_SECONDS})"
_SLOTS_SELECT = f"SELECT {SLOT}, kinds, breach, count(*), min(id) FROM incidents WHERE {PLAIN}"
_ODD_SELECT = f"SELECT id FROM incidents WHERE {ODD}"

#: The schema migration: the tables, filled afresh from the timeline (one transaction;
#: it may run again over tables already there).
BUILD = [
    """CREATE TABLE IF NOT EXISTS stats_slots (
        slot INTEGER NOT NULL, kinds TEXT NOT NULL, breach INTEGER NOT NULL,
        n INTEGER NOT NULL, first_id INTEGER NOT NULL,
        PRIMARY KEY (slot, kinds, breach)) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS stats_odd (id INTEGER PRIMARY KEY)",
    "DELETE FROM stats_slots",
    "DELETE FROM stats_odd",
    f"INSERT INTO stats_slots {_SLOTS_SELECT} GROUP BY 1, 2, 3",
    f"INSERT INTO stats_odd {_ODD_SELECT}",
]


class _Conn(Protocol):
    def execute(self, sql: str, args: Any = ()) -> Any: ...


def added(conn: _Conn, ids: Sequence[int]) -> None:
    """New incidents' timeline rows are written: count them in. (Statements begin
    with ``WITH`` so a bulk import's queued INSERTs run first.)"""
    if not ids:
        return
    # Each new row is looked up by its id: NOT INDEXED keeps SQLite from walking the
    # whole time index instead (the rowid lookup stays allowed).
    chosen = "id IN (SELECT value FROM json_each(?))"
    slots, odd = (
        sql.replace("FROM incidents", "FROM incidents NOT INDEXED", 1) for sql in (_SLOTS_SELECT, _ODD_SELECT)
    )
    args = [json.dumps(list(ids))]
    conn.execute(
        f"WITH new AS ({slots} AND {chosen} GROUP BY 1, 2, 3)"
        " INSERT INTO stats_slots SELECT * FROM new WHERE true ON CONFLICT DO UPDATE SET"
        " n = n + excluded.n, first_id = min(first_id, excluded.first_id)",
        args,
    )
    conn.execute(f"WITH new AS ({odd} AND {chosen}) INSERT OR IGNORE INTO stats_odd SELECT * FROM new", args)


def slot_of(conn: _Conn, incident_id: int) -> tuple[int, str, int] | None:
    """The slot key an incident is counted under now (None: it is not plain)."""
    row = conn.execute(
        f"SELECT {SLOT}, kinds, breach FROM incidents WHERE id = ? AND {PLAIN}", (incident_id,)
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), int(row[2]))


def replaced(conn: _Conn, incident_id: int, before: tuple[int, str, int] | None) -> None:
    """An incident's timeline row was replaced (edited, deleted); ``before`` is what
    :func:`slot_of` said before: both slots are counted again from the timeline."""
    _recount(conn, {k for k in (before, slot_of(conn, incident_id)) if k is not None})
    conn.execute("DELETE FROM stats_odd WHERE id = ?", (incident_id,))
    conn.execute(
        f"WITH new AS ({_ODD_SELECT} AND id = ?) INSERT INTO stats_odd SELECT * FROM new", (incident_id,)
    )


def _recount(conn: _Conn, keys: Iterable[tuple[int, str, int]]) -> None:
    for slot, kinds, breach in keys:
        conn.execute(
            "DELETE FROM stats_slots WHERE slot = ? AND kinds = ? AND breach = ?", (slot, kinds, breach)
        )
        # The time index finds the slot's rows (a second's margin either side).
        conn.execute(
            f"WITH new AS ({_SLOTS_SELECT} AND sort_key >= ? AND sort_key < ? AND {SLOT} = ?"
            " AND kinds = ? AND breach = ? GROUP BY 1, 2, 3) INSERT INTO stats_slots SELECT * FROM new",
            (slot * SLOT_SECONDS - 1, (slot + 1) * SLOT_SECONDS + 1, slot, kinds, breach),
        )


def rebuild(conn: _Conn) -> None:
    """Both tables written afresh from the timeline (inside the caller's transaction)."""
    for sql in BUILD[2:]:
        conn.execute(sql)


def problems(conn: _Conn) -> list[str]:
    """What ``check`` reports when the kept counts differ from the timeline."""
    out = []
    for table, fresh in (("stats_slots", f"{_SLOTS_SELECT} GROUP BY 1, 2, 3"), ("stats_odd", _ODD_SELECT)):
        differ = conn.execute(
            f"SELECT (SELECT count(*) FROM (SELECT * FROM {table} EXCEPT {fresh}))"
            f" + (SELECT count(*) FROM ({fresh} EXCEPT SELECT * FROM {table}))"
        ).fetchone()[0]
        if differ:
            out.append(
                f"the pattern figures' kept counts ({table}) differ from the timeline in {int(differ)} "
                "rows: `victim-log stats` and the pattern view may show wrong counts until they are "
                "counted again (an export counts every entry itself and is not affected)"
            )
    return out
