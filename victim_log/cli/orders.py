"""Commands for protection orders: add, list."""

from __future__ import annotations

import argparse
import dataclasses

from ..errors import EXIT_OK, BadInput
from .argtypes import clean_text
from .json_contract import order_json
from .output import one_line, print_json
from .session import open_vault

MAX_CONDITION = 20_000  # an order's condition is a paragraph, never a book


def cmd_order_add(args: argparse.Namespace) -> int:
    from ..model import OrderData

    if args.made_on and args.expires_on and args.expires_on < args.made_on:
        raise BadInput("The order expires before it was made: please check the two dates.")
    conditions = tuple(clean_text(c) for c in args.condition or ())
    if any(len(c) > MAX_CONDITION for c in conditions):
        raise BadInput(f"A condition is too long (the most is {MAX_CONDITION} characters).")
    data = OrderData(
        order_type=clean_text(args.type),
        made_on=args.made_on or "",
        expires_on=args.expires_on or "",
        court=clean_text(args.court or ""),
        reference=clean_text(args.reference or ""),
        conditions=conditions,
    )
    data.validated()  # before the passphrase is asked for
    with open_vault(args) as vault:
        person_id = vault.person_by_name(clean_text(args.person)) if args.person else None
        oid = vault.add_order(dataclasses.replace(data, person_id=person_id))
    print(oid)
    return EXIT_OK


def cmd_order_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        orders = vault.list_orders()
        docs = [order_json(o) for o in orders]
    if args.json:
        print_json(docs)
    else:
        for d in docs:
            print(
                f"{d['id']:>4}  {one_line(d['order_type'])} {one_line(d['reference'])}  "
                f"made {d['made_on'] or '?'}, expires {d['expires_on'] or 'until further order'}"
            )
            for n, condition in enumerate(d["conditions"], start=1):
                print(f"        {n}. {one_line(condition)}")
    return EXIT_OK
