"""SMS Backup & Restore (SyncTech) XML backups: texts, picture messages and call logs.

The Android app writes ``<smses>`` files of ``<sms>`` and ``<mms>`` elements and
``<calls>`` files of ``<call>`` elements, all attributes; times are epoch
milliseconds (returned as aware UTC datetimes, shown in the case's time zone; the
``date`` and ``readable_date`` attributes are kept as written in ``source_time``).
Field meanings follow the app's public "fields in XML backup files" page: sms
``type`` 1 received, 2 sent, 3 draft, 4 outbox, 5 failed, 6 queued; mms ``msg_box``
1 inbox, 2 sent, 3 draft, 4 outbox, ``addr`` type 137 from / 151 to / 130 cc / 129 bcc;
call ``type`` 1 incoming, 2 outgoing, 3 missed, 4 voicemail, 5 rejected, 6 blocked, 7 answered
on another device (any other type is kept as "unknown", its number in a flag); ``presentation``
1 allowed, 2 withheld, 3 unknown, 4 payphone. The literal string "null" means absent.

Backups reach hundreds of MB, mostly base64 photos in ``<part data="...">``. Parsing
is incremental with constant memory:

* the bytes pass through a small scanner that replaces each ``<part>``'s ``data``
  value with a short reference to its byte range *before* expat sees it, so a 100 MB
  video never becomes a Python string; attachments decode lazily from that range
  (or, for a pipe, are kept in memory up to a cap);
* expat runs through defusedxml with DTDs, entity declarations and external
  references forbidden (billion laughs, XXE), fed one chunk at a time, and we keep
  nothing of an element once its item is yielded;
* any run of more than :data:`MAX_TOKEN_BYTES` without a ``>`` (outside data values)
  is refused, which bounds what expat buffers;
* character references the app writes for emoji as UTF-16 surrogate pairs
  (``&#55357;&#56846;``, invalid XML) are joined into one code point; other
  references to characters XML forbids, and raw control bytes, become U+FFFD.
"""

from __future__ import annotations

import binascii
import re
import secrets
import xml.sax
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from ..textsafe import ascii_digits
from .records import CallInfo
from .records import CallType
from .records import Direction
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemKind
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Presentation
from .records import Source
from .sniff import refuse_unless

__all__ = ["parse_sms_backup"]

NOT_SMS = "This file doesn't look like an SMS Backup & Restore file."
CHUNK_BYTES = 1024 * 1024
HEAD_BYTES = 64 * 1024
MAX_TOKEN_BYTES = 8 * 1024 * 1024
MAX_INLINE_PART_BYTES = 32 * 1024 * 1024  # base64 kept in memory per part (pipes only)
MAX_INLINE_MMS_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 16
MAX_PARTS = 500
MAX_ADDRS = 500

_WS = b" \t\r\n"
_ATTR_RE = re.compile(rb"[ \t\r\n]*([^ \t\r\n=/>]+)[ \t\r\n]*=[ \t\r\n]*([\"'])")
_CHARREF = re.compile(rb"&#(?:x([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")
# Only references that might be invalid in XML (controls, surrogates, U+FFFE/F, huge):
# checking just these keeps the common "&#10;" newline cheap.
_SUSPECT_REF = re.compile(
    rb"&#(?:x([0-9A-Fa-f]{1,8})|(0*(?:[0-8]|1[124-9]|2[0-9]|3[01]|5[5-7][0-9]{3}|6553[45]"
    rb"|[0-9]{7,10})));"
)
# A high-surrogate reference (U+D800..U+DBFF) ending exactly where the search stops.
_HIGH_REF_AT_END = re.compile(rb"&#(?:x[dD][89abAB][0-9A-Fa-f]{2}|5[56][0-9]{3});$")
_CTRL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32)])
_CTRL_RE = re.compile(b"[" + re.escape(_CTRL_BYTES) + b"]")
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_NON_B64 = bytes(sorted(set(range(256)) - set(_B64_ALPHABET)))
_ANY_REF = re.compile(rb"&#?[0-9A-Za-z]{1,10};")

_SMS_TYPES: dict[str, tuple[Direction, str | None]] = {
    "1": ("in", None),
    "2": ("out", None),
    "3": ("out", "draft"),
    "4": ("out", "outbox"),
    "5": ("out", "failed"),
    "6": ("out", "queued"),
}
_MMS_BOXES: dict[str, tuple[Direction, str | None]] = {
    "1": ("in", None),
    "2": ("out", None),
    "3": ("out", "draft"),
    "4": ("out", "outbox"),
}
_MMS_TYPES: dict[str, Direction] = {"132": "in", "128": "out"}  # retrieve-conf / send-req
_CALL_TYPES: dict[str, tuple[CallType, Direction]] = {
    "1": ("incoming", "in"),
    "2": ("outgoing", "out"),
    "3": ("missed", "in"),
    "4": ("voicemail", "in"),
    "5": ("rejected", "in"),
    "6": ("blocked", "in"),
    "7": ("answered_externally", "in"),
}
_PRESENTATIONS: dict[str, Presentation] = {"1": "allowed", "2": "withheld", "3": "unknown", "4": "payphone"}
# Numbers Android's call log stores when there is none to show.
_HIDDEN_NUMBERS: dict[str, Presentation] = {
    "": "withheld",
    "-1": "unknown",
    "-2": "withheld",
    "-3": "payphone",
}
_UNKNOWN_CONTACT = frozenset(["", "(Unknown)", "null"])
_NO_FLAGS: frozenset[str] = frozenset()
_UNREAD = frozenset(["unread"])
_OWN_ADDRESS_TOKEN = "insert-address-token"  # noqa: S105 - the app's "me" marker


# ---------------------------------------------------------------------------
# Byte-level pre-scan


def _valid_xml_char(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF
    )


def _fix_charrefs(data: bytes) -> tuple[bytes, int]:
    """Join surrogate-pair references; replace references XML forbids. (bytes, #fixed)."""
    out: list[bytes] = []
    last = 0
    fixed = 0
    for m in _SUSPECT_REF.finditer(data):
        if m.start() < last:
            continue  # the low half of a pair already joined
        cp = _ref_value(m)
        if _valid_xml_char(cp):
            continue
        end = m.end()
        repl = 0xFFFD
        if 0xD800 <= cp <= 0xDBFF:
            nxt = _CHARREF.match(data, end)
            if nxt is not None:
                lo = _ref_value(nxt)
                if 0xDC00 <= lo <= 0xDFFF:
                    repl = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                    end = nxt.end()
        if repl == 0xFFFD:
            fixed += 1
        out.append(data[last : m.start()])
        out.append(b"&#%d;" % repl)
        last = end
    if not out:
        return data, 0
    out.append(data[last:])
    return b"".join(out), fixed


def _ref_value(m: re.Match[bytes]) -> int:
    hexv, decv = m.group(1), m.group(2)
    return int(hexv, 16) if hexv else int(decv)


@dataclass
class _DataRef:
    """Where one ``<part data>`` value lives: a byte range, or bytes kept in memory."""

    offset: int
    length: int
    inline: bytes | None = None
    too_large: bool = False


class _Scanner:
    """Streams the file to expat, lifting ``<part data="...">`` values out of the way."""

    def __init__(self, fp: BinaryIO, seekable: bool, sink: Callable[[bytes], None]) -> None:
        self._fp = fp
        self._seekable = seekable
        self._sink = sink
        self._carry = b""
        self._since_gt = 0
        self._next_ref = 0
        self._inline_total = 0
        self.nonce = secrets.token_hex(8)
        self.prefix = f"vlref-{self.nonce}-"
        self.refs: dict[int, _DataRef] = {}
        self.repaired = 0

    # -- output ----------------------------------------------------------

    def _emit(self, piece: bytes, final: bool = False) -> None:
        if self._carry:
            piece = self._carry + piece
            self._carry = b""
        if not final:
            # Keep a possibly unfinished "&#...;" for the next piece, together with a
            # complete high-surrogate reference just before it (its low half may follow).
            amp = piece.rfind(b"&", max(0, len(piece) - 32))
            if amp >= 0:
                high = _HIGH_REF_AT_END.search(piece, max(0, amp - 16), amp)
                if high is not None:
                    amp = high.start()
                self._carry = piece[amp:]
                piece = piece[:amp]
        if not piece:
            return
        gt = piece.rfind(b">")
        if gt < 0:
            self._since_gt += len(piece)
        else:
            run = self._since_gt + piece.find(b">")
            self._since_gt = len(piece) - gt - 1
            if run > MAX_TOKEN_BYTES:
                self._since_gt = run
        if self._since_gt > MAX_TOKEN_BYTES:
            raise ImportFormatError("This file has an entry that is far too long to be a message.")
        if b"&#" in piece:
            piece, n = _fix_charrefs(piece)
            self.repaired += n
        if len(piece.translate(None, _CTRL_BYTES)) != len(piece):
            self.repaired += len(_CTRL_RE.findall(piece))
            piece = _CTRL_RE.sub(b"&#65533;", piece)
        self._sink(piece)

    def _read(self) -> bytes:
        data = self._fp.read(CHUNK_BYTES)
        if not isinstance(data, bytes):
            raise ImportFormatError(NOT_SMS)
        return data

    # -- the scan --------------------------------------------------------

    def run(self) -> Iterator[None]:
        """Feed everything; yields after each chunk so the caller can drain items."""
        buf = b""
        base = 0  # offset of buf[0] from the start of the source
        i = 0
        eof = False
        while True:
            j = buf.find(b"<part", i)
            need_more = False
            if j < 0:
                keep = len(buf) if eof else max(i, len(buf) - 5)
                self._emit(buf[i:keep])
                i = keep
                need_more = True
            elif j + 6 > len(buf) and not eof:
                self._emit(buf[i:j])
                i = j
                need_more = True
            elif buf[j + 5 : j + 6] not in (b" ", b"\t", b"\r", b"\n", b"/", b">"):
                self._emit(buf[i : j + 5])
                i = j + 5
                continue
            else:
                head = self._part_head(buf, j + 5)
                if head is None:
                    if len(buf) - j > MAX_TOKEN_BYTES:
                        raise ImportFormatError(
                            "This file has an entry that is far too long to be a message."
                        )
                    if eof:  # cut short inside a tag: expat reports it
                        self._emit(buf[i:], final=True)
                        return
                    self._emit(buf[i:j])
                    i = j
                    need_more = True
                else:
                    pos, quote = head
                    if quote is None:
                        self._emit(buf[i:pos])
                        i = pos
                        continue
                    self._emit(buf[i:pos])
                    buf, base, i = self._lift_value(buf, base, pos, quote)
                    continue
            if need_more:
                if eof:
                    self._emit(b"", final=True)
                    return
                buf = buf[i:]
                base += i
                i = 0
                more = self._read()
                if not more:
                    eof = True
                buf += more
                yield

    @staticmethod
    def _part_head(buf: bytes, k: int) -> tuple[int, bytes | None] | None:
        """Walk a ``<part`` tag's attributes from ``k``.

        Returns (index after the opening quote, quote) at a ``data`` value,
        (index of the tag end, None) if the tag has no data, or None if the buffer
        ends first. Malformed tags are passed through for expat to reject.
        """
        n = len(buf)
        while True:
            while k < n and buf[k] in _WS:
                k += 1
            if k >= n:
                return None
            if buf[k] in b"/>":
                return k, None
            m = _ATTR_RE.match(buf, k)
            if m is None:
                return (k, None) if buf.find(b">", k) >= 0 else None
            start = m.end()
            quote = m.group(2)
            if m.group(1) == b"data":
                return start, quote
            close = buf.find(quote, start)
            if close < 0:
                return None
            k = close + 1

    def _lift_value(self, buf: bytes, base: int, pos: int, quote: bytes) -> tuple[bytes, int, int]:
        """Skip a data value starting at ``buf[pos]``; emit a reference instead."""
        start = base + pos
        length = 0
        keep = not self._seekable
        kept: list[bytes] = []
        too_large = False
        close = buf.find(quote, pos)
        while close < 0:
            seg = buf[pos:]
            length += len(seg)
            if keep and not too_large:
                kept.append(seg)
                too_large = length > MAX_INLINE_PART_BYTES
            base += len(buf)
            buf = self._read()
            pos = 0
            if not buf:
                raise ImportFormatError("This backup file is cut short.")
            close = buf.find(quote)
        seg = buf[pos:close]
        length += len(seg)
        inline: bytes | None = None
        if keep:
            kept.append(seg)
            too_large = too_large or length > MAX_INLINE_PART_BYTES
            if not too_large and self._inline_total + length > MAX_INLINE_MMS_BYTES:
                too_large = True
            if not too_large:
                inline = b"".join(kept)
                self._inline_total += length
        ref = self._next_ref
        self._next_ref += 1
        self.refs[ref] = _DataRef(start, length, inline, too_large)
        self._emit(f"{self.prefix}{ref}".encode("ascii"))
        return buf, base, close

    def release(self, ref: int) -> _DataRef | None:
        data = self.refs.pop(ref, None)
        if data is not None and data.inline is not None:
            self._inline_total -= data.length
        return data

    def reset_inline(self) -> None:
        self._inline_total = 0


# ---------------------------------------------------------------------------
# Attachment bytes


def _b64_chunks(raw_chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Decode base64 arriving in arbitrary pieces (whitespace and char refs tolerated)."""
    pending = b""
    b64 = b""
    for raw in raw_chunks:
        data = pending + raw
        pending = b""
        if b"&" in data:
            amp = data.rfind(b"&")
            if b";" not in data[amp:]:
                pending = data[amp:]
                data = data[:amp]
            data = _ANY_REF.sub(b"", data)
        b64 += data.translate(None, _NON_B64)
        n = len(b64) // 4 * 4
        if n:
            out = binascii.a2b_base64(b64[:n])
            b64 = b64[n:]
            if out:
                yield out
    if b64.rstrip(b"="):
        yield binascii.a2b_base64(b64 + b"=" * (-len(b64) % 4))


def _region_chunks(src: Source, offset: int, length: int) -> Iterator[bytes]:
    done = 0
    while done < length:
        piece = src.pread(offset + done, min(CHUNK_BYTES, length - done))
        if not piece:
            raise ImportFormatError("The backup file changed or was cut short while reading it.")
        done += len(piece)
        yield piece


# ---------------------------------------------------------------------------
# Elements to items


def _nn(value: str | None) -> str:
    """The app writes the string "null" for absent values."""
    if value is None or value == "null":
        return ""
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _epoch_ms(value: str | None) -> datetime | None:
    if value is None or len(value) > 16:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=int(value))
    except (OverflowError, ValueError):
        return None


def _source_time(a: dict[str, str]) -> str:
    """The item's time as the backup writes it: ``date`` (milliseconds since 1970, UTC:
    the instant) and ``readable_date`` (the phone's own reading, when the app wrote it)."""
    out = f'date="{a.get("date", "")}"'
    readable = _nn(a.get("readable_date")).strip()
    return f'{out} readable_date="{readable[:60]}"' if readable else out


#: Who an item is from, or for what the phone's owner sent, to: (sender, sender_id, recipients).
_Who = tuple[str, str | None, tuple[str, ...]]


def _element_item(
    ref: str,
    when: datetime,
    a: dict[str, str],
    direction: Direction,
    who: _Who,
    kind: ItemKind,
    *,
    text: str = "",
    call: CallInfo | None = None,
    attachments: tuple[ParsedAttachment, ...] = (),
    flags: frozenset[str],
    subject: str | None = None,
) -> ParsedItem:
    """The item a call or an MMS element becomes, with the backup's own time for it."""
    sender, sender_id, recipients = who
    return ParsedItem(
        ref, when, sender, sender_id, direction, kind, text, call, attachments, flags, recipients, subject,
        _source_time(a),
    )  # fmt: skip


def _contact(value: str | None) -> str:
    name = _nn(value).strip()
    return "" if name in _UNKNOWN_CONTACT else name


def _call_flags(withheld: bool, call_type: str, raw_type: str) -> frozenset[str]:
    flags = {"withheld"} if withheld else set()
    if call_type == "unknown":
        kept = raw_type.strip()[:12]
        flags.add(f"call_type:{kept if kept.isascii() and kept.isalnum() else '?'}")
    return frozenset(flags)


def _estimate(length: int) -> int:
    return length * 3 // 4


@dataclass
class _Part:
    seq: int
    ct: str
    name: str
    text: str | None
    data: _DataRef | None
    inline_b64: str | None


class _Builder:
    """Turns element attributes into items; one instance per parse."""

    def __init__(self, src: Source, scanner: _Scanner, stats: ImportStats) -> None:
        self.src = src
        self.scanner = scanner
        self.stats = stats

    def sms(self, n: int, a: dict[str, str]) -> ParsedItem | None:
        # The hot path of a big backup: kept lean on purpose.
        when = _epoch_ms(a.get("date"))
        if when is None:
            self.stats.note_skip(f"sms #{n}", "missing or unreadable date")
            return None
        kind = a.get("type")
        if kind == "1":
            direction: Direction = "in"
            flags = _NO_FLAGS
        else:
            direction, flag = _SMS_TYPES.get(kind or "", ("unknown", None))
            flags = frozenset((flag,)) if flag else _NO_FLAGS
        if a.get("read") == "0":
            flags = flags | _UNREAD
        address = a.get("address") or ""
        if address == "null":
            address = ""
        address = address.strip()
        if direction == "out":
            sender, sender_id = "", None
            recipients = tuple(x for x in address.split("~") if x)
        else:
            contact = a.get("contact_name")
            if contact is not None:
                contact = contact.strip()
            sender = address if contact in _UNKNOWN_CONTACT or contact is None else contact
            sender_id = address or None
            recipients = ()
        subject = a.get("subject")
        return ParsedItem(
            f"sms #{n}",
            when,
            sender,
            sender_id,
            direction,
            "message",
            a.get("body") or "",
            None,
            (),
            flags,
            recipients,
            None if subject in (None, "", "null") else subject,
            _source_time(a),
        )

    @staticmethod
    def _people(direction: Direction, address: str, contact: str) -> _Who:
        if direction == "out":
            return "", None, tuple(x for x in address.split("~") if x)
        return (contact or address), (address or None), ()

    def _when(self, ref: str, a: dict[str, str]) -> datetime | None:
        """The element's instant, or None (noted as skipped) when it has no usable date."""
        when = _epoch_ms(a.get("date"))
        if when is None:
            self.stats.note_skip(ref, "missing or unreadable date")
        return when

    def call(self, n: int, a: dict[str, str]) -> ParsedItem | None:
        ref = f"call #{n}"
        when = self._when(ref, a)
        if when is None:
            return None
        raw_type = a.get("type", "")
        call_type, direction = _CALL_TYPES.get(raw_type, ("unknown", "unknown"))
        number = _nn(a.get("number")).strip()
        presentation = _PRESENTATIONS.get(a.get("presentation", "1"), "allowed")
        if number in _HIDDEN_NUMBERS and presentation == "allowed":
            presentation = _HIDDEN_NUMBERS[number]
        withheld = presentation != "allowed"
        if withheld:
            number = ""
        contact = "" if withheld else _contact(a.get("contact_name"))
        duration: int | None = None
        dur = a.get("duration", "").strip()
        if dur.isascii() and dur.isdigit() and len(dur) < 10:
            duration = int(dur)
        return _element_item(
            ref,
            when,
            a,
            direction,
            self._people(direction, number, contact),
            "voicemail" if call_type == "voicemail" else "phone_call",
            call=CallInfo(call_type, duration, withheld, presentation),
            flags=_call_flags(withheld, call_type, raw_type),
        )

    def part(self, a: dict[str, str]) -> _Part:
        data_ref: _DataRef | None = None
        inline_b64: str | None = None
        data = a.get("data")
        if data is not None:
            if data.startswith(self.scanner.prefix):
                tail = data[len(self.scanner.prefix) :]
                if tail.isascii() and tail.isdigit():
                    data_ref = self.scanner.release(int(tail))
            elif data not in ("", "null"):
                inline_b64 = data
        seq_s = a.get("seq", "0").strip()
        seq = int(seq_s) if ascii_digits(seq_s.lstrip("-")) and len(seq_s) < 10 else 0
        name = _nn(a.get("name")) or _nn(a.get("cl")) or _nn(a.get("fn"))
        text = a.get("text")
        return _Part(seq, _nn(a.get("ct")).lower().strip(), name, text, data_ref, inline_b64)

    def attachment(self, p: _Part, index: int) -> ParsedAttachment | None:
        name = p.name or f"part-{index}"
        ct = p.ct or None
        if p.data is not None:
            d = p.data
            if d.too_large:
                return ParsedAttachment(name=name, content_type=ct, size_hint=_estimate(d.length))
            if d.inline is not None:
                inline = d.inline

                def opener_inline(data: bytes = inline) -> Iterator[bytes]:
                    return _b64_chunks(iter([data]))

                return ParsedAttachment(name, None, ct, _estimate(d.length), opener_inline)
            src, off, length = self.src, d.offset, d.length

            def opener_region(src: Source = src, off: int = off, n: int = length) -> Iterator[bytes]:
                return _b64_chunks(_region_chunks(src, off, n))

            return ParsedAttachment(name, None, ct, _estimate(length), opener_region)
        if p.inline_b64 is not None:
            raw = p.inline_b64.encode("ascii", "ignore")

            def opener_attr(data: bytes = raw) -> Iterator[bytes]:
                return _b64_chunks(iter([data]))

            return ParsedAttachment(name, None, ct, _estimate(len(raw)), opener_attr)
        if p.text not in (None, "null") and p.ct not in ("text/plain", "application/smil"):
            body = (p.text or "").encode("utf-8")

            def opener_text(data: bytes = body) -> Iterator[bytes]:
                return iter([data])

            return ParsedAttachment(name, None, ct, len(body), opener_text)
        return None

    def mms(self, m: _Mms) -> ParsedItem | None:
        a = m.attrs
        ref = f"mms #{m.n}"
        when = self._when(ref, a)
        if when is None:
            return None
        box = a.get("msg_box", "")
        direction, flag = _MMS_BOXES.get(box, ("unknown", None))
        if direction == "unknown":
            direction = _MMS_TYPES.get(a.get("m_type", ""), "unknown")
        flags = {flag} if flag else set()
        if m.dropped:
            flags.add("parts_truncated")
        address = _nn(a.get("address")).strip()
        contact = _contact(a.get("contact_name"))
        froms = [x for x, t in m.addrs if t == "137" and x and x != _OWN_ADDRESS_TOKEN]
        tos = [x for x, t in m.addrs if t in ("151", "130", "129") and x and x != _OWN_ADDRESS_TOKEN]
        # A group MMS names every member in contact_name ("Dan Marsh, Sam Hill"): the
        # sender is then the "from" address. A single contact's name may itself hold a
        # comma ("Marsh, Dan"): only several addresses make a group (#19.4).
        group = "~" in address or len(set(froms) | set(tos)) > 1
        who: _Who
        if direction == "out":
            who = "", None, tuple(tos) or tuple(x for x in address.split("~") if x)
        else:
            frm = froms[0] if froms else address
            who = (contact if contact and not group else frm), frm or None, ()
        texts: list[str] = []
        attachments: list[ParsedAttachment] = []
        for index, p in enumerate(sorted(m.parts, key=lambda p: p.seq), start=1):
            if p.ct == "application/smil":
                continue
            if p.ct == "text/plain" and p.data is None and p.inline_b64 is None:
                if p.text is not None and p.text != "null":
                    texts.append(p.text)
                continue
            att = self.attachment(p, index)
            if att is not None:
                attachments.append(att)
                if not att.available:
                    flags.add("attachment_too_large")
        if a.get("read") == "0":
            flags.add("unread")
        return _element_item(
            ref,
            when,
            a,
            direction,
            who,
            "message",
            text="\n".join(texts),
            attachments=tuple(attachments),
            flags=frozenset(flags),
            subject=_nn(a.get("sub")) or None,
        )


@dataclass
class _Mms:
    n: int
    attrs: dict[str, str]
    parts: list[_Part]
    addrs: list[tuple[str, str]]
    dropped: bool = False


_MMS_KEEP = ("date", "readable_date", "msg_box", "m_type", "address", "contact_name", "sub", "read")


class _Handler:
    """Element events with plain attribute dicts (see :class:`_Parser`)."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.out: list[ParsedItem] = []
        self.depth = 0
        self.root_seen = False
        self.counts = {"sms": 0, "mms": 0, "call": 0}
        self.mms: _Mms | None = None

    def _emit(self, item: ParsedItem | None) -> None:
        if item is not None:
            self.out.append(item)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        depth = self.depth = self.depth + 1
        if depth == 2 and name == "sms":  # the hot path: most of a big backup
            n = self.counts["sms"] = self.counts["sms"] + 1
            item = self.b.sms(n, attrs)
            if item is not None:
                self.out.append(item)
            return
        if depth > MAX_DEPTH:
            raise ImportFormatError("This file is nested too deeply to be a phone backup.")
        if self.depth == 1:
            if name not in ("smses", "calls"):
                raise ImportFormatError(NOT_SMS)
            self.root_seen = True
            return
        if name == "part":
            part = self.b.part(attrs)  # always, to release its data reference
            if self.mms is not None and self.depth == 4:
                if len(self.mms.parts) < MAX_PARTS:
                    self.mms.parts.append(part)
                else:
                    self.mms.dropped = True
            return
        if self.depth == 2:
            if name in self.counts:
                self.counts[name] += 1
                n = self.counts[name]
                if name == "sms":
                    self._emit(self.b.sms(n, attrs))
                elif name == "call":
                    self._emit(self.b.call(n, attrs))
                else:
                    kept = {k: attrs[k] for k in _MMS_KEEP if k in attrs}
                    self.mms = _Mms(n, kept, [], [])
            return
        if name == "addr" and self.mms is not None and self.depth == 4:  # noqa: SIM102
            if len(self.mms.addrs) < MAX_ADDRS:
                self.mms.addrs.append((_nn(attrs.get("address")).strip(), attrs.get("type", "")))

    def end(self, name: str) -> None:
        if name == "mms" and self.depth == 2 and self.mms is not None:
            self._emit(self.b.mms(self.mms))
            self.mms = None
            self.b.scanner.reset_inline()
        self.depth -= 1


def _check_head(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        raise ImportFormatError("This backup is saved as UTF-16, which we can't read yet.")
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    body = body.lstrip(_WS)
    if not body.startswith(b"<") or (b"<smses" not in head and b"<calls" not in head):
        refuse_unless("sms-backup", head)  # names what it looks like (#19.8)
        raise ImportFormatError(NOT_SMS)


class _Parser(DefusedExpatParser):  # type: ignore[misc]
    """defusedxml's expat reader (DTDs, entities, external references forbidden).

    Element events go straight to :class:`_Handler` with expat's attribute dict:
    building a SAX ``AttributesImpl`` per element costs a third of the parse time.
    """

    def __init__(self, handler: _Handler) -> None:
        super().__init__(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self.setFeature(xml.sax.handler.feature_namespaces, False)
        self.setFeature(xml.sax.handler.feature_external_ges, False)
        self.setFeature(xml.sax.handler.feature_external_pes, False)
        self._vl_handler = handler

    def reset(self) -> None:
        super().reset()
        # Straight to our handler: no SAX AttributesImpl, no extra Python frame per
        # element. Text between elements is only indentation: not reported at all.
        self._parser.StartElementHandler = self._vl_handler.start
        self._parser.EndElementHandler = self._vl_handler.end
        self._parser.CharacterDataHandler = None


def _make_parser(handler: _Handler) -> _Parser:
    return _Parser(handler)


def _items(src: Source, stats: ImportStats) -> Iterator[ParsedItem]:
    with src.open() as fp:
        builder: _Builder
        handler: _Handler
        holder: list[_Parser] = []

        def sink(data: bytes) -> None:
            holder[0].feed(data)

        scanner = _Scanner(fp, src.seekable, sink)
        builder = _Builder(src, scanner, stats)
        handler = _Handler(builder)
        holder.append(_make_parser(handler))
        try:
            for _ in scanner.run():
                if handler.out:
                    ready, handler.out = handler.out, []
                    yield from ready
            holder[0].close()
        except xml.sax.SAXParseException as exc:
            raise ImportFormatError(
                f"This backup file is damaged or cut short (near line {exc.getLineNumber()})."
            ) from None
        except LookupError as exc:
            if type(exc) is not LookupError:  # KeyError/IndexError would be our bug
                raise
            # expat asks Python for codecs named in the XML declaration.
            raise ImportFormatError("This backup declares a text encoding we can't read.") from None
        except DefusedXmlException:
            raise ImportFormatError(
                "This file uses XML features (a document type or entities) that phone "
                "backups never use, so we won't read it."
            ) from None
        yield from handler.out
        handler.out = []
        if not handler.root_seen:
            raise ImportFormatError(NOT_SMS)
        if scanner.repaired:
            stats.note_skip("file", f"{scanner.repaired} unreadable characters shown as \ufffd")


def parse_sms_backup(source: object) -> ItemStream:
    """Read an SMS Backup & Restore ``.xml`` (messages or call log) incrementally.

    ``source`` is a path, bytes or a binary file object (kept open by the caller
    until the stream and its attachments are done with). The start of the file is
    checked before this returns (:data:`NOT_SMS`); the rest is read as the stream is
    consumed, with memory bounded regardless of file size.
    """
    src = Source(source, spool_limit=None)
    _check_head(src.head(HEAD_BYTES))
    return ItemStream("sms-backup", lambda stats: _items(src, stats))
