"""A small Outlook ``.msg`` writer for the import tests (MS-OXMSG, Unicode properties).

Builds the fixtures in ``fixtures/outlook_*.msg`` and hostile variants at test time:
the top-level property stream, recipients and attachments by value, as Outlook writes
them. Written with extract-msg's own OLE writer, so only the MSG layout is ours.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime

from extract_msg.ole_writer import OleWriter

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


@dataclass
class Attachment:
    long_name: str | bytes
    data: bytes
    mime: str = "application/octet-stream"
    short_name: str | None = None
    embedded: Msg | None = None  # an email attached to the email (ATTACH_EMBEDDED_MSG)


@dataclass
class Msg:
    subject: str = ""
    sender_name: str = ""
    sender_email: str = ""
    sent: datetime | None = None
    body: str = ""
    html: bytes | None = None
    to: list[tuple[str, str, int]] = field(default_factory=list)  # name, address, 1 To / 2 Cc
    attachments: list[Attachment] = field(default_factory=list)
    headers: str | None = None
    message_class: str = "IPM.Note"


def _filetime(dt: datetime) -> int:
    delta = dt - _FILETIME_EPOCH
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


class _Props:
    def __init__(self, writer: OleWriter, prefix: list[str], header: bytes) -> None:
        self.writer, self.prefix, self.entries = writer, prefix, [header]

    def fixed(self, pid: int, ptype: int, value: int) -> None:
        self.entries.append(struct.pack("<IIQ", (pid << 16) | ptype, 6, value))

    def var(self, pid: int, ptype: int, data: bytes) -> None:
        self.entries.append(
            struct.pack("<IIII", (pid << 16) | ptype, 6, len(data) + (2 if ptype == PT_UNICODE else 0), 0)
        )
        self.writer.addEntry([*self.prefix, f"__substg1.0_{pid:04X}{ptype:04X}"], data)

    def text(self, pid: int, value: str | bytes) -> None:
        raw = value if isinstance(value, bytes) else value.encode("utf-16-le")
        self.var(pid, PT_UNICODE, raw)

    def close(self) -> None:
        self.writer.addEntry([*self.prefix, "__properties_version1.0"], b"".join(self.entries))


def build_msg(m: Msg) -> bytes:
    w = OleWriter()
    w.addEntry(["__nameid_version1.0"], storage=True)
    for s in ("00020102", "00030102", "00040102"):
        w.addEntry(["__nameid_version1.0", f"__substg1.0_{s}"], b"")
    _write(w, m, [])
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _write(w: OleWriter, m: Msg, prefix: list[str]) -> None:
    counts = struct.pack("<IIII", len(m.to), len(m.attachments), len(m.to), len(m.attachments))
    head = b"\0" * 8 + counts + (b"" if prefix else b"\0" * 8)  # an embedded message's header is 24 bytes
    top = _Props(w, prefix, head)
    top.text(0x001A, m.message_class)
    if m.subject:
        top.text(0x0037, m.subject)
    if m.sender_name:
        top.text(0x0C1A, m.sender_name)
        top.text(0x0042, m.sender_name)
    if m.sender_email:
        top.text(0x0C1F, m.sender_email)
        top.text(0x0C1E, "SMTP")
    if m.sent is not None:
        top.fixed(0x0039, PT_SYSTIME, _filetime(m.sent))
        top.fixed(0x0E06, PT_SYSTIME, _filetime(m.sent))
    top.fixed(0x0E07, PT_LONG, 1)  # read, sent (not unsent)
    if m.body:
        top.text(0x1000, m.body)
    if m.html is not None:
        top.var(0x1013, PT_BINARY, m.html)
    if m.headers is not None:
        top.text(0x007D, m.headers)
    top.text(0x0E04, "; ".join(n for n, _a, t in m.to if t == 1))
    for i, (name, addr, rtype) in enumerate(m.to):
        folder = [*prefix, f"__recip_version1.0_#{i:08X}"]
        w.addEntry(folder, storage=True)
        p = _Props(w, folder, b"\0" * 8)
        p.fixed(0x0C15, PT_LONG, rtype)
        p.fixed(0x3000, PT_LONG, i)
        p.text(0x3001, name)
        p.text(0x3003, addr)
        p.text(0x3002, "SMTP")
        p.text(0x39FE, addr)
        p.close()
    for i, a in enumerate(m.attachments):
        folder = [*prefix, f"__attach_version1.0_#{i:08X}"]
        w.addEntry(folder, storage=True)
        p = _Props(w, folder, b"\0" * 8)
        p.fixed(0x3705, PT_LONG, 5 if a.embedded else 1)  # ATTACH_EMBEDDED_MSG or ATTACH_BY_VALUE
        p.fixed(0x0E21, PT_LONG, i)
        p.text(0x3707, a.long_name)
        p.text(0x3704, a.short_name or (a.long_name if isinstance(a.long_name, str) else "file")[:12])
        p.text(0x370E, a.mime)
        if a.embedded is not None:
            inner = [*folder, "__substg1.0_3701000D"]
            w.addEntry(inner, storage=True)
            _write(w, a.embedded, inner)
        else:
            p.var(0x3701, PT_BINARY, a.data)
        p.close()
    top.close()
