"""Imported records are records, not the victim's account (#16.5).

WhatsApp and SMS imports, read back as an officer would: timeline.json, timeline.csv
and the PDF's text (pdftotext). Imported entries say "imported" (never "victim"),
cite the exhibit line, say when they were imported, and never carry "recorded N
days later"; the victim's replies asking him to stop are context, not incidents;
likely duplicates of typed entries are reported; bursts are grouped by default.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from victim_log.export.case import ExportCase
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.pdf import render_pdf
from victim_log.export.tables import timeline_csv
from victim_log.export.tables import timeline_json
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.model import IncidentData
from victim_log.vault import Vault

FIX = Path(__file__).parent / "importers" / "fixtures"
CHAT = FIX / "whatsapp_android_dmy.txt"
SMS = FIX / "sms_backup.xml"
EXPORTED_AT = "2026-09-06T14:03:00+01:00"


def _case(v: Vault) -> ExportCase:
    return build_case(v, ExportOptions(initials="SM"), exported_at=EXPORTED_AT)


def _json(case: ExportCase) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(timeline_json(case))
    return doc


def _csv_rows(case: ExportCase) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(timeline_csv(case).decode("utf-8-sig"))))


def _pdf_text(case: ExportCase, tmp_path: Path) -> str:
    buf = io.BytesIO()
    render_pdf(case, buf)
    path = tmp_path / "t.pdf"
    path.write_bytes(buf.getvalue())
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(out.split())


def _import(v: Vault, source: Path, fmt: str, sender: str, **kw: Any) -> Any:
    return run_import(v, ImportRequest(fmt, source, sender=sender, **kw))


# ---------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("fmt", "source", "sender"), [("whatsapp", CHAT, "Dan Marsh"), ("sms-backup", SMS, "07700 900123")]
)
def test_imported_entries_are_labelled_in_json_csv_and_pdf(
    vault: Vault, tmp_path: Path, fmt: str, source: Path, sender: str
) -> None:
    report = _import(vault, source, fmt, sender, group_minutes=0)
    assert report.incident_ids
    for iid in report.incident_ids:
        assert vault.get_incident(iid).data.author == "imported"

    case = _case(vault)
    doc = _json(case)
    assert doc["incidents"], "the import made incidents"
    for inc in doc["incidents"]:
        assert inc["author"] == "imported"
        assert inc["imported"] is True
        assert inc["imported_as"].startswith("message as exported (SM/1, ")
        assert inc["imported_at"] == inc["first_recorded_at"]
    rows = _csv_rows(case)
    assert rows and all(r["author"] == "imported" for r in rows)
    assert all(r["imported_as"].startswith("message as exported (SM/1, ") for r in rows)
    assert all(r["imported_at"] for r in rows)

    text = _pdf_text(case, tmp_path)
    assert "Imported record, not typed by the victim: message as exported (SM/1, " in text
    assert "Written by" not in text
    # Imported in 2026, sent in 2024: the gap measures nothing about anyone's memory.
    assert "days later" not in text and "hours later" not in text


def test_imported_files_say_they_were_exported_from_an_app(vault: Vault, tmp_path: Path) -> None:
    """The chat file's exhibit says how it was obtained, never "not given" or "the victim"'s own."""
    report = _import(vault, SMS, "sms-backup", "07700 900123", group_minutes=0)
    raw = vault.evidence.get(vault.get_incident(report.incident_ids[0]).evidence[0])
    photo = next(
        vault.evidence.get(e) for i in report.incident_ids for e in vault.get_incident(i).evidence[1:]
    )
    assert raw.metadata["provenance"]["how"] == "app_export"
    assert "SMS Backup" in raw.metadata["provenance"]["obtained_from"]
    assert photo.metadata["provenance"]["description"].startswith("a file inside an export")
    text = _pdf_text(_case(vault), tmp_path)
    assert "Export from an app" in text and "How obtained Not given" not in text


def test_own_entry_keeps_recorded_later_beside_imported_ones(vault: Vault, tmp_path: Path) -> None:
    _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=0)
    own = vault.add_incident(
        IncidentData("He was outside the house", kinds=("loitering",), occurred_start="2024-03-01T21:00")
    )
    case = _case(vault)
    doc = _json(case)
    mine = next(i for i in doc["incidents"] if i["id"] == own)
    assert mine["author"] == "victim" and mine["imported"] is False and mine["imported_as"] == ""
    assert mine["imported_at"] == ""
    text = _pdf_text(case, tmp_path)
    assert text.count("days later") == 1  # only the victim's own entry measures a delay
    assert "Imported records" in text  # the title page says what they are


def test_entries_imported_before_the_label_count_as_imported(vault: Vault, tmp_path: Path) -> None:
    """Vaults imported into before #16.5 say author "victim"; their source says import."""
    chat, _ = vault.evidence.add_bytes(b"12/03/2024, 20:01 - Dan Marsh: hi\n", "chat.txt")
    old = vault.add_incident(
        IncidentData(
            "WhatsApp message from Dan Marsh: hi",
            kinds=("message",),
            occurred_start="2024-03-12T20:01:00+00:00",
            details="hi",
            source=f"import:whatsapp exhibit {chat} line 1",
        ),
        evidence=(chat,),
    )
    case = _case(vault)
    inc = next(i for i in _json(case)["incidents"] if i["id"] == old)
    assert inc["author"] == "victim"  # as stored: the export never rewrites the record
    assert inc["imported"] is True and inc["imported_as"] == "message as exported (SM/1, line 1)"
    assert "days later" not in _pdf_text(case, tmp_path)


def test_a_photo_entry_is_the_victims_own() -> None:
    from victim_log.imported import is_imported

    assert not is_imported("victim", "import:photos exhibit 3")  # to complete in her words
    assert is_imported("victim", "import:sms-backup exhibit 3 sms #4")
    assert is_imported("imported", "") and not is_imported("support:Ann", "")


# ---------------------------------------------------------------------------- context


def test_whatsapp_reply_asking_to_stop_is_context_not_an_incident(vault: Vault, tmp_path: Path) -> None:
    report = _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=0)
    assert report.incidents_created == 5
    assert report.context_created == 1
    ctx = vault.get_incident(report.context_ids[0]).data
    assert ctx.author == "imported:context"
    assert ctx.summary == "You replied: Please stop messaging me."
    assert ctx.details == "Please stop messaging me."

    case = _case(vault)
    doc = _json(case)
    assert doc["counts"]["incidents"] == 5 == len(doc["incidents"])
    assert doc["counts"]["context_entries"] == 1
    assert sum(w["count"] for w in doc["counts"]["per_week"]) == 5
    assert sum(doc["counts"]["by_kind"].values()) == 5
    assert [c["details"] for c in doc["context"]] == ["Please stop messaging me."]
    assert doc["context"][0]["context"] is True and doc["context"][0]["author"] == "imported:context"
    assert all(i["context"] is False for i in doc["incidents"])
    assert report.context_ids[0] not in doc["breaches"]
    assert len(_csv_rows(case)) == 5  # one row per incident: context is not one

    text = _pdf_text(case, tmp_path)
    assert "not an incident" in text
    assert "The victim replied Please stop messaging me." in text
    assert "Incidents 5" in text


def test_bundle_carries_context_entries_in_full_and_verifies(vault: Vault, tmp_path: Path) -> None:
    """The journal gives context entries in full (they are in the export), not as stubs."""
    import zipfile

    from victim_log.export.bundle import export
    from victim_log.verify import verify_bundle

    report = _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=0)
    out = tmp_path / "export.zip"
    export(vault, out, ExportOptions(initials="SM"))
    assert verify_bundle(out).valid
    with zipfile.ZipFile(out) as zf:
        name = next(n for n in zf.namelist() if n.endswith("data/journal.jsonl"))
        lines = [json.loads(line) for line in zf.read(name).splitlines()]
        doc = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("data/timeline.json"))))
    full = {(e.get("kind"), e.get("id")) for e in lines if not e.get("withheld")}
    assert ("incident", report.context_ids[0]) in full
    assert [c["id"] for c in doc["context"]] == report.context_ids
    assert doc["counts"]["incidents"] == 5
    # The app's bundle viewer (what an officer may open it with) says the same.
    from victim_log.bundle_contents import read_contents
    from victim_log.safezip import SafeZip

    with SafeZip(out) as z:
        contents = read_contents(z)
    rows = {r.number: r for r in contents.rows}
    reply = rows[f"{report.context_ids[0]} (context)"]
    assert (
        reply.kinds == "The victim's reply, not an incident" and "Please stop messaging me." in reply.detail
    )
    first = rows[str(report.incident_ids[0])].detail
    assert "Record: Imported record, not typed by the victim: message as exported (SM/1, line 2)" in first
    assert "Imported into the log:" in first and "Written by" not in first
    assert "The victim's replies shown as context (not counted): 1" in contents.about


def test_sms_replies_asking_to_stop_are_context_but_drafts_are_not(vault: Vault) -> None:
    report = _import(vault, SMS, "sms-backup", "07700 900123", group_minutes=0)
    kept = sorted(vault.get_incident(i).data.details for i in report.context_ids)
    assert kept == ["Please stop contacting me.", "Stay away from my car."]
    doc = _json(_case(vault))
    assert doc["counts"]["incidents"] == report.incidents_created
    assert doc["counts"]["context_entries"] == 2
    assert all("police" not in c["details"] for c in doc["context"])  # a draft, never sent


def test_email_reply_asking_to_stop_is_context(vault: Vault) -> None:
    report = _import(
        vault, FIX / "mailbox.mbox", "email", "dan.marsh@example.com", me="sarah.jones@example.org"
    )
    (ctx,) = [vault.get_incident(i).data for i in report.context_ids]
    assert ctx.author == "imported:context" and ctx.kinds == ("email",)
    assert ctx.summary == "You replied: Stop emailing me."
    assert ctx.details == "Subject: third\nStop emailing me.\n"
    assert ctx.source_time == "the thirteenth of March"  # as the mail wrote it (#16.4)
    assert all(vault.get_incident(i).data.author == "imported" for i in report.incident_ids)


def test_no_context_option(vault: Vault) -> None:
    report = _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=0, context=False)
    assert report.context_created == 0 and report.context_ids == []
    assert vault.count_incidents() == 5


def test_context_is_not_added_twice_by_a_later_export(vault: Vault, tmp_path: Path) -> None:
    _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=0)
    longer = tmp_path / "later.txt"
    longer.write_text(
        CHAT.read_text(encoding="utf-8-sig") + "14/03/2024, 09:01 - Sarah Jones: Leave me alone\n",
        encoding="utf-8",
    )
    again = _import(vault, longer, "whatsapp", "Dan Marsh", group_minutes=0)
    assert again.incidents_created == 0
    assert again.context_created == 1  # only the new reply


def test_unclear_whose_messages_keeps_none_and_says_so_until_me_is_given(
    vault: Vault, tmp_path: Path
) -> None:
    chat = tmp_path / "group.txt"
    chat.write_text(
        "12/03/2024, 20:01 - Dan Marsh: Where are you\n"
        "12/03/2024, 20:02 - Jo Bloggs: Leave me alone\n"
        "12/03/2024, 20:03 - Sarah Jones: Please stop messaging me\n",
        encoding="utf-8",
    )
    unclear = run_import(
        vault, ImportRequest("whatsapp", chat, sender="Dan Marsh", date_order="dmy", dry_run=True)
    )
    assert unclear.context_created == 0 and "--me" in unclear.context_note
    mine = _import(vault, chat, "whatsapp", "Dan Marsh", me="Sarah Jones", date_order="dmy")
    assert [vault.get_incident(i).data.details for i in mine.context_ids] == ["Please stop messaging me"]
    assert mine.context_note == ""


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Please stop messaging me.", True),
        ("STOP", True),
        ("stop it!!", True),
        ("Leave me alone", True),
        ("Don\u2019t contact me again", True),
        ("I don't want to hear from you", True),
        ("I do not want you to text me", True),
        ("Stay away from my house", True),
        ("I'll stop by later", False),
        ("See you at the bus stop", False),
        ("I don't want pizza", False),
        ("We could go away for the weekend", False),
    ],
)
def test_stop_phrases(text: str, asks: bool) -> None:
    from victim_log.importers.context import asks_to_stop

    assert asks_to_stop(text) is asks


def test_cli_no_context_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "whatsapp", str(CHAT), "--sender", "Dan Marsh", "--dry-run")
    assert r.code == 0 and "1 reply of yours asking them to stop would be kept as context" in r.out
    r = run_cli(
        capsys, "import", "--format", "whatsapp", str(CHAT), "--sender", "Dan Marsh", "--no-context", "--json"
    )
    doc = json.loads(r.out)
    assert doc["context_created"] == 0 and doc["context_ids"] == []


def test_cli_show_says_imported_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(capsys, "import", "--format", "whatsapp", str(CHAT), "--sender", "Dan Marsh", "--json")
    doc = json.loads(r.out)
    r = run_cli(capsys, "show", str(doc["incident_ids"][0]))
    assert "Imported record (from an export, not typed by the victim)" in r.out
    r = run_cli(capsys, "show", str(doc["context_ids"][0]))
    assert "the victim's own message, kept as context" in r.out


# ---------------------------------------------------------------------------- duplicates


def _typed_sms_duplicate(v: Vault) -> int:
    """The victim typed the first SMS the evening it came (20:01 UTC, logged as 20:03)."""
    return v.add_incident(
        IncidentData(
            "Text from Dan",
            kinds=("message",),
            occurred_start="2024-03-12T20:03:00+00:00",
            details="He texted me: I know where you live. Nice blue door",
        )
    )


def test_duplicates_of_typed_entries_are_reported_and_imported_by_default(vault: Vault) -> None:
    typed = _typed_sms_duplicate(vault)
    report = _import(vault, SMS, "sms-backup", "07700 900123", group_minutes=0)
    assert [(d.ref, d.incident_id, d.skipped) for d in report.possible_duplicates] == [
        ("sms #1", typed, False)
    ]
    assert report.possible_duplicates[0].minutes_apart == 2
    doc = report.to_json()
    assert doc["possible_duplicates"][0]["incident_id"] == typed
    details = [vault.get_incident(i).data.details for i in report.incident_ids]
    assert any(d.startswith("I know where you live.") for d in details)  # imported too


def test_skip_duplicates_leaves_them_out_and_lists_them(vault: Vault) -> None:
    _typed_sms_duplicate(vault)
    plain = run_import(
        vault, ImportRequest("sms-backup", SMS, sender="07700 900123", group_minutes=0, dry_run=True)
    )
    report = _import(vault, SMS, "sms-backup", "07700 900123", group_minutes=0, skip_duplicates=True)
    assert report.incidents_created == plain.incidents_created - 1
    assert [(d.ref, d.skipped) for d in report.possible_duplicates] == [("sms #1", True)]
    details = [vault.get_incident(i).data.details for i in report.incident_ids]
    assert not any(d.startswith("I know where you live.") for d in details)


def test_whatsapp_duplicate_of_typed_entry(vault: Vault) -> None:
    typed = vault.add_incident(
        IncidentData(
            "He saw me at the Co-op",
            kinds=("message",),
            occurred_start="2024-03-12T20:04",  # the chat says 20:02, same clock
            details="Message: I saw you at the Co-op on High Street. You were wearing the blue coat.",
        )
    )
    unrelated = vault.add_incident(
        IncidentData(
            "Car scratched", kinds=("damage",), occurred_start="2024-03-12T20:01", details="Key marks"
        )
    )
    report = _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=0)
    found = {(d.incident_id, d.ref) for d in report.possible_duplicates}
    assert found == {(typed, "line 3")}
    assert unrelated not in {d.incident_id for d in report.possible_duplicates}


def test_cli_reports_duplicates_in_text_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(
        capsys,
        "add",
        "--summary",
        "Text from Dan",
        "--when",
        "2024-03-12T20:03:00+00:00",
        "--kind",
        "message",
        "--details",
        "He texted me: I know where you live. Nice blue door",
    )
    assert r.code == 0, r.err
    r = run_cli(capsys, "import", "--format", "sms-backup", str(SMS), "--sender", "07700 900123", "--dry-run")
    assert "1 message may be the same as entries you typed:" in r.out
    assert "sms #1: may be the same as entry 1 you typed (2 min apart)" in r.out
    assert "--skip-duplicates" in r.out
    r = run_cli(
        capsys,
        "import",
        "--format",
        "sms-backup",
        str(SMS),
        "--sender",
        "07700 900123",
        "--skip-duplicates",
        "--json",
    )
    doc = json.loads(r.out)
    assert doc["possible_duplicates"] == [
        {"ref": "sms #1", "incident_id": 1, "minutes_apart": 2, "similarity": 1.0, "skipped": True}
    ]


# ---------------------------------------------------------------------------- grouping


def test_cli_groups_bursts_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    r = run_cli(
        capsys, "import", "--format", "whatsapp", str(CHAT), "--sender", "Dan Marsh", "--dry-run", "--json"
    )
    doc = json.loads(r.out)
    # 20:01 and 20:02 | "Please stop messaging me." at 20:05 | 20:06 and 20:07 | 07:15
    assert doc["group_minutes"] == 10 and doc["incidents_created"] == 3
    r = run_cli(
        capsys,
        "import",
        "--format",
        "whatsapp",
        str(CHAT),
        "--sender",
        "Dan Marsh",
        "--group-minutes",
        "0",
        "--json",
    )
    doc = json.loads(r.out)
    assert doc["group_minutes"] == 0 and doc["incidents_created"] == 5


def test_a_burst_is_never_one_entry_across_a_reply_asking_to_stop(vault: Vault) -> None:
    without = run_import(
        vault,
        ImportRequest("whatsapp", CHAT, sender="Dan Marsh", group_minutes=10, context=False, dry_run=True),
    )
    assert without.incidents_created == 2  # nothing kept: nothing to split at
    report = _import(vault, CHAT, "whatsapp", "Dan Marsh", group_minutes=10)
    summaries = [vault.get_incident(i).data.summary for i in report.incident_ids]
    starts = [vault.get_incident(i).data.occurred_start[11:16] for i in report.incident_ids]
    assert starts == ["20:01", "20:06", "07:15"]  # the reply was at 20:05
    assert summaries[0].startswith("2 WhatsApp messages") and summaries[1].startswith("2 WhatsApp messages")


def test_list_counts_context_replies_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list` shows the victim's reply kept as context, marked, and does not count it
    as an incident (#16.5)."""
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init", "--time-zone", "Europe/London").code == 0
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "10/04/2024, 18:30 - Dan Marsh: where are you\n"
        "10/04/2024, 18:31 - Sam Morgan: Please stop contacting me.\n"
        "10/04/2024, 18:50 - Dan Marsh: answer me\n",
        encoding="utf-8",
    )
    r = run_cli(capsys, "import", "--format", "whatsapp", "--sender", "Dan Marsh", "--me", "Sam Morgan",
                "--group-minutes", "0", "--date-order", "dmy", str(chat))  # fmt: skip
    assert r.code == 0, r.err
    r = run_cli(capsys, "list")
    assert r.code == 0
    [reply] = [line for line in r.out.splitlines() if "You replied" in line]
    assert "context: your reply, not an incident" in reply
    assert r.err.strip() == "2 incidents and 1 reply of yours kept as context"


def test_a_vault_from_before_context_rows_marks_them_on_upgrade(tmp_path: Path) -> None:
    """Migration 5 marks existing context entries from their latest version's author."""
    from victim_log.store import db

    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    reply = v.add_incident(IncidentData(summary="You replied: stop", author="imported:context"))
    typed = v.add_incident(IncidentData(summary="He rang"))
    v.conn.execute("UPDATE incidents SET context = 0")  # as a version 4 vault had it
    for statement in db.MIGRATIONS[4][1:]:
        v.conn.execute(statement)
    marked = {s.id: s.context for s in v.list_incidents()}
    assert marked == {reply: True, typed: False}
    v.lock()
