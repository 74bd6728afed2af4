"""Versioned records and the journal entries written with them, inside one transaction.

Every change to the diary is a new immutable row in ``records`` (kind, id, version)
plus a journal entry committing to its body, written in the same transaction. This
module is the one place that writes either: :class:`Records` is bound to an open
transaction's connection and, for a bulk change (an import), to a
:class:`BatchState` that remembers the next ids and the journal head in memory
instead of asking the database for each row. That is safe only because the
transaction holds SQLite's write lock (``BEGIN IMMEDIATE``) and every write in it
goes through the same :class:`Records`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

from .. import clock
from ..errors import VaultCorrupt
from ..model import canonical_json
from . import journal
from .db import Connection

RECORD_KINDS = ("incident", "person", "order", "evidence")

INSERT_RECORD = (
    "INSERT INTO records (kind, id, version, recorded_at, reason, deleted, body) VALUES (?,?,?,?,?,?,?)"
)


@functools.lru_cache(maxsize=16)
def reason_detail(reason: str) -> journal.Detail:
    """A record's journal detail: the reason's hash (the reason itself stays in the
    record). Remembered because an import gives every message the same reason;
    :func:`forget_reasons` empties it when the vault locks."""
    return journal.Detail({"reason_sha256": journal.body_hash(reason)})


def forget_reasons() -> None:
    """Drop the remembered reasons (they are what the person last typed)."""
    reason_detail.cache_clear()


class StoredVersion(NamedTuple):
    """One stored version of a record, its body parsed."""

    version: int
    recorded_at: str
    reason: str
    deleted: bool
    body: dict[str, Any]


@dataclass
class BatchState:
    """What a bulk transaction remembers instead of asking the database each time.

    ``last_ids``: the last id handed out per record kind; ``head``: the journal head
    after the last entry written; ``active_evidence``: exhibits already checked to be
    present and not removed; ``people_text``: the search text of a set of people.
    """

    last_ids: dict[str, int] = field(default_factory=dict)
    head: tuple[int, str] | None = None
    active_evidence: set[int] = field(default_factory=set)
    people_text: dict[tuple[int, ...], str] = field(default_factory=dict)


def versions(conn: Connection, kind: str, id: int) -> list[StoredVersion]:
    """Every stored version of one record, oldest first (empty when there is none)."""
    rows = conn.execute(
        "SELECT version, recorded_at, reason, deleted, body FROM records"
        " WHERE kind = ? AND id = ? ORDER BY version",
        (kind, id),
    ).fetchall()
    out = []
    for version, at, reason, deleted, body in rows:
        try:
            parsed = json.loads(body)
        except ValueError:
            raise VaultCorrupt(
                f"The stored {kind} {id} version {version} is damaged. Run 'victim-log check'."
            ) from None
        out.append(StoredVersion(int(version), str(at), str(reason), bool(deleted), parsed))
    return out


class Records:
    """Writes records and journal entries through one open transaction's connection."""

    def __init__(self, conn: Connection, batch: BatchState | None = None) -> None:
        self.conn = conn
        self.batch = batch

    def next_id(self, kind: str, count: int = 1) -> int:
        """The first of ``count`` new ids for ``kind`` (the others follow it)."""
        batch = self.batch
        if batch is not None and kind in batch.last_ids:
            first = batch.last_ids[kind] + 1
        else:
            row = self.conn.execute("SELECT max(id) FROM records WHERE kind = ?", (kind,)).fetchone()
            first = int(row[0] or 0) + 1
        if batch is not None:
            batch.last_ids[kind] = first + count - 1
        return first

    def journal_head(self) -> tuple[int, str]:
        if self.batch is not None and self.batch.head is not None:
            return self.batch.head
        return journal.head(self.conn)

    def moved_head(self, head: tuple[int, str]) -> None:
        """Entries up to ``head`` were written by the caller (:func:`journal.entry_row`)."""
        if self.batch is not None:
            self.batch.head = head

    def _journal(self, **fields: Any) -> None:
        self.moved_head(journal.append(self.conn, after=self.journal_head(), **fields))

    def write(
        self,
        kind: str,
        id: int,
        version: int,
        body: dict[str, Any] | str,
        *,
        reason: str,
        deleted: bool,
        action: str,
    ) -> str:
        """Store one version and its journal entry; ``body`` is a dict or its canonical
        JSON. Returns the time it was recorded at."""
        at = clock.now_iso()
        body_text = body if isinstance(body, str) else canonical_json(body).decode()
        self.conn.execute(INSERT_RECORD, (kind, id, version, at, reason, int(deleted), body_text))
        self._journal(
            at=at,
            action=action,
            kind=kind,
            id=id,
            version=version,
            body_sha256=journal.body_hash(body_text),
            detail=reason_detail(reason),
        )
        return at

    def event(self, action: str, detail: dict[str, Any]) -> None:
        """A journal entry for something that is not a record (passphrase change, export)."""
        body = canonical_json(detail).decode()
        self._journal(
            at=clock.now_iso(),
            action=action,
            kind="vault",
            id=0,
            version=0,
            body_sha256=journal.body_hash(body),
            detail=detail,
        )

    def versions(self, kind: str, id: int) -> list[StoredVersion]:
        return versions(self.conn, kind, id)
