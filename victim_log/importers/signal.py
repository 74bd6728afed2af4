"""Signal chats as signal-export writes them (``chat.md`` and its ``media/`` folder).

Signal itself has no chat export; the open-source signal-export tool reads Signal
Desktop's database and writes, per chat, a folder holding ``chat.md`` and the files
sent in ``media/``. What we read (reproduced in the fixtures):

* a message starts ``[2024-03-12 20:01:05] Dan Marsh: text`` (the exporting
  computer's clock, no zone: returned as naive wall-clock time, like WhatsApp);
  lines that do not start so continue the message above;
* the victim's own messages are from ``Me``;
* files as Markdown links ``[IMG_0001.jpg](./media/IMG_0001.jpg)`` (``!`` before a
  picture; spaces written ``%20``), linked to the files in ``media/``;
* a quoted message ``> ...`` before the text (kept: it is what they replied to),
  reactions on a line ``(- Name: emoji -)`` (left out of the words, flagged),
  ``(This message was deleted)``, and calls as text ("Missed voice call",
  "Incoming video call (accepted, 2m 3s)", "Incoming call (declined)").

Markdown (not the HTML view) is what we read: it is the format the tool always writes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from .records import CallInfo
from .records import CallType
from .records import Direction
from .records import ImportFormatError
from .records import ImportStats
from .records import ItemKind
from .records import ItemStream
from .records import ParsedAttachment
from .records import ParsedItem
from .records import Source
from .sniff import HEAD_BYTES
from .sniff import refuse_unless
from .whatsapp import MAX_MESSAGE_CHARS
from .whatsapp import file_attachment
from .whatsapp import folder_files
from .whatsapp import iter_lines

__all__ = ["NOT_SIGNAL", "find_signal_chat", "markdown_beside", "parse_signal"]

NOT_SIGNAL = "This file doesn't look like a Signal chat exported with signal-export (chat.md)."
NO_CHAT_IN_FOLDER = "This folder doesn't contain a Signal chat exported with signal-export (chat.md)."
ME = "Me"

_HEADER = re.compile(r"\[(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?\] ")
_LINK = re.compile(r"!?\[([^\]\n]{0,300})\]\(\./(media/[^)\n]{1,500})\)[ \t]*")
_REACTIONS = re.compile(r"\(- .* -\)")
_DELETED = "(This message was deleted)"
_CALL = re.compile(
    r"(?P<dir>Missed|Incoming|Outgoing) (?:(?:voice|video|audio) )?call(?: \((?P<detail>[^)]*)\))?"
)
_MAX_SENDER = 200


def find_signal_chat(folder: Path) -> Path:
    """``chat.md`` in a signal-export chat folder."""
    files = folder_files(folder)
    if "chat.md" in files:
        return files["chat.md"]
    raise ImportFormatError(
        "This folder doesn't contain a Signal chat exported with signal-export (chat.md)."
    )


def markdown_beside(path: Path) -> Path:
    """For signal-export's HTML page (``chat.html``), the ``chat.md`` it always writes beside it.

    Both hold the same messages; the Markdown is what we read (and keep as the exhibit),
    so the HTML page is never parsed. Any other file is returned as it is.
    """
    if path.suffix.lower() not in (".html", ".htm"):
        return path
    markdown = folder_files(path.parent).get("chat.md")
    if markdown is None:
        raise ImportFormatError(
            "signal-export's HTML page is read through the chat.md it writes beside it, and this "
            "folder has none: give the chat's folder as signal-export made it."
        )
    return markdown


def _call(text: str) -> CallInfo | None:
    m = _CALL.fullmatch(text)
    if m is None:
        return None
    detail = (m.group("detail") or "").lower()
    kind: CallType
    if m.group("dir") == "Missed":
        kind = "missed"
    elif m.group("dir") == "Outgoing":
        kind = "outgoing"
    elif "declined" in detail:
        kind = "rejected"
    elif "accepted" in detail:
        kind = "incoming"
    else:
        kind = "unknown"
    duration = None
    d = re.search(r"(?:(\d{1,5})m )?(\d{1,2})s", detail)
    if d is not None:
        duration = int(d.group(1) or 0) * 60 + int(d.group(2))
    return CallInfo(kind, duration)


class _Media:
    def __init__(self, folder: Path | None) -> None:
        self._files: dict[str, Path] = {}
        if folder is not None and (folder / "media").is_dir():
            self._files = folder_files(folder / "media")

    def attachment(self, name: str, link: str) -> ParsedAttachment:
        base = os.path.basename(unquote(link))
        path = self._files.get(base)
        shown = name or base
        if path is None:
            return ParsedAttachment(name=shown)
        return file_attachment(shown, path)


def _build(
    lineno: int, when: datetime, stamp: str, sender: str, lines: list[str], media: _Media
) -> ParsedItem:
    flags: set[str] = set()
    attachments: list[ParsedAttachment] = []
    kept: list[str] = []
    for line in lines:
        line = line.rstrip()
        if _REACTIONS.fullmatch(line):
            flags.add("reactions")
            continue
        if "](./media/" in line:
            for m in _LINK.finditer(line):
                att = media.attachment(m.group(1), m.group(2))
                attachments.append(att)
                if not att.available:
                    flags.add("attachment_missing")
            line = _LINK.sub("", line).rstrip()
        kept.append(line)
    text = "\n".join(kept).strip("\n")
    direction: Direction = "out" if sender == ME else "in"
    kind: ItemKind = "message"
    call = None
    if text == _DELETED:
        flags.add("deleted")
        text = ""
    else:
        call = _call(text) if text.endswith(("call", ")")) and "\n" not in text else None
        if call is not None:
            kind = "phone_call"
            flags.add("signal_call")
            if call.type == "outgoing":
                direction = "out"
    return ParsedItem(
        f"line {lineno}",
        when,
        sender,
        None,
        direction,
        kind,
        "" if call is not None else text,
        call,
        tuple(attachments),
        frozenset(flags),
        (),
        None,
        stamp,
    )


def _items(src: Source, media: _Media, stats: ImportStats) -> Iterator[ParsedItem]:
    pending: tuple[int, datetime, str, str] | None = None
    lines: list[str] = []
    chars = 0
    with src.open() as fp:
        for lineno, line, _repaired in iter_lines(fp):
            if line is None:
                stats.note_skip(f"line {lineno}", "line too long")
                continue
            m = _HEADER.match(line)
            if m is not None:
                sender, sep, first = line[m.end() :].partition(": ")
                if not sep:  # "[date] Name:" with nothing after the colon
                    sender, first = line[m.end() :].rstrip().removesuffix(":"), ""
                y, mo, d, hh, mi, ss = (int(g or 0) for g in m.groups())
                try:
                    when = datetime(y, mo, d, hh, mi, ss)
                except ValueError:
                    stats.note_skip(f"line {lineno}", "date or time that doesn't exist")
                    continue
                if pending is not None:
                    yield _build(*pending, lines, media)
                pending = (lineno, when, m.group(0)[1:-2], sender.strip()[:_MAX_SENDER])
                lines, chars = [first], len(first)
                continue
            if pending is None:
                if line.strip():
                    stats.note_skip(f"line {lineno}", "text before the first message")
                continue
            chars += len(line) + 1
            if chars > MAX_MESSAGE_CHARS:
                stats.note_skip(f"line {lineno}", "message too long; the rest was left out")
                continue
            lines.append(line)
    if pending is not None:
        yield _build(*pending, lines, media)


def parse_signal(source: object, *, media_folder: Path | None = None) -> ItemStream:
    """Read a signal-export ``chat.md`` (path, bytes or binary file).

    ``media_folder`` is the chat's folder (holding ``media/``); files the chat links to
    are read from there when the stream's items are imported. A file that is not such
    a chat fails here (:data:`NOT_SIGNAL`, or a message naming what it looks like).
    """
    src = Source(source)
    head = src.head(HEAD_BYTES)
    if b"\x00" in head[:4096]:
        raise ImportFormatError(NOT_SIGNAL)
    name = os.path.basename(src.path or "")
    refuse_unless("signal", head, name)
    first = next((ln for ln in head.decode("utf-8", "replace").splitlines() if ln.strip()), "")
    if _HEADER.match(first.lstrip("\ufeff")) is None:
        raise ImportFormatError(NOT_SIGNAL if head.strip() else "This file is empty.")
    media = _Media(media_folder)
    return ItemStream("signal-markdown", lambda stats: _items(src, media, stats))
