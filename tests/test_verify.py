"""The offline verifier and the hardened zip reader, on good, tampered and hostile zips."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from victim_log.errors import NotABundle
from victim_log.export import bagit_zip as bz
from victim_log.export import sign
from victim_log.safezip import SafeZip, UnsafeZip
from victim_log.resources import resource_path
from victim_log.verify import (
    ADDED,
    CHANGED,
    DAMAGED,
    MISMATCH,
    MISSING,
    SIGNATURE,
    VerifyReport,
    format_report,
    verify_bundle,
)

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
    key: sign.Ed25519PrivateKey | None = KEY,
    script: bool = True,
    payload: dict[str, bytes] | None = None,
) -> Path:
    tags = [bz.TagFile("README.txt", b"Read me first.\n")]
    if script:
        tags.append(bz.verify_script_tag_file())
    entries = [bz.PayloadEntry.from_bytes(p, d) for p, d in (payload or PAYLOAD).items()]
    bz.write_bag_zip(
        dest, BAG, entries, bag_info=BAG_INFO, tag_files=tags, signing_key=key, timestamp=STAMP
    )
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


def raw_zip(
    tmp_path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]], method: int = 0
) -> Path:
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
        "VALID: 60 incidents, 12 exhibits, 1 Mar 2026 to 31 May 2026. "
        f"Signed by key {report.fingerprint}."
    )
    doc = report.to_json()
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


def test_data_descriptors_from_streaming_writers_are_read(bundle: Path, tmp_path: Path) -> None:
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
    with SafeZip(path) as z:
        assert all(m.flags & 0x08 for m in z.members)
    report = verify_bundle(path)
    assert report.valid, report.problems


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


def test_a_flipped_byte_in_the_raw_zip_data_of_any_member_is_named(
    bundle: Path, tmp_path: Path
) -> None:
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
    report = verify_bundle(
        rezip(bundle, tmp_path / "t.zip", replace={"manifest-sha256.txt": evil})
    )
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
    field = b"\x01" + struct.pack("<I", zipfile.crc32(info.filename.encode())) + alias
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
    for entry in [("../evil.sh", b"x"), (_symlink(), b"x"), (f"{BAG}/bagit.txt", b"dup")]:
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


def test_standalone_script_passes_a_good_zip_and_says_it_skips_the_signature(
    bundle: Path,
) -> None:
    out = run_script(bundle)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "every file matches" in out.stdout
    assert "does not check the signature" in out.stdout
    assert "minisign -Vm tagmanifest-sha256.txt" in out.stdout


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
    assert "PROBLEM: data/exhibits/SM-3_photo.jpg has changed since export." in out.stdout
    assert "PROBLEM: data/new.jpg was added after export." in out.stdout
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
