"""The ``imports`` and ``imported_items`` tables: what was imported before.

A source file (for a given set of senders) is remembered by a keyed hash, so the same
file imported twice creates nothing; each message by a keyed hash of its sender, time
and text, so a later export of the same chat creates only what is new. The keys are
made by :mod:`victim_log.importers.service`; this module only stores and finds them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .db import Connection


def source_known(conn: Connection, source_key: str) -> bool:
    row = conn.execute("SELECT 1 FROM imports WHERE source_key = ?", (source_key,)).fetchone()
    return row is not None


def known_items(conn: Connection) -> set[str]:
    """Every remembered item key (one read beats a query per message)."""
    return {str(r[0]) for r in conn.execute("SELECT item_key FROM imported_items").fetchall()}


def remember_items(conn: Connection, items: Iterable[tuple[str, int]]) -> None:
    """(item key, incident id) pairs; a key already remembered keeps its incident."""
    conn.executemany("INSERT OR IGNORE INTO imported_items (item_key, incident_id) VALUES (?,?)", list(items))


def remember_source(
    conn: Connection, source_keys: Iterable[str], evidence_id: int | None, at: str, incident_count: int
) -> None:
    """The source (under each of its keys) with its exhibit and how many incidents it made."""
    for key in source_keys:
        conn.execute(
            "INSERT OR IGNORE INTO imports (source_key, evidence_id, imported_at, incident_count)"
            " VALUES (?,?,?,?)",
            (key, evidence_id, at, incident_count),
        )


def typed_with_time(conn: Connection) -> list[int]:
    """Ids of the current incidents with an exact or approximate time that no import
    made (known from the import memory, without reading a single record)."""
    rows = conn.execute(
        "SELECT id FROM incidents WHERE deleted = 0 AND precision IN ('exact', 'approximate')"
        " AND id NOT IN (SELECT incident_id FROM imported_items)"
    ).fetchall()
    return [int(r[0]) for r in rows]


_ITEM_BATCH = 500  # item keys per IN (...): well under SQLite's bound-variable limit


def incidents_for_items(conn: Connection, item_keys: Iterable[str]) -> dict[str, int]:
    """The incident each remembered item key made (keys never imported are left out).

    A chat exported "without media" and later "with media" holds the same messages;
    the second import finds the incidents the first made, to attach the photos to
    them (#19.2). The item keys are made by :mod:`victim_log.importers.service`.
    """
    keys = list(dict.fromkeys(item_keys))
    found: dict[str, int] = {}
    for start in range(0, len(keys), _ITEM_BATCH):
        part = keys[start : start + _ITEM_BATCH]
        marks = ",".join("?" * len(part))
        rows = conn.execute(
            f"SELECT item_key, incident_id FROM imported_items WHERE item_key IN ({marks})",  # noqa: S608
            part,
        ).fetchall()
        found.update((str(k), int(i)) for k, i in rows)
    return found
