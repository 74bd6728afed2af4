"""Every hostile bundle gets the same verdict from all three checkers (issue #14).

The core ``verify_bundle()``, the CLI ``victim-log verify --json`` and the trusted
``resources/verify_bundle.py`` (run as its own process, never the copy inside the
bundle) must agree on each case of :mod:`tests.hostile_bundles`: the exit code the
case expects (1 changed, 2 not a bundle / unsafe zip) and a reason that names what is
wrong. Only the genuine bundle (and the same content re-signed by the victim's own
key) may give exit 0.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests import hostile_bundles as hb
from victim_log.errors import NotABundle
from victim_log.export import sign
from victim_log.resources import resource_path
from victim_log.verify import format_report
from victim_log.verify import verify_bundle


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> hb.Genuine:
    return hb.make_genuine(tmp_path_factory.mktemp("genuine"))


def run_core(path: Path, pin: str | None) -> tuple[int, str]:
    try:
        report = verify_bundle(path, expected_fingerprint=pin)
    except NotABundle as exc:
        return 2, exc.message
    text = format_report(report) + "\n" + json.dumps(report.to_json()["problems"])
    return (0 if report.valid else 1), text


def run_cli(path: Path, pin: str | None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from victim_log.cli import main

    args = ["verify", str(path), "--json"] + (["--expect-key", pin] if pin else [])
    code = main(args)
    captured = capsys.readouterr()
    if code in (0, 1):
        doc = json.loads(captured.out)
        assert doc["valid"] is (code == 0), doc
    return code, captured.out + captured.err


def run_script(path: Path, pin: str | None) -> tuple[int, str]:
    args = [sys.executable, "-I", str(resource_path("verify_bundle.py")), str(path)]
    if pin:
        args += ["--expect-key", pin]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def verdicts(path: Path, pin: str | None, capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[int, str]]:
    return {
        "core": run_core(path, pin),
        "cli": run_cli(path, pin, capsys),
        "script": run_script(path, pin),
    }


def test_the_corpus_is_large_and_names_are_unique() -> None:
    ids = [c.id for c in hb.CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 50
    assert {c.exit for c in hb.CASES} == {1, 2}


@pytest.mark.parametrize("control", sorted(hb.CONTROLS))
def test_genuine_bundles_are_valid_everywhere_and_say_the_signer_is_unconfirmed(
    genuine: hb.Genuine, tmp_path: Path, capsys: pytest.CaptureFixture[str], control: str
) -> None:
    path = hb.CONTROLS[control](genuine, tmp_path / f"{control}.zip")
    got = verdicts(path, None, capsys)
    wrong = {who: out for who, (code, out) in got.items() if code != 0}
    assert not wrong, f"{control}: expected exit 0 from every checker, got {wrong}"
    for who, (_, out) in got.items():
        assert genuine.fingerprint in out, (who, out)
    for who in ("core", "script"):
        assert re.search(r"not yet confirmed", got[who][1], re.I), (who, got[who][1])
    pinned = verdicts(path, genuine.fingerprint, capsys)
    assert {who: code for who, (code, _) in pinned.items()} == dict.fromkeys(pinned, 0), pinned


@pytest.mark.parametrize("case", hb.CASES, ids=[c.id for c in hb.CASES])
def test_every_checker_gives_the_same_verdict_and_names_the_reason(
    genuine: hb.Genuine, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: hb.Case
) -> None:
    path = case.build(genuine, tmp_path / f"{case.id}.zip")
    pin = genuine.fingerprint if case.expect_key else None
    pattern = hb.reason_pattern(case, genuine)
    got = verdicts(path, pin, capsys)
    failures = []
    for who, (code, out) in got.items():
        if code != case.exit:
            failures.append(f"{who}: exit {code}, expected {case.exit}: {out.strip()[:600]}")
        elif not re.search(pattern, out, re.I):
            failures.append(f"{who}: reason does not match /{pattern}/: {out.strip()[:600]}")
    assert not failures, f"{case.id} ({case.note.strip()})\n" + "\n".join(failures)


# --- the builder does what it says --------------------------------------------------------


def test_the_rebuilt_bundle_is_byte_identical(genuine: hb.Genuine, tmp_path: Path) -> None:
    """So the journal and re-signing cases change exactly what they say and no more."""
    assert hb.control_rebuilt(genuine, tmp_path / "r.zip").read_bytes() == genuine.data


def test_python_zipfile_reads_the_forgery_hidden_in_the_comment(genuine: hb.Genuine, tmp_path: Path) -> None:
    """The issue's finding 1: mainstream readers see the forged files, not the real ones."""
    case = next(c for c in hb.CASES if c.id == "second-central-directory-in-comment")
    path = case.build(genuine, tmp_path / "c.zip")
    with zipfile.ZipFile(path) as zf:
        forged = zf.read(genuine.prefix + "data/timeline.csv")
    assert b"nothing ever happened" in forged
    assert genuine.members()["data/timeline.csv"] != forged


def test_the_hand_built_journal_is_a_valid_chain(genuine: hb.Genuine) -> None:
    lines = hb.new_format_journal(genuine)
    assert [e["seq"] for e in lines] == list(range(1, len(lines) + 1))
    assert lines[0]["prev"] == hb.ZERO
    assert all(b["prev"] == a["hash"] for a, b in zip(lines, lines[1:], strict=False))
    assert any(e.get("withheld") for e in lines)
    assert any(not e.get("withheld") for e in lines)


def test_the_other_key_is_not_the_victims(genuine: hb.Genuine) -> None:
    assert sign.fingerprint(hb.OTHER_KEY.public_key()) != genuine.fingerprint


def test_readme_and_pdf_send_the_officer_to_the_sender_and_the_signature_first(
    genuine: hb.Genuine,
) -> None:
    """Issue #14: what the bundle prints about its own key proves nothing, so the
    officer is told to compare with what the sender said and to check the signature
    before running anything from the bundle."""
    import io

    import pypdf

    members = genuine.members()
    readme = members["README.txt"].decode()
    assert genuine.fingerprint not in readme
    assert genuine.short_fingerprint not in readme
    flat = " ".join(readme.split())
    assert "by phone or in person, not from this bundle" in flat
    assert "run no script from inside it, until you have checked its signature" in flat
    assert f"victim-log verify {genuine.bag}.zip --expect-key" in readme
    assert "ssh-keygen -Y verify" in readme
    assert "minisign -Vm" in readme
    assert "published in Victim Log's README" in flat
    pdf = pypdf.PdfReader(io.BytesIO(members["data/timeline.pdf"]))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    assert "so do not compare with it" in text
    assert "by phone or in person" in text
    assert "before running any script from inside the bundle" in text
    assert "if it matches, the bundle is unchanged" not in text
