"""Commands for People: list, delete."""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import EXIT_OK
from ..model import PERSON_ROLES
from .json_contract import person_json
from .output import one_line
from .output import print_rows
from .session import open_vault


def cmd_person_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        docs = [person_json(p) for p in vault.list_people()]
    print_rows(docs, args.json, _print_person)
    return EXIT_OK


def _print_person(d: dict[str, Any]) -> None:
    print(f"{d['id']:>4}  {one_line(d['name'])}  ({PERSON_ROLES.get(d['role'], d['role'])})")


def cmd_person_delete(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        vault.delete_person(args.id, args.reason)
    print(f"Person {args.id} was taken out of People (the history keeps them and your reason).")
    return EXIT_OK
