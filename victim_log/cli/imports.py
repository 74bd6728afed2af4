"""The import command: WhatsApp chats, SMS and call backups, emails, photos."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_OK, UsageError
from ..textsafe import plural
from .output import one_line, print_json
from .session import open_vault


def cmd_import(args: argparse.Namespace) -> int:
    from ..importers.service import ImportRequest, run_import

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
    )
    with open_vault(args) as vault:
        report = run_import(vault, req)
    if args.json:
        print_json(report.to_json())
    elif report.already_imported:
        print("This file was imported before; nothing new was added.")
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
    if args.sender is None and args.format != "photos" and not args.dry_run and not report.already_imported:
        raise UsageError(
            "Say which sender is the person harassing you with --sender NAME "
            "(the list above shows them). Nothing was imported."
        )
    return EXIT_OK
