"""Telegram Desktop and Meta (Facebook Messenger, Instagram) chat downloads, streamed.

Both write a chat as one JSON object whose ``"messages"`` array holds every message;
it is read one message at a time (:mod:`.jsonstream`), so a 200 MB download never
sits in memory.

**Telegram Desktop** ("Export chat history", JSON): ``result.json`` beside ``photos/``,
``files/``, ``voice_messages/`` ...; a message has ``date_unixtime`` (UTC seconds; the
``date`` written beside it is the exporting computer's clock and is kept as the source
time), ``from``, ``text`` (a string, or a list of strings and ``{"type", "text"}``
pieces), ``photo``/``file`` (paths in the export, or "(File not included ...)"),
``edited``, and service messages (``"type": "service"``; calls are
``"action": "phone_call"`` with ``discard_reason`` and ``duration_seconds``).

**Meta** ("Download your information", JSON): ``message_1.json`` (then ``_2`` ...) in
the chat's folder, newest message first; ``sender_name``, ``timestamp_ms``, ``content``,
``photos``/``videos``/``audio_files``/``files``/``gifs`` (``uri`` paths inside the
download), ``share``, ``call_duration``, ``is_unsent``. Meta writes every string's UTF-8
bytes as if each were a Latin-1 character ("Ã©" for "é", "ð\\x9f\\x98\\xa0" for an
emoji): each string is turned back (:func:`fix_mojibake`).

Files are looked up by name in the folder the chat file is in (and below it, for
Meta's ``photos/``): what the download left out is named and marked missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

from .jsonstream import iter_array
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
from .whatsapp import file_attachment

__all__ = ["fix_mojibake", "parse_meta", "parse_telegram"]

NOT_TELEGRAM = "This file doesn't look like a Telegram Desktop chat export (result.json)."
NOT_META = "This file doesn't look like a Messenger or Instagram chat download (message_1.json)."
MAX_FILES = 100_000
MAX_TEXT = 1024 * 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOT_INCLUDED = "(File not included"


def fix_mojibake(text: str) -> str:
    """Meta's "Latin-1 escaped UTF-8" back to the text it was; other text unchanged."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


class _Files:
    """The files of a download by name: the chat file's folder and what is below it."""

    def __init__(self, folder: Path | None) -> None:
        self._by_name: dict[str, Path] = {}
        if folder is None:
            return
        seen = 0
        for root, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
            for name in files:
                path = Path(root, name)
                seen += 1
                if seen > MAX_FILES:
                    return
                if not path.is_symlink() and name not in self._by_name:
                    self._by_name[name] = path

    def attachment(self, written: str) -> ParsedAttachment:
        name = os.path.basename(written.replace("\\", "/")) or written
        path = self._by_name.get(name)
        return ParsedAttachment(name=name) if path is None else file_attachment(name, path)


def _str(value: object, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 16:
        return int(value)
    return None


def _instant(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except OverflowError:
        return None


def _telegram_text(value: object) -> str:
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, list):
        parts = [
            p if isinstance(p, str) else _str(p.get("text")) if isinstance(p, dict) else "" for p in value
        ]
        return "".join(parts)[:MAX_TEXT]
    return ""


_TG_CALLS: dict[str, CallType] = {"missed": "missed", "busy": "rejected", "hangup": "incoming"}


def _telegram_item(n: int, m: dict[str, Any], files: _Files, stats: ImportStats) -> ParsedItem | None:
    ref = f"message #{n}"
    when = _instant(_int(m.get("date_unixtime")))
    if when is None:
        stats.note_skip(ref, "missing or unreadable date")
        return None
    shown = _str(m.get("date"), 40)  # the exporting computer's clock, as written
    flags: set[str] = set()
    kind: ItemKind = "message"
    call = None
    sender = _str(m.get("from") or m.get("actor"), 200)
    sid = _str(m.get("from_id") or m.get("actor_id"), 100) or None
    if m.get("type") == "service":
        if m.get("action") != "phone_call":
            flags.add("system")
            return ParsedItem(ref, when, "", None, "unknown", "message", "", flags=frozenset(flags))
        kind = "phone_call"
        call = CallInfo(
            _TG_CALLS.get(_str(m.get("discard_reason"), 20), "unknown"), _int(m.get("duration_seconds"))
        )
    text = _telegram_text(m.get("text"))
    attachments: list[ParsedAttachment] = []
    for key in ("photo", "file", "thumbnail") if kind == "message" else ():
        written = _str(m.get(key), 1000)
        if not written or (key == "thumbnail" and attachments):
            continue
        if written.startswith(_NOT_INCLUDED):
            media = _str(m.get("media_type"), 40).replace("_", " ") or key
            attachments.append(ParsedAttachment(name=_str(m.get("file_name"), 200) or media))
        else:
            attachments.append(files.attachment(written))
        if not attachments[-1].available:
            flags.add("attachment_missing")
    if "edited" in m:
        flags.add("edited")
    atts, marks = tuple(attachments), frozenset(flags)
    return ParsedItem(ref, when, sender, sid, "unknown", kind, text, call, atts, marks, source_time=shown)


def _meta_item(n: int, m: dict[str, Any], files: _Files, stats: ImportStats) -> ParsedItem | None:
    ref = f"message #{n}"
    ms = _int(m.get("timestamp_ms"))
    when = _instant(ms // 1000 if ms is not None else None)
    if when is None or ms is None:
        stats.note_skip(ref, "missing or unreadable date")
        return None
    when += timedelta(milliseconds=ms % 1000)
    sender = fix_mojibake(_str(m.get("sender_name"), 200))
    text = fix_mojibake(_str(m.get("content")))
    flags: set[str] = set()
    kind: ItemKind = "message"
    call = None
    attachments: list[ParsedAttachment] = []
    for key in ("photos", "videos", "audio_files", "files", "gifs"):
        value = m.get(key)
        if isinstance(value, list):
            for entry in value[:500]:
                if isinstance(entry, dict) and _str(entry.get("uri"), 1000):
                    att = files.attachment(fix_mojibake(_str(entry.get("uri"), 1000)))
                    attachments.append(att)
                    if not att.available:
                        flags.add("attachment_missing")
    sticker = m.get("sticker")
    if isinstance(sticker, dict) and _str(sticker.get("uri"), 1000):
        attachments.append(files.attachment(_str(sticker.get("uri"), 1000)))
    share = m.get("share")
    if isinstance(share, dict) and _str(share.get("link"), 2000):
        text = (text + "\n" if text else "") + _str(share.get("link"), 2000)
    if "call_duration" in m:
        kind = "phone_call"
        duration = _int(m.get("call_duration"))
        call = CallInfo("missed" if not duration else "incoming", duration or None)
        text = ""
    if m.get("is_unsent") is True:
        flags.add("deleted")
    atts, marks = tuple(attachments), frozenset(flags)
    return ParsedItem(ref, when, sender, None, "unknown", kind, text, call, atts, marks, source_time=str(ms))


def _stream(
    src: Source,
    fmt: str,
    not_this: str,
    build: Callable[[int, dict[str, Any], _Files, ImportStats], ParsedItem | None],
    files: _Files,
    me: str | None,
) -> ItemStream:
    def produce(stats: ImportStats) -> Iterator[ParsedItem]:
        with src.open() as fp:
            for n, value in enumerate(iter_array(fp, "messages", not_this), start=1):
                if not isinstance(value, dict):
                    stats.note_skip(f"message #{n}", "not a message")
                    continue
                item = build(n, value, files, stats)
                if item is None:
                    continue
                if me is not None and item.sender and "system" not in item.flags:
                    item = replace(item, direction="out" if item.sender == me else "in")
                yield item

    return ItemStream(fmt, produce)


def _open(source: object, fmt: str, not_this: str, media_folder: Path | None) -> tuple[Source, _Files]:
    src = Source(source)
    head = src.head(HEAD_BYTES)
    refuse_unless(fmt, head, os.path.basename(src.path or ""))
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") or b'"messages"' not in head:
        raise ImportFormatError(not_this)
    return src, _Files(media_folder)


def parse_telegram(source: object, *, me: str | None = None, media_folder: Path | None = None) -> ItemStream:
    """A Telegram Desktop ``result.json`` (one chat), streamed; ``media_folder`` is its folder."""
    src, files = _open(source, "telegram", NOT_TELEGRAM, media_folder)
    return _stream(src, "telegram-json", NOT_TELEGRAM, _telegram_item, files, me)


def parse_meta(source: object, *, me: str | None = None, media_folder: Path | None = None) -> ItemStream:
    """A Messenger or Instagram ``message_N.json``, streamed (newest first, as written)."""
    src, files = _open(source, "messenger", NOT_META, media_folder)
    return _stream(src, "meta-json", NOT_META, _meta_item, files, me)
