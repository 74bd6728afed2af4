"""The review queue (#18, support workers): what would weaken the log, entry by entry.

A support worker (a stalking advocate, an IDVA) reads a diary before it goes to the
police and asks the victim the questions an officer or a defence lawyer would: when
exactly, where, what were the words, how did it affect you, which entry does this
photo belong to. :func:`review` lists those questions as :class:`Finding` values, each
with the entry (or evidence file) it is about, a stable ``kind`` code and one kind,
plain sentence saying why it matters and what to do.

It is advice, never a verdict: a finding is something to ask about, and "I don't
know" is a fine answer (the sentences say so). The sentences hold ids, dates and
counts only, never the diary's words, so they are safe in any output.

Not reviewed: deleted entries and the victim's own messages kept from an import for
context. Imported records (messages, calls from a phone's export) are the sender's
words as exported, so they are not asked for "exact words" or "effect".
Qt-free; reads the vault through its public methods only.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import tzinfo
from typing import TYPE_CHECKING

from . import casetime
from .breaches import check_breach
from .imported import is_context
from .imported import is_imported
from .imported import parse_source
from .model import IncidentVersion
from .model import Order
from .textsafe import plural

if TYPE_CHECKING:
    from .model import EvidenceItem
    from .vault import Vault

__all__ = ["GAP_DAYS", "KINDS", "Finding", "review", "review_vault"]

#: Finding kinds, in the order an entry's findings are listed (machine ids: ``review
#: --json`` ``kind``; extend, never rename).
KINDS: tuple[str, ...] = (
    "no_time",
    "no_place",
    "no_exact_words",
    "no_effect",
    "names_nobody",
    "no_police_reference",
    "complete_later",
    "breach_outside_order",
    "long_gap",
    "unlinked_evidence",
)

#: Days with nothing logged between two entries before the review asks about them.
GAP_DAYS = 30

#: Kinds of contact made with words: an entry of one of these is asked for the words.
WORD_KINDS = frozenset({"message", "phone_call", "voicemail", "email", "social_media", "threat"})
#: Contact at a distance: where the victim was adds little, so no "no place" question
#: for an entry of these kinds only.
REMOTE_KINDS = frozenset({"message", "phone_call", "voicemail", "email", "social_media"})
_BATCH = 500


@dataclass(frozen=True)
class Finding:
    """One thing to ask about: ``kind`` (one of :data:`KINDS`), the entries
    (``incident_ids``, both sides of a gap) or evidence files (``evidence_ids``) it is
    about, the day it is on (``YYYY-MM-DD`` on the case's clock, ``""`` none) and
    ``message``, a sentence with ids and dates only."""

    kind: str
    message: str
    incident_ids: tuple[int, ...] = ()
    evidence_ids: tuple[int, ...] = ()
    day: str = ""

    @property
    def entry_id(self) -> int | None:
        """The entry to open for this finding (the later one of a gap), or None."""
        return self.incident_ids[-1] if self.incident_ids else None


def _day(when: str, zone: tzinfo) -> date | None:
    dt = casetime.parse_instant(when)
    return None if dt is None else casetime.in_zone(dt, zone).date()


def _day_words(iso_day: str) -> str:
    return casetime.day_text(date.fromisoformat(iso_day))


def _entry_findings(
    v: IncidentVersion, day: date | None, orders: Sequence[Order], zone: tzinfo
) -> list[Finding]:
    d = v.data
    n = v.incident_id
    on = day.isoformat() if day else ""
    record = is_imported(d.author, d.source)
    out: list[Finding] = []

    def add(kind: str, text: str) -> None:
        out.append(Finding(kind, text, (n,), (), on))

    if not d.occurred_start:
        add(
            "no_time",
            f"Entry {n} has no date. If you can work out roughly when it happened, even just the "
            "week or the month, add it: police put every incident in order to show the pattern. "
            "If you really cannot tell, that is fine.",
        )
    elif d.precision in ("day", "unknown_time"):
        add(
            "no_time",
            f"Entry {n} has a date but no time. If you remember roughly when it was (morning, about "
            "9pm), add it and choose 'approximate': police use the time to match your account with "
            "phone records and cameras. If you do not remember, leave it as it is.",
        )
    if not d.location.strip() and not record and not set(d.kinds) <= REMOTE_KINDS:
        add(
            "no_place",
            f"Entry {n} does not say where it happened. A street, 'outside my work' or 'at home' "
            "helps police look for witnesses and cameras.",
        )
    if not record and WORD_KINDS & set(d.kinds) and not d.details.strip():
        add(
            "no_exact_words",
            f"Entry {n} is a message, call or threat but does not record what was said. If you can, "
            "add the exact words (or attach a screenshot): exact words are often the strongest "
            "evidence. If you only remember the gist, write that and say so.",
        )
    if not record and not d.effects and not d.effect_text.strip():
        add(
            "no_effect",
            f"Entry {n} does not say how it affected you. Adding how you felt or what you changed "
            "(for example, you were afraid, or you changed your route) matters: the law asks what "
            "effect the behaviour had on you.",
        )
    if not d.people:
        add(
            "names_nobody",
            f"Entry {n} does not name anyone. If you know or believe who it was, add them: police "
            "need to link each incident to a person. If you do not know, you can leave it.",
        )
    p = d.police
    if not p.is_empty() and not p.reference.strip():
        add(
            "no_police_reference",
            f"Entry {n} says it was reported to the police but has no reference number. If you have "
            "the crime or incident number (it is often in a text or letter from the police), add it "
            "so the officer can find the report.",
        )
    if d.complete_later:
        add(
            "complete_later",
            f"Entry {n} is marked 'complete later'. When you feel able, finish it, or take the mark "
            "off if there is nothing more to add.",
        )
    check = check_breach(d, orders, zone=zone)
    if check is not None and check.outside_term:
        add(
            "breach_outside_order",
            f"Entry {n} is recorded as a breach of an order, but by the dates in this log the order "
            f"was not in force then. {check.text(_day_words)} Please check the entry's date and the "
            "order's dates: a defence lawyer checks these first.",
        )
    return out


def _gap(before: tuple[int, date], after: tuple[int, date]) -> Finding:
    days = (after[1] - before[1]).days
    a, b = casetime.day_text(before[1]), casetime.day_text(after[1])
    return Finding(
        "long_gap",
        f"Nothing is logged for {plural(days, 'day')} between entry {before[0]} ({a}) and entry "
        f"{after[0]} ({b}). A gap is not a problem, and quiet times are normal. It is only worth "
        "asking: did anything happen in that time that is not written down yet?",
        (before[0], after[0]),
        (),
        after[1].isoformat(),
    )


def _unlinked(item: EvidenceItem) -> Finding:
    return Finding(
        "unlinked_evidence",
        f"Evidence file {item.id} is not linked to any entry. Attach it to the entry it belongs to, "
        "so an officer can see what it shows and when it happened.",
        (),
        (item.id,),
        "",
    )


def review(
    versions: Iterable[IncidentVersion],
    orders: Sequence[Order],
    evidence: Iterable[EvidenceItem],
    *,
    zone: tzinfo,
    gap_days: int = GAP_DAYS,
) -> list[Finding]:
    """The findings for these entries (current versions, oldest first), the vault's
    orders and its evidence items (removed ones are skipped). Pure: no vault, no clock.

    Deleted entries and context entries are skipped; a file cited only by a deleted
    entry is not linked (the export leaves that entry out), one a context entry cites
    is; entries are listed in the order given, a gap just before the
    entry that ends it, files not linked to any entry last.
    """
    out: list[Finding] = []
    linked: set[int] = set()
    previous: tuple[int, date] | None = None
    for v in versions:
        if v.deleted:
            continue
        linked.update(v.evidence)
        source = parse_source(v.data.source)
        if source is not None:
            linked.add(source.evidence_id)
        if is_context(v.data.author):
            continue
        day = _day(v.data.occurred_start, zone)
        if day is not None:
            if previous is not None and (day - previous[1]).days > gap_days:
                out.append(_gap(previous, (v.incident_id, day)))
            if previous is None or day >= previous[1]:
                previous = (v.incident_id, day)
        out.extend(_entry_findings(v, day, orders, zone))
    out.extend(_unlinked(e) for e in evidence if not e.removed and e.id not in linked)
    return out


def review_vault(vault: Vault, *, gap_days: int = GAP_DAYS) -> list[Finding]:
    """:func:`review` of everything in an unlocked vault, on the case's clock
    (``casetime.active_zone()``: the CLI and the app set it from the vault)."""
    ids = [s.id for s in vault.list_incidents(oldest_first=True)]

    def versions() -> Iterable[IncidentVersion]:
        for start in range(0, len(ids), _BATCH):
            yield from vault.get_incidents(ids[start : start + _BATCH])

    return review(
        versions(),
        vault.list_orders(),
        vault.evidence.items(),
        zone=casetime.active_zone(),
        gap_days=gap_days,
    )
