"""Phone exports through the one zip reader (LENIENT): traversal, links, bombs, lies,
encryption, counts, and how the WhatsApp importer reports them."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from victim_log.errors import NotABundle
from victim_log.importers import ImportFormatError
from victim_log.importers import UnsafeZip
from victim_log.importers import ZipLimits
from victim_log.importers import parse_whatsapp
from victim_log.safezip import LENIENT
from victim_log.safezip import DamagedMember
from victim_log.safezip import SafeZip
from victim_log.safezip import ZipPolicy
from victim_log.safezip import is_zip

from .test_hostile import consume
from .util import fixture_bytes
from .util import make_zip

CHAT = fixture_bytes("whatsapp_android_dmy.txt")


def limited(**limits: int) -> ZipPolicy:
    return LENIENT.replace(limits=ZipLimits(**limits))


def test_reads_members_and_lists_them() -> None:
    data = make_zip({"_chat.txt": CHAT, "media/a.jpg": b"x" * 10, "media/": b""})
    with SafeZip(io.BytesIO(data), LENIENT) as zf:
        assert [m.name for m in zf.members] == ["_chat.txt", "media/a.jpg", "media/"]
        assert zf.read_bytes("_chat.txt", 1 << 20) == CHAT
        assert zf.get("media/").is_dir  # type: ignore[union-attr]
        with pytest.raises(DamagedMember):
            zf.open("nope")
        with pytest.raises(DamagedMember, match="too large"):
            zf.read_bytes("media/a.jpg", 5)
    assert is_zip(data[:4]) and not is_zip(b"<?xm")


@pytest.mark.parametrize(
    "name",
    ["../evil.txt", "a/../../evil.txt", "/etc/passwd", "\\windows\\x", "C:/x.txt", "a\\..\\..\\b"],
)
def test_path_traversal_refused(name: str) -> None:
    data = make_zip({"_chat.txt": CHAT, name: b"x"})
    with pytest.raises(UnsafeZip, match=r"member 2\b") as info:
        SafeZip(io.BytesIO(data), LENIENT)
    assert name not in str(info.value)  # untrusted names never appear in messages
    with pytest.raises(ImportFormatError):
        parse_whatsapp(data)


def test_symlink_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("_chat.txt", CHAT)
        info = zipfile.ZipInfo("link.jpg")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeZip, match="link"):
        SafeZip(io.BytesIO(buf.getvalue()), LENIENT)


def test_encrypted_member_refused() -> None:
    data = bytearray(make_zip({"_chat.txt": CHAT}, compression=zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in the local header and the central directory.
    data[6] |= 1
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 1
    with pytest.raises(UnsafeZip, match="password"):
        SafeZip(io.BytesIO(bytes(data)), LENIENT)


def test_unsupported_compression_refused() -> None:
    data = make_zip({"_chat.txt": CHAT}, compression=zipfile.ZIP_BZIP2)
    with pytest.raises(UnsafeZip, match="compression method"):
        SafeZip(io.BytesIO(data), LENIENT)


def test_zip_bomb_by_ratio() -> None:
    data = make_zip({"_chat.txt": CHAT, "bomb.bin": b"\0" * (8 * 1024 * 1024)})
    assert len(data) < 100_000
    with pytest.raises(UnsafeZip, match="zip bomb"):
        SafeZip(io.BytesIO(data), LENIENT)
    with pytest.raises(ImportFormatError, match="zip bomb"):
        parse_whatsapp(data)


def test_size_limits() -> None:
    data = make_zip({"a": b"x" * 2000, "b": b"y" * 2000}, compression=zipfile.ZIP_STORED)
    with pytest.raises(UnsafeZip, match="too large"):
        SafeZip(io.BytesIO(data), limited(max_member_size=1000))
    with pytest.raises(UnsafeZip, match="more than we allow"):
        SafeZip(io.BytesIO(data), limited(max_total_size=3000))


def test_too_many_members_checked_before_parsing() -> None:
    data = make_zip({f"f{i}.txt": b"" for i in range(11)})
    with pytest.raises(UnsafeZip, match="too many files"):
        SafeZip(io.BytesIO(data), limited(max_members=10))


def test_duplicate_names_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("_chat.txt", CHAT)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("_chat.txt", b"other")
    with pytest.raises(UnsafeZip, match="same file twice"):
        SafeZip(io.BytesIO(buf.getvalue()), LENIENT)


def test_lying_sizes_are_caught_before_reading() -> None:
    """The directory says 10 bytes; the data holds more: the rest is hidden data."""
    payload = b"A" * 1000
    data = bytearray(make_zip({"_chat.txt": payload}, compression=zipfile.ZIP_STORED))
    # Patch compressed and uncompressed sizes (local header @18/22, central @20/24).
    struct.pack_into("<LL", data, 18, 10, 10)
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<LL", data, cd + 20, 10, 10)
    with pytest.raises(UnsafeZip, match="hidden data") as info:
        SafeZip(io.BytesIO(bytes(data)), LENIENT)
    assert info.value.reason == "directory-gap-before"


def test_corrupt_data_is_reported_as_unsafe_zip() -> None:
    data = bytearray(make_zip({"_chat.txt": CHAT * 20}))
    start = data.find(b"_chat.txt") + len("_chat.txt") + 5
    for i in range(start, start + 40):
        data[i] ^= 0x5A
    with SafeZip(io.BytesIO(bytes(data)), LENIENT) as zf, pytest.raises(DamagedMember):
        zf.read_bytes("_chat.txt", 1 << 20)
    with pytest.raises(ImportFormatError, match="damaged"):
        consume(parse_whatsapp, bytes(data))


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04", b"PK\x05\x06" + b"\0" * 10, b"not a zip at all" * 10],
)
def test_not_a_zip(data: bytes) -> None:
    with pytest.raises(UnsafeZip) as info:
        SafeZip(io.BytesIO(data), LENIENT)
    assert isinstance(info.value, NotABundle)


def test_huge_central_directory_claim_refused() -> None:
    eocd = b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, 5, 5, 0x7FFFFFF0, 0, 0)
    with pytest.raises(UnsafeZip, match="table of contents"):
        SafeZip(io.BytesIO(eocd), LENIENT)


def test_zip64_counts_are_checked() -> None:
    # A zip64 end record claiming a billion entries, behind a classic record of 0xFFFF.
    z64 = b"PK\x06\x06" + struct.pack("<QHHLLQQQQ", 44, 45, 45, 0, 0, 10**9, 10**9, 46, 0)
    locator = b"PK\x06\x07" + struct.pack("<LQL", 0, 0, 1)
    eocd = b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with pytest.raises(UnsafeZip, match="too many files"):
        SafeZip(io.BytesIO(z64 + locator + eocd), LENIENT)


def test_empty_zip_is_not_a_chat() -> None:
    empty = b"PK\x05\x06" + b"\0" * 18
    with SafeZip(io.BytesIO(empty), LENIENT) as zf:
        assert zf.members == ()
    with pytest.raises(ImportFormatError, match="doesn't contain a WhatsApp chat"):
        parse_whatsapp(empty)


def test_path_source_and_non_file(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "x.zip"  # type: ignore[operator]
    path.write_bytes(make_zip({"a.txt": b"hi"}))
    with SafeZip(path, LENIENT) as zf:
        assert zf.read_bytes("a.txt", 10) == b"hi"
    with pytest.raises(NotABundle):
        SafeZip(tmp_path, LENIENT)  # type: ignore[arg-type]
    assert zlib  # keep import for readers of the patching tests
