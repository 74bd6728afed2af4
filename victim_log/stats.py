"""The course of conduct in numbers (#20): counts, the time-of-day pattern, streaks
and gaps, escalation and the FOUR figures, for ``victim-log stats``, the app's pattern
view and the export's key facts page.

Why: forces have failed to see stalking as a course of conduct when it arrives as a
list of separate entries. Every figure here is one a victim, an advocate or an officer
can check against the log: each escalation flag says in plain words what changed and
names the entries behind it; nothing is a score.

What is counted: incidents that are not deleted and not context entries (the victim's
own replies kept from an import, #16.5), on the case's clock (:mod:`casetime`). An
incident with no date is counted as undated and charted nowhere; one whose date cannot
be right (after it was recorded, after today, far from all the others: the export's
rules) is left out of every chart and named, so one typo never stretches a chart over
years of empty weeks.

The numbers come from a :class:`Tally`: one :class:`DayTotal` per day with incidents,
built from one :class:`Fact` per incident (day and hour on the case's clock, kinds,
people, and whether it is a context reply, left out, says "stop" or is at work). The
store keeps both as entries are written (:mod:`victim_log.store.stats`, so 100,000
incidents read as about a thousand days); :func:`tally_facts` builds the same from
facts in memory (a filtered ``stats``, an export through :func:`tally_entries`, the
tests' reference). Everything below works on the tally alone and never imports Qt or
runs SQL.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import NamedTuple

from .model import KINDS
from .model import SHORT_LABELS
from .periods import period_label
from .periods import period_run
from .periods import period_start
from .textsafe import plural

__all__ = [
    "FAR_OUTSIDE_DAYS",
    "LONG_BEFORE_DAYS",
    "NIGHT_HOURS",
    "DayTotal",
    "Entry",
    "Escalation",
    "Fact",
    "Gap",
    "Period",
    "Recent",
    "Stats",
    "Tally",
    "compute",
    "day_text",
    "day_totals",
    "plausible_range",
    "tally_entries",
    "tally_facts",
]

#: Night-time contact: 22:00 to 06:00 on the case's clock, times known (not "day only").
NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})
FAR_OUTSIDE_DAYS = 15 * 366  # the export's rule (export/case.py): a typed year?
LONG_BEFORE_DAYS = 365  # a few entries this long before all the others: left out
RECENT_DAYS = 28  # "recent weeks": the 4 weeks up to the day the figures are for
BASELINE_DAYS = 56  # compared with up to 8 weeks before them
MIN_BASELINE_DAYS = 14  # a baseline shorter than 2 weeks says nothing
RISING_FACTOR = 1.5
MAX_PERIODS = 2_000
MAX_REFS = 12  # entry references named per flag; the rest counted

REMOTE = frozenset({"phone_call", "message", "voicemail", "email", "social_media"})
PRESENCE = frozenset({"in_person", "following", "loitering", "turned_up"})
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def day_text(day: int | date) -> str:
    """``3 Apr 2026`` for a date or a date ordinal."""
    return period_label(date.fromordinal(day) if isinstance(day, int) else day, monthly=False)


# ---------------------------------------------------------------------------- input

#: Why an entry is left out of the charts (the export's words; see :func:`plausible_range`).
AFTER_RECORDED = "after it was recorded"
AFTER_TODAY = "after today"
FAR_AWAY = "far from the other entries' dates"
#: Kinds of being somewhere in person: with "work" in its account, "turned up at work".
AT_PLACE = ("turned_up", "in_person", "loitering", "following")


class Fact(NamedTuple):
    """One incident as the figures see it (kept per incident by the store)."""

    id: int
    day: int | None  # date ordinal on the case's clock; None: no date
    hour: int  # 0..23 on the case's clock; -1: no time of day
    kinds: str  # ",message,threat," (the timeline's form: its order is the groups' order)
    breach: bool = False
    people: tuple[int, ...] = ()
    context: bool = False  # the victim's own reply: never an incident
    left_out: str = ""  # why its date cannot be right ("" when it can)
    stop: bool = False  # its account says she told them to stop
    work: bool = False  # turned up at her work

    @property
    def charted(self) -> bool:
        """Counted on a day, unless that day is far from the others or after today."""
        return not self.context and not self.left_out and self.day is not None


class DayTotal(NamedTuple):
    """The charted incidents of one day (case clock), as the store keeps them."""

    day: int  # date ordinal
    total: int  # incidents
    night: int  # at night (known times only)
    breaches: int
    hours: Sequence[int]  # 24 counts: incidents per hour of the day (times known)
    kinds: Sequence[Sequence[Any]]  # (kind, incidents, lowest entry reference) by kind
    # Breach groups in the timeline's order of kinds: (kinds, lowest reference, incidents).
    breach_groups: Sequence[Sequence[Any]]
    people: Sequence[Sequence[int]]  # (person id, incidents naming them)
    stop: Sequence[int]  # entries whose account says she told them to stop


def day_totals(facts: Iterable[Fact]) -> dict[int, DayTotal]:
    """Charted facts (:attr:`Fact.charted`) added up per day: one loop for the store
    (each day it keeps), a filtered ``stats`` and :func:`tally_facts`."""
    acc: dict[int, list[Any]] = {}
    for f in facts:
        assert f.day is not None
        a = acc.get(f.day)
        if a is None:
            a = acc[f.day] = [0, 0, 0, [0] * 24, {}, {}, Counter(), []]
        a[0] += 1
        if f.hour >= 0:
            a[3][f.hour] += 1
            a[1] += f.hour in NIGHT_HOURS
        for k in f.kinds.strip(",").split(","):
            if k:
                seen = a[4].get(k)
                a[4][k] = [1, f.id] if seen is None else [seen[0] + 1, min(seen[1], f.id)]
        if f.breach:
            a[2] += 1
            g = a[5].get(f.kinds)
            a[5][f.kinds] = [f.kinds, f.id, 1] if g is None else [f.kinds, min(g[1], f.id), g[2] + 1]
        a[6].update(f.people)
        if f.stop:
            a[7].append(f.id)
    return {
        day: DayTotal(
            day, n, night, breaches, hours,
            sorted([k, v[0], v[1]] for k, v in kinds.items()),
            [groups[k] for k in sorted(groups)],
            sorted([p, c] for p, c in people.items()),
            sorted(stop),
        )
        for day, (n, night, breaches, hours, kinds, groups, people, stop) in acc.items()
    }  # fmt: skip


@dataclass(frozen=True)
class Recent:
    """One incident of the last weeks, named by an escalation flag."""

    id: int
    day: int
    night: bool = False  # between 22:00 and 06:00 on the case's clock
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tally:
    """What the figures are computed from (store/stats.py or :func:`tally_facts`)."""

    days: tuple[DayTotal, ...]  # the charted days, in order
    today: int  # the day the figures are for (date ordinal): today, or the end asked for
    grid: tuple[tuple[int, ...], ...] = ((0,) * 24,) * 7  # [Mon=0..Sun][hour]
    undated: int = 0
    # Left out of the charts: (entry id, day, why), at most 20, and how many in all.
    left_out: tuple[tuple[int, int, str], ...] = ()
    left_out_count: int = 0
    person_counts: tuple[tuple[int, int], ...] = ()  # (person id, incidents naming them)
    people: tuple[tuple[int, str, str], ...] = ()  # (id, name, role)
    asked_to_stop: tuple[tuple[int, int], ...] = ()  # (entry id, day): the victim's "stop"
    at_work: tuple[tuple[int, int], ...] = ()  # (entry id, day): turned up at work
    recent: tuple[Recent, ...] = ()  # incidents of the last RECENT+BASELINE days
    orders_made: tuple[tuple[str, int], ...] = ()  # (order label, day made)


@dataclass(frozen=True)
class Entry:
    """One incident as :func:`tally_entries` takes it."""

    id: int
    when: datetime | None  # on the case's clock; None: date not known
    timed: bool  # a time of day is known (exact or approximate)
    kinds: tuple[str, ...]
    breach: bool = False
    people: tuple[int, ...] = ()
    context: bool = False  # the victim's own reply: not an incident
    asks_to_stop: bool = False  # an incident whose account says she told them to stop
    at_work: bool = False
    left_out: str = ""  # why its date cannot be right ("" when it can)


def plausible_range(day_counts: Mapping[int, int], today: int) -> tuple[int, int]:
    """The days (lo, hi) a chart may cover: not after ``today``, not more than
    :data:`FAR_OUTSIDE_DAYS` from the median day, and not a few entries (a tenth at
    most) more than :data:`LONG_BEFORE_DAYS` before all the others (the export's
    rules, export/case.py ``implausible_dates``)."""
    if not day_counts:
        return today, today
    days = sorted(day_counts)
    total = sum(day_counts.values())
    seen, middle = 0, days[-1]
    for d in days:
        seen += day_counts[d]
        if seen > total // 2:
            middle = d
            break
    lo, hi = middle - FAR_OUTSIDE_DAYS, min(today, middle + FAR_OUTSIDE_DAYS)
    kept = [d for d in days if lo <= d <= hi]
    if not kept:
        return today, today
    n = sum(day_counts[d] for d in kept)
    allowed = max(1, n // 10)
    before = 0
    start = kept[0]
    for a, b in zip(kept, kept[1:], strict=False):
        before += day_counts[a]
        if before > allowed or before >= n:
            break
        if b - a > LONG_BEFORE_DAYS:
            start = b
    return start, hi


def _by_day_id(pairs: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    return tuple(sorted(pairs, key=lambda x: (x[1], x[0])))


@dataclass(frozen=True)
class Sources:
    """Where :func:`assemble` finds what it needs besides the days: the store answers
    each from its indexes, :func:`tally_facts` from the facts in memory. ``lo, hi``
    are the days the charts cover."""

    odd: Sequence[Fact]  # every fact that is not charted (context, left out, undated)
    outside: Callable[[int, int], Iterable[Fact]]  # charted facts on a day outside lo..hi
    recent: Callable[[int, int], Iterable[Fact]]  # charted facts on the days from..hi
    at_work: Callable[[int, int], Iterable[tuple[int, int]]]  # (id, day): charted, at work


def assemble(
    days: Mapping[int, DayTotal],
    today: int,
    src: Sources,
    *,
    people: Sequence[tuple[int, str, str]] = (),
    orders_made: Sequence[tuple[str, int]] = (),
) -> Tally:
    """The :class:`Tally` of the charted ``days`` (all of them: those outside the
    plausible range are left out here) and the other facts ``src`` gives."""
    lo, hi = plausible_range({d: t.total for d, t in days.items()}, today)
    kept = tuple(days[d] for d in sorted(days) if lo <= d <= hi)
    grid = [[0] * 24 for _ in range(7)]
    people_n: Counter[int] = Counter()
    stop: list[tuple[int, int]] = []
    for t in kept:
        row = grid[(t.day - 1) % 7]
        for h, n in enumerate(t.hours):
            row[h] += n
        for p, n in t.people:
            people_n[p] += n
        stop.extend((i, t.day) for i in t.stop)
    left = [(f.id, f.day, f.left_out) for f in src.odd if not f.context and f.day is not None and f.left_out]
    left += [(f.id, f.day, AFTER_TODAY if f.day > today else FAR_AWAY) for f in src.outside(lo, hi) if f.day]
    left.sort(key=lambda x: (x[1], x[0]))
    stop += [(f.id, f.day) for f in src.odd if f.context and f.day is not None]
    recent_from = max(lo, today - RECENT_DAYS - BASELINE_DAYS + 1)
    recent = sorted(
        (Recent(f.id, f.day, f.hour in NIGHT_HOURS, _kinds(f.kinds)) for f in src.recent(recent_from, hi)
         if f.day is not None),
        key=lambda r: (r.day, r.id),
    )  # fmt: skip
    work = list(src.at_work(lo, hi))
    return Tally(
        days=kept,
        today=today,
        grid=tuple(tuple(row) for row in grid),
        undated=sum(1 for f in src.odd if not f.context and f.day is None),
        left_out=tuple(left[:20]),
        left_out_count=len(left),
        person_counts=tuple(sorted(people_n.items())),
        people=tuple(people),
        asked_to_stop=_by_day_id(stop),
        at_work=_by_day_id(work),
        recent=tuple(recent),
        orders_made=tuple(orders_made),
    )


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(",") if k)


def tally_facts(facts: Iterable[Fact], today: date) -> Tally:
    """A :class:`Tally` of facts held in memory (people's names and orders: add them
    with ``dataclasses.replace``)."""
    charted: list[Fact] = []
    odd: list[Fact] = []
    for f in facts:
        (charted if f.charted else odd).append(f)

    def within(a: int, b: int) -> list[Fact]:
        return [f for f in charted if f.day is not None and a <= f.day <= b]

    src = Sources(
        odd=odd,
        outside=lambda lo, hi: [f for f in charted if f.day is not None and not lo <= f.day <= hi],
        recent=within,
        at_work=lambda lo, hi: [(f.id, f.day) for f in within(lo, hi) if f.work and f.day is not None],
    )
    return assemble(day_totals(charted), today.toordinal(), src)


def tally_entries(
    entries: Iterable[Entry],
    today: date,
    *,
    people: Sequence[tuple[int, str, str]] = (),
    orders_made: Sequence[tuple[str, date]] = (),
) -> Tally:
    """A :class:`Tally` of single entries (an export's, or a constructed timeline)."""
    facts = (
        Fact(
            e.id,
            None if e.when is None else e.when.toordinal(),
            e.when.hour if e.timed and e.when is not None else -1,
            "," + ",".join(e.kinds) + ",",
            e.breach,
            e.people,
            e.context,
            e.left_out,
            e.asks_to_stop,
            e.at_work,
        )
        for e in entries
    )
    orders = tuple((label, d.toordinal()) for label, d in orders_made)
    return replace(tally_facts(facts, today), people=tuple(people), orders_made=orders)


# ---------------------------------------------------------------------------- output


@dataclass(frozen=True)
class Period:
    """A week (from Monday) or a month (from the 1st)."""

    start: date
    label: str
    count: int
    breaches: int = 0
    night: int = 0
    by_kind: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Gap:
    """Days with nothing logged between two incidents."""

    after: date  # the day of the incident before
    before: date  # the day of the incident after
    days: int  # days between them with no incident


@dataclass(frozen=True)
class Escalation:
    """A change in the pattern, in plain words, with the entries behind it."""

    id: str  # "rising", "new_kind:threat", "in_person", "at_work", "breaches", "night"
    title: str
    text: str
    entries: tuple[int, ...]  # entry references (the first MAX_REFS)
    more: int = 0  # entries behind it not named

    @property
    def refs_text(self) -> str:
        refs = ", ".join(str(i) for i in self.entries)
        head = ("Entry " if len(self.entries) == 1 else "Entries ") + refs
        return head + (f" and {self.more} more" if self.more else "")

    @property
    def line(self) -> str:
        """The flag in one line, with its references unless the sentence already names
        its one entry."""
        if len(self.entries) == 1 and not self.more and f"Entry {self.entries[0]}" in self.text:
            return f"{self.title}: {self.text}"
        return f"{self.title}: {self.text} ({self.refs_text})"


@dataclass(frozen=True)
class Stats:
    total: int
    undated: int
    first: date | None
    last: date | None
    today: date
    active_days: int
    daily: tuple[tuple[date, int], ...]  # days with incidents only
    weeks: tuple[Period, ...]
    months: tuple[Period, ...]
    by_kind: tuple[tuple[str, str, int], ...]  # (kind, label, count)
    by_person: tuple[tuple[int, str, str, int], ...]  # (id, name, role, count)
    grid: tuple[tuple[int, ...], ...]
    longest_streak: tuple[int, date | None, date | None]  # days in a row, first, last
    current_streak: int  # days in a row up to today (0: none today)
    gaps: tuple[Gap, ...]  # the longest first, 7 days or more
    busiest_day: tuple[date | None, int]
    breaches: int
    night: int
    asked_to_stop: tuple[tuple[int, date], ...]
    escalations: tuple[Escalation, ...]
    four: tuple[tuple[str, str], ...]  # ("Repeated", "47 incidents in 6 weeks")
    left_out: tuple[tuple[int, date, str], ...] = ()
    left_out_count: int = 0
    trend: str = ""  # one line: "rising", "falling", "steady" in words
    per_week_recent: float = 0.0
    per_week_before: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)
    first_entries: tuple[tuple[str, int, date], ...] = ()  # (kind, entry, day) of each kind's first

    @property
    def days_since_last(self) -> int | None:
        return None if self.last is None else (self.today - self.last).days

    @property
    def weeks_spanned(self) -> int:
        if self.first is None or self.last is None:
            return 0
        return max(1, math.ceil(((self.last - self.first).days + 1) / 7))

    @property
    def occasions_text(self) -> str:
        """The course of conduct: the law asks for conduct on at least two occasions."""
        if not self.total:
            return "No incidents with a known date."
        return (
            f"{plural(self.total, 'incident')} on {plural(self.active_days, 'separate day')}"
            + (
                f" between {day_text(self.first)} and {day_text(self.last)}"
                if self.first and self.last and self.first != self.last
                else ""
            )
            + (" (a course of conduct needs at least two occasions)." if self.active_days >= 2 else ".")
        )


def _label(kind: str) -> str:
    return SHORT_LABELS.get(kind, KINDS.get(kind, kind))


def _periods(days: Sequence[DayTotal], monthly: bool) -> tuple[Period, ...]:
    sums: dict[date, list[int]] = {}  # count, breaches, night
    kinds: dict[date, dict[str, int]] = {}
    start = -1
    for t in days:  # in order: a period's days follow one another
        if t.day >= start:
            b = period_start(date.fromordinal(t.day), monthly)
            start = _next_start(b, monthly).toordinal()
            into = kinds[b] = {}
            total = sums[b] = [0, 0, 0]
        total[0] += t.total
        total[1] += t.breaches
        total[2] += t.night
        for k, n, _first in t.kinds:
            into[k] = into.get(k, 0) + n

    def period(d: date) -> Period:
        count, breaches, night = sums.get(d, (0, 0, 0))
        by_kind = tuple(sorted(kinds[d].items(), key=lambda kv: (-kv[1], kv[0]))) if d in kinds else ()
        return Period(d, period_label(d, monthly), count, breaches, night, by_kind)

    return tuple(period(d) for d in period_run(sums, monthly, MAX_PERIODS))


def _next_start(b: date, monthly: bool) -> date:
    """The first day of the period after the one starting on ``b``."""
    if not monthly:
        return b + timedelta(days=7)
    return date(b.year + (b.month == 12), b.month % 12 + 1, 1) if b.year < 9999 or b.month < 12 else date.max


def _streaks(days: Sequence[int], today: int) -> tuple[tuple[int, int, int], int, list[Gap]]:
    best = (0, 0, 0)
    run_start = prev = None
    gaps: list[Gap] = []
    for d in days:
        if prev is not None and d == prev + 1:
            pass
        else:
            if prev is not None and d - prev - 1 >= 7:
                gaps.append(Gap(date.fromordinal(prev), date.fromordinal(d), d - prev - 1))
            run_start = d
        assert run_start is not None
        if d - run_start + 1 > best[0]:
            best = (d - run_start + 1, run_start, d)
        prev = d
    current = 0
    if days and days[-1] >= today - 1:  # still going today (or yesterday)
        current = 1
        k = len(days) - 1
        while k > 0 and days[k - 1] == days[k] - 1:
            current += 1
            k -= 1
    gaps.sort(key=lambda g: (-g.days, g.after))
    return best, current, gaps[:5]


def _refs(ids: Sequence[int]) -> tuple[tuple[int, ...], int]:
    return tuple(ids[:MAX_REFS]), max(0, len(ids) - MAX_REFS)


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def _rate_words(x: float) -> str:
    return f"{x:.1f} a week"


def _rising(t: Tally, by_day: Counter[int], first: int, night: bool) -> Escalation | None:
    """More incidents (or more at night) in the last 4 weeks than in the weeks before."""
    recent_lo = t.today - RECENT_DAYS + 1
    base_lo = max(first, recent_lo - BASELINE_DAYS)
    base_days = recent_lo - base_lo
    if base_days < MIN_BASELINE_DAYS:
        return None
    recent = sum(n for d, n in by_day.items() if recent_lo <= d <= t.today)
    before = sum(n for d, n in by_day.items() if base_lo <= d < recent_lo)
    r_rate = recent / (RECENT_DAYS / 7)
    b_rate = before / (base_days / 7)
    least = 3 if night else 4
    if recent < least or r_rate < RISING_FACTOR * b_rate or r_rate - b_rate < 1:
        return None
    ids = [r.id for r in t.recent if recent_lo <= r.day <= t.today and (r.night or not night)]
    refs, more = _refs(ids)
    span = f"in the {base_days // 7} weeks before" if base_days >= 14 else "before"
    if night:
        return Escalation(
            "night",
            "More contact at night",
            f"{plural(recent, 'incident')} between 10pm and 6am in the last 4 weeks "
            f"({_rate_words(r_rate)}), against {_rate_words(b_rate)} {span}.",
            refs,
            more,
        )
    return Escalation(
        "rising",
        "More often lately",
        f"{plural(recent, 'incident')} in the last 4 weeks ({_rate_words(r_rate)}), against "
        f"{_rate_words(b_rate)} {span}" + (f" ({r_rate / b_rate:.1f} times as often)." if b_rate else "."),
        refs,
        more,
    )


_NEW_KINDS = (
    ("threat", "First threat", "the first threat"),
    ("violence", "First violence", "the first violence"),
    ("damage", "First damage to property", "the first damage to your property"),
    ("third_party", "Now through other people", "the first contact through someone else"),
    ("monitoring", "First sign of monitoring", "the first sign of monitoring or tracking"),
)


def _first_of(days: Sequence[DayTotal]) -> dict[str, tuple[int, int]]:
    """Each kind's first (day, entry reference)."""
    first: dict[str, tuple[int, int]] = {}
    for t in days:  # in order, one per day: a kind's first day holds its first entry
        for k, _n, iid in t.kinds:
            if k not in first:
                first[k] = (t.day, iid)
    return first


def _new_kinds(t: Tally, first_of: Mapping[str, tuple[int, int]], first: int) -> list[Escalation]:
    """Kinds that appeared after the log began: a visit after only messages, a first
    threat, damage, people around the victim, turning up at work."""
    out: list[Escalation] = []

    def since(day: int) -> str:
        weeks = (day - first) // 7
        return (
            f"{plural(weeks, 'week')} after the first incident"
            if weeks
            else f"{day - first} days after the first incident"
        )

    presence = [first_of[k] for k in PRESENCE if k in first_of]
    if presence:
        day, iid = min(presence)
        if day > first:
            before = {k for k, (d, _i) in first_of.items() if d < day}
            only_remote = bool(before) and before <= REMOTE
            what = "only calls, messages and posts" if only_remote else "other kinds of contact"
            out.append(
                Escalation(
                    "in_person",
                    "Now in person",
                    f"The first time in person ({day_text(day)}, Entry {iid}), {since(day)}; "
                    f"before that, {what}.",
                    (iid,),
                )
            )
    for kind, title, words in _NEW_KINDS:
        if kind in first_of and first_of[kind][0] > first:
            day, iid = first_of[kind]
            out.append(
                Escalation(
                    "new_kind:" + kind,
                    title,
                    f"{words[0].upper()}{words[1:]} ({day_text(day)}, Entry {iid}), {since(day)}.",
                    (iid,),
                )
            )
    if t.at_work:
        iid, day = t.at_work[0]
        refs, more = _refs([i for i, _ in t.at_work])
        out.append(
            Escalation(
                "at_work",
                "Turned up at your work",
                f"First at your work on {day_text(day)} (Entry {iid})"
                + (f"; {plural(len(t.at_work), 'time')} in all." if len(t.at_work) > 1 else "."),
                refs,
                more,
            )
        )
    return out


def _breaches(t: Tally) -> Escalation | None:
    """Breaches recorded on or after the day an order was made."""
    if not t.orders_made:
        return None
    label, made = min(t.orders_made, key=lambda o: o[1])
    after = [(d.day, int(g[1]), int(g[2])) for d in t.days if d.day >= made for g in d.breach_groups]
    if not after:
        return None
    n = sum(count for _d, _i, count in after)
    refs, more = _refs([iid for _d, iid, _n in after])
    more += n - len(after)  # one reference per day and kinds is named
    return Escalation(
        "breaches",
        "Breaches after an order",
        f"{plural(n, 'incident')} recorded as breaches since the {label or 'order'} was made on "
        f"{day_text(made)}, the latest on {day_text(after[-1][0])}. Whether each was in force "
        "and served on its date is checked in the export.",
        refs,
        more,
    )


def _four(
    s_total: int, weeks: int, active: int, span_days: int, t: Tally, stats: dict[str, object]
) -> tuple[tuple[str, str], ...]:
    """Fixated, Obsessive, Unwanted, Repeated, each with the user's own figure."""
    if not s_total:
        return ()
    top_person = stats.get("top_person")
    fixated = f"Something happened on {plural(active, 'day')} out of the {span_days} since it began"
    if isinstance(top_person, tuple):
        fixated += f"; {top_person[0]} is named in {top_person[1]} of the {s_total} incidents"
    busiest = stats.get("busiest")
    kinds = int(str(stats.get("kinds", 0)))
    obsessive = f"{plural(kinds, 'way', 'different ways')} of reaching you"
    if isinstance(busiest, tuple) and busiest[1] > 1:
        obsessive += f"; as many as {busiest[1]} in one day ({busiest[0]})"
    if t.asked_to_stop:
        iid, day = t.asked_to_stop[0]
        after = int(str(stats.get("after_stop", 0)))
        unwanted = (
            f"You told them to stop {_times(len(t.asked_to_stop))} (first on {day_text(day)}, "
            f"Entry {iid}); {plural(after, 'incident')} since"
        )
    else:
        unwanted = (
            "The log does not yet say that you told them to stop. You never have to, but if "
            "you did (or someone did for you), add it: it shows they knew"
        )
    repeated = f"{plural(s_total, 'incident')} in {plural(weeks, 'week')}"
    return (
        ("Fixated", fixated + "."),
        ("Obsessive", obsessive + "."),
        ("Unwanted", unwanted + "."),
        ("Repeated", repeated + "."),
    )


def compute(t: Tally) -> Stats:
    """Every figure of the pattern from a tally (pure; no clock, no vault)."""
    days = [d.day for d in t.days]  # in order
    by_day: Counter[int] = Counter({d.day: d.total for d in t.days})
    night_by_day: Counter[int] = Counter({d.day: d.night for d in t.days})
    kinds: Counter[str] = Counter()
    for d in t.days:
        for k, n, _first in d.kinds:
            kinds[k] += n
    breaches = sum(d.breaches for d in t.days)
    night = sum(d.night for d in t.days)
    total = sum(by_day.values())
    today = date.fromordinal(t.today)
    first = days[0] if days else None
    last = days[-1] if days else None
    names = {pid: (name, role) for pid, name, role in t.people}
    person_counts: Counter[int] = Counter()
    for pid, n in t.person_counts:
        person_counts[pid] += n
    by_person = tuple(
        (pid, names.get(pid, ("", ""))[0] or f"Person {pid}", names.get(pid, ("", ""))[1], n)
        for pid, n in sorted(person_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    best, current, gaps = _streaks(days, t.today)
    first_of = _first_of(t.days)
    busiest_day = max(days, key=lambda d: (by_day[d], -d)) if days else None
    escalations: list[Escalation] = []
    trend, r_rate, b_rate = "", 0.0, 0.0
    if first is not None:
        for flag in (_rising(t, by_day, first, night=False), _rising(t, night_by_day, first, night=True)):
            if flag is not None:
                escalations.append(flag)
        escalations += _new_kinds(t, first_of, first)
        breach_flag = _breaches(t)
        if breach_flag is not None:
            escalations.append(breach_flag)
        recent_lo = t.today - RECENT_DAYS + 1
        base_lo = max(first, recent_lo - BASELINE_DAYS)
        r_rate = sum(n for d, n in by_day.items() if recent_lo <= d <= t.today) / (RECENT_DAYS / 7)
        window = f"in the 4 weeks to {day_text(t.today)}"
        if recent_lo - base_lo >= MIN_BASELINE_DAYS:
            b_rate = sum(n for d, n in by_day.items() if base_lo <= d < recent_lo) / (
                (recent_lo - base_lo) / 7
            )
            if not r_rate and not b_rate:
                trend = f"none in the 12 weeks to {day_text(t.today)}"
            elif r_rate >= RISING_FACTOR * b_rate and r_rate - b_rate >= 1:
                trend = f"rising: {_rate_words(r_rate)} {window}, {_rate_words(b_rate)} before"
            elif b_rate >= RISING_FACTOR * r_rate and b_rate - r_rate >= 1:
                trend = f"falling: {_rate_words(r_rate)} {window}, {_rate_words(b_rate)} before"
            else:
                trend = f"steady: {_rate_words(r_rate)} {window}, {_rate_words(b_rate)} before"
        else:
            trend = f"{_rate_words(r_rate)} {window} (too early to compare)"
    perpetrators = [p for p in by_person if p[2] == "perpetrator"] or list(by_person)
    stop_first = t.asked_to_stop[0][1] if t.asked_to_stop else None
    extra: dict[str, object] = {
        "kinds": len(kinds),
        "busiest": (day_text(busiest_day), by_day[busiest_day]) if busiest_day is not None else None,
        "top_person": (perpetrators[0][1], perpetrators[0][3]) if perpetrators else None,
        "after_stop": sum(n for d, n in by_day.items() if d > stop_first) if stop_first is not None else 0,
    }
    span_days = (last - first + 1) if first is not None and last is not None else 0
    weeks = max(1, math.ceil(span_days / 7)) if span_days else 0
    return Stats(
        total=total,
        undated=t.undated,
        first=date.fromordinal(first) if first is not None else None,
        last=date.fromordinal(last) if last is not None else None,
        today=today,
        active_days=len(days),
        daily=tuple((date.fromordinal(d), by_day[d]) for d in days),
        weeks=_periods(t.days, monthly=False),
        months=_periods(t.days, monthly=True),
        by_kind=tuple((k, _label(k), n) for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_person=by_person,
        grid=t.grid,
        longest_streak=(
            best[0],
            date.fromordinal(best[1]) if best[0] else None,
            date.fromordinal(best[2]) if best[0] else None,
        ),
        current_streak=current,
        gaps=tuple(gaps),
        busiest_day=(date.fromordinal(busiest_day), by_day[busiest_day])
        if busiest_day is not None
        else (None, 0),
        breaches=breaches,
        night=night,
        asked_to_stop=tuple((i, date.fromordinal(d)) for i, d in t.asked_to_stop),
        escalations=tuple(escalations),
        four=_four(total, weeks, len(days), span_days, t, extra),
        left_out=tuple((i, date.fromordinal(d), why) for i, d, why in t.left_out),
        left_out_count=t.left_out_count,
        trend=trend,
        per_week_recent=r_rate,
        per_week_before=b_rate,
        extra=extra,
        first_entries=tuple(
            (k, i, date.fromordinal(d)) for k, (d, i) in sorted(first_of.items(), key=lambda kv: kv[1])
        ),
    )


def grid_peak(grid: Sequence[Sequence[int]]) -> str:
    """The busiest weekday and hour in words, e.g. ``Fri 22:00-23:00 (9 incidents)``."""
    best = max(((n, d, h) for d, row in enumerate(grid) for h, n in enumerate(row)), default=(0, 0, 0))
    if not best[0]:
        return ""
    n, d, h = best
    return f"{_DAYS[d]} {h:02d}:00-{(h + 1) % 24:02d}:00 ({plural(n, 'incident')})"


#: FOUR (Nottinghamshire Police, shared/DOMAIN.md): what each word means, in plain words.
FOUR_MEANINGS: tuple[tuple[str, str], ...] = (
    ("Fixated", "Their attention keeps coming back to you, whatever you do."),
    ("Obsessive", "They go to lengths, in many ways, far beyond ordinary contact."),
    ("Unwanted", "You did not want it, and they knew or ought to have known."),
    ("Repeated", "It happens again and again: a course of conduct, not one incident."),
)
FOUR_NOTE = (
    "If these four describe what is happening, it may be stalking, and stalking is a crime. "
    "Report it to the police (101, or 999 if you are in danger) or talk to the National "
    "Stalking Helpline (0808 802 0300). This is not a score or a verdict: your own figures "
    "are here so you can show them."
)


def four_help(s: Stats) -> tuple[tuple[str, str, str], ...]:
    """(word, what it means, the user's own figure) for the help panel and the pattern view."""
    figures = dict(s.four)
    return tuple((word, meaning, figures.get(word, "")) for word, meaning in FOUR_MEANINGS)
