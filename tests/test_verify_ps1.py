"""The Windows route (#21): `verify_bundle.ps1` checks every hash and says it does not
check the signature.

PowerShell (`pwsh`) is not on this machine or CI (it is not in Debian's archive and
no reachable registry serves it), so the script's logic is tested through a Python
twin, :func:`twin`, that follows the script's numbered steps one for one (a test holds
the two lists of steps together); where `pwsh` is on PATH the real script is run on
the same cases and must give the same lines and exit code. README.md says so.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "resources" / "verify_bundle.ps1"
NO_SIGNATURE = "This script does NOT check the signature"

#: The script's steps, in order; each is a "# STEP n: ..." comment in the script and
#: the same text in the twin below.
STEPS = (
    "STEP 1: a .zip is unzipped into a new temporary folder first (nothing is run from it).",
    "STEP 2: the bag is the folder holding bagit.txt: the one given, or its only subfolder.",
    'STEP 3: read a manifest: one "<64 hex>  <path>" a line; anything else is refused.',
    'STEP 4: a path must stay inside the bundle: no absolute path, no "..", no "\\".',
    "STEP 5: every listed file must exist and have the listed SHA-256 (tag files, then data/).",
    "STEP 6: every file in the bundle must be listed (the two signature files sign the lists).",
    "STEP 7: the verdict, and always what was not checked.",
)
UNLISTED = ("tagmanifest-sha256.txt", "tagmanifest-sha256.txt.minisig", "tagmanifest-sha256.txt.sig")


class NotABundle(Exception):
    pass


def _decode(encoded: str) -> str:
    return (
        encoded.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
    )


def _read_manifest(bag: Path, name: str) -> dict[str, str]:
    # STEP 3: read a manifest: one "<64 hex>  <path>" a line; anything else is refused.
    file = bag / name
    if not file.is_file():
        raise NotABundle(f"{name} is missing")
    entries: dict[str, str] = {}
    for line in file.read_text(encoding="utf-8-sig").splitlines():
        if line == "":
            continue
        m = re.match(r"^([0-9a-fA-F]{64})[ \t]+(.+)$", line)
        if m is None:
            raise NotABundle(f"a line of {name} is not a SHA-256 and a path")
        digest, rel = m.group(1).lower(), _decode(m.group(2))
        # STEP 4: a path must stay inside the bundle: no absolute path, no "..", no "\".
        if (
            rel.startswith("/")
            or "\\" in rel
            or re.search(r"(^|/)\.\.?(/|$)", rel)
            or re.match(r"^[A-Za-z]:", rel)
        ):
            raise NotABundle(f"{name} names a path outside the bundle")
        if rel.casefold() in {k.casefold() for k in entries}:  # PowerShell's keys ignore case
            raise NotABundle(f"{name} lists a file twice")
        entries[rel] = digest
    return entries


def twin(path: Path) -> tuple[int, list[str]]:
    """What verify_bundle.ps1 prints and its exit code, step by step."""
    out: list[str] = []
    temp: Path | None = None
    try:
        # STEP 1: a .zip is unzipped into a new temporary folder first (nothing is run from it).
        target = path.resolve()
        if not target.exists():
            raise NotABundle("no such file or folder")
        if target.is_file():
            if not target.name.lower().endswith(".zip"):
                raise NotABundle("give the bundle's .zip file or its unzipped folder")
            try:
                with zipfile.ZipFile(target) as zf:
                    names = zf.namelist()
            except (zipfile.BadZipFile, OSError):
                raise NotABundle("the zip file cannot be opened") from None
            for n in names:  # every name must stay inside the folder it is unzipped to
                s = n.replace("\\", "/")
                if s.startswith("/") or re.search(r"(^|/)\.\.(/|$)", s) or ":" in s:
                    raise NotABundle("the zip names a path outside its folder")
            temp = Path(tempfile.mkdtemp(prefix="vlc-"))
            try:
                with zipfile.ZipFile(target) as zf:
                    zf.extractall(temp)
            except (zipfile.BadZipFile, OSError):
                raise NotABundle("the zip file cannot be opened") from None
            target = temp
        # STEP 2: the bag is the folder holding bagit.txt: the one given, or its only subfolder.
        bag: Path | None = None
        if (target / "bagit.txt").is_file():
            bag = target
        else:
            subs = [p for p in target.iterdir() if p.is_dir()]
            if len(subs) == 1 and (subs[0] / "bagit.txt").is_file():
                bag = subs[0]
        if bag is None:
            raise NotABundle("no bagit.txt here (unzip the bundle, or give the .zip file)")
        tags = _read_manifest(bag, "tagmanifest-sha256.txt")
        payload = _read_manifest(bag, "manifest-sha256.txt")
        problems: list[str] = []
        checked = 0
        # STEP 5: every listed file must exist and have the listed SHA-256 (tag files, then data/).
        for listing in (tags, payload):
            for rel, digest in listing.items():
                file = bag / rel
                if not file.is_file():
                    problems.append(f"MISSING: {rel}")
                elif hashlib.sha256(file.read_bytes()).hexdigest() != digest:
                    problems.append(f"CHANGED: {rel}")
                else:
                    checked += 1
        # STEP 6: every file in the bundle must be listed (the two signature files sign the lists).
        listed = {k.casefold() for k in (*tags, *payload)}
        for item in sorted(bag.rglob("*")):
            if not item.is_file():
                continue
            rel = item.relative_to(bag).as_posix()
            if rel in UNLISTED:
                continue
            if rel.casefold() not in listed:
                problems.append(f"NOT LISTED: {rel}")
        # STEP 7: the verdict, and always what was not checked.
        out += problems
        if problems:
            out.append(
                f"RESULT: PROBLEMS FOUND ({len(problems)}). The files named above do not match the bundle's lists."
            )
            out.append(NO_SIGNATURE)
            return 1, out
        out.append(
            f"RESULT: all {checked} files match the bundle's lists (manifest-sha256.txt and tagmanifest-sha256.txt)."
        )
        out.append(NO_SIGNATURE)
        return 0, out
    except NotABundle as exc:
        return 2, [f"NOT A BUNDLE: {exc}", NO_SIGNATURE]
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _pwsh(path: Path) -> tuple[int, list[str]] | None:
    exe = shutil.which("pwsh")
    if exe is None:
        return None
    proc = subprocess.run(
        [exe, "-NoProfile", "-NonInteractive", "-File", str(SCRIPT), "-Path", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.returncode, [line for line in proc.stdout.splitlines() if line]


def check(path: Path) -> tuple[int, list[str]]:
    """The twin's verdict, and the real script's where PowerShell is installed."""
    got = twin(path)
    real = _pwsh(path)
    if real is not None:
        # The real script prints a problem's lines in its own listing order.
        assert (real[0], sorted(real[1])) == (got[0], sorted(got[1]))
    return got


# ---------------------------------------------------------------------------- the script's text


def test_the_twin_follows_the_scripts_steps_in_order() -> None:
    in_script = re.findall(r"# (STEP \d+: .*)", SCRIPT.read_text(encoding="ascii"))
    in_twin = re.findall(
        r"# (STEP \d+: .*)", Path(__file__).read_text(encoding="utf-8").split("def _pwsh")[0]
    )
    assert sorted(in_script) == sorted(STEPS)
    assert in_twin == in_script  # the same steps, in the same places (the manifest reader first)


def test_the_script_checks_hashes_says_it_does_not_check_the_signature_and_is_ascii() -> None:
    raw = SCRIPT.read_bytes()
    raw.decode("ascii")  # Windows PowerShell 5.1 reads a BOM-less file as the ANSI code page
    text = raw.decode("ascii")
    assert "Get-FileHash -LiteralPath $File -Algorithm SHA256" in text
    assert '"tagmanifest-sha256.txt"' in text and '"manifest-sha256.txt"' in text
    assert text.count("$NoSignature") >= 4  # the constant and every way out: 2, 1 and 0
    assert "IT DOES NOT CHECK THE SIGNATURE" in text and NO_SIGNATURE in text
    assert "exit 0" in text and "exit 1" in text and "exit 2" in text


def test_readme_publishes_the_scripts_hash() -> None:
    published = re.findall(
        r"verify_bundle\.ps1 SHA-256: ([0-9a-f]{64})", (ROOT / "README.md").read_text(encoding="utf-8")
    )
    assert published == [hashlib.sha256(SCRIPT.read_bytes()).hexdigest()]


# ---------------------------------------------------------------------------- on a real bundle


@pytest.fixture
def bundle(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    (tmp_path / "photo [1].jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"1" * 200)
    (tmp_path / "note.txt").write_bytes(b"a message\n")
    for name in ("photo [1].jpg", "note.txt"):
        r = run_cli(
            capsys, "add", "--kind", "loitering", "--summary", "Outside", "--attach", str(tmp_path / name)
        )
        assert r.code == 0, r.err
    r = run_cli(capsys, "export", "--out", str(tmp_path / "log.zip"), "--initials", "SM")
    assert r.code == 0, r.err
    return tmp_path / "log.zip"


def _unzipped(zip_path: Path) -> Path:
    dest = zip_path.parent / "unzipped"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    (bag,) = list(dest.iterdir())
    return bag


def test_the_bundle_carries_the_script_listed_in_its_signed_tag_manifest(bundle: Path) -> None:
    bag = _unzipped(bundle)
    assert (bag / "verify_bundle.ps1").read_bytes() == SCRIPT.read_bytes()
    tags = (bag / "tagmanifest-sha256.txt").read_text()
    assert f"{hashlib.sha256(SCRIPT.read_bytes()).hexdigest()}  verify_bundle.ps1" in tags
    readme = (bag / "README.txt").read_text(encoding="utf-8")
    assert "certutil -hashfile data\\exhibits\\SM-1_NAME SHA256" in readme
    assert "Get-FileHash -Algorithm SHA256 -LiteralPath data\\exhibits\\SM-1_NAME" in readme
    assert "powershell -ExecutionPolicy Bypass -File verify_bundle.ps1" in readme
    assert "does not check the\n  signature" in readme
    # And the bundle is still valid for the real checker.
    from victim_log.cli import main

    assert main(["verify", str(bundle)]) == 0


def test_an_intact_bundle_passes_from_the_zip_and_the_folder(bundle: Path) -> None:
    code, out = check(bundle)
    assert code == 0 and out[-1].startswith(NO_SIGNATURE)
    bag = _unzipped(bundle)
    listed = len((bag / "manifest-sha256.txt").read_text().splitlines()) + len(
        (bag / "tagmanifest-sha256.txt").read_text().splitlines()
    )
    assert (
        out[0]
        == f"RESULT: all {listed} files match the bundle's lists (manifest-sha256.txt and tagmanifest-sha256.txt)."
    )
    assert check(bag) == (code, out)
    assert check(bag.parent) == (code, out)  # the folder unzipping made, holding the bag


def test_a_changed_missing_or_added_file_is_named(bundle: Path) -> None:
    bag = _unzipped(bundle)
    exhibit = next((bag / "data" / "exhibits").glob("SM-1_*"))
    exhibit.write_bytes(exhibit.read_bytes() + b"x")
    (
        bag
        / "data"
        / "exhibits"
        / next(iter(sorted(p.name for p in (bag / "data" / "exhibits").glob("SM-2_*"))))
    ).unlink()
    (bag / "data" / "exhibits" / "extra.jpg").write_bytes(b"planted")
    info = bag / "bag-info.txt"
    info.write_text(info.read_text().replace("Victim Log", "Victim Log!", 1))
    code, out = check(bag)
    assert code == 1
    rel = exhibit.relative_to(bag).as_posix()
    assert f"CHANGED: {rel}" in out
    assert any(line.startswith("MISSING: data/exhibits/SM-2_") for line in out)
    assert "NOT LISTED: data/exhibits/extra.jpg" in out
    assert "CHANGED: bag-info.txt" in out
    assert out[-2] == "RESULT: PROBLEMS FOUND (4). The files named above do not match the bundle's lists."
    assert out[-1].startswith(NO_SIGNATURE)


def test_lists_rewritten_to_match_a_changed_file_still_fail_on_the_tag_manifest(bundle: Path) -> None:
    bag = _unzipped(bundle)
    exhibit = next((bag / "data" / "exhibits").glob("SM-1_*"))
    old = hashlib.sha256(exhibit.read_bytes()).hexdigest()
    exhibit.write_bytes(b"forged")
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text().replace(old, hashlib.sha256(b"forged").hexdigest()))
    code, out = check(bag)
    assert (code, out[0]) == (1, "CHANGED: manifest-sha256.txt")
    # Rewriting the tag manifest too is what only the signature catches: said every time.
    tags = bag / "tagmanifest-sha256.txt"
    line = next(x for x in tags.read_text().splitlines() if x.endswith("  manifest-sha256.txt"))
    tags.write_text(
        tags.read_text().replace(
            line, f"{hashlib.sha256(manifest.read_bytes()).hexdigest()}  manifest-sha256.txt"
        )
    )
    code, out = check(bag)
    assert code == 0 and out[-1].startswith(NO_SIGNATURE)


@pytest.mark.parametrize(
    "line",
    [
        "0" * 64 + "  ../outside.txt",
        "0" * 64 + "  /etc/passwd",
        "0" * 64 + "  data\\exhibits\\x",
        "0" * 64 + "  C:/Windows/x",
        "not a hash  data/x",
    ],
)
def test_a_manifest_naming_a_path_outside_the_bundle_is_refused(bundle: Path, line: str) -> None:
    bag = _unzipped(bundle)
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text(manifest.read_text() + line + "\n")
    code, out = check(bag)
    assert code == 2 and out[0].startswith("NOT A BUNDLE: ") and out[1].startswith(NO_SIGNATURE)


def test_a_zip_naming_a_path_outside_its_folder_is_refused_before_unzipping(tmp_path: Path) -> None:
    for name in ("../evil.txt", "bag/../../evil.txt", "/etc/evil", "C:/evil.txt", "..\\evil.txt"):
        bad = tmp_path / "bad.zip"
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
            zf.writestr(name, "x")
        code, out = check(bad)
        assert (code, out[0]) == (2, "NOT A BUNDLE: the zip names a path outside its folder"), name
    assert not (tmp_path.parent / "evil.txt").exists()


def test_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("hello")
    assert check(tmp_path / "x.txt")[0] == 2
    assert check(tmp_path / "missing.zip")[0] == 2
    (tmp_path / "bad.zip").write_bytes(b"PK not really")
    assert check(tmp_path / "bad.zip")[0] == 2
    assert check(tmp_path)[0] == 2


def test_the_pdf_gives_the_windows_routes(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        pdf = next(zf.read(n) for n in zf.namelist() if n.endswith("data/timeline.pdf"))
    (bundle.parent / "t.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(bundle.parent / "t.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = " ".join(text.split())
    assert "certutil -hashfile FILE SHA256" in words
    assert "Get-FileHash -Algorithm SHA256 FILE" in words
    assert "verify_bundle.ps1, which checks every file but not the signature" in words
