"""The police bundle end to end: independent tools accept it, any change is named."""

from __future__ import annotations

import hashlib
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.demo import fill_demo
from victim_log.errors import IntegrityError
from victim_log.export.bundle import export
from victim_log.export.bundle import signing_fingerprint
from victim_log.export.case import ExportOptions
from victim_log.model import IncidentData
from victim_log.vault import Vault
from victim_log.verify import verify_bundle


@pytest.fixture(scope="module")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("bundle")
    v, _ = Vault.create(base / "vault", PASSPHRASE)
    fill_demo(v)
    for n, iid in enumerate((3, 10, 20)):
        data = (b"\xff\xd8\xff\xe0" + os.urandom(3000)) if n != 1 else f"chat log {n}\n".encode() * 50
        v.evidence.add_bytes(data, f"evidence {n}.{'txt' if n == 1 else 'jpg'}", incident_id=iid)
    cur = v.get_incident(5)
    v.edit_incident(
        5, IncidentData(**{**cur.data.__dict__, "private_note": f"note {CANARY}"}), "added a private note"
    )
    out = base / "sam-morgan-export.zip"
    result = export(v, out, ExportOptions(initials="SM"))
    assert result.exhibits == 3
    v.lock()
    unz = base / "unzipped"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(unz)
    return out, unz / "sam-morgan-export", result.fingerprint


def test_verify_says_valid(demo_bundle: tuple[Path, Path, str]) -> None:
    out, _, fp = demo_bundle
    report = verify_bundle(out)
    assert report.valid, report.problems
    assert report.fingerprint == fp


def test_independent_tools_accept_it(demo_bundle: tuple[Path, Path, str]) -> None:
    _, bag, _ = demo_bundle
    for cmd in (
        ["sha256sum", "-c", "--quiet", "manifest-sha256.txt"],
        ["sha256sum", "-c", "--quiet", "tagmanifest-sha256.txt"],
        ["minisign", "-Vm", "tagmanifest-sha256.txt", "-p", "minisign.pub"],
    ):
        proc = subprocess.run(cmd, cwd=bag, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, (cmd, proc.stdout, proc.stderr)
    with open(bag / "tagmanifest-sha256.txt", "rb") as fh:
        proc = subprocess.run(
            [
                "ssh-keygen",
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                "victim-log-export",
                "-n",
                "victim-log",
                "-s",
                "tagmanifest-sha256.txt.sig",
            ],
            cwd=bag,
            stdin=fh,
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.returncode == 0, proc.stderr
    import bagit

    bagit.Bag(str(bag)).validate()
    proc = subprocess.run(
        ["python3", "verify_bundle.py"], cwd=bag, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_exhibits_are_the_originals(demo_bundle: tuple[Path, Path, str]) -> None:
    _, bag, _ = demo_bundle
    names = sorted(p.name for p in (bag / "data" / "exhibits").iterdir())
    assert [n.split("_")[0] for n in names] == ["SM-1", "SM-2", "SM-3"]
    rows = (bag / "data" / "exhibits.csv").read_text(encoding="utf-8-sig")
    for p in (bag / "data" / "exhibits").iterdir():
        assert hashlib.sha256(p.read_bytes()).hexdigest() in rows


def test_private_note_absent_by_default(demo_bundle: tuple[Path, Path, str]) -> None:
    out, bag, _ = demo_bundle
    from tests.leakscan import scan

    assert scan([bag, out], CANARY) == []
    text = subprocess.run(
        ["pdftotext", str(bag / "data" / "timeline.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Page 1 of" in text and CANARY not in text


def test_pdf_holds_every_summary(demo_bundle: tuple[Path, Path, str]) -> None:
    _, bag, _ = demo_bundle
    import json

    from pypdf import PdfReader

    doc = json.loads((bag / "data" / "timeline.json").read_text())
    reader = PdfReader(str(bag / "data" / "timeline.pdf"))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for incident in doc["incidents"]:
        assert " ".join(incident["summary"].split()) in text


def _rezip(
    src: Path, dst: Path, *, change: str | None = None, drop: str | None = None, add: str | None = None
) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            if info.filename == drop:
                continue
            data = zin.read(info.filename)
            if info.filename == change:
                data = bytes([data[0] ^ 1]) + data[1:] if data else b"x"
            zout.writestr(info, data)
        if add:
            zout.writestr(add, b"planted")


def test_every_changed_file_is_named(demo_bundle: tuple[Path, Path, str], tmp_path: Path) -> None:
    out, _, _ = demo_bundle
    with zipfile.ZipFile(out) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
    for name in names:
        bad = tmp_path / "bad.zip"
        _rezip(out, bad, change=name)
        report = verify_bundle(bad)
        assert not report.valid, name
        short = name.split("/", 1)[1]
        assert any(short in p.file for p in report.problems), (name, report.problems)
    top = names[0].split("/")[0]
    _rezip(out, tmp_path / "added.zip", add=f"{top}/data/extra.txt")
    assert any("extra.txt" in p.file for p in verify_bundle(tmp_path / "added.zip").problems)
    _rezip(out, tmp_path / "dropped.zip", drop=f"{top}/data/timeline.csv")
    assert any("timeline.csv" in p.file for p in verify_bundle(tmp_path / "dropped.zip").problems)


def test_cli_export_and_verify_exit_codes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    run_cli(capsys, "demo")
    out = tmp_path / "e.zip"
    r = run_cli(capsys, "export", "--out", str(out), "--initials", "SM", "--redact", "locations")
    assert r.code == 0 and "Read this out" in r.out
    r = run_cli(capsys, "verify", str(out), "--json")
    assert r.code == 0
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as zf:
        first = [n for n in zf.namelist() if n.endswith("timeline.json")][0]
    _rezip(out, bad, change=first)
    r = run_cli(capsys, "verify", str(bad))
    assert r.code == 1 and "timeline.json" in r.out
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip at all")
    assert run_cli(capsys, "verify", str(junk)).code == 2
    for fmt in ("pdf", "csv", "json"):
        assert run_cli(capsys, "export", "--out", str(tmp_path / f"t.{fmt}"), "--format", fmt).code == 0
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    assert run_cli(capsys, "export", "--out", str(tmp_path / "x.zip"), "--redact", "bogus").code == 2


def test_damaged_evidence_aborts_export(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    iid = v.add_incident(IncidentData(summary="x"))
    eid, _ = v.evidence.add_bytes(os.urandom(3 * 1024 * 1024), "video.mp4", incident_id=iid)
    blob = v.evidence._blob_path(v.evidence.get(eid).blob_id)
    raw = bytearray(blob.read_bytes())
    raw[2 * 1024 * 1024] ^= 1
    blob.write_bytes(raw)
    out = tmp_path / "e.zip"
    with pytest.raises(IntegrityError):
        export(v, out, ExportOptions(initials="SM"))
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]
    v.lock()


def test_signing_key_is_stable(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    first = signing_fingerprint(v)
    v.lock()
    v = Vault.open(tmp_path / "v", PASSPHRASE)
    assert signing_fingerprint(v) == first
    v.lock()
