"""Anchored history (#14): the journal head lives in the MAC-covered key file too, so a
database put back to an older copy is reported at unlock and by ``check``; orphaned
evidence blobs are reported; old (version 1) key files are anchored at next unlock."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log.crypto import keys
from victim_log.model import IncidentData
from victim_log.store import journal
from victim_log.vault import ROLLBACK_EVENT
from victim_log.vault import Vault
from victim_log.vault import history_warning


def _make(n: int = 3) -> Path:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    for i in range(n):
        v.add_incident(IncidentData(summary=f"entry {i}"))
    v.lock()
    return vault_path()


def _add(path: Path, n: int) -> None:
    with Vault.open(path, PASSPHRASE) as v:
        for i in range(n):
            v.add_incident(IncidentData(summary=f"later {i}"))


def test_key_file_anchors_the_journal_head_after_each_commit() -> None:
    path = _make(2)
    with Vault.open(path, PASSPHRASE) as v:
        head = journal.head(v.conn)
        assert head[0] == 2
        kf = keys.KeyFile.load(path / "vault.key")
        assert kf.version == 2 and kf.journal_head == head
        v.add_incident(IncidentData(summary="third"))
        assert keys.KeyFile.load(path / "vault.key").journal_head == journal.head(v.conn)
        doc = json.loads((path / "vault.key").read_text())
        assert doc["journal_head"] == {"seq": 3, "hash": journal.head(v.conn)[1]}


def test_anchor_is_covered_by_the_mac() -> None:
    path = _make(2)
    doc = json.loads((path / "vault.key").read_text())
    doc["journal_head"]["seq"] = 1  # move the anchor back by hand, to match an older db
    (path / "vault.key").write_text(json.dumps(doc))
    with pytest.raises(Exception, match="changed outside Victim Log"):
        Vault.open(path, PASSPHRASE)


def test_rolled_back_database_is_reported_at_unlock_and_by_check(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _make(3)
    shutil.copy2(path / "vault.db", path.parent / "old.db")
    _add(path, 2)
    shutil.copy2(path.parent / "old.db", path / "vault.db")  # no key needed for this

    v = Vault.open(path, PASSPHRASE)
    warning = v.unlock_info.history_warning
    assert warning and "entry 5" in warning and "entry 3" in warning
    assert "later" not in warning and "entry 0" not in warning  # no diary content
    report = v.check()
    assert not report.ok and report.history_warning == warning
    assert any("older copy of vault.db" in p for p in report.problems)
    # Recorded in the journal, so exports and every later check still say it.
    assert any(e.action == ROLLBACK_EVENT for e in v.journal_entries())
    v.lock()

    again = Vault.open(path, PASSPHRASE)
    assert again.unlock_info.history_warning is None  # said once; the diary carries on
    assert not again.check().ok
    again.lock()

    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "check", "--json")
    assert r.code == 1
    out = json.loads(r.out)
    assert out["ok"] is False and "history_warning" in out and "orphaned_blobs" in out


def test_cli_prints_the_warning_once_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _make(2)
    shutil.copy2(path / "vault.db", path.parent / "old.db")
    _add(path, 1)
    shutil.copy2(path.parent / "old.db", path / "vault.db")
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "check")
    assert r.code == 1
    assert r.err.count("history is shorter") == 1
    assert "older copy of vault.db" in r.out


def test_a_database_with_another_entry_at_the_anchor_is_reported() -> None:
    path = _make(3)
    with Vault.open(path, PASSPHRASE) as v:
        seq, _ = journal.head(v.conn)
        assert history_warning(v.conn, (seq, "f" * 64)) is not None
        assert history_warning(v.conn, journal.head(v.conn)) is None
        assert history_warning(v.conn, (seq - 1, journal.entries(v.conn)[seq - 2].hash)) is None
        assert history_warning(v.conn, (seq + 5, "a" * 64)) is not None


def test_an_old_key_file_without_anchor_is_anchored_at_next_unlock() -> None:
    path = _make(2)
    with Vault.open(path, PASSPHRASE) as v:
        key = v._key()
    kf = keys.KeyFile.load(path / "vault.key")
    kf.version, kf.journal_head = 1, None
    kf.mac = kf.compute_mac(key)
    (path / "vault.key").write_bytes(kf.to_bytes())
    assert "journal_head" not in json.loads((path / "vault.key").read_text())
    with Vault.open(path, PASSPHRASE) as v:
        assert v.unlock_info.history_warning is None
        kf2 = keys.KeyFile.load(path / "vault.key")
        assert kf2.version == 2 and kf2.journal_head == journal.head(v.conn)
    shutil.copy2(path / "vault.db", path.parent / "old.db")
    _add(path, 1)
    shutil.copy2(path.parent / "old.db", path / "vault.db")
    with Vault.open(path, PASSPHRASE) as v:
        assert v.unlock_info.history_warning


def test_orphaned_blob_is_reported_by_name_never_content() -> None:
    path = _make(1)
    with Vault.open(path, PASSPHRASE) as v:
        assert v.check().ok
        eid, _ = v.evidence.add_bytes(b"secret photo bytes", "photo.jpg", incident_id=1)
        blob_id = v.evidence.get(eid).blob_id
        # A blob file no evidence row knows: planted, or left when the database went back.
        stray = path / "blobs" / "ab" / ("ab" + "0" * 30)
        stray.parent.mkdir(exist_ok=True)
        stray.write_bytes(b"x" * 10)
        old = time.time() - 2 * 3600
        os.utime(stray, (old, old))
        report = v.check()
        assert not report.ok
        assert report.orphaned_blobs == [stray.name]
        assert blob_id not in report.orphaned_blobs
        assert any(stray.name in p and "no exhibit" in p for p in report.problems)


def test_orphans_after_a_rollback_are_reported_however_recent() -> None:
    path = _make(1)
    shutil.copy2(path / "vault.db", path.parent / "old.db")
    with Vault.open(path, PASSPHRASE) as v:
        eid, _ = v.evidence.add_bytes(b"evidence kept after the copy", "a.txt", incident_id=1)
        blob_id = v.evidence.get(eid).blob_id
    shutil.copy2(path.parent / "old.db", path / "vault.db")
    with Vault.open(path, PASSPHRASE) as v:
        report = v.check()
        assert report.orphaned_blobs == [blob_id]


def test_a_fresh_unreferenced_blob_is_not_a_false_alarm() -> None:
    """An intake in another window writes its file before its transaction commits."""
    path = _make(1)
    stray = path / "blobs" / "cd" / ("cd" + "1" * 30)
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"in progress")
    with Vault.open(path, PASSPHRASE) as v:
        assert v.check().ok
