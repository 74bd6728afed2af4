"""What a file looks like, from its first bytes and its name (#19.8).

Each importer reads its own format positively; when it is handed another one it says
which, so "a Signal export imported as WhatsApp messages" cannot happen silently and
the person is told what to choose instead. Only the start of the file is looked at,
and nothing of its content is ever put in a message: only the format's name.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .records import ImportFormatError

__all__ = ["FORMAT_NAMES", "check_format", "looks_like", "refusal", "refuse_unless"]

HEAD_BYTES = 64 * 1024


class _Kind(NamedTuple):
    """How a refusal names a kind of file, and what it tells the person to do instead."""

    what: str
    advice: str


_KINDS: dict[str, _Kind] = {
    "whatsapp": _Kind("a WhatsApp chat export", "choose WhatsApp (--format whatsapp)"),
    "sms-backup": _Kind("an SMS Backup & Restore backup of messages", "choose SMS (--format sms-backup)"),
    "calls": _Kind("an SMS Backup & Restore backup of the call log", "choose calls (--format calls)"),
    "email": _Kind("an email", "choose email (--format email)"),
    "mbox": _Kind("a mailbox (.mbox)", "choose email (--format email)"),
    "outlook": _Kind("an Outlook email (.msg)", "choose email (--format email)"),
    "office": _Kind("an Office document (.doc, .xls, .ppt)", "add it as evidence instead"),
    "signal": _Kind(
        "a Signal chat exported with signal-export (Markdown)",
        "choose Signal (--format signal) with the chat's folder or its chat.md",
    ),
    "telegram": _Kind(
        "a Telegram Desktop export (result.json or HTML)",
        "choose Telegram (--format telegram) with its result.json or messages.html",
    ),
    "meta": _Kind(
        "a Facebook Messenger or Instagram download (JSON or HTML)",
        "choose Messenger or Instagram (--format messenger) with its message_1.json or message_1.html",
    ),
    "imessage": _Kind(
        "an iPhone Messages export (imessage-exporter or iMazing)",
        "choose iPhone Messages (--format imessage) with the conversation's file",
    ),
    "imazing-calls": _Kind(
        "iMazing's iPhone call history (CSV)",
        "choose iPhone call history (--format iphone-calls)",
    ),
    "sqlite": _Kind(
        "a database file (such as an iPhone backup's sms.db)",
        "choose iPhone backup (--format iphone-backup, or iphone-calls for CallHistory.storedata)",
    ),
    "proofmode": _Kind("a ProofMode proof zip", "choose ProofMode (--format proofmode)"),
    "tella": _Kind(
        "Tella's verification information (CSV)",
        "choose Tella (--format tella) with its folder or the CSV",
    ),
    "pdf": _Kind("a PDF document", "add it as evidence instead"),
    "image": _Kind("a picture", "choose photos (--format photos) with its folder, or add it as evidence"),
}
#: The formats ``--format`` names, as messages call them.
FORMAT_NAMES = {
    "whatsapp": "a WhatsApp chat",
    "sms-backup": "an SMS backup",
    "calls": "a call log backup",
    "email": "an email or mailbox",
    "signal": "a Signal chat (signal-export)",
    "telegram": "a Telegram Desktop chat export",
    "messenger": "a Messenger or Instagram chat download",
    "imessage": "an iPhone Messages export",
    "iphone-backup": "an iPhone backup's messages (sms.db)",
    "iphone-calls": "an iPhone's call history (a backup's CallHistory.storedata or iMazing's CSV)",
    "proofmode": "a ProofMode proof zip",
    "tella": "Tella's verification CSV and its files",
}
_ACCEPTS = {
    "whatsapp": {"whatsapp"},
    "sms-backup": {"sms-backup"},
    "calls": {"calls"},
    "email": {"email", "mbox", "outlook", "office"},
    "signal": {"signal"},
    "telegram": {"telegram"},
    "messenger": {"meta"},
    "imessage": {"imessage"},
    "iphone-backup": {"sqlite"},
    "iphone-calls": {"sqlite", "imazing-calls"},
    "proofmode": {"proofmode"},
    "tella": {"tella"},
}

_PICTURES = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8")
_MARKS = re.compile("[\ufeff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
_WA_HEADER = re.compile(r"^\[?\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}\.?[,\u060c]?\s(?:\w+\.?\s)?\d{1,2}[:.]\d{2}")
# signal-export's Markdown: "[2024-03-12 20:01:05] Dan Marsh: text", files as "[name](./media/...)".
_SIGNAL_LINE = re.compile(r"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?\] [^:\n]{1,200}: ", re.MULTILINE)
_SIGNAL_LINK = re.compile(r"\]\(\./media/|\]\(\.\./exported_stickers/|^\(- .+ -\)$", re.MULTILINE)
_IMESSAGE_TXT = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4}\s+\d{1,2}:\d{2}:\d{2}\s?[AP]M")
_IMAZING_HEADERS = ("Chat Session,Message Date,", "Chat Session,Message ID,")  # iMazing CSV, both variants
_EMAIL_HEADER = re.compile(
    rb"^(?:Received|Return-Path|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To):", re.I | re.M
)


def looks_like(head: bytes, name: str = "") -> str | None:
    """The kind of file (a key of the table above) ``head`` and ``name`` suggest, or None."""
    lower = name.lower()
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    stripped = body.lstrip(b" \t\r\n")
    if stripped.startswith(b"%PDF"):
        return "pdf"
    if stripped.startswith((b"\xff\xd8\xff", b"\x89PNG", b"GIF8")) or body[4:12] in (
        b"ftypheic",
        b"ftypmif1",
    ):
        return "image"
    if body.startswith(b"PK\x03\x04") and (b".proof.json" in body or b".proof.csv" in body):
        return "proofmode"  # the proof files' names in the zip's first local headers
    if stripped.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if body.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE: Outlook .msg or old Office
        return "outlook" if lower.endswith(".msg") or "__substg1.0_".encode("utf-16-le") in body else "office"
    if stripped.startswith(b"<"):
        if b"<smses" in body:
            return "sms-backup"
        if b"<calls" in body:
            return "calls"
        if b"tgme_" in body or b"page_wrap" in body and (b"Telegram" in body or b'class="history"' in body):
            return "telegram"  # Telegram Desktop's messages.html
        if b"_a6-g" in body and b"_a6-h" in body:
            return "meta"  # Meta's message_1.html
        if b"<span class=sender>" in body and b"<span class=date>" in body or b"class='msg" in body:
            return "signal"  # signal-export's chat.html
        if b'class="message"' in body and b'class="sender"' in body or b'class ="announcement"' in body:
            return "imessage"
    if stripped.startswith((b"{", b"[")) and lower.endswith(".json") or stripped.startswith(b"{"):
        if b'"sender_name"' in body and b'"participants"' in body:
            return "meta"
        if b'"personal_chat"' in body or b'"from_id"' in body or (b'"chats"' in body and b'"about"' in body):
            return "telegram"
    if body.startswith(b"From ") and b"\n" in body:
        return "mbox"
    text = body.decode("utf-8", "replace")
    first = _MARKS.sub("", next((ln for ln in text.splitlines() if ln.strip()), ""))
    header = first.lower()
    if (
        "hash" in header
        and ("filename" in header or "file name" in header)
        and ("," in first or ";" in first)
    ):
        return "tella"  # a CSV naming each file and its hash
    if (
        lower.endswith(".md")
        and _SIGNAL_LINE.search(text)
        or _SIGNAL_LINE.match(first)
        and _SIGNAL_LINK.search(text)
    ):
        return "signal"
    if _WA_HEADER.match(first):
        return "whatsapp"
    if _IMESSAGE_TXT.match(first) or first.startswith(_IMAZING_HEADERS):
        return "imessage"
    if first.startswith("Call type,Date,Duration,"):
        return "imazing-calls"
    if len(_EMAIL_HEADER.findall(body[:8192])) >= 2:
        return "email"
    return None


def check_format(fmt: str, head: bytes, name: str = "") -> None:
    """Refuse, naming what it looks like, a file that is plainly another format than ``fmt``.

    A file we cannot place is left to the format's own reader, which refuses it if
    it is not what it should be.
    """
    accepts = _ACCEPTS.get(fmt)
    if accepts is None:
        return
    kind = looks_like(head, name)
    if kind is None or kind in accepts:
        return
    raise ImportFormatError(refusal(fmt, kind))


def refusal(fmt: str, kind: str) -> str:
    """ "This file looks like <kind>, not <fmt>: <what to do>." (names formats only)."""
    what, advice = _KINDS[kind]
    return f"This file looks like {what}, not {FORMAT_NAMES[fmt]}: {advice}. Nothing was imported."


def refuse_unless(fmt: str, head: bytes, name: str = "") -> None:
    """For a format's own reader: refuse a file that plainly is another known format."""
    kind = looks_like(head, name)
    if kind is not None and kind not in _ACCEPTS[fmt]:
        raise ImportFormatError(refusal(fmt, kind))
