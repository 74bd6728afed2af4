"""Commands for diary entries: add, edit, delete, list, search, show."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from .. import casetime
from .. import references
from ..breaches import breached_condition
from ..breaches import find_order
from ..breaches import with_breach_kind
from ..errors import EXIT_OK
from ..errors import BadInput
from ..errors import UsageError
from ..fields import INCIDENT_FIELDS
from ..fields import Field
from ..fields import labels
from ..imported import author_label as imported_author_label
from ..model import DEFAULT_NAMED_ROLE
from ..model import EFFECTS
from ..model import KINDS
from ..model import IncidentData
from ..textsafe import display_safe
from ..textsafe import plural
from .argtypes import kinds
from .evidence import provenance_from_args
from .json_contract import Lookups
from .json_contract import incident_json
from .orders import note_in_force
from .output import one_line
from .output import print_json
from .session import open_vault

if TYPE_CHECKING:
    from ..vault import IncidentSummary
    from ..vault import Vault


def _data_from_args(
    vault: Vault, args: argparse.Namespace, base: IncidentData | None, *, names_later: bool = False
) -> IncidentData:
    """The entry the options describe (on top of ``base`` for an edit).

    With ``names_later``, ``--person`` names are left for the caller to resolve in
    the transaction that saves the entry (``add_incident(people_names=...)``).
    """
    d = base.to_dict() if base else IncidentData(summary="").to_dict()
    if args.when and (args.start or args.end):
        raise UsageError("Use either --when or --from/--to, not both.")
    if args.end and not args.start and not (base and base.occurred_start):
        raise UsageError("--to needs --from: say when it started as well as when it ended.")
    if args.when:
        d["occurred_start"], d["occurred_end"] = args.when, ""
    if args.start:
        d["occurred_start"] = args.start
    if args.end:
        d["occurred_end"] = args.end
    simple = {
        "summary": "summary",
        "where": "location",
        "details": "details",
        "witnesses": "witnesses",
        "effect": "effect_text",
        "did": "actions",
        "private_note": "private_note",
        "precision": "precision",
        "author": "author",
    }
    for arg, key in simple.items():
        value = getattr(args, arg, None)
        if value is not None:
            d[key] = value
    if args.kind:
        d["kinds"] = list(kinds(args.kind))
    if args.effects:
        d["effects"] = list(kinds(args.effects))
    if args.complete_later is not None:
        d["complete_later"] = args.complete_later
    if args.order is not None:
        order = find_order(vault.list_orders(), args.order)
        if order is None:
            raise BadInput(f"There is no order {args.order}; see 'victim-log order list'.")
        d["order_id"] = order.id
        d["order_condition"] = breached_condition(order, args.condition or "")
        d["kinds"] = with_breach_kind(d["kinds"])
    police = dict(d.get("police") or {})
    for arg, key in (
        ("police_ref", "reference"),
        ("officer", "officer"),
        ("collar", "collar_number"),
        ("reported_on", "reported_on"),
    ):
        value = getattr(args, arg, None)
        if value is not None:
            police[key] = value
    d["police"] = police
    if args.person and not names_later:
        people = list(d.get("people") or [])
        for name in args.person:
            pid = vault.person_by_name(name, getattr(args, "person_role", None) or DEFAULT_NAMED_ROLE)
            if pid not in people:
                people.append(pid)
        d["people"] = people
    if base is None and not d.get("occurred_start"):
        from ..vault import now_iso

        d["occurred_start"] = now_iso()
    return IncidentData.from_dict(d)


def cmd_add(args: argparse.Namespace) -> int:
    if not args.kind:
        raise UsageError("--kind is required (for example --kind message or --kind phone_call).")
    from ..evidence import open_regular_file

    files = [Path(f) for f in args.attach or []]
    for f in files:  # before the passphrase: a wrong name is the commonest mistake
        fh, _ = open_regular_file(f)
        fh.close()
    if provenance_from_args(args, resolve=False) and not files:  # how the files were obtained
        raise UsageError("--how, --captured-by and the other file options describe --attach files.")
    with open_vault(args) as vault:
        provenance = provenance_from_args(args)  # a capture time is on the case's clock
        data = _data_from_args(vault, args, None, names_later=True).validated()
        # One transaction: the entry, its files and any new person, or none of them.
        # A new person is "named" (neither perpetrator nor third party) unless --person-role.
        incident_id = vault.add_incident(
            data,
            files=files,
            people_names=args.person or (),
            people_role=args.person_role or DEFAULT_NAMED_ROLE,
            provenance=provenance,
        )
        note_in_force(vault, data)  # a breach outside its order's term says so (#16.3)
    print(incident_id)
    return EXIT_OK


def cmd_edit(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        current = vault.get_incident(args.id)
        data = _data_from_args(vault, args, current.data)
        v = vault.edit_incident(args.id, data, args.reason)
        print(f"Incident {args.id} is now at version {v.version}.")
        note_in_force(vault, v.data)
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        vault.delete_incident(args.id, args.reason)
        print(f"Incident {args.id} was deleted (its history is kept).")
    return EXIT_OK


JSON_PAGE = 500  # incidents whose exhibits are read in one query


def print_incidents(vault: Vault, rows: list[IncidentSummary], as_json: bool) -> None:
    if as_json:
        _print_json_list(vault, [r.id for r in rows])
        return
    for r in rows:
        print(summary_line(r))
    print(count_line(rows), file=sys.stderr)


def count_line(rows: list[IncidentSummary]) -> str:
    """'15 incidents', with the victim's own replies kept as context counted apart:
    they are shown in the timeline but are not incidents (#16.5)."""
    context = sum(r.context for r in rows)
    text = plural(len(rows) - context, "incident")
    if context:
        text += f" and {plural(context, 'reply', 'replies')} of yours kept as context"
    return text


def _print_json_list(vault: Vault, ids: list[int]) -> None:
    """The same JSON array as ``print_json([incident_json(...)...])``, written a page
    at a time: exhibits for a page in one query, memory bounded at any size."""
    out = sys.stdout
    if not ids:
        print_json([])
        return
    lookups = Lookups(vault)
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "")
    # One incident a line: json's C encoder (indenting takes its slow pure-Python path,
    # half the time of a 100,000-incident list); the same JSON to any reader.
    encode = _line_encoder(ensure_ascii=encoding not in ("utf8", "utf16", "utf32"))
    out.write("[\n")
    records = vault.incident_records(ids)  # bodies as text: parsed a page at a time
    for start in range(0, len(ids), JSON_PAGE):
        chunk = ids[start : start + JSON_PAGE]
        page = [(i, _parsed(i, records.pop(i))) for i in chunk]
        lookups.load_evidence(int(e) for _i, r in page for e in r[5].get("evidence", ()))
        out.write(",\n".join(encode(_record_json(i, r, lookups)) for i, r in page))
        out.write(",\n" if start + JSON_PAGE < len(ids) else "\n")
    out.write("]\n")


def _line_encoder(*, ensure_ascii: bool) -> Callable[[object], str]:
    """``json.JSONEncoder(ensure_ascii=...).encode``, with the C encoder it makes on
    every call made once (a fifth of the encoding time of a long list). The same
    encoder with the same settings, so the same text; no check for circular
    references, which a document built from stored JSON cannot have."""
    from json import encoder as std

    make = getattr(std, "c_make_encoder", None)
    plain = json.JSONEncoder(ensure_ascii=ensure_ascii)
    if make is None:  # a Python without json's C speed-ups
        return plain.encode
    one = make(
        None,
        plain.default,
        std.encode_basestring_ascii if ensure_ascii else std.encode_basestring,
        None,
        plain.key_separator,
        plain.item_separator,
        plain.sort_keys,
        plain.skipkeys,
        plain.allow_nan,
    )
    return lambda doc: "".join(one(doc, 0))


def _parsed(
    incident_id: int, record: tuple[str, int, str, str, bool, str]
) -> tuple[str, int, str, str, bool, dict[str, Any]]:
    try:
        body = json.loads(record[5])
    except ValueError:
        from ..errors import VaultCorrupt

        raise VaultCorrupt(f"The stored incident {incident_id} is damaged. Run 'victim-log check'.") from None
    return (*record[:5], body)


_DATA_DEFAULTS: dict[str, Any] = {}


def _record_json(
    incident_id: int, record: tuple[str, int, str, str, bool, dict[str, Any]], look: Lookups
) -> dict[str, Any]:
    """:func:`incident_json` straight from a stored body (the same fields and values),
    without building an ``IncidentData`` per row: a fifth of a long list's time."""
    first_at, version, at, reason, deleted, body = record
    if not _DATA_DEFAULTS:
        _DATA_DEFAULTS.update(IncidentData(summary="").to_dict())
    try:
        d = body["data"]
        if len(d) != len(_DATA_DEFAULTS):  # an older record: fill in the newer fields
            d = {**_DATA_DEFAULTS, **{k: v for k, v in d.items() if k in _DATA_DEFAULTS}}
        police = d["police"]
        if len(police) != 4:
            d["police"] = {k: str(police.get(k, "")) for k in _DATA_DEFAULTS["police"]}
        d["evidence"] = [look.exhibit(int(e)) for e in body.get("evidence", ())]
        d["people"] = [look.person(int(p)) for p in d["people"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        from ..errors import VaultCorrupt

        raise VaultCorrupt(f"The stored incident {incident_id} is damaged. Run 'victim-log check'.") from None
    d.update(zip(_RECORD_KEYS, (incident_id, version, first_at, at, reason, deleted), strict=True))
    start, end = d["occurred_start"], d["occurred_end"]  # on the case's clock (#16.4)
    d["occurred_start_local"] = look.local_time(start)
    d["occurred_end_local"] = look.local_time(end)
    d["time_zone"] = look.time_zone
    return d  # type: ignore[no-any-return]


#: What the stored record (not its body) gives an incident's JSON, in its order.
_RECORD_KEYS = ("id", "version", "recorded_at", "version_recorded_at", "reason", "deleted")


def cmd_list(args: argparse.Namespace) -> int:
    from ..vault import IncidentFilter

    flt = IncidentFilter(
        start=args.start or "",
        end=args.end or "",
        kinds=kinds(args.kind),
        include_deleted=args.include_deleted,
    )
    with open_vault(args) as vault:
        if args.json:  # the ids from the index alone, as each body is read anyway (#23.7)
            from ..store.index import list_ids

            ids = list_ids(vault.conn, flt, limit=args.limit, oldest_first=args.oldest_first)
            _print_json_list(vault, ids)
        else:
            rows = vault.list_incidents(flt, limit=args.limit, oldest_first=args.oldest_first)
            print_incidents(vault, rows, False)
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        print_incidents(vault, vault.search(args.query, limit=args.limit), args.json)
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        doc = incident_json(vault, args.id, history=args.history)
        if args.json:
            print_json(doc)
            return EXIT_OK
        docs = doc.get("history", [doc])
        refs = {e: r.text for e, r in references.known(vault, _cited(docs)).items()}
        for i, v in enumerate(docs):
            if i:
                print("-" * 60)
            _print_incident(_with_references(v, refs))
            if i:
                print(f"  {'Changed:':<12} {change_text(docs[i - 1], v)}")
    return EXIT_OK


def change_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What a version changed, account apart from files (attaching one is not a change
    to the account), with the labels :mod:`victim_log.fields` declares."""
    names = [f.name for f in INCIDENT_FIELDS if before.get(f.name) != after.get(f.name)]
    parts = []
    if names:
        parts.append("the account (" + ", ".join(labels(names)) + ")")
    files_before = [e["id"] for e in before.get("evidence", ())]
    files_after = [e["id"] for e in after.get("evidence", ())]
    if files_before != files_after:
        parts.append("the files attached" + ("" if names else ", not the account"))
    if after.get("deleted") and not before.get("deleted"):
        parts.append("deleted")
    return "; ".join(parts) or "nothing"


def _cited(docs: list[dict[str, Any]]) -> set[int]:
    """Evidence ids the shown versions cite (attached, or named in their source)."""
    ids = {int(e["id"]) for d in docs for e in d.get("evidence", ())}
    return ids | {e for d in docs for e in references.cited_evidence_ids(str(d.get("source", "")))}


def _with_references(d: dict[str, Any], refs: dict[int, str]) -> dict[str, Any]:
    """The exhibit reference beside the evidence id the CLI's commands take (#16.2):
    "SM/4 (evidence 9), line 10"; a file no export has cited yet keeps "evidence 9"."""
    names = {e: f"{r} (evidence {e})" for e, r in refs.items()}
    for eid in references.cited_evidence_ids(str(d.get("source", ""))):
        names.setdefault(eid, f"evidence {eid}")
    evidence = [{**e, "reference": refs.get(int(e["id"]), "")} for e in d.get("evidence", ())]
    return {**d, "source": references.cite_source(str(d.get("source", "")), names), "evidence": evidence}


def _print_incident(d: dict[str, Any]) -> None:
    label = f"Incident {d['id']}, version {d['version']}"
    if d["deleted"]:
        label += " (DELETED)"
    print(label)
    from ..export.case import format_datetime
    from ..export.case import when_text

    # Every time on the case's clock, naming its zone (#16.4), then the data form.
    data = d.get("occurred_start_local") or d["occurred_start"]
    if d.get("occurred_end"):
        data += " to " + (d.get("occurred_end_local") or d["occurred_end"])
    print(
        f"  When:        {when_text(d['occurred_start'], d['occurred_end'], d['precision'])}"
        + (f" ({data}, {d['precision']})" if data else f" ({d['precision']})")
    )
    print(
        f"  Recorded:    {format_datetime(d['recorded_at'])}"
        + (
            f"; this version {format_datetime(d['version_recorded_at'])} ({display_safe(d['reason'])})"
            if d["version"] > 1
            else ""
        )
    )
    for label, text in field_rows(d):
        print(f"  {label + ':':<12} {text}")
    for e in d["evidence"]:
        print(
            f"  Evidence {e['id']}{', ' + e['reference'] if e.get('reference') else ''}: "
            f"{one_line(e['filename'])} ({e['size']} bytes, "
            f"{e['media_type']}) sha256 {e['sha256']}" + (" REMOVED" if e["removed"] else "")
        )


def _value_text(field: Field, d: dict[str, Any]) -> str:
    """One field of a ``show --json`` incident as the person reads it (display-safe)."""
    value = d.get(field.name)
    if field.kind in ("time", "choice"):  # in the When line
        return ""
    if field.kind == "choices":
        names = KINDS if field.name == "kinds" else EFFECTS
        return ", ".join(names.get(v, v) for v in value or ())
    if field.kind == "people":
        return ", ".join(f"{one_line(p['name'])} ({p['role']})" for p in value or ())
    if field.kind == "police":
        police = value or {}
        if not any(police.values()):
            return ""
        return (
            f"ref {police['reference']} officer {police['officer']} "
            f"collar {police['collar_number']} reported {police['reported_on']}"
        )
    if field.kind == "flag":
        return "yes" if value else ""
    if field.kind == "order":
        return f"order {value}" if value is not None else ""
    if field.kind == "author":
        if not value or value == "victim":
            return ""
        return imported_author_label(str(value)) or display_safe(str(value))  # #16.5
    return display_safe(str(value)) if value else ""


def field_rows(d: dict[str, Any]) -> list[tuple[str, str]]:
    """``(label, text)`` for every set field of an incident, in the order and with the
    labels :mod:`victim_log.fields` declares (fields sharing a label on one row)."""
    rows: dict[str, list[str]] = {}
    for field in INCIDENT_FIELDS:
        text = _value_text(field, d)
        if text:
            rows.setdefault(field.victim_label, []).append(text)
    return [(label, "; ".join(texts)) for label, texts in rows.items()]


def summary_line(s: IncidentSummary) -> str:
    when = casetime.short_text(s.occurred_start) if s.occurred_start else "time unknown"
    flags = []
    if s.evidence_count:
        flags.append(f"{s.evidence_count} evidence")
    if s.reported:
        flags.append("reported")
    if s.breach:
        flags.append("BREACH")
    if s.complete_later:
        flags.append("to complete")
    if s.deleted:
        flags.append("deleted")
    if s.context:
        flags.append("context: your reply, not an incident")
    tail = f"  [{', '.join(flags)}]" if flags else ""
    return f"{s.id:>6}  {when:<20}  {','.join(s.kinds):<22}  {one_line(s.summary)}{tail}"
