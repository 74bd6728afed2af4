"""Argument types: what the person typed, checked and turned into values before
any passphrase is asked for (a typo is a one-line usage error, exit code 2)."""

from __future__ import annotations

import argparse

from ..errors import BadInput
from ..errors import UsageError
from .output import one_line

MAX_NUMBER = 2**63 - 1  # SQLite's largest integer: an id or count beyond it cannot exist


def _number(text: str, minimum: int | None) -> int:
    try:
        n = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{one_line(text[:30])}' is not a whole number") from None
    if n > MAX_NUMBER:
        raise argparse.ArgumentTypeError(
            f"{one_line(text[:24])}{'…' if len(text) > 24 else ''} is too large (the largest is {MAX_NUMBER})"
        )
    if minimum is not None and n < minimum:
        raise argparse.ArgumentTypeError(f"{n} is not allowed: give {minimum} or more")
    return n


def id_arg(text: str) -> int:
    """An entry, person, order or evidence number (a missing one is 'no such ...')."""
    if text.strip().lstrip("-").isdigit() and int(text) < -MAX_NUMBER:
        raise argparse.ArgumentTypeError(f"{one_line(text[:24])}… is too large")
    return _number(text, None)


def count_arg(text: str) -> int:
    """A --limit or --group-minutes: a whole number from 0."""
    return _number(text, 0)


def when_arg(text: str) -> str:
    """A date or date-time the person typed, checked now so that one the timeline
    cannot place (year 1 without an offset overflows local time) is a clear message."""
    from datetime import UTC

    from ..model import parse_when

    try:
        # The form only: whether a wall-clock time exists on the case's clock is checked
        # once the vault (and so its time zone) is open.
        dt = parse_when(text, UTC)
        if not 1 < dt.year < 9999:  # no clock, the case's included, places these
            raise OverflowError
        dt.astimezone().timestamp()
    except BadInput as exc:
        raise argparse.ArgumentTypeError(one_line(exc.message)) from None
    except (OverflowError, ValueError, OSError):
        raise argparse.ArgumentTypeError(
            f"'{one_line(text[:40])}' is in a year too far from today to place on a "
            "timeline; please check the year"
        ) from None
    return text


def date_arg(text: str) -> str:
    """A calendar date (an order made or expiring): validated, kept as typed."""
    from datetime import date

    try:
        date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{one_line(text[:40])}' is not a date: use a form like 2026-03-04"
        ) from None
    return text.strip()


def clean_text(text: str) -> str:
    """Text from the command line with undecodable bytes shown as U+FFFD (JSON and the
    journal need real text; file names keep their bytes elsewhere)."""
    from ..model import _SURROGATE

    return _SURROGATE.sub("\ufffd", text)


def kinds(text: str | None) -> tuple[str, ...]:
    """``--kind message,threat`` (also ``--effects``): the comma-separated names."""
    if not text:
        return ()
    return tuple(k.strip() for k in text.split(",") if k.strip())


def id_list(text: str) -> tuple[int, ...]:
    """``--incidents 3,5,8``: every item must be an entry number."""
    ids = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            raise UsageError(f"'{one_line(part[:30])}' is not an entry number (use --incidents 3,5,8).")
        try:
            ids.append(count_arg(part))
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"--incidents: {exc}") from None
    return tuple(dict.fromkeys(ids))
