"""Chats saved as HTML: Telegram Desktop's HTML export and Meta's "Download your information" HTML.

Both are read with the standard library's :class:`html.parser.HTMLParser`, fed a
piece at a time (a long chat is tens of megabytes), so a file never sits in memory
whole; nothing in them is run or fetched: scripts, styles and links are text at most.
One small engine (:class:`_Blocks`) turns the page into message blocks by their CSS
classes; each format names its classes and builds items from the blocks.

**Telegram Desktop** (Export chat history, format HTML): ``messages.html``, then
``messages2.html`` ... beside ``photos/``, ``files/``, ``voice_messages/``. A message is a
``div.message`` (``default``; ``joined`` when the sender is the one above, so the name
is not repeated; ``service`` for dates and notices, never a message from anyone)
holding ``div.from_name``, ``div.text``, ``div.date`` whose ``title`` is the time with the
exporting computer's UTC offset ("12.03.2024 20:01:05 UTC+00:00"; older exports
write no offset: then it is wall-clock time on the case's clock), media as links
(``a.photo_wrap``, ``a.media_file`` ...) into the export or "Not included" notes, and calls
(``div.media_call``: "Outgoing call", "Missed"). Replies' and forwards' headers are not
the sender's words and are left out of the text (a forward's text is kept, flagged).

**Meta** (Facebook Messenger / Instagram, format HTML): ``message_1.html`` (then
``_2`` ...), newest message first, each a block of class ``_a6-g`` with the sender
(``_a6-h``), the content (``_a6-p``: text, and ``img``/``video``/``audio``/``a`` pointing
at files inside the download) and the time (``_a6-o``: "Mar 12, 2024 8:01:05 pm", local
time with no zone: wall-clock time on the case's clock). Reactions (``_a6-q``) are
left out; the first block of a page (the participants, no time) is not a message.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO

from .capture import MONTHS
from .jsonchats import MAX_TEXT
from .jsonchats import _Files
from .jsonchats import parse_meta
from .jsonchats import parse_telegram
from .records import CallInfo
from .records import CallType
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemKind
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Source
from .sniff import HEAD_BYTES
from .sniff import refuse_unless

__all__ = ["find_chat_page", "is_html", "parse_meta_any", "parse_telegram_any"]

NOT_TELEGRAM_HTML = "This file doesn't look like a Telegram Desktop chat export (messages.html)."
NOT_META_HTML = "This file doesn't look like a Messenger or Instagram chat download (message_1.html)."
CHUNK = 1024 * 1024
MAX_DEPTH = 400
MAX_MEDIA = 200
_VOID = frozenset(
    ["br", "img", "hr", "meta", "link", "input", "source", "wbr", "area", "col", "embed", "track"]
)
_LINKS = frozenset(["a", "img", "video", "audio", "source"])
_SKIPPED = frozenset(["script", "style", "head", "title", "template", "svg", "noscript"])
# As in email_import: a "<" with no ">" soon after cannot open a tag; escaped so the
# parser never rescans it (quadratic on "<a <a <a ...").
_UNCLOSED_LT = re.compile(r"<(?![^<>]{0,4096}>)")


def is_html(head: bytes) -> bool:
    """Whether a file's first bytes are an HTML page."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<meta", b"<head", b"<div", b"<section"))


@dataclass
class _Block:
    """One message's pieces, by role: text per role, and the links and titles seen."""

    classes: frozenset[str]
    attrs: dict[str, str]
    text: dict[str, list[str]] = field(default_factory=dict)
    chars: int = 0
    titles: dict[str, str] = field(default_factory=dict)
    media: list[tuple[str, str]] = field(default_factory=list)  # (role, href or src)
    roles: set[str] = field(default_factory=set)  # every role an element in it had

    def add(self, role: str, data: str) -> None:
        if self.chars < MAX_TEXT:
            self.text.setdefault(role, []).append(data)
            self.chars += len(data)

    def get(self, role: str) -> str:
        return "".join(self.text.get(role, ())).strip()


#: An element's role from its tag, classes and the role of the element it is in.
Roles = Callable[[str, frozenset[str], str | None], str | None]


class _Blocks(HTMLParser):
    """Message blocks of a page, found by class; each element may give a role to the text in it."""

    def __init__(self, is_block: Callable[[str, frozenset[str]], bool], role_of: Roles) -> None:
        super().__init__(convert_charrefs=True)
        self._is_block, self._role_of = is_block, role_of
        self._stack: list[tuple[str, str | None, bool]] = []  # (tag, role, starts a block)
        self.block: _Block | None = None
        self.done: list[_Block] = []
        self._skip = 0

    def _role(self) -> str | None:
        return next((r for _t, r, _b in reversed(self._stack) if r is not None), None)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
            return
        values = {k: (v or "")[:2000] for k, v in attrs}
        classes = frozenset(values.get("class", "").split())
        starts = self.block is None and self._is_block(tag, classes)
        if starts:
            self.block = _Block(classes, values)
        role = self._role_of(tag, classes, self._role()) if self.block is not None else None
        block = self.block
        if block is not None:
            if role is not None:
                block.roles.add(role)
            if tag == "br":
                current = self._role()
                if current:
                    block.add(current, "\n")
            if "title" in values and role and role not in block.titles:
                block.titles[role] = values["title"]
            link = values.get("href") or values.get("src")
            entry = (role or self._role() or "", link or "")
            if link and len(block.media) < MAX_MEDIA and tag in _LINKS and entry not in block.media:
                block.media.append(entry)
        if tag in _VOID:
            return
        if len(self._stack) >= MAX_DEPTH:
            raise ImportFormatError("This page is nested too deeply to be a chat export.")
        self._stack.append((tag, role, starts))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and tag not in _SKIPPED:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if not any(t == tag for t, _r, _b in self._stack[-50:]):
            return  # a stray end tag
        while self._stack:
            t, role, starts = self._stack.pop()
            if role in ("text", "body") and self.block is not None:
                self.block.add(role, "\n")
            if starts and self.block is not None:
                self.done.append(self.block)
                self.block = None
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._skip or self.block is None:
            return
        role = self._role()
        if role is not None:
            self.block.add(role, data.replace("\r", " ").replace("\n", " "))  # only <br> breaks a line


def _pages(fp: BinaryIO, parser: _Blocks) -> Iterator[_Block]:
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    carry = ""
    while True:
        raw = fp.read(CHUNK)
        text = carry + decoder.decode(raw or b"", final=not raw)
        if raw:
            cut = text.rfind("<")
            if cut >= 0 and ">" not in text[cut:]:
                text, carry = text[:cut], text[cut:]
                if len(carry) > 8192:  # not a tag: let it through escaped
                    text, carry = text + carry, ""
            else:
                carry = ""
        parser.feed(_UNCLOSED_LT.sub("&lt;", text))
        yield from parser.done
        parser.done.clear()
        if not raw:
            parser.close()
            yield from parser.done
            if parser.block is not None:
                yield parser.block
            return


def _lines(text: str) -> str:
    lines = [" ".join(ln.split()) for ln in text.replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------- Telegram

_TG_TIME = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):(\d{2}))?")
_TG_MEDIA = {
    "photo_wrap": "photo",
    "video_file_wrap": "video",
    "animated_wrap": "GIF",
    "sticker_wrap": "sticker",
    "media_file": "file",
    "media_voice_message": "voice message",
    "media_audio_file": "audio file",
    "media_video": "video",
    "media_photo": "photo",
}


def _by_class(c: frozenset[str], table: tuple[tuple[str, str], ...]) -> str | None:
    """The role of the first class in ``table`` the element has."""
    return next((role for cls, role in table if cls in c), None)


# Telegram's classes, in the order they decide (a date line is "date details", a
# notice "body details"; "In reply to ..." is not the sender's words).
_TG_ROLES = (
    ("reply_to", "skip"),
    ("forwarded", "fwd"),
    ("from_name", "from"),
    ("media_call", "call"),
    *((cls, "media") for cls in _TG_MEDIA),
    ("title", "media_title"),
    ("status", "media_status"),
    ("description", "media_status"),
)
# Inside a forwarded message: its author and its words, never the sender's.
_TG_FORWARDED = (("from_name", "fwd_from"), ("date", "skip"), ("text", "fwd_text"))


def _tg_role(tag: str, c: frozenset[str], parent: str | None) -> str | None:
    if parent == "skip":
        return "skip"
    if parent is not None and parent.startswith("fwd"):
        return _by_class(c, _TG_FORWARDED)
    if "details" in c and ("date" in c or "body" in c):
        return "date" if "date" in c else "service"
    if "text" in c and tag == "div":
        return "text"
    return _by_class(c, _TG_ROLES)


def _tg_time(title: str) -> datetime | None:
    m = _TG_TIME.search(title)
    if m is None:
        return None
    d, mo, y, hh, mi, ss = (int(m.group(i)) for i in range(1, 7))
    try:
        when = datetime(y, mo, d, hh, mi, ss)
    except ValueError:
        return None
    if m.group(7):
        offset = timedelta(hours=int(m.group(8)), minutes=int(m.group(9)))
        when = when.replace(tzinfo=timezone(offset if m.group(7) == "+" else -offset))
    return when


_TG_CALLS: dict[str, CallType] = {"missed": "missed", "declined": "rejected", "cancelled": "missed"}


class _Telegram:
    def __init__(self, files: _Files) -> None:
        self.files = files
        self.last_sender = ""

    def item(self, n: int, b: _Block, stats: ImportStats) -> ParsedItem | None:
        ref = (
            "message " + b.attrs["id"][7:40] if b.attrs.get("id", "").startswith("message") else f"block #{n}"
        )
        if "service" in b.classes:
            return None  # "12 March 2024", "Dan Marsh joined": never a message from anyone
        title = b.titles.get("date", "")
        when = _tg_time(title)
        if when is None:
            stats.note_skip(ref, "missing or unreadable date")
            return None
        sender = " ".join(b.get("from").split())[:200]
        if sender:
            self.last_sender = sender
        elif "joined" in b.classes:
            sender = self.last_sender
        flags: set[str] = set()
        if "edited" in title.lower():
            flags.add("edited")
        text = _lines(b.get("text"))
        if b.get("fwd_text") or b.get("fwd_from"):
            flags.add("forwarded")
            original = " ".join(b.get("fwd_from").split())[:200]
            text = text or _lines(b.get("fwd_text"))
            text = f"[forwarded from {original}]\n{text}" if original else text
        kind: ItemKind = "message"
        call = None
        if "call" in b.roles:
            kind = "phone_call"
            status = b.get("media_status").lower()
            duration = re.search(r"(\d+) (?:min|sec)", status)
            ctype: CallType = next((v for k, v in _TG_CALLS.items() if k in status), "incoming")
            if "outgoing" in b.get("media_title").lower():
                ctype = "outgoing" if ctype == "incoming" else ctype
            call = CallInfo(
                ctype,
                int(duration.group(1)) * (60 if "min" in duration.group(0) else 1) if duration else None,
            )
            text = ""
        attachments: list[ParsedAttachment] = []
        for role, link in b.media if kind == "message" else ():
            if role != "media" or link.startswith(("#", "http:", "https:", "tg:", "mailto:")):
                continue
            if link.endswith("_thumb.jpg") and attachments:
                continue
            attachments.append(self.files.attachment(link))
        if kind == "message" and not attachments and b.get("media_title"):
            what = b.get("media_title")[:80]
            if "not included" in b.get("media_status").lower():
                attachments.append(ParsedAttachment(name=what))
        if any(not a.available for a in attachments):
            flags.add("attachment_missing")
        shown = title.split("\n")[0][:60]
        return ParsedItem(
            ref,
            when,
            sender,
            None,
            "unknown",
            kind,
            text,
            call,
            tuple(attachments),
            frozenset(flags),
            source_time=shown,
        )


# --------------------------------------------------------------------------- Meta

_META_TIME = re.compile(
    r"([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm])", re.ASCII
)
_MONTHS = {name[:3].title(): n for name, n in MONTHS.items()}  # "Jan": 1


# Meta's classes: reactions (left out), sender, time, content.
_META_ROLES = (("_a6-q", "skip"), ("_a6-h", "from"), ("_a6-o", "date"), ("_a72d", "date"), ("_a6-p", "text"))


def _meta_role(tag: str, c: frozenset[str], parent: str | None) -> str | None:
    return "skip" if parent == "skip" else _by_class(c, _META_ROLES)


def _meta_time(text: str) -> datetime | None:
    m = _META_TIME.search(text)
    if m is None or m.group(1) not in _MONTHS:
        return None
    hour = int(m.group(4))
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if m.group(7).lower() == "pm" else 0)
    try:
        return datetime(
            int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)), hour, int(m.group(5)), int(m.group(6) or 0)
        )
    except ValueError:
        return None


class _Meta:
    def __init__(self, files: _Files) -> None:
        self.files = files

    def item(self, n: int, b: _Block, stats: ImportStats) -> ParsedItem | None:
        ref = f"message #{n}"
        written = " ".join(b.get("date").split())
        when = _meta_time(written)
        sender = " ".join(b.get("from").split())[:200]
        if when is None:
            if n > 1 or written:  # the page's first block lists the participants, with no time
                stats.note_skip(ref, "missing or unreadable date")
            return None
        text = _lines(b.get("text"))
        attachments = [
            self.files.attachment(link)
            for role, link in b.media
            if role == "text" and not link.startswith(("#", "http:", "https:", "mailto:", "data:"))
        ]
        flags = {"attachment_missing"} if any(not a.available for a in attachments) else set()
        item = ParsedItem(ref, when, sender, None, "unknown", "message", text, source_time=written[:60])
        return replace(item, attachments=tuple(attachments), flags=frozenset(flags)) if attachments else item


# --------------------------------------------------------------------------- streams


def _stream(
    src: Source,
    fmt: str,
    is_block: Callable[[str, frozenset[str]], bool],
    role_of: Roles,
    build: Callable[[int, _Block, ImportStats], ParsedItem | None],
    me: str | None,
    not_this: str,
) -> ItemStream:
    def produce(stats: ImportStats) -> Iterator[ParsedItem]:
        seen = 0
        with src.open() as fp:
            for n, block in enumerate(_pages(fp, _Blocks(is_block, role_of)), start=1):
                seen += 1
                item = build(n, block, stats)
                if item is None:
                    continue
                if me is not None and item.sender:
                    item = replace(item, direction="out" if item.sender == me else "in")
                yield item
        if seen == 0:
            raise ImportFormatError(not_this)

    return ItemStream(fmt, produce)


def _open(source: object, fmt: str, not_this: str, marker: bytes) -> Source:
    src = Source(source)
    head = src.head(HEAD_BYTES)
    refuse_unless(fmt, head, os.path.basename(src.path or ""))
    if not is_html(head) or marker not in head:
        raise ImportFormatError(not_this if head.strip() else "This file is empty.")
    return src


def parse_telegram_any(
    source: object, *, me: str | None = None, media_folder: Path | None = None
) -> ItemStream:
    """``--format telegram``: ``result.json`` (JSON) or ``messages.html`` (HTML), by the first bytes."""
    if not is_html(Source(source).head(1024)):
        return parse_telegram(source, me=me, media_folder=media_folder)
    src = _open(source, "telegram", NOT_TELEGRAM_HTML, b'class="message')
    tg = _Telegram(_Files(media_folder))
    is_block = lambda tag, c: tag == "div" and "message" in c  # noqa: E731
    return _stream(src, "telegram-html", is_block, _tg_role, tg.item, me, NOT_TELEGRAM_HTML)


def parse_meta_any(source: object, *, me: str | None = None, media_folder: Path | None = None) -> ItemStream:
    """``--format messenger``: ``message_1.json`` or ``message_1.html``, by the first bytes."""
    if not is_html(Source(source).head(1024)):
        return parse_meta(source, me=me, media_folder=media_folder)
    src = _open(source, "messenger", NOT_META_HTML, b"_a6-g")
    meta = _Meta(_Files(media_folder))
    is_block = lambda tag, c: "_a6-g" in c  # noqa: E731
    return _stream(src, "meta-html", is_block, _meta_role, meta.item, me, NOT_META_HTML)


#: Each format's first chat file in a chat's folder, JSON or HTML, and the file that
#: says the chat goes on in more files.
_FIRST_PAGES = {
    "telegram": (("result.json", None), ("messages.html", "messages2.html")),
    "messenger": (("message_1.json", "message_2.json"), ("message_1.html", "message_2.html")),
}


def find_chat_page(fmt: str, folder: Path, shown: str) -> Path:
    """The chat file in a Telegram or Meta chat's folder (JSON first, else HTML)."""
    pages = _FIRST_PAGES[fmt]
    for name, more in pages:
        path = folder / name
        if path.is_file():
            if more is not None and (folder / more).exists():
                raise ImportFormatError(
                    f"This chat is in several files ({name}, {more}, ...): import each file."
                )
            return path
    names = " or ".join(name for name, _more in pages)
    raise ImportFormatError(
        f"'{shown}' is a folder without a {names}: give the chat's own folder or the file."
    )
