"""Every field of an incident, declared once.

Why: adding a field used to mean editing the model's free-text list, the CLI's
labels, the app's history labels, the CSV columns and the PDF rows by hand, and a
field forgotten in one of them silently vanished from that output (a defence lawyer
reading the export would never know). Every output now iterates over
:data:`INCIDENT_FIELDS`, and ``tests/test_fields_registry.py`` fails when an
:class:`~victim_log.model.IncidentData` field is missing here or from any output.

This module imports nothing from the rest of the package (``model`` imports it), so
labels of machine ids (kinds, effects) stay in :mod:`victim_log.model`.

What each declaration says:

* ``name``: the attribute of ``IncidentData`` (and of the export's ``CaseIncident``,
  and the key in ``timeline.json`` and ``show --json``).
* ``victim_label``: how the app and the command line name it to the person keeping
  the log ("What I did"). Fields that show together share a label (the three parts of
  "When"), so a history line says "When" once.
* ``officer_label``: how the PDF names it for the police ("What the victim did" is
  still written "What I did": it is the victim's log, in their words).
* ``csv_columns``: the ``timeline.csv`` columns that carry it (some fields need two:
  machine ids and their labels; the police report needs four).
* ``exported``: ``False`` for what never leaves the vault unless the owner asks
  (the private note).
* ``free_text``: text the person typed, checked alike by ``IncidentData.validated``
  (the summary has its own, shorter limit and is required).
* ``kind``: what sort of value it is, which decides how it is shown, compared and
  redacted (see :data:`VALUE_KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Literal

__all__ = [
    "EXPORTED_FIELDS",
    "FIELDS_BY_NAME",
    "INCIDENT_FIELDS",
    "POLICE_PARTS",
    "VALUE_KINDS",
    "Field",
    "ValueKind",
    "changed_names",
    "free_text_names",
    "labels",
    "pick",
]

ValueKind = Literal[
    "line",  # one line of free text (the summary)
    "text",  # free text, may run to pages
    "place",  # free text naming a place (redacted as a whole under "locations")
    "witnesses",  # free text naming people (redacted as a whole under "third-parties")
    "time",  # ISO 8601 date-time with offset, or ""
    "choice",  # one machine id from a fixed list
    "choices",  # machine ids from a fixed list
    "people",  # person ids
    "police",  # the police report (four short texts)
    "flag",  # yes / no
    "order",  # an order id, or none
    "author",  # "victim" or "support:<name>"
]

#: Every value kind, in the order above (tests hold the Literal and this together).
VALUE_KINDS: tuple[str, ...] = (
    "line",
    "text",
    "place",
    "witnesses",
    "time",
    "choice",
    "choices",
    "people",
    "police",
    "flag",
    "order",
    "author",
)


#: The police report's four texts, in the order every output gives them (the keys of
#: its JSON object; its CSV columns are these with ``police_`` before them).
POLICE_PARTS: tuple[str, ...] = ("reference", "officer", "collar_number", "reported_on")


@dataclass(frozen=True)
class Field:
    """One field of an incident and how each output shows it."""

    name: str
    victim_label: str
    officer_label: str
    csv_columns: tuple[str, ...]
    kind: ValueKind
    exported: bool = True
    free_text: bool = False


#: In the order the log shows them; the CSV keeps its own (public) column order.
INCIDENT_FIELDS: tuple[Field, ...] = (
    Field("summary", "Summary", "Summary", ("summary",), "line", free_text=True),
    Field("kinds", "Kind", "Kind", ("kinds", "kind_labels"), "choices"),
    Field("occurred_start", "When", "When", ("occurred_start",), "time"),
    Field("occurred_end", "When", "When", ("occurred_end",), "time"),
    Field("precision", "When", "When", ("time_precision",), "choice"),
    Field("location", "Where", "Where", ("location",), "place", free_text=True),
    Field("details", "What happened", "What happened", ("details",), "text", free_text=True),
    Field("people", "People", "People", ("people",), "people"),
    Field("witnesses", "Witnesses", "Witnesses", ("witnesses",), "witnesses", free_text=True),
    Field("effects", "Effect on me", "Effect on me", ("effects", "effect_labels"), "choices"),
    Field("effect_text", "Effect on me", "Effect on me", ("effect_text",), "text", free_text=True),
    Field("actions", "What I did", "What I did", ("actions_taken",), "text", free_text=True),
    Field(
        "police",
        "Police report",
        "Police",
        tuple(f"police_{part}" for part in POLICE_PARTS),
        "police",
    ),
    Field("order_id", "Order breached", "Breach", ("order_breach", "order"), "order"),
    Field("order_condition", "Order breached", "Breach", ("order_condition",), "text", free_text=True),
    Field("author", "Entered by", "Written by", ("author",), "author", free_text=True),
    Field("complete_later", "Complete later", "Note", ("complete_later",), "flag"),
    Field("source", "Source", "Source", ("source",), "text", free_text=True),
    Field(
        "source_time",
        "Time in the source",
        "Source time",
        ("source_time",),
        "text",
        free_text=True,
    ),
    Field(
        "private_note",
        "Private note",
        "Private note",
        ("private_note",),
        "text",
        exported=False,
        free_text=True,
    ),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in INCIDENT_FIELDS}

#: What an export carries unless the owner asks for more (everything but the private note).
EXPORTED_FIELDS: tuple[Field, ...] = tuple(f for f in INCIDENT_FIELDS if f.exported)


def free_text_names(*, with_summary: bool = False) -> tuple[str, ...]:
    """Names of the free-text fields (``IncidentData.validated`` checks them alike;
    the summary, required and shorter, only ``with_summary``)."""
    return tuple(f.name for f in INCIDENT_FIELDS if f.free_text and (with_summary or f.kind != "line"))


def labels(names: list[str] | tuple[str, ...], *, officer: bool = False) -> list[str]:
    """The labels of ``names`` in registry order, each once ("When" for any time part)."""
    wanted = set(names)
    out: list[str] = []
    for f in INCIDENT_FIELDS:
        if f.name in wanted:
            label = f.officer_label if officer else f.victim_label
            if label not in out:
                out.append(label)
    return out


def changed_names(before: object, after: object) -> list[str]:
    """Names of the fields whose values differ between two versions (``IncidentData``
    or anything with the same attributes), in registry order."""
    return [f.name for f in INCIDENT_FIELDS if getattr(before, f.name) != getattr(after, f.name)]


def pick(obj: object, *names: str) -> dict[str, Any]:
    """``{name: obj.name}`` for each of ``names``, in their order: the plain values of a
    JSON object or a CSV row, each under its attribute's own name."""
    return {name: getattr(obj, name) for name in names}
