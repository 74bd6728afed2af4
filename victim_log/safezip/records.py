"""The zip structures we parse (APPNOTE 6.3.x), as plain records.

Only what the reader needs: the end-of-central-directory record (EOCD) and its zip64
pair, central directory entries, local headers, extra fields and data descriptors.
Each parser takes bytes already read and raises :class:`UnsafeZip` ("damaged") when
they do not add up; the rules that compare records live in :mod:`.reader`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import UnsafeZip

SIG_LOCAL = b"PK\x03\x04"
SIG_CENTRAL = b"PK\x01\x02"
SIG_EOCD = b"PK\x05\x06"
SIG_ZIP64_EOCD = b"PK\x06\x06"
SIG_ZIP64_LOCATOR = b"PK\x06\x07"
SIG_DESCRIPTOR = b"PK\x07\x08"
#: Every record signature a zip tool scans for (also digital signature and archive
#: extra data, which we never parse and so never allow).
ALL_SIGNATURES = (
    SIG_LOCAL,
    SIG_CENTRAL,
    SIG_EOCD,
    SIG_ZIP64_EOCD,
    SIG_ZIP64_LOCATOR,
    SIG_DESCRIPTOR,
    b"PK\x05\x05",
    b"PK\x06\x08",
)

EOCD_SIZE = 22
ZIP64_EOCD_SIZE = 56
ZIP64_LOCATOR_SIZE = 20
CENTRAL_SIZE = 46
LOCAL_SIZE = 30
MAX_COMMENT = 0xFFFF
U16_MAX = 0xFFFF
U32_MAX = 0xFFFFFFFF

FLAG_ENCRYPTED = 0x0001
FLAG_DATA_DESCRIPTOR = 0x0008
FLAG_STRONG_ENCRYPTION = 0x0040
FLAG_UTF8 = 0x0800
FLAG_MASKED_HEADERS = 0x2000
FLAGS_DEFLATE_OPTIONS = 0x0006  # the compression level the writer used: informative only
#: Flags a member may carry: anything else (patched data, enhanced deflate, reserved
#: bits) is a feature some tool may act on and we do not read.
FLAGS_KNOWN = FLAGS_DEFLATE_OPTIONS | FLAG_DATA_DESCRIPTOR | FLAG_UTF8
#: Flags that must be the same in both headers: all but the deflate options.
FLAGS_THAT_MATTER = 0xFFFF & ~FLAGS_DEFLATE_OPTIONS

EXTRA_ZIP64 = 0x0001
EXTRA_UNICODE_PATH = 0x7075

DAMAGED = "This zip is cut short or damaged, so it cannot be checked."


def damaged(message: str = DAMAGED) -> UnsafeZip:
    return UnsafeZip("damaged", message)


@dataclass(frozen=True, slots=True)
class EndRecord:
    """Where the table of contents is, from the EOCD (and its zip64 pair)."""

    offset: int  # of the classic EOCD
    comment: bytes
    entries: int
    cd_offset: int
    cd_size: int
    cd_end: int  # where the table of contents must end: the zip64 EOCD, else the EOCD
    zip64_offset: int | None


@dataclass(frozen=True, slots=True)
class Zip64End:
    entries: int
    cd_size: int
    cd_offset: int


@dataclass(frozen=True, slots=True)
class CentralEntry:
    """One table-of-contents entry, its 32-bit fields already widened by zip64."""

    raw_name: bytes
    flags: int
    method: int
    crc32: int
    compressed_size: int
    size: int
    header_offset: int
    create_system: int
    external_attr: int
    extra: bytes
    extras: dict[int, bytes]
    comment_len: int
    disk: int
    length: int  # bytes this entry takes in the table of contents


@dataclass(frozen=True, slots=True)
class LocalHeader:
    flags: int
    method: int
    crc32: int
    compressed_size: int  # widened by zip64 when the 32-bit field says so
    size: int
    raw_name: bytes
    extra: bytes
    extras: dict[int, bytes]
    zip64: bool  # the sizes came from a zip64 extra field
    length: int  # header + name + extra


def parse_extra(data: bytes) -> dict[int, bytes]:
    """Extra fields by tag; a field cut short or given twice is damage."""
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise damaged()
        tag, size = struct.unpack_from("<HH", data, pos)
        pos += 4
        if pos + size > len(data) or tag in fields:
            raise damaged()
        fields[tag] = data[pos : pos + size]
        pos += size
    return fields


def zip64_values(extras: dict[int, bytes], wanted: list[bool]) -> list[int | None]:
    """8-byte values for each 32-bit field that overflowed, in the order uncompressed
    size, compressed size, header offset (APPNOTE 4.5.3). The field must hold exactly
    those (plus, at most, a 4-byte disk number): no spare values a tool could use."""
    data = extras.get(EXTRA_ZIP64)
    if data is None:
        if any(wanted):
            raise UnsafeZip("zip64-mismatch", "This zip has a damaged zip64 header.")
        return [None] * len(wanted)
    need = 8 * sum(wanted)
    if len(data) not in (need, need + 4):
        raise UnsafeZip(
            "zip64-mismatch",
            "This zip's zip64 header holds other values than its sizes say; "
            "zip tools could read it differently.",
        )
    if len(data) == need + 4 and struct.unpack_from("<I", data, need)[0] != 0:
        raise UnsafeZip("multi-disk", "This zip spans several disks, which Victim Log does not read.")
    out: list[int | None] = []
    pos = 0
    for flag in wanted:
        if flag:
            out.append(struct.unpack_from("<Q", data, pos)[0])
            pos += 8
        else:
            out.append(None)
    return out


def parse_eocd(data: bytes, pos: int) -> tuple[int, int, int, int, int, int, int]:
    """(disk, cd disk, entries on disk, entries, cd size, cd offset, comment length)."""
    disk, cd_disk, n_disk, n_total, cd_size, cd_offset, c_len = struct.unpack_from("<HHHHIIH", data, pos + 4)
    return disk, cd_disk, n_disk, n_total, cd_size, cd_offset, c_len


def parse_zip64_locator(data: bytes) -> tuple[int, int, int]:
    """(disk with the zip64 EOCD, its offset, total disks)."""
    if data[:4] != SIG_ZIP64_LOCATOR:
        raise damaged()
    disk, offset, disks = struct.unpack_from("<IQI", data, 4)
    return disk, offset, disks


def parse_zip64_end(data: bytes) -> tuple[int, int, int, int, int, int, int]:
    """(record size, disk, cd disk, entries on disk, entries, cd size, cd offset)."""
    if len(data) != ZIP64_EOCD_SIZE or data[:4] != SIG_ZIP64_EOCD:
        raise UnsafeZip("zip64-mismatch", "This zip has a damaged zip64 end record.")
    size, _made, _needed, disk, cd_disk, n_disk, n_total, cd_size, cd_offset = struct.unpack_from(
        "<QHHIIQQQQ", data, 4
    )
    return size, disk, cd_disk, n_disk, n_total, cd_size, cd_offset


def parse_central(cd: bytes, pos: int) -> CentralEntry:
    if pos + CENTRAL_SIZE > len(cd) or cd[pos : pos + 4] != SIG_CENTRAL:
        raise damaged("This zip's table of contents is damaged, so it cannot be checked.")
    (
        made_by,
        _needed,
        flags,
        method,
        _time,
        _date,
        crc,
        csize,
        usize,
        n_len,
        e_len,
        c_len,
        disk,
        _internal,
        external,
        offset,
    ) = struct.unpack_from("<HHHHHHIIIHHHHHII", cd, pos + 4)
    length = CENTRAL_SIZE + n_len + e_len + c_len
    if pos + length > len(cd):
        raise damaged("This zip's table of contents is damaged, so it cannot be checked.")
    raw_name = cd[pos + CENTRAL_SIZE : pos + CENTRAL_SIZE + n_len]
    extra = cd[pos + CENTRAL_SIZE + n_len : pos + CENTRAL_SIZE + n_len + e_len]
    extras = parse_extra(extra)
    usize_x, csize_x, offset_x = zip64_values(extras, [usize == U32_MAX, csize == U32_MAX, offset == U32_MAX])
    return CentralEntry(
        raw_name=raw_name,
        flags=flags,
        method=method,
        crc32=crc,
        compressed_size=csize if csize_x is None else csize_x,
        size=usize if usize_x is None else usize_x,
        header_offset=offset if offset_x is None else offset_x,
        create_system=made_by >> 8,
        external_attr=external,
        extra=extra,
        extras=extras,
        comment_len=c_len,
        disk=disk,
        length=length,
    )


def parse_local(head: bytes, rest: bytes) -> LocalHeader:
    """``head`` is the fixed 30 bytes, ``rest`` the name and extra field after it."""
    _needed, flags, method, _t, _d, crc, csize, usize, n_len, e_len = struct.unpack_from(
        "<HHHHHIIIHH", head, 4
    )
    raw_name, extra = rest[:n_len], rest[n_len : n_len + e_len]
    extras = parse_extra(extra)
    zip64 = usize == U32_MAX or csize == U32_MAX
    if zip64:
        usize_x, csize_x = zip64_values(extras, [usize == U32_MAX, csize == U32_MAX])
        usize = usize if usize_x is None else usize_x
        csize = csize if csize_x is None else csize_x
    return LocalHeader(
        flags=flags,
        method=method,
        crc32=crc,
        compressed_size=csize,
        size=usize,
        raw_name=raw_name,
        extra=extra,
        extras=extras,
        zip64=zip64,
        length=LOCAL_SIZE + n_len + e_len,
    )


def local_lengths(head: bytes) -> tuple[int, int]:
    """(name length, extra length) from a local header's fixed part."""
    if len(head) != LOCAL_SIZE or head[:4] != SIG_LOCAL:
        raise damaged("This zip's table of contents points at the wrong place; it is damaged.")
    n_len, e_len = struct.unpack_from("<HH", head, 26)
    return n_len, e_len


#: A data descriptor's forms by length: (has the optional signature, layout).
DESCRIPTOR_FORMS = {12: (False, "<III"), 16: (True, "<III"), 20: (False, "<IQQ"), 24: (True, "<IQQ")}
MAX_DESCRIPTOR = 24


def descriptor_matches(data: bytes, crc: int, csize: int, usize: int) -> bool:
    """True when ``data`` is exactly one data descriptor recording (crc, csize, usize):
    with or without its signature, with 4- or 8-byte sizes, told apart by length."""
    form = DESCRIPTOR_FORMS.get(len(data))
    if form is None:
        return False
    signed, fmt = form
    if signed and data[:4] != SIG_DESCRIPTOR:
        return False
    return struct.unpack_from(fmt, data, 4 if signed else 0) == (crc, csize, usize)
