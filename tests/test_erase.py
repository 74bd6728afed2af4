"""Erase for good (issue #17, finding 4): after ``evidence remove --permanent`` nothing
in the vault's folder can give the file back.

On ext4 the deleted rollback journal still held the page with the file's wrapped key,
and the blob's ciphertext was left in free blocks: both together gave the file back.
These checks are at file level: the blob file's bytes are zeros when it is deleted,
the (kept, reused) rollback journal is all zeros after the erase, and no page of the
database file (live or free, decrypted with the database key) holds the wrapped key.
``test_erase_on_ext4_image`` repeats it on a loop-mounted ext4 image, as root only.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from tests.sqlcipher_pages import PAGE
from tests.sqlcipher_pages import decrypt_page
from tests.sqlcipher_pages import plaintext_contains
from victim_log.model import IncidentData
from victim_log.store import exhibits
from victim_log.vault import DB_NAME
from victim_log.vault import Vault


def _unlinked(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The bytes of every file this process deletes, as they were when deleted."""
    seen: dict[str, bytes] = {}
    real = os.unlink

    def unlink(path: object, *args: object, **kwargs: object) -> None:
        with open(path, "rb") as fh:  # type: ignore[call-overload]
            seen[os.fspath(path)] = fh.read()  # type: ignore[call-overload]
        real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "unlink", unlink)
    return seen


def _absent_or_zeros(path: Path) -> bool:
    return not path.exists() or set(path.read_bytes()) <= {0}


def _vault_with_secret_file(folder: Path) -> tuple[Vault, int, int, bytes, bytes, Path]:
    vault, _ = Vault.create(folder, PASSPHRASE)
    iid = vault.add_incident(IncidentData(summary="the photo he sent"))
    keep, _ = vault.evidence.add_bytes(b"a file that stays\n" * 100, "keep.txt", incident_id=iid)
    eid, _ = vault.evidence.add_bytes(secrets.token_bytes(200_000), "secret.jpg", incident_id=iid)
    # a later file: its transaction's journal holds the page with the secret file's key
    vault.evidence.add_bytes(b"a later file\n" * 50, "later.txt", incident_id=iid)
    item = vault.evidence.get(eid)
    wrapped = exhibits.wrapped_key(vault.conn, item.blob_id)[1]
    assert wrapped is not None
    blob = folder / "blobs" / item.blob_id[:2] / item.blob_id
    return vault, eid, keep, wrapped, blob.read_bytes()[4096:8192], blob


def test_permanent_removal_leaves_no_key_or_ciphertext(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = vault_path()
    vault, eid, keep, wrapped, ciphertext, blob = _vault_with_secret_file(folder)
    db_key = vault.subkey("sqlcipher")
    assert plaintext_contains(db_key, (folder / DB_NAME).read_bytes(), wrapped)  # the check can see it
    deleted = _unlinked(monkeypatch)
    vault.evidence.remove(eid, "sent by mistake", permanent=True)

    assert not blob.exists()
    assert deleted[str(blob)] and set(deleted[str(blob)]) == {0}, "blob deleted without being overwritten"
    journal = folder / (DB_NAME + "-journal")
    assert journal.exists(), "the erase's rollback journal was deleted by SQLite, not zeroed first"
    assert journal.stat().st_size > PAGE and set(journal.read_bytes()) == {0}
    assert not plaintext_contains(db_key, (folder / DB_NAME).read_bytes(), wrapped)
    for path in folder.rglob("*"):
        if path.is_file():
            assert ciphertext not in path.read_bytes(), path
    # the tombstone stays, and the other file still reads
    item = vault.evidence.get(eid)
    assert item.erased and item.removed_reason == "sent by mistake"
    assert vault.evidence.read_bytes(keep) == b"a file that stays\n" * 100
    assert "evidence_erased" in [e.action for e in vault.journal_entries()]
    report = vault.check()
    assert report.ok, report.problems
    vault.lock()


def test_cli_permanent_removal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = vault_path()
    vault, eid, _keep, wrapped, _ciphertext, blob = _vault_with_secret_file(folder)
    db_key = vault.subkey("sqlcipher")
    vault.lock()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    result = run_cli(capsys, "evidence", "remove", str(eid), "--reason", "mistake", "--permanent")
    assert result.code == 0, result.err
    assert not blob.exists()
    assert _absent_or_zeros(folder / (DB_NAME + "-journal"))
    assert not plaintext_contains(db_key, (folder / DB_NAME).read_bytes(), wrapped)


def test_leftover_kept_journal_is_zeroed_at_next_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash between an erase's commit and the journal's wipe leaves the kept journal
    (its header zeroed, so not hot): the next open zeroes and deletes it."""
    folder = vault_path()
    Vault.create(folder, PASSPHRASE)[0].lock()
    leftover = folder / (DB_NAME + "-journal")
    leftover.write_bytes(b"\0" * 512 + b"old page image with a wrapped key" * 200)
    deleted = _unlinked(monkeypatch)
    Vault.open(folder, PASSPHRASE).lock()
    assert not leftover.exists()
    assert set(deleted[str(leftover)]) == {0}


def _ext4_image_available(tmp_path: Path) -> Path | None:
    if os.geteuid() != 0 or not shutil.which("mkfs.ext4") or not shutil.which("mount"):
        return None
    image, mnt = tmp_path / "ext4.img", tmp_path / "mnt"
    mnt.mkdir()
    with open(image, "wb") as fh:
        fh.truncate(24 * 1024 * 1024)
    made = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, check=False)
    if made.returncode != 0:
        return None
    mounted = subprocess.run(["mount", "-o", "loop", str(image), str(mnt)], capture_output=True, check=False)
    return mnt if mounted.returncode == 0 else None


def test_erase_on_ext4_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root where a loop device can be mounted: after the erase and an unmount, the
    raw image holds neither the blob's ciphertext nor, in any page-sized run at a
    journal record's offset, a page that decrypts to one holding the wrapped key."""
    mnt = _ext4_image_available(tmp_path)
    if mnt is None:
        pytest.skip("needs root and a loop-mountable ext4 image")
    try:
        folder = mnt / "vault"
        vault, eid, _keep, wrapped, ciphertext, _blob = _vault_with_secret_file(folder)
        db_key = vault.subkey("sqlcipher")
        vault.evidence.remove(eid, "sent by mistake", permanent=True)
        vault.lock()
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
    image = (tmp_path / "ext4.img").read_bytes()
    assert ciphertext not in image
    for block in range(0, len(image) - 2 * PAGE, PAGE):
        for record in range(8):  # a journal's page images start 516 + 4104k bytes into it
            start = block + (516 + 4104 * record) % PAGE
            assert wrapped not in decrypt_page(db_key, image[start : start + PAGE], False)


def test_tombstone_names_the_hash_it_replaces() -> None:
    """The record an erase is to leave (store/erase.py): no name, hash, photo details or
    provenance; the hash of the body its journal entry was written for."""
    import json

    from victim_log.evidence import ERASED_NAME
    from victim_log.evidence import _item
    from victim_log.model import canonical_json
    from victim_log.store import erase
    from victim_log.store import journal

    body = canonical_json(
        {
            "added_at": "2026-01-02T10:00:00+00:00",
            "added_by": "victim",
            "blob_id": "ab" * 16,
            "filename": "Zebra-Canary-7Q3.jpg",
            "media_type": "image/jpeg",
            "metadata": {"gps": [51.5, -0.1], "provenance": {"description": "canary"}},
            "sha256": "cd" * 32,
            "size": 5000,
        }
    ).decode()
    stub = erase.tombstone(body, "2026-02-03T04:05:06+00:00")
    assert erase.stands_for(stub) == journal.body_hash(body)
    assert erase.stands_for(body) is None
    for gone in ("Zebra", "image/jpeg", "gps", "canary", "cd" * 32):
        assert gone not in stub
    item = _item(7, json.loads(stub), 2, "sent by mistake", True, erased=True, incidents=())
    assert (item.filename, item.sha256, item.metadata, item.size) == (ERASED_NAME, "", {}, 5000)


def test_erased_file_keeps_only_its_tombstone() -> None:
    """Its name, hash, photo details and provenance are dropped from what stays readable
    (every page of the database, decrypted); that it was erased, when and why stay, and
    check still verifies the whole journal."""
    folder = vault_path()
    vault, _ = Vault.create(folder, PASSPHRASE)
    iid = vault.add_incident(IncidentData(summary="the photo he sent"))
    data = secrets.token_bytes(5000)
    eid, _ = vault.evidence.add_bytes(
        data,
        "Zebra-Canary-7Q3-name.jpg",
        incident_id=iid,
        provenance={"description": "Zebra-Canary-7Q3 marmalade lighthouse"},
    )
    sha = vault.evidence.get(eid).sha256
    db_key = vault.subkey("sqlcipher")
    vault.evidence.remove(eid, "sent by mistake", permanent=True)
    item = vault.evidence.get(eid)
    assert item.erased and item.removed and item.removed_reason == "sent by mistake"
    assert item.filename == "(erased file)" and item.sha256 == "" and item.metadata == {}
    assert item.size == 5000 and item.added_by == "victim"
    assert vault.evidence.get_many([eid])[eid].filename == "(erased file)"
    report = vault.check()
    assert report.ok, report.problems
    vault.lock()
    raw = (folder / DB_NAME).read_bytes()
    for needle in (b"Zebra-Canary-7Q3", sha.encode(), b"marmalade"):
        assert not plaintext_contains(db_key, raw, needle), needle
    journal = folder / (DB_NAME + "-journal")
    assert _absent_or_zeros(journal)
