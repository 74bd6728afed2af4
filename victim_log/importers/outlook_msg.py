"""Outlook emails saved as ``.msg`` (MS-OXMSG), read with the maintained extract-msg package.

Outlook (Windows) saves a message by dragging it to a folder or File › Save As; the
file is an OLE compound file holding the message's properties. extract-msg reads
them; around it we bound the file's size, refuse anything that is not an OLE file
before the library sees it, and turn every failure inside the library into one kind
message (a damaged ``.msg`` can make it raise almost anything).

What an item holds: the sender (display name and SMTP address), the To and Cc
recipients, the subject, the plain-text body (an HTML-only body through the same
converter as ``.eml``, which runs and fetches nothing), and each attachment by value
as an exhibit (an attached email as its own ``.msg``). The time is the ``Date`` of
the transport headers when Outlook kept them (the offset the sender's server wrote),
else the submit time (UTC, flag none), else the delivery time (flag
``"date_from_delivery"``); none at all is flag ``"no_date"``.

Attachment names are whatever the sender's program wrote: "../../x", NUL bytes and
broken UTF-16 are shown safely by the service (``display_safe``; the evidence record
keeps a name's raw bytes) and are never used as a path.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Collection
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from typing import Any

from .email_import import _SURROGATE
from .email_import import _direction
from .email_import import _safe_id
from .email_import import header_date
from .email_import import html_to_text
from .email_import import parse_email_file
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Source

__all__ = ["NOT_MSG", "OLE_MAGIC", "is_msg", "parse_mail", "parse_msg"]

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NOT_MSG = "This file doesn't look like an Outlook email (.msg)."
DAMAGED_MSG = "This Outlook email (.msg) is damaged, so it can't be read. Nothing was imported."
#: Outlook refuses to attach more than about 150 MB; a bigger .msg is not a real one.
MAX_MSG_BYTES = 256 * 1024 * 1024
MAX_ATTACHMENTS = 500
_NAME_CHARS = 255
_log = logging.getLogger("extract_msg")


def is_msg(head: bytes) -> bool:
    """Whether ``head`` starts like an OLE compound file (an Outlook ``.msg``)."""
    return head.startswith(OLE_MAGIC)


def _text(value: object, limit: int = 10_000_000) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    value = value[:limit].replace("\x00", "")
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _prop(msg: Any, stream: str) -> str:
    """A string property by its stream name ("" when absent or unreadable)."""
    try:
        return _text(msg.getStringStream(stream), 100_000)
    except Exception:  # noqa: BLE001 - extract-msg raises anything on a damaged property
        return ""


def _safe(read: Any, default: Any = None) -> Any:
    """``read()``, or ``default`` when the library trips over the file."""
    try:
        return read()
    except Exception:  # noqa: BLE001 - see _prop
        return default


def _header_line(headers: str, name: str) -> str:
    """The value of the first header line ``name`` (lower case, with its colon) in the kept headers."""
    return next((ln[len(name) :].strip() for ln in headers.splitlines() if ln.lower().startswith(name)), "")


def _when(msg: Any, headers: str, flags: set[str]) -> tuple[datetime | None, str]:
    date_line = _header_line(headers, "date:")
    when = header_date(date_line, flags)
    if when is not None:
        return when, date_line[:120]
    for prop, flag in (("00390040", ""), ("0E060040", "date_from_delivery")):
        value = _safe(lambda p=prop: msg.props.getValue(p))
        if isinstance(value, datetime):
            if flag:
                flags.add(flag)
            value = value if value.tzinfo else value.replace(tzinfo=UTC)
            return value, value.isoformat(timespec="seconds")
    flags.add("no_date")
    return None, ""


def _name(att: Any, index: int) -> str:
    for attr in ("longFilename", "shortFilename", "displayName"):
        name = _text(_safe(lambda a=attr: getattr(att, a)), 4096).strip()
        if name:
            return name[:_NAME_CHARS]
    return f"attachment-{index}"


def _attachment(att: Any, index: int, flags: set[str]) -> ParsedAttachment:
    name = _name(att, index)
    data = _safe(lambda: att.data)
    mime = _text(_safe(lambda: att.mimetype), 200) or None
    if isinstance(data, bytes):
        blob = data
        return ParsedAttachment(name, None, mime, len(blob), lambda: iter([blob]))
    export = getattr(data, "exportBytes", None)
    if export is not None:  # an email attached to the email: kept as its own .msg
        inner = _safe(export)
        if isinstance(inner, bytes):
            shown = name if name.lower().endswith(".msg") else f"{name}.msg"
            return ParsedAttachment(
                shown, None, "application/vnd.ms-outlook", len(inner), lambda: iter([inner])
            )
    flags.add("attachment_missing")
    return ParsedAttachment(name, None, mime)


def _item(msg: Any, me: frozenset[str]) -> ParsedItem:
    flags: set[str] = set()
    headers = _text(_safe(lambda: msg.headerText), 200_000) if _prop(msg, "__substg1.0_007D") else ""
    when, source_time = _when(msg, headers, flags)
    name = _prop(msg, "__substg1.0_0C1A") or _prop(msg, "__substg1.0_0042")
    address = next(
        (
            a
            for a in (_prop(msg, s) for s in ("__substg1.0_5D01", "__substg1.0_0C1F", "__substg1.0_0065"))
            if "@" in a
        ),
        "",
    )
    recipients: list[str] = []
    for r in (_safe(lambda: msg.recipients, []) or [])[:200]:
        rtype = int(_safe(lambda r=r: r.type, 0) or 0)
        addr = _text(_safe(lambda r=r: r.email), 500).strip()
        if rtype in (1, 2) and addr:
            recipients.append(addr)
    body = _text(_safe(lambda: msg.body))
    if not body.strip():
        html = _safe(lambda: msg.htmlBody)
        if isinstance(html, bytes) and html.strip():
            body = html_to_text(html.decode("utf-8", "replace"))
            flags.add("from_html")
    attachments = [
        _attachment(att, n, flags)
        for n, att in enumerate((_safe(lambda: msg.attachments, []) or [])[:MAX_ATTACHMENTS], 1)
    ]
    mid = _safe_id(_prop(msg, "__substg1.0_1035") or _header_line(headers, "message-id:"))
    return ParsedItem(
        source_ref=f"email (Message-ID {mid})" if mid else "email",
        occurred_at=when,
        sender=(name or address).strip()[:200],
        sender_id=address[:320] or None,
        direction=_direction(address, recipients, me),
        kind="email",
        text=body.replace("\r\n", "\n"),
        attachments=tuple(attachments),
        flags=frozenset(flags),
        recipients=tuple(recipients),
        subject=_prop(msg, "__substg1.0_0037")[:2000] or None,
        source_time=source_time,
    )


def _read(src: Source) -> bytes:
    with src.open() as fp:
        data = fp.read(MAX_MSG_BYTES + 1)
    if len(data) > MAX_MSG_BYTES:
        raise ImportFormatError(
            f"This Outlook email is too large to import (over {MAX_MSG_BYTES // 2**20} MB). "
            "Nothing was imported."
        )
    return data


def parse_msg(source: object, *, me: Collection[str] = ()) -> ItemStream:
    """Read one Outlook ``.msg`` (path, bytes or binary file); one item."""
    src = Source(source)
    head = src.head(len(OLE_MAGIC))
    if not head:
        raise ImportFormatError("This file is empty.")
    if not is_msg(head):
        raise ImportFormatError(NOT_MSG)
    data = _read(src)
    if "__properties_version1.0".encode("utf-16-le") not in data:
        raise ImportFormatError(NOT_MSG)  # another OLE file: an old Word or Excel document
    own = frozenset(a.lower() for a in me)
    _log.addHandler(logging.NullHandler())
    _log.propagate = False  # its messages can quote the file: never in our logs or on stderr
    import extract_msg  # noqa: PLC0415 - a heavy import, only when a .msg is read
    from extract_msg.enums import ErrorBehavior  # noqa: PLC0415

    try:
        msg = extract_msg.openMsg(
            io.BytesIO(data),
            errorBehavior=ErrorBehavior.ATTACH_SUPPRESS_ALL | ErrorBehavior.RTFDE,
            strict=False,
            delayAttachments=False,
        )
        item = _item(msg, own)
        if not _prop(msg, "__substg1.0_001A").upper().startswith(("IPM.NOTE", "REPORT.IPM.NOTE", "IPM.")):
            raise ImportFormatError(NOT_MSG)
    except ImportFormatError:
        raise
    except Exception:  # noqa: BLE001 - anything the library raises on a damaged file
        raise ImportFormatError(DAMAGED_MSG) from None
    finally:
        del data

    def produce(stats: ImportStats) -> Iterator[ParsedItem]:
        try:
            yield item
        finally:
            _safe(msg.close)

    return ItemStream("email-msg", produce, closer=lambda: _safe(msg.close))


def parse_mail(source: object, *, me: Collection[str] = ()) -> ItemStream:
    """``--format email``: an Outlook ``.msg``, an ``.eml`` or an ``.mbox``, by the first bytes."""
    src = Source(source)
    if is_msg(src.head(len(OLE_MAGIC))):
        return parse_msg(source, me=me)
    return parse_email_file(source, me=me)
