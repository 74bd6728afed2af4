"""What an export leaves out is listed, never silently absent (#16.6).

One constructed log: a private note, a deleted entry, a removed file, a third party
acting for the perpetrator, someone merely named, an order whose condition names a
third party, and entries with places. A redacted and an unredacted bundle are made at
the same moment; the tests read them as an officer would: pdftotext, the CSV files,
timeline.json and README.txt.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path

import pytest

from tests.bundle_text import Bundle
from tests.bundle_text import read_bundle
from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.vault import Vault

MOMENT = 1_725_627_780  # both exports "at the same moment"
CONDITION = "Not to contact Jo Pryce or Sam Morgan by any means"
REMOVED = b"a file that turned out to be about something else"


@dataclass
class Case:
    ids: dict[str, int]
    removed_id: int
    red: Bundle
    full: Bundle


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:  # noqa: D103
    tmp = tmp_path_factory.mktemp("disclosure")
    v, _ = Vault.create(tmp / "v", PASSPHRASE)
    dan = v.add_person(PersonData(name="Dan Marsh", role="perpetrator", phones=("07700 900123",)))
    jo = v.add_person(PersonData(name="Jo Pryce", role="third_party"))
    kim = v.add_person(PersonData(name="Kim Lowe", role="named"))
    order = v.add_order(
        OrderData(
            order_type="Stalking Protection Order",
            made_on="2024-01-10",
            reference="SPO/1",
            conditions=(CONDITION,),
            person_id=dan,
        )
    )
    ids = {}
    ids["private"] = v.add_incident(
        IncidentData(
            summary="Texts from Dan",
            kinds=("message",),
            occurred_start="2024-03-01T20:00:00+00:00",
            private_note=CANARY,
            people=(dan,),
        )
    )
    ids["deleted"] = v.add_incident(
        IncidentData(summary="Same call again", kinds=("other",), occurred_start="2024-03-02T10:00:00+00:00")
    )
    v.delete_incident(ids["deleted"], "entered twice by mistake")
    ids["call"] = v.add_incident(
        IncidentData(
            summary="Withheld number calls", kinds=("phone_call",), occurred_start="2024-03-03T09:00:00+00:00"
        )
    )
    removed_id, _ = v.evidence.add_bytes(REMOVED, "wrong.txt", incident_id=ids["call"])
    v.evidence.add_bytes(b"call log export", "calls.txt", incident_id=ids["call"])
    v.evidence.remove(removed_id, "not about this case")
    ids["door"] = v.add_incident(
        IncidentData(
            summary="Jo Pryce came to my door for Dan",
            kinds=("third_party", "order_breach"),
            occurred_start="2024-03-04T18:00:00+00:00",
            location="12 Acacia Avenue, Leeds",
            details="Jo Pryce said Dan wants to talk, then waited outside 12 Acacia Avenue, Leeds.",
            people=(dan, jo, kim),
            order_id=order,
            order_condition=CONDITION,
        )
    )
    cur = v.get_incident(ids["door"]).data
    v.edit_incident(
        ids["door"],
        replace(cur, details=cur.details + " Jo Pryce had his phone."),
        "added what I remembered",
    )
    opts = ExportOptions(initials="SM")
    export(v, tmp / "full.zip", opts, timestamp=MOMENT)
    red = ExportOptions(initials="SM", redact=frozenset({"locations", "third-parties"}))
    export(v, tmp / "red.zip", red, timestamp=MOMENT)
    yield Case(ids, removed_id, read_bundle(tmp / "red.zip", tmp), read_bundle(tmp / "full.zip", tmp))
    v.lock()


def _entry(b: Bundle, incident_id: int) -> str:
    return next(f"Entry {i['number']}" for i in b.json()["incidents"] if i["id"] == incident_id)


def test_private_notes_listed_by_entry_and_date_never_their_words(case: Case) -> None:
    for b in (case.full, case.red):
        notes = b.json()["material_not_included"]["private_notes"]
        assert [(n["incident_id"], n["occurred_start"][:10]) for n in notes] == [
            (case.ids["private"], "2024-03-01")
        ]
        assert "Material not included in this export" in b.pdf
        assert "Private note not included (entry dated Fri 1 Mar 2024)" in b.pdf
        rows = [r for r in b.csv("not_included.csv") if r["what"] == "private note"]
        assert [r["incident_id"] for r in rows] == [str(case.ids["private"])]
        for name, data in b.files.items():
            assert CANARY.encode() not in data, name
        assert CANARY not in b.pdf


def test_deleted_entries_with_date_deletion_date_and_reason(case: Case) -> None:
    b = case.full
    deleted = b.json()["material_not_included"]["deleted_entries"]
    assert len(deleted) == 1
    d = deleted[0]
    assert d["incident_id"] == case.ids["deleted"]
    assert d["occurred_start"].startswith("2024-03-02") and d["deleted_at"] and d["first_recorded_at"]
    assert d["reason"] == "entered twice by mistake"
    assert f"Log id {case.ids['deleted']}" in b.pdf and "Happened Sat 2 Mar 2024; first recorded" in b.pdf
    assert "Reason given: entered twice by mistake" in b.pdf
    assert "Same call again" not in b.pdf  # the deleted words stay in the vault
    (row,) = [r for r in b.csv("not_included.csv") if r["what"] == "deleted entry"]
    assert row["reason"] == "entered twice by mistake" and row["occurred_start"].startswith("2024-03-02")


def test_removed_file_with_hash_and_reason(case: Case) -> None:
    b = case.full
    digest = hashlib.sha256(REMOVED).hexdigest()
    (f,) = b.json()["material_not_included"]["removed_files"]
    assert f["evidence_id"] == case.removed_id and f["sha256"] == digest
    assert f["reason"] == "not about this case" and not f["erased"] and f["removed_at"]
    assert f["entries"] == [_entry(b, case.ids["call"])]
    schedule = b.pdf.split("Removed files", 1)[1].split("Redactions", 1)[0]
    assert digest in schedule and "reason given: not about this" in schedule and "wrong.txt" in schedule
    (row,) = [r for r in b.csv("not_included.csv") if r["what"] == "removed file"]
    assert row["sha256"] == digest and row["reason"] == "not about this case"


def test_each_redaction_field_by_field_and_order_conditions_untouched(case: Case) -> None:
    b = case.red
    door = _entry(b, case.ids["door"])
    got = {
        (r["where"], r["field"], r["kind"], r["whole_field"])
        for r in b.json()["material_not_included"]["redactions"]
    }
    assert (door, "location", "location", True) in got
    assert (door, "details", "third party", False) in got
    assert (door, "details", "location", False) in got
    assert (door, "summary", "third party", False) in got
    assert (door, "people (name)", "third party", True) in got
    assert (door, "details (version 1)", "third party", False) in got  # the earlier wording too
    assert not any(f == "order_condition" for _w, f, _k, _x in got)
    assert f"{door} details: a third party's name or details (2 replacements)" in b.pdf
    assert f"{door} location: a place (whole field replaced)" in b.pdf
    rows = [r for r in b.csv("not_included.csv") if r["what"] == "redaction"]
    assert {(r["entry_or_reference"], r["field"], r["kind"]) for r in rows} >= {
        (door, "details", "third party")
    }
    # The words of an order are never redacted: in the order and in the breach.
    doc = b.json()
    assert doc["orders"][0]["conditions"] == [CONDITION]
    (inc,) = [i for i in doc["incidents"] if i["id"] == case.ids["door"]]
    assert inc["order_condition"] == CONDITION and "Jo Pryce" not in inc["details"]
    assert CONDITION in b.pdf
    # Unredacted: no redactions listed.
    assert case.full.json()["material_not_included"]["redactions"] == []
    assert "None: this copy is not redacted." in case.full.pdf


def test_redacted_copy_names_the_unredacted_export_by_hash(case: Case) -> None:
    derived = case.red.json()["material_not_included"]["derived_from"]
    digest = hashlib.sha256(case.full.files["data/timeline.json"]).hexdigest()
    assert derived["timeline_json_sha256"] == digest
    assert "certutil -hashfile" in derived["how_to_check"]
    assert digest in case.red.pdf.replace(" ", "")
    assert digest in case.red.text("README.txt")
    (row,) = [r for r in case.red.csv("not_included.csv") if r["what"] == "derived from"]
    assert row["sha256"] == digest
    assert case.full.json()["material_not_included"]["derived_from"] is None


def test_readme_and_pdf_explain_the_journals_gaps(case: Case) -> None:
    readme = case.full.text("README.txt")
    assert "What this export does not include" in readme
    assert 'placeholder marked "withheld"' in " ".join(readme.split())
    assert "1 private note, 1 deleted entry, 1 removed file" in readme
    assert "Gaps in the journal" in case.full.pdf
    assert "1 private note, 1 deleted entry, 1 removed file: each is listed under" in case.full.pdf
    assert (
        "This copy is redacted; the unredacted export it derives from is named there by hash." in case.red.pdf
    )
    assert "withheld" in case.full.pdf
    withheld = [json.loads(x) for x in case.full.files["data/journal.jsonl"].splitlines()]
    assert any(e.get("withheld") for e in withheld)


def test_people_are_shown_with_their_roles(case: Case) -> None:
    b = case.full
    roles = {p["name"]: p["role"] for p in b.json()["people"]}
    assert roles == {"Dan Marsh": "perpetrator", "Jo Pryce": "third_party", "Kim Lowe": "named"}
    pdf = b.pdf
    assert "Other people named in this log" in pdf
    assert "Jo Pryce: acting for the perpetrator" in pdf and "Kim Lowe: named (role not given)" in pdf
    perps = pdf.split("named in this log", 1)[0]
    assert "Jo Pryce" not in perps.rsplit("Perpetrator", 1)[-1]


@pytest.fixture
def cli_vault(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0


def test_add_person_names_without_accusing(cli_vault: None, capsys: pytest.CaptureFixture[str]) -> None:
    add = ("add", "--kind", "message", "--summary", "Texts", "--when", "2024-03-01T20:00")
    assert run_cli(capsys, *add, "--person", "Kim Lowe").code == 0
    assert run_cli(capsys, *add, "--person", "Jo Pryce", "--person-role", "third_party").code == 0
    assert run_cli(capsys, *add, "--person", "Dan Marsh", "--person-role", "perpetrator").code == 0
    people = {p["name"]: p["role"] for p in json.loads(run_cli(capsys, "person", "list", "--json").out)}
    assert people == {"Kim Lowe": "named", "Jo Pryce": "third_party", "Dan Marsh": "perpetrator"}
    r = run_cli(capsys, *add, "--person", "Kim Lowe", "--person-role", "perpetrator")
    assert r.code == 0  # someone already in People keeps the role they have
    assert {
        p["name"]: p["role"] for p in json.loads(run_cli(capsys, "person", "list", "--json").out)
    } == people
    assert run_cli(capsys, *add, "--person", "X", "--person-role", "villain").code == 2


def test_cli_unredacted_copy_matches_the_hash(
    cli_vault: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run_cli(
        capsys, "add", "--kind", "message", "--summary", "Texts from Dan via Jo Pryce", "--person", "Jo Pryce"
    )
    r = run_cli(
        capsys,
        "export",
        "--out",
        str(tmp_path / "red.zip"),
        "--initials",
        "SM",
        "--unredacted-copy",
        str(tmp_path / "full.zip"),
    )
    assert r.code == 2 and "--redact" in r.err
    r = run_cli(
        capsys,
        "export",
        "--out",
        str(tmp_path / "red.zip"),
        "--initials",
        "SM",
        "--redact",
        "third-parties",
        "--unredacted-copy",
        str(tmp_path / "full.zip"),
    )
    assert r.code == 0, r.err
    red, full = read_bundle(tmp_path / "red.zip", tmp_path), read_bundle(tmp_path / "full.zip", tmp_path)
    digest = hashlib.sha256(full.files["data/timeline.json"]).hexdigest()
    assert red.json()["material_not_included"]["derived_from"]["timeline_json_sha256"] == digest
    assert "Jo Pryce" in full.json()["incidents"][0]["summary"]
    assert "Jo Pryce" not in red.json()["incidents"][0]["summary"]
    assert re.search(r"[0-9a-f]{64}", red.text("README.txt"))


def test_an_erased_file_is_listed_as_erased_without_its_name(tmp_path: Path) -> None:
    """After erase for good (#17.4) the export still lists the exhibit, says it was
    removed and then erased, and shows neither its old name nor a made-up one."""
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    iid = v.add_incident(
        IncidentData(summary="Calls", kinds=("phone_call",), occurred_start="2024-03-03T09:00")
    )
    eid, _ = v.evidence.add_bytes(b"sent by mistake", "Zebra-name.txt", incident_id=iid)
    export(v, tmp_path / "first.zip", ExportOptions(initials="SM"))  # SM/1 is given
    v.evidence.remove(eid, "not about this case", permanent=True)
    export(v, tmp_path / "after.zip", ExportOptions())
    after = read_bundle(tmp_path / "after.zip", tmp_path)
    v.lock()
    assert "SM/1" in after.pdf and "Removed on" in after.pdf and "then erased for good" in after.pdf
    assert "Zebra-name" not in after.pdf and "(erased file)" not in after.pdf
    [row] = after.json()["material_not_included"]["removed_files"]
    assert row["erased"] is True and row["sha256"] == ""
