"""The one hardened zip reader: :class:`SafeZip`.

Everything that reads a zip someone else may have made goes through here: export
bundles and backups (:data:`~victim_log.safezip.policy.STRICT`) and phone exports
(:data:`~victim_log.safezip.policy.LENIENT`). Opening checks the whole structure
(:mod:`.archive`) and Python's zipfile's listing (:mod:`.crosscheck`) before a single
member is read; nothing is ever extracted to disk: members are read as byte streams.

Fast paths, because ``victim-log verify`` must run at disk speed on gigabytes: reads
are positional (``os.pread``), so several threads can read members at once without
a lock; stored members are hashed straight from the file into one reused buffer
(:meth:`SafeZip.sha256`). Deflated members are inflated in bounded chunks, never more
than their declared size, and their CRC and size are checked at the end.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from ..fsutil import ClosedOnExit
from .archive import STORED
from .archive import ZipMember
from .archive import read_archive
from .crosscheck import cross_check
from .errors import DamagedMember
from .policy import STRICT
from .policy import ZipPolicy
from .source import Source

READ_CHUNK = 1024 * 1024


def is_zip(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts like a zip archive."""
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


class SafeZip(ClosedOnExit):
    """An open zip whose every member passed ``policy``. Use as a context manager.

    ``source`` is a path or a seekable binary file (which stays the caller's to
    close). ``max_members`` overrides the policy's limit. Reads are thread-safe.
    Raises :class:`~victim_log.safezip.errors.UnsafeZip` (a ``NotABundle``) with a
    named ``reason``, or ``NotABundle`` when the path is missing or not a file.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | BinaryIO,
        policy: ZipPolicy = STRICT,
        *,
        max_members: int | None = None,
    ) -> None:
        if max_members is not None:
            policy = policy.replace(limits=dataclasses.replace(policy.limits, max_members=max_members))
        self.policy = policy
        self._src = Source(source)
        self.path = self._src.path
        self.file_size = self._src.size
        try:
            self.members: tuple[ZipMember, ...] = read_archive(self._src, policy)
            if policy.cross_check_zipfile:
                cross_check(self._src, self.members)
        except BaseException:
            self._src.close()
            raise
        self._by_name = {m.name: m for m in self.members}

    def close(self) -> None:
        self._src.close()

    # -- member access -------------------------------------------------------------------

    def get(self, name: str) -> ZipMember | None:
        return self._by_name.get(name)

    def _member(self, member: ZipMember | str) -> ZipMember:
        if isinstance(member, ZipMember):
            return member
        found = self._by_name.get(member)
        if found is None:
            raise DamagedMember(member, "A file the zip was expected to hold is missing from it.")
        return found

    def iter_chunks(self, member: ZipMember | str, chunk: int = READ_CHUNK) -> Iterator[bytes]:
        """The member's content, in chunks of at most ``chunk`` bytes; checks the
        deflate stream, the CRC and the size (:class:`DamagedMember` if wrong)."""
        m = self._member(member)
        crc = 0
        produced = 0
        if m.method == STORED:
            for data in self._raw_chunks(m, chunk):
                crc = zlib.crc32(data, crc)
                produced += len(data)
                yield data
        else:
            inflater = zlib.decompressobj(-15)
            try:
                for raw in self._raw_chunks(m, chunk):
                    data = inflater.decompress(raw, chunk)
                    while True:
                        produced += len(data)
                        if produced > m.size:
                            raise DamagedMember(
                                m.name, f"{self._who(m)} is damaged: it is longer than declared."
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
                raise DamagedMember(m.name, f"{self._who(m)} is damaged and cannot be read.") from None
        if produced != m.size or crc != m.crc32:
            raise DamagedMember(m.name, f"{self._who(m)} is damaged and cannot be read.")

    def _who(self, m: ZipMember) -> str:
        return m.name if self.policy.name_in_messages else f"A file inside this zip (member {m.index})"

    def _raw_chunks(self, m: ZipMember, chunk: int) -> Iterator[bytes]:
        offset, remaining = m.data_offset, m.compressed_size
        while remaining:
            data = self._src.pread(min(chunk, remaining), offset)
            if not data:
                raise DamagedMember(m.name, f"{self._who(m)} is cut short.")
            offset += len(data)
            remaining -= len(data)
            yield data

    def read_bytes(self, member: ZipMember | str, limit: int) -> bytes:
        """The whole member, for small files. Larger than ``limit`` is refused."""
        m = self._member(member)
        if m.size > limit:
            raise DamagedMember(m.name, f"{self._who(m)} is too large to be what it claims.")
        return b"".join(self.iter_chunks(m))

    def open(self, member: ZipMember | str) -> BinaryIO:
        """A buffered stream of the member's content (checked as :meth:`iter_chunks`)."""
        return io.BufferedReader(_ChunkStream(self.iter_chunks(self._member(member))))

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
            n = self._src.preadinto(view, offset)
            if n <= 0:
                raise DamagedMember(member.name, f"{self._who(member)} is cut short.")
            h.update(view[:n])
            offset += n
            remaining -= n
        return h.hexdigest(), member.size


class _ChunkStream(io.RawIOBase):
    """A raw stream over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()
