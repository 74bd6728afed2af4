"""Key-file updates from real concurrent processes (#17.3, #23.2): each one is a
read-modify-write of the file on disk under a lock, never a write-back of a copy read
earlier, so no failure goes uncounted and no passphrase change is undone."""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from victim_log.errors import WrongPassphrase
from victim_log.model import IncidentData
from victim_log.vault import Vault

NEW = "a brand new passphrase 42"
OTHER = "yet another passphrase 77"
CTX = mp.get_context("fork")  # fast; the children only open the vault and exit


def _no_backoff() -> None:
    # These tests are about counting and lost updates, not about the back-off.
    Vault.pending_delay = classmethod(lambda cls, path: 0.0)  # type: ignore[method-assign,assignment]


def _one_wrong_guess(path: str, barrier: Barrier) -> None:
    _no_backoff()
    barrier.wait(timeout=60)
    try:
        Vault.open(Path(path), "not the passphrase at all")
    except WrongPassphrase:
        sys.exit(0)
    sys.exit(3)


def _wrong_guesses(path: str, seconds: float) -> None:
    _no_backoff()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with contextlib.suppress(WrongPassphrase):
            Vault.open(Path(path), "not the passphrase at all")


def _join(procs: Sequence[mp.process.BaseProcess], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.1, deadline - time.monotonic()))
    alive = [p for p in procs if p.is_alive()]
    for p in alive:
        p.kill()
        p.join()
    assert not alive, "a key-file writer hung"


def test_parallel_wrong_guesses_are_all_counted() -> None:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    v.lock()
    barrier = CTX.Barrier(8)
    procs = [CTX.Process(target=_one_wrong_guess, args=(str(vault_path()), barrier)) for _ in range(8)]
    for p in procs:
        p.start()
    _join(procs)
    assert [p.exitcode for p in procs] == [0] * 8
    recorded = json.loads((vault_path() / "vault.key").read_text())["failed_attempts"]
    assert len(recorded) == 8


def test_passwd_in_a_terminal_is_not_undone_by_the_open_app() -> None:
    v, _ = Vault.create(vault_path(), PASSPHRASE)  # the app, unlocked
    proc = subprocess.run(
        [sys.executable, "-m", "victim_log.cli", "passwd"],
        env={**os.environ, "VICTIM_LOG_PASSPHRASE": PASSPHRASE, "VICTIM_LOG_NEW_PASSPHRASE": NEW},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    v.new_recovery_key()  # rewrote the key file from its stale copy before the fix
    v.add_incident(IncidentData(summary="after"))  # and the anchor update after it
    v.lock()
    Vault.open(vault_path(), NEW).lock()
    with pytest.raises(WrongPassphrase):
        Vault.open(vault_path(), PASSPHRASE)


def test_wrong_guesses_racing_passphrase_changes_never_restore_an_old_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Vault, "pending_delay", classmethod(lambda cls, path: 0.0))
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    v.lock()
    guesser = CTX.Process(target=_wrong_guesses, args=(str(vault_path()), 3.0))
    guesser.start()
    try:
        current = PASSPHRASE
        for i in range(8):
            nxt = (NEW, OTHER)[i % 2]
            with Vault.open(vault_path(), current, wait=True) as opened:
                opened.change_passphrase(nxt)
            current = nxt
            Vault.open(vault_path(), current, wait=True).lock()
    finally:
        _join([guesser])
    Vault.open(vault_path(), current, wait=True).lock()
