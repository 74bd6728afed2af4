"""Signal chats exported with signal-export (#19, formats to add): chat.md and media/."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.importers import ImportFormatError
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.importers.signal import parse_signal
from victim_log.vault import Vault

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes

CHAT = fixture("signal_dan_marsh")


def test_signal_markdown_fixture() -> None:
    with parse_signal(CHAT / "chat.md", media_folder=CHAT) as stream:
        items = list(stream)
        assert len(items) == 10
        assert stream.stats.senders() == [("Dan Marsh", 8), ("Me", 2)]
        first = items[0]
        assert (first.sender, first.direction, first.text) == ("Dan Marsh", "in", "Why are you ignoring me")
        assert (
            first.occurred_at == datetime(2024, 3, 12, 20, 1, 5)
            and first.source_time == "2024-03-12 20:01:05"
        )
        photo = items[1]
        assert photo.text == "" and [a.name for a in photo.attachments] == ["IMG_0001.jpg"]
        assert photo.attachments[0].read() == TINY_JPEG
        doc = items[2]
        assert doc.text == "Look at this" and [a.name for a in doc.attachments] == ["note 1.pdf"]
        assert doc.attachments[0].available
        mine = items[3]
        assert mine.direction == "out" and mine.text == "Leave me alone" and "reactions" in mine.flags
        assert items[4].flags == {"deleted"} and items[4].text == ""
        assert items[5].text == "> Leave me alone\n\nNo.\nI know where you are."
        missed, answered, outgoing = items[6], items[7], items[8]
        assert missed.kind == "phone_call" and missed.call is not None and missed.call.type == "missed"
        assert answered.call is not None and (answered.call.type, answered.call.duration_s) == (
            "incoming",
            123,
        )
        assert outgoing.direction == "out"
        gone = items[9]
        assert "attachment_missing" in gone.flags and not gone.attachments[0].available


def test_signal_import_end_to_end(vault: Vault) -> None:
    listing = run_import(vault, ImportRequest("signal", CHAT))
    assert listing.senders == [("Dan Marsh", 8), ("Me", 2)] and listing.incident_ids == []
    req = ImportRequest("signal", CHAT, sender="Dan Marsh", group_minutes=0)
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert dry.incidents_created == 8 and dry.exhibits_stored == 3
    assert dry.preview[0] == "Signal message from Dan Marsh: Why are you ignoring me"
    report = run_import(vault, req)
    assert report.incidents_created == 8 and report.exhibits_stored == 3
    first = vault.get_incident(report.incident_ids[0])
    raw = vault.evidence.get(first.evidence[0])
    assert raw.filename == "chat.md"  # the original, unchanged, is the exhibit
    assert raw.sha256 == hashlib.sha256((CHAT / "chat.md").read_bytes()).hexdigest()
    assert first.data.occurred_start.startswith("2024-03-12T20:01:05")
    photo = vault.get_incident(report.incident_ids[1])
    assert [vault.evidence.get(e).filename for e in photo.evidence] == ["chat.md", "IMG_0001.jpg"]
    calls = [vault.get_incident(i).data.summary for i in report.incident_ids[5:7]]
    assert calls == ["Missed call from Dan Marsh", "Answered call from Dan Marsh, 123 s"]
    again = run_import(vault, req)  # idempotent
    assert again.already_imported and again.incidents_created == 0
    also = run_import(vault, ImportRequest("signal", CHAT / "chat.md", sender="Dan Marsh", group_minutes=0))
    assert also.already_imported  # the chat.md itself is the same file
    assert vault.check().ok


def test_signal_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "signal", str(CHAT), "--sender", "Dan Marsh", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["incidents_created"] >= 1
    r = run_cli(
        capsys, "import", "--format", "signal", str(fixture("whatsapp_android_dmy.txt")), "--sender", "x"
    )
    assert r.code == 2 and "WhatsApp chat export" in r.err


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02",
        b"[2024-13-45 99:99:99] Dan: x\n",
        b"[2024-03-12 20:01:05] " + b"A" * 5000 + b": x\n",
        b"[2024-03-12 20:01:05] Dan: " + b"x" * (2 * 1024 * 1024) + b"\n",
        b"[2024-03-12 20:01:05] Dan: ![a](./media/../../../../etc/passwd)\n",
        b"[2024-03-12 20:01:05] Dan: \xff\xfe broken utf-8\n",
        b"hello\n[2024-03-12 20:01:05] Dan: x\n",
    ],
)
def test_hostile_signal_input(data: bytes, tmp_path: Path) -> None:
    try:
        with parse_signal(data, media_folder=tmp_path) as stream:
            items = list(stream)
    except ImportFormatError:
        return
    for item in items:
        assert len(item.sender) <= 200
        for att in item.attachments:
            assert not att.available  # never a file outside media/


def test_signal_refuses_other_formats() -> None:
    with pytest.raises(ImportFormatError, match="looks like a WhatsApp chat export"):
        parse_signal(fixture_bytes("whatsapp_ios_chat.txt"))
    with pytest.raises(ImportFormatError, match="SMS Backup"):
        parse_signal(fixture("sms_backup.xml"))
