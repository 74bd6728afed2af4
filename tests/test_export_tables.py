"""timeline.csv, exhibits.csv and timeline.json: parse back, stable columns, no formula injection."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from victim_log.demo import fill_demo
from victim_log.export.case import ExportCase
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import case_to_json
from victim_log.export.tables import EXHIBIT_COLUMNS
from victim_log.export.tables import TIMELINE_COLUMNS
from victim_log.export.tables import exhibits_csv
from victim_log.export.tables import safe_cell
from victim_log.export.tables import timeline_csv
from victim_log.export.tables import timeline_json
from victim_log.model import IncidentData
from victim_log.vault import Vault

EXPORTED_AT = "2026-09-06T14:03:00+01:00"


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vault]:
    v, _ = Vault.create(tmp_path_factory.mktemp("tables") / "v", PASSPHRASE)
    fill_demo(v, total=30)
    first = v.list_incidents(oldest_first=True)[0].id
    v.evidence.add_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "=cmd|' /C calc'!A0.png", incident_id=first)
    v.add_incident(
        IncidentData(
            summary='=HYPERLINK("http://example.com/x","click")',
            kinds=("message",),
            occurred_start="2026-06-10T12:00",
            details='He said:\n"line one"\r\nline, two\n\n\tend',
            witnesses="+44 7700 900999",
            actions="-1+1",
            effect_text="@SUM(A1)",
            location="\uff1dcmd",
            private_note=CANARY,
        )
    )
    yield v
    v.lock()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _case(vault: Vault, **kw: object) -> ExportCase:
    return build_case(vault, ExportOptions(**kw), exported_at=EXPORTED_AT)  # type: ignore[arg-type]


def test_timeline_csv_parses_back(vault: Vault) -> None:
    case = _case(vault)
    data = timeline_csv(case)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    assert b"\r\n" in data
    rows = _rows(data)
    assert len(rows) == len(case.incidents) == 31
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header) == TIMELINE_COLUMNS
    for row, inc in zip(rows, case.incidents, strict=True):
        assert row["entry"] == str(inc.number) and row["incident_id"] == str(inc.id)
        assert row["occurred_start"] == inc.occurred_start
        assert row["kinds"] == "; ".join(inc.kinds)
        assert row["order_breach"] == ("yes" if inc.breach else "no")
        assert row["private_note"] == ""
    odd = next(r for r in rows if "HYPERLINK" in r["summary"])
    assert odd["details"] == 'He said:\n"line one"\nline, two\n\n\tend'  # line breaks kept


def test_formula_cells_are_escaped(vault: Vault) -> None:
    rows = _rows(timeline_csv(_case(vault)))
    odd = next(r for r in rows if "HYPERLINK" in r["summary"])
    assert odd["summary"] == '\'=HYPERLINK("http://example.com/x","click")'
    assert odd["witnesses"] == "'+44 7700 900999"
    assert odd["actions_taken"] == "'-1+1"
    assert odd["effect_text"] == "'@SUM(A1)"
    assert odd["location"] == "'\uff1dcmd"
    ex = _rows(exhibits_csv(_case(vault)))[0]
    assert ex["original_filename"].startswith("'=cmd")
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_safe_cell_never_starts_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"))
    if text.startswith(("=", "+", "-", "@", "\t")):
        assert cell.startswith("'")
    assert safe_cell("\u202e=1+1") == "'=1+1"
    assert safe_cell("\ufeff@x") == "'@x"
    assert "\x00" not in cell and "\u202e" not in cell
    buf = io.StringIO()
    csv.writer(buf).writerow([cell])
    assert next(csv.reader(io.StringIO(buf.getvalue(), newline=""))) == [cell]


def test_exhibits_csv(vault: Vault) -> None:
    case = _case(vault)
    data = exhibits_csv(case)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(header) == EXHIBIT_COLUMNS
    rows = _rows(data)
    assert len(rows) == len(case.exhibits) == 1
    row, ex = rows[0], case.exhibits[0]
    assert row["reference"] == "SM/1"
    assert row["file"] == ex.bag_path and row["file"].startswith("data/exhibits/SM-1_")
    assert row["sha256"] == vault.evidence.get(ex.evidence_id).sha256
    assert row["size_bytes"] == "28" and row["media_type"] == "image/png"
    assert row["entries"] == "1"


def test_timeline_json_round_trip(vault: Vault) -> None:
    case = _case(vault)
    data = timeline_json(case)
    doc = json.loads(data)
    assert doc == json.loads(json.dumps(case_to_json(case)))
    assert doc["schema"] == "victim-log-timeline/1"
    assert len(doc["incidents"]) == doc["counts"]["incidents"] == len(case.incidents)
    odd = next(i for i in doc["incidents"] if "HYPERLINK" in i["summary"])
    assert odd["summary"].startswith("=HYPERLINK")  # JSON keeps the exact text
    assert odd["details"] == 'He said:\n"line one"\r\nline, two\n\n\tend'
    assert odd["private_note"] is None
    assert timeline_json(case) == data  # same case, same bytes
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")


def test_private_note_canary(vault: Vault) -> None:
    case = _case(vault)
    for blob in (timeline_csv(case), timeline_json(case), exhibits_csv(case)):
        assert CANARY.encode() not in blob
    private = _case(vault, include_private=True)
    assert CANARY.encode() in timeline_csv(private)
    assert CANARY.encode() in timeline_json(private)


def test_lone_surrogate_does_not_break_json(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    v.add_incident(IncidentData(summary="ok", occurred_start="2026-06-10T12:00"))
    case = build_case(v, ExportOptions(), exported_at=EXPORTED_AT)
    from dataclasses import replace

    bad = replace(case, incidents=(replace(case.incidents[0], details="a\ud800b"),))
    doc = json.loads(timeline_json(bad))
    assert doc["incidents"][0]["details"] == "a\ud800b"
    assert "\ufffd" in _rows(timeline_csv(bad))[0]["details"]
