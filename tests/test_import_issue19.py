"""#19 end to end: a "with media" export after the "without media" one, every call type,
omitted media and edits said in the incident, a folder export, the --date-order hint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.importers.util import TINY_JPEG
from tests.importers.util import make_zip
from victim_log.importers.service import MEDIA_ADDED_REASON
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.vault import Vault

FIX = Path(__file__).parent / "importers" / "fixtures"
OPUS = b"OggS\x00\x02" + b"\x00" * 40


def _with_media_zip(tmp_path: Path) -> Path:
    z = tmp_path / "WhatsApp Chat with Dan Marsh.zip"
    z.write_bytes(
        make_zip(
            {
                "WhatsApp Chat with Dan Marsh.txt": (FIX / "whatsapp_android_with_media.txt").read_bytes(),
                "IMG-20240312-WA0001.jpg": TINY_JPEG,
                "PTT-20240312-WA0002.opus": OPUS,
            }
        )
    )
    return z


def test_media_from_a_later_export_joins_the_incidents_already_made(vault: Vault, tmp_path: Path) -> None:
    first = run_import(
        vault,
        ImportRequest("whatsapp", FIX / "whatsapp_android_no_media.txt", sender="Dan Marsh", group_minutes=0),
    )
    assert first.incidents_created == 4
    photo_incident = first.incident_ids[1]
    before = vault.get_incident(photo_incident)
    assert len(before.evidence) == 1
    assert "was sent; it is not in this export" in before.data.details  # #19.7: never blank

    z = _with_media_zip(tmp_path)
    req = ImportRequest("whatsapp", z, sender="Dan Marsh", group_minutes=0)
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert dry.incidents_created == 1 and dry.media_added == 2
    second = run_import(vault, req)
    assert second.incidents_created == 1  # only "Morning" is new
    assert second.media_added == 2
    assert sorted(second.media_incident_ids) == sorted(first.incident_ids[1:3])
    after = vault.get_incident(photo_incident)
    assert after.version == before.version + 1 and after.reason == MEDIA_ADDED_REASON
    files = [vault.evidence.get(e).filename for e in after.evidence]
    assert files[0] == "whatsapp_android_no_media.txt"
    assert "IMG-20240312-WA0001.jpg" in files and z.name in files
    assert "[media added from a later export: IMG-20240312-WA0001.jpg]" in after.data.details
    # Nothing was duplicated: four incidents from the first export, one new message.
    assert len([i for i in vault.list_incidents() if not i.context]) == 5
    # The same export again adds nothing more.
    again = run_import(vault, req)
    assert again.already_imported and again.media_added == 0
    assert vault.check().ok


def test_every_call_type_is_imported_and_labelled(vault: Vault) -> None:
    req = ImportRequest("calls", FIX / "calls_all_types.xml", sender="07700 900123", group_minutes=0)
    listing = run_import(vault, ImportRequest("calls", FIX / "calls_all_types.xml"))
    assert listing.senders == [("Dan Marsh (+447700900123)", 7)]  # the outgoing call is the victim's
    report = run_import(vault, req)
    assert report.matched == 7 and report.incidents_created == 7
    summaries = [vault.get_incident(i).data.summary for i in report.incident_ids]
    assert summaries == [
        "Answered call from 07700 900123, 10 s",
        "Missed call from 07700 900123",
        "Voicemail from 07700 900123, 10 s",
        "Rejected call from 07700 900123",
        "Blocked call from 07700 900123",
        "Call answered on another device from 07700 900123",
        "Call of a type the backup did not name from 07700 900123",
    ]
    kinds = [vault.get_incident(i).data.kinds for i in report.incident_ids]
    assert kinds[2] == ("voicemail",) and kinds[0] == ("phone_call",)
    assert "call type 9" in vault.get_incident(report.incident_ids[-1]).data.details


def test_omitted_media_and_edits_are_said(vault: Vault) -> None:
    report = run_import(
        vault,
        ImportRequest("whatsapp", FIX / "whatsapp_android_no_media.txt", sender="Dan Marsh", group_minutes=0),
    )
    data = [vault.get_incident(i).data for i in report.incident_ids]
    assert data[1].summary == (
        "WhatsApp message from Dan Marsh: a photo, video, voice note or file was sent, it is not in this export"
    )
    assert data[3].summary == "WhatsApp message from Dan Marsh: You can't hide (edited)"
    assert data[3].details.startswith("You can't hide\n[edited:")


def test_cli_names_date_order_flag_and_media_added(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "whatsapp", str(FIX / "whatsapp_ambiguous.txt"))
    assert r.code == 2 and "--date-order dmy" in r.err and "--date-order mdy" in r.err
    src = str(FIX / "whatsapp_android_no_media.txt")
    r = run_cli(capsys, "import", "--format", "whatsapp", src, "--sender", "Dan Marsh")
    assert r.code == 0
    z = str(_with_media_zip(tmp_path))
    r = run_cli(capsys, "import", "--format", "whatsapp", z, "--sender", "Dan Marsh", "--json")
    assert r.code == 0
    out = json.loads(r.out)
    assert out["media_added"] == 2 and len(out["media_incident_ids"]) == 2
    r = run_cli(capsys, "import", "--format", "whatsapp", z, "--sender", "Dan", "--dry-run")
    assert r.code == 0


def test_folder_with_chat_and_media(vault: Vault, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "WhatsApp Chat with Dan Marsh"
    folder.mkdir()
    (folder / "WhatsApp Chat with Dan Marsh.txt").write_bytes(
        (FIX / "whatsapp_android_with_media.txt").read_bytes()
    )
    (folder / "IMG-20240312-WA0001.jpg").write_bytes(TINY_JPEG)
    report = run_import(vault, ImportRequest("whatsapp", folder, sender="Dan Marsh", group_minutes=0))
    assert report.incidents_created == 5
    assert report.exhibits_stored == 2  # the chat and the one photo in the folder
    photo = vault.get_incident(report.incident_ids[1])
    assert [vault.evidence.get(e).filename for e in photo.evidence] == [
        "WhatsApp Chat with Dan Marsh.txt",
        "IMG-20240312-WA0001.jpg",
    ]
    voice = vault.get_incident(report.incident_ids[2])
    assert "(not in the export)" in voice.data.details
    again = run_import(vault, ImportRequest("whatsapp", folder, sender="Dan Marsh", group_minutes=0))
    assert again.already_imported


PEOPLE = FIX / "sms_people.xml"


def test_one_line_per_person_with_all_their_numbers(vault: Vault) -> None:
    listing = run_import(vault, ImportRequest("sms-backup", PEOPLE))
    assert listing.senders == [
        ("Dan Marsh (+447700900123, +447700900456)", 5),  # "Marsh, Dan" too
        ("Sam Hill (+447700900777)", 1),
    ]


@pytest.mark.parametrize(
    "sender",
    ["Dan Marsh", "Dan Marsh (+447700900123, +447700900456)"],
)
def test_never_drop_a_message_from_any_of_their_numbers(vault: Vault, sender: str) -> None:
    report = run_import(vault, ImportRequest("sms-backup", PEOPLE, sender=sender, group_minutes=0))
    assert report.matched == 5 and report.incidents_created == 5
    details = [vault.get_incident(i).data.details for i in report.incident_ids]
    # In the file's order: the group MMS (known only by number) comes first.
    assert [d.splitlines()[0] for d in details] == [
        "We both know where you are",
        "Answer me",
        "New phone, same me",
        "Saved as Marsh, Dan",
        "Roaming",
    ]
    person = vault.find_person("Dan Marsh")
    assert person is not None


def test_one_of_their_numbers_finds_that_phone_only(vault: Vault) -> None:
    report = run_import(vault, ImportRequest("sms-backup", PEOPLE, sender="+44 7700 900456", group_minutes=0))
    assert report.matched == 2  # the group MMS and the text from the new phone
