"""Upload-link batches: the export cut into folders a police upload portal takes (#21).

Most UK forces take a victim's digital evidence through an upload link (Axon
Community Request, NICE Investigate, DESC), not a zip: a submission holds at most
25 files (16 on older versions), 2 GB a file, one caption typed per file, and a file
that carries no date of its own is "recorded on" the day it arrives. So beside the
signed bundle the export can write numbered batch folders of at most N files, each
file named by its exhibit reference (the same as in the bundle: ``SM-05 ...`` is
``SM/5``, the zero only keeps the files in order in a folder view) with a short
description and its capture date, the timeline PDF first in batch 1, and a
``captions.txt`` per batch with one line to paste per file: the reference, what it is,
when it was captured (not when it was uploaded) and its SHA-256, which is also in the
PDF's exhibit list and the signed bundle, so an officer can match each file received
one by one to the bundle. A file over the portal's limit is not put in a batch but in
a folder of its own, with what to do.

This module plans the batches from an :class:`~.case.ExportCase` (pure, testable)
and writes them into a new folder that appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import BadInput
from ..errors import IntegrityError
from ..fsutil import TEMP_PREFIX
from ..fsutil import fsync_dir
from ..fsutil import hold_lock
from ..fsutil import remove_abandoned
from ..fsutil import translate_os_error
from ..textsafe import display_safe
from ..textsafe import safe_filename
from .case import CaseExhibit
from .case import ExportCase
from .case import format_date
from .case import format_datetime
from .case import local_iso

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_BATCH_SIZE",
    "PORTAL_MAX_FILE_BYTES",
    "PortalFile",
    "PortalFolder",
    "PortalPlan",
    "plan_portal",
    "portal_json",
    "read_portal",
    "write_portal",
]

DEFAULT_BATCH_SIZE = 16  # fits every version of the portals (the newest take 25)
AXON_MAX_FILES = 25  # Axon Community Request/Citizen: files in one submission
MAX_BATCH_SIZE = 100
PORTAL_MAX_FILE_BYTES = 2_000_000_000  # "2 GB a file": the decimal reading, the smaller
CAPTIONS = "captions.txt"
MANIFEST = "portal.json"  # the batches for the app and scripts (docs/export-format.md)
MANIFEST_FORMAT = "victim-log upload batches"
MANIFEST_VERSION = 1
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_BATCH_FOLDER = re.compile(r"Batch (\d{2,}) of (\d{2,})")
TEMP_PORTAL_PREFIX = f"{TEMP_PREFIX}portal-"  # the folder being written, beside DIR
README = "README.txt"
TOO_LARGE_FOLDER = "Too large for the portal"
_MAX_NAME_BYTES = 120  # well inside Windows' 260-character paths once in a folder
_MAX_DESCRIPTION = 60
TOO_LARGE_ADVICE = (
    "Too large for the upload link (2 GB a file): do not try to upload it; ask the officer "
    "for another way to send it (the signed bundle on a USB stick, or their service for "
    "large files)."
)


@dataclass(frozen=True)
class PortalFile:
    """One file to upload, with its caption."""

    name: str  # the file's name in its batch folder (Windows-safe)
    kind: str  # "timeline" or "exhibit"
    reference: str  # "SM/5"; "" for the timeline
    what: str  # what it is, in words
    captured: str  # when it was captured, in words ("" when not recorded)
    captured_date: str  # ISO date on the case's clock, or ""
    sha256: str
    size: int
    caption: str  # one line to paste
    too_large: bool
    evidence_id: int | None  # where the bytes come from (None: the timeline PDF)
    mtime: float | None  # the capture moment, set as the file's modified time


@dataclass(frozen=True)
class PortalPlan:
    batch_size: int
    batches: tuple[tuple[PortalFile, ...], ...]
    too_large: tuple[PortalFile, ...]

    def folder(self, number: int) -> str:
        """``Batch 01 of 03``: numbered so the folders sort in sending order."""
        width = max(2, len(str(len(self.batches))))
        return f"Batch {number:0{width}d} of {len(self.batches):0{width}d}"


def _size_text(n: int) -> str:
    for unit, div in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{n} bytes"


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if value.strip() else None
    except ValueError:
        return None


def _capture(ex: CaseExhibit) -> tuple[str, str, float | None]:
    """(in words, ISO date on the case's clock, POSIX time) of when the file was made:
    the capture date given at intake, else the date recorded inside the file."""
    p = ex.provenance
    if p is None:
        return "", "", None
    if p.captured_on:
        value = p.captured_on
        if len(value.strip()) <= 10:
            return format_date(value), value.strip()[:10], None
        dt = _parse(value)
        words = format_datetime(value, seconds=False)
        return words, local_iso(value)[:10], dt.timestamp() if dt and dt.tzinfo else None
    if p.exif_date:
        dt = _parse(p.exif_date)
        if dt is None:
            return "", "", None
        zoned = dt.tzinfo is not None
        words = format_datetime(p.exif_date, seconds=False) if zoned else format_date(p.exif_date)
        words += (
            " (the date recorded inside the file)"
            if zoned
            else f" {dt:%H:%M} (the camera's clock, recorded inside the file)"
        )
        return (
            words,
            (local_iso(p.exif_date) if zoned else p.exif_date)[:10],
            dt.timestamp() if zoned else None,
        )
    return "", "", None


def _what(ex: CaseExhibit) -> tuple[str, str]:
    """(what it is, for the caption; a short description, for the file name)."""
    p = ex.provenance
    stem = ex.original_filename.rsplit(".", 1)[0] if "." in ex.original_filename else ex.original_filename
    kind = (ex.media_type.split("/")[0] if ex.media_type else "") or "file"
    label = (p.how_label if p is not None and p.how_label else "") or {
        "image": "Image",
        "video": "Video",
        "audio": "Audio",
        "text": "Text file",
        "application": "File",
    }.get(kind, "File")
    description = p.description.strip().rstrip(" .") if p is not None and p.description else ""
    what = f"{label}: {description}" if description else f"{label} ({ex.original_filename})"
    return what, description or stem


def _short(text: str) -> str:
    """At most :data:`_MAX_DESCRIPTION` characters, cut at a word, one line."""
    text = " ".join(display_safe(text, single_line=True).replace("_", " ").split())
    if len(text) > _MAX_DESCRIPTION:
        cut = text[:_MAX_DESCRIPTION].rsplit(" ", 1)[0]
        text = cut if len(cut) >= 20 else text[:_MAX_DESCRIPTION]
    return text.rstrip(" .,;:-")


def _prefix(reference: str, width: int) -> str:
    """``SM/5`` -> ``SM-05`` (zero-padded so a folder view sorts by number)."""
    initials, _, number = reference.rpartition("/")
    return f"{initials}-{int(number):0{width}d}" if number.isdigit() else reference.replace("/", "-")


def _ext(ex: CaseExhibit) -> str:
    _, dot, ext = ex.bag_name.rpartition(".")
    return f".{ext}" if dot and "_" not in ext else ""


def portal_name(prefix: str, description: str, day: str, ext: str) -> str:
    """``SM-05 photo of car outside house 2024-03-31.jpg``, safe on Windows, macOS and
    Linux (no reserved characters or device names, no trailing dot or space, at most
    120 bytes with the extension kept)."""
    parts = [prefix, _short(description), day]
    stem = " ".join(p for p in parts if p)
    stem = re.sub(r"[.\s]+$", "", stem)
    return safe_filename(stem + ext, max_len=_MAX_NAME_BYTES, fallback=prefix or "file")


def _exhibit_file(ex: CaseExhibit, width: int, max_file_bytes: int) -> PortalFile:
    captured, day, moment = _capture(ex)
    what, description = _what(ex)
    name = portal_name(_prefix(ex.reference, width), description, day, _ext(ex))
    entries = ", ".join(f"Entry {n}" for n in ex.incident_numbers)
    when = (
        f"Captured {captured} (not the upload date)"
        if captured
        else (
            f"Capture date not recorded; added to the log on {format_date(ex.added_at)} (not the upload date)"
        )
    )
    caption = f"Exhibit {ex.reference}: {what}. {when}. "
    if entries:
        caption += f"Supports {entries}. "
    caption += f"SHA-256 {ex.sha256}"
    caption = " ".join(display_safe(caption, single_line=True).split())
    too_large = ex.size > max_file_bytes
    if too_large:
        caption += f" ({_size_text(ex.size)}. {TOO_LARGE_ADVICE})"
    return PortalFile(
        name=name,
        kind="exhibit",
        reference=ex.reference,
        what=what,
        captured=captured,
        captured_date=day,
        sha256=ex.sha256,
        size=ex.size,
        caption=caption,
        too_large=too_large,
        evidence_id=ex.evidence_id,
        mtime=moment,
    )


def _timeline_file(case: ExportCase, pdf_sha256: str, pdf_size: int, bundle_name: str) -> PortalFile:
    day = local_iso(case.exported_at)[:10]
    span = case.exhibit_span if case.exhibits else "no exhibits"
    exported = format_datetime(case.exported_at, seconds=False)
    caption = (
        f"Timeline of incidents (PDF) exported from Victim Log on {exported}: "
        f"{len(case.incidents)} incidents, {case.period_text}, exhibits {span}, with each exhibit's "
        f"SHA-256 in Appendix B. The same PDF is data/timeline.pdf in the signed bundle {bundle_name}. "
        f"SHA-256 {pdf_sha256}"
    )
    return PortalFile(
        name=f"00 Timeline of incidents {day}.pdf",
        kind="timeline",
        reference="",
        what="Timeline of incidents and exhibit list (PDF)",
        captured="",
        captured_date=day,
        sha256=pdf_sha256,
        size=pdf_size,
        caption=" ".join(display_safe(caption, single_line=True).split()),
        too_large=False,
        evidence_id=None,
        mtime=None,
    )


def check_batch_size(n: int) -> int:
    if not 1 <= n <= MAX_BATCH_SIZE:
        raise BadInput(
            f"The batch size must be 1 to {MAX_BATCH_SIZE} files ({DEFAULT_BATCH_SIZE} fits every "
            "upload portal; the newest take 25)."
        )
    return n


def plan_portal(
    case: ExportCase,
    *,
    pdf_sha256: str,
    pdf_size: int,
    bundle_name: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_file_bytes: int = PORTAL_MAX_FILE_BYTES,
) -> PortalPlan:
    """The timeline PDF first, then every exhibit in reference order, cut into batches
    of at most ``batch_size`` files; files over ``max_file_bytes`` set apart."""
    check_batch_size(batch_size)
    numbers = [ex.number for ex in case.exhibits]
    width = max(2, len(str(max(numbers, default=0))))
    files = [_timeline_file(case, pdf_sha256, pdf_size, bundle_name)]
    too_large: list[PortalFile] = []
    for ex in sorted(case.exhibits, key=lambda e: e.number):
        f = _exhibit_file(ex, width, max_file_bytes)
        (too_large if f.too_large else files).append(f)
    batches = tuple(tuple(files[i : i + batch_size]) for i in range(0, len(files), batch_size))
    return PortalPlan(batch_size, batches, tuple(too_large))


# ---------------------------------------------------------------------------- writing


def _captions(title: str, intro: str, files: Iterable[PortalFile]) -> bytes:
    lines = [title, "=" * len(title), intro, ""]
    for f in files:
        lines += [f.name, f.caption, ""]
    # UTF-8 with a byte order mark and CRLF: Notepad on any Windows shows it right.
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _readme(plan: PortalPlan, case: ExportCase, bundle_name: str) -> bytes:
    n = len(plan.batches)
    then = f", then the others up to {plan.folder(n)}" if n > 1 else ""
    text = f"""SENDING THIS EXPORT THROUGH A POLICE UPLOAD LINK
================================================

Case: {case.case_title}. Exported on {format_datetime(case.exported_at, seconds=False)}.
The signed bundle made at the same moment: {bundle_name}

1. Open the upload link the police sent you (it is usually valid for about 10 days).
2. Send the folders in order, one submission each: {plan.folder(1)} first{then}.
   Each folder holds at most {plan.batch_size} files to upload. Upload every file in
   the folder except captions.txt.
3. For each file, copy its line from that folder's captions.txt into the file's
   caption (or description) box. The caption says which exhibit it is, when it was
   captured (the portal may show the day you upload instead) and its SHA-256, so the
   officer can match it to the exhibit list in the timeline PDF and to the bundle.
4. Note the date you sent each folder and the reference the police gave you.

portal.json lists the same batches for Victim Log ("Send through the police link"
shows them batch by batch, with a Copy button for each caption): do not upload it.

The file names start with the exhibit reference: "SM-05" is exhibit SM/5, the same
reference as in the timeline PDF and the signed bundle (the 0 only keeps the files in
order). The files are exact copies of the originals in the bundle.

The signed bundle ({bundle_name}) still holds everything, with the signature that
shows nothing was changed. Tell the officer you have it, and give it to them if they
can take a zip file or a USB stick.

These are unencrypted copies of your evidence, as the bundle is: keep this folder
where only you can see it, and delete it once every batch has been sent.
"""
    if plan.too_large:
        text += (
            f"\nSome files are too large for the upload link (2 GB a file). They are in the folder\n"
            f'"{TOO_LARGE_FOLDER}": do not try to upload them; ask the officer for another way\n'
            "to send them (the signed bundle on a USB stick, or their service for large files).\n"
        )
    return text.replace("\n", "\r\n").encode("utf-8-sig")


def _write_file(path: Path, chunks: Iterable[bytes], expected_sha256: str, expected_size: int) -> None:
    digest = hashlib.sha256()
    size = 0
    with open(path, "xb") as fh:
        for chunk in chunks:
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        fh.flush()
        os.fsync(fh.fileno())
    if digest.hexdigest() != expected_sha256 or size != expected_size:
        # iter_verified checks too; this guards the PDF and any other source.
        raise IntegrityError("A file for the upload batches did not match its SHA-256; nothing was written.")


def check_portal_dir(path: Path) -> Path:
    """A folder the batches can be written to: new (its parent exists) or empty."""
    path = Path(path)
    name = display_safe(str(path), single_line=True)
    if path.is_symlink():
        raise BadInput(f"'{name}' is a link. Give a new folder for the upload batches.")
    if path.exists():
        if not path.is_dir():
            raise BadInput(f"'{name}' is a file. Give a new or empty folder for the upload batches.")
        if any(path.iterdir()):
            raise BadInput(
                f"The folder '{name}' is not empty. Give a new or empty folder for the upload batches."
            )
    elif not path.parent.is_dir():
        raise BadInput(
            f"The folder '{display_safe(str(path.parent), single_line=True)}' does not exist, "
            "so the upload batches cannot be saved there."
        )
    return path


def write_portal(
    out: Path,
    plan: PortalPlan,
    case: ExportCase,
    *,
    pdf: bytes,
    bundle_name: str,
    open_exhibit: Callable[[int], Iterable[bytes]],
) -> None:
    """Write the batches into ``out`` (new or empty), built in a hidden folder beside
    it and renamed at the end, so the folder appears whole or not at all."""
    out = check_portal_dir(out)
    for old in out.parent.glob(f"{TEMP_PORTAL_PREFIX}*"):
        remove_abandoned(old)  # left by a crash: nobody holds its lock any more
    tmp = out.parent / f"{TEMP_PORTAL_PREFIX}{secrets.token_hex(6)}"
    lock = -1
    try:
        tmp.mkdir(mode=0o700)
        with contextlib.suppress(OSError):  # Windows opens no folder this way: no lock there
            lock = os.open(tmp, os.O_RDONLY)
            hold_lock(lock)  # ours while we write: another export's clean-up leaves it alone
        (tmp / README).write_bytes(_readme(plan, case, bundle_name))
        (tmp / MANIFEST).write_bytes(_manifest_bytes(plan, case, bundle_name))
        folders: list[tuple[str, str, tuple[PortalFile, ...]]] = [
            (
                plan.folder(i),
                f"{plan.folder(i)}: upload these {len(files)} files in one submission, each with "
                "its caption below (one line, ready to paste). Do not upload this file.",
                files,
            )
            for i, files in enumerate(plan.batches, 1)
        ]
        if plan.too_large:
            folders.append(
                (
                    TOO_LARGE_FOLDER,
                    "These files are over the upload link's 2 GB a file. Do not upload them: ask "
                    "the officer for another way to send them. Their captions are below.",
                    plan.too_large,
                )
            )
        for folder, intro, files in folders:
            d = tmp / folder
            d.mkdir(mode=0o700)
            for f in files:
                chunks: Iterable[bytes] = [pdf] if f.evidence_id is None else open_exhibit(f.evidence_id)
                _write_file(d / f.name, chunks, f.sha256, f.size)
                if f.mtime is not None:
                    # A portal that reads no date from the file takes the file's own time.
                    with contextlib.suppress(OSError, OverflowError, ValueError):
                        os.utime(d / f.name, (f.mtime, f.mtime))
            (d / CAPTIONS).write_bytes(_captions(folder, intro, files))
            fsync_dir(d)
        fsync_dir(tmp)
        check_portal_dir(out)  # still new or empty
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException as exc:  # nothing half-written is left behind
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise translate_os_error(exc, "the upload batches") from None
        raise
    finally:
        if lock >= 0:
            os.close(lock)


def _file_json(f: PortalFile) -> dict[str, object]:
    return {
        "name": f.name,
        "kind": f.kind,
        "reference": f.reference,
        "what": f.what,
        "captured": f.captured,
        "captured_date": f.captured_date,
        "sha256": f.sha256,
        "size": f.size,
        "caption": f.caption,
        "too_large": f.too_large,
    }


def _batches_json(plan: PortalPlan) -> dict[str, object]:
    """What ``export --json``'s ``portal`` and ``portal.json`` both say of the batches."""
    return {
        "batch_size": plan.batch_size,
        "batches": [
            {"number": i, "folder": plan.folder(i), "files": [_file_json(f) for f in files]}
            for i, files in enumerate(plan.batches, 1)
        ],
        "too_large": [_file_json(f) for f in plan.too_large],
        "too_large_folder": TOO_LARGE_FOLDER if plan.too_large else "",
        "too_large_advice": TOO_LARGE_ADVICE if plan.too_large else "",
    }


def portal_json(out: Path, plan: PortalPlan) -> dict[str, object]:
    """``export --portal DIR --json``: the ``portal`` object (docs/export-format.md)."""
    return {"folder": str(out), **_batches_json(plan)}


def portal_id(batches: object) -> str:
    """Which set of batches this is: the SHA-256 of the batches' canonical JSON (every
    file's name and hash), so the record of what was sent names exactly these files."""
    text = json.dumps(batches, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # surrogatepass: a lone surrogate read back from an edited portal.json ("\\ud800" is
    # valid JSON) gives an id that does not match, not UnicodeEncodeError; any other
    # text encodes exactly as before.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _manifest_bytes(plan: PortalPlan, case: ExportCase, bundle_name: str) -> bytes:
    body = _batches_json(plan)
    doc = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "id": portal_id(body["batches"]),
        "bundle": bundle_name,
        "exported_at": case.exported_at,
        **body,
    }
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class PortalFolder:
    """A folder of upload batches as ``portal.json`` describes it (read back, checked)."""

    path: Path
    id: str
    bundle: str
    exported_at: str
    batch_size: int
    batches: tuple[tuple[PortalFile, ...], ...]
    too_large: tuple[PortalFile, ...]
    too_large_folder: str

    def folder(self, number: int) -> str:
        return PortalPlan(self.batch_size, self.batches, self.too_large).folder(number)

    def batch(self, number: int) -> tuple[PortalFile, ...]:
        if not 1 <= number <= len(self.batches):
            raise BadInput(f"There is no batch {number}: this folder has batches 1 to {len(self.batches)}.")
        return self.batches[number - 1]

    def batch_path(self, number: int) -> Path:
        self.batch(number)
        return self.path / self.folder(number)


def _not_batches(path: Path, why: str) -> BadInput:
    name = display_safe(str(path), single_line=True)
    return BadInput(
        f"'{name}' is not a folder of upload batches made by Victim Log ({why}). Give the folder "
        "'export --portal' wrote (the one holding README.txt and portal.json)."
    )


def _read_file(d: object, path: Path) -> PortalFile:
    if not isinstance(d, dict):
        raise _not_batches(path, "portal.json is damaged")
    try:
        name, kind, ref, what, captured, day, sha, caption = (
            d[k]
            for k in ("name", "kind", "reference", "what", "captured", "captured_date", "sha256", "caption")
        )
        size, too_large = d["size"], d["too_large"]
    except KeyError:
        raise _not_batches(path, "portal.json is damaged") from None
    texts = (name, kind, ref, what, captured, day, sha, caption)
    if (
        not all(isinstance(t, str) for t in texts)
        or type(size) is not int
        or type(too_large) is not bool
        or safe_filename(name, max_len=_MAX_NAME_BYTES) != name  # no path: a name in its folder
        or name == CAPTIONS
        or not re.fullmatch(r"[0-9a-f]{64}", sha)
    ):
        raise _not_batches(path, "portal.json is damaged")
    return PortalFile(
        name=name,
        kind=kind,
        reference=ref,
        what=what,
        captured=captured,
        captured_date=day,
        sha256=sha,
        size=size,
        caption=caption,
        too_large=too_large,
        evidence_id=None,
        mtime=None,
    )


def read_portal(path: Path) -> PortalFolder:
    """The batches ``export --portal`` wrote in ``path``, from its ``portal.json``;
    BadInput (plain words) when it is not such a folder or the file is damaged. Only
    names are taken from the file, never paths: each file is looked for in its own
    batch folder."""
    path = Path(path)
    manifest = path / MANIFEST
    if not path.is_dir():
        raise _not_batches(path, "there is no such folder")
    try:
        if manifest.stat().st_size > _MAX_MANIFEST_BYTES:
            raise _not_batches(path, "portal.json is far too large")
        doc = json.loads(manifest.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        with contextlib.suppress(OSError):
            if any(_BATCH_FOLDER.fullmatch(d.name) for d in path.iterdir()):
                raise BadInput(
                    "These upload batches were made before Victim Log kept a list of them "
                    "(portal.json): make them again with Export (or 'export --portal') to tick "
                    "them off here."
                ) from None
        raise _not_batches(path, "it has no portal.json") from None
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise _not_batches(path, "portal.json is damaged") from None
    except OSError as exc:
        raise translate_os_error(exc, "the upload batches") from None
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT:
        raise _not_batches(path, "portal.json is not one of ours")
    if doc.get("version") != MANIFEST_VERSION:
        raise BadInput("These upload batches were made by a newer Victim Log: update it to read them.")
    raw = doc.get("batches")
    size = doc.get("batch_size")
    if not isinstance(raw, list) or type(size) is not int or not 1 <= size <= MAX_BATCH_SIZE:
        raise _not_batches(path, "portal.json is damaged")
    batches: list[tuple[PortalFile, ...]] = []
    for i, b in enumerate(raw, 1):
        files = b.get("files") if isinstance(b, dict) else None
        if not isinstance(files, list) or b.get("number") != i or not 1 <= len(files) <= size:
            raise _not_batches(path, "portal.json is damaged")
        batches.append(tuple(_read_file(f, path) for f in files))
    extra = doc.get("too_large", [])
    folder = doc.get("too_large_folder", "")
    texts = [doc.get(k, "") for k in ("id", "bundle", "exported_at")]
    if (
        not isinstance(extra, list)
        or folder not in ("", TOO_LARGE_FOLDER)
        or not all(isinstance(t, str) for t in texts)
    ):
        raise _not_batches(path, "portal.json is damaged")
    ident, bundle, exported_at = (str(t) for t in texts)
    if ident != portal_id(raw):
        raise _not_batches(path, "portal.json was changed after it was made")
    result = PortalFolder(
        path=path,
        id=ident,
        bundle=bundle,
        exported_at=exported_at,
        batch_size=size,
        batches=tuple(batches),
        too_large=tuple(_read_file(f, path) for f in extra),
        too_large_folder=folder,
    )
    for i, b in enumerate(raw, 1):
        if b.get("folder") != result.folder(i) or not _BATCH_FOLDER.fullmatch(result.folder(i)):
            raise _not_batches(path, "portal.json is damaged")
    return result
