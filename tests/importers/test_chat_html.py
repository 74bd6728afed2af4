"""Telegram Desktop and Meta HTML chat exports, and signal-export's HTML page (#19 HTML variants)."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.importers.util import items_and_peak
from victim_log import casetime
from victim_log.importers import ImportFormatError
from victim_log.importers.chat_html import parse_meta_any
from victim_log.importers.chat_html import parse_telegram_any
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.importers.sniff import looks_like
from victim_log.vault import Vault

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes

TG = fixture("telegram_html")
META = fixture("meta_html")
SIGNAL = fixture("signal_dan_marsh")
BST = timezone(timedelta(hours=1))
LONDON = casetime.zone_of("Europe/London")


def test_telegram_html() -> None:
    with parse_telegram_any(TG / "messages.html", media_folder=TG) as stream:
        items = list(stream)
        assert stream.format == "telegram-html"
        assert stream.stats.senders() == [("Dan Marsh", 6), ("Sarah Jones", 1)]
        assert [(s.ref, s.reason) for s in stream.stats.skipped] == [
            ("message 8", "missing or unreadable date")
        ]
    assert len(items) == 7  # the two date lines are not messages from anyone
    first, photo, reply, edited, forwarded, video, call = items
    assert (first.source_ref, first.occurred_at, first.sender, first.text) == (
        "message 1",
        datetime(2024, 3, 12, 20, 1, 5, tzinfo=UTC),
        "Dan Marsh",
        "Why are you ignoring me",
    )
    assert first.source_time == "12.03.2024 20:01:05 UTC+00:00"
    assert photo.sender == "Dan Marsh"  # a "joined" message: the sender above
    assert photo.text == "Look here\nI can see your window"
    assert [a.name for a in photo.attachments] == ["photo_1@12-03-2024_20-02-00.jpg"]  # not the thumbnail
    assert photo.attachments[0].read() == TINY_JPEG
    assert reply.sender == "Sarah Jones"
    assert edited.occurred_at == datetime(2024, 7, 1, 20, 30, tzinfo=BST)  # the exporting computer's BST
    assert edited.text == "No. You'll answer me & you know it"  # the reply header left out
    assert edited.flags == {"edited"}
    assert forwarded.sender == "Dan Marsh" and forwarded.flags == {"forwarded"}
    assert forwarded.text == "[forwarded from Amy Pond]\nShe was at the station at 9"
    assert [(a.name, a.available) for a in video.attachments] == [("Video file", False)]
    assert "attachment_missing" in video.flags
    assert call.kind == "phone_call" and call.call is not None and call.call.type == "missed"
    assert call.occurred_at == datetime(2024, 7, 1, 23, 58, tzinfo=BST)


def test_meta_html_newest_first() -> None:
    with parse_meta_any(META / "message_1.html", media_folder=META) as stream:
        items = list(stream)
        assert stream.format == "meta-html"
        assert stream.stats.senders() == [("Dan Marsh", 2), ("Sarah Jones", 1)]
        assert [s.ref for s in stream.stats.skipped] == ["message #5"]  # 30 February
    newest, reply, oldest = items
    assert newest.occurred_at == datetime(2024, 7, 1, 20, 30)  # wall-clock: no zone in the page
    assert newest.text == "I'm outside. Come down"
    assert [a.name for a in newest.attachments] == ["123456789.jpg"] and newest.attachments[0].available
    assert oldest.text == "Why won't you answer\nI saw you at the caf\u00e9"  # reactions left out
    assert oldest.occurred_at == datetime(2024, 3, 12, 20, 1, 5)
    assert reply.text == "Leave me alone"
    assert "never run" not in repr(items)


@pytest.fixture
def vault(london_vault: Vault) -> Vault:
    """Every import here runs on London's clock (the fixtures' times cross BST)."""
    return london_vault


@pytest.mark.parametrize(
    ("fmt", "folder", "name", "incidents", "first", "last"),
    [
        ("telegram", TG, "messages.html", 6, "2024-03-12T20:01:05+00:00", "2024-07-01T23:58:00+01:00"),
        ("messenger", META, "message_1.html", 2, "2024-03-12T20:01:05+00:00", "2024-07-01T20:30:00+01:00"),
    ],
)
def test_import_end_to_end(
    vault: Vault, fmt: str, folder: Path, name: str, incidents: int, first: str, last: str
) -> None:
    listing = run_import(vault, ImportRequest(fmt, folder))
    assert listing.senders[0] == ("Dan Marsh", incidents)
    req = ImportRequest(fmt, folder, sender="Dan Marsh", group_minutes=0)
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert dry.incidents_created == incidents and dry.exhibits_stored == 2  # the page and one photo
    report = run_import(vault, req)
    assert report.incidents_created == incidents and report.exhibits_stored == 2
    assert report.context_created == 1  # her "stop" / "leave me alone" kept as context
    made = [vault.get_incident(i) for i in report.incident_ids]
    assert made[0].data.occurred_start == first and made[-1].data.occurred_start == last  # oldest first
    assert casetime.short_text(last, LONDON).startswith(last[:10] + " " + last[11:16])
    raw = vault.evidence.get(made[0].evidence[0])
    assert raw.filename == name
    assert raw.sha256 == hashlib.sha256((folder / name).read_bytes()).hexdigest()  # kept unchanged
    assert any(len(m.evidence) == 2 for m in made)  # the photo linked
    assert run_import(vault, req).already_imported
    assert vault.check().ok


def test_signal_html_page_reads_its_chat_md(vault: Vault) -> None:
    report = run_import(vault, ImportRequest("signal", SIGNAL / "chat.html"))
    assert report.senders[0][0] == "Dan Marsh"
    done = run_import(vault, ImportRequest("signal", SIGNAL / "chat.html", sender="Dan Marsh"))
    raw = vault.evidence.get(vault.get_incident(done.incident_ids[0]).evidence[0])
    assert raw.filename == "chat.md"


def test_signal_html_without_chat_md(tmp_path: Path, vault: Vault) -> None:
    (tmp_path / "chat.html").write_bytes(fixture_bytes("signal_dan_marsh/chat.html"))
    with pytest.raises(ImportFormatError, match="chat.md it writes beside it"):
        run_import(vault, ImportRequest("signal", tmp_path / "chat.html"))


def test_several_pages_are_imported_one_by_one(tmp_path: Path, vault: Vault) -> None:
    (tmp_path / "messages.html").write_bytes(fixture_bytes("telegram_html/messages.html"))
    (tmp_path / "messages2.html").write_bytes(b"<html></html>")
    with pytest.raises(ImportFormatError, match="several files"):
        run_import(vault, ImportRequest("telegram", tmp_path))
    report = run_import(vault, ImportRequest("telegram", tmp_path / "messages.html"))
    assert report.messages_seen == 7


def test_sniffed_and_refused_as_other_formats(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert looks_like(fixture_bytes("telegram_html/messages.html"), "messages.html") == "telegram"
    assert looks_like(fixture_bytes("meta_html/message_1.html"), "message_1.html") == "meta"
    assert looks_like(fixture_bytes("signal_dan_marsh/chat.html"), "chat.html") == "signal"
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "whatsapp", str(TG / "messages.html"), "--sender", "x")
    assert r.code == 2 and "choose Telegram (--format telegram)" in r.err
    r = run_cli(capsys, "import", "--format", "telegram", str(META / "message_1.html"), "--sender", "x")
    assert r.code == 2 and "Messenger or Instagram" in r.err
    r = run_cli(capsys, "import", "--format", "messenger", str(META), "--sender", "Dan Marsh", "--json")
    assert r.code == 0, r.err


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html>",
        b'<html><div class="message default" id="message1">' + b"<div>" * 5000,
        b'<html><div class="message default">' + b"<a " * 20000,
        b'<html><div class="message default"><div class="date details" title="01.01.2024 10:00:00 UTC+99:99">'
        + b"<!--" * 3000,
        b'<html><div class="message default"><div class="text">' + b"x" * (3 * 1024 * 1024),
        b'<!DOCTYPE html><div class="message default"><div class="pull_right date details" title="01.01.2024 10:00:00">'
        b'</div><div class="from_name">A</div><a class="photo_wrap" href="../../../etc/passwd">x</a>'
        b'<a class="media_file" href="/etc/shadow">y</a><a class="photo_wrap" href="photos/\x00.jpg">z</a>',
        b'<html><div class="_a6-g"><div class="_a6-h">A</div><div class="_a6-p"><img src="../../etc/passwd">'
        b'</div><div class="_a6-o">Jan 1, 2024 13:00 pm</div></div><div class="_a6-g">\xff\xfe</div>',
        bytes(range(256)) * 64,
    ],
)
def test_hostile_html(data: bytes, tmp_path: Path) -> None:
    for parse in (parse_telegram_any, parse_meta_any):
        try:
            with parse(io.BytesIO(data), media_folder=tmp_path) as stream:
                for item in stream:
                    assert all(not a.available for a in item.attachments)
                    assert len(item.text) <= 2 * 1024 * 1024
        except ImportFormatError:
            pass


def test_old_telegram_export_without_offset_is_wall_clock() -> None:
    page = (
        fixture_bytes("telegram_html/messages.html").replace(b" UTC+01:00", b"").replace(b" UTC+00:00", b"")
    )
    items = list(parse_telegram_any(page))
    assert items[0].occurred_at == datetime(2024, 3, 12, 20, 1, 5)  # placed on the case's clock by the import


def _peak_reading(megabytes: int) -> int:
    one = (
        '<div class="pam _3-95 _2ph- _a6-g uiBoxWhite noborder"><div class="_3-95 _2pim _a6-h _a6-i">Dan Marsh'
        '</div><div class="_3-95 _a6-p"><div><div></div><div>' + "x" * 4000 + "</div></div></div>"
        '<div class="_3-94 _a6-o">Mar 12, 2024 8:01:05 pm</div></div>\n'
    )
    n = megabytes * 1024 * 1024 // len(one)
    data = ('<!DOCTYPE html><html><body><div class="_a706">' + one * n + "</div></body></html>").encode()
    count, peak = items_and_peak(parse_meta_any, data)
    assert count == n
    return peak


def test_html_streamed_in_bounded_memory() -> None:
    """A page is read a piece at a time: four times the page, not four times the memory."""
    small, big = _peak_reading(4), _peak_reading(16)
    assert big < small * 1.5
    assert big < 12 * 1024 * 1024
