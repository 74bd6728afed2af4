"""LENIENT (phone exports): zips shaped like real phones' exports pass; each leniency is
one named policy field, needed by a real writer, fuzzed with fixed seeds, and refused
again when that field is off. Whatever the leniency, the archive we read is the one
zipfile reads."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests import zipcraft as zc
from victim_log.safezip import LENIENT
from victim_log.safezip import STRICT
from victim_log.safezip import DamagedMember
from victim_log.safezip import SafeZip
from victim_log.safezip import UnsafeZip
from victim_log.safezip import ZipPolicy
from victim_log.safezip.records import ALL_SIGNATURES

E = zc.Entry
CHAT = b"12/03/2024, 20:01 - Dan Marsh: hello\n" * 20
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 3


def android() -> bytes:
    """java.util.zip.ZipOutputStream: deflated, sizes in signed data descriptors,
    UTF-8 flag, no Unix mode."""
    java = {"method": 8, "descriptor": True, "flags": 0x800, "create_system": 0, "external_attr": 0}
    return zc.build(
        [
            E("WhatsApp Chat with Dan Marsh.txt", CHAT, **java),  # type: ignore[arg-type]
            E("IMG-20240312-WA0001.jpg", JPEG, **java),  # type: ignore[arg-type]
        ]
    )


def ios() -> bytes:
    return zc.build(
        [
            E("_chat.txt", CHAT, method=8),
            E("00000012-PHOTO-2024-03-12-20-03-00.jpg", JPEG),
        ]
    )


def windows_rezip() -> bytes:
    """Explorer's "Send to > Compressed folder": OEM code page names, no UTF-8 flag."""
    return zc.build(
        [
            E("_chat.txt", CHAT, method=8, create_system=0, external_attr=0x20),
            E(b"Fotos/Jos\x82.jpg", JPEG, flags=0, create_system=0, external_attr=0x20),
        ],
        comment=b"",
    )


def commented() -> bytes:
    return zc.build([E("_chat.txt", CHAT, method=8)], comment=b"Exported by a backup app")


def rtl_contact() -> bytes:
    return zc.build([E("WhatsApp Chat with \u200fدان.txt", CHAT, method=8)])


PHONE_ZIPS = {
    "android": (android, "allow_data_descriptor", "data-descriptor"),
    "windows-rezip": (windows_rezip, "allow_cp437_names", "name-encoding"),
    "comment": (commented, "allow_comment", "comment"),
    "rtl-contact": (rtl_contact, "allow_direction_marks", "unsafe-name"),
}


def same_as_zipfile(data: bytes, policy: ZipPolicy = LENIENT) -> dict[str, bytes]:
    """Open with ``policy`` and check every member against zipfile's reading."""
    with SafeZip(io.BytesIO(data), policy) as z, zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert [m.name for m in z.members] == zf.namelist()
        got = {m.name: z.read_bytes(m, 1 << 24) for m in z.members}
        assert got == {i.filename: zf.read(i) for i in zf.infolist()}
    return got


def test_ios_export_passes_both_policies() -> None:
    same_as_zipfile(ios())
    same_as_zipfile(ios(), STRICT)


@pytest.mark.parametrize("kind", sorted(PHONE_ZIPS))
def test_each_leniency_is_what_lets_a_real_writers_zip_in(kind: str) -> None:
    build, field, reason = PHONE_ZIPS[kind]
    data = build()
    same_as_zipfile(data)
    for policy in (STRICT, LENIENT.replace(**{field: False})):
        with pytest.raises(UnsafeZip) as info:
            SafeZip(io.BytesIO(data), policy)
        assert info.value.reason == reason


def test_lenient_names_members_by_number_only() -> None:
    data = zc.build([E("secret-name.jpg", b"x", flags=0x1)])
    with pytest.raises(UnsafeZip, match="member 1") as info:
        SafeZip(io.BytesIO(data), LENIENT)
    assert "secret" not in info.value.message
    with pytest.raises(UnsafeZip, match="secret-name.jpg"):
        SafeZip(io.BytesIO(data), STRICT)


def test_what_no_phone_writes_stays_refused_when_lenient() -> None:
    base = [E("_chat.txt", CHAT, method=8), E("a.jpg", JPEG)]
    for data, reason in [
        (zc.build(base, prefix=b"MZ stub"), "prefix-data"),
        (zc.build(base, gaps={1: b"hidden"}), "member-gap"),
        (zc.build(base) + b"tail", "trailing-data"),
        (zc.build(base, comment=b"x PK\x01\x02 y"), "comment"),
        (zc.build([base[0], E("a\u202e.jpg", JPEG)]), "unsafe-name"),
        (
            zc.build([base[0], zc.replace(base[1], descriptor=True, descriptor_crc=5)]),
            "local-central-mismatch",
        ),
        (zc.build([base[0], zc.replace(base[1], comment=b"c")]), "entry-comment"),
    ]:
        with pytest.raises(UnsafeZip) as info:
            SafeZip(io.BytesIO(data), LENIENT)
        assert info.value.reason == reason


# --- each leniency, fuzzed ---------------------------------------------------------------------

_data = st.binary(max_size=600)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_data, st.sampled_from([0, 8]), st.booleans(), st.booleans(), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
def test_fuzz_data_descriptors(specs: list[tuple[bytes, int, bool, bool, bool]]) -> None:
    entries = [
        E(
            f"m{i}.bin",
            data,
            method=method,
            descriptor=True,
            descriptor_sig=sig,
            descriptor_zip64=wide,
            zero_local_sizes=zero,
        )
        for i, (data, method, sig, wide, zero) in enumerate(specs)
    ]
    data = zc.build(entries)
    got = same_as_zipfile(data)
    assert list(got.values()) == [d for d, *_ in specs]
    with pytest.raises(UnsafeZip, match="streaming"):
        SafeZip(io.BytesIO(data), STRICT)


_SIGNATURES = list(ALL_SIGNATURES)


@settings(derandomize=True, max_examples=80, deadline=None)
@given(st.binary(max_size=300), st.one_of(st.none(), st.sampled_from(_SIGNATURES)), st.binary(max_size=40))
def test_fuzz_comments(head: bytes, signature: bytes | None, tail: bytes) -> None:
    comment = head + (signature or b"") + tail
    data = zc.build([E("_chat.txt", CHAT, method=8)], comment=comment)
    hides_records = any(sig in comment for sig in _SIGNATURES)
    if hides_records:
        with pytest.raises(UnsafeZip) as info:
            SafeZip(io.BytesIO(data), LENIENT)
        assert info.value.reason == "comment"
    else:
        same_as_zipfile(data)
    if not comment:
        SafeZip(io.BytesIO(data), STRICT).close()
        return
    with pytest.raises(UnsafeZip) as info:
        SafeZip(io.BytesIO(data), STRICT)
    assert info.value.reason == "comment"


@settings(derandomize=True, max_examples=80, deadline=None)
@given(st.binary(min_size=1, max_size=40).filter(lambda b: any(c >= 0x80 for c in b)))
def test_fuzz_cp437_names(raw: bytes) -> None:
    name = b"media/" + bytes(c if c >= 0x80 else 0x61 + c % 26 for c in raw) + b".jpg"
    data = zc.build([E("_chat.txt", CHAT, method=8), E(name, JPEG, flags=0)])
    got = same_as_zipfile(data)
    assert name.decode("cp437") in got
    with pytest.raises(UnsafeZip) as info:
        SafeZip(io.BytesIO(data), STRICT)
    assert info.value.reason == "name-encoding"


@settings(derandomize=True, max_examples=80, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "ب", " ", "\u200e", "\u200f", "\u061c", "\u202e", "\u2067"]),
        min_size=1,
        max_size=12,
    )
)
def test_fuzz_direction_marks(chars: list[str]) -> None:
    name = "WhatsApp Chat with " + "".join(chars) + ".txt"
    data = zc.build([E(name, CHAT, method=8)])
    if any(c in "\u202e\u2067" for c in chars):  # embeddings and overrides: never
        with pytest.raises(UnsafeZip) as info:
            SafeZip(io.BytesIO(data), LENIENT)
        assert info.value.reason == "unsafe-name"
        return
    assert name in same_as_zipfile(data)
    if any(c in "\u200e\u200f\u061c" for c in chars):
        with pytest.raises(UnsafeZip):
            SafeZip(io.BytesIO(data), STRICT)


@pytest.mark.parametrize("kind", ["android", "ios", "windows-rezip"])
def test_mutated_phone_zips_are_refused_or_read_as_zipfile_reads_them(kind: str) -> None:
    """Fixed-seed byte mutations: only UnsafeZip or DamagedMember come out, and a zip
    we accept holds, member for member, what zipfile reads from it."""
    base = {"android": android, "ios": ios, "windows-rezip": windows_rezip}[kind]()
    rng = random.Random(f"safezip-{kind}")
    accepted = 0
    for _ in range(300):
        data = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            at = (
                rng.randrange(len(data))
                if rng.random() < 0.5
                else len(data) - 1 - rng.randrange(min(200, len(data)))
            )
            data[at] = rng.randrange(256)
        try:
            z = SafeZip(io.BytesIO(bytes(data)), LENIENT)
        except UnsafeZip:
            continue
        accepted += 1
        with z, zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
            assert [m.name for m in z.members] == zf.namelist()
            for m in z.members:
                try:
                    ours: bytes | None = z.read_bytes(m, 1 << 24)
                except DamagedMember:
                    ours = None
                try:
                    theirs: bytes | None = zf.read(m.name)
                except (zipfile.BadZipFile, zlib.error, EOFError):
                    theirs = None
                assert ours is None or ours == theirs
    assert accepted > 0  # some mutations (timestamps, data bytes) keep the zip readable
