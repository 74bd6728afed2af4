"""``victim-log portal status|sent|not-sent``: which upload batches were sent (#21).

The same record the app's "Send through the police link" window keeps, for support
workers' scripts: each tick is a journal entry in the vault (see
:mod:`victim_log.portal_sends`). Exit codes as everywhere: 0 done, 2 bad input (not
a folder of batches, no such batch, a tick already there), 3 wrong passphrase.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING
from typing import Any

from ..errors import EXIT_OK
from .argtypes import clean_text
from .argtypes import count_arg
from .argtypes import when_arg
from .groups import action_group
from .output import one_line
from .output import print_json
from .session import open_vault

if TYPE_CHECKING:
    from ..export.portal import PortalFolder
    from ..portal_sends import BatchState
    from ..portal_sends import SendRecord

#: ``portal status --json`` (docs/export-format.md, "portal status").
PORTAL_STATUS_FIELDS: tuple[str, ...] = (
    "folder",
    "id",
    "bundle",
    "exported_at",
    "time_zone",
    "batch_count",
    "sent_count",
    "batches",
    "too_large",
)
#: each of its ``batches``.
PORTAL_BATCH_FIELDS: tuple[str, ...] = (
    "number",
    "folder",
    "files",
    "size",
    "sent",
    "reference",
    "sent_at",
    "sent_at_local",
    "author",
    "history",
)
#: each of a batch's ``history``; ``portal sent --json`` and ``portal not-sent --json``.
PORTAL_SEND_FIELDS: tuple[str, ...] = (
    "seq",
    "batch",
    "version",
    "sent",
    "reference",
    "sent_at",
    "sent_at_local",
    "time_zone",
    "author",
    "recorded_at",
    "reason",
    "files",
)


def add_portal_commands(sub: Any) -> None:
    """``victim-log portal ...``: registered by cli/parser.py."""
    portal = action_group(sub, "portal", "which upload-link batches were sent, when and to which reference")

    p = portal("status", cmd_portal_status, "the batches of an 'export --portal' folder and which were sent")
    p.add_argument("folder", metavar="DIR", help="the folder 'export --portal' wrote")
    p.add_argument("--json", action="store_true")

    p = portal("sent", cmd_portal_sent, "record that a batch was sent through the police link")
    p.add_argument("folder", metavar="DIR", help="the folder 'export --portal' wrote")
    p.add_argument("--batch", required=True, metavar="N", type=count_arg, help="the batch's number")
    p.add_argument(
        "--reference", required=True, metavar="REF", help="the police reference or the link it went to"
    )
    p.add_argument("--when", metavar="ISO", type=when_arg, help="when it was sent (default: now)")
    p.add_argument("--by", metavar="WHO", default="victim", help="'victim' (default) or 'support:NAME'")
    p.add_argument("--json", action="store_true")

    p = portal("not-sent", cmd_portal_not_sent, "take back a batch's tick (recorded, with a reason)")
    p.add_argument("folder", metavar="DIR", help="the folder 'export --portal' wrote")
    p.add_argument("--batch", required=True, metavar="N", type=count_arg, help="the batch's number")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why, e.g. 'the upload failed'")
    p.add_argument("--by", metavar="WHO", default="victim", help="'victim' (default) or 'support:NAME'")
    p.add_argument("--json", action="store_true")


def send_json(r: SendRecord) -> dict[str, Any]:
    """One tick (exactly :data:`PORTAL_SEND_FIELDS`)."""
    doc = {
        "seq": r.seq,
        "batch": r.batch,
        "version": r.version,
        "sent": r.sent,
        "reference": r.reference,
        "sent_at": r.sent_at,
        "sent_at_local": r.sent_local,
        "time_zone": r.time_zone,
        "author": r.author,
        "recorded_at": r.recorded_at,
        "reason": r.reason,
        "files": list(r.files),
    }
    assert tuple(doc) == PORTAL_SEND_FIELDS
    return doc


def batch_json(s: BatchState) -> dict[str, Any]:
    latest = s.latest if s.sent else None
    doc = {
        "number": s.number,
        "folder": s.folder,
        "files": [f.name for f in s.files],
        "size": sum(f.size for f in s.files),
        "sent": s.sent,
        "reference": latest.reference if latest else "",
        "sent_at": latest.sent_at if latest else "",
        "sent_at_local": latest.sent_local if latest else "",
        "author": latest.author if latest else "",
        "history": [send_json(r) for r in s.history],
    }
    assert tuple(doc) == PORTAL_BATCH_FIELDS
    return doc


def status_json(folder: PortalFolder, states: list[BatchState]) -> dict[str, Any]:
    from .. import casetime

    doc = {
        "folder": str(folder.path),
        "id": folder.id,
        "bundle": folder.bundle,
        "exported_at": folder.exported_at,
        "time_zone": casetime.active_zone().key,
        "batch_count": len(states),
        "sent_count": sum(s.sent for s in states),
        "batches": [batch_json(s) for s in states],
        "too_large": [f.name for f in folder.too_large],
    }
    assert tuple(doc) == PORTAL_STATUS_FIELDS
    return doc


def status_lines(folder: PortalFolder, states: list[BatchState]) -> list[str]:
    from .. import casetime

    sent = sum(s.sent for s in states)
    lines = [
        f"Upload batches for {one_line(folder.bundle)}, made {casetime.short_text(folder.exported_at)}: "
        f"{sent} of {len(states)} sent."
    ]
    for s in states:
        head = f"Batch {s.number} ({len(s.files)} file{'s' if len(s.files) != 1 else ''})"
        latest = s.latest
        if s.sent and latest is not None:
            lines.append(
                f"  {head}: sent {latest.sent_text} to {one_line(latest.reference)} ({latest.author})"
            )
        elif latest is not None:
            lines.append(f"  {head}: not sent (a tick taken back: {one_line(latest.reason)})")
        else:
            lines.append(f"  {head}: not sent yet")
    for f in folder.too_large:
        lines.append(f"  Too large for the link, ask the officer for another way: {one_line(f.name)}")
    return lines


def cmd_portal_status(args: argparse.Namespace) -> int:
    from ..portal_sends import batch_states
    from ..portal_sends import read_portal

    folder = read_portal(args.folder)  # before the passphrase: a wrong folder is exit 2
    with open_vault(args) as vault:
        states = batch_states(vault, folder)
    if args.json:
        print_json(status_json(folder, states))
    else:
        print("\n".join(status_lines(folder, states)))
    return EXIT_OK


def _print_send(args: argparse.Namespace, r: SendRecord) -> None:
    if args.json:
        print_json(send_json(r))
    elif r.sent:
        print(f"Recorded: batch {r.batch} sent {r.sent_text} to {one_line(r.reference)}.")
    else:
        print(f"Recorded: batch {r.batch} was not sent after all (the earlier tick is kept in the history).")


def cmd_portal_sent(args: argparse.Namespace) -> int:
    from ..model import parse_when
    from ..portal_sends import mark_sent
    from ..portal_sends import read_portal

    folder = read_portal(args.folder)
    folder.batch(args.batch)
    with open_vault(args) as vault:
        when = parse_when(args.when) if args.when else None  # on the case's clock
        r = mark_sent(vault, folder, args.batch, clean_text(args.reference), when=when, author=args.by)
    _print_send(args, r)
    return EXIT_OK


def cmd_portal_not_sent(args: argparse.Namespace) -> int:
    from ..portal_sends import mark_not_sent
    from ..portal_sends import read_portal

    folder = read_portal(args.folder)
    folder.batch(args.batch)
    with open_vault(args) as vault:
        r = mark_not_sent(vault, folder, args.batch, clean_text(args.reason), author=args.by)
    _print_send(args, r)
    return EXIT_OK
