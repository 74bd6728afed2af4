"""Stable ids across installations, for the handover case file (#18).

A record's local id (incident 3) means nothing on another computer. Each record and
each version therefore has a **stable id** that names it everywhere:

* made here: derived, never stored: ``<vault id>/<kind>/<id>`` for the record and
  ``<vault id>/<kind>/<id>/<version>`` for a version (the vault id is the key file's
  random id, fixed when the vault was created);
* came from another installation (a shared case opened here, or a worker's
  additions merged back): the id it had there, kept in ``shared_ids`` beside the
  local (kind, id, version) it became (version 0 for the record itself).

So a merge recognises what it already holds (the same file merged twice adds
nothing), and a worker's copy of the victim's record comes back as the victim's
record. This module only stores and finds the rows; :mod:`victim_log.handover`
decides what they mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator

from .db import Connection
from .records import StoredVersion
from .records import versions


def derived_uid(vault_id: str, kind: str, id: int, version: int = 0) -> str:
    """The stable id of a record (``version`` 0) or version made in this vault."""
    base = f"{vault_id}/{kind}/{id}"
    return f"{base}/{version}" if version else base


def kept_uids(conn: Connection) -> dict[tuple[str, int, int], str]:
    """Every stable id that came from elsewhere, by the local (kind, id, version)."""
    rows = conn.execute("SELECT uid, kind, id, version FROM shared_ids").fetchall()
    return {(str(kind), int(id), int(version)): str(uid) for uid, kind, id, version in rows}


def local_of(conn: Connection, uid: str) -> tuple[str, int, int] | None:
    """The local (kind, id, version) a kept stable id became, or None."""
    row = conn.execute("SELECT kind, id, version FROM shared_ids WHERE uid = ?", (uid,)).fetchone()
    return None if row is None else (str(row[0]), int(row[1]), int(row[2]))


def remember(conn: Connection, rows: Iterable[tuple[str, str, int, int]]) -> None:
    """(stable id, kind, id, version) rows; an id already kept keeps what it named."""
    conn.executemany("INSERT OR IGNORE INTO shared_ids (uid, kind, id, version) VALUES (?,?,?,?)", list(rows))


def records_of_kind(conn: Connection, kind: str) -> Iterator[tuple[int, list[StoredVersion]]]:
    """Every record of ``kind`` with all its versions (oldest first), by id."""
    rows = conn.execute("SELECT DISTINCT id FROM records WHERE kind = ? ORDER BY id", (kind,))
    ids = [int(r[0]) for r in rows]
    for id in ids:
        yield id, versions(conn, kind, id)
