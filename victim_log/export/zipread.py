"""Hardened, read-only access to a zip file someone else may have made.

Why our own reader and not :mod:`zipfile`: a bundle is untrusted input, and the
checks we need (every local header agrees with the central directory, member data
never overlaps, no prepended data, exact zip64 bookkeeping) are easiest to guarantee
when we parse the few structures ourselves. It also lets the verifier read stored
members at their data offset with large positional reads, at disk speed, from two
threads at once.

Nothing is ever extracted to disk: members are read as byte streams.

Refused as unsafe (:class:`UnsafeZip`, a :class:`~victim_log.errors.NotABundle`):
names that are absolute, contain ``..``, backslashes, control or bidi characters;
duplicate names (also after case folding, which would collide on Windows and macOS);
a name used both as a file and a folder; symlinks and other special files; encrypted
members; compression other than stored/deflate; more than ``max_members`` members;
declared sizes that do not fit the file or imply a compression ratio bomb; members
whose data overlaps another's; anything not at the exact place the directory says.

A member whose data is damaged (bad deflate stream, CRC or size mismatch on inflate)
raises :class:`DamagedMember` only when it is read, so the verifier can name it and
go on checking the rest.
"""

from __future__ import annotations

import hashlib
import os
import stat
import struct
import threading
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import BundleInvalid, NotABundle
from ..fsutil import ClosedOnExit

STORED = 0
DEFLATED = 8

MAX_MEMBERS = 100_000
MAX_NAME_BYTES = 1024
MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024
MAX_RATIO = 200  # deflate of ordinary files stays far below this; bombs are at ~1000
RATIO_FLOOR = 1024 * 1024  # small members may compress better than MAX_RATIO harmlessly
MAX_MEMBER_SIZE = 1 << 40
READ_CHUNK = 1024 * 1024

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"

_FLAG_ENCRYPTED = 0x0001
_FLAG_DATA_DESCRIPTOR = 0x0008
_FLAG_STRONG_ENCRYPTION = 0x0040
_FLAG_UTF8 = 0x0800
_FLAG_MASKED_HEADERS = 0x2000
_EXTRA_ZIP64 = 0x0001
_EXTRA_UNICODE_PATH = 0x7075
_U32_MAX = 0xFFFFFFFF
_U16_MAX = 0xFFFF

# Characters that can make a name display as something it is not.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WINDOWS_DRIVE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class UnsafeZip(NotABundle):
    """The zip is malformed or built to attack the reader; we read nothing from it."""


class DamagedMember(BundleInvalid):
    """One member's data cannot be read back; the rest of the zip may be fine."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


@dataclass(frozen=True, slots=True)
class ZipMember:
    name: str
    method: int
    flags: int
    crc32: int
    compressed_size: int
    size: int
    header_offset: int
    data_offset: int

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


def is_unsafe_char(ch: str) -> bool:
    """Control characters (C0/C1, DEL), line/paragraph separators some tools split lines
    on, surrogates, and bidi controls that can disguise a name."""
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")


def unsafe_name_reason(name: str) -> str | None:
    """Why ``name`` is not a safe relative path inside a zip, or None if it is."""
    if not name or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        return "an empty or overlong name"
    for ch in name:
        if is_unsafe_char(ch):
            return "a control character in a name"
    if "\\" in name:
        return "a backslash in a name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":" and name[0] in _WINDOWS_DRIVE):
        return "an absolute path"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    for part in parts:
        if part == "..":
            return "a path that climbs out of its folder (..)"
        if part in ("", "."):
            return "an empty path component"
    return None


def _decode_name(raw: bytes, flags: int) -> str:
    try:
        if flags & _FLAG_UTF8:
            return raw.decode("utf-8")
        return raw.decode("ascii")
    except UnicodeDecodeError:
        pass
    if flags & _FLAG_UTF8:
        raise UnsafeZip("This zip has a file name that is not valid text, so it cannot be checked.")
    return raw.decode("cp437")  # the historical default, as zipfile and unzip assume


def _parse_extra(data: bytes) -> dict[int, bytes]:
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        if pos + 4 > len(data):
            raise UnsafeZip("This zip has a damaged header, so it cannot be checked.")
        tag, size = struct.unpack_from("<HH", data, pos)
        pos += 4
        if pos + size > len(data) or tag in fields:
            raise UnsafeZip("This zip has a damaged header, so it cannot be checked.")
        fields[tag] = data[pos : pos + size]
        pos += size
    return fields


def _zip64_values(extra: dict[int, bytes], wanted: list[bool]) -> list[int | None]:
    """Read the zip64 extra: 8-byte values for each 32-bit field that overflowed, in the
    order uncompressed size, compressed size, header offset (APPNOTE 4.5.3)."""
    data = extra.get(_EXTRA_ZIP64, b"")
    out: list[int | None] = []
    pos = 0
    for need in wanted:
        if not need:
            out.append(None)
            continue
        if pos + 8 > len(data):
            raise UnsafeZip("This zip has a damaged zip64 header, so it cannot be checked.")
        out.append(struct.unpack_from("<Q", data, pos)[0])
        pos += 8
    return out


class SafeZip(ClosedOnExit):
    """An open, validated zip. Use as a context manager; thread-safe for reads."""

    def __init__(self, path: str | os.PathLike[str], *, max_members: int = MAX_MEMBERS) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            raise NotABundle(f"There is no file called {self.path.name}.") from None
        except IsADirectoryError:
            raise NotABundle(f"{self.path.name} is a folder, not a zip file.") from None
        except OSError:
            raise NotABundle(f"{self.path.name} cannot be opened for reading.") from None
        try:
            st = os.fstat(self._fd)
            if not stat.S_ISREG(st.st_mode):
                raise NotABundle(f"{self.path.name} is not an ordinary file.")
            self.file_size = st.st_size
            if hasattr(os, "posix_fadvise"):  # we read mostly front to back: read ahead more
                os.posix_fadvise(self._fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            self.members = self._read_directory(max_members)
            self._by_name = {m.name: m for m in self.members}
        except BaseException:
            os.close(self._fd)
            raise

    # -- lifecycle ------------------------------------------------------------------

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    # -- low-level reads --------------------------------------------------------------

    def _pread(self, size: int, offset: int) -> bytes:
        if hasattr(os, "pread"):
            return os.pread(self._fd, size, offset)
        with self._lock:  # pragma: no cover - Windows has no pread
            os.lseek(self._fd, offset, os.SEEK_SET)
            return os.read(self._fd, size)

    def _preadinto(self, buf: memoryview, offset: int) -> int:
        if hasattr(os, "preadv"):
            return os.preadv(self._fd, [buf], offset)
        data = self._pread(len(buf), offset)  # pragma: no cover - platforms without preadv
        buf[: len(data)] = data  # pragma: no cover
        return len(data)  # pragma: no cover

    def _read_exact(self, size: int, offset: int) -> bytes:
        data = self._pread(size, offset) if size else b""
        if len(data) != size:
            raise UnsafeZip("This zip is cut short or damaged, so it cannot be checked.")
        return data

    # -- directory ------------------------------------------------------------------------

    def _find_end(self) -> tuple[int, int, int, int]:
        """Return (entry count, central dir offset, central dir size, where it must end)."""
        if self.file_size < 22:
            raise NotABundle(f"{self.path.name} is not a zip file.")
        tail_len = min(self.file_size, 22 + _U16_MAX)
        tail_start = self.file_size - tail_len
        tail = self._read_exact(tail_len, tail_start)
        # The record is 22 bytes plus its comment and must end exactly at end of file.
        pos = tail.rfind(_EOCD, 0, len(tail) - 18)
        while pos >= 0:
            (comment_len,) = struct.unpack_from("<H", tail, pos + 20)
            if pos + 22 + comment_len == len(tail):
                break
            pos = tail.rfind(_EOCD, 0, pos)
        if pos < 0:
            raise NotABundle(f"{self.path.name} is not a zip file.")
        eocd = tail_start + pos
        disk, cd_disk, n_disk, n_total, cd_size, cd_offset = struct.unpack_from(
            "<HHHHII", tail, pos + 4
        )
        end_of_cd = eocd
        if eocd >= 20 and self._read_exact(4, eocd - 20) == _ZIP64_LOCATOR:
            loc = self._read_exact(20, eocd - 20)
            z_disk, z_offset, z_disks = struct.unpack_from("<IQI", loc, 4)
            if z_disk != 0 or z_disks != 1 or z_offset + 56 > eocd - 20:
                raise UnsafeZip("This zip spans several disks or is damaged.")
            rec = self._read_exact(56, z_offset)
            if rec[:4] != _ZIP64_EOCD:
                raise UnsafeZip("This zip has a damaged zip64 record, so it cannot be checked.")
            rec_size, _, _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset = (
                struct.unpack_from("<QHHIIQQQQ", rec, 4)
            )
            if z_offset + 12 + rec_size != eocd - 20:
                raise UnsafeZip("This zip has a damaged zip64 record, so it cannot be checked.")
            end_of_cd = z_offset
        if disk != 0 or cd_disk != 0 or n_disk != n_total:
            raise UnsafeZip("This zip spans several disks, which Victim Log does not read.")
        if cd_offset + cd_size != end_of_cd:
            raise UnsafeZip(
                "This zip has data where its directory should be (it may have been "
                "altered or joined to another file), so it cannot be checked."
            )
        return n_total, cd_offset, cd_size, end_of_cd

    def _read_directory(self, max_members: int) -> tuple[ZipMember, ...]:
        n_total, cd_offset, cd_size, _ = self._find_end()
        if n_total > max_members:
            raise UnsafeZip(f"This zip holds too many files ({n_total}) to be a bundle.")
        if cd_size > MAX_CENTRAL_DIRECTORY or cd_size < 46 * n_total:
            raise UnsafeZip("This zip's directory is damaged or implausibly large.")
        cd = self._read_exact(cd_size, cd_offset)
        members: list[ZipMember] = []
        seen: set[str] = set()
        folded: set[str] = set()
        pos = 0
        for _ in range(n_total):
            member, pos = self._parse_central_entry(cd, pos)
            if member.name in seen:
                raise UnsafeZip(f"This zip holds two files called {member.name}.")
            key = unicodedata.normalize("NFC", member.name).casefold()
            if key in folded:
                raise UnsafeZip(
                    f"This zip holds two files whose names differ only in case: {member.name}."
                )
            seen.add(member.name)
            folded.add(key)
            members.append(member)
        if pos != len(cd):
            raise UnsafeZip("This zip's directory is damaged, so it cannot be checked.")
        self._check_folders(members)
        return tuple(self._check_layout(members, cd_offset))

    def _parse_central_entry(self, cd: bytes, pos: int) -> tuple[ZipMember, int]:
        if pos + 46 > len(cd) or cd[pos : pos + 4] != _CENTRAL:
            raise UnsafeZip("This zip's directory is damaged, so it cannot be checked.")
        (
            _made_by,
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
        end = pos + 46 + n_len + e_len + c_len
        if end > len(cd):
            raise UnsafeZip("This zip's directory is damaged, so it cannot be checked.")
        raw_name = cd[pos + 46 : pos + 46 + n_len]
        extra = _parse_extra(cd[pos + 46 + n_len : pos + 46 + n_len + e_len])
        name = _decode_name(raw_name, flags)
        self._check_unicode_path(extra, raw_name, name)
        reason = unsafe_name_reason(name)
        if reason:
            raise UnsafeZip(f"This zip is unsafe to open: it contains {reason}.")
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG_ENCRYPTION | _FLAG_MASKED_HEADERS):
            raise UnsafeZip("This zip is password-protected; a bundle never is.")
        if method not in (STORED, DEFLATED):
            raise UnsafeZip(
                f"{name} uses a compression method Victim Log does not read. "
                "Please use the zip file exactly as exported."
            )
        mode = external >> 16
        if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise UnsafeZip(f"This zip is unsafe to open: {name} is a link or special file.")
        usize_x, csize_x, offset_x = _zip64_values(
            extra, [usize == _U32_MAX, csize == _U32_MAX, offset == _U32_MAX]
        )
        if disk not in (0, _U16_MAX):
            raise UnsafeZip("This zip spans several disks, which Victim Log does not read.")
        usize = usize if usize_x is None else usize_x
        csize = csize if csize_x is None else csize_x
        offset = offset if offset_x is None else offset_x
        if usize > MAX_MEMBER_SIZE or (method == STORED and csize != usize):
            raise UnsafeZip(f"This zip declares an impossible size for {name}.")
        if method == DEFLATED and usize > RATIO_FLOOR and usize > csize * MAX_RATIO:
            raise UnsafeZip(
                f"This zip is unsafe to open: {name} would expand to an absurd size (a zip bomb)."
            )
        if name.endswith("/") and usize != 0:
            raise UnsafeZip(f"This zip's directory is damaged: folder {name} holds data.")
        return (
            ZipMember(name, method, flags, crc, csize, usize, offset, data_offset=-1),
            end,
        )

    @staticmethod
    def _check_unicode_path(extra: dict[int, bytes], raw_name: bytes, name: str) -> None:
        """Info-ZIP's Unicode Path field gives some tools a *second* name: allow it only
        when it names the same file, so no extractor can see another path than we do."""
        field = extra.get(_EXTRA_UNICODE_PATH)
        if field is None:
            return
        ok = len(field) >= 5 and field[0] == 1
        if ok:
            (name_crc,) = struct.unpack_from("<I", field, 1)
            try:
                ok = name_crc == zlib.crc32(raw_name) and field[5:].decode("utf-8") == name
            except UnicodeDecodeError:
                ok = False
        if not ok:
            raise UnsafeZip("This zip gives one of its files two different names.")

    @staticmethod
    def _check_folders(members: list[ZipMember]) -> None:
        files = {m.name for m in members if not m.is_dir}
        for m in members:
            if m.is_dir and m.name[:-1] in files:
                raise UnsafeZip(f"This zip uses {m.name[:-1]} both as a file and as a folder.")
            parts = m.name.rstrip("/").split("/")
            for i in range(1, len(parts)):
                if "/".join(parts[:i]) in files:
                    raise UnsafeZip(
                        f"This zip uses {'/'.join(parts[:i])} both as a file and as a folder."
                    )

    def _check_layout(self, members: list[ZipMember], cd_offset: int) -> list[ZipMember]:
        """Check every local header against the directory; data must not overlap."""
        checked: dict[str, ZipMember] = {}
        for m in sorted(members, key=lambda m: m.header_offset):
            checked[m.name] = self._check_local_header(m)
        ordered = sorted(checked.values(), key=lambda m: m.header_offset)
        for m, nxt in zip(ordered, ordered[1:] + [None], strict=True):
            limit = cd_offset if nxt is None else nxt.header_offset
            if m.data_offset + m.compressed_size > limit:
                raise UnsafeZip(
                    "This zip is unsafe to open: its files overlap (a trick used by zip bombs)."
                )
        return [checked[m.name] for m in members]

    def _check_local_header(self, m: ZipMember) -> ZipMember:
        head = self._read_exact(30, m.header_offset)
        if head[:4] != _LOCAL:
            raise UnsafeZip("This zip's directory points at the wrong place; it is damaged.")
        _needed, flags, method, _t, _d, crc, csize, usize, n_len, e_len = struct.unpack_from(
            "<HHHHHIIIHH", head, 4
        )
        raw_name = self._read_exact(n_len, m.header_offset + 30)
        extra = _parse_extra(self._read_exact(e_len, m.header_offset + 30 + n_len))
        mismatch = (
            method != m.method
            or (flags ^ m.flags) & (_FLAG_ENCRYPTED | _FLAG_DATA_DESCRIPTOR | _FLAG_UTF8)
            or _decode_name(raw_name, flags) != m.name
        )
        if not mismatch:
            self._check_unicode_path(extra, raw_name, m.name)
        if not mismatch and not flags & _FLAG_DATA_DESCRIPTOR:
            if usize == _U32_MAX or csize == _U32_MAX:
                usize_x, csize_x = _zip64_values(extra, [True, True])
                usize, csize = usize_x or 0, csize_x or 0
            mismatch = crc != m.crc32 or csize != m.compressed_size or usize != m.size
        if mismatch:
            raise UnsafeZip(
                f"This zip is unsafe to open: the two records of {m.name} disagree "
                "(it may have been altered to fool zip tools)."
            )
        data_offset = m.header_offset + 30 + n_len + e_len
        return ZipMember(
            m.name,
            m.method,
            m.flags,
            m.crc32,
            m.compressed_size,
            m.size,
            m.header_offset,
            data_offset,
        )

    # -- member access -------------------------------------------------------------------

    def get(self, name: str) -> ZipMember | None:
        return self._by_name.get(name)

    def iter_chunks(self, member: ZipMember, chunk: int = READ_CHUNK) -> Iterator[bytes]:
        """The member's content, in chunks; checks deflate integrity, CRC and size."""
        if member.method == STORED:
            yield from self._raw_chunks(member, chunk)
            return
        inflater = zlib.decompressobj(-15)
        produced = 0
        crc = 0
        try:
            for raw in self._raw_chunks(member, chunk):
                data = inflater.decompress(raw, chunk)
                while True:
                    produced += len(data)
                    if produced > member.size:
                        raise DamagedMember(
                            member.name, f"{member.name} is damaged: it is longer than declared."
                        )
                    crc = zlib.crc32(data, crc)
                    if data:
                        yield data
                    if not inflater.unconsumed_tail:
                        break
                    data = inflater.decompress(inflater.unconsumed_tail, chunk)
            if not inflater.eof or inflater.unused_data:
                raise zlib.error("truncated or trailing data")
        except zlib.error:
            raise DamagedMember(
                member.name, f"{member.name} is damaged and cannot be read."
            ) from None
        if produced != member.size or crc != member.crc32:
            raise DamagedMember(member.name, f"{member.name} is damaged and cannot be read.")

    def _raw_chunks(self, member: ZipMember, chunk: int) -> Iterator[bytes]:
        offset, remaining = member.data_offset, member.compressed_size
        while remaining:
            data = self._pread(min(chunk, remaining), offset)
            if not data:
                raise DamagedMember(member.name, f"{member.name} is cut short.")
            offset += len(data)
            remaining -= len(data)
            yield data

    def read_bytes(self, member: ZipMember, limit: int) -> bytes:
        """The whole member, for small files (tag files). Larger than ``limit`` is refused."""
        if member.size > limit:
            raise DamagedMember(member.name, f"{member.name} is too large to be what it claims.")
        return b"".join(self.iter_chunks(member))

    def sha256(self, member: ZipMember, chunk: int = READ_CHUNK) -> tuple[str, int]:
        """SHA-256 hex digest and byte count of the member's content.

        Stored members are hashed straight from the file with large positional reads
        into one reused buffer and no CRC (SHA-256 is the real check); several members
        can be hashed in parallel from threads because hashlib releases the GIL.
        """
        h = hashlib.sha256()
        if member.method != STORED:
            size = 0
            for data in self.iter_chunks(member, chunk):
                h.update(data)
                size += len(data)
            return h.hexdigest(), size
        buf = memoryview(bytearray(chunk))
        offset, remaining = member.data_offset, member.size
        while remaining:
            view = buf[: min(chunk, remaining)]
            n = self._preadinto(view, offset)
            if n <= 0:
                raise DamagedMember(member.name, f"{member.name} is cut short.")
            h.update(view[:n])
            offset += n
            remaining -= n
        return h.hexdigest(), member.size
