"""Read a SQLCipher 4 file's pages without SQLCipher: every page, live or free, and
page images in a rollback journal, decrypted with the raw database key. For tests
that look for secrets left in a vault's files (issue #17.4)."""

from __future__ import annotations

from collections.abc import Iterator

from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.ciphers import modes

PAGE = 4096
RESERVE = 80  # 16-byte IV + 64-byte HMAC-SHA512 at the end of every page
SALT = 16


def decrypt_page(raw_key: bytes, page: bytes, first: bool) -> bytes:
    start = SALT if first else 0
    iv = page[PAGE - RESERVE : PAGE - RESERVE + 16]
    decryptor = Cipher(algorithms.AES(raw_key), modes.CBC(iv)).decryptor()
    return decryptor.update(page[start : PAGE - RESERVE]) + decryptor.finalize()


def database_pages(raw_key: bytes, data: bytes) -> Iterator[bytes]:
    for n in range(len(data) // PAGE):
        yield decrypt_page(raw_key, data[n * PAGE : (n + 1) * PAGE], n == 0)


def journal_pages(raw_key: bytes, data: bytes, sector: int = 512) -> Iterator[bytes]:
    """Page images of a rollback journal (header of one sector, then records of a page
    number, the page and a checksum), at every record offset the file could hold."""
    offset = sector
    while offset + 4 + PAGE <= len(data):
        number = int.from_bytes(data[offset : offset + 4], "big")
        yield decrypt_page(raw_key, data[offset + 4 : offset + 4 + PAGE], number == 1)
        offset += 4 + PAGE + 4


def plaintext_contains(raw_key: bytes, data: bytes, needle: bytes, *, journal: bool = False) -> bool:
    pages = journal_pages(raw_key, data) if journal else database_pages(raw_key, data)
    return any(needle in page for page in pages)
