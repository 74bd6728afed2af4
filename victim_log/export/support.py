"""A plain CSV of incidents for support services' case systems (#21).

Independent domestic-abuse and stalking advocates keep their own case files (E-CINS,
IMPACT, On Track, Oasis); none documents an import format, so every one of them can
take a plain spreadsheet. This one holds what an advocate's case record needs and no
more: one row per incident with its date, kinds, whether it breached an order, the
police reference and the exhibit references, the same entry numbers and references
as the police export. The account itself (details, places, people, private notes)
stays out: it is in the police bundle for whoever needs it. Columns are documented in
docs/export-format.md and only ever added at the end.
"""

from __future__ import annotations

import csv
import io

from .case import CaseIncident
from .case import ExportCase
from .case import local_iso
from .tables import safe_cell

__all__ = ["SUPPORT_COLUMNS", "support_csv"]

SUPPORT_COLUMNS: tuple[str, ...] = (
    "entry",
    "date",
    "time",
    "time_precision",
    "kinds",
    "summary",
    "breach",
    "order",
    "police_reference",
    "reported_on",
    "exhibits",
    "effects",
    "first_recorded_at",
    "recorded_by",
)


def _date_time(i: CaseIncident) -> tuple[str, str]:
    """The date and time on the case's clock; a day without a time keeps its date."""
    if not i.occurred_start:
        return "", ""
    if i.precision in ("exact", "approximate"):
        local = local_iso(i.occurred_start)
        return local[:10], local[11:16]
    return i.occurred_start[:10], ""


def _row(i: CaseIncident) -> list[object]:
    day, clock = _date_time(i)
    return [
        i.number,
        day,
        clock,
        i.precision,
        "; ".join(i.kind_labels),
        i.summary,
        i.breach,
        i.order_label if i.breach else "",
        i.police.reference,
        i.police.reported_on,
        "; ".join(i.exhibits),
        "; ".join(i.effect_labels),
        local_iso(i.first_recorded_at),
        i.author_label,
    ]


def support_csv(case: ExportCase) -> bytes:
    """The CSV's bytes: UTF-8 with a BOM, CRLF, formula-protected cells (as timeline.csv)."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(SUPPORT_COLUMNS)
    for i in case.incidents:  # context entries (the victim's replies) are not incidents
        writer.writerow([safe_cell(v) for v in _row(i)])
    return buf.getvalue().encode("utf-8")
