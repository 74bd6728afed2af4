"""Commands for protection orders: add, list, show, serve, vary, edit.

An order changes after it is recorded: it is served, varied, made final after an
interim order, or a date was typed wrong. Each change is a new version with a reason
(``Vault.update_order``), never an overwrite: the defence may ask what the log said
about the order on the day a breach was recorded. Dates are checked before the
passphrase is asked for (``2024-13-45`` or ``next year`` is a usage error, exit 2).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from typing import Any

from ..errors import EXIT_OK
from ..errors import BadInput
from .argtypes import clean_text
from .argtypes import id_arg
from .groups import action_group
from .json_contract import order_json
from .output import one_line
from .output import print_json
from .output import print_rows
from .session import open_vault

MAX_CONDITION = 20_000  # an order's condition is a paragraph, never a book


def order_date(text: str) -> str:
    """An order's date as typed (``2026-03-04``), or a one-line usage error."""
    from ..model import _order_date

    try:
        return _order_date(text, "date")
    except BadInput as exc:
        raise argparse.ArgumentTypeError(one_line(exc.message)) from None


def _conditions(values: list[str] | None) -> tuple[str, ...]:
    conditions = tuple(clean_text(c) for c in values or ())
    if any(len(c) > MAX_CONDITION for c in conditions):
        raise BadInput(f"A condition is too long (the most is {MAX_CONDITION} characters).")
    return conditions


def _text(value: str | None) -> str:
    return clean_text(value or "").strip()


def note_in_force(vault: Any, data: Any) -> None:
    """On stderr, when an entry just saved is a breach dated outside its order's term
    (or before it was served): the export will set it apart, so say so now (#16.3)."""
    from .. import casetime
    from ..breaches import check_breach

    check = check_breach(data, vault.list_orders(), zone=casetime.zone_of_vault(vault))
    if check is not None and check.flagged:
        print(f"Note: {check.text()}", file=sys.stderr)


def cmd_order_add(args: argparse.Namespace) -> int:
    from ..model import OrderData

    data = OrderData(
        order_type=clean_text(args.type),
        made_on=args.made_on or "",
        expires_on=args.expires_on or "",
        court=_text(args.court),
        reference=_text(args.reference),
        conditions=_conditions(args.condition),
        served_on=args.served_on or "",
        served_how=_text(args.served_how),
        served_by=_text(args.served_by),
        interim=args.interim,
        without_notice=bool(args.without_notice),
    ).validated()  # before the passphrase is asked for
    if (args.served_how or args.served_by) and not data.served_on:
        raise BadInput("Please give the date it was served (--served-on) with how and by whom.")
    with open_vault(args) as vault:
        person_id = vault.person_by_name(clean_text(args.person)) if args.person else None
        oid = vault.add_order(dataclasses.replace(data, person_id=person_id))
    print(oid)
    return EXIT_OK


def _served_text(d: dict[str, Any]) -> str:
    if not d["served_on"]:
        return "service not recorded" + (" (made without notice)" if d["without_notice"] else "")
    parts = [f"served {d['served_on']}"]
    if d["served_how"]:
        parts.append(one_line(d["served_how"]))
    if d["served_by"]:
        parts.append(f"by {one_line(d['served_by'])}")
    return " ".join(parts) + (" (made without notice)" if d["without_notice"] else "")


def _print_order(d: dict[str, Any]) -> None:
    stage = {True: "interim", False: "full"}.get(d["interim"], "")
    print(
        f"{d['id']:>4}  {one_line(d['order_type'])} {one_line(d['reference'])}"
        + (f" ({stage})" if stage else "")
        + f"  made {d['made_on'] or '?'}, expires {d['expires_on'] or 'until further order'}"
    )
    print(f"        {_served_text(d)}")
    for v in d["variations"]:
        end = f" (now ends {v['expires_on']})" if v["expires_on"] else ""
        print(f"        varied {v['on']}: {one_line(v['what'])}{end}")
    for n, condition in enumerate(d["conditions"], start=1):
        print(f"        {n}. {one_line(condition)}")


def cmd_order_list(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        docs = [order_json(o) for o in vault.list_orders()]
    print_rows(docs, args.json, _print_order)
    return EXIT_OK


def cmd_order_show(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        history = vault.order_history(args.id)
    doc = order_json(history[-1], history)
    if args.json:
        print_json(doc)
        return EXIT_OK
    _print_order(doc)
    print("        versions:")
    for h in doc["history"]:
        print(f"        {h['version']:>3}  {h['recorded_at']}  {one_line(h['reason'])}")
    return EXIT_OK


def _change(args: argparse.Namespace, default_reason: str, change: Callable[[Any], Any]) -> int:
    """Write a new version of order ``args.id``: ``change`` maps the stored OrderData to
    the new one (validated here, before the passphrase, where it can be)."""
    reason = _text(getattr(args, "reason", None)) or default_reason
    with open_vault(args) as vault:
        current = vault.get_order(args.id)
        updated = vault.update_order(args.id, change(current.data), reason)
    print(f"Order {updated.id} is now version {updated.version}.")
    return EXIT_OK


def cmd_order_serve(args: argparse.Namespace) -> int:
    def change(d: Any) -> Any:
        return dataclasses.replace(d, served_on=args.on, served_how=_text(args.how), served_by=_text(args.by))

    return _change(args, "service recorded", change)


def cmd_order_vary(args: argparse.Namespace) -> int:
    from ..model import OrderVariation

    what = _text(args.what)
    if not what:
        raise BadInput("Please say what the variation changed (--what).")
    variation = OrderVariation(on=args.on, what=what, expires_on=args.expires_on or "")

    def change(d: Any) -> Any:
        expires = d.expires_on
        if args.until_further_order:
            expires = ""
        elif args.expires_on:
            expires = args.expires_on
        return dataclasses.replace(d, variations=(*d.variations, variation), expires_on=expires)

    return _change(args, f"varied on {args.on}", change)


def cmd_order_edit(args: argparse.Namespace) -> int:
    if not _text(args.reason):
        raise BadInput("Please give a short reason for the change (--reason).")

    def change(d: Any) -> Any:
        new: dict[str, Any] = {}
        for field in ("made_on", "expires_on", "served_on"):
            if getattr(args, field) is not None:
                new[field] = getattr(args, field)
        for field in ("court", "reference", "served_how", "served_by"):
            if getattr(args, field) is not None:
                new[field] = _text(getattr(args, field))
        if args.type is not None:
            new["order_type"] = clean_text(args.type)
        if args.until_further_order:
            new["expires_on"] = ""
        if args.interim is not None:
            new["interim"] = args.interim
        if args.without_notice is not None:
            new["without_notice"] = args.without_notice
        if args.condition:
            new["conditions"] = _conditions(args.condition)
        return dataclasses.replace(d, **new)

    return _change(args, "", change)


# ---------------------------------------------------------------------------- parser


def _service_args(p: argparse.ArgumentParser, prefix: str) -> None:
    p.add_argument(f"--{prefix}on", metavar="DATE", type=order_date, help="the date it was served")
    p.add_argument(
        f"--{prefix}how", metavar="TEXT", help="how it was served, e.g. 'in person', 'by a police officer'"
    )
    p.add_argument(f"--{prefix}by", metavar="WHO", help="who served it, e.g. 'PC Jones 1234'")


def _stage_args(p: argparse.ArgumentParser, *, edit: bool) -> None:
    stage = p.add_mutually_exclusive_group()
    stage.add_argument("--interim", dest="interim", action="store_const", const=True, help="an interim order")
    stage.add_argument("--full", dest="interim", action="store_const", const=False, help="a full order")
    notice = p.add_mutually_exclusive_group()
    notice.add_argument(
        "--without-notice",
        dest="without_notice",
        action="store_const",
        const=True,
        help="made without notice to the respondent (he or she was not told of the hearing)",
    )
    if edit:
        notice.add_argument(
            "--on-notice", dest="without_notice", action="store_const", const=False, help="made on notice"
        )


def add_order_commands(sub: Any) -> None:
    """``victim-log order ...``: registered by cli/parser.py."""
    order = action_group(sub, "order", "record a protection order, its service and variations")

    p = order(
        "add", cmd_order_add, "record an order (SPO, non-molestation, restraining, DAPO)", describe=False
    )
    p.add_argument("--type", required=True, metavar="TEXT", help="e.g. 'Stalking Protection Order'")
    p.add_argument("--made-on", metavar="DATE", type=order_date)
    p.add_argument("--expires-on", metavar="DATE", type=order_date, help="leave out: until further order")
    p.add_argument("--court", metavar="TEXT")
    p.add_argument("--reference", metavar="REF")
    p.add_argument("--condition", metavar="TEXT", action="append", help="repeat for each condition")
    p.add_argument("--person", metavar="NAME", help="who the order is against")
    _service_args(p, "served-")
    _stage_args(p, edit=False)

    p = order("list", cmd_order_list, "list orders, their service, variations and conditions", describe=False)
    p.add_argument("--json", action="store_true")

    p = order("show", cmd_order_show, "one order with every version of it", describe=False)
    p.add_argument("id", metavar="ID", type=id_arg)
    p.add_argument("--json", action="store_true")

    p = order("serve", cmd_order_serve, "record when, how and by whom the order was served", describe=False)
    p.add_argument("id", metavar="ID", type=id_arg)
    p.add_argument("--on", required=True, metavar="DATE", type=order_date, help="the date it was served")
    p.add_argument("--how", metavar="TEXT", help="e.g. 'in person', 'by a police officer', 'by post'")
    p.add_argument("--by", metavar="WHO", help="who served it")
    p.add_argument("--reason", metavar="TEXT", help="why this version (default 'service recorded')")

    p = order("vary", cmd_order_vary, "record a variation of the order by the court", describe=False)
    p.add_argument("id", metavar="ID", type=id_arg)
    p.add_argument("--on", required=True, metavar="DATE", type=order_date, help="the date it was varied")
    p.add_argument("--what", required=True, metavar="TEXT", help="what the variation changed")
    end = p.add_mutually_exclusive_group()
    end.add_argument("--expires-on", metavar="DATE", type=order_date, help="the new end date, if it changed")
    end.add_argument("--until-further-order", action="store_true", help="it now lasts until further order")
    p.add_argument("--reason", metavar="TEXT", help="why this version (default 'varied on DATE')")

    p = order(
        "edit", cmd_order_edit, "correct an order's details (a new version, with a reason)", describe=False
    )
    p.add_argument("id", metavar="ID", type=id_arg)
    p.add_argument("--reason", required=True, metavar="TEXT", help="why, e.g. 'date typed wrong'")
    p.add_argument("--type", metavar="TEXT")
    p.add_argument("--made-on", metavar="DATE", type=order_date)
    end = p.add_mutually_exclusive_group()
    end.add_argument("--expires-on", metavar="DATE", type=order_date)
    end.add_argument("--until-further-order", action="store_true")
    p.add_argument("--court", metavar="TEXT")
    p.add_argument("--reference", metavar="REF")
    p.add_argument(
        "--condition", metavar="TEXT", action="append", help="replaces every condition; repeat for each"
    )
    _service_args(p, "served-")
    _stage_args(p, edit=True)
