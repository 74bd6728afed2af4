"""Tella's verification-mode metadata CSV and the files it describes.

With verification mode on, Tella records for each photo, video or recording it takes
the file's SHA-256 and what the phone knew (file name and path, when the file was
made, device, network, location); exporting files "with verification information"
writes that as a CSV beside the files. The CSV's columns are matched by their names,
not their order, because Tella's versions word and order them differently: the file
name (``Filename``/``File name``/``Name``), the hash (``Hash``/``File Hash
SHA256``/``SHA-256``) and the time (``File created``/``File modified``/``Proof
generated``/``Date``), in English; every other column is kept in the CSV, which is
stored unchanged.

Checked for every row: the file is in the CSV's folder and its SHA-256 is the one
Tella recorded; a difference refuses the whole import with both hashes shown. A row
whose file is missing is listed as skipped (the CSV, kept as evidence, still names
it).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ..fsutil import file_sha256
from ..textsafe import display_safe
from .capture import CapturedFile
from .capture import CaptureSet
from .capture import app_time
from .capture import check_hash
from .records import ImportFormatError
from .whatsapp import folder_files

__all__ = ["NOT_TELLA", "find_tella_csv", "read_tella_csv"]

APP = "Tella"
NOT_TELLA = (
    "This file doesn't look like Tella's verification information "
    "(a CSV with a file name and a hash for each file)."
)
MAX_CSV_BYTES = 16 * 1024 * 1024
UNREADABLE_BESIDE = "A file beside the CSV could not be read. Nothing was imported."
MAX_ROWS = 10_000
_NAME = ("filename", "file name", "name", "file")
_HASH = ("hash", "file hash sha256", "filehashsha256", "sha256", "sha-256", "hash sha256", "hash (sha-256)")
_TIME = ("file created", "date created", "file modified", "proof generated", "date", "timestamp", "created")
_FACTS = (
    ("manufacturer", "Device maker"),
    ("hardware", "Device"),
    ("device id", "Device ID"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("network", "Network"),
)
_SPACES = re.compile(r"[\s_.:]+")


def _key(header: str) -> str:
    return _SPACES.sub(" ", header.strip().lstrip("\ufeff").lower()).strip()


def _pick(row: dict[str, str], names: tuple[str, ...]) -> str:
    for n in names:
        if row.get(n):
            return row[n].strip()
    return ""


def find_tella_csv(folder: Path) -> Path:
    """The one CSV in a folder of files exported from Tella."""
    found = sorted(p for p in folder_files(folder).values() if p.name.lower().endswith(".csv"))
    if len(found) != 1:
        shown = display_safe(folder.name, single_line=True)
        raise ImportFormatError(
            f"'{shown}' should hold exactly one CSV of Tella's verification information beside the files; "
            f"it holds {len(found)}. Give the CSV itself."
        )
    return found[0]


def _file_chunks(path: Path) -> Iterator[bytes]:
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                yield chunk
    except OSError:
        raise ImportFormatError(UNREADABLE_BESIDE) from None


def _sha256(path: Path) -> str:
    try:
        return file_sha256(path)[1]
    except OSError:
        raise ImportFormatError(UNREADABLE_BESIDE) from None


def read_tella_csv(csv_path: Path) -> CaptureSet:
    """The files a Tella verification CSV names, each checked against Tella's hash."""
    try:
        with open(csv_path, "rb") as fh:
            raw = fh.read(MAX_CSV_BYTES + 1)
    except OSError:
        raise ImportFormatError("We couldn't read this file.") from None
    if len(raw) > MAX_CSV_BYTES or b"\x00" in raw[:4096]:
        raise ImportFormatError(NOT_TELLA)
    text = raw.decode("utf-8-sig", "replace")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error:
        raise ImportFormatError(NOT_TELLA) from None
    if len(rows) < 2 or len(rows) > MAX_ROWS + 1:
        too_many = "This CSV describes too many files to import at once."
        raise ImportFormatError(NOT_TELLA if len(rows) < 2 else too_many)
    header = [_key(h) for h in rows[0]]
    if not any(h in _NAME for h in header) or not any(h in _HASH for h in header):
        raise ImportFormatError(NOT_TELLA)
    files = folder_files(csv_path.parent)
    out = CaptureSet(APP, [])
    for n, values in enumerate(rows[1:], start=2):
        row = {h: v[:1000] for h, v in zip(header, values, strict=False) if h}
        written = _pick(row, _NAME)
        if not written and not any(v.strip() for v in values):
            continue
        name = os.path.basename(written.replace("\\", "/"))
        path = files.get(name)
        if path is None or path == csv_path:
            shown = display_safe(name, single_line=True)[:120] or f"row {n}"
            out.skipped.append(f"{shown}: not in the CSV's folder")
            continue
        ours = _sha256(path)
        app_hash = check_hash(APP, name, _pick(row, _HASH), ours)
        when_text = _pick(row, _TIME)

        def opener(path: Path = path) -> Iterator[bytes]:
            return _file_chunks(path)

        out.files.append(
            CapturedFile(
                name=name,
                opener=opener,
                our_sha256=ours,
                app_sha256=app_hash,
                captured_at=app_time(when_text),
                captured_text=when_text[:120],
                signature="",
                facts=tuple((label, row[k][:200]) for k, label in _FACTS if row.get(k)),
            )
        )
    if not out.files:
        raise ImportFormatError("None of the files this CSV names is in its folder. Nothing was imported.")
    return out
