"""The record of batches sent through a police upload link: journal entries only.

A tick "I have sent batch N" is appended to the hash-chained journal as an event
(``kind`` ``vault``), never a row that could be changed: un-ticking is one more entry
(:data:`NOT_SENT`) saying the earlier one was a mistake, so the history shows both.
This module is the storage (the SQL that finds those entries); the rules live in
:mod:`victim_log.portal_sends`. A bundle's ``journal.jsonl`` withholds vault events,
so the references typed here never leave the vault in an export.
"""

from __future__ import annotations

from typing import Any

from .db import Connection
from .journal import parse_detail
from .records import Records

SENT = "portal_batch_sent"
NOT_SENT = "portal_batch_not_sent"


def append(rec: Records, action: str, detail: dict[str, Any]) -> tuple[int, str]:
    """One entry, in the caller's transaction; its (seq, recorded at)."""
    if action not in (SENT, NOT_SENT):
        raise ValueError(action)
    rec.event(action, detail)
    seq = rec.journal_head()[0]
    row = rec.conn.execute("SELECT at FROM journal WHERE seq = ?", (seq,)).fetchone()
    return seq, str(row[0])


def load(conn: Connection, portal: str = "") -> list[tuple[int, str, str, dict[str, Any]]]:
    """(seq, recorded at, action, detail) of every entry about sent batches, oldest
    first; only those of the batches ``portal`` when it is given."""
    rows = conn.execute(
        "SELECT seq, at, action, detail FROM journal WHERE kind = 'vault' AND action IN (?, ?) ORDER BY seq",
        (SENT, NOT_SENT),
    ).fetchall()
    out = []
    for seq, at, action, raw in rows:
        detail = parse_detail(raw)
        if portal and detail.get("portal") != portal:
            continue
        out.append((int(seq), str(at), str(action), detail))
    return out
