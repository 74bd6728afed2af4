"""The machine-readable parts of an export: ``timeline.csv``, ``timeline.json``, ``exhibits.csv``,
``versions.csv``.

Officers load these into their case systems or open them in Excel, so the columns and
keys are stable and documented here and in ``docs/export-format.md``. Renaming or
removing one is a breaking change: add new columns at the end and bump
``SCHEMA`` (``victim-log-timeline/N``) in :mod:`victim_log.export.case`.

CSV format (both files)
    RFC 4180: comma-separated, fields quoted when needed (``"`` doubled), CRLF between
    rows, a header row first. Encoded as **UTF-8 with a byte order mark**: without
    the BOM, Excel on Windows reads UTF-8 as the local code page and garbles names,
    quotes and emoji; LibreOffice and Python (``encoding="utf-8-sig"``) accept it.
    Text keeps its line breaks inside quoted cells. Lists inside a cell are joined
    with ``"; "``. Text is made display-safe (bidi controls removed, control
    characters shown as U+FFFD) because people read it in a spreadsheet; the JSON
    holds the text exactly as recorded.

    **Formula injection**: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return (or their full-width forms) gets a leading apostrophe (``'``).
    Excel and LibreOffice would otherwise run such a cell as a formula, and a
    perpetrator's message such as ``=HYPERLINK(...)`` could then act on the officer's
    computer. The apostrophe makes the spreadsheet show the text as text; to recover
    the exact text, drop one leading apostrophe before one of those characters (or use
    ``timeline.json``). Phone numbers written ``+44...`` are affected the same way.

``timeline.csv``: one row per exported incident, oldest first. Columns:
    ``entry`` (the "Entry N" of the PDF: the log's incident id, never moves), ``incident_id``,
    ``version`` (current version number), ``occurred_start`` and ``occurred_end`` (ISO
    8601 with the victim's UTC offset; empty if not known), ``time_precision`` (exact,
    approximate, day, unknown_time), ``when`` (the same in words), ``first_recorded_at``
    (when the entry was first written, set by the app), ``last_recorded_at`` (when the
    current version was written), ``kinds`` (machine ids), ``kind_labels``,
    ``summary``, ``location``, ``details`` (verbatim), ``people`` ("name (role)"),
    ``witnesses``, ``effects`` (machine ids), ``effect_labels``, ``effect_text``,
    ``actions_taken``, ``police_reference``, ``police_officer``,
    ``police_collar_number``, ``police_reported_on``, ``order_breach`` (yes/no),
    ``order`` (type and reference), ``order_condition``, ``order_in_force`` (for a
    breach: whether the order was in force on the breach's own date, an id such as
    ``in_force`` or ``before_served``; empty if not a breach), ``order_in_force_note``
    (the same in words), ``exhibits`` (references such as
    SM/1), ``exhibits_not_included`` (files cited but removed before export),
    ``times_amended``, ``last_amended_at``, ``amendment_reasons``, ``author`` ("victim"
    or "support:<name>"), ``complete_later`` (yes/no: the author meant to add more),
    ``source`` (e.g. an import), ``private_note`` (always empty unless the owner chose
    to include private notes), ``account_changes`` (later versions that changed the
    account), ``evidence_changes`` (later versions that only attached or took off files,
    or did so as well: not a change of the account), ``imported_as`` (an imported
    record, not typed by the victim: "message as exported (SM/4, line 10)"; empty for
    the victim's own entries), ``imported_at`` (when an imported record entered the
    log; empty otherwise), ``source_time`` (an imported record's date and time exactly
    as its source wrote them), ``occurred_start_local`` and ``occurred_end_local`` (the
    same instants on the case's time zone's clock, ISO 8601 with offset: see
    ``time_zone`` in timeline.json), ``date_flag`` (why the entry's date cannot be
    right, e.g. "after it was recorded"; empty otherwise). The victim's replies kept
    from an import as context are not rows here (they are not incidents): see
    ``context`` in timeline.json. The columns that carry the entry's fields are the
    ones :mod:`victim_log.fields` declares.

``versions.csv``: one row per **earlier** version of each exported entry (the current
    text is in ``timeline.csv``), oldest first within an entry. Columns: ``entry``,
    ``incident_id``, ``version``, ``recorded_at``, ``reason``, ``change`` (created,
    account, evidence, account and evidence, private note), ``changed_fields`` (field
    names that differ from the version before), ``evidence_attached`` and
    ``evidence_detached`` (exhibit references), ``exhibits``, ``exhibits_not_included``,
    then the field columns of ``timeline.csv`` (from ``occurred_start`` to
    ``private_note``) holding the text as it was in that version, redacted as the
    current text is.

``exhibits.csv``: one row per exhibit, in reference order. Columns: ``reference``
    (SM/1), ``file`` (path inside the bag, ``data/exhibits/SM-1_<name>``),
    ``original_filename``, ``sha256`` (hex, of the original bytes, taken when the file
    entered the log), ``size_bytes``, ``media_type`` (from the content, not the name),
    ``added_at``, ``added_by``, ``entries`` (the "Entry N" numbers it supports),
    ``incident_ids`` (the same as the log's ids).

``timeline.json``: see :func:`victim_log.export.case.case_to_json`; UTF-8, no BOM,
    ``"schema": "victim-log-timeline/1"``, keys listed in docs/export-format.md.
    ``private_note`` is ``null`` when private notes were not exported.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from itertools import chain
from typing import Any

from ..fields import INCIDENT_FIELDS
from ..fields import Field
from ..fields import pick
from ..textsafe import display_safe
from .case import CaseExhibit
from .case import CaseIncident
from .case import ExportCase
from .case import case_json_with
from .case import incident_json
from .case import local_iso
from .disclosure import NOT_INCLUDED_COLUMNS
from .disclosure import not_included_rows
from .provenance import PROVENANCE_COLUMNS
from .provenance import provenance_cells
from .versions import Entry

__all__ = [
    "EXHIBIT_COLUMNS",
    "TIMELINE_COLUMNS",
    "VERSION_COLUMNS",
    "exhibits_csv",
    "field_cells",
    "safe_cell",
    "timeline_csv",
    "timeline_json",
    "versions_csv",
]

TIMELINE_COLUMNS: tuple[str, ...] = (
    "entry",
    "incident_id",
    "version",
    "occurred_start",
    "occurred_end",
    "time_precision",
    "when",
    "first_recorded_at",
    "last_recorded_at",
    "kinds",
    "kind_labels",
    "summary",
    "location",
    "details",
    "people",
    "witnesses",
    "effects",
    "effect_labels",
    "effect_text",
    "actions_taken",
    "police_reference",
    "police_officer",
    "police_collar_number",
    "police_reported_on",
    "order_breach",
    "order",
    "order_condition",
    "order_in_force",
    "order_in_force_note",
    "exhibits",
    "exhibits_not_included",
    "times_amended",
    "last_amended_at",
    "amendment_reasons",
    "author",
    "complete_later",
    "source",
    "private_note",
    "account_changes",
    "evidence_changes",
    "imported_as",
    "imported_at",
    "source_time",
    "occurred_start_local",
    "occurred_end_local",
    "date_flag",
)

EXHIBIT_COLUMNS: tuple[str, ...] = (
    "reference",
    "file",
    "original_filename",
    "sha256",
    "size_bytes",
    "media_type",
    "added_at",
    "added_by",
    "entries",
    "incident_ids",
    *PROVENANCE_COLUMNS,  # where it came from (export/provenance.py, #16.7)
)

#: First characters that make a spreadsheet treat a cell as a formula (and full-width twins).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

_BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """A CSV cell: display-safe text with a leading apostrophe before formula characters."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif value is None:
        text = ""
    else:
        text = str(value)
    text = display_safe(text)  # first: a hidden bidi control must not hide an "="
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


#: Rows (or JSON entries) per chunk when a table is streamed into the bundle: a chunk is
#: a few hundred KB, so a 100,000-entry export never holds a whole table (#23.8).
BATCH = 500


def _csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks, ``BATCH`` rows each; joined, the same bytes as
    :func:`_csv`. Rows are taken from ``rows`` one at a time and never kept."""
    buf = io.StringIO()
    buf.write(_BOM)
    writer = csv.writer(buf, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(v) for v in row])
        if n % BATCH == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    return b"".join(_csv_chunks(header, rows))


def _join(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def _field_cell_values(field: Field, obj: Entry) -> tuple[object, ...]:
    """The cells of one field, in the order of its ``csv_columns`` (see victim_log.fields)."""
    value: Any = getattr(obj, field.name, "")  # a field still being added: an empty cell, not a crash
    if field.kind == "choices":  # machine ids, then their labels
        return (_join(value), _join(getattr(obj, field.csv_columns[1])))
    if field.kind == "people":
        return (_join(f"{p.name} ({p.role})" for p in value),)
    if field.kind == "police":
        return (value.reference, value.officer, value.collar_number, value.reported_on)
    if field.kind == "order":  # whether it is a breach, then the order's type and reference
        return (obj.breach, obj.order_label)
    return (value if value is not None else "",)


def field_cells(obj: Entry) -> dict[str, object]:
    """Every incident field's ``timeline.csv`` cells, by column name (the registry's columns),
    plus ``when`` (the time in words)."""
    cells: dict[str, object] = {"when": obj.when}
    for field in INCIDENT_FIELDS:
        cells.update(zip(field.csv_columns, _field_cell_values(field, obj), strict=True))
    return cells


def _entry_cells(i: CaseIncident, obj: Entry) -> dict[str, object]:
    """The cells of a row for entry ``i`` or one of its versions (``obj``): its fields,
    which entry and version it is, and the exhibits it cites."""
    cells = field_cells(obj)
    cells.update(
        entry=i.number,
        incident_id=i.id,
        version=obj.version,
        exhibits=_join(obj.exhibits),
        exhibits_not_included=obj.exhibits_not_included,
    )
    return cells


def _timeline_row(i: CaseIncident) -> list[object]:
    amendments = i.history[1:]
    changes = i.changes
    cells = _entry_cells(i, i)
    cells.update(
        first_recorded_at=i.first_recorded_at,
        last_recorded_at=i.last_recorded_at,
        times_amended=len(amendments),
        last_amended_at=amendments[-1].recorded_at if amendments else "",
        amendment_reasons=_join(f"v{h.version} {h.recorded_at}: {h.reason}" for h in amendments),
        order_in_force=i.order_in_force,  # a victim_log.breaches.InForce id; "" if not a breach
        order_in_force_note=i.order_in_force_text,
        account_changes=changes.account_changes,
        evidence_changes=changes.evidence_changes,
        imported_as=i.imported_as or ("imported record" if i.imported else ""),
        imported_at=i.first_recorded_at if i.imported else "",
        occurred_start_local=local_iso(i.occurred_start),  # on the case's clock (#16.4)
        occurred_end_local=local_iso(i.occurred_end),
        date_flag=i.date_flag,
    )
    return [cells[c] for c in TIMELINE_COLUMNS]


#: The field columns of timeline.csv (with ``when``), in its order.
_FIELD_COLUMNS: tuple[str, ...] = tuple(
    c for c in TIMELINE_COLUMNS if c == "when" or any(c in f.csv_columns for f in INCIDENT_FIELDS)
)

VERSION_COLUMNS: tuple[str, ...] = (
    "entry",
    "incident_id",
    "version",
    "recorded_at",
    "reason",
    "change",
    "changed_fields",
    "evidence_attached",
    "evidence_detached",
    "exhibits",
    "exhibits_not_included",
    *_FIELD_COLUMNS,
)


#: The columns of versions.csv that list (changed field names, exhibit references).
_VERSION_LISTS = ("changed_fields", "evidence_attached", "evidence_detached")


def _version_rows(i: CaseIncident) -> list[list[object]]:
    rows = []
    for v in i.versions[:-1]:  # the last is the current text, in timeline.csv
        cells = _entry_cells(i, v)
        cells.update(pick(v, "recorded_at", "reason", "change"))
        cells.update((name, _join(getattr(v, name))) for name in _VERSION_LISTS)
        rows.append([cells[c] for c in VERSION_COLUMNS])
    return rows


def versions_csv_chunks(case: ExportCase) -> Iterator[bytes]:
    """``versions.csv``: one row per earlier version of each exported entry (entries
    never changed have none), columns :data:`VERSION_COLUMNS`; streamed."""
    return _csv_chunks(VERSION_COLUMNS, (row for i in case.incidents for row in _version_rows(i)))


def versions_csv(case: ExportCase) -> bytes:
    """:func:`versions_csv_chunks` as one ``bytes``."""
    return b"".join(versions_csv_chunks(case))


def _exhibit_row(e: CaseExhibit) -> list[object]:
    return [
        e.reference,
        e.bag_path,
        e.original_filename,
        e.sha256,
        e.size,
        e.media_type,
        e.added_at,
        e.added_by,
        _join(str(n) for n in e.incident_numbers),
        _join(str(n) for n in e.incident_ids),
        *provenance_cells(e.provenance),
    ]


def timeline_csv_chunks(case: ExportCase) -> Iterator[bytes]:
    """``timeline.csv``: one row per incident, columns :data:`TIMELINE_COLUMNS`; streamed."""
    return _csv_chunks(TIMELINE_COLUMNS, (_timeline_row(i) for i in case.incidents))


def timeline_csv(case: ExportCase) -> bytes:
    """:func:`timeline_csv_chunks` as one ``bytes``."""
    return b"".join(timeline_csv_chunks(case))


def not_included_csv(case: ExportCase) -> bytes:
    """``not_included.csv``: what the export leaves out, one row each (export/disclosure.py)."""
    return _csv(NOT_INCLUDED_COLUMNS, not_included_rows(case.not_included))


def exhibits_csv(case: ExportCase) -> bytes:
    """``exhibits.csv``: one row per exhibit, columns :data:`EXHIBIT_COLUMNS`."""
    return _csv(EXHIBIT_COLUMNS, (_exhibit_row(e) for e in case.exhibits))


def timeline_json(case: ExportCase) -> bytes:
    """:func:`timeline_json_chunks` as one ``bytes``."""
    return b"".join(timeline_json_chunks(case))


def timeline_json_chunks(case: ExportCase) -> Iterator[bytes]:
    """``timeline.json``: :func:`case_to_json`, pretty-printed UTF-8 with a final newline,
    streamed: the same bytes as ``json.dumps(case_to_json(case), indent=2)``, with the
    incidents turned into JSON ``BATCH`` at a time and never held all at once.

    Key order is fixed (not sorted) so the file reads top-down like the PDF; the
    same case always gives the same bytes. Text that cannot be UTF-8 (a lone
    surrogate) is kept, escaped: then the whole file is written with ``\\u`` escapes
    (``ensure_ascii``), as one ``json.dumps`` would have to. A first, quick pass (the
    standard library's C encoder, nothing kept) finds out which.
    """
    ascii_only = not _utf8_ok(case)
    codec = "ascii" if ascii_only else "utf-8"
    return (text.encode(codec) for text in _json_text(case, ascii_only))


def _utf8_ok(case: ExportCase) -> bool:
    for i in chain(case.incidents, case.context):  # one at a time, never all at once (#23.8)
        try:
            json.dumps(incident_json(i), ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return False
    try:
        json.dumps(case_json_with(case, incidents=[], context=[]), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_text(case: ExportCase, ensure_ascii: bool) -> Iterator[str]:
    # The small rest of the document is dumped once, with a random mark (no text in
    # the case can hold it) where each list goes; the lists are written in its place.
    marks = {name: f"victim-log-{name}-{secrets.token_hex(16)}" for name in ("incidents", "context")}
    doc = case_json_with(case, incidents=marks["incidents"], context=marks["context"])
    text = json.dumps(doc, ensure_ascii=ensure_ascii, indent=2) + "\n"
    pos = 0
    for name, items in (("incidents", case.incidents), ("context", case.context)):
        token = f'"{marks[name]}"'
        at = text.index(token, pos)
        yield text[pos:at]
        yield from _json_list(items, ensure_ascii)
        pos = at + len(token)
    yield text[pos:]


def _json_list(items: Sequence[CaseIncident], ensure_ascii: bool) -> Iterator[str]:
    """``items`` as ``json.dumps(indent=2)`` writes a list that is the value of a
    top-level key: each element indented by four spaces (JSON strings hold no line
    breaks, so indenting every line of an element's own dump is exact)."""
    if not items:
        yield "[]"
        return
    sep = "\n    "
    parts: list[str] = []
    for n, i in enumerate(items):
        dumped = json.dumps(incident_json(i), ensure_ascii=ensure_ascii, indent=2).replace("\n", sep)
        parts.append(("[" if n == 0 else ",") + sep + dumped)
        if len(parts) == BATCH:
            yield "".join(parts)
            parts = []
    yield "".join(parts) + "\n  ]"
