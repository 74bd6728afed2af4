"""Outlook .msg emails (#19): read with extract-msg, kept unchanged, hostile files refused kindly."""

from __future__ import annotations

import hashlib
from datetime import UTC
from datetime import datetime

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log import casetime
from victim_log.importers import ImportFormatError
from victim_log.importers import outlook_msg
from victim_log.importers.outlook_msg import parse_mail
from victim_log.importers.outlook_msg import parse_msg
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.importers.sniff import looks_like
from victim_log.vault import Vault

from .msgfile import Attachment
from .msgfile import Msg
from .msgfile import build_msg
from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes

BST = fixture("outlook_bst.msg")
GMT = fixture("outlook_html_gmt.msg")


def test_summer_msg_fields_and_attachments() -> None:
    with parse_msg(BST, me=["Sarah.Jones@example.org"]) as stream:
        (item,) = list(stream)
    assert stream.format == "email-msg"
    assert (item.sender, item.sender_id) == ("Dan Marsh", "dan.marsh@example.com")
    assert item.recipients == ("sarah.jones@example.org", "amy.pond@example.org")
    assert item.direction == "in"
    assert item.subject == "I know where you were tonight"
    assert item.text == "You left the gym at 8.\nNice car park.\n"
    # The submit time is UTC: 19:30 UTC is 20:30 on a London clock in July.
    assert item.occurred_at == datetime(2024, 7, 1, 19, 30, tzinfo=UTC)
    assert casetime.short_text(item.occurred_at.isoformat(), casetime.zone_of("Europe/London")).startswith(
        "2024-07-01 20:30"
    )
    photo, pdf = item.attachments
    assert (photo.name, photo.content_type, photo.read()) == ("car park.jpg", "image/jpeg", TINY_JPEG)
    assert pdf.name == "../../notes\u202e.pdf"  # as written; shown safely, never used as a path
    assert pdf.read().startswith(b"%PDF")
    assert item.flags == frozenset()


def test_html_only_msg_with_headers() -> None:
    (item,) = parse_mail(GMT)
    assert item.source_ref == "email (Message-ID <winter-1@example.com>)"  # from the kept headers
    assert item.occurred_at == datetime(2024, 12, 2, 8, 15, 9, tzinfo=UTC)  # the header's Date, to the second
    assert item.source_time == "Mon, 02 Dec 2024 08:15:09 +0000"
    assert item.text == "Why won't you answer?\n[image]"
    assert "alert" not in item.text and "example.com/track" not in item.text
    assert item.flags == {"from_html"}
    assert item.attachments == ()


def test_eml_and_mbox_still_go_through_parse_mail() -> None:
    (item,) = parse_mail(fixture("email_plain.eml"))
    assert item.sender == "Dan Marsh"
    assert len(list(parse_mail(fixture("mailbox.mbox")))) == 3


@pytest.fixture
def vault(london_vault: Vault) -> Vault:
    """Every import here runs on London's clock (the fixtures' times cross BST)."""
    return london_vault


def test_import_end_to_end(vault: Vault) -> None:
    listing = run_import(vault, ImportRequest("email", BST))
    assert listing.senders == [("Dan Marsh", 1)]
    req = ImportRequest("email", BST, sender="dan.marsh@example.com", group_minutes=0)
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert (dry.incidents_created, dry.exhibits_stored) == (1, 3)
    report = run_import(vault, req)
    assert (report.incidents_created, report.exhibits_stored) == (1, 3)
    incident = vault.get_incident(report.incident_ids[0])
    assert incident.data.occurred_start == "2024-07-01T19:30:00+00:00"
    assert casetime.short_text(incident.data.occurred_start, casetime.zone_of("Europe/London")).startswith(
        "2024-07-01 20:30"
    )
    assert incident.data.summary == "Email from dan.marsh@example.com: I know where you were tonight"
    raw, photo, pdf = (vault.evidence.get(e) for e in incident.evidence)
    assert raw.filename == "outlook_bst.msg"
    assert raw.sha256 == hashlib.sha256(BST.read_bytes()).hexdigest()  # the .msg kept unchanged
    assert photo.sha256 == hashlib.sha256(TINY_JPEG).hexdigest()
    assert pdf.filename == "../../notes\u202e.pdf"
    assert run_import(vault, req).already_imported
    winter = run_import(vault, ImportRequest("email", GMT, sender="Dan Marsh"))
    assert winter.incidents_created == 1
    assert vault.get_incident(winter.incident_ids[0]).data.occurred_start == "2024-12-02T08:15:09+00:00"
    assert vault.check().ok


def test_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "whatsapp", str(BST), "--sender", "Dan Marsh")
    assert r.code == 2 and "an Outlook email (.msg)" in r.err and "--format email" in r.err
    r = run_cli(capsys, "import", "--format", "email", str(BST))
    assert r.code == 2 and "Dan Marsh" in r.out
    r = run_cli(capsys, "import", "--format", "email", str(BST), "--sender", "Dan Marsh", "--json")
    assert r.code == 0, r.err


def test_sniffed() -> None:
    assert looks_like(fixture_bytes("outlook_bst.msg"), "x.msg") == "outlook"
    assert looks_like(fixture_bytes("outlook_bst.msg"), "renamed") == "outlook"  # its own stream names
    assert looks_like(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "report.doc") == "office"


def _hostile() -> list[bytes]:
    good = fixture_bytes("outlook_bst.msg")
    odd_names = build_msg(
        Msg(
            subject="x",
            sender_name="Dan Marsh",
            sent=datetime(2024, 3, 31, 0, 59, 59, tzinfo=UTC),  # a second before the clocks go forward
            attachments=[
                Attachment("a\x00b.txt", b"1"),
                Attachment("\ud800".encode("utf-16-le", "surrogatepass") + b"\xff", b"2"),
                Attachment("", b"3"),
                Attachment("/etc/passwd", b"4"),
                Attachment("C:\\Windows\\evil.exe", b"5"),
            ],
        )
    )
    return [
        b"",
        b"not an OLE file at all",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        good[:512],
        good[: len(good) // 2],
        good[:-1000],
        good[:1000] + bytes(range(256)) * 4 + good[2024:],
        odd_names,
    ]


@pytest.mark.parametrize("data", _hostile())
def test_hostile_msg(data: bytes) -> None:
    try:
        with parse_msg(data) as stream:
            for item in stream:
                for att in item.attachments:
                    name = att.name
                    assert "\x00" not in name and not any("\ud800" <= c <= "\udfff" for c in name)
                    if att.available:
                        att.read()
    except ImportFormatError as exc:
        told = exc.message
    else:
        told = ""
    assert "Dan Marsh" not in told


def test_odd_attachment_names_kept_safely() -> None:
    data = _hostile()[-1]
    (item,) = parse_msg(data)
    assert item.occurred_at == datetime(2024, 3, 31, 0, 59, 59, tzinfo=UTC)
    names = [a.name for a in item.attachments]
    assert names[0] == "ab.txt"  # a NUL is dropped
    assert names[1] == "file"  # broken UTF-16: the short name
    assert names[2] == "attachment-3"  # no name at all
    assert names[3:] == ["/etc/passwd", "C:\\Windows\\evil.exe"]
    assert [a.read() for a in item.attachments] == [b"1", b"2", b"3", b"4", b"5"]


def test_too_large_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outlook_msg, "MAX_MSG_BYTES", 4096)
    big = build_msg(
        Msg(subject="x", sender_name="Dan Marsh", attachments=[Attachment("big.bin", b"\0" * 20_000)])
    )
    with pytest.raises(ImportFormatError, match="too large"):
        parse_msg(big)


def test_not_an_email_class_refused() -> None:
    appointment = build_msg(Msg(subject="x", message_class="IPM.Appointment"))
    (item,) = parse_msg(appointment)  # Outlook items of other classes are still read as their fields
    assert item.subject == "x"
    with pytest.raises(ImportFormatError, match="doesn't look like an Outlook email"):
        parse_msg(build_msg(Msg(subject="x", message_class="Something.Else")))


def test_attached_email_kept_as_its_own_msg() -> None:
    inner = Msg(
        subject="the one he forwarded",
        sender_name="Dan Marsh",
        sender_email="dan.marsh@example.com",
        sent=datetime(2024, 7, 1, 18, 0, tzinfo=UTC),
        body="I know your sister's address too",
    )
    outer = Msg(
        subject="Fwd",
        sender_name="Dan Marsh",
        sender_email="dan.marsh@example.com",
        sent=datetime(2024, 7, 1, 19, 0, tzinfo=UTC),
        body="see below",
        attachments=[Attachment("the one he forwarded", b"", embedded=inner)],
    )
    (item,) = parse_msg(build_msg(outer))
    (att,) = item.attachments
    assert (att.name, att.content_type) == ("the one he forwarded.msg", "application/vnd.ms-outlook")
    (again,) = parse_msg(att.read())  # the attached email is an Outlook email of its own
    assert again.subject == "the one he forwarded" and again.text == "I know your sister's address too"
    assert again.occurred_at == datetime(2024, 7, 1, 18, 0, tzinfo=UTC)
