"""Statement drafts (#21): `victim-log statement --out FILE.docx|.odt`.

The draft helps the victim and an advocate prepare a witness statement: the entries in
date order in the victim's words, each exhibit produced once in a sentence with the
same reference as the police export, the effect, what they did, the reports made;
DRAFT on every page and never signed; no private note unless asked for. The files are
read back with python-docx and, for .odt, as the zip of XML parts it is.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from defusedxml import ElementTree

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.export.statement import DRAFT_MARK

ODT_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    (tmp_path / "car.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"1" * 100)
    (tmp_path / "texts.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"2" * 100)
    (tmp_path / "voicemail.txt").write_bytes(b"transcript\n")

    def add(*args: str) -> None:
        r = run_cli(capsys, "add", *args)
        assert r.code == 0, r.err

    # Added out of date order: the draft must still tell it in date order.
    add(
        "--kind", "message", "--summary", "Twenty texts in an hour", "--when", "2024-04-02T21:00",
        "--details", "He sent twenty texts.\n\nThe last one said he knew where I was.",
        "--attach", str(tmp_path / "texts.png"), "--how", "screenshot", "--captured-on", "2024-04-02T22:10",
        "--effect", "I was frightened to go out", "--private-note", CANARY,
    )  # fmt: skip
    add(
        "--kind", "loitering", "--summary", "Car parked outside my house", "--when", "2024-03-31T18:20",
        "--attach", str(tmp_path / "car.jpg"), "--how", "photo", "--captured-on", "2024-03-31T18:20",
        "--description", "the silver car outside my house", "--person", "Dan Marsh",
        "--person-role", "perpetrator",
    )  # fmt: skip
    add(
        "--kind", "voicemail", "--summary", "Voicemail", "--when", "2024-04-05T08:00",
        "--attach", str(tmp_path / "voicemail.txt"), "--attach", str(tmp_path / "car.jpg"),
    )  # fmt: skip
    return tmp_path


def _docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    body = "\n".join(p.text for p in doc.paragraphs)
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    return header + "\n" + body


def _odt_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        first = zf.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert zf.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        root = ElementTree.fromstring(zf.read("content.xml"))
        styles = ElementTree.fromstring(zf.read("styles.xml"))
        ElementTree.fromstring(zf.read("META-INF/manifest.xml"))
        ElementTree.fromstring(zf.read("meta.xml"))
    paras = ["".join(el.itertext()) for el in root.iter() if el.tag in (f"{ODT_TEXT}p", f"{ODT_TEXT}h")]
    header = "".join(styles.itertext()).strip()
    # An independent ODF reader (odfpy) opens it and finds the same paragraphs.
    from odf import teletype
    from odf import text
    from odf.opendocument import load

    doc = load(str(path))
    assert doc.mimetype == "application/vnd.oasis.opendocument.text"
    read = [teletype.extractText(e) for kind in (text.P, text.H) for e in doc.getElementsByType(kind)]
    assert not Counter(paras) - Counter(read)  # every paragraph, and nothing else but
    assert set((Counter(read) - Counter(paras)).elements()) <= {DRAFT_MARK}  # the page header
    return header + "\n" + "\n".join(paras)


def _all_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"".join(zf.read(n) for n in zf.namelist())


def _statement(capsys: pytest.CaptureFixture[str], out: Path, *extra: str) -> dict[str, object]:
    r = run_cli(capsys, "statement", "--out", str(out), "--initials", "SM", *extra, "--json")
    assert r.code == 0, r.err
    assert CANARY not in r.out and CANARY not in r.err
    return json.loads(r.out)


@pytest.mark.parametrize("ext", ["docx", "odt"])
def test_the_draft_reads_back_with_every_exhibit_of_the_export_in_date_order(
    log: Path, capsys: pytest.CaptureFixture[str], ext: str
) -> None:
    out = log / f"draft.{ext}"
    report = _statement(capsys, out)
    text = _docx_text(out) if ext == "docx" else _odt_text(out)
    # The police export made afterwards gives the same references (they never move).
    r = run_cli(capsys, "export", "--out", str(log / "log.zip"), "--initials", "SM")
    assert r.code == 0, r.err
    with zipfile.ZipFile(log / "log.zip") as zf:
        name = next(n for n in zf.namelist() if n.endswith("data/exhibits.csv"))
        rows = list(csv.DictReader(io.StringIO(zf.read(name).decode("utf-8-sig"))))
    refs = [row["reference"] for row in rows]
    assert refs == ["SM/1", "SM/2", "SM/3"] and report["exhibits"] == refs
    for row in rows:
        # Each exhibit produced exactly once, in a sentence, and listed with its hash.
        assert text.count(f"I produce {row['reference']},") == 1, row["reference"]
        assert f"{row['reference']}: " in text and row["sha256"] in text
    assert "Exhibit SM/1, produced above, also relates to this." in text  # car.jpg again
    # Date order, whatever order the entries were written in.
    car, texts, voicemail = (text.index(s) for s in ("Car parked outside", "Twenty texts", "Voicemail"))
    assert car < texts < voicemail
    # The victim's own words, paragraphs kept; the effect; the provenance line.
    assert "He sent twenty texts." in text and "The last one said he knew where I was." in text
    assert "How it affected me: I was frightened to go out." in text
    assert "a photograph I took on Sun 31 Mar 2024 at 18:20" in text
    assert "It shows: the silver car outside my house." in text
    assert "Dan Marsh" in text
    # Plainly a draft, never signed: on every page (the header) and at both ends.
    assert text.startswith("DRAFT: prepared from Victim Log") and "Not signed" in text
    assert text.count("DRAFT") >= 3 and "[your name]" in text
    # No private note unless asked: the canary is nowhere in the file, any part of it.
    assert report["private_notes"] is False
    assert CANARY.encode() not in _all_bytes(out)


@pytest.mark.parametrize("ext", ["docx", "odt"])
def test_private_notes_only_when_asked(log: Path, capsys: pytest.CaptureFixture[str], ext: str) -> None:
    out = log / f"with.{ext}"
    report = _statement(capsys, out, "--include-private")
    assert report["private_notes"] is True
    text = _docx_text(out) if ext == "docx" else _odt_text(out)
    assert f"Private note (yours; leave it out unless you choose): {CANARY}." in text


def test_what_i_did_and_reports_made_are_listed(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(
        capsys, "add", "--kind", "in_person", "--summary", "Followed me home", "--when", "2024-04-06T17:00",
        "--did", "I rang 999", "--police-ref", "CR/0412/24", "--officer", "PC Jo Bell", "--collar", "4471",
        "--reported-on", "2024-04-06", "--effects", "changed_routine",
    )  # fmt: skip
    assert r.code == 0, r.err
    out = log / "d.docx"
    _statement(capsys, out)
    text = _docx_text(out)
    assert "What I did: I rang 999." in text
    line = "I reported this to the police on Sat 6 Apr 2024 (officer PC Jo Bell 4471); the reference is CR/0412/24."
    assert text.count(line) == 2  # under the entry, and in "Reports I made"
    assert "Reports I made" in text and "The entries record: " in text


def test_a_name_that_is_not_docx_or_odt_is_refused_before_anything(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("draft.txt", "draft", "draft.pdf"):
        r = run_cli(capsys, "statement", "--out", str(log / name), "--initials", "SM")
        assert r.code == 2 and ".docx" in r.err and "Traceback" not in r.err
        assert not (log / name).exists()


def test_a_folder_is_refused(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (log / "d.docx").mkdir()
    r = run_cli(capsys, "statement", "--out", str(log / "d.docx"), "--initials", "SM")
    assert r.code == 2 and "folder" in r.err


def test_a_us_case_gets_a_declaration_with_the_fre_902_certification_template(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = log / "us.docx"
    report = _statement(capsys, out, "--country", "us")
    assert report["country"] == "US"
    text = _docx_text(out)
    assert "DRAFT declaration, with a certification template for the exhibits" in text
    assert "Certification template: Federal Rules of Evidence 902(13) and 902(14)" in text
    assert "I declare under penalty of perjury that the foregoing is true and correct." in text
    assert "28 U.S.C. § 1746(2)" in text and "under the laws of the United States of America" in text
    assert "[Signature: left blank." in text  # never signed by the app
    assert "SHA-256 hash value" in text and "FIPS 180-4" in text
    for ref in report["exhibits"]:  # type: ignore[union-attr]
        assert f"Exhibit {ref}: original file name " in text
        assert text.count(f"I produce {ref},") == 0 and text.count(f"Exhibit {ref} is ") == 1
    assert CANARY.encode() not in _all_bytes(out)
    # The country is the case's: kept in the log for the next draft, until changed.
    again = _statement(capsys, log / "again.odt")
    assert again["country"] == "US" and "902(14)" in _odt_text(log / "again.odt")
    uk = _statement(capsys, log / "uk.docx", "--country", "GB")
    uk_text = _docx_text(log / "uk.docx")
    assert uk["country"] == "GB" and "902(" not in uk_text and "penalty of perjury" not in uk_text
    assert "I produce SM/1," in uk_text


def test_an_unknown_country_is_refused(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "statement", "--out", str(log / "x.docx"), "--country", "FR")
    assert r.code == 2 and "GB" in r.err and "US" in r.err
    assert not (log / "x.docx").exists()


def test_statement_json_has_exactly_the_documented_keys(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    keys = ["path", "format", "incidents", "exhibits", "private_notes", "draft", "country"]
    report = _statement(capsys, log / "k.docx")
    assert list(report) == keys
    doc = (Path(__file__).resolve().parent.parent / "docs" / "export-format.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| statement (`statement --json`)"))
    assert re.findall(r"`([a-z_]+)`(?: \(|,| \|)", row.split("|")[2]) == keys
