"""The ``exhibit_refs`` table: each exhibit's reference, given once and kept for ever.

A UK exhibit reference is the producer's initials and a number (``SM/4``). Officers,
prosecutors and the defence quote it at every later step, so it must never move: a
second export with another filter, or one more old entry, must not turn SM/4 into
SM/2. This module is only the storage; :mod:`victim_log.references` decides when a
reference is given.

Rules the SQL keeps:

* rows are only ever inserted (nothing here updates or deletes one), so a reference
  survives the file's removal or erasure and its number is never given again;
* numbers run on across the whole log, whatever the initials: after SM/1..SM/4, a
  change of initials gives AB/5, and SM/1..SM/4 stay as they are;
* the highest number ever given is also kept in ``meta`` (``exhibit_ref_last``), so
  even a damaged or hand-edited table cannot make a number come round again;
* :func:`allocate` must run inside a write transaction (``BEGIN IMMEDIATE`` holds
  SQLite's write lock), so two exports in two windows or processes cannot give the
  same number twice; ``number`` is also ``UNIQUE`` as a last guard.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["ExhibitRef", "allocate", "incident_ids", "load", "lookup"]

_LAST_KEY = "exhibit_ref_last"
_CHUNK = 500  # ids per ``IN (...)``: well under SQLite's variable limit


@dataclass(frozen=True)
class ExhibitRef:
    """One exhibit's reference as stored: ``initials/number``."""

    evidence_id: int
    initials: str
    number: int
    assigned_at: str  # when it was given ("" for a provisional one, never stored)

    @property
    def text(self) -> str:
        """``SM/4``: how the reference is written everywhere."""
        return f"{self.initials}/{self.number}"

    @property
    def file_prefix(self) -> str:
        """``SM-4``: the reference in a file name (``/`` cannot be in one)."""
        return f"{self.initials}-{self.number}"


def _row(r: Sequence[Any]) -> ExhibitRef:
    return ExhibitRef(int(r[0]), str(r[1]), int(r[2]), str(r[3]))


def load(conn: Any) -> dict[int, ExhibitRef]:
    """Every reference ever given, by evidence id, in number order."""
    rows = conn.execute(
        "SELECT evidence_id, initials, number, assigned_at FROM exhibit_refs ORDER BY number"
    ).fetchall()
    return {int(r[0]): _row(r) for r in rows}


def lookup(conn: Any, evidence_ids: Iterable[int]) -> dict[int, ExhibitRef]:
    """The references of these evidence ids that have one."""
    ids = list(dict.fromkeys(int(e) for e in evidence_ids))
    out: dict[int, ExhibitRef] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            "SELECT evidence_id, initials, number, assigned_at FROM exhibit_refs"
            f" WHERE evidence_id IN ({marks})",
            chunk,
        ).fetchall()
        out.update((int(r[0]), _row(r)) for r in rows)
    return out


def last_number(conn: Any) -> int:
    """The highest number ever given (0 before the first)."""
    top = conn.execute("SELECT max(number) FROM exhibit_refs").fetchone()[0]
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (_LAST_KEY,)).fetchone()
    kept = 0
    if row is not None:
        try:
            kept = int(row[0])
        except ValueError:
            kept = 0
    return max(int(top or 0), kept)


def allocate(conn: Any, evidence_ids: Sequence[int], initials: str, at: str) -> list[ExhibitRef]:
    """Give the next numbers to those of ``evidence_ids`` that have no reference yet.

    Must be called inside the caller's write transaction. Ids are numbered in the
    order given (the export passes them in order of first citation); ids that already
    have a reference, perhaps given a moment ago by another process, keep it. Returns
    only the references given now.
    """
    have = lookup(conn, evidence_ids)
    number = last_number(conn)
    given: list[ExhibitRef] = []
    for eid in dict.fromkeys(int(e) for e in evidence_ids):
        if eid in have:
            continue
        number += 1
        ref = ExhibitRef(eid, initials, number, at)
        conn.execute(
            "INSERT INTO exhibit_refs (evidence_id, initials, number, assigned_at) VALUES (?, ?, ?, ?)",
            (ref.evidence_id, ref.initials, ref.number, ref.assigned_at),
        )
        given.append(ref)
    if given:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_LAST_KEY, str(number)))
    return given


def incident_ids(conn: Any) -> list[tuple[int, bool]]:
    """Every incident id in the log with whether it is deleted, in id order (the entry
    references, for listing those not in an export)."""
    rows = conn.execute("SELECT id, deleted FROM incidents ORDER BY id").fetchall()
    return [(int(r[0]), bool(r[1])) for r in rows]
