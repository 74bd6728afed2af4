"""Read-only queries of an iPhone backup's own databases (``sms.db``, ``CallHistory.storedata``).

These are the user's plaintext SQLite files, never our vault: they are opened with
the standard library's ``sqlite3`` through a ``file:...?mode=ro&immutable=1`` URI (no
write, no journal, no lock file beside them), with ``trusted_schema`` off, and only
real tables are read (a file whose ``message`` is a view or has no such table is
refused before any row is read). The SQL lives here because all SQL lives in
``store/`` (#15.1); the importer (:mod:`victim_log.importers.smsdb`) turns rows into
records. Every failure is a :class:`~victim_log.errors.BadInput` naming no content.

Columns differ between iOS versions (``date_edited`` and ``date_retracted`` came with
iOS 16; ``ZADDRESS`` is text or a blob): each query asks only for the columns the
file has, and a missing one reads as NULL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from ..errors import BadInput
from ..fsutil import ClosedOnExit

__all__ = ["BackupDb", "NOT_A_DATABASE"]

NOT_A_DATABASE = "This file isn't a database we can read, or it is damaged. Nothing was imported."
#: The longest text read from one cell (a hostile file could hold a gigabyte in one).
MAX_CELL = 4 * 1024 * 1024

_MESSAGE_COLUMNS = (
    "ROWID",
    "date",
    "text",
    "attributedBody",
    "is_from_me",
    "handle_id",
    "service",
    "item_type",
    "associated_message_type",
    "date_edited",
    "date_retracted",
    "subject",
    "cache_has_attachments",
)
_CALL_COLUMNS = ("Z_PK", "ZDATE", "ZDURATION", "ZORIGINATED", "ZANSWERED", "ZADDRESS", "ZCALLTYPE", "ZNAME")
_CAPPED = frozenset({"text", "attributedBody", "subject", "ZADDRESS", "ZNAME"})


class BackupDb(ClosedOnExit):
    """One of an iPhone backup's databases, open read-only."""

    def __init__(self, path: Path, required: tuple[str, ...], not_this: str) -> None:
        uri = "file:" + quote(str(path.resolve()), safe="/") + "?mode=ro&immutable=1"
        try:
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except (sqlite3.Error, OSError, ValueError):
            raise BadInput(NOT_A_DATABASE) from None
        try:
            self._conn.execute("PRAGMA trusted_schema = OFF")
            self._conn.execute("PRAGMA query_only = ON")
            rows = self._conn.execute("SELECT name, type FROM sqlite_master").fetchall()
        except sqlite3.Error:
            self.close()
            raise BadInput(NOT_A_DATABASE) from None
        kinds = {str(n): str(t) for n, t in rows if isinstance(n, str)}
        if any(kinds.get(name) != "table" for name in required):
            self.close()
            raise BadInput(not_this)
        self.tables = frozenset(n for n, t in kinds.items() if t == "table")

    def close(self) -> None:
        self._conn.close()

    def _columns(self, table: str, wanted: tuple[str, ...]) -> str:
        try:
            have = {str(r[1]) for r in self._conn.execute(f"PRAGMA table_info({table})")}
        except sqlite3.Error:
            raise BadInput(NOT_A_DATABASE) from None
        out = []
        for col in wanted:
            if col not in have:
                out.append("NULL")
            elif col in _CAPPED:
                out.append(f"substr({col}, 1, {MAX_CELL})")
            else:
                out.append(col)
        return ", ".join(out)

    def _rows(self, sql: str) -> Iterator[tuple[object, ...]]:
        try:
            cur = self._conn.execute(sql)
            while batch := cur.fetchmany(500):
                yield from batch
        except sqlite3.Error:
            raise BadInput(NOT_A_DATABASE) from None

    def messages(self) -> Iterator[tuple[object, ...]]:
        """``sms.db``'s messages, oldest first: the columns of ``_MESSAGE_COLUMNS`` in order."""
        cols = self._columns("message", _MESSAGE_COLUMNS)
        return self._rows(f"SELECT {cols} FROM message ORDER BY date, ROWID")

    def handles(self) -> dict[int, str]:
        """Each handle's ROWID and its address (a number or an email address)."""
        if "handle" not in self.tables:
            return {}
        return {
            int(r[0]): str(r[1])[:400]
            for r in self._rows("SELECT ROWID, id FROM handle")
            if isinstance(r[0], int) and isinstance(r[1], str)
        }

    def chat_of_messages(self) -> dict[int, str]:
        """Each message's chat identifier (who an outgoing message went to)."""
        if not {"chat", "chat_message_join"} <= self.tables:
            return {}
        sql = (
            "SELECT j.message_id, c.chat_identifier FROM chat_message_join j "
            "JOIN chat c ON c.ROWID = j.chat_id"
        )
        return {
            int(r[0]): str(r[1])[:400]
            for r in self._rows(sql)
            if isinstance(r[0], int) and isinstance(r[1], str)
        }

    def attachments(self) -> dict[int, list[tuple[str, str, str]]]:
        """Each message's files: (path on the phone, name as sent, MIME type)."""
        if not {"attachment", "message_attachment_join"} <= self.tables:
            return {}
        cols = self._columns("attachment", ("filename", "transfer_name", "mime_type"))
        sql = (
            f"SELECT j.message_id, {cols} FROM message_attachment_join j "
            "JOIN attachment ON attachment.ROWID = j.attachment_id ORDER BY j.message_id, j.attachment_id"
        )
        out: dict[int, list[tuple[str, str, str]]] = {}
        for r in self._rows(sql):
            if isinstance(r[0], int):
                fields = tuple(str(v)[:4096] if isinstance(v, str) else "" for v in r[1:4])
                out.setdefault(r[0], []).append((fields[0], fields[1], fields[2]))
        return out

    def calls(self) -> Iterator[tuple[object, ...]]:
        """``CallHistory.storedata``'s calls, oldest first: the columns of ``_CALL_COLUMNS``."""
        cols = self._columns("ZCALLRECORD", _CALL_COLUMNS)
        return self._rows(f"SELECT {cols} FROM ZCALLRECORD ORDER BY ZDATE, Z_PK")
