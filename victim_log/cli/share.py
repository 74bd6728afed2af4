"""``victim-log share``: a case file for a support worker, and bringing it back (#18).

``share --out FILE`` writes the whole case, sealed with a one-time code that is
printed once (and never stored); ``share open FILE`` makes a new vault from it in the
worker's installation; ``share merge FILE`` brings a case file's additions into this
vault as new versions. Exit codes as everywhere: 0 ok (a merge with nothing new
included), 1 a damaged or altered file, 2 bad input, 3 a wrong code or passphrase.
Nothing here prints diary text: records are named by their ids.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from ..errors import EXIT_OK
from ..errors import BadInput
from ..errors import UsageError
from ..textsafe import plural
from .groups import add_vault_args
from .output import one_line
from .output import print_json
from .output import warn
from .secrets import passphrase
from .session import open_vault
from .session import vault_dir

if TYPE_CHECKING:
    from ..handover import MergeReport

CODE_ENV = "VICTIM_LOG_SHARE_CODE"
#: ``share --out FILE --json``: one object with exactly these keys.
SHARE_FIELDS: tuple[str, ...] = ("file", "code", "incidents", "evidence")
#: ``share merge FILE --json``.
MERGE_FIELDS: tuple[str, ...] = (
    "file",
    "added",
    "versions",
    "conflicts",
    "deletions",
    "nothing_new",
    "to_delete",
)


def add_share_command(command: Any) -> None:
    """Register ``share`` and its ``open`` and ``merge`` actions (from cli/parser.py)."""
    p = command(
        "share",
        cmd_share,
        "make an encrypted case file for a support worker (opened with a one-time code), "
        "or open or merge one",
    )
    p.add_argument("--out", metavar="FILE", help="write the case file here")
    p.add_argument("--include-private", action="store_true", help="include your private notes")
    p.add_argument("--json", action="store_true")
    actions = p.add_subparsers(dest="share_command", metavar="ACTION", parser_class=type(p))
    for name, func, help in (
        ("open", cmd_share_open, "worker: make a new vault (--vault NEW_DIR) holding a shared case"),
        ("merge", cmd_share_merge, "bring a case file's additions into this vault as new versions"),
    ):
        a = actions.add_parser(name, help=help, description=help)
        add_vault_args(a)
        a.add_argument("file", metavar="FILE")
        a.add_argument("--code-stdin", action="store_true", help="read the one-time code from stdin")
        a.set_defaults(func=func)
        if name == "open":
            a.add_argument(
                "--worker", metavar="NAME", required=True, help="your name: what you add is marked as yours"
            )
            a.add_argument("--org", metavar="ORG", default="", help="your organisation")
            a.add_argument(
                "--label", metavar="LABEL", help="also list it in the app's File → Open another… under LABEL"
            )
        else:
            a.add_argument("--json", action="store_true")


def _code(args: argparse.Namespace) -> str:
    """The one-time code: ``--code-stdin``, else ``VICTIM_LOG_SHARE_CODE``, else typed."""
    if args.code_stdin:
        return sys.stdin.readline().strip()
    env = os.environ.get(CODE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise BadInput(
            "The one-time code is needed: use --code-stdin, set VICTIM_LOG_SHARE_CODE, "
            "or type it in a terminal."
        )
    return getpass.getpass("One-time code (as it was read to you): ")


def cmd_share(args: argparse.Namespace) -> int:
    if not args.out:
        raise UsageError(
            "say where to write the case file (--out FILE), or 'share open FILE' / 'share merge FILE'"
        )
    from ..handover import share_case

    with open_vault(args) as vault:
        shared = share_case(vault, Path(args.out), private_notes=args.include_private)
    if args.json:
        doc = {
            "file": str(shared.path),
            "code": shared.code,
            "incidents": shared.incidents,
            "evidence": shared.evidence,
        }
        assert tuple(doc) == SHARE_FIELDS
        print_json(doc)
        return EXIT_OK
    print(
        f"Wrote the case file {one_line(str(shared.path))}: "
        f"{plural(shared.incidents, 'entry', 'entries')}, {plural(shared.evidence, 'evidence file')}, "
        "every earlier version, the people and the orders, encrypted"
        + ("." if args.include_private else " (not your private notes: --include-private adds them).")
    )
    print()
    print("ONE-TIME CODE (shown only this once and kept nowhere; read it out to the support worker):")
    print()
    print(f"    {shared.code}")
    print()
    print(
        "Send the file any way you like; give the code another way (by phone or in person), "
        "never with the file. Anyone with both can read the whole case."
    )
    return EXIT_OK


def _report_json(path: str, report: MergeReport) -> dict[str, Any]:
    doc = {
        "file": path,
        "added": dict(report.added),
        "versions": report.versions,
        "conflicts": list(report.conflicts),
        "deletions": list(report.deletions),
        "nothing_new": report.nothing_new,
        # This vault's ids of the entries the file deletes: for a script to offer
        # `delete ID --reason ...`, which is never done for it.
        "to_delete": list(report.to_delete),
    }
    assert tuple(doc) == MERGE_FIELDS
    return doc


def cmd_share_merge(args: argparse.Namespace) -> int:
    from ..handover import merge_case

    with open_vault(args) as vault:
        code = _code(args)
        report = merge_case(vault, Path(args.file), code)
    if args.json:
        print_json(_report_json(args.file, report))
    else:
        for line in report.lines():
            print(line)
    return EXIT_OK


def cmd_share_open(args: argparse.Namespace) -> int:
    from .. import caselist
    from ..handover import open_case
    from ..support import support_author

    target = vault_dir(args)
    worker = support_author(args.worker, args.org)
    code = _code(args)
    secret = passphrase(args, confirm=True)  # the NEW vault's passphrase
    label = caselist.clean_label(args.label) if args.label else None  # refused before any work
    vault, recovery, report = open_case(Path(args.file), code, target, secret, worker=worker)
    vault.lock()
    if label:
        try:
            caselist.add_existing(label, target)
        except BadInput as exc:
            warn(f"the new vault was made, but not added to the app's list: {exc.message}")
    print(f"Opened the shared case into a new vault in {one_line(str(target))}.")
    for line in report.lines():
        print(line)
    print()
    print("The new vault's RECOVERY KEY (shown only this once; keep it safe, away from the case file):")
    print()
    print(f"    {recovery}")
    print()
    print(
        "Work in it with --vault as usual. To hand your additions back: "
        "'victim-log share --out FILE' from this vault, and give them the new code."
    )
    return EXIT_OK
