"""What goes into a police export, built once from the vault as plain frozen values.

Why a snapshot: the PDF, the CSV and JSON tables and the bundle must all tell the
same story, and none of them should reach back into the vault (which may lock while
an export runs). :func:`build_case` reads everything it needs, applies the person's
choices (period, perpetrator, selected incidents, private notes, redaction) and
returns an :class:`ExportCase`; renderers only format it.

Decisions, so an officer (and the defence) can rely on them:

* **Order**: incidents oldest first by when they happened (an incident whose date is
  not known sorts by when it was first recorded). Each is cited as ``Entry N`` where
  N is the vault's own incident id, the same in every export for ever (see
  :mod:`victim_log.references`); the entries of the log not in an export are listed.
* **Exhibits** are only the evidence cited by exported incidents. Each keeps the
  reference (``INITIALS/N``) stored in the vault the first time an export cited it;
  files cited for the first time are given the next numbers in order of first
  citation. Evidence the owner removed from use (or erased) is not exported; the
  incident names it by its reference, and references given before but not in this
  export are listed.
* **Private notes** never leave the vault unless ``include_private`` is set. They are
  dropped here, at the source, so no renderer can leak one by accident.
* **Deleted incidents** are not exported. The case counts how many entries dated in
  the export's period were deleted (their deletion and its reason stay in the vault's
  hash-chained journal), so the export is honest that they exist.
* **Redaction** changes only the exported copy and is best effort: ``locations``
  replaces each incident's place (and that place's words where they recur in the
  text); ``third-parties`` replaces the names and details of everyone who is not a
  perpetrator in people lists and witness fields, and their known names, aliases,
  phone numbers, accounts and vehicles wherever they appear word for word. Exhibits
  are the unchanged originals and are never redacted; ``redactions`` says all this.
"""

from __future__ import annotations

import base64
import binascii
import functools
import pickle
import re
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import tzinfo
from typing import TYPE_CHECKING
from typing import NamedTuple
from typing import TypeVar
from typing import overload

from .. import __version__
from .. import casetime
from .. import references
from ..breaches import IN_TERM
from ..breaches import check_breach
from ..errors import BadInput
from ..errors import NotFound
from ..fields import FIELDS_BY_NAME
from ..fields import pick
from ..imported import author_label as imported_author_label
from ..imported import imported_as
from ..imported import is_context
from ..imported import is_imported
from ..model import KINDS
from ..model import IncidentVersion
from ..model import Order
from ..model import Person
from ..model import order_day
from ..model import parse_when
from ..periods import period_label
from ..periods import period_run
from ..periods import period_start
from ..sdash import AnswerSet
from ..sdash import answer_sets
from ..textsafe import display_safe
from ..textsafe import safe_filename
from ..vault import IncidentFilter
from . import disclosure
from . import provenance
from .disclosure import NotIncluded
from .disclosure import build_not_included
from .disclosure import not_included_json
from .provenance import ExhibitProvenance
from .provenance import provenance_for
from .provenance import provenance_json
from .versions import CaseVersion
from .versions import Entry
from .versions import HistoryEntry
from .versions import PersonRef
from .versions import PoliceRef
from .versions import VersionCounts
from .versions import build_versions
from .versions import entry
from .versions import field_json
from .versions import version_json

if TYPE_CHECKING:
    from ..model import EvidenceItem
    from ..vault import Vault

__all__ = [
    "LOCATION_REDACTED",
    "Packed",
    "REDACT_CHOICES",
    "SCHEMA",
    "THIRD_PARTY_REDACTED",
    "CaseExhibit",
    "CaseIncident",
    "CaseOrder",
    "CasePerson",
    "ExportCase",
    "ExportOptions",
    "HistoryEntry",
    "KindCount",
    "PeriodCount",
    "PersonRef",
    "PoliceRef",
    "build_case",
    "case_json_with",
    "case_to_json",
    "format_date",
    "incident_json",
    "format_datetime",
    "local_iso",
    "readout_fingerprint",
    "when_text",
]

_IN_TERM = frozenset(str(s) for s in IN_TERM)  # order_in_force ids of a breach in force
SCHEMA = "victim-log-timeline/1"
# The marks redaction writes; export/disclosure.py counts them in its schedule.
LOCATION_REDACTED, THIRD_PARTY_REDACTED = disclosure.LOCATION_REDACTED, disclosure.THIRD_PARTY_REDACTED
REDACT_CHOICES = frozenset({"locations", "third-parties"})
MAX_INITIALS = references.MAX_INITIALS

#: Officer-facing role names (the app's own labels speak to the victim).
ROLE_LABELS: dict[str, str] = {
    "perpetrator": "Perpetrator",
    "third_party": "Acting for the perpetrator",
    "contacted": "Third party (contacted or involved)",
    "witness": "Witness",
    "named": "Named (role not given)",
    "other": "Other",
}

#: Extensions for files whose original name had none, so the officer's tools open them.
_EXT_FOR_MEDIA: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/tiff": "tif",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/avif": "avif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/flac": "flac",
    "audio/amr": "amr",
    "audio/mp4": "m4a",
    "video/webm": "webm",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/3gpp2": "3g2",
    "application/gzip": "gz",
    "application/x-7z-compressed": "7z",
    "application/vnd.rar": "rar",
    "application/vnd.sqlite3": "sqlite",
    "text/vcard": "vcf",
    "text/plain": "txt",
    "text/html": "html",
}


# ---------------------------------------------------------------------------- packed entries

T = TypeVar("T")


class Packed(Sequence[T]):
    """Values kept packed in memory (pickled and zlib-compressed, :data:`BATCH` at a
    time) and unpacked a batch at a time as they are read, oldest first.

    Why: an export of 100,000 entries reads its entries a dozen times (the PDF's
    sections, the tables, the journal) and held as objects they took about 2.5 KB
    each; packed they take a tenth of that or less, and at most one batch is ever
    unpacked at a time (#23.8). The values are the same objects, equal field for
    field, whichever way they are read. Nothing is written anywhere: diary text never
    leaves the process's memory.
    """

    __slots__ = ("_batches", "_len", "_pending", "_size")
    BATCH = 64

    def __init__(self, values: Iterable[T] = ()) -> None:
        self._batches: list[bytes] = []
        self._pending: list[T] = []  # the last batch, not full yet: kept as it is
        self._len = 0
        self._size = self.BATCH
        for value in values:
            self.append(value)

    def append(self, value: T) -> None:
        """Add ``value`` at the end (a full batch is packed at once)."""
        self._pending.append(value)
        self._len += 1
        if len(self._pending) == self._size:
            batch = tuple(self._pending)
            self._batches.append(zlib.compress(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL), 1))
            self._pending = []

    @staticmethod
    def _unpack(blob: bytes) -> tuple[T, ...]:
        values: tuple[T, ...] = pickle.loads(zlib.decompress(blob))  # noqa: S301 - our own bytes, never stored
        return values

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[T]:
        for blob in self._batches:
            yield from self._unpack(blob)
        yield from tuple(self._pending)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...
    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError("Packed index out of range")
        batch, at = divmod(index, self._size)
        if batch == len(self._batches):
            return self._pending[at]
        return self._unpack(self._batches[batch])[at]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Packed | tuple | list):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Packed({len(self)} values)"


# ---------------------------------------------------------------------------- options


@dataclass(frozen=True)
class ExportOptions:
    """What the person chose to export. Empty values mean "everything"."""

    start: str = ""  # ISO date or date-time, inclusive
    end: str = ""  # ISO date or date-time, inclusive (a bare date means to its end)
    person_id: int | None = None  # only incidents involving this person
    incident_ids: tuple[int, ...] = ()  # only these incidents (still in date order)
    include_private: bool = False
    redact: frozenset[str] = frozenset()  # {"locations", "third-parties"}
    initials: str = ""  # producer's initials for new exhibit refs; default: the vault's setting
    include_sdash: bool = False  # the S-DASH answers on the key facts page (#20): only when chosen


# ---------------------------------------------------------------------------- values


@dataclass(frozen=True)
class CasePerson(PersonRef):
    """Someone the exported incidents or orders name, with what identifies them."""

    relationship: str = ""
    aliases: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    vehicles: tuple[str, ...] = ()
    redacted: bool = False


@dataclass(frozen=True, slots=True)  # slots, as Entry's: about 1 KB less for every entry
class CaseIncident(Entry):
    """An exported entry: what it says now (:class:`~.versions.Entry`) and where it
    stands in the log and in this export."""

    number: int  # the entry reference ("Entry N"): the vault's incident id, never moves
    id: int  # the vault's incident id
    first_recorded_at: str
    last_recorded_at: str
    history: tuple[HistoryEntry, ...]  # every version, the first is the creation
    # An imported record (not the victim's account) and how it is cited, #16.5; a
    # context entry (the victim's own reply kept from an import) is never counted.
    imported: bool = False
    imported_as: str = ""  # "message as exported (SM/4, line 10)"
    context: bool = False
    position: int = 0  # 1..N: its place in this export (date order); cite ``number``
    # Cited files not in this export (removed or erased): "SM/7", or NOT_INCLUDED when
    # the file has no reference.
    exhibits_withheld: tuple[str, ...] = ()
    # Every version as exported (export/versions.py), oldest first, the current one last.
    versions: tuple[CaseVersion, ...] = ()
    # Whether the order was in force on the date of this breach (victim_log.breaches,
    # #16.3): an InForce id ("" when the entry is not a breach) and the sentence why.
    order_in_force: str = ""
    order_in_force_text: str = ""
    # An imported record's time exactly as its source wrote it (#16.4), and why its
    # date cannot be right when it cannot ("dated after it was recorded").
    source_time: str = ""
    date_flag: str = ""

    @property
    def breach_flagged(self) -> bool:
        """Recorded as a breach, but the log cannot show the order was in force (and
        known to be served) on its date: listed apart, with the reason, never silently."""
        return self.breach and self.order_in_force not in _IN_TERM

    @property
    def changes(self) -> VersionCounts:
        """Account changes and evidence changes, counted apart (attaching a file is not
        an amendment of the account)."""
        if not self.versions:  # built by hand without versions: every later version counts
            return VersionCounts(self.amendments, 0, 0, 0)
        return VersionCounts.of(self.versions)

    @property
    def amendments(self) -> int:
        return max(0, len(self.history) - 1)

    @property
    def amended(self) -> bool:
        return self.amendments > 0


@dataclass(frozen=True)
class CaseExhibit:
    reference: str  # "SM/1", stored in the vault: the same in every export
    number: int  # its number (gaps: references not in this export)
    evidence_id: int  # for bundle.py to stream the verified original
    original_filename: str  # display-safe, one line
    bag_name: str  # "SM-1_photo.jpg": portable, unique in the bag
    sha256: str
    size: int
    media_type: str
    added_at: str
    added_by: str
    incident_ids: tuple[int, ...]  # exported incidents it supports (vault ids)
    incident_numbers: tuple[int, ...]  # the same as entry references ("Entry N")
    # Where it came from (export/provenance.py): how obtained, EXIF, names, who added it.
    provenance: ExhibitProvenance | None = None

    @property
    def payload_path(self) -> str:
        """Path inside the bag's ``data/`` directory."""
        return "exhibits/" + self.bag_name

    @property
    def bag_path(self) -> str:
        return "data/" + self.payload_path


@dataclass(frozen=True)
class ExhibitNotExported:
    """A reference given before (by an earlier export) that this export does not carry."""

    reference: str  # "SM/2"
    number: int
    why: str  # "removed from the log", "erased", "not cited by the entries in this export"


@dataclass(frozen=True)
class CaseOrder:
    id: int
    order_type: str
    reference: str
    court: str
    made_on: str
    expires_on: str
    conditions: tuple[str, ...]
    person_name: str
    status: str  # on the export date: "in force", "expired", "not yet in force"
    served_on: str = ""  # "" = service not recorded
    served_how: str = ""
    served_by: str = ""
    interim: bool | None = None  # None: not recorded
    without_notice: bool = False
    variations: tuple[tuple[str, str, str], ...] = ()  # (on, what changed, new end date or "")

    @property
    def in_force(self) -> bool:
        return self.status == "in force"

    @property
    def label(self) -> str:
        return f"{self.order_type} {self.reference}".strip()


@dataclass(frozen=True)
class Count:
    """How many exported incidents one row of a summary counts, and its label."""

    label: str
    count: int


@dataclass(frozen=True)
class KindCount(Count):
    kind: str


@dataclass(frozen=True)
class PeriodCount(Count):
    """Incidents in one week (starting Monday, labelled "1 Jun 2026") or month
    (starting the 1st, "Jun 2026")."""

    start: str  # ISO date
    breaches: int


@dataclass(frozen=True)
class ExportCase:
    case_title: str
    owner: str
    producer_initials: str
    exported_at: str
    software: str
    fingerprint: str
    fingerprint_readout: str
    requested_start: str
    requested_end: str
    first_incident: str  # ISO date of the earliest known incident date, or ""
    last_incident: str
    selection: str  # in words: which incidents were chosen
    include_private: bool
    redact: tuple[str, ...]
    redactions: tuple[str, ...]
    deleted_not_exported: int
    incidents: Sequence[CaseIncident]  # build_case gives them Packed (read, never held whole)
    exhibits: tuple[CaseExhibit, ...]
    people: tuple[CasePerson, ...]
    orders: tuple[CaseOrder, ...]
    counts_by_kind: tuple[KindCount, ...]
    per_week: tuple[PeriodCount, ...]
    per_month: tuple[PeriodCount, ...]
    date_not_known: int
    schema: str = SCHEMA
    # Said on the front page and in timeline.json: dates far outside the case (left
    # out of the counts per period) and recorded-at times the computer's clock put
    # out of order.
    date_notes: tuple[str, ...] = ()
    # The victim's own replies kept from imports ("please stop"), in date order: shown
    # beside the incidents, never counted, charted or listed as breaches (#16.5).
    context: Sequence[CaseIncident] = ()
    # References not in this export, so every gap in the numbering is explained:
    # entries (runs of incident ids) not chosen, deleted entries, and exhibit
    # references given before that this export does not carry.
    entries_not_exported: tuple[tuple[int, int], ...] = ()
    entries_deleted: tuple[tuple[int, int], ...] = ()
    exhibits_not_exported: tuple[ExhibitNotExported, ...] = ()
    exhibit_span: str = "No exhibits"  # "SM/1 to SM/9 (7 exhibits)", for page footers
    # What this export leaves out, by what it is (export/disclosure.py, #16.6).
    not_included: NotIncluded | None = None
    # The case's time zone (IANA name): every time shown is on its clock (#16.4).
    time_zone: str = ""
    # The S-DASH answers, oldest first, only when the victim chose to include them (#20).
    sdash: tuple[AnswerSet, ...] = ()

    @property
    def exhibit_file_example(self) -> str:
        """``SM-1_...``: how this export's exhibit files are named, for README.txt."""
        prefix = self.exhibits[0].bag_name.split("_")[0] if self.exhibits else "SM-1"
        return prefix + "_..."

    @functools.cached_property
    def breaches(self) -> Sequence[CaseIncident]:
        """Every entry recorded as a breach (flagged ones included, each saying why).
        Found once, and kept as the entries are (:class:`Packed`)."""
        return Packed(i for i in self.incidents if i.breach)

    @property
    def breaches_in_force(self) -> tuple[CaseIncident, ...]:
        """Breaches dated while their order was in force, as far as the log shows."""
        return tuple(i for i in self.breaches if not i.breach_flagged)

    @functools.cached_property
    def breaches_flagged(self) -> Sequence[CaseIncident]:
        """Breaches the log cannot show were of an order in force on their date (#16.3)."""
        return Packed(i for i in self.breaches if i.breach_flagged)

    @property
    def perpetrators(self) -> tuple[CasePerson, ...]:
        return tuple(p for p in self.people if p.role == "perpetrator")

    @property
    def orders_in_force(self) -> tuple[CaseOrder, ...]:
        return tuple(o for o in self.orders if o.in_force)

    @property
    def period_text(self) -> str:
        """The period covered, in words, for the title page and README."""
        start = self.requested_start or self.first_incident
        end = self.requested_end or self.last_incident
        if not start and not end:
            return "No dated incidents"
        if start and end:
            return f"{format_date(start)} to {format_date(end)}"
        return f"From {format_date(start)}" if start else f"Up to {format_date(end)}"


# ---------------------------------------------------------------------------- dates in words


def _parse(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _day(dt: datetime | date) -> str:
    return casetime.day_text(dt)


def _local(dt: datetime, zone: tzinfo | None) -> datetime:
    """A stored time on the case zone's clock (a bare date, naive, stays as it is)."""
    return dt if dt.tzinfo is None else casetime.in_zone(dt, zone)


def _clock(dt: datetime, seconds: bool = False) -> str:
    """``21:15 BST``: ``dt`` already on the case zone's clock, and which clock."""
    if dt.tzinfo is None:
        return f"{dt.hour:02d}:{dt.minute:02d}" + (f":{dt.second:02d}" if seconds or dt.second else "")
    return casetime.clock_text(dt, dt.tzinfo, seconds=seconds)


def format_date(value: str, *, zone: tzinfo | None = None) -> str:
    """``2026-06-06`` (or a date-time) as ``Sat 6 Jun 2026``; unparsable text unchanged.

    A date-time's date is the one on the case zone's clock (``zone``, else the active
    case zone: :mod:`victim_log.casetime`); a bare date is that date."""
    dt = _parse(value)
    if dt is None:
        try:
            return _day(date.fromisoformat(value.strip()[:10]))
        except ValueError:
            return value
    return _day(_local(dt, zone))


def format_datetime(value: str, *, seconds: bool = True, zone: tzinfo | None = None) -> str:
    """An ISO date-time as ``Sat 6 Jun 2026 21:15:07 BST``: on the case zone's clock,
    saying which (an officer never has to guess whether a time is BST or GMT)."""
    dt = _parse(value)
    if dt is None:
        return value
    local = _local(dt, zone)
    return f"{_day(local)} {_clock(local, seconds)}"


def when_text(start: str, end: str, precision: str, *, zone: tzinfo | None = None) -> str:
    """When an incident happened, in words that carry how sure the time is.

    ``exact``: "Sat 6 Jun 2026 at 21:15 BST"; ``approximate``: "... at about 21:15
    BST"; ``day`` / ``unknown_time``: "Sat 6 Jun 2026, time not known"; ranges say
    "from ... to ...". Times are on the case zone's clock and name it, each end its
    own (a night the clocks went back can run from 01:50 BST to 01:10 GMT). A day
    without a time keeps the date it was given (moving it to another zone's clock could
    move it to another day).
    """
    s, e = _parse(start), _parse(end)
    if s is None:
        return "Date and time not known"
    timed = precision in ("exact", "approximate")
    if timed:
        s = _local(s, zone)
        e = _local(e, zone) if e is not None else None
    about = "about " if precision == "approximate" else ""
    if e is None or e == s:
        if timed:
            return f"{_day(s)} at {about}{_clock(s)}"
        return f"{_day(s)}, time not known"
    if not timed:
        if s.date() == e.date():
            return f"{_day(s)}, time not known"
        return f"Between {_day(s)} and {_day(e)}, time not known"
    if s.date() == e.date():
        return f"{_day(s)} from {about}{_clock(s)} to {about}{_clock(e)}"
    return f"From {_day(s)} {about}{_clock(s)} to {_day(e)} {about}{_clock(e)}"


def local_iso(value: str, *, zone: tzinfo | None = None) -> str:
    """A stored date-time as ISO 8601 on the case zone's clock, with its offset
    (``2024-04-10T18:30:00+01:00``), for JSON and CSV; "" and bare dates unchanged."""
    return casetime.data_text(value, zone) if value and len(value.strip()) > 10 else value


def readout_fingerprint(fingerprint: str) -> str:
    """The phone read-out form of a signing-key fingerprint: 6 groups of 4 hex digits.

    ``SHA256:<base64>`` (what ``ssh-keygen -lf`` prints) becomes the first 96 bits of
    the same digest in upper-case hex groups, the form ``victim-log verify`` prints
    (``sign.short_fingerprint``). Hex is read aloud without case mistakes. Anything
    else is grouped in fours as given; "" stays "".
    """
    text = fingerprint.strip()
    if not text:
        return ""
    if text.upper().startswith("SHA256:"):
        b64 = text[7:]
        try:
            digest = base64.b64decode(b64 + "=" * (-len(b64) % 4), validate=True)
        except (binascii.Error, ValueError):
            digest = b""
        if len(digest) == 32:
            hexdigits = digest.hex()[:24].upper()
            return " ".join(hexdigits[i : i + 4] for i in range(0, 24, 4))
    compact = re.sub(r"[\s:-]", "", text)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# ---------------------------------------------------------------------------- redaction


_TITLE_WORDS = frozenset(
    {"the", "and", "mr", "mrs", "ms", "miss", "dr", "mum", "dad", "my", "her", "his", "of", "from"}
)


def _phone_pattern(phone: str) -> str | None:
    """A phone number matched whatever the spacing, and +44 for a leading 0."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    sep = r"[\s().-]*"
    body = sep.join(re.escape(d) for d in digits)
    if phone.strip().startswith("0"):
        rest = sep.join(re.escape(d) for d in digits[1:])
        return rf"(?:{body}|\+{sep}4{sep}4{sep}(?:\(?0\)?{sep})?{rest})"
    return body


class _Redactor:
    """Best-effort replacement of third parties' identifiers and of places in free text."""

    def __init__(
        self, redact: frozenset[str], people: Iterable[Person], keep_words: str, locations: Iterable[str]
    ) -> None:
        self.locations = "locations" in redact
        self.third_parties = "third-parties" in redact
        self._third: re.Pattern[str] | None = None
        self._places: re.Pattern[str] | None = None
        self.redacted_people = 0
        if self.third_parties:
            self._third = self._third_party_pattern(list(people), keep_words)
        if self.locations:
            places = sorted({p.strip() for p in locations if len(p.strip()) >= 8}, key=len, reverse=True)
            if places:
                self._places = re.compile(
                    "|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in places), re.IGNORECASE
                )

    def _third_party_pattern(self, people: list[Person], keep_words: str) -> re.Pattern[str] | None:
        keep: set[str] = {w.casefold() for w in re.findall(r"\w+", keep_words)}
        for p in people:
            if p.data.role == "perpetrator":
                for term in (p.data.name, *p.data.aliases, *p.data.accounts):
                    keep.update(w.casefold() for w in re.findall(r"\w+", term))
        terms: set[str] = set()
        patterns: list[str] = []
        for p in people:
            d = p.data
            if d.role == "perpetrator":
                continue
            self.redacted_people += 1
            for term in (d.name, *d.aliases, *d.vehicles):
                terms.add(term.strip())
            for account in d.accounts:
                terms.add(account.strip())
                terms.add(account.split(" (")[0].strip())  # "@handle (Instagram)"
            for word in re.findall(r"\w+", d.name):
                if (
                    len(word) >= 3
                    and word[0].isupper()
                    and word.casefold() not in keep
                    and word.casefold() not in _TITLE_WORDS
                ):
                    terms.add(word)
            for phone in d.phones:
                pat = _phone_pattern(phone)
                if pat:
                    patterns.append(pat)
                else:
                    terms.add(phone.strip())
        ordered = sorted((t for t in terms if len(t) >= 2), key=len, reverse=True)
        patterns = [re.escape(t) for t in ordered] + patterns
        if not patterns:
            return None
        return re.compile("(?<!\\w)(?:" + "|".join(patterns) + ")(?!\\w)", re.IGNORECASE)

    def text(self, value: str) -> str:
        """Free text (summary, details, reasons...) with known identifiers replaced."""
        if not value:
            return value
        if self._third is not None:
            value = self._third.sub(THIRD_PARTY_REDACTED, value)
        if self._places is not None:
            value = self._places.sub(LOCATION_REDACTED, value)
        return value

    def location(self, value: str) -> str:
        if self.locations and value.strip():
            return LOCATION_REDACTED
        return self.text(value)

    def witnesses(self, value: str) -> str:
        if self.third_parties and value.strip():
            return THIRD_PARTY_REDACTED
        return self.text(value)


# ---------------------------------------------------------------------------- building


def _initials(options: ExportOptions, vault: Vault) -> str:
    """Producer initials for exhibit references given by this export: the option, else
    the log's setting, else "" (never letters that are nobody's initials; an export
    that must give a new reference then asks for them)."""
    return references.clean_initials(options.initials) or references.vault_initials(vault)


def _check_options(options: ExportOptions) -> None:
    unknown = set(options.redact) - REDACT_CHOICES
    if unknown:
        raise BadInput(
            f"Unknown redaction '{sorted(unknown)[0][:40]}'. "
            f"Choose from: {', '.join(sorted(REDACT_CHOICES))}."
        )
    if options.start and options.end:
        start = parse_when(options.start)
        end = parse_when(options.end)
        if len(options.end.strip()) <= 10:
            end = end.replace(hour=23, minute=59, second=59)
        if end < start:
            raise BadInput("The end of the export period is before its start.")
    elif options.start:
        parse_when(options.start)
    elif options.end:
        parse_when(options.end)


def _author_label(author: str) -> str:
    imported = imported_author_label(author)
    return imported if imported is not None else provenance.author_label(author)


def _bag_name(prefix: str, filename: str, media_type: str) -> str:
    """``SM-4_photo.jpg``: the reference (``prefix``, e.g. ``SM-4``) then the safe name."""
    safe = safe_filename(filename, max_len=100, fallback="exhibit")
    stem, dot, ext = safe.rpartition(".")
    if not dot:
        ext = _EXT_FOR_MEDIA.get(media_type, "")
        if ext:
            safe = f"{safe}.{ext}"
    return f"{prefix}_{safe}"


#: What an export carries of an order as the log holds it.
_ORDER_TEXTS = (
    "order_type",
    "reference",
    "court",
    "made_on",
    "expires_on",
    "conditions",
    "served_on",
    "served_how",
    "served_by",
    "interim",
    "without_notice",
)


def _order_status(order: Order, today: date) -> str:
    """The order's status on the export date (the orders list). A breach is judged on its
    own date instead: :func:`victim_log.breaches.in_force_on`."""
    made, expires = order_day(order.data.made_on), order_day(order.data.expires_on)
    if made is not None and made > today:
        return "not yet in force"
    if expires is not None and expires < today:
        return "expired"
    return "in force"


FAR_OUTSIDE_DAYS = 15 * 366  # further than this from the case's middle date: a typo?
MAX_PERIODS = 2_000  # weeks in a chart or table, whatever the dates say


def far_outside(dated: Iterable[tuple[int, date]], today: date) -> set[int]:
    """Ids of incidents dated far outside the case: after the export was made, or more
    than :data:`FAR_OUTSIDE_DAYS` from the median date. One typo (9999, or 2205 for
    2025) must not stretch every chart and count over centuries."""
    days = sorted(d.toordinal() for _, d in dated)
    if not days:
        return set()
    middle = days[len(days) // 2]
    latest = today.toordinal() + 1
    return {
        iid for iid, d in dated if d.toordinal() > latest or abs(d.toordinal() - middle) > FAR_OUTSIDE_DAYS
    }


LONG_BEFORE_DAYS = 365  # an entry this long before all the others: a typo, or apart
AFTER_RECORDING = timedelta(minutes=5)  # a clock a little fast is not a wrong date


class _Dated(NamedTuple):
    """What :func:`implausible_dates` reads of an incident (the entries are not built yet)."""

    id: int
    occurred_start: str
    first_recorded_at: str
    precision: str


class _Cited(NamedTuple):
    """What an exhibit's provenance and entry list read of an entry citing it."""

    id: int
    number: int
    occurred_start: str
    occurred_end: str
    precision: str


def _case_day(i: _Dated, zone: tzinfo) -> date | None:
    """The day an incident happened, as the export counts it (on the case's clock when
    it has a time), or None when its date is not known."""
    dt = _parse(i.occurred_start)
    if dt is None:
        return None
    timed = i.precision in ("exact", "approximate")
    return (_local(dt, zone) if timed else dt).date()


class _Days:
    """The incidents' known dates, compactly: ids and days (ordinals) side by side, in
    date order, and the flags one entry alone decides (:func:`_own_flag`)."""

    def __init__(self) -> None:
        self.ids = array("q")
        self.days = array("l")
        self.own_flags: dict[int, str] = {}

    def add(self, fact: _Dated, day: date, today: date, zone: tzinfo) -> None:
        self.ids.append(fact.id)
        self.days.append(day.toordinal())
        flag = _own_flag(fact, day, today, zone)
        if flag:
            self.own_flags[fact.id] = flag

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[tuple[int, date]]:
        return ((i, date.fromordinal(d)) for i, d in zip(self.ids, self.days, strict=True))


def _own_flag(i: _Dated, d: date, today: date, zone: tzinfo) -> str:
    """Why the entry's own date ``d`` cannot be right, seen from the entry alone: after
    the export was made, or after it was recorded; else ""."""
    if d > today:
        return "after this export was made"
    start, recorded = _parse(i.occurred_start), _parse(i.first_recorded_at)
    if start is not None and recorded is not None:
        if i.precision in ("exact", "approximate"):
            aware = start.tzinfo is not None and recorded.tzinfo is not None
            late = aware and start > recorded + AFTER_RECORDING
        else:
            late = d > _local(recorded, zone).date()
        if late:
            return f"after it was recorded (on {format_date(i.first_recorded_at, zone=zone)})"
    return ""


def implausible_dates(known: _Days, today: date) -> dict[int, str]:
    """Entries whose date cannot be right, by id, with why ("after it was recorded").

    Why: a typed year (2021 for 2024) or a date after the entry was written would
    stretch the chart over years of empty weeks and hand the defence an "error" the
    victim did not make in substance. Each is flagged where it is shown and left out
    of the counts per week and month, never hidden: dated after the export was made
    or after it was recorded, more than :data:`FAR_OUTSIDE_DAYS` from the case's
    middle date, or one of a few entries more than :data:`LONG_BEFORE_DAYS` before all
    the others.
    """
    flags: dict[int, str] = {}
    far = far_outside(known, today)
    for iid in known.ids:
        if iid in known.own_flags:
            flags[iid] = known.own_flags[iid]
        elif iid in far:
            flags[iid] = "far from the other entries' dates"
    rest = sorted((d, iid) for iid, d in zip(known.ids, known.days, strict=True) if iid not in flags)
    allowed = max(1, len(rest) // 10)
    cut = 0
    for k in range(min(allowed, len(rest) - 1)):
        if rest[k + 1][0] - rest[k][0] > LONG_BEFORE_DAYS:
            cut = k + 1
    for ordinal, iid in rest[:cut]:
        gap = rest[cut][0] - ordinal
        flags[iid] = f"{_span_words(gap)} before the next entry"
    return flags


def _span_words(days: int) -> str:
    if days >= 730:
        return f"{days // 365} years"
    return f"{days // 30} months" if days >= 60 else f"{days} days"


def _period_counts(dated: Iterable[tuple[date, bool]], monthly: bool) -> tuple[PeriodCount, ...]:
    """Counts per week (Monday start) or month, with empty periods filled in.

    Bounded by the data present: at most :data:`MAX_PERIODS` periods are filled in
    (the callers leave dates far outside the case out), and the calendar's last
    month never overflows (:func:`~victim_log.periods.period_run`).
    """
    counts: Counter[date] = Counter()
    breaches: Counter[date] = Counter()
    for d, breach in dated:
        start = period_start(d, monthly)
        counts[start] += 1
        if breach:
            breaches[start] += 1
    return tuple(
        PeriodCount(
            start=cur.isoformat(),
            label=period_label(cur, monthly),
            count=counts[cur],
            breaches=breaches[cur],
        )
        for cur in period_run(counts, monthly, MAX_PERIODS)
    )


def _select(vault: Vault, options: ExportOptions) -> list[int]:
    from ..store.index import list_ids  # the ids alone: every row's summary was 1 KB (#23.8)

    flt = IncidentFilter(start=options.start, end=options.end, person_id=options.person_id)
    ids = list_ids(vault.conn, flt, oldest_first=True)
    if options.incident_ids:
        wanted = set(options.incident_ids)
        for iid in wanted:
            current = vault.get_incident(iid)  # NotFound for an unknown id
            if current.deleted:
                raise BadInput(f"Incident {iid} was deleted, so it cannot be exported.")
        ids = [i for i in ids if i in wanted]
    return ids


def _selection_text(options: ExportOptions, vault: Vault, count: int) -> str:
    parts: list[str] = []
    if options.incident_ids:
        parts.append(f"{len(set(options.incident_ids))} incidents chosen by hand")
    else:
        parts.append("All incidents")
    if options.person_id is not None:
        try:
            who = vault.get_person(options.person_id).data
            name = (
                who.name
                if who.role == "perpetrator" or "third-parties" not in options.redact
                else THIRD_PARTY_REDACTED
            )
        except NotFound:
            name = f"person {options.person_id}"
        parts.append(f"involving {name}")
    if options.start and options.end:
        parts.append(f"from {format_date(options.start)} to {format_date(options.end)}")
    elif options.start:
        parts.append(f"from {format_date(options.start)}")
    elif options.end:
        parts.append(f"up to {format_date(options.end)}")
    return " ".join(parts) + f" ({count} exported)"


def build_case(
    vault: Vault,
    options: ExportOptions,
    *,
    exported_at: str,
    fingerprint: str = "",
    assign_references: bool = True,
) -> ExportCase:
    """Read the vault once and return the full, redacted export as plain values.

    Raises BadInput for bad options (unknown redaction, end before start, initials
    that cannot name a file, a deleted or unknown incident id, no initials when a new
    exhibit reference is needed). The only thing written is the exhibit references
    given for the first time (:func:`victim_log.references.give`), before any output
    exists; ``assign_references=False`` (a preview that only counts) writes nothing
    and shows what would be given.
    """
    zone = casetime.use_vault_zone(vault)  # every time below is shown on the case's clock
    _check_options(options)
    initials = _initials(options, vault)
    ids = _select(vault, options)
    histories = _Histories(vault, ids)
    case_title = vault.get_setting("case_title", "") or "Victim Log export"
    owner = vault.get_setting("owner_name", "")

    person_cache: dict[int, Person | None] = {}

    def person(pid: int) -> Person | None:
        if pid not in person_cache:
            try:
                person_cache[pid] = vault.get_person(pid)
            except NotFound:
                person_cache[pid] = None
        return person_cache[pid]

    all_people = {p.id: p for p in vault.list_people()}
    person_cache.update(all_people)
    redact = frozenset(options.redact)
    # One pass over the histories gathers what the entries need from each other:
    # people, places (to redact), and the exhibits every (date-ordered) incident cites,
    # in order of first citation.
    locations: list[str] = []
    evidence_of: list[tuple[int, ...]] = []  # each entry's current files, in ``ids`` order
    reason_ids: set[int] = set()
    cited: dict[int, EvidenceItem | None] = {}
    exported = _parse(exported_at)
    today = exported.date() if exported else date.today()
    known = _Days()  # the incidents' dates (context entries are not counted)
    for hist in histories:
        cur = hist[-1]
        if not is_context(cur.data.author):
            dated_fact = _Dated(
                cur.incident_id, cur.data.occurred_start, cur.first_recorded_at, cur.data.precision
            )
            day = _case_day(dated_fact, zone)
            if day is not None:
                known.add(dated_fact, day, today, zone)
        for pid in cur.data.people:
            person(pid)
        if "locations" in redact:
            locations += (v.data.location for v in hist)
        evidence_of.append(cur.evidence)
        reason_ids.update(e for v in hist for e in references.cited_evidence_ids(v.reason))
        for eid in cur.evidence:
            if eid not in cited:
                try:
                    cited[eid] = vault.evidence.get(eid)
                except NotFound:
                    cited[eid] = None
    # Dates that cannot be right are flagged where the entry is shown (#23.6).
    flags = implausible_dates(known, today)
    orders = vault.list_orders()
    for o in orders:
        if o.data.person_id is not None:
            person(o.data.person_id)
    known_people = [p for p in person_cache.values() if p is not None]

    redactor = _Redactor(redact, known_people, case_title + " " + owner, locations)

    # Exhibits: each keeps the reference stored in the vault; files cited for the
    # first time are given the next numbers now, in order of first citation
    # (references.py).
    refable = [eid for eid, it in cited.items() if it is not None]
    if assign_references:
        given = references.give(vault, refable, initials)
    else:
        given = references.provisional(vault, refable, initials)
    exhibit_items: dict[int, EvidenceItem] = {
        eid: it for eid, it in cited.items() if it is not None and not (it.removed or it.erased)
    }
    # Included exhibits, in reference order: evidence id -> number.
    exhibit_numbers: dict[int, int] = {
        eid: given[eid].number for eid in sorted(exhibit_items, key=lambda e: given[e].number)
    }
    # How each evidence id is cited in text (sources, reasons): its reference, said to
    # be left out when it is; a file never given a reference is "a file not included".
    cite_as: dict[int, str] = {
        eid: r.text + ("" if eid in exhibit_numbers else " (not included in this export)")
        for eid, r in {**references.known(vault, reason_ids - set(given)), **given}.items()
    }
    withheld: dict[int, list[str]] = {}
    for iid, evidence in zip(ids, evidence_of, strict=True):
        for eid in dict.fromkeys(evidence):
            if eid not in exhibit_numbers:
                withheld.setdefault(iid, []).append(
                    given[eid].text if eid in given else references.NOT_INCLUDED
                )
    del evidence_of, locations

    def ref(eid: int) -> str:
        return given[eid].text

    order_by_id = {o.id: o for o in orders}

    @functools.cache  # one PersonRef per person, shared by every entry naming them
    def person_ref(pid: int) -> PersonRef:
        p = person(pid)
        if p is None:
            return PersonRef(pid, f"Person {pid} (no longer in the log)", "other", "Other")
        hidden = redactor.third_parties and p.data.role != "perpetrator"
        return PersonRef(
            pid,
            THIRD_PARTY_REDACTED if hidden else p.data.name,
            p.data.role,
            ROLE_LABELS.get(p.data.role, p.data.role),
        )

    # The entries are packed as they are made (Packed): what the case needs of them
    # as a whole (exhibits they cite, people, counts, dates) is gathered on the way.
    incidents: Packed[CaseIncident] = Packed()
    context: Packed[CaseIncident] = Packed()  # the victim's replies kept as context (#16.5)
    supported: dict[str, list[_Cited]] = {}  # exhibit reference -> the entries citing it
    named: dict[int, None] = {}  # everyone the exported entries name, in order
    kind_counter: Counter[str] = Counter()
    incident_ids = array("q")  # the exported incidents (not context entries), in order
    in_force: set[int] = set()  # breaches in force on their own date (#16.3)
    locations_redacted = 0
    for position, hist in enumerate(histories, start=1):
        cur = hist[-1]
        d = cur.data
        order = order_by_id.get(d.order_id) if d.order_id is not None else None
        breach_check = check_breach(d, order_by_id, zone=zone)  # the day as the export shows it
        inc = entry(
            CaseIncident,
            d,
            redactor,
            person_ref=person_ref,
            when=when_text(d.occurred_start, d.occurred_end, d.precision, zone=zone),
            order_label=(
                redactor.text(order.data.order_type + " " + order.data.reference).strip() if order else ""
            ),
            source=references.cite_source(d.source, cite_as),
            author_label=_author_label(d.author),
            include_private=options.include_private,
            order_in_force=str(breach_check.status) if breach_check else "",
            order_in_force_text=breach_check.text(format_date) if breach_check else "",
            number=cur.incident_id,
            position=position,
            id=cur.incident_id,
            version=cur.version,
            source_time=d.source_time,
            first_recorded_at=cur.first_recorded_at,
            last_recorded_at=cur.recorded_at,
            imported=is_imported(d.author, d.source),
            imported_as=redactor.text(imported_as(d.source, references.cite_source(d.source, cite_as))),
            context=is_context(d.author),
            exhibits=tuple(ref(e) for e in dict.fromkeys(cur.evidence) if e in exhibit_numbers),
            exhibits_not_included=len(withheld.get(cur.incident_id, ())),
            exhibits_withheld=tuple(withheld.get(cur.incident_id, ())),
            history=tuple(
                HistoryEntry(
                    v.version, v.recorded_at, redactor.text(references.cite_reason(v.reason, cite_as))
                )
                for v in hist
            ),
            versions=build_versions(
                hist,
                redactor=redactor,
                person_ref=person_ref,
                order_label=lambda oid: (
                    redactor.text(
                        f"{order_by_id[oid].data.order_type} {order_by_id[oid].data.reference}"
                    ).strip()
                    if oid is not None and oid in order_by_id
                    else ""
                ),
                exhibit_ref=lambda eid: ref(eid) if eid in exhibit_numbers else None,
                withheld_ref=lambda eid: (
                    f"{given[eid].text} (not included in this export)"
                    if eid in given
                    else references.NOT_INCLUDED
                ),
                when=when_text,
                include_private=options.include_private,
                reason_text=lambda text: references.cite_reason(text, cite_as),
                source_text=lambda text: references.cite_source(text, cite_as),
            ),
            date_flag=flags.get(cur.incident_id, ""),
        )
        for r in inc.exhibits:
            supported.setdefault(r, []).append(
                _Cited(inc.id, inc.number, inc.occurred_start, inc.occurred_end, inc.precision)
            )
        for pr in inc.people:
            named[pr.id] = None
        if inc.context:
            context.append(inc)
            continue
        incidents.append(inc)
        kind_counter.update(inc.kinds)
        incident_ids.append(inc.id)
        if inc.breach and not inc.breach_flagged:
            in_force.add(inc.id)
        locations_redacted += inc.location == LOCATION_REDACTED
    exhibits: list[CaseExhibit] = []
    for eid, n in exhibit_numbers.items():
        item = exhibit_items[eid]
        supports = supported.get(ref(eid), [])
        name = redactor.text(display_safe(item.filename, single_line=True))
        exhibits.append(
            CaseExhibit(
                reference=ref(eid),
                number=n,
                evidence_id=eid,
                original_filename=name,
                bag_name=_bag_name(given[eid].file_prefix, name, item.media_type),
                sha256=item.sha256,
                size=item.size,
                media_type=item.media_type,
                added_at=item.added_at,
                added_by=item.added_by,
                incident_ids=tuple(i.id for i in supports),
                incident_numbers=tuple(i.number for i in supports),
                provenance=provenance_for(
                    item, ref(eid), supports, redactor.text, hide_gps=redactor.locations
                ),
            )
        )
    _check_unique_names(exhibits)

    # People: everyone the exported incidents or listed orders name.
    for o in orders:
        if o.data.person_id is not None:
            named[o.data.person_id] = None
    people: list[CasePerson] = []
    for pid in named:
        p = person(pid)
        if p is None:
            continue
        pd = p.data
        if redactor.third_parties and pd.role != "perpetrator":
            people.append(
                CasePerson(
                    pid, THIRD_PARTY_REDACTED, pd.role, ROLE_LABELS.get(pd.role, pd.role), redacted=True
                )
            )
        else:
            people.append(
                CasePerson(
                    pid,
                    pd.name,
                    pd.role,
                    ROLE_LABELS.get(pd.role, pd.role),
                    relationship=redactor.text(pd.relationship),
                    aliases=pd.aliases,
                    phones=pd.phones,
                    accounts=pd.accounts,
                    vehicles=pd.vehicles,
                )
            )
    people.sort(key=lambda p: (p.role != "perpetrator", p.role, p.name.casefold(), p.id))

    case_orders = []
    for o in orders:
        od = o.data
        who = person_ref(od.person_id).name if od.person_id is not None else ""
        case_orders.append(
            CaseOrder(
                id=o.id,
                # An order's words are never redacted (#16.6).
                **pick(od, *_ORDER_TEXTS),
                variations=tuple((v.on, v.what, v.expires_on) for v in od.variations),
                person_name=who,
                status=_order_status(o, today),
            )
        )

    # The victim's replies kept as context are shown, never counted (#16.5).
    if context:  # histories stay aligned with incidents for what follows
        histories = _Histories(vault, list(incident_ids))
    counts_by_kind = tuple(
        KindCount(kind=k, label=KINDS[k], count=kind_counter[k]) for k in KINDS if kind_counter[k]
    ) + tuple(KindCount(kind=k, label=k, count=n) for k, n in sorted(kind_counter.items()) if k not in KINDS)
    outside = set(flags)
    # Red in the chart only for breaches in force on their own date (#16.3).
    inside = [d for iid, d in zip(known.ids, known.days, strict=True) if iid not in outside]
    first = date.fromordinal(min(inside)) if inside else None
    last = date.fromordinal(max(inside)) if inside else None
    del inside

    def dated() -> Iterator[tuple[date, bool]]:
        return ((d, iid in in_force) for iid, d in known if iid not in outside)

    date_notes = [
        f"Entry {iid} is dated {format_date(d.isoformat())}, {flags[iid]} (a typing "
        "error?). It is in the timeline, but not in the counts per week or month."
        for iid, d in known
        if iid in outside
    ][:20]
    if len(outside) > 20:
        date_notes.append(f"... and {len(outside) - 20} more entries dated far outside the case.")
    date_notes += [
        f"The computer's clock went back while this log was kept: {w}. Recorded-at "
        "times are as the computer's clock gave them."
        for w in vault.clock_went_back(3)
    ]

    deleted = 0
    if not options.incident_ids:
        span = IncidentFilter(start=options.start, end=options.end)
        deleted = vault.count_incidents(
            IncidentFilter(start=options.start, end=options.end, include_deleted=True)
        ) - vault.count_incidents(span)

    not_exported, deleted_entries, exhibits_not_exported = _not_in_export(
        vault, set(ids), exhibit_numbers, cited
    )
    used = sorted({given[e].initials for e in exhibit_numbers})
    return ExportCase(
        entries_not_exported=not_exported,
        entries_deleted=deleted_entries,
        exhibits_not_exported=exhibits_not_exported,
        exhibit_span=references.span_text([given[e] for e in exhibit_numbers]),
        case_title=case_title,
        owner=owner,
        producer_initials=initials or (used[0] if len(used) == 1 else ""),
        exported_at=exported_at,
        software=f"Victim Log {__version__}",
        fingerprint=fingerprint.strip(),
        fingerprint_readout=readout_fingerprint(fingerprint),
        requested_start=options.start,
        requested_end=options.end,
        first_incident=first.isoformat() if first else "",
        last_incident=last.isoformat() if last else "",
        selection=" ".join([_selection_text(options, vault, len(incidents)), *date_notes]),
        include_private=options.include_private,
        redact=tuple(sorted(redact)),
        redactions=_redaction_notes(redactor, locations_redacted),
        deleted_not_exported=deleted,
        incidents=incidents,
        context=context,
        exhibits=tuple(exhibits),
        people=tuple(people),
        orders=tuple(case_orders),
        counts_by_kind=counts_by_kind,
        per_week=_period_counts(dated(), monthly=False),
        per_month=_period_counts(dated(), monthly=True),
        date_not_known=len(incidents) - len(known),  # known: the incidents' (not context)
        date_notes=tuple(date_notes),
        time_zone=zone.key,
        sdash=answer_sets(vault) if options.include_sdash else (),
        not_included=_material_not_included(
            vault,
            options,
            incidents,
            histories,
            people,
            exhibits,
            exhibit_items,
            redactor,
            given,
        ),
    )


class _Histories:
    """The stored versions of the entries ``ids``, read from the vault one entry at a
    time on each pass, never all at once: a 100,000-entry export would otherwise hold
    every version of every entry beside the case it builds from them (#23.8).
    :func:`build_case` makes three passes (what the entries need from each other, the
    entries, the schedule of what is left out)."""

    def __init__(self, vault: Vault, ids: list[int]) -> None:
        self._vault = vault
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[list[IncidentVersion]]:
        return (self._vault.incident_history(i) for i in self.ids)


def _material_not_included(
    vault: Vault,
    options: ExportOptions,
    incidents: Sequence[CaseIncident],
    histories: _Histories,
    people: list[CasePerson],
    exhibits: list[CaseExhibit],
    items: dict[int, EvidenceItem],
    redactor: _Redactor,
    given: dict[int, references.ExhibitRef],
) -> NotIncluded:
    """The schedule of what this export leaves out (export/disclosure.py); the hash of
    the unredacted export is added by export/derivation.py."""
    return build_not_included(
        vault,
        options,
        incidents=incidents,
        histories=histories,
        people=people,
        exhibit_names=[
            (e.reference, display_safe(items[e.evidence_id].filename, single_line=True), e.original_filename)
            for e in exhibits
        ],
        text=redactor.text,
        given={eid: r.text for eid, r in given.items()},
    )


def _not_in_export(
    vault: Vault,
    exported: set[int],
    included: dict[int, int],
    cited: dict[int, EvidenceItem | None],
) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...], tuple[ExhibitNotExported, ...]]:
    """The references this export does not carry, so no gap is left unexplained:
    entries of the log not chosen, deleted entries (runs of ids), and every exhibit
    reference given before (by this or an earlier export) that is not in it, with why."""
    from ..store import references as stored

    rows = stored.incident_ids(vault.conn)
    not_chosen = references.entry_ranges(i for i, deleted in rows if not deleted and i not in exported)
    deleted = references.entry_ranges(i for i, is_deleted in rows if is_deleted)
    out: list[ExhibitNotExported] = []
    given = references.known(vault)
    # Only their state is needed: get_many reads no citing incidents (a chat is cited
    # by thousands), so a filtered export of a big log stays quick.
    items = vault.evidence.get_many(e for e in given if e not in included and cited.get(e) is None)
    for eid, r in given.items():
        if eid in included:
            continue
        item = cited.get(eid) or items.get(eid)
        if item is None:
            why = "no longer in the log"
        elif item.erased:
            why = "erased from the log by its owner"
        elif item.removed:
            why = "removed from the log by its owner"
        else:
            why = "not cited by the entries in this export"
        out.append(ExhibitNotExported(r.text, r.number, why))
    return tuple(not_chosen), tuple(deleted), tuple(out)


def _check_unique_names(exhibits: list[CaseExhibit]) -> None:
    """Exhibit names start with a unique reference, so this is a guard, not a fix-up."""
    seen: set[str] = set()
    for ex in exhibits:
        key = ex.bag_name.casefold()
        if key in seen:  # pragma: no cover - impossible while references are unique
            raise BadInput("Two exhibits would get the same file name in the bundle.")
        seen.add(key)


def _redaction_notes(redactor: _Redactor, locations_redacted: int) -> tuple[str, ...]:
    """What redaction did; ``locations_redacted``: how many incidents' places it replaced."""
    notes: list[str] = []
    if redactor.locations:
        n = locations_redacted
        notes.append(
            f"Locations: the place of each incident ({n} incidents) is replaced by "
            f'"{LOCATION_REDACTED}", and where a place is repeated word for word in other '
            "text it is replaced there too. Order conditions are not redacted."
        )
    if redactor.third_parties:
        notes.append(
            f"Third parties: the names and details of the {redactor.redacted_people} people in "
            "the log who are not named as a perpetrator (witnesses, people acting for the "
            f'perpetrator, others) are replaced by "{THIRD_PARTY_REDACTED}" in the people lists '
            "and the witnesses field, and wherever their known names, aliases, phone numbers, "
            "accounts or vehicles appear word for word in the text."
        )
    if notes:
        notes.append(
            "Redaction is best effort and applies to this export only; the log itself is "
            "unchanged. Exhibits are the original files, unchanged and not redacted: they may "
            "still show places, people or location data."
        )
    return tuple(notes)


# ---------------------------------------------------------------------------- JSON


def incident_json(i: CaseIncident) -> dict[str, object]:
    return {
        **pick(i, "number", "id", "version", "occurred_start", "occurred_end"),
        "occurred_start_local": local_iso(i.occurred_start),
        "occurred_end_local": local_iso(i.occurred_end),
        **pick(i, "source_time", "date_flag", "precision", "when", "first_recorded_at", "last_recorded_at"),
        "first_recorded_at_local": local_iso(i.first_recorded_at),
        "last_recorded_at_local": local_iso(i.last_recorded_at),
        "kinds": list(i.kinds),
        "kind_labels": list(i.kind_labels),
        **pick(i, "summary", "location", "details"),
        "people": field_json(i, FIELDS_BY_NAME["people"]),
        "witnesses": i.witnesses,
        "effects": list(i.effects),
        "effect_labels": list(i.effect_labels),
        "effect_text": i.effect_text,
        "actions": i.actions,
        "police": field_json(i, FIELDS_BY_NAME["police"]),
        "breach": i.breach,
        "order_id": i.order_id,
        "order": i.order_label,
        "order_condition": i.order_condition,
        "order_in_force": i.order_in_force or None,
        "order_in_force_text": i.order_in_force_text,
        "exhibits": list(i.exhibits),
        **pick(i, "exhibits_not_included", "author", "complete_later", "source", "imported", "imported_as"),
        "imported_at": i.first_recorded_at if i.imported else "",
        "context": i.context,
        "amended": i.amended,
        "history": [pick(h, "version", "recorded_at", "reason") for h in i.history],
        "private_note": i.private_note,
        "reference": f"Entry {i.number}",
        "position": i.position,
        "exhibits_withheld": list(i.exhibits_withheld),
        "account_changes": i.changes.account_changes,
        "evidence_changes": i.changes.evidence_changes,
        "versions": [version_json(v) for v in i.versions[:-1]],
    }


def _not_included_json(case: ExportCase) -> dict[str, object] | None:
    return not_included_json(case.not_included) if case.not_included is not None else None


def case_to_json(case: ExportCase) -> dict[str, object]:
    """The ``timeline.json`` document (keys documented in docs/export-format.md)."""
    return case_json_with(
        case,
        incidents=[incident_json(i) for i in case.incidents],
        context=[incident_json(i) for i in case.context],
    )


def case_json_with(case: ExportCase, *, incidents: object, context: object) -> dict[str, object]:
    """:func:`case_to_json` with ``incidents`` and ``context`` given by the caller
    (export/tables.py streams those lists, the rest is small)."""
    return {
        **pick(case, "schema", "case_title", "owner", "producer_initials", "exported_at", "time_zone"),
        "software": case.software,
        "signing_key": {"fingerprint": case.fingerprint, "readout": case.fingerprint_readout},
        "period": {
            "requested_start": case.requested_start,
            "requested_end": case.requested_end,
            "first_incident": case.first_incident,
            "last_incident": case.last_incident,
        },
        "selection": case.selection,
        "date_notes": list(case.date_notes),
        "private_notes_included": case.include_private,
        "redact": list(case.redact),
        "redactions": list(case.redactions),
        "deleted_not_exported": case.deleted_not_exported,
        "counts": {
            "incidents": len(case.incidents),
            "context_entries": len(case.context),
            "exhibits": len(case.exhibits),
            "breaches": len(case.breaches),
            "breaches_flagged": len(case.breaches_flagged),
            "date_not_known": case.date_not_known,
            "by_kind": {k.kind: k.count for k in case.counts_by_kind},
            "per_week": [
                {"week_start": w.start, "count": w.count, "breaches": w.breaches} for w in case.per_week
            ],
        },
        "people": [
            {
                **pick(p, "id", "name", "role", "relationship"),
                **{name: list(getattr(p, name)) for name in ("aliases", "phones", "accounts", "vehicles")},
                "redacted": p.redacted,
            }
            for p in case.people
        ],
        "orders": [
            {
                **pick(o, "id", "order_type", "reference", "court", "made_on", "expires_on"),
                "conditions": list(o.conditions),
                "person": o.person_name,
                **pick(o, "status", "served_on", "served_how", "served_by", "interim", "without_notice"),
                "variations": [{"on": on, "what": what, "expires_on": end} for on, what, end in o.variations],
            }
            for o in case.orders
        ],
        "breaches": [i.id for i in case.breaches],
        "breaches_flagged": [i.id for i in case.breaches_flagged],
        "incidents": incidents,
        "context": context,
        "exhibits": [
            {
                "reference": e.reference,
                "file": e.bag_path,
                **pick(e, "original_filename", "sha256", "size", "media_type", "added_at", "added_by"),
                "incident_ids": list(e.incident_ids),
                "entries": list(e.incident_numbers),
                "provenance": provenance_json(e.provenance) if e.provenance else None,
                "statement": e.provenance.statement if e.provenance else "",
            }
            for e in case.exhibits
        ],
        "material_not_included": _not_included_json(case),
        "not_in_this_export": {
            "entries": [list(r) for r in case.entries_not_exported],
            "deleted_entries": [list(r) for r in case.entries_deleted],
            "exhibits": [{"reference": e.reference, "why": e.why} for e in case.exhibits_not_exported],
        },
    }


# Dates in the disclosure schedule and exhibit provenance are written as everywhere
# else in the export (those modules sit below this one, so they are handed the functions).
provenance.use_dates(
    provenance.Dates(day=format_date, when=lambda v: format_datetime(v, seconds=False), local=local_iso)
)
