"""The key facts page (#20): page 1 of the PDF, what an officer must see in two minutes.

Why: forces have missed stalking as a course of conduct when it arrived as a list of
separate entries, and a victim was told "he's not actually done anything wrong yet".
This page puts the whole pattern first: whose log it is, who is doing this and how to
identify them, the first and latest incident, counts by kind and per week with the
trend, the most serious entries (threats, violence, fear of violence: the s.4/s.4A
test) by reference, orders in force with breaches by condition, police references and
officers, what was reported and what was not, and when the victim told them to stop.

Everything is read from the :class:`~victim_log.export.case.ExportCase` the rest of the
PDF is drawn from, so every figure and entry reference matches the pages after it;
the pattern's figures come from :mod:`victim_log.stats` on the same entries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .. import casetime
from .. import sdash
from ..importers.context import asks_to_stop
from ..model import SHORT_LABELS
from ..stats import Entry
from ..stats import Escalation
from ..stats import Stats
from ..stats import compute
from ..stats import day_text
from ..stats import tally_entries
from ..textsafe import plural
from .case import CaseIncident
from .case import CaseOrder
from .case import ExportCase

__all__ = ["KeyFacts", "key_facts", "pdf_key_facts", "SERIOUS_KINDS"]

SERIOUS_KINDS = ("threat", "violence")
SERIOUS_EFFECT = "afraid_violence"
MAX_LISTED = 15


@dataclass(frozen=True)
class KeyFacts:
    """The page's content as plain text lines (label, value), in order."""

    owner: str
    perpetrators: tuple[tuple[str, str], ...]  # (name with relationship, identifiers)
    period: str  # first and latest incident, days since the last
    counts: str
    per_week: str
    serious: tuple[str, ...]  # "Entry 12, 3 Apr 2026: Threat; afraid of violence"
    serious_more: int
    orders: tuple[tuple[str, str], ...]  # (order label, status and breaches by condition)
    police: tuple[str, ...]  # "Ref 12/3456/26, PC Jones 1234, reported 5 Apr 2026 (Entries 3, 7)"
    reported: str  # "4 of 20 incidents reported to police; 16 not (yet) reported"
    told_to_stop: tuple[str, ...]
    escalations: tuple[Escalation, ...]
    course: str  # the course of conduct in one sentence
    stats: Stats


def _zone(case: ExportCase) -> Any:
    try:
        return ZoneInfo(case.time_zone) if case.time_zone else casetime.active_zone()
    except (ValueError, KeyError):
        return casetime.active_zone()


def _when(i: CaseIncident, zone: Any) -> datetime | None:
    dt = casetime.parse_instant(i.occurred_start) if i.occurred_start else None
    if dt is None:
        return None
    return casetime.in_zone(dt, zone) if i.precision in ("exact", "approximate") else dt


def _said_stop(i: CaseIncident) -> bool:
    return any(asks_to_stop(t) for t in (i.summary, i.details, i.actions) if t)


def _day(i: CaseIncident, zone: Any) -> str:
    dt = _when(i, zone)
    return day_text(dt.date()) if dt is not None else "date not known"


def _entries(case: ExportCase, zone: Any) -> list[Entry]:
    out = []
    for i in case.incidents:
        out.append(
            Entry(
                i.number,
                _when(i, zone),
                i.precision in ("exact", "approximate"),
                i.kinds,
                breach=i.breach and not i.breach_flagged,
                people=tuple(p.id for p in i.people),
                asks_to_stop=_said_stop(i),
                at_work=any(k in i.kinds for k in ("turned_up", "in_person", "loitering"))
                and any("work" in t.casefold() or "office" in t.casefold() for t in (i.location, i.summary)),
                left_out=i.date_flag,
            )
        )
    for c in case.context:
        out.append(Entry(c.number, _when(c, zone), True, c.kinds, context=True))
    return out


def _identifiers(case: ExportCase) -> tuple[tuple[str, str], ...]:
    out = []
    for p in case.perpetrators:
        ids = [
            ("also known as", p.aliases),
            ("phone", p.phones),
            ("accounts", p.accounts),
            ("vehicles", p.vehicles),
        ]
        text = "; ".join(f"{what}: {', '.join(v)}" for what, v in ids if v)
        out.append(
            (p.name + (f" ({p.relationship})" if p.relationship else ""), text or "No identifiers recorded")
        )
    return tuple(out)


def _order_line(o: CaseOrder, case: ExportCase) -> str:
    mine = [i for i in case.breaches if i.order_id == o.id]
    parts = [f"{o.status} on the export date"]
    if o.expires_on:
        parts.append(f"ends {day_text(date.fromisoformat(o.expires_on))}" if _iso(o.expires_on) else "")
    by_condition: dict[str, list[int]] = {}
    flagged = []
    for i in mine:
        if i.breach_flagged:
            flagged.append(i.number)
            continue
        cond = i.order_condition
        key = (
            f"condition {o.conditions.index(cond) + 1}"
            if cond in o.conditions
            else ("condition not recorded" if not cond else "a condition")
        )
        by_condition.setdefault(key, []).append(i.number)
    if not mine:
        parts.append("no breach recorded")
    for key, nums in sorted(by_condition.items()):
        parts.append(f"{plural(len(nums), 'breach', 'breaches')} of {key} ({_refs(nums)})")
    if flagged:
        parts.append(
            f"{plural(len(flagged), 'entry', 'entries')} marked as breaches but not shown to be in "
            f"force or served on the date ({_refs(flagged)}; see Breaches of orders)"
        )
    return "; ".join(p for p in parts if p) + "."


def _iso(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _refs(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_LISTED])
    more = f" and {len(numbers) - MAX_LISTED} more" if len(numbers) > MAX_LISTED else ""
    return ("Entry " if len(numbers) == 1 else "Entries ") + shown + more


def _police(case: ExportCase, zone: Any) -> tuple[tuple[str, ...], str]:
    refs: dict[tuple[str, str, str], list[int]] = {}
    reported_on: dict[tuple[str, str, str], str] = {}
    for i in case.incidents:
        p = i.police
        if p.is_empty():
            continue
        key = (p.reference, p.officer, p.collar_number)
        refs.setdefault(key, []).append(i.number)
        if p.reported_on and key not in reported_on:
            reported_on[key] = p.reported_on
    lines = []
    for (ref, officer, collar), nums in refs.items():
        who = " ".join(x for x in (officer, f"(collar {collar})" if collar else "") if x)
        text = ", ".join(x for x in (f"reference {ref}" if ref else "no reference recorded", who) if x)
        if (ref, officer, collar) in reported_on:
            on = reported_on[(ref, officer, collar)]
            text += f", reported {day_text(date.fromisoformat(on)) if _iso(on) else on}"
        lines.append(f"{text} ({_refs(nums)})")
    n = len(case.incidents)
    reported = sum(1 for i in case.incidents if not i.police.is_empty())
    summary = (
        f"{reported} of {plural(n, 'incident')} reported to police (a police reference, officer or "
        f"date recorded); {n - reported} not recorded as reported."
    )
    return tuple(lines), summary


def key_facts(case: ExportCase) -> KeyFacts:
    """The key facts of ``case`` (pure: reads nothing else)."""
    zone = _zone(case)
    try:
        exported = casetime.in_zone(datetime.fromisoformat(case.exported_at), zone).date()
    except ValueError:
        exported = date.today()
    people = [(p.id, p.name, p.role) for p in case.people]
    orders = [(o.label, date.fromisoformat(o.made_on)) for o in case.orders if o.made_on and _iso(o.made_on)]
    entries = _entries(case, zone)
    stats = compute(tally_entries(entries, exported, people=people, orders_made=orders))
    pattern = stats  # the trend and escalation: up to the latest incident, if it was a while ago
    if stats.last is not None and (exported - stats.last).days > 7:
        pattern = compute(tally_entries(entries, stats.last, people=people, orders_made=orders))
    if stats.first and stats.last:
        since = stats.days_since_last or 0
        period = (
            f"First incident {day_text(stats.first)}; latest {day_text(stats.last)}, "
            f"{plural(since, 'day')} before this export."
        )
    else:
        period = "No exported incident has a known date."
    kind_counts: Counter[str] = Counter()
    labels: dict[str, str] = {}
    for k in case.counts_by_kind:
        kind_counts[k.kind] = k.count
        labels[k.kind] = k.label
    counts = (
        f"{plural(len(case.incidents), 'incident')}: "
        + ", ".join(f"{SHORT_LABELS.get(k, labels[k])} {n}" for k, n in kind_counts.most_common())
        + "."
        if case.incidents
        else "No incidents."
    )
    weeks = stats.weeks
    per_week = "No weekly pattern (no dated incidents)."
    if weeks:
        busiest = max(weeks, key=lambda w: w.count)
        per_week = (
            f"{stats.total / len(weeks):.1f} a week on average over {plural(len(weeks), 'week')}; "
            f"the busiest week began {busiest.label} ({busiest.count}). Trend"
            + (" up to the latest incident" if pattern is not stats else "")
            + f": {pattern.trend}."
        )
    serious_items = [
        i for i in case.incidents if any(k in i.kinds for k in SERIOUS_KINDS) or SERIOUS_EFFECT in i.effects
    ]
    serious = []
    for i in serious_items[:MAX_LISTED]:
        what = [lab for k, lab in zip(i.kinds, i.kind_labels, strict=False) if k in SERIOUS_KINDS]
        if SERIOUS_EFFECT in i.effects:
            what.append("afraid of violence")
        serious.append(f"Entry {i.number}, {_day(i, zone)}: {'; '.join(what)}")
    police, reported = _police(case, zone)
    told = [
        f"Entry {c.number}, {_day(c, zone)}: your reply, kept from an import (context)" for c in case.context
    ]
    told += [
        f"Entry {i.number}, {_day(i, zone)}: your words in the entry" for i in case.incidents if _said_stop(i)
    ]
    return KeyFacts(
        owner=case.owner,
        perpetrators=_identifiers(case),
        period=period,
        counts=counts,
        per_week=per_week,
        serious=tuple(serious),
        serious_more=max(0, len(serious_items) - MAX_LISTED),
        orders=tuple((o.label, _order_line(o, case)) for o in case.orders),
        police=police,
        reported=reported,
        told_to_stop=tuple(told),
        # The orders line already gives breaches by condition.
        escalations=tuple(e for e in pattern.escalations if e.id != "breaches"),
        course=stats.occasions_text,
        stats=stats,
    )


def pdf_key_facts(pdf: Any, case: ExportCase) -> None:
    """Draw the key facts page on the export's PDF (``pdf`` is export/pdf.py's document:
    ``add_page``, ``h1``, ``h2``, ``field``, ``para``, ``clean``)."""
    f = key_facts(case)
    c = pdf.clean
    pdf.add_page()
    pdf.h1("Key facts", outline="Key facts")
    pdf.para(
        "The whole course of conduct on one page. Every entry reference (Entry N) is the one "
        "used in the timeline that follows.",
        size=9,
        line=4.5,
    )
    pdf.ln(1)
    pdf.field("Whose log", c(f.owner) if f.owner else "Name not given in the log")
    if f.perpetrators:
        for name, ids in f.perpetrators:
            pdf.field("Person doing this", c(f"{name}: {ids}"))
    else:
        pdf.field("Person doing this", "Not named in the exported incidents")
    pdf.field("Course of conduct", c(f.course))
    pdf.field("Dates", c(f.period))
    pdf.field("Counts by kind", c(f.counts))
    pdf.field("Per week", c(f.per_week))
    pdf.field(
        "Most serious",
        "\n".join(c(s) for s in f.serious) + (f"\n... and {f.serious_more} more" if f.serious_more else "")
        if f.serious
        else "No threat, violence or fear of violence recorded",
    )
    if f.escalations:
        pdf.field("Escalation", "\n".join(c(e.line) for e in f.escalations))
    else:
        pdf.field("Escalation", "None of the changes looked for (see the README of Victim Log)")
    if f.orders:
        for label, line in f.orders:
            pdf.field("Order", c(f"{label}: {line}"))
    else:
        pdf.field("Orders", "No protection order recorded")
    pdf.field("Police", "\n".join(c(p) for p in f.police) if f.police else "No police reference recorded")
    pdf.field("Reported", c(f.reported))
    _sdash_field(pdf, case)
    pdf.field(
        "Told to stop",
        "\n".join(c(t) for t in f.told_to_stop) if f.told_to_stop else "Not recorded in the exported entries",
    )


def sdash_lines(case: ExportCase) -> list[str]:
    """The S-DASH answers the victim chose to include: the latest answer to each
    question with its date, the changes, and the advice (never a score)."""
    if not case.sdash:
        return []
    lines = []
    for n, (q, text) in enumerate(sdash.QUESTIONS, 1):
        latest = next((s for s in reversed(case.sdash) if s.answer(q)), None)
        if latest is not None:
            by = "" if latest.by == "victim" else f", with {latest.by.removeprefix('support:')}"
            when = day_text(date.fromisoformat(latest.at[:10])) if _iso(latest.at[:10]) else latest.at[:10]
            lines.append(f"{n}. {text} {sdash.ANSWERS[latest.answer(q)]} ({when}{by})")
    for q, seq in sdash.changes(case.sdash):
        steps = ", then ".join(f"{sdash.ANSWERS[a].lower()} on {d}" for d, a in seq)
        lines.append(f"Changed: question {sdash.QUESTION_IDS.index(q) + 1}: {steps}.")
    lines.append(sdash.ADVICE)
    return lines


def _sdash_field(pdf: Any, case: ExportCase) -> None:
    lines = sdash_lines(case)
    if lines:
        pdf.field("S-DASH", "\n".join(pdf.clean(t) for t in ["Included at the victim's request.", *lines]))
