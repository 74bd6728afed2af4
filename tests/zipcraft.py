"""Hand-built zips for hostile-input tests: every field under the test's control.

zipfile cannot write the malformed archives we need (a forged table of contents in
the comment, data between members, local headers that disagree with the central
ones, data descriptors of every shape, zip64 records that lie), so this builds them
byte by byte. :func:`build` writes a well-formed archive unless told otherwise;
:func:`forge_in_comment`, :func:`hide_before` and :func:`hide_between` turn a genuine
zip into the three forgeries found by the outside review.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

FLAG_DESCRIPTOR = 0x08
FLAG_UTF8 = 0x800
REGULAR = 0o100644 << 16


@dataclass(frozen=True)
class Entry:
    name: str | bytes
    data: bytes = b""
    method: int = 0  # 0 stored, 8 deflate
    flags: int | None = None  # None: UTF-8 flag when the name is not ASCII
    descriptor: bool = False  # sizes in a data descriptor after the data
    descriptor_sig: bool = True
    descriptor_zip64: bool = False
    zero_local_sizes: bool = True  # with a descriptor, as streaming writers do
    zip64: bool = False  # zip64 extra fields with the sizes in both headers
    local_extra: bytes = b""
    central_extra: bytes = b""
    comment: bytes = b""
    external_attr: int = REGULAR
    create_system: int = 3
    # Tampering: values written into one header only.
    local_name: bytes | None = None
    local_method: int | None = None
    local_crc: int | None = None
    local_size: int | None = None  # both sizes in the local header (or its zip64 field)
    central_size: int | None = None  # both sizes in the central entry
    central_usize: int | None = None
    descriptor_crc: int | None = None
    dostime: int = 0
    dosdate: int = 0x5821

    @property
    def raw_name(self) -> bytes:
        return self.name.encode() if isinstance(self.name, str) else self.name

    def flag_bits(self) -> int:
        if self.flags is not None:
            return self.flags | (FLAG_DESCRIPTOR if self.descriptor else 0)
        utf8 = FLAG_UTF8 if not self.raw_name.isascii() else 0
        return utf8 | (FLAG_DESCRIPTOR if self.descriptor else 0)

    def payload(self) -> bytes:
        if self.method == 8:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            return c.compress(self.data) + c.flush()
        return self.data


def extra_field(tag: int, body: bytes) -> bytes:
    return struct.pack("<HH", tag, len(body)) + body


@dataclass
class Layout:
    """Where things went, for tests that patch bytes afterwards."""

    offsets: list[int] = field(default_factory=list)  # local header of each entry
    data_offsets: list[int] = field(default_factory=list)
    central: list[int] = field(default_factory=list)  # central entry of each entry
    cd_offset: int = 0
    eocd: int = 0


def local_record(e: Entry) -> tuple[bytes, bytes]:
    """(local header + name + extra, data + descriptor)."""
    payload = e.payload()
    crc = zlib.crc32(e.data)
    csize, usize = len(payload), len(e.data)
    extra = e.local_extra
    l_crc, l_csize, l_usize = crc, csize, usize
    if e.descriptor and e.zero_local_sizes:
        l_crc, l_csize, l_usize = 0, 0, 0
    if e.local_size is not None:
        l_csize = l_usize = e.local_size
    if e.zip64:
        extra = extra_field(1, struct.pack("<QQ", l_usize, l_csize)) + extra
        l_csize = l_usize = 0xFFFFFFFF
    if e.local_crc is not None:
        l_crc = e.local_crc
    name = e.local_name if e.local_name is not None else e.raw_name
    method = e.local_method if e.local_method is not None else e.method
    head = b"PK\x03\x04" + struct.pack(
        "<HHHHHIIIHH",
        20,
        e.flag_bits(),
        method,
        e.dostime,
        e.dosdate,
        l_crc,
        l_csize,
        l_usize,
        len(name),
        len(extra),
    )
    tail = payload
    if e.descriptor:
        fmt = "<IQQ" if e.descriptor_zip64 else "<III"
        d_crc = crc if e.descriptor_crc is None else e.descriptor_crc
        tail += (b"PK\x07\x08" if e.descriptor_sig else b"") + struct.pack(fmt, d_crc, csize, usize)
    return head + name + extra, tail


def central_record(e: Entry, offset: int) -> bytes:
    payload = e.payload()
    crc = zlib.crc32(e.data)
    csize, usize = len(payload), len(e.data)
    if e.central_size is not None:
        csize = usize = e.central_size
    if e.central_usize is not None:
        usize = e.central_usize
    extra = e.central_extra
    if e.zip64:
        extra = extra_field(1, struct.pack("<QQ", usize, csize)) + extra
        csize = usize = 0xFFFFFFFF
    return (
        b"PK\x01\x02"
        + struct.pack(
            "<HHHHHHIIIHHHHHII",
            (e.create_system << 8) | 20,
            20,
            e.flag_bits(),
            e.method,
            e.dostime,
            e.dosdate,
            crc,
            csize,
            usize,
            len(e.raw_name),
            len(extra),
            len(e.comment),
            0,
            0,
            e.external_attr,
            offset,
        )
        + e.raw_name
        + extra
        + e.comment
    )


def eocd(
    count: int, cd_size: int, cd_offset: int, comment: bytes = b"", comment_len: int | None = None
) -> bytes:
    return (
        b"PK\x05\x06"
        + struct.pack(
            "<HHHHIIH",
            0,
            0,
            count,
            count,
            cd_size,
            cd_offset,
            len(comment) if comment_len is None else comment_len,
        )
        + comment
    )


def zip64_end(
    count: int,
    cd_size: int,
    cd_offset: int,
    at: int,
    *,
    record_size: int = 44,
    locator_offset: int | None = None,
) -> bytes:
    rec = b"PK\x06\x06" + struct.pack(
        "<QHHIIQQQQ", record_size, 45, 45, 0, 0, count, count, cd_size, cd_offset
    )
    loc = b"PK\x06\x07" + struct.pack("<IQI", 0, at if locator_offset is None else locator_offset, 1)
    return rec + loc


def build(
    entries: list[Entry],
    *,
    prefix: bytes = b"",
    gaps: dict[int, bytes] | None = None,
    before_cd: bytes = b"",
    after_cd: bytes = b"",
    comment: bytes = b"",
    trailing: bytes = b"",
    zip64: bool = False,
    zip64_classic: tuple[int, int, int] | None = None,
    layout: Layout | None = None,
) -> bytes:
    """A zip of ``entries``. ``gaps[i]`` goes right before entry i's local header;
    ``prefix`` before everything (offsets stay true, so tools find the members);
    ``zip64`` adds a zip64 end record whose classic twin holds ``zip64_classic``
    (count, cd size, cd offset), by default the 0xFFFF.. placeholders."""
    gaps = gaps or {}
    lay = layout or Layout()
    out = bytearray(prefix)
    for i, e in enumerate(entries):
        out += gaps.get(i, b"")
        head, tail = local_record(e)
        lay.offsets.append(len(out))
        lay.data_offsets.append(len(out) + len(head))
        out += head + tail
    out += before_cd
    lay.cd_offset = cd_offset = len(out)
    for e, off in zip(entries, lay.offsets, strict=True):
        lay.central.append(len(out))
        out += central_record(e, off)
    cd_size = len(out) - cd_offset
    out += after_cd
    if zip64:
        at = len(out)
        out += zip64_end(len(entries), cd_size, cd_offset, at)
        count, size, offset = zip64_classic or (0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
        lay.eocd = len(out)
        out += eocd(count, size, offset, comment)
    else:
        lay.eocd = len(out)
        out += eocd(len(entries), cd_size, cd_offset, comment)
    return bytes(out + trailing)


def members_of(zip_bytes: bytes) -> list[Entry]:
    """The members of a well-formed zip (e.g. a real bundle) as stored Entries that
    :func:`build` writes back in the same order with the same content and method."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as zf:
        return [Entry(i.filename, zf.read(i), method=i.compress_type) for i in zf.infolist()]


def forge_in_comment(genuine: bytes, forged: list[Entry], *, forged_comment_len: int = 1) -> bytes:
    """The review's attack: ``genuine`` untouched, plus a second archive of ``forged``
    members hidden in its comment. Its end record claims one comment byte that is not
    there, so a reader that checks comment lengths skips it, while zipfile, Info-ZIP
    and Java (which take the last end record they find) read the forged archive."""
    assert genuine[-22:-18] == b"PK\x05\x06" and genuine[-2:] == b"\0\0"
    base = len(genuine)
    blob = bytearray()
    offsets = []
    for e in forged:
        head, tail = local_record(e)
        offsets.append(base + len(blob))
        blob += head + tail
    cd_offset = base + len(blob)
    for e, off in zip(forged, offsets, strict=True):
        blob += central_record(e, off)
    cd_size = base + len(blob) - cd_offset
    blob += eocd(len(forged), cd_size, cd_offset, comment_len=forged_comment_len)
    real_end = genuine[-22:-2] + struct.pack("<H", len(blob))
    return genuine[:-22] + real_end + bytes(blob)


def _shift(genuine: bytes, at: int, hidden: bytes) -> bytes:
    """Insert ``hidden`` at ``at`` and move every recorded offset past it."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(genuine)) as zf:
        infos = zf.infolist()
        cd_offset = zf.start_dir
    n = len(hidden)
    cd = bytearray(genuine[cd_offset:-22])
    pos = 0
    for _info in infos:
        assert cd[pos : pos + 4] == b"PK\x01\x02"
        (offset,) = struct.unpack_from("<I", cd, pos + 42)
        if offset >= at:
            struct.pack_into("<I", cd, pos + 42, offset + n)
        n_len, e_len, c_len = struct.unpack_from("<HHH", cd, pos + 28)
        pos += 46 + n_len + e_len + c_len
    end = bytearray(genuine[-22:])
    struct.pack_into("<I", end, 16, cd_offset + n)
    return genuine[:at] + hidden + genuine[at:cd_offset] + bytes(cd) + bytes(end)


def hide_before(genuine: bytes, forged: Entry) -> bytes:
    """A forged local entry before the first member, every offset moved past it:
    streaming readers (Java's ZipInputStream, bsdtar from a pipe) read it first."""
    head, tail = local_record(forged)
    return _shift(genuine, 0, head + tail)


def hide_before_directory(genuine: bytes, forged: Entry) -> bytes:
    """A forged local entry after the last member, the directory moved past it."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(genuine)) as zf:
        at = zf.start_dir
    head, tail = local_record(forged)
    return _shift(genuine, at, head + tail)


def hide_between(genuine: bytes, index: int, forged: Entry) -> bytes:
    """A forged local entry in front of member ``index``, offsets moved past it."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(genuine)) as zf:
        at = zf.infolist()[index].header_offset
    head, tail = local_record(forged)
    return _shift(genuine, at, head + tail)


__all__ = [
    "Entry",
    "Layout",
    "build",
    "central_record",
    "eocd",
    "extra_field",
    "forge_in_comment",
    "hide_before",
    "hide_before_directory",
    "hide_between",
    "local_record",
    "members_of",
    "replace",
    "zip64_end",
]
