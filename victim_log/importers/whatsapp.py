"""WhatsApp "Export chat" files: Android ``.txt`` and the iOS/Android ``.zip``.

The format is not documented and varies by phone, locale and app version; what we
read (all seen in real exports, reproduced in the fixtures):

* Android: ``01/03/2024, 20:11 - Dan Marsh: text`` (also ``3/1/24, 8:11\u202fPM - ...``,
  dots or dashes in the date, 2- or 4-digit years, year-first dates);
* iOS: ``[01/03/2024, 20:11:05] Dan Marsh: text``, often led by U+200E;
* continuation lines (no timestamp) belong to the message above;
* media: ``IMG-20240301-WA0003.jpg (file attached)`` (Android),
  ``<attached: 00000012-PHOTO-2024-03-01-20-11-05.jpg>`` (iOS), ``<Media omitted>``,
  ``image omitted``; deleted messages; ``<This message was edited>``; iOS
  "Missed voice call" lines (returned as calls);
* system lines (encryption notice, number changes, group events) have no sender;
* phones sprinkle U+200E/U+200F and wrap numbers in U+202A..U+202C: removed from
  the header and sender, kept inside message text except the leading marker.

Dates are written without a zone and in the phone's locale order. We read the whole
file once first: any first field above 12 means day-first, any second field above 12
means month-first; if nothing decides it we raise :class:`AmbiguousDateOrder` rather
than guess (a wrong guess moves incidents by months). Two-digit years are 20yy.
Times are returned as naive local datetimes, exactly as written.

Known gaps: only English system phrases are recognised (other languages' system
lines come through as ordinary messages from the chat name on iOS, or as system
lines on Android when they have no "Name:" part); UTF-16 exports are refused.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import re
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from typing import Literal

from ..errors import NotABundle
from ..safezip import LENIENT
from ..safezip import DamagedMember
from ..safezip import SafeZip
from ..safezip import ZipLimits
from ..safezip import is_zip
from .records import NOT_READABLE
from .records import AmbiguousDateOrder
from .records import CallInfo
from .records import Direction
from .records import ImportFormatError
from .records import ImportReadError
from .records import ImportStats
from .records import ItemKind
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Source
from .records import read_exactly
from .sniff import HEAD_BYTES
from .sniff import refuse_unless
from .whatsapp_phrases import ATTACHED_SUFFIX
from .whatsapp_phrases import DELETED
from .whatsapp_phrases import DELETED_BY_ME
from .whatsapp_phrases import EDITED
from .whatsapp_phrases import MEDIA_OMITTED
from .whatsapp_phrases import OMITTED_KIND
from .whatsapp_phrases import is_system_text

__all__ = [
    "DateOrder",
    "file_attachment",
    "find_chat_in_folder",
    "folder_files",
    "iter_lines",
    "parse_whatsapp",
    "readable_lines",
]

DateOrder = Literal["dmy", "mdy"]
#: The two ways phones write a chat: Android ("12/03/2024, 20:01 - ") and iOS ("[12/03/2024, 20:01:05] ").
_Layout = Literal["android", "ios"]

NOT_WHATSAPP = "This file doesn't look like a WhatsApp chat export."
MAX_LINE_BYTES = 1024 * 1024  # WhatsApp caps messages at 65,536 characters
MAX_MESSAGE_CHARS = 4 * 1024 * 1024
MAX_SENDER_CHARS = 200
MAX_CHAT_MEMBER_BYTES = 1024 * 1024 * 1024

# Invisible marks phones put around dates, names and numbers.
_MARKS = "\ufeff\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_MARKS_RE = re.compile(f"[{_MARKS}]+")
_LEADING_MARKS = re.compile(f"^[{_MARKS}]+")
_HAS_MARK = _MARKS_RE.search
# A header starts with a date, "[" (iOS) or an invisible mark: anything else is
# a continuation line, told apart without running the header patterns.
# Arabic-Indic and Persian digits start Arabic, Urdu and Persian exports' headers.
_HEADER_FIRST = frozenset(
    "0123456789[" + _MARKS + "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
)

# Python's \d matches any decimal digit (Arabic-Indic too) and int() reads them.
_DATE = r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})\.?"
# AM/PM as "PM", "p.m.", "p. m." or the Arabic "ص"/"م" (morning/evening).
_TIME = r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*(?:([AaPp])\.?\s?[Mm]\.?|([\u0635\u0645])))?"
# Between date and time: a comma (also the Arabic one) and/or a word some locales
# write ("klo" in Finnish, "à" in French, "um" in German, "a las" in Spanish, ...).
_SEP = r"[,\u060c]?\s(?:(?:klo|kl\.|à|um|om|alle|a las|às|в|o)\s)?"
_HEADERS: dict[_Layout, re.Pattern[str]] = {
    "android": re.compile(rf"{_DATE}{_SEP}{_TIME}\s[-\u2013]\s"),
    "ios": re.compile(rf"\[{_DATE}{_SEP}{_TIME}\] ?"),
}

_PHONE_RE = re.compile(r"\+?[0-9][0-9 ()\-]{5,}[0-9]")
# "NAME (file attached)" in the phone's language (Android), and "<attached: NAME>"
# (iOS, also translated: "<angehängt: NAME>"), possibly after an iPhone document's
# description ("letter.pdf • 2 pages <attached: 00000015-letter.pdf>").
_ANDROID_ATTACHED = re.compile(r"(.+?\S) \(([^()]{3,40})\)")
_IOS_ATTACHED = re.compile(r"(?:(.*?)\s*)?<([^<>:]{2,30}):\s?([^<>]+)>")
_ANDROID_ATTACHED_WORDS = frozenset(w.casefold() for w in ATTACHED_SUFFIX)
# WhatsApp's own media file names: IMG-20240301-WA0003.jpg, PTT-..., 00000012-PHOTO-...
_WA_MEDIA_NAME = re.compile(
    r"(?:(?:IMG|VID|AUD|PTT|DOC|STK)-\d{8}-WA\d{3,}|\d{8}-(?:PHOTO|VIDEO|AUDIO|STICKER|GIF|[A-Za-z]+)-).*"
)
# The last word of each "image omitted" phrase (as written and capitalised): one set
# lookup before the phrases; the deletion notices as written (no casefold per message).
_OMITTED_ENDS = frozenset(
    w for p in OMITTED_KIND for last in (p.rsplit(" ", 1)[-1],) for w in (last, last.title())
)
_BY_ME_ANY = frozenset(w for p in DELETED_BY_ME for w in (p, p.capitalize()))
_DELETED_ANY = _BY_ME_ANY | frozenset(w for p in DELETED for w in (p, p.capitalize()))
_NO_FLAGS: frozenset[str] = frozenset()
_MISSED_CALL = re.compile(r"(?:Missed|Silenced) (?:group )?(?:voice|video) call\b.*", re.DOTALL)

# Android system lines that can contain ": " inside quoted, user-chosen text.
_ANDROID_SYSTEM_WITH_COLON = re.compile(
    r".+ changed (?:the subject (?:from|to) |the group description|this group's)"
)


@dataclass(slots=True)
class _Header:
    fmt: _Layout
    fields: tuple[str, str, str]
    hour: int
    minute: int
    second: int
    ampm: str | None
    rest: str  # the raw line after the header (sender and text), marks included
    stamp: str = ""  # the date and time exactly as the line writes them


def _strip_marks(text: str) -> str:
    # isascii is a flag check; translate with a table walks every character in Python.
    return text if text.isascii() else _MARKS_RE.sub("", text)


def _header_match(line: str) -> tuple[_Layout, re.Match[str], str] | None:
    """The timestamp pattern's match on ``line`` without its invisible marks, if any."""
    if line[:1] not in _HEADER_FIRST:
        return None
    clean = line if line.isascii() or not _HAS_MARK(line) else _strip_marks(line)
    # iOS headers start with "[", Android ones with a digit: one pattern to try.
    fmt: _Layout = "ios" if clean[:1] == "[" else "android"
    m = _HEADERS[fmt].match(clean)
    return None if m is None else (fmt, m, clean)


def _match_header(line: str) -> _Header | None:
    """Parse the timestamp prefix of a line, tolerating invisible marks anywhere in it."""
    found = _header_match(line)
    if found is None:
        return None
    fmt, m, clean = found
    end = m.end()
    if clean is not line:
        # Map the end of the header in the clean line back to the raw line.
        seen = 0
        raw_end = len(line)
        for i, ch in enumerate(line):
            if seen == end:
                raw_end = i
                break
            if ch not in _MARKS:
                seen += 1
        rest = line[raw_end:]
    else:
        rest = line[end:]
    a, b, c, hh, mm, ss, ampm, arabic = m.groups()
    if arabic is not None:
        ampm = "p" if arabic == "\u0645" else "a"
    stamp = m.group(0).strip().lstrip("[").rstrip("]-\u2013 ")
    return _Header(fmt, (a, b, c), int(hh), int(mm), int(ss or 0), ampm, rest, stamp)


def _order_evidence(a: str, b: str) -> DateOrder | None:
    if len(a) > 2:
        return None  # year first: no ambiguity
    if int(a) > 12:
        return "dmy"
    if int(b) > 12:
        return "mdy"
    return None


def _to_datetime(h: _Header, order: DateOrder) -> datetime:
    """The header's wall-clock time; ValueError if it is not a real date/time."""
    a, b, c = h.fields
    if len(a) == 4:
        if len(c) > 2:
            raise ValueError("bad date")
        year, month, day = int(a), int(b), int(c)
    else:
        if len(a) > 2 or len(c) not in (2, 4):
            raise ValueError("bad date")
        year = int(c) + (2000 if len(c) == 2 else 0)
        day, month = (int(a), int(b)) if order == "dmy" else (int(b), int(a))
    hour = h.hour
    if h.ampm is not None:
        if not 1 <= hour <= 12:
            raise ValueError("bad hour")
        hour = hour % 12 + (12 if h.ampm in "Pp" else 0)
    return datetime(year, month, day, hour, h.minute, h.second)


def iter_lines(fp: BinaryIO) -> Iterator[tuple[int, str | None, bool]]:
    """(line number, text or None if overlong, whether bad UTF-8 was replaced)."""
    lineno = 0
    while True:
        raw = fp.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        lineno += 1
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while True:  # skip the rest of the overlong line without keeping it
                more = fp.readline(MAX_LINE_BYTES)
                if not more or more.endswith(b"\n"):
                    break
            yield lineno, None, False
            continue
        raw = raw.rstrip(b"\n")
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            yield lineno, raw.decode("utf-8"), False
        except UnicodeDecodeError:
            yield lineno, raw.decode("utf-8", "replace"), True


def readable_lines(fp: BinaryIO, stats: ImportStats) -> Iterator[tuple[int, str, bool]]:
    """:func:`iter_lines` as a chat parser reads it: an overlong line is noted as
    skipped ("line too long") and left out, so every line yielded has its text."""
    for lineno, line, repaired in iter_lines(fp):
        if line is None:
            stats.note_skip(f"line {lineno}", "line too long")
        else:
            yield lineno, line, repaired


@dataclass
class _Scan:
    fmt: str
    settled: DateOrder | None  # the order the first telling date showed, if any did
    ambiguous_lines: int


def _scan(open_chat: Callable[[], ContextManager[BinaryIO]]) -> _Scan:
    """First pass: is this a chat at all, which layout, which date order.

    It stops at the first date that settles the order (usually within the first days
    of a chat); a later date that says otherwise is caught while the messages are
    read (see ``_items``). Only a chat whose dates never settle it is read to the end.
    """
    settled: DateOrder | None = None
    counts = {"android": 0, "ios": 0}
    ambiguous = 0
    seen_text = False
    with open_chat() as fp:
        head = fp.read(4096)
    if b"\x00" in head or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFormatError(NOT_WHATSAPP)
    with open_chat() as fp:
        for _lineno, line, _bad in iter_lines(fp):
            if line is None:
                if not seen_text:
                    raise ImportFormatError(NOT_WHATSAPP)
                continue
            found = _header_match(line)
            if found is None:
                if not seen_text and line.strip(_MARKS + " \t"):
                    raise ImportFormatError(NOT_WHATSAPP)
                continue
            seen_text = True
            fmt, m, _clean = found
            counts[fmt] += 1
            a, b = m.group(1, 2)
            settled = _order_evidence(a, b)
            if settled is not None:
                break
            if len(a) <= 2:
                ambiguous += 1
    if not seen_text:
        raise ImportFormatError("This file is empty." if not head.strip() else NOT_WHATSAPP)
    fmt = "ios" if counts["ios"] > counts["android"] else "android"
    return _Scan(fmt, settled, ambiguous)


MIXED_ORDERS = "This chat mixes day-first and month-first dates, so we can't read its dates safely."


def _resolve_order(scan: _Scan, date_order: DateOrder | None) -> DateOrder:
    if date_order is not None:
        if date_order not in ("dmy", "mdy"):
            raise ImportFormatError("The date order must be day-first or month-first.")
        if scan.settled is not None and date_order != scan.settled:
            raise ImportFormatError("The dates in this chat don't match the chosen date order.")
        return date_order
    if scan.settled is not None:
        return scan.settled
    if scan.ambiguous_lines == 0:
        return "dmy"  # only year-first dates: the order does not matter
    raise AmbiguousDateOrder(
        "We can't tell whether the dates in this chat are day-first or month-first. "
        "Please choose the date order."
    )


@dataclass
class _Pending:
    lineno: int
    when: datetime
    header: _Header
    lines: list[str] = field(default_factory=list)
    chars: int = 0
    truncated: bool = False
    repaired: bool = False


class _Media:
    """Looks up files named in the chat among the zip's members or the folder's files."""

    def __init__(self, zf: SafeZip | None, folder: Path | None = None) -> None:
        self._zf = zf
        self._by_base: dict[str, str] = {}
        self._folder: dict[str, Path] = {}
        if folder is not None:
            self._folder = folder_files(folder)
        if zf is not None:
            for m in zf.members:
                if not m.is_dir:
                    base = posixpath.basename(m.name.replace("\\", "/"))
                    # Prefer a member at the top level when two share a base name.
                    if base not in self._by_base or "/" not in m.name:
                        self._by_base[base] = m.name

    def has(self, name: str) -> bool:
        return name in self._by_base or name in self._folder

    def attachment(self, name: str) -> ParsedAttachment:
        path = self._folder.get(name)
        if path is not None:
            return file_attachment(name, path)
        zf = self._zf
        member = self._by_base.get(name)
        if zf is None or member is None:
            return ParsedAttachment(name=name)
        info = zf.get(member)
        size = info.size if info is not None else None

        def opener(zf: SafeZip = zf, member: str = member) -> Iterator[bytes]:
            return _zip_chunks(zf, member)

        return ParsedAttachment(name=name, member=member, size_hint=size, opener=opener)


def folder_files(folder: Path) -> dict[str, Path]:
    """The regular files directly in ``folder`` by name (links and sub-folders skipped)."""
    found: dict[str, Path] = {}
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_file(follow_symlinks=False):
                    found[entry.name] = Path(entry.path)
    except OSError:
        raise ImportReadError(NOT_READABLE) from None
    return found


def file_attachment(name: str, path: Path) -> ParsedAttachment:
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None

    def opener(path: Path = path) -> Iterator[bytes]:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk

    return ParsedAttachment(name=name, member=name, size_hint=size, opener=opener)


def find_chat_in_folder(folder: Path) -> Path:
    """The chat's ``.txt`` in a folder an Android phone shared the export to (#19).

    ``_chat.txt`` (iPhone) or ``WhatsApp Chat with NAME.txt`` (in the phone's language:
    the one ``.txt`` file otherwise); the photos and voice notes beside it are its media.
    """
    files = folder_files(folder)
    if "_chat.txt" in files:
        return files["_chat.txt"]
    texts = sorted(n for n in files if n.lower().endswith(".txt"))
    chats = [n for n in texts if "whatsapp" in n.casefold()] or texts
    if len(chats) == 1:
        return files[chats[0]]
    if not chats:
        raise ImportFormatError("This folder doesn't contain a WhatsApp chat (.txt).")
    raise ImportFormatError("This folder contains more than one chat; export one chat at a time.")


def _split_sender(h: _Header) -> tuple[str, str, bool]:
    """(sender, first line of text, is_system) for a header's remainder."""
    rest = h.rest
    sender_raw, sep, text = rest.partition(": ")
    if not sep:
        return "", _LEADING_MARKS.sub("", rest), True
    sender = _strip_marks(sender_raw).strip()
    if not sender or len(sender) > MAX_SENDER_CHARS:
        return "", _LEADING_MARKS.sub("", rest), True
    if h.fmt == "android" and "changed" in rest and _ANDROID_SYSTEM_WITH_COLON.match(_strip_marks(rest)):
        return "", _LEADING_MARKS.sub("", rest), True
    marked = text[:1] in _MARKS
    if marked:
        text = _LEADING_MARKS.sub("", text)
    # iOS writes its notices under the chat's name (the other person's, in a chat of
    # two), marked by U+200E since about 2020; older and some translated exports have
    # no mark, so the notice's own words decide (#19.5).
    if h.fmt == "ios" and is_system_text(_strip_marks(text.split("\n", 1)[0]), marked=marked):
        return "", text, True
    return sender, text, False


def _without_edited(line: str) -> str | None:
    """The line without its trailing "<This message was edited>" (any language), or None."""
    if not line.endswith(">"):
        return None
    clean = _strip_marks(line).rstrip()
    for phrase in EDITED:
        if clean.casefold().endswith(phrase.casefold()):
            cut = line.rfind("<")
            return line[:cut].rstrip(_MARKS + " ")
    return None


def _attachment_name(first_clean: str, media: _Media) -> tuple[str, str] | None:
    """(file name, description) when a message's first line names an attached file.

    Android writes "NAME (file attached)" and iOS "<attached: NAME>" in the phone's
    language; a line is taken as one when the words are known, or the name is a file
    in the export, or it is named the way WhatsApp names its media (#19.6).
    """
    if first_clean.endswith(">"):
        m = _IOS_ATTACHED.fullmatch(first_clean)
        if m is not None:
            name = m.group(3).strip()
            if m.group(2).casefold() == "attached" or media.has(name) or _WA_MEDIA_NAME.fullmatch(name):
                return name, (m.group(1) or "").strip()
    elif first_clean.endswith(")"):
        m = _ANDROID_ATTACHED.fullmatch(first_clean)
        if m is not None:
            name = m.group(1).strip()
            if m.group(2).casefold() in _ANDROID_ATTACHED_WORDS or media.has(name):
                return name, ""
    return None


def _omitted(first_clean: str) -> tuple[str, str] | None:
    """(what was sent, file name if given) for "<Media omitted>", "image omitted", ..."""
    low = first_clean.casefold()
    if low in MEDIA_OMITTED:
        return "", ""
    if len(low) > 300:
        return None
    for phrase, kind in OMITTED_KIND.items():
        if low.endswith(phrase):
            before = first_clean[: len(first_clean) - len(phrase)].strip(_MARKS + " ")
            if not before:
                return kind, ""
            # An iPhone document: "letter.pdf • 2 pages document omitted".
            name = before.split(" \u2022 ", 1)[0].strip() if kind == "document" else ""
            if name or " \u2022 " in before:
                return kind, name
            return None
    return None


def _build(p: _Pending, media: _Media, me: str | None) -> ParsedItem:
    sender, first, system = _split_sender(p.header)
    flags: set[str] = set()
    if p.truncated:
        flags.add("truncated")
    if p.repaired:
        flags.add("encoding_repaired")
    kind: ItemKind = "message"
    call: CallInfo | None = None
    attachments: list[ParsedAttachment] = []
    rest_lines = p.lines
    first_clean = _strip_marks(first).strip()
    direction: Direction = "unknown"

    if system:
        flags.add("system")
        text = "\n".join([first, *rest_lines])
    else:
        # Cheap tests on the line's last and first characters come first: most
        # messages are plain text, and a long chat has a hundred thousand of them.
        if not rest_lines:
            cut = _without_edited(first) if first_clean[-1:] == ">" else None
            if cut is not None:
                flags.add("edited")
                first = cut
                first_clean = _strip_marks(first).strip()
        elif rest_lines[-1][-1:] == ">":
            cut = _without_edited(rest_lines[-1])
            if cut is not None:
                flags.add("edited")
                rest_lines = [*rest_lines[:-1], cut]
        last = first_clean[-1:]
        att = _attachment_name(first_clean, media) if last == ">" or last == ")" else None
        omitted = None
        if att is None and (
            first_clean[:1] == "<"
            or (not rest_lines and first_clean[first_clean.rfind(" ") + 1 :] in _OMITTED_ENDS)
        ):
            omitted = _omitted(first_clean)
        deleted = not rest_lines and first_clean in _DELETED_ANY
        if att is not None:
            attachment = media.attachment(att[0])
            attachments.append(attachment)
            if not attachment.available:
                flags.add("attachment_missing")
            text = "\n".join(rest_lines)
        elif omitted is not None:
            what, name = omitted
            flags.add("media_omitted")
            if what:
                flags.add(f"media:{what}")
            if name:
                attachments.append(ParsedAttachment(name=name))
                flags.add("attachment_missing")
            text = "\n".join(rest_lines)
        elif deleted:
            flags.add("deleted")
            text = ""
            if first_clean in _BY_ME_ANY:
                direction = "out"
        elif not rest_lines and " call" in first_clean and _MISSED_CALL.fullmatch(first_clean):
            kind = "phone_call"
            call = CallInfo(type="missed")
            flags.add("whatsapp_call")
            text = ""
        else:
            text = "\n".join([first, *rest_lines])
        if me is not None and direction == "unknown":
            direction = "out" if sender == me else "in"
    sender_id = sender if sender and _PHONE_RE.fullmatch(sender) else None
    return ParsedItem(  # positional, like the SMS hot path: one per message
        f"line {p.lineno}",
        p.when,
        sender,
        sender_id,
        direction,
        kind,
        text,
        call,
        tuple(attachments) if attachments else (),
        frozenset(flags) if flags else _NO_FLAGS,
        (),
        None,
        p.header.stamp,
    )


def _items(
    open_chat: Callable[[], ContextManager[BinaryIO]],
    order: DateOrder,
    media: _Media,
    me: str | None,
    stats: ImportStats,
) -> Iterator[ParsedItem]:
    pending: _Pending | None = None
    with open_chat() as fp:
        for lineno, line, repaired in readable_lines(fp, stats):
            h = _match_header(line)
            if h is not None:
                settles = _order_evidence(h.fields[0], h.fields[1])
                if settles is not None and settles != order:
                    raise ImportFormatError(MIXED_ORDERS)
                try:
                    when = _to_datetime(h, order)
                except ValueError:
                    h = None
                    stats.note_skip(f"line {lineno}", "date or time that doesn't exist")
                    if pending is not None:
                        pending.truncated = True
                    continue
                if pending is not None:
                    yield _build(pending, media, me)
                pending = _Pending(lineno, when, h, repaired=repaired)
                continue
            if pending is None:
                if line.strip(_MARKS + " \t"):
                    stats.note_skip(f"line {lineno}", "text before the first message")
                continue
            if pending.truncated and pending.chars >= MAX_MESSAGE_CHARS:
                continue
            pending.chars += len(line) + 1
            if pending.chars > MAX_MESSAGE_CHARS:
                pending.truncated = True
                stats.note_skip(f"line {lineno}", "message too long; the rest was left out")
                continue
            pending.lines.append(line)
            pending.repaired = pending.repaired or repaired
    if pending is not None:
        yield _build(pending, media, me)


def _zip_chunks(zf: SafeZip, member: str) -> Iterator[bytes]:
    """A member's bytes; damage found while reading is an ImportFormatError."""
    try:
        yield from zf.iter_chunks(member)
    except DamagedMember as exc:
        raise ImportFormatError(exc.message) from None


@contextlib.contextmanager
def _open_zip_member(zf: SafeZip, member: str) -> Iterator[BinaryIO]:
    """A member as a stream; damage found while reading is an ImportFormatError."""
    try:
        with zf.open(member) as fh:
            yield fh
    except DamagedMember as exc:
        raise ImportFormatError(exc.message) from None


def _find_chat_member(zf: SafeZip) -> str:
    files = [m for m in zf.members if not m.is_dir]
    for m in files:
        if m.name == "_chat.txt" or m.name.endswith("/_chat.txt"):
            return m.name
    texts = [m for m in files if m.name.lower().endswith(".txt") and "/" not in m.name]
    chats = [m for m in texts if m.name.startswith("WhatsApp Chat")]
    pick = chats if chats else texts
    if len(pick) == 1:
        return pick[0].name
    if not pick:
        raise ImportFormatError("This zip file doesn't contain a WhatsApp chat.")
    raise ImportFormatError("This zip file contains more than one chat; export one chat at a time.")


def parse_whatsapp(
    source: object,
    *,
    date_order: DateOrder | None = None,
    me: str | None = None,
    zip_limits: ZipLimits | None = None,
    media_folder: Path | None = None,
) -> ItemStream:
    """Read a WhatsApp chat export (``.txt`` or ``.zip``; path, bytes or binary file).

    The chat is scanned before this returns, so a file that is not a chat
    (:data:`NOT_WHATSAPP`), whose date order is unclear (:class:`AmbiguousDateOrder`)
    or does not match ``date_order`` fails here; a chat that later mixes day-first
    and month-first dates fails while it is read (:data:`MIXED_ORDERS`), still before
    anything is imported. ``me`` is the exporting user's name as
    it appears in the chat: with it, items get direction ``in``/``out``; without it,
    ``unknown``. Attachments in a zip are read lazily from the zip, which stays open
    until the stream is closed. ``media_folder``: the folder holding a ``.txt`` chat's
    media (see :func:`find_chat_in_folder`).
    """
    src = Source(source)
    zf: SafeZip | None = None
    open_chat: Callable[[], ContextManager[BinaryIO]] = src.open
    closer: Callable[[], None] | None = None
    if is_zip(src.head(4)):
        try:
            policy = LENIENT if zip_limits is None else LENIENT.replace(limits=zip_limits)
            zf = SafeZip(src.path or src.fileobj or io.BytesIO(src.data or b""), policy)
        except NotABundle as exc:
            raise ImportFormatError(exc.message) from None
        closer = zf.close
        try:
            member = _find_chat_member(zf)
            info = zf.get(member)
            if info is not None and info.size > MAX_CHAT_MEMBER_BYTES:
                raise ImportFormatError("This chat is too large to import.")
        except BaseException:
            zf.close()
            raise
        zfile = zf

        def open_chat() -> ContextManager[BinaryIO]:
            return _open_zip_member(zfile, member)

    try:
        with open_chat() as fp:
            head = read_exactly(fp, HEAD_BYTES)
        # A Signal export's lines read like an iPhone chat's (#19.8): refused by name.
        refuse_unless("whatsapp", head, posixpath.basename(src.path or "") if zf is None else "")
        scan = _scan(open_chat)
        order = _resolve_order(scan, date_order)
    except BaseException as exc:
        if closer is not None:
            closer()
        if isinstance(exc, NotABundle | DamagedMember):
            raise ImportFormatError(exc.message) from None
        raise
    media = _Media(zf, media_folder if zf is None else None)
    return ItemStream(
        f"whatsapp-{scan.fmt}",
        lambda stats: _items(open_chat, order, media, me, stats),
        closer,
    )
