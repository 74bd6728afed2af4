"""The one-pass SQL tally (store/stats.py, #20 speed): every figure agrees with the
entry-by-entry tally, on the days the clocks change, with context, deleted, undated,
late and far-off entries, for the whole log and for a filter (the CLI's --from and
--person)."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from tests import pattern_helpers
from victim_log import casetime
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.stats import Entry
from victim_log.stats import compute
from victim_log.stats import tally_entries
from victim_log.store.stats import tally
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault

TODAY = date(2026, 5, 4)
LONDON = casetime.zone_of("Europe/London")

vault = pattern_helpers.vault  # the fixture: a vault on London's clock


def _entries(v: Vault, flt: IncidentFilter) -> list[Entry]:
    out = []
    for row in v.list_incidents(flt):
        when = casetime.parse_instant(row.occurred_start) if row.occurred_start else None
        timed = row.precision in ("exact", "approximate")
        if when is not None and timed:
            when = casetime.in_zone(when, LONDON)
        out.append(Entry(row.id, when, timed, row.kinds, row.breach, context=row.context))
    return out


def test_clock_change_nights_count_on_the_local_day_and_hour(vault: Vault) -> None:
    add = vault.add_incident
    # 29 Mar 2026: clocks go forward at 01:00 UTC. 00:30 UTC is 00:30 GMT (Sunday);
    # 23:30 UTC on Saturday 28 Mar is still Saturday; 23:30 UTC on 29 Mar is 00:30 BST
    # on Monday 30 Mar.
    add(IncidentData("a", ("message",), "2026-03-29T00:30:00+00:00"))
    add(IncidentData("b", ("message",), "2026-03-28T23:30:00+00:00"))
    add(IncidentData("c", ("message",), "2026-03-29T23:30:00+00:00"))
    # 25 Oct 2026 is after TODAY; use 26 Oct 2025: clocks go back at 01:00 UTC.
    # 23:30 UTC on 25 Oct is 00:30 BST on Sunday 26 Oct; 00:30 UTC is 01:30 BST, and
    # 01:30 UTC is 01:30 GMT (the hour that happens twice).
    add(IncidentData("d", ("phone_call",), "2025-10-25T23:30:00+00:00"))
    add(IncidentData("e", ("phone_call",), "2025-10-26T00:30:00+00:00"))
    add(IncidentData("f", ("phone_call",), "2025-10-26T01:30:00+00:00"))
    add(IncidentData("g", ("in_person",), "2025-10-26", precision="day"))
    s = compute(tally(vault.conn, IncidentFilter(), LONDON, TODAY))
    assert dict((d.isoformat(), n) for d, n in s.daily) == {
        "2025-10-26": 4,
        "2026-03-28": 1,
        "2026-03-29": 1,
        "2026-03-30": 1,
    }
    sun, sat, mon = 6, 5, 0
    assert s.grid[sun][0] == 2 and s.grid[sun][1] == 2  # 26 Oct 00:30, 01:30 twice; 29 Mar 00:30
    assert s.grid[sat][23] == 1 and s.grid[mon][0] == 1
    assert s.night == 6  # the day-only visit has no time
    b = compute(tally_entries(_entries(vault, IncidentFilter()), TODAY))
    assert (s.daily, s.grid, s.weeks, s.night) == (b.daily, b.grid, b.weeks, b.night)


def _mixed(v: Vault) -> tuple[int, int]:
    dan = v.add_person(PersonData(name="Dan Marsh", role="perpetrator"))
    amy = v.add_person(PersonData(name="Amy Hale", role="witness"))
    add = v.add_incident
    for day in range(2, 28):
        add(IncidentData("msg", ("message",), f"2026-04-{day:02d}T21:{day:02d}", people=(dan,)))
    add(IncidentData("At my work", ("turned_up",), "2026-04-20T09:00", location="my work", people=(dan, amy)))
    add(IncidentData("Long ago", ("message",), "2001-01-01T10:00", people=(dan,)))  # far before the rest
    add(IncidentData("Typo", ("message",), "2030-01-01T10:00", people=(dan,)))  # after it was recorded
    add(IncidentData("No date", ("threat",), people=(dan,)))
    gone = add(IncidentData("Deleted", ("violence",), "2026-04-13T10:00", people=(dan, amy)))
    v.delete_incident(gone, reason="typed twice")
    add(IncidentData("You replied: stop", ("message",), "2026-04-14T09:00", author="imported:context"))
    return dan, amy


def test_people_left_out_and_work_agree_with_the_entries(vault: Vault) -> None:
    dan, amy = _mixed(vault)
    t = tally(vault.conn, IncidentFilter(), LONDON, TODAY)
    assert dict(t.person_counts) == {dan: 27, amy: 1}  # only what is charted
    assert t.undated == 1 and t.left_out_count == 2
    assert [why for _i, _d, why in t.left_out] == [
        "far from the other entries' dates",
        "after it was recorded",
    ]
    assert [i for i, _d in t.at_work] == [27]
    assert [i for i, _d in t.asked_to_stop] == [32]
    s = compute(t)
    b = compute(tally_entries(_entries(vault, IncidentFilter()), TODAY))
    assert (s.weeks, s.grid, s.total, s.by_kind, s.first, s.last) == (
        b.weeks,
        b.grid,
        b.total,
        b.by_kind,
        b.first,
        b.last,
    )


def test_a_filtered_tally_counts_only_the_chosen_entries(vault: Vault) -> None:
    dan, amy = _mixed(vault)
    flt = IncidentFilter(start="2026-04-15", person_id=amy)
    t = tally(vault.conn, flt, LONDON, TODAY)
    assert dict(t.person_counts) == {dan: 1, amy: 1}
    s = compute(t)
    assert s.total == 1 and [d.isoformat() for d, _n in s.daily] == ["2026-04-20"]
    whole = compute(tally(vault.conn, IncidentFilter(start="2026-04-15"), LONDON, TODAY))
    assert whole.total == 14 and dict((p[0], p[3]) for p in whole.by_person) == {dan: 14, amy: 1}


def test_recent_entries_are_found_through_the_time_index(vault: Vault) -> None:
    _mixed(vault)
    t = tally(vault.conn, IncidentFilter(), LONDON, TODAY)
    b = tally_entries(_entries(vault, IncidentFilter()), TODAY)
    assert t.recent == b.recent and len(t.recent) == 27
    assert datetime(2026, 4, 2).toordinal() == t.recent[0].day
