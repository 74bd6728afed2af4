"""Secrets in memory after lock (issue #17, finding 5).

A locked app must not keep the database key as text: a core dump taken after lock
found ``PRAGMA key = "x'…'"`` twice. A child process unlocks, works, locks and then
copies its own readable memory to a file; we look there for the key's hex text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import PASSPHRASE
from victim_log.store import db
from victim_log.vault import Vault

CHILD = Path(__file__).with_name("memdump_child.py")


def test_locked_process_holds_no_database_key_text(tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    vault, _ = Vault.create(folder, PASSPHRASE)
    raw = vault.subkey("sqlcipher")
    vault.lock()
    dump = tmp_path / "memory.bin"
    proc = subprocess.run(
        [sys.executable, str(CHILD), str(folder), PASSPHRASE, str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    memory = dump.read_bytes()
    assert len(memory) > 1024 * 1024  # the dump really holds the process's memory
    for needle in (raw.hex().encode(), raw.hex().upper().encode(), raw):
        assert memory.count(needle) == 0


def test_key_spec_is_sqlciphers_raw_key_form() -> None:
    raw = bytes(range(32))
    assert bytes(db._key_spec(raw)) == f"x'{raw.hex()}'".encode()


def test_rekey_moves_the_database_to_the_new_key(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    old, new = b"\1" * 32, b"\2" * 32
    conn = db.connect(path, old, create=True)
    conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
    db.rekey(conn, bytearray(new))
    conn.close()
    conn = db.connect(path, new)
    assert conn.execute("SELECT value FROM meta WHERE key = 'a'").fetchone()[0] == "b"
    conn.close()
