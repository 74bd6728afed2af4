"""Photos and screenshots from a folder, with the metadata that matters as evidence.

:func:`read_image_metadata` is also used by the evidence store at intake. It sniffs
the type from magic bytes (never the file name) and reads EXIF ``DateTimeOriginal``,
GPS position and camera make/model with a small pure-Python reader:

* JPEG: the ``APP1 Exif`` segment, walked marker by marker up to the image data;
* PNG: the ``eXIf`` chunk; WebP: the ``EXIF`` chunk; TIFF: the file itself;
* HEIC/HEIF, GIF and BMP: type only (HEIC's EXIF sits in an ISO-BMFF item we do not
  parse yet).

Why not Pillow: we need three tags, and a reader that only follows offsets inside a
64 KB block, with bounded entry counts and a visited set against IFD loops, is easy
to make safe and fast; Pillow would decode far more of an untrusted file than we
need. Malformed metadata never raises: the field is just None.
"""

from __future__ import annotations

import io
import os
import re
import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from pathlib import Path
from typing import BinaryIO

from ..textsafe import display_safe
from .records import NOT_READABLE
from .records import ImportFormatError
from .records import ImportReadError
from .records import SkippedEntry
from .records import read_exactly

__all__ = [
    "ImageMeta",
    "PhotoFile",
    "PhotoScan",
    "date_from_name",
    "read_image_metadata",
    "scan_photos",
    "sniff_image_type",
]

MAX_EXIF_BYTES = 256 * 1024
MAX_TIFF_READ = 4 * 1024 * 1024
MAX_SEGMENTS = 1000
MAX_IFD_ENTRIES = 1000
MAX_FILES = 100_000
MAX_DEPTH = 32
MAX_DEVICE_CHARS = 100

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_TAG_MAKE, _TAG_MODEL = 0x010F, 0x0110
_TAG_EXIF_IFD, _TAG_GPS_IFD = 0x8769, 0x8825
_TAG_DT_ORIGINAL, _TAG_DT_DIGITIZED = 0x9003, 0x9004
_TAG_OFFSET_ORIGINAL, _TAG_OFFSET_DIGITIZED = 0x9011, 0x9012


@dataclass(frozen=True)
class ImageMeta:
    """What an image says about itself. Every field may be None; all are untrusted."""

    image_type: str | None = None  # "jpeg", "png", "gif", "webp", "heic", "tiff", "bmp"
    date_taken: datetime | None = None  # naive camera time, aware if EXIF gives an offset
    gps: tuple[float, float] | None = None  # (latitude, longitude) in degrees
    device: str | None = None  # "Make Model", cleaned for display


def sniff_image_type(head: bytes) -> str | None:
    """Image type from the first 32 bytes, or None if not an image we know."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"hevc",
        b"hevx",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
        b"avif",
    ):
        return "avif" if head[8:12] == b"avif" else "heic"
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00" and len(head) >= 14:
        return "bmp"
    return None


# ---------------------------------------------------------------------------
# TIFF/EXIF structure


class _Tiff:
    """Bounds-checked reads from one TIFF block (the EXIF payload)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        if data[:2] == b"II":
            self.e = "<"
        elif data[:2] == b"MM":
            self.e = ">"
        else:
            raise ValueError("not TIFF")
        if len(data) < 8 or struct.unpack(self.e + "H", data[2:4])[0] != 42:
            raise ValueError("not TIFF")
        self.ifd0 = struct.unpack(self.e + "L", data[4:8])[0]

    def ifd(self, offset: int) -> dict[int, tuple[int, int, bytes]]:
        """tag -> (type, count, raw value bytes) for one directory; {} if out of range."""
        data, e = self.data, self.e
        if offset < 8 or offset + 2 > len(data):
            return {}
        (count,) = struct.unpack(e + "H", data[offset : offset + 2])
        count = min(count, MAX_IFD_ENTRIES)
        out: dict[int, tuple[int, int, bytes]] = {}
        pos = offset + 2
        for _ in range(count):
            if pos + 12 > len(data):
                break
            tag, typ, n = struct.unpack(e + "HHL", data[pos : pos + 8])
            size = _TYPE_SIZES.get(typ, 0) * n
            if 0 < size <= 4:
                raw = data[pos + 8 : pos + 8 + size]
            elif 4 < size <= 64 * 1024:
                (voff,) = struct.unpack(e + "L", data[pos + 8 : pos + 12])
                raw = data[voff : voff + size] if voff + size <= len(data) else b""
            else:
                raw = b""
            if raw and tag not in out:
                out[tag] = (typ, n, raw)
            pos += 12
        return out

    def long(self, entry: tuple[int, int, bytes] | None) -> int | None:
        if entry is None:
            return None
        typ, _, raw = entry
        if typ == 4 and len(raw) >= 4:
            return int(struct.unpack(self.e + "L", raw[:4])[0])
        if typ == 3 and len(raw) >= 2:
            return int(struct.unpack(self.e + "H", raw[:2])[0])
        return None

    def rationals(self, entry: tuple[int, int, bytes] | None, n: int) -> list[float] | None:
        if entry is None or entry[0] not in (5, 10) or len(entry[2]) < 8 * n:
            return None
        fmt = self.e + ("L" if entry[0] == 5 else "l") * (2 * n)
        nums = struct.unpack(fmt, entry[2][: 8 * n])
        out = []
        for i in range(n):
            num, den = nums[2 * i], nums[2 * i + 1]
            if den == 0:
                return None
            out.append(num / den)
        return out


def _ascii(entry: tuple[int, int, bytes] | None) -> str | None:
    if entry is None or entry[0] not in (2, 7):
        return None
    text = entry[2].split(b"\x00", 1)[0].decode("utf-8", "replace")
    text = " ".join(display_safe(text, single_line=True).split())
    return text or None


def _exif_datetime(value: str | None, offset: str | None) -> datetime | None:
    if not value or len(value) < 19:
        return None
    v = value[:19]
    try:
        when = datetime(int(v[0:4]), int(v[5:7]), int(v[8:10]), int(v[11:13]), int(v[14:16]), int(v[17:19]))
    except ValueError:
        return None
    if when.year < 1900:
        return None
    if offset and len(offset) == 6 and offset[0] in "+-" and offset[3] == ":":
        try:
            minutes = int(offset[1:3]) * 60 + int(offset[4:6])
            if minutes <= 18 * 60:
                sign = -1 if offset[0] == "-" else 1
                when = when.replace(tzinfo=timezone(timedelta(minutes=sign * minutes)))
        except ValueError:
            pass
    return when


def _device(make: str | None, model: str | None) -> str | None:
    if make and model:
        text = model if model.lower().startswith(make.lower()) else f"{make} {model}"
    else:
        text = make or model or ""
    text = text.strip()
    return text[:MAX_DEVICE_CHARS] or None


def _gps(t: _Tiff, gps: dict[int, tuple[int, int, bytes]]) -> tuple[float, float] | None:
    lat_ref, lon_ref = _ascii(gps.get(1)), _ascii(gps.get(3))
    lat, lon = t.rationals(gps.get(2), 3), t.rationals(gps.get(4), 3)
    if not lat or not lon or lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None
    la = lat[0] + lat[1] / 60 + lat[2] / 3600
    lo = lon[0] + lon[1] / 60 + lon[2] / 3600
    if lat_ref == "S":
        la = -la
    if lon_ref == "W":
        lo = -lo
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        return None
    return round(la, 7), round(lo, 7)


def _parse_exif(block: bytes, image_type: str) -> ImageMeta:
    if block.startswith(b"Exif\x00\x00"):
        block = block[6:]
    try:
        t = _Tiff(block)
        ifd0 = t.ifd(t.ifd0)
        visited = {t.ifd0}
        exif_off = t.long(ifd0.get(_TAG_EXIF_IFD))
        gps_off = t.long(ifd0.get(_TAG_GPS_IFD))
        exif = t.ifd(exif_off) if exif_off is not None and exif_off not in visited else {}
        if exif_off is not None:
            visited.add(exif_off)
        gps = t.ifd(gps_off) if gps_off is not None and gps_off not in visited else {}
        date = _exif_datetime(
            _ascii(exif.get(_TAG_DT_ORIGINAL)), _ascii(exif.get(_TAG_OFFSET_ORIGINAL))
        ) or _exif_datetime(_ascii(exif.get(_TAG_DT_DIGITIZED)), _ascii(exif.get(_TAG_OFFSET_DIGITIZED)))
        return ImageMeta(
            image_type,
            date,
            _gps(t, gps),
            _device(_ascii(ifd0.get(_TAG_MAKE)), _ascii(ifd0.get(_TAG_MODEL))),
        )
    except (ValueError, struct.error, OverflowError):
        return ImageMeta(image_type)


# ---------------------------------------------------------------------------
# Container walkers: find the EXIF block without reading the image data


def _jpeg_exif(fp: BinaryIO) -> bytes | None:
    fp.seek(2)
    for _ in range(MAX_SEGMENTS):
        b = fp.read(1)
        if b != b"\xff":
            return None
        for _fill in range(64):  # optional 0xFF fill bytes before the marker code
            b = fp.read(1)
            if b != b"\xff":
                break
        if not b or b == b"\xff":
            return None
        marker = b[0]
        if marker in (0xD9, 0xDA):  # end of image / start of scan: no more metadata
            return None
        if 0xD0 <= marker <= 0xD7 or marker in (0x01, 0x00):
            continue
        raw_len = fp.read(2)
        if len(raw_len) < 2:
            return None
        (length,) = struct.unpack(">H", raw_len)
        if length < 2:
            return None
        if marker == 0xE1:
            body = read_exactly(fp, length - 2)
            if body.startswith(b"Exif\x00\x00"):
                return body
        else:
            fp.seek(length - 2, io.SEEK_CUR)
    return None


def _png_exif(fp: BinaryIO) -> bytes | None:
    fp.seek(8)
    for _ in range(MAX_SEGMENTS * 10):
        head = fp.read(8)
        if len(head) < 8:
            return None
        length, ctype = struct.unpack(">L4s", head)
        if length > 0x7FFFFFFF:
            return None
        if ctype == b"eXIf":
            return read_exactly(fp, length) if length <= MAX_EXIF_BYTES else None
        if ctype == b"IEND":
            return None
        fp.seek(length + 4, io.SEEK_CUR)
    return None


def _webp_exif(fp: BinaryIO) -> bytes | None:
    fp.seek(12)
    for _ in range(MAX_SEGMENTS):
        head = fp.read(8)
        if len(head) < 8:
            return None
        ctype, length = struct.unpack("<4sL", head)
        if ctype == b"EXIF":
            return read_exactly(fp, length) if length <= MAX_EXIF_BYTES else None
        fp.seek(length + (length & 1), io.SEEK_CUR)
    return None


def _meta_from_file(fp: BinaryIO) -> ImageMeta:
    head = read_exactly(fp, 32)
    kind = sniff_image_type(head)
    if kind is None:
        return ImageMeta()
    block: bytes | None = None
    if kind == "jpeg":
        block = _jpeg_exif(fp)
    elif kind == "png":
        block = _png_exif(fp)
    elif kind == "webp":
        block = _webp_exif(fp)
    elif kind == "tiff":
        fp.seek(0)
        block = read_exactly(fp, MAX_TIFF_READ)
    if not block:
        return ImageMeta(kind)
    return _parse_exif(block, kind)


def read_image_metadata(data_or_path: bytes | str | os.PathLike[str]) -> ImageMeta:
    """Type, capture time, GPS and device of an image given as bytes or a path.

    Never raises for what is inside the file (unknown type or broken metadata give
    None fields); raises :class:`ImportReadError` only if a path cannot be read.
    """
    if isinstance(data_or_path, (bytes, bytearray, memoryview)):
        return _safe_meta(io.BytesIO(bytes(data_or_path)))
    try:
        fd = os.open(data_or_path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        raise ImportReadError(NOT_READABLE) from None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:
        os.close(fd)
        raise ImportFormatError("This isn't a file we can read.")
    with os.fdopen(fd, "rb") as fp:
        try:
            return _safe_meta(fp)
        except OSError:
            raise ImportReadError(NOT_READABLE) from None


def _safe_meta(fp: BinaryIO) -> ImageMeta:
    try:
        return _meta_from_file(fp)
    except (ValueError, struct.error, OverflowError, EOFError):
        return ImageMeta()


# ---------------------------------------------------------------------------
# Folder scan


# The date and time a phone's camera or screenshot tool puts in a file's name:
# IMG_20240301_123456.jpg, VID_20240301_123456.mp4, PXL_20240301_123456789.jpg,
# Screenshot_20240301-123456.png, 20240301_123456.jpg, "Screenshot 2024-03-01 at
# 12.34.56.png". A name with a date but no time (WhatsApp's IMG-20240301-WA0001) gives
# nothing: midnight would be a time nobody saw.
_NAME_TIME = re.compile(
    r"(?<!\d)(20\d\d)-?(\d\d)-?(\d\d)[ _-](?:at )?(\d\d)[.:_-]?(\d\d)[.:_-]?(\d\d)(?:\d{3})?(?!\d)"
)


def date_from_name(name: str) -> datetime | None:
    """The phone's local date and time in a camera or screenshot file name (naive,
    like EXIF's), or None."""
    match = _NAME_TIME.search(name)
    if match is None:
        return None
    try:
        year, month, day, hour, minute, second = (int(g) for g in match.groups())
        return datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - the phone's wall clock
    except ValueError:
        return None


@dataclass(frozen=True)
class PhotoFile:
    """An image found in a folder. ``name`` and ``relpath`` are untrusted strings."""

    path: Path
    relpath: str
    name: str
    size: int
    meta: ImageMeta

    @property
    def date_taken(self) -> datetime | None:
        """When it was taken: EXIF's date, else the one in a phone's file name."""
        return self.meta.date_taken or date_from_name(self.name)

    @property
    def date_source(self) -> str:
        """Where :attr:`date_taken` came from: "exif", "file name" or ""."""
        if self.meta.date_taken is not None:
            return "exif"
        return "file name" if date_from_name(self.name) is not None else ""


class PhotoScan:
    """Iterator over the images in a folder; ``skipped`` lists what was passed over."""

    def __init__(self, root: Path, recursive: bool, max_files: int) -> None:
        self.root = root
        self.recursive = recursive
        self.max_files = max_files
        self.skipped: list[SkippedEntry] = []
        self.seen = 0
        self._it = self._run()

    def __iter__(self) -> PhotoScan:
        return self

    def __next__(self) -> PhotoFile:
        return next(self._it)

    def _skip(self, rel: str, reason: str) -> None:
        if len(self.skipped) < 1000:
            self.skipped.append(SkippedEntry(rel, reason))

    def _run(self) -> Iterator[PhotoFile]:
        stack: list[tuple[Path, str, int]] = [(self.root, "", 0)]
        while stack:
            folder, rel_folder, depth = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError:
                self._skip(rel_folder or ".", "folder could not be read")
                continue
            subdirs: list[tuple[Path, str, int]] = []
            for entry in entries:
                rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    self._skip(rel, "could not be read")
                    continue
                if stat.S_ISLNK(st.st_mode):
                    self._skip(rel, "link (not followed)")
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if self.recursive and depth + 1 <= MAX_DEPTH:
                        subdirs.append((Path(entry.path), rel, depth + 1))
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                self.seen += 1
                if self.seen > self.max_files:
                    raise ImportFormatError(
                        f"This folder has more than {self.max_files} files; choose a smaller one."
                    )
                try:
                    meta = read_image_metadata(entry.path)
                except ImportFormatError:
                    self._skip(rel, "could not be read")
                    continue
                if meta.image_type is None:
                    self._skip(rel, "not an image")
                    continue
                yield PhotoFile(Path(entry.path), rel, entry.name, st.st_size, meta)
            stack.extend(reversed(subdirs))


def scan_photos(
    directory: str | os.PathLike[str], *, recursive: bool = False, max_files: int = MAX_FILES
) -> PhotoScan:
    """Images directly in ``directory`` (or below it, with ``recursive``), by name.

    Links are never followed; only regular files are opened, and each is identified
    by its content. Raises ImportFormatError if ``directory`` is not a folder.
    """
    root = Path(directory)
    try:
        st = os.stat(root, follow_symlinks=True)
    except OSError:
        raise ImportReadError(NOT_READABLE) from None
    if not stat.S_ISDIR(st.st_mode):
        raise ImportFormatError("Please choose a folder of photos.")
    return PhotoScan(root, recursive, max_files)
