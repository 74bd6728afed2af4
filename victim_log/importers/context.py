"""The victim's own replies worth keeping from an import: "please stop", "leave me alone".

Why: under the Protection from Harassment Act 1997 s.1 the question is whether he
knew or ought to have known that his conduct amounted to harassment. A message in
which the victim told him to stop answers it, and it sits in the very export being
imported. Before this module such replies stayed inside the raw exhibit only, so
the timeline showed his messages without the "please stop" between them.

What is kept, conservatively (a false "asked to stop" would be worse than a missed
one, and everything stays in the raw exhibit anyway):

* only messages the victim sent (see :class:`ContextCollector` for how we know), and
* only those matching :data:`STOP_PHRASES`, case-insensitive, curly apostrophes read
  as straight ones. The list is short on purpose: "stop" alone matches only as a
  whole message ("Stop.", "stop it", "STOP please"), never inside "bus stop" or "I'll
  stop by".

They become *context entries* (author :data:`~victim_log.imported.AUTHOR_CONTEXT`):
shown in the timeline and the export as "You replied: ...", never counted as
incidents, charted or listed as breaches. ``import --no-context`` turns this off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..imported import AUTHOR_CONTEXT
from ..model import IncidentData
from ..textsafe import display_safe
from .records import ParsedItem

__all__ = [
    "STOP_PHRASES",
    "ContextCollector",
    "asks_to_stop",
    "context_incident",
]

_CONTACT = (
    r"(?:contact\w*|messag\w*|text\w*|call\w*|ring\w*|phon\w*|email\w*|e-mail\w*|writ\w*|send\w*"
    r"|follow\w*|watch\w*|harass\w*|bother\w*|pester\w*|stalk\w*|com\w* (?:near|round|to|over)"
    r"|turn\w* up|show\w* up)"
)

#: The phrases, as regular expressions over lower-case text with straight apostrophes.
#: Documented in README ("Importing") and docs/export-format.md; add with care.
STOP_PHRASES: tuple[str, ...] = (
    # "stop messaging me", "stop calling", "stop following me"
    rf"\bstop {_CONTACT}",
    # "please stop", "just stop", "pls stop"
    r"\b(?:please|pls|plz|just) stop\b",
    # the whole message is "stop" ("Stop.", "STOP IT", "stop please", "stop now!!")
    r"^\W*stop(?: (?:it|this|now|please|that))*\W*$",
    r"\bleave me alone\b",
    r"\bleave me be\b",
    # "don't contact me", "do not message me", "never call me again"
    rf"\b(?:don't|dont|do not|never) (?:ever )?{_CONTACT} me\b",
    r"\b(?:don't|dont|do not|never) (?:ever )?(?:come|go) (?:near|to|round|anywhere near) (?:me|my)\b",
    # "I don't want to hear from you", "I don't want you to contact me", "I don't want any contact"
    r"\bi (?:don't|dont|do not) want (?:to (?:hear from|talk to|speak to|see|be with) you"
    rf"|you (?:to )?(?:{_CONTACT}|near|in my life|anywhere near)"
    r"|any(?:thing)? (?:more )?(?:contact|to do with you)|(?:any )?contact)",
    r"\bstay away from (?:me|my)\b",
    r"\bget away from me\b",
    # "go away" only as the message's own words, not "we could go away for the weekend"
    r"^\W*(?:please |just )?go away\b",
    r"\bno (?:more |further )?contact (?:with|from) you\b",
    r"\bleave me and my\b",
)

#: Flags of messages that were never sent: he cannot have read them.
_NOT_SENT = frozenset({"draft", "outbox", "failed", "queued"})

_STOP = re.compile("|".join(f"(?:{p})" for p in STOP_PHRASES), re.IGNORECASE | re.MULTILINE)
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


#: Every phrase holds one of these, so most messages are passed over without the
#: regular expression (a backup holds tens of thousands of the victim's own messages).
_CUES = ("stop", "leave me", "don", "do not", "never", "away", "contact")


def asks_to_stop(text: str) -> bool:
    """Whether a message asks its reader to stop contacting the writer (see the list)."""
    if not text or len(text) > 20_000:
        return False
    low = text.translate(_APOSTROPHES).casefold()
    if not any(cue in low for cue in _CUES):
        return False
    return _STOP.search(low) is not None


def _digits(text: str) -> str:
    d = re.sub(r"\D", "", text)
    if d.startswith("44") and len(d) >= 11:
        d = "0" + d[2:]
    return d


@dataclass
class _Candidate:
    item: ParsedItem
    order: int  # position in the export, so replies keep their place


class ContextCollector:
    """Sees every item of an import that is *not* the named sender's; keeps the
    victim's replies that ask to stop.

    Which messages are the victim's: those the source marks as sent by the phone's
    owner (SMS "sent", a WhatsApp "You deleted this message", an email from ``me``),
    then in a chat the sender named ``me`` or, failing that, the sender of any message
    the export marks as the owner's. A WhatsApp chat that says neither is decided at
    :meth:`finish`: when exactly one other person wrote in it, that is the victim.
    Otherwise nothing is kept and :attr:`note` says why (``--me`` fixes it).

    Only the candidates (messages matching a phrase) are held, so a backup of
    hundreds of thousands of messages costs a regular expression per message.
    """

    def __init__(self, wanted: Iterable[str], me: str | None, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._me = me.strip().casefold() if me and me.strip() else None
        self._names = {w.strip().casefold() for w in wanted if w.strip()}
        self._numbers = {d for d in (_digits(w) for w in wanted) if len(d) >= 6}
        self._owner_names: set[str] = set()
        self._candidates: list[_Candidate] = []
        self._other_senders: set[str] = set()
        self._seen = 0
        self.note = ""

    def _is_wanted(self, value: str) -> bool:
        v = value.strip()
        if not v:
            return False
        if v.casefold() in self._names:
            return True
        return bool(self._numbers) and _digits(v) in self._numbers

    def _to_wanted(self, item: ParsedItem) -> bool:
        """A sent SMS or email: addressed to the named person? (A chat: always.)"""
        if not item.recipients:
            return True
        return any(self._is_wanted(r) for r in item.recipients)

    def offer(self, item: ParsedItem) -> None:
        """Look at one item that did not match the named sender."""
        if not self.enabled or "system" in item.flags or item.kind not in ("message", "email"):
            return
        if item.flags & _NOT_SENT:
            return  # a draft or a message that never left the phone was never read by him
        self._seen += 1
        sender = item.sender.strip().casefold()
        if item.direction == "out" and sender:
            self._owner_names.add(sender)
        if item.direction == "in" or (sender and self._is_wanted(item.sender)):
            return
        if item.sender_id and self._is_wanted(item.sender_id):
            return
        if sender and item.direction == "unknown":
            self._other_senders.add(sender)
        text = item.text if item.kind == "message" else f"{item.subject or ''}\n{item.text}"
        if asks_to_stop(text):
            self._candidates.append(_Candidate(item, self._seen))

    def _mine(self, item: ParsedItem, owner: set[str]) -> bool:
        if item.direction == "out":
            return self._to_wanted(item)
        sender = item.sender.strip().casefold()
        return bool(sender) and sender in owner

    def finish(self) -> list[ParsedItem]:
        """The victim's replies that ask to stop, in export order."""
        if not self.enabled or not self._candidates:
            return []
        owner = set(self._owner_names)
        if self._me:
            owner.add(self._me)
        if not owner and any(c.item.direction == "unknown" for c in self._candidates):
            # A two-person chat with no "me" marked: the one other writer is the victim.
            # A phone number that wrote is often the named person's new number (WhatsApp
            # names a changed number by its digits), so it does not count as a writer.
            people = {s for s in self._other_senders if len(_digits(s)) < 6 or re.search(r"[^\W\d_]", s)}
            if len(people) == 1:
                owner = people
            else:
                self.note = (
                    "We couldn't tell which messages in this chat are yours, so none of your "
                    "replies were kept as context. Give your own name with --me NAME."
                )
        return [c.item for c in self._candidates if self._mine(c.item, owner)]


def context_incident(
    item: ParsedItem, *, when: str, person_id: int | None, source: str, kinds: tuple[str, ...]
) -> IncidentData:
    """The context entry for one reply: "You replied: ..." with the exact words in details."""
    # An email's words are its body (where "please stop" is); its subject goes first in
    # the details, as for the sender's emails.
    body = item.text if item.text.strip() or not item.subject else item.subject
    if item.subject and item.kind == "email":
        body = f"Subject: {item.subject}\n{item.text}" if item.text.strip() else f"Subject: {item.subject}"
    shown = item.text if item.text.strip() else (item.subject or "")
    first = display_safe(shown[:400], single_line=True).strip()
    if len(first) > 80:
        first = first[:77] + "…"
    details = body
    if item.occurred_at is not None and not when:
        written = item.occurred_at.isoformat(sep=" ", timespec="minutes")
        details = f"[the export dates this {written}, which cannot be right, so it has no time here]\n{body}"
    return IncidentData(
        summary=f"You replied: {first}" if first else "You replied",
        kinds=kinds,
        occurred_start=when,
        precision="exact" if when else "unknown_time",
        details=details,
        people=(person_id,) if person_id is not None else (),
        author=AUTHOR_CONTEXT,
        source=source,
        source_time=item.source_time,  # the reply's time exactly as the source wrote it (#16.4)
    ).validated()
