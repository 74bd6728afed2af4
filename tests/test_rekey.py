"""Re-key, "someone may know my passphrase" (issue #17, finding 1).

A plain passphrase change only rewraps the data key: an old copy of vault.key and
the old passphrase still open the database. A re-key makes a new data key, so the
old key file (with the old passphrase or recovery key) opens neither the re-keyed
database nor any later copy of it, and every evidence file still reads back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log.crypto import keys
from victim_log.errors import BadInput
from victim_log.errors import VaultCorrupt
from victim_log.errors import WrongPassphrase
from victim_log.model import IncidentData
from victim_log.store import db
from victim_log.vault import KEY_NAME
from victim_log.vault import REKEY_STAGES
from victim_log.vault import Vault

NEW = "a brand new passphrase for the vault 7"


def _vault_with_files() -> tuple[Vault, str, list[int]]:
    vault, recovery = Vault.create(vault_path(), PASSPHRASE)
    vault.add_incident(IncidentData(summary="he waited outside work"))
    ids = [vault.evidence.add_bytes(f"photo {i}\n".encode() * (i + 1), f"p{i}.txt")[0] for i in range(3)]
    return vault, recovery, ids


def test_plain_passphrase_change_keeps_old_key_file_working(tmp_path: Path) -> None:
    """What the README says a plain change does NOT protect (and why re-key exists)."""
    vault, _, _ = _vault_with_files()
    old_keyfile = (vault_path() / KEY_NAME).read_bytes()
    vault.change_passphrase(NEW)
    vault.lock()
    copy = tmp_path / "copy"
    shutil.copytree(vault_path(), copy)
    (copy / KEY_NAME).write_bytes(old_keyfile)
    Vault.open(copy, PASSPHRASE).lock()  # the old key file + old passphrase still open it


def test_rekey_locks_out_old_key_file_passphrase_and_recovery(tmp_path: Path) -> None:
    vault, old_recovery, ids = _vault_with_files()
    old_keyfile = (vault_path() / KEY_NAME).read_bytes()
    old_db_key = vault.subkey("sqlcipher")
    stages: list[str] = []
    shown: list[str] = []
    recovery = vault.rekey(NEW, progress=lambda s, d, t: stages.append(s), staged=shown.append)
    assert shown == [recovery] and recovery != old_recovery
    assert [s for s in REKEY_STAGES if s in stages] == list(REKEY_STAGES)
    vault.add_incident(IncidentData(summary="after the re-key"))
    vault.lock()

    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path(), PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path(), recovery_key=old_recovery)
    # An old copy of vault.key and the old passphrase (or recovery key) open neither
    # the re-keyed database nor a later copy of it.
    copy = tmp_path / "copy"
    shutil.copytree(vault_path(), copy)
    (copy / KEY_NAME).write_bytes(old_keyfile)
    with pytest.raises((WrongPassphrase, VaultCorrupt)):
        Vault.open(copy, PASSPHRASE, backoff=False)
    with pytest.raises((WrongPassphrase, VaultCorrupt)):
        Vault.open(copy, recovery_key=old_recovery)
    with pytest.raises(WrongPassphrase):
        db.connect(vault_path() / "vault.db", old_db_key).close()

    for opened in (Vault.open(vault_path(), NEW), Vault.open(vault_path(), recovery_key=recovery)):
        with opened as v:
            assert v.count_incidents() == 2
            for i, eid in enumerate(ids):
                assert v.evidence.read_bytes(eid) == f"photo {i}\n".encode() * (i + 1)
            report = v.check()
            assert report.ok, report.problems
            actions = [e.action for e in v.journal_entries()]
            assert "data_key_rotated" in actions


def test_rekey_keeps_deduplication_of_files_and_imports() -> None:
    vault, _, ids = _vault_with_files()
    vault.rekey(NEW)
    again, new = vault.evidence.add_bytes(b"photo 0\n", "same-bytes-other-name.txt")
    assert (again, new) == (ids[0], False)
    vault.lock()


def test_rekey_refuses_weak_passphrase_and_changes_nothing() -> None:
    vault, _, _ = _vault_with_files()
    before = (vault_path() / KEY_NAME).read_bytes()
    with pytest.raises(BadInput):
        vault.rekey("short")
    assert (vault_path() / KEY_NAME).read_bytes() == before
    vault.lock()


def _staged_then_stopped(at_stage: str) -> tuple[str, str]:
    """Re-key with the process 'dying' (an exception) when ``at_stage`` starts."""
    vault, old_recovery, _ = _vault_with_files()

    class Stop(Exception):
        pass

    def progress(stage: str, done: int, total: int) -> None:
        if stage == at_stage:
            raise Stop

    shown: list[str] = []
    with pytest.raises(Stop):
        vault.rekey(NEW, progress=progress, staged=shown.append)
    vault.lock()
    return old_recovery, shown[0]


@pytest.mark.parametrize("stage", ["files", "database", "done"])
@pytest.mark.parametrize("opener", ["old passphrase", "new passphrase", "old recovery", "new recovery"])
def test_interrupted_rekey_opens_with_either_credentials_and_finishes(stage: str, opener: str) -> None:
    old_recovery, new_recovery = _staged_then_stopped(stage)
    creds = {
        "old passphrase": {"passphrase": PASSPHRASE},
        "new passphrase": {"passphrase": NEW},
        "old recovery": {"recovery_key": old_recovery},
        "new recovery": {"recovery_key": new_recovery},
    }[opener]
    keyfile = keys.KeyFile.load(vault_path() / KEY_NAME)
    if stage == "done":  # stopped after the key file was finished: only the new ones open
        assert keyfile.rekey is None
        if opener.startswith("old"):
            with pytest.raises(WrongPassphrase):
                Vault.open(vault_path(), **creds)  # type: ignore[arg-type]
            return
    else:
        assert keyfile.rekey is not None
    with Vault.open(vault_path(), **creds) as v:  # type: ignore[arg-type]
        assert v.unlock_info.rekey_finished == (stage != "done")
        report = v.check()
        assert report.ok, report.problems
        assert [e.action for e in v.journal_entries()].count("data_key_rotated") == 1
        assert len(v.evidence.items()) == 3
    assert keys.KeyFile.load(vault_path() / KEY_NAME).rekey is None
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path(), PASSPHRASE)
    Vault.open(vault_path(), NEW).lock()
    Vault.open(vault_path(), recovery_key=new_recovery).lock()


def test_staged_key_file_is_macd() -> None:
    """Editing the staged record (e.g. dropping it to keep the old slots) is caught."""
    _staged_then_stopped("files")
    path = vault_path() / KEY_NAME
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"version": 3', b'"version": 2'))
    with pytest.raises(VaultCorrupt):
        Vault.open(vault_path(), PASSPHRASE)


def test_cli_passwd_rekey(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    Vault.create(vault_path(), PASSPHRASE)[0].lock()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("VICTIM_LOG_NEW_PASSPHRASE", NEW)
    result = run_cli(capsys, "passwd", "--rekey")
    assert result.code == 0, result.err
    assert "NEW RECOVERY KEY" in result.out
    recovery = next(line.strip() for line in result.out.splitlines() if line.strip().count("-") == 7)
    Vault.open(vault_path(), recovery_key=recovery).lock()
    Vault.open(vault_path(), NEW).lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path(), PASSPHRASE)
    # without the flag passwd is what it was
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", NEW)
    monkeypatch.setenv("VICTIM_LOG_NEW_PASSPHRASE", PASSPHRASE)
    result = run_cli(capsys, "passwd")
    assert result.code == 0 and "Your recovery key still works" in result.out
    Vault.open(vault_path(), recovery_key=recovery).lock()


def test_window_left_open_during_a_rekey_is_told_to_unlock_again() -> None:
    """Another window's vault reads pages under the old key after a re-key: that is
    said as a locked vault (exit 3), never as damage to restore from a backup."""
    from victim_log.errors import VaultLocked

    vault, _, _ = _vault_with_files()
    vault.lock()
    other = Vault.open(vault_path(), PASSPHRASE)
    other.count_incidents()
    with Vault.open(vault_path(), PASSPHRASE) as v:
        v.rekey(NEW)
    with pytest.raises(VaultLocked, match="re-key"):
        other.count_incidents()
    with pytest.raises(VaultLocked):
        other.add_incident(IncidentData(summary="typed in the old window"))
    other.lock()
    with Vault.open(vault_path(), NEW) as v:
        report = v.check()
        assert report.ok, report.problems
        assert v.count_incidents() == 1


def test_interrupted_erase_file_is_overwritten_at_next_unlock(monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log import evidence
    from victim_log import leftovers

    vault, _, ids = _vault_with_files()
    item = vault.evidence.get(ids[0])
    blob = vault_path() / "blobs" / item.blob_id[:2] / item.blob_id
    monkeypatch.setattr(evidence, "zero_and_unlink", lambda path, **kw: False)  # killed before it
    vault.evidence.remove(ids[0], "mistake", permanent=True)
    monkeypatch.undo()
    assert blob.exists()
    cleaned = leftovers.clean_leftovers(vault)
    assert not blob.exists()
    assert any("erased for good" in c for c in cleaned)
    assert leftovers.clean_leftovers(vault) == []
    vault.lock()


def test_cli_passwd_rekey_exit_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Wrong current passphrase: 3; a new one the policy refuses: 2; nothing changed."""
    Vault.create(vault_path(), PASSPHRASE)[0].lock()
    before = (vault_path() / KEY_NAME).read_bytes()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", "not the passphrase at all")
    monkeypatch.setenv("VICTIM_LOG_NEW_PASSPHRASE", NEW)
    assert run_cli(capsys, "passwd", "--rekey").code == 3
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("VICTIM_LOG_NEW_PASSPHRASE", "short")
    result = run_cli(capsys, "passwd", "--rekey")
    assert result.code == 2 and "RECOVERY" not in result.out and "Traceback" not in result.err
    keyfile = keys.KeyFile.from_bytes((vault_path() / KEY_NAME).read_bytes())
    assert keyfile.slots == keys.KeyFile.from_bytes(before).slots and keyfile.rekey is None
