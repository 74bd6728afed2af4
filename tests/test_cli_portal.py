"""``victim-log portal status|sent|not-sent`` (#21): the public contract of the record
of upload-link batches sent: exit codes, ``--json`` fields (each documented in
docs/export-format.md), and the same record the app keeps."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.test_cli_json_contract import _doc_rows
from victim_log.cli import portal as cp


@pytest.fixture
def up(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init", "--time-zone", "Europe/London").code == 0
    for i in range(2):
        note = tmp_path / f"note{i}.txt"
        note.write_text(f"a note left on the car {i}")
        r = run_cli(capsys, "add", "--kind", "message", "--summary", f"Note {i}", "--attach", str(note))
        assert r.code == 0, r.err
    r = run_cli(
        capsys,
        "export",
        "--out",
        str(tmp_path / "log.zip"),
        "--initials",
        "SM",
        "--portal",
        str(tmp_path / "up"),
        "--batch-size",
        "2",
    )
    assert r.code == 0, r.err
    return tmp_path / "up"


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("portal status", cp.PORTAL_STATUS_FIELDS),
        ("portal batch", cp.PORTAL_BATCH_FIELDS),
        ("portal send", cp.PORTAL_SEND_FIELDS),
    ],
)
def test_every_field_is_documented(name: str, fields: tuple[str, ...]) -> None:
    row = _doc_rows()[name]
    assert [f for f in fields if f"`{f}`" not in row] == []


def test_status_sent_and_not_sent(up: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = run_cli(capsys, "portal", "status", str(up), "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert tuple(doc) == cp.PORTAL_STATUS_FIELDS
    assert (doc["batch_count"], doc["sent_count"], doc["time_zone"]) == (2, 0, "Europe/London")
    assert [tuple(b) for b in doc["batches"]] == [cp.PORTAL_BATCH_FIELDS] * 2
    assert doc["batches"][0]["files"][0].startswith("00 Timeline") and doc["batches"][0]["history"] == []
    r = run_cli(
        capsys,
        "portal",
        "sent",
        str(up),
        "--batch",
        "2",
        "--reference",
        "CR/1/26",
        "--when",
        "2020-06-01T18:30",
    )
    assert r.code == 2 and "before that" in r.err  # the batches were made today
    # A time typed without an offset is on the case's clock, to the minute.
    london = datetime.now(ZoneInfo("Europe/London"))
    typed = london.strftime("%Y-%m-%dT%H:%M")
    r = run_cli(capsys, "portal", "sent", str(up), "--batch", "1", "--reference", "CR/1/26", "--when", typed)
    assert r.code == 0, r.err
    first = json.loads(run_cli(capsys, "portal", "status", str(up), "--json").out)["batches"][0]
    assert first["sent_at_local"] == london.replace(second=0, microsecond=0).isoformat()
    assert run_cli(capsys, "portal", "not-sent", str(up), "--batch", "1", "--reason", "test").code == 0
    r = run_cli(capsys, "portal", "sent", str(up), "--batch", "2", "--reference", "CR/1/26", "--json")
    assert r.code == 0, r.err
    sent = json.loads(r.out)
    assert tuple(sent) == cp.PORTAL_SEND_FIELDS
    assert (sent["batch"], sent["version"], sent["sent"], sent["reference"]) == (2, 1, True, "CR/1/26")
    assert sent["sent_at"].endswith("Z") and len(sent["files"]) == 1
    r = run_cli(capsys, "portal", "status", str(up))
    assert (
        r.code == 0 and "1 of 2 sent" in r.out and "Batch 1 (2 files): not sent (a tick taken back" in r.out
    )
    assert "Batch 2 (1 file): sent" in r.out and "CR/1/26" in r.out
    r = run_cli(capsys, "portal", "not-sent", str(up), "--batch", "2", "--reason", "upload failed", "--json")
    assert r.code == 0, r.err
    undo = json.loads(r.out)
    assert (undo["version"], undo["sent"], undo["reason"], undo["sent_at"]) == (2, False, "upload failed", "")
    doc = json.loads(run_cli(capsys, "portal", "status", str(up), "--json").out)
    second = doc["batches"][1]
    assert (second["sent"], second["reference"], [h["version"] for h in second["history"]]) == (
        False,
        "",
        [1, 2],
    )
    assert set(second["history"][0]) == set(cp.PORTAL_SEND_FIELDS)
    assert run_cli(capsys, "check").code == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("portal",), "portal status|sent|not-sent"),
        (("portal", "status", "{tmp}/missing"), "not a folder of upload batches"),
        (("portal", "status", "{tmp}"), "no portal.json"),
        (("portal", "sent", "{up}", "--batch", "3", "--reference", "X"), "There is no batch 3"),
        (("portal", "sent", "{up}", "--batch", "x", "--reference", "X"), "not a whole number"),
        (("portal", "sent", "{up}", "--batch", "1"), "--reference"),
        (("portal", "sent", "{up}", "--batch", "1", "--reference", " "), "police reference"),
        (("portal", "sent", "{up}", "--batch", "1", "--reference", "X", "--when", "soon"), "not a date"),
        (("portal", "not-sent", "{up}", "--batch", "1", "--reason", "oops"), "nothing to take back"),
    ],
)
def test_bad_input_is_exit_2_in_one_line(
    up: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], says: str
) -> None:
    filled = [a.format(tmp=up.parent, up=up) for a in args]
    r = run_cli(capsys, *filled)
    assert r.code == 2 and says in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_a_wrong_passphrase_is_exit_3(
    up: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", "not the passphrase at all")
    assert run_cli(capsys, "portal", "status", str(up)).code == 3
