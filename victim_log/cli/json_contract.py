"""The public ``--json`` contract: every field name a command prints, in one module.

Scripts of officers and support workers read these names; each one is documented in
docs/export-format.md (tests/test_cli_json_contract.py checks), and the builders below
produce exactly these keys. Extend, never rename or remove.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from typing import Any

from .. import casetime
from ..fields import pick

if TYPE_CHECKING:
    from ..errors import NotABundle
    from ..export.bundle import ExportResult
    from ..model import IncidentVersion
    from ..vault import CheckReport
    from ..vault import Vault

#: ``list --json``, ``search --json``, ``show --json`` (and each of ``history``).
INCIDENT_FIELDS: tuple[str, ...] = (
    "id",
    "version",
    "occurred_start",
    "occurred_end",
    "precision",
    "recorded_at",
    "version_recorded_at",
    "reason",
    "deleted",
    "kinds",
    "summary",
    "details",
    "location",
    "people",
    "witnesses",
    "effects",
    "effect_text",
    "actions",
    "police",
    "author",
    "complete_later",
    "evidence",
    "source",
    "order_id",
    "order_condition",
    "private_note",
    "source_time",
    "occurred_start_local",
    "occurred_end_local",
    "time_zone",
)
#: ``show --history --json`` adds the versions, oldest first.
INCIDENT_HISTORY_FIELD = "history"
#: ``police`` inside an incident.
POLICE_FIELDS: tuple[str, ...] = ("reference", "officer", "collar_number", "reported_on")
#: each of an incident's ``people``.
INCIDENT_PERSON_FIELDS: tuple[str, ...] = ("id", "name", "role")
#: each of an incident's ``evidence``.
INCIDENT_EVIDENCE_FIELDS: tuple[str, ...] = ("id", "filename", "sha256", "size", "media_type", "removed")
#: ``evidence add --json`` and each of ``evidence list --json``.
EVIDENCE_FIELDS: tuple[str, ...] = (
    "id",
    "filename",
    "size",
    "media_type",
    "sha256",
    "added_at",
    "added_by",
    "incidents",
    "metadata",
    "removed",
)
#: ``check --json``.
CHECK_FIELDS: tuple[str, ...] = (
    "ok",
    "problems",
    "warnings",
    "cleaned",
    "journal_entries",
    "incidents",
    "blobs_checked",
    "history_warning",
    "orphaned_blobs",
)
#: ``export --json``.
EXPORT_FIELDS: tuple[str, ...] = (
    "path",
    "format",
    "recorded",
    "incidents",
    "exhibits",
    "fingerprint",
    "fingerprint_readout",
    "redactions",
    "portal",
)
#: ``verify --json`` when the file is not a bundle at all.
NOT_A_BUNDLE_FIELDS: tuple[str, ...] = ("status", "valid", "reason", "message")
#: each of ``person list --json`` (``id`` and the stored person's fields).
PERSON_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "role",
    "aliases",
    "phones",
    "accounts",
    "vehicles",
    "relationship",
    "notes",
)
#: each of ``order list --json`` (``id``, ``version`` and the stored order's fields).
ORDER_FIELDS: tuple[str, ...] = (
    "id",
    "version",
    "order_type",
    "made_on",
    "expires_on",
    "court",
    "reference",
    "conditions",
    "person_id",
    "served_on",
    "served_how",
    "served_by",
    "interim",
    "without_notice",
    "variations",
)
#: ``order show --json`` adds every version, oldest first (``version``, ``recorded_at``, ``reason``).
ORDER_HISTORY_FIELD = "history"

ALL_FIELDS: dict[str, tuple[str, ...]] = {
    "incident": (*INCIDENT_FIELDS, INCIDENT_HISTORY_FIELD),
    "police": POLICE_FIELDS,
    "incident person": INCIDENT_PERSON_FIELDS,
    "incident evidence": INCIDENT_EVIDENCE_FIELDS,
    "evidence": EVIDENCE_FIELDS,
    "check": CHECK_FIELDS,
    "export": EXPORT_FIELDS,
    "verify (not a bundle)": NOT_A_BUNDLE_FIELDS,
    "person": PERSON_FIELDS,
    "order": (*ORDER_FIELDS, ORDER_HISTORY_FIELD),
}


class Lookups:
    """People and exhibits for a page of incidents, each read once (an imported chat's
    one exhibit is cited by every message: reading it per row made ``list --json``
    of an imported vault take minutes)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.people: dict[int, dict[str, Any]] = {}
        self.evidence: dict[int, dict[str, Any]] = {}
        self.times: dict[str, str] = {"": ""}
        self.time_zone = casetime.active_zone().key

    def local_time(self, instant: str) -> str:
        """A stored instant on the case's clock (``casetime.data_text``), "" for "";
        each worked out once in a while (an import's messages share their minutes)."""
        local = self.times.get(instant)
        if local is None:
            if len(self.times) > 10_000:  # memory bounded at any length of list
                self.times = {"": ""}
            local = self.times[instant] = casetime.data_text(instant)
        return local

    def load_evidence(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self.evidence}
        for eid, item in self.vault.evidence.get_many(missing).items():
            self.evidence[eid] = pick(item, *INCIDENT_EVIDENCE_FIELDS)

    def person(self, pid: int) -> dict[str, Any]:
        if pid not in self.people:
            p = self.vault.get_person(pid)
            self.people[pid] = {"id": p.id, "name": p.data.name, "role": p.data.role}
        return self.people[pid]

    def exhibit(self, eid: int) -> dict[str, Any]:
        if eid not in self.evidence:
            self.load_evidence([eid])
            if eid not in self.evidence:
                from ..errors import NotFound

                raise NotFound(f"There is no evidence item {eid}.")
        return self.evidence[eid]


def incident_json(
    vault: Vault,
    incident_id: int,
    *,
    history: bool = False,
    include_private: bool = True,
    lookups: Lookups | None = None,
    version: IncidentVersion | None = None,
) -> dict[str, Any]:
    """``show --json``: the incident's current version (every version under ``history``)."""
    if version is not None:
        versions = [version]
    else:
        versions = vault.incident_history(incident_id) if history else [vault.get_incident(incident_id)]
    current = versions[-1]
    look = lookups or Lookups(vault)
    look.load_evidence(e for v in versions for e in v.evidence)

    def one(v: Any) -> dict[str, Any]:
        d = v.data
        people = [look.person(pid) for pid in d.people]
        evidence = [look.exhibit(eid) for eid in v.evidence]
        out = {
            "id": v.incident_id,
            "version": v.version,
            "occurred_start": d.occurred_start,
            "occurred_end": d.occurred_end,
            "precision": d.precision,
            "recorded_at": v.first_recorded_at,
            "version_recorded_at": v.recorded_at,
            "reason": v.reason,
            "deleted": v.deleted,
            "kinds": list(d.kinds),
            "summary": d.summary,
            "details": d.details,
            "location": d.location,
            "people": people,
            "witnesses": d.witnesses,
            "effects": list(d.effects),
            "effect_text": d.effect_text,
            "actions": d.actions,
            "police": pick(d.police, *POLICE_FIELDS),
            "author": d.author,
            "complete_later": d.complete_later,
            "evidence": evidence,
            "source": d.source,
            "order_id": d.order_id,
            "order_condition": d.order_condition,
        }
        if include_private:
            out["private_note"] = d.private_note
        # The case's clock (#16.4): the source's own time, the instants on the case
        # zone's clock with their offsets, and which zone that is.
        out["source_time"] = d.source_time
        out["occurred_start_local"] = casetime.data_text(d.occurred_start) if d.occurred_start else ""
        out["occurred_end_local"] = casetime.data_text(d.occurred_end) if d.occurred_end else ""
        out["time_zone"] = casetime.active_zone().key
        return out

    result = one(current)
    if history:
        result["history"] = [one(v) for v in versions]
    return result


def evidence_json(item: Any) -> dict[str, Any]:
    """``evidence add --json`` and one of ``evidence list --json``."""
    doc = pick(item, *EVIDENCE_FIELDS)
    doc["incidents"] = list(item.incidents)
    return doc


def person_json(person: Any) -> dict[str, Any]:
    """One of ``person list --json``."""
    return {"id": person.id, **person.data.to_dict()}


def order_json(order: Any, history: list[Any] | None = None) -> dict[str, Any]:
    """One of ``order list --json``; ``order show --json`` passes every version too."""
    doc = {"id": order.id, "version": order.version, **order.data.to_dict()}
    if history is not None:
        doc[ORDER_HISTORY_FIELD] = [
            {"version": o.version, "recorded_at": o.recorded_at, "reason": o.reason} for o in history
        ]
    return doc


def check_json(report: CheckReport, warnings: list[str], cleaned: list[str]) -> dict[str, Any]:
    """``check --json``: the vault's check, the clock's warnings and what was cleaned up."""
    return {
        "ok": report.ok,
        "problems": report.problems,
        "warnings": warnings,
        "cleaned": cleaned,
        **pick(report, *CHECK_FIELDS[4:]),
    }


def export_json(result: ExportResult) -> dict[str, Any]:
    """``export --json``: where the export went and what it holds."""
    return {
        "path": str(result.path),
        "format": result.format,
        "recorded": not result.not_recorded,
        "incidents": result.incidents,
        "exhibits": result.exhibits,
        "fingerprint": result.fingerprint,
        "fingerprint_readout": result.short_fingerprint,
        "redactions": list(result.redactions),
        # The upload-link batches (#21) with --portal, else null: a key is never absent.
        "portal": getattr(result, "portal", None),
    }


def not_a_bundle_json(exc: NotABundle) -> dict[str, Any]:
    """``verify --json`` on a file that is not a bundle (a NotABundle error)."""
    return {
        "status": "NOT A BUNDLE",
        "valid": False,
        "reason": getattr(exc, "reason", None),
        "message": exc.message,
    }
