"""References that never move (#16.2): "Entry N" is the incident id and an exhibit's
``SM/N`` is given once, stored in the vault, and the same in every later export."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log import references
from victim_log.errors import BadInput
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.model import IncidentData
from victim_log.store import db
from victim_log.vault import Vault

FIX = Path(__file__).parent / "importers" / "fixtures"
EXPORTED_AT = "2026-09-06T14:03:00+01:00"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _incident(vault: Vault, when: str, summary: str) -> int:
    return vault.add_incident(
        IncidentData(summary=summary, kinds=("message",), occurred_start=when, precision="exact")
    )


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    """Three dated entries, each with its own file; the middle one has two."""
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    a = _incident(v, "2026-06-01T10:00:00+01:00", "First message")
    b = _incident(v, "2026-06-05T10:00:00+01:00", "Second message")
    c = _incident(v, "2026-06-10T10:00:00+01:00", "Third message")
    v.evidence.add_bytes(PNG + b"a", "first.png", incident_id=a)
    v.evidence.add_bytes(PNG + b"b", "second.png", incident_id=b)
    v.evidence.add_bytes(PNG + b"c", "third.png", incident_id=c)
    v.evidence.add_bytes(PNG + b"d", "second-extra.png", incident_id=b)
    yield v
    v.lock()


def _json(vault: Vault, out: Path, options: ExportOptions) -> dict[str, object]:
    export(vault, out, options, fmt="json")
    doc: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return doc


def _seen_in_json(doc: dict[str, object]) -> tuple[dict[str, str], dict[int, int]]:
    """(original file name -> exhibit reference, incident id -> entry number)."""
    exhibits = {str(e["original_filename"]): str(e["reference"]) for e in doc["exhibits"]}  # type: ignore[attr-defined]
    entries = {int(i["id"]): int(i["number"]) for i in doc["incidents"]}  # type: ignore[attr-defined]
    for i in doc["incidents"]:  # type: ignore[attr-defined]
        assert i["reference"] == f"Entry {i['id']}"
    return exhibits, entries


def _seen_in_csv(vault: Vault, out: Path, options: ExportOptions) -> dict[int, tuple[int, str]]:
    """incident id -> (entry column, exhibits column)."""
    export(vault, out, options, fmt="csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    return {int(r["incident_id"]): (int(r["entry"]), r["exhibits"]) for r in rows}


def _pdf_text(vault: Vault, out: Path, options: ExportOptions) -> str:
    export(vault, out, options, fmt="pdf")
    done = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True)
    return done.stdout


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


@needs_pdftotext
def test_references_stay_across_filters_and_an_older_entry(vault: Vault, tmp_path: Path) -> None:
    full = ExportOptions(initials="SM")
    june_later = ExportOptions(start="2026-06-04", end="2026-06-30", initials="SM")
    first, first_entries = _seen_in_json(_json(vault, tmp_path / "a.json", full))
    assert first == {
        "first.png": "SM/1",
        "second.png": "SM/2",
        "second-extra.png": "SM/3",
        "third.png": "SM/4",
    }
    assert first_entries == {1: 1, 2: 2, 3: 3}

    filtered, filtered_entries = _seen_in_json(_json(vault, tmp_path / "b.json", june_later))
    assert filtered == {k: v for k, v in first.items() if k != "first.png"}  # no renumbering
    assert filtered_entries == {2: 2, 3: 3}

    csv_rows = _seen_in_csv(vault, tmp_path / "b.csv", june_later)
    assert csv_rows == {2: (2, "SM/2; SM/3"), 3: (3, "SM/4")}
    text = _pdf_text(vault, tmp_path / "b.pdf", june_later)
    assert re.search(r"Entry 2 .*Fri 5 Jun 2026", text) and re.search(r"Entry 3 .*Wed 10 Jun 2026", text)
    assert "Entry 1 " not in text.replace("Entry 1 to", "")
    assert re.search(r"SM/2 +second\.png", text) and re.search(r"SM/4 +third\.png", text)
    assert "Exhibit SM/3" in text and "first.png" not in text

    # An entry about something earlier than everything else, with a new file.
    older = _incident(vault, "2026-05-20T09:00:00+01:00", "An older message remembered later")
    vault.evidence.add_bytes(PNG + b"e", "older.png", incident_id=older)
    again, again_entries = _seen_in_json(_json(vault, tmp_path / "c.json", full))
    assert again == {**first, "older.png": "SM/5"}  # the old references are unchanged
    assert again_entries == {older: older, 1: 1, 2: 2, 3: 3}
    csv_again = _seen_in_csv(vault, tmp_path / "c.csv", full)
    assert csv_again[1] == (1, "SM/1") and csv_again[older] == (older, "SM/5")
    text = _pdf_text(vault, tmp_path / "c.pdf", full)
    assert re.search(rf"Entry {older} .*Wed 20 May 2026", text)
    assert re.search(r"SM/1 +first\.png", text) and re.search(r"SM/5 +older\.png", text)


def test_filtered_export_lists_what_is_not_in_it(vault: Vault, tmp_path: Path) -> None:
    build_case(vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)  # gives SM/1..SM/4
    vault.delete_incident(1, "entered twice")
    doc = _json(vault, tmp_path / "t.json", ExportOptions(start="2026-06-08", initials="SM"))
    missing = doc["not_in_this_export"]
    assert missing == {
        "entries": [[2, 2]],
        "deleted_entries": [[1, 1]],
        "exhibits": [
            {"reference": "SM/1", "why": "not cited by the entries in this export"},
            {"reference": "SM/2", "why": "not cited by the entries in this export"},
            {"reference": "SM/3", "why": "not cited by the entries in this export"},
        ],
    }
    if shutil.which("pdftotext"):
        text = _pdf_text(vault, tmp_path / "t.pdf", ExportOptions(start="2026-06-08"))
        section = text[text.index("Entries and exhibits not in this export\n") :]
        assert "Entries not chosen" in section and "SM/2: not cited by the entries in this export" in section


def test_removal_leaves_a_gap_and_is_cited_by_reference(vault: Vault, tmp_path: Path) -> None:
    build_case(vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    vault.evidence.remove(2, "attached by mistake")
    vault.evidence.remove(3, "not needed", permanent=True)
    new, _ = vault.evidence.add_bytes(PNG + b"f", "new.png", incident_id=3)
    doc = _json(vault, tmp_path / "t.json", ExportOptions())  # initials now kept in the log
    refs = [e["reference"] for e in doc["exhibits"]]  # type: ignore[attr-defined]
    assert refs == ["SM/1", "SM/3", "SM/5"]  # SM/2 and SM/4 stay theirs, never given again
    by_id = {i["id"]: i for i in doc["incidents"]}  # type: ignore[attr-defined]
    assert by_id[2]["exhibits"] == ["SM/3"] and by_id[2]["exhibits_withheld"] == ["SM/2"]
    assert by_id[3]["exhibits"] == ["SM/5"] and by_id[3]["exhibits_withheld"] == ["SM/4"]
    whys = {e["reference"]: e["why"] for e in doc["not_in_this_export"]["exhibits"]}  # type: ignore[index]
    assert whys == {"SM/2": "removed from the log by its owner", "SM/4": "erased from the log by its owner"}
    # The history names files by reference, never by the vault's internal id.
    reasons = [h["reason"] for h in by_id[3]["history"]]
    assert f"attached SM/{5}" in reasons and all(f"evidence {new}" not in r for r in reasons)


def test_changing_initials_keeps_the_references_already_given(vault: Vault, tmp_path: Path) -> None:
    build_case(vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    vault.set_setting("initials", "AB")
    vault.evidence.add_bytes(PNG + b"g", "later.png", incident_id=1)
    case = build_case(vault, ExportOptions(), exported_at=EXPORTED_AT)
    assert [e.reference for e in case.exhibits] == ["SM/1", "SM/2", "SM/3", "SM/4", "AB/5"]
    by_ref = {e.reference: e for e in case.exhibits}
    assert by_ref["AB/5"].bag_name.startswith("AB-5_") and by_ref["SM/1"].bag_name.startswith("SM-1_")


def test_no_initials_no_invented_letters(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    with v:
        iid = _incident(v, "2026-06-01T10:00:00+01:00", "A call")
        empty = build_case(v, ExportOptions(), exported_at=EXPORTED_AT)  # no exhibit: no reference needed
        assert empty.producer_initials == "" and [i.number for i in empty.incidents] == [iid]
        v.evidence.add_bytes(PNG, "shot.png", incident_id=iid)
        preview = build_case(v, ExportOptions(), exported_at=EXPORTED_AT, assign_references=False)
        assert [e.reference for e in preview.exhibits] == ["?/1"]  # a preview only counts
        with pytest.raises(BadInput, match="--initials"):
            build_case(v, ExportOptions(), exported_at=EXPORTED_AT)
        assert references.known(v) == {}  # neither wrote a reference


def test_cli_asks_for_initials_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    with Vault.open(vault_path(), PASSPHRASE) as v:
        iid = _incident(v, "2026-06-01T10:00:00+01:00", "A call")
        v.evidence.add_bytes(PNG, "shot.png", incident_id=iid)
    r = run_cli(capsys, "export", "--out", str(tmp_path / "a.json"), "--format", "json")
    assert r.code == 2 and "--initials" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "a.json").exists()
    assert (
        run_cli(
            capsys, "export", "--out", str(tmp_path / "b.json"), "--format", "json", "--initials", "jd"
        ).code
        == 0
    )
    assert run_cli(capsys, "export", "--out", str(tmp_path / "c.json"), "--format", "json").code == 0
    doc = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert [e["reference"] for e in doc["exhibits"]] == ["JD/1"] and doc["producer_initials"] == "JD"


def test_imported_source_cites_the_exhibit_reference(tmp_path: Path) -> None:
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    with v:
        _incident(v, "2020-01-01T10:00:00+00:00", "Something earlier")
        v.evidence.add_bytes(PNG, "earlier.png", incident_id=1)
        run_import(v, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh"))
        raw = [i for i in v.list_incidents() if i.id != 1]
        assert raw and "exhibit " in v.get_incident(raw[0].id).data.source  # stored with the internal id
        case = build_case(v, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
        chat = next(e for e in case.exhibits if e.original_filename == "whatsapp_android_dmy.txt")
        assert chat.reference == "SM/2"
        imported = [i for i in case.incidents if i.id != 1]
        assert all(re.fullmatch(r"SM/2, line \d+( to line \d+)?", i.source) for i in imported)
        assert all("exhibit" not in i.source and "import:" not in i.source for i in case.incidents)


def test_concurrent_allocation_gives_distinct_numbers(vault: Vault) -> None:
    """Two windows (two connections) giving references at once never share a number."""
    ids = [vault.evidence.add_bytes(PNG + bytes([n, 1]), f"f{n}.png")[0] for n in range(40)]
    others = [Vault.open(vault.path, PASSPHRASE) for _ in range(3)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(others) + 1)

    def work(v: Vault, mine: list[int]) -> None:
        try:
            barrier.wait()
            for eid in mine:
                references.give(v, [eid, ids[0]], "SM")  # ids[0] is asked for by everyone
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(v, ids[1 + k :: len(others) + 1]))
        for k, v in enumerate([*others, vault])
    ]
    try:
        for t in threads[:-1]:
            t.start()
        threads[-1].start()
        for t in threads:
            t.join(60)
    finally:
        for o in others:
            o.lock()
    assert errors == []
    given = references.known(vault)
    numbers = [r.number for r in given.values()]
    assert set(given) == set(ids)
    assert len(numbers) == len(set(numbers)) == len(ids)
    assert sorted(numbers) == list(range(1, len(ids) + 1))


def test_a_schema_3_vault_is_upgraded(tmp_path: Path) -> None:
    """A vault written before references were stored opens, gains the table, and its
    first export gives SM/1 from the start."""
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    iid = _incident(v, "2026-06-01T10:00:00+01:00", "A call")
    v.evidence.add_bytes(PNG, "shot.png", incident_id=iid)
    v.conn.execute("DROP TABLE exhibit_refs")
    v.conn.execute("ALTER TABLE incidents DROP COLUMN context")  # added by schema 5
    v.conn.execute("DROP TABLE shared_ids")  # added by schema 6
    for table in ("stats_facts", "stats_days"):  # added by schema 7
        v.conn.execute(f"DROP TABLE {table}")
    v.conn.execute("PRAGMA user_version = 3")
    v.lock()
    with Vault.open(tmp_path / "v", PASSPHRASE) as again:
        assert db.schema_version(again.conn) == db.SCHEMA_VERSION >= 4
        case = build_case(again, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
        assert [e.reference for e in case.exhibits] == ["SM/1"]
    with Vault.open(tmp_path / "v", PASSPHRASE) as third:
        assert {r.text for r in references.known(third).values()} == {"SM/1"}


def test_giving_is_journalled(vault: Vault) -> None:
    before = len(vault.journal_entries())
    build_case(vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    entries = vault.journal_entries()
    assert [e.action for e in entries[before:]] == [references.JOURNAL_ACTION]
    build_case(vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    assert len(vault.journal_entries()) == len(entries)  # nothing new to give: nothing written
    assert vault.check(blobs=False).ok


def test_citing_text() -> None:
    refs = {9: "SM/4", 4: "SM/7"}
    assert references.cite_source("import:whatsapp exhibit 9 line 10", refs) == "SM/4, line 10"
    assert references.cite_source("import:whatsapp E9 line 3 to line 8", refs) == "SM/4, line 3 to line 8"
    assert references.cite_source("import:photos exhibit 5", refs) == references.NOT_INCLUDED
    assert references.cite_source("typed by me", refs) == "typed by me"
    assert references.cite_reason("attached evidence 4", refs) == "attached SM/7"
    assert references.cite_reason("attached evidence 5", refs) == "attached " + references.NOT_INCLUDED
    assert references.cite_reason("fixed typo in evidence 4", refs) == "fixed typo in evidence 4"
    assert references.entry_ranges([5, 1, 2, 3, 9, 10]) == [(1, 3), (5, 5), (9, 10)]
    assert references.ranges_text([(1, 3), (5, 5)]) == "1 to 3, 5"


def test_cli_show_gives_the_reference_beside_the_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init").code == 0
    with Vault.open(vault_path(), PASSPHRASE) as v:
        report = run_import(
            v, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh")
        )
        iid = report.incident_ids[0]
    before = run_cli(capsys, "show", str(iid)).out
    assert re.search(r"evidence 1, line \d+", before) and "import:" not in before
    assert (
        run_cli(
            capsys, "export", "--out", str(tmp_path / "a.json"), "--format", "json", "--initials", "SM"
        ).code
        == 0
    )
    after = run_cli(capsys, "show", str(iid)).out
    assert re.search(r"SM/1 \(evidence 1\), line \d+", after)
    assert "Evidence 1, SM/1: whatsapp_android_dmy.txt" in after
