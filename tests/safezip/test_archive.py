"""STRICT (bundles and backups): every genuine zip we write passes; every way to hide a
second archive, or anything else, in the same bytes is refused with a named reason.

The forgeries from the outside review come first, built from a real export: a second
table of contents in the comment, a hidden local entry before the first member, in a
gap between members, before the table of contents. The old reader (export/zipread.py)
said VALID to the first three (checked by hand before it was replaced).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import zipcraft as zc
from tests.safezip.conftest import Genuine
from tests.safezip.conftest import write
from victim_log.errors import NotABundle
from victim_log.safezip import LENIENT
from victim_log.safezip import REASONS
from victim_log.safezip import STRICT
from victim_log.safezip import SafeZip
from victim_log.safezip import UnsafeZip
from victim_log.safezip import ZipLimits
from victim_log.verify import verify_bundle

E = zc.Entry
BAG = "bag"
BASE = [
    E(f"{BAG}/bagit.txt", b"BagIt-Version: 1.0\n", method=8),
    E(f"{BAG}/data/photo.jpg", b"\xff\xd8" + bytes(range(256)) * 4),
    E(f"{BAG}/data/notes.txt", b"called at 9\n" * 5),
]


def forged(bag: str) -> list[zc.Entry]:
    return [
        E(f"{bag}/data/timeline.csv", b"when,what\n2026-03-01,nothing happened\n"),
        E(f"{bag}/manifest-sha256.txt", b"0" * 64 + b"  data/timeline.csv\n", method=8),
    ]


def refused(data: bytes, policy: object = STRICT) -> UnsafeZip:
    with pytest.raises(UnsafeZip) as info:
        SafeZip(io.BytesIO(data), policy)  # type: ignore[arg-type]
    assert info.value.reason in REASONS
    return info.value


# --- what we write passes -----------------------------------------------------------------


def test_a_real_export_passes_and_reads_back_as_zipfile_reads_it(genuine: Genuine) -> None:
    with SafeZip(io.BytesIO(genuine.bundle), STRICT) as z, zipfile.ZipFile(io.BytesIO(genuine.bundle)) as zf:
        assert [m.name for m in z.members] == zf.namelist()
        for m in z.members:
            assert z.read_bytes(m, 1 << 24) == zf.read(m.name)


def test_a_real_backup_passes_strict(genuine: Genuine, tmp_path: Path) -> None:
    """Backups are written with zip64 local headers (force_zip64): still exact."""
    with SafeZip(write(tmp_path, genuine.backup), STRICT) as z:
        assert "manifest.json" in {m.name for m in z.members}
        assert all(m.flags & 0x08 == 0 for m in z.members)


def test_a_bundle_extended_by_zipfile_append_mode_still_tiles(genuine: Genuine, tmp_path: Path) -> None:
    path = write(tmp_path, genuine.bundle)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(f"{genuine.bag}/extra.txt", b"added by an editor")
    with SafeZip(path) as z:
        assert z.members[-1].name.endswith("extra.txt")


def _info_zip(folder: Path, bag: str, out: Path) -> Path:
    done = subprocess.run(["zip", "-q", "-r", str(out), bag], cwd=folder, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip not installed")
def test_a_bundle_rezipped_by_info_zip(genuine: Genuine, tmp_path: Path) -> None:
    """Folders, extra fields (timestamps, uid/gid) and deflated payload are fine. Info-ZIP
    stores non-ASCII names without the UTF-8 flag, which zipfile reads as code page 437
    (another name than unzip shows): refused, as tools disagree on that file's name."""
    folder = tmp_path / "x"
    with zipfile.ZipFile(io.BytesIO(genuine.bundle)) as zf:
        zf.extractall(folder)
    accented = _info_zip(folder, genuine.bag, tmp_path / "accented.zip")
    assert refused(accented.read_bytes()).reason == "name-encoding"
    for path in list(folder.rglob("*")):
        if not path.name.isascii():
            path.unlink()
    with SafeZip(_info_zip(folder, genuine.bag, tmp_path / "ascii.zip")) as z:
        assert any(m.is_dir for m in z.members)


def test_hand_built_base_passes_both_policies() -> None:
    for policy in (STRICT, LENIENT):
        with SafeZip(io.BytesIO(zc.build(BASE)), policy) as z:
            assert len(z.members) == 3


# --- the review's forgeries, on a real export -----------------------------------------------


def _unzip_lists(path: Path) -> str:
    out = subprocess.run(["unzip", "-l", str(path)], capture_output=True, text=True, check=False)
    return out.stdout


def test_second_directory_in_the_comment_is_refused(genuine: Genuine, tmp_path: Path) -> None:
    data = zc.forge_in_comment(genuine.bundle, forged(genuine.bag))
    path = write(tmp_path, data)
    with zipfile.ZipFile(path) as zf:  # the forgery works on mainstream tools...
        assert zf.namelist() == [e.name for e in forged(genuine.bag)]
    if shutil.which("unzip"):
        assert "timeline.csv" in _unzip_lists(path)
    assert refused(data).reason == "comment"  # ...and not on us
    assert refused(data, LENIENT).reason == "comment"  # a comment holding records, never
    with pytest.raises(NotABundle, match="comment"):
        verify_bundle(path)


def test_forged_end_record_that_ends_the_file_is_refused(genuine: Genuine) -> None:
    """The same forgery with a consistent comment length: the forged record is now the
    one at the end, so the genuine members become data before the archive."""
    data = zc.forge_in_comment(genuine.bundle, forged(genuine.bag), forged_comment_len=0)
    assert refused(data).reason == "prefix-data"


def test_hidden_entry_before_the_first_member_is_refused(genuine: Genuine, tmp_path: Path) -> None:
    data = zc.hide_before(genuine.bundle, forged(genuine.bag)[0])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None  # every listed member still reads back fine
    assert refused(data).reason == "prefix-data"
    with pytest.raises(NotABundle):
        verify_bundle(write(tmp_path, data))


def test_hidden_entry_between_members_is_refused(genuine: Genuine) -> None:
    data = zc.hide_between(genuine.bundle, 3, forged(genuine.bag)[0])
    assert refused(data).reason == "member-gap"


def test_hidden_entry_before_the_directory_is_refused(genuine: Genuine) -> None:
    data = zc.hide_before_directory(genuine.bundle, forged(genuine.bag)[0])
    assert refused(data).reason == "directory-gap-before"


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda g: b"MZ\x90\x00 stub" + g, "directory-gap"),  # prepended, offsets not moved
        (lambda g: g + b"trailing", "trailing-data"),
        (lambda g: g + zc.eocd(0, 0, 0), "directory-gap"),  # a second, empty archive after
        (lambda g: g[:-22] + g[-22:-2] + b"\x04\x00" + b"note", "comment"),
        (lambda g: g[:-22] + g[-22:-2] + b"\x01\x00" + b"n", "comment"),
        (lambda g: g[:-200], "trailing-data"),  # cut short: the end record is gone
    ],
    ids=["prefix", "trailing", "second-eocd-appended", "plain-comment", "one-byte-comment", "truncated"],
)
def test_data_outside_the_archive_is_refused(
    genuine: Genuine, build: Callable[[bytes], bytes], reason: str
) -> None:
    assert refused(build(genuine.bundle)).reason == reason


def test_an_exhibit_holding_zip_signatures_is_fine(genuine: Genuine) -> None:
    """Member data may hold anything, even an end record: evidence can be a zip."""
    assert b"PK\x05\x06 an exhibit" in genuine.bundle
    SafeZip(io.BytesIO(genuine.bundle)).close()


# --- hand-built: one rule each ----------------------------------------------------------------


def _with(index: int, **changes: object) -> list[zc.Entry]:
    entries = list(BASE)
    entries[index] = zc.replace(entries[index], **changes)
    return entries


def _patch(data: bytes, at: int, fmt: str, *values: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, at, *values)
    return bytes(out)


def _zip64_locator_elsewhere() -> bytes:
    lay = zc.Layout()
    data = zc.build(BASE, zip64=True, layout=lay)
    return _patch(data, lay.eocd - 20 + 8, "<Q", 0)


def _zip64_record_size() -> bytes:
    lay = zc.Layout()
    data = zc.build(BASE, zip64=True, layout=lay)
    return _patch(data, lay.eocd - 76 + 4, "<Q", 50)


def _overlap() -> bytes:
    size = len(BASE[1].data) + 40  # the photo's data runs into the notes' header
    return zc.build(_with(1, local_size=size, central_size=size))


def _stray_eocd_in_timestamps() -> bytes:
    # DOS time 0x4B50 and date 0x0605 are the bytes "PK\x05\x06": a second end record
    # inside a header, where tools searching backwards find it.
    return zc.build(_with(2, dostime=0x4B50, dosdate=0x0605))


def _unicode_alias() -> list[zc.Entry]:
    name = f"{BAG}/data/notes.txt".encode()
    body = b"\x01" + struct.pack("<I", zlib.crc32(name)) + b"../../evil.txt"
    return _with(2, central_extra=zc.extra_field(0x7075, body))


NFC = unicodedata.normalize("NFC", f"{BAG}/data/café.jpg")
NFD = unicodedata.normalize("NFD", NFC)

CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "comment": (lambda: zc.build(BASE, comment=b"made by a tool"), "comment"),
    "gap-between-members": (lambda: zc.build(BASE, gaps={1: b"\0" * 16}), "member-gap"),
    "prefix-data": (lambda: zc.build(BASE, prefix=b"PK\x03\x04junk"), "prefix-data"),
    "gap-before-directory": (lambda: zc.build(BASE, before_cd=b"hidden"), "directory-gap-before"),
    "gap-after-directory": (lambda: zc.build(BASE, after_cd=b"hidden"), "directory-gap"),
    "zip64-classic-count-disagrees": (
        lambda: zc.build(BASE, zip64=True, zip64_classic=(2, 0xFFFFFFFF, 0xFFFFFFFF)),
        "zip64-mismatch",
    ),
    "zip64-locator-elsewhere": (_zip64_locator_elsewhere, "zip64-mismatch"),
    "zip64-record-size": (_zip64_record_size, "zip64-mismatch"),
    "zip64-local-size-disagrees": (
        lambda: zc.build(_with(1, zip64=True, local_size=7)),
        "local-central-mismatch",
    ),
    "zip64-spare-values": (
        lambda: zc.build(_with(1, central_extra=zc.extra_field(1, b"\0" * 16))),
        "zip64-mismatch",
    ),
    "local-name-disagrees": (
        lambda: zc.build(_with(2, local_name=f"{BAG}/data/NOTES.txt".encode())),
        "local-central-mismatch",
    ),
    "local-method-disagrees": (lambda: zc.build(_with(1, local_method=8)), "local-central-mismatch"),
    "local-crc-disagrees": (lambda: zc.build(_with(1, local_crc=1)), "local-central-mismatch"),
    "overlap": (_overlap, "overlap"),
    "stray-signature-in-central-extra": (
        lambda: zc.build(_with(1, central_extra=zc.extra_field(0x5455, b"\x01PK\x01\x02"))),
        "stray-signature",
    ),
    "stray-signature-in-local-extra": (
        lambda: zc.build(_with(0, local_extra=zc.extra_field(0xCAFE, b"PK\x03\x04\0\0"))),
        "stray-signature",
    ),
    "second-eocd-in-header-fields": (_stray_eocd_in_timestamps, "second-eocd"),
    "entry-comment": (lambda: zc.build(_with(1, comment=b"see other file")), "entry-comment"),
    "encrypted": (lambda: zc.build(_with(1, flags=0x1)), "encrypted"),
    "strong-encryption": (lambda: zc.build(_with(1, flags=0x41)), "encrypted"),
    "data-descriptor": (lambda: zc.build(_with(2, descriptor=True)), "data-descriptor"),
    "bzip2": (lambda: zc.build(_with(2, method=12)), "compression-method"),
    "patched-data-flag": (lambda: zc.build(_with(2, flags=0x20)), "unsupported-feature"),
    "local-only-flag": (lambda: _patch(zc.build(BASE), 6, "<H", 0x10), "local-central-mismatch"),
    "symlink": (lambda: zc.build(_with(2, external_attr=0o120777 << 16)), "symlink"),
    "fifo": (lambda: zc.build(_with(2, external_attr=0o010644 << 16)), "symlink"),
    "absolute": (lambda: zc.build(_with(2, name="/etc/passwd")), "unsafe-name"),
    "dotdot": (lambda: zc.build(_with(2, name=f"{BAG}/../../x")), "unsafe-name"),
    "drive": (lambda: zc.build(_with(2, name="C:/Windows/x.dll")), "unsafe-name"),
    "backslash": (lambda: zc.build(_with(2, name=f"{BAG}\\data\\x")), "unsafe-name"),
    "control": (lambda: zc.build(_with(2, name=f"{BAG}/a\x07.txt")), "unsafe-name"),
    "bidi-override": (lambda: zc.build(_with(2, name=f"{BAG}/gpj.\u202eexe")), "unsafe-name"),
    "direction-mark": (lambda: zc.build(_with(2, name=f"{BAG}/a\u200f.txt")), "unsafe-name"),
    "empty-part": (lambda: zc.build(_with(2, name=f"{BAG}//x")), "unsafe-name"),
    "cp437-name": (lambda: zc.build(_with(2, name=b"bag/caf\x82.txt", flags=0)), "name-encoding"),
    "bad-utf8": (lambda: zc.build(_with(2, name=b"bag/\xff.txt", flags=0x800)), "name-encoding"),
    "duplicate": (lambda: zc.build([*BASE, BASE[2]]), "duplicate-name"),
    "case-duplicate": (lambda: zc.build([*BASE, E(f"{BAG}/DATA/notes.txt", b"x")]), "case-duplicate"),
    "nfc-nfd-duplicate": (lambda: zc.build([*BASE, E(NFC, b"a"), E(NFD, b"b")]), "normalisation-duplicate"),
    "file-folder-clash": (
        lambda: zc.build([*BASE, E(f"{BAG}/data/notes.txt/inner", b"x")]),
        "file-folder-clash",
    ),
    "folder-with-data": (lambda: zc.build([*BASE, E(f"{BAG}/dir/", b"x")]), "folder-with-data"),
    "unicode-path-alias": (lambda: zc.build(_unicode_alias()), "two-names"),
    "zip-bomb": (lambda: zc.build([E(f"{BAG}/data/bomb.bin", bytes(8 << 20), method=8)]), "zip-bomb"),
    "declared-bomb": (lambda: zc.build(_with(0, central_usize=0xFFFFFFFE)), "zip-bomb"),
    "stored-sizes-differ": (lambda: zc.build(_with(1, central_usize=5)), "impossible-size"),
    "multi-disk": (lambda: _patch(zc.build(BASE), -18, "<H", 1), "multi-disk"),
    "directory-claims-too-much": (lambda: zc.eocd(5, 0x7FFFFFF0, 0), "directory-too-large"),
    "not-a-zip": (lambda: b"just text, no zip" * 10, "not-a-zip"),
    "empty-file": (lambda: b"", "not-a-zip"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_strict_refuses_with_a_named_reason(case: str) -> None:
    build, reason = CASES[case]
    err = refused(build())
    assert err.reason == reason, (err.reason, err.message)
    assert err.message and err.message[0].isupper()


def test_too_many_and_too_large(tmp_path: Path) -> None:
    data = zc.build(BASE)
    assert refused(data, STRICT.replace(limits=ZipLimits(max_members=2))).reason == "too-many-members"
    with pytest.raises(UnsafeZip, match="too many"):
        SafeZip(io.BytesIO(data), max_members=2)
    small = STRICT.replace(limits=ZipLimits(max_member_size=100))
    assert refused(data, small).reason == "member-too-large"
    total = STRICT.replace(limits=ZipLimits(max_total_size=1000))
    assert refused(data, total).reason == "total-too-large"


def test_every_reason_is_exercised() -> None:
    """The reason list and the tests stay in step (zipfile-disagrees: test_crosscheck;
    damaged: truncated records below)."""
    covered = {r for _, r in CASES.values()} | {
        "comment",
        "prefix-data",
        "member-gap",
        "directory-gap-before",
        "trailing-data",
        "too-many-members",
        "member-too-large",
        "total-too-large",
        "zipfile-disagrees",
        "damaged",
    }
    assert covered == REASONS


@pytest.mark.parametrize("cut", [30, 46, 60])
def test_damaged_records(cut: int) -> None:
    """A table of contents entry cut short, or pointing at no local header."""
    lay = zc.Layout()
    data = zc.build(BASE, layout=lay)
    bad = _patch(data, lay.eocd + 12, "<I", cut)  # the directory's size, now wrong
    assert refused(bad).reason in ("damaged", "directory-too-large", "directory-gap")
    no_header = _patch(data, lay.offsets[2], "<4s", b"PK\x03\x05")
    assert refused(no_header).reason == "damaged"
    pointed = _patch(data, lay.central[2] + 42, "<I", lay.offsets[2] - 1)
    assert refused(pointed).reason == "overlap"
