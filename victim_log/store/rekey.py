"""The rows a re-key rewrites: every kept blob's wrapped file key.

The crypto (unwrapping with the old blob-wrap key, wrapping with the new one) is
:mod:`victim_log.evidence`'s; this module only reads and writes the rows, inside the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator

from .db import Connection

PAGE = 500


def wrapped_keys(conn: Connection) -> Iterator[list[tuple[str, bytes]]]:
    """(blob id, wrapped key) of every blob whose key is kept, a page at a time."""
    after = ""
    while True:
        rows = conn.execute(
            "SELECT blob_id, wrapped_key FROM blobs WHERE blob_id > ? AND wrapped_key IS NOT NULL"
            " ORDER BY blob_id LIMIT ?",
            (after, PAGE),
        ).fetchall()
        if not rows:
            return
        yield [(str(r[0]), bytes(r[1])) for r in rows]
        after = str(rows[-1][0])


def count_wrapped_keys(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM blobs WHERE wrapped_key IS NOT NULL").fetchone()[0])


def put_wrapped_keys(conn: Connection, rows: list[tuple[bytes, str]]) -> None:
    """(new wrapped key, blob id) pairs."""
    conn.executemany("UPDATE blobs SET wrapped_key = ? WHERE blob_id = ?", rows)
