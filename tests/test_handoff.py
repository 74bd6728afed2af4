"""#22 cable or folder hand-off: after importing a phone folder, which originals are
safely stored (the diary's copy read back and its SHA-256 equal to the original's),
in the core and through ``evidence verify-originals DIR [--json]``; and the dates a
phone puts in its file names."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log.handoff import COPY_DAMAGED
from victim_log.handoff import NOT_IN_DIARY
from victim_log.handoff import STORED
from victim_log.handoff import check_originals
from victim_log.handoff import originals_in
from victim_log.importers.photos import PhotoFile
from victim_log.importers.photos import date_from_name
from victim_log.importers.photos import read_image_metadata
from victim_log.vault import Vault

JPEG = b"\xff\xd8\xff\xe0" + b"photo of the car outside"
PNG = b"\x89PNG\r\n\x1a\n" + b"screenshot of the texts"


@pytest.fixture
def phone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A phone's camera folder, imported with ``import --format photos``, plus a file
    added after the import."""
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    folder = tmp_path / "DCIM" / "Camera"
    folder.mkdir(parents=True)
    (folder / "IMG_20240301_123456.jpg").write_bytes(JPEG)
    (folder / "Screenshot_20240302-101010.png").write_bytes(PNG)
    assert run_cli(capsys, "import", "--format", "photos", str(folder)).code == 0
    (folder / "IMG_20240303_090000.jpg").write_bytes(JPEG + b" later")
    return folder


def test_each_original_is_checked_against_the_copy_read_back(phone: Path) -> None:
    with Vault.open(vault_path(), PASSPHRASE) as vault:
        checks = {c.name: c for c in check_originals(vault, originals_in(phone))}
        assert checks["IMG_20240301_123456.jpg"].reason == STORED
        assert checks["Screenshot_20240302-101010.png"].stored
        later = checks["IMG_20240303_090000.jpg"]
        assert later.reason == NOT_IN_DIARY and later.evidence_id is None and not later.stored
        first = checks["IMG_20240301_123456.jpg"]
        assert first.size == len(JPEG) and first.evidence_id is not None
        assert first.sha256 == vault.evidence.get(first.evidence_id).sha256

        # The diary's copy damaged on disk: not "safely stored", whatever the database says.
        blob = next((vault_path() / "blobs").rglob(vault.evidence.get(first.evidence_id).blob_id))
        data = bytearray(blob.read_bytes())
        data[-20] ^= 1
        blob.write_bytes(bytes(data))
        again = {c.name: c for c in check_originals(vault, originals_in(phone))}
        assert again["IMG_20240301_123456.jpg"].reason == COPY_DAMAGED
        assert again["Screenshot_20240302-101010.png"].stored


def test_an_original_changed_since_the_import_is_not_stored(phone: Path) -> None:
    (phone / "Screenshot_20240302-101010.png").write_bytes(PNG + b" edited")
    with Vault.open(vault_path(), PASSPHRASE) as vault:
        checks = {c.name: c for c in check_originals(vault, originals_in(phone))}
    assert checks["Screenshot_20240302-101010.png"].reason == NOT_IN_DIARY


def test_cli_lists_path_size_hash_and_stored_and_says_deleting_is_their_choice(
    phone: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    res = run_cli(capsys, "evidence", "verify-originals", str(phone), "--json")
    assert res.code == 1  # one original is not in the diary
    doc = json.loads(res.out)
    assert doc["stored"] == 2 and doc["not_stored"] == 1
    files = {Path(f["path"]).name: f for f in doc["files"]}
    assert set(files) == {
        "IMG_20240301_123456.jpg",
        "Screenshot_20240302-101010.png",
        "IMG_20240303_090000.jpg",
    }
    first = files["IMG_20240301_123456.jpg"]
    assert first["stored"] is True and first["size"] == len(JPEG) and len(first["sha256"]) == 64
    assert set(first) == {"path", "name", "size", "sha256", "evidence_id", "stored", "reason"}
    assert files["IMG_20240303_090000.jpg"]["stored"] is False
    assert "your choice" in doc["note"] and "only one" in doc["note"]

    (phone / "IMG_20240303_090000.jpg").unlink()
    res = run_cli(capsys, "evidence", "verify-originals", str(phone))
    assert res.code == 0
    assert "2 of 2 safely stored." in res.out and "your choice" in res.out
    assert "safely stored" in res.out and "IMG_20240301_123456.jpg" in res.out


def test_cli_refuses_what_is_not_a_folder(phone: Path, capsys: pytest.CaptureFixture[str]) -> None:
    res = run_cli(capsys, "evidence", "verify-originals", str(phone / "IMG_20240301_123456.jpg"))
    assert res.code == 2 and "not a folder" in res.err and "Traceback" not in res.err
    res = run_cli(capsys, "evidence", "verify-originals", str(phone / "missing"))
    assert res.code == 2 and "could not be opened" in res.err


@pytest.mark.parametrize(
    ("name", "when"),
    [
        ("IMG_20240301_123456.jpg", datetime(2024, 3, 1, 12, 34, 56)),  # noqa: DTZ001
        ("PXL_20240301_123456789.jpg", datetime(2024, 3, 1, 12, 34, 56)),  # noqa: DTZ001
        ("Screenshot_20240301-123456_Messages.png", datetime(2024, 3, 1, 12, 34, 56)),  # noqa: DTZ001
        ("Screenshot 2024-03-01 at 12.34.56.png", datetime(2024, 3, 1, 12, 34, 56)),  # noqa: DTZ001
        ("20240301_235959.jpg", datetime(2024, 3, 1, 23, 59, 59)),  # noqa: DTZ001
        ("IMG-20240301-WA0001.jpg", None),  # a date without a time: no invented midnight
        ("IMG_20241301_123456.jpg", None),  # no 13th month
        ("holiday.jpg", None),
    ],
)
def test_dates_in_phone_file_names(name: str, when: datetime | None) -> None:
    assert date_from_name(name) == when


def test_without_exif_the_file_name_gives_the_date(tmp_path: Path) -> None:
    plain = tmp_path / "IMG_20240301_123456.jpg"
    plain.write_bytes(JPEG)
    photo = PhotoFile(plain, plain.name, plain.name, os.path.getsize(plain), read_image_metadata(plain))
    assert photo.date_taken == datetime(2024, 3, 1, 12, 34, 56)  # noqa: DTZ001
    assert photo.date_source == "file name"
