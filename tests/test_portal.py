"""Upload-link batches (#21): `export --portal DIR [--batch-size N]`.

A police upload portal takes a few files at a time, one caption each, and may date a
file by when it arrives. The tests export a log through the CLI as a victim would and
check, on disk and in `--json`: no batch over N files, the timeline PDF first, every
exhibit in exactly one batch (or, over the size limit, set apart with what to do),
file names safe on Windows, captions that agree with the PDF and exhibits.csv, and
files whose hashes are the bundle's.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.bundle_text import pdf_words
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.importers.util import jpeg_with_exif
from tests.importers.util import tiff_exif
from victim_log.export import portal

PHOTO = jpeg_with_exif(tiff_exif(make="Apple", model="iPhone 12", taken="2024:03:30 18:29:00"))
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}


def windows_problem(name: str) -> str:
    """Why Windows (Explorer, NTFS, a browser's upload dialog) would refuse or change
    ``name``; "" when it is fine."""
    if not name or name in (".", ".."):
        return "empty"
    if re.search(r'[<>:"/\\|?*\x00-\x1f]', name):
        return "reserved character"
    if name[-1] in " .":
        return "trailing dot or space"
    if name.split(".")[0].rstrip(" ").upper() in _RESERVED:
        return "reserved device name"
    if len(name) > 120 or len(name.encode("utf-8")) > 120:
        return "too long"
    return ""


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    files = {
        "IMG_0042.jpg": PHOTO,
        "CON.txt": b"a message\n",
        "  trailing dots...  ": b"%PDF-1.4 letter\n",
        "x" * 200 + ".png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        'what:is<this>?"|*.txt': b"another message\n",
    }
    for i, (name, data) in enumerate(files.items()):
        (tmp_path / f"f{i}").mkdir()
        (tmp_path / f"f{i}" / name).write_bytes(data)
    add = functools.partial(run_cli, capsys, "add", "--kind", "loitering")
    r = add(
        "--summary",
        "Car outside",
        "--when",
        "2024-03-31T18:20",
        "--attach",
        str(tmp_path / "f0" / "IMG_0042.jpg"),
        "--how",
        "photo",
        "--captured-on",
        "2024-03-31T18:20",
        "--description",
        "photo of car outside house",
    )
    assert r.code == 0, r.err
    r = add(
        "--summary", "Messages", "--when", "2024-04-02T09:00", "--attach", str(tmp_path / "f1" / "CON.txt")
    )
    assert r.code == 0, r.err
    r = add(
        "--summary",
        "Letter and more",
        "--when",
        "2024-04-05",
        *(a for i in (2, 3, 4) for a in ("--attach", str(next((tmp_path / f"f{i}").iterdir())))),
        "--description",
        'CON: a description with / \\ : * ? " < > | and far too many words to fit into one file name at all',
    )
    assert r.code == 0, r.err
    return tmp_path


def _export(capsys: pytest.CaptureFixture[str], tmp: Path, *extra: str) -> tuple[dict[str, object], Path]:
    r = run_cli(
        capsys,
        "export",
        "--out",
        str(tmp / "log.zip"),
        "--initials",
        "SM",
        "--portal",
        str(tmp / "up"),
        *extra,
        "--json",
    )
    assert r.code == 0, r.err
    return json.loads(r.out), tmp / "up"


def _bundle(tmp: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(tmp / "log.zip") as zf:
        return {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def _captions(folder: Path) -> dict[str, str]:
    """captions.txt as {file name: caption}: a name line, then its caption line."""
    text = (folder / "captions.txt").read_bytes().decode("utf-8-sig")
    assert "\r\n" in text  # Notepad on any Windows
    lines = text.split("\r\n")
    names = {p.name for p in folder.iterdir()} - {"captions.txt"}
    return {line: lines[i + 1] for i, line in enumerate(lines) if line in names}


def test_batches_hold_every_exhibit_once_in_order_with_captions(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, up = _export(capsys, cli, "--batch-size", "2")
    files = _bundle(cli)
    rows = {
        r["reference"]: r for r in csv.DictReader(io.StringIO(files["data/exhibits.csv"].decode("utf-8-sig")))
    }
    assert len(rows) == 5
    p = out["portal"]
    assert isinstance(p, dict) and p["batch_size"] == 2 and p["too_large"] == []
    batches = p["batches"]
    # 1 PDF + 5 exhibits in batches of 2: three folders, none over 2 files.
    assert [len(b["files"]) for b in batches] == [2, 2, 2]
    folders = sorted(d for d in up.iterdir() if d.is_dir())
    assert (
        [d.name for d in folders]
        == [b["folder"] for b in batches]
        == ["Batch 01 of 03", "Batch 02 of 03", "Batch 03 of 03"]
    )
    assert (up / "README.txt").is_file()
    seen: list[str] = []
    for b, d in zip(batches, folders, strict=True):
        on_disk = sorted(f.name for f in d.iterdir() if f.name != "captions.txt")
        assert len(on_disk) <= 2 and on_disk == sorted(f["name"] for f in b["files"])
        captions = _captions(d)
        assert set(captions) == set(on_disk)
        for f in b["files"]:
            assert captions[f["name"]] == f["caption"]
            data = (d / f["name"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["sha256"]
            if f["kind"] == "exhibit":
                seen.append(f["reference"])
    # The timeline PDF first, and it is the bundle's PDF byte for byte.
    first = batches[0]["files"][0]
    assert first["kind"] == "timeline" and first["name"].startswith("00 Timeline")
    assert (folders[0] / first["name"]).read_bytes() == files["data/timeline.pdf"]
    # Every exhibit exactly once, in reference order, named by its bundle reference.
    assert seen == sorted(rows, key=lambda r: int(r.split("/")[1])) and len(set(seen)) == len(rows)
    manifest = dict(
        reversed(line.split(None, 1)) for line in files["manifest-sha256.txt"].decode().splitlines()
    )
    pdf = pdf_words(files["data/timeline.pdf"], cli)
    for b in batches:
        for f in b["files"]:
            if f["kind"] != "exhibit":
                continue
            ref, row = f["reference"], rows[f["reference"]]
            initials, num = ref.split("/")
            assert f["name"].startswith(f"{initials}-{int(num):02d} ")
            # Hashes are the bundle's: exhibits.csv, the signed manifest and the PDF.
            assert f["sha256"] == row["sha256"] == manifest[row["file"]]
            assert f["caption"].startswith(f"Exhibit {ref}: ") and f["caption"].endswith(
                f"SHA-256 {row['sha256']}"
            )
            assert f"Exhibit {ref}" in pdf and row["sha256"] in pdf
            assert (
                f"Supports Entry {row['entries'].replace('Entry ', '')}" in f["caption"]
                or row["entries"] in f["caption"]
            )
    # The capture date given at intake, not the upload date, in the caption and the name.
    photo = next(f for b in batches for f in b["files"] if f["reference"] == "SM/1")
    assert photo["name"] == "SM-01 photo of car outside house 2024-03-31.jpg"
    assert rows["SM/1"]["captured_on"].startswith("2024-03-31T18:20")
    assert "Captured Sun 31 Mar 2024 18:20" in photo["caption"] and "not the upload date" in photo["caption"]
    assert "Sun 31 Mar 2024" in pdf
    # A file without a capture date says so rather than leaving the portal's date to stand.
    con = next(f for b in batches for f in b["files"] if f["reference"] == "SM/2")
    assert "Capture date not recorded" in con["caption"] and con["captured_date"] == ""


def test_names_are_safe_on_windows(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, up = _export(capsys, cli)
    names = [f.name for f in up.rglob("*")]
    assert names and all(windows_problem(n) == "" for n in names), [(n, windows_problem(n)) for n in names]
    # Windows compares names without case: no two files in one folder may differ only by it.
    for d in up.iterdir():
        if d.is_dir():
            inside = [f.name.casefold() for f in d.iterdir()]
            assert len(inside) == len(set(inside))
    batches = out["portal"]["batches"]  # type: ignore[index]
    assert len(batches) == 1 and len(batches[0]["files"]) == 6  # the default, 16, holds all


@pytest.mark.parametrize(
    ("description", "ext"),
    [
        ("CON", ".txt"),
        ("nul", ""),
        ("trailing dots...   ", ".jpg"),
        ("   ", ".png"),
        ('a<b>c:d"e/f\\g|h?i*j', ".txt"),
        ("\u202eevil\u200b gnp.exe", ".jpg"),
        ("é" * 300, ".jpeg"),
        ("\x00\x1f control", ".mp4"),
    ],
)
def test_portal_name_is_windows_safe(description: str, ext: str) -> None:
    for prefix, day in (("SM-05", "2024-03-31"), ("CON", ""), ("LPT1", "")):
        name = portal.portal_name(prefix, description, day, ext)
        assert windows_problem(name) == "", (name, windows_problem(name))
        assert name.endswith(ext)


def test_too_large_files_are_set_apart_with_what_to_do(
    cli: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log.export import bundle

    # The real limit is 2 GB a file; a small one stands for it here.
    monkeypatch.setattr(bundle, "PortalRequest", functools.partial(bundle.PortalRequest, max_file_bytes=50))
    out, up = _export(capsys, cli, "--batch-size", "3")
    p = out["portal"]
    big = {f["reference"] for f in p["too_large"]}  # type: ignore[index]
    assert big == {"SM/1", "SM/4"}  # the photo and the PNG are over 50 bytes
    in_batches = [f["reference"] for b in p["batches"] for f in b["files"] if f["kind"] == "exhibit"]  # type: ignore[index]
    assert sorted(in_batches + sorted(big)) == [f"SM/{i}" for i in range(1, 6)]  # each exactly once
    assert all(not f["too_large"] for b in p["batches"] for f in b["files"])  # type: ignore[index]
    folder = up / p["too_large_folder"]  # type: ignore[index,operator]
    assert sorted(f.name for f in folder.iterdir() if f.name != "captions.txt") == sorted(
        f["name"]
        for f in p["too_large"]  # type: ignore[index]
    )
    for f in p["too_large"]:  # type: ignore[index]
        assert f["too_large"] and "ask the officer for another way to send it" in f["caption"]
    assert "Too large for the portal" in (up / "README.txt").read_bytes().decode("utf-8-sig")
    r = run_cli(capsys, "export", "--out", str(cli / "again.zip"), "--portal", str(cli / "up2"))
    assert r.code == 0 and "Too large for the upload link" in r.out


BAD_OPTIONS = (
    ("--portal", "UP", "--batch-size", "0"),
    ("--portal", "UP", "--batch-size", "101"),
    ("--portal", "UP", "--format", "pdf"),
    ("--batch-size", "5"),
    ("--portal", "FULL"),
    ("--portal", "nowhere/UP"),
)


def test_bad_portal_options_exit_2_and_write_nothing(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (cli / "FULL").mkdir()
    (cli / "FULL" / "keep.txt").write_text("mine")
    for extra in BAD_OPTIONS:  # one log for all: none of them may write anything
        args = [a.replace("UP", str(cli / "UP")).replace("FULL", str(cli / "FULL")) for a in extra]
        args = [str(cli / a) if a.startswith("nowhere") else a for a in args]
        r = run_cli(capsys, "export", "--out", str(cli / "x.zip"), "--initials", "SM", *args)
        assert r.code == 2, (extra, r.out, r.err)
        assert "Traceback" not in r.err and r.err.strip()
        assert not (cli / "UP").exists() and not (cli / "x.zip").exists()
        assert [f.name for f in (cli / "FULL").iterdir()] == ["keep.txt"]
        assert not list(cli.glob(".tmp-portal-*"))


def test_an_empty_folder_is_used_and_plain_output_says_where(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (cli / "up").mkdir()
    r = run_cli(
        capsys, "export", "--out", str(cli / "log.zip"), "--initials", "SM", "--portal", str(cli / "up")
    )
    assert r.code == 0, r.err
    assert "Upload batches: 1 folder of at most 16 files (6 files)" in r.out
    assert (cli / "up" / "Batch 01 of 01" / "captions.txt").is_file()
    assert not list(cli.glob(".tmp-portal-*"))


def test_a_file_dated_only_by_its_camera_says_so(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = jpeg_with_exif(tiff_exif(make="Apple", model="iPhone 12", taken="2024:04:07 07:45:00"))
    (cli / "IMG_0099.jpg").write_bytes(photo)
    r = run_cli(
        capsys, "add", "--kind", "loitering", "--summary", "Again", "--when", "2024-04-07T07:40",
        "--attach", str(cli / "IMG_0099.jpg"),
    )  # fmt: skip
    assert r.code == 0, r.err
    out, up = _export(capsys, cli)
    f = next(f for b in out["portal"]["batches"] for f in b["files"] if f["reference"] == "SM/6")  # type: ignore[index]
    assert f["name"] == "SM-06 IMG 0099 2024-04-07.jpg"
    assert "Captured Sun 7 Apr 2024 07:45 (the camera's clock, recorded inside the file)" in f["caption"]
    rows = list(csv.DictReader(io.StringIO(_bundle(cli)["data/exhibits.csv"].decode("utf-8-sig"))))
    assert next(r for r in rows if r["reference"] == "SM/6")["file_date_taken"].startswith("2024-04-07T07:45")
    readme = (up / "README.txt").read_bytes().decode("utf-8-sig")
    assert "unencrypted copies of your evidence" in readme


def test_batches_over_25_files_are_warned_about(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys, "export", "--out", str(cli / "log.zip"), "--initials", "SM", "--portal", str(cli / "up"),
        "--batch-size", "30",
    )  # fmt: skip
    assert r.code == 0 and "more than the 25 a submission" in r.err
    r = run_cli(
        capsys, "export", "--out", str(cli / "b.zip"), "--portal", str(cli / "up2"), "--batch-size", "25"
    )
    assert r.code == 0 and r.err == ""


def test_a_folder_left_by_a_crash_is_removed_next_time_but_not_one_being_written(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import fcntl
    import os

    dead = cli / ".tmp-portal-dead"
    (dead / "Batch 01 of 01").mkdir(parents=True)
    (dead / "Batch 01 of 01" / "SM-01 photo.jpg").write_bytes(b"half")
    live = cli / ".tmp-portal-live"
    live.mkdir()
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another export still writing it
        _export(capsys, cli)
        assert not dead.exists() and live.is_dir()
    finally:
        os.close(fd)
