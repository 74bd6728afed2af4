"""The review queue (#18): one entry for each kind of finding, a clean entry with none,
and the entries never reviewed (context, deleted) or asked less (imported records).

Why: a support worker walks a diary through these before it goes to the police; a
finding missing means a question nobody asks, one too many (a context message asked
for its "effect") makes the queue noise, and a sentence with the diary's words in it
would leak them into a terminal or a script's log.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log import casetime
from victim_log.cli.review import REVIEW_FIELDS
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.model import PoliceReport
from victim_log.review import KINDS
from victim_log.review import review_vault
from victim_log.vault import Vault

DOC = Path(__file__).resolve().parent.parent / "docs" / "export-format.md"


def build_case(vault: Vault) -> dict[str, int]:
    """A log with exactly one finding of each kind; names -> incident (or evidence) ids.

    Every entry's summary holds the canary, so a test can prove no sentence repeats it.
    """
    casetime.set_vault_zone(vault, "Europe/London")
    casetime.use_vault_zone(vault)
    dan = vault.add_person(PersonData("Dan Marsh"))
    order = vault.add_order(
        OrderData("Stalking Protection Order", made_on="2026-03-20", conditions=("No contact",))
    )
    full = IncidentData(
        f"At the door {CANARY}",
        ("in_person",),
        "2026-03-01T19:00",
        location="Home, 1 Example Road",
        details=f"He said: {CANARY}",
        people=(dan,),
        effects=("afraid_violence",),
        police=PoliceReport(reference="CAD 1234/01MAR26", officer="PC Shaw"),
    )
    ids: dict[str, int] = {}

    def add(name: str, data: IncidentData, **kw: object) -> None:
        ids[name] = vault.add_incident(data, **kw)  # type: ignore[arg-type]

    add("clean", full, files=[("photo.txt", b"a note left on the car")])
    add("no_time", replace(full, occurred_start="2026-03-02", precision="day"))
    add("no_place", replace(full, occurred_start="2026-03-03T10:00", location=""))
    add("no_exact_words", replace(full, kinds=("message",), occurred_start="2026-03-04T10:00", details=""))
    add("no_effect", replace(full, occurred_start="2026-03-05T10:00", effects=()))
    add("names_nobody", replace(full, occurred_start="2026-03-06T10:00", people=()))
    add(
        "no_police_reference",
        replace(full, occurred_start="2026-03-07T10:00", police=PoliceReport(officer="PC Shaw")),
    )
    add("complete_later", replace(full, occurred_start="2026-03-08T10:00", complete_later=True))
    add(
        "breach_outside_order",  # dated before the order was made
        replace(full, kinds=("order_breach",), occurred_start="2026-03-09T10:00", order_id=order),
    )
    # Never reviewed: the victim's own reply kept for context, and a deleted entry.
    add(
        "context", IncidentData(f"Stop {CANARY}", ("message",), "2026-03-09T11:00", author="imported:context")
    )
    add("deleted", IncidentData(f"Oops {CANARY}", ("other",), "2026-03-09T12:00"))
    vault.delete_incident(ids["deleted"], "added twice")
    # An imported record: the sender's words as exported, not asked for words or effect.
    add(
        "imported",
        IncidentData(f"Text {CANARY}", ("message",), "2026-03-10T09:00", people=(dan,), author="imported"),
    )
    add("long_gap", replace(full, occurred_start="2026-05-01T10:00"))  # 52 days after 10 March
    ids["unlinked_evidence"] = vault.evidence.add_bytes(b"a screenshot", "screen.png")[0]
    return ids


@pytest.fixture
def case(tmp_path: Path) -> tuple[Vault, dict[str, int]]:
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)  # VICTIM_LOG_VAULT (conftest)
    ids = build_case(vault)
    return vault, ids


def test_one_finding_of_each_kind_and_none_for_the_clean_entry(case: tuple[Vault, dict[str, int]]) -> None:
    vault, ids = case
    findings = review_vault(vault)
    assert sorted(f.kind for f in findings) == sorted(KINDS)
    by_kind = {f.kind: f for f in findings}
    for kind in KINDS:
        f = by_kind[kind]
        if kind == "unlinked_evidence":
            assert (f.incident_ids, f.evidence_ids) == ((), (ids[kind],))
        elif kind == "long_gap":
            assert f.incident_ids == (ids["imported"], ids["long_gap"]) and f.day == "2026-05-01"
            assert "52 days" in f.message and "not a problem" in f.message
        else:
            assert f.incident_ids == (ids[kind],), kind
        assert CANARY not in f.message and "Dan Marsh" not in f.message
    mentioned = {i for f in findings for i in f.incident_ids}
    for quiet in ("clean", "context", "deleted", "imported"):
        assert ids[quiet] not in mentioned or quiet == "imported"  # only as one side of the gap
    assert "before the order was made" in by_kind["breach_outside_order"].message
    assert by_kind["no_time"].day == "2026-03-02"
    assert [f.kind for f in findings][-1] == "unlinked_evidence"  # files come last


def test_an_empty_log_has_nothing_to_review(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    assert review_vault(vault) == []


def test_cli_review_json_and_text(
    case: tuple[Vault, dict[str, int]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault, ids = case
    vault.lock()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "review", "--json")
    assert r.code == 0, r.err  # advice, not a check: findings still exit 0
    doc = json.loads(r.out)
    assert isinstance(doc, list) and len(doc) == len(KINDS)
    assert all(tuple(item) == REVIEW_FIELDS for item in doc)
    assert {item["kind"]: item["incident_ids"] for item in doc}["complete_later"] == [ids["complete_later"]]
    assert CANARY not in r.out and CANARY not in r.err

    r = run_cli(capsys, "review")
    assert r.code == 0
    assert r.out.startswith(f"{len(KINDS)} things to look at.")
    assert f"[no_place] Entry {ids['no_place']} does not say where" in r.out
    assert CANARY not in r.out


def test_cli_review_exit_codes(
    case: tuple[Vault, dict[str, int]], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case[0].lock()
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", "not the passphrase")
    r = run_cli(capsys, "review")
    assert r.code == 3 and CANARY not in r.out + r.err
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "review", "--jsn").code == 2
    assert run_cli(capsys, "review", "--vault", str(case[0].path.parent / "elsewhere")).code == 2


def test_cli_review_of_an_empty_log(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    r = run_cli(capsys, "review", "--json")
    assert (r.code, json.loads(r.out)) == (0, [])
    assert "Nothing to review" in run_cli(capsys, "review").out


def test_review_json_fields_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## The command line's `--json` output", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| review "))
    assert all(f"`{f}`" in row for f in REVIEW_FIELDS)
    assert all(f"`{k}`" in row for k in KINDS)


def test_a_file_cited_only_by_a_deleted_entry_is_not_linked(tmp_path: Path) -> None:
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    entry = vault.add_incident(
        IncidentData("Note", ("gift",), "2026-03-01T10:00"), files=[("note.txt", b"x")]
    )
    (eid,) = vault.get_incident(entry).evidence
    assert "unlinked_evidence" not in {f.kind for f in review_vault(vault)}
    vault.delete_incident(entry, "wrong diary")
    assert [(f.kind, f.evidence_ids) for f in review_vault(vault)] == [("unlinked_evidence", (eid,))]
