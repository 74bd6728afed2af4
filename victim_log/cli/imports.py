"""The import command: WhatsApp chats, SMS and call backups, emails, photos."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EXIT_OK
from ..errors import BadInput
from ..errors import UsageError
from ..textsafe import plural
from .output import one_line
from .output import print_json
from .session import open_vault

if TYPE_CHECKING:
    from ..importers.service import ImportReport


def cmd_import(args: argparse.Namespace) -> int:
    from ..importers.service import ImportRequest
    from ..importers.service import run_import

    senders = args.sender or []
    req = ImportRequest(
        format=args.format,
        source=Path(args.source),
        sender=senders[0] if senders else None,
        other_senders=tuple(senders[1:]),
        group_minutes=args.group_minutes,
        date_order=args.date_order,
        me=args.me,
        dry_run=args.dry_run,
        photo_incidents=args.make_incidents,
        context=not args.no_context,
        skip_duplicates=args.skip_duplicates,
    )
    from ..importers.records import AmbiguousDateOrder

    with open_vault(args) as vault:
        try:
            report = run_import(vault, req)
        except AmbiguousDateOrder as exc:
            raise BadInput(
                f"{exc.message} Add --date-order dmy (day first, 31/12/2024) or --date-order mdy "
                "(month first, 12/31/2024). Nothing was imported."
            ) from None
    if args.json:
        print_json(report.to_json())
    elif report.already_imported:
        print("This file was imported before; nothing new was added.")
    elif args.format in _CAPTURES:
        _print_captures(report)
    elif args.sender is None and args.format != "photos":
        print(f"{report.messages_seen} messages or calls seen. Senders:")
        for sender, count in report.senders:
            print(f"  {count:>6}  {one_line(sender)}")
    else:

        def were(n: int) -> str:
            return "would be" if report.dry_run else "was" if n == 1 else "were"

        print(
            f"{report.messages_seen} messages or calls seen, {report.matched} from "
            f"{one_line(' / '.join(senders) or 'the folder')}."
        )
        print(
            f"{plural(report.incidents_created, 'incident')} {were(report.incidents_created)}"
            f" created and {plural(report.exhibits_stored, 'exhibit')} "
            f"{were(report.exhibits_stored)} stored; "
            f"{plural(report.skipped_lines, 'line')} skipped"
            + (f", {report.duplicates_skipped} already imported" if report.duplicates_skipped else "")
            + "."
        )
        for line in report.preview:
            print(f"  - {one_line(line)}")
        if report.media_added:
            n = report.media_added
            verb = "would be" if report.dry_run else "was" if n == 1 else "were"
            print(
                f"{plural(n, 'file')} from this export {verb} added to the incidents an earlier "
                "import made without them (a new version of each: 'media added from a later export')."
            )
        _print_records_notes(report)
    if (
        args.sender is None
        and args.format not in _NO_SENDER
        and not args.dry_run
        and not report.already_imported
    ):
        raise UsageError(
            "Say which sender is the person harassing you with --sender NAME "
            "(the list above shows them). Nothing was imported."
        )
    return EXIT_OK


_CAPTURES = {"proofmode": "ProofMode", "tella": "Tella"}
_NO_SENDER = {"photos", *_CAPTURES}


def _print_captures(report: ImportReport) -> None:
    """A ProofMode zip or Tella's files: each file's check against the app's record."""
    app = _CAPTURES[report.format]
    would = report.dry_run
    print(f"{plural(report.messages_seen, 'file')} checked against what {app} recorded when it was taken:")
    for line in report.preview:
        print(f"  - {one_line(line)}")
    made = "would be made" if would else "made"
    stored = "would be stored" if would else "stored"
    print(
        f"{plural(report.incidents_created, 'entry', 'entries')} {made} (one per file, to complete: say "
        f"what it shows) and {plural(report.exhibits_stored, 'exhibit')} {stored} (the export unchanged, "
        "each file and its proof files)."
    )
    if report.duplicates_skipped:
        print(f"{plural(report.duplicates_skipped, 'file')} had been imported before: not imported again.")


def _print_records_notes(report: ImportReport) -> None:
    """Context kept, grouping used and likely duplicates, so nothing happens unsaid (#16.5)."""
    would = report.dry_run
    if report.group_minutes and report.incidents_created:
        print(
            f"Messages {report.group_minutes} minutes apart or less are one incident each burst "
            "(--group-minutes 0: one incident per message)."
        )
    if report.context_created:
        n = report.context_created
        verb = ("would be" if would else "was") if n == 1 else ("would be" if would else "were")
        print(
            f"{plural(n, 'reply', 'replies')} of yours asking them to stop {verb} kept as context "
            "(shown in the timeline and the export, not counted as incidents; --no-context: not kept)."
        )
    if report.context_note:
        print(report.context_note)
    dups = report.possible_duplicates
    if dups:
        print(f"{plural(len(dups), 'message')} may be the same as entries you typed:")
        for dup in dups[:50]:
            print(f"  - {dup.describe()}")
        if len(dups) > 50:
            print(f"  ... and {len(dups) - 50} more (--json lists them all).")
        if any(d.skipped for d in dups):
            print("Those were left out of this import; they stay in the original file kept as evidence.")
        elif would:
            print("They would be imported too. To leave them out, add --skip-duplicates.")
        else:
            print(
                "They were imported too (nothing is merged). If one is the same as your entry, "
                "you can delete the copy you do not want: victim-log delete ID --reason ..."
            )


def cmd_verify_originals(args: argparse.Namespace) -> int:
    """``evidence verify-originals DIR``: after a hand-off from a phone folder, which
    originals the diary holds a checked copy of (#22); exit 1 unless all of them."""
    from ..errors import EXIT_PROBLEM
    from ..handoff import DELETE_NOTE
    from ..handoff import REASON_TEXT
    from ..handoff import check_originals
    from ..handoff import originals_in

    folder = Path(args.folder)
    paths = originals_in(folder, recursive=args.recursive)
    with open_vault(args) as vault:
        checks = check_originals(vault, paths)
    stored = sum(c.stored for c in checks)
    if args.json:
        print_json(
            {
                "folder": str(folder),
                "files": [c.to_json() for c in checks],
                "stored": stored,
                "not_stored": len(checks) - stored,
                "note": DELETE_NOTE,
            }
        )
    else:
        print(
            f"{plural(len(checks), 'file')} in {one_line(folder.name or str(folder))} checked against your "
            "diary (each copy there read back and its SHA-256 compared):"
        )
        for c in checks:
            print(f"  {REASON_TEXT[c.reason]:<18} {c.size:>12}  {c.sha256 or '-':<64}  {one_line(c.name)}")
        print(f"{stored} of {len(checks)} safely stored.")
        print(DELETE_NOTE)
    return EXIT_OK if stored == len(checks) else EXIT_PROBLEM
