"""Likely duplicates between entries the victim typed and messages being imported.

Why: a victim often logs a message the evening it arrives ("He texted: you can't
hide") and months later imports the whole chat. Both then stand in the timeline and
one message is counted twice; a defence lawyer will call every count inflated. The
two are not the same thing (one is the victim's account, the other the record), so
nothing is merged or dropped silently: the import *reports* each likely pair and,
only when asked (``--skip-duplicates``, or the wizard's box), leaves the imported
copy out; each one left out is listed, and it stays in the raw export exhibit.

A pair is "likely" when all of these hold (deliberately strict, since it is shown
to a frightened person as a question):

* the typed entry is the victim's or a support worker's own (not imported), not
  deleted, with an exact time within :data:`WINDOW_MINUTES` of the message (an
  approximate time: within :data:`APPROX_WINDOW_MINUTES`); an entry with only a
  date is never matched;
* it names the same person, or nobody;
* their words are alike: most of the message's words (ignoring the commonest small
  words) appear in the typed summary and details (:data:`MIN_CONTAINMENT`), or
  the two word sets overlap by :data:`MIN_JACCARD`. A call, which has no words,
  matches a typed entry of kind phone call or voicemail within
  :data:`CALL_WINDOW_MINUTES`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from ..imported import is_imported
from ..store import imports as import_log
from .records import ParsedItem

if TYPE_CHECKING:
    from ..vault import Vault

__all__ = [
    "WINDOW_MINUTES",
    "PossibleDuplicate",
    "TypedEntry",
    "find_duplicates",
    "similarity",
    "tokens",
    "typed_entries",
]

WINDOW_MINUTES = 5
APPROX_WINDOW_MINUTES = 30
CALL_WINDOW_MINUTES = 2
MIN_CONTAINMENT = 0.6
MIN_JACCARD = 0.5
MIN_TOKENS = 2

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "he",
        "her",
        "him",
        "his",
        "i",
        "im",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "with",
        "you",
        "your",
        "youre",
    ]
)
_APOSTROPHES = re.compile("['\u2019\u2018\u02bc`]")
_WORD = re.compile(r"\w+")


def tokens(text: str) -> frozenset[str]:
    """The words that carry meaning, lower-case ("don't" and "dont" alike)."""
    words = _WORD.findall(_APOSTROPHES.sub("", text[:20_000]).casefold())
    return frozenset(
        w for w in words if (w not in _STOPWORDS and not w.isdigit()) or (w.isdigit() and len(w) > 3)
    )


def similarity(message: frozenset[str], typed: frozenset[str]) -> float:
    """How alike a message and a typed entry read, 0..1: the share of the message's
    words found in the entry when that reaches :data:`MIN_CONTAINMENT`, else their
    Jaccard overlap when that reaches :data:`MIN_JACCARD`, else 0 (not alike). A
    message of fewer than :data:`MIN_TOKENS` words is never alike."""
    if len(message) < MIN_TOKENS or not typed:
        return 0.0
    inter = len(message & typed)
    containment = inter / len(message)
    if containment >= MIN_CONTAINMENT:
        return containment
    jaccard = inter / len(message | typed)
    return jaccard if jaccard >= MIN_JACCARD else 0.0


@dataclass(frozen=True)
class TypedEntry:
    """A typed entry, reduced to what matching needs (no text is kept beyond its words)."""

    id: int
    start: datetime  # aware
    approximate: bool
    people: tuple[int, ...]
    kinds: tuple[str, ...]
    words: frozenset[str]


@dataclass(frozen=True)
class PossibleDuplicate:
    """One imported item that may be the same as a typed entry. Names no content."""

    ref: str  # where in the export ("line 10", "sms #4")
    incident_id: int  # the typed entry
    minutes_apart: int
    similarity: float  # 0..1 (0 for a call matched on time and kind)
    skipped: bool = False  # left out of this import (--skip-duplicates)

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "incident_id": self.incident_id,
            "minutes_apart": self.minutes_apart,
            "similarity": round(self.similarity, 2),
            "skipped": self.skipped,
        }

    def describe(self) -> str:
        """One line for the CLI and the wizard (ids and numbers only)."""
        apart = "the same minute" if self.minutes_apart == 0 else f"{self.minutes_apart} min apart"
        what = "left out" if self.skipped else "imported too"
        return f"{self.ref}: may be the same as entry {self.incident_id} you typed ({apart}); {what}"


def _aware(value: str) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.astimezone()


def typed_entries(vault: Vault) -> list[TypedEntry]:
    """The vault's own (not imported) current entries with a usable time, oldest first.

    Imported entries are known from the import memory (``imported_items``) without
    reading them, so a vault of 100,000 imported messages reads only its typed ones.
    """
    ids = import_log.typed_with_time(vault.conn)
    out: list[TypedEntry] = []
    for start in range(0, len(ids), 500):
        for v in vault.get_incidents(ids[start : start + 500]):
            d = v.data
            if is_imported(d.author, d.source):
                continue
            when = _aware(d.occurred_start)
            if when is None:
                continue
            out.append(
                TypedEntry(
                    v.incident_id,
                    when,
                    d.precision == "approximate",
                    d.people,
                    d.kinds,
                    tokens(f"{d.summary}\n{d.details}"),
                )
            )
    out.sort(key=lambda t: (t.start, t.id))
    return out


def _item_words(item: ParsedItem) -> frozenset[str]:
    return tokens(f"{item.subject or ''}\n{item.text}")


def find_duplicates(
    typed: Sequence[TypedEntry],
    items: Iterable[tuple[ParsedItem, str]],
    person_ids: Iterable[int] = (),
) -> list[PossibleDuplicate]:
    """Each item (with its stored time, ISO with offset) that is likely one of ``typed``.

    One result per item at most: the closest in words, then in time.
    """
    if not typed:
        return []
    people = set(person_ids)
    starts = [t.start for t in typed]
    widest = timedelta(minutes=max(WINDOW_MINUTES, APPROX_WINDOW_MINUTES, CALL_WINDOW_MINUTES))
    found: list[PossibleDuplicate] = []
    for item, stamp in items:
        when = _aware(stamp)
        if when is None:
            continue
        lo = bisect.bisect_left(starts, when - widest)
        hi = bisect.bisect_right(starts, when + widest)
        if lo >= hi:
            continue
        call = item.kind == "phone_call" or (item.kind == "voicemail" and not item.text.strip())
        words = frozenset() if call else _item_words(item)
        best: tuple[float, float, TypedEntry] | None = None
        for t in typed[lo:hi]:
            if t.people and not (people & set(t.people)):
                continue
            apart = abs((t.start - when).total_seconds()) / 60
            if call:
                if apart > CALL_WINDOW_MINUTES or not {"phone_call", "voicemail"} & set(t.kinds):
                    continue
                score = 0.0
            else:
                if apart > (APPROX_WINDOW_MINUTES if t.approximate else WINDOW_MINUTES):
                    continue
                score = similarity(words, t.words)
                if score == 0.0:
                    continue
            if best is None or (score, -apart) > (best[0], -best[1]):
                best = (score, apart, t)
        if best is not None:
            found.append(PossibleDuplicate(item.source_ref, best[2].id, round(best[1]), best[0]))
    return found
