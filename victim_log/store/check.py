"""The walk ``check`` makes over the stored records: each against its journal entry,
and each incident's latest version against its timeline row.

Each table is read once, a page at a time, in key order (#23.8). Where SQLite can
read an incident's summary from its body and that provably equals what Python's
``json.loads`` would read (:func:`plain_summary_text`), it does; otherwise the body
is parsed here, as it always was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..model import canonical_json
from . import erase
from . import journal
from . import stats
from .db import Connection


def _record_pages(conn: Connection) -> Iterator[list[Any]]:
    """Every stored record, in key order, :data:`journal.PAGE_ROWS` at a time:
    (kind, id, version, body, reason, deleted, summary); see :data:`_PLAIN_SUMMARY`."""
    sql = _CHECK_RECORDS.format("")
    args: tuple[Any, ...] = ()
    while True:
        rows = conn.execute(sql, args).fetchall()
        if not rows:
            return
        yield rows
        sql, args = _CHECK_RECORDS.format(_AFTER_KEY), tuple(rows[-1][:3])


def check_records(conn: Connection, by_key: dict[tuple[str, int, int], tuple[int, str, Any]]) -> list[str]:
    """Every stored record against its journal entry, then the timeline against each
    incident's latest version (:class:`_IndexCheck`), in one pass over the records.

    ``by_key`` is :attr:`journal.Walk.records`. The comparisons are the ones made on
    parsed entries before (#23.8), taken the short way when it provably agrees: an
    entry's detail equal to the canonical ``{"reason_sha256": ...}`` of the
    record's reason is that detail; anything else is parsed and compared as it was.
    """
    problems: list[str] = []
    seen: set[tuple[str, int, int]] = set()
    reasons: dict[Any, tuple[str, str]] = {}
    body_hash, parse_detail = journal.body_hash, journal.parse_detail
    index = _IndexCheck(conn)
    for page in _record_pages(conn):
        for kind, rid, version, body, reason, deleted, summary in page:
            key = (str(kind), int(rid), int(version))
            seen.add(key)
            entry = by_key.get(key)
            if entry is None:
                problems.append(
                    f"{kind} {rid} version {version} has no journal entry (added outside Victim Log)"
                )
            else:
                want = reasons.get(reason)
                if want is None:
                    digest = body_hash(str(reason))
                    want = reasons[reason] = (digest, canonical_json({"reason_sha256": digest}).decode())
                seq, body_sha, detail = entry
                if (body_sha != body_hash(str(body)) and erase.stands_for(str(body)) != body_sha) or (
                    detail != want[1] and parse_detail(detail).get("reason_sha256") != want[0]
                ):
                    problems.append(
                        f"{kind} {rid} version {version} has been altered since journal entry {seq}"
                    )
            if key[0] == "incident":
                index.see(key[1], key[2], bool(deleted), summary, body)
    for key, (seq, _sha, _detail) in by_key.items():
        if key not in seen:
            problems.append(f"{key[0]} {key[1]} version {key[2]} is missing (journal entry {seq})")
    return problems + index.finish() + stats.problems(conn)


class _IndexCheck:
    """The timeline (the ``incidents`` table) against each incident's latest stored
    version, fed the incident records in key order (so an incident's versions arrive
    together, its latest last).

    The summary is the one SQLite read from the body (:data:`_PLAIN_SUMMARY`) when
    there is one, otherwise the body is parsed here, as it always was.
    """

    def __init__(self, conn: Connection) -> None:
        self.indexed = {
            int(r[0]): (int(r[1]), bool(r[2]), str(r[3]))
            for r in conn.execute("SELECT id, version, deleted, summary FROM incidents")
        }
        self.stored: set[int] = set()
        self.problems: list[str] = []
        self._last: tuple[int, int, bool, Any, Any] | None = None

    def see(self, iid: int, version: int, deleted: bool, summary: Any, body: Any) -> None:
        """One incident record; the one before it was its incident's latest when the id
        changes."""
        if self._last is not None and self._last[0] != iid:
            self._compare(*self._last)
        self._last = (iid, version, deleted, summary, body)

    def finish(self) -> list[str]:
        if self._last is not None:
            self._compare(*self._last)
            self._last = None
        for iid in set(self.indexed) - self.stored:
            self.problems.append(f"incident {iid} is in the timeline but has no stored record")
        return self.problems

    def _compare(self, iid: int, version: int, deleted: bool, summary: Any, body: Any) -> None:
        self.stored.add(iid)
        got = self.indexed.get(iid)
        if got is None or got[0] != version:
            self.problems.append(f"incident {iid}: the timeline index is out of date")
            return
        if summary is None or not plain_summary_text(body):
            try:
                summary = json.loads(str(body))["data"]["summary"]
            except (ValueError, KeyError, TypeError):
                return  # a damaged body: the record walk reports it
        if deleted != got[1] or summary != got[2]:
            self.problems.append(f"incident {iid}: the timeline shows something other than the stored record")


# An incident body's ``data.summary`` as SQLite reads it from strict RFC 8259 JSON
# (which json.loads reads the same way), else NULL. Used only where the body's text
# also passes :func:`plain_summary_text`; otherwise Python parses the body as it
# always did. Parsing 100,000 bodies in Python was over half the time of ``check``
# (#23.8). json_type runs only on valid JSON (it raises on anything else), hence
# the nested CASE.
_PLAIN_SUMMARY = (
    "CASE WHEN kind = 'incident' AND typeof(body) = 'text' AND json_valid(body, 1)"
    " THEN CASE WHEN json_type(body, '$.data.summary') = 'text'"
    " THEN json_extract(body, '$.data.summary') END END"
)
_CHECK_RECORDS = (
    "SELECT kind, id, version, body, reason, deleted, "
    + _PLAIN_SUMMARY
    + " FROM records{} ORDER BY kind, id, version LIMIT "
    + str(journal.PAGE_ROWS)
)
_AFTER_KEY = " WHERE (kind, id, version) > (?, ?, ?)"


def plain_summary_text(body: Any) -> bool:
    """Whether SQLite's ``$.data.summary`` of this (strict JSON) body is provably the
    value of ``json.loads(body)["data"]["summary"]``: with no \\u escape, every key
    named "data" or "summary" is written as exactly that text, and each appearing once
    means neither key is duplicated (for a duplicate SQLite takes the first value,
    Python the last)."""
    return (
        type(body) is str
        and ("\\" not in body or "\\u" not in body)
        and body.count('"summary"') == 1
        and body.count('"data"') == 1
    )
