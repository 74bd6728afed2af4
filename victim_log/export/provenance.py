"""Where each exhibit came from: the provenance an officer writes into a statement (#16.7).

An exhibit is only as good as the account of how it was made and kept. For every
exhibit the export states what the person said at intake (how it was obtained, who
captured it, on what device and when, a description), what the file says about itself
(the EXIF date, GPS position and device read at intake), every name the same bytes
arrived under, and who added it to the log. Where the file's own date does not fall on
the date of the entry it supports, a flag says so in neutral words: a screenshot is
often taken later than the message it shows, and the person who made it can explain.
A defence lawyer who finds the mismatch first makes the victim look careless.

Each exhibit also gets a draft line for a witness statement ("I produce SM/5, a
photograph I took ...") built only from those recorded facts; it is marked as a draft
to be checked, never as the producer's words.

Intake stores these facts in the evidence record's ``metadata["provenance"]`` (keys in
:data:`PROVENANCE_KEYS`); :func:`clean_provenance` validates what a person typed.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from ..errors import BadInput
from ..fields import pick
from ..model import parse_when
from ..textsafe import display_safe

__all__ = [
    "HOW_OBTAINED",
    "PROVENANCE_KEYS",
    "Arrival",
    "EntryDates",
    "ExhibitProvenance",
    "clean_provenance",
    "exhibit_provenance",
    "provenance_json",
]

#: How a file was obtained (machine id -> label). Stable ids: exports carry them.
HOW_OBTAINED: dict[str, str] = {
    "screenshot": "Screenshot",
    "photo": "Photograph",
    "video": "Video recording",
    "audio": "Audio recording",
    "app_export": "Export from an app",
    "received": "Received from someone",
    "download": "Downloaded",
    "scan": "Scan or photo of a paper document",
    "other": "Other",
}

#: Keys of ``metadata["provenance"]`` in an evidence record, all optional text.
PROVENANCE_KEYS: tuple[str, ...] = (
    "how",  # a key of HOW_OBTAINED
    "obtained_from",  # which app it was exported from, or who sent it
    "captured_by",  # who took the photo or screenshot ("me", "my sister Jo")
    "captured_on",  # ISO date or date-time it was captured
    "device",  # on what ("my phone, an iPhone 12")
    "description",  # what it shows
)

_MAX_TEXT = 500
_SELF = frozenset({"", "me", "myself", "i", "victim", "the victim", "self"})


def clean_provenance(values: Mapping[str, str | None], *, resolve: bool = True) -> dict[str, str]:
    """What a person typed at intake, checked: unknown ``how`` or an unreadable date is
    refused with a reason (BadInput); empty values are left out. Never echoes the text.

    A capture time typed without an offset is on the case's clock, so it is resolved
    only once the vault (and its time zone) is open: ``resolve=False`` checks the form
    alone, for the check made before the passphrase is asked for."""
    out: dict[str, str] = {}
    for key in PROVENANCE_KEYS:
        raw = values.get(key)
        if raw is None:
            continue
        if not isinstance(raw, str):
            raise BadInput(f"The exhibit's '{key}' must be text.")
        text = display_safe(raw, single_line=True).strip()
        if not text:
            continue
        if len(text) > _MAX_TEXT:
            raise BadInput(f"The exhibit's '{key}' is too long; a sentence is enough.")
        if key == "how":
            text = text.lower().replace("-", "_")
            if text not in HOW_OBTAINED:
                raise BadInput(f"Unknown way of obtaining a file. Use one of: {', '.join(HOW_OBTAINED)}.")
        elif key == "captured_on":
            if len(text) <= 10:
                text = _day(text)
            elif resolve:
                text = parse_when(text).isoformat(timespec="seconds")
            else:
                _form(text)
        out[key] = text
    return out


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadInput(
            "The capture date must be a date like 2024-03-31 or a date and time like 2024-03-31T18:30."
        ) from None


def _form(text: str) -> None:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(
            "The capture date must be a date like 2024-03-31 or a date and time like 2024-03-31T18:30."
        ) from None


@dataclass(frozen=True)
class Arrival:
    """One more time the same bytes were added, under this name, by this person."""

    filename: str
    added_at: str
    added_by: str
    added_by_label: str


@dataclass(frozen=True)
class EntryDates:
    """An exported entry an exhibit supports, as far as dates go."""

    label: str  # "Entry 3"
    start: str  # ISO, "" when not known
    end: str
    precision: str


@dataclass(frozen=True)
class ExhibitProvenance:
    description: str
    how: str  # key of HOW_OBTAINED, "" when not said
    how_label: str
    obtained_from: str
    captured_by: str
    captured_on: str  # ISO as given at intake
    device: str
    exif_date: str  # as read from the file (naive: the camera's clock, no zone)
    exif_gps: tuple[float, float] | None
    exif_gps_redacted: bool
    exif_device: str
    original_filenames: tuple[str, ...]  # the first name, then every other it arrived with
    added_by: str
    added_by_label: str
    arrivals: tuple[Arrival, ...]
    flags: tuple[str, ...]  # dates that do not agree, in neutral words
    statement: str  # draft line for a witness statement


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if value.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Dates:
    """How the export writes dates and times (export/case.py's format_date,
    format_datetime and local_iso, on the case's clock). Handed in by case.py when it
    is imported (:func:`use_dates`) rather than imported from it, so this module and
    disclosure.py sit below case.py and the import graph has no loop."""

    day: Callable[[str], str]  # "Sun 31 Mar 2024"
    when: Callable[[str], str]  # "Sun 31 Mar 2024 18:30 BST"
    local: Callable[[str], str]  # ISO on the case's clock


DATES = Dates(day=lambda v: v[:10], when=lambda v: v, local=lambda v: v)


def use_dates(dates: Dates) -> None:
    """Set how dates are written (called once, by export/case.py)."""
    global DATES
    DATES = dates


def _case_day(value: str) -> date | None:
    """The calendar date of a stored time on the case zone's clock (as the export
    shows it); a time without a zone (a camera's clock) keeps its own date."""
    dt = _parse(value)
    if dt is None:
        return None
    if dt.tzinfo is None:
        return dt.date()
    local = _parse(DATES.local(value))
    return (local or dt).date()


def _entry_days(e: EntryDates) -> tuple[date, date] | None:
    s = _case_day(e.start)
    if s is None:
        return None
    end = _case_day(e.end) or s
    return s, max(end, s)


def _fmt_day(d: date) -> str:
    return DATES.day(d.isoformat())


def _fmt_when(value: str) -> str:
    """A stored time in words; a date alone stays a date."""
    if len(value.strip()) <= 10:
        return DATES.day(value)
    return DATES.when(value)


def _date_flags(exif: str, captured: str, entries: Sequence[EntryDates]) -> list[str]:
    flags: list[str] = []
    exif_day, captured_day = _case_day(exif), _case_day(captured)
    for day, words in (
        (exif_day, "The date recorded inside the file"),
        (captured_day, "The capture date given when the file was added"),
    ):
        if day is None:
            continue
        for e in entries:
            span = _entry_days(e)
            if span is None or span[0] <= day <= span[1]:
                continue
            side = "before" if day < span[0] else "after"
            entry_day = (
                _fmt_day(span[0]) if span[0] == span[1] else f"{_fmt_day(span[0])} to {_fmt_day(span[1])}"
            )
            flags.append(
                f"{words} ({_fmt_day(day)}) is {side} the date of {e.label} ({entry_day}). "
                + (
                    "A screenshot or photo may be taken later than what it shows; the person "
                    "who made it can explain."
                    if side == "after"
                    else "A camera's clock may be wrong, or the file may show something earlier; "
                    "the person who made it can explain."
                )
            )
    if exif_day is not None and captured_day is not None and exif_day != captured_day:
        flags.append(
            f"The capture date given when the file was added ({_fmt_day(captured_day)}) differs "
            f"from the date recorded inside the file ({_fmt_day(exif_day)})."
        )
    return flags


def _is_self(who: str) -> bool:
    return who.strip().casefold() in _SELF


_PARTICIPLE = {"took": "taken", "recorded": "recorded", "made": "made"}
_WHAT: dict[str, tuple[str, str]] = {  # how -> (noun phrase, verb for "I ...")
    "screenshot": ("a screenshot", "took"),
    "photo": ("a photograph", "took"),
    "video": ("a video", "recorded"),
    "audio": ("an audio recording", "made"),
    "scan": ("a scan of a paper document", "made"),
}


def _statement(
    reference: str,
    p: dict[str, str],
    *,
    media_type: str,
    filename: str,
    sha256: str,
    added_at: str,
    added_by: str,
    added_by_label: str,
    exif_date: str,
    exif_device: str,
) -> str:
    """A draft line from recorded facts only; gaps are left as [brackets] to fill in."""
    how = p.get("how", "")
    who = p.get("captured_by", "")
    device = p.get("device", "")
    src = p.get("obtained_from", "")
    victim_added = added_by in ("", "victim")
    if how in _WHAT:
        noun, verb = _WHAT[how]
        if who and not _is_self(who):
            text = f"{noun} {_PARTICIPLE.get(verb, verb)} by {who}"
        elif who or victim_added:
            text = f"{noun} I {verb}"
        else:
            text = f"{noun} [say who {verb} it]"
    elif how == "app_export":
        text = f"an export from {src or '[which app]'} that I made"
    elif how == "received":
        text = f"a file I received from {src or '[who sent it]'}"
    elif how == "download":
        text = f"a file I downloaded from {src or '[where]'}"
    else:
        kind = media_type.split("/")[0] if media_type else ""
        noun = {"image": "an image", "video": "a video", "audio": "an audio file"}.get(kind, "a file")
        text = f"{noun} [say how it was obtained]"
    if device:
        text += f" on {device}"
    elif how in _WHAT and exif_device:
        text += f" on a device the file names as {exif_device}"
    captured = p.get("captured_on", "")
    if captured:
        dt = _parse(captured)
        if dt is not None and len(captured) > 10:
            day, full = DATES.day(captured), _fmt_when(captured)
            clock = full[len(day) :].strip() if full.startswith(day) else full
            text += f" on {day} at {clock}"
        else:
            text += f" on {_fmt_when(captured)}"
    elif exif_date:
        text += f" on {_fmt_when(exif_date)} (the date recorded inside the file)"
    line = f"I produce {reference}, {text}."
    if p.get("description"):
        line += f" It shows: {p['description'].rstrip('.')}."
    line += f" The file was called {filename}"
    if victim_added:
        line += f"; I added it to my log on {_fmt_when(added_at)}"
    else:
        line += f"; {added_by_label} added it to my log on {_fmt_when(added_at)}"
    line += f" (SHA-256 {sha256[:16]}…)."
    return line


def exhibit_provenance(
    *,
    reference: str,
    filename: str,
    media_type: str,
    sha256: str,
    added_at: str,
    added_by: str,
    metadata: Mapping[str, Any],
    entries: Sequence[EntryDates],
    text: Callable[[str], str],
    author_label: Callable[[str], str],
    hide_gps: bool = False,
) -> ExhibitProvenance:
    """Provenance of one exhibit from its evidence record's facts.

    ``text`` is the export's redaction of free text (a description may name a third
    party); ``hide_gps`` leaves the file's position out when locations are redacted.
    ``filename`` is the (already display-safe and redacted) first name.
    """
    raw = metadata.get("provenance")
    given: dict[str, str] = {}
    if isinstance(raw, Mapping):
        given = {
            k: text(display_safe(str(v), single_line=True))
            for k, v in raw.items()
            if k in PROVENANCE_KEYS and v
        }
    arrivals: list[Arrival] = []
    for a in metadata.get("arrivals") or ():
        if not isinstance(a, Mapping):
            continue
        who = str(a.get("added_by") or "victim")
        arrivals.append(
            Arrival(
                text(display_safe(str(a.get("filename") or ""), single_line=True)),
                str(a.get("added_at") or ""),
                who,
                author_label(who),
            )
        )
        extra = a.get("provenance")
        if isinstance(extra, Mapping):  # what was said the first time stands; fill gaps only
            for k, v in extra.items():
                if k in PROVENANCE_KEYS and v and k not in given:
                    given[k] = text(display_safe(str(v), single_line=True))
    names = tuple(dict.fromkeys([filename, *(a.filename for a in arrivals if a.filename)]))
    exif_date = str(metadata.get("date_taken") or "")
    gps_raw = metadata.get("gps")
    gps: tuple[float, float] | None = None
    if isinstance(gps_raw, list | tuple) and len(gps_raw) == 2:
        try:
            gps = (float(gps_raw[0]), float(gps_raw[1]))
        except (TypeError, ValueError):
            gps = None
    exif_device = text(display_safe(str(metadata.get("device") or ""), single_line=True))
    captured = given.get("captured_on", "")
    flags = _date_flags(exif_date, captured, entries)
    if gps is not None and hide_gps:
        flags.append("The file records a GPS position; it is not shown here because locations are redacted.")
    label = author_label(added_by)
    return ExhibitProvenance(
        description=given.get("description", ""),
        how=given.get("how", ""),
        how_label=HOW_OBTAINED.get(given.get("how", ""), ""),
        obtained_from=given.get("obtained_from", ""),
        captured_by=given.get("captured_by", ""),
        captured_on=captured,
        device=given.get("device", ""),
        exif_date=exif_date,
        exif_gps=None if hide_gps else gps,
        exif_gps_redacted=hide_gps and gps is not None,
        exif_device=exif_device,
        original_filenames=names,
        added_by=added_by,
        added_by_label=label,
        arrivals=tuple(arrivals),
        flags=tuple(flags),
        statement=_statement(
            reference,
            given,
            media_type=media_type,
            filename=filename,
            sha256=sha256,
            added_at=added_at,
            added_by=added_by,
            added_by_label=label,
            exif_date=exif_date,
            exif_device=exif_device,
        ),
    )


def gps_text(gps: tuple[float, float]) -> str:
    return f"{gps[0]:.6f}, {gps[1]:.6f}"


def provenance_json(p: ExhibitProvenance) -> dict[str, object]:
    """The ``provenance`` object of an exhibit in timeline.json (docs/export-format.md)."""
    return {
        "description": p.description,
        "how_obtained": p.how,
        "how_obtained_label": p.how_label,
        **pick(p, "obtained_from", "captured_by", "captured_on", "device"),
        "file_metadata": {
            "date_taken": p.exif_date,
            "gps": list(p.exif_gps) if p.exif_gps is not None else None,
            "gps_redacted": p.exif_gps_redacted,
            "device": p.exif_device,
        },
        "original_filenames": list(p.original_filenames),
        **pick(p, "added_by", "added_by_label"),
        "arrivals": [pick(a, "filename", "added_at", "added_by") for a in p.arrivals],
        "date_flags": list(p.flags),
    }


def author_label(author: str) -> str:
    """Who added a file, in words: "The victim" or "Support worker: Jo" (as in entries)."""
    if not author or author == "victim":
        return "The victim"
    if author.startswith("support:"):
        return f"Support worker: {author[8:].strip()}".rstrip(": ")
    return author


def provenance_for(
    item: Any, reference: str, supports: Sequence[Any], text: Callable[[str], str], *, hide_gps: bool
) -> ExhibitProvenance:
    """:func:`exhibit_provenance` for an :class:`~victim_log.model.EvidenceItem` and the
    exported entries (``CaseIncident``) it supports, as :func:`build_case` calls it."""
    return exhibit_provenance(
        reference=reference,
        filename=text(display_safe(item.filename, single_line=True)),
        media_type=item.media_type,
        sha256=item.sha256,
        added_at=item.added_at,
        added_by=item.added_by,
        metadata=item.metadata,
        entries=[
            EntryDates(f"Entry {i.number}", i.occurred_start, i.occurred_end, i.precision) for i in supports
        ],
        text=text,
        author_label=author_label,
        hide_gps=hide_gps,
    )


# ---------------------------------------------------------------------------- PDF


def pdf_fields(pdf: Any, exhibit: Any) -> None:
    """An exhibit's provenance under its entry in the PDF's exhibit appendix."""
    p = exhibit.provenance
    if p is None:
        return
    c = pdf.clean
    pdf.field("Description", c(p.description) or "Not given")
    how = p.how_label or "Not given"
    if p.obtained_from:
        how += f" ({'from ' if p.how in ('received', 'download', 'app_export') else ''}{p.obtained_from})"
    pdf.field("How obtained", c(how))
    if p.captured_on:
        pdf.field("Captured on", c(_fmt_when(p.captured_on)))
    pdf.field("Captured by", c(p.captured_by))
    pdf.field("Device", c(p.device))
    inside = []
    if p.exif_date:
        zone = "" if _has_zone(p.exif_date) else " (camera clock; the file gives no time zone)"
        inside.append(f"date taken {_fmt_when(p.exif_date)}{zone}")
    if p.exif_gps is not None:
        inside.append(f"GPS {gps_text(p.exif_gps)}")
    elif p.exif_gps_redacted:
        inside.append("GPS position (not shown: locations redacted)")
    if p.exif_device:
        inside.append(f"device {p.exif_device}")
    pdf.field(
        "In the file", c("; ".join(inside)) if inside else "No date, position or device recorded in the file"
    )
    if len(p.original_filenames) > 1:
        pdf.field("Also arrived as", c("\n".join(p.original_filenames[1:])))
    pdf.field("Added by", c(p.added_by_label))
    for a in p.arrivals:
        if a.added_by != p.added_by:
            pdf.field("Also added by", c(f"{a.added_by_label}, {_fmt_when(a.added_at)} ({a.filename})"))
    for flag in p.flags:
        pdf.field("Check", c(flag))


def _has_zone(value: str) -> bool:
    dt = _parse(value)
    return dt is not None and dt.tzinfo is not None


def pdf_statements(pdf: Any, exhibits: Sequence[Any]) -> None:
    """Appendix: a draft statement line per exhibit, to check and correct before use."""
    c = pdf.clean
    if not pdf.section(
        "Appendix C: Draft lines for a witness statement",
        exhibits,
        "There are no exhibits in this export.",
        chapter=True,
    ):
        return
    pdf.para(
        "One draft line per exhibit, built only from what was recorded when each file was "
        "added (how it was obtained, who captured it, when and on what) and what the file "
        "records about itself. They are drafts for the officer taking the statement and the "
        "witness to check together, not the witness's own words. Words in [brackets] were "
        "not recorded and must be filled in or removed.",
        size=9.5,
        line=4.8,
    )
    pdf.ln(2)
    for e in exhibits:
        if e.provenance is not None:
            pdf.field(c(e.reference), c(e.provenance.statement))
            pdf.ln(0.8)


#: exhibits.csv columns added after the original ten (docs/export-format.md).
PROVENANCE_COLUMNS: tuple[str, ...] = (
    "description",
    "how_obtained",
    "obtained_from",
    "captured_by",
    "captured_on",
    "device",
    "file_date_taken",
    "file_gps",
    "file_device",
    "original_filenames",
    "added_by_label",
    "date_flags",
    "statement",
)


def provenance_cells(p: ExhibitProvenance | None) -> list[object]:
    """The :data:`PROVENANCE_COLUMNS` cells of one exhibit (empty when unknown)."""
    if p is None:
        return [""] * len(PROVENANCE_COLUMNS)
    gps = gps_text(p.exif_gps) if p.exif_gps is not None else ("redacted" if p.exif_gps_redacted else "")
    return [
        p.description,
        p.how,
        p.obtained_from,
        p.captured_by,
        p.captured_on,
        p.device,
        p.exif_date,
        gps,
        p.exif_device,
        "; ".join(p.original_filenames),
        p.added_by_label,
        " | ".join(p.flags),
        p.statement,
    ]
