"""Neutral records every importer yields, and the one error family they raise.

Parsers turn files the victim already has (chat exports, phone backups, mailboxes)
into :class:`ParsedItem` values that know nothing about the vault: another layer
decides which become incidents and exhibits. Everything here came from a file we do
not control, so text fields are *untrusted*: show them through
:func:`victim_log.textsafe.display_safe` and name files with
:func:`victim_log.textsafe.safe_filename`.

Parsers are lazy (:class:`ItemStream`): a phone backup can be hundreds of MB, so items
are produced one at a time and statistics (:class:`ImportStats`) fill in as the
stream is consumed. A first pass that only counts is the intended way to ask the user
"which of these senders is the person harassing you?" before anything is imported.
"""

from __future__ import annotations

import binascii
import contextlib
import email.errors
import io
import os
import stat
import struct
import xml.parsers.expat
import xml.sax
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import BinaryIO
from typing import Literal
from typing import cast

from ..errors import BadInput
from ..fastinit import fast_init
from ..fsutil import ClosedOnExit
from .numbers import normalise_number
from .numbers import person_label

# ---------------------------------------------------------------------------
# Errors


class ImportFormatError(BadInput):
    """A file given to an importer cannot be read as that format.

    The message is one kind line that names no content (no message text, no sender):
    at most a line or item number. Every parser raises only this family, whatever the
    input: that is what the mutation fuzz tests check.
    """


class AmbiguousDateOrder(ImportFormatError):
    """A chat's dates read equally well day-first and month-first.

    The caller should ask the user and call again with ``date_order="dmy"`` or
    ``"mdy"``; guessing would silently move incidents by months.
    """


class ImportReadError(ImportFormatError):
    """The file could not be read from disk (moved, unplugged, no permission)."""


NOT_READABLE = "We couldn't read this file. It may have been moved, or the disk has a problem."
DAMAGED = "This file seems to be damaged, so we couldn't read all of it. Nothing was changed."

# Exceptions that mean "the bytes were not what we expected" rather than a bug in our
# code. They are turned into ImportFormatError at the stream boundary; anything else
# (TypeError, KeyError, ...) is a bug and must stay visible, so the fuzz tests see it.
DATA_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,  # includes UnicodeError, binascii.Error, defusedxml's exceptions
    OverflowError,
    EOFError,
    RecursionError,
    struct.error,
    zlib.error,
    binascii.Error,
    zipfile.BadZipFile,
    xml.parsers.expat.ExpatError,
    xml.sax.SAXException,
    email.errors.MessageError,
)
#: DATA_ERRORS plus OSError (a read failing half-way) and BadInput from helpers.
STREAM_ERRORS: tuple[type[BaseException], ...] = (*DATA_ERRORS, OSError, BadInput)


def as_import_error(exc: BaseException) -> ImportFormatError:
    """Map a low-level failure to the importer error family, without its text."""
    if isinstance(exc, ImportFormatError):
        return exc
    if isinstance(exc, BadInput):
        return ImportFormatError(exc.message)
    if isinstance(exc, OSError):
        return ImportReadError(NOT_READABLE)
    return ImportFormatError(DAMAGED)


# ---------------------------------------------------------------------------
# Records

Direction = Literal["in", "out", "unknown"]
ItemKind = Literal["message", "phone_call", "voicemail", "email"]
CallType = Literal[
    "incoming", "outgoing", "missed", "voicemail", "rejected", "blocked", "answered_externally", "unknown"
]
Presentation = Literal["allowed", "withheld", "unknown", "payphone"]

#: Returns a fresh iterator over an attachment's decoded bytes, in pieces.
ChunkOpener = Callable[[], Iterator[bytes]]

DEFAULT_READ_LIMIT = 256 * 1024 * 1024


@dataclass(frozen=True)
class CallInfo:
    """A phone call from a call log (or a WhatsApp "Missed voice call" line)."""

    type: CallType
    duration_s: int | None = None
    #: True when the caller's number was not shown (withheld, unknown or payphone).
    withheld: bool = False
    presentation: Presentation = "allowed"


@dataclass(frozen=True)
class ParsedAttachment:
    """A file that came with a message: a photo in an MMS, a voice note in a chat zip.

    ``name`` is untrusted (as written in the source). The bytes are not held: they
    are read on demand through ``opener`` because attachments can be large. ``opener``
    is None when the export only mentions the file (e.g. a chat exported without
    media); the item then carries the flag ``"attachment_missing"``.
    """

    name: str
    member: str | None = None
    content_type: str | None = None
    #: Decoded size in bytes when known, or an estimate (base64 length * 3 / 4).
    size_hint: int | None = None
    opener: ChunkOpener | None = field(default=None, compare=False, repr=False)

    @property
    def available(self) -> bool:
        return self.opener is not None

    def iter_bytes(self) -> Iterator[bytes]:
        """Yield the decoded bytes in pieces; raises ImportFormatError if unavailable."""
        if self.opener is None:
            raise ImportFormatError("This attachment isn't included in the export.")
        try:
            yield from self.opener()
        except ImportFormatError:
            raise
        except STREAM_ERRORS as exc:
            raise as_import_error(exc) from None

    def read(self, max_bytes: int = DEFAULT_READ_LIMIT) -> bytes:
        """All the bytes at once, refusing (ImportFormatError) more than ``max_bytes``."""
        out = bytearray()
        for piece in self.iter_bytes():
            out += piece
            if len(out) > max_bytes:
                raise ImportFormatError("This attachment is too large to open here.")
        return bytes(out)


@fast_init  # one per message: see victim_log/fastinit.py
@dataclass(frozen=True)
class ParsedItem:
    """One message, call or email, as the source recorded it.

    ``occurred_at`` is naive wall-clock time when the export writes one (WhatsApp;
    the importer places it in the case's time zone, :class:`victim_log.casetime.WallClock`),
    aware when the source has a zone (email; SMS epoch milliseconds -> UTC, shown in
    the case zone like every other time). It is None only for an email with no usable
    date (flag ``"no_date"``).
    ``sender`` is "" for system lines and for things the phone's owner sent in
    sources that do not name them (SMS, calls); then ``recipients`` says who to.
    """

    source_ref: str
    occurred_at: datetime | None
    sender: str
    sender_id: str | None
    direction: Direction
    kind: ItemKind
    text: str
    call: CallInfo | None = None
    attachments: tuple[ParsedAttachment, ...] = ()
    flags: frozenset[str] = frozenset()
    recipients: tuple[str, ...] = ()
    subject: str | None = None
    #: The item's date and time exactly as the source wrote them ("27/10/2024, 01:30";
    #: an SMS backup's ``date`` and ``readable_date``; an email's Date header), kept
    #: beside the instant so an officer can match the two.
    source_time: str = ""


@dataclass(frozen=True)
class SkippedEntry:
    """Something we could not use: where (line or item number) and why, never what."""

    ref: str
    reason: str


MAX_SKIPPED_KEPT = 1000


class ImportStats:
    """Counts filled in while a stream is consumed (complete once it is exhausted)."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self.items = 0
        self.by_kind: Counter[str] = Counter()
        self.flags: Counter[str] = Counter()
        self.skipped: list[SkippedEntry] = []
        self.skipped_count = 0
        self.withheld_calls = 0
        self._senders: Counter[str] = Counter()
        # Who has which number (#19.4): (sender as shown, E.164 number) pairs, and a
        # cache of each number as written -> E.164 (a backup repeats a few numbers).
        self._pairs: Counter[tuple[str, str]] = Counter()
        self._e164: dict[str, str | None] = {}

    def note_item(self, item: ParsedItem) -> None:
        self.items += 1
        self.by_kind[item.kind] += 1
        if item.flags:
            self.flags.update(item.flags)
        if item.sender and "system" not in item.flags:
            self._senders[item.sender] += 1
            sid = item.sender_id
            if sid:
                num = self._e164.get(sid, "")
                if num == "":
                    num = self._e164[sid] = normalise_number(sid)
                if num is not None:
                    self._pairs[(item.sender, num)] += 1
        if item.call is not None and item.call.withheld:
            self.withheld_calls += 1

    def note_skip(self, ref: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_SKIPPED_KEPT:
            self.skipped.append(SkippedEntry(ref, reason))

    def senders(self) -> list[tuple[str, int]]:
        """Senders with how many items each, most frequent first (ties by name).

        One line per person (#19.4): a contact's name and every number it came from,
        and messages known only by one of those numbers (a group MMS), are one sender
        shown as ``Dan Marsh (+447700900123, +447700900456)``.
        """
        if not self._pairs:
            return sorted(self._senders.items(), key=lambda kv: (-kv[1], kv[0]))
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.get(x, x) != x:
                parent[x] = parent.get(parent[x], parent[x])
                x = parent[x]
            return x

        for label, num in self._pairs:
            a, b = find("l" + label), find("n" + num)
            if a != b:
                parent[a] = b
        groups: dict[str, tuple[list[tuple[str, int]], set[str]]] = {}
        for label, count in self._senders.items():
            groups.setdefault(find("l" + label), ([], set()))[0].append((label, count))
        for label, num in self._pairs:
            groups[find("l" + label)][1].add(num)
        out: list[tuple[str, int]] = []
        for labels, nums in groups.values():
            labels.sort(key=lambda kv: (-kv[1], kv[0]))
            names = [lab for lab, _n in labels if normalise_number(lab) is None]
            name = names[0] if names else labels[0][0]
            out.append((person_label(name, sorted(nums)), sum(n for _l, n in labels)))
        return sorted(out, key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class ParseResult:
    """A fully consumed stream: every item plus the final statistics."""

    items: tuple[ParsedItem, ...]
    stats: ImportStats

    def senders(self) -> list[tuple[str, int]]:
        return self.stats.senders()


class ItemStream(ClosedOnExit):
    """A lazy sequence of items with statistics; close it (or use ``with``).

    Errors from the underlying file surface from ``next()`` as
    :class:`ImportFormatError`. Attachment openers of yielded items may rely on the
    stream's open file or zip, so read attachments before closing it.
    """

    def __init__(
        self,
        fmt: str,
        produce: Callable[[ImportStats], Iterator[ParsedItem]],
        closer: Callable[[], None] | None = None,
    ) -> None:
        self.format = fmt
        self.stats = ImportStats(fmt)
        self._gen: Iterator[ParsedItem] | None = produce(self.stats)
        self._closer = closer

    def __iter__(self) -> ItemStream:
        return self

    def __next__(self) -> ParsedItem:
        if self._gen is None:
            raise StopIteration
        try:
            item = next(self._gen)
        except StopIteration:
            self._gen = None
            raise
        except ImportFormatError:
            self._gen = None
            raise
        except STREAM_ERRORS as exc:
            self._gen = None
            raise as_import_error(exc) from None
        self.stats.note_item(item)
        return item

    def collect(self, max_items: int | None = None) -> ParseResult:
        """Consume the rest of the stream into a :class:`ParseResult`."""
        items: list[ParsedItem] = []
        for item in self:
            items.append(item)
            if max_items is not None and len(items) > max_items:
                self.close()
                raise ImportFormatError(f"This file holds over {max_items} items; import it in parts.")
        return ParseResult(tuple(items), self.stats)

    def close(self) -> None:
        gen, self._gen = self._gen, None
        if gen is not None and hasattr(gen, "close"):
            gen.close()
        closer, self._closer = self._closer, None
        if closer is not None:
            closer()


# ---------------------------------------------------------------------------
# Sources: the same bytes, opened as often as a parser needs them


class Source:
    """A file path, bytes or binary file object, openable more than once.

    Two-pass parsers (the WhatsApp date-order scan) and lazy attachments need to come
    back to the bytes. A path is reopened each time; bytes are wrapped; a seekable
    file object is shared (rewound, and its position restored afterwards, so the
    caller must keep it open while using the stream). A non-seekable stream (a pipe)
    is spooled to memory up to ``spool_limit`` bytes, or, with ``spool_limit=None``,
    read once as it comes (one-pass parsers only; :attr:`seekable` is then False).
    Paths must name regular files: opening a FIFO or device would block or never end.
    """

    def __init__(self, source: object, *, spool_limit: int | None = 256 * 1024 * 1024) -> None:
        self._path: str | None = None
        self._data: bytes | None = None
        self._fp: BinaryIO | None = None
        self._stream: BinaryIO | None = None
        self._stream_head = b""
        self._stream_used = False
        self._start = 0
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._data = bytes(source)
        elif isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            if not isinstance(path, str):
                raise ImportFormatError("This isn't a file we can read.")
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                raise ImportReadError(NOT_READABLE) from None
            if not stat.S_ISREG(st.st_mode):
                raise ImportFormatError("This isn't a file we can read.")
            self._path = path
        elif hasattr(source, "read"):
            fp = cast(BinaryIO, source)
            seekable = False
            try:
                seekable = bool(fp.seekable())
                if seekable:
                    self._start = fp.tell()
            except (OSError, ValueError, AttributeError):
                seekable = False
            if seekable:
                self._fp = fp
            elif spool_limit is None:
                self._stream = fp
            else:
                data = self._read_stream(fp, spool_limit + 1)
                if len(data) > spool_limit:
                    raise ImportFormatError("This file is too large to import from a stream.")
                self._data = data
        else:
            raise ImportFormatError("This isn't a file we can read.")

    @staticmethod
    def _read_stream(fp: BinaryIO, n: int) -> bytes:
        try:
            data = read_exactly(fp, n)
        except OSError:
            raise ImportReadError(NOT_READABLE) from None
        if not isinstance(data, bytes):
            raise ImportFormatError("This isn't a file we can read.")
        return data

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def data(self) -> bytes | None:
        """The bytes, when the source was given (or spooled) as bytes."""
        return self._data

    @property
    def fileobj(self) -> BinaryIO | None:
        """The caller's seekable file object, when that is what was given."""
        return self._fp

    @property
    def seekable(self) -> bool:
        return self._stream is None

    @contextlib.contextmanager
    def open(self) -> Iterator[BinaryIO]:
        """A binary file at the start of the source; OSError becomes ImportReadError."""
        if self._data is not None:
            yield io.BytesIO(self._data)
            return
        if self._stream is not None:
            if self._stream_used:
                raise ImportFormatError("This stream can only be read once.")
            self._stream_used = True
            yield cast(BinaryIO, _Prefixed(self._stream_head, self._stream))
            return
        if self._fp is not None:
            fp = self._fp
            try:
                pos = fp.tell()
                fp.seek(self._start)
            except (OSError, ValueError):
                raise ImportReadError(NOT_READABLE) from None
            try:
                yield fp
            finally:
                with contextlib.suppress(OSError, ValueError):
                    fp.seek(pos)
            return
        assert self._path is not None
        try:
            fh = open(self._path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            raise ImportReadError(NOT_READABLE) from None
        with fh:
            yield fh

    def head(self, n: int) -> bytes:
        """The first ``n`` bytes (fewer if the file is shorter), without consuming them."""
        if self._stream is not None:
            if len(self._stream_head) < n:
                self._stream_head += self._read_stream(self._stream, n - len(self._stream_head))
            return self._stream_head[:n]
        with self.open() as fp:
            try:
                return read_exactly(fp, n)
            except OSError:
                raise ImportReadError(NOT_READABLE) from None

    def pread(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset`` from the start, leaving shared positions alone."""
        if self._data is not None:
            return self._data[offset : offset + n]
        if self._stream is not None:
            raise ImportFormatError("This stream can only be read once.")
        with self.open() as fp:
            try:
                fp.seek(offset, io.SEEK_CUR)
                return read_exactly(fp, n)
            except OSError:
                raise ImportReadError(NOT_READABLE) from None


class _Prefixed(io.RawIOBase):
    """A one-shot stream that first replays the bytes :meth:`Source.head` peeked at."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self._prefix:
            if size is None or size < 0:
                out, self._prefix = self._prefix, b""
                return out + self._rest.read()
            out, self._prefix = self._prefix[:size], self._prefix[size:]
            return out
        return self._rest.read(-1 if size is None else size)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_exactly(fp: BinaryIO, n: int) -> bytes:
    """Read up to ``n`` bytes, looping over short reads; fewer only at end of file."""
    parts: list[bytes] = []
    left = n
    while left > 0:
        piece = fp.read(left)
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)
