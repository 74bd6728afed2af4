"""Turning an export the victim already has into incidents and exhibits.

Why it works this way:

* **The raw export is the exhibit.** The chat, backup or mailbox file is stored
  unchanged (and any media inside it), and each incident cites that exhibit and the
  line or element it came from, so an officer can find the original words.
* **Only the perpetrator's side becomes incidents.** The user names the sender (a
  dry run lists senders with counts); their own replies stay in the exhibit only.
* **All or nothing.** Every blob is written first, then one database transaction
  records the exhibits, incidents and import bookkeeping. A failure or a kill at any
  point leaves the diary exactly as it was (blob files written before the failure
  are deleted; after a kill they stay as unreferenced encrypted files).
* **Idempotent.** The same file imported twice creates nothing; a later export of
  the same chat creates only the messages that are new (each item is remembered by
  a keyed hash of its sender, time and text).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import tzinfo
from pathlib import Path
from typing import Any

from .. import casetime
from ..errors import BadInput
from ..evidence import PendingBlob
from ..evidence import describe_path
from ..fsutil import file_sha256
from ..imported import IMPORT_FORMATS
from ..model import IncidentData
from ..model import PersonData
from ..store import imports as import_log
from ..store.imports import incidents_for_items
from ..store.transaction import Transaction
from ..textsafe import display_safe
from ..vault import Vault
from ..vault import now_iso
from .capture import store_captures
from .capture import store_chunks
from .chat_html import find_chat_page
from .chat_html import parse_meta_any
from .chat_html import parse_telegram_any
from .duplicates import PossibleDuplicate
from .imessage import parse_imessage
from .numbers import normalise_number
from .numbers import split_person_label
from .outlook_msg import parse_mail
from .photos import scan_photos
from .proofmode import open_proofmode
from .proofmode import read_proofmode
from .records import ImportFormatError
from .records import ItemStream
from .records import ParsedItem
from .screening import AUTHOR_IMPORTED
from .screening import Screening
from .screening import import_provenance
from .signal import find_signal_chat
from .signal import markdown_beside
from .signal import parse_signal
from .sms_backup import parse_sms_backup
from .smsdb import IPHONE_FORMATS
from .smsdb import iphone_source
from .smsdb import parse_iphone_backup
from .sniff import HEAD_BYTES
from .sniff import check_format
from .tella_csv import find_tella_csv
from .tella_csv import read_tella_csv
from .whatsapp import find_chat_in_folder
from .whatsapp import parse_whatsapp

FORMATS = IMPORT_FORMATS
FORMAT_LABELS = {
    "whatsapp": "WhatsApp",
    "sms-backup": "SMS",
    "calls": "phone",
    "email": "email",
    "photos": "photo",
    "signal": "Signal",
    "telegram": "Telegram",
    "messenger": "Messenger",
    "proofmode": "ProofMode",
    "tella": "Tella",
    "imessage": "iPhone",
    "iphone-backup": "iPhone",
    "iphone-calls": "phone",
}
MEDIA_ADDED_REASON = "media added from a later export"
NEWEST_FIRST = frozenset(["meta-json", "meta-html"])  # Meta writes a chat's messages newest first


@dataclass(frozen=True)
class ImportRequest:
    format: str
    source: Path
    sender: str | None = None  # the perpetrator, as a name or number in the export
    other_senders: tuple[str, ...] = ()  # the same person's other names or numbers
    group_minutes: int = 0  # 0: one incident per message
    date_order: str | None = None  # WhatsApp: "dmy" or "mdy" when the file is ambiguous
    me: str | None = None  # the exporting user's own name (WhatsApp/email)
    dry_run: bool = False
    photo_incidents: bool = False  # photos: also make one incident per photo
    context: bool = True  # keep the victim's replies asking to stop, as context (#16.5)
    skip_duplicates: bool = False  # leave out likely duplicates of typed entries (listed)


#: What ``import --json`` leaves out of the report: the preview holds message text.
_NOT_IN_JSON = frozenset({"preview"})


@dataclass
class ImportReport:
    format: str
    dry_run: bool
    messages_seen: int = 0
    matched: int = 0
    incidents_created: int = 0
    exhibits_stored: int = 0
    skipped_lines: int = 0
    duplicates_skipped: int = 0
    already_imported: bool = False
    senders: list[tuple[str, int]] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)
    preview: list[str] = field(default_factory=list)
    # #16.5 (importers/screening.py): grouping used, context kept, likely duplicates.
    group_minutes: int = 0
    context_created: int = 0
    context_ids: list[int] = field(default_factory=list)
    context_note: str = ""
    possible_duplicates: list[PossibleDuplicate] = field(default_factory=list)
    # #19.2: files from a "with media" export added to incidents an earlier import made.
    media_added: int = 0
    media_incident_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """``import --json``: every field in order, but :attr:`preview` (message text)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_IN_JSON}
        out["senders"] = [{"sender": s, "count": n} for s, n in self.senders]
        out["possible_duplicates"] = [d.to_json() for d in self.possible_duplicates]
        return out


def _digits(text: str) -> str:
    d = re.sub(r"\D", "", text)
    if d.startswith("44") and len(d) >= 11:
        d = "0" + d[2:]
    return d


class SenderMatcher:
    """Is an item from the person the user named (by any of their names or numbers)?

    Numbers are compared in E.164 form (#19.4), so ``07700 900123`` finds
    ``+447700900123``; a sender given as the senders list shows it,
    ``Dan Marsh (+447700900123, +447700900456)``, is that name and those numbers. A
    number an item named by the person's name came from is learnt (:meth:`learnt`), so
    a group MMS known only by that number is theirs too.
    Built once per import: a phone backup can hold hundreds of thousands of items.
    """

    def __init__(self, wanted: tuple[str, ...]) -> None:
        self._names: set[str] = set()
        self.numbers: set[str] = set()
        for w in wanted:
            name, numbers = split_person_label(w)
            if name.strip():
                self._names.add(name.strip().casefold())
            self.numbers.update(numbers)
            num = normalise_number(name)
            if num is not None:
                self.numbers.add(num)
        self._e164: dict[str, str | None] = {}

    def number(self, text: str) -> str | None:
        num = self._e164.get(text, "")
        if num == "":
            num = self._e164[text] = normalise_number(text)
        return num

    def __call__(self, item: ParsedItem) -> bool:
        if item.direction == "out" or "system" in item.flags:
            return False
        sid = item.sender_id
        if item.sender.strip().casefold() in self._names or (sid and sid.strip().casefold() in self._names):
            if sid:
                num = self.number(sid)
                if num is not None:
                    self.numbers.add(num)  # learnt: the person's number
            return True
        if self.numbers:
            for candidate in (item.sender, sid):
                if candidate:
                    num = self.number(candidate)
                    if num is not None and num in self.numbers:
                        return True
        return False

    def maybe_later(self, item: ParsedItem) -> bool:
        """An unmatched item known only by a number, which a later item may show is theirs."""
        if item.direction == "out" or "system" in item.flags:
            return False
        sid = item.sender_id
        return bool(sid) and item.sender == sid and self._names != set()


def _open_stream(req: ImportRequest, raw: bytes | Path, media_folder: Path | None = None) -> ItemStream:
    fmt = req.format
    if fmt == "whatsapp":
        return parse_whatsapp(
            raw,
            date_order=req.date_order,  # type: ignore[arg-type]
            me=req.me,
            media_folder=media_folder,
        )
    if fmt in ("sms-backup", "calls"):
        return parse_sms_backup(raw)
    if fmt == "email":
        return parse_mail(raw, me=(req.me,) if req.me else ())  # .eml, .mbox or Outlook .msg
    if fmt == "signal":
        return parse_signal(raw, media_folder=media_folder)
    if fmt == "telegram":
        return parse_telegram_any(raw, me=req.me, media_folder=media_folder)  # JSON or HTML
    if fmt == "messenger":
        return parse_meta_any(raw, me=req.me, media_folder=media_folder)  # JSON or HTML
    if fmt == "imessage":
        return parse_imessage(raw, me=req.me, media_folder=media_folder)
    if fmt in ("iphone-backup", "iphone-calls") and isinstance(raw, Path):
        return parse_iphone_backup(raw, calls=fmt == "iphone-calls", backup_root=media_folder)
    raise BadInput(f"Unknown import format '{fmt}'. Use one of: {', '.join(FORMATS)}.")


# Incidents are built and written this many at a time, so the ones waiting to be
# written never fill memory (a large import is still one transaction).
INCIDENTS_PER_STEP = 2000

_EARLIEST = datetime(1970, 1, 1)


class SourceClock:
    """How one import reads its source's times; made afresh by each :func:`run_import`.

    It holds the case's time zone, the :class:`~victim_log.casetime.WallClock` that
    places the file's wall-clock times on it (in file order), the latest plausible
    time (a year after the import started) and a table of each day's UTC offset.
    Kept per import, not in the module, so nothing one import learnt (a zone since
    changed, yesterday's window) is left behind for the next, or for another vault.
    """

    def __init__(self, zone: tzinfo = UTC, *, now: datetime | None = None) -> None:
        self.zone = zone
        self.wall = casetime.WallClock(zone)
        self.latest = (datetime.now() if now is None else now) + timedelta(days=366)
        self._day_offsets: dict[int, str] = {}

    def day_offset(self, dt: datetime) -> str:
        """The ISO offset suffix (``+01:00``) of every time on ``dt``'s day in the case's
        zone, or "" for a day with a clock change.

        A day that starts and ends on the same UTC offset holds no clock change, so every
        time in it has that offset; the two days a year with a change are worked out time
        by time (:class:`~victim_log.casetime.WallClock`). Asking the zone for each of tens
        of thousands of messages was a twentieth of an import.
        """
        day = dt.toordinal()
        suffix = self._day_offsets.get(day)
        if suffix is None:
            z = self.zone
            start = datetime(dt.year, dt.month, dt.day)
            try:
                first = start.replace(tzinfo=z)
                last = start.replace(hour=23, minute=59, second=59, tzinfo=z)
                same = first.utcoffset() == last.utcoffset() and casetime.check_wall(start, z) == "ok"
            except (OverflowError, ValueError):
                same = False
            suffix = self._day_offsets[day] = first.isoformat()[19:] if same else ""
        return suffix

    def plausible(self, dt: datetime) -> bool:
        """Whether a source's date could be when something happened to the victim.

        A broken or hostile export can date a message in year 1 or 9999; stored as given,
        such a time breaks the timeline, the per-week chart and the local-time arithmetic.
        From 1970 (a phone whose clock was reset) to a year ahead of today (a fast clock)
        is kept; anything else is imported without a time, the date kept in the details.
        """
        wall = dt if dt.tzinfo is None else dt.replace(tzinfo=None)  # the sender's clock
        return _EARLIEST <= wall <= self.latest

    def placed(self, dt: datetime | None) -> tuple[str, str]:
        """:meth:`stamp` and, for a wall-clock time on a night the clocks changed, a note
        saying how it was placed (see :class:`~victim_log.casetime.WallClock`)."""
        if dt is None or not self.plausible(dt):
            return "", ""
        if dt.tzinfo is None:
            suffix = self.day_offset(dt)
            if suffix:
                return dt.isoformat(timespec="seconds") + suffix, ""
            placed = self.wall.place(dt)
            return placed.isoformat(timespec="seconds"), self.wall.note
        return dt.isoformat(timespec="seconds"), ""  # an instant (an SMS's UTC): shown on the case's clock

    def stamp(self, dt: datetime | None) -> str:
        """A source time as stored: ISO 8601 to the second with an offset (an aware time,
        e.g. an SMS's UTC, as it is: one instant, which every display shows on the case's
        clock; a wall-clock time read on the case zone's clock); "" when it has none or it
        is not :meth:`plausible`."""
        return self.placed(dt)[0]

    def when(self, item: ParsedItem) -> str:
        return self.stamp(item.occurred_at)


def plausible(dt: datetime) -> bool:
    """:meth:`SourceClock.plausible` as of now."""
    return SourceClock().plausible(dt)


def stamp(dt: datetime | None, zone: tzinfo = UTC) -> str:
    """:meth:`SourceClock.stamp` on ``zone``'s clock, as of now (one time on its own)."""
    return SourceClock(zone).stamp(dt)


def _kind(item: ParsedItem, fmt: str) -> tuple[str, ...]:
    if item.kind == "phone_call":
        return ("phone_call",)
    if item.kind == "voicemail":
        return ("voicemail",)
    if item.kind == "email":
        return ("email",)
    return ("message",)


CALL_LABELS = {
    "incoming": "Answered call",
    "outgoing": "Call",
    "missed": "Missed call",
    "voicemail": "Voicemail",
    "rejected": "Rejected call",
    "blocked": "Blocked call",
    "answered_externally": "Call answered on another device",
    "unknown": "Call of a type the backup did not name",
}

# What "<Media omitted>"/"image omitted" lines stood for (#19.7): said, never blank.
_NOT_IN_EXPORT = "it is not in this export"


def _media_note(item: ParsedItem) -> str:
    """ "[a photo was sent; it is not in this export]" for an omitted media line."""
    what = next((f[6:] for f in item.flags if f.startswith("media:")), "")
    names = ", ".join(a.name for a in item.attachments)
    if not what:
        what = "photo, video, voice note or file"
    article = "an" if what[:1] in "aeiou" else "a"
    named = f" ({names})" if names else ""
    return f"[{article} {what}{named} was sent; {_NOT_IN_EXPORT}]"


def _summary(item: ParsedItem, fmt: str, who: str) -> str:
    label = FORMAT_LABELS.get(fmt, fmt)
    if item.kind in ("phone_call", "voicemail") and item.call is not None:
        kind = CALL_LABELS.get(item.call.type, "Call")
        extra = " (number withheld)" if item.call.withheld else ""
        dur = f", {item.call.duration_s} s" if item.call.duration_s else ""
        return f"{kind} from {who}{extra}{dur}"
    if item.kind == "email":
        subject = display_safe(item.subject or "", single_line=True)[:80]
        return f"Email from {who}" + (f": {subject}" if subject else "")
    first = display_safe(item.text[:400], single_line=True).strip()
    if len(first) > 80:
        first = first[:77] + "…"
    if "deleted" in item.flags:
        first = "(deleted message)"
    elif not first and "media_omitted" in item.flags:
        first = _media_note(item)[1:-1].replace("; ", ", ")
    elif not first and item.attachments:
        first = "(sent a file)"
    if "edited" in item.flags and first:
        first += " (edited)"
    return f"{label.capitalize() if label.islower() else label} message from {who}" + (
        f": {first}" if first else ""
    )


def _details(item: ParsedItem, clock: SourceClock) -> str:
    parts = []
    if item.occurred_at is not None and not clock.plausible(item.occurred_at):
        written = item.occurred_at.isoformat(sep=" ", timespec="minutes")
        parts.append(f"[the export dates this {written}, which cannot be right, so it has no time here]")
    if item.subject:
        parts.append(f"Subject: {item.subject}")
    if item.text:
        parts.append(item.text)
    if "media_omitted" in item.flags:
        parts.append(_media_note(item))
    else:
        for att in item.attachments:
            parts.append(f"[attached: {att.name}]" + ("" if att.available else " (not in the export)"))
    if "edited" in item.flags:
        parts.append("[edited: the sender changed this message; the export holds only its last wording]")
    if "deleted" in item.flags:
        parts.append("[the sender deleted this message]")
    if item.call is not None and item.call.type == "unknown":
        raw = next((f[10:] for f in item.flags if f.startswith("call_type:")), "")
        parts.append(f"[the call log gives this call type {raw or 'no'}, which we do not know]")
    if item.sender_id and item.sender_id != item.sender:
        parts.append(f"Sender: {item.sender} <{item.sender_id}>")
    return "\n".join(parts)


@dataclass
class _Planned:
    items: list[ParsedItem]
    refs: list[str]


def _group(items: Iterator[tuple[ParsedItem, str]], minutes: int, clock: SourceClock) -> Iterator[_Planned]:
    """Bursts of messages minutes apart become one incident (when asked)."""
    current: _Planned | None = None
    last: datetime | None = None
    for item, ref in items:
        t = item.occurred_at
        if (
            minutes > 0
            and current is not None
            and t is not None
            and last is not None
            and clock.plausible(t)
            and clock.plausible(last)
            and item.kind == current.items[-1].kind
            and abs(_naive(t) - _naive(last)) <= timedelta(minutes=minutes)
        ):
            current.items.append(item)
            current.refs.append(ref)
        else:
            if current is not None:
                yield current
            current = _Planned([item], [ref])
        last = t
    if current is not None:
        yield current


def _naive(dt: datetime) -> datetime:
    return dt.astimezone().replace(tzinfo=None) if dt.tzinfo else dt


class _Importer:
    def __init__(self, vault: Vault, req: ImportRequest, clock: SourceClock) -> None:
        self.vault = vault
        self.req = req
        self.clock = clock
        self.report = ImportReport(req.format, req.dry_run)
        self.pending: list[PendingBlob] = []
        self.source = req.source  # the file read: a folder's chat .txt for a folder
        # Copied per tag: setting the key up once saves a third of each HMAC.
        self._mac = hmac.new(vault.subkey("import-dedup"), digestmod=hashlib.sha256)
        self._known: set[str] | None = None
        self._keys: dict[int, str] = {}
        self.screening = Screening(
            vault,
            (req.sender or "", *req.other_senders),
            me=req.me,
            context=req.context,
            skip_duplicates=req.skip_duplicates,
        )
        self._times: dict[int, tuple[str, str]] = {}  # placed on a clock-change night
        # Items imported before whose files this export has (#19.2): their possible keys.
        self._late_media: list[tuple[ParsedItem, tuple[str, ...]]] = []

    def _tag(self, *parts: str) -> str:
        mac = self._mac.copy()
        mac.update("\x1f".join(parts).encode("utf-8", "surrogatepass"))
        return mac.hexdigest()

    def _item_key(self, item: ParsedItem) -> str:
        when = item.occurred_at.isoformat() if item.occurred_at else ""
        return self._tag(
            self.req.format,
            item.sender,
            item.sender_id or "",
            when,
            item.kind,
            item.text,
            item.call.type if item.call else "",
        )

    def _media_keys(self, item: ParsedItem, key: str) -> tuple[str, ...]:
        """The keys an earlier import gave this message if its export left the file out:
        its own, and the one with no text (a "<Media omitted>" line keeps no caption)."""
        if not item.text:
            return (key,)
        return (key, self._item_key(replace(item, text="")))

    def _seen(self, key: str) -> bool:
        if self._known is None:
            # One read of every remembered item beats a query per message.
            self._known = import_log.known_items(self.vault.conn)
        return key in self._known

    def run(self) -> ImportReport:
        req = self.req
        if req.format not in FORMATS:
            raise BadInput(f"Unknown import format '{req.format}'. Use one of: {', '.join(FORMATS)}.")
        if req.group_minutes < 0:
            raise BadInput("--group-minutes must be 0 or more.")
        if req.format == "photos":
            return self._photos()
        source, media_folder = req.source, None
        if req.format in ("whatsapp", "signal", "telegram", "messenger"):
            # A folder an Android phone shared a WhatsApp export to (the .txt and its
            # media); a folder per chat: chat.md and media/ (signal-export),
            # result.json and photos/ ... (Telegram), message_1.json and photos/ (Meta).
            if req.source.is_dir():
                source, media_folder = _chat_file_in(req.format, req.source), req.source
            elif req.format != "whatsapp":
                media_folder = req.source.parent
                if req.format == "signal":
                    source = markdown_beside(source)  # signal-export's chat.html: its chat.md
        elif req.format == "tella" and req.source.is_dir():
            source = find_tella_csv(req.source)  # the files and Tella's CSV in one folder
        elif req.format in IPHONE_FORMATS:  # one conversation's file; a backup's folder or database
            source, media_folder = iphone_source(req.format, req.source)
        self.source = source
        what = describe_path(source)
        if what is not None:  # looked at before opening: a FIFO or device never ends
            name = display_safe(req.source.name or str(req.source), single_line=True)
            if what == "missing":
                raise BadInput(f"There is no file called '{name}'.")
            if what == "unreadable":
                raise BadInput(f"'{name}' cannot be read (permission denied).")
            raise BadInput(f"'{name}' is {what}, not a file to import. Nothing was imported.")
        file_hash = _sha256_file(source)
        # A file is "already imported" for the same sender(s); listing senders says so
        # for any earlier import of the file. A second import naming another number of
        # the same person still works, and item keys stop any message twice.
        who = sorted(s.strip().casefold() for s in (req.sender or "", *req.other_senders))
        file_key = self._tag("file", file_hash)
        captured = req.format in ("proofmode", "tella")  # no sender: the file is the import
        source_key = self._tag("source", file_hash, *who) if req.sender and not captured else file_key
        if import_log.source_known(self.vault.conn, source_key):
            self.report.already_imported = True
            return self.report
        check_format(req.format, _head(source), source.name)  # #19.8: never the wrong reader
        if captured:
            self._captures(source, (source_key, file_key))
            return self.report
        stream = _open_stream(req, source, media_folder)
        with stream:
            if req.sender is None:
                for _ in stream:
                    pass
                self._finish_stats(stream)
                return self.report
            matched = self.screening.screen(list(self._matching(stream)), self.clock.when)
            self.screening.context(self._new_context)
            planned = [  # never one burst across a reply asking him to stop
                p
                for part in self.screening.split_at_replies(matched)
                for p in _group(iter(part), req.group_minutes, self.clock)
            ]
            self.report.group_minutes = req.group_minutes
            if req.dry_run:
                self._finish_stats(stream)
                self.report.incidents_created = len(planned)
                self.report.exhibits_stored = 1 + sum(
                    1 for p in planned for x in p.items for a in x.attachments if a.available
                )
                self.report.preview = [self._summary_of(p) for p in planned[:20]]
                self.report.media_added = sum(
                    1 for item, _k in self._late_media for a in item.attachments if a.available
                )
                self.screening.fill(self.report)
                return self.report
            try:
                self._commit(stream, planned, source_key, file_key)
            except BaseException:
                for blob in self.pending:
                    self.vault.evidence.discard(blob)
                raise
        return self.report

    def _finish_stats(self, stream: ItemStream) -> None:
        self.report.messages_seen = stream.stats.items
        self.report.skipped_lines = stream.stats.skipped_count
        self.report.senders = stream.stats.senders()

    def _matching(self, stream: ItemStream) -> Iterator[tuple[ParsedItem, str]]:
        """The named person's items, in the file's order.

        An item known only by a number not (yet) theirs waits until the end: a later
        text under their name may show the number is theirs (#19.4: a group MMS before
        any text from that phone). Only such items wait, never a whole backup.
        """
        assert self.req.sender is not None
        calls_only = self.req.format in ("calls", "iphone-calls")
        matches = SenderMatcher((self.req.sender, *self.req.other_senders))
        waiting: list[tuple[int, ParsedItem, tuple[str, str] | None]] = []
        found: list[tuple[int, tuple[ParsedItem, str]]] = []
        clock = self.clock
        for n, item in enumerate(stream):
            when = item.occurred_at
            placed = None
            if (
                when is not None
                and when.tzinfo is None
                and not clock.day_offset(when)
                and clock.plausible(when)
            ):
                placed = clock.placed(when)  # every line of such a night, in the file's order
            if calls_only and item.kind not in ("phone_call", "voicemail"):
                continue
            if not matches(item):
                if matches.maybe_later(item):
                    waiting.append((n, item, placed))
                else:
                    self.screening.offer(item)
                continue
            kept = self._take(item, placed)
            if kept is not None:
                found.append((n, kept))
        late = []
        for n, item, placed in waiting:
            if matches(item):
                kept = self._take(item, placed)
                if kept is not None:
                    late.append((n, kept))
            else:
                self.screening.offer(item)
        if late:
            found = sorted(found + late, key=lambda x: x[0])
        if stream.format in NEWEST_FIRST:
            found.reverse()  # oldest first, as every other source: bursts run forwards
        for _n, pair in found:
            yield pair

    def _take(self, item: ParsedItem, placed: tuple[str, str] | None) -> tuple[ParsedItem, str] | None:
        """A matched item, unless an earlier import has it (its files may still be new)."""
        self.report.matched += 1
        key = self._item_key(item)
        keys: tuple[str, ...] = (key,)
        has_files = bool(item.attachments) and any(a.available for a in item.attachments)
        if has_files:
            keys = self._media_keys(item, key)
        if any(self._seen(k) for k in keys):
            self.report.duplicates_skipped += 1
            if has_files:
                self._late_media.append((item, keys))
            return None
        self._keys[id(item)] = key  # the item stays alive in the plan, so its id is stable
        if placed is not None:
            self._times[id(item)] = placed
        return item, item.source_ref

    def _new_context(self, item: ParsedItem) -> bool:
        """A reply kept as context by no earlier import of this chat (remembered like a message)."""
        key = self._item_key(item)
        if self._seen(key):
            return False
        self._keys[id(item)] = key
        return True

    def _summary_of(self, p: _Planned) -> str:
        who = self.req.sender or "them"
        if len(p.items) == 1:
            return _summary(p.items[0], self.req.format, who)
        label = FORMAT_LABELS.get(self.req.format, "")
        return f"{len(p.items)} {label} messages from {who} within minutes"

    def _store_bytes(self, data_chunks: Iterator[bytes], name: str) -> PendingBlob:
        blob = store_chunks(self.vault, data_chunks, name)
        self.pending.append(blob)
        return blob

    def _commit(self, stream: ItemStream, planned: list[_Planned], source_key: str, file_key: str) -> None:
        vault, req = self.vault, self.req
        raw_blob = vault.evidence.store_path(self.source)
        self.pending.append(raw_blob)
        attachment_blobs: dict[int, list[PendingBlob]] = {}
        for n, p in enumerate(planned):
            for item in p.items:
                for att in item.attachments:
                    if att.available:
                        attachment_blobs.setdefault(n, []).append(
                            self._store_bytes(att.iter_bytes(), att.name)
                        )
        late_blobs = [
            (item, keys, [self._store_bytes(a.iter_bytes(), a.name) for a in item.attachments if a.available])
            for item, keys in self._late_media
        ]
        self._finish_stats(stream)
        with vault.transaction("the import", bulk=True) as tx:
            raw_id, _new = vault.evidence.record_blob(
                raw_blob, provenance=import_provenance(req.format), tx=tx
            )
            self.report.exhibits_stored += 1
            person_id = self._person(tx)
            source_prefix = f"import:{req.format} exhibit {raw_id} "
            reason, keys = f"imported from {req.format}", self._keys
            for start in range(0, len(planned), INCIDENTS_PER_STEP):
                step = planned[start : start + INCIDENTS_PER_STEP]
                new: list[tuple[IncidentData, tuple[int, ...]]] = []
                for n, p in enumerate(step, start):
                    evidence = [raw_id]
                    for blob in attachment_blobs.get(n, []):
                        eid, stored = vault.evidence.record_blob(
                            blob, provenance=import_provenance(req.format, attachment=True), tx=tx
                        )
                        evidence.append(eid)
                        self.report.exhibits_stored += int(stored)
                    new.append((self._incident(p, person_id, source_prefix), tuple(evidence)))
                ids = tx.add_incidents(new, reason)
                self.report.incident_ids.extend(ids)
                tx.remember_imported_items(
                    (keys[id(item)], iid) for iid, p in zip(ids, step, strict=True) for item in p.items
                )
            context = self.screening.context_entries(
                when=self.clock.when,
                person_id=person_id,
                source_prefix=source_prefix,
                kinds=lambda i: _kind(i, req.format),
            )
            context_ids: list[int] = []
            if context:
                context_ids = tx.add_incidents(
                    [(c, (raw_id,)) for c in context], f"kept from {req.format} as context"
                )
                tx.remember_imported_items(
                    (keys[id(i)], cid)
                    for i, cid in zip(self.screening.context_items, context_ids, strict=True)
                )
            if late_blobs:
                self._add_late_media(tx, raw_id, late_blobs)
            tx.remember_import_source((source_key, file_key), raw_id, now_iso(), len(planned))
            tx.record_event("import", {"format": req.format, "exhibit": raw_id, "incidents": len(planned)})
        self.report.incidents_created = len(planned)
        self.screening.fill(self.report, context_ids)

    def _add_late_media(
        self, tx: Transaction, raw_id: int, late: list[tuple[ParsedItem, tuple[str, ...], list[PendingBlob]]]
    ) -> None:
        """Attach the files of messages imported before without them (#19.2): one new
        version of each incident, reason "media added from a later export", citing the
        new export and its files; an incident that cites them all already is left alone."""
        found = incidents_for_items(self.vault.conn, [k for _i, keys, _b in late for k in keys])
        by_incident: dict[int, tuple[list[int], list[str]]] = {}
        provenance = import_provenance(self.req.format, attachment=True)
        for item, keys, blobs in late:
            iid = next((found[k] for k in keys if k in found), None)
            if iid is None:
                for blob in blobs:
                    self.vault.evidence.discard(blob)
                continue
            ids, names = by_incident.setdefault(iid, ([raw_id], []))
            for blob, att in zip(blobs, [a for a in item.attachments if a.available], strict=True):
                eid, stored = self.vault.evidence.record_blob(blob, provenance=provenance, tx=tx)
                self.report.exhibits_stored += int(stored)
                ids.append(eid)
                names.append(display_safe(att.name, single_line=True)[:120])
        for iid, (ids, names) in by_incident.items():
            current = tx.get_incident(iid)
            if current.deleted:
                continue
            new_files = [e for e in ids[1:] if e not in current.evidence]
            if not new_files:
                continue
            merged = tuple(dict.fromkeys(current.evidence + tuple(ids)))
            note = "[media added from a later export: " + ", ".join(dict.fromkeys(names)) + "]"
            data = replace(current.data, details=(current.data.details + "\n" + note).strip())
            tx.edit_incident(iid, data, MEDIA_ADDED_REASON, evidence=merged)
            self.report.media_added += len(new_files)
            self.report.media_incident_ids.append(iid)

    def _incident(self, p: _Planned, person_id: int, source_prefix: str) -> IncidentData:
        """The incident for one planned message (or burst of messages)."""
        items = p.items
        first = items[0]
        clock = self.clock
        times = [self._times.get(id(i)) or clock.placed(i.occurred_at) for i in items]
        notes = "".join(f"\n[{note}]" for _, note in times if note)
        if len(items) == 1:
            end, details, refs = "", _details(first, clock) + notes, p.refs[0]
            source_time = first.source_time
        else:
            end, refs = times[-1][0], f"{p.refs[0]} to {p.refs[-1]}"
            details = (
                "\n\n".join(
                    f"[{casetime.short_text(t[0], clock.zone)}] {_details(i, clock)}"
                    if t[0]
                    else _details(i, clock)
                    for i, t in zip(items, times, strict=True)
                )
                + notes
            )
            source_time = f"{first.source_time} to {items[-1].source_time}" if first.source_time else ""
        start = times[0][0]
        return IncidentData(
            summary=self._summary_of(p),
            kinds=_kind(first, self.req.format),
            occurred_start=start,
            occurred_end=end if start else "",
            precision="exact" if start else "unknown_time",
            details=details,
            people=(person_id,),
            author=AUTHOR_IMPORTED,
            source=source_prefix + refs,
            source_time=source_time,
        ).validated()

    def _person(self, tx: Transaction) -> int:
        """The sender as a person: found by any of their names or numbers, or added
        (inside the import's transaction: one person per name)."""
        assert self.req.sender is not None
        labels = [split_person_label(s) for s in (self.req.sender, *self.req.other_senders)]
        names = [n.strip() for n, _nums in labels if n.strip()]
        names += [num for _n, nums in labels for num in nums if num not in names]
        for name in dict.fromkeys([self.req.sender, *self.req.other_senders, *names]):
            found = tx.find_person(name)
            if found is not None:
                return found.id
        numbers = tuple(n for n in names if len(_digits(n)) >= 6 and not re.search(r"[A-Za-z]{2}", n))
        emails = tuple(n for n in names if "@" in n)
        data = PersonData(
            name=names[0],
            role="perpetrator",
            phones=numbers,
            accounts=emails,
            aliases=tuple(n for n in names[1:] if n not in numbers and n not in emails),
        )
        return tx.add_person(data, reason="created by import")

    def _captures(self, source: Path, keys: tuple[str, str]) -> None:
        """A ProofMode zip or Tella's CSV and its files (importers/capture.py)."""
        zipped = self.req.format == "proofmode"
        with open_proofmode(source) if zipped else contextlib.nullcontext() as zf:
            found = read_proofmode(source, zf) if zf is not None else read_tella_csv(source)
            store_captures(
                self.vault,
                self.req.format,
                source,
                found,
                self.report,
                self.clock.stamp,
                keys,
                item_key=lambda sha256: self._tag(self.req.format, "captured", sha256),
                seen=self._seen,
                dry_run=self.req.dry_run,
            )

    def _photos(self) -> ImportReport:
        req, vault = self.req, self.vault
        if not req.source.is_dir():
            raise BadInput("For photos, give a folder of pictures.")
        files = list(scan_photos(req.source))
        self.report.messages_seen = len(files)
        if req.dry_run:
            self.report.exhibits_stored = len(files)
            self.report.incidents_created = len(files) if req.photo_incidents else 0
            return self.report
        try:
            for f in files:
                self.pending.append(vault.evidence.store_path(f.path, f.name))
            with vault.transaction("the import") as tx:
                for f, blob in zip(files, self.pending, strict=True):
                    eid, new = vault.evidence.record_blob(blob, tx=tx)
                    self.report.exhibits_stored += int(new)
                    if not new:
                        self.report.duplicates_skipped += 1
                    if req.photo_incidents and new:
                        when = self.clock.stamp(f.date_taken)
                        data = IncidentData(
                            summary=f"Photo: {display_safe(f.name, single_line=True)[:80]}",
                            kinds=("other",),
                            complete_later=True,
                            occurred_start=when,
                            precision="exact" if when else "unknown_time",
                            source=f"import:photos exhibit {eid}",
                        ).validated()
                        iid = tx.add_incidents([(data, (eid,))], "imported from photos")[0]
                        self.report.incident_ids.append(iid)
                        self.report.incidents_created += 1
                tx.record_event("import", {"format": "photos", "files": len(files)})
        except BaseException:
            for blob in self.pending:
                vault.evidence.discard(blob)
            raise
        return self.report


def _chat_file_in(fmt: str, folder: Path) -> Path:
    """The chat file in a chat's folder (WhatsApp, Signal, Telegram, Messenger/Instagram)."""
    shown = display_safe(folder.name or str(folder), single_line=True)
    try:
        if fmt == "whatsapp":
            return find_chat_in_folder(folder)
        if fmt == "signal":
            return find_signal_chat(folder)
    except ImportFormatError as exc:
        raise ImportFormatError(f"'{shown}' is a folder. {exc.message}") from None
    return find_chat_page(fmt, folder, shown)  # result.json or messages.html, message_1.json or .html


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(HEAD_BYTES)
    except OSError as exc:
        raise BadInput(f"The file cannot be read ({exc.strerror}).") from None


def _sha256_file(path: Path) -> str:
    try:
        return file_sha256(path)[1]
    except OSError as exc:
        raise BadInput(f"The file cannot be read ({exc.strerror}).") from None


def run_import(vault: Vault, req: ImportRequest) -> ImportReport:
    """Preview (``dry_run``), list senders (no ``sender``), or import all-or-nothing."""
    clock = SourceClock(casetime.zone_of_vault(vault))
    with _collector_paused():
        return _Importer(vault, req, clock).run()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for the import.

    The plan holds a few objects per message, and every full collection walked all of
    them again: five per cent of a large import. Reference counting still frees
    everything the import drops; the collector runs again as soon as it ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
