"""The pattern's numbers kept as entries are written (store/stats.py, #20 speed): the
kept facts and days stay equal to a fresh count after adds (one, and many in a bulk
transaction), edits, deletions, a zone change, a re-key and a restore; a vault that
never had them (an older schema) counts them at the first ``stats``; ``check`` notices
kept counts out of step and has them counted again. Every figure is compared with the
entry-by-entry reference (:func:`tally_entries`) built here from the stored entries."""

from __future__ import annotations

import random
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from datetime import tzinfo
from pathlib import Path

from tests import pattern_helpers
from tests.helpers import PASSPHRASE
from victim_log import casetime
from victim_log.backup import restore_backup
from victim_log.backup import write_backup
from victim_log.importers.context import asks_to_stop
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.stats import Entry
from victim_log.stats import Stats
from victim_log.stats import compute
from victim_log.stats import tally_entries
from victim_log.store import stats as kept
from victim_log.store.stats import tally
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault

TODAY = date(2026, 5, 4)
LONDON = casetime.zone_of("Europe/London")
NEW_YORK = casetime.zone_of("America/New_York")
AT_PLACE = ("turned_up", "in_person", "loitering", "following")

vault = pattern_helpers.vault  # the fixture: a vault on London's clock


def _entries(v: Vault, zone: tzinfo) -> list[Entry]:
    """Every stored incident as the reference takes it, worked out here afresh."""
    out = []
    for row in v.list_incidents(IncidentFilter()):
        inc = v.get_incident(row.id).data
        timed = row.precision in ("exact", "approximate")
        when = casetime.parse_instant(row.occurred_start) if row.occurred_start else None
        if row.occurred_start and not timed:
            when = datetime.fromisoformat(row.occurred_start[:10])
        elif when is not None:
            when = when.astimezone(zone)
        recorded = datetime.fromisoformat(row.first_recorded_at).astimezone(zone)
        late = when is not None and (
            when.timestamp() > recorded.timestamp() + 300 if timed else when.date() > recorded.date()
        )
        work = any(k in row.kinds for k in AT_PLACE) and (
            "work" in inc.location.casefold() or "my work" in inc.summary.casefold()
        )
        out.append(
            Entry(
                row.id,
                when,
                timed,
                row.kinds,
                row.breach,
                inc.people,
                context=row.context,
                asks_to_stop=not row.context and (asks_to_stop(inc.summary) or asks_to_stop(inc.details)),
                at_work=work,
                left_out="after it was recorded" if late and not row.context else "",
            )
        )
    return out


def _agrees(v: Vault, zone: tzinfo = LONDON, today: date = TODAY) -> Stats:
    """The kept figures equal the reference, and ``check``'s comparison finds nothing."""
    got = compute(tally(v.conn, IncidentFilter(), zone, today))
    people = [(p.id, p.data.name, p.data.role) for p in v.list_people()]
    want = compute(tally_entries(_entries(v, zone), today, people=people))
    assert got == want
    assert kept.problems(v.conn) == []
    return got


def _random_data(rng: random.Random, people: list[int]) -> IncidentData:
    day = date(2026, 3, 1) + timedelta(days=rng.randrange(70))
    if rng.random() < 0.15:
        day = date(2026, 3, 29)  # the clocks go forward
    hour, minute = rng.randrange(24), rng.randrange(60)
    if day == date(2026, 3, 29) and hour == 1:
        hour = 2  # 01:xx did not happen in London that night
    kinds = rng.choice(
        [
            ("message",),
            ("phone_call",),
            ("turned_up",),
            ("in_person", "threat"),
            ("order_breach",),
            ("loitering",),
        ]
    )
    when, precision = f"{day.isoformat()}T{hour:02d}:{minute:02d}", "exact"
    roll = rng.random()
    if roll < 0.1:
        when, precision = day.isoformat(), "day"
    elif roll < 0.15:
        when = ""
    elif roll < 0.2:
        when = "2031-01-01T10:00"  # after it was recorded
    summary = rng.choice(
        ["Texts again", "He came to my work", "I said don't ever bother me", "Outside the house", "Calls"]
    )
    return IncidentData(
        summary,
        kinds,
        when,
        precision=precision,
        location=rng.choice(["", "my work", "the park"]),
        details=rng.choice(["", "I told him please stop contacting me", "He waited"]),
        people=tuple(rng.sample(people, rng.randrange(len(people) + 1))),
        author="imported:context" if rng.random() < 0.08 else "",
    )


def test_kept_counts_follow_adds_edits_deletions_and_bulk_adds(vault: Vault) -> None:
    rng = random.Random(20)
    people = [vault.add_person(PersonData(name=n, role="perpetrator")) for n in ("Dan", "Kerry")]
    for _ in range(12):
        vault.add_incident(_random_data(rng, people))
    assert vault.get_meta(kept.ZONE_KEY) is None  # nothing kept until the figures are asked for
    _agrees(vault)
    assert vault.get_meta(kept.ZONE_KEY) == "Europe/London"
    for step in range(30):
        ids = [r.id for r in vault.list_incidents(IncidentFilter())]
        roll = rng.random()
        if roll < 0.35:
            vault.add_incident(_random_data(rng, people))
        elif roll < 0.6 and ids:
            vault.edit_incident(rng.choice(ids), _random_data(rng, people), "corrected")
        elif roll < 0.75 and ids:
            vault.delete_incident(rng.choice(ids), "typed twice")
        else:
            with vault.batch("an import") as tx:
                tx.add_incidents([(_random_data(rng, people).validated(), ()) for _ in range(5)], "imported")
        if step % 5 == 4:
            _agrees(vault)
    vault.add_incident(IncidentData("No date", ("threat",)))
    s = _agrees(vault)
    assert s.total > 20 and s.asked_to_stop and s.left_out_count and s.undated


def test_kept_counts_follow_an_import(vault: Vault) -> None:
    vault.add_incident(IncidentData("Texts", ("message",), "2024-03-01T21:00"))
    assert _agrees(vault).total == 1  # counted before the import, kept up by it
    chat = Path(__file__).parent / "importers" / "fixtures" / "whatsapp_android_dmy.txt"
    report = run_import(vault, ImportRequest("whatsapp", chat, sender="Dan Marsh"))
    assert report.incidents_created == 5
    s = _agrees(vault)
    assert s.total == 6 and s.first == date(2024, 3, 1)


def test_a_zone_change_counts_the_days_again(vault: Vault) -> None:
    # 00:30 in London on a Tuesday is 19:30 on Monday in New York.
    iid = vault.add_incident(IncidentData("Calls", ("phone_call",), "2026-04-07T00:30"))
    s = _agrees(vault)
    assert s.daily[0][0] == date(2026, 4, 7) and s.grid[1][0] == 1
    casetime.set_vault_zone(vault, "America/New_York")
    s = _agrees(vault, NEW_YORK)
    assert s.daily[0][0] == date(2026, 4, 6) and s.grid[0][19] == 1
    assert vault.get_meta(kept.ZONE_KEY) == "America/New_York"
    vault.edit_incident(iid, IncidentData("Calls", ("phone_call",), "2026-04-08T00:30+01:00"), "date")
    assert _agrees(vault, NEW_YORK).daily[0][0] == date(2026, 4, 7)


def test_a_zone_without_a_name_is_counted_in_memory(vault: Vault) -> None:
    vault.add_incident(IncidentData("Calls", ("phone_call",), "2026-04-07T00:30"))
    _agrees(vault)
    plus_five = timezone(timedelta(hours=5))
    assert _agrees(vault, plus_five).daily[0][0] == date(2026, 4, 7)
    assert vault.get_meta(kept.ZONE_KEY) == "Europe/London"  # what is kept is left alone


def test_a_vault_from_before_the_kept_counts_counts_them_at_the_first_stats(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    casetime.set_vault_zone(v, "Europe/London")
    casetime.use_vault_zone(v)
    v.add_incident(IncidentData("Texts", ("message",), "2026-04-02T21:00"))
    for sql in ("DROP TABLE stats_facts", "DROP TABLE stats_days", "PRAGMA user_version = 6"):
        v.conn.execute(sql)
    v.lock()
    v = Vault.open(tmp_path / "v", PASSPHRASE)  # schema 7 made the tables, empty
    assert v.conn.execute("SELECT count(*) FROM stats_facts").fetchone()[0] == 0
    v.add_incident(IncidentData("Calls", ("phone_call",), "2026-04-03T08:00"))  # nothing kept yet
    assert _agrees(v).total == 2
    v.lock()


def test_check_notices_kept_counts_out_of_step_and_they_are_counted_again(vault: Vault) -> None:
    for day in range(1, 6):
        vault.add_incident(IncidentData("Texts", ("message",), f"2026-04-0{day}T21:00"))
    good = _agrees(vault)
    vault.conn.execute("UPDATE stats_facts SET day = day + 1 WHERE id = 2")
    vault.conn.execute("UPDATE stats_days SET body = replace(body, '[\"message\",1,', '[\"message\",9,')")
    report = vault.check(blobs=False)
    assert any("pattern figures' kept counts differ" in p for p in report.problems)
    assert vault.get_meta(kept.ZONE_KEY) is None
    assert _agrees(vault) == good
    assert vault.check(blobs=False).ok
    vault.conn.execute("UPDATE stats_facts SET stop = 1 WHERE id = 3")  # its account never says so
    assert not vault.check(blobs=False).ok
    assert _agrees(vault) == good
    vault.conn.execute("UPDATE stats_days SET body = '[1, 2' WHERE day = (SELECT min(day) FROM stats_days)")
    assert compute(tally(vault.conn, IncidentFilter(), LONDON, TODAY)) == good  # read from the facts


def test_kept_counts_survive_a_rekey_and_a_restore(vault: Vault, tmp_path: Path) -> None:
    for day in range(1, 8):
        vault.add_incident(IncidentData("Texts", ("message",), f"2026-04-0{day}T23:30"))
    before = _agrees(vault)
    vault.rekey(PASSPHRASE + " 2")
    assert _agrees(vault) == before
    write_backup(vault, tmp_path / "b.vlbackup")
    vault.add_incident(IncidentData("Visit", ("turned_up",), "2026-04-09T10:00", location="my work"))
    _agrees(vault)
    restored = restore_backup(tmp_path / "b.vlbackup", tmp_path / "r", passphrase=PASSPHRASE + " 2")
    try:
        assert _agrees(restored) == before
        restored.add_incident(IncidentData("Visit", ("turned_up",), "2026-04-09T10:00", location="my work"))
        s = _agrees(restored)
        assert s.total == 8 and any(e.id == "at_work" for e in s.escalations)
    finally:
        restored.lock()


def test_check_notices_an_old_day_whose_hours_were_changed(vault: Vault, monkeypatch) -> None:
    """Beyond the latest days (added up again in full), check compares each kept day's
    counts, night, breaches, hours and "stop" entries with the facts in one SQL count."""
    monkeypatch.setattr(kept, "_ENTRIES_IN_FULL", 1)
    for day in range(1, 6):
        vault.add_incident(IncidentData("Texts", ("message",), f"2026-04-0{day}T21:00"))
    _agrees(vault)
    assert vault.check(blobs=False).ok
    first = "(SELECT min(day) FROM stats_days)"
    vault.conn.execute(
        f"UPDATE stats_days SET body = json_set(body, '$[4][21]', 0, '$[4][3]', 1) WHERE day = {first}"
    )
    report = vault.check(blobs=False)
    assert any("pattern figures' kept counts differ" in p for p in report.problems)


def test_the_local_day_and_hour_are_the_same_as_by_the_long_way_round() -> None:
    """``_local`` (run for every entry when ``check`` counts again) takes the quick
    ``fromtimestamp``; it must give what ``epoch + timedelta`` then ``astimezone``
    gave, or facts kept by an older version would all look changed. Clock changes
    and odd offsets included (Lord Howe moves half an hour, Kathmandu is +05:45)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rng = random.Random(7)
    for name in ("Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC"):
        zone = casetime.zone_of(name)
        edges = [
            datetime(2024, m, d, tzinfo=zone).timestamp() for m, d in ((3, 31), (10, 27), (4, 7), (10, 6))
        ]
        instants = [e + off for e in edges for off in range(-7200, 7201, 450)]
        instants += [rng.uniform(-2e9, 4e9) for _ in range(2000)] + [
            rng.uniform(0, 2e9) + 0.5e-6 for _ in range(200)
        ]
        for ts in instants:
            assert kept._local(ts, zone) == (epoch + timedelta(seconds=ts)).astimezone(zone), (name, ts)
    assert kept._local(1e20, LONDON) is None  # beyond any calendar: no day, never a crash
