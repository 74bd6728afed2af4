"""How guessable a passphrase is: the policy that refuses one, and the meter's reading.

The person most likely to guess a victim's passphrase is the perpetrator, who knows
their name, their family's and pets' names and their birthday. A character-count rule
called "Sam14071990" (a name and a birth date) good. We use zxcvbn, which estimates
how many guesses an attacker ordering guesses sensibly would need, fed with what the
vault itself knows about the people involved (:func:`vault_user_inputs`): names,
aliases, accounts, phone numbers and dates.

zxcvbn adds a fixed cost for every extra piece, so a passphrase made only of known
names ("Jordan Pryce Carlisle") can still score well. We therefore also score what is
left once every known name and date is taken out; that remainder has to be strong on
its own, because someone who knows the victim gets the rest for free.

zxcvbn costs about 50 ms to import, so it is imported inside the functions: the
app's start-up never pays for it. A score is 0 to 4; we accept 3 or more (zxcvbn's
"safely unguessable": about 10^8 guesses, years at our one-second key stretching).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from .errors import BadInput
from .model import Order
from .model import Person
from .textsafe import has_utf8


class KnowsTheCase(Protocol):
    """What the policy reads from an open vault (the vault satisfies it); declared here
    so the policy does not import the vault that uses it."""

    def get_setting(self, name: str, default: str = "") -> str: ...

    def list_people(self) -> list[Person]: ...

    def list_orders(self) -> list[Order]: ...


MIN_LENGTH = 8
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching slows down quadratically); the first
# 72 characters of a good passphrase are plenty to judge it by.
SCORED_LENGTH = 72
# Known names shorter than this (initials) are left in: taking "sm" out of every
# word would make good passphrases look weak.
MIN_PART_LENGTH = 3
MAX_USER_INPUTS = 400

WORDS = ("weak", "weak", "fair", "good", "strong")

SHORT = "Use at least 8 characters; a few unrelated words is easiest to remember."
PERSONAL = (
    "That passphrase is mostly names or dates that are in your diary, which "
    "someone who knows you could guess. Add a few unrelated words."
)
EASY = "That passphrase would be too easy to guess."
NOT_TEXT = (
    "That passphrase did not come through as text (some of its bytes are not UTF-8): "
    "type it again, or set it where the text is UTF-8."
)
ADVICE = "Add another word or two; a few unrelated words is easiest to remember."


@dataclass(frozen=True)
class Strength:
    """What the meter shows: ``score`` 0-4 and a plain ``word`` (weak, fair, good,
    strong) for the GUI to translate, plus zxcvbn's ``warning`` ("" if none)."""

    score: int
    word: str
    warning: str = ""

    @property
    def acceptable(self) -> bool:
        return self.score >= MIN_SCORE


def _score(text: str, inputs: list[str]) -> tuple[int, str]:
    from zxcvbn import zxcvbn

    if not text:
        return 0, ""
    result = zxcvbn(text[:SCORED_LENGTH], user_inputs=inputs)
    return int(result["score"]), str(result["feedback"]["warning"])


def _parts(user_inputs: Iterable[str]) -> list[str]:
    """The known names and dates, lower-cased, unique, longest first, bounded."""
    seen: dict[str, None] = {}
    for item in user_inputs:
        text = " ".join(str(item).casefold().split())
        if text:
            seen.setdefault(text, None)
        if len(seen) >= MAX_USER_INPUTS:
            break
    return sorted(seen, key=len, reverse=True)


def _without(passphrase: str, parts: list[str]) -> str | None:
    """``passphrase`` with every known part of 3+ characters taken out, or None if
    none was in it. Each part becomes a space so its neighbours stay apart."""
    long_parts = [re.escape(p) for p in parts if len(p) >= MIN_PART_LENGTH]
    if not long_parts:
        return None
    pattern = re.compile("|".join(long_parts), re.IGNORECASE)
    rest, found = pattern.subn(" ", passphrase)
    if not found:
        return None
    return " ".join(rest.split())


def _assess(passphrase: str, user_inputs: Iterable[str]) -> tuple[Strength, bool]:
    """The strength, and whether it is low because of known names and dates."""
    parts = _parts(user_inputs)
    score, warning = _score(passphrase, parts)
    rest = _without(passphrase, parts)
    personal = False
    if rest is not None:
        rest_score, _ = _score(rest, parts)
        if rest_score < MIN_SCORE and rest_score < score:
            score, personal = rest_score, True
    return Strength(score, WORDS[score], "" if personal else warning), personal


def strength(passphrase: str, user_inputs: Iterable[str] = ()) -> Strength:
    """The meter's reading for ``passphrase`` (empty text reads as weak, score 0).

    ``user_inputs`` are the names and dates someone who knows the victim would try
    first (:func:`vault_user_inputs` when a vault is open). A few milliseconds; the
    GUI may call it on every key press, but should gather the inputs once.
    """
    if not passphrase:
        return Strength(0, WORDS[0])
    return _assess(passphrase, user_inputs)[0]


def passphrase_problem(passphrase: str, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``passphrase`` is too easy to guess to protect a diary, or None if it will do.

    The message is plain and never repeats the passphrase or the names it matched.
    """
    if not has_utf8(passphrase):  # a lone surrogate could never be typed again to unlock
        return NOT_TEXT
    if len(passphrase) < MIN_LENGTH:
        return SHORT
    rated, personal = _assess(passphrase, user_inputs)
    if rated.acceptable:
        return None
    if personal:
        return PERSONAL
    return " ".join(x for x in (EASY, rated.warning, ADVICE) if x)


def check_passphrase_acceptable(passphrase: str, user_inputs: Iterable[str] = ()) -> None:
    """Raise :class:`BadInput` with :func:`passphrase_problem`'s reason, if any."""
    problem = passphrase_problem(passphrase, user_inputs)
    if problem:
        raise BadInput(problem)


# --------------------------------------------------------------- what the vault knows

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})\b")
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_PHONE_DIGITS = 6


def date_variants(text: str) -> list[str]:
    """The ways people type the dates found in ``text`` into a passphrase:
    14071990, 140790, 07141990, 19900714, 1471990 and the year."""
    out: list[str] = []
    found = [(y, m, d) for y, m, d in _ISO_DATE.findall(text)]
    found += [(y, m, d) for d, m, y in _DMY_DATE.findall(text)]
    for year, month, day in found:
        dd, mm = day.zfill(2), month.zfill(2)
        yy = year[-2:]
        out += [
            dd + mm + year,
            dd + mm + yy,
            mm + dd + year,
            mm + dd + yy,
            year + mm + dd,
            day.lstrip("0") + month.lstrip("0") + year,
            year,
        ]
    return out


def _text_inputs(text: str) -> list[str]:
    """A name or free text: the whole of it, each word, and any dates in it."""
    text = text.strip()
    if not text:
        return []
    words = _WORD.findall(text)
    out = [text] if len(text) <= 60 else []
    out += words
    if len(words) > 1:
        out.append("".join(words))
    out += date_variants(text)
    return out


def _handle_inputs(handle: str) -> list[str]:
    """An account or email: the part before any @, and its words."""
    name = handle.strip().lstrip("@").split("@")[0]
    return [name, *_WORD.findall(name)] if name else []


def _phone_inputs(phone: str) -> list[str]:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return [digits, digits[-_PHONE_DIGITS:]] if len(digits) >= _PHONE_DIGITS else []


def vault_user_inputs(vault: KnowsTheCase) -> list[str]:
    """What this vault knows that someone close to the victim knows too.

    The victim's own name and initials and the case title (settings), and for every
    person in the log (the perpetrator, people acting for them, witnesses): names,
    aliases, accounts, phone numbers, relationship and any dates in their notes; and
    the dates of orders. Read once when a passphrase screen opens, not per key press.
    """
    inputs: list[str] = []
    for setting in ("owner_name", "initials", "case_title"):
        inputs += _text_inputs(vault.get_setting(setting, ""))
    for person in vault.list_people():
        data = person.data
        for name in (data.name, *data.aliases, data.relationship):
            inputs += _text_inputs(name)
        for handle in data.accounts:
            inputs += _handle_inputs(handle)
        for phone in data.phones:
            inputs += _phone_inputs(phone)
        inputs += date_variants(data.notes)
    for order in vault.list_orders():
        inputs += date_variants(f"{order.data.made_on} {order.data.expires_on}")
    return _parts(inputs)
