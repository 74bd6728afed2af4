"""Phone numbers as one form, so a person is found by any way their number is written.

A backup writes the same phone as ``07700 900123``, ``+447700900123`` and
``00447700900123``; an MMS from a group names the sender only by number while their
texts carry the contact's name (#19.4). Numbers are compared in E.164 form
(``+447700900123``), reading national numbers as UK ones (the app's home), and a
sender shown as ``Dan Marsh (+447700900123, +447700900456)`` is read back as that name
and those numbers, so the line the senders list shows can be given to ``--sender``.
"""

from __future__ import annotations

import re

__all__ = ["normalise_number", "person_label", "split_person_label"]

_NOT_DIGIT = re.compile(r"[^0-9]")
_LABEL = re.compile(r"(.*?)\s*\(([^()]*)\)")
_PHONE_CHARS = frozenset("0123456789+-() .\u00a0/")


def normalise_number(text: str) -> str | None:
    """``text`` as an E.164 number, or None when it is not a phone number.

    A number is digits with the usual separators and at least six digits; ``00`` and
    ``+`` start international numbers, a leading ``0`` (ten or eleven digits) is a UK
    national number, ``44`` followed by ten digits a UK number without its ``+``.
    """
    raw = text.strip()
    if not raw or not all(c in _PHONE_CHARS for c in raw):
        return None
    digits = _NOT_DIGIT.sub("", raw)
    if len(digits) < 6 or len(digits) > 15 + 2:
        return None
    if raw.startswith("+"):
        return "+" + digits
    if digits.startswith("00") and len(digits) > 8:
        return "+" + digits[2:]
    if digits.startswith("0") and len(digits) in (10, 11):
        return "+44" + digits[1:]
    if digits.startswith("44") and len(digits) == 12:
        return "+" + digits
    return digits


def person_label(name: str, numbers: list[str]) -> str:
    """How the senders list shows one person: ``Dan Marsh (+447700900123, ...)``."""
    if not numbers or (len(numbers) == 1 and normalise_number(name) == numbers[0]):
        return name
    return f"{name} ({', '.join(numbers)})"


def split_person_label(label: str) -> tuple[str, tuple[str, ...]]:
    """(name, numbers) of a :func:`person_label`; a plain name or number comes back alone."""
    m = _LABEL.fullmatch(label.strip())
    if m is None:
        return label, ()
    numbers = [normalise_number(p) for p in m.group(2).split(",")]
    if not numbers or any(n is None for n in numbers):
        return label, ()  # "Dan (work)": brackets that are part of the name
    return m.group(1), tuple(n for n in numbers if n is not None)
