"""The evidence locker: exact round trips, tamper detection, dedup, removal, odd names."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from tests.leakscan import scan
from victim_log.crypto.stream import CHUNK_SIZE
from victim_log.errors import BadInput
from victim_log.errors import IntegrityError
from victim_log.errors import NotFound
from victim_log.model import IncidentData
from victim_log.textsafe import display_safe
from victim_log.vault import Vault


@pytest.fixture
def vault() -> Vault:
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    yield v
    v.lock()


def blob_files(v: Vault) -> list[Path]:
    return sorted(p for p in (v.path / "blobs").rglob("*") if p.is_file())


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 3 * CHUNK_SIZE + 7]
)
def test_round_trip_exact(vault: Vault, tmp_path: Path, size: int) -> None:
    src = tmp_path / "in.bin"
    data = os.urandom(size)
    src.write_bytes(data)
    eid, new = vault.evidence.add(src)
    assert new
    item = vault.evidence.get(eid)
    import hashlib

    assert item.sha256 == hashlib.sha256(data).hexdigest() and item.size == size
    out = tmp_path / "out.bin"
    vault.evidence.save_copy(eid, out)
    assert out.read_bytes() == data
    assert vault.evidence.read_bytes(eid) == data


def test_blob_names_reveal_nothing(vault: Vault, tmp_path: Path) -> None:
    src = tmp_path / "secret-name-photo.jpg"
    src.write_bytes(b"\xff\xd8\xff" + os.urandom(1000))
    eid, _ = vault.evidence.add(src)
    item = vault.evidence.get(eid)
    names = " ".join(str(p.relative_to(vault.path)) for p in blob_files(vault))
    assert "secret" not in names and item.sha256 not in names and item.sha256[:8] not in names
    assert item.media_type == "image/jpeg"


def test_media_type_is_sniffed_not_trusted(vault: Vault, tmp_path: Path) -> None:
    src = tmp_path / "holiday.jpg"
    src.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    eid, _ = vault.evidence.add(src)
    assert vault.evidence.get(eid).media_type == "application/pdf"


def test_dedup_stores_once(vault: Vault, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_bytes(b"same bytes" * 1000)
    b.write_bytes(b"same bytes" * 1000)
    iid = vault.add_incident(IncidentData(summary="x"))
    e1, new1 = vault.evidence.add(a)
    e2, new2 = vault.evidence.add(b, incident_id=iid)
    assert (e1, new1, new2) == (e2, True, False)
    assert len(blob_files(vault)) == 1
    assert vault.get_incident(iid).evidence == (e1,)


def test_attach_to_several_incidents(vault: Vault, tmp_path: Path) -> None:
    f = tmp_path / "f.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(64))
    i1 = vault.add_incident(IncidentData(summary="one"))
    i2 = vault.add_incident(IncidentData(summary="two"))
    eid, _ = vault.evidence.add(f, incident_id=i1)
    vault.evidence.attach(eid, i2)
    assert vault.evidence.get(eid).incidents == (i1, i2)
    assert vault.get_incident(i2).version == 2  # attaching is a recorded new version
    assert vault.list_incidents()[0].evidence_count == 1
    assert vault.check().ok


@pytest.mark.parametrize("tamper", ["flip", "truncate", "swap", "delete", "append"])
def test_tampered_blob_caught_by_check_and_get(vault: Vault, tmp_path: Path, tamper: str) -> None:
    ids = []
    for n in range(2):
        f = tmp_path / f"f{n}.bin"
        f.write_bytes(os.urandom(CHUNK_SIZE + 1000 * (n + 1)))
        ids.append(vault.evidence.add(f)[0])
    blobs = {eid: vault.evidence._blob_path(vault.evidence.get(eid).blob_id) for eid in ids}
    target = blobs[ids[0]]
    raw = bytearray(target.read_bytes())
    if tamper == "flip":
        raw[len(raw) // 2] ^= 0x01
        target.write_bytes(raw)
    elif tamper == "truncate":
        target.write_bytes(raw[:CHUNK_SIZE])
    elif tamper == "append":
        target.write_bytes(raw + b"extra")
    elif tamper == "delete":
        target.unlink()
    elif tamper == "swap":
        other = blobs[ids[1]]
        tmp = tmp_path / "swap"
        shutil.copy(target, tmp)
        shutil.copy(other, target)
        shutil.copy(tmp, other)
    report = vault.check()
    assert not report.ok
    assert any(p.startswith(f"evidence {ids[0]} ") for p in report.problems), report.problems
    out = tmp_path / "out.bin"
    with pytest.raises(IntegrityError):
        vault.evidence.save_copy(ids[0], out)
    assert not out.exists(), "unverified bytes must never be output"


def test_sampled_byte_flips_all_detected(vault: Vault, tmp_path: Path) -> None:
    f = tmp_path / "small.txt"
    f.write_bytes(b"0123456789" * 30)
    eid, _ = vault.evidence.add(f)
    blob = vault.evidence._blob_path(vault.evidence.get(eid).blob_id)
    original = blob.read_bytes()
    for pos in range(0, len(original), 7):
        raw = bytearray(original)
        raw[pos] ^= 0x80
        blob.write_bytes(raw)
        with pytest.raises(IntegrityError):
            vault.evidence.read_bytes(eid)
    blob.write_bytes(original)
    assert vault.evidence.read_bytes(eid) == f.read_bytes()


def test_bad_inputs(vault: Vault, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no file"):
        vault.evidence.add(tmp_path / "missing.jpg")
    with pytest.raises(BadInput, match="folder"):
        vault.evidence.add(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BadInput, match="not a regular file"):
        vault.evidence.add(fifo)
    with pytest.raises(NotFound):
        vault.evidence.add_bytes(b"x", "x.txt", incident_id=42)
    assert blob_files(vault) == []
    assert vault.evidence.items() == []


def test_file_changing_while_read_is_refused(
    vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = tmp_path / "growing.log"
    f.write_bytes(b"a" * (CHUNK_SIZE * 2))
    from victim_log.crypto import stream

    real = stream.encrypt_stream

    def growing(src, dst, key, context=b"", **kw):  # type: ignore[no-untyped-def]
        with open(f, "ab") as fh:
            fh.write(b"more")
        return real(src, dst, key, context, **kw)

    monkeypatch.setattr(stream, "encrypt_stream", growing)
    with pytest.raises(BadInput, match="changed while"):
        vault.evidence.add(f)
    assert blob_files(vault) == [] and vault.evidence.items() == []


def test_disk_full_leaves_nothing(vault: Vault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from victim_log.crypto import stream

    f = tmp_path / "big.bin"
    f.write_bytes(os.urandom(3 * CHUNK_SIZE))

    def full(src, dst, key, context=b"", **kw):  # type: ignore[no-untyped-def]
        dst.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(stream, "encrypt_stream", full)
    with pytest.raises(BadInput, match="disk space"):
        vault.evidence.add(f)
    assert blob_files(vault) == [] and vault.evidence.items() == []
    assert not list((vault.path / "blobs").rglob(".tmp-*"))


def test_remove_keeps_bytes_until_permanent(vault: Vault, tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_bytes(b"keep me safe" * 10)
    eid, _ = vault.evidence.add(f)
    vault.evidence.remove(eid, "wrong file")
    item = vault.evidence.get(eid)
    assert item.removed and item.removed_reason == "wrong file" and not item.erased
    assert vault.evidence.read_bytes(eid) == f.read_bytes()
    assert len(blob_files(vault)) == 1
    vault.evidence.remove(eid, "really remove", permanent=True)
    assert vault.evidence.get(eid).erased
    assert blob_files(vault) == []
    with pytest.raises(IntegrityError):
        vault.evidence.read_bytes(eid)
    actions = [e.action for e in vault.journal_entries()]
    assert (
        actions[-3:] == ["evidence_add", "evidence_remove", "evidence_erased"][-3:]
        or "evidence_erased" in actions
    )
    assert vault.check().ok


HOSTILE = [
    "line\nbreak.txt",
    "../../etc/passwd",
    "-rf --no-preserve-root",
    "evil\u202egnp.exe",
    "a" * 251 + ".txt",
    "tab\tand\x1bescape.png",
    "emoji 😀.jpg",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_filenames_stored_and_shown_safely(
    vault: Vault,
    tmp_path: Path,
    name: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = name.encode("utf-8", "surrogatepass") + os.urandom(8)
    eid, _ = vault.evidence.add_bytes(data, name)
    item = vault.evidence.get(eid)
    assert item.filename == name  # kept exactly, as evidence of what it was called
    shown = display_safe(item.filename, single_line=True)
    assert "\n" not in shown and "\u202e" not in shown and "\x1b" not in shown
    vault.lock()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "evidence", "list")
    assert r.code == 0 and len(r.out.strip().splitlines()) == 1
    doc = json.loads(run_cli(capsys, "evidence", "list", "--json").out)
    assert doc[0]["filename"] == name
    assert list(vault_path().rglob("*passwd*")) == []


def test_canary_in_attached_file_not_on_disk(vault: Vault, tmp_path: Path) -> None:
    f = tmp_path / "outside" / "chat.txt"
    f.parent.mkdir()
    f.write_text(f"He wrote: {CANARY}\n" * 1000)
    eid, _ = vault.evidence.add(f)
    vault.evidence.read_bytes(eid)
    out = tmp_path / "outside" / "copy.txt"
    vault.evidence.save_copy(eid, out)
    out.unlink()
    f.unlink()
    assert scan([vault.path, Path(os.environ["TMPDIR"]), Path(os.environ["HOME"])], CANARY) == []


def test_cli_evidence_commands(
    vault: Vault, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.lock()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    f = tmp_path / "shot.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(100))
    r = run_cli(capsys, "add", "--kind", "message", "--summary", "x", "--attach", str(f))
    assert r.code == 0
    docs = json.loads(run_cli(capsys, "evidence", "list", "--json").out)
    assert set(docs[0]) >= {"id", "filename", "size", "media_type", "sha256", "added_at", "incidents"}
    assert docs[0]["incidents"] == [1]
    out = tmp_path / "got.png"
    assert run_cli(capsys, "evidence", "get", "1", "--out", str(out)).code == 0
    assert out.read_bytes() == f.read_bytes()
    assert run_cli(capsys, "evidence", "get", "1", "--out", str(out)).code == 2  # no overwrite
    r = run_cli(capsys, "add", "--kind", "message", "--summary", "y", "--attach", str(tmp_path / "nope"))
    assert r.code == 2 and "no file" in r.err
    assert run_cli(capsys, "evidence", "remove", "1", "--reason", "mistake").code == 0
    assert json.loads(run_cli(capsys, "evidence", "list", "--json").out) == []
    assert run_cli(capsys, "check").code == 0
