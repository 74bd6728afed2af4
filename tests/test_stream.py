"""Chunked AEAD for evidence blobs: round trips, every kind of tampering, the format itself.

Most cases use a 16-byte chunk size so a blob of a few chunks is a few dozen bytes and
every byte position and every cut can be tried; a few use the real 1 MiB chunks so
the threaded pipeline runs on real-sized buffers.

``seal`` writes version 1 (unpadded), the layout of every blob stored before padding
came in, which the reader keeps reading; tests/test_stream_padding.py covers version 2.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.leakscan import scan
from victim_log.crypto import stream
from victim_log.crypto.stream import CHUNK_SIZE
from victim_log.crypto.stream import HEADER_LEN
from victim_log.crypto.stream import TAG_LEN
from victim_log.crypto.stream import StreamResult
from victim_log.crypto.stream import ciphertext_size
from victim_log.crypto.stream import decrypt_stream
from victim_log.crypto.stream import decrypt_to_bytes
from victim_log.crypto.stream import encrypt_stream
from victim_log.errors import BadInput
from victim_log.errors import IntegrityError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
CTX = b"blob-0001"
SMALL = 16  # chunk size for the exhaustive cases
SEALED = SMALL + TAG_LEN


def seal(
    data: bytes, *, key: bytes = KEY, context: bytes = CTX, chunk: int = SMALL, padded: bool = False
) -> bytes:
    out = io.BytesIO()
    result = encrypt_stream(io.BytesIO(data), out, key, context, chunk_size=chunk, padded=padded)
    assert result == StreamResult(len(data), hashlib.sha256(data).hexdigest())
    return out.getvalue()


def unseal(blob: bytes, *, key: bytes = KEY, context: bytes = CTX) -> bytes:
    return decrypt_to_bytes(io.BytesIO(blob), key, context)


def chunks(blob: bytes, chunk: int = SMALL) -> list[bytes]:
    body = blob[HEADER_LEN:]
    step = chunk + TAG_LEN
    return [body[i : i + step] for i in range(0, len(body), step)]


def refused(blob: bytes, *, key: bytes = KEY, context: bytes = CTX) -> IntegrityError:
    with pytest.raises(IntegrityError) as info:
        unseal(blob, key=key, context=context)
    return info.value


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    """Whatever happens, the pipeline's helper threads are gone when a call returns."""
    before = threading.active_count()
    yield
    assert threading.active_count() == before


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    "size",
    # around one chunk, and more chunks than the pipeline holds at once (_DEPTH)
    [0, 1, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL - 1, 3 * SMALL, 3 * SMALL + 1]
    + [4 * SMALL - 1, 4 * SMALL, 4 * SMALL + 1, 8 * SMALL, 9 * SMALL + 5],
)
def test_round_trip_at_chunk_edges(size: int) -> None:
    data = os.urandom(size)
    blob = seal(data)
    assert len(blob) == ciphertext_size(size, chunk_size=SMALL, padded=False)
    assert len(chunks(blob)) == size // SMALL + 1  # the last chunk is always short
    out = io.BytesIO()
    result = decrypt_stream(io.BytesIO(blob), out, KEY, CTX)
    assert out.getvalue() == data
    assert result == StreamResult(size, hashlib.sha256(data).hexdigest())
    assert unseal(blob) == data


@pytest.mark.parametrize("size", [0, CHUNK_SIZE - 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 12345])
def test_round_trip_real_chunks_through_files(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    plain, sealed, back = tmp_path / "in", tmp_path / "blob", tmp_path / "out"
    plain.write_bytes(data)
    with plain.open("rb") as src, sealed.open("wb") as dst:
        made = encrypt_stream(src, dst, KEY, CTX)
    assert sealed.stat().st_size == ciphertext_size(size)
    with sealed.open("rb") as src, back.open("wb") as dst:
        got = decrypt_stream(src, dst, KEY, CTX)
    assert back.read_bytes() == data
    assert made == got == StreamResult(size, hashlib.sha256(data).hexdigest())


def test_huge_chunks_keep_few_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    """A header may ask for chunks of up to 16 MiB: then fewer chunks are in flight
    (at least 2), so memory stays bounded; the pipeline still runs all its stages."""
    made: list[object] = []
    new_slot = stream._new_slot

    def counted(chunk_size: int) -> object:
        made.append(chunk_size)
        return new_slot(chunk_size)

    monkeypatch.setattr(stream, "_new_slot", counted)
    monkeypatch.setattr(stream, "_SLOTS_MEMORY", 0)  # as if every slot were huge
    data = os.urandom(40 * SMALL)
    assert unseal(seal(data)) == data
    assert len(made) == 2 * 2  # two slots for sealing, two for opening
    made.clear()
    monkeypatch.undo()
    monkeypatch.setattr(stream, "_new_slot", counted)
    assert unseal(seal(data)) == data
    assert len(made) == 2 * stream._DEPTH


def test_real_chunks_are_one_mebibyte() -> None:
    data = os.urandom(2 * CHUNK_SIZE + 5)
    blob = seal(data, chunk=CHUNK_SIZE)
    assert [len(c) for c in chunks(blob, CHUNK_SIZE)] == [CHUNK_SIZE + TAG_LEN] * 2 + [5 + TAG_LEN]
    assert unseal(blob) == data


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=200),
    chunk=st.integers(min_value=16, max_value=70),
    context=st.binary(max_size=20),
)
def test_round_trip_property(data: bytes, chunk: int, context: bytes) -> None:
    blob = seal(data, context=context, chunk=chunk)
    assert len(blob) == ciphertext_size(len(data), chunk_size=chunk, padded=False)
    assert unseal(blob, context=context) == data


class Trickle(io.RawIOBase):
    """A source that hands out at most a few bytes per read, like a pipe."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        n = min(self._step, len(buf), len(self._data))
        buf[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


class ReadOnly:
    """A source with ``read`` but no ``readinto``."""

    def __init__(self, data: bytes) -> None:
        self._src = io.BytesIO(data)

    def read(self, n: int) -> bytes:
        return self._src.read(n)


class Sip(io.RawIOBase):
    """A raw destination that accepts at most a few bytes per write."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, buf: object) -> int:
        part = bytes(memoryview(buf)[:5])  # type: ignore[arg-type]
        self.data += part
        return len(part)


def test_short_reads_and_short_writes_are_completed() -> None:
    data = os.urandom(5 * SMALL + 3)
    dst = Sip()
    made = encrypt_stream(
        Trickle(data, 7),
        dst,
        KEY,
        CTX,
        chunk_size=SMALL,  # type: ignore[arg-type]
        padded=False,
    )  # version 1 reads from a pipe; version 2 must seek
    assert made.size == len(data)
    blob = bytes(dst.data)
    assert unseal(blob) == data
    back = Sip()
    decrypt_stream(Trickle(blob, 3), back, KEY, CTX)  # type: ignore[arg-type]
    assert bytes(back.data) == data


def test_source_without_readinto() -> None:
    data = os.urandom(4 * SMALL + 1)
    out = io.BytesIO()
    encrypt_stream(ReadOnly(data), out, KEY, CTX, chunk_size=SMALL)  # type: ignore[arg-type]
    assert unseal(out.getvalue()) == data


def test_size_is_what_was_read() -> None:
    src = io.BytesIO(b"0123456789" * 10)
    src.seek(37)
    made = encrypt_stream(src, io.BytesIO(), KEY, CTX, chunk_size=SMALL)
    assert made == StreamResult(63, hashlib.sha256((b"0123456789" * 10)[37:]).hexdigest())


# ---------------------------------------------------------------- tampering

THREE_CHUNKS = bytes(range(40))  # chunks of 16, 16 and 8 bytes


def test_every_flipped_bit_position_is_detected() -> None:
    blob = seal(THREE_CHUNKS)
    for pos in range(len(blob)):
        for mask in (0x01, 0x80):
            bad = bytearray(blob)
            bad[pos] ^= mask
            refused(bytes(bad))


def test_every_truncation_is_detected() -> None:
    blob = seal(THREE_CHUNKS)
    for cut in range(len(blob)):
        refused(blob[:cut])


def test_truncation_at_a_chunk_boundary_says_incomplete() -> None:
    blob = seal(bytes(3 * SMALL))  # three full chunks and an empty final one
    for n in range(4):
        err = refused(blob[: HEADER_LEN + n * SEALED])
        assert "incomplete" in str(err)


def test_tampering_in_a_long_blob_is_detected() -> None:
    """Cuts, flips and swaps anywhere in a blob of more chunks than the pipeline holds
    at once (the reader runs ahead of the opener) fail as they do in a short one."""
    blob = seal(bytes(range(160)))  # ten full chunks and an empty final one
    head, parts = blob[:HEADER_LEN], chunks(blob)
    assert len(parts) == 11
    for pos in range(len(blob)):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        refused(bytes(bad))
    for cut in range(len(blob)):
        err = refused(blob[:cut])
        if cut >= HEADER_LEN and (cut - HEADER_LEN) % SEALED == 0:
            assert "incomplete" in str(err)
    for a, b in [(3, 4), (4, 8), (7, 8), (0, 9)]:
        swapped = list(parts)
        swapped[a], swapped[b] = swapped[b], swapped[a]
        refused(head + b"".join(swapped))
    refused(head + b"".join(parts[:4] + parts[5:]))  # one in the middle dropped


@pytest.mark.parametrize("extra", [b"\0", bytes(TAG_LEN), bytes(SEALED), bytes(100)])
def test_appended_bytes_are_detected(extra: bytes) -> None:
    refused(seal(THREE_CHUNKS) + extra)
    refused(seal(bytes(2 * SMALL)) + extra)  # after an empty final chunk too


def test_appending_a_valid_chunk_is_detected() -> None:
    blob = seal(THREE_CHUNKS)
    parts = chunks(blob)
    refused(blob + parts[0])
    refused(blob + parts[-1])


def test_reordered_dropped_or_repeated_chunks_are_detected() -> None:
    blob = seal(bytes(range(64)))  # four full chunks and an empty final one
    head, parts = blob[:HEADER_LEN], chunks(blob)
    assert len(parts) == 5
    variants = [
        [parts[1], parts[0], *parts[2:]],  # swapped
        [parts[0], parts[2], parts[1], *parts[3:]],
        [parts[0], *parts[2:]],  # dropped
        [parts[0], parts[0], *parts[1:]],  # repeated
        [*parts[:-1], parts[-1], parts[-1]],
        [parts[-1]],  # only the final chunk
        list(reversed(parts)),
    ]
    for variant in variants:
        refused(head + b"".join(variant))


def test_chunks_from_another_blob_are_detected() -> None:
    a = seal(bytes(range(50)))
    b = seal(bytes(range(50)))  # same key, context and plaintext: only the salt differs
    a_parts, b_parts = chunks(a), chunks(b)
    refused(a[:HEADER_LEN] + b_parts[0] + b"".join(a_parts[1:]))
    refused(a[:HEADER_LEN] + a_parts[0] + b_parts[1] + b"".join(a_parts[2:]))
    refused(b[:HEADER_LEN] + b"".join(a_parts))


def test_blob_under_another_id_is_detected() -> None:
    blob = seal(THREE_CHUNKS, context=b"blob-0001")
    err = refused(blob, context=b"blob-0002")
    assert "integrity check" in str(err)
    refused(blob, context=b"")


def test_wrong_key_is_detected() -> None:
    err = refused(seal(THREE_CHUNKS), key=OTHER_KEY)
    assert "integrity check" in str(err)


def test_empty_plaintext_is_still_authenticated() -> None:
    blob = seal(b"")
    assert len(blob) == HEADER_LEN + TAG_LEN
    assert unseal(blob) == b""
    refused(blob, key=OTHER_KEY)
    refused(blob[:HEADER_LEN])


# ---------------------------------------------------------------- header


def test_not_a_blob() -> None:
    assert "not an encrypted" in str(refused(b"PK\x03\x04 a zip file, not ours" * 3))
    assert "incomplete" in str(refused(b""))
    assert "incomplete" in str(refused(stream.MAGIC[:5]))


def test_unknown_version_is_refused() -> None:
    bad = bytearray(seal(THREE_CHUNKS))
    for version in (0, 3, 255):
        bad[8] = version
        assert "format" in str(refused(bytes(bad)))


def test_impossible_chunk_size_in_header_is_refused() -> None:
    blob = seal(THREE_CHUNKS)
    for size in (0, 15, stream.MAX_CHUNK_SIZE + 1, 2**32 - 1):
        bad = blob[:9] + size.to_bytes(4, "big") + blob[13:]
        refused(bad)


def test_each_stream_has_its_own_salt() -> None:
    a, b = seal(THREE_CHUNKS), seal(THREE_CHUNKS)
    assert a[:13] == b[:13]
    assert a[13:HEADER_LEN] != b[13:HEADER_LEN]
    assert a[HEADER_LEN:] != b[HEADER_LEN:]


def test_layout_matches_the_documented_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuild a blob from the module docstring's recipe alone: the format is stable."""
    salt = bytes(range(100, 132))
    monkeypatch.setattr(os, "urandom", lambda n: salt[:n])  # the salt is the only randomness
    data = bytes(range(256)) * 3 + b"tail"  # several 64-byte chunks and a short last one
    blob = seal(data, chunk=64)

    header = b"\x89VLS\r\n\x1a\n" + b"\x01" + (64).to_bytes(4, "big") + salt
    hkdf = HKDF(hashes.SHA256(), length=32, salt=salt, info=b"victim-log blob stream v1")
    aead = AESGCM(hkdf.derive(KEY))
    pieces = [data[i : i + 64] for i in range(0, len(data) + 1, 64)]
    expected = header + b"".join(
        aead.encrypt(
            i.to_bytes(11, "big") + (b"\x01" if i == len(pieces) - 1 else b"\x00"),
            piece,
            header + CTX,
        )
        for i, piece in enumerate(pieces)
    )
    assert blob == expected


# ---------------------------------------------------------------- errors and limits


class FailingSource(io.RawIOBase):
    def __init__(self, data: bytes, fail_after: int) -> None:
        self._src = io.BytesIO(data)
        self._left = fail_after
        self.error = OSError(errno.EIO, "disk vanished")

    def readable(self) -> bool:
        return True

    def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            raise self.error
        self._left -= 1
        return self._src.readinto(buf)


@pytest.mark.parametrize("fail_after", [0, 1, 3])
def test_source_errors_propagate_unchanged(fail_after: int) -> None:
    src = FailingSource(os.urandom(8 * SMALL), fail_after)
    with pytest.raises(OSError) as info:
        encrypt_stream(src, io.BytesIO(), KEY, CTX, chunk_size=SMALL)  # type: ignore[arg-type]
    assert info.value is src.error

    blob = seal(os.urandom(8 * SMALL))
    src = FailingSource(blob, fail_after + 1)  # the first read is the header
    with pytest.raises(OSError) as info:
        decrypt_stream(src, io.BytesIO(), KEY, CTX)  # type: ignore[arg-type]
    assert info.value is src.error


class FullDisk(io.BytesIO):
    def __init__(self, room: int) -> None:
        super().__init__()
        self._room = room

    def write(self, buf: object) -> int:
        if self.tell() + len(memoryview(buf)) > self._room:  # type: ignore[arg-type]
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(buf)  # type: ignore[arg-type]


def test_write_errors_propagate_and_stop_the_pipeline() -> None:
    with pytest.raises(OSError) as info:
        encrypt_stream(io.BytesIO(os.urandom(20 * SMALL)), FullDisk(100), KEY, chunk_size=SMALL)
    assert info.value.errno == errno.ENOSPC
    blob = seal(os.urandom(20 * SMALL))
    with pytest.raises(OSError):
        decrypt_stream(io.BytesIO(blob), FullDisk(50), KEY, CTX)


def test_decrypt_to_bytes_size_limit() -> None:
    data = os.urandom(3 * SMALL + 2)
    blob = seal(data)
    assert decrypt_to_bytes(io.BytesIO(blob), KEY, CTX, max_size=len(data)) == data
    with pytest.raises(BadInput, match="too large"):
        decrypt_to_bytes(io.BytesIO(blob), KEY, CTX, max_size=len(data) - 1)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt_stream(io.BytesIO(b"x"), io.BytesIO(), KEY[:16])
    with pytest.raises(ValueError, match="32 bytes"):
        decrypt_to_bytes(io.BytesIO(seal(b"x")), KEY + b"!")
    with pytest.raises(ValueError, match="chunk_size"):
        encrypt_stream(io.BytesIO(b"x"), io.BytesIO(), KEY, chunk_size=8)
    with pytest.raises(ValueError, match="negative"):
        ciphertext_size(-1)


def test_ciphertext_size() -> None:
    def v1(n: int) -> int:
        return ciphertext_size(n, padded=False)

    assert v1(0) == HEADER_LEN + TAG_LEN
    assert v1(CHUNK_SIZE) == HEADER_LEN + CHUNK_SIZE + 2 * TAG_LEN
    assert v1(CHUNK_SIZE - 1) == HEADER_LEN + CHUNK_SIZE - 1 + TAG_LEN
    assert v1(2**40) == HEADER_LEN + 2**40 + (2**20 + 1) * TAG_LEN


def test_no_content_in_errors_or_ciphertext(tmp_path: Path) -> None:
    canary = "Dan Marsh said he'd wait outside the Co-op on High Street"
    data = canary.encode() * 5
    blob = seal(data)
    (tmp_path / "blob").write_bytes(blob)
    assert scan([tmp_path], canary) == []
    for bad in (blob[:-3], blob + b"x", blob[: HEADER_LEN + 20]):
        message = str(refused(bad)) + str(refused(bad, key=OTHER_KEY))
        assert "Dan" not in message
        assert KEY.hex() not in message


class CountlessWriter:
    """A writer whose ``write`` returns None, as some wrappers' do."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, buf: bytes) -> None:
        self.data += buf


def test_writer_returning_none() -> None:
    data = os.urandom(3 * SMALL + 4)
    dst = CountlessWriter()
    encrypt_stream(io.BytesIO(data), dst, KEY, CTX, chunk_size=SMALL)  # type: ignore[arg-type]
    back = CountlessWriter()
    decrypt_stream(io.BytesIO(bytes(dst.data)), back, KEY, CTX)  # type: ignore[arg-type]
    assert bytes(back.data) == data
