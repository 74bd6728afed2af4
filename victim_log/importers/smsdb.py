"""An unencrypted iPhone backup's Messages (``sms.db``) and call history (``CallHistory.storedata``).

Finder or iTunes (or the free libimobiledevice ``idevicebackup2``) writes a backup
folder where each file is stored under the SHA-1 of its domain and path:
``3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28`` is ``HomeDomain-Library/SMS/sms.db``
and ``5a/5a4935c78a5255723f707230a451d79c540d2741`` is
``HomeDomain-Library/CallHistoryDB/CallHistory.storedata`` (older backups keep every
file in the folder itself). The person points at the backup folder or at the file.
The databases are read through :mod:`victim_log.store.iphone_backup` (read-only; the
file is never written, and it is kept unchanged as the exhibit).

``sms.db``: ``message`` (``date`` in nanoseconds since 2001-01-01 UTC, seconds before
iOS 11: an instant, shown on the case's clock), ``handle`` (the other person's number
or email address), ``chat``/``chat_message_join`` (who an outgoing message went to),
``attachment``/``message_attachment_join`` (the file's path on the phone, found in
the backup by the SHA-1 of ``MediaDomain-Library/SMS/Attachments/...``; a path that
leaves that folder is never looked up). ``item_type`` other than 0 is a conversation
notice (never from a person); ``associated_message_type`` 2000-3999 is a tapback
(reaction), not a message; ``date_edited`` marks an edited message and
``date_retracted`` (or an edit that left no text) an unsent one. Text missing from
``text`` is read from ``attributedBody`` (a typedstream) when it can be.

``CallHistory.storedata``: ``ZCALLRECORD`` (``ZDATE`` seconds since 2001 UTC,
``ZDURATION``, ``ZORIGINATED`` 1 for a call the phone made, ``ZANSWERED``,
``ZADDRESS`` the number, ``ZNAME`` a name when the phone had one).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from ..errors import BadInput
from ..store.iphone_backup import BackupDb
from ..textsafe import display_safe
from .imessage import IMAZING_CALLS_HEADER
from .imessage import parse_imazing_calls
from .records import CallInfo
from .records import CallType
from .records import Direction
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemKind
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .sniff import HEAD_BYTES
from .sniff import refuse_unless
from .whatsapp import MAX_MESSAGE_CHARS
from .whatsapp import MAX_SENDER_CHARS
from .whatsapp import file_attachment

__all__ = ["IPHONE_FORMATS", "apple_time", "iphone_source", "parse_iphone_backup"]

NOT_SMS_DB = "This database isn't an iPhone's Messages database (sms.db). Nothing was imported."
NOT_CALLS_DB = "This database isn't an iPhone's call history (CallHistory.storedata). Nothing was imported."
ENCRYPTED = (
    "This iPhone backup seems to be encrypted, so its messages and calls can't be read. Back the "
    'iPhone up again with "Encrypt local backup" off, or export with imessage-exporter or iMazing. '
    "Nothing was imported."
)
SMS_DB = "3d0d7e5fb2ce288813306e4d4636395e047a3d28"  # SHA-1 of HomeDomain-Library/SMS/sms.db
CALLS_DB = "5a4935c78a5255723f707230a451d79c540d2741"  # ... Library/CallHistoryDB/CallHistory.storedata
IPHONE_FORMATS = ("imessage", "iphone-backup", "iphone-calls")
_APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_ATTACHMENT_ROOTS = ("~/Library/SMS/Attachments/", "/var/mobile/Library/SMS/Attachments/")
_TAPBACKS = range(2000, 4000)


def apple_time(value: object) -> datetime | None:
    """An Apple timestamp (seconds, or nanoseconds since iOS 11, from 2001-01-01 UTC)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = value / 1e9 if abs(value) > 1e11 else float(value)
    try:
        return _APPLE_EPOCH + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        return None


def _in_backup(root: Path, file_id: str) -> Path | None:
    for path in (root / file_id[:2] / file_id, root / file_id):
        if path.is_file() and not path.is_symlink():
            return path
    return None


def iphone_source(fmt: str, given: Path) -> tuple[Path, Path | None]:
    """The file to read for ``fmt`` and the folder its files are in.

    iPhone Messages exports are one file (the folder holding it has its attachments);
    for a backup, a folder is the backup (its ``sms.db`` or ``CallHistory.storedata``
    is found by its hashed name) and a file is the database itself.
    """
    shown = display_safe(given.name or str(given), single_line=True)
    if fmt == "imessage":
        if given.is_dir():
            raise ImportFormatError(
                f"'{shown}' is a folder: choose one conversation's file in it (.txt, .html or .csv)."
            )
        return given, given.parent
    if given.is_dir():
        file_id = SMS_DB if fmt == "iphone-backup" else CALLS_DB
        found = _in_backup(given, file_id)
        if found is None:
            what = "Messages (sms.db)" if fmt == "iphone-backup" else "call history"
            raise ImportFormatError(
                f"'{shown}' doesn't look like an unencrypted iPhone backup holding its {what}: "
                "choose the backup's folder (the one with Manifest.db) or the database file."
            )
        return found, given
    parent = given.parent
    if parent.name == given.name[:2] and _is_backup(parent.parent):
        return given, parent.parent  # a file inside a backup: its attachments are there too
    if _is_backup(parent):
        return given, parent
    return given, None


def _is_backup(folder: Path) -> bool:
    """A Finder/iTunes backup folder (Manifest.db since iOS 10, Manifest.plist always)."""
    return any((folder / name).is_file() for name in ("Manifest.db", "Manifest.plist"))


def _attributed_text(blob: object) -> str:
    """The words of an ``attributedBody`` typedstream (NSAttributedString), or ""."""
    if not isinstance(blob, bytes):
        return ""
    start = blob.find(b"NSString")
    if start < 0:
        return ""
    plus = blob.find(b"+", start, start + 24)
    if plus < 0 or plus + 1 >= len(blob):
        return ""
    pos = plus + 1
    size = blob[pos]
    pos += 1
    if size == 0x81:
        size = int.from_bytes(blob[pos : pos + 2], "little")
        pos += 2
    elif size == 0x82:
        size = int.from_bytes(blob[pos : pos + 4], "little")
        pos += 4
    if size > MAX_MESSAGE_CHARS or pos + size > len(blob):
        return ""
    return blob[pos : pos + size].decode("utf-8", "replace")


class _Files:
    """An sms.db's attachments, looked up in the backup they came from."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def get(self, phone_path: str, sent_as: str, mime: str) -> ParsedAttachment:
        name = (sent_as or os.path.basename(phone_path) or "attachment")[:255]
        if self.root is None:
            return ParsedAttachment(name=name, content_type=mime or None)
        rel = next((phone_path[len(r) :] for r in _ATTACHMENT_ROOTS if phone_path.startswith(r)), None)
        if rel is None or not rel or any(p in ("", ".", "..") for p in rel.split("/")):
            return ParsedAttachment(name=name, content_type=mime or None)
        file_id = hashlib.sha1(  # noqa: S324 - Apple's backup naming, not security
            f"MediaDomain-Library/SMS/Attachments/{rel}".encode("utf-8", "surrogatepass")
        ).hexdigest()
        found = _in_backup(self.root, file_id)
        if found is None:
            return ParsedAttachment(name=name, content_type=mime or None)
        att = file_attachment(name, found)
        return ParsedAttachment(att.name, att.member, mime or None, att.size_hint, att.opener)


def _int(value: object) -> int:
    return value if type(value) is int else 0  # not a bool, a float or text a hostile file holds


def _record(
    ref: str,
    when: datetime,
    date: object,
    direction: Direction,
    address: str,
    name: str = "",
    *,
    kind: ItemKind = "message",
    text: str = "",
    call: CallInfo | None = None,
    attachments: tuple[ParsedAttachment, ...] = (),
    flags: frozenset[str] = frozenset(),
    subject: str | None = None,
) -> ParsedItem:
    """One row as a record: the other person is the sender of what came in and the
    recipient of what went out (the victim is never named); a notice names nobody."""
    sender, sender_id, recipients = "", None, tuple[str, ...]()
    if direction == "in":
        sender, sender_id = name or address, address or None
    elif direction == "out" and address:
        recipients = (address,)
    return ParsedItem(
        ref, when, sender, sender_id, direction, kind, text, call, attachments, flags, recipients, subject,
        str(date)[:40],
    )  # fmt: skip


def _message_items(db: BackupDb, files: _Files, stats: ImportStats) -> Iterator[ParsedItem]:
    handles = db.handles()
    chats = db.chat_of_messages()
    attachments = db.attachments()
    for row in db.messages():
        rowid, date, text, body, from_me, handle_id, service, item_type, assoc, edited, retracted = row[:11]
        subject = row[11]
        ref = f"message #{_int(rowid)}"
        when = apple_time(date)
        if when is None:
            stats.note_skip(ref, "missing or unreadable date")
            continue
        if _int(assoc) in _TAPBACKS:
            stats.note_skip(ref, "a tapback (reaction), not a message")
            continue
        words = text if isinstance(text, str) else _attributed_text(body)
        words = words.replace("\ufffc", "").strip()[:MAX_MESSAGE_CHARS]
        flags: set[str] = set()
        if _int(retracted) > 0 or (_int(edited) > 0 and not words):
            flags.add("deleted")
        elif _int(edited) > 0:
            flags.add("edited")
        found = tuple(files.get(*a) for a in attachments.get(_int(rowid), []))
        if any(not a.available for a in found):
            flags.add("attachment_missing")
        address = handles.get(_int(handle_id), "")[:MAX_SENDER_CHARS]
        direction: Direction = "out" if _int(from_me) else "in"
        if direction == "out":
            address = address or chats.get(_int(rowid), "")[:MAX_SENDER_CHARS]
        if _int(item_type) != 0:  # a notice: the group renamed, someone added or left
            direction, flags = "unknown", {"system"}
            words = words or "(a change to the conversation, such as its name or who is in it)"
        if isinstance(service, str) and service not in ("iMessage", "SMS"):
            flags.add(f"service:{service[:20]}")
        yield _record(
            ref,
            when,
            date,
            direction,
            address,
            text=words,
            attachments=found,
            flags=frozenset(flags),
            subject=subject[:400] if isinstance(subject, str) and subject else None,
        )


def _call_items(db: BackupDb, stats: ImportStats) -> Iterator[ParsedItem]:
    for pk, date, duration, originated, answered, address, _kind, name in db.calls():
        ref = f"call #{_int(pk)}"
        when = apple_time(date)
        if when is None:
            stats.note_skip(ref, "missing or unreadable date")
            continue
        if isinstance(address, bytes):
            address = address.decode("utf-8", "replace")
        number = (address if isinstance(address, str) else "").strip()[:MAX_SENDER_CHARS]
        contact = (name if isinstance(name, str) else "").strip()[:MAX_SENDER_CHARS]
        call_type: CallType
        direction: Direction
        if _int(originated):
            call_type, direction = "outgoing", "out"
        else:
            call_type, direction = ("incoming" if _int(answered) else "missed"), "in"
        withheld = not number
        seconds = int(duration) if isinstance(duration, int | float) and 0 < duration < 10**7 else None
        call = CallInfo(call_type, seconds, withheld, "withheld" if withheld else "allowed")
        flags = frozenset({"withheld"} if withheld else ())
        yield _record(ref, when, date, direction, number, contact, kind="phone_call", call=call, flags=flags)


def parse_iphone_backup(source: Path, *, calls: bool = False, backup_root: Path | None = None) -> ItemStream:
    """Read an iPhone backup's ``sms.db`` (or, with ``calls``, its ``CallHistory.storedata``).

    ``backup_root`` is the backup folder (where the attachments are); without it files
    are named but not linked. A file that is not that database fails here.
    """
    try:
        with open(source, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        raise ImportFormatError("We couldn't read this file. It may have been moved.") from None
    fmt = "iphone-calls" if calls else "iphone-backup"
    refuse_unless(fmt, head, source.name)
    not_this = NOT_CALLS_DB if calls else NOT_SMS_DB
    if calls and head.lstrip(b"\xef\xbb\xbf").startswith(IMAZING_CALLS_HEADER.encode()):
        return parse_imazing_calls(source)
    if backup_root is not None and head.strip() and not head.startswith(b"SQLite format 3\x00"):
        raise ImportFormatError(ENCRYPTED)
    if not head.startswith(b"SQLite format 3\x00"):
        raise ImportFormatError(not_this if head.strip() else "This file is empty.")
    try:
        db = BackupDb(source, ("ZCALLRECORD",) if calls else ("message",), not_this)
    except BadInput as exc:
        raise ImportFormatError(exc.message) from None
    if calls:
        return ItemStream("iphone-calls", lambda stats: _call_items(db, stats), db.close)
    files = _Files(backup_root)
    return ItemStream("iphone-sms-db", lambda stats: _message_items(db, files, stats), db.close)
