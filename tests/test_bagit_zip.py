"""The bag writer: a BagIt 1.0 bag inside a zip, checked by independent tools."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from victim_log.errors import BadInput
from victim_log.errors import DiskFull
from victim_log.errors import NotFound
from victim_log.export import bagit_zip as bz
from victim_log.export import sign
from victim_log.resources import resource_path
from victim_log.verify import verify_bundle

BAG = "victim-log-export-20261125"
STAMP = 1_795_000_000  # 2026-11-18
KEY = sign.private_key_from_bytes(bytes(range(32)))
BAG_INFO = [
    ("Source-Organization", "Victim Log"),
    ("Incident-Count", "60"),
    ("Exhibit-Count", "2"),
    ("Period", "2026-03-01/2026-05-31"),
]


def payload() -> list[bz.PayloadEntry]:
    return [
        bz.PayloadEntry.from_bytes("exhibits/SM-1_photo.jpg", b"\xff\xd8 invented photo " * 50),
        bz.PayloadEntry.from_bytes("exhibits/SM-2 voicemail.m4a", b"invented audio" * 10),
        bz.PayloadEntry.from_bytes("report/timeline.csv", "when,what\n3 März,call\n".encode()),
        bz.PayloadEntry.from_bytes("empty.txt", b""),
    ]


def make(dest: Path, **kw: object) -> bz.BagResult:
    args: dict[str, object] = {
        "bag_info": BAG_INFO,
        "tag_files": [bz.TagFile("README.txt", b"Read me.\n"), bz.verify_script_tag_file()],
        "signing_key": KEY,
        "timestamp": STAMP,
    }
    args.update(kw)
    return bz.write_bag_zip(dest, BAG, payload(), **args)  # type: ignore[arg-type]


def unzip(bundle: Path, into: Path) -> Path:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(into)
    return into / BAG


def test_layout_compression_and_tag_contents(tmp_path: Path) -> None:
    result = make(tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip") as zf:
        infos = {i.filename: i for i in zf.infolist()}
        names = [i.filename for i in zf.infolist()]
        assert all(n.startswith(BAG + "/") for n in names)
        assert names[0] == f"{BAG}/bagit.txt"
        assert names[-3:] == [
            f"{BAG}/tagmanifest-sha256.txt",
            f"{BAG}/tagmanifest-sha256.txt.minisig",
            f"{BAG}/tagmanifest-sha256.txt.sig",
        ]
        for name, info in infos.items():
            expected = zipfile.ZIP_STORED if "/data/" in name else zipfile.ZIP_DEFLATED
            assert info.compress_type == expected, name
            assert info.date_time == (2026, 11, 18, 11, 6, 40)
            assert info.external_attr >> 16 == 0o100644
        read = {n[len(BAG) + 1 :]: zf.read(n) for n in names}
    assert read["bagit.txt"] == b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    assert read["bag-info.txt"].decode().splitlines() == [
        "Source-Organization: Victim Log",
        "Incident-Count: 60",
        "Exhibit-Count: 2",
        "Period: 2026-03-01/2026-05-31",
        "Bagging-Date: 2026-11-18",
        f"Payload-Oxum: {result.payload_oxum}",
    ]
    assert result.payload_oxum == f"{sum(e.size or 0 for e in payload())}.4"
    manifest = read["manifest-sha256.txt"].decode().splitlines()
    assert manifest[0] == (
        hashlib.sha256(read["data/exhibits/SM-1_photo.jpg"]).hexdigest() + "  data/exhibits/SM-1_photo.jpg"
    )
    listed = [line.split("  ", 1)[1] for line in read["tagmanifest-sha256.txt"].decode().split("\n")[:-1]]
    assert listed == sorted(
        [
            "README.txt",
            "allowed_signers",
            "bag-info.txt",
            "bagit.txt",
            "manifest-sha256.txt",
            "minisign.pub",
            "verify_bundle.py",
        ]
    )
    assert result.tagmanifest == read["tagmanifest-sha256.txt"]
    assert result.fingerprint == sign.fingerprint(KEY.public_key())
    assert [m.path for m in result.manifest][0] == "data/exhibits/SM-1_photo.jpg"


def test_bagit_python_validates_the_unzipped_bag(tmp_path: Path) -> None:
    import bagit

    bag_dir = unzip(make(tmp_path / "b.zip").path, tmp_path / "x")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert bag.info["Payload-Oxum"].endswith(".4")
    assert bag.is_valid()
    script = Path(sys.executable).with_name("bagit.py")
    if script.exists():
        out = subprocess.run(
            [sys.executable, str(script), "--validate", str(bag_dir)],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        assert "is valid" in out.stderr


def test_bagit_python_notices_a_change(tmp_path: Path) -> None:
    import bagit

    bag_dir = unzip(make(tmp_path / "b.zip").path, tmp_path / "x")
    (bag_dir / "data/report/timeline.csv").write_bytes(b"when,what\n4 March,call\n")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_dir)).validate()


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="no sha256sum")
def test_sha256sum_checks_both_manifests(tmp_path: Path) -> None:
    bag_dir = unzip(make(tmp_path / "b.zip").path, tmp_path / "x")
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        out = subprocess.run(
            ["sha256sum", "--strict", "-c", manifest], cwd=bag_dir, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stdout + out.stderr


def test_same_input_gives_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = make(tmp_path / "a.zip").path.read_bytes()
    b = make(tmp_path / "b.zip").path.read_bytes()
    assert a == b
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(STAMP))
    c = make(tmp_path / "c.zip", timestamp=None).path.read_bytes()
    assert c == a
    d = make(tmp_path / "d.zip", timestamp=STAMP + 86400).path.read_bytes()
    assert d != a


@pytest.mark.parametrize("value", ["\u00b2", "1_700_000_000", "-5", "soon", ""])
def test_a_source_date_epoch_not_in_plain_digits_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """The clock is used instead, never a traceback ("²" passes str.isdigit, not int)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    before = time.time()
    result = make(tmp_path / "a.zip", timestamp=None)
    with zipfile.ZipFile(result.path) as zf:
        stamp = datetime(*zf.infolist()[0].date_time).timestamp()
    assert abs(stamp - before) < 2 * 86400  # today, whatever the local zone


def test_old_timestamps_are_clamped_to_what_zip_can_hold(tmp_path: Path) -> None:
    make(tmp_path / "a.zip", timestamp=0)
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_unsigned_bag_has_no_key_or_signature_files(tmp_path: Path) -> None:
    result = make(tmp_path / "a.zip", signing_key=None)
    with zipfile.ZipFile(result.path) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
    assert not names & {"minisign.pub", "allowed_signers", sign.MINISIG_NAME, sign.SSHSIG_NAME}
    assert result.fingerprint is None


def test_large_payload_streams_in_constant_memory_with_zip64(tmp_path: Path) -> None:
    """64 MiB from a generator with no declared size: memory stays small, and the zip64
    headers this needs are read back by our verifier."""
    chunk = bytes(range(256)) * 4096  # 1 MiB

    def source() -> Iterator[bytes]:
        for _ in range(64):
            yield chunk

    entries = [
        bz.PayloadEntry("exhibits/big.bin", source),
        bz.PayloadEntry.from_bytes("b.txt", b"small"),
    ]
    tracemalloc.start()
    try:
        result = bz.write_bag_zip(tmp_path / "big.zip", BAG, entries, signing_key=KEY, timestamp=STAMP)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * 1024 * 1024, peak
    assert result.manifest[0].size == 64 * 1024 * 1024
    expected = hashlib.sha256(chunk * 64).hexdigest()
    assert result.manifest[0].sha256 == expected
    report = verify_bundle(result.path)
    assert report.valid, report.problems
    with zipfile.ZipFile(result.path) as zf:  # and an independent reader agrees
        with zf.open(f"{BAG}/data/exhibits/big.bin") as fh:
            h = hashlib.sha256()
            while data := fh.read(1 << 20):
                h.update(data)
        assert h.hexdigest() == expected


def test_file_sources_are_read_and_closed(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    src.write_bytes(b"\xff\xd8" + os.urandom(3000))
    result = bz.write_bag_zip(
        tmp_path / "f.zip",
        BAG,
        [bz.PayloadEntry.from_file("exhibits/SM-1.jpg", src)],
        timestamp=STAMP,
    )
    assert result.manifest[0].sha256 == hashlib.sha256(src.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "path",
    [
        "../escape.jpg",
        "/etc/passwd",
        "a/../../b.jpg",
        "a\\b.jpg",
        "ctl\x01.jpg",
        "nul\x00.jpg",
        "line\nbreak.jpg",
        "a//b.jpg",
        "./a.jpg",
        "dir/",
        "",
        "C:evil.jpg",
        "x:y.jpg",
        "what?.jpg",
        "CON.txt",
        "dir/aux",
        "trailing.",
        "trailing ",
        "100%.jpg",
        "e\u0301.jpg",  # not NFC
        "gpj.\u202eexe",  # bidi override hides the real extension
        "sep\u2028.jpg",
    ],
)
def test_unsafe_or_unportable_payload_names_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(BadInput):
        bz.write_bag_zip(tmp_path / "x.zip", BAG, [bz.PayloadEntry.from_bytes(path, b"x")], timestamp=STAMP)
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # nothing left behind


@pytest.mark.parametrize(
    "name",
    ["ümlaut photo.jpg", "SM-1 (copy).jpg", "exhibits/2026-03-01/voicemail.m4a", "日本.png"],
)
def test_ordinary_names_are_accepted(tmp_path: Path, name: str) -> None:
    assert bz.check_payload_path(name) == "data/" + name


def test_safe_payload_name_makes_acceptable_names() -> None:
    for untrusted in [
        "photo 100%.jpg",
        "a/b\\c.png",
        "CON.txt",
        "..",
        "x" * 300 + ".jpeg",
        "\u202eevil.jpg",
        "a:b?.txt",
        "e\u0301.png",
        "",
        "tab\there.jpg",
    ]:
        safe = bz.safe_payload_name(untrusted)
        bz.check_payload_path(safe)
        assert "/" not in safe
        assert len(safe) <= 120
    assert bz.safe_payload_name("x" * 300 + ".jpeg").endswith(".jpeg")
    assert bz.safe_payload_name("SM-1_photo.jpg") == "SM-1_photo.jpg"


def test_duplicate_names_even_differing_in_case_are_refused(tmp_path: Path) -> None:
    entries = [bz.PayloadEntry.from_bytes("a.jpg", b"1"), bz.PayloadEntry.from_bytes("A.JPG", b"2")]
    with pytest.raises(BadInput, match="two files"):
        bz.write_bag_zip(tmp_path / "x.zip", BAG, entries, timestamp=STAMP)
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize(
    "bag_info",
    [
        [("Payload-Oxum", "1.1")],
        [("bagging-date", "2020-01-01")],
        [("Bad: Label", "x")],
        [(" Padded", "x")],
        [("Note", "two\nlines")],
        [("", "x")],
    ],
)
def test_bad_bag_info_is_refused(tmp_path: Path, bag_info: list[tuple[str, str]]) -> None:
    with pytest.raises(BadInput):
        bz.write_bag_zip(tmp_path / "x.zip", BAG, payload(), bag_info=bag_info)


@pytest.mark.parametrize(
    "name",
    [
        "bagit.txt",
        "manifest-md5.txt",
        "tagmanifest-sha512.txt",
        "data/x.txt",
        "../x",
        "minisign.pub",
        sign.MINISIG_NAME,
        "fetch.txt",
    ],
)
def test_tag_files_cannot_replace_bag_files(tmp_path: Path, name: str) -> None:
    with pytest.raises(BadInput):
        bz.write_bag_zip(tmp_path / "x.zip", BAG, payload(), tag_files=[bz.TagFile(name, b"x")])


@pytest.mark.parametrize("bag_name", ["", "../x", "a/b", ".hidden", "x" * 101, "bad name"])
def test_bag_names_are_one_plain_folder_name(tmp_path: Path, bag_name: str) -> None:
    with pytest.raises(BadInput):
        bz.write_bag_zip(tmp_path / "x.zip", bag_name, payload())


def test_a_failing_source_leaves_nothing_and_keeps_the_old_file(tmp_path: Path) -> None:
    dest = tmp_path / "b.zip"
    dest.write_bytes(b"previous export")
    closed = []

    def failing() -> Iterator[bytes]:
        try:
            yield b"first chunk"
            raise OSError(errno.EIO, "I/O error")
        finally:
            closed.append(True)

    entries = [*payload(), bz.PayloadEntry("exhibits/broken.jpg", failing)]
    with pytest.raises(BadInput, match="could not read exhibits/broken.jpg"):
        bz.write_bag_zip(dest, BAG, entries, timestamp=STAMP)
    assert dest.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.zip", "home"]
    assert closed == [True]


def test_a_source_that_changes_size_is_refused(tmp_path: Path) -> None:
    entry = bz.PayloadEntry("x.bin", lambda: [b"12345"], size=4)
    with pytest.raises(BadInput, match="changed size"):
        bz.write_bag_zip(tmp_path / "x.zip", BAG, [entry], timestamp=STAMP)
    assert not (tmp_path / "x.zip").exists()


def test_non_bytes_chunks_are_a_bug_not_a_silent_export(tmp_path: Path) -> None:
    entry = bz.PayloadEntry("x.bin", lambda: ["text"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        bz.write_bag_zip(tmp_path / "x.zip", BAG, [entry], timestamp=STAMP)
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_disk_full_is_a_plain_error_and_leaves_no_temp_file(tmp_path: Path) -> None:
    """A file-size limit makes writes fail as a full disk would (EFBIG instead of ENOSPC)."""
    out = tmp_path / "out"
    out.mkdir()
    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        from victim_log.errors import DiskFull
        from victim_log.export import bagit_zip as bz
        entries = [bz.PayloadEntry("big.bin", lambda: [bytes(1_000_000)], 1_000_000)]
        try:
            bz.write_bag_zip({str(out / "b.zip")!r}, "bag", entries, timestamp=0)
        except DiskFull as exc:
            print("DiskFull:", exc)
            sys.exit(0)
        sys.exit(3)
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Nothing was changed" in run.stdout
    assert list(out.iterdir()) == []
    assert DiskFull  # the class the child raised


def test_manifest_path_encoding_follows_rfc_8493() -> None:
    raw = "a%b\r\nc%0Ad"
    encoded = bz.encode_manifest_path(raw)
    assert encoded == "a%25b%0D%0Ac%250Ad"
    assert bz.decode_manifest_path(encoded) == raw
    assert bz.decode_manifest_path("x%0dy%0az%41") == "x\ry\nz%41"


def test_verify_script_is_shipped_from_resources() -> None:
    tag = bz.verify_script_tag_file()
    assert tag.name == "verify_bundle.py"
    assert tag.content == resource_path("verify_bundle.py").read_bytes()
    assert b"BEFORE YOU RUN THIS SCRIPT" in tag.content  # it says to check the signature first
    for bad in ("", "..", "../pyproject.toml", "a/b", "missing.txt"):
        with pytest.raises(NotFound):
            resource_path(bad)


def test_period_value_is_an_iso_interval() -> None:
    from datetime import date

    assert bz.period_value(date(2026, 3, 1), date(2026, 5, 31)) == "2026-03-01/2026-05-31"
