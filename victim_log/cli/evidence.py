"""Commands for evidence files: add, list, get (a verified copy), remove."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_OK
from ..errors import UsageError
from .json_contract import evidence_json
from .output import one_line
from .output import print_json
from .session import open_vault

if TYPE_CHECKING:
    from ..vault import Vault


def add_provenance_args(p: argparse.ArgumentParser) -> None:
    """Where a file came from, asked at intake and shown in the export's exhibit
    schedule and draft statement lines (#16.7). All optional."""
    from ..export.provenance import HOW_OBTAINED

    g = p.add_argument_group("where the file came from (shown with the exhibit in exports)")
    g.add_argument("--how", metavar="HOW", help="how it was obtained: " + ", ".join(HOW_OBTAINED))
    g.add_argument("--obtained-from", metavar="TEXT", help="the app it was exported from, or who sent it")
    g.add_argument("--captured-by", metavar="WHO", help="who took it ('me', or a name)")
    g.add_argument("--captured-on", metavar="ISO", help="when it was taken, e.g. 2024-03-31T18:30")
    g.add_argument("--device", metavar="TEXT", help="what it was taken on, e.g. 'my phone'")
    g.add_argument("--description", metavar="TEXT", help="what it shows")


def provenance_from_args(args: argparse.Namespace, *, resolve: bool = True) -> dict[str, str] | None:
    """The provenance options given, checked (BadInput), or None when there are none.

    Called with ``resolve=False`` before the passphrase (a typo is the commonest
    mistake), then again inside the vault, where a capture time without an offset is
    read on the case's clock (#16.4), not this computer's."""
    from ..export.provenance import clean_provenance

    values = {
        "how": getattr(args, "how", None),
        "obtained_from": getattr(args, "obtained_from", None),
        "captured_by": getattr(args, "captured_by", None),
        "captured_on": getattr(args, "captured_on", None),
        "device": getattr(args, "device", None),
        "description": getattr(args, "description", None),
    }
    return clean_provenance(values, resolve=resolve) or None


def _added_by(args: argparse.Namespace, vault: Vault) -> str:
    """Who adds the file: ``--added-by``, else the author of the entry it is attached
    to (a support worker's entry), else the victim."""
    given = (getattr(args, "added_by", None) or "").strip()
    if given:
        if given != "victim" and not (given.startswith("support:") and given[8:].strip()):
            raise UsageError("--added-by must be 'victim' or 'support:NAME'.")
        return given
    if args.incident is not None:
        return vault.get_incident(args.incident).data.author or "victim"
    return "victim"


def cmd_evidence_add(args: argparse.Namespace) -> int:
    provenance_from_args(args, resolve=False)  # before the passphrase: a typo is the commonest mistake
    with open_vault(args) as vault:
        provenance = provenance_from_args(args)  # on the case's clock
        eid, new = vault.evidence.add(
            Path(args.file),
            incident_id=args.incident,
            added_by=_added_by(args, vault),
            provenance=provenance,
        )
        item = vault.evidence.get(eid)
        if args.json:
            print_json(evidence_json(item))
        else:
            print(eid)
            if not new:
                print(
                    f"This file was already stored as evidence {eid}; it was not stored twice.",
                    file=sys.stderr,
                )
    return EXIT_OK


def cmd_evidence_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        items = vault.evidence.items(include_removed=args.include_removed)
        if args.json:
            print_json([evidence_json(i) for i in items])
        else:
            for i in items:
                inc = ",".join(str(x) for x in i.incidents) or "-"
                print(
                    f"{i.id:>5}  {i.size:>12}  {i.media_type:<24}  {i.sha256[:16]}…  "
                    f"incidents {inc:<10}  {one_line(i.filename)}" + ("  [removed]" if i.removed else "")
                )
    return EXIT_OK


def cmd_evidence_get(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        item = vault.evidence.save_copy(args.id, Path(args.out), overwrite=args.force)
    print(f"Saved evidence {item.id} to {one_line(args.out)} (verified, sha256 {item.sha256}).")
    return EXIT_OK


def cmd_evidence_remove(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        vault.evidence.remove(args.id, args.reason, permanent=args.permanent)
    if args.permanent:
        print(
            f"Evidence {args.id} was permanently removed: its key was erased and it can "
            "never be read again. The removal is recorded."
        )
    else:
        print(
            f"Evidence {args.id} was removed from use. It is still stored and the removal "
            "is recorded; use --permanent to destroy it."
        )
    return EXIT_OK
