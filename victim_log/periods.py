"""Weeks (from Monday) and months (from the 1st) for counts over time.

One bucketing for the figures (:mod:`victim_log.stats`: the app's pattern view and
``victim-log stats``) and the export's charts and tables (``export/case.py``), so a
week or a month means the same everywhere a count is shown. Pure date arithmetic: it
imports nothing of the app.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from datetime import timedelta

__all__ = ["MONTHS", "period_label", "period_run", "period_start"]

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_start(d: date, monthly: bool) -> date:
    """The first day of ``d``'s month, or the Monday of its week."""
    return d.replace(day=1) if monthly else d - timedelta(days=d.weekday())


def period_label(start: date, monthly: bool) -> str:
    """``Apr 2026`` for a month, ``6 Apr 2026`` (its Monday) for a week."""
    month = MONTHS[start.month - 1]
    return f"{month} {start.year}" if monthly else f"{start.day} {month} {start.year}"


def period_run(present: Collection[date], monthly: bool, most: int) -> list[date]:
    """The period starts from the first to the last of ``present``, empty ones filled in.

    Bounded by the data present: at most ``most`` periods are filled in, and the
    calendar's last month never overflows; past that, only the periods in ``present``
    follow.
    """
    if not present:
        return []
    out: list[date] = []
    cur, last = min(present), max(present)
    try:
        while cur <= last and len(out) < most:
            out.append(cur)
            if monthly:
                cur = date(cur.year + (cur.month == 12), cur.month % 12 + 1, 1)
            else:
                cur += timedelta(days=7)
    except (OverflowError, ValueError):
        pass  # the calendar ends (year 9999)
    if cur <= last:  # too many periods to fill in: the ones with incidents still count
        out.extend(d for d in sorted(present) if d >= cur)
    return out
