"""The case's time zone: one clock for every time the log shows or exports.

Why: a timeline that shows 17:30 for a text the phone showed at 18:30, or 00:30 for a
chat line reading 01:30, hands the defence a contradiction the victim never made
(ACPO/NPCC principle 3: an independent person repeating the process gets the same
result). So:

* each vault has one **case time zone** (an IANA name such as ``Europe/London``,
  the setting :data:`ZONE_SETTING`, chosen at first run; the computer's zone when a
  vault has none yet);
* instants are stored with their UTC offset (ISO 8601), so they are unambiguous
  whatever zone wrote them, and every *display* converts them to the case zone and
  says which ("18:30 BST", "18:30 GMT", "09:00 CET", or "+02:00" when the zone has
  no letters);
* data forms (JSON, CSV) carry the offset: ``2024-04-10T18:30:00+01:00``;
* a wall-clock time a person types that the case zone skipped (01:30 on 31 March
  2024 in the UK) or had twice (01:30 on 27 October 2024) is refused with a message
  that says why and how to give the offset, never silently moved (:func:`typed`);
* wall-clock times read from a file (a WhatsApp export) are placed in order, so the
  repeated hour of an autumn night follows the chat (:class:`WallClock`).

The *active* zone is the case zone of the vault in use (one per process: the CLI
opens one vault per command, the app one at a time); functions take an explicit
``zone`` where the caller knows better.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import tzinfo
from pathlib import Path
from typing import Literal
from typing import Protocol
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError
from zoneinfo import available_timezones

from .errors import BadInput


class VaultSettings(Protocol):
    """What the case zone needs of a vault (declared here so that this module, which
    the model imports, never imports the vault: no import cycle)."""

    def get_setting(self, name: str, default: str = "") -> str: ...

    def set_setting(self, name: str, value: str) -> None: ...


__all__ = [
    "ZONE_SETTING",
    "AmbiguousTime",
    "NonexistentTime",
    "WallClock",
    "activate",
    "active_zone",
    "check_wall",
    "clock_text",
    "data_form",
    "data_text",
    "day_text",
    "fixed",
    "in_zone",
    "parse_instant",
    "set_vault_zone",
    "short_text",
    "system_zone_name",
    "typed",
    "use_vault_zone",
    "zone_label",
    "zone_names",
    "zone_of",
    "zone_of_vault",
]

ZONE_SETTING = "time_zone"

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Windows names the zone differently ("GMT Standard Time"); the common ones for the
# people this app is for. Qt (the app's first run) knows them all.
_WINDOWS_NAMES: dict[str, str] = {
    "GMT Standard Time": "Europe/London",
    "GMT Daylight Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "Irish Standard Time": "Europe/Dublin",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau",
    "GTB Standard Time": "Europe/Bucharest",
    "FLE Standard Time": "Europe/Kiev",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "Pacific Standard Time": "America/Los_Angeles",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "India Standard Time": "Asia/Kolkata",
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
}


class NonexistentTime(BadInput):
    """A typed wall-clock time the case zone skipped (clocks went forward)."""


class AmbiguousTime(BadInput):
    """A typed wall-clock time the case zone had twice (clocks went back)."""


# ---------------------------------------------------------------------------- zones


def zone_of(name: str) -> ZoneInfo:
    """The zone called ``name`` (an IANA name such as ``Europe/London``), or BadInput."""
    key = (name or "").strip()
    if not key or len(key) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", key) or ".." in key:
        raise BadInput(f"'{key[:40]}' is not a time zone we know. Use a name like Europe/London.")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadInput(f"'{key[:40]}' is not a time zone we know. Use a name like Europe/London.") from None


def _valid(name: str) -> str | None:
    try:
        zone_of(name)
    except BadInput:
        return None
    return name.strip()


def system_zone_name() -> str:
    """The computer's zone as an IANA name (``TZ``, ``/etc/localtime``, Windows' name),
    or ``UTC`` when none can be found out."""
    env = os.environ.get("TZ", "").strip().lstrip(":")
    if env:
        if env.startswith("/") and "zoneinfo/" in env:
            env = env.split("zoneinfo/", 1)[1]
        found = _valid(env)
        if found:
            return found
    if sys.platform != "win32":
        try:
            target = os.path.realpath("/etc/localtime")
            if "zoneinfo/" in target:
                found = _valid(target.split("zoneinfo/", 1)[1])
                if found:
                    return "UTC" if found in ("Etc/UTC", "Etc/Universal", "UCT", "Zulu") else found
        except OSError:
            pass
        try:
            found = _valid(Path("/etc/timezone").read_text(encoding="utf-8").strip())
            if found:
                return found
        except (OSError, UnicodeError):
            pass
    for name in time.tzname:
        if name in _WINDOWS_NAMES:
            return _WINDOWS_NAMES[name]
    return "UTC"


def zone_names() -> list[str]:
    """Every zone name a person may choose, sorted (for the first-run list)."""
    return sorted(n for n in available_timezones() if "/" in n or n == "UTC")


_active: ZoneInfo | None = None
_system: tuple[str | None, ZoneInfo] | None = None  # (TZ when looked up, the zone)


def active_zone() -> ZoneInfo:
    """The case zone of the vault in use, else the computer's zone (looked up again
    when ``TZ`` changes)."""
    global _system
    if _active is not None:
        return _active
    tz = os.environ.get("TZ")
    if _system is None or _system[0] != tz:
        _system = (tz, zone_of(system_zone_name()))
    return _system[1]


def activate(zone: ZoneInfo | str | None) -> ZoneInfo:
    """Make ``zone`` the one displays use (None: the computer's zone again)."""
    global _active
    _active = zone_of(zone) if isinstance(zone, str) else zone
    return active_zone()


def zone_of_vault(vault: VaultSettings) -> ZoneInfo:
    """The vault's case zone; the computer's zone for a vault that has none set
    (vaults made before zones were chosen), or whose setting is unknown here."""
    name = vault.get_setting(ZONE_SETTING, "")
    if name:
        try:
            return zone_of(name)
        except BadInput:
            pass
    return zone_of(system_zone_name())


def use_vault_zone(vault: VaultSettings) -> ZoneInfo:
    """Read the vault's case zone and make it the active one."""
    return activate(zone_of_vault(vault))


def set_vault_zone(vault: VaultSettings, name: str) -> ZoneInfo:
    """Store the case zone (checked) and make it the active one."""
    zone = zone_of(name)
    vault.set_setting(ZONE_SETTING, zone.key)
    return activate(zone)


# ---------------------------------------------------------------------------- instants


def parse_instant(value: str) -> datetime | None:
    """A stored ISO 8601 date-time as an aware datetime; None for "", a bare date or
    text that is not one (a naive value is read in the active zone)."""
    text = (value or "").strip()
    if len(text) <= 10:
        return None
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=active_zone())
    return dt


def in_zone(dt: datetime, zone: tzinfo | None = None) -> datetime:
    """``dt`` on the case zone's clock (naive values are taken as already on it)."""
    z = zone or active_zone()
    if dt.tzinfo is None:
        return dt.replace(tzinfo=z)
    try:
        return dt.astimezone(UTC).astimezone(z)  # via UTC: a time in a gap is normalised
    except (OverflowError, ValueError):
        return dt  # year 1 or 9999: shown in its own offset rather than not at all


def _offset_text(offset: timedelta | None) -> str:
    if offset is None:
        return ""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(dt: datetime) -> str:
    """What to write after a clock time on ``dt``'s zone: "BST", "GMT", "CET", "UTC";
    the offset ("+02:00") when the zone has no letters for it."""
    name = dt.tzname() or ""
    if name in ("UTC", "Etc/UTC", "Z"):
        return "UTC"
    if re.fullmatch(r"[A-Z]{2,5}", name):
        return name
    return _offset_text(dt.utcoffset())


def clock_text(dt: datetime, zone: tzinfo | None = None, *, seconds: bool = False) -> str:
    """``18:30 BST``: the time on the case zone's clock and which clock that is."""
    local = in_zone(dt, zone)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if seconds or local.second:
        clock += f":{local.second:02d}"
    return f"{clock} {zone_label(local)}"


def day_text(d: date | datetime) -> str:
    return f"{_DAYS[d.weekday()]} {d.day} {_MONTHS[d.month - 1]} {d.year}"


def data_form(dt: datetime, zone: tzinfo | None = None) -> str:
    """``2024-04-10T18:30:00+01:00``: ISO 8601 on the case zone's clock, with offset."""
    return in_zone(dt, zone).isoformat(timespec="seconds")


def data_text(value: str, zone: tzinfo | None = None) -> str:
    """A stored date-time in :func:`data_form`; "" and anything else unchanged."""
    dt = parse_instant(value)
    return value if dt is None else data_form(dt, zone)


def short_text(value: str, zone: tzinfo | None = None) -> str:
    """``2024-04-10 18:30 BST``: a stored date-time, compact, on the case zone's clock."""
    dt = parse_instant(value)
    if dt is None:
        return value
    local = in_zone(dt, zone)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {clock_text(local, local.tzinfo)}"


# ---------------------------------------------------------------------------- wall clocks

WallKind = Literal["ok", "gap", "fold"]


def check_wall(naive: datetime, zone: tzinfo | None = None) -> WallKind:
    """Whether a wall-clock time happened once ("ok"), never ("gap": the clocks went
    forward over it) or twice ("fold": the clocks went back over it) in ``zone``."""
    z = zone or active_zone()
    first = naive.replace(tzinfo=z, fold=0)
    second = naive.replace(tzinfo=z, fold=1)
    try:
        back = first.astimezone(UTC).astimezone(z).replace(tzinfo=None, fold=0)
    except (OverflowError, ValueError):
        return "ok"
    if back != naive.replace(tzinfo=None, fold=0):
        return "gap"
    if first.utcoffset() != second.utcoffset():
        return "fold"
    return "ok"


@dataclass(frozen=True)
class _Change:
    before: datetime
    after: datetime
    before_label: str
    after_label: str
    before_offset: str
    after_offset: str


def _change_near(naive: datetime, z: tzinfo) -> _Change:
    """The offsets either side of the clock change around ``naive`` (for messages)."""
    early = (naive - timedelta(hours=3)).replace(tzinfo=z)
    late = (naive + timedelta(hours=3)).replace(tzinfo=z)
    return _Change(
        early,
        late,
        zone_label(early),
        zone_label(late),
        _offset_text(early.utcoffset()),
        _offset_text(late.utcoffset()),
    )


def _zone_name(z: tzinfo) -> str:
    return getattr(z, "key", None) or str(z)


def fixed(dt: datetime) -> datetime:
    """``dt`` with a plain UTC offset as its zone: compares by instant with any other
    aware time (two times on one ZoneInfo compare by wall clock, ignoring the fold)."""
    offset = dt.utcoffset()
    return dt if offset is None else dt.replace(tzinfo=timezone(offset), fold=0)


def typed(naive: datetime, zone: tzinfo | None = None, *, original: str = "") -> datetime:
    """A wall-clock time a person typed, placed in the case zone.

    Refuses (:class:`NonexistentTime`, :class:`AmbiguousTime`, both BadInput) a time
    the zone skipped or had twice, saying how to give the offset instead: guessing
    would move the incident by an hour without anyone knowing.
    """
    z = zone or active_zone()
    kind = check_wall(naive, z)
    if kind == "ok":
        return fixed(naive.replace(tzinfo=z, fold=0))
    c = _change_near(naive, z)
    day = day_text(naive)
    hm = f"{naive.hour:02d}:{naive.minute:02d}"
    stem = naive.strftime("%Y-%m-%dT%H:%M") if 1 <= naive.year <= 9999 else (original or hm)
    if kind == "gap":
        raise NonexistentTime(
            f"{hm} on {day} did not happen in {_zone_name(z)}: the clocks went forward that "
            f"night ({c.before_label} to {c.after_label}). Please check the time, or give it "
            f"with its offset, e.g. {stem}{c.before_offset} ({c.before_label})."
        )
    raise AmbiguousTime(
        f"{hm} on {day} happened twice in {_zone_name(z)}: the clocks went back that night "
        f"({c.before_label} to {c.after_label}). Please say which, with its offset: "
        f"{stem}{c.before_offset} (the first, {c.before_label}) or {stem}{c.after_offset} "
        f"(the second, {c.after_label})."
    )


class WallClock:
    """Wall-clock times read from a file, in the file's order, placed in a zone.

    A chat export writes the phone's clock with no zone. Most times happened once; for
    the hour that happens twice when the clocks go back, the order of the lines says
    which: a time earlier than the message before it is the second one. A time the
    clocks skipped (the export was made in another zone, or edited) is read on the
    clock before the change and :attr:`note` says so, so the shown time and the
    line's own time are explained side by side, never silently apart.
    """

    def __init__(self, zone: tzinfo | None = None) -> None:
        self.zone = zone or active_zone()
        self._last: datetime | None = None
        self.note = ""

    def place(self, naive: datetime) -> datetime:
        z = self.zone
        self.note = ""
        kind = check_wall(naive, z)
        if kind == "fold":
            first = naive.replace(tzinfo=z, fold=0)
            second = naive.replace(tzinfo=z, fold=1)
            chosen = second if self._last is not None and self._last > fixed(first) else first
            which = "second" if chosen is second else "first"
            self.note = (
                f"{naive:%H:%M} on {day_text(naive)} happened twice in {_zone_name(z)} (the clocks "
                f"went back); the order of the lines places this at the {which}, "
                f"{naive:%H:%M} {zone_label(chosen)}."
            )
        elif kind == "gap":
            chosen = naive.replace(tzinfo=z, fold=0)
            shown = in_zone(chosen, z)
            self.note = (
                f"The source says {naive:%H:%M} on {day_text(naive)}, a time the clocks skipped in "
                f"{_zone_name(z)}; it is read as {naive:%H:%M} {zone_label(_change_near(naive, z).before)}, "
                f"which is {shown:%H:%M} {zone_label(shown)}."
            )
        else:
            chosen = naive.replace(tzinfo=z, fold=0)
        self._last = fixed(chosen)
        return self._last

    def see(self, instant: datetime) -> None:
        """An aware time from the same file: later lines are ordered after it."""
        self._last = fixed(instant) if instant.tzinfo is not None else self._last
