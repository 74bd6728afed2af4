"""What an export bundle holds, read for people to look at: its timeline and exhibits.

The bundle viewer (``victim-log gui --open-bundle``) shows this; :mod:`victim_log.verify`
says whether the bundle is intact. Reading needs no vault and no Qt. The bundle is
untrusted: it is read only through :class:`~victim_log.safezip.SafeZip` (hardened,
never extracted), every member is size-capped before it is loaded, every text comes
out through :func:`~victim_log.textsafe.display_safe`, and a malformed file inside
the bundle becomes a note in :attr:`BundleContents.notes`, never an error. A zip that
is not a bag at all raises :class:`~victim_log.errors.NotABundle`.

Formats read (written by :mod:`victim_log.export.bundle`, see docs/export-format.md):
``data/timeline.json`` (``incidents``, ``exhibits``, the case's about fields) and
``data/exhibits.csv`` (one row per exhibit; a cell the export guarded against
spreadsheet formulas starts with an apostrophe, removed here).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import tzinfo
from functools import partial
from typing import Any

from . import casetime
from .errors import BadInput
from .errors import NotABundle
from .export.case import CaseIncident
from .export.case import CaseOrder
from .export.case import CasePerson
from .export.case import ExportCase
from .export.case import KindCount
from .export.case import format_datetime
from .export.keyfacts import KeyFacts
from .export.keyfacts import key_facts
from .export.versions import HistoryEntry
from .export.versions import PersonRef
from .model import KINDS
from .model import PoliceReport
from .safezip import DamagedMember
from .safezip import SafeZip
from .textsafe import display_safe
from .verify import bag_roots

MAX_TIMELINE_JSON = 256 * 1024 * 1024
MAX_EXHIBITS_CSV = 64 * 1024 * 1024
TIMELINE_JSON = "data/timeline.json"
EXHIBITS_CSV = "data/exhibits.csv"
EXHIBITS_DIR = "data/exhibits/"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def text(value: Any, *, single_line: bool = False) -> str:
    """Any JSON value as display-safe text; lists joined with "; ", objects skipped."""
    if value is None or isinstance(value, dict):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(t for t in (text(v, single_line=True) for v in value) if t)
    return display_safe(str(value), single_line=single_line)


def cell(value: str) -> str:
    """A CSV cell as shown: the export's formula-guard apostrophe removed, display-safe."""
    if value.startswith("'") and value[1:].startswith(_FORMULA_START):
        value = value[1:]
    return display_safe(value, single_line=True)


@dataclass(frozen=True)
class TimelineRow:
    number: str
    when: str
    kinds: str
    summary: str
    exhibits: str
    detail: str


@dataclass(frozen=True)
class ExhibitRow:
    reference: str
    member: str  # full name inside the zip ("" if the listed file is not in it)
    file: str  # as listed (display-safe)
    original_filename: str
    sha256: str
    size: str
    media_type: str
    added_at: str
    entries: str
    listed: bool = True  # False: found in data/exhibits/ but in no list


@dataclass
class BundleContents:
    root: str
    rows: list[TimelineRow] = field(default_factory=list)
    exhibits: list[ExhibitRow] = field(default_factory=list)
    about: str = ""
    notes: list[str] = field(default_factory=list)  # what could not be read, in words
    # The key facts (page 1 of the PDF) worked out again from timeline.json: (label, text)
    key_facts: list[tuple[str, str]] = field(default_factory=list)


def bag_root(z: SafeZip) -> str:
    """The folder holding the bag ("" or "name/"); NotABundle if there is none or several."""
    roots = bag_roots(z)
    if not roots:
        name = display_safe(z.path.name, single_line=True) if z.path is not None else "This file"
        raise NotABundle(f"{name} is a zip file, but not an export bundle.")
    if len(roots) > 1:
        raise NotABundle("This zip holds more than one bundle; open each one separately.")
    return roots.pop()


def _add_field(lines: list[str], label: str, value: Any) -> None:
    """Append ``label: value``, or nothing when the bundle leaves the field blank (an
    empty "Officer:" line would read as if something had been taken out)."""
    shown = text(value)
    if shown.strip():
        lines.append(f"{label}: {shown}")


def _detail(i: dict[str, Any], zone: tzinfo | None = None) -> str:
    """Every field of one incident, in plain text, verbatim text kept as written; times
    on the bundle's own case clock (``zone``), never the clock of whoever opens it."""
    lines: list[str] = []
    add = partial(_add_field, lines)

    head = f"Entry {text(i.get('number'))}"
    extra = [f"log id {text(i.get('id'))}", f"version {text(i.get('version'))}"]
    account, files = i.get("account_changes"), i.get("evidence_changes")
    if isinstance(account, int) and isinstance(files, int):  # bundles since #16.1
        # An attached file is not a change to the account: said apart.
        if account:
            extra.append(f"account changed {account} time{'s' if account != 1 else ''}")
        if files:
            extra.append(f"files attached or taken off {files} time{'s' if files != 1 else ''}")
    elif i.get("amended") is True:
        extra.append("amended")
    lines.append(f"{head}  ({', '.join(extra)})")
    add("When", i.get("when"))
    add("Summary", i.get("summary"))
    add("Kinds", i.get("kind_labels") or i.get("kinds"))
    if i.get("imported") is True:  # #16.5: a record from an export, not the victim's account
        record = text(i.get("imported_as"), single_line=True)
        add("Record", "Imported record, not typed by the victim: " + record)
        add("Imported into the log", format_datetime(text(i.get("imported_at"), single_line=True), zone=zone))
    else:
        add("First recorded", format_datetime(text(i.get("first_recorded_at"), single_line=True), zone=zone))
    if i.get("last_recorded_at") != i.get("first_recorded_at"):
        add("Last changed", format_datetime(text(i.get("last_recorded_at"), single_line=True), zone=zone))
    add("Place", i.get("location"))
    details = text(i.get("details"))
    if details.strip():
        lines += ["", "What happened:", details, ""]
    people = i.get("people")
    if isinstance(people, list):
        add(
            "People",
            [
                f"{text(p.get('name'), single_line=True)} ({text(p.get('role'))})"
                for p in people
                if isinstance(p, dict)
            ],
        )
    add("Witnesses", i.get("witnesses"))
    add("Effect", i.get("effect_labels"))
    add("Effect in their words", i.get("effect_text"))
    add("What they did", i.get("actions"))
    police = i.get("police")
    if isinstance(police, dict):
        add("Police reference", police.get("reference"))
        add("Officer", police.get("officer"))
        add("Collar number", police.get("collar_number"))
        add("Reported on", police.get("reported_on"))
    if i.get("breach") is True:
        add(
            "Breach of order",
            f"{text(i.get('order'), single_line=True)} — {text(i.get('order_condition'), single_line=True)}",
        )
        add("Order in force on that date?", i.get("order_in_force_text"))  # #16.3; absent in old bundles
    add("Exhibits", i.get("exhibits"))
    if isinstance(i.get("exhibits_not_included"), int) and i["exhibits_not_included"]:
        add("Files removed from the log before export", i["exhibits_not_included"])
    author = text(i.get("author"), single_line=True)
    if author and author != "victim" and i.get("imported") is not True:
        add("Written by", author)
    if i.get("complete_later") is True:
        add("Marked to complete later", "yes")
    add("Source", i.get("source"))
    history = i.get("history")
    if isinstance(history, list) and len(history) > 1:
        lines += ["", "History:"]
        for h in history:
            if isinstance(h, dict):
                lines.append(
                    f"  v{text(h.get('version'))} "
                    f"{format_datetime(text(h.get('recorded_at'), single_line=True), zone=zone)}: "
                    f"{text(h.get('reason'), single_line=True)}"
                )
    note = i.get("private_note")
    if isinstance(note, str) and note:
        lines += ["", "Private note:", text(note)]
    return "\n".join(lines).strip()


def _about(doc: dict[str, Any], zone: tzinfo | None = None) -> str:
    lines: list[str] = []
    add = partial(_add_field, lines)

    add("Case", doc.get("case_title"))
    add("Log kept by", doc.get("owner"))
    add("Exported", format_datetime(text(doc.get("exported_at"), single_line=True), zone=zone))
    if zone is not None:
        name = getattr(zone, "key", "")
        add("Times", f"on the clock of {name} (the case's time zone), each naming its zone")
    add("Software", doc.get("software"))
    add("Exhibit references", doc.get("producer_initials"))
    add("Which incidents", doc.get("selection"))
    add("Private notes", "included" if doc.get("private_notes_included") is True else "not included")
    add("Redactions", doc.get("redactions") or "none")
    deleted = doc.get("deleted_not_exported")
    if isinstance(deleted, int) and deleted:
        add("Deleted entries in the period (not exported)", deleted)
    counts = doc.get("counts")
    if isinstance(counts, dict):
        add("Breaches of orders", counts.get("breaches"))
        add("The victim's replies shown as context (not counted)", counts.get("context_entries") or None)
        add("Of those, not shown in force or served on their date", counts.get("breaches_flagged") or None)
        by_kind = counts.get("by_kind")
        if isinstance(by_kind, dict):
            add(
                "Incidents by kind",
                [f"{KINDS.get(k, text(k, single_line=True))}: {text(v)}" for k, v in by_kind.items()],
            )
    people = doc.get("people")
    if isinstance(people, list):
        for p in people:
            if isinstance(p, dict) and p.get("role") == "perpetrator":
                add(
                    "Perpetrator",
                    text(p.get("name"), single_line=True)
                    + "".join(
                        f"; {text(p.get(k), single_line=True)}"
                        for k in ("aliases", "phones", "accounts", "vehicles")
                        if p.get(k)
                    ),
                )
    orders = doc.get("orders")
    if isinstance(orders, list):
        for o in orders:
            if isinstance(o, dict):
                add(
                    "Order",
                    f"{text(o.get('order_type'), single_line=True)} "
                    f"{text(o.get('reference'), single_line=True)} "
                    f"({text(o.get('status'), single_line=True)})",
                )
    return "\n".join(lines)


def bundle_zone(doc: dict[str, Any]) -> tzinfo | None:
    """The case time zone the bundle names (``time_zone``, #16.4), so that what the
    viewer shows agrees with the PDF whatever the officer's computer is set to; None
    for bundles made before it, or a name that is not a zone (shown as the viewer's)."""
    name = doc.get("time_zone")
    if not isinstance(name, str):
        return None
    try:
        return casetime.zone_of(name)
    except BadInput:
        return None


def read_timeline(z: SafeZip, root: str, contents: BundleContents) -> dict[str, Any] | None:
    member = z.get(root + TIMELINE_JSON)
    if member is None:
        contents.notes.append("This bundle has no timeline.json, so its timeline cannot be shown.")
        return None
    try:
        doc = json.loads(z.read_bytes(member, MAX_TIMELINE_JSON).decode("utf-8"))
    except DamagedMember as exc:
        contents.notes.append(exc.message)
        return None
    except (ValueError, RecursionError):
        contents.notes.append("timeline.json cannot be read: it is not valid JSON.")
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("incidents", []), list):
        contents.notes.append("timeline.json is not in the format Victim Log writes.")
        return None
    zone = bundle_zone(doc)
    for i in doc.get("incidents", []):
        if not isinstance(i, dict):
            continue
        contents.rows.append(
            TimelineRow(
                number=text(i.get("number"), single_line=True),
                when=text(i.get("when"), single_line=True),
                kinds=", ".join(
                    text(k, single_line=True) for k in i.get("kind_labels", []) if isinstance(k, str)
                )
                if isinstance(i.get("kind_labels"), list)
                else text(i.get("kinds"), single_line=True),
                summary=text(i.get("summary"), single_line=True),
                exhibits=text(i.get("exhibits"), single_line=True),
                detail=_detail(i, zone),
            )
        )
    for i in doc.get("context", []) if isinstance(doc.get("context"), list) else []:
        if isinstance(i, dict):  # the victim's replies kept from an import (#16.5): not incidents
            contents.rows.append(
                TimelineRow(
                    number=f"{text(i.get('number'), single_line=True)} (context)",
                    when=text(i.get("when"), single_line=True),
                    kinds="The victim's reply, not an incident",
                    summary=text(i.get("summary"), single_line=True),
                    exhibits=text(i.get("exhibits"), single_line=True),
                    detail=_detail(i, zone),
                )
            )
    contents.about = _about(doc, zone)
    contents.key_facts = bundle_key_facts(doc)
    if not contents.key_facts:
        contents.notes.append("The key facts cannot be worked out from this bundle's timeline.json.")
    return doc


def _exhibits_from_csv(z: SafeZip, root: str, contents: BundleContents) -> list[dict[str, str]] | None:
    member = z.get(root + EXHIBITS_CSV)
    if member is None:
        return None
    try:
        raw = z.read_bytes(member, MAX_EXHIBITS_CSV).decode("utf-8-sig", "replace")
        return [dict(r) for r in csv.DictReader(io.StringIO(raw, newline=""))]
    except DamagedMember as exc:
        contents.notes.append(exc.message)
    except csv.Error:
        contents.notes.append("exhibits.csv cannot be read: it is not a valid CSV file.")
    return None


def read_exhibits(z: SafeZip, root: str, contents: BundleContents, doc: dict[str, Any] | None) -> None:
    rows = _exhibits_from_csv(z, root, contents)
    if rows is None and doc is not None and isinstance(doc.get("exhibits"), list):
        rows = [
            {
                "reference": text(e.get("reference")),
                "file": text(e.get("file")),
                "original_filename": text(e.get("original_filename")),
                "sha256": text(e.get("sha256")),
                "size_bytes": text(e.get("size")),
                "media_type": text(e.get("media_type")),
                "added_at": text(e.get("added_at")),
                "entries": text(e.get("entries")),
            }
            for e in doc["exhibits"]
            if isinstance(e, dict)
        ]
    listed: set[str] = set()
    for r in rows or []:
        file = str(r.get("file") or "")
        member = z.get(root + file) if file else None
        if member is not None and not member.is_dir:
            listed.add(member.name)
        contents.exhibits.append(
            ExhibitRow(
                reference=cell(str(r.get("reference") or "")),
                member=member.name if member is not None and not member.is_dir else "",
                file=cell(file),
                original_filename=cell(str(r.get("original_filename") or "")),
                sha256=cell(str(r.get("sha256") or "")).lower(),
                size=cell(str(r.get("size_bytes") or "")),
                media_type=cell(str(r.get("media_type") or "")),
                added_at=cell(str(r.get("added_at") or "")),
                entries=cell(str(r.get("entries") or "")),
            )
        )
    for m in z.members:
        if m.name.startswith(root + EXHIBITS_DIR) and not m.is_dir and m.name not in listed:
            name = m.name[len(root) :]
            contents.exhibits.append(
                ExhibitRow(
                    reference="—",
                    member=m.name,
                    file=display_safe(name, single_line=True),
                    original_filename=display_safe(name.rpartition("/")[2], single_line=True),
                    sha256="",
                    size=str(m.size),
                    media_type="",
                    added_at="",
                    entries="",
                    listed=False,
                )
            )


def read_contents(z: SafeZip) -> BundleContents:
    """Everything the viewer shows, read from the zip; NotABundle if it is not a bag."""
    contents = BundleContents(root=bag_root(z))
    doc = read_timeline(z, contents.root, contents)
    read_exhibits(z, contents.root, contents, doc)
    return contents


# ---------------------------------------------------------------------------- key facts


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _blank(value: Any) -> str:
    return ""


# The fields of a person and of an order, in the order the export's classes take them,
# each with how its timeline.json value is read (anything unexpected reads as empty).
_PERSON: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("id", _int), ("name", _s), ("role", _s), ("role_label", _blank), ("relationship", _s),
    ("aliases", _strs), ("phones", _strs), ("accounts", _strs), ("vehicles", _strs),
)  # fmt: skip
_ORDER: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("id", _int), ("order_type", _s), ("reference", _s), ("court", _s), ("made_on", _s),
    ("expires_on", _s), ("conditions", _strs), ("person", _s), ("status", _s),
)  # fmt: skip


def _read(d: dict[str, Any], spec: tuple[tuple[str, Callable[[Any], Any]], ...]) -> list[Any]:
    return [read(d.get(key)) for key, read in spec]


def _case_incident(i: dict[str, Any]) -> CaseIncident:
    """One exported incident as the export held it, from its timeline.json object (the
    fields the key facts read; the others empty)."""
    police = i.get("police") if isinstance(i.get("police"), dict) else {}
    assert isinstance(police, dict)
    number = _int(i.get("number"), _int(i.get("id")))
    return CaseIncident(
        version=_int(i.get("version"), 1),
        occurred_start=_s(i.get("occurred_start")),
        occurred_end=_s(i.get("occurred_end")),
        precision=_s(i.get("precision")),
        precision_label="",
        when=_s(i.get("when")),
        kinds=_strs(i.get("kinds")),
        kind_labels=_strs(i.get("kind_labels")),
        summary=_s(i.get("summary")),
        location=_s(i.get("location")),
        details=_s(i.get("details")),
        people=tuple(
            PersonRef(_int(p.get("id")), _s(p.get("name")), _s(p.get("role")), "")
            for p in _dicts(i.get("people"))
        ),
        witnesses="",
        effects=_strs(i.get("effects")),
        effect_labels=_strs(i.get("effect_labels")),
        effect_text="",
        actions=_s(i.get("actions")),
        police=PoliceReport(
            *(_s(police.get(k)) for k in ("reference", "officer", "collar_number", "reported_on"))
        ),
        author="",
        author_label="",
        complete_later=False,
        source="",
        breach=i.get("breach") is True,
        order_id=_int(i.get("order_id"), -1) if i.get("order_id") is not None else None,
        order_label=_s(i.get("order")),
        order_condition=_s(i.get("order_condition")),
        exhibits=(),
        exhibits_not_included=0,
        private_note=None,
        number=number,
        id=_int(i.get("id"), number),
        first_recorded_at=_s(i.get("first_recorded_at")),
        last_recorded_at=_s(i.get("last_recorded_at")),
        history=(HistoryEntry(1, _s(i.get("first_recorded_at")), ""),),
        context=i.get("context") is True,
        order_in_force=_s(i.get("order_in_force")),
        date_flag=_s(i.get("date_flag")),
    )


def case_from_timeline(doc: dict[str, Any]) -> ExportCase:
    """The parts of an :class:`~victim_log.export.case.ExportCase` the key facts page
    reads, from a bundle's timeline.json, so the viewer's key facts are worked out by
    the very code that drew page 1 of the PDF (:func:`~victim_log.export.keyfacts.key_facts`)."""
    counts = doc.get("counts") if isinstance(doc.get("counts"), dict) else {}
    assert isinstance(counts, dict)
    by_kind = counts.get("by_kind") if isinstance(counts.get("by_kind"), dict) else {}
    assert isinstance(by_kind, dict)
    return ExportCase(
        case_title=_s(doc.get("case_title")),
        owner=_s(doc.get("owner")),
        producer_initials="",
        exported_at=_s(doc.get("exported_at")),
        software="",
        fingerprint="",
        fingerprint_readout="",
        requested_start="",
        requested_end="",
        first_incident="",
        last_incident="",
        selection="",
        include_private=False,
        redact=(),
        redactions=(),
        deleted_not_exported=0,
        incidents=tuple(_case_incident(i) for i in _dicts(doc.get("incidents"))),
        exhibits=(),
        people=tuple(CasePerson(*_read(p, _PERSON)) for p in _dicts(doc.get("people"))),
        orders=tuple(CaseOrder(*_read(o, _ORDER)) for o in _dicts(doc.get("orders"))),
        counts_by_kind=tuple(
            KindCount(KINDS.get(k, k), _int(n), k) for k, n in by_kind.items() if isinstance(k, str)
        ),
        per_week=(),
        per_month=(),
        date_not_known=_int(counts.get("date_not_known")),
        context=tuple(_case_incident(i) for i in _dicts(doc.get("context"))),
        time_zone=_s(doc.get("time_zone")),
    )


def bundle_key_facts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """The key facts as (label, text) lines, display-safe, in the PDF's order; empty
    if the bundle's timeline does not hold what they need (an old or damaged one)."""
    try:
        return key_fact_lines(key_facts(case_from_timeline(doc)))
    except (ValueError, TypeError, KeyError, OverflowError, BadInput):
        return []


def key_fact_lines(f: KeyFacts) -> list[tuple[str, str]]:
    """The key facts as (label, text) lines, display-safe, in the PDF page's order."""
    lines = [("Whose log", f.owner or "Name not given in the log")]
    lines += [("Person doing this", f"{name}: {ids}") for name, ids in f.perpetrators] or [
        ("Person doing this", "Not named in the exported incidents")
    ]
    lines += [("Course of conduct", f.course), ("Dates", f.period), ("Counts by kind", f.counts)]
    lines.append(("Per week", f.per_week))
    serious = "\n".join(f.serious) + (f"\n... and {f.serious_more} more" if f.serious_more else "")
    lines.append(("Most serious", serious or "No threat, violence or fear of violence recorded"))
    lines.append(("Escalation", "\n".join(e.line for e in f.escalations) or "None of the changes looked for"))
    lines += [("Order", f"{label}: {line}") for label, line in f.orders] or [
        ("Orders", "No protection order recorded")
    ]
    lines.append(("Police", "\n".join(f.police) or "No police reference recorded"))
    lines.append(("Reported", f.reported))
    lines.append(("Told to stop", "\n".join(f.told_to_stop) or "Not recorded in the exported entries"))
    return [(label, display_safe(text)) for label, text in lines]
