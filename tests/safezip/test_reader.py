"""Reading members: content, checks while reading, positional reads from threads, and
the two kinds of source (a path, a caller's file object)."""

from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import zipcraft as zc
from tests.safezip.conftest import Genuine
from tests.safezip.conftest import write
from victim_log.errors import NotABundle
from victim_log.safezip import LENIENT
from victim_log.safezip import STRICT
from victim_log.safezip import DamagedMember
from victim_log.safezip import SafeZip
from victim_log.safezip import is_zip

E = zc.Entry
BIG = bytes(range(256)) * 5000  # 1.2 MiB: several read chunks
TEXT = b"a line of text that deflates well\n" * 3000


def sample(layout: zc.Layout | None = None) -> bytes:
    return zc.build(
        [E("s/big.bin", BIG), E("s/text.txt", TEXT, method=8), E("s/empty", b""), E("s/dir/")], layout=layout
    )


def test_members_read_back_in_chunks_streams_and_hashes(tmp_path: Path) -> None:
    with SafeZip(write(tmp_path, sample())) as z:
        assert [m.name for m in z.members] == ["s/big.bin", "s/text.txt", "s/empty", "s/dir/"]
        assert [m.index for m in z.members] == [1, 2, 3, 4]
        big, text, empty, folder = z.members
        assert folder.is_dir and not big.is_dir
        assert b"".join(z.iter_chunks(big, 4096)) == BIG
        assert max(len(c) for c in z.iter_chunks(text, 1000)) <= 1000
        assert z.read_bytes("s/text.txt", len(TEXT)) == TEXT
        assert z.read_bytes(empty, 0) == b""
        with z.open(text) as fh:
            assert fh.read(5) == TEXT[:5]
            assert fh.read() == TEXT[5:]
        for m in (big, text, empty):
            assert z.sha256(m, 65536) == (hashlib.sha256(z.read_bytes(m, 1 << 22)).hexdigest(), m.size)
        with pytest.raises(DamagedMember, match="too large"):
            z.read_bytes(big, 100)
        with pytest.raises(DamagedMember):
            z.read_bytes("s/missing", 100)


def test_hashing_from_threads_gives_the_same_answers(genuine: Genuine, tmp_path: Path) -> None:
    with SafeZip(write(tmp_path, genuine.bundle)) as z:
        members = [m for m in z.members if not m.is_dir] * 8
        one = [z.sha256(m) for m in members]
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(z.sha256, members)) == one


def test_a_file_object_is_read_the_same_and_stays_open(genuine: Genuine) -> None:
    fp = io.BytesIO(genuine.bundle)
    with SafeZip(fp, LENIENT) as z:
        with ThreadPoolExecutor(3) as pool:
            hashes = list(pool.map(z.sha256, z.members))
        assert len(hashes) == len(z.members)
    assert not fp.closed


def test_damage_is_found_while_reading_and_names_the_member(tmp_path: Path) -> None:
    lay = zc.Layout()
    data = bytearray(sample(lay))
    data[lay.data_offsets[1] + 10] ^= 0x55  # inside the deflate stream
    data[lay.data_offsets[0] + 10] ^= 0x55  # inside stored data: only the CRC notices
    with SafeZip(write(tmp_path, bytes(data))) as z:
        big, text, *_ = z.members
        with pytest.raises(DamagedMember) as info:
            z.read_bytes(text, 1 << 22)
        assert info.value.name == "s/text.txt" and "s/text.txt" in info.value.message
        with pytest.raises(DamagedMember):
            b"".join(z.iter_chunks(big))
        digest, size = z.sha256(big)  # the fast path trusts SHA-256, not the CRC
        assert size == len(BIG) and digest != hashlib.sha256(BIG).hexdigest()
    with SafeZip(io.BytesIO(bytes(data)), LENIENT) as z, pytest.raises(DamagedMember, match="member 2"):
        z.read_bytes("s/text.txt", 1 << 22)


def test_a_file_cut_after_opening_is_damage_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, sample())
    with SafeZip(path) as z:
        path.write_bytes(b"")
        with pytest.raises(DamagedMember, match="cut short"):
            z.sha256(z.members[0])


def test_what_is_not_a_zip_file(tmp_path: Path) -> None:
    with pytest.raises(NotABundle, match="no file called"):
        SafeZip(tmp_path / "missing.zip")
    with pytest.raises(NotABundle, match="not an ordinary file"):
        SafeZip(tmp_path)
    with pytest.raises(NotABundle, match="x.zip is not a zip file"):
        SafeZip(write(tmp_path, b"hello, world: not a zip at all", "x.zip"))
    assert is_zip(b"PK\x03\x04rest") and is_zip(b"PK\x05\x06") and not is_zip(b"<?xm")


def test_closing_twice_is_harmless(tmp_path: Path) -> None:
    z = SafeZip(write(tmp_path, sample()), STRICT)
    z.close()
    z.close()
