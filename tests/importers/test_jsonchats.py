"""Telegram Desktop result.json and Messenger/Instagram message_1.json (#19 formats), streamed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.importers.util import items_and_peak
from victim_log.importers import ImportFormatError
from victim_log.importers.jsonchats import fix_mojibake
from victim_log.importers.jsonchats import parse_meta
from victim_log.importers.jsonchats import parse_telegram
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.vault import Vault

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes

TG = fixture("telegram_chat")
META = fixture("meta_chat")


def test_telegram_result_json() -> None:
    with parse_telegram(TG / "result.json", media_folder=TG) as stream:
        items = list(stream)
        assert stream.stats.senders() == [("Dan Marsh", 4), ("Sarah Jones", 1)]
        assert [s.ref for s in stream.stats.skipped] == ["message #7"]
        assert len(items) == 6
        first = items[0]
        assert first.occurred_at == datetime(2024, 3, 12, 20, 1, 5, tzinfo=UTC)
        assert (first.sender, first.text, first.source_time) == (
            "Dan Marsh",
            "Why are you ignoring me",
            "2024-03-12T20:01:05",
        )
        photo = items[1]
        assert photo.text == "Look here" and photo.attachments[0].read() == TINY_JPEG
        call = items[3]
        assert call.kind == "phone_call" and call.call is not None and call.call.type == "missed"
        voice = items[4]
        assert voice.flags == {"edited", "attachment_missing"}
        assert [a.name for a in voice.attachments] == ["voice message"]
        assert items[5].flags == {"system"} and items[5].sender == ""


def test_meta_json_with_mojibake_newest_first() -> None:
    with parse_meta(META / "message_1.json", media_folder=META) as stream:
        items = list(stream)
        assert stream.stats.senders() == [("Dan Marsh", 5), ("Sarah Jones", 1)]
        assert items[0].text == "Tu es où ? 😠"
        assert items[0].occurred_at == datetime(2024, 3, 12, 20, 7, tzinfo=UTC)
        assert items[1].kind == "phone_call" and items[1].call is not None and items[1].call.type == "missed"
        photo = items[3]
        assert [a.name for a in photo.attachments] == ["123456789.jpg"] and photo.attachments[0].available
        assert items[4].text == "José told me where you live\nhttps://example.com/map"
        assert items[5].flags == {"deleted"}


def test_fix_mojibake_leaves_real_text_alone() -> None:
    assert fix_mojibake("JosÃ©") == "José"
    assert fix_mojibake("José") == "José"  # é alone is not UTF-8 bytes
    assert fix_mojibake("Дэн") == "Дэн"


@pytest.mark.parametrize(
    ("fmt", "folder", "name", "incidents"),
    [("telegram", TG, "result.json", 4), ("messenger", META, "message_1.json", 5)],
)
def test_import_end_to_end(vault: Vault, fmt: str, folder: Path, name: str, incidents: int) -> None:
    listing = run_import(vault, ImportRequest(fmt, folder))
    assert listing.senders[0][0] == "Dan Marsh"
    req = ImportRequest(fmt, folder, sender="Dan Marsh", group_minutes=0)
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert dry.incidents_created == incidents and dry.exhibits_stored == 2
    report = run_import(vault, req)
    assert report.incidents_created == incidents and report.exhibits_stored == 2
    first = vault.get_incident(report.incident_ids[0])
    raw = vault.evidence.get(first.evidence[0])
    assert raw.filename == name
    assert raw.sha256 == hashlib.sha256((folder / name).read_bytes()).hexdigest()  # kept unchanged
    assert run_import(vault, req).already_imported
    again = run_import(vault, ImportRequest(fmt, folder / name, sender="Dan Marsh", group_minutes=0))
    assert again.already_imported
    assert vault.check().ok


def test_cli_and_wrong_format(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "messenger", str(META), "--sender", "Dan Marsh", "--json")
    assert r.code == 0, r.err
    r = run_cli(capsys, "import", "--format", "whatsapp", str(TG / "result.json"), "--sender", "Dan Marsh")
    assert r.code == 2 and "choose Telegram (--format telegram)" in r.err
    r = run_cli(capsys, "import", "--format", "telegram", str(META / "message_1.json"), "--sender", "x")
    assert r.code == 2 and "Messenger or Instagram" in r.err


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b'{"messages": [',
        b'{"messages": [{"sender_name": "x", "timestamp_ms": 1}',
        b'{"messages": [1, "two", null, [], {"timestamp_ms": "x"}]}',
        b'{"messages": [{"sender_name": "x", "timestamp_ms": 99999999999999999999}]}',
        b'{"messages": [{"sender_name": ["x"], "timestamp_ms": 1, "photos": [{"uri": "../../etc/passwd"}]}]}',
        b'{"participants": [], "messages": [{"sender_name": "x", "content": "'
        + b"a" * 100
        + b'\xff", "timestamp_ms": 1}]}',
        b'{"messages": [{"date_unixtime": "1", "from": {"a": 1}, "text": [1, {"text": 2}]}]}',
    ],
)
def test_hostile_json(data: bytes, tmp_path: Path) -> None:
    for parse in (parse_meta, parse_telegram):
        try:
            with parse(data, media_folder=tmp_path) as stream:
                for item in stream:
                    assert all(not a.available for a in item.attachments)
        except ImportFormatError:
            pass


def _peak_reading(megabytes: int) -> int:
    one = json.dumps({"sender_name": "Dan Marsh", "timestamp_ms": 1710273600000, "content": "x" * 4000})
    n = megabytes * 1024 * 1024 // (len(one) + 2)
    data = b'{"participants": [{"name": "Dan Marsh"}], "messages": [' + ", ".join([one] * n).encode() + b"]}"
    count, peak = items_and_peak(parse_meta, data)
    assert count == n
    return peak


def test_streamed_in_bounded_memory() -> None:
    """Read one message at a time: four times the file, not four times the memory."""
    small, big = _peak_reading(4), _peak_reading(16)
    assert big < small * 1.5
    assert big < 8 * 1024 * 1024


def test_sniffed_fixtures_still_recognised() -> None:
    from victim_log.importers.sniff import looks_like

    assert looks_like(fixture_bytes("telegram_chat/result.json"), "result.json") == "telegram"
    assert looks_like(fixture_bytes("meta_chat/message_1.json"), "message_1.json") == "meta"
