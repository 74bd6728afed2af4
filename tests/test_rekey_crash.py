"""kill -9 at every step of a re-key (#17.1): the vault always opens, with the old
credentials until the new recovery key was shown, with the new ones from then on
(and with the old ones too until the re-key is finished), and whichever unlocks
next finishes it. Nothing saved is lost and check passes."""

from __future__ import annotations

import signal

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from tests.rekey_driver import NEW_PASSPHRASE
from tests.rekey_driver import run_module
from victim_log.crypto import keys
from victim_log.errors import WrongPassphrase
from victim_log.model import IncidentData
from victim_log.vault import KEY_NAME
from victim_log.vault import Vault

FILES = {f"f{i}.txt": (f"evidence {i}\n" * (200 + i)).encode() for i in range(5)}
INCIDENTS = 400  # a database of some pages, so a kill can land inside SQLCipher's rekey


@pytest.fixture
def old_recovery() -> str:
    v, recovery = Vault.create(vault_path(), PASSPHRASE)
    with v.batch("setup") as tx:
        tx.add_incidents(
            [(IncidentData(summary=f"entry {i}", details="d" * 400), ()) for i in range(INCIDENTS)], "x"
        )
    for name, data in FILES.items():
        v.evidence.add_bytes(data, name)
    v.lock()
    return recovery


def _drive(*args: str) -> tuple[bool, str | None, int]:
    proc = run_module("tests.rekey_driver", *args)
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr[-2000:]
    staged = next((ln.split()[1] for ln in proc.stdout.splitlines() if ln.startswith("staged ")), None)
    return "ok" in proc.stdout.split(), staged, proc.returncode


def _assert_opens(v: Vault) -> None:
    report = v.check()
    assert report.ok, report.problems
    assert v.count_incidents() == INCIDENTS
    by_name = {item.filename: item.id for item in v.evidence.items()}
    for name, data in FILES.items():
        assert v.evidence.read_bytes(by_name[name]) == data
    journal = vault_path() / "vault.db-journal"  # kept by SQLite (PERSIST), zeros only
    assert not journal.exists() or set(journal.read_bytes()) <= {0}


def _assert_after_kill(old_recovery: str, done: bool, staged: str | None) -> None:
    finished = keys.KeyFile.load(vault_path() / KEY_NAME).rekey is None
    if staged is None:  # the new recovery key was never shown: the old credentials open
        assert not done
        with Vault.open(vault_path(), PASSPHRASE) as v:
            _assert_opens(v)
            if finished:  # the re-key never started
                assert not v.unlock_info.rekey_finished
                return
            # staged but killed before it was shown: this unlock finishes it and shows it
            assert v.unlock_info.rekey_finished
            staged = v.unlock_info.new_recovery_key
            assert staged is not None
        finished = True
    if not finished:  # interrupted: the old credentials open too, and finish it
        with Vault.open(vault_path(), recovery_key=old_recovery) as v:
            assert v.unlock_info.rekey_finished
            _assert_opens(v)
    for creds in ({"passphrase": NEW_PASSPHRASE}, {"recovery_key": staged}):
        with Vault.open(vault_path(), **creds) as v:  # type: ignore[arg-type]
            assert not v.unlock_info.rekey_finished
            _assert_opens(v)
            assert [e.action for e in v.journal_entries()].count("data_key_rotated") == 1
    for creds in ({"passphrase": PASSPHRASE}, {"recovery_key": old_recovery}):
        with pytest.raises(WrongPassphrase):
            Vault.open(vault_path(), backoff=False, **creds)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("point", "at"),
    [
        ("os.replace", 1),  # the staging write of the key file
        ("os.fsync", 1),
        ("os.fsync", 2),
        ("commit", 1),  # the rewrap transaction just committed
        ("os.replace", 2),  # its anchor update
        ("rekey", 1),  # file keys rewrapped, database not yet re-encrypted
        ("finish", 1),  # database re-encrypted, key file not finished
        ("os.replace", 3),  # the finishing write of the key file
        ("os.fsync", 6),
    ],
)
def test_kill_at_each_step_of_a_rekey(old_recovery: str, point: str, at: int) -> None:
    done, staged, code = _drive("--crash-in", point, "--crash-at", str(at))
    assert code == -signal.SIGKILL, "the kill point was never reached"
    _assert_after_kill(old_recovery, done, staged)


@pytest.mark.parametrize("delay", [0.0, 0.002, 0.01, 0.03])
def test_kill_inside_sqlciphers_reencryption(old_recovery: str, delay: float) -> None:
    done, staged, _ = _drive("--kill-in-rekey", str(delay))
    assert staged is not None
    _assert_after_kill(old_recovery, done, staged)
