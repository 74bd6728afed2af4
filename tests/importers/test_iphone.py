"""iPhone Messages and call history (#19 formats): imessage-exporter .txt/.html, iMazing CSV,
and an unencrypted backup's sms.db and CallHistory.storedata."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log import casetime
from victim_log.importers import ImportFormatError
from victim_log.importers import ParsedItem
from victim_log.importers.imessage import parse_imessage
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.importers.smsdb import iphone_source
from victim_log.importers.smsdb import parse_iphone_backup
from victim_log.importers.sniff import looks_like
from victim_log.vault import Vault

from .iphone_fixtures import CALLS_ID
from .iphone_fixtures import SMS_ID
from .iphone_fixtures import write_backup
from .test_fuzz import mutate
from .util import TINY_JPEG
from .util import fixture

EXPORT = fixture("imessage_export")
TXT = EXPORT / "Dan Marsh.txt"
HTML = EXPORT / "Dan Marsh.html"
IMAZING = fixture("imazing_export") / "Messages - Dan Marsh.csv"
BACKUP = fixture("iphone_backup")


def _items(path: Path) -> list[ParsedItem]:
    with parse_imessage(path, media_folder=path.parent) as stream:
        return list(stream)


def test_imessage_exporter_txt() -> None:
    items = _items(TXT)
    assert len(items) == 10
    assert items[0].occurred_at == datetime(2024, 3, 30, 21, 15, 2)  # wall clock: placed on the case's
    assert items[-1].occurred_at == datetime(2024, 4, 1, 22, 2)
    assert (items[0].sender, items[0].text) == ("Dan Marsh", "Why are you ignoring me")
    assert items[1].direction == "out" and items[1].sender == "Me"
    photo = items[2]
    assert photo.sender_id == "+447700900123" and photo.flags == {"reactions"}
    assert photo.attachments[0].read() == TINY_JPEG
    assert items[3].flags == {"system"} and items[3].sender == ""  # a rename is nobody's message
    assert items[4].flags == {"edited"} and items[4].text.endswith("Edited 1 minute later: You'll see")
    assert items[5].flags == {"deleted"} and items[5].text == ""
    escaped = items[6]  # attachments/../secret.txt is never read
    assert [(a.name, a.available) for a in escaped.attachments] == [
        ("secret.txt", False),
        ("missing.heic", False),
    ]
    assert [i.text for i in items[7:9]] == ["Pick up the phone", "Answer me"]  # the reply once
    assert items[9].flags == {"deleted"} and items[9].sender == "Dan Marsh"  # "unsent a message!"


def test_imessage_exporter_html() -> None:
    items = _items(HTML)
    assert len(items) == 8
    assert items[0].occurred_at == datetime(2024, 3, 30, 21, 15, 2)
    assert items[-1].occurred_at == datetime(2024, 4, 1, 22, 2)
    assert [i.sender for i in items[:2]] == ["Dan Marsh", "Me"]  # the threaded reply read once
    assert items[2].text == "I know where you are & who you're with"
    assert items[2].attachments[0].read() == TINY_JPEG and "reactions" in items[2].flags
    assert items[3].flags == {"system"}
    assert (
        items[4].flags == {"edited"}
        and items[4].text == "You'll regret it\nEdited 1 minute later: You'll see"
    )
    assert items[5].flags == {"deleted"}
    assert items[6].text == "" and not any(a.available for a in items[6].attachments)


def test_imazing_csv_matches_by_number() -> None:
    with parse_imessage(IMAZING, media_folder=IMAZING.parent) as stream:
        items = list(stream)
        assert stream.stats.senders() == [("Dan Marsh (+447700900123, +447700900456)", 5)]
    assert len(items) == 7
    assert items[0].occurred_at == datetime(2024, 3, 30, 21, 15, 2)
    assert items[-1].occurred_at == datetime(2024, 4, 1, 22, 0) and items[-1].text == "Pick up\nthe phone"
    assert items[1].direction == "out" and items[1].sender == ""
    assert items[2].text == 'I know where you are, "love"' and items[2].attachments[0].read() == TINY_JPEG
    assert items[3].flags == {"edited"} and items[4].flags == {"deleted"}
    assert items[5].flags == {"system"} and items[5].direction == "unknown"
    assert not items[6].attachments[0].available  # ../../secret.txt: named, never read


def test_sms_db_times_are_utc_instants_and_files_come_from_the_backup() -> None:
    source, root = iphone_source("iphone-backup", BACKUP)
    assert source.name == SMS_ID and root == BACKUP
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    with parse_iphone_backup(source, backup_root=root) as stream:
        items = list(stream)
        assert [s.reason for s in stream.stats.skipped] == ["a tapback (reaction), not a message"]
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before  # never written
    assert len(items) == 10
    assert items[0].occurred_at == datetime(2016, 5, 1, 12, 0, tzinfo=UTC)  # seconds (before iOS 11)
    assert items[-1].occurred_at == datetime(2024, 4, 2, 9, 0, tzinfo=UTC)
    assert items[2].direction == "out" and items[2].recipients == ("+447700900123",)
    assert items[3].text == "I know where you are" and items[3].attachments[0].read() == TINY_JPEG
    assert items[4].flags == {"edited"} and items[5].flags == {"deleted"}
    assert items[6].flags == {"system"} and items[6].sender == ""
    assert items[7].text == "Pick up the phone"  # from attributedBody
    assert [a.available for a in items[8].attachments] == [False, False]  # ../ never looked up


def test_call_history() -> None:
    source, root = iphone_source("iphone-calls", BACKUP)
    with parse_iphone_backup(source, calls=True, backup_root=root) as stream:
        items = list(stream)
        assert stream.stats.senders() == [("+447700900123", 2), ("Dan Marsh (+447700900456)", 1)]
    assert [i.call.type for i in items if i.call] == ["missed", "incoming", "outgoing", "missed", "incoming"]
    assert items[0].occurred_at == datetime(2024, 3, 30, 23, 59, tzinfo=UTC)
    assert items[1].call is not None and items[1].call.duration_s == 95
    assert items[3].call is not None and items[3].call.withheld
    assert items[4].sender_id == "+447700900123"  # ZADDRESS as a blob


@pytest.mark.parametrize(
    ("fmt", "source", "sender", "incidents", "exhibits", "first"),
    [
        ("imessage", TXT, ("Dan Marsh", "+447700900123"), 8, 2, "2024-03-30T21:15:02+00:00"),
        ("imessage", HTML, ("Dan Marsh", "+447700900123"), 6, 2, "2024-03-30T21:15:02+00:00"),
        (
            "imessage",
            IMAZING,
            ("Dan Marsh (+447700900123, +447700900456)",),
            5,
            2,
            "2024-03-30T21:15:02+00:00",
        ),
        (
            "iphone-backup",
            BACKUP,
            ("+447700900123", "dan.marsh@example.com"),
            7,
            2,
            "2016-05-01T12:00:00+00:00",
        ),
        ("iphone-calls", BACKUP, ("07700 900123",), 2, 1, "2024-03-30T23:59:00+00:00"),
    ],
)
def test_import_end_to_end(
    vault: Vault, fmt: str, source: Path, sender: tuple[str, ...], incidents: int, exhibits: int, first: str
) -> None:
    req = ImportRequest(fmt, source, sender=sender[0], other_senders=sender[1:], group_minutes=0)
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert (dry.incidents_created, dry.exhibits_stored) == (incidents, exhibits)
    report = run_import(vault, req)
    assert (report.incidents_created, report.exhibits_stored) == (incidents, exhibits)
    made = [vault.get_incident(i) for i in report.incident_ids]
    assert made[0].data.occurred_start == first
    raw = vault.evidence.get(made[0].evidence[0])
    exhibit = iphone_source(fmt, source)[0]
    assert raw.sha256 == hashlib.sha256(exhibit.read_bytes()).hexdigest()  # kept unchanged
    assert run_import(vault, req).already_imported
    assert vault.check().ok


def test_bst_across_the_clock_change(tmp_path: Path) -> None:
    """08:05 on 31 March 2024 in London is BST: iMazing's local time and sms.db's 07:05 UTC agree."""
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    casetime.set_vault_zone(v, "Europe/London")
    try:
        csv_report = run_import(v, ImportRequest("imessage", IMAZING, sender="Dan Marsh", group_minutes=0))
        db_report = run_import(
            v, ImportRequest("iphone-backup", BACKUP, sender="+447700900123", group_minutes=0)
        )
        csv_times = [v.get_incident(i).data.occurred_start for i in csv_report.incident_ids]
        db_times = [v.get_incident(i).data.occurred_start for i in db_report.incident_ids]
        assert "2024-03-31T08:05:00+01:00" in csv_times and "2024-03-30T21:15:02+00:00" in csv_times
        assert "2024-03-31T07:05:00+00:00" in db_times
    finally:
        v.lock()


def test_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(
        capsys, "import", "--format", "iphone-backup", str(BACKUP), "--sender", "+447700900123", "--json"
    )
    assert r.code == 0, r.err
    r = run_cli(capsys, "import", "--format", "whatsapp", str(BACKUP / SMS_ID[:2] / SMS_ID), "--sender", "x")
    assert r.code == 2 and "--format iphone-backup" in r.err
    r = run_cli(
        capsys, "import", "--format", "iphone-calls", str(BACKUP / SMS_ID[:2] / SMS_ID), "--sender", "x"
    )
    assert r.code == 2 and "call history" in r.err
    r = run_cli(capsys, "import", "--format", "iphone-backup", str(TXT), "--sender", "x")
    assert r.code == 2 and "--format imessage" in r.err
    r = run_cli(capsys, "import", "--format", "imessage", str(EXPORT), "--sender", "x")
    assert r.code == 2 and "folder" in r.err


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00" * 100,
        b"Mar 30, 2024  9:15:02 PM\n",
        b"Mar 30, 2024  9:15:02 PM\nDan Marsh\n" + b"x" * (2 * 1024 * 1024) + b"\n",
        b"Feb 30, 2024  9:15:02 PM\nDan\nhi\n\nMar 1, 2024  9:15:02 PM\nDan\nattachments/../../../etc/passwd\n",
        "Mar 30, 2024  9:15:02 PM\nDän\nhé\n".encode("latin-1"),
        b'<div class="message"><span class="sender">x</span>' + b"<div>" * 20_000,
        b'<div class="message"><div class="received"><p><span class="timestamp">nope</span>'
        b'<span class="sender">x</span></p></div></div>',
        b"Chat Session,Message Date,Type,Text\nx,not a date,Incoming,hi\nx,2024-01-01 10:00:00,Incoming,"
        + b'"'
        + b"y" * 300_000
        + b'"\n',
        b"Chat Session,Message Date,Type,Text\n\xff\xfe,2024-13-40 99:99:99,Incoming,\x00",
    ],
)
def test_hostile_exports_only_raise_our_error(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_bytes(data)
    message = ""
    try:
        with parse_imessage(path, media_folder=tmp_path) as stream:
            for item in stream:
                assert all(not a.available for a in item.attachments)
    except ImportFormatError as exc:
        message = exc.message
    assert "\n" not in message


def _db(path: Path, script: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(script)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("script", "calls"),
    [
        ("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hi');", False),  # not sms.db
        ("CREATE TABLE t (x); CREATE VIEW message AS SELECT 1 AS ROWID;", False),  # a view, not a table
        (
            "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, date TEXT, text BLOB, handle_id TEXT, "
            "is_from_me TEXT, item_type TEXT, associated_message_type TEXT, date_edited TEXT);"
            "INSERT INTO message VALUES (1, 'soon', x'00ff', 'x', 'yes', 'no', 'z', 'w');"
            "INSERT INTO message VALUES (2, 99999999999999999999, 'hi', NULL, NULL, NULL, NULL, NULL);"
            "INSERT INTO message VALUES (3, 1e300, 'hi', NULL, NULL, NULL, NULL, NULL);",
            False,
        ),
        (
            "CREATE TABLE message (ROWID INTEGER PRIMARY KEY, date INTEGER, text TEXT, handle_id INTEGER);"
            "CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id BLOB);"
            "CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY, filename TEXT);"
            "CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER);"
            "INSERT INTO message VALUES (1, 700000000000000000, 'hi', 1);"
            "INSERT INTO handle VALUES (1, x'ff');"
            "INSERT INTO attachment VALUES (1, '~/Library/SMS/Attachments/../../../../etc/passwd');"
            "INSERT INTO message_attachment_join VALUES (1, 1);",
            False,
        ),
        (
            "CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, ZDATE TEXT, ZADDRESS INTEGER);"
            "INSERT INTO ZCALLRECORD VALUES (1, 'x', 5), (2, -1e20, NULL);",
            True,
        ),  # fmt: skip
    ],
)
def test_hostile_databases(tmp_path: Path, script: str, calls: bool) -> None:
    (tmp_path / "b").mkdir()
    path = _db(tmp_path / "b" / "sms.db", script)
    before = path.read_bytes()
    message = ""
    try:
        with parse_iphone_backup(path, calls=calls, backup_root=path.parent) as stream:
            for item in stream:
                assert all(not a.available for a in item.attachments)
    except ImportFormatError as exc:
        message = exc.message
    assert "\n" not in message
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["sms.db"]  # no journal or WAL left beside it


def test_truncated_and_non_database_files(tmp_path: Path) -> None:
    whole = (BACKUP / SMS_ID[:2] / SMS_ID).read_bytes()
    for n, data in enumerate([whole[:100], whole[: len(whole) // 2], b"SQLite format 3\x00" + b"\x00" * 50]):
        path = tmp_path / f"cut{n}.db"
        path.write_bytes(data)
        with pytest.raises(ImportFormatError), parse_iphone_backup(path) as stream:
            list(stream)


def test_a_copied_backup_folder_and_a_bare_sms_db(tmp_path: Path) -> None:
    root = write_backup(tmp_path / "backup")
    source, found_root = iphone_source("iphone-backup", root / SMS_ID[:2] / SMS_ID)
    assert found_root == root  # the file inside a backup still finds its photos
    bare = tmp_path / "sms.db"
    shutil.copy(source, bare)
    assert iphone_source("iphone-backup", bare) == (bare, None)
    with parse_iphone_backup(bare) as stream:
        photo = [i for i in stream if i.attachments][0]
        assert photo.attachments[0].name == "IMG_0001.jpeg" and not photo.attachments[0].available


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (IMAZING.read_bytes(), "x.csv", "imessage"),
        (b"Chat Session,Message ID,Message Date,Delivered Date\n", "x.csv", "imessage"),  # newer iMazing
        (HTML.read_bytes().replace(b"iMessage", b"SMS"), "x.html", "imessage"),  # SMS-only conversation
        (TXT.read_bytes(), "Dan Marsh.txt", "imessage"),
        ((BACKUP / SMS_ID[:2] / SMS_ID).read_bytes()[:4096], SMS_ID, "sqlite"),
    ],
)
def test_sniffed_as_iphone(head: bytes, name: str, kind: str) -> None:
    assert looks_like(head, name) == kind


def test_imazing_newer_columns_and_a_name_given_as_me(tmp_path: Path) -> None:
    path = tmp_path / "chat.csv"
    path.write_text(
        "Chat Session,Message ID,Message Date,Delivered Date,Read Date,Edited Date,Deleted Date,Service,Type,"
        "Sender ID,Sender Name,Status,Replying to,Subject,Text,Reactions,Attachment,Attachment type\n"
        "Group,42,2024-10-27 01:30:00,,,,,iMessage,Incoming,+447700900123,Dan Marsh,Read,,,twice,,,\n"
        "Group,43,2024-10-27 09:00:00,,,,,iMessage,Incoming,+447700900777,Sarah Jones,Read,,,hi,,,\n",
        encoding="utf-8",
    )
    with parse_imessage(path, me="Sarah Jones") as stream:
        items = list(stream)
    assert items[0].occurred_at == datetime(2024, 10, 27, 1, 30) and items[0].sender_id == "+447700900123"
    assert items[1].direction == "out" and items[1].sender == ""


CALLS_CSV = fixture("imazing_export") / "Calls.csv"


def test_imazing_call_history() -> None:
    with parse_iphone_backup(CALLS_CSV, calls=True) as stream:
        items = list(stream)
        assert stream.stats.senders() == [("Dan Marsh (+447700900123, +447700900456)", 4)]
    assert [i.call.type for i in items if i.call] == [
        "missed",
        "incoming",
        "outgoing",
        "missed",
        "incoming",
        "unknown",
    ]
    assert items[0].occurred_at == datetime(2024, 3, 30, 23, 59)  # the phone's clock: placed on the case's
    assert items[-1].occurred_at == datetime(2024, 4, 2, 8, 0) and "call_type:Cancelled" in items[-1].flags
    assert items[1].call is not None and items[1].call.duration_s == 95
    assert items[3].call is not None and items[3].call.withheld and items[3].sender == ""
    assert "service:FaceTime Audio" in items[4].flags
    assert items[2].direction == "out" and items[2].recipients == ("+447700900123",)


def test_imazing_call_history_end_to_end(vault: Vault) -> None:
    casetime.set_vault_zone(vault, "Europe/London")
    req = ImportRequest("iphone-calls", CALLS_CSV, sender="Dan Marsh", group_minutes=0)
    assert run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True})).incidents_created == 4
    report = run_import(vault, req)
    assert (report.incidents_created, report.exhibits_stored) == (4, 1)
    times = [vault.get_incident(i).data.occurred_start for i in report.incident_ids]
    assert times == [
        "2024-03-30T23:59:00+00:00",
        "2024-03-31T02:30:00+01:00",
        "2024-04-01T23:00:00+01:00",
        "2024-04-02T08:00:00+01:00",
    ]
    assert run_import(vault, req).already_imported
    assert looks_like(CALLS_CSV.read_bytes(), "Calls.csv") == "imazing-calls"


def test_html_line_breaks_and_stray_closing_tags() -> None:
    html = (
        b'<div class="message"><div class="received"><p><span class="timestamp">Mar 30, 2024  9:15:02 PM'
        b'</span></p></span></b><span class="sender">Dan Marsh</span></p><hr><div class="message_part">'
        b'<span class="bubble">two<br>lines</span></div></div></div>'
    )
    with parse_imessage(html) as stream:
        (item,) = list(stream)
    assert (item.sender, item.text) == ("Dan Marsh", "two\nlines")


def test_a_later_backup_adds_only_what_is_new(vault: Vault, tmp_path: Path) -> None:
    first = run_import(vault, ImportRequest("iphone-backup", BACKUP, sender="+447700900123", group_minutes=0))
    later = write_backup(tmp_path / "later")
    db = later / SMS_ID[:2] / SMS_ID
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO message (ROWID, guid, text, handle_id, service, date) VALUES (99, 'g99', 'Still here', 1, "
        "'iMessage', 740000000000000000)"
    )
    conn.commit()
    conn.close()
    again = run_import(vault, ImportRequest("iphone-backup", later, sender="+447700900123", group_minutes=0))
    assert first.incidents_created == 6 and again.incidents_created == 1
    assert again.duplicates_skipped == 6


def test_an_encrypted_backup_is_named_as_such(tmp_path: Path) -> None:
    root = tmp_path / "enc"
    (root / SMS_ID[:2]).mkdir(parents=True)
    (root / "Manifest.plist").write_bytes(b"bplist00")
    (root / SMS_ID[:2] / SMS_ID).write_bytes(bytes(range(256)) * 16)  # ciphertext, not SQLite
    source, found = iphone_source("iphone-backup", root)
    with pytest.raises(ImportFormatError, match="encrypted"):
        parse_iphone_backup(source, backup_root=found)


@pytest.mark.parametrize("name", ["txt", "html", "csv", "calls_csv", "sms_db", "calls_db"])
def test_mutation_fuzz(name: str, tmp_path: Path) -> None:
    """Fixed-seed mutations of each fixture: only our error, never a traceback, never a file
    outside the export read."""
    source = {
        "txt": TXT,
        "html": HTML,
        "csv": IMAZING,
        "calls_csv": CALLS_CSV,
        "sms_db": BACKUP / SMS_ID[:2] / SMS_ID,
        "calls_db": BACKUP / CALLS_ID[:2] / CALLS_ID,
    }[name]
    original = source.read_bytes()
    rng = random.Random(f"victim-log-iphone-{name}")
    for case in range(40):
        path = tmp_path / f"case{case}"
        path.write_bytes(mutate(rng, original))
        try:
            if name.endswith("_db") or name == "calls_csv":
                stream = parse_iphone_backup(path, calls=name.startswith("calls"))
            else:
                stream = parse_imessage(path, media_folder=source.parent)
            with stream:
                for item in stream:
                    for att in item.attachments:
                        if att.available:
                            assert att.read() == TINY_JPEG  # only the export's own photo
        except ImportFormatError:
            pass
