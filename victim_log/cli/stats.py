"""``victim-log stats``: the course of conduct in numbers (#20).

Counts per week and month, by kind and person, the time-of-day pattern, streaks and
gaps, escalation flags with the entries behind them, and the FOUR figures. Only
counts, dates, kinds and entry references are printed: never an account's words.
"""

from __future__ import annotations

import argparse
from datetime import date
from datetime import datetime
from typing import Any

from .. import casetime
from ..errors import EXIT_OK
from ..errors import BadInput
from ..model import parse_when
from ..stats import Period
from ..stats import Stats
from ..stats import compute
from ..stats import day_text
from ..stats import grid_peak
from ..textsafe import plural
from .output import one_line
from .output import print_json
from .session import open_vault

#: ``stats --json``: the top-level fields (docs/export-format.md, "stats --json").
STATS_FIELDS: tuple[str, ...] = (
    "total",
    "undated",
    "first",
    "last",
    "figures_for",
    "days_since_last",
    "active_days",
    "occasions",
    "trend",
    "per_week_recent",
    "per_week_before",
    "breaches",
    "night",
    "weeks",
    "months",
    "by_kind",
    "by_person",
    "grid",
    "longest_streak",
    "current_streak",
    "gaps",
    "busiest_day",
    "asked_to_stop",
    "escalations",
    "four",
    "left_out",
    "left_out_count",
)


def add_stats_command(sub: Any, command: Any) -> None:
    """Register ``stats`` (called from cli/parser.py)."""
    from .argtypes import when_arg

    p = command("stats", cmd_stats, "the pattern in numbers: per week, kinds, times, escalation")
    p.add_argument("--json", action="store_true")
    p.add_argument("--from", dest="start", metavar="DATE", type=when_arg)
    p.add_argument("--to", dest="end", metavar="DATE", type=when_arg, help="figures as on this day")
    p.add_argument("--person", metavar="NAME", help="only incidents involving this person")


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _period(p: Period) -> dict[str, Any]:
    return {
        "start": p.start.isoformat(),
        "count": p.count,
        "breaches": p.breaches,
        "night": p.night,
        "by_kind": dict(p.by_kind),
    }


def stats_json(s: Stats) -> dict[str, Any]:
    """The ``stats --json`` document (exactly :data:`STATS_FIELDS`)."""
    doc: dict[str, Any] = {
        "total": s.total,
        "undated": s.undated,
        "first": _iso(s.first),
        "last": _iso(s.last),
        "figures_for": s.today.isoformat(),
        "days_since_last": s.days_since_last,
        "active_days": s.active_days,
        "occasions": s.occasions_text,
        "trend": s.trend,
        "per_week_recent": round(s.per_week_recent, 2),
        "per_week_before": round(s.per_week_before, 2),
        "breaches": s.breaches,
        "night": s.night,
        "weeks": [_period(p) for p in s.weeks],
        "months": [_period(p) for p in s.months],
        "by_kind": [{"kind": k, "label": label, "count": n} for k, label, n in s.by_kind],
        "by_person": [{"id": i, "name": name, "role": role, "count": n} for i, name, role, n in s.by_person],
        "grid": [list(row) for row in s.grid],
        "longest_streak": {
            "days": s.longest_streak[0],
            "first": _iso(s.longest_streak[1]),
            "last": _iso(s.longest_streak[2]),
        },
        "current_streak": s.current_streak,
        "gaps": [{"after": _iso(g.after), "before": _iso(g.before), "days": g.days} for g in s.gaps],
        "busiest_day": {"day": _iso(s.busiest_day[0]), "count": s.busiest_day[1]},
        "asked_to_stop": [{"entry": i, "day": d.isoformat()} for i, d in s.asked_to_stop],
        "escalations": [
            {"id": e.id, "title": e.title, "text": e.text, "entries": list(e.entries), "more": e.more}
            for e in s.escalations
        ],
        "four": [{"letter": w, "figure": text} for w, text in s.four],
        "left_out": [{"entry": i, "day": d.isoformat(), "why": why} for i, d, why in s.left_out],
        "left_out_count": s.left_out_count,
    }
    assert tuple(doc) == STATS_FIELDS
    return doc


def stats_text(s: Stats) -> list[str]:
    """The figures in plain words, one line each."""
    if not s.total:
        lines = ["No incidents with a known date in this period."]
        if s.undated:
            lines.append(f"{plural(s.undated, 'incident')} without a date (not counted).")
        return lines
    lines = [s.occasions_text]
    since = plural(s.days_since_last or 0, "day")
    lines.append(f"Latest: {day_text(s.last or s.today)} ({since} before {day_text(s.today)}).")
    if s.trend:
        lines.append(f"Trend: {s.trend}.")
    lines.append("By kind: " + ", ".join(f"{label} {n}" for _k, label, n in s.by_kind) + ".")
    if s.by_person:
        lines.append(
            "By person: " + ", ".join(f"{one_line(name)} {n}" for _i, name, _r, n in s.by_person) + "."
        )
    weeks = s.weeks[-8:]
    lines.append("Last weeks: " + ", ".join(f"w/b {w.label} {w.count}" for w in weeks) + ".")
    peak = grid_peak(s.grid)
    if peak:
        lines.append(f"Busiest hour of the week: {peak}; at night (10pm-6am): {s.night}.")
    if s.longest_streak[0] > 1:
        lines.append(
            f"Longest run: {s.longest_streak[0]} days in a row ({day_text(s.longest_streak[1] or s.today)} "
            f"to {day_text(s.longest_streak[2] or s.today)})."
        )
    for g in s.gaps[:3]:
        lines.append(
            f"Gap: {plural(g.days, 'day')} with nothing logged, {day_text(g.after)} to {day_text(g.before)}."
        )
    if s.breaches:
        lines.append(f"Recorded as breaches of an order: {s.breaches}.")
    if s.escalations:
        lines.append("Escalation:")
        lines += [f"  {e.line}" for e in s.escalations]
    else:
        lines.append("Escalation: none of the changes we look for (see README).")
    lines.append("FOUR (Fixated, Obsessive, Unwanted, Repeated):")
    lines += [f"  {w}: {text}" for w, text in s.four]
    if s.undated:
        lines.append(f"{plural(s.undated, 'incident')} without a date are not counted.")
    if s.left_out_count:
        refs = ", ".join(str(i) for i, _d, _w in s.left_out)
        lines.append(
            f"Left out of the counts, dates that cannot be right: Entries {refs} ({s.left_out_count} in all)."
        )
    return lines


def cmd_stats(args: argparse.Namespace) -> int:
    from ..store.stats import tally
    from ..vault import IncidentFilter

    with open_vault(args) as vault:
        zone = casetime.use_vault_zone(vault)
        person_id = None
        if args.person:
            found = vault.find_person(args.person)
            if found is None:
                raise BadInput(f"There is nobody called '{one_line(args.person)}' in People.")
            person_id = found.id
        today = datetime.now(zone).date()
        if args.start and args.end and parse_when(args.end) < parse_when(args.start):
            raise BadInput("--to is before --from.")
        if args.end:
            today = min(today, casetime.in_zone(parse_when(args.end), zone).date())
        flt = IncidentFilter(start=args.start or "", end=args.end or "", person_id=person_id)
        stats = compute(tally(vault.conn, flt, zone, today))
    if args.json:
        print_json(stats_json(stats))
    else:
        for line in stats_text(stats):
            print(one_line(line))  # names and order labels are the person's own text
    return EXIT_OK
