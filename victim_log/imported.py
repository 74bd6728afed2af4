"""Which entries are imported records, and how to name them to an officer.

Why this exists: an entry made from a chat export or a phone backup is a *record*
(the sender's own words, dated by the phone), not the victim's recollection. A
defence lawyer who reads "recorded 412 days later" under a WhatsApp message will say
the victim waited a year to write it down; a reader who sees "author: victim" under
the perpetrator's words will say the victim typed them. So every place an officer
or the victim sees an entry asks these functions what it is:

* ``author`` of an imported entry is :data:`AUTHOR_IMPORTED` (``"imported"``); the
  victim's own replies kept from an import as *context* (they asked him to stop) are
  :data:`AUTHOR_CONTEXT` (``"imported:context"``). Context entries are not incidents:
  exports never count, chart or list them as breaches.
* Entries imported before this label existed say ``author: "victim"`` but carry a
  source ``import:<format> exhibit <id> <where>``; they count as imported too.

Qt-free and dependency-free: the export, the CLI and the app all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "AUTHOR_CONTEXT",
    "AUTHOR_IMPORTED",
    "DEFAULT_GROUP_MINUTES",
    "IMPORT_FORMATS",
    "ImportSource",
    "author_label",
    "import_provenance",
    "imported_as",
    "is_context",
    "is_imported",
    "parse_source",
]

AUTHOR_IMPORTED = "imported"
AUTHOR_CONTEXT = "imported:context"

#: Messages this many minutes apart become one entry unless the person says otherwise
#: (``import --group-minutes 0``: one entry per message). Ten minutes keeps a burst of
#: messages together as the victim lived it, and one message counted once, without
#: joining an evening's separate contacts; each message keeps its own time and words.
DEFAULT_GROUP_MINUTES = 10

#: Every ``import --format`` the app reads, named once: the command line offers these
#: choices and the import service dispatches on them (this module is light enough for
#: the parser, which must not load the importers to start up).
IMPORT_FORMATS = (
    "whatsapp",
    "sms-backup",
    "calls",
    "email",
    "photos",
    "signal",
    "telegram",
    "messenger",
    "imessage",
    "iphone-backup",
    "iphone-calls",
    "proofmode",
    "tella",
)

#: What each import format's items are, as an officer would say it.
_WHAT: dict[str, tuple[str, str, str]] = {
    # format: (one item, several items, how it was obtained)
    "whatsapp": ("message", "messages", "as exported"),
    "sms-backup": ("message", "messages", "as exported"),
    "email": ("email", "emails", "as exported"),
    "calls": ("call", "calls", "as logged by the phone"),
    "photos": ("photo", "photos", "as imported"),
}

_SOURCE = re.compile(r"import:(?P<fmt>[a-z][a-z-]*) exhibit (?P<eid>[0-9]+)(?: (?P<where>.*))?", re.DOTALL)


@dataclass(frozen=True)
class ImportSource:
    """An imported entry's ``source`` field, read back: format, exhibit, place in it."""

    format: str
    evidence_id: int
    where: str  # "line 10", "sms #3", "line 10 to line 14", or ""


def parse_source(source: str) -> ImportSource | None:
    """``import:whatsapp exhibit 9 line 10`` as its parts; None for anything else."""
    m = _SOURCE.fullmatch(source.strip())
    if m is None:
        return None
    try:
        eid = int(m.group("eid"))
    except ValueError:  # pragma: no cover - the pattern only lets digits through
        return None
    return ImportSource(m.group("fmt"), eid, (m.group("where") or "").strip())


def is_imported(author: str, source: str) -> bool:
    """Whether an entry is an imported record rather than someone's own account.

    An entry made for a photo (``import --format photos --make-incidents``) is not: it
    is a placeholder the victim completes in their own words.
    """
    if author == AUTHOR_IMPORTED or author.startswith("imported:"):
        return True
    parsed = parse_source(source)
    return parsed is not None and parsed.format != "photos"


def is_context(author: str) -> bool:
    """Whether an entry is the victim's own message kept for context (not an incident)."""
    return author == AUTHOR_CONTEXT


def author_label(author: str) -> str | None:
    """Officer-facing words for an imported entry's author; None for anyone else."""
    if author == AUTHOR_CONTEXT:
        return "Imported record: the victim's own message, kept as context"
    if author == AUTHOR_IMPORTED or author.startswith("imported:"):
        return "Imported record (from an export, not typed by the victim)"
    return None


def imported_as(source: str, cited: str) -> str:
    """What an imported entry is and where it is in the evidence, for an officer:
    ``message as exported (SM/4, line 10)``.

    ``source`` is the stored ``import:<format> exhibit <id> <where>``; ``cited`` is the
    same with the exhibit's reference for the internal id
    (:func:`victim_log.references.cite_source`). "" when ``source`` is not an import's.
    """
    parsed = parse_source(source)
    if parsed is None:
        return ""
    one, many, how = _WHAT.get(parsed.format, ("record", "records", "as imported"))
    what = many if " to " in parsed.where else one
    return f"{what} {how} ({cited.strip()})" if cited.strip() else f"{what} {how}"


#: Where each import format's files come from, for an exhibit's "how obtained".
_OBTAINED_FROM: dict[str, str] = {
    "whatsapp": "WhatsApp (Export chat)",
    "sms-backup": "the phone's messages (SMS Backup & Restore)",
    "calls": "the phone's call log (SMS Backup & Restore)",
    "email": "an email program (.eml or .mbox)",
}


def import_provenance(fmt: str, *, attachment: bool = False) -> dict[str, str]:
    """An imported file's provenance (see :mod:`victim_log.export.provenance`): exported
    from an app, which one, and what it is, so its exhibit never says "how obtained:
    not given" or reads like a file the victim made."""
    source = _OBTAINED_FROM.get(fmt, fmt)
    what = "a file inside an export" if attachment else "the export file, unchanged"
    return {
        "how": "app_export",
        "obtained_from": source,
        "description": f"{what}, imported into the log by Victim Log",
    }
