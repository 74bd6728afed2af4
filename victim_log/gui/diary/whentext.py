"""A time of day as people type it in a hurry: "9pm", "21:30", "about 9", "9.30am",
"noon" (#18, Times). Pure Python, so it is tested without Qt.

An hour from 1 to 11 without am/pm ("about 9") could be morning or evening; the caller
decides with :func:`resolve` (today: the latest of the two that has already happened)
and shows the person what it understood, so nothing is guessed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from datetime import time

_ABOUT = re.compile(r"^(?:about|around|approx(?:imately)?|roughly|circa|ca\.?|c\.|~)\s*", re.IGNORECASE)
_TIME = re.compile(
    r"^(?P<h>\d{1,2})(?:\s*[:.h]\s*(?P<m>\d{2}))?\s*(?:(?P<ampm>[ap])\.?\s*m?\.?)?\s*(?:ish)?$",
    re.IGNORECASE,
)
_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}


@dataclass(frozen=True)
class TypedTime:
    """What was typed: ``at`` (for an ambiguous hour, the morning one), whether it was
    "about", and whether the hour could equally be the evening's (``at`` + 12 hours)."""

    at: time
    about: bool
    ambiguous: bool


def parse_time(text: str) -> TypedTime | None:
    """The time typed, or None when it is not a time we understand (or is empty)."""
    raw = text.strip()
    about = bool(_ABOUT.match(raw)) or raw.lower().endswith("ish")
    raw = _ABOUT.sub("", raw).strip()
    if raw.lower() in _WORDS:
        return TypedTime(_WORDS[raw.lower()], about, False)
    m = _TIME.match(raw)
    if m is None:
        return None
    hour, minute = int(m["h"]), int(m["m"] or 0)
    ampm = (m["ampm"] or "").lower()
    if minute > 59:
        return None
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "p" else 0)
        return TypedTime(time(hour, minute), about, False)
    if hour > 23:
        return None
    # "09:30" and "21:30" say which; "9" and "9:30" do not ("12" is taken as noon).
    ambiguous = 1 <= hour <= 11 and not m["h"].startswith("0")
    return TypedTime(time(hour, minute), about, ambiguous)


def resolve(typed: TypedTime, now: time | None) -> time:
    """The time meant. For an hour that could be either (``typed.ambiguous``) on the day
    whose current time is ``now`` (today), the latest of the two that has already
    happened; on another day (``now`` None), as typed."""
    if not typed.ambiguous or now is None:
        return typed.at
    evening = time(typed.at.hour + 12, typed.at.minute)
    return evening if evening <= now else typed.at


# Phones and computers name what they make with the moment they made it:
# "Screenshot_20240312-211245_WhatsApp.png", "IMG_20240312_211245.jpg",
# "Screenshot_2024-03-12-21-12-45-123_com.whatsapp.jpg", "PXL_20240312_211245123.jpg"
# (Pixel: in UTC), "Screenshot 2024-03-12 at 21.12.45.png", "WhatsApp Image 2024-03-12 at
# 21.12.45.jpeg". Anything else has no time in its name.
_NAME_TIME = re.compile(r"(?<!\d)(20\d\d)-?(\d\d)-?(\d\d)(?:[-_ T]|\s+at\s+)(\d\d)[-_.:]?(\d\d)[-_.:]?(\d\d)")


def time_in_name(name: str) -> tuple[datetime, bool] | None:
    """The moment a file's name says it was made (naive) and whether that is UTC (a
    Pixel's "PXL_" names) rather than the phone's own clock; None when it says none."""
    m = _NAME_TIME.search(name)
    if m is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in m.groups())
        when = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    return when, name.upper().startswith("PXL_")
