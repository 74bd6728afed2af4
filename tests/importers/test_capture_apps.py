"""ProofMode proof zips and Tella's verification CSV (#19): hashes and signatures checked.

``fixtures/proofmode_two.zip`` was made as ProofMode's "Share proof" lays it out: two
files (a July photo, BST, and a December video, GMT), each with ``H.asc``,
``H.proof.csv``/``.json`` and their signatures, ``H.ots`` (and ``H.gst`` for the photo),
``pubkey.asc`` and a note, signed with an invented key (FD75E9C0...); the signature in
``proofmode_other_key.asc`` was made over the photo by another invented key.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log import casetime
from victim_log.importers import ImportFormatError
from victim_log.importers.capture import app_time
from victim_log.importers.proofmode import open_proofmode
from victim_log.importers.proofmode import read_proofmode
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.importers.tella_csv import read_tella_csv
from victim_log.vault import Vault

from .util import fixture

ZIP = fixture("proofmode_two.zip")
TELLA = fixture("tella_export")
PHOTO_HASH = "6bc3409603ff10f591585ebb8566e79829a5ca5da2274075e3082798bdc17daf"
VIDEO_HASH = "784c05746878f1b559f90f832a3fa89b31fbc3a58fb63e30a8ccfaa1e86c7e7c"
KEY = "FD75E9C085F4411871A28A5F5A4850558E59CEAD"
HAVE_GPGV = shutil.which("gpgv") is not None
LONDON = casetime.zone_of("Europe/London")


def _members() -> dict[str, bytes]:
    with zipfile.ZipFile(ZIP) as z:
        return {n: z.read(n) for n in z.namelist()}


def _zip(members: dict[str, bytes], tmp_path: Path, name: str = "proof.zip") -> Path:
    out = tmp_path / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in members.items():
            z.writestr(n, d)
    return out


def _read(path: Path) -> list[object]:
    with open_proofmode(path) as zf:
        return list(read_proofmode(path, zf).files)


def test_proofmode_zip_read_and_checked() -> None:
    with open_proofmode(ZIP) as zf:
        found = read_proofmode(ZIP, zf)
        photo, video = found.files
        assert [p.name for p in found.shared] == ["pubkey.asc"]
        assert (photo.name, photo.our_sha256, photo.app_sha256) == (
            "IMG_20240701_203000.jpg",
            PHOTO_HASH,
            PHOTO_HASH,
        )
        assert video.our_sha256 == video.app_sha256 == VIDEO_HASH
        # "Monday July 01 2024 8:30:00 PM British Summer Time" is 19:30 UTC.
        assert photo.captured_at == datetime(2024, 7, 1, 19, 30, tzinfo=UTC)
        assert video.captured_at == datetime(2024, 12, 2, 8, 15, tzinfo=UTC)
        assert [p.name.removeprefix(PHOTO_HASH) for p in photo.proofs] == [
            ".asc",
            ".proof.json",
            ".proof.json.asc",
            ".proof.csv",
            ".proof.csv.asc",
            ".ots",
            ".gst",
        ]
        assert len(video.proofs) == 6  # no .gst
        assert ("Device", "Pixel 6") in photo.facts
        if HAVE_GPGV:
            assert (
                photo.signature
                == f"OpenPGP signatures of the file and its proof good, key {KEY} (pubkey.asc)"
            )
        else:
            assert "signature not checked" in photo.signature
        assert b"".join(photo.opener()).startswith(b"\xff\xd8\xff")


@pytest.fixture
def vault(london_vault: Vault) -> Vault:
    """Every import here runs on London's clock (the fixtures' times cross BST)."""
    return london_vault


def test_proofmode_import_end_to_end(vault: Vault) -> None:
    dry = run_import(vault, ImportRequest("proofmode", ZIP, dry_run=True))
    assert (dry.messages_seen, dry.incidents_created, dry.exhibits_stored) == (2, 2, 1 + 2 + 13 + 1)
    report = run_import(vault, ImportRequest("proofmode", ZIP))
    assert (report.incidents_created, report.exhibits_stored) == (2, 17)
    first, last = (vault.get_incident(i) for i in report.incident_ids)
    assert first.data.occurred_start == "2024-07-01T20:30:00+01:00"  # the phone's offset kept
    assert casetime.short_text(first.data.occurred_start, LONDON).startswith("2024-07-01 20:30")
    assert last.data.occurred_start == "2024-12-02T08:15:00+00:00"
    assert first.data.summary == "Photo taken with ProofMode: IMG_20240701_203000.jpg"
    assert last.data.summary == "Video taken with ProofMode: VID_20241202_081500.mp4"
    assert first.data.complete_later and first.data.people == ()
    assert f"SHA-256 recorded by ProofMode: {PHOTO_HASH}; SHA-256 of the file imported: {PHOTO_HASH}" in (
        first.data.details
    )
    assert first.data.source_time == "Monday July 01 2024 8:30:00 PM British Summer Time"
    media, raw, *proofs = (vault.evidence.get(e) for e in first.evidence)
    assert media.sha256 == PHOTO_HASH and media.filename == "IMG_20240701_203000.jpg"
    assert raw.sha256 == hashlib.sha256(ZIP.read_bytes()).hexdigest()  # the zip kept unchanged
    assert sorted(p.filename for p in proofs)[-1] == "pubkey.asc" and len(proofs) == 8
    described = media.metadata["provenance"]["description"]
    assert PHOTO_HASH in described and (
        "signatures" in described if HAVE_GPGV else "not checked" in described
    )
    assert media.metadata["provenance"]["captured_on"] == "2024-07-01T20:30:00+01:00"
    assert run_import(vault, ImportRequest("proofmode", ZIP)).already_imported
    assert vault.check().ok


def test_changed_photo_refused_with_both_hashes(vault: Vault, tmp_path: Path) -> None:
    members = _members()
    members["IMG_20240701_203000.jpg"] += b"edited"
    changed = hashlib.sha256(members["IMG_20240701_203000.jpg"]).hexdigest()
    with pytest.raises(ImportFormatError) as exc:
        run_import(vault, ImportRequest("proofmode", _zip(members, tmp_path)))
    assert PHOTO_HASH in exc.value.message and changed in exc.value.message
    assert "IMG_20240701_203000.jpg" in exc.value.message and "Nothing was imported" in exc.value.message
    assert vault.evidence.items() == []


def test_photo_swapped_under_another_name_refused(tmp_path: Path) -> None:
    members = _members()
    members["other.jpg"] = members.pop("IMG_20240701_203000.jpg") + b"x"
    with pytest.raises(ImportFormatError, match=f"ProofMode recorded SHA-256 {PHOTO_HASH}"):
        _read(_zip(members, tmp_path))


@pytest.mark.skipif(not HAVE_GPGV, reason="GnuPG's gpgv is not installed")
def test_bad_and_foreign_signatures(tmp_path: Path) -> None:
    members = _members()
    json_name = f"{PHOTO_HASH}.proof.json"
    members[json_name] = members[json_name].replace(b"Pixel 6", b"Pixel 7")  # the proof edited
    with pytest.raises(ImportFormatError, match="signature of .*proof.json' does not match"):
        _read(_zip(members, tmp_path, "a.zip"))
    members = _members()
    members[f"{PHOTO_HASH}.asc"] = fixture("proofmode_other_key.asc").read_bytes()
    photo = _read(_zip(members, tmp_path, "b.zip"))[0]
    assert "made by a key the export does not hold; signature not checked" in photo.signature  # type: ignore[attr-defined]


def test_without_gpgv_the_signature_is_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("victim_log.importers.pgpverify.gpgv_path", lambda: None)
    photo = _read(ZIP)[0]
    assert "signature not checked (GnuPG's gpgv is not installed" in photo.signature  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "change",
    [
        lambda m: {k: v for k, v in m.items() if k != "pubkey.asc"},
        lambda m: {k: v for k, v in m.items() if not k.endswith(".asc")},
        lambda m: {k: (b"junk" if k.endswith(".proof.json") else v) for k, v in m.items()},
        lambda m: {k: (b"" if k.endswith(".asc") else v) for k, v in m.items()},
        lambda m: {**m, "../../evil.jpg": b"x", "a\x00b.jpg": b"y"},
        lambda m: {k: v for k, v in m.items() if k.endswith((".txt", ".jpg"))},
        lambda m: {"IMG.jpg": b"\xff\xd8\xff"},
    ],
)
def test_hostile_proofmode_zips(change: object, tmp_path: Path) -> None:
    path = _zip(change(_members()), tmp_path)  # type: ignore[operator]
    try:
        files = _read(path)
    except ImportFormatError as exc:
        told = exc.message
    else:
        told = ""
        assert all(f.our_sha256 == f.app_sha256 for f in files)  # type: ignore[attr-defined]
    assert "Pixel" not in told


@pytest.mark.parametrize("data", [b"", b"not a zip", ZIP.read_bytes()[:200], ZIP.read_bytes()[:-50]])
def test_not_or_broken_zip(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    path.write_bytes(data)
    with pytest.raises(ImportFormatError):
        _read(path)


def test_tella_csv_read_and_checked() -> None:
    found = read_tella_csv(TELLA / "verification.csv")
    photo, audio = found.files
    assert (photo.name, photo.our_sha256) == ("IMG_0042.jpg", photo.app_sha256)
    assert photo.captured_at == datetime(2024, 7, 1, 20, 30, tzinfo=timezone(timedelta(hours=1)))
    assert audio.captured_at == datetime(2024, 12, 2, 8, 15, tzinfo=UTC)
    assert found.skipped == ["IMG_0043.jpg: not in the CSV's folder"]
    assert ("Device", "SM-A525F") in photo.facts and photo.signature == ""


def test_tella_import_end_to_end(vault: Vault, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_import(vault, ImportRequest("tella", TELLA))
    assert (report.messages_seen, report.incidents_created, report.exhibits_stored, report.skipped_lines) == (
        2,
        2,
        3,
        1,
    )
    first, last = (vault.get_incident(i) for i in report.incident_ids)
    assert first.data.occurred_start == "2024-07-01T20:30:00+01:00"  # the phone's offset kept
    assert casetime.short_text(first.data.occurred_start, LONDON).startswith("2024-07-01 20:30")
    assert last.data.occurred_start == "2024-12-02T08:15:00+00:00"
    assert last.data.summary == "Recording taken with Tella: Recording_0007.m4a"
    raw = vault.evidence.get(first.evidence[1])
    assert raw.filename == "verification.csv"
    assert raw.sha256 == hashlib.sha256((TELLA / "verification.csv").read_bytes()).hexdigest()
    assert "SHA-256 recorded by Tella:" in first.data.details
    assert run_import(vault, ImportRequest("tella", TELLA / "verification.csv")).already_imported


def test_tella_changed_file_refused(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    shutil.copytree(TELLA, folder)
    (folder / "IMG_0042.jpg").write_bytes(b"\xff\xd8\xff changed")
    with pytest.raises(
        ImportFormatError, match="is not the file Tella recorded: Tella recorded SHA-256 d206b9"
    ):
        read_tella_csv(folder / "verification.csv")


@pytest.mark.parametrize(
    "csv_text",
    [
        "",
        "just,some,columns\n1,2,3\n",
        "Filename,Hash\n",
        "Filename,Hash\n../../etc/passwd,abc\n",
        "Filename;Hash\nIMG_0042.jpg;not-a-hash\n",
        "\x00\x01binary",
        'Filename,Hash\n"unterminated,\n',
    ],
)
def test_hostile_tella_csv(csv_text: str, tmp_path: Path) -> None:
    folder = tmp_path / "t"
    shutil.copytree(TELLA, folder)
    (folder / "verification.csv").write_text(csv_text, encoding="utf-8")
    with pytest.raises(ImportFormatError):
        read_tella_csv(folder / "verification.csv")


def test_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "proofmode", str(ZIP), "--dry-run")
    assert r.code == 0, r.err
    assert "2 files checked against what ProofMode recorded" in r.out
    assert "would be made" in r.out and "IMG_20240701_203000.jpg: SHA-256 6bc3409603ff" in r.out
    r = run_cli(capsys, "import", "--format", "proofmode", str(ZIP), "--json")
    assert r.code == 0, r.err
    r = run_cli(capsys, "import", "--format", "tella", str(TELLA))
    assert r.code == 0 and "IMG_0043.jpg: not in the CSV's folder" in r.out
    r = run_cli(capsys, "import", "--format", "tella", str(TELLA / "IMG_0042.jpg"))
    assert r.code == 2 and "Traceback" not in r.err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday July 01 2024 8:30:00 PM British Summer Time", datetime(2024, 7, 1, 19, 30, tzinfo=UTC)),
        (
            "Wednesday March 21 2018 7:11:50 PM Eastern Daylight Time",
            datetime(2018, 3, 21, 23, 11, 50, tzinfo=UTC),
        ),
        ("Monday July 01 2024 8:30:00 PM Mars Time", None),  # a zone we do not know: no time
        ("2024-07-01T20:30:00+01:00", datetime(2024, 7, 1, 19, 30, tzinfo=UTC)),
        ("2024-07-01T20:30:00", None),  # no zone
        ("1719862200000", datetime(2024, 7, 1, 19, 30, tzinfo=UTC)),
        ("01-07-2024 20:30:00 +0100", datetime(2024, 7, 1, 19, 30, tzinfo=UTC)),
        ("Monday July 01 2024 13:30:00 PM GMT", None),
        ("", None),
    ],
)
def test_app_time(text: str, expected: datetime | None) -> None:
    assert app_time(text) == expected


def test_nothing_leaks_from_a_refusal() -> None:
    message = io.StringIO()
    try:
        read_tella_csv(TELLA / "IMG_0042.jpg")
    except ImportFormatError as exc:
        message.write(exc.message)
    assert "front door" not in message.getvalue()


def test_damaged_member_refused_kindly(tmp_path: Path, vault: Vault) -> None:
    out = tmp_path / "stored.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for n, d in _members().items():
            z.writestr(n, d)
    data = bytearray(out.read_bytes())
    at = data.index(b"Pixel 6")
    data[at] ^= 0x20  # the proof JSON's bytes no longer match its CRC
    out.write_bytes(bytes(data))
    with pytest.raises(ImportFormatError, match="damaged|cannot be read") as exc:
        run_import(vault, ImportRequest("proofmode", out))
    assert "Nothing was imported" in exc.value.message
    assert vault.evidence.items() == []


def test_sniffed_both_ways(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.importers.sniff import looks_like

    assert looks_like(ZIP.read_bytes(), "proof.zip") == "proofmode"
    assert looks_like((TELLA / "verification.csv").read_bytes(), "verification.csv") == "tella"
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "whatsapp", str(ZIP), "--sender", "x")
    assert r.code == 2 and "looks like a ProofMode proof zip" in r.err and "--format proofmode" in r.err
    r = run_cli(capsys, "import", "--format", "sms-backup", str(TELLA / "verification.csv"), "--sender", "x")
    assert r.code == 2 and "choose Tella (--format tella)" in r.err
    r = run_cli(capsys, "import", "--format", "proofmode", str(fixture("whatsapp_android_dmy.txt")))
    assert r.code == 2 and "looks like a WhatsApp chat export, not a ProofMode proof zip" in r.err


def test_a_sender_given_anyway_does_not_import_twice(vault: Vault) -> None:
    run_import(vault, ImportRequest("proofmode", ZIP))
    assert run_import(vault, ImportRequest("proofmode", ZIP, sender="Dan Marsh")).already_imported


def test_the_same_photo_in_another_export_is_not_imported_again(vault: Vault, tmp_path: Path) -> None:
    first = run_import(vault, ImportRequest("proofmode", ZIP))
    assert first.incidents_created == 2
    members = _members()
    members["HowToVerifyProofData.txt"] = b"shared again the next day\n"  # another zip, the same photos
    again = run_import(vault, ImportRequest("proofmode", _zip(members, tmp_path)))
    assert (again.incidents_created, again.duplicates_skipped, again.exhibits_stored) == (0, 2, 0)
    assert len(vault.evidence.items()) == 17
    folder = tmp_path / "tella"
    shutil.copytree(TELLA, folder)
    run_import(vault, ImportRequest("tella", folder))
    (folder / "verification.csv").write_text(
        (TELLA / "verification.csv").read_text() + "\n", encoding="utf-8"
    )  # exported again
    later = run_import(vault, ImportRequest("tella", folder))
    assert (later.incidents_created, later.duplicates_skipped) == (0, 2)
