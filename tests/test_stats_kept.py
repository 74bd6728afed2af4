"""The pattern's counts kept as entries are written (store/summary.py, #20 speed):
the tally read from them equals the tally that reads every row (the reference), on
constructed timelines with adds, edits, deletions, bulk imports, undated, day-only,
context, late and far-off entries, the clock-change nights and a change of the case
zone; an old vault gains them; ``check`` finds them tampered with."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import pattern_helpers
from tests.helpers import PASSPHRASE
from victim_log import casetime
from victim_log.model import KINDS, IncidentData, PersonData
from victim_log.store import db, summary
from victim_log.store import stats as store_stats
from victim_log.store.stats import tally
from victim_log.vault import IncidentFilter, Vault

TODAY = date(2026, 5, 4)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC")

vault = pattern_helpers.vault  # the fixture: a vault on London's clock

_KINDS = ("message", "phone_call", "in_person", "turned_up", "threat", "order_breach", "following")
_BURSTS = ("2025-10-26T00:31", "2025-10-26T01:07", "2026-03-29T00:50", "2026-04-20T22:16", "2026-04-20T22:29")
_WORDS = (
    "at my work",
    "outside the house",
    "please stop contacting me",
    "left flowers",
    "don't ever call me",
)


def _same(v: Vault, zone_name: str = "Europe/London", today: date = TODAY) -> None:
    """Kept counts fresh, the fast path taken, and every figure equal to the reference."""
    assert summary.problems(v.conn) == []
    zone = casetime.zone_of(zone_name)
    fast = tally(v.conn, IncidentFilter(), zone, today)
    slow = tally(v.conn, IncidentFilter(), zone, today, kept=False)
    assert fast == slow, zone_name
    r = store_stats._rows(v.conn, IncidentFilter(), zone, today)
    assert store_stats._kept_groups(v.conn, r, today) is not None, zone_name


def _when(rng: random.Random) -> tuple[str, str]:
    """(occurred_start, precision): mostly times near the clock changes of 2025-26."""
    pick = rng.random()
    if pick < 0.05:
        return "", "exact"
    base = rng.choice((date(2025, 10, 26), date(2026, 3, 29), date(2026, 4, 20), date(2025, 12, 31)))
    day = base + timedelta(days=rng.randint(-3, 3))
    if pick < 0.15:
        return day.isoformat(), "day"
    if pick < 0.18:
        return f"{rng.choice((2001, 2030))}-01-01T10:00:00+00:00", "exact"  # far before; after recording
    if pick < 0.45:  # bursts: many in one quarter hour (a chat's messages)
        return rng.choice(_BURSTS) + f":{rng.randint(0, 59):02d}+00:00", "exact"
    minute = rng.choice((0, 14, 15, 29, 30, 44, 45, 59))
    hour = rng.randint(0, 23)
    off = rng.choice(("+00:00", "+01:00", "-05:00", "+05:30"))
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{rng.randint(0, 59):02d}{off}", rng.choice(
        ("exact", "approximate")
    )


def _data(rng: random.Random, people: list[int]) -> IncidentData:
    start, precision = _when(rng)
    kinds = tuple(sorted(set(rng.sample(_KINDS, rng.randint(1, 2)))))
    assert set(kinds) <= set(KINDS)
    chosen = tuple(sorted(set(rng.sample(people, rng.randint(0, len(people))))))
    return IncidentData(
        rng.choice(_WORDS),
        kinds,
        start,
        precision=precision,
        location=rng.choice(("", "my work", "home")),
        people=chosen,
        author="imported:context" if rng.random() < 0.07 else "victim",
    )


@pytest.mark.parametrize("seed", range(4))
def test_kept_counts_equal_the_reference_through_adds_edits_deletions_and_imports(
    vault: Vault, seed: int
) -> None:
    rng = random.Random(seed)
    people = [vault.add_person(PersonData(name=f"Person {i}", role="perpetrator")) for i in range(3)]
    ids = [vault.add_incident(_data(rng, people)) for _ in range(25)]
    _same(vault)
    # A bulk import: one transaction, inserts queued.
    with vault.transaction("an import", bulk=True) as tx:
        ids += tx.add_incidents([(_data(rng, people), ()) for _ in range(120)], "imported")
    _same(vault)
    for _ in range(40):
        iid = rng.choice(ids)
        action = rng.random()
        current = vault.get_incident(iid)
        if current.deleted:
            continue
        if action < 0.25:
            vault.delete_incident(iid, reason="typed twice")
        else:
            vault.edit_incident(iid, _data(rng, people), reason="corrected")
    _same(vault)
    for zone in ZONES:
        _same(vault, zone)
    _same(vault, today=date(2025, 12, 31))  # entries after "today" are named one by one


def test_clock_change_quarter_hours_fall_on_the_right_local_day(vault: Vault) -> None:
    add = vault.add_incident
    for start in (
        "2026-03-29T00:59:59+00:00",
        "2026-03-29T01:00:00+00:00",
        "2026-03-28T23:45:00+00:00",
        "2025-10-26T00:59:59+00:00",
        "2025-10-26T01:00:00+00:00",
        "2025-10-25T23:00:00+00:00",
        "2025-10-25T22:59:59+00:00",
    ):
        add(IncidentData("visit", ("in_person",), start))
    for zone in ZONES:
        _same(vault, zone)


def test_a_zone_off_quarter_hours_falls_back_to_reading_every_row(vault: Vault) -> None:
    # Monrovia was 44 min 30 s behind UTC until 1972: a quarter hour is not one local hour.
    vault.add_incident(IncidentData("old", ("message",), "1971-06-01T10:00:00+00:00"))
    vault.add_incident(IncidentData("new", ("message",), "1972-06-01T10:00:00+00:00"))
    zone = casetime.zone_of("Africa/Monrovia")
    r = store_stats._rows(vault.conn, IncidentFilter(), zone, TODAY)
    assert store_stats._kept_groups(vault.conn, r, TODAY) is None
    assert tally(vault.conn, IncidentFilter(), zone, TODAY) == tally(
        vault.conn, IncidentFilter(), zone, TODAY, kept=False
    )


def test_a_vault_without_the_kept_counts_gains_them_when_opened(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    rng = random.Random(7)
    for _ in range(30):
        v.add_incident(_data(rng, []))
    v.conn.execute("DROP TABLE stats_slots")
    v.conn.execute("DROP TABLE stats_odd")
    v.conn.execute("PRAGMA user_version = 5")
    v.lock()
    with Vault.open(tmp_path / "v", PASSPHRASE) as again:
        assert db.schema_version(again.conn) == db.SCHEMA_VERSION == 6
        casetime.set_vault_zone(again, "Europe/London")
        _same(again)
        assert again.check(blobs=False).ok


def test_check_finds_tampered_kept_counts_and_rebuild_mends_them(vault: Vault) -> None:
    rng = random.Random(3)
    for _ in range(30):
        vault.add_incident(_data(rng, []))
    assert vault.check(blobs=False).ok
    vault.conn.execute("UPDATE stats_slots SET n = n + 1 WHERE slot = (SELECT min(slot) FROM stats_slots)")
    report = vault.check(blobs=False)
    assert any("stats_slots" in p and "differ from the timeline in 2 rows" in p for p in report.problems)
    vault.conn.execute("DELETE FROM stats_odd WHERE id = (SELECT min(id) FROM stats_odd)")
    assert any("stats_odd" in p for p in vault.check(blobs=False).problems)
    with vault.transaction("the pattern figures' counts") as tx:
        summary.rebuild(tx.conn)
    assert vault.check(blobs=False).ok
    _same(vault)


def test_a_burst_in_one_quarter_hour_keeps_its_count_and_lowest_reference(vault: Vault) -> None:
    """Several adds, an edit and a deletion inside one quarter hour (one kept row)."""
    add = vault.add_incident
    ids = [
        add(IncidentData("msg", ("message",), f"2026-04-20T22:{m:02d}:00+00:00")) for m in (16, 20, 25, 29)
    ]
    _same(vault)
    slot = vault.conn.execute("SELECT n, first_id FROM stats_slots").fetchall()
    assert [tuple(r) for r in slot] == [(4, ids[0])]
    vault.delete_incident(ids[0], reason="typed twice")
    vault.edit_incident(
        ids[1], IncidentData("msg", ("threat",), "2026-04-20T22:20:00+00:00"), reason="was a threat"
    )
    _same(vault)
    assert sorted(tuple(r) for r in vault.conn.execute("SELECT kinds, n, first_id FROM stats_slots")) == [
        (",message,", 2, ids[2]),
        (",threat,", 1, ids[1]),
    ]
    with vault.transaction("an import", bulk=True) as tx:
        tx.add_incidents(
            [(IncidentData("msg", ("message",), "2026-04-20T22:17:00+00:00"), ())] * 3, "imported"
        )
    _same(vault)
    assert vault.conn.execute("SELECT n, first_id FROM stats_slots WHERE kinds = ',message,'").fetchone()[
        :
    ] == (5, ids[2])


_KILL_MID_BUILD = """
import os, signal, sys
from pathlib import Path
from victim_log.store import db
from victim_log.vault import Vault
real = db.Connection.execute
def execute(self, sql, args=()):
    if sql.startswith("INSERT INTO stats_odd"):  # the slots are written, the rest not yet
        os.kill(os.getpid(), signal.SIGKILL)
    return real(self, sql, args)
db.Connection.execute = execute
Vault.open(Path(sys.argv[1]), sys.argv[2])
"""


def test_a_kill_in_the_middle_of_the_build_leaves_the_old_vault_and_the_next_open_builds_it(
    tmp_path: Path,
) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    rng = random.Random(11)
    for _ in range(30):
        v.add_incident(_data(rng, []))
    v.conn.execute("DROP TABLE stats_slots")
    v.conn.execute("DROP TABLE stats_odd")
    v.conn.execute("PRAGMA user_version = 5")
    v.lock()
    done = subprocess.run(
        [sys.executable, "-c", _KILL_MID_BUILD, str(tmp_path / "v"), PASSPHRASE],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    with Vault.open(tmp_path / "v", PASSPHRASE, wait=True) as again:
        assert db.schema_version(again.conn) == 6
        casetime.set_vault_zone(again, "Europe/London")
        assert again.check(blobs=False).ok
        _same(again)
