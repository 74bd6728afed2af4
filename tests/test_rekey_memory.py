"""A re-key leaves neither database key in a locked process's memory as text (#17.5):
both go to SQLCipher through its key API from wipeable buffers (store/db.py); and the
new data key is made in a wipeable buffer and never decrypted back into ``bytes``."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import PASSPHRASE
from tests.rekey_driver import run_module
from victim_log.model import IncidentData
from victim_log.vault import Vault

NEW = "a brand new passphrase for the vault 7"


def test_locked_process_after_rekey_holds_no_database_key_text(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    vault, _ = Vault.create(folder, PASSPHRASE)
    vault.add_incident(IncidentData(summary="before the re-key"))
    old = vault.subkey("sqlcipher")
    vault.lock()
    dump = tmp_path / "memory.bin"
    proc = run_module("tests.memdump_rekey_child", str(folder), PASSPHRASE, NEW, str(dump))
    assert proc.returncode == 0, proc.stderr[-2000:]
    with Vault.open(folder, NEW) as reopened:
        new = reopened.subkey("sqlcipher")
        new_data_key = reopened._key()
    memory = dump.read_bytes()
    assert len(memory) > 1024 * 1024
    for key in (old, new):
        for needle in (key.hex().encode(), key.hex().upper().encode()):
            assert memory.count(needle) == 0
    # nor the new data key itself: made in a wipeable buffer, never decrypted again
    assert memory.count(new_data_key) == 0
