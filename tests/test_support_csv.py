"""The support-services CSV (#21): `export --format support-csv`.

Advocates' case systems have no documented import, so they get a plain CSV: one row
per incident with its date, kinds, breach, police reference and exhibit references, the
same numbers as the police export, and nothing of the account itself.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.export.support import SUPPORT_COLUMNS

DOC = Path(__file__).resolve().parent.parent / "docs" / "export-format.md"


def _rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_support_csv_rows_agree_with_the_timeline_and_keep_the_account_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init", "--time-zone", "Europe/London").code == 0
    (tmp_path / "shot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 40)
    r = run_cli(
        capsys, "add", "--kind", "message,threat", "--summary", "=HYPERLINK(\"x\") texts", "--when", "2024-04-02T21:05",
        "--details", CANARY, "--private-note", CANARY, "--where", CANARY, "--attach", str(tmp_path / "shot.png"),
        "--police-ref", "CR/1/24", "--reported-on", "2024-04-03", "--effects", "changed_routine",
    )  # fmt: skip
    assert r.code == 0, r.err
    r = run_cli(
        capsys,
        "add",
        "--kind",
        "loitering",
        "--summary",
        "Outside",
        "--when",
        "2024-03-30",
        "--precision",
        "day",
    )
    assert r.code == 0, r.err
    out = tmp_path / "support.csv"
    r = run_cli(capsys, "export", "--out", str(out), "--initials", "SM", "--format", "support-csv", "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["format"] == "support-csv"
    data = out.read_bytes()
    assert CANARY.encode() not in data
    rows = _rows(data)
    assert list(rows[0]) == list(SUPPORT_COLUMNS)
    day, texts = rows  # date order
    assert (day["entry"], day["date"], day["time"], day["time_precision"]) == ("2", "2024-03-30", "", "day")
    assert (texts["date"], texts["time"]) == ("2024-04-02", "21:05")  # BST, the case's clock
    assert texts["summary"].startswith("'=HYPERLINK")  # formula protection, as in timeline.csv
    assert (texts["police_reference"], texts["reported_on"], texts["exhibits"]) == (
        "CR/1/24",
        "2024-04-03",
        "SM/1",
    )
    assert texts["breach"] == "no" and texts["recorded_by"]
    # The same entry numbers and references as the police export's timeline.csv.
    timeline = tmp_path / "timeline.csv"
    assert run_cli(capsys, "export", "--out", str(timeline), "--format", "csv").code == 0
    full = _rows(timeline.read_bytes())
    assert [(r["entry"], r["exhibits"], r["kind_labels"]) for r in full] == [
        (r["entry"], r["exhibits"], r["kinds"]) for r in rows
    ]


def test_every_column_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### support.csv", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)
    assert documented == list(SUPPORT_COLUMNS)
