"""Use cases for incidents: add (one or tens of thousands), edit, delete, attach
exhibits, and read the current version or the whole history.

Every change writes a new immutable version with its journal entry
(:mod:`.records`) and brings the derived index rows up to date (:mod:`.index`),
inside the caller's transaction (:class:`victim_log.store.transaction.Transaction`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .. import clock
from ..errors import BadInput
from ..errors import NotFound
from ..errors import VaultCorrupt
from ..model import IncidentData
from ..model import IncidentVersion
from ..model import incident_body_json
from . import exhibits
from . import index
from . import journal
from . import stats
from .db import Connection
from .people import people_text
from .records import INSERT_RECORD
from .records import Records
from .records import StoredVersion
from .records import reason_detail
from .records import versions

# ------------------------------------------------------------------ reading


def version_from(incident_id: int, rows: Sequence[StoredVersion], position: int) -> IncidentVersion:
    """The incident as it was at ``rows[position]`` (``rows[0]`` gives when it was first
    recorded)."""
    version, at, reason, deleted, body = rows[position]
    try:
        data = IncidentData.from_dict(body["data"])
        evidence = tuple(int(e) for e in body.get("evidence", []))
    except (KeyError, TypeError, ValueError):
        raise VaultCorrupt(f"The stored incident {incident_id} is damaged. Run 'victim-log check'.") from None
    return IncidentVersion(
        incident_id=incident_id,
        version=version,
        recorded_at=at,
        first_recorded_at=rows[0].recorded_at,
        reason=reason,
        deleted=deleted,
        data=data,
        evidence=evidence,
    )


def get_incident(conn: Connection, incident_id: int) -> IncidentVersion:
    rows = versions(conn, "incident", incident_id)
    if not rows:
        raise NotFound(f"There is no incident {incident_id}.")
    return version_from(incident_id, rows, len(rows) - 1)


def incident_history(conn: Connection, incident_id: int) -> list[IncidentVersion]:
    rows = versions(conn, "incident", incident_id)
    if not rows:
        raise NotFound(f"There is no incident {incident_id}.")
    return [version_from(incident_id, rows, i) for i in range(len(rows))]


def incident_records(
    conn: Connection, incident_ids: Sequence[int]
) -> dict[int, tuple[str, int, str, str, bool, str]]:
    """Current stored bodies (JSON text) of many incidents: id -> (first recorded
    at, version, recorded at, reason, deleted, body). Missing ids raise NotFound.

    A few ids are looked up 500 at a time; many are read in one pass over the
    table in key order, which is several times faster than looking up rows spread
    over a database bigger than SQLite's page cache (``list --json``, #23.7).
    """
    ids = [int(i) for i in incident_ids]
    wanted = set(ids)
    sql = "SELECT id, version, recorded_at, reason, deleted, body FROM records WHERE kind = 'incident'"
    if len(wanted) > 2_000:
        queries: list[tuple[str, list[int]]] = [(sql + " ORDER BY id, version", [])]
    else:
        order = sorted(wanted)
        queries = [
            (sql + f" AND id IN ({','.join('?' * len(chunk))}) ORDER BY id, version", chunk)
            for chunk in (order[i : i + 500] for i in range(0, len(order), 500))
        ]
    first: dict[int, str] = {}
    out: dict[int, tuple[str, int, str, str, bool, str]] = {}
    for query, args in queries:
        for iid, version, at, reason, deleted, body in conn.execute(query, args):
            if iid not in wanted:
                continue
            first_at = first.setdefault(iid, str(at))
            out[iid] = (first_at, int(version), str(at), str(reason), bool(deleted), str(body))
    missing = [i for i in ids if i not in out]
    if missing:
        raise NotFound(f"There is no incident {missing[0]}.")
    return out


def get_incidents(conn: Connection, incident_ids: Sequence[int]) -> list[IncidentVersion]:
    """The current versions of many incidents, in the order asked (a page of a list
    or an export) with few queries; missing ids raise NotFound."""
    raw = incident_records(conn, incident_ids)
    out = []
    for iid in incident_ids:
        first_at, version, at, reason, deleted, body = raw[int(iid)]
        try:
            parsed = json.loads(body)
        except ValueError:
            raise VaultCorrupt(f"The stored incident {iid} is damaged. Run 'victim-log check'.") from None
        pair = [
            StoredVersion(1, first_at, "", False, {}),
            StoredVersion(version, at, reason, deleted, parsed),
        ]
        out.append(version_from(int(iid), pair, 1))
    return out


# ------------------------------------------------------------------ changing


def add_incidents(
    rec: Records, new: Sequence[tuple[IncidentData, tuple[int, ...]]], reason: str
) -> list[int]:
    """Write new incidents (validated data and exhibit ids) in the open transaction.

    For each, the rows a single add writes (record, journal entry, timeline row,
    people and exhibit links, search row), gathered per table into one
    ``executemany``: an import adds tens of thousands, and taking the general path
    for each was most of its time. Returns the new ids, in order.
    """
    first = rec.next_id("incident", len(new))
    ids = list(range(first, first + len(new)))
    checked = rec.batch.active_evidence if rec.batch is not None else set()
    detail = journal.encode_detail(reason_detail(reason))
    seq, prev = rec.journal_head()
    records: list[tuple[Any, ...]] = []
    entries: list[tuple[Any, ...]] = []
    timeline: list[tuple[Any, ...]] = []
    people: list[tuple[int, int]] = []
    links: list[tuple[int, int]] = []
    search: list[tuple[Any, ...]] = []
    for incident_id, (data, evidence) in zip(ids, new, strict=True):
        if len(evidence) > 1:
            evidence = tuple(dict.fromkeys(evidence))
        for ev in evidence:
            if ev not in checked:  # within a batch, each exhibit is checked once
                exhibits.require_active(rec.conn, ev)
                checked.add(ev)
        body = incident_body_json(data, evidence)
        at = clock.now_iso()
        records.append(("incident", incident_id, 1, at, reason, 0, body))
        seq += 1
        entry = journal.entry_row(
            seq, at, "create", "incident", incident_id, 1, journal.body_hash(body), detail, prev
        )
        entries.append(entry)
        prev = entry[-1]
        timeline.append(index.timeline_row(incident_id, 1, at, at, data, len(evidence), False))
        people.extend((incident_id, p) for p in data.people)
        links.extend((e, incident_id) for e in evidence)
        search.append(index.search_row(incident_id, data, people_text(rec, data.people)))
    rec.conn.executemany(INSERT_RECORD, records)
    rec.conn.executemany(journal.INSERT, entries)
    rec.moved_head((seq, prev))
    index.insert_new(rec.conn, timeline, people, links, search)
    stats.added(rec, timeline, [data for data, _evidence in new])
    return ids


def _new_version(
    rec: Records,
    current: IncidentVersion,
    data: IncidentData,
    evidence: tuple[int, ...],
    *,
    reason: str,
    deleted: bool,
    action: str,
) -> None:
    version = current.version + 1
    body = incident_body_json(data, evidence)
    iid = current.incident_id
    at = rec.write("incident", iid, version, body, reason=reason, deleted=deleted, action=action)
    first_at = current.first_recorded_at
    stats.replaced(
        rec,
        index.timeline_row(iid, version, first_at, at, data, len(evidence), deleted),
        data,
        deleted=deleted,
    )
    index.replace_incident(
        rec.conn,
        iid,
        version,
        current.first_recorded_at,
        at,
        data,
        evidence,
        "" if deleted else people_text(rec, data.people),
        deleted=deleted,
    )


def edit_incident(
    rec: Records,
    incident_id: int,
    data: IncidentData,
    reason: str,
    *,
    evidence: tuple[int, ...] | None = None,
) -> None:
    """A new version (``data`` validated, its people checked, ``reason`` required);
    the old ones stay readable in the history."""
    current = get_incident(rec.conn, incident_id)
    if current.deleted:
        raise BadInput(f"Incident {incident_id} was deleted; it cannot be edited.")
    new_evidence = current.evidence if evidence is None else tuple(dict.fromkeys(evidence))
    for ev in set(new_evidence) - set(current.evidence):
        exhibits.require_active(rec.conn, ev)
    if data == current.data and new_evidence == current.evidence:
        raise BadInput("Nothing has changed, so no new version was saved.")
    _new_version(rec, current, data, new_evidence, reason=reason, deleted=False, action="edit")


def delete_incident(rec: Records, incident_id: int, reason: str) -> None:
    """A tombstone with a reason: the entry leaves the timeline, its history stays."""
    current = get_incident(rec.conn, incident_id)
    if current.deleted:
        raise BadInput(f"Incident {incident_id} is already deleted.")
    _new_version(rec, current, current.data, current.evidence, reason=reason, deleted=True, action="delete")


def attach_evidence(rec: Records, evidence_id: int, incident_id: int) -> None:
    """One exhibit newly cited by an incident (evidence intake with ``--incident``): a
    new version recorded as an attachment; nothing when it is cited already."""
    current = get_incident(rec.conn, incident_id)
    if evidence_id in current.evidence:
        return
    if current.deleted:
        raise BadInput(f"Incident {incident_id} was deleted; evidence cannot be attached.")
    _new_version(
        rec,
        current,
        current.data,
        (*current.evidence, evidence_id),
        reason=f"attached evidence {evidence_id}",
        deleted=False,
        action="attach",
    )


def refresh_people_text(rec: Records, person_id: int) -> None:
    """After a person's edit: the search rows of the incidents naming them."""
    for iid in index.incidents_naming(rec.conn, person_id):
        inc = get_incident(rec.conn, iid)
        index.set_people_text(rec.conn, iid, people_text(rec, inc.data.people))
