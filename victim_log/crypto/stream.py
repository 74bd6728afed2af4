"""Chunked authenticated encryption for evidence blobs: the stable on-disk blob format.

Evidence files can be gigabytes (videos, phone dumps), so a blob is sealed in
independent chunks: memory stays constant whatever the file size, and a damaged or
altered blob is refused chunk by chunk. The construction is the STREAM scheme used by
Tink and age: every chunk's nonce carries its position and whether it is the last one,
so cutting, reordering, duplicating or appending chunks all fail authentication, not
only flipped bits.

Format, versions 1 and 2 (integers are big-endian). This is a stable on-disk format:
never change it in place; a new layout gets a new version byte and the reader keeps
every older one. New blobs are version 2; version 1 blobs (written before 2026-12) are
still read.

    offset  size  field
    0       8     magic        89 56 4C 53 0D 0A 1A 0A  ("\\x89VLS\\r\\n\\x1a\\n")
    8       1     version      0x01 or 0x02
    9       4     chunk_size   plaintext bytes per chunk, 16 .. 16 MiB (1 MiB by default)
    13      32    salt         random, fresh for every stream
    45      ...   chunk 0, chunk 1, ..., chunk N-1

    chunk i = AES-256-GCM ciphertext of plaintext chunk i (same length) || 16-byte tag

    stream key  = HKDF-SHA256(ikm=caller's 32-byte key, salt=salt,
                              info=b"victim-log blob stream v1", length=32)
    nonce_i     = i as an 11-byte unsigned integer || 0x01 for the last chunk, else 0x00
    associated  = the 45 header bytes || context (the caller's bytes, e.g. the blob id)

The chunks seal a byte stream: in version 1 the plaintext itself; in version 2 the
plaintext, then zero bytes, then the plaintext's length ``n`` as 8 bytes (the
trailer), ``padded_stream_size(n)`` bytes in all. Every chunk but the last holds
exactly ``chunk_size`` stream bytes; the last holds 0 .. chunk_size-1. A stream whose
length is a multiple of the chunk size (the empty one included) therefore ends with an
empty final chunk (16 bytes of tag), and a reader knows a chunk is the last one from
its length alone. A stream of ``s`` bytes is stored in ``45 + s + 16 * (s // chunk_size
+ 1)`` bytes.

Version 2 pads because a blob's size gave away the exact size of the file inside (a
given photo, a known document). The stream length is PADME(n + 8) (Nikitin et al.,
"Reducing Metadata Leakage from Encrypted Files and Communication with PURBs", 2019):
the length rounded up so that only its top bits, about log2(log2(n)) + 1 of them, may
be non-zero, which costs at most 12 % and on average a few per cent (under 3 % from
1 MiB up), and leaves O(log log n) bits of the size visible instead of all of them.
If that length would leave fewer than 8 bytes in the final chunk, it grows until the
final chunk holds the whole trailer. A reader seeks to the final chunk first, opens
it, takes ``n`` from the trailer and refuses the blob unless its stream length is
exactly ``padded_stream_size(n)``; it then reads from the start as in version 1 and
passes on only the first ``n`` bytes. The padding and the trailer are sealed like the
rest, so changing them fails authentication too. Version 2 therefore needs a source it
can seek in (blob files always are).

Why each piece is there:

* The salt gives every stream its own AES key, so even if a caller re-used a blob key
  (say, re-encrypting a file) no (key, nonce) pair ever repeats; a repeat would break
  GCM. With a per-stream key, a plain counter is a safe nonce.
* The header is associated data of every chunk, so changing the version, chunk size or
  salt fails on the first chunk; the context binds a blob to its id, so two blobs'
  files swapped on disk are refused.
* Truncation at a chunk boundary leaves a chunk that was sealed as "not last" at the
  end: the reader reports the blob as incomplete. Truncation inside a chunk, or data
  appended after the last one, changes the last chunk's length or content and its tag
  fails.

Decryption writes each chunk's plaintext as soon as that chunk verifies, so a failure
can come after some output was written: callers write to a temporary file and keep it
only when the call returns (see ``fsutil.atomic_writer``). ``decrypt_to_bytes`` returns
nothing until the whole blob has verified.

Speed: each chunk passes three or four stages, each on its own thread (encrypting:
read and hash / seal / write; decrypting: read / open / hash / write), so while one
chunk is written the next is sealed and the one after is hashed. hashlib and ``AESGCM``
(cryptography >= 50) release the GIL on large buffers, so the stages really run on two
cores at once; what is left is the disk (intake syncs) and CPU time, about 2.2
CPU-seconds per GiB (bench/results.md). Buffers are page-aligned, preallocated and
filled in place. Files that fit in one chunk are handled inline without starting a
thread.

The caller generates, wraps and stores the 32-byte key; the context is not stored in
the blob, so the caller passes the same bytes again to decrypt.
"""

from __future__ import annotations

import errno
import hashlib
import io
import mmap
import os
import queue
import struct
import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import BadInput
from ..errors import IntegrityError

MAGIC: Final = b"\x89VLS\r\n\x1a\n"
VERSION: Final = 2  # what new blobs are written as
VERSION_UNPADDED: Final = 1  # still read; written only when asked (tests, old-format tools)
KEY_LEN: Final = 32
SALT_LEN: Final = 32
TAG_LEN: Final = 16
CHUNK_SIZE: Final = 1 << 20
MIN_CHUNK_SIZE: Final = 16
MAX_CHUNK_SIZE: Final = 1 << 24

_HEADER: Final = struct.Struct(">8sBI32s")
HEADER_LEN: Final = _HEADER.size
_HKDF_INFO: Final = b"victim-log blob stream v1"  # both versions: the header tells them apart
_TRAILER: Final = 8  # version 2: the plaintext's length, at the end of the stream
# Chunks in flight (each slot holds 2 buffers of about chunk_size): one per pipeline
# stage and a spare, so a stage that is briefly late (its thread not scheduled on a
# busy machine) does not stall the others at once; fewer (at least 2) when a blob's
# header asks for chunks so large that these would take more than _SLOTS_MEMORY.
# Larger slots (batches of 4 chunks) were tried: they cost more CPU time for intake
# here (data no longer in the CPU caches between stages) and were slower.
_DEPTH: Final = 5
_SLOTS_MEMORY: Final = 48 << 20

_NOT_OURS: Final = "This file is not an encrypted Victim Log file, or its beginning is damaged."
_UNKNOWN_VERSION: Final = (
    "This stored file uses a format this version of Victim Log cannot read. "
    "It may have been saved by a newer version."
)
_INCOMPLETE: Final = "This stored file is incomplete: its end is missing."
_FAILED: Final = (
    "This stored file failed its integrity check: it has been changed or damaged, or it does not belong here."
)


@dataclass(frozen=True)
class StreamResult:
    """What passed through: the plaintext's length and SHA-256 (hex)."""

    size: int
    sha256: str


@dataclass
class _Slot:
    """One chunk in flight: its plaintext and sealed buffers, filled in place."""

    plain: memoryview  # chunk_size bytes
    sealed: memoryview  # chunk_size + TAG_LEN bytes
    n: int = 0  # stream bytes in this chunk
    last: bool = False
    data: int = 0  # of those, plaintext (the rest is version 2's padding and trailer)


_Stage = Callable[[_Slot], None]
_Link = queue.SimpleQueue[_Slot | BaseException | None]
_Read = Callable[[memoryview], int]


def padme(length: int) -> int:
    """``length`` rounded up to the next PADME size class (see the module docstring)."""
    if length < 2:
        return length
    exponent = length.bit_length() - 1  # floor(log2(length))
    low_bits = exponent - exponent.bit_length()  # the bits that must be zero
    mask = (1 << low_bits) - 1
    return (length + mask) & ~mask


def padded_stream_size(plain_size: int, *, chunk_size: int = CHUNK_SIZE) -> int:
    """Version 2's stream length for ``plain_size`` bytes: plaintext, padding, trailer."""
    size = padme(plain_size + _TRAILER)
    if size % chunk_size < _TRAILER:  # the trailer must sit whole in the final chunk
        size += _TRAILER - size % chunk_size
    return size


def ciphertext_size(plain_size: int, *, chunk_size: int = CHUNK_SIZE, padded: bool = True) -> int:
    """Exact size of the stored blob for ``plain_size`` bytes of plaintext."""
    if plain_size < 0:
        raise ValueError("plain_size must not be negative")
    _check_chunk_size(chunk_size)
    size = padded_stream_size(plain_size, chunk_size=chunk_size) if padded else plain_size
    return HEADER_LEN + size + TAG_LEN * (size // chunk_size + 1)


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    key: bytes,
    context: bytes = b"",
    *,
    chunk_size: int = CHUNK_SIZE,
    padded: bool = True,
) -> StreamResult:
    """Encrypt everything ``src`` holds into ``dst``; return the plaintext's size and hash.

    The hash covers exactly the bytes read and encrypted, even if the source file
    changed size meanwhile. ``OSError`` from ``src`` or ``dst`` propagates unchanged.
    ``chunk_size`` exists for tests and benchmarks; readers take it from the header.
    ``padded=False`` writes the old, unpadded version 1 (for tests of old blobs).
    """
    _check_key(key)
    _check_chunk_size(chunk_size)
    salt = os.urandom(SALT_LEN)
    header = _HEADER.pack(MAGIC, VERSION if padded else VERSION_UNPADDED, chunk_size, salt)
    aead = AESGCM(_stream_key(key, salt))
    associated = header + bytes(context)
    read = _reader(src)
    hasher = hashlib.sha256()
    size = 0
    index = 0
    tail: _Tail | None = None  # once the source has ended (version 2)

    def read_and_hash(slot: _Slot) -> None:
        nonlocal size, tail
        got = 0
        if tail is None:
            got = _fill(read, slot.plain)
            hasher.update(slot.plain[:got])
            size += got
            if got < chunk_size and padded:  # the source ended: never read it again
                tail = _Tail(size, padded_stream_size(size, chunk_size=chunk_size) - size)
        slot.data = got
        if tail is not None:
            got += tail.fill(slot.plain[got:])
        slot.n = got
        slot.last = slot.n < chunk_size

    def seal(slot: _Slot) -> None:
        nonlocal index
        out = slot.sealed[: slot.n + TAG_LEN]
        aead.encrypt_into(_nonce(index, slot.last), slot.plain[: slot.n], associated, out)
        index += 1

    def write(slot: _Slot) -> None:
        _write_all(dst, slot.sealed[: slot.n + TAG_LEN])

    _write_all(dst, memoryview(header))
    _pipeline((read_and_hash, seal, write), chunk_size)
    return StreamResult(size=size, sha256=hasher.hexdigest())


def decrypt_stream(src: BinaryIO, dst: BinaryIO, key: bytes, context: bytes = b"") -> StreamResult:
    """Verify and decrypt a blob from ``src`` into ``dst``; return the plaintext's size and hash.

    Raises :class:`IntegrityError` for anything that does not verify (wrong key or
    context, damage, truncation, reordering, appended data, unknown format). Plaintext
    is written chunk by chunk, so on error ``dst`` holds unverified partial output:
    write to a temporary file and discard it on error. ``OSError`` propagates unchanged.
    """

    def write(chunk: memoryview) -> None:
        _write_all(dst, chunk)

    return _decrypt(src, write, key, context)


def decrypt_to_bytes(src: BinaryIO, key: bytes, context: bytes = b"", max_size: int | None = None) -> bytes:
    """Verify and decrypt a whole blob into memory (for viewing without temp files).

    Returns only after every chunk has verified. With ``max_size``, a blob whose
    plaintext is larger raises :class:`BadInput` as soon as that is known, so memory
    stays bounded by ``max_size``.
    """
    out = io.BytesIO()

    def collect(chunk: memoryview) -> None:
        if max_size is not None and out.tell() + len(chunk) > max_size:
            raise BadInput(
                f"This file is too large to open here (over {max_size} bytes). Save a copy instead."
            )
        out.write(chunk)

    _decrypt(src, collect, key, context)
    return out.getvalue()


def _decrypt(src: BinaryIO, sink: Callable[[memoryview], None], key: bytes, context: bytes) -> StreamResult:
    _check_key(key)
    read = _reader(src)
    head = bytearray(HEADER_LEN)
    got = _fill(read, memoryview(head))
    version, chunk_size, salt = _parse_header(bytes(head[:got]))
    aead = AESGCM(_stream_key(key, salt))
    associated = bytes(head) + bytes(context)
    # Version 2: the plaintext's length, from the final chunk, before anything is passed on.
    remaining = None if version == VERSION_UNPADDED else _padded_length(src, aead, associated, chunk_size)
    index = 0

    def take(slot: _Slot) -> None:
        got = _fill(read, slot.sealed)
        if got < TAG_LEN:
            # Nothing (or less than a tag) after a full chunk: the real last chunk is gone.
            raise IntegrityError(_INCOMPLETE)
        slot.n = got - TAG_LEN
        slot.last = slot.n < chunk_size

    def open_chunk(slot: _Slot) -> None:
        nonlocal index, remaining
        got = slot.n + TAG_LEN
        try:
            aead.decrypt_into(_nonce(index, slot.last), slot.sealed[:got], associated, slot.plain[: slot.n])
        except InvalidTag:
            raise IntegrityError(_FAILED) from None
        index += 1
        slot.data = slot.n
        if remaining is not None:
            slot.data = min(slot.n, remaining)
            remaining -= slot.data

    hasher = hashlib.sha256()
    size = 0

    def hash_plain(slot: _Slot) -> None:
        nonlocal size
        hasher.update(slot.plain[: slot.data])
        size += slot.data

    def give(slot: _Slot) -> None:
        if slot.data:
            sink(slot.plain[: slot.data])

    _pipeline((take, open_chunk, hash_plain, give), chunk_size)
    return StreamResult(size=size, sha256=hasher.hexdigest())


def _pipeline(stages: Sequence[_Stage], chunk_size: int) -> None:
    """Run ``stages`` over every chunk, each stage on its own thread, in order.

    The last stage runs on the calling thread, the others on helper threads, so
    stage k works on chunk i while stage k+1 works on chunk i-1: with hashlib and
    AESGCM releasing the GIL, hashing, sealing and disk writes overlap on two cores.
    The first chunk goes through inline, so a blob that fits in one chunk starts no
    thread. At most ``_DEPTH`` slots exist (fewer for huge chunks), whatever the file size.

    An exception in a helper is passed down the line and re-raised here as the same
    object (an ``OSError`` from the source keeps its type and errno); on any exit the
    helpers are stopped and joined. A stage must not keep a view of a slot's buffers.
    """
    first = _new_slot(chunk_size)
    for stage in stages:
        stage(first)
    if first.last:
        return
    free: queue.SimpleQueue[_Slot | BaseException | None] = queue.SimpleQueue()
    links = [free] + [queue.SimpleQueue[_Slot | BaseException | None]() for _ in stages[1:]]
    stop = threading.Event()
    free.put(first)
    slot_bytes = len(first.plain) + len(first.sealed)
    for _ in range(max(2, min(_DEPTH, _SLOTS_MEMORY // slot_bytes)) - 1):
        free.put(_new_slot(chunk_size))

    def work(stage: _Stage, inbox: _Link, outbox: _Link) -> None:
        while True:
            item = inbox.get()
            if stop.is_set() or item is None:
                return
            if isinstance(item, _Slot):
                try:
                    stage(item)
                except BaseException as exc:  # handed down the line, re-raised by the caller
                    item = exc
            outbox.put(item)
            if not isinstance(item, _Slot) or item.last:
                return

    helpers = [
        threading.Thread(
            target=work, args=(stage, links[k], links[k + 1]), name=f"blob-stream-{k}", daemon=True
        )
        for k, stage in enumerate(stages[:-1])
    ]
    for helper in helpers:
        helper.start()
    try:
        while True:
            item = links[-1].get()
            if not isinstance(item, _Slot):
                assert item is not None  # helpers pass None only after stop is set
                raise item
            stages[-1](item)
            if item.last:
                return
            free.put(item)
    finally:
        stop.set()
        for link in links:
            link.put(None)  # wakes any helper waiting on a queue
        for helper in helpers:
            helper.join()


def _new_slot(chunk_size: int) -> _Slot:
    # Anonymous mmaps are page-aligned; reading into a misaligned heap buffer was up to
    # 4x slower here (the kernel's copy into user memory is alignment-sensitive).
    return _Slot(
        plain=memoryview(mmap.mmap(-1, chunk_size)),
        sealed=memoryview(mmap.mmap(-1, chunk_size + TAG_LEN)),
    )


def _reader(src: BinaryIO) -> _Read:
    """A function that reads from ``src`` into a buffer, without copying when it can."""
    readinto = getattr(src, "readinto", None)
    if readinto is not None:

        def read_into(view: memoryview) -> int:
            n = readinto(view)
            if n is None:  # a non-blocking source with nothing ready: not supported
                raise BlockingIOError(errno.EAGAIN, "the source is not ready")
            return int(n)

        return read_into

    def read_copy(view: memoryview) -> int:
        data = src.read(len(view))
        view[: len(data)] = data
        return len(data)

    return read_copy


def _fill(read: _Read, view: memoryview) -> int:
    """Read until ``view`` is full or the source ends; short reads are retried."""
    got = 0
    while got < len(view):
        n = read(view[got:])
        if n == 0:
            break
        got += n
    return got


def _write_all(dst: BinaryIO, view: memoryview) -> None:
    """Write all of ``view``; a raw file may accept less than asked in one call.

    A writer that returns ``None`` instead of a count (some wrappers do) is taken to
    have written everything, as a buffered file would have.
    """
    done = 0
    while done < len(view):
        n: int | None = dst.write(view[done:])
        if n is None:
            return
        done += n


class _Tail:
    """Version 2's end of stream: zero padding, then the plaintext's length."""

    def __init__(self, plain_size: int, length: int) -> None:
        self.trailer = plain_size.to_bytes(_TRAILER, "big")
        self.zeros = length - _TRAILER
        self.length = length
        self.pos = 0

    def fill(self, view: memoryview) -> int:
        """Write as much of what is left as fits into ``view``; return the count."""
        count = min(len(view), self.length - self.pos)
        zeros = max(0, min(count, self.zeros - self.pos))
        view[:zeros] = bytes(zeros)  # slots are reused: every byte is written
        start = self.pos + zeros - self.zeros  # where the trailer part begins, if any
        view[zeros:count] = self.trailer[start : start + count - zeros]
        self.pos += count
        return count


def _padded_length(src: BinaryIO, aead: AESGCM, associated: bytes, chunk_size: int) -> int:
    """Open a version 2 blob's final chunk and return the plaintext length it records.

    The final chunk's place follows from the file's length; it must open as the last
    chunk at that index, and the stream length must be exactly what the encryptor
    writes for that plaintext length, so a cut or an addition anywhere is refused here.
    Leaves ``src`` just after the header.
    """
    try:
        end = src.seek(0, os.SEEK_END)
    except (AttributeError, OSError, ValueError):
        raise ValueError("a padded blob is read from a file that can seek") from None
    sealed = end - HEADER_LEN
    if sealed < TAG_LEN + _TRAILER:
        raise IntegrityError(_INCOMPLETE)
    index = (sealed - TAG_LEN) // (chunk_size + TAG_LEN)
    tail = sealed - TAG_LEN - index * (chunk_size + TAG_LEN)
    if tail < _TRAILER:
        raise IntegrityError(_FAILED)
    src.seek(HEADER_LEN + index * (chunk_size + TAG_LEN))
    last = bytearray(tail + TAG_LEN)
    if _fill(_reader(src), memoryview(last)) != len(last):
        raise IntegrityError(_INCOMPLETE)
    try:
        plain = aead.decrypt(_nonce(index, True), bytes(last), associated)
    except InvalidTag:
        raise IntegrityError(_FAILED) from None
    size = int.from_bytes(plain[-_TRAILER:], "big")
    if padded_stream_size(size, chunk_size=chunk_size) != index * chunk_size + tail:
        raise IntegrityError(_FAILED)
    src.seek(HEADER_LEN)
    return size


def _parse_header(head: bytes) -> tuple[int, int, bytes]:
    if head[: len(MAGIC)] != MAGIC[: len(head)]:
        raise IntegrityError(_NOT_OURS)
    if len(head) > len(MAGIC) and head[len(MAGIC)] not in (VERSION, VERSION_UNPADDED):
        raise IntegrityError(_UNKNOWN_VERSION)
    if len(head) < HEADER_LEN:
        raise IntegrityError(_INCOMPLETE)
    _magic, version, chunk_size, salt = _HEADER.unpack(head)
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise IntegrityError(_FAILED)
    return version, chunk_size, salt


def _stream_key(key: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=salt, info=_HKDF_INFO).derive(key)


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _check_key(key: bytes) -> None:
    if len(key) != KEY_LEN:
        raise ValueError("the blob key must be 32 bytes")


def _check_chunk_size(chunk_size: int) -> None:
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE}")
