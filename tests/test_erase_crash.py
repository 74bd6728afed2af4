"""kill -9 at each step of an erase for good (#17.4): the vault opens and passes check;
either the file was not erased (and still reads back whole) or it was, and then the
next unlock leaves no file, no key in any page of the database and no journal
holding anything but zeros."""

from __future__ import annotations

import secrets
import signal

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import vault_path
from tests.rekey_driver import run_module
from tests.sqlcipher_pages import plaintext_contains
from victim_log import leftovers
from victim_log.model import IncidentData
from victim_log.store import exhibits
from victim_log.vault import DB_NAME
from victim_log.vault import Vault

DATA = secrets.token_bytes(300_000)


@pytest.mark.parametrize(
    ("point", "at"),
    [("os.pwrite", 1), ("os.fsync", 1), ("os.fsync", 2), ("os.fsync", 3), ("commit", 1), ("os.unlink", 1)],
)
def test_kill_during_an_erase(point: str, at: int) -> None:
    folder = vault_path()
    vault, _ = Vault.create(folder, PASSPHRASE)
    iid = vault.add_incident(IncidentData(summary="the photo"))
    eid, _ = vault.evidence.add_bytes(DATA, "secret.jpg", incident_id=iid)
    vault.evidence.add_bytes(b"a later file\n" * 40, "later.txt", incident_id=iid)
    item = vault.evidence.get(eid)
    wrapped = exhibits.wrapped_key(vault.conn, item.blob_id)[1]
    db_key = vault.subkey("sqlcipher")
    blob = folder / "blobs" / item.blob_id[:2] / item.blob_id
    vault.lock()
    proc = run_module("tests.erase_driver", str(eid), "--crash-in", point, "--crash-at", str(at))
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr[-2000:]
    with Vault.open(folder, PASSPHRASE) as v:
        leftovers.clean_leftovers(v)  # what the CLI and the app run after an unlock
        report = v.check()
        assert report.ok, report.problems
        erased = v.evidence.get(eid).erased
        if not erased:
            assert proc.returncode == -signal.SIGKILL
            assert v.evidence.read_bytes(eid) == DATA
    journal = folder / (DB_NAME + "-journal")
    assert not journal.exists() or set(journal.read_bytes()) <= {0}
    if erased:
        assert not blob.exists()
        assert wrapped is not None
        assert not plaintext_contains(db_key, (folder / DB_NAME).read_bytes(), wrapped)
