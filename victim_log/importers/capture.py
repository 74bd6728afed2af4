"""Photos, videos and recordings from capture apps that vouch for them (ProofMode, Tella).

Such apps record, when a file is taken, its SHA-256 (and ProofMode signs it with an
OpenPGP key made on the phone). What matters to a court is that the file is the one
the app recorded: so every file's SHA-256 is computed here and compared with the
app's; any difference refuses the whole import, naming the file and both hashes, and
nothing is stored. A file the app recorded no hash for is imported and says so.

Each captured file becomes an exhibit whose description records both hashes and the
signature check; the app's own files (proof CSV/JSON, signatures, timestamps, the
public key) become exhibits too, and one incident per captured file ("to complete":
what it shows is for the person to say) cites the file, the export kept unchanged and
those proof files, so they stay together in the bundle. The app's capture time, when
it gives a zone (or an instant), is the incident's time; the time as the app wrote it
is kept beside it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import Protocol

from ..evidence import PendingBlob
from ..model import IncidentData
from ..textsafe import display_safe
from ..vault import Vault
from ..vault import now_iso
from .records import ImportFormatError
from .screening import AUTHOR_IMPORTED

__all__ = [
    "CaptureSet",
    "CapturedFile",
    "ProofFile",
    "app_time",
    "hash_mismatch",
    "store_captures",
    "store_chunks",
]

Opener = Callable[[], Iterator[bytes]]
#: The largest file an import copies into the vault (a long video still fits).
MAX_ATTACHMENT = 512 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ProofFile:
    """One of the app's own files kept with a captured file (a CSV, a signature ...)."""

    name: str
    role: str  # "proof CSV", "signature of the photo", "public key", ...
    opener: Opener


@dataclass(frozen=True)
class CapturedFile:
    name: str  # as the app named it (untrusted)
    opener: Opener
    our_sha256: str
    app_sha256: str  # "" when the app recorded none
    captured_at: datetime | None  # aware, or None when the app's time has no zone we know
    captured_text: str  # the capture time as the app wrote it
    signature: str  # one line: the signature check, or "" for apps that do not sign
    proofs: tuple[ProofFile, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # a few of the app's fields (device, place)


@dataclass
class CaptureSet:
    app: str  # "ProofMode", "Tella"
    files: list[CapturedFile]
    shared: list[ProofFile] = field(default_factory=list)  # e.g. ProofMode's public key
    skipped: list[str] = field(default_factory=list)  # reasons, naming files only


def hash_mismatch(app: str, name: str, app_sha256: str, ours: str) -> ImportFormatError:
    """The refusal when a file is not the one the app recorded (both hashes shown)."""
    shown = display_safe(name, single_line=True)[:120]
    return ImportFormatError(
        f"'{shown}' is not the file {app} recorded: {app} recorded SHA-256 {app_sha256}, this file's "
        f"SHA-256 is {ours}. It may have been changed after it was taken. Nothing was imported."
    )


def check_hash(app: str, name: str, app_sha256: str, ours: str) -> str:
    """The app's hash, lower case, after refusing one that is not ours; "" if none."""
    theirs = app_sha256.strip().lower()
    if not theirs:
        return ""
    if not _SHA256.match(theirs) or theirs != ours:
        raise hash_mismatch(app, name, app_sha256.strip()[:80], ours)
    return theirs


# Zone names capture apps write after a time ("... 8:30:00 PM British Summer Time").
_ZONES = {
    "british summer time": 1,
    "bst": 1,
    "greenwich mean time": 0,
    "gmt": 0,
    "coordinated universal time": 0,
    "utc": 0,
    "irish standard time": 1,
    "central european summer time": 2,
    "central european standard time": 1,
    "central european time": 1,
    "eastern daylight time": -4,
    "eastern standard time": -5,
    "pacific daylight time": -7,
    "pacific standard time": -8,
}
_WORDY = re.compile(
    r"^(?:[A-Za-z]+,? )?([A-Za-z]+) (\d{1,2}),? (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AP]M)? ?(.*)$",
    re.I,
)
MONTHS = {
    m: i
    for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july"]
        + ["august", "september", "october", "november", "december"],
        1,
    )
}


def app_time(text: str) -> datetime | None:
    """A capture app's time as an instant, or None when it cannot be placed for sure.

    Read: epoch seconds or milliseconds; ISO 8601 with an offset or ``Z``; Tella's
    ``21-03-2018 19:11:50 +0000``; ProofMode's ``Wednesday March 21 2018 7:11:50 PM
    Eastern Daylight Time`` (the zone names in the table above). A time with no zone,
    or a zone name not in the table, is None: placing it on the wrong clock would move
    the evidence by hours, so it is kept as written instead.
    """
    t = " ".join(text.split())[:100]
    if not t:
        return None
    try:
        if t.isdigit() and 9 <= len(t) <= 13:
            n = int(t)
            return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=n / 1000 if len(t) >= 12 else n)
        if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", t):
            dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
            return dt if dt.tzinfo is not None else None
        if re.match(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$", t):
            return datetime.strptime(t, "%d-%m-%Y %H:%M:%S %z")
        m = _WORDY.match(t)
        if m is not None:
            month = MONTHS.get(m.group(1).lower())
            offset = _ZONES.get(m.group(8).strip().lower())
            if month is None or offset is None:
                return None
            hour = int(m.group(4))
            ampm = (m.group(7) or "").upper()
            if ampm:
                if not 1 <= hour <= 12:
                    return None
                hour = hour % 12 + (12 if ampm == "PM" else 0)
            zone = timezone(timedelta(hours=offset))
            day, minute, second = int(m.group(2)), int(m.group(5)), int(m.group(6) or 0)
            return datetime(int(m.group(3)), month, day, hour, minute, second, tzinfo=zone)
    except (ValueError, OverflowError):
        return None
    return None


def store_chunks(vault: Vault, chunks: Iterator[bytes], name: str) -> PendingBlob:
    """Encrypt a file that arrives in pieces into a new blob; over :data:`MAX_ATTACHMENT` is refused."""
    buf = io.BytesIO()
    for chunk in chunks:
        buf.write(chunk)
        if buf.tell() > MAX_ATTACHMENT:
            raise ImportFormatError("A file in this export is too large to import.")
    data = buf.getvalue()
    return vault.evidence.store_blob(io.BytesIO(data), name, data[: 256 * 1024])


class _Report(Protocol):
    messages_seen: int
    exhibits_stored: int
    incidents_created: int
    incident_ids: list[int]
    skipped_lines: int
    duplicates_skipped: int
    preview: list[str]


_KIND_WORDS = {"image": "Photo", "video": "Video", "audio": "Recording"}
_EXTENSIONS = {
    "image": (".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".gif"),
    "video": (".mp4", ".mov", ".3gp", ".mkv", ".webm"),
    "audio": (".m4a", ".aac", ".mp3", ".wav", ".ogg", ".opus", ".amr"),
}
_HOW = {"image": "photo", "video": "video", "audio": "audio"}


def _media_kind(name: str) -> str:
    low = name.lower()
    return next((k for k, exts in _EXTENSIONS.items() if low.endswith(exts)), "other")


def _hash_line(app: str, f: CapturedFile) -> str:
    if f.app_sha256:
        return (
            f"SHA-256 recorded by {app}: {f.app_sha256}; "
            f"SHA-256 of the file imported: {f.our_sha256} (they match)"
        )
    return f"{app} recorded no SHA-256 for this file; SHA-256 of the file imported: {f.our_sha256}"


def _checked(app: str, f: CapturedFile) -> str:
    """One line per file for the command's output: the hash check and the signature."""
    name = display_safe(f.name, single_line=True)[:80]
    if f.app_sha256:
        line = f"{name}: SHA-256 {f.our_sha256[:12]}… matches the one {app} recorded"
    else:
        line = f"{name}: {app} recorded no SHA-256 (ours: {f.our_sha256[:12]}…)"
    return line + (f"; {f.signature}" if f.signature else "")


def _summary(app: str, f: CapturedFile) -> str:
    word = _KIND_WORDS.get(_media_kind(f.name), "File")
    return f"{word} taken with {app}: {display_safe(f.name, single_line=True)[:80]}"


def _details(app: str, f: CapturedFile, when: str) -> str:
    lines = [f"{_summary(app, f)}."]
    if f.captured_text:
        placed = "" if when else " (no time zone we can be sure of, so the entry has no time)"
        lines.append(f"Captured, as {app} wrote it: {f.captured_text}{placed}")
    lines.append(_hash_line(app, f))
    if f.signature:
        lines.append(f.signature)
    lines += [f"{k}: {v}" for k, v in f.facts]
    if f.proofs:
        lines.append("Kept with it: " + ", ".join(p.name for p in f.proofs))
    lines.append("What it shows: (to complete)")
    return "\n".join(display_safe(ln, single_line=True)[:600] for ln in lines)


def _describe(app: str, f: CapturedFile) -> str:
    text = f"captured with {app}; {_hash_line(app, f)}" + (f"; {f.signature}" if f.signature else "")
    return display_safe(text, single_line=True)[:500]


def store_captures(
    vault: Vault,
    fmt: str,
    source_path: Path,
    captures: CaptureSet,
    report: _Report,
    stamp: Callable[[datetime | None], str],
    remember: tuple[str, str],
    *,
    dry_run: bool,
    item_key: Callable[[str], str],
    seen: Callable[[str], bool],
) -> None:
    """Store the export, each captured file and its proof files; one incident each (all or nothing).

    A file an earlier import already brought in (by its SHA-256, from this export or
    another: ProofMode shared twice, Tella exported again) is counted in
    ``duplicates_skipped`` and not imported again.
    """
    app = captures.app
    report.messages_seen = len(captures.files)
    report.skipped_lines = len(captures.skipped)
    report.preview = [_checked(app, f) for f in captures.files] + captures.skipped
    fresh = [f for f in captures.files if not seen(item_key(f.our_sha256))]
    report.duplicates_skipped = len(captures.files) - len(fresh)
    captures = CaptureSet(app, fresh, captures.shared if fresh else [], captures.skipped)
    if not captures.files:
        return  # every file was imported before: nothing is stored
    if dry_run:
        proofs = sum(len(f.proofs) for f in captures.files) + len(captures.shared)
        report.exhibits_stored = 1 + len(captures.files) + proofs
        report.incidents_created = len(captures.files)
        return
    pending: list[PendingBlob] = []

    def store(opener: Opener, name: str) -> PendingBlob:
        blob = store_chunks(vault, opener(), name)
        pending.append(blob)
        return blob

    try:
        raw = vault.evidence.store_path(source_path)
        pending.append(raw)
        shared = [(p, store(p.opener, p.name)) for p in captures.shared]
        stored = [
            (f, store(f.opener, f.name), [(p, store(p.opener, p.name)) for p in f.proofs])
            for f in captures.files
        ]
        with vault.transaction("the import") as tx:
            export_provenance = {
                "how": "app_export",
                "obtained_from": app,
                "description": f"the {app} export, unchanged, imported into the log by Victim Log",
            }
            raw_id, new = vault.evidence.record_blob(raw, provenance=export_provenance, tx=tx)
            report.exhibits_stored += int(new)

            def record(blob: PendingBlob, provenance: dict[str, str]) -> int:
                eid, fresh = vault.evidence.record_blob(blob, provenance=provenance, tx=tx)
                report.exhibits_stored += int(fresh)
                return eid

            shared_ids = [
                record(b, {"how": "app_export", "obtained_from": app, "description": f"{app} {p.role}"})
                for p, b in shared
            ]
            for f, blob, proof_blobs in stored:
                when = stamp(f.captured_at)
                provenance = {
                    "how": _HOW.get(_media_kind(f.name), "other"),
                    "obtained_from": app,
                    "description": _describe(app, f),
                }
                if when:
                    provenance["captured_on"] = when
                media_id = record(blob, provenance)
                shown = display_safe(f.name, single_line=True)[:120]
                proof_ids = [
                    record(
                        b,
                        {
                            "how": "app_export",
                            "obtained_from": app,
                            "description": f"{app} {p.role} for {shown}",
                        },
                    )
                    for p, b in proof_blobs
                ]
                data = IncidentData(
                    summary=_summary(app, f),
                    kinds=("other",),
                    complete_later=True,
                    occurred_start=when,
                    precision="exact" if when else "unknown_time",
                    details=_details(app, f, when),
                    author=AUTHOR_IMPORTED,
                    source=f"import:{fmt} exhibit {raw_id} {shown}",
                    source_time=f.captured_text[:120],
                ).validated()
                evidence = tuple(dict.fromkeys([media_id, raw_id, *proof_ids, *shared_ids]))
                iid = tx.add_incidents([(data, evidence)], f"imported from {app}")[0]
                tx.remember_imported_items([(item_key(f.our_sha256), iid)])
                report.incident_ids.append(iid)
                report.incidents_created += 1
            tx.remember_import_source(remember, raw_id, now_iso(), len(stored))
            tx.record_event("import", {"format": fmt, "exhibit": raw_id, "incidents": len(stored)})
    except BaseException:
        for blob in pending:
            vault.evidence.discard(blob)
        raise
