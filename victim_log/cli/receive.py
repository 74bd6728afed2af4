"""``victim-log receive``: receive one session of files from a phone with Tella's
Nearby Sharing (issue #22), without the desktop app.

It prints the connection details (with ``--json``: the QR code's JSON on one line),
receives one session, prints what it stored (with ``--json``: a second JSON line) and
stops. Exit code 0 when the phone closed the session and every file it sent was
stored; 1 when the session ended otherwise (time limit, three wrong PINs) or a file
was refused (hash mismatch, too large, connection dropped); 2 bad options or the
port in use; 3 a wrong passphrase.
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
from typing import TYPE_CHECKING
from typing import Any

from ..errors import EXIT_OK
from ..errors import EXIT_PROBLEM
from ..errors import UsageError
from .argtypes import count_arg
from .argtypes import id_arg
from .json_contract import evidence_json
from .output import one_line
from .session import open_vault

if TYPE_CHECKING:
    from ..receive import Event
    from ..receive import Limits
    from ..receive import Receiver
    from ..receive import Summary

MIB = 1024 * 1024
#: The port Tella's Nearby Sharing uses (``receive.protocol.DEFAULT_PORT``; a test keeps
#: them equal), written here so that building the command list at start-up does not
#: load the receiver and, through it, the vault code (tests/gui/shell/test_startup_imports.py).
DEFAULT_PORT = 53317


def add_receive_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--listen",
        metavar="ADDRESS",
        help="this computer's address on the local network to listen on (default: the "
        "one the Wi-Fi uses); only local network addresses are accepted",
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}; 0: any free port")
    p.add_argument(
        "--timeout", type=float, default=900.0, metavar="S", help="stop after S seconds (default 900)"
    )
    p.add_argument(
        "--accept-all", action="store_true", help="accept every file the phone offers without asking"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--attach", type=id_arg, metavar="ID", help="attach the files to entry ID")
    where.add_argument(
        "--make-entry", action="store_true", help="make one entry for the lot, titled by the transfer's title"
    )
    limits = p.add_argument_group("limits (anything beyond is refused and nothing of it stored)")
    limits.add_argument("--max-file-mb", type=count_arg, metavar="MB", help="per file (default 4096)")
    limits.add_argument("--max-total-mb", type=count_arg, metavar="MB", help="per session (default 16384)")
    limits.add_argument("--max-files", type=count_arg, metavar="N", help="files per session (default 500)")
    p.add_argument(
        "--json", action="store_true", help="print the QR code's JSON, then the result, one line each"
    )


def _limits(args: argparse.Namespace) -> Limits:
    from ..receive import Limits

    base = Limits()
    return Limits(
        max_file_bytes=args.max_file_mb * MIB if args.max_file_mb else base.max_file_bytes,
        max_session_bytes=args.max_total_mb * MIB if args.max_total_mb else base.max_session_bytes,
        max_files=args.max_files or base.max_files,
    )


def _line(doc: dict[str, Any]) -> None:
    print(json.dumps(doc, ensure_ascii=True), flush=True)


def _details(receiver: Receiver) -> None:
    print("Open Tella on the phone: Nearby Sharing, then scan this code or type the details.")
    if sys.stdout.isatty():
        import segno

        segno.make(json.dumps(receiver.payload), error="m").terminal(compact=True)
    print(f"  IP address: {receiver.address}")
    print(f"  Port:       {receiver.port}")
    print(f"  PIN:        {receiver.pin}")
    print("  The phone must show this same sequence (certificate hash):")
    print(f"  {receiver.grouped_hash}", flush=True)


def _ask(offer: Any) -> bool:
    print(f"The phone offers {len(offer.files)} file(s), {offer.total} bytes in all:", file=sys.stderr)
    for f in offer.files:
        print(f"  {f.size:>12}  {one_line(f.name)}", file=sys.stderr)
    if not sys.stdin.isatty():
        print("Refused: not asked on a terminal (use --accept-all).", file=sys.stderr)
        return False
    print("Accept them all? [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def _summary_json(summary: Summary, receiver: Receiver) -> dict[str, Any]:
    vault = receiver.session.vault
    received = []
    for r in summary.received:
        doc = evidence_json(vault.evidence.get(r.evidence_id))
        doc["declared_sha256"] = r.declared_sha256
        doc["already_stored"] = not r.new
        received.append(doc)
    return {
        "ended": summary.reason,
        "title": summary.title,
        "received": received,
        "refused": [{"name": f.name, "status": f.status, "reason": f.reason} for f in summary.refused],
        "incident": summary.incident_id,
    }


def _print_summary(summary: Summary) -> None:
    words = {
        "closed": "The phone finished.",
        "timeout": "The time limit was reached.",
        "too_many_pins": "Three wrong PINs: the receiver stopped.",
        "stopped": "The receiver was stopped.",
    }
    print(words.get(summary.reason, "The receiver stopped."))
    for r in summary.received:
        again = " (already stored: not stored twice)" if not r.new else ""
        name = one_line(r.name)
        print(f"Stored evidence {r.evidence_id}: {name}, {r.size} bytes, sha256 {r.sha256}{again}")
    for f in summary.refused:
        print(f"Refused: {one_line(f.name)}: {f.reason}. Nothing of it was stored.")
    if summary.incident_id is not None and summary.received:
        print(f"Entry {summary.incident_id} cites the files.")
    if summary.note:
        print(f"Note: {summary.note}", file=sys.stderr)


def cmd_receive(args: argparse.Namespace) -> int:
    from ..receive import CLOSED
    from ..receive import Destination
    from ..receive import Receiver

    if not args.timeout > 0:
        raise UsageError("--timeout must be a number of seconds above 0.")
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 1 and 65535 (0: any free port).")
    if args.listen:
        from ..receive.server import check_address

        check_address(args.listen)  # before the passphrase
    with open_vault(args) as vault:
        if args.attach is not None:
            vault.get_incident(args.attach)  # NotFound before listening
        events: queue.Queue[Event] = queue.Queue()
        receiver = Receiver(
            vault,
            listen=args.listen,
            port=args.port,
            limits=_limits(args),
            destination=Destination(attach_to=args.attach, make_entry=args.make_entry),
            timeout=args.timeout,
            listener=events.put,
        )
        receiver.start()
        try:
            if args.json:
                _line(receiver.payload)
            else:
                _details(receiver)
            while not receiver.done.is_set():
                try:
                    event = events.get(timeout=0.1)
                except queue.Empty:
                    continue
                if event.kind == "offer" and event.offer is not None:
                    accepted = args.accept_all or _ask(event.offer)
                    receiver.session.answer([f.id for f in event.offer.files] if accepted else None)
                elif event.kind == "wrong_pin" and not args.json:
                    print(f"A wrong PIN was tried ({event.attempts_left} tries left).", file=sys.stderr)
                elif event.kind == "registered" and not args.json:
                    print("A phone connected with the right PIN.", file=sys.stderr)
        finally:
            summary = receiver.stop()
        if args.json:
            _line(_summary_json(summary, receiver))
        else:
            _print_summary(summary)
    return EXIT_OK if summary.reason == CLOSED and not summary.refused else EXIT_PROBLEM
