"""The evidence tables: ``blobs`` (one encrypted file each, its wrapped key and keyed
dedup tag), ``evidence`` (an exhibit: which blob, removed or erased) and
``evidence_links`` (which incidents cite it, derived from the incidents' records).

The crypto (wrapping keys, dedup tags, reading blob files) is
:mod:`victim_log.evidence`'s; this module only stores and finds the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import BadInput
from ..errors import NotFound
from .db import Connection

SQL_BATCH = 500  # ids per IN (...) query: well under SQLite's variable limit


def blob_with_tag(conn: Connection, tag: str) -> str | None:
    """The kept (not erased) blob holding the bytes with this dedup tag, if any."""
    row = conn.execute("SELECT blob_id FROM blobs WHERE dedup = ? AND erased = 0", (tag,)).fetchone()
    return None if row is None else str(row[0])


def first_item_of_blob(conn: Connection, blob_id: str) -> int | None:
    """The oldest exhibit not removed that is this blob."""
    row = conn.execute(
        "SELECT id FROM evidence WHERE blob_id = ? AND removed = 0 ORDER BY id LIMIT 1", (blob_id,)
    ).fetchone()
    return None if row is None else int(row[0])


def insert_blob(conn: Connection, blob_id: str, tag: str, wrapped_key: bytes, size: int) -> None:
    conn.execute(
        "INSERT INTO blobs (blob_id, dedup, wrapped_key, size, erased) VALUES (?,?,?,?,0)",
        (blob_id, tag, wrapped_key, size),
    )


def insert_item(conn: Connection, evidence_id: int, blob_id: str, added_at: str, size: int) -> None:
    conn.execute(
        "INSERT INTO evidence (id, version, blob_id, removed, erased, added_at, size) VALUES (?,?,?,0,0,?,?)",
        (evidence_id, 1, blob_id, added_at, size),
    )


def require_active(conn: Connection, evidence_id: int) -> None:
    """Refuse a missing or removed item; one indexed lookup (imports call it per incident)."""
    row = conn.execute("SELECT removed FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no evidence item {evidence_id}.")
    if row[0]:
        raise BadInput(f"Evidence item {evidence_id} was removed.")


def is_erased(conn: Connection, evidence_id: int) -> bool:
    row = conn.execute("SELECT erased FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
    return bool(row and row[0])


def citing_incidents(conn: Connection, evidence_id: int) -> tuple[int, ...]:
    rows = conn.execute(
        "SELECT incident_id FROM evidence_links WHERE evidence_id = ? ORDER BY incident_id",
        (evidence_id,),
    )
    return tuple(int(r[0]) for r in rows)


def records_of(conn: Connection, ids: Sequence[int]) -> tuple[list[Any], dict[int, bool]]:
    """For a chunk of at most :data:`SQL_BATCH` ids: every stored version (id,
    version, reason, deleted, body text) in key order, and whether each is erased."""
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        "SELECT id, version, reason, deleted, body FROM records WHERE kind = 'evidence'"
        f" AND id IN ({marks}) ORDER BY id, version",
        list(ids),
    ).fetchall()
    erased = {
        int(r[0]): bool(r[1])
        for r in conn.execute(f"SELECT id, erased FROM evidence WHERE id IN ({marks})", list(ids)).fetchall()
    }
    return rows, erased


def item_ids(conn: Connection, *, include_removed: bool = False, include_erased: bool = True) -> list[int]:
    clauses = [] if include_removed else ["removed = 0"]
    if not include_erased:
        clauses.append("erased = 0")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return [int(r[0]) for r in conn.execute(f"SELECT id FROM evidence{where} ORDER BY id").fetchall()]


def wrapped_key(conn: Connection, blob_id: str) -> tuple[bool, bytes | None]:
    """(whether the blob has a row, its wrapped key: None once erased)."""
    row = conn.execute("SELECT wrapped_key FROM blobs WHERE blob_id = ?", (blob_id,)).fetchone()
    if row is None:
        return False, None
    return True, None if row[0] is None else bytes(row[0])


def mark_removed(conn: Connection, evidence_id: int, version: int) -> None:
    conn.execute("UPDATE evidence SET removed = 1, version = ? WHERE id = ?", (version, evidence_id))


def erase(conn: Connection, evidence_id: int, blob_id: str) -> bool:
    """Mark the exhibit erased, and its blob too (its key forgotten) when no other kept
    exhibit is the same blob; True when the blob file may now be deleted."""
    conn.execute("UPDATE evidence SET erased = 1 WHERE id = ?", (evidence_id,))
    others = conn.execute(
        "SELECT count(*) FROM evidence WHERE blob_id = ? AND erased = 0", (blob_id,)
    ).fetchone()[0]
    if int(others):
        return False
    conn.execute(
        "UPDATE blobs SET wrapped_key = NULL, erased = 1, dedup = NULL WHERE blob_id = ?", (blob_id,)
    )
    return True


def known_blob_ids(conn: Connection) -> set[str]:
    """Every blob an exhibit refers to (for finding files left by interrupted saves)."""
    return {str(r[0]) for r in conn.execute("SELECT blob_id FROM evidence")}


def set_version(conn: Connection, evidence_id: int, version: int) -> None:
    """The exhibit's latest record version (a new arrival of the same bytes)."""
    conn.execute("UPDATE evidence SET version = ? WHERE id = ?", (version, evidence_id))
