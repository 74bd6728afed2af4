"""What a case file holds: every record with all its versions, by stable id.

The manifest (part 0 of the case file, docs/handover-format.md) names records and
versions only by their stable ids (:mod:`victim_log.store.handover`), and so do the
references inside a version's body: an incident's people, order and evidence, an
order's person. A local id (incident 3) never leaves the vault; :mod:`.merge` turns
the stable ids back into the receiving vault's own.

Every version goes in, deleted ones and all, each with the stable id of the version
before it (``parent``): a merge compares a version with its parent to see which
fields it changed, and merges those field by field (:mod:`.merge`). Evidence that was
removed or erased is left out (an erased file has no bytes; a removed one was taken
out of use), and so are references to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from .. import casetime
from ..clock import now_iso
from ..store import handover as ids

if TYPE_CHECKING:
    from ..vault import Vault

FORMAT = "victim-log case"
VERSION = 1
#: The record kinds a manifest lists, each after those its bodies refer to.
KINDS = ("person", "order", "incident")
#: The vault setting naming the worker a case was opened for (``support:NAME (ORG)``):
#: what they add is theirs when it comes back.
WORKER_SETTING = "handover_worker"

Uid = Callable[[str, int, int], str]


@dataclass(frozen=True)
class Snapshot:
    """A manifest and the local ids of the evidence files it lists, in part order."""

    doc: dict[str, Any]
    evidence_ids: list[int]

    @property
    def incidents(self) -> int:
        """Entries in the file that are not deleted."""
        return sum(1 for r in self.doc["incident"] if not r["versions"][-1]["deleted"])


def refs_out(kind: str, body: dict[str, Any], uid: Uid, shared: set[int]) -> dict[str, Any]:
    """A stored body with its references as stable ids."""
    body = dict(body)
    if kind == "order" and body.get("person_id") is not None:
        body["person_id"] = uid("person", int(body["person_id"]), 0)
    if kind == "incident":
        data = dict(body.get("data") or {})
        data["people"] = [uid("person", int(p), 0) for p in data.get("people") or ()]
        if data.get("order_id") is not None:
            data["order_id"] = uid("order", int(data["order_id"]), 0)
        body["data"] = data
        body["evidence"] = [
            uid("evidence", int(e), 0) for e in body.get("evidence") or () if int(e) in shared
        ]
    return body


def take(vault: Vault, *, private_notes: bool = False) -> Snapshot:
    """Everything in ``vault``, read in one transaction (nothing changes meanwhile);
    private notes only with ``private_notes`` (a merge then keeps the notes it has)."""
    with vault.transaction("the case file") as tx:
        kept = ids.kept_uids(tx.conn)

        def uid(kind: str, id: int, version: int) -> str:
            return kept.get((kind, id, version)) or ids.derived_uid(vault.vault_id, kind, id, version)

        items = vault.evidence.items()
        shared = {item.id for item in items if not item.erased}
        evidence = []
        for part, item in enumerate((i for i in items if i.id in shared), 1):
            entry: dict[str, Any] = {
                "uid": uid("evidence", item.id, 0),
                "part": part,
                "filename": item.filename,
                "sha256": item.sha256,
                "size": item.size,
                "added_by": item.added_by,
            }
            provenance = item.metadata.get("provenance")
            if isinstance(provenance, dict) and provenance:
                entry["provenance"] = provenance
            evidence.append(entry)
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "from": vault.vault_id,
            "made_at": now_iso(),
            "time_zone": casetime.zone_of_vault(vault).key,
            "worker": vault.get_setting(WORKER_SETTING) or None,
            "private_notes": private_notes,
            "evidence": evidence,
        }
        for kind in KINDS:
            records = []
            for id, stored in ids.records_of_kind(tx.conn, kind):
                versions = []
                parent = None
                for v in stored:
                    this = uid(kind, id, v.version)
                    body = refs_out(kind, v.body, uid, shared)
                    if kind == "incident" and not private_notes:
                        body["data"]["private_note"] = ""
                    versions.append(
                        {
                            "uid": this,
                            "parent": parent,
                            "recorded_at": v.recorded_at,
                            "reason": v.reason,
                            "deleted": v.deleted,
                            "body": body,
                        }
                    )
                    parent = this
                records.append({"uid": uid(kind, id, 0), "versions": versions})
            doc[kind] = records
    return Snapshot(doc, [item.id for item in items if item.id in shared])
