"""``victim-log case-info``: the name and title an export shows (#20, the key facts page).

An officer must see whose log this is, not "Victim Log export": the owner's name and
the log's title are settings of the vault, shown and changed here (and in the app's
Settings). Only these two values are printed.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import EXIT_OK
from ..errors import BadInput
from .output import one_line
from .output import print_json
from .session import open_vault

OWNER_SETTING = "owner_name"
TITLE_SETTING = "case_title"
MAX_LEN = 200

#: ``case-info --json``.
CASE_INFO_FIELDS: tuple[str, ...] = ("owner", "title")


def add_case_info_command(command: Any) -> None:
    """Register ``case-info`` (called from cli/parser.py)."""
    p = command("case-info", cmd_case_info, "show or set your name and the log's title, as exports show them")
    p.add_argument("--owner", metavar="NAME", help="your name, e.g. 'Sam Morgan' (empty: not shown)")
    p.add_argument("--title", metavar="TEXT", help="the title of your log, e.g. 'Log of Sam Morgan'")
    p.add_argument("--json", action="store_true")


def _checked(value: str, what: str) -> str:
    text = " ".join(value.split())
    if len(text) > MAX_LEN:
        raise BadInput(f"{what} is too long (at most {MAX_LEN} characters).")
    return text


def cmd_case_info(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        if args.owner is not None:
            vault.set_setting(OWNER_SETTING, _checked(args.owner, "The name"))
        if args.title is not None:
            vault.set_setting(TITLE_SETTING, _checked(args.title, "The title"))
        owner = vault.get_setting(OWNER_SETTING, "")
        title = vault.get_setting(TITLE_SETTING, "")
    if args.json:
        print_json({"owner": owner, "title": title})
    else:
        print(f"Your name: {one_line(owner) if owner else '(not given)'}")
        print(
            f"Title of your log: {one_line(title) if title else '(not given: exports say Victim Log export)'}"
        )
    return EXIT_OK
