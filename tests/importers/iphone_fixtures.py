"""Builds the invented iPhone backup in ``fixtures/iphone_backup/`` (``sms.db``, call history, a photo).

Run ``python -m tests.importers.iphone_fixtures`` to write it again. The tables are a
subset of iOS 17's, with the columns the importer reads; the people are invented
(07700 900xxx numbers, example.com). Times straddle the clocks going forward on
31 March 2024 (01:00 UTC), so a test can see UTC instants shown in BST.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC
from datetime import datetime
from pathlib import Path

from .util import FIXTURES
from .util import TINY_JPEG

BACKUP = FIXTURES / "iphone_backup"
SMS_ID = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"
CALLS_ID = "5a4935c78a5255723f707230a451d79c540d2741"
PHOTO_PATH = "~/Library/SMS/Attachments/ab/11/4C1D-INVENTED/IMG_0001.jpeg"
_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)

SMS_SCHEMA = """
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT,
    service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER,
    chat_identifier TEXT, service_name TEXT, display_name TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT,
    handle_id INTEGER DEFAULT 0, subject TEXT, service TEXT, date INTEGER, date_read INTEGER,
    date_delivered INTEGER, is_from_me INTEGER DEFAULT 0, item_type INTEGER DEFAULT 0,
    associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0,
    cache_has_attachments INTEGER DEFAULT 0, attributedBody BLOB, date_edited INTEGER DEFAULT 0,
    date_retracted INTEGER DEFAULT 0);
CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, message_date INTEGER DEFAULT 0,
    PRIMARY KEY (chat_id, message_id));
CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER, UNIQUE(chat_id, handle_id));
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL,
    filename TEXT, mime_type TEXT, transfer_name TEXT, total_bytes INTEGER DEFAULT 0);
CREATE TABLE message_attachment_join (message_id INTEGER, attachment_id INTEGER,
    UNIQUE(message_id, attachment_id));
"""
CALLS_SCHEMA = """
CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER,
    ZCALLTYPE INTEGER, ZORIGINATED INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS VARCHAR,
    ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR);
"""


def apple_ns(y: int, mo: int, d: int, h: int, mi: int, s: int = 0) -> int:
    return int((datetime(y, mo, d, h, mi, s, tzinfo=UTC) - _EPOCH).total_seconds()) * 1_000_000_000


def apple_s(y: int, mo: int, d: int, h: int, mi: int, s: int = 0) -> float:
    return (datetime(y, mo, d, h, mi, s, tzinfo=UTC) - _EPOCH).total_seconds()


def typedstream(text: str) -> bytes:
    """A minimal NSAttributedString typedstream holding ``text`` (as iOS 16+ writes it)."""
    raw = text.encode()
    size = bytes([len(raw)]) if len(raw) < 0x80 else b"\x81" + len(raw).to_bytes(2, "little")
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84"
        b"\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+" + size + raw + b"\x86\x84\x02iI"
    )


def backup_file_id(domain_path: str) -> str:
    return hashlib.sha1(domain_path.encode()).hexdigest()  # noqa: S324 - Apple's naming


def write_sms_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SMS_SCHEMA)
    conn.executemany(
        "INSERT INTO handle (ROWID, id, service) VALUES (?, ?, ?)",
        [
            (1, "+447700900123", "iMessage"),
            (2, "dan.marsh@example.com", "iMessage"),
            (3, "+447700900999", "SMS"),
        ],
    )
    conn.executemany(
        "INSERT INTO chat (ROWID, guid, chat_identifier, service_name) VALUES (?, ?, ?, ?)",
        [(1, "iMessage;-;+447700900123", "+447700900123", "iMessage")],
    )
    rows = [
        # rowid, text, handle, service, date, from_me, item_type, assoc, body, edited, retracted
        (1, "Old message from 2016", 1, "SMS", int(apple_s(2016, 5, 1, 12, 0)), 0, 0, 0, None, 0, 0),
        (2, "Why are you ignoring me", 1, "iMessage", apple_ns(2024, 3, 30, 21, 15, 2), 0, 0, 0, None, 0, 0),
        (
            3,
            "Please stop messaging me",
            0,
            "iMessage",
            apple_ns(2024, 3, 30, 21, 16, 40),
            1,
            0,
            0,
            None,
            0,
            0,
        ),
        (4, "\ufffcI know where you are", 1, "iMessage", apple_ns(2024, 3, 31, 7, 5), 0, 0, 0, None, 0, 0),
        (
            5,
            "Disliked “I know where you are”",
            0,
            "iMessage",
            apple_ns(2024, 3, 31, 7, 6),
            1,
            0,
            2002,
            None,
            0,
            0,
        ),
        (
            6,
            "You'll see",
            1,
            "iMessage",
            apple_ns(2024, 3, 31, 7, 7),
            0,
            0,
            0,
            None,
            apple_ns(2024, 3, 31, 7, 8),
            0,
        ),
        (
            7,
            None,
            1,
            "iMessage",
            apple_ns(2024, 3, 31, 7, 9, 30),
            0,
            0,
            0,
            None,
            apple_ns(2024, 3, 31, 7, 10),
            1,
        ),
        (8, None, 1, "iMessage", apple_ns(2024, 3, 31, 7, 10), 0, 2, 0, None, 0, 0),
        (
            9,
            None,
            2,
            "iMessage",
            apple_ns(2024, 4, 1, 21, 0),
            0,
            0,
            0,
            typedstream("Pick up the phone"),
            0,
            0,
        ),
        (10, "Look at this", 1, "iMessage", apple_ns(2024, 4, 1, 21, 1), 0, 0, 0, None, 0, 0),
        (11, "Hi, it's Sam from the surgery", 3, "SMS", apple_ns(2024, 4, 2, 9, 0), 0, 0, 0, None, 0, 0),
    ]
    conn.executemany(
        "INSERT INTO message (ROWID, guid, text, handle_id, service, date, is_from_me, item_type, "
        "associated_message_type, attributedBody, date_edited, date_retracted) "
        "VALUES (?, 'guid-' || ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(r[0], r[0], *r[1:]) for r in rows],
    )
    conn.executemany(
        "INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, ?)", [(r[0],) for r in rows]
    )
    conn.executemany(
        "INSERT INTO attachment (ROWID, guid, filename, mime_type, transfer_name) VALUES (?, ?, ?, ?, ?)",
        [
            (1, "att-1", PHOTO_PATH, "image/jpeg", "IMG_0001.jpeg"),
            (
                2,
                "att-2",
                "~/Library/SMS/Attachments/../../../Library/SMS/sms.db",
                "image/jpeg",
                "escape.jpeg",
            ),
            (3, "att-3", "~/Library/SMS/Attachments/cd/12/NOT-IN-BACKUP/IMG_0002.heic", "image/heic", None),
        ],
    )
    conn.executemany(
        "INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)",
        [(4, 1), (10, 2), (10, 3)],
    )
    conn.commit()
    conn.close()


def write_calls_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(CALLS_SCHEMA)
    conn.executemany(
        "INSERT INTO ZCALLRECORD (Z_PK, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZADDRESS, ZNAME) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (1, 0, 1, 0, apple_s(2024, 3, 30, 23, 59), 0.0, "+447700900123", None),
            (2, 1, 1, 0, apple_s(2024, 3, 31, 1, 30), 95.5, "07700 900456", "Dan Marsh"),
            (3, 1, 1, 1, apple_s(2024, 3, 31, 9, 0), 10.0, "+447700900123", None),
            (4, 0, 1, 0, apple_s(2024, 3, 31, 9, 30), 0.0, "", None),
            (5, 1, 16, 0, apple_s(2024, 4, 1, 22, 0), 42.0, b"+447700900123", None),
        ],
    )
    conn.commit()
    conn.close()


def write_backup(root: Path = BACKUP) -> Path:
    for file_id in (SMS_ID, CALLS_ID):
        (root / file_id[:2]).mkdir(parents=True, exist_ok=True)
    write_sms_db(root / SMS_ID[:2] / SMS_ID)
    write_calls_db(root / CALLS_ID[:2] / CALLS_ID)
    photo = backup_file_id("MediaDomain-" + PHOTO_PATH[2:])
    (root / photo[:2]).mkdir(exist_ok=True)
    (root / photo[:2] / photo).write_bytes(TINY_JPEG)
    (root / "Manifest.db").write_bytes(b"")  # marks the folder as a backup; not read
    return root


if __name__ == "__main__":
    print(write_backup())
