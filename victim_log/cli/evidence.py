"""Commands for evidence files: add, list, get (a verified copy), remove."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import EXIT_OK
from .json_contract import evidence_json
from .output import one_line, print_json
from .session import open_vault


def cmd_evidence_add(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        eid, new = vault.evidence.add(Path(args.file), incident_id=args.incident)
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
