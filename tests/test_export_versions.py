"""Earlier wording in the export (#16.1): every earlier version of an amended entry is in
the bundle (PDF Appendix A, timeline.json ``versions``, versions.csv), attaching a file
is not counted as a change of the account, and redaction covers the old versions too.

The vault: entry A written, its words corrected, a photo attached, its place corrected
(an earlier version also named a witness and held a private note); entry B only had a
file attached. Read as the defence would: pdftotext, the CSV files, the JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.helpers import PASSPHRASE
from victim_log.bundle_contents import read_contents
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import case_to_json
from victim_log.export.pdf import render_pdf
from victim_log.export.tables import timeline_csv
from victim_log.export.tables import versions_csv
from victim_log.export.versions import DELETED_MARK
from victim_log.export.versions import INSERTED_MARK
from victim_log.export.versions import word_diff
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.safezip import SafeZip
from victim_log.vault import Vault
from victim_log.verify import verify_bundle

EXPORTED_AT = "2026-09-06T14:03:00+01:00"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60

FIRST_DETAILS = "He said hello quietly and hung up. Kerry Jones was with me outside the Co-op on High Street."
SECOND_DETAILS = "He said he would find me and hung up."
OLD_PLACE = "outside the Co-op on High Street"
NEW_PLACE = "at the bus stop on Mill Lane"
SECRET = "zqsecretnotezq"


@dataclass
class Built:
    vault: Vault
    a: int
    b: int
    c: int


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    vault, _ = Vault.create(tmp_path_factory.mktemp("versions") / "v", PASSPHRASE)
    dan = vault.add_person(PersonData("Dan Marsh", role="perpetrator"))
    vault.add_person(PersonData("Kerry Jones", role="witness"))
    a = vault.add_incident(
        IncidentData(
            summary="Phone call from Dan",
            kinds=("phone_call",),
            occurred_start="2026-03-04T21:15:00+00:00",
            location=OLD_PLACE,
            details=FIRST_DETAILS,
            people=(dan,),
            private_note=SECRET,
        )
    )
    cur = vault.get_incident(a).data
    vault.edit_incident(
        a, replace(cur, details=SECOND_DETAILS, private_note=""), "remembered his exact words"
    )
    vault.evidence.add_bytes(JPEG, "call log.jpg", incident_id=a)
    cur = vault.get_incident(a).data
    vault.edit_incident(a, replace(cur, location=NEW_PLACE), "I had the place wrong")
    b = vault.add_incident(
        IncidentData(
            summary="Flowers left on the doorstep",
            kinds=("gift",),
            occurred_start="2026-03-05T08:00:00+00:00",
        )
    )
    vault.evidence.add_bytes(JPEG + b"2", "flowers.jpg", incident_id=b)
    c = vault.add_incident(
        IncidentData(summary="Car outside", kinds=("loitering",), private_note="zqfirstnotezq")
    )
    vault.edit_incident(c, replace(vault.get_incident(c).data, private_note="zqsecondnotezq"), "my note")
    yield Built(vault, a, b, c)
    vault.lock()


def _json(b: Built, **options: Any) -> dict[str, Any]:
    case = build_case(b.vault, ExportOptions(initials="SM", **options), exported_at=EXPORTED_AT)
    return case_to_json(case)


def _incident(doc: dict[str, Any], iid: int) -> dict[str, Any]:
    return next(i for i in doc["incidents"] if i["id"] == iid)


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _pdf(b: Built, tmp: Path, **options: Any) -> str:
    case = build_case(b.vault, ExportOptions(initials="SM", **options), exported_at=EXPORTED_AT)
    buf = io.BytesIO()
    render_pdf(case, buf)
    path = tmp / "t.pdf"
    path.write_bytes(buf.getvalue())
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(out.stdout.split())


needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler's pdftotext")


def test_json_carries_every_earlier_version(built: Built) -> None:
    inc = _incident(_json(built), built.a)
    assert [h["version"] for h in inc["history"]] == [1, 2, 3, 4]
    assert all(set(h) == {"version", "recorded_at", "reason"} for h in inc["history"])  # unchanged contract
    versions = inc["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    first, second, third = versions
    assert first["details"] == FIRST_DETAILS and first["location"] == OLD_PLACE
    assert first["change"] == "created" and first["reason"] == "created"
    assert second["details"] == SECOND_DETAILS and second["change"] == "account"
    assert second["changed_fields"] == ["details"] and second["reason"] == "remembered his exact words"
    assert third["change"] == "evidence" and third["evidence_attached"] == ["SM/1"]
    assert third["changed_fields"] == [] and not third["account_changed"]
    assert inc["details"] == SECOND_DETAILS and inc["location"] == NEW_PLACE
    assert inc["account_changes"] == 2 and inc["evidence_changes"] == 1
    assert first["private_note"] is None  # private notes stay out by default


def test_attaching_a_file_is_not_an_account_change(built: Built) -> None:
    inc = _incident(_json(built), built.b)
    assert inc["account_changes"] == 0 and inc["evidence_changes"] == 1
    assert [v["change"] for v in inc["versions"]] == ["created"]
    case = build_case(built.vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    rows = {int(r["incident_id"]): r for r in _rows(timeline_csv(case))}
    assert (rows[built.b]["account_changes"], rows[built.b]["evidence_changes"]) == ("0", "1")
    assert (rows[built.a]["account_changes"], rows[built.a]["evidence_changes"]) == ("2", "1")


def test_versions_csv_has_one_row_per_earlier_version(built: Built) -> None:
    case = build_case(built.vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    rows = _rows(versions_csv(case))
    a_rows = [r for r in rows if int(r["incident_id"]) == built.a]
    assert [r["version"] for r in a_rows] == ["1", "2", "3"]
    assert a_rows[0]["details"] == FIRST_DETAILS and a_rows[0]["location"] == OLD_PLACE
    assert a_rows[1]["change"] == "account" and a_rows[1]["changed_fields"] == "details"
    assert a_rows[2]["change"] == "evidence" and a_rows[2]["evidence_attached"] == "SM/1"
    assert [r["change"] for r in rows if int(r["incident_id"]) == built.b] == ["created"]
    assert all(r["private_note"] == "" for r in rows)


@needs_pdftotext
def test_pdf_appendix_gives_the_earlier_wording(built: Built, tmp_path: Path) -> None:
    text = _pdf(built, tmp_path)
    appendix = text[text.index("Appendix A: Earlier versions") :]
    assert FIRST_DETAILS in appendix  # version 1 in full
    assert "[-hello quietly-]" in appendix and "{+he would find me+}" in appendix
    assert f"[-{OLD_PLACE}-] {{+{NEW_PLACE}+}}" in appendix
    assert "words between [- and -] were in the earlier version" in appendix  # the legend
    assert "SM/1 attached (the account did not change)" in appendix
    assert "Account changed 2 times" in text
    # Entry B: its attachment is not an amendment.
    assert text.count("The earlier wording is in Appendix A") == 1
    assert "Account changed 0 times; files attached or taken off 1 time" in appendix
    assert SECRET not in text
    # The PDF says exactly what it holds.
    assert "lists every version with its date and reason" not in text
    assert "Appendix A gives every earlier version's wording" in text


def test_private_notes_of_earlier_versions_only_when_included(built: Built, tmp_path: Path) -> None:
    assert SECRET not in json.dumps(_json(built))
    case = build_case(built.vault, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)
    assert SECRET not in versions_csv(case).decode("utf-8-sig")
    assert _incident(_json(built, include_private=True), built.a)["versions"][0]["private_note"] == SECRET


def test_redaction_covers_earlier_versions(built: Built, tmp_path: Path) -> None:
    redact = frozenset({"locations", "third-parties"})
    doc = json.dumps(_json(built, redact=redact))
    case = build_case(built.vault, ExportOptions(initials="SM", redact=redact), exported_at=EXPORTED_AT)
    tables = versions_csv(case).decode("utf-8-sig") + timeline_csv(case).decode("utf-8-sig")
    outputs = [doc, tables]
    if shutil.which("pdftotext"):
        outputs.append(_pdf(built, tmp_path, redact=redact))
    for out in outputs:
        for leak in (OLD_PLACE, NEW_PLACE, "Co-op", "Kerry", "Jones"):
            assert leak not in out
    first = _incident(_json(built, redact=redact), built.a)["versions"][0]
    assert first["location"] == "[location redacted]"
    assert "[third party redacted]" in first["details"] and "[location redacted]" in first["details"]


def test_bundle_holds_versions_csv_and_says_so(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "export.zip"
    export(built.vault, out, ExportOptions(initials="SM"))
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        readme = zf.read(next(n for n in names if n.endswith("/README.txt"))).decode()
        rows = _rows(zf.read(next(n for n in names if n.endswith("/data/versions.csv"))))
    assert any(r["details"] == FIRST_DETAILS for r in rows)
    assert "its earlier versions are in the PDF's appendix" not in readme
    assert "data/versions.csv" in readme and "wording of each earlier version" in readme
    assert "not a change to the account" in readme
    assert verify_bundle(out).valid
    # The bundle viewer says the same: account changes apart from files attached.
    with SafeZip(out) as z:
        details = {r.summary: r.detail for r in read_contents(z).rows}
    assert "account changed 2 times, files attached or taken off 1 time" in details["Phone call from Dan"]
    assert "account changed" not in details["Flowers left on the doorstep"]
    assert "files attached or taken off 1 time" in details["Flowers left on the doorstep"]


def test_word_diff_marks() -> None:
    assert word_diff("a b c", "a b c") == "a b c"
    assert word_diff("he said hello", "he said goodbye") == "he said [-hello-] {+goodbye+}"
    assert word_diff("one two three", "one three") == "one [-two-] three"
    assert word_diff("one three", "one two three") == "one {+two+} three"
    assert word_diff("", "new words") == "[-(empty)-] {+new words+}"
    assert word_diff("old words", "") == "[-old words-] {+(empty)+}"
    assert word_diff("line one\nline two", "line one\nline 2") == "line one\nline [-two-] {+2+}"
    # A short value mostly rewritten is shown whole, not as a patchwork.
    assert word_diff(OLD_PLACE, NEW_PLACE) == f"[-{OLD_PLACE}-] {{+{NEW_PLACE}+}}"
    # The person's own brackets are never mistaken for ours.
    assert word_diff("he wrote [-x-]", "he wrote {+y+}") == "Before: he wrote [-x-]\nAfter: he wrote {+y+}"


_WORDS = st.lists(
    st.sampled_from(["he", "said", "the", "Co-op", "\n", "find", "me", "“quote”", "07700"]), max_size=30
)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(_WORDS, _WORDS)
def test_word_diff_loses_no_word(old_words: list[str], new_words: list[str]) -> None:
    """Both versions can be read back from the diff: drop one side's marks, keep the other's words."""
    old, new = " ".join(old_words), " ".join(new_words)
    diff = word_diff(old, new)

    def side(keep: tuple[str, str], drop: tuple[str, str]) -> list[str]:
        text = re.sub(re.escape(drop[0]) + r".*?" + re.escape(drop[1]), " ", diff, flags=re.S)
        text = text.replace(keep[0], " ").replace(keep[1], " ").replace("(empty)", " ")
        return text.split()

    assert side(DELETED_MARK, INSERTED_MARK) == old.split()
    assert side(INSERTED_MARK, DELETED_MARK) == new.split()


@needs_pdftotext
def test_a_private_note_change_is_not_an_account_change(built: Built, tmp_path: Path) -> None:
    inc = _incident(_json(built), built.c)
    assert inc["account_changes"] == 0 and inc["evidence_changes"] == 0
    assert inc["versions"][0]["private_note"] is None
    hidden = _pdf(built, tmp_path)
    assert "zqfirstnotezq" not in hidden and "zqsecondnotezq" not in hidden
    assert "Changed (private notes are not included in this export)" in hidden
    shown = _pdf(built, tmp_path, include_private=True)
    assert "[-zqfirstnotezq-] {+zqsecondnotezq+}" in shown
    assert "private note alone changed 1 time" in shown
    doc = _incident(_json(built, include_private=True), built.c)
    assert doc["versions"][0]["private_note"] == "zqfirstnotezq"
    assert doc["versions"][0]["change"] == "created"


def test_an_orders_words_are_never_redacted_in_earlier_versions_either(tmp_path: Path) -> None:
    """#16.6: a breached condition is quoted as the court wrote it, in the entry and in
    every earlier version of it alike, whatever the export redacts."""
    condition = "Must not contact Kerry Jones or go to Mill Lane"
    vault, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    dan = vault.add_person(PersonData("Dan Marsh", role="perpetrator"))
    vault.add_person(PersonData("Kerry Jones", role="witness"))
    order = vault.add_order(OrderData("Stalking Protection Order", conditions=(condition,), person_id=dan))
    first = IncidentData(
        summary="He came to the gate",
        kinds=("order_breach",),
        occurred_start="2026-03-04T21:15:00+00:00",
        location="Mill Lane",
        order_id=order,
        order_condition=condition,
    )
    iid = vault.add_incident(first)
    vault.edit_incident(iid, replace(first, details="He shouted at Kerry Jones."), "added what he did")
    case = build_case(
        vault,
        ExportOptions(redact=frozenset({"locations", "third-parties"})),
        exported_at=EXPORTED_AT,
    )
    (entry,) = case.incidents
    assert "Kerry Jones" not in entry.details  # redaction applies to the account
    assert [v.order_condition for v in entry.versions] == [condition, condition]
    assert entry.order_condition == condition
    vault.lock()
