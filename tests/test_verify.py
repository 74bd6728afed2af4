"""The offline verifier and the hardened zip reader, on good, tampered and hostile zips."""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from victim_log.errors import BadInput
from victim_log.errors import NotABundle
from victim_log.export import bagit_zip as bz
from victim_log.export import sign
from victim_log.resources import resource_path
from victim_log.safezip import SafeZip
from victim_log.safezip import UnsafeZip
from victim_log.verify import ADDED
from victim_log.verify import CHANGED
from victim_log.verify import DAMAGED
from victim_log.verify import MISMATCH
from victim_log.verify import MISSING
from victim_log.verify import SIGNATURE
from victim_log.verify import VerifyReport
from victim_log.verify import format_report
from victim_log.verify import verify_bundle

BAG = "victim-log-export-20261125"
STAMP = 1_795_000_000
KEY = sign.private_key_from_bytes(bytes(range(32)))
OTHER_KEY = sign.private_key_from_bytes(bytes(range(1, 33)))
CANARY = b"CANARY-3f9c-exhibit-content"
BAG_INFO = [
    ("Source-Organization", "Victim Log"),
    ("Incident-Count", "60"),
    ("Exhibit-Count", "12"),
    ("Period", "2026-03-01/2026-05-31"),
]
PAYLOAD = {
    "exhibits/SM-1_photo.jpg": b"\xff\xd8 invented photo " + CANARY * 20,
    "exhibits/SM-3_photo.jpg": b"\xff\xd8 another invented photo" * 30,
    "report/timeline.csv": "when,what\n3 März,call from 07700 900123\n".encode(),
    "empty.txt": b"",
}


def build(
    dest: Path,
    *,
    key: Ed25519PrivateKey | None = KEY,
    script: bool = True,
    payload: dict[str, bytes] | None = None,
) -> Path:
    tags = [bz.TagFile("README.txt", b"Read me first.\n")]
    if script:
        tags.append(bz.verify_script_tag_file())
    entries = [bz.PayloadEntry.from_bytes(p, d) for p, d in (payload or PAYLOAD).items()]
    bz.write_bag_zip(dest, BAG, entries, bag_info=BAG_INFO, tag_files=tags, signing_key=key, timestamp=STAMP)
    return dest


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return build(tmp_path / "bundle.zip")


def contents(path: Path) -> dict[str, tuple[bytes, int]]:
    """name -> (content, compress_type), in zip order, read with the standard library."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i), i.compress_type) for i in zf.infolist()}


def rezip(
    src: Path,
    dest: Path,
    *,
    replace: dict[str, bytes | None] | None = None,
    add: dict[str, bytes] | None = None,
    prefix: str = BAG + "/",
    new_prefix: str | None = None,
) -> Path:
    """Rewrite a bundle as an editor would: change, drop or add members (names relative
    to the bag folder), keeping order and compression of the rest."""
    replace = replace or {}
    with zipfile.ZipFile(dest, "w") as out:
        for name, (data, method) in contents(src).items():
            rel = name[len(prefix) :]
            if rel in replace:
                new = replace[rel]
                if new is None:
                    continue
                data = new
            target = (new_prefix if new_prefix is not None else prefix) + rel
            out.writestr(zipfile.ZipInfo(target, (2026, 1, 1, 0, 0, 0)), data, compress_type=method)
        for rel, data in (add or {}).items():
            name = rel if rel.startswith("/") or rel.startswith("..") else prefix + rel
            out.writestr(name, data)
    return dest


def named(report: VerifyReport, rel: str) -> bool:
    return any(rel == p.file or rel in p.message for p in report.problems)


def raw_zip(tmp_path: Path, entries: Sequence[tuple[str | zipfile.ZipInfo, bytes]], method: int = 0) -> Path:
    path = tmp_path / "crafted.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicates we want
        with zipfile.ZipFile(path, "w", compression=method) as zf:
            for name, data in entries:
                zf.writestr(name, data)
    return path


MINIMAL_BAG = [(f"{BAG}/bagit.txt", bz.BAGIT_TXT_CONTENT)]


# --- a good bundle ---------------------------------------------------------------------------


def test_a_good_bundle_is_valid_with_counts_period_and_key(bundle: Path) -> None:
    report = verify_bundle(bundle)
    assert report.valid, report.problems
    assert report.status == "VALID"
    assert (report.incident_count, report.exhibit_count) == (60, 12)
    assert str(report.period_start) == "2026-03-01"
    assert str(report.period_end) == "2026-05-31"
    assert report.fingerprint == sign.fingerprint(KEY.public_key())
    assert report.short_fingerprint == sign.short_fingerprint(KEY.public_key())
    assert report.payload_files == 4
    assert report.payload_bytes == sum(len(d) for d in PAYLOAD.values())
    assert report.bag_name == BAG
    text = format_report(report)
    assert text.startswith(
        f"VALID, signed by key {report.fingerprint} (read-out form {report.short_fingerprint}).\n"
        "The signer is not yet confirmed: compare this with the key the sender read to you "
        "by phone or in person"
    )
    assert "Contents: 60 incidents, 12 exhibits, 1 Mar 2026 to 31 May 2026." in text
    doc = report.to_json()
    assert doc["signer_confirmed"] is False
    assert doc["declared_fingerprint"] is None  # this hand-made bag declares no key
    assert doc["journal_head"] is None
    json.dumps(doc)
    assert doc["status"] == "VALID"
    assert doc["problems"] == []
    assert doc["period"] == {"start": "2026-03-01", "end": "2026-05-31", "text": "2026-03-01/2026-05-31"}
    assert ["Payload-Oxum", f"{report.payload_bytes}.4"] in doc["bag_info"]


def test_single_thread_gives_the_same_answer(bundle: Path) -> None:
    assert verify_bundle(bundle, threads=1) == verify_bundle(bundle, threads=2)


def test_reports_never_hold_evidence_content(bundle: Path) -> None:
    tampered = rezip(bundle, bundle.with_name("t.zip"), replace={"data/empty.txt": CANARY})
    for report in (verify_bundle(bundle), verify_bundle(tampered)):
        out = format_report(report) + json.dumps(report.to_json())
        assert CANARY.decode() not in out
        assert "07700" not in out


def test_expected_fingerprint_accepts_either_form_and_catches_another_key(bundle: Path) -> None:
    public = KEY.public_key()
    assert verify_bundle(bundle, expected_fingerprint=sign.fingerprint(public)).valid
    assert verify_bundle(bundle, expected_fingerprint=sign.short_fingerprint(public).lower()).valid
    wrong = verify_bundle(bundle, expected_fingerprint=sign.fingerprint(OTHER_KEY.public_key()))
    assert not wrong.valid
    assert wrong.problems[0].kind == SIGNATURE


def test_a_bag_at_the_zip_root_is_read_too(bundle: Path, tmp_path: Path) -> None:
    flat = rezip(bundle, tmp_path / "flat.zip", new_prefix="")
    report = verify_bundle(flat)
    assert report.valid, report.problems
    assert report.bag_name == "flat"


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip not installed")
def test_a_bag_rezipped_by_info_zip_still_verifies(bundle: Path, tmp_path: Path) -> None:
    """An officer may unzip and re-zip: directory entries, extra fields and deflated
    payload from another tool must not matter."""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "x")
    out = subprocess.run(
        ["zip", "-q", "-r", str(tmp_path / "re.zip"), BAG], cwd=tmp_path / "x", capture_output=True
    )
    assert out.returncode == 0, out.stderr
    report = verify_bundle(tmp_path / "re.zip")
    assert report.valid, report.problems


def test_data_descriptors_from_streaming_writers_are_refused(bundle: Path, tmp_path: Path) -> None:
    """FORMAT-14 rule 3: our writer never writes data descriptors, so a bundle with them
    was rewritten by another tool (sizes after the data are room for ambiguity)."""

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.buf = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: object) -> int:
            data = bytes(b)  # type: ignore[call-overload]
            self.buf += data
            return len(data)

    sink = Unseekable()
    with zipfile.ZipFile(sink, "w") as out:
        for name, (data, method) in contents(bundle).items():
            out.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=method)
    path = tmp_path / "streamed.zip"
    path.write_bytes(bytes(sink.buf))
    with pytest.raises(UnsafeZip, match="streaming") as caught:
        verify_bundle(path)
    assert caught.value.reason == "data-descriptor"


# --- tampering: every file, every way ---------------------------------------------------------


def _flip_middle(data: bytes) -> bytes:
    if not data:
        return b"x"
    out = bytearray(data)
    out[len(out) // 2] ^= 0x01
    return bytes(out)


def test_a_changed_byte_in_any_file_is_reported_by_name(bundle: Path, tmp_path: Path) -> None:
    names = [n[len(BAG) + 1 :] for n in contents(bundle)]
    assert len(names) == 14
    for rel in names:
        original = contents(bundle)[f"{BAG}/{rel}"][0]
        tampered = rezip(bundle, tmp_path / "t.zip", replace={rel: _flip_middle(original)})
        report = verify_bundle(tampered)
        assert not report.valid, rel
        assert named(report, rel), (rel, report.problems)
        assert format_report(report).startswith("INVALID: ")


def test_a_changed_exhibit_reads_plainly(bundle: Path, tmp_path: Path) -> None:
    rel = "data/exhibits/SM-3_photo.jpg"
    original = contents(bundle)[f"{BAG}/{rel}"][0]
    report = verify_bundle(rezip(bundle, tmp_path / "t.zip", replace={rel: _flip_middle(original)}))
    assert [(p.file, p.kind) for p in report.problems] == [(rel, CHANGED)]
    assert format_report(report).splitlines()[0] == f"INVALID: {rel} has changed since export."


def test_a_flipped_byte_in_the_raw_zip_data_of_any_member_is_named(bundle: Path, tmp_path: Path) -> None:
    data = bundle.read_bytes()
    with SafeZip(bundle) as z:
        members = [m for m in z.members if m.compressed_size]
    assert len(members) == 13  # all but the empty file
    for m in members:
        bad = bytearray(data)
        bad[m.data_offset + m.compressed_size // 2] ^= 0x10
        path = tmp_path / "flipped.zip"
        path.write_bytes(bad)
        report = verify_bundle(path)
        rel = m.name[len(BAG) + 1 :]
        assert not report.valid, rel
        assert named(report, rel), (rel, report.problems)
        if m.method == 8:
            assert any(p.kind in (DAMAGED, CHANGED) for p in report.problems)


def test_the_untrusted_minisign_comment_is_protected_too(bundle: Path, tmp_path: Path) -> None:
    rel = sign.MINISIG_NAME
    original = contents(bundle)[f"{BAG}/{rel}"][0]
    edited = original.replace(b"Victim Log export key", b"Victim Log export kez")
    report = verify_bundle(rezip(bundle, tmp_path / "t.zip", replace={rel: edited}))
    assert [p.file for p in report.problems] == [rel]


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("data/extra.jpg", ADDED),
        ("data/exhibits/SM-99.jpg", ADDED),
        ("notes.txt", ADDED),
        ("manifest-md5.txt", ADDED),
    ],
)
def test_an_added_file_is_named(bundle: Path, tmp_path: Path, rel: str, kind: str) -> None:
    report = verify_bundle(rezip(bundle, tmp_path / "t.zip", add={rel: b"planted"}))
    assert (rel, kind) in [(p.file, p.kind) for p in report.problems]
    if rel.startswith("data/"):
        assert any(p.kind == MISMATCH and p.file == "bag-info.txt" for p in report.problems)


def test_a_file_outside_the_bag_folder_is_named(bundle: Path, tmp_path: Path) -> None:
    tampered = rezip(bundle, tmp_path / "t.zip")
    with zipfile.ZipFile(tampered, "a") as zf:
        zf.writestr("planted.txt", b"x")
    report = verify_bundle(tampered)
    assert [(p.file, p.kind) for p in report.problems] == [("planted.txt", ADDED)]


def test_a_removed_file_is_named(bundle: Path, tmp_path: Path) -> None:
    for rel in [n[len(BAG) + 1 :] for n in contents(bundle)]:
        report = verify_bundle(rezip(bundle, tmp_path / "t.zip", replace={rel: None}))
        assert not report.valid, rel
        assert named(report, rel), (rel, report.problems)
        if rel.startswith("data/"):
            assert (rel, MISSING) in [(p.file, p.kind) for p in report.problems]


def test_an_edited_bag_info_is_caught_at_each_level(bundle: Path, tmp_path: Path) -> None:
    original = contents(bundle)[f"{BAG}/bag-info.txt"][0]
    edited = original.replace(b"Incident-Count: 60", b"Incident-Count: 6")
    report = verify_bundle(rezip(bundle, tmp_path / "a.zip", replace={"bag-info.txt": edited}))
    assert [(p.file, p.kind) for p in report.problems] == [("bag-info.txt", CHANGED)]

    # The forger also fixes the tag manifest: now the signatures fail.
    tagmanifest = contents(bundle)[f"{BAG}/tagmanifest-sha256.txt"][0].decode()
    import hashlib

    old = hashlib.sha256(original).hexdigest()
    new = hashlib.sha256(edited).hexdigest()
    fixed = tagmanifest.replace(old, new).encode()
    report = verify_bundle(
        rezip(
            bundle,
            tmp_path / "b.zip",
            replace={"bag-info.txt": edited, "tagmanifest-sha256.txt": fixed},
        )
    )
    assert {p.file for p in report.problems} == {sign.MINISIG_NAME, sign.SSHSIG_NAME}
    assert all("tagmanifest-sha256.txt" in p.message for p in report.problems)

    # ...and re-signs with their own key: consistent, but the key is not the victim's.
    forged = rezip(
        build(tmp_path / "forged-src.zip", key=OTHER_KEY),
        tmp_path / "c.zip",
    )
    report = verify_bundle(forged)
    assert report.valid
    assert report.fingerprint != sign.fingerprint(KEY.public_key())
    expected = sign.fingerprint(KEY.public_key())
    assert not verify_bundle(forged, expected_fingerprint=expected).valid


def test_signature_files_from_another_key_are_caught(bundle: Path, tmp_path: Path) -> None:
    other = contents(build(tmp_path / "other.zip", key=OTHER_KEY))
    for names in (
        [sign.MINISIG_NAME],
        [sign.SSHSIG_NAME],
        [sign.MINISIG_NAME, sign.SSHSIG_NAME],
        ["minisign.pub"],
        ["allowed_signers"],
    ):
        swap: dict[str, bytes | None] = {n: other[f"{BAG}/{n}"][0] for n in names}
        report = verify_bundle(rezip(bundle, tmp_path / "t.zip", replace=swap))
        assert not report.valid, names
        assert report.fingerprint is None
        for n in names:
            assert named(report, n), (n, report.problems)


def test_an_unsigned_bundle_is_not_valid(tmp_path: Path) -> None:
    report = verify_bundle(build(tmp_path / "u.zip", key=None))
    assert not report.valid
    assert [p.kind for p in report.problems] == [MISSING]
    assert "not signed" in format_report(report)


def test_hostile_names_in_a_manifest_are_shown_neutralised(bundle: Path, tmp_path: Path) -> None:
    manifest = contents(bundle)[f"{BAG}/manifest-sha256.txt"][0]
    evil = manifest + ("0" * 64 + "  data/gpj.\u202eexe\n" + "0" * 64 + "  data/a\u200bb.jpg\n").encode()
    report = verify_bundle(rezip(bundle, tmp_path / "t.zip", replace={"manifest-sha256.txt": evil}))
    text = format_report(report)
    assert "\u202e" not in text
    assert "\u200b" not in text
    assert "manifest-sha256.txt line 5 names an unsafe path." in text
    assert "data/a?b.jpg is missing" in text


# --- not a bundle, or unsafe ------------------------------------------------------------------


def test_not_a_zip_or_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "text.zip").write_text("hello")
    (tmp_path / "empty.zip").write_bytes(b"")
    (tmp_path / "noise.zip").write_bytes(bytes(range(256)) * 40)
    for name in ("text.zip", "empty.zip", "noise.zip", "missing.zip", "home"):
        with pytest.raises(NotABundle):
            verify_bundle(tmp_path / name)


def test_a_zip_that_is_not_a_bag(tmp_path: Path) -> None:
    with pytest.raises(NotABundle, match="not an export bundle"):
        verify_bundle(raw_zip(tmp_path, [("photos/a.jpg", b"x")]))
    with pytest.raises(NotABundle, match="more than one"):
        verify_bundle(raw_zip(tmp_path, [("a/bagit.txt", b""), ("b/bagit.txt", b"")]))


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(f"{BAG}/data/link.jpg")
    info.create_system = 3
    info.external_attr = 0o120777 << 16
    return info


def _unicode_path_alias() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(f"{BAG}/data/a.jpg")
    alias = b"../../evil.jpg"
    field = b"\x01" + struct.pack("<I", zlib.crc32(info.filename.encode())) + alias
    info.extra = struct.pack("<HH", 0x7075, len(field)) + field
    return info


@pytest.mark.parametrize(
    "entry",
    [
        ("../evil.sh", b"x"),
        (f"{BAG}/../../evil.sh", b"x"),
        ("/etc/cron.d/evil", b"x"),
        ("C:/Windows/evil.dll", b"x"),
        (f"{BAG}\\data\\evil.jpg", b"x"),
        (f"{BAG}/data/ctl\x07.jpg", b"x"),
        (f"{BAG}/data/gpj.\u202eexe", b"x"),
        (f"{BAG}//data/x", b"x"),
        (f"{BAG}/bagit.txt", b"duplicate"),
        (f"{BAG}/BAGIT.TXT", b"case duplicate"),
        (f"{BAG}/bagit.txt/inner", b"file used as a folder"),
        (_symlink(), b"/etc/passwd"),
        (_unicode_path_alias(), b"x"),
    ],
    ids=lambda e: repr(e[0] if isinstance(e, tuple) else e)[:40],
)
def test_unsafe_entries_make_it_not_a_bundle(
    tmp_path: Path, entry: tuple[str | zipfile.ZipInfo, bytes]
) -> None:
    with pytest.raises(UnsafeZip):
        verify_bundle(raw_zip(tmp_path, [*MINIMAL_BAG, entry]))


def test_the_standalone_script_refuses_unsafe_entries_too(tmp_path: Path) -> None:
    entries: list[tuple[str | zipfile.ZipInfo, bytes]] = [
        ("../evil.sh", b"x"),
        (_symlink(), b"x"),
        (f"{BAG}/bagit.txt", b"dup"),
    ]
    for entry in entries:
        out = run_script(raw_zip(tmp_path, [*MINIMAL_BAG, entry]))
        assert out.returncode == 2, out.stdout
        assert out.stdout.startswith("CANNOT CHECK:")


def _patch_flags(path: Path, flags: int) -> None:
    """Set general-purpose flags on the first (only) member, local and central."""
    data = bytearray(path.read_bytes())
    data[6:8] = struct.pack("<H", flags)
    cd = data.rindex(b"PK\x01\x02")
    data[cd + 8 : cd + 10] = struct.pack("<H", flags)
    path.write_bytes(data)


def test_encrypted_members_make_it_not_a_bundle(tmp_path: Path) -> None:
    path = raw_zip(tmp_path, MINIMAL_BAG)
    _patch_flags(path, 0x0001)
    with pytest.raises(UnsafeZip, match="password"):
        verify_bundle(path)


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path: Path) -> None:
    bomb = raw_zip(tmp_path, [*MINIMAL_BAG, (f"{BAG}/data/bomb.bin", bytes(40 << 20))], method=8)
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnsafeZip, match="zip bomb"):
        verify_bundle(bomb)
    assert run_script(bomb).returncode == 2


def test_overlapping_members_are_refused(tmp_path: Path) -> None:
    path = raw_zip(tmp_path, [*MINIMAL_BAG, (f"{BAG}/data/b.jpg", b"second member")])
    data = bytearray(path.read_bytes())
    grow = len(bz.BAGIT_TXT_CONTENT) + 40  # first member's data now runs into the second
    data[18:26] = struct.pack("<II", len(bz.BAGIT_TXT_CONTENT) + grow, len(bz.BAGIT_TXT_CONTENT) + grow)
    cd = data.index(b"PK\x01\x02")
    data[cd + 20 : cd + 28] = data[18:26]
    path.write_bytes(data)
    with pytest.raises(UnsafeZip, match="overlap"):
        verify_bundle(path)


def test_local_and_central_records_must_agree(tmp_path: Path) -> None:
    path = raw_zip(tmp_path, [*MINIMAL_BAG, (f"{BAG}/data/b.jpg", b"second member")])
    data = bytearray(path.read_bytes())
    second = data.index(b"PK\x03\x04", 4)
    name_at = second + 30
    data[name_at + len(BAG) + 6] ^= 0x20  # data/b.jpg -> data/B.jpg in the local header only
    path.write_bytes(data)
    with pytest.raises(UnsafeZip, match="disagree"):
        verify_bundle(path)


def test_prepended_or_appended_data_is_refused(bundle: Path, tmp_path: Path) -> None:
    (tmp_path / "pre.zip").write_bytes(b"MZ fake stub" + bundle.read_bytes())
    (tmp_path / "post.zip").write_bytes(bundle.read_bytes() + b"trailing")
    for name in ("pre.zip", "post.zip"):
        with pytest.raises(NotABundle):
            verify_bundle(tmp_path / name)


def test_unsupported_compression_is_refused(tmp_path: Path) -> None:
    path = raw_zip(tmp_path, MINIMAL_BAG, method=zipfile.ZIP_BZIP2)
    with pytest.raises(UnsafeZip, match="compression"):
        verify_bundle(path)


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    path = raw_zip(tmp_path, [(f"{BAG}/data/{i}.txt", b"") for i in range(6)])
    with pytest.raises(UnsafeZip, match="too many"):
        SafeZip(path, max_members=5)
    with SafeZip(path, max_members=6) as z:
        assert len(z.members) == 6


# --- fuzz -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, bytes]]:
    path = build(tmp_path_factory.mktemp("fuzz") / "base.zip", script=False)
    with SafeZip(path) as z:
        original = {m.name: z.read_bytes(m, 1 << 20) for m in z.members}
    return path.read_bytes(), original


@settings(
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 1 << 30), st.integers(0, 255), st.booleans()),
        min_size=1,
        max_size=4,
    ),
    cut=st.one_of(st.none(), st.integers(0, 1 << 30)),
)
def test_fuzz_mutated_bundles_are_refused_reported_or_unchanged(
    tmp_path: Path,
    fuzz_base: tuple[bytes, dict[str, bytes]],
    edits: list[tuple[int, int, bool]],
    cut: int | None,
) -> None:
    """Any mutation gives NotABundle or a report, never another exception; and a VALID
    report means every member still has exactly its original content (the mutation only
    touched zip bookkeeping such as timestamps)."""
    base, original = fuzz_base
    data = bytearray(base)
    for pos, value, near_end in edits:
        # Half the edits land in the last 2 KiB: signatures, central directory, EOCD.
        at = len(data) - 1 - pos % 2048 if near_end else pos % len(data)
        data[at] = value
    if cut is not None and cut % 7 == 0:
        del data[cut % len(data) :]
    path = tmp_path / "fuzzed.zip"
    path.write_bytes(data)
    try:
        report = verify_bundle(path)
    except NotABundle:
        return
    assert isinstance(report, VerifyReport)
    format_report(report)
    json.dumps(report.to_json())
    if report.valid:
        with SafeZip(path) as z:
            assert {m.name: z.read_bytes(m, 1 << 20) for m in z.members} == original


# --- the standalone script --------------------------------------------------------------------


def _python() -> list[str]:
    """A Python with only the standard library (-I: no site-packages, no cwd on path)."""
    system = Path("/usr/bin/python3")
    return [str(system) if system.exists() else sys.executable, "-I"]


def run_script(
    target: Path | None, cwd: Path | None = None, script: Path | None = None
) -> subprocess.CompletedProcess[str]:
    args = [*_python(), str(script or resource_path("verify_bundle.py"))]
    if target is not None:
        args.append(str(target))
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_standalone_script_checks_the_signature_of_a_good_zip(bundle: Path) -> None:
    out = run_script(bundle)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"VALID, signed by key {sign.fingerprint(KEY.public_key())}" in out.stdout
    assert "not yet confirmed" in out.stdout


def test_standalone_script_runs_inside_the_unzipped_folder(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "x")
    folder = tmp_path / "x" / BAG
    out = run_script(None, cwd=folder, script=folder / "verify_bundle.py")
    assert out.returncode == 0, out.stdout + out.stderr
    (folder / "data/exhibits/SM-3_photo.jpg").write_bytes(b"edited")
    (folder / "data/new.jpg").write_bytes(b"planted")
    out = run_script(folder)
    assert out.returncode == 1
    assert "INVALID: data/exhibits/SM-3_photo.jpg has changed since export." in out.stdout
    assert "INVALID: data/new.jpg was added after export." in out.stdout
    assert "Payload-Oxum" not in out.stdout or "bag-info.txt says" in out.stdout


@pytest.mark.parametrize(
    "change",
    [
        lambda b: {"data/exhibits/SM-1_photo.jpg": b"edited"},
        lambda b: {"bag-info.txt": b"Payload-Oxum: 1.1\n"},
        lambda b: {"data/report/timeline.csv": None},
        lambda b: {"README.txt": b"changed"},
    ],
)
def test_standalone_script_names_tampered_files(
    bundle: Path, tmp_path: Path, change: Callable[[Path], dict[str, bytes | None]]
) -> None:
    replace = change(bundle)
    out = run_script(rezip(bundle, tmp_path / "t.zip", replace=replace))
    assert out.returncode == 1, out.stdout
    for rel in replace:
        assert rel in out.stdout


def test_standalone_script_refuses_non_bundles(tmp_path: Path) -> None:
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert run_script(tmp_path / "junk.zip").returncode == 2
    assert run_script(raw_zip(tmp_path, [("a.txt", b"x")])).returncode == 2
    assert run_script(tmp_path / "home").returncode == 2


# --- the signer: declared, pinned ---------------------------------------------------------------


def test_a_pinned_key_that_matches_confirms_the_signer(bundle: Path) -> None:
    report = verify_bundle(bundle, expected_fingerprint=sign.fingerprint(KEY.public_key()))
    assert report.valid
    assert report.signer_confirmed
    assert format_report(report).startswith(
        f"VALID, signed by the expected key {sign.fingerprint(KEY.public_key())} "
    )
    assert "not yet confirmed" not in format_report(report)
    assert report.to_json()["signer_confirmed"] is True


def test_a_pinned_key_that_differs_names_both_keys(bundle: Path) -> None:
    other = sign.fingerprint(OTHER_KEY.public_key())
    report = verify_bundle(bundle, expected_fingerprint=other)
    assert not report.valid
    assert not report.signer_confirmed
    text = format_report(report)
    assert sign.fingerprint(KEY.public_key()) in text
    assert other in text


@pytest.mark.parametrize("pin", ["SHA256:short", "1234", "SHA256:" + "!" * 43, "95B9 ACA0 0D32"])
def test_a_malformed_pin_is_bad_input_not_a_failed_bundle(bundle: Path, pin: str) -> None:
    with pytest.raises(BadInput, match="expected key"):
        verify_bundle(bundle, expected_fingerprint=pin)


def test_a_key_other_than_the_declared_one_is_invalid_naming_both(tmp_path: Path) -> None:
    """Issue #14 finding 3: bag-info (and so README and PDF) name the victim's key, but
    someone else signed. Consistent in itself, so only this check catches it."""
    victim = sign.fingerprint(KEY.public_key())
    other = sign.fingerprint(OTHER_KEY.public_key())
    info = [*BAG_INFO, ("Signing-Key-Fingerprint", victim)]
    entries = [bz.PayloadEntry.from_bytes(p, d) for p, d in PAYLOAD.items()]
    bz.write_bag_zip(tmp_path / "ok.zip", BAG, entries, bag_info=info, signing_key=KEY, timestamp=STAMP)
    good = verify_bundle(tmp_path / "ok.zip")
    assert good.valid
    assert good.declared_fingerprint == victim
    bz.write_bag_zip(
        tmp_path / "forged.zip", BAG, entries, bag_info=info, signing_key=OTHER_KEY, timestamp=STAMP
    )
    report = verify_bundle(tmp_path / "forged.zip")
    assert [(p.file, p.kind) for p in report.problems] == [("bag-info.txt", SIGNATURE)]
    assert victim in report.problems[0].message
    assert other in report.problems[0].message
    assert report.to_json()["declared_fingerprint"] == victim


def test_two_payload_oxum_lines_are_named(bundle: Path, tmp_path: Path) -> None:
    info = contents(bundle)[f"{BAG}/bag-info.txt"][0] + b"Payload-Oxum: 1.1\n"
    report = verify_bundle(rezip(bundle, tmp_path / "t.zip", replace={"bag-info.txt": info}))
    assert "bag-info.txt has 2 Payload-Oxum lines; a bundle has one." in format_report(report)


# --- the CLI: --expect-key, JSON fields, lineage arguments -----------------------------------


def test_cli_verify_expect_key_and_json_fields(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.helpers import run_cli

    fp = sign.fingerprint(KEY.public_key())
    r = run_cli(capsys, "verify", str(bundle), "--expect-key", sign.short_fingerprint(KEY.public_key()))
    assert r.code == 0
    assert r.out.startswith(f"VALID, signed by the expected key {fp}")
    r = run_cli(capsys, "verify", str(bundle), "--json")
    doc = json.loads(r.out)
    assert (doc["valid"], doc["signer_confirmed"], doc["fingerprint"]) == (True, False, fp)
    assert {"declared_fingerprint", "expected_fingerprint", "journal_head", "journal"} <= set(doc)
    r = run_cli(capsys, "verify", str(bundle), "--json", "--expect-key", fp)
    assert json.loads(r.out)["signer_confirmed"] is True
    other = sign.fingerprint(OTHER_KEY.public_key())
    r = run_cli(capsys, "verify", str(bundle), "--expect-key", other)
    assert r.code == 1
    assert fp in r.out
    assert other in r.out
    assert run_cli(capsys, "verify", str(bundle), "--expect-key", "nonsense").code == 2
    r = run_cli(capsys, "verify", str(bundle), str(bundle), "--since", str(bundle))
    assert r.code == 2
    assert "not both" in r.err


def test_cli_verify_json_names_why_a_zip_is_not_a_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.helpers import run_cli

    path = raw_zip(tmp_path, [*MINIMAL_BAG, ("../evil.sh", b"x")])
    r = run_cli(capsys, "verify", str(path), "--json")
    assert r.code == 2
    doc = json.loads(r.out)
    assert (doc["status"], doc["valid"], doc["reason"]) == ("NOT A BUNDLE", False, "unsafe-name")
    assert r.err.startswith("victim-log: ")


# --- the journal check ---------------------------------------------------------------------------


def _chain(n: int, withheld: frozenset[int] = frozenset()) -> list[dict[str, object]]:
    """n entries seq 1..n, those in ``withheld`` as stubs."""
    import hashlib

    from victim_log.model import canonical_json

    out: list[dict[str, object]] = []
    prev = "0" * 64
    for seq in range(1, n + 1):
        fields = {
            "action": "created",
            "at": f"2026-01-{seq:02d}T10:00:00+00:00",
            "body_sha256": "ab" * 32,
            "detail": {"n": seq},
            "id": seq,
            "kind": "incident",
            "prev": prev,
            "seq": seq,
            "version": 1,
        }
        digest = hashlib.sha256(canonical_json(fields)).hexdigest()
        entry: dict[str, object] = {**fields, "hash": digest}
        if seq in withheld:
            entry = {"hash": digest, "prev": prev, "seq": seq, "withheld": True}
        out.append(entry)
        prev = digest
    return out


def _jsonl(lines: list[dict[str, object]]) -> bytes:
    from victim_log.model import canonical_json

    return b"".join(canonical_json(x) + b"\n" for x in lines)


def _head(lines: list[dict[str, object]]) -> list[str]:
    return [f"{lines[-1]['seq']} {lines[-1]['hash']}"]


def test_journal_check_accepts_a_whole_chain_with_stubs_in_any_chunking() -> None:
    from victim_log.export.journal_check import check_journal
    from victim_log.export.journal_check import extends
    from victim_log.export.journal_check import parse_head

    lines = _chain(9, frozenset({2, 3, 7}))
    data = _jsonl(lines)
    for size in (1, 7, 64, len(data)):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        result = check_journal(chunks, _head(lines))
        assert result.ok, result.problems
        assert (result.entries, result.withheld, len(result.hashes)) == (9, 3, 9)
    head = parse_head(_head(lines[:5])[0])
    assert head is not None
    assert extends(head, [str(x["hash"]) for x in lines])
    assert not extends(head, [str(x["hash"]) for x in lines[:4]])


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda ls: ls.pop(4), "entry 5 is missing or out of order"),
        (lambda ls: ls[2].update(detail={"n": 99}), "entry 3 was changed"),
        (lambda ls: ls[3].update(prev="cd" * 32), "breaks at entry 4"),
        (lambda ls: ls[0].update(prev="cd" * 32), "breaks at entry 1"),
        (lambda ls: ls[1].update(withheld=False), "line 2 is not a journal entry"),
        (lambda ls: ls[1].update(extra=1), "line 2 is not a journal entry"),
        (lambda ls: ls[2].update(seq=True), "line 3 is not a journal entry"),
    ],
)
def test_journal_check_names_the_first_break(
    mutate: Callable[[list[dict[str, object]]], object], expected: str
) -> None:
    from victim_log.export.journal_check import check_journal

    lines = _chain(8, frozenset({2}))
    head = _head(lines)
    mutate(lines)
    result = check_journal([_jsonl(lines)], head)
    assert [p for _, p in result.problems if expected in p], result.problems


def test_journal_check_refuses_non_canonical_lines_and_a_missing_last_newline() -> None:
    from victim_log.export.journal_check import check_journal

    lines = _chain(3)
    spaced = _jsonl(lines).replace(b'","', b'", "', 1)
    assert (
        check_journal([spaced], _head(lines))
        .problems[0][1]
        .startswith("data/journal.jsonl line 1 is not a journal entry")
    )
    assert not check_journal([_jsonl(lines)[:-1]], _head(lines)).ok
    assert not check_journal([b"x" * (2 << 20)], _head(lines)).ok


def test_journal_check_head_rules() -> None:
    from victim_log.export.journal_check import check_journal

    lines = _chain(4)
    assert "ends at entry 3" in check_journal([_jsonl(lines[:3])], _head(lines)).problems[0][1]
    assert "past the signed head" in check_journal([_jsonl(lines)], _head(lines[:3])).problems[0][1]
    wrong = [f"4 {'ef' * 32}"]
    assert "not the one the signed head names" in check_journal([_jsonl(lines)], wrong).problems[0][1]
    assert check_journal(None, _head(lines)).problems[0][0] == "bag-info.txt"
    assert check_journal([_jsonl(lines)], ["4 ABC"]).problems[0][0] == "bag-info.txt"
    legacy = check_journal([_jsonl(lines[1:3])], [])
    assert (legacy.ok, legacy.chained, legacy.entries) == (True, False, 2)
    assert not check_journal([_jsonl(_chain(3, frozenset({2})))], []).ok


# --- lineage: does a newer export extend an older one? (real exports of one vault) -------------


@dataclass(frozen=True)
class Exports:
    old: Path
    new: Path
    rolled: Path  # exported after vault.db was put back to a copy older than `old`
    rewritten: Path  # `new` with an early entry rewritten and re-chained, re-signed (key holder)
    resigned: Path  # `new` re-signed by another key that bag-info also declares
    legacy_old: Path  # `old` as an older Victim Log wrote it: no Journal-Head


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    from tests import hostile_bundles as hb
    from victim_log.demo import fill_demo
    from victim_log.export.bundle import export
    from victim_log.export.bundle import signing_key
    from victim_log.export.case import ExportOptions
    from victim_log.model import IncidentData
    from victim_log.vault import Vault

    base = tmp_path_factory.mktemp("lineage")
    vdir = base / "vault"
    v, _ = Vault.create(vdir, hb.PASSPHRASE)
    fill_demo(v, total=6)
    export(v, base / "first.csv", ExportOptions(), fmt="csv")  # makes the signing key
    v.lock()
    snapshot = {p.name: p.read_bytes() for p in vdir.iterdir() if p.name.startswith("vault.db")}
    v = Vault.open(vdir, hb.PASSPHRASE)
    v.add_incident(IncidentData(summary="a later call"))
    export(v, base / "old.zip", ExportOptions())
    v.add_incident(IncidentData(summary="a later message"))
    export(v, base / "new.zip", ExportOptions())
    key = signing_key(v)
    chain = tuple(e.to_json() for e in v.journal_entries())
    v.lock()
    for p in vdir.iterdir():
        if p.name.startswith("vault.db"):
            p.unlink()
    for name, data in snapshot.items():  # no key needed to put an old copy back
        (vdir / name).write_bytes(data)
    v = Vault.open(vdir, hb.PASSPHRASE)
    v.add_incident(IncidentData(summary="written after the rollback"))
    export(v, base / "rolled.zip", ExportOptions())
    v.lock()

    pub = key.public_key()
    new = hb.Genuine(
        base / "new.zip",
        "new",
        sign.private_key_to_bytes(key),
        sign.fingerprint(pub),
        sign.short_fingerprint(pub),
        chain,
    )
    lines = [json.loads(x) for x in new.members()["data/journal.jsonl"].decode().splitlines()]
    head_seq = lines[-1]["seq"]
    full = [dict(e) for e in chain[:head_seq]]
    first = next(i for i, e in enumerate(full) if e["kind"] == "incident")
    full[first]["detail"] = {**full[first]["detail"], "rewritten": True}
    rechained = hb.chain(full)
    stubbed = {x["seq"] for x in lines if x.get("withheld")}
    forged = [hb.stub(e) if e["seq"] in stubbed else e for e in rechained]
    rewritten = hb.resign_journal(
        new, base / "rewritten.zip", forged, (forged[-1]["seq"], forged[-1]["hash"])
    )
    other = sign.fingerprint(hb.OTHER_KEY.public_key())
    resigned = hb.resign(
        new,
        base / "resigned.zip",
        key=hb.OTHER_KEY,
        info_edit=lambda info: [(k, other if k == "Signing-Key-Fingerprint" else v) for k, v in info],
    )
    old = replace_genuine(new, base / "old.zip", "old")
    old_lines = [json.loads(x) for x in old.members()["data/journal.jsonl"].decode().splitlines()]
    legacy = [x for x in old_lines if not x.get("withheld")]
    legacy_old = hb.resign_journal(old, base / "legacy-old.zip", legacy, None)
    return Exports(base / "old.zip", base / "new.zip", base / "rolled.zip", rewritten, resigned, legacy_old)


def replace_genuine(g: Any, path: Path, bag: str) -> Any:
    import dataclasses

    return dataclasses.replace(g, path=path, bag=bag)


def _lineage_everywhere(
    older: Path, newer: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, tuple[int, str]]:
    from tests.helpers import run_cli
    from victim_log.lineage import format_lineage
    from victim_log.lineage import verify_lineage

    report = verify_lineage(older, newer)
    core = (0 if report.extends else 1, format_lineage(report))
    two = run_cli(capsys, "verify", str(older), str(newer))
    since = run_cli(capsys, "verify", str(newer), "--since", str(older), "--json")
    assert json.loads(since.out)["extends"] is (since.code == 0)
    script = subprocess.run(
        [sys.executable, "-I", str(resource_path("verify_bundle.py")), str(newer), "--since", str(older)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return {
        "core": core,
        "cli": (two.code, two.out + two.err),
        "cli --since --json": (since.code, since.out + since.err),
        "script": (script.returncode, script.stdout + script.stderr),
    }


def test_a_later_export_of_the_same_vault_extends_the_earlier_one(
    exports: Exports, capsys: pytest.CaptureFixture[str]
) -> None:
    got = _lineage_everywhere(exports.old, exports.new, capsys)
    assert {k: c for k, (c, _) in got.items()} == dict.fromkeys(got, 0), got
    assert "HISTORY EXTENDS" in got["core"][1]


@pytest.mark.parametrize(
    ("older", "newer", "reason"),
    [
        ("new", "old", r"older export first"),  # given the wrong way round
        ("old", "rolled", r"does not extend"),  # vault.db rolled back, then written to
        ("old", "rewritten", r"does not extend"),  # re-chained by the key holder
        ("old", "resigned", r"different keys"),
        ("legacy_old", "new", r"no journal head"),
    ],
)
def test_a_history_that_does_not_extend_is_exit_1_everywhere(
    exports: Exports, capsys: pytest.CaptureFixture[str], older: str, newer: str, reason: str
) -> None:
    got = _lineage_everywhere(getattr(exports, older), getattr(exports, newer), capsys)
    wrong = {k: out for k, (code, out) in got.items() if code != 1}
    assert not wrong, wrong
    assert re.search(reason, got["core"][1]), got["core"][1]
    for who, (_, out) in got.items():
        assert re.search(r"not extend|different keys|no journal head|cannot", out, re.I), (who, out)


def test_each_lineage_fixture_bundle_is_valid_on_its_own(exports: Exports) -> None:
    for path in (
        exports.old,
        exports.new,
        exports.rolled,
        exports.rewritten,
        exports.resigned,
        exports.legacy_old,
    ):
        report = verify_bundle(path)
        assert report.valid, (path.name, report.problems)
