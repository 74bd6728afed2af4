"""Shared helpers for importer tests: fixture paths and small file builders."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"

# The smallest thing that sniffs as a JPEG: SOI, a JFIF APP0, EOI.
TINY_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def items_and_peak(
    parse: Callable[[io.BytesIO], AbstractContextManager[Any]], data: bytes
) -> tuple[int, int]:
    """How many items ``parse`` streams out of ``data``, and the peak memory Python
    allocated meanwhile (tracemalloc): what the "streamed, not loaded" tests compare."""
    tracemalloc.start()
    try:
        count = 0
        with parse(io.BytesIO(data)) as stream:
            for _item in stream:
                count += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def fixture(name: str) -> Path:
    return FIXTURES / name


def fixture_bytes(name: str) -> bytes:
    return fixture(name).read_bytes()


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2024, 3, 12, 20, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buf.getvalue()


def ios_zip() -> bytes:
    """An iOS export: _chat.txt plus one of the two media files it mentions."""
    return make_zip(
        {
            "_chat.txt": fixture_bytes("whatsapp_ios_chat.txt"),
            "00000012-PHOTO-2024-03-12-20-03-00.jpg": TINY_JPEG,
        }
    )


def tiff_exif(
    *,
    make: str | None = "Canon",
    model: str | None = "Canon EOS 5D",
    taken: str | None = "2024:03:12 20:01:02",
    offset: str | None = None,
    gps: tuple[str, tuple[int, int, int], str, tuple[int, int, int]] | None = None,
    big_endian: bool = False,
) -> bytes:
    """A hand-built EXIF (TIFF) block with IFD0, an Exif IFD and an optional GPS IFD."""
    e = ">" if big_endian else "<"
    entries0: list[tuple[int, int, int, bytes]] = []
    exif_entries: list[tuple[int, int, int, bytes]] = []
    gps_entries: list[tuple[int, int, int, bytes]] = []

    def ascii_entry(tag: int, text: str) -> tuple[int, int, int, bytes]:
        raw = text.encode() + b"\x00"
        return (tag, 2, len(raw), raw)

    def rationals(tag: int, dms: tuple[int, int, int]) -> tuple[int, int, int, bytes]:
        raw = b"".join(struct.pack(e + "LL", v, 1) for v in dms)
        return (tag, 5, 3, raw)

    if make:
        entries0.append(ascii_entry(0x010F, make))
    if model:
        entries0.append(ascii_entry(0x0110, model))
    if taken:
        exif_entries.append(ascii_entry(0x9003, taken))
    if offset:
        exif_entries.append(ascii_entry(0x9011, offset))
    if gps:
        lat_ref, lat, lon_ref, lon = gps
        gps_entries += [
            ascii_entry(1, lat_ref),
            rationals(2, lat),
            ascii_entry(3, lon_ref),
            rationals(4, lon),
        ]

    # Layout: header | IFD0 | Exif IFD | GPS IFD | data area
    def ifd_size(n: int) -> int:
        return 2 + 12 * n + 4

    n0 = len(entries0) + 1 + (1 if gps else 0)
    off0 = 8
    off_exif = off0 + ifd_size(n0)
    off_gps = off_exif + ifd_size(len(exif_entries))
    data_start = off_gps + (ifd_size(len(gps_entries)) if gps else 0)
    data = bytearray()

    def pack_ifd(items: list[tuple[int, int, int, bytes]]) -> bytes:
        out = struct.pack(e + "H", len(items))
        for tag, typ, count, raw in sorted(items):
            if len(raw) <= 4:
                out += struct.pack(e + "HHL", tag, typ, count) + raw.ljust(4, b"\x00")
            else:
                out += struct.pack(e + "HHLL", tag, typ, count, data_start + len(data))
                data.extend(raw)
                if len(data) % 2:
                    data.append(0)
        return out + struct.pack(e + "L", 0)

    ptrs = [(0x8769, 4, 1, struct.pack(e + "L", off_exif))]
    if gps:
        ptrs.append((0x8825, 4, 1, struct.pack(e + "L", off_gps)))
    ifd0 = pack_ifd(entries0 + ptrs)
    ifd_exif = pack_ifd(exif_entries)
    ifd_gps = pack_ifd(gps_entries) if gps else b""
    head = (b"MM" if big_endian else b"II") + struct.pack(e + "HL", 42, 8)
    return head + ifd0 + ifd_exif + ifd_gps + bytes(data)


def jpeg_with_exif(tiff: bytes) -> bytes:
    app1 = b"Exif\x00\x00" + tiff
    return (
        b"\xff\xd8"
        + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\xff\xe1"
        + struct.pack(">H", len(app1) + 2)
        + app1
        + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
        + b"\x00" * 16
        + b"\xff\xd9"
    )


def png_with_exif(tiff: bytes) -> bytes:
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">L", len(body)) + kind + body + struct.pack(">L", zlib.crc32(kind + body))

    ihdr = struct.pack(">LLBBBBB", 1, 1, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"eXIf", tiff)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )
