"""The argument parser: every command, option and help text of ``victim-log``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from .. import __version__
from ..errors import UsageError
from ..imported import DEFAULT_GROUP_MINUTES
from ..imported import IMPORT_FORMATS
from ..model import KINDS
from ..model import PERSON_ROLES
from .argtypes import count_arg
from .argtypes import id_arg
from .argtypes import when_arg
from .case_info import add_case_info_command
from .evidence import add_provenance_args
from .evidence import cmd_evidence_add
from .evidence import cmd_evidence_get
from .evidence import cmd_evidence_list
from .evidence import cmd_evidence_remove
from .export import cmd_export
from .groups import action_group
from .groups import add_vault_args as _add_vault_args
from .imports import cmd_import
from .imports import cmd_verify_originals
from .incidents import cmd_add
from .incidents import cmd_delete
from .incidents import cmd_edit
from .incidents import cmd_list
from .incidents import cmd_search
from .incidents import cmd_show
from .orders import add_order_commands
from .people import cmd_person_delete
from .people import cmd_person_list
from .portal import add_portal_commands
from .receive import add_receive_args
from .receive import cmd_receive
from .review import add_review_command
from .sdash import add_sdash_command
from .share import add_share_command
from .statement import cmd_statement
from .stats import add_stats_command
from .vault_admin import cmd_backup
from .vault_admin import cmd_check
from .vault_admin import cmd_demo
from .vault_admin import cmd_gui
from .vault_admin import cmd_init
from .vault_admin import cmd_passwd
from .vault_admin import cmd_recover
from .vault_admin import cmd_restore
from .verify import cmd_verify


class ArgParser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _add_incident_fields(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", metavar="K[,K]", help="kinds: " + ", ".join(KINDS))
    p.add_argument("--summary", metavar="TEXT")
    p.add_argument("--when", metavar="ISO", type=when_arg, help="when it happened, e.g. 2026-03-04T21:15")
    p.add_argument("--from", dest="start", metavar="ISO", type=when_arg, help="start of a time range")
    p.add_argument("--to", dest="end", metavar="ISO", type=when_arg, help="end of a time range")
    p.add_argument("--precision", choices=["exact", "approximate", "day", "unknown_time"])
    p.add_argument("--where", metavar="TEXT")
    p.add_argument("--details", metavar="TEXT", help="exactly what happened and was said")
    p.add_argument(
        "--person",
        metavar="NAME",
        action="append",
        help="person involved (added to People if new); repeat for more",
    )
    p.add_argument(
        "--person-role",
        choices=list(PERSON_ROLES),
        help="role of people --person adds to People (default: named, neither "
        "perpetrator nor third party); people already in People keep theirs",
    )
    p.add_argument("--witnesses", metavar="TEXT")
    p.add_argument("--effect", metavar="TEXT", help="how it affected you")
    p.add_argument("--effects", metavar="E[,E]", help="effect tick-boxes, e.g. changed_routine")
    p.add_argument("--did", metavar="TEXT", help="what you did")
    p.add_argument("--police-ref", metavar="REF")
    p.add_argument("--officer", metavar="NAME")
    p.add_argument("--collar", metavar="NUMBER")
    p.add_argument("--reported-on", metavar="DATE")
    p.add_argument("--private-note", metavar="TEXT", help="never exported unless you ask")
    p.add_argument("--author", metavar="WHO", help="'victim' or 'support:NAME'")
    p.add_argument("--complete-later", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--order", type=id_arg, metavar="ID", help="the order this incident breaches")
    p.add_argument(
        "--condition",
        metavar="N_OR_TEXT",
        help="which condition it breaches (its number in 'order list', or the text)",
    )


def _selection_args(p: argparse.ArgumentParser, out: str) -> None:
    """What ``export`` and ``statement`` both take: the file to write, which entries
    (period, person, ids), the producer's initials and whether private notes go too."""
    p.add_argument("--out", required=True, metavar=out)
    p.add_argument("--from", dest="start", metavar="DATE", type=when_arg)
    p.add_argument("--to", dest="end", metavar="DATE", type=when_arg)
    p.add_argument("--person", metavar="NAME", help="only incidents involving this person")
    p.add_argument("--incidents", metavar="ID[,ID]", help="only these incidents")
    p.add_argument(
        "--initials",
        metavar="SM",
        help="your initials for exhibit references (SM/1...); needed once, then kept in the log",
    )
    p.add_argument(
        "--include-private", action="store_true", help="include private notes (left out otherwise)"
    )


def build_parser() -> ArgParser:
    parser = ArgParser(
        prog="victim-log",
        description="A private, encrypted log of stalking and harassment that you can hand to the police.",
    )
    parser.add_argument("--version", action="version", version=f"victim-log {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgParser)

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help: str, vault: bool = True
    ) -> ArgParser:
        p = sub.add_parser(name, help=help, description=help)
        if vault:
            _add_vault_args(p)
        p.set_defaults(func=func)
        return p

    p: argparse.ArgumentParser = command("gui", cmd_gui, "start the desktop app (the default)")
    p.add_argument("--smoke", action="store_true", help="show the first screen, then exit 0")
    p.add_argument("--open-bundle", metavar="FILE", help="view a received export bundle")

    p = command("init", cmd_init, "create a new vault")
    p.add_argument(
        "--time-zone",
        metavar="ZONE",
        help="the case's time zone, e.g. Europe/London (default: this computer's)",
    )
    p = command("add", cmd_add, "log an incident; prints its id")
    _add_incident_fields(p)
    p.add_argument("--attach", metavar="FILE", action="append", help="attach evidence")
    add_provenance_args(p)

    p = command("edit", cmd_edit, "save a new version of an incident")
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")
    _add_incident_fields(p)

    p = command("delete", cmd_delete, "delete an incident (its history is kept)")
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")

    p = command("list", cmd_list, "list incidents, newest first")
    p.add_argument("--json", action="store_true")
    p.add_argument("--from", dest="start", metavar="DATE", type=when_arg)
    p.add_argument("--to", dest="end", metavar="DATE", type=when_arg)
    p.add_argument("--kind", metavar="K[,K]")
    p.add_argument("--limit", type=count_arg)
    p.add_argument("--oldest-first", action="store_true")
    p.add_argument("--include-deleted", action="store_true")

    p = command("show", cmd_show, "show one incident")
    p.add_argument("id", type=id_arg)
    p.add_argument("--history", action="store_true", help="every version, oldest first")
    p.add_argument("--json", action="store_true")

    p = command("search", cmd_search, "search summaries, details, places and people")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=count_arg, default=100)

    add_stats_command(sub, command)
    add_case_info_command(command)
    add_sdash_command(command)
    add_review_command(command)
    add_share_command(command)

    p = command("check", cmd_check, "verify the journal, every record and every evidence file")
    p.add_argument("--json", action="store_true")

    p = command("passwd", cmd_passwd, "change the passphrase")
    p.add_argument("--new-passphrase-file", metavar="FILE")
    p.add_argument(
        "--rekey",
        action="store_true",
        help="someone may know my passphrase: a new key for everything and a new recovery key",
    )
    p = command("recover", cmd_recover, "set a new passphrase using the recovery key")
    p.add_argument("--recovery-key-file", metavar="FILE")
    p.add_argument("--new-passphrase-file", metavar="FILE")
    command("demo", cmd_demo, "add an invented example case to try the app")

    p = command("export", cmd_export, "export for police: a signed bundle (or pdf/csv/json)")
    _selection_args(p, "FILE.zip")
    p.add_argument(
        "--include-sdash",
        action="store_true",
        help="include your S-DASH answers (see 'sdash') on the key facts page",
    )
    p.add_argument("--redact", metavar="WHAT", help="locations,third-parties")
    p.add_argument(
        "--unredacted-copy",
        metavar="FILE",
        help="with --redact: also write the unredacted export the redacted one names by hash",
    )
    p.add_argument("--format", choices=["bundle", "pdf", "csv", "json", "support-csv"], default="bundle")
    p.add_argument(
        "--portal",
        metavar="DIR",
        help="also write upload-link batches (numbered folders, captions.txt) into this new folder",
    )
    p.add_argument(
        "--batch-size", type=int, metavar="N", help="with --portal: at most N files a batch (default 16)"
    )
    p.add_argument("--json", action="store_true")
    p = command("statement", cmd_statement, "write a DRAFT for a witness statement (.docx or .odt)")
    _selection_args(p, "FILE.docx|FILE.odt")
    p.add_argument(
        "--country",
        metavar="GB|US",
        help="the case's country, kept in the log: GB (default) a witness statement; US a declaration "
        "with an FRE 902(13)/(14) certification template",
    )
    p.add_argument("--json", action="store_true")
    p = command("verify", cmd_verify, "check a received bundle (no vault needed)", vault=False)
    p.add_argument("bundle", metavar="BUNDLE.zip")
    p.add_argument(
        "newer",
        nargs="?",
        metavar="NEWER.zip",
        help="with two bundles: does the newer one's history extend the first's?",
    )
    p.add_argument(
        "--since", metavar="OLDER.zip", help="an earlier export: check that this bundle's history extends it"
    )
    p.add_argument(
        "--expect-key",
        metavar="FINGERPRINT",
        help="the signing key the sender read to you (SHA256:... or read-out form)",
    )
    p.add_argument("--json", action="store_true")

    p = command("import", cmd_import, "import chats, SMS and calls, emails or photos you already have")
    p.add_argument("source", metavar="SOURCE")
    p.add_argument(
        "--format",
        required=True,
        choices=IMPORT_FORMATS,
    )
    p.add_argument(
        "--sender",
        metavar="NAME_OR_NUMBER",
        action="append",
        help="the person harassing you (repeat for their other names or numbers)",
    )
    p.add_argument(
        "--group-minutes",
        type=count_arg,
        default=DEFAULT_GROUP_MINUTES,
        metavar="N",
        help=f"messages N minutes apart make one incident (default {DEFAULT_GROUP_MINUTES}; 0: one each)",
    )
    p.add_argument(
        "--no-context",
        action="store_true",
        help="do not keep your own replies asking them to stop (kept as context by default)",
    )
    p.add_argument(
        "--skip-duplicates",
        action="store_true",
        help="leave out messages that look like entries you typed (listed, never dropped silently)",
    )
    p.add_argument("--date-order", choices=["dmy", "mdy"], help="if the chat's dates are ambiguous")
    p.add_argument("--me", metavar="NAME", help="your own name as it appears in the export")
    p.add_argument("--make-incidents", action="store_true", help="photos: one incident per photo")
    p.add_argument("--dry-run", action="store_true", help="show what would be created")
    p.add_argument("--json", action="store_true")

    p = command("receive", cmd_receive, "receive files from a phone with Tella's Nearby Sharing")
    add_receive_args(p)

    p = command("backup", cmd_backup, "write an encrypted backup of the whole vault")
    p.add_argument("--out", required=True, metavar="FILE")
    p = command("restore", cmd_restore, "restore a backup into --vault DIR (or the default place)")
    p.add_argument("file", metavar="BACKUP")
    p.add_argument("--recovery-key-file", metavar="FILE", help="use the recovery key instead")

    add_order_commands(sub)
    add_portal_commands(sub)

    person = action_group(sub, "person", "list the people in your diary, or take one out")
    p = person(
        "list",
        cmd_person_list,
        "list people (the perpetrator, others acting for them, witnesses)",
        describe=False,
    )
    p.add_argument("--json", action="store_true")
    p = person(
        "delete",
        cmd_person_delete,
        "take someone out of People, with a reason (refused while "
        "an entry or order names them; the history keeps them)",
        describe=False,
    )
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")

    evcommand = action_group(sub, "evidence", "add, list, save or remove evidence files")
    p = evcommand("add", cmd_evidence_add, "store a file as evidence")
    p.add_argument("file")
    p.add_argument("--incident", type=id_arg, metavar="ID")
    p.add_argument(
        "--added-by",
        metavar="WHO",
        help="'victim' or 'support:NAME' (default: the author of --incident, else victim)",
    )
    add_provenance_args(p)
    p.add_argument("--json", action="store_true")
    p = evcommand("list", cmd_evidence_list, "list evidence")
    p.add_argument("--json", action="store_true")
    p.add_argument("--include-removed", action="store_true")
    p = evcommand("get", cmd_evidence_get, "save a verified copy of the original")
    p.add_argument("id", type=id_arg)
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p = evcommand("remove", cmd_evidence_remove, "remove evidence (recorded, with a reason)")
    p.add_argument("id", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--permanent", action="store_true", help="destroy it for ever (erases its key)")
    p = evcommand(
        "verify-originals",
        cmd_verify_originals,
        "which files in a phone folder are safely stored (read back and hash-checked)",
    )
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--recursive", action="store_true", help="look in sub-folders too")
    p.add_argument("--json", action="store_true")

    return parser
