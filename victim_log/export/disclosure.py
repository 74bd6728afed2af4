"""Material not included in an export, listed by what it is (#16.6).

The CPS Disclosure Manual treats anything with some bearing on the offence as relevant,
and a defence lawyer's first question about a victim's log is "what did you leave
out?". An export that silently drops things invites "what else is missing?". So every
export carries a schedule of what it leaves out, never the content itself:

* **Private notes**: which exported entries have one (entry and date), never its words.
* **Deleted entries** in the export's period: when each happened, when it was deleted
  and the reason given (the deleted text stays in the vault's history, not here).
* **Removed files**: evidence cited by the exported entries (or, for a whole-log
  export, anywhere in the log) that the owner removed or erased: its exhibit
  reference if it ever had one, SHA-256, name, when and why it was removed.
* **Redactions**, field by field: which entry, which field, what kind (a place or a
  third party), how many times. Order conditions are never redacted.
* A redacted export names the **unredacted export it derives from** by the SHA-256 of
  the ``timeline.json`` the same export, made at the same moment without redaction,
  gives. ``victim-log export --redact ... --unredacted-copy FULL.zip`` writes that
  copy beside it, so an officer (or the court) can check with ``sha256sum`` or
  ``certutil -hashfile data\\timeline.json SHA256`` that the two belong together.

:func:`build_not_included` makes the schedule while :func:`victim_log.export.case.build_case`
runs (export/derivation.py then adds the unredacted export's hash); :func:`not_included_json`,
:func:`not_included_rows` (``tables.not_included_csv``), :func:`pdf_section` and
:func:`readme_text` render it.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from ..errors import NotFound
from ..textsafe import display_safe
from ..textsafe import plural
from ..vault import IncidentFilter
from . import provenance

if TYPE_CHECKING:
    from ..model import EvidenceItem
    from ..model import IncidentVersion
    from ..vault import IncidentSummary
    from ..vault import Vault

# This module sits below export/case.py (which builds the schedule through it) and
# export/pdf.py (which draws it), so it imports neither: entries, people and the PDF
# document are taken as they come (Any), dates are written by provenance.DATES, and the
# redaction marks are handed in.

__all__ = [
    "NOT_INCLUDED_COLUMNS",
    "DeletedEntry",
    "NotIncluded",
    "PrivateNoteWithheld",
    "Redaction",
    "RemovedFile",
    "build_not_included",
    "not_included_rows",
    "not_included_json",
    "pdf_section",
    "readme_text",
]

KIND_LOCATION = "location"
KIND_THIRD_PARTY = "third party"
_KIND_WORDS = {KIND_LOCATION: "a place", KIND_THIRD_PARTY: "a third party's name or details"}

#: How an officer checks that a redacted copy derives from an unredacted one.
DERIVED_CHECK = (
    "The unredacted export this copy was made from is named by the SHA-256 of its "
    "data/timeline.json. The sender can make that copy at the same moment with "
    "'victim-log export --redact ... --unredacted-copy FULL.zip'. To check it, compute "
    "the SHA-256 of data/timeline.json inside the unredacted bundle (sha256sum, or on "
    "Windows: certutil -hashfile data\\timeline.json SHA256) and compare it with this one."
)


@dataclass(frozen=True)
class PrivateNoteWithheld:
    entry: str  # "Entry 3"
    incident_id: int
    occurred_start: str


@dataclass(frozen=True)
class DeletedEntry:
    incident_id: int
    occurred_start: str
    first_recorded_at: str
    deleted_at: str
    reason: str


@dataclass(frozen=True)
class RemovedFile:
    reference: str  # "" when it never had an exhibit reference
    evidence_id: int
    original_filename: str
    sha256: str
    removed_at: str
    reason: str
    erased: bool
    entries: tuple[str, ...]  # exported entries that cite it

    @property
    def label(self) -> str:
        return self.reference or f"Evidence item {self.evidence_id} (no exhibit reference)"


@dataclass(frozen=True)
class Redaction:
    where: str  # "Entry 3", "Exhibit SM/2", "People", "Order 1"
    incident_id: int | None
    field: str  # "details", "location", ...
    kind: str  # KIND_LOCATION or KIND_THIRD_PARTY
    count: int  # replacements in that field
    whole_field: bool = False


@dataclass(frozen=True)
class NotIncluded:
    private_notes_included: bool
    private_notes: tuple[PrivateNoteWithheld, ...]
    deleted: tuple[DeletedEntry, ...]
    removed_files: tuple[RemovedFile, ...]
    redactions: tuple[Redaction, ...]
    unredacted_sha256: str = ""  # of the unredacted timeline.json; "" when not redacted

    @property
    def empty(self) -> bool:
        return not (self.private_notes or self.deleted or self.removed_files or self.redactions)

    def summary(self) -> str:
        """One line for a title page or README."""
        parts = []
        if self.private_notes:
            parts.append(plural(len(self.private_notes), "private note"))
        if self.deleted:
            parts.append(plural(len(self.deleted), "deleted entry", "deleted entries"))
        if self.removed_files:
            parts.append(plural(len(self.removed_files), "removed file"))
        if self.redactions:
            parts.append(plural(sum(r.count for r in self.redactions), "redaction"))
        return (
            ", ".join(parts)
            if parts
            else "Nothing: no private notes, deleted entries, removed files or redactions."
        )


# ---------------------------------------------------------------------------- building


def _entry(i: Any) -> str:
    return f"Entry {i.number}"


#: The marks redaction writes (export/case.py's LOCATION_REDACTED, THIRD_PARTY_REDACTED).
MARKS = {"location": "[location redacted]", "third party": "[third party redacted]"}
LOCATION_REDACTED, THIRD_PARTY_REDACTED = MARKS["location"], MARKS["third party"]


def _placeholders(value: str) -> tuple[int, int]:
    return value.count(LOCATION_REDACTED), value.count(THIRD_PARTY_REDACTED)


def _compare(where: str, iid: int | None, field: str, before: str, after: str) -> list[Redaction]:
    """What redaction changed in one field: (kind, count) from the placeholders added."""
    if before == after:
        return []
    b_loc, b_third = _placeholders(before)
    a_loc, a_third = _placeholders(after)
    whole = after in (LOCATION_REDACTED, THIRD_PARTY_REDACTED) and before.strip() != after
    out = []
    if a_loc > b_loc:
        out.append(
            Redaction(where, iid, field, KIND_LOCATION, a_loc - b_loc, whole and after == LOCATION_REDACTED)
        )
    if a_third > b_third:
        out.append(
            Redaction(
                where,
                iid,
                field,
                KIND_THIRD_PARTY,
                a_third - b_third,
                whole and after == THIRD_PARTY_REDACTED,
            )
        )
    return out


_FIELDS = (
    ("summary", "summary"),
    ("location", "location"),
    ("details", "details"),
    ("witnesses", "witnesses"),
    ("effect_text", "effect_text"),
    ("actions", "actions"),
    ("source", "source"),
    ("order_condition", "order_condition"),
    ("private_note", "private_note"),
)


def _entry_redactions(inc: Any, hist: Sequence[IncidentVersion]) -> list[Redaction]:
    """What redaction changed in one exported entry (``inc``), against its stored history."""
    out: list[Redaction] = []
    d = hist[-1].data
    where = _entry(inc)
    for field, attr in _FIELDS:
        after = getattr(inc, attr)
        if after is None:  # a private note not exported is listed on its own
            continue
        out += _compare(where, inc.id, field, getattr(d, field), after)
    hidden = sum(1 for p in inc.people if p.name == THIRD_PARTY_REDACTED)
    if hidden:
        out.append(Redaction(where, inc.id, "people (name)", KIND_THIRD_PARTY, hidden, True))
    for h, v in zip(inc.history, hist, strict=False):
        out += _compare(where, inc.id, f"reason for version {h.version}", v.reason, h.reason)
    raw = {v.version: v.data for v in hist}
    for cv in inc.versions[:-1]:  # earlier wording (export/versions.py), redacted alike
        if cv.version not in raw:
            continue
        for field, attr in _FIELDS:
            after = getattr(cv, attr, None)
            if isinstance(after, str):
                label = f"{field} (version {cv.version})"
                out += _compare(where, inc.id, label, getattr(raw[cv.version], field), after)
    return out


def _other_redactions(
    people: Sequence[Any], exhibit_names: Iterable[tuple[str, str, str]]
) -> list[Redaction]:
    """What redaction changed in exhibit names and people, after the entries' own."""
    out: list[Redaction] = []
    for ref, before, after in exhibit_names:
        out += _compare(f"Exhibit {ref}", None, "original file name", before, after)
    for p in people:
        if p.redacted:
            out.append(
                Redaction(
                    "People",
                    None,
                    f"person {p.id} ({p.role_label.lower()}): name and details",
                    KIND_THIRD_PARTY,
                    1,
                    True,
                )
            )
    return out


def _removal(vault: Vault, item: EvidenceItem) -> str:
    """When the item was taken out of use: the first version recorded as deleted."""
    from ..store.records import versions

    for v in versions(vault.conn, "evidence", item.id):
        if v.deleted:
            return v.recorded_at
    return ""


def _listed(vault: Vault, flt: IncidentFilter, page: int = 2000) -> Iterator[IncidentSummary]:
    """The timeline rows ``flt`` selects, oldest first, read a page at a time (only the
    deleted ones are kept: the whole list of a 100,000-entry log is not, #23.8)."""
    offset = 0
    while rows := vault.list_incidents(flt, offset=offset, limit=page, oldest_first=True):
        yield from rows
        offset += len(rows)


def build_not_included(
    vault: Vault,
    options: Any,
    *,
    incidents: Sequence[Any],
    histories: Iterable[Sequence[IncidentVersion]],
    people: Sequence[Any],
    exhibit_names: Iterable[tuple[str, str, str]],
    text: Callable[[str], str],
    given: Mapping[int, str],
) -> NotIncluded:
    """The schedule for one export, from the raw histories and the exported (redacted) case.

    ``exhibit_names``: (reference, name before redaction, name exported) per exhibit;
    ``text``: the export's redaction of free text (deletion and removal reasons may name
    a third party); ``given``: the exhibit references this export gave or found, by
    evidence id (others are looked up; a file never referenced has none).
    ``histories`` (each entry's, in the order of ``incidents``) is read once, one at a
    time: it may be read from the vault as it goes (export/case.py, #23.8).
    """
    private: list[PrivateNoteWithheld] = []
    cited: dict[int, list[str]] = {}
    redactions: list[Redaction] = []
    for inc, hist in zip(incidents, histories, strict=True):
        if not options.include_private and hist[-1].data.private_note.strip():
            private.append(PrivateNoteWithheld(_entry(inc), inc.id, inc.occurred_start))
        for v in hist:
            for eid in v.evidence:
                entries = cited.setdefault(eid, [])
                if _entry(inc) not in entries:
                    entries.append(_entry(inc))
        redactions += _entry_redactions(inc, hist)
    redactions += _other_redactions(people, exhibit_names)

    flt = IncidentFilter(
        start=options.start, end=options.end, person_id=options.person_id, include_deleted=True
    )
    deleted: list[DeletedEntry] = []
    for s in _listed(vault, flt):
        if not s.deleted:
            continue
        versions = vault.incident_history(s.id)
        last = versions[-1]
        told = next((v for v in reversed(versions) if not v.deleted), last)
        deleted.append(
            DeletedEntry(
                s.id,
                told.data.occurred_start,
                last.first_recorded_at,
                last.recorded_at,
                text(display_safe(last.reason, single_line=True)),
            )
        )

    candidates: dict[int, EvidenceItem | None] = {}
    for eid in cited:
        try:
            candidates[eid] = vault.evidence.get(eid)
        except NotFound:
            candidates[eid] = None
    whole_log = not (options.start or options.end or options.person_id is not None or options.incident_ids)
    if whole_log:
        for item in vault.evidence.items(include_removed=True):
            if item.removed or item.erased:
                candidates.setdefault(item.id, item)
    refs = dict(given)
    missing = [e for e in candidates if e not in refs]
    if missing:
        from .. import references

        refs.update({e: r.text for e, r in references.known(vault, missing).items()})

    def reference_of(eid: int) -> str:
        return refs.get(eid, "")

    removed: list[RemovedFile] = []
    for eid, found in sorted(candidates.items()):
        if found is not None and not (found.removed or found.erased):
            continue
        if found is None:
            removed.append(
                RemovedFile(
                    reference_of(eid),
                    eid,
                    "",
                    "",
                    "",
                    "no longer in the log",
                    True,
                    tuple(cited.get(eid, ())),
                )
            )
            continue
        removed.append(
            RemovedFile(
                reference_of(eid),
                eid,
                text(display_safe(found.filename, single_line=True)),
                found.sha256,
                _removal(vault, found),
                text(display_safe(found.removed_reason, single_line=True)),
                found.erased,
                tuple(cited.get(eid, ())),
            )
        )

    return NotIncluded(
        private_notes_included=options.include_private,
        private_notes=tuple(private),
        deleted=tuple(deleted),
        removed_files=tuple(removed),
        redactions=tuple(redactions),
    )


# ---------------------------------------------------------------------------- rendering


def not_included_json(n: NotIncluded) -> dict[str, object]:
    """``not_included`` in timeline.json (docs/export-format.md)."""
    return {
        "private_notes_included": n.private_notes_included,
        "private_notes": [
            {"entry": p.entry, "incident_id": p.incident_id, "occurred_start": p.occurred_start}
            for p in n.private_notes
        ],
        "deleted_entries": [
            {
                "incident_id": d.incident_id,
                "occurred_start": d.occurred_start,
                "first_recorded_at": d.first_recorded_at,
                "deleted_at": d.deleted_at,
                "reason": d.reason,
            }
            for d in n.deleted
        ],
        "removed_files": [
            {
                "reference": f.reference,
                "evidence_id": f.evidence_id,
                "original_filename": f.original_filename,
                "sha256": f.sha256,
                "removed_at": f.removed_at,
                "reason": f.reason,
                "erased": f.erased,
                "entries": list(f.entries),
            }
            for f in n.removed_files
        ],
        "redactions": [
            {
                "where": r.where,
                "incident_id": r.incident_id,
                "field": r.field,
                "kind": r.kind,
                "count": r.count,
                "whole_field": r.whole_field,
            }
            for r in n.redactions
        ],
        "derived_from": (
            {"timeline_json_sha256": n.unredacted_sha256, "how_to_check": DERIVED_CHECK}
            if n.unredacted_sha256
            else None
        ),
    }


NOT_INCLUDED_COLUMNS: tuple[str, ...] = (
    "what",
    "entry_or_reference",
    "incident_id",
    "evidence_id",
    "occurred_start",
    "recorded_or_removed_at",
    "sha256",
    "field",
    "kind",
    "count",
    "reason",
)


def _rows(n: NotIncluded) -> list[list[object]]:
    rows: list[list[object]] = []
    for p in n.private_notes:
        rows.append(
            ["private note", p.entry, p.incident_id, "", p.occurred_start, "", "", "private_note", "", 1, ""]
        )
    for d in n.deleted:
        rows.append(
            ["deleted entry", "", d.incident_id, "", d.occurred_start, d.deleted_at, "", "", "", 1, d.reason]
        )
    for f in n.removed_files:
        rows.append(
            [
                "erased file" if f.erased else "removed file",
                f.label,
                "",
                f.evidence_id,
                "",
                f.removed_at,
                f.sha256,
                "",
                "",
                1,
                f.reason,
            ]
        )
    for r in n.redactions:
        rows.append(
            [
                "redaction",
                r.where,
                r.incident_id or "",
                "",
                "",
                "",
                "",
                r.field,
                r.kind,
                r.count,
                "whole field" if r.whole_field else "",
            ]
        )
    if n.unredacted_sha256:
        rows.append(
            ["derived from", "timeline.json", "", "", "", "", n.unredacted_sha256, "", "", "", DERIVED_CHECK]
        )
    return rows


def not_included_rows(n: NotIncluded | None) -> list[list[object]]:
    """The rows of ``not_included.csv`` (columns :data:`NOT_INCLUDED_COLUMNS`)."""
    return _rows(n) if n is not None else []


def _day(value: str) -> str:
    return provenance.DATES.day(value) if value else "date not known"


def _when(value: str) -> str:
    return provenance.DATES.when(value)


def readme_text(n: NotIncluded | None) -> str:
    """README.txt's account of what is not in the bundle, and of the journal's gaps."""
    lines = [
        "What this export does not include",
        "---------------------------------",
        'Nothing is left out silently. data/timeline.pdf ("Material not included in this',
        'export"), data/not_included.csv and "not_included" in data/timeline.json list:',
        "entries with a private note (date only, never the note), deleted entries (when",
        "each happened, when it was deleted, the reason), removed files (reference,",
        "SHA-256, reason) and every redaction (entry, field, kind).",
    ]
    if n is not None:
        lines.append(f"In this export: {n.summary()}")
        if n.unredacted_sha256:
            lines.append("This copy is redacted. The unredacted timeline.json it derives from has SHA-256")
            lines.append(f"  {n.unredacted_sha256}")
    lines += [
        "",
        "data/journal.jsonl lists every change ever made to the log, in order, each",
        "linked to the one before by its hash. Changes about the incidents and exhibits",
        "in this export are given in full. Every other change (entries outside the",
        "period or selection, deleted entries, removed files, people, orders, settings)",
        'appears only as a placeholder marked "withheld": its hash and position, not',
        "its content. The chain can therefore be checked from the first change to the",
        "last without disclosing what those changes were, and nothing can have been",
        "taken out of the history unseen.",
        "",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- PDF


def pdf_section(pdf: Any, n: NotIncluded | None, *, standalone: bool = False) -> None:
    """The PDF's "Material not included in this export" section."""
    c = pdf.clean
    title = "Material not included in this export"
    if not pdf.section(title, n, "This export does not list what it leaves out.", chapter=True) or n is None:
        return
    pdf.para(
        "Everything the log holds that this export leaves out is listed here by what it "
        "is, never by its content, so nothing is missing without saying so.",
        size=9.5,
        line=4.8,
    )
    pdf.ln(1)

    if pdf.section(
        "Private notes",
        n.private_notes_included or n.private_notes,
        "None of the exported entries has a private note.",
    ):
        if n.private_notes_included:
            pdf.para("Private notes are included in this export, under each entry.")
        else:
            pdf.para(
                f"{plural(len(n.private_notes), 'exported entry has', 'exported entries have')} a private "
                "note the owner kept back. The notes are in the log; their words are not in this export."
            )
            for p in n.private_notes:
                pdf.field(p.entry, c(f"Private note not included (entry dated {_day(p.occurred_start)})"))

    if pdf.section("Deleted entries", n.deleted, "No entry in this export's period was deleted."):
        pdf.para(
            f"{plural(len(n.deleted), 'entry', 'entries')} in this export's period "
            f"{'was' if len(n.deleted) == 1 else 'were'} deleted from the log before export. "
            "Each deletion is recorded with its reason; the deleted text stays in the log's "
            "history and is not in this export."
        )
        for d in n.deleted:
            pdf.field(
                f"Log id {d.incident_id}",
                c(
                    f"Happened {_day(d.occurred_start)}; "
                    f"first recorded {_when(d.first_recorded_at)}; "
                    f"deleted {_when(d.deleted_at)}. Reason given: {d.reason}"
                ),
            )

    if pdf.section(
        "Removed files", n.removed_files, "No file cited by the exported entries was removed from the log."
    ):
        pdf.para(
            f"{plural(len(n.removed_files), 'file')} removed from the log by its owner, so not "
            'included. "Erased" means its key was destroyed and it can never be read again.'
        )
        for f in n.removed_files:
            # An erased file was first taken out of use (that date is known), then
            # erased for good: its name and hash went with it (#17.4), said so plainly.
            facts = [
                "Removed" + (f" on {_when(f.removed_at)}" if f.removed_at else ""),
                "then erased for good (its key destroyed; its name and hash are no longer kept)"
                if f.erased
                else "",
                f"reason given: {f.reason}" if f.reason else "",
                f"file name {f.original_filename}" if f.original_filename and not f.erased else "",
                f"cited by {', '.join(f.entries)}" if f.entries else "",
            ]
            pdf.field(c(f.label), c("; ".join(x for x in facts if x) + "."))
            if f.sha256:
                pdf.field("SHA-256", f.sha256, mono=True, size=8)

    if pdf.section("Redactions", n.redactions, "None: this copy is not redacted."):
        pdf.para(
            "Each place where this copy differs from the log because of redaction: the "
            "entry, the field and the kind of detail replaced. Order conditions are never "
            "redacted."
        )
        for r in n.redactions:
            what = "whole field replaced" if r.whole_field else plural(r.count, "replacement")
            pdf.field(c(r.where), c(f"{r.field}: {_KIND_WORDS.get(r.kind, r.kind)} ({what})"))
        if n.unredacted_sha256:
            pdf.ln(1)
            pdf.field("Derived from", "The unredacted timeline.json with SHA-256")
            pdf.field("", n.unredacted_sha256, mono=True, size=8)
            pdf.field("How to check", DERIVED_CHECK)

    if not standalone:
        pdf.h2("Gaps in the journal")
        pdf.para(
            "journal.jsonl lists every change ever made to the log, in order, each linked to "
            "the one before by its hash. Changes about the entries and exhibits in this export "
            "are given in full; every other change (other periods, deleted entries, removed "
            'files, people, orders, settings) is a placeholder marked "withheld" that keeps '
            "only its hash, so the whole history can be checked without disclosing them."
        )


def pdf_other_people(pdf: Any, people: Sequence[Any]) -> None:
    """The title page's list of everyone else the export names, each with the role the
    victim gave them, so nobody reads as accused because they were named (#16.6)."""
    others = [p for p in people if p.role != "perpetrator"]
    if not others:
        return
    c = pdf.clean
    pdf.h2("Other people named in this log")
    pdf.para(
        "Being named in the log does not say someone did anything: each person is shown "
        'with the role the victim gave them. "Named" means no role was given; people '
        "acting for the perpetrator and third parties are shown as such.",
        size=9,
        line=4.5,
    )
    pdf.ln(1)
    for p in others:
        who = p.name + (f" ({p.relationship})" if p.relationship else "")
        pdf.para(c(f"{who}: {p.role_label.lower()}"), size=10)


def pdf_title_field(pdf: Any, n: NotIncluded | None) -> None:
    """The title page's one line on what is left out, pointing to the full schedule."""
    if n is None:
        return
    text = n.summary()
    if not n.empty:
        text += ': each is listed under "Material not included in this export".'
    if n.unredacted_sha256:
        text += " This copy is redacted; the unredacted export it derives from is named there by hash."
    pdf.field("Not included", pdf.clean(text))
