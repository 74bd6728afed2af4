"""Emails: single ``.eml`` files and ``.mbox`` mailboxes (Thunderbird, Gmail Takeout).

Parsing is the standard library's (``email`` with ``policy.default``: encoded
headers, RFC 2047 names); around it we bound sizes, MIME nesting and part counts,
walk the parts ourselves (no recursion), decode text with the declared charset (an
unknown or unsafe one falls back to UTF-8 with replacement, flag
``"charset_unknown"``), and turn HTML-only bodies into plain text with a small
converter that runs nothing and fetches nothing.

Dates: the ``Date`` header gives an aware datetime ("-0000", meaning "zone not
known", is read as UTC and flagged ``"zone_unknown"``). If it is missing or garbled
we fall back, in order, to the newest ``Received`` header (a server's clock, flag
``"date_from_received"``) and the mbox ``From_`` line (naive, flag
``"date_from_envelope"``); if nothing works ``occurred_at`` is None with flag
``"no_date"``: the email is kept, because a message without a date is still evidence.

Direction needs to know the user's own addresses (``me``): From one of them is
``out``, To/Cc one of them is ``in``; otherwise ``unknown``.
"""

from __future__ import annotations

import codecs
import email.utils
import re
from collections.abc import Collection
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from html.parser import HTMLParser
from typing import BinaryIO

from .records import DATA_ERRORS
from .records import Direction
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Source
from .records import read_exactly

PARSE_ERRORS: tuple[type[BaseException], ...] = (*DATA_ERRORS, LookupError)

__all__ = ["html_to_text", "parse_email_file", "parse_eml", "parse_mbox"]

NOT_EMAIL = "This file doesn't look like an email (.eml)."
NOT_MBOX = "This file doesn't look like a mailbox (.mbox)."
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024
MAX_MIME_DEPTH = 20
MAX_PARTS = 500
MAX_HTML_CHARS = 1024 * 1024
MAX_ID_CHARS = 100
#: Longest header value handed to the standard parsers. policy.default's structured
#: parsers are slow on long hostile values (a 64 KB Subject of short words takes
#: minutes, a Content-Type with thousands of parameters seconds), and some raise
#: IndexError or RecursionError; 8 KB keeps every header well under a second.
MAX_HEADER_CHARS = 8 * 1024
# Headers that only steer MIME decoding: kept as plain strings, parsed by the simple
# legacy parameter code, never by the structured header parsers.
_STRUCTURAL_HEADERS = frozenset(["content-type", "content-disposition", "content-transfer-encoding"])
_SURROGATE = re.compile("[\ud800-\udfff]")

_HEADER_LINE = re.compile(rb"[\x21-\x39\x3b-\x7e]{1,76}:")
_KNOWN_HEADERS = ("from", "date", "subject", "message-id", "to", "received")
_FROM_LINE = re.compile(
    rb"From \S* +(?:[A-Z][a-z]{2},? +)?([A-Z][a-z]{2}) +(\d{1,2}) +(\d{1,2}):(\d{2})(?::(\d{2}))?"
    rb"(?: +[A-Z+\-0-9]{1,6})? +(\d{4})"
)
_MONTHS = {
    m.encode(): i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
# Codecs that are not text encodings or are slow on hostile input.
_UNSAFE_CODECS = frozenset(
    [
        "punycode",
        "idna",
        "uu_codec",
        "hex_codec",
        "base64_codec",
        "bz2_codec",
        "zlib_codec",
        "rot_13",
        "quopri_codec",
        "unicode_escape",
        "raw_unicode_escape",
        "undefined",
        "mbcs",
        "oem",
    ]
)


class _BoundedPolicy(EmailPolicy):
    """``policy.default`` with bounded header values and plain MIME-structure headers."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        if len(value) > MAX_HEADER_CHARS:
            value = value[:MAX_HEADER_CHARS]
        if name.lower() in _STRUCTURAL_HEADERS:
            return _clean("".join(value.splitlines()))
        return super().header_fetch_parse(name, value)  # type: ignore[no-any-return]


_POLICY = _BoundedPolicy()


def _clean(text: str) -> str:
    """No lone surrogates (undecodable header bytes) may leave this module."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


# ---------------------------------------------------------------------------
# HTML to text


class _HtmlToText(HTMLParser):
    _BLOCK = frozenset(
        ["p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"]
        + ["table", "ul", "ol", "section", "article", "header", "footer", "hr", "dl", "dt"]
        + ["dd", "address", "figure", "form", "fieldset"]
    )
    _SKIP = frozenset(["script", "style", "head", "title", "template", "noscript", "svg"])

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip: list[str] = []
        self.links: list[tuple[str, int]] = []
        self.pre = 0

    def _newline(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.skip = [t for t in self.skip if t != "head"]
        if tag in self._SKIP:
            if len(self.skip) < 100:
                self.skip.append(tag)
            return
        if self.skip:
            return
        if tag == "br":
            self.parts.append("\n")
        elif tag in self._BLOCK:
            self._newline()
            if tag == "li":
                self.parts.append("- ")
            if tag == "pre":
                self.pre += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if len(self.links) < 1000:
                self.links.append((href, len(self.parts)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            self.parts.append(f"[image: {alt}]" if alt else "[image]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            if tag in self.skip:
                while self.skip and self.skip.pop() != tag:
                    pass
            return
        if self.skip:
            return
        if tag in self._BLOCK:
            self._newline()
            if tag == "pre" and self.pre:
                self.pre -= 1
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            text = "".join(self.parts[start:]).strip()
            if href and not href.startswith(("#", "mailto:")) and href != text:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.pre:
            words = " ".join(data.split())
            lead = " " if data[:1].isspace() else ""
            trail = " " if data[-1:].isspace() and words else ""
            data = lead + words + trail
            if not self.parts or self.parts[-1].endswith((" ", "\n")):
                data = data.lstrip()
            if not data:
                return
        self.parts.append(data)


# A "<" with no ">" before the next "<" (or within 4 KB) cannot start a real tag.
# Python's HTMLParser rescans such unfinished tags and takes minutes on a few
# kilobytes of "<a <a <a ..." or "<!--<!--"; escaping them first keeps it linear.
_UNCLOSED_LT = re.compile(r"<(?![^<>]{0,4096}>)")


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML email body (links kept as "text (url)").

    Nothing is fetched or run; script/style/head content is dropped. Input beyond
    :data:`MAX_HTML_CHARS` is ignored (callers flag it).
    """
    conv = _HtmlToText()
    conv.feed(_UNCLOSED_LT.sub("&lt;", html[:MAX_HTML_CHARS]))
    conv.close()
    text = "".join(conv.parts).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# ---------------------------------------------------------------------------
# Message to item


def _header(msg: Message, name: str) -> str | None:
    """A decoded header value, or the raw one if the standard parser trips over it."""
    try:
        value = msg.get(name)
        return None if value is None else _clean(str(value))
    except Exception:  # noqa: BLE001 - stdlib header parsers can raise anything on junk
        for key, raw in msg.raw_items():
            if key.lower() == name:
                return _clean(" ".join(str(raw)[:MAX_HEADER_CHARS].split()))
        return None


def _addresses(msg: Message, name: str) -> list[tuple[str, str]]:
    """(display name, address) pairs from an address header; [] if unreadable."""
    try:
        value = msg.get(name)
        groups = getattr(value, "addresses", None)
        if groups is None:
            return []
        return [(_clean(a.display_name or ""), _clean(a.addr_spec or "")) for a in groups][:200]
    except Exception:  # noqa: BLE001 - see _header
        return []


def _safe_id(value: str | None) -> str:
    if not value:
        return ""
    clean = "".join(ch for ch in value.strip() if 0x21 <= ord(ch) <= 0x7E)
    return clean[:MAX_ID_CHARS]


def _parse_date_value(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return when


def _envelope_date(from_line: bytes | None) -> datetime | None:
    if not from_line:
        return None
    m = _FROM_LINE.match(from_line)
    if m is None:
        return None
    mon, day, hh, mm, ss, year = m.groups()
    month = _MONTHS.get(mon)
    if month is None:
        return None
    try:
        return datetime(int(year), month, int(day), int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None


def header_date(value: str | None, flags: set[str]) -> datetime | None:
    """A ``Date`` header's instant; "-0000" (zone not known) is read as UTC, flag ``zone_unknown``."""
    when = _parse_date_value(value) if value else None
    if when is not None and when.tzinfo is None:
        flags.add("zone_unknown")
        when = when.replace(tzinfo=UTC)
    return when


def _when(msg: Message, from_line: bytes | None, flags: set[str]) -> datetime | None:
    when = header_date(_header(msg, "date"), flags)
    if when is not None:
        return when
    received = _header(msg, "received")  # the newest hop, added by the receiving server
    if received:
        _, sep, stamp = received.rpartition(";")
        when = _parse_date_value(stamp.strip()) if sep else None
        if when is not None:
            flags.add("date_from_received")
            return when if when.tzinfo else when.replace(tzinfo=UTC)
    when = _envelope_date(from_line)
    if when is not None:
        flags.add("date_from_envelope")
        return when
    flags.add("no_date")
    return None


def _codec(charset: str | None) -> str | None:
    if not charset:
        return "utf-8"
    try:
        name = codecs.lookup(charset).name
    except (LookupError, ValueError):
        return None
    return None if name in _UNSAFE_CODECS else name


def _payload_bytes(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _part_text(part: Message, flags: set[str]) -> str:
    data = _payload_bytes(part)
    charset = part.get_content_charset()
    codec = _codec(charset)
    if codec is None:
        flags.add("charset_unknown")
        codec = "utf-8"
    try:
        return data.decode(codec, "replace")
    except (LookupError, ValueError, TypeError):
        flags.add("charset_unknown")
        return data.decode("utf-8", "replace")


def _walk(msg: Message, flags: set[str]) -> Iterator[Message]:
    """Leaf parts in document order, depth and count bounded, without recursion."""
    stack: list[tuple[Message, int]] = [(msg, 0)]
    count = 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > MAX_PARTS:
            flags.add("parts_truncated")
            return
        payload = part.get_payload()
        if part.get_content_maintype() == "multipart" and isinstance(payload, list):
            if depth >= MAX_MIME_DEPTH:
                flags.add("parts_truncated")
                continue
            stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, Message))
        else:
            yield part


def _attachment(part: Message, index: int) -> ParsedAttachment:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - see _header
        name = None
    name = _clean(name) if name else None
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None

        def opener_msg(inner: object = inner) -> Iterator[bytes]:
            if not isinstance(inner, Message):
                return iter(())
            try:
                return iter([inner.as_bytes(policy=policy.compat32)])
            except Exception:  # noqa: BLE001 - re-serialising junk can fail anywhere
                raise ImportFormatError("This attached email is damaged.") from None

        return ParsedAttachment(name or f"attached-message-{index}.eml", None, ctype, None, opener_msg)

    def opener(part: Message = part) -> Iterator[bytes]:
        return iter([_payload_bytes(part)])

    return ParsedAttachment(name or f"attachment-{index}", None, ctype, None, opener)


def _is_attachment(part: Message) -> bool:
    try:
        disposition = part.get_content_disposition()
        has_name = part.get_filename() is not None
    except Exception:  # noqa: BLE001 - see _header
        disposition, has_name = None, False
    if disposition == "attachment" or has_name:
        return True
    return part.get_content_maintype() != "text"


def _direction(sender_addr: str, recipients: list[str], me: frozenset[str]) -> Direction:
    if not me:
        return "unknown"
    if sender_addr.lower() in me:
        return "out"
    if any(r.lower() in me for r in recipients):
        return "in"
    return "unknown"


def _item(msg: EmailMessage, ref: str, from_line: bytes | None, me: frozenset[str]) -> ParsedItem:
    flags: set[str] = set()
    if any(len(str(v)) > MAX_HEADER_CHARS for _, v in msg.raw_items()):
        flags.add("header_truncated")
    when = _when(msg, from_line, flags)
    froms = _addresses(msg, "from")
    if froms:
        display, addr = froms[0]
        sender = display or addr
        sender_id: str | None = addr or None
    else:
        sender = (_header(msg, "from") or "").strip()
        sender_id = None
    recipients = [a for _, a in _addresses(msg, "to") + _addresses(msg, "cc") if a]
    plain: str | None = None
    html: str | None = None
    attachments: list[ParsedAttachment] = []
    for index, part in enumerate(_walk(msg, flags), start=1):
        ctype = part.get_content_type()
        if not _is_attachment(part):
            if ctype == "text/plain" and plain is None:
                plain = _part_text(part, flags)
                continue
            if ctype == "text/html" and html is None:
                html = _part_text(part, flags)
                continue
            if ctype in ("text/plain", "text/html"):
                continue  # further inline alternatives of the same body
        attachments.append(_attachment(part, index))
    if plain is not None:
        text = plain
    elif html is not None:
        if len(html) > MAX_HTML_CHARS:
            flags.add("html_truncated")
        text = html_to_text(html)
        flags.add("from_html")
    else:
        text = ""
    subject = _header(msg, "subject")
    return ParsedItem(
        source_ref=ref,
        occurred_at=when,
        sender=sender,
        sender_id=sender_id,
        direction=_direction(sender_id or "", recipients, me),
        kind="email",
        text=text.replace("\r\n", "\n"),
        attachments=tuple(attachments),
        flags=frozenset(flags),
        recipients=tuple(recipients),
        subject=subject,
        source_time=" ".join((_header(msg, "date") or "").split())[:120],
    )


def _parse_bytes(data: bytes) -> EmailMessage:
    msg = BytesParser(policy=_POLICY).parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


def _looks_like_headers(head: bytes) -> bool:
    first = head.lstrip(b"\r\n")
    return bool(_HEADER_LINE.match(first))


def _has_known_header(msg: Message) -> bool:
    try:
        keys = {k.lower() for k in msg}
    except Exception:  # noqa: BLE001 - see _header
        return False
    return any(h in keys for h in _KNOWN_HEADERS)


def _ref(prefix: str, msg: Message) -> str:
    mid = _safe_id(_header(msg, "message-id"))
    return f"{prefix} (Message-ID {mid})" if mid else prefix


# ---------------------------------------------------------------------------
# .eml


def _read_bounded(src: Source, limit: int, what: str) -> bytes:
    with src.open() as fp:
        try:
            data = read_exactly(fp, limit + 1)
        except OSError:
            raise ImportFormatError("We couldn't read this file.") from None
    if len(data) > limit:
        raise ImportFormatError(f"This {what} is too large to import (over {limit // 2**20} MB).")
    return data


def parse_eml(source: object, *, me: Collection[str] = ()) -> ItemStream:
    """Read one email saved as ``.eml`` (path, bytes or binary file); one item."""
    src = Source(source)
    data = _read_bounded(src, MAX_MESSAGE_BYTES, "email")
    if not data.strip():
        raise ImportFormatError("This file is empty.")
    if data.startswith(b"From "):
        return parse_mbox(data, me=me)
    if not _looks_like_headers(data[:1024]):
        raise ImportFormatError(NOT_EMAIL)
    try:
        msg = _parse_bytes(data)
    except PARSE_ERRORS:
        raise ImportFormatError(NOT_EMAIL) from None
    if not _has_known_header(msg):
        raise ImportFormatError(NOT_EMAIL)
    own = frozenset(a.lower() for a in me)

    def produce(stats: ImportStats) -> Iterator[ParsedItem]:
        yield _item(msg, _ref("email", msg), None, own)

    return ItemStream("email-eml", produce)


# ---------------------------------------------------------------------------
# .mbox


def _mbox_messages(fp: BinaryIO) -> Iterator[tuple[int, int, bytes, bytes | None]]:
    """(number, first line, From_ line, message bytes or None if too large)."""
    number = 0
    lineno = 0
    start_line = 0
    from_line = b""
    chunks: list[bytes] = []
    size = 0
    too_big = False
    at_line_start = True
    prev_blank = True
    started = False
    while True:
        line = fp.readline(MAX_LINE_BYTES)
        if not line:
            break
        complete = line.endswith(b"\n")
        if at_line_start:
            lineno += 1
        if at_line_start and line.startswith(b"From ") and (prev_blank or _FROM_LINE.match(line)):
            if started:
                if prev_blank and chunks:
                    chunks.pop()  # the blank line before From_ separates; it isn't content
                yield number, start_line, from_line, None if too_big else b"".join(chunks)
            number += 1
            started = True
            start_line = lineno
            from_line = line.rstrip(b"\r\n")[:1000]
            chunks, size, too_big = [], 0, False
        elif not started:
            raise ImportFormatError(NOT_MBOX)
        elif not too_big:
            size += len(line)
            if size > MAX_MESSAGE_BYTES:
                too_big = True
                chunks = []
            else:
                chunks.append(line)
        prev_blank = at_line_start and line.strip(b"\r\n") == b""
        at_line_start = complete
    if started:
        yield number, start_line, from_line, None if too_big else b"".join(chunks)


def _mbox_items(src: Source, me: frozenset[str], stats: ImportStats) -> Iterator[ParsedItem]:
    with src.open() as fp:
        for number, start_line, from_line, data in _mbox_messages(fp):
            ref = f"message {number}"
            if data is None:
                stats.note_skip(f"{ref} (line {start_line})", "message too large")
                continue
            try:
                msg = _parse_bytes(data)
                item = _item(msg, _ref(ref, msg), from_line, me)
            except PARSE_ERRORS:
                stats.note_skip(f"{ref} (line {start_line})", "damaged message")
                continue
            yield item


def parse_mbox(source: object, *, me: Collection[str] = ()) -> ItemStream:
    """Read an mbox mailbox message by message (memory bounded per message)."""
    src = Source(source)
    head = src.head(1024)
    if not head.strip():
        raise ImportFormatError("This file is empty.")
    if not head.startswith(b"From "):
        raise ImportFormatError(NOT_MBOX)
    own = frozenset(a.lower() for a in me)
    return ItemStream("email-mbox", lambda stats: _mbox_items(src, own, stats))


def parse_email_file(source: object, *, me: Collection[str] = ()) -> ItemStream:
    """``.eml`` or ``.mbox``, decided by the first bytes."""
    src = Source(source)
    head = src.head(1024)
    if head.startswith(b"From "):
        return parse_mbox(src.path or src.fileobj or src.data or b"", me=me)
    return parse_eml(src.path or src.fileobj or src.data or b"", me=me)
