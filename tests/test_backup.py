"""Backups: still encrypted, restorable elsewhere, and tampering is refused."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.leakscan import scan
from victim_log.backup import restore_backup
from victim_log.backup import write_backup
from victim_log.errors import IntegrityError
from victim_log.errors import NotABundle
from victim_log.errors import VaultExists
from victim_log.errors import WrongPassphrase
from victim_log.model import IncidentData
from victim_log.vault import Vault


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Vault, str]:
    v, recovery = Vault.create(tmp_path / "home-vault", PASSPHRASE)
    v.add_incident(IncidentData(summary=f"diary {CANARY}"))
    f = tmp_path / "e.txt"
    f.write_text(f"evidence {CANARY}" * 50)
    v.evidence.add(f, incident_id=1)
    f.unlink()
    yield v, recovery
    v.lock()


def test_round_trip_on_another_machine(filled: tuple[Vault, str], tmp_path: Path) -> None:
    vault, recovery = filled
    out = tmp_path / "backup.vlbak"
    info = write_backup(vault, out)
    assert info.files == 3
    assert scan([out], CANARY) == []  # still encrypted
    other = tmp_path / "elsewhere" / "vault"
    restored = restore_backup(out, other, passphrase=PASSPHRASE)
    assert restored.get_incident(1).data.summary == f"diary {CANARY}"
    assert restored.evidence.read_bytes(1).startswith(b"evidence")
    assert restored.check().ok
    restored.lock()
    third = tmp_path / "third"
    restore_backup(out, third, recovery_key=recovery).lock()


def test_wrong_passphrase_restores_nothing(filled: tuple[Vault, str], tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    write_backup(filled[0], out)
    target = tmp_path / "t"
    with pytest.raises(WrongPassphrase):
        restore_backup(out, target, passphrase="not the passphrase")
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".restore-")]


def test_refuses_to_overwrite_a_vault(filled: tuple[Vault, str], tmp_path: Path) -> None:
    out = tmp_path / "b.zip"
    write_backup(filled[0], out)
    with pytest.raises(VaultExists):
        restore_backup(out, filled[0].path, passphrase=PASSPHRASE)


def _rewrite(src: Path, dst: Path, change: str) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if change == "flip-db" and info.filename == "vault.db":
                data = data[:5000] + bytes([data[5000] ^ 1]) + data[5001:]
            if change == "drop-blob" and info.filename.startswith("blobs/"):
                continue
            if change == "manifest" and info.filename == "manifest.json":
                data = data.replace(b'"created_at": "', b'"created_at": "1')
            if change.startswith("mac-") and info.filename == "manifest.json":
                doc = json.loads(data)
                doc["mac"] = {"mac-accented": "\u00e9" * 64, "mac-surrogate": "\ud800"}[change]
                data = json.dumps(doc).encode()
            if change == "surrogate" and info.filename == "manifest.json":
                doc = json.loads(data)
                doc["created_at"] = "\ud800"  # valid JSON, but no UTF-8 encoding
                data = json.dumps(doc).encode()
            if change == "control-name" and info.filename == "manifest.json":
                doc = json.loads(data)
                doc["files"].append({"name": "blobs/\x1b]0;x\x07/\u202e", "size": 1, "sha256": ""})
                data = json.dumps(doc).encode()
            if change == "nested" and info.filename == "manifest.json":
                data = b"[" * 50_000
            zout.writestr(info, data)
        if change == "extra":
            zout.writestr("blobs/aa/extra", b"x")


# mac-*: a manifest MAC of non-ASCII text once crashed the comparison (TypeError);
# surrogate: a lone surrogate crashed the MAC's canonical JSON (UnicodeEncodeError);
# nested: JSON nested too deep raised RecursionError.
@pytest.mark.parametrize(
    "change",
    [
        "flip-db",
        "drop-blob",
        "manifest",
        "extra",
        "mac-accented",
        "mac-surrogate",
        "surrogate",
        "nested",
        "control-name",
    ],
)
def test_tampered_backup_gives_clear_error(filled: tuple[Vault, str], tmp_path: Path, change: str) -> None:
    good = tmp_path / "good.zip"
    write_backup(filled[0], good)
    bad = tmp_path / "bad.zip"
    _rewrite(good, bad, change)
    target = tmp_path / "t"
    with pytest.raises(IntegrityError) as caught:
        restore_backup(bad, target, passphrase=PASSPHRASE)
    assert not target.exists()
    assert caught.value.message.isprintable(), caught.value.message  # a name from the file


def test_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(os.urandom(2000))
    with pytest.raises(NotABundle):
        restore_backup(junk, tmp_path / "t", passphrase=PASSPHRASE)


def test_cli_backup_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    run_cli(capsys, "add", "--kind", "message", "--summary", "hello")
    out = tmp_path / "b.vlbak"
    assert run_cli(capsys, "backup", "--out", str(out)).code == 0
    r = run_cli(capsys, "restore", str(out), "--vault", str(tmp_path / "r"))
    assert r.code == 0 and "1 incidents" in r.out
    assert run_cli(capsys, "check", "--vault", str(tmp_path / "r")).code == 0
    assert run_cli(capsys, "restore", str(out), "--vault", str(tmp_path / "r")).code == 2
    bad = tmp_path / "bad.zip"
    _rewrite(out, bad, "flip-db")
    r = run_cli(capsys, "restore", str(bad), "--vault", str(tmp_path / "r2"))
    assert r.code == 1 and "vault.db" in r.err
