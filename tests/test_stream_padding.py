"""Padded evidence blobs (issue #17, finding 8): a blob's size no longer tells the file's.

Version 2 of the blob format pads the sealed stream to a PADME size class and records
the plaintext's length in a trailer inside the final chunk. Old (version 1) blobs are
still read. Tampering with a padded blob is refused like tampering with an old one.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from victim_log.crypto import stream
from victim_log.crypto.stream import CHUNK_SIZE
from victim_log.crypto.stream import HEADER_LEN
from victim_log.crypto.stream import TAG_LEN
from victim_log.crypto.stream import StreamResult
from victim_log.crypto.stream import ciphertext_size
from victim_log.crypto.stream import decrypt_stream
from victim_log.crypto.stream import decrypt_to_bytes
from victim_log.crypto.stream import encrypt_stream
from victim_log.crypto.stream import padded_stream_size
from victim_log.crypto.stream import padme
from victim_log.errors import IntegrityError

KEY = bytes(range(32))
CTX = b"blob-0001"
SMALL = 16
SEALED = SMALL + TAG_LEN

# Sealed by the code of 2026-12-02, before padding (version 1, 16-byte chunks).
OLD_BLOB = bytes.fromhex(
    "89564c530d0a1a0a0100000010dd00504d6ffad7fb44ba659dc15dce64a07ca701542269cb05ba26"
    "c9ec41d48c828e45cacf16510627de354c694f9696356abe2b6c4b3616b564f345b786fbe4bffe2a"
    "388acdb6f5e3f96f2a796ce82dc1737d66d000bd20b8e6614a9e6a9b68016f24ee5960d1542bc41e"
    "92d81bb3abc45bab7dadae15ad"
)
OLD_TEXT = b"an old screenshot, stored before padding"


def seal(data: bytes, *, chunk: int = SMALL, context: bytes = CTX) -> bytes:
    out = io.BytesIO()
    result = encrypt_stream(io.BytesIO(data), out, KEY, context, chunk_size=chunk)
    assert result == StreamResult(len(data), hashlib.sha256(data).hexdigest())
    return out.getvalue()


def unseal(blob: bytes, *, context: bytes = CTX) -> bytes:
    return decrypt_to_bytes(io.BytesIO(blob), KEY, context)


def refused(blob: bytes) -> IntegrityError:
    with pytest.raises(IntegrityError) as info:
        unseal(blob)
    return info.value


def test_files_of_nearly_the_same_size_make_blobs_of_the_same_size() -> None:
    # Before: every byte of the file's size showed in the blob's size.
    sizes = {len(seal(os.urandom(n), chunk=CHUNK_SIZE)) for n in range(100_400, 102_300, 97)}
    assert len(sizes) == 1
    assert ciphertext_size(1_000_000) == ciphertext_size(1_001_000)


def test_padme_size_classes() -> None:
    assert [padme(n) for n in (0, 1, 2, 3, 8, 9, 100, 1000, 1024)] == [0, 1, 2, 3, 8, 10, 104, 1024, 1024]
    for n in (10, 999, 123_456, 10**9, 2**40 + 1):
        padded = padme(n)
        assert n <= padded <= n * 1.12
        assert padme(padded) == padded
    assert ciphertext_size(2**30) / 2**30 < 1.04  # 1 GiB costs under 4 % more


def test_the_trailer_always_sits_in_the_final_chunk() -> None:
    for chunk in (16, 17, 64, CHUNK_SIZE):
        for n in range(0, 300):
            assert padded_stream_size(n, chunk_size=chunk) % chunk >= 8


@pytest.mark.parametrize("size", [0, 1, 7, 8, 9, SMALL - 1, SMALL, SMALL + 1, 3 * SMALL, 100])
def test_round_trip_at_edges(size: int) -> None:
    data = os.urandom(size)
    blob = seal(data)
    assert blob[8] == 2
    assert len(blob) == ciphertext_size(size, chunk_size=SMALL)
    out = io.BytesIO()
    assert decrypt_stream(io.BytesIO(blob), out, KEY, CTX) == StreamResult(
        size, hashlib.sha256(data).hexdigest()
    )
    assert out.getvalue() == data


@settings(derandomize=True, max_examples=60, deadline=None)
@given(data=st.binary(max_size=300), chunk=st.integers(min_value=16, max_value=70))
def test_round_trip_property(data: bytes, chunk: int) -> None:
    blob = seal(data, chunk=chunk)
    assert len(blob) == ciphertext_size(len(data), chunk_size=chunk)
    assert unseal(blob) == data


@pytest.mark.parametrize("size", [0, CHUNK_SIZE - 9, 2 * CHUNK_SIZE + 12345])
def test_round_trip_real_chunks_through_files(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    plain, sealed, back = tmp_path / "in", tmp_path / "blob", tmp_path / "out"
    plain.write_bytes(data)
    with plain.open("rb") as src, sealed.open("wb") as dst:
        made = encrypt_stream(src, dst, KEY, CTX)
    assert sealed.stat().st_size == ciphertext_size(size)
    with sealed.open("rb") as src, back.open("wb") as dst:
        assert decrypt_stream(src, dst, KEY, CTX) == made
    assert back.read_bytes() == data


def test_old_blobs_are_still_read() -> None:
    assert OLD_BLOB[8] == 1
    assert unseal(OLD_BLOB) == OLD_TEXT
    assert unseal(seal_v1 := _v1(b"x" * 50)) == b"x" * 50 and seal_v1[8] == 1


def _v1(data: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, KEY, CTX, chunk_size=SMALL, padded=False)
    return out.getvalue()


# ---------------------------------------------------------------- tampering

DATA = bytes(range(50))  # 50 bytes: padded to 64 stream bytes, four 16-byte chunks + 1


def test_every_flipped_bit_position_is_detected() -> None:
    blob = seal(DATA)
    for pos in range(len(blob)):
        bad = bytearray(blob)
        bad[pos] ^= 0x01
        refused(bytes(bad))


def test_every_truncation_and_extension_is_detected() -> None:
    blob = seal(DATA)
    for cut in range(len(blob)):
        refused(blob[:cut])
    for extra in (b"\0", b"x" * 8, b"\0" * TAG_LEN, b"\0" * SEALED, blob[-SEALED:]):
        refused(blob + extra)


def test_dropped_repeated_or_swapped_chunks_are_detected() -> None:
    blob = seal(DATA)
    head, body = blob[:HEADER_LEN], blob[HEADER_LEN:]
    parts = [body[i : i + SEALED] for i in range(0, len(body), SEALED)]
    assert len(parts) >= 4
    for i in range(len(parts)):
        refused(head + b"".join(parts[:i] + parts[i + 1 :]))
        refused(head + b"".join(parts[: i + 1] + parts[i:]))
    refused(head + b"".join([parts[1], parts[0], *parts[2:]]))


def test_a_final_chunk_from_another_blob_is_detected() -> None:
    a, b = seal(DATA), seal(DATA[:-1])
    assert len(a) == len(b)  # same size class
    refused(a[:-SEALED] + b[-SEALED:])


def test_wrong_context_and_unknown_version() -> None:
    blob = seal(DATA)
    with pytest.raises(IntegrityError):
        unseal(blob, context=b"blob-0002")
    bad = bytearray(blob)
    bad[8] = 3
    assert "format" in str(refused(bytes(bad)))


def test_a_padded_blob_needs_a_source_that_can_seek() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._src = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
            return self._src.readinto(buf)

    with pytest.raises(ValueError, match="seek"):
        decrypt_stream(Pipe(seal(DATA)), io.BytesIO(), KEY, CTX)  # type: ignore[arg-type]


def test_layout_matches_the_documented_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuild a version 2 blob from the module docstring alone."""
    salt = bytes(range(100, 132))
    monkeypatch.setattr(os, "urandom", lambda n: salt[:n])
    data = bytes(range(200))
    blob = seal(data, chunk=64)
    header = b"\x89VLS\r\n\x1a\n" + b"\x02" + (64).to_bytes(4, "big") + salt
    size = padme(len(data) + 8)  # 208: 208 % 64 = 16, so the trailer fits the final chunk
    assert size == 208
    body = data + bytes(size - len(data) - 8) + len(data).to_bytes(8, "big")
    aead = AESGCM(HKDF(hashes.SHA256(), length=32, salt=salt, info=b"victim-log blob stream v1").derive(KEY))
    pieces = [body[i : i + 64] for i in range(0, len(body) + 1, 64)]
    expected = header + b"".join(
        aead.encrypt(
            i.to_bytes(11, "big") + (b"\x01" if i == len(pieces) - 1 else b"\x00"), piece, header + CTX
        )
        for i, piece in enumerate(pieces)
    )
    assert blob == expected
    assert stream.VERSION == 2
