"""A vault busy in another window or process (#23.9): its own error class, exit code 2.

The README promises scripts: a busy vault exits 2 with a one-line reason ("busy in
another window"), never 3 (3 means the passphrase is wrong or the vault locked: a
script that asks for the passphrase again on 3 must not do so for a busy vault).
"""

from __future__ import annotations

import re

import pytest
import sqlcipher3

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import run_proc
from tests.helpers import vault_path
from victim_log.errors import EXIT_BAD_INPUT
from victim_log.errors import BadInput
from victim_log.errors import VaultBusy
from victim_log.store import db
from victim_log.vault import Vault


def _sqlite_error(code: int) -> sqlcipher3.OperationalError:
    exc = sqlcipher3.OperationalError("words decide nothing")
    exc.sqlite_errorcode = code
    return exc


@pytest.mark.parametrize("code", [sqlcipher3.SQLITE_BUSY, sqlcipher3.SQLITE_LOCKED])
def test_busy_is_told_apart_by_its_class(code: int) -> None:
    busy = db._translate(_sqlite_error(code), "the test")
    assert isinstance(busy, VaultBusy) and isinstance(busy, BadInput)
    assert busy.exit_code == EXIT_BAD_INPUT == 2


def test_cli_add_while_another_process_writes_exits_2_saying_busy(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    other = Vault.open(vault_path(), PASSPHRASE)
    try:
        with other.writers_held("the test"):  # another window holds the write lock
            r = run_proc("add", "--kind", "loitering", "--summary", "Sat outside the house")
    finally:
        other.lock()
    assert r.code == 2, r.err
    assert re.search(r"busy in another window", r.err) and "Traceback" not in r.err
    # Nothing half-done: a moment later the same command works.
    assert run_proc("add", "--kind", "loitering", "--summary", "Sat outside the house").code == 0
    assert Vault.open(vault_path(), PASSPHRASE).count_incidents() == 1
