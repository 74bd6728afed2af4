"""iPhone Messages as people can export them without a Mac: imessage-exporter and iMazing.

**imessage-exporter** (the open-source tool, run on a computer holding an iPhone backup
or a Mac's Messages) writes one file per conversation, ``.txt`` or ``.html``, beside an
``attachments/`` folder when asked to copy files. What we read (reproduced in the
fixtures):

* ``.txt``: a message is a block: its time (``May 17, 2022  5:29:42 PM``, the
  exporting computer's clock, no zone: naive wall-clock time, placed on the case's
  clock), optionally `` (Read by you after ...)``; then the sender (``Me`` for the
  phone's owner, a contact name, a number or an email address); then its lines. A
  reply in a thread is the same block indented by four spaces (and written again at
  the top level: read once). A line holding a time *and* words is an announcement
  ("Dan Marsh renamed the conversation to ...", "... unsent a message!"): never a
  message from anyone, but an unsent message is recorded as such.
  Inside a block: ``Tapbacks:`` (older: ``Reactions:``) and ``Loved by ...`` lines
  (left out of the words, flagged), ``This message responded to an earlier message.``,
  ``This message was deleted from the conversation!``, ``They unsent this message
  part ...!`` (the message is marked deleted), an edit history (the first wording
  after its time, then ``Edited 1 minute later: ...``; the message is marked edited),
  and files as their path (``attachments/12/IMG_0001.jpeg`` relative to the export,
  or the phone's own path when not copied) or ``Attachment missing!``.
* ``.html``: the same, as ``<div class="message">`` with ``span.timestamp``,
  ``span.sender``, ``div.message_part`` (``span.bubble`` words, ``img``/``video``/
  ``audio`` sources and links to files), ``div.reactions``/``div.tapbacks``,
  ``span.reply_context``, ``span.unsent``, an edit history as a ``<table>``, and
  ``div.announcement`` lines.

**iMazing** ("Export to CSV" of a conversation): one row per message with a header
naming the columns (``Chat Session, [Message ID,] Message Date, Delivered Date, Read
Date, [Edited Date, Deleted Date,] Service, Type, Sender ID, Sender Name, Status,
Replying to, Subject, Text, [Reactions,] Attachment, Attachment type``); columns are
found by name, so each variant reads the same. ``Message Date`` is the phone's local
time (``2024-03-12 20:01:05``): naive, placed on the case's clock. ``Type`` is
``Incoming`` or ``Outgoing`` (anything else is a notice, never from a person). Files
iMazing saved are looked up by name beside the CSV.

Attachment paths come from the file: they are only ever looked up inside the export's
own folder (never ``..``, never a link), so an export cannot make us read anything else.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import os
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

from .jsonchats import _Files
from .numbers import normalise_number
from .records import CallInfo
from .records import CallType
from .records import Direction
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Source
from .sniff import HEAD_BYTES
from .sniff import refuse_unless
from .whatsapp import MAX_MESSAGE_CHARS
from .whatsapp import MAX_SENDER_CHARS
from .whatsapp import file_attachment
from .whatsapp import readable_lines

__all__ = ["IMAZING_CALLS_HEADER", "NOT_IMESSAGE", "parse_imazing_calls", "parse_imessage"]

NOT_IMESSAGE = (
    "This file doesn't look like an iPhone Messages export (imessage-exporter .txt or .html, or iMazing .csv)"
    "."
)
ME = "Me"
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
_TIME = r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) {1,2}(\d{1,2}):(\d{2}):(\d{2}) ?([AP]M)"
_HEADER = re.compile(rf"^( *){_TIME}(?: (.*))?$")
_READ_BY = re.compile(r"^\(Read by .{1,60} after .{1,80}\)$")
_EDITED = re.compile(r"^ *Edited .{1,80} later: ")
_UNSENT = re.compile(r"^.{1,200} unsent this message part(?: .{1,80} after sending)?!$")
_REACTION = re.compile(r"^(?:\S.{0,40} by .{1,200}|Sticker from .{1,300})$")
_REPLY_NOTE = "This message responded to an earlier message."
_DELETED_NOTE = "This message was deleted from the conversation!"
_MISSING = "Attachment missing!"
# A file's path as imessage-exporter writes it: copied (relative) or where it was (absolute).
_PATHLIKE = re.compile(
    r"^(?:attachments/|~/Library/|/(?:Users|var|private|home|Volumes|mnt|media)/|[A-Z]:\\)\S", re.I
)
MAX_ITEMS_KEPT_FOR_REPLIES = 1_000_000


def _time(m: re.Match[str], base: int = 1) -> datetime | None:
    mon, day, year, hh, mi, ss, ampm = m.groups()[base : base + 7]
    month = _MONTHS.get(mon)
    hour = int(hh)
    if month is None or not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if ampm == "PM" else 0)
    try:
        return datetime(int(year), month, int(day), hour, int(mi), int(ss))
    except ValueError:
        return None


class _Attachments:
    """Files of an imessage-exporter export, looked up inside its folder only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._root = os.path.realpath(folder) if folder is not None else ""
        self._by_name = _Files(folder / "attachments" if folder is not None else None)

    def get(self, written: str) -> ParsedAttachment:
        clean = written.strip().replace("\\", "/")
        name = os.path.basename(clean) or "attachment"
        if self.folder is None:
            return ParsedAttachment(name=name)
        parts = clean.split("/")
        if parts[0] == "attachments" and ".." not in parts and "" not in parts:
            candidate = Path(self._root, *parts)
            if (
                os.path.realpath(candidate).startswith(self._root + os.sep)
                and not candidate.is_symlink()
                and candidate.is_file()
            ):
                return file_attachment(name, candidate)
        return self._by_name.attachment(name)


@dataclass
class _Msg:
    """One message being read (a block of the .txt or a div of the .html)."""

    ref: str
    when: datetime | None
    stamp: str
    sender: str = ""
    lines: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    chars: int = 0
    order: int = 0
    nested: bool = False  # a reply shown inside its thread

    def add(self, line: str) -> bool:
        self.chars += len(line) + 1
        if self.chars > MAX_MESSAGE_CHARS:
            return False
        self.lines.append(line)
        return True


@functools.lru_cache(maxsize=4096)
def _is_address(sender: str) -> bool:
    """Whether an exporter wrote a number or an email address where it had no contact name."""
    return bool(sender) and (normalise_number(sender) is not None or "@" in sender)


def _item(m: _Msg, me: str | None) -> ParsedItem:
    text = "\n".join(m.lines).strip("\n")
    sender = m.sender[:MAX_SENDER_CHARS]
    mine = sender == ME or (me is not None and sender == me)
    sender_id = sender if _is_address(sender) else None
    flags = frozenset(m.flags)
    return ParsedItem(
        m.ref,
        m.when,
        sender,
        sender_id,
        "out" if mine else "in",
        "message",
        text,
        None,
        tuple(m.attachments),
        flags,
        (),
        None,
        m.stamp,
    )


def _announcement(ref: str, when: datetime | None, stamp: str, text: str) -> ParsedItem:
    """A conversation notice: never a message from anyone. "X unsent a message!" names
    who unsent one, recorded as a deleted message from them."""
    if text.endswith(" unsent a message!"):
        who = text.removesuffix(" unsent a message!")[:MAX_SENDER_CHARS]
        if who not in ("You", ME):
            sid = who if _is_address(who) else None
            return ParsedItem(
                ref, when, who, sid, "in", "message", "", flags=frozenset({"deleted"}), source_time=stamp
            )
    return ParsedItem(
        ref, when, "", None, "unknown", "message", text, flags=frozenset({"system"}), source_time=stamp
    )


class _Seen:
    """A reply is written in its thread and again at the top level (marked as a reply):
    the thread's copy is remembered, and the top-level copy left out. Only replies in
    threads are remembered, so memory does not grow with the conversation."""

    def __init__(self) -> None:
        self._keys: set[bytes] = set()

    @staticmethod
    def _key(item: ParsedItem) -> bytes:
        when = item.occurred_at.isoformat() if item.occurred_at else ""
        text = "\x1f".join((when, item.sender, item.text))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def first(self, item: ParsedItem, nested: bool = False) -> bool:
        if nested:
            if len(self._keys) < MAX_ITEMS_KEPT_FOR_REPLIES:
                self._keys.add(self._key(item))
            return True
        return "reply" not in item.flags or not self._keys or self._key(item) not in self._keys


# --------------------------------------------------------------------------- .txt


def _body_line(m: _Msg, line: str, files: _Attachments, state: dict[str, bool]) -> None:
    stripped = line.strip()
    if stripped in ("Tapbacks:", "Reactions:"):
        state["reactions"] = True
        m.flags.add("reactions")
        return
    if state.get("reactions"):
        if _REACTION.match(stripped):
            return
        state["reactions"] = False
    if stripped == _REPLY_NOTE:
        m.flags.add("reply")
        return
    if stripped == _DELETED_NOTE or _UNSENT.match(stripped):
        m.flags.add("deleted")
        return
    if stripped == _MISSING:
        m.attachments.append(ParsedAttachment(name="attachment"))
        m.flags.add("attachment_missing")
        return
    if _PATHLIKE.match(stripped):
        att = files.get(stripped)
        m.attachments.append(att)
        if not att.available:
            m.flags.add("attachment_missing")
        return
    if _EDITED.match(line):
        m.flags.add("edited")
    if not m.add(line):
        state["too_long"] = True


def _txt_items(src: Source, files: _Attachments, me: str | None, stats: ImportStats) -> Iterator[ParsedItem]:
    seen = _Seen()
    current: _Msg | None = None
    indent = ""
    want_sender = False
    state: dict[str, bool] = {}

    def finish(m: _Msg | None) -> Iterator[ParsedItem]:
        if m is None:
            return
        if state.get("too_long"):
            stats.note_skip(m.ref, "message too long; the rest was left out")
        item = _item(m, me)
        if seen.first(item, m.nested):
            yield item

    with src.open() as fp:
        for lineno, line, _repaired in readable_lines(fp, stats):
            h = _HEADER.match(line)
            if h is not None and len(h.group(1)) % 4 == 0:
                rest = (h.group(9) or "").strip()
                when = _time(h)
                stamp = line.strip()[: len(line.strip()) - len(rest)].strip() if rest else line.strip()
                if not rest or _READ_BY.match(rest):
                    yield from finish(current)
                    if when is None:
                        stats.note_skip(f"line {lineno}", "date or time that doesn't exist")
                        current = None
                        continue
                    current = _Msg(f"line {lineno}", when, stamp, nested=bool(h.group(1)))
                    indent, want_sender, state = h.group(1), True, {}
                    continue
                if current is not None and not want_sender and not current.lines:
                    current.flags.add("edited")  # an edit history starts with the first wording's time
                    current.add(rest)
                    continue
                yield from finish(current)
                current = None
                if when is None:
                    stats.note_skip(f"line {lineno}", "date or time that doesn't exist")
                    continue
                yield _announcement(f"line {lineno}", when, stamp, rest)
                continue
            if current is None:
                if line.strip():
                    stats.note_skip(f"line {lineno}", "text before the first message")
                continue
            body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
            if want_sender:
                if not body.strip():
                    continue
                current.sender = body.strip()
                want_sender = False
                continue
            _body_line(current, body, files, state)
    yield from finish(current)


# --------------------------------------------------------------------------- .html


class _HtmlReader(HTMLParser):
    """imessage-exporter's HTML, a message (and its thread replies) at a time."""

    _VOID = frozenset({"img", "hr", "br", "meta", "link", "input", "source", "wbr"})

    def __init__(self, files: _Attachments, me: str | None, stats: ImportStats) -> None:
        super().__init__(convert_charrefs=True)
        self.files, self.me, self.stats = files, me, stats
        self.stack: list[tuple[str, str]] = []  # (tag, role) of open elements we track
        self.open: list[_Msg] = []  # messages open, outermost first
        self.done: list[_Msg] = []  # messages finished while a parent is still open
        self.ready: list[tuple[ParsedItem, bool]] = []  # (item, a reply inside its thread)
        self.capture: str | None = None
        self.buf: list[str] = []
        self.announcement: list[str] | None = None
        self.ann_time: str = ""
        self.count = 0
        self.in_reactions = 0
        self.row: list[str] | None = None
        self.in_link = 0  # the words of a link to a file are its name, not the message

    def _role(self, tag: str, cls: str) -> str:
        classes = cls.split()
        if tag == "div" and classes[:1] == ["message"]:
            return "message"
        if tag == "div" and "announcement" in classes:
            return "announcement"
        if tag == "div" and ("reactions" in classes or "tapbacks" in classes):
            return "reactions"
        if tag == "div" and "message_part" in classes:
            return "part"
        if tag == "span" and classes[:1] in (["timestamp"], ["sender"], ["unsent"], ["reply_context"]):
            return classes[0]
        if tag == "table":
            return "edited"
        if tag == "tr":
            return "row"
        if tag == "a":
            return "link"
        return ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        role = self._role(tag, a.get("class", ""))
        msg = self.open[-1] if self.open else None
        if tag in ("img", "video", "audio", "source", "a") and msg is not None and not self.in_reactions:
            src = a.get("src") or a.get("href") or ""
            if src and not re.match(r"^[a-z][a-z0-9+.-]*:", src, re.I) and self._in_part():
                att = self.files.get(src)
                msg.attachments.append(att)
                if not att.available:
                    msg.flags.add("attachment_missing")
        if tag == "br" and msg is not None and self._in_part() and not self.in_reactions:
            msg.lines.append("")
        if tag in self._VOID:
            return
        self.stack.append((tag, role))
        if len(self.stack) > 10_000:
            raise ImportFormatError(NOT_IMESSAGE)
        if role == "message":
            self.count += 1
            self.open.append(
                _Msg(f"message #{self.count}", None, "", order=self.count, nested=bool(self.open))
            )
        elif role == "announcement":
            self.count += 1
            self.announcement, self.ann_time = [], ""
        elif role == "reactions":
            self.in_reactions += 1
            if msg is not None:
                msg.flags.add("reactions")
        elif role == "edited" and msg is not None:
            msg.flags.add("edited")
        elif role == "row" and msg is not None:
            self.row = []
        elif tag == "td" and self.row:
            self.row.append(": ")
        elif tag == "a" and msg is not None:
            self.in_link += 1
        elif role in ("timestamp", "sender", "unsent", "reply_context"):
            self.capture, self.buf = role, []

    def _in_part(self) -> bool:
        return any(r == "part" for _t, r in self.stack)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID or all(t != tag for t, _r in self.stack):
            return  # a stray closing tag closes nothing
        while self.stack:
            open_tag, role = self.stack.pop()
            self._close(role)
            if open_tag == tag:
                break

    def _close(self, role: str) -> None:
        msg = self.open[-1] if self.open else None
        if role in ("timestamp", "sender", "unsent", "reply_context") and self.capture == role:
            text = "".join(self.buf).strip()
            self.capture = None
            if self.announcement is not None and role == "timestamp":
                self.ann_time = text
            elif msg is not None and role == "timestamp" and not msg.stamp:
                msg.stamp = text
            elif msg is not None and role == "sender" and not msg.sender:
                msg.sender = text[:MAX_SENDER_CHARS]
            elif msg is not None and role == "unsent":
                msg.flags.add("deleted")
            elif msg is not None and role == "reply_context":
                msg.flags.add("reply")
        elif role == "reactions":
            self.in_reactions -= 1
        elif role == "link":
            self.in_link = max(0, self.in_link - 1)
        elif role == "row" and msg is not None and self.row is not None:
            line = re.sub(r"\s+", " ", "".join(self.row)).strip().removeprefix(": ")
            if line:
                msg.add(line)
            self.row = None
        elif role == "part" and msg is not None and "edited" not in msg.flags:
            if msg.lines and msg.lines[-1] != "":
                msg.lines.append("")
        elif role == "message" and msg is not None:
            self.open.pop()
            while msg.lines and msg.lines[-1] == "":
                msg.lines.pop()
            self.done.append(msg)
            if not self.open:
                self.done.sort(key=lambda m: m.order)
                for m in self.done:
                    self._emit(m)
                self.done = []
        elif role == "announcement" and self.announcement is not None:
            text = re.sub(r"\s+", " ", "".join(self.announcement)).strip()
            self.announcement = None
            found = re.match(_TIME, self.ann_time)
            when = _time(found, 0) if found else None
            ref = f"message #{self.count}"
            if when is None:
                self.stats.note_skip(ref, "date or time that doesn't exist")
            else:
                self.ready.append((_announcement(ref, when, self.ann_time, text), False))

    def _emit(self, m: _Msg) -> None:
        t = re.match(_TIME, m.stamp)
        m.when = _time(t, 0) if t else None
        if m.when is None:
            self.stats.note_skip(m.ref, "date or time that doesn't exist")
            return
        m.stamp = t.group(0) if t else m.stamp
        text = "\n".join(m.lines)
        if _DELETED_NOTE in text:
            m.flags.add("deleted")
            m.lines = [ln for ln in m.lines if ln.strip() != _DELETED_NOTE]
        self.ready.append((_item(m, self.me), m.nested))

    def handle_data(self, data: str) -> None:
        if self.capture is not None:
            (self.row if self.row is not None and self.capture == "timestamp" else self.buf).append(data)
            return
        if self.announcement is not None:
            self.announcement.append(data)
            return
        if self.in_reactions or self.in_link or not self.open:
            return
        if self.row is not None:
            self.row.append(data)
            return
        if self._in_part():
            msg = self.open[-1]
            pieces = data.split("\n")
            if not msg.lines:
                msg.lines.append("")
            msg.lines[-1] += pieces[0]
            for p in pieces[1:]:
                msg.lines.append(p)
            msg.chars += len(data)
            if msg.chars > MAX_MESSAGE_CHARS:
                raise ImportFormatError("A message in this file is too long to import.")


def _html_items(src: Source, files: _Attachments, me: str | None, stats: ImportStats) -> Iterator[ParsedItem]:
    seen = _Seen()
    reader = _HtmlReader(files, me, stats)
    with src.open() as fp:
        text = io.TextIOWrapper(fp, encoding="utf-8", errors="replace")
        try:
            while chunk := text.read(1 << 16):
                reader.feed(chunk)
                for item, nested in reader.ready:
                    if seen.first(item, nested):
                        yield item
                reader.ready = []
            reader.close()
        finally:
            text.detach()
    for item, nested in reader.ready:
        if seen.first(item, nested):
            yield item


# --------------------------------------------------------------------------- iMazing .csv

_CSV_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?")


def _csv_time(value: str) -> datetime | None:
    m = _CSV_DATE.match(value.strip())
    if m is None:
        return None
    try:
        return datetime(*(int(g or 0) for g in m.groups()))  # type: ignore[arg-type]
    except ValueError:
        return None


_Row = Callable[[list[str], dict[str, int], int], "ParsedItem | None | Literal[False]"]


def _csv_rows(
    src: Source, needed: tuple[str, ...], build: _Row, not_this: str, stats: ImportStats
) -> Iterator[ParsedItem]:
    """An iMazing CSV's rows as records: columns found by the header's names (every
    variant), a damaged or overlong row skipped and counted, one without a date too."""
    with src.open() as fp:
        text = io.TextIOWrapper(fp, encoding="utf-8-sig", errors="replace", newline="")
        try:
            reader = csv.reader(text)
            header = [h.strip() for h in next(reader, [])]
            col = {name: i for i, name in enumerate(header)}
            if any(name not in col for name in needed):
                raise ImportFormatError(not_this)
            row_no = 1
            while True:
                row_no += 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error:
                    stats.note_skip(f"row {row_no}", "line too long or damaged")
                    continue
                item = build(row, col, row_no)
                if item is None:
                    stats.note_skip(f"row {row_no}", "row without a usable date")
                elif item is not False:
                    yield item
        finally:
            text.detach()


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    i = col.get(name)
    return row[i] if i is not None and i < len(row) else ""


def _csv_item(
    row: list[str], col: dict[str, int], row_no: int, files: _Files, me: str | None
) -> ParsedItem | None | Literal[False]:
    def get(name: str) -> str:
        return _cell(row, col, name)

    if not any(cell.strip() for cell in row):
        return False
    when = _csv_time(get("Message Date"))
    if when is None:
        return None
    kind = get("Type").strip()
    text = get("Text")[:MAX_MESSAGE_CHARS]
    subject = get("Subject").strip() or None
    flags: set[str] = set()
    if get("Edited Date").strip():
        flags.add("edited")
    if get("Deleted Date").strip():
        flags.add("deleted")
    if get("Reactions").strip():
        flags.add("reactions")
    attachments: list[ParsedAttachment] = []
    written = get("Attachment").strip()
    if written:
        att = files.attachment(written)
        attachments.append(att)
        if not att.available:
            flags.add("attachment_missing")
    stamp = get("Message Date").strip()[:40]
    session = get("Chat Session").strip()[:MAX_SENDER_CHARS]
    sid = get("Sender ID").strip()[:MAX_SENDER_CHARS] or None
    sender = get("Sender Name").strip()[:MAX_SENDER_CHARS] or sid or session
    direction: Direction = "in"
    recipients: tuple[str, ...] = ()
    if kind == "Outgoing" or (kind == "Incoming" and me is not None and sender == me):
        sender, sid, direction, recipients = "", None, "out", (session,) if session else ()
    elif kind != "Incoming":  # a notice (a group renamed, someone left): never theirs
        sender, sid, direction, flags, attachments = "", None, "unknown", {"system"}, []
    return ParsedItem(
        f"row {row_no}",
        when,
        sender,
        sid,
        direction,
        "message",
        text,
        None,
        tuple(attachments),
        frozenset(flags),
        recipients,
        subject,
        stamp,
    )


# iMazing's call history CSV ("Call type,Date,Duration,Number,Contact,Location,Service"),
# as documented by open-source converters (no real export was at hand): Date is the
# phone's local time; Duration "0:01:35" or seconds; Service "Phone: +44...", "FaceTime
# Audio", "WhatsApp Video" ...
IMAZING_CALLS_HEADER = "Call type,Date,Duration,"
NOT_IMAZING_CALLS = "This file doesn't look like iMazing's call history (CSV)."
# Its "Call type" is our own word for the type, but "Declined" (rejected); the phone's
# owner placed only the outgoing calls.
_OUR_WORDS: tuple[CallType, ...] = ("incoming", "outgoing", "missed", "rejected", "blocked", "voicemail")
_CALL_WORDS: dict[str, CallType] = {t: t for t in _OUR_WORDS} | {"declined": "rejected"}


def _duration(value: str) -> int | None:
    parts = value.strip().split(":")
    if not 1 <= len(parts) <= 3 or not all(p.isascii() and p.isdigit() and len(p) <= 7 for p in parts):
        return None
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + int(p)
    return seconds or None


def _call_row(row: list[str], col: dict[str, int], row_no: int) -> ParsedItem | None | Literal[False]:
    if not any(cell.strip() for cell in row):
        return False
    when = _csv_time(_cell(row, col, "Date"))
    if when is None:
        return None
    raw = _cell(row, col, "Call type").strip()[:40]
    call_type = _CALL_WORDS.get(raw.casefold(), "unknown")
    direction: Direction = "out" if call_type == "outgoing" else "in"
    number = _cell(row, col, "Number").strip()[:MAX_SENDER_CHARS]
    contact = _cell(row, col, "Contact").strip()[:MAX_SENDER_CHARS]
    withheld = not number
    flags = {f"call_type:{raw}"} if call_type == "unknown" else set()
    service = _cell(row, col, "Service").split(":")[0].strip()[:40]
    if service and service != "Phone":
        flags.add(f"service:{service}")
    if withheld:
        flags.add("withheld")
    sender, sender_id, recipients = contact or number, number or None, tuple[str, ...]()
    if direction == "out":
        sender, sender_id, recipients = "", None, (number,) if number else ()
    return ParsedItem(
        f"row {row_no}",
        when,
        sender,
        sender_id,
        direction,
        "voicemail" if call_type == "voicemail" else "phone_call",
        "",
        CallInfo(
            call_type, _duration(_cell(row, col, "Duration")), withheld, "withheld" if withheld else "allowed"
        ),
        (),
        frozenset(flags),
        recipients,
        None,
        _cell(row, col, "Date").strip()[:40],
    )


def parse_imazing_calls(source: object) -> ItemStream:
    """iMazing's call history CSV (local times, placed on the case's clock)."""
    src = Source(source)
    head = src.head(HEAD_BYTES).decode("utf-8", "replace").lstrip("\ufeff")
    if not head.startswith(IMAZING_CALLS_HEADER):
        raise ImportFormatError(NOT_IMAZING_CALLS if head.strip() else "This file is empty.")
    needed = ("Call type", "Date")
    return ItemStream(
        "imazing-calls", lambda stats: _csv_rows(src, needed, _call_row, NOT_IMAZING_CALLS, stats)
    )


# --------------------------------------------------------------------------- entry point


def parse_imessage(source: object, *, me: str | None = None, media_folder: Path | None = None) -> ItemStream:
    """Read an iPhone Messages export: imessage-exporter ``.txt``/``.html`` or iMazing ``.csv``.

    ``media_folder`` is the folder the export is in (imessage-exporter's
    ``attachments/`` is below it; iMazing's files beside it). A file that is none of
    these fails here (:data:`NOT_IMESSAGE`, or a message naming what it looks like).
    """
    src = Source(source)
    head = src.head(HEAD_BYTES)
    name = os.path.basename(src.path or "")
    if b"\x00" in head[:4096]:
        refuse_unless("imessage", head, name)
        raise ImportFormatError(NOT_IMESSAGE)
    if not head.strip():
        raise ImportFormatError("This file is empty.")
    refuse_unless("imessage", head, name)
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if first.startswith("Chat Session,"):
        files_by_name = _Files(media_folder)
        return ItemStream(
            "imazing-csv",
            lambda stats: _csv_rows(
                src,
                ("Message Date", "Type", "Text"),
                lambda row, col, n: _csv_item(row, col, n, files_by_name, me),
                NOT_IMESSAGE,
                stats,
            ),
        )
    files = _Attachments(media_folder)
    if 'class="message"' in text or 'class ="announcement"' in text:
        return ItemStream("imessage-html", lambda stats: _html_items(src, files, me, stats))
    if _HEADER.match(first) and _time(_HEADER.match(first)) is not None:  # type: ignore[arg-type]
        return ItemStream("imessage-txt", lambda stats: _txt_items(src, files, me, stats))
    raise ImportFormatError(NOT_IMESSAGE)
