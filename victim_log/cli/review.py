"""``victim-log review``: what would weaken the log, with what to ask (#18).

Advice, not a check: the exit code is 0 whatever it finds (2 bad input, 3 wrong
passphrase or locked, as everywhere). Each finding names the entry or evidence file by
its id, a kind code (:data:`victim_log.review.KINDS`) and a sentence; never the
diary's words.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING
from typing import Any

from .. import casetime
from ..errors import EXIT_OK
from ..textsafe import plural
from .output import print_json
from .session import open_vault

if TYPE_CHECKING:
    from ..review import Finding

#: ``review --json``: each object of the list (docs/export-format.md, "review").
REVIEW_FIELDS: tuple[str, ...] = ("kind", "incident_ids", "evidence_ids", "day", "message")


def add_review_command(command: Any) -> None:
    """Register ``review`` (called from cli/parser.py)."""
    p = command(
        "review", cmd_review, "what to check before you export: entries to complete, gaps to ask about"
    )
    p.add_argument("--json", action="store_true", help="a list of findings, one object each")


def finding_json(f: Finding) -> dict[str, Any]:
    """One ``review --json`` object (exactly :data:`REVIEW_FIELDS`)."""
    doc = {
        "kind": f.kind,
        "incident_ids": list(f.incident_ids),
        "evidence_ids": list(f.evidence_ids),
        "day": f.day,
        "message": f.message,
    }
    assert tuple(doc) == REVIEW_FIELDS
    return doc


def review_text(findings: list[Finding]) -> list[str]:
    """The findings in words, one paragraph each, with a count first."""
    if not findings:
        return ["Nothing to review: every entry has a time, a place and the details we look for."]
    lines = [
        f"{plural(len(findings), 'thing')} to look at. None of this is a mistake; each is a question "
        "worth asking before the log goes to the police.",
        "",
    ]
    for i, f in enumerate(findings, 1):
        lines.append(f"{i}. [{f.kind}] {f.message}")
    return lines


def cmd_review(args: argparse.Namespace) -> int:
    from ..review import review_vault  # not at start-up: parser.py imports this module

    with open_vault(args) as vault:
        casetime.use_vault_zone(vault)
        findings = review_vault(vault)
    if args.json:
        print_json([finding_json(f) for f in findings])
    else:
        for line in review_text(findings):
            print(line)
    return EXIT_OK
