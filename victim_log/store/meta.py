"""The ``meta`` table: the vault's own facts (its id, when it was made), settings and
small values other modules keep (the export signing key, pending temp files).

Keys are plain text; settings are stored under ``setting:<name>`` so they can never
collide with the vault's own keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only: reading a setting's name loads no SQLCipher
    from .db import Connection

SETTING_PREFIX = "setting:"


def get(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def with_prefix(conn: Connection, prefix: str) -> list[tuple[str, str]]:
    """Every (key, value) whose key starts with ``prefix``, in key order."""
    rows = conn.execute(
        "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ? ORDER BY key", (len(prefix), prefix)
    ).fetchall()
    return [(str(k), str(v)) for k, v in rows]


def put(conn: Connection, key: str, value: str, *, replace: bool = True) -> None:
    """Set ``key``; with ``replace=False`` a key that exists already is an error
    (SQLite's constraint), for values that must never change once made."""
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    conn.execute(f"{verb} INTO meta (key, value) VALUES (?, ?)", (key, value))


def delete(conn: Connection, keys: list[str]) -> None:
    conn.executemany("DELETE FROM meta WHERE key = ?", [(k,) for k in keys])
