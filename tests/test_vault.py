"""The vault service: keys, versioned incidents, journal, search, and damage handling."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from victim_log.crypto import keys
from victim_log.errors import BadInput
from victim_log.errors import NewerSchema
from victim_log.errors import NotFound
from victim_log.errors import VaultCorrupt
from victim_log.errors import VaultExists
from victim_log.errors import VaultLocked
from victim_log.errors import VaultMissing
from victim_log.errors import WrongPassphrase
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.model import PoliceReport
from victim_log.store import db
from victim_log.vault import DB_NAME
from victim_log.vault import KEY_NAME
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault
from victim_log.vault import fts_query


@pytest.fixture
def vdir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def vault(vdir: Path) -> Vault:
    v, _ = Vault.create(vdir, PASSPHRASE)
    yield v
    v.lock()


def snapshot(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_create_makes_private_files(vdir: Path, vault: Vault) -> None:
    assert (vdir / DB_NAME).exists() and (vdir / KEY_NAME).exists()
    assert os.stat(vdir).st_mode & 0o777 == 0o700
    for name in (DB_NAME, KEY_NAME):
        assert os.stat(vdir / name).st_mode & 0o077 == 0


def test_database_is_not_plain_sqlite(vdir: Path, vault: Vault) -> None:
    vault.add_incident(IncidentData(summary="hello"))
    assert not (vdir / DB_NAME).read_bytes().startswith(b"SQLite format 3")


def test_create_refuses_existing(vdir: Path, vault: Vault) -> None:
    with pytest.raises(VaultExists):
        Vault.create(vdir, PASSPHRASE)


def test_weak_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="8 characters"):
        Vault.create(tmp_path / "v", "short")
    with pytest.raises(BadInput, match="common"):
        Vault.create(tmp_path / "v", "password123")
    assert not (tmp_path / "v" / KEY_NAME).exists()


def test_open_with_passphrase_and_recovery(vdir: Path) -> None:
    v, recovery = Vault.create(vdir, PASSPHRASE)
    iid = v.add_incident(IncidentData(summary="first"))
    v.lock()
    with Vault.open(vdir, PASSPHRASE) as v2:
        assert v2.get_incident(iid).data.summary == "first"
    messy = recovery.lower().replace("-", " ")
    with Vault.open(vdir, recovery_key=messy) as v3:
        v3.change_passphrase("a brand new passphrase")
    with pytest.raises(WrongPassphrase):
        Vault.open(vdir, PASSPHRASE)
    Vault.open(vdir, "a brand new passphrase", wait=True).lock()


def test_wrong_passphrase_counts_and_backs_off(vdir: Path, vault: Vault) -> None:
    vault.lock()
    before = (vdir / DB_NAME).read_bytes()
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Vault.open(vdir, "not the passphrase")
    assert Vault.pending_delay(vdir) > 0
    with pytest.raises(VaultLocked, match="wait"):
        Vault.open(vdir, PASSPHRASE)
    kf = json.loads((vdir / KEY_NAME).read_text())
    assert len(kf["failed_attempts"]) == 3
    v = Vault.open(vdir, PASSPHRASE, wait=True)
    assert len(v.unlock_info.failed_attempts) == 3
    v.lock()
    assert json.loads((vdir / KEY_NAME).read_text())["failed_attempts"] == []
    assert (vdir / DB_NAME).read_bytes() == before


def test_backoff_grows() -> None:
    delays = [keys.backoff_seconds(n) for n in range(10)]
    assert delays[:3] == [0, 0, 0]
    assert delays == sorted(delays) and delays[-1] <= 30


def test_missing_vault(tmp_path: Path) -> None:
    with pytest.raises(VaultMissing):
        Vault.open(tmp_path / "nothing", PASSPHRASE)


@pytest.mark.parametrize(
    "damage",
    ["truncated_key", "empty_key", "zero_db", "garbage_key", "missing_db", "missing_key", "weakened_kdf"],
)
def test_damaged_vault_gives_clear_error_and_changes_nothing(vdir: Path, vault: Vault, damage: str) -> None:
    vault.add_incident(IncidentData(summary="keep me"))
    vault.lock()
    key, dbf = vdir / KEY_NAME, vdir / DB_NAME
    if damage == "truncated_key":
        key.write_bytes(key.read_bytes()[:100])
    elif damage == "empty_key":
        key.write_bytes(b"")
    elif damage == "zero_db":
        dbf.write_bytes(b"")
    elif damage == "garbage_key":
        key.write_bytes(os.urandom(500))
    elif damage == "missing_db":
        dbf.unlink()
    elif damage == "missing_key":
        key.unlink()
    elif damage == "weakened_kdf":
        doc = json.loads(key.read_text())
        for slot in doc["slots"]:
            if slot["type"] == "passphrase":
                slot["memory_kib"] = 1024
        key.write_text(json.dumps(doc))
    before = snapshot(vdir)
    with pytest.raises((VaultCorrupt, WrongPassphrase, BadInput)) as info:
        Vault.open(vdir, PASSPHRASE)
    assert "Traceback" not in str(info.value)
    assert snapshot(vdir) == before or damage == "weakened_kdf"


def test_tampered_key_slot_is_detected(vdir: Path, vault: Vault) -> None:
    vault.lock()
    doc = json.loads((vdir / KEY_NAME).read_text())
    doc["created_at"] = "1999-01-01T00:00:00+00:00"
    (vdir / KEY_NAME).write_text(json.dumps(doc))
    with pytest.raises(VaultCorrupt, match="changed outside"):
        Vault.open(vdir, PASSPHRASE)


def test_read_only_vault(vdir: Path, vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault.lock()
    before = snapshot(vdir)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == vdir and mode == os.W_OK else real_access(p, mode)
    )
    # Reading works read-only (#23): it opens, writes nothing, and says it is read-only.
    with Vault.open(vdir, PASSPHRASE) as ro:
        assert ro.read_only and ro.count_incidents() >= 0
    assert snapshot(vdir) == before


def test_newer_schema_refused(vdir: Path, vault: Vault) -> None:
    vault.conn.execute("PRAGMA user_version = 999")
    vault.lock()
    before = snapshot(vdir)
    with pytest.raises(NewerSchema, match="newer version"):
        Vault.open(vdir, PASSPHRASE)
    assert snapshot(vdir) == before


@pytest.mark.parametrize("version", range(1, db.SCHEMA_VERSION))
def test_migrates_from_every_earlier_schema(tmp_path: Path, version: int) -> None:
    raw_key = os.urandom(32)
    path = tmp_path / "old.db"
    conn = db.connect(path, raw_key, create=True, upto=version)
    assert db.schema_version(conn) == version
    if version >= 1:
        conn.execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')")
    conn.close()
    conn = db.connect(path, raw_key)
    assert db.schema_version(conn) == db.SCHEMA_VERSION
    if version >= 1:
        assert conn.execute("SELECT value FROM meta WHERE key='probe'").fetchone()[0] == "kept"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"records", "journal", "incidents", "blobs", "evidence", "imports"} <= tables
    conn.close()


def test_edit_creates_versions_and_keeps_history(vault: Vault) -> None:
    iid = vault.add_incident(
        IncidentData(summary="Calls", kinds=("phone_call",), occurred_start="2026-03-04T21:15")
    )
    first = vault.get_incident(iid)
    assert first.version == 1 and first.data.occurred_start.startswith("2026-03-04T21:15")
    vault.edit_incident(
        iid,
        IncidentData(summary="Calls from Dan", kinds=("phone_call",), occurred_start="2026-03-04T21:15"),
        "added details",
    )
    history = vault.incident_history(iid)
    assert [v.version for v in history] == [1, 2]
    assert history[0].data.summary == "Calls" and history[1].reason == "added details"
    assert history[1].first_recorded_at == first.recorded_at
    with pytest.raises(BadInput, match="reason"):
        vault.edit_incident(iid, IncidentData(summary="x"), " ")
    with pytest.raises(BadInput, match="Nothing has changed"):
        vault.edit_incident(iid, history[1].data, "again")


def test_delete_is_a_tombstone(vault: Vault) -> None:
    iid = vault.add_incident(IncidentData(summary="to delete"))
    vault.delete_incident(iid, "entered twice")
    assert vault.count_incidents() == 0
    assert vault.count_incidents(IncidentFilter(include_deleted=True)) == 1
    history = vault.incident_history(iid)
    assert history[-1].deleted and history[-1].reason == "entered twice"
    assert history[0].data.summary == "to delete"
    with pytest.raises(BadInput):
        vault.edit_incident(iid, IncidentData(summary="zombie"), "edit after delete")
    assert vault.check().ok


def test_validation_messages(vault: Vault) -> None:
    with pytest.raises(BadInput, match="summary"):
        vault.add_incident(IncidentData(summary="  "))
    with pytest.raises(BadInput, match="Unknown kind"):
        vault.add_incident(IncidentData(summary="x", kinds=("telepathy",)))
    with pytest.raises(BadInput, match="before the start"):
        vault.add_incident(IncidentData(summary="x", occurred_start="2026-03-05", occurred_end="2026-03-04"))
    with pytest.raises(BadInput, match="not a date"):
        vault.add_incident(IncidentData(summary="x", occurred_start="last tuesday"))
    with pytest.raises(NotFound):
        vault.add_incident(IncidentData(summary="x", people=(99,)))
    with pytest.raises(NotFound):
        vault.get_incident(12345)


def test_search_and_filters(vault: Vault) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh", aliases=("Danny",), phones=("07700 900123",)))
    a = vault.add_incident(
        IncidentData(
            summary="Flowers on the doorstep",
            kinds=("gift",),
            occurred_start="2026-03-01T08:00",
            location="Home",
            people=(dan,),
        )
    )
    b = vault.add_incident(
        IncidentData(
            summary="Missed calls",
            kinds=("phone_call",),
            occurred_start="2026-03-10T23:00",
            details="four calls, number withheld",
            police=PoliceReport(reference="EX/1"),
        )
    )
    c = vault.add_incident(
        IncidentData(
            summary="Outside the Co-op",
            kinds=("loitering",),
            occurred_start="2026-04-02T17:00",
            people=(dan,),
        )
    )
    assert [s.id for s in vault.list_incidents()] == [c, b, a]
    assert [s.id for s in vault.search("flow")] == [a]  # prefix search
    assert [s.id for s in vault.search("withheld")] == [b]
    assert [s.id for s in vault.search("danny")] == [c, a]  # people's aliases are searchable
    assert [s.id for s in vault.search("07700")] == [c, a]
    assert vault.search('"; DROP TABLE incidents; --') == []
    assert [s.id for s in vault.list_incidents(IncidentFilter(start="2026-03-05", end="2026-03-31"))] == [b]
    assert [s.id for s in vault.list_incidents(IncidentFilter(kinds=("gift", "loitering")))] == [c, a]
    assert [s.id for s in vault.list_incidents(IncidentFilter(person_id=dan))] == [c, a]
    assert [s.id for s in vault.list_incidents(IncidentFilter(reported=True))] == [b]
    assert [s.id for s in vault.list_incidents(IncidentFilter(reported=False))] == [c, a]
    assert [s.id for s in vault.list_incidents(limit=1, offset=1)] == [b]
    vault.edit_person(dan, PersonData(name="Daniel Marsh", aliases=("Danny",)), "full name")
    assert [s.id for s in vault.search("daniel")] == [c, a]


def test_taking_a_person_out_of_people(vault: Vault) -> None:
    """Someone added by mistake can leave People, with a reason, as a recorded version;
    someone an entry or an order names cannot (the entries would silently lose them)."""
    from victim_log.model import OrderData

    dan = vault.add_person(PersonData(name="Dan Marsh"))
    typo = vault.add_person(PersonData(name="Dna Marsh"))
    against = vault.add_person(PersonData(name="Kerry Marsh"))
    entry = vault.add_incident(IncidentData(summary="Parked outside", people=(dan,)))
    vault.add_order(OrderData(order_type="Stalking Protection Order", person_id=against))
    with pytest.raises(BadInput, match="named in 1 entry"):
        vault.delete_person(dan, "mistake")
    with pytest.raises(BadInput, match="order is against"):
        vault.delete_person(against, "mistake")
    with pytest.raises(BadInput):
        vault.delete_person(typo, "  ")  # a reason is needed
    vault.delete_person(typo, "added twice by mistake")
    assert [p.id for p in vault.list_people()] == [dan, against]
    assert vault.find_person("Dna Marsh") is None
    assert vault.get_person(typo).version == 2  # the history keeps them
    last = vault.journal_entries()[-1]
    assert (last.action, last.kind, last.id, last.version) == ("delete", "person", typo, 2)
    with pytest.raises(BadInput, match="already"):
        vault.delete_person(typo, "again")
    with pytest.raises(BadInput, match="cannot be edited"):
        vault.edit_person(typo, PersonData(name="Dan Marsh"), "fix")
    with pytest.raises(NotFound):
        vault.delete_person(99, "nobody")
    # Once no entry names them, they can go.
    vault.edit_incident(entry, IncidentData(summary="Parked outside"), "wrong person")
    vault.delete_person(dan, "not him after all")
    assert [p.id for p in vault.list_people()] == [against]
    assert vault.check().ok


def test_fts_query_is_safe() -> None:
    assert fts_query('foo "bar" OR baz*') == '"foo"* "bar"* "OR"* "baz"*'
    assert fts_query("   ") == ""


def test_check_passes_then_catches_edits_behind_our_back(vault: Vault) -> None:
    ids = [vault.add_incident(IncidentData(summary=f"entry {i}")) for i in range(5)]
    vault.edit_incident(ids[2], IncidentData(summary="entry 2, amended"), "typo")
    report = vault.check()
    assert report.ok, report.problems
    assert report.journal_entries == 6
    # Someone with the key rewrites history directly in the database.
    vault.conn.execute(
        "UPDATE records SET body = replace(body, 'entry 1', 'entry ONE') WHERE kind='incident' AND id=?",
        (ids[1],),
    )
    report = vault.check()
    assert not report.ok
    assert any(f"incident {ids[1]} version 1 has been altered" in p for p in report.problems)


def test_check_reports_first_broken_journal_link(vault: Vault) -> None:
    for i in range(4):
        vault.add_incident(IncidentData(summary=f"e{i}"))
    vault.conn.execute("UPDATE journal SET at = '2000-01-01T00:00:00+00:00' WHERE seq = 2")
    report = vault.check()
    assert report.problems[0] == "journal entry 2 has been altered"
    vault.conn.execute("DELETE FROM journal WHERE seq = 3")
    assert "journal entry 2" in vault.check().problems[0]


def test_check_catches_deleted_record_and_stale_index(vault: Vault) -> None:
    a = vault.add_incident(IncidentData(summary="a"))
    b = vault.add_incident(IncidentData(summary="b"))
    vault.conn.execute("DELETE FROM records WHERE kind='incident' AND id=?", (a,))
    vault.conn.execute("UPDATE incidents SET summary='changed' WHERE id=?", (b,))
    problems = vault.check().problems
    assert any(f"incident {a} version 1 is missing" in p for p in problems)
    assert any(f"incident {b}: the timeline shows something other" in p for p in problems)


def test_lock_drops_keys(vault: Vault) -> None:
    vault.lock()
    assert not vault.is_open
    with pytest.raises(VaultLocked):
        vault.list_incidents()
    vault.lock()  # twice is fine


def test_settings_are_inside_the_encrypted_vault(vault: Vault) -> None:
    vault.set_setting("case_title", "Log of Sam Morgan")
    assert vault.get_setting("case_title") == "Log of Sam Morgan"
    assert vault.get_setting("missing", "dflt") == "dflt"


def test_passphrase_change_does_not_rewrite_database(vdir: Path, vault: Vault) -> None:
    vault.add_incident(IncidentData(summary="x"))
    vault.lock()
    v = Vault.open(vdir, PASSPHRASE)
    before_db = (vdir / DB_NAME).stat().st_ino
    v.change_passphrase("another good passphrase")
    v.lock()
    assert (vdir / DB_NAME).stat().st_ino == before_db
    Vault.open(vdir, "another good passphrase").lock()


def test_locking_while_another_thread_reads_waits_for_it_then_refuses(vault: Vault) -> None:
    """The desktop app searches on a worker thread; locking must never free the
    database under a running query (that was a segmentation fault), and a read after
    the lock is refused as "locked", not reported as damage."""
    import threading
    import time

    from victim_log.errors import VaultLocked

    for i in range(300):
        vault.add_incident(IncidentData(summary=f"entry {i}", details="outside the house"))
    outcome: list[str] = []
    reading = threading.Event()

    def reader() -> None:
        conn = vault.conn  # held across the lock, as a worker's query would
        try:
            while True:
                conn.execute(
                    "SELECT count(*) FROM incident_fts WHERE incident_fts MATCH 'outside'"
                ).fetchone()
                reading.set()
        except VaultLocked:
            outcome.append("locked")
        except Exception as exc:  # noqa: BLE001 - the assertion names it
            outcome.append(type(exc).__name__)

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(10)
    time.sleep(0.02)
    vault.lock()
    thread.join(10)
    assert outcome == ["locked"]


def test_the_first_wait_is_whole_whatever_the_fraction_of_the_second(
    vdir: Path, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failures are stamped to the second; the one-second wait after the third must
    not shrink to nothing when the third came late in its second."""
    import types
    from datetime import datetime

    import victim_log.vault as vault_module

    vault.lock()
    for _ in range(3):
        with pytest.raises(WrongPassphrase):
            Vault.open(vdir, "not the passphrase")
    stamp = json.loads((vdir / KEY_NAME).read_text())["failed_attempts"][-1]
    second = datetime.fromisoformat(stamp).timestamp()
    for now, expected in ((second + 0.999, 1.0), (second + 1.5, 0.5), (second + 2.0, 0.0)):
        monkeypatch.setattr(vault_module, "time", types.SimpleNamespace(time=lambda n=now: n))
        assert Vault.pending_delay(vdir) == pytest.approx(expected, abs=0.002)
