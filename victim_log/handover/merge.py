"""Bring a case file's records into a vault: new versions, never an overwrite.

For each record the file lists, oldest version first:

* a version this vault already holds (its stable id is known here) is skipped, so a
  file merged twice adds nothing;
* a record new here is added (its first version), then its later versions;
* a later version is merged **field by field**, three ways: against the version it
  was made on (its ``parent``, as the file gives it) the file's version changed some
  fields, and this vault may have changed some since (measured from that same
  version, or from the last version of ours the file shows it already merged). The
  next version here is this vault's current one with the file's changes on top,
  attributed to the file's author with their reason: a change made on one side only
  is simply combined, and the same change on both sides is nothing new;
* only a field changed on **both** sides to different values is a **conflict**: the
  file's version is saved (so its wording is in the history), then a version that
  restores this vault's values for those fields, in this vault's current author's
  name, so what the person here last wrote stays current. Both wordings stay in the
  history and the report names the entry and the fields (never their text);
* a deletion is never applied: it is reported for the person to confirm (and reported
  again at the next merge until they do); only a new vault made from the whole case
  (``share open``) takes the case's deletions as they are.

What the file could not carry stays as it is here, since the file never changed it:
an entry's private note, when the file was made without private notes (the default),
and the evidence files an entry cites that did not travel (removed ones).

New versions keep their author; with ``attribute`` (the worker a case file was
opened for), what was saved there as "victim" is theirs; any other author (another
worker, an import) is kept as it is.
Evidence files are stored first (decrypted straight into the vault's encrypted
store); the records then go in one transaction, so a failure saves none of them.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from ..errors import BadInput
from ..errors import IntegrityError
from ..evidence import METADATA_HEAD_BYTES
from ..evidence import PendingBlob
from ..fields import INCIDENT_FIELDS
from ..fields import labels
from ..model import IncidentData
from ..model import OrderData
from ..model import PersonData
from ..store import handover as ids
from ..textsafe import plural
from .casefile import DAMAGED
from .casefile import CaseFile
from .manifest import KINDS

if TYPE_CHECKING:
    from ..store.transaction import Transaction
    from ..vault import Vault

#: What each record kind is called in a report.
NOUNS = {"person": "person", "order": "order", "incident": "entry", "evidence": "evidence file"}
CONFLICT_NOTE = " (from a case file: changed beside a change made here; both are kept)"
#: The reason of the version that keeps this vault's wording current after a conflict.
KEPT_NOTE = "(from a case file: both wordings kept; yours stays current)"

#: The fields merged one by one, per record kind. An incident's author is not one of
#: them: a version is the work of whoever made it (see :meth:`_Merge.record`).
MERGED_FIELDS: dict[str, tuple[str, ...]] = {
    "incident": tuple(f.name for f in INCIDENT_FIELDS if f.name != "author"),
    "person": tuple(f.name for f in dataclasses.fields(PersonData)),
    "order": tuple(f.name for f in dataclasses.fields(OrderData)),
}


def field_labels(kind: str, names: list[str]) -> list[str]:
    """How a report names fields (an incident's as the app labels them)."""
    if kind == "incident":
        return labels(names)
    return [name.removesuffix("_id").replace("_", " ").capitalize() for name in names]


@dataclass(frozen=True)
class Combined:
    """A three-way merge of one version: ``changes`` (field -> the file's value) to
    put on top of this vault's current version, ``contested`` the fields among them
    this vault changed too, to other values, and the evidence the result cites."""

    changes: dict[str, Any]
    contested: list[str]
    evidence: tuple[int, ...]


def combine(
    kind: str,
    base: tuple[Any, tuple[int, ...]] | None,
    theirs: tuple[Any, tuple[int, ...]],
    ours_base: tuple[Any, tuple[int, ...]] | None,
    now: tuple[Any, tuple[int, ...]],
) -> Combined:
    """Merge ``theirs`` (made on ``base``) into ``now`` (changed here since ``ours_base``).

    Each is (data, evidence ids). Without a ``base`` every field ``theirs`` has
    differently is taken as changed there; without an ``ours_base``, as changed here
    too. Evidence is never contested: files cited on either side stay cited, less
    those the file's version stopped citing."""
    changes: dict[str, Any] = {}
    contested: list[str] = []
    for name in MERGED_FIELDS[kind]:
        value, mine = getattr(theirs[0], name), getattr(now[0], name)
        if value == mine or (base is not None and value == getattr(base[0], name)):
            continue
        changes[name] = value
        if ours_base is None or mine != getattr(ours_base[0], name):
            contested.append(name)
    dropped = set(base[1]) - set(theirs[1]) if base is not None else set()
    evidence = tuple(dict.fromkeys([e for e in now[1] if e not in dropped] + list(theirs[1])))
    return Combined(changes, contested, evidence)


@dataclass
class MergeReport:
    """What a merge did, in counts and in sentences that name records by id only."""

    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*KINDS, "evidence"), 0))
    versions: int = 0
    conflicts: list[str] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    #: The entries here (local ids) that the file deletes and this vault has not: the
    #: app offers to delete each through its usual confirmed, reasoned deletion.
    to_delete: list[int] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        return not (any(self.added.values()) or self.versions)

    def lines(self) -> list[str]:
        """What was done, in words for the person (both faces show these)."""
        if self.nothing_new:
            said = ["Nothing new: everything in this case file is already here."]
        else:
            parts = [plural(self.added[k], one, many) for k, one, many in _ADDED_WORDS if self.added[k]]
            if self.versions:
                parts.append(f"{plural(self.versions, 'new version')} of what was already here")
            done = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
            said = [f"Added {done}. Nothing was overwritten."]
        said += [f"Both kept: {c}" for c in self.conflicts]
        said += [f"To confirm: {d}" for d in self.deletions]
        return said


_ADDED_WORDS = (
    ("incident", "entry", "entries"),
    ("evidence", "evidence file", None),
    ("person", "person", "people"),
    ("order", "order", None),
)


class _Bad(BadInput):
    pass


def _bad() -> _Bad:
    return _Bad(
        "This case file's contents are not what Victim Log writes (made by another "
        "program, or a newer version). Nothing was changed."
    )


def _list(doc: Any, key: str) -> list[Any]:
    value = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(value, list):
        raise _bad()
    return value


@dataclass(frozen=True)
class Rules:
    """How a merge treats what it brings in.

    ``attribute``: the worker whose additions these are (their versions saved as
    "victim" become theirs). ``copy``: the file is the whole case going into a new
    vault (``share open``), so its deletions are the case's own and are applied; a
    merge into a diary never applies one. ``private_notes``: whether the file holds
    private notes; when it does not, an edit keeps the note the entry has here.
    ``evidence``: the stable ids of the evidence files the file holds; an entry here
    keeps citing files that did not travel."""

    attribute: str | None = None
    copy: bool = False
    private_notes: bool = True
    evidence: frozenset[str] = frozenset()


class _Merge:
    def __init__(self, vault: Vault, tx: Transaction, rules: Rules) -> None:
        self.vault, self.tx, self.rules = vault, tx, rules
        self.attribute = rules.attribute
        self.kept = ids.kept_uids(tx.conn)
        self.report = MergeReport()

    # ------------------------------------------------------------------ stable ids

    def local(self, uid: Any, kind: str) -> tuple[int, int] | None:
        """The local (id, version) a stable id names, if this vault holds it."""
        if not isinstance(uid, str):
            raise _bad()
        found = ids.local_of(self.tx.conn, uid)
        if found is not None:
            return (found[1], found[2]) if found[0] == kind else None
        parts = uid.split("/")
        if len(parts) not in (3, 4) or parts[0] != self.vault.vault_id or parts[1] != kind:
            return None
        try:
            id, version = int(parts[2]), int(parts[3]) if len(parts) == 4 else 0
        except ValueError:
            return None
        stored = self.tx.versions(kind, id)
        if not stored or (version and version > stored[-1].version):
            return None
        return id, version

    def uid_of(self, kind: str, id: int, version: int) -> str:
        return self.kept.get((kind, id, version)) or ids.derived_uid(self.vault.vault_id, kind, id, version)

    def remember(self, uid: str, kind: str, id: int, version: int) -> None:
        ids.remember(self.tx.conn, [(uid, kind, id, version)])
        self.kept[(kind, id, version)] = uid

    def ref(self, uid: Any, kind: str) -> int | None:
        found = self.local(uid, kind)
        return None if found is None else found[0]

    # ------------------------------------------------------------------ bodies

    def body_in(self, kind: str, body: Any) -> tuple[Any, tuple[int, ...]]:
        """A version's body as this vault's data (references as local ids)."""
        if not isinstance(body, dict):
            raise _bad()
        if kind == "person":
            return PersonData.from_dict(body), ()
        if kind == "order":
            body = dict(body)
            if body.get("person_id") is not None:
                body["person_id"] = self.ref(body["person_id"], "person")
            return OrderData.from_dict(body), ()
        data = dict(body.get("data") or {})
        data["people"] = [p for p in (self.ref(u, "person") for u in data.get("people") or ()) if p]
        if data.get("order_id") is not None:
            data["order_id"] = self.ref(data["order_id"], "order")
        evidence = tuple(e for e in (self.ref(u, "evidence") for u in body.get("evidence") or ()) if e)
        incident = IncidentData.from_dict(data)
        if self.attribute and incident.author == "victim":
            incident = dataclasses.replace(incident, author=self.attribute)
        return incident, evidence

    # ------------------------------------------------------------------ records

    def current(self, kind: str, id: int) -> tuple[int, bool, Any, tuple[int, ...]]:
        """(version, deleted, data, evidence) of the record as it is now."""
        if kind == "incident":
            inc = self.tx.get_incident(id)
            return inc.version, inc.deleted, inc.data, inc.evidence
        if kind == "person":
            person = self.vault.get_person(id)
            return person.version, person.deleted, person.data, ()
        order = self.vault.get_order(id)
        return order.version, False, order.data, ()

    def add(self, kind: str, data: Any, evidence: tuple[int, ...], reason: str) -> tuple[int, int, bool]:
        """The new record's (id, version, whether it is new): a person already in
        People under that name is that person (one person per name)."""
        tx = self.tx
        if kind == "person":
            same = tx.find_person(data.name)
            if same is not None and not same.deleted:
                return same.id, same.version, False
            return tx.add_person(data, reason), 1, True
        if kind == "order":
            return tx.add_order(data, reason), 1, True
        return tx.add_incident(data, evidence, reason), 1, True

    def edit(self, kind: str, id: int, data: Any, evidence: tuple[int, ...], reason: str) -> None:
        if kind == "person":
            self.tx.edit_person(id, data, reason)
        elif kind == "order":
            self.tx.update_order(id, data, reason)
        else:
            self.tx.edit_incident(id, data, reason, evidence=evidence)

    def delete(self, kind: str, id: int, reason: str) -> bool:
        """Apply a deletion (a new vault's copy of the case only); False for an order,
        which is never deleted."""
        if kind == "person":
            self.tx.delete_person(id, reason)
        elif kind == "incident":
            self.tx.delete_incident(id, reason)
        return kind != "order"

    def stored(self, kind: str, id: int, version: int) -> tuple[Any, tuple[int, ...]] | None:
        """A version of a record here (data, evidence), or None."""
        for v in self.tx.versions(kind, id):
            if v.version == version and not v.deleted:
                if kind == "incident":
                    return IncidentData.from_dict(v.body["data"]), tuple(
                        int(e) for e in v.body.get("evidence") or ()
                    )
                return (PersonData if kind == "person" else OrderData).from_dict(v.body), ()
        return None

    def bases(
        self, kind: str, id: int, versions: list[Any], at: int
    ) -> tuple[tuple[Any, tuple[int, ...]] | None, tuple[Any, tuple[int, ...]] | None]:
        """What ``versions[at]`` was made on (its parent, as the file gives it), and
        what this vault's own changes are measured from: the last later version in the
        file this vault already holds (the file's maker merged ours up to there), else
        that same parent."""
        parent_uid = versions[at].get("parent")
        parent = next((p for p in versions[:at] if p.get("uid") == parent_uid), None)
        base = None if parent is None or parent.get("deleted") else self.body_in(kind, parent.get("body"))
        for later in reversed(versions[at + 1 :]):
            known = self.local(later.get("uid"), kind) if isinstance(later, dict) else None
            if known is not None and known[0] == id:
                return base, self.stored(kind, id, known[1])
        return base, base

    def record(self, kind: str, rec: Any) -> None:
        if not isinstance(rec, dict):
            raise _bad()
        record_uid = rec.get("uid")
        versions = _list(rec, "versions")
        found = self.local(record_uid, kind)
        noun = NOUNS[kind]
        for at, v in enumerate(versions):
            if not isinstance(v, dict) or not isinstance(v.get("uid"), str):
                raise _bad()
            if self.local(v["uid"], kind) is not None:
                continue  # already here
            reason = str(v.get("reason") or "from a case file")[:400]
            if v.get("deleted"):
                self.deletion(kind, found, str(v["uid"]), reason)
                continue
            data, evidence = self.body_in(kind, v.get("body"))
            if found is None:
                id, version, new = self.add(kind, data, evidence, reason)
                found = (id, version)
                self.remember(str(record_uid), kind, id, 0)
                self.remember(v["uid"], kind, id, version)
                self.report.added[kind] += new
                continue
            id = found[0]
            version, deleted, now, now_evidence = self.current(kind, id)
            if deleted:
                self.report.conflicts.append(
                    f"{noun.capitalize()} {id} was deleted here; the case file's change to it "
                    "was not applied."
                )
                continue
            base, ours_base = self.bases(kind, id, versions, at)
            both = combine(kind, base, (data, evidence), ours_base, (now, now_evidence))
            same_author = kind != "incident" or data.author == now.author
            if not both.changes and both.evidence == now_evidence and (same_author or not self.rules.copy):
                # The same wording on both sides (a copy of the case keeps every version).
                self.remember(v["uid"], kind, id, version)
                continue
            merged = dataclasses.replace(now, **both.changes)
            if kind == "incident":
                merged = dataclasses.replace(merged, author=data.author)
            self.edit(kind, id, merged, both.evidence, reason + (CONFLICT_NOTE if both.contested else ""))
            self.remember(v["uid"], kind, id, version + 1)
            self.report.versions += 1
            if both.contested:
                self.keep_ours(kind, id, version + 1, merged, now, both)

    def keep_ours(self, kind: str, id: int, theirs: int, merged: Any, now: Any, both: Combined) -> None:
        """After a conflict: a version restoring this vault's values for the contested
        fields (by this vault's current author), so its wording stays current."""
        mine = {name: getattr(now, name) for name in both.contested}
        if kind == "incident":
            mine["author"] = now.author
        self.edit(kind, id, dataclasses.replace(merged, **mine), both.evidence, KEPT_NOTE)
        self.report.versions += 1
        fields = ", ".join(field_labels(kind, both.contested))
        self.report.conflicts.append(
            f"{NOUNS[kind].capitalize()} {id}: {fields} changed here and in the case file. "
            f"Both wordings are kept (the case file's as version {theirs}); yours stays current."
        )

    def deletion(self, kind: str, found: tuple[int, int] | None, uid: str, reason: str) -> None:
        """A deleted version: nothing to do when it is deleted here too; applied to a
        new vault's copy of the case; otherwise reported, never applied."""
        noun = NOUNS[kind]
        if found is not None:
            id = found[0]
            version, deleted = self.current(kind, id)[:2]
            if deleted:
                self.remember(uid, kind, id, version)
                return
            if self.rules.copy and self.delete(kind, id, reason):
                self.remember(uid, kind, id, version + 1)
                return
        where = f"{noun} {found[0]}" if found else f"an {noun} that is not here"
        if found and kind == "incident":
            self.report.to_delete.append(found[0])
        self.report.deletions.append(
            f"The case file deletes {where}. Not applied: delete it yourself if you agree."
        )


Stored = list[tuple[dict[str, Any], PendingBlob]]


def _store_evidence(vault: Vault, case: CaseFile, doc: dict[str, Any]) -> Stored:
    """Each evidence file this vault does not hold yet, stored (not yet recorded)."""
    entries = _list(doc, "evidence")
    try:
        with vault.transaction("the case file") as tx:
            known = {
                str(e.get("uid"))
                for e in entries
                if isinstance(e, dict) and ids.local_of(tx.conn, str(e.get("uid")))
            }
    except ValueError:  # a lone surrogate ("\\ud800" is valid JSON) cannot be looked up
        raise _bad() from None
    pending: Stored = []
    try:
        for entry in entries:
            if not isinstance(entry, dict) or type(entry.get("part")) is not int:
                raise _bad()
            uid = str(entry.get("uid"))
            if uid in known or uid.startswith(vault.vault_id + "/"):
                continue
            part = entry["part"]
            if not 1 <= part < len(case.parts):
                raise _bad()
            head = case.head(part, METADATA_HEAD_BYTES)
            with case.reading(part) as src:
                blob = vault.evidence.store_blob(src, str(entry.get("filename") or "file"), head)
                pending.append((entry, blob))
            if blob.result.sha256 != entry.get("sha256"):
                raise IntegrityError(DAMAGED)
    except BaseException:
        _discard(vault, pending)
        raise
    return pending


def merge(vault: Vault, case: CaseFile, doc: dict[str, Any], *, copy: bool = False) -> MergeReport:
    """Merge the verified, unlocked ``case`` (its manifest ``doc``) into ``vault``;
    ``copy``: ``vault`` is new and receives the whole case (see :class:`Rules`)."""
    if doc.get("format") != "victim-log case" or doc.get("version") != 1:
        raise _bad()
    worker = doc.get("worker")
    rules = Rules(
        attribute=worker if isinstance(worker, str) and worker else None,
        copy=copy,
        private_notes=doc.get("private_notes") is not False,
        evidence=frozenset(str(e.get("uid")) for e in _list(doc, "evidence") if isinstance(e, dict)),
    )
    attribute = rules.attribute
    pending = _store_evidence(vault, case, doc)
    try:
        with vault.transaction("the case file") as tx:
            work = _Merge(vault, tx, rules)
            for entry, blob in pending:
                added_by = str(entry.get("added_by") or "victim")
                if attribute and added_by == "victim":
                    added_by = attribute
                provenance = entry.get("provenance")
                eid, new = vault.evidence.record_blob(
                    blob,
                    added_by=added_by,
                    provenance=provenance if isinstance(provenance, dict) else None,
                    tx=tx,
                )
                work.remember(str(entry["uid"]), "evidence", eid, 0)
                work.report.added["evidence"] += new
            for kind in KINDS:
                for rec in _list(doc, kind):
                    work.record(kind, rec)
            if not work.report.nothing_new:
                tx.record_event(
                    "merge",
                    {"from": str(doc.get("from")), "versions": work.report.versions, **work.report.added},
                )
    except (KeyError, TypeError, ValueError, AttributeError):
        _discard(vault, pending)
        raise _bad() from None
    except BaseException:
        _discard(vault, pending)
        raise
    vault.evidence.sync_dirs([p for _e, p in pending])
    return work.report


def _discard(vault: Vault, pending: Stored) -> None:
    for _entry, blob in pending:
        with contextlib.suppress(Exception):
            vault.evidence.discard(blob)
