"""Where each exhibit came from, as an officer needs it for a statement (#16.7).

Files go in through the CLI as a victim or a support worker would add them (with
``--how``, ``--captured-by``... or without), and the tests read the exhibit schedule
in the PDF (pdftotext), exhibits.csv and timeline.json: provenance given at intake,
EXIF date/GPS/device with a flag when the file's date is not the entry's, every name
the same bytes arrived under, who added it, the draft statement line, and a PDF
exported alone that says it is an unsigned copy.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.bundle_text import pdf_words
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.importers.util import jpeg_with_exif
from tests.importers.util import tiff_exif

PHOTO = jpeg_with_exif(
    tiff_exif(
        make="Apple",
        model="iPhone 12",
        taken="2024:03:30 18:29:00",
        gps=("N", (53, 48, 0), "W", (1, 33, 0)),
    )
)
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    (tmp_path / "IMG_0042.jpg").write_bytes(PHOTO)
    (tmp_path / "from_jo.jpg").write_bytes(PHOTO)  # the same bytes, sent on by a support worker
    (tmp_path / "shot.png").write_bytes(SCREENSHOT)
    return tmp_path


def _add(capsys: pytest.CaptureFixture[str], *args: str) -> int:
    r = run_cli(capsys, "add", "--kind", "loitering", *args)
    assert r.code == 0, r.err
    return int(r.out.strip())


def _bundle(capsys: pytest.CaptureFixture[str], tmp: Path, *extra: str) -> dict[str, bytes]:
    out = tmp / "b.zip"
    r = run_cli(capsys, "export", "--out", str(out), "--initials", "SM", *extra)
    assert r.code == 0, r.err
    with zipfile.ZipFile(out) as zf:
        return {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist() if not n.endswith("/")}


def _exhibits_csv(files: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files["data/exhibits.csv"].decode("utf-8-sig"))))


def test_provenance_given_at_intake_is_in_every_output(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    iid = _add(
        capsys,
        "--summary",
        "Car parked outside again",
        "--when",
        "2024-03-31T18:30",
        "--attach",
        str(cli / "IMG_0042.jpg"),
        "--how",
        "photo",
        "--captured-by",
        "me",
        "--device",
        "my phone",
        "--captured-on",
        "2024-03-31T18:30",
        "--description",
        "the silver car outside my house",
    )
    items = json.loads(run_cli(capsys, "evidence", "list", "--json").out)
    assert items[0]["metadata"]["provenance"]["how"] == "photo"
    assert items[0]["metadata"]["provenance"]["description"] == "the silver car outside my house"
    files = _bundle(capsys, cli)
    doc = json.loads(files["data/timeline.json"])
    (ex,) = doc["exhibits"]
    p = ex["provenance"]
    assert (p["how_obtained"], p["captured_by"], p["device"]) == ("photo", "me", "my phone")
    assert p["captured_on"].startswith("2024-03-31T18:30")
    assert p["file_metadata"]["date_taken"].startswith("2024-03-30T18:29")
    assert p["file_metadata"]["gps"] == pytest.approx([53.8, -1.55])
    assert "iPhone 12" in p["file_metadata"]["device"]
    assert p["added_by"] == "victim" and p["original_filenames"] == ["IMG_0042.jpg"]
    # The camera's date is the day before the entry: said, in neutral words.
    assert any(
        "date recorded inside the file (Sat 30 Mar 2024) is before the date of Entry" in f
        for f in p["date_flags"]
    )
    assert ex["statement"].startswith(
        "I produce SM/1, a photograph I took on my phone on Sun 31 Mar 2024 at 18:30"
    )
    assert "It shows: the silver car outside my house." in ex["statement"]
    row = _exhibits_csv(files)[0]
    assert row["how_obtained"] == "photo" and row["description"] == "the silver car outside my house"
    assert row["file_date_taken"].startswith("2024-03-30") and "iPhone 12" in row["file_device"]
    assert row["file_gps"].startswith("53.8") and row["statement"] == ex["statement"]
    pdf = pdf_words(files["data/timeline.pdf"], cli)
    assert "the silver car outside my house" in pdf and "Photograph" in pdf
    assert "date recorded inside the file (Sat 30 Mar 2024) is before the date of Entry" in pdf
    assert "Appendix C: Draft lines for a witness statement" in pdf
    assert "I produce SM/1, a photograph I took on my phone on Sun 31 Mar 2024" in pdf
    assert "53.800000, -1.550000" in pdf
    assert iid == doc["incidents"][0]["id"]


def test_gps_is_not_printed_when_locations_are_redacted(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(capsys, "--summary", "Car", "--when", "2024-03-30T18:30", "--attach", str(cli / "IMG_0042.jpg"))
    files = _bundle(capsys, cli, "--redact", "locations")
    p = json.loads(files["data/timeline.json"])["exhibits"][0]["provenance"]
    assert p["file_metadata"]["gps"] is None and p["file_metadata"]["gps_redacted"] is True
    assert p["date_flags"] == [
        "The file records a GPS position; it is not shown here because locations are redacted."
    ]
    assert _exhibits_csv(files)[0]["file_gps"] == "redacted"
    assert "53.8" not in pdf_words(files["data/timeline.pdf"], cli)


def test_support_worker_files_and_every_name_a_file_arrived_with(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = _add(
        capsys,
        "--summary",
        "Car outside",
        "--when",
        "2024-03-30T18:30",
        "--attach",
        str(cli / "IMG_0042.jpg"),
    )
    jo = _add(
        capsys,
        "--summary",
        "Screenshot Sam sent me",
        "--when",
        "2024-03-30T19:00",
        "--author",
        "support:Jo Bell",
        "--attach",
        str(cli / "shot.png"),
        "--how",
        "received",
        "--obtained-from",
        "Sam, by WhatsApp",
    )
    # The same photo again, sent on by the support worker under another name.
    r = run_cli(capsys, "evidence", "add", str(cli / "from_jo.jpg"), "--incident", str(jo))
    assert r.code == 0, r.err
    assert "already stored" in r.err
    files = _bundle(capsys, cli)
    doc = json.loads(files["data/timeline.json"])
    by_name = {e["original_filename"]: e for e in doc["exhibits"]}
    photo, shot = by_name["IMG_0042.jpg"], by_name["shot.png"]
    assert shot["added_by"] == "support:Jo Bell"
    assert shot["provenance"]["added_by_label"] == "Support worker: Jo Bell"
    assert shot["statement"].startswith("I produce SM/2, a file I received from Sam, by WhatsApp.")
    assert "Support worker: Jo Bell added it to my log" in shot["statement"]
    assert photo["provenance"]["original_filenames"] == ["IMG_0042.jpg", "from_jo.jpg"]
    assert [(a["filename"], a["added_by"]) for a in photo["provenance"]["arrivals"]] == [
        ("from_jo.jpg", "support:Jo Bell")
    ]
    assert sorted(photo["incident_ids"]) == sorted([own, jo])
    rows = {r["original_filename"]: r for r in _exhibits_csv(files)}
    assert rows["IMG_0042.jpg"]["original_filenames"] == "IMG_0042.jpg; from_jo.jpg"
    assert rows["shot.png"]["added_by_label"] == "Support worker: Jo Bell"
    pdf = pdf_words(files["data/timeline.pdf"], cli)
    assert "Added by Support worker: Jo Bell" in pdf
    assert "Also arrived as from_jo.jpg" in pdf
    assert "Received from someone (from Sam, by WhatsApp)" in pdf


def test_bad_provenance_is_refused_before_anything_is_stored(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    r = run_cli(capsys, "evidence", "add", str(cli / "shot.png"), "--how", "magic")
    assert r.code == 2 and "screenshot" in r.err
    r = run_cli(capsys, "evidence", "add", str(cli / "shot.png"), "--captured-on", "last Tuesday")
    assert r.code == 2
    r = run_cli(capsys, "add", "--kind", "message", "--summary", "x", "--how", "screenshot")
    assert r.code == 2 and "--attach" in r.err
    r = run_cli(capsys, "evidence", "add", str(cli / "shot.png"), "--added-by", "someone")
    assert r.code == 2
    assert json.loads(run_cli(capsys, "evidence", "list", "--json").out) == []
    r = run_cli(capsys, "evidence", "add", str(cli / "shot.png"), "--how", "screenshot", "--json")
    assert r.code == 0 and json.loads(r.out)["metadata"]["provenance"] == {"how": "screenshot"}


def test_a_pdf_exported_alone_says_it_is_an_unsigned_copy(
    cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(capsys, "--summary", "Car", "--when", "2024-03-30T18:30", "--attach", str(cli / "IMG_0042.jpg"))
    out = cli / "alone.pdf"
    r = run_cli(capsys, "export", "--out", str(out), "--initials", "SM", "--format", "pdf")
    assert r.code == 0, r.err
    alone = pdf_words(out.read_bytes(), cli)
    assert "This PDF was exported on its own: it is an unsigned copy" in alone
    assert "SHA256:" not in alone and "File in bundle" not in alone
    assert "bundle's data/exhibits" not in alone and "Gaps in the journal" not in alone
    inside = pdf_words(_bundle(capsys, cli)["data/timeline.pdf"], cli)
    assert "unsigned copy" not in inside
    assert "SHA256:" in inside and "File in bundle" in inside


def test_files_attached_in_the_app_belong_to_the_entrys_author(tmp_path: Path) -> None:
    """The app attaches through Vault.attach_files / add_incident(files=...): a support
    worker's entry gets files added by the support worker, not "victim"."""
    from victim_log.model import IncidentData
    from victim_log.vault import Vault

    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    with v:
        theirs = IncidentData(summary="Sam showed me the texts", kinds=("message",), author="support:Jo Bell")
        iid = v.add_incident(theirs, files=[("first.png", SCREENSHOT)])
        v.attach_files(iid, [("second.jpg", PHOTO)])
        own = v.add_incident(IncidentData(summary="Car", kinds=("loitering",)), files=[("own.png", b"own")])
        got = {e.filename: e.added_by for e in v.evidence.items()}
        assert got == {"first.png": "support:Jo Bell", "second.jpg": "support:Jo Bell", "own.png": "victim"}
        assert v.get_incident(own).evidence
