"""Read zip files someone else made, without trusting them.

A WhatsApp export zip (or an export bundle handed back to us) can be crafted to hurt
the reader: member names that climb out of a folder (``../../.bashrc``, ``/etc/x``,
``C:\\x``), symlinks, a central directory with millions of entries, zip bombs
(kilobytes that inflate to terabytes, or overlapping members), encrypted members, or
sizes in the directory that lie about the data. :class:`SafeZip` checks all of that
before a single member is read, and while reading it never returns more than the
declared size (and ``zipfile`` checks the CRC at the end). Nothing is ever extracted
to disk here: callers stream members into memory or the encrypted store.

Errors are :class:`UnsafeZip` (a :class:`~victim_log.errors.NotABundle`) with a plain
message that names members by number, never by their (untrusted) names.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, BinaryIO

from ..errors import NotABundle
from ..fsutil import ClosedOnExit

__all__ = ["SafeZip", "UnsafeZip", "ZipLimits", "ZipMember", "is_zip"]

MiB = 1024 * 1024
GiB = 1024 * MiB

_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_ZIP64_EOCD_SIG = b"PK\x06\x06"
_EOCD_MIN = 22
_MAX_COMMENT = 0xFFFF


class UnsafeZip(NotABundle):
    """A zip file we refuse to read, or one that turned out damaged while reading."""


@dataclass(frozen=True)
class ZipLimits:
    """Bounds applied before reading; generous for a phone's chat export with media."""

    max_members: int = 20_000
    max_member_size: int = 1 * GiB
    max_total_size: int = 8 * GiB
    #: Highest allowed uncompressed/compressed ratio (real media is ~1, text ~10).
    max_ratio: int = 200
    #: Members smaller than this are not ratio-checked (a tiny file of zeros is fine).
    ratio_min_size: int = 1 * MiB
    max_name_bytes: int = 1024
    #: Bytes of central directory allowed per member (names + extras + comments).
    cd_bytes_per_member: int = 1024


@dataclass(frozen=True)
class ZipMember:
    """One checked member. ``name`` is untrusted: it is only safe as a lookup key."""

    index: int
    name: str
    size: int
    compressed_size: int
    is_dir: bool


def is_zip(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts like a zip archive."""
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _check_name(name: str, index: int, limits: ZipLimits) -> None:
    where = f"(member {index})"
    if len(name.encode("utf-8", "surrogatepass")) > limits.max_name_bytes:
        raise UnsafeZip(f"This zip file has a member with an overlong name {where}.")
    if not name or "\x00" in name or any(ord(c) < 0x20 for c in name):
        raise UnsafeZip(f"This zip file has a member with an invalid name {where}.")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise UnsafeZip(f"This zip file has a member with an absolute path {where}.")
    if any(part == ".." for part in unified.split("/")):
        raise UnsafeZip(f"This zip file has a member that points outside the archive {where}.")


def _eocd_counts(fp: BinaryIO) -> tuple[int, int]:
    """(entries, central directory size) from the end records, before zipfile reads them.

    ``zipfile`` builds an object per central-directory entry up front; checking the
    counts here stops a crafted directory from costing minutes and gigabytes.
    """
    fp.seek(0, io.SEEK_END)
    size = fp.tell()
    if size < _EOCD_MIN:
        raise UnsafeZip("This isn't a readable zip file.")
    tail_len = min(size, _EOCD_MIN + _MAX_COMMENT)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    at = tail.rfind(_EOCD_SIG)
    while at >= 0 and len(tail) - at < _EOCD_MIN:
        at = tail.rfind(_EOCD_SIG, 0, at)
    if at < 0:
        raise UnsafeZip("This isn't a readable zip file.")
    (_, _, _, _, entries, cd_size, _, _) = struct.unpack("<4s4H2LH", tail[at : at + _EOCD_MIN])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = at - 20
        if loc >= 0 and tail[loc : loc + 4] == _ZIP64_LOCATOR_SIG:
            _, _, z64_offset, _ = struct.unpack("<4sLQL", tail[loc : loc + 20])
            if z64_offset + 56 > size:
                raise UnsafeZip("This isn't a readable zip file.")
            fp.seek(z64_offset)
            rec = fp.read(56)
            if rec[:4] != _ZIP64_EOCD_SIG:
                raise UnsafeZip("This isn't a readable zip file.")
            entries, cd_size = struct.unpack("<QQ", rec[32:48])
    return entries, cd_size


class _BoundedReader(io.RawIOBase):
    """A member stream that turns zipfile/zlib failures into UnsafeZip."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        super().__init__()
        self._raw = raw
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), self._left + 1)
        try:
            data = self._raw.read(want)
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as exc:
            raise UnsafeZip("A file inside this zip is damaged.") from exc
        if len(data) > self._left:
            raise UnsafeZip("A file inside this zip is larger than it claims to be.")
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class SafeZip(ClosedOnExit):
    """A zip archive opened read-only after every member passed the checks.

    Use as a context manager, or call :meth:`close`. ``source`` is a path or a
    seekable binary file (which stays the caller's to close).
    """

    def __init__(
        self, source: str | os.PathLike[str] | BinaryIO, limits: ZipLimits | None = None
    ) -> None:
        self.limits = limits or ZipLimits()
        self._owned: BinaryIO | None = None
        if isinstance(source, (str, os.PathLike)):
            try:
                st = os.stat(source)
                if not stat.S_ISREG(st.st_mode):
                    raise UnsafeZip("This isn't a readable zip file.")
                self._owned = open(source, "rb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise UnsafeZip("We couldn't read this zip file.") from exc
            fp: BinaryIO = self._owned
        else:
            fp = source
        try:
            self._zip, self.members = self._open_checked(fp)
        except BaseException:
            self._close_owned()
            raise
        self._by_name = {m.name: m for m in self.members}

    def _open_checked(self, fp: BinaryIO) -> tuple[zipfile.ZipFile, tuple[ZipMember, ...]]:
        lim = self.limits
        try:
            entries, cd_size = _eocd_counts(fp)
            if entries > lim.max_members:
                raise UnsafeZip(f"This zip file has too many files (more than {lim.max_members}).")
            if cd_size > (entries + 1) * lim.cd_bytes_per_member:
                raise UnsafeZip("This zip file's table of contents is too large.")
            fp.seek(0)
            zf = zipfile.ZipFile(fp, "r")
        except UnsafeZip:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, struct.error) as e:
            raise UnsafeZip("This isn't a readable zip file.") from e
        except NotImplementedError as e:  # a "version needed to extract" from the future
            raise UnsafeZip("This zip file uses features we don't support.") from e
        try:
            members = self._check_members(zf, fp)
        except BaseException:
            zf.close()
            raise
        return zf, members

    def _check_members(self, zf: zipfile.ZipFile, fp: BinaryIO) -> tuple[ZipMember, ...]:
        lim = self.limits
        infos = zf.infolist()
        if len(infos) > lim.max_members:
            raise UnsafeZip(f"This zip file has too many files (more than {lim.max_members}).")
        fp.seek(0, io.SEEK_END)
        archive_size = fp.tell()
        seen: set[str] = set()
        total = 0
        members: list[ZipMember] = []
        for index, info in enumerate(infos, start=1):
            where = f"(member {index})"
            _check_name(info.filename, index, lim)
            if info.filename in seen:
                raise UnsafeZip(f"This zip file lists the same file twice {where}.")
            seen.add(info.filename)
            mode = info.external_attr >> 16
            if info.create_system != 0 and stat.S_ISLNK(mode):
                raise UnsafeZip(f"This zip file contains a link, which we don't follow {where}.")
            if info.flag_bits & 0x1:
                raise UnsafeZip(f"This zip file has a password-protected file {where}.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise UnsafeZip(f"This zip file uses a compression method we don't support {where}.")
            if info.file_size < 0 or info.compress_size < 0:
                raise UnsafeZip(f"This zip file is damaged {where}.")
            if info.header_offset + info.compress_size > archive_size:
                raise UnsafeZip(f"This zip file is damaged or cut short {where}.")
            if info.file_size > lim.max_member_size:
                raise UnsafeZip(f"A file inside this zip is too large {where}.")
            if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
                raise UnsafeZip(f"This zip file is damaged {where}.")
            if info.file_size >= lim.ratio_min_size and (
                info.file_size > lim.max_ratio * max(info.compress_size, 1)
            ):
                raise UnsafeZip(f"This zip file looks like a 'zip bomb' {where}.")
            total += info.file_size
            if total > lim.max_total_size:
                raise UnsafeZip("This zip file would unpack to more than we allow.")
            members.append(
                ZipMember(index, info.filename, info.file_size, info.compress_size, info.is_dir())
            )
        return tuple(members)

    # -- reading -----------------------------------------------------------

    def get(self, name: str) -> ZipMember | None:
        return self._by_name.get(name)

    def open(self, name: str) -> BinaryIO:
        """A stream of one member's bytes, never longer than its declared size."""
        member = self._by_name.get(name)
        if member is None or member.is_dir:
            raise UnsafeZip("A file the export refers to is missing from the zip.")
        try:
            raw = self._zip.open(name, "r")
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, RuntimeError) as e:
            raise UnsafeZip(f"A file inside this zip is damaged (member {member.index}).") from e
        return io.BufferedReader(_BoundedReader(raw, member.size))

    def iter_chunks(self, name: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        with self.open(name) as fh:
            while True:
                piece = fh.read(chunk_size)
                if not piece:
                    return
                yield piece

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        member = self._by_name.get(name)
        if member is not None and max_bytes is not None and member.size > max_bytes:
            raise UnsafeZip(f"A file inside this zip is too large (member {member.index}).")
        return b"".join(self.iter_chunks(name))

    # -- lifetime ----------------------------------------------------------

    def _close_owned(self) -> None:
        owned, self._owned = self._owned, None
        if owned is not None:
            owned.close()

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._close_owned()
