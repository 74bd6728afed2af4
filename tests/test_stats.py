"""The pattern's numbers (#20) on constructed timelines with known answers: weekly
counts, escalation that should and should not be flagged, new kinds, gaps, the case's
clock, context, deleted and implausible entries; the SQL tally agrees with the
entry-by-entry one; ``victim-log stats`` text and --json."""

from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from tests import pattern_helpers
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log import casetime
from victim_log.model import IncidentData
from victim_log.stats import Entry
from victim_log.stats import compute
from victim_log.stats import plausible_range
from victim_log.stats import tally_entries
from victim_log.store.stats import tally
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault

TODAY = date(2026, 5, 4)  # a Monday
LONDON = ZoneInfo("Europe/London")

vault = pattern_helpers.vault  # the fixture: a vault on London's clock


def at(d: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=LONDON)


def steady(
    weeks: int, per_week: int, *, end: date = TODAY, kinds: tuple[str, ...] = ("message",)
) -> list[Entry]:
    """``per_week`` messages on each of ``weeks`` weeks up to ``end``."""
    out = []
    start = end - timedelta(days=7 * weeks - 1)
    for w in range(weeks):
        for k in range(per_week):
            out.append(Entry(len(out) + 1, at(start + timedelta(days=7 * w + k % 7)), True, kinds))
    return out


def test_weekly_counts_fill_empty_weeks_and_start_on_monday() -> None:
    entries = [
        Entry(1, at(date(2026, 3, 4)), True, ("message",)),  # Wed: week of Mon 2 Mar
        Entry(2, at(date(2026, 3, 8), 23), True, ("message", "threat")),  # Sun, same week, night
        Entry(3, at(date(2026, 3, 23)), True, ("phone_call",), breach=True),  # 2 empty weeks between
    ]
    s = compute(tally_entries(entries, TODAY))
    assert [(p.start.isoformat(), p.count) for p in s.weeks] == [
        ("2026-03-02", 2),
        ("2026-03-09", 0),
        ("2026-03-16", 0),
        ("2026-03-23", 1),
    ]
    assert s.weeks[0].night == 1 and s.weeks[3].breaches == 1
    assert dict(s.weeks[0].by_kind) == {"message": 2, "threat": 1}
    assert [(m.label, m.count) for m in s.months] == [("Mar 2026", 3)]
    assert s.total == 3 and s.active_days == 3 and s.breaches == 1
    assert s.first == date(2026, 3, 4) and s.last == date(2026, 3, 23)
    assert s.days_since_last == (TODAY - date(2026, 3, 23)).days
    assert dict((k, n) for k, _label, n in s.by_kind) == {"message": 2, "threat": 1, "phone_call": 1}
    assert s.grid[6][23] == 1 and s.grid[2][12] == 1  # Sunday 23:00, Wednesday noon


def test_rising_frequency_is_flagged_with_the_recent_entries() -> None:
    # 8 weeks of 1 a week, then 4 weeks of 5 a week.
    early = steady(8, 1, end=TODAY - timedelta(days=28))
    late = [Entry(100 + e.id, e.when, True, e.kinds) for e in steady(4, 5, end=TODAY)]
    s = compute(tally_entries(early + late, TODAY))
    rising = [e for e in s.escalations if e.id == "rising"]
    assert len(rising) == 1
    flag = rising[0]
    assert "20 incidents in the last 4 weeks (5.0 a week)" in flag.text
    assert "1.0 a week in the 8 weeks before" in flag.text
    assert flag.entries == tuple(range(101, 113)) and flag.more == 8  # all 20 behind it
    assert s.trend.startswith("rising")


def test_steady_contact_is_not_flagged_as_escalating() -> None:
    s = compute(tally_entries(steady(12, 3), TODAY))
    assert s.escalations == ()
    assert s.trend.startswith("steady: 3.0 a week")
    # Nor is a log that only began recently (no earlier weeks to compare with).
    s = compute(tally_entries(steady(2, 6), TODAY))
    assert [e.id for e in s.escalations] == []
    assert "too early to compare" in s.trend


def test_a_small_rise_is_not_flagged() -> None:
    # 4 a week, then 5 a week: more, but not 1.5 times as often.
    early = steady(8, 4, end=TODAY - timedelta(days=28))
    late = [Entry(100 + e.id, e.when, True, e.kinds) for e in steady(4, 5, end=TODAY)]
    assert [e.id for e in compute(tally_entries(early + late, TODAY)).escalations] == []


def test_new_kinds_first_visit_after_only_messages_and_first_threat() -> None:
    entries = steady(6, 2, end=TODAY - timedelta(days=14))
    entries.append(Entry(50, at(TODAY - timedelta(days=10), 8), True, ("turned_up",), at_work=True))
    entries.append(Entry(51, at(TODAY - timedelta(days=3)), True, ("message", "threat")))
    s = compute(tally_entries(entries, TODAY))
    flags = {e.id: e for e in s.escalations}
    assert set(flags) == {"in_person", "new_kind:threat", "at_work"}
    assert flags["in_person"].entries == (50,)
    assert "before that, only calls, messages and posts" in flags["in_person"].text
    assert "Entry 51" in flags["new_kind:threat"].text and flags["new_kind:threat"].entries == (51,)
    assert flags["at_work"].refs_text == "Entry 50"
    # A kind there from the first day is not "new".
    s = compute(tally_entries([Entry(1, at(date(2026, 3, 2)), True, ("threat",)), *entries[1:10]], TODAY))
    assert "new_kind:threat" not in {e.id for e in s.escalations}


def test_night_time_contact_rising() -> None:
    early = steady(8, 2, end=TODAY - timedelta(days=28))
    nights = [Entry(200 + k, at(TODAY - timedelta(days=k * 3), 2), True, ("phone_call",)) for k in range(6)]
    s = compute(tally_entries(early + nights, TODAY))
    night = [e for e in s.escalations if e.id == "night"]
    assert night and night[0].entries == (205, 204, 203, 202, 201, 200)  # in date order
    assert "between 10pm and 6am" in night[0].text


def test_breaches_after_an_order() -> None:
    entries = steady(4, 1)
    entries.append(Entry(60, at(TODAY - timedelta(days=2)), True, ("order_breach",), breach=True))
    t = tally_entries(entries, TODAY, orders_made=[("SPO 123", TODAY - timedelta(days=20))])
    flag = [e for e in compute(t).escalations if e.id == "breaches"]
    assert flag and flag[0].entries == (60,) and "SPO 123" in flag[0].text
    # Without an order there is nothing to breach "after".
    assert "breaches" not in {e.id for e in compute(tally_entries(entries, TODAY)).escalations}


def test_streaks_and_gaps() -> None:
    days = [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7), date(2026, 1, 20), date(2026, 3, 1)]
    days += [TODAY - timedelta(days=1), TODAY]
    s = compute(tally_entries([Entry(k + 1, at(d), True, ("message",)) for k, d in enumerate(days)], TODAY))
    assert s.longest_streak == (3, date(2026, 1, 5), date(2026, 1, 7))
    assert s.current_streak == 2
    assert [(g.after, g.before, g.days) for g in s.gaps][:2] == [
        (
            date(2026, 3, 1),
            TODAY - timedelta(days=1),
            (TODAY - timedelta(days=1) - date(2026, 3, 1)).days - 1,
        ),
        (date(2026, 1, 20), date(2026, 3, 1), 39),
    ]
    assert (date(2026, 1, 7), date(2026, 1, 20), 12) in [(g.after, g.before, g.days) for g in s.gaps]


def test_context_undated_and_implausible_entries_are_not_counted() -> None:
    entries = steady(3, 2)
    entries += [
        Entry(90, at(date(2026, 4, 20)), True, ("message",), context=True),  # her reply
        Entry(91, None, False, ("threat",)),  # no date
        Entry(92, at(date(2205, 4, 1)), True, ("message",)),  # typed year
        Entry(93, at(date(2026, 4, 1)), True, ("message",), left_out="after it was recorded"),
    ]
    s = compute(tally_entries(entries, TODAY))
    assert s.total == 6 and s.undated == 1
    assert s.asked_to_stop == ((90, date(2026, 4, 20)),)
    assert {i for i, _d, _why in s.left_out} == {92, 93} and s.left_out_count == 2
    assert s.last is not None and s.last <= TODAY and len(s.weeks) == 3
    four = dict(s.four)
    assert four["Repeated"] == "6 incidents in 3 weeks."
    assert four["Unwanted"].startswith("You told them to stop once (first on 20 Apr 2026, Entry 90)")


def test_plausible_range_follows_the_export_rules() -> None:
    base = date(2026, 3, 1).toordinal()
    counts = {base + k: 1 for k in range(30)}
    assert plausible_range(counts, TODAY.toordinal()) == (base, TODAY.toordinal())
    counts[base - 3000] = 1  # one entry eight years before the rest
    assert plausible_range(counts, TODAY.toordinal())[0] == base
    assert plausible_range({**counts, TODAY.toordinal() + 5: 1}, TODAY.toordinal())[1] == TODAY.toordinal()


# ---------------------------------------------------------------------------- the vault


def _fill(v: Vault) -> None:
    add = v.add_incident
    add(
        IncidentData("Texts", ("message",), "2026-03-02T23:30"),
        people_names=["Dan Marsh"],
        people_role="perpetrator",
    )
    # 00:30 BST on the first day of summer time is 23:30 UTC the day before: on the
    # case's clock it is Monday 30 March, at night.
    add(IncidentData("Call", ("phone_call",), "2026-03-30T00:30"))
    add(IncidentData("Outside", ("turned_up",), "2026-04-10", precision="day", location="my work"))
    add(IncidentData("Rang; I said stop contacting me", ("phone_call",), "2026-04-12T10:00"))
    add(IncidentData("No date", ("threat",)))
    gone = add(IncidentData("Deleted one", ("violence",), "2026-04-13T10:00"))
    v.delete_incident(gone, reason="typed twice")
    add(IncidentData("You replied: stop", ("message",), "2026-04-14T09:00", author="imported:context"))


def test_sql_tally_on_the_case_clock(vault: Vault) -> None:
    _fill(vault)
    t = tally(vault.conn, IncidentFilter(), LONDON, TODAY)
    s = compute(t)
    assert s.total == 4 and s.undated == 1  # the deleted entry and the reply not counted
    assert [d.isoformat() for d, _n in s.daily] == ["2026-03-02", "2026-03-30", "2026-04-10", "2026-04-12"]
    assert s.grid[0][0] == 1 and s.grid[0][23] == 1 and s.grid[6][10] == 1
    assert s.night == 2
    assert [i for i, _d in s.asked_to_stop] == [4, 7]  # her words in an incident, and the reply
    assert {e.id for e in s.escalations} == {"in_person", "at_work"}
    assert s.by_person[0][1:] == ("Dan Marsh", "perpetrator", 1)


def test_sql_tally_agrees_with_entries(vault: Vault) -> None:
    _fill(vault)
    entries = []
    for row in vault.list_incidents(IncidentFilter()):
        when = casetime.parse_instant(row.occurred_start) if row.occurred_start else None
        timed = row.precision in ("exact", "approximate")
        if when is not None:
            when = casetime.in_zone(when, LONDON) if timed else when
        entries.append(Entry(row.id, when, timed, row.kinds, row.breach, context=row.context))
    a = compute(tally(vault.conn, IncidentFilter(), LONDON, TODAY))
    b = compute(tally_entries(entries, TODAY))
    assert (a.weeks, a.grid, a.total, a.undated, a.night) == (b.weeks, b.grid, b.total, b.undated, b.night)


def test_sql_tally_leaves_out_a_date_after_recording(vault: Vault) -> None:
    _fill(vault)
    vault.add_incident(IncidentData("Typo", ("message",), "2030-01-01T10:00"))
    s = compute(tally(vault.conn, IncidentFilter(), LONDON, date(2031, 1, 1)))
    assert s.left_out_count == 1 and s.left_out[0][2] == "after it was recorded"
    assert s.total == 4


# ---------------------------------------------------------------------------- the CLI


@pytest.fixture
def cli_vault(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init", "--time-zone", "Europe/London").code == 0
    for when, kind in (
        ("2026-03-02T23:30", "message"),
        ("2026-03-03T10:00", "message"),
        ("2026-03-20T10:00", "threat"),
    ):
        r = run_cli(
            capsys,
            "add",
            "--kind",
            kind,
            "--summary",
            "x",
            "--when",
            when,
            "--person",
            "Dan Marsh",
            "--person-role",
            "perpetrator",
        )
        assert r.code == 0, r.err


def test_cli_stats_text_and_json(cli_vault: None, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "stats", "--to", "2026-04-01")
    assert r.code == 0, r.err
    assert "3 incidents on 3 separate days" in r.out
    assert "Repeated: 3 incidents in 3 weeks." in r.out
    assert "First threat" in r.out and "Entry 3" in r.out
    r = run_cli(capsys, "stats", "--json", "--to", "2026-04-01", "--person", "Dan Marsh")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["total"] == 3 and doc["first"] == "2026-03-02" and doc["last"] == "2026-03-20"
    assert [w["count"] for w in doc["weeks"]] == [2, 0, 1]
    assert doc["escalations"][0]["entries"] == [3]
    assert doc["grid"][0][23] == 1 and len(doc["grid"]) == 7
    assert doc["by_person"][0]["name"] == "Dan Marsh"


def test_cli_stats_bad_input(cli_vault: None, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "stats", "--person", "Nobody")
    assert r.code == 2 and "Traceback" not in r.err
    r = run_cli(capsys, "stats", "--from", "2026-05-01", "--to", "2026-04-01")
    assert r.code == 2
    r = run_cli(capsys, "stats", "--from", "yesterday")
    assert r.code == 2


def test_cli_case_info_sets_the_name_exports_show(
    cli_vault: None, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run_cli(capsys, "case-info", "--json")
    assert r.code == 0 and json.loads(r.out) == {"owner": "", "title": ""}
    r = run_cli(capsys, "case-info", "--owner", "Sam  Morgan", "--title", "Log of Sam Morgan")
    assert r.code == 0 and "Your name: Sam Morgan" in r.out
    assert json.loads(run_cli(capsys, "case-info", "--json").out) == {
        "owner": "Sam Morgan",
        "title": "Log of Sam Morgan",
    }
    assert run_cli(capsys, "case-info", "--owner", "x" * 201).code == 2


def test_stats_json_fields_are_documented() -> None:
    from pathlib import Path

    from victim_log.cli.case_info import CASE_INFO_FIELDS
    from victim_log.cli.stats import STATS_FIELDS

    doc = (Path(__file__).parent.parent / "docs" / "export-format.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| ")}
    stats_row = rows["stats (`stats --json`)"]
    assert all(f"`{name}`" in stats_row for name in STATS_FIELDS)
    assert all(f"`{name}`" in rows["case-info (`case-info --json`)"] for name in CASE_INFO_FIELDS)


def test_trend_when_nothing_happened_lately() -> None:
    s = compute(tally_entries(steady(4, 2, end=date(2026, 1, 5)), TODAY))
    assert s.trend == "none in the 12 weeks to 4 May 2026"
    assert s.escalations == ()


def test_sql_finds_her_words_asking_them_to_stop(vault: Vault) -> None:
    add = vault.add_incident
    add(
        IncidentData(
            "Rang again", ("phone_call",), "2026-03-02T10:00", details="I said: don't ever call me again."
        )
    )
    add(
        IncidentData("Texts", ("message",), "2026-03-03T10:00", details="I don't know what he wants from me.")
    )
    add(
        IncidentData(
            "At the door", ("in_person",), "2026-03-04T10:00", details="I told him to stay away from me."
        )
    )
    s = compute(tally(vault.conn, IncidentFilter(), LONDON, TODAY))
    assert [i for i, _d in s.asked_to_stop] == [1, 3]
