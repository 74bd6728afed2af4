"""Imports into the vault: counts, exhibits, idempotence, transactions, hostile input."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import computer_zone
from tests.helpers import run_cli
from victim_log.errors import BadInput
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.vault import Vault

FIX = Path(__file__).parent / "importers" / "fixtures"


def snapshot(v: Vault) -> tuple[int, int, int]:
    c = v.conn
    return (
        c.execute("SELECT count(*) FROM records").fetchone()[0],
        c.execute("SELECT count(*) FROM journal").fetchone()[0],
        len([p for p in (v.path / "blobs").rglob("*") if p.is_file()]),
    )


def test_whatsapp_import_counts_and_citations(vault: Vault) -> None:
    req = ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh")
    dry = run_import(vault, ImportRequest(**{**req.__dict__, "dry_run": True}))
    assert snapshot(vault) == (0, 0, 0)
    report = run_import(vault, req)
    assert report.incidents_created == dry.incidents_created == 5
    assert report.exhibits_stored == 1  # the chat itself; media were omitted
    incidents = [vault.get_incident(i) for i in report.incident_ids]
    first = incidents[0]
    assert first.data.kinds == ("message",)
    assert first.data.occurred_start.startswith("2024-03-12T20:01")
    assert first.data.details == "Why aren't you answering me"
    assert "line" in first.data.source and "exhibit" in first.data.source
    multi = incidents[1].data.details
    assert multi.startswith("I saw you at the Co-op") and "\n\nDon't pretend" in multi
    raw = vault.evidence.get(first.evidence[0])
    assert raw.filename == "whatsapp_android_dmy.txt"
    assert (
        raw.sha256
        == __import__("hashlib").sha256((FIX / "whatsapp_android_dmy.txt").read_bytes()).hexdigest()
    )
    assert vault.find_person("Dan Marsh") is not None
    assert vault.check().ok


def test_import_is_idempotent(vault: Vault) -> None:
    req = ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh")
    run_import(vault, req)
    before = snapshot(vault)
    again = run_import(vault, req)
    assert again.already_imported and again.incidents_created == 0
    assert snapshot(vault) == before


def test_longer_export_adds_only_new_messages(vault: Vault, tmp_path: Path) -> None:
    src = (FIX / "whatsapp_android_dmy.txt").read_text(encoding="utf-8-sig")
    run_import(vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh"))
    longer = tmp_path / "later-export.txt"
    longer.write_text(src + "14/03/2024, 09:00 - Dan Marsh: One more thing\n", encoding="utf-8")
    report = run_import(vault, ImportRequest("whatsapp", longer, sender="Dan Marsh"))
    assert report.incidents_created == 1 and report.duplicates_skipped == 5


def test_grouping_bursts(vault: Vault) -> None:
    report = run_import(
        vault,
        ImportRequest(
            "whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh", group_minutes=10, context=False
        ),  # a reply kept as context splits a burst: tests/test_import_records_labels.py
    )
    assert report.incidents_created == 2
    first = vault.get_incident(report.incident_ids[0])
    assert first.data.summary.startswith("4 WhatsApp messages")
    assert first.data.occurred_end


def test_senders_listed_without_sender(vault: Vault) -> None:
    report = run_import(vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt"))
    names = dict(report.senders)
    assert names["Dan Marsh"] == 5 and "Sarah Jones" in names
    assert snapshot(vault) == (0, 0, 0)


def test_sms_and_calls_by_number(vault: Vault) -> None:
    sms = run_import(vault, ImportRequest("sms-backup", FIX / "sms_backup.xml", sender="07700 900123"))
    assert sms.incidents_created >= 2
    mms = [vault.get_incident(i) for i in sms.incident_ids if vault.get_incident(i).evidence[1:]]
    assert mms, "the MMS photo is stored as its own exhibit"
    calls = run_import(vault, ImportRequest("calls", FIX / "calls_backup.xml", sender="07700900123"))
    summaries = [vault.get_incident(i).data.summary for i in calls.incident_ids]
    assert any(s.startswith("Missed call") or s.startswith("Rejected call") for s in summaries)
    assert all(
        vault.get_incident(i).data.kinds in (("phone_call",), ("voicemail",)) for i in calls.incident_ids
    )
    assert vault.check().ok


def test_email_import(vault: Vault) -> None:
    report = run_import(vault, ImportRequest("email", FIX / "mailbox.mbox", sender="dan.marsh@example.com"))
    assert report.incidents_created >= 1
    inc = vault.get_incident(report.incident_ids[0])
    assert inc.data.kinds == ("email",) and inc.data.summary.startswith("Email from")


@pytest.mark.parametrize(
    "content", [b"", os.urandom(5000), b"<?xml version='1.0'?><smses>", b"x" * (20 * 1024 * 1024)]
)
@pytest.mark.parametrize("fmt", ["whatsapp", "sms-backup", "email"])
def test_hostile_input_changes_nothing(vault: Vault, tmp_path: Path, fmt: str, content: bytes) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    before = snapshot(vault)
    with pytest.raises(BadInput) as info:
        run_import(vault, ImportRequest(fmt, bad, sender="Dan Marsh"))
    assert "\n" not in str(info.value)
    assert snapshot(vault)[:2] == before[:2]
    assert snapshot(vault)[2] == before[2]


def test_zip_traversal_refused(vault: Vault, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("_chat.txt", "[12/03/2024, 20:01:00] Dan Marsh: hi\n")
        zf.writestr("../../evil.txt", "x")
    bad = tmp_path / "chat.zip"
    bad.write_bytes(buf.getvalue())
    with pytest.raises(BadInput):
        run_import(vault, ImportRequest("whatsapp", bad, sender="Dan Marsh"))
    assert snapshot(vault) == (0, 0, 0)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_failure_midway_rolls_back(vault: Vault, monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.store.transaction import Transaction

    real = Transaction.add_incidents

    def flaky(self, *a, **k):  # type: ignore[no-untyped-def]
        real(self, *a, **k)  # the incidents are written, then the disk fills up
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Transaction, "add_incidents", flaky)
    with pytest.raises((OSError, BadInput)):
        run_import(vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh"))
    assert snapshot(vault) == (0, 0, 0)


def _contents(v: Vault) -> list[tuple[object, ...]]:
    """What an import writes for its incidents, minus the times it was written (the
    exhibit's record differs anyway: its blob gets a random name)."""
    c = v.conn
    return [
        *c.execute("SELECT id, version, reason, body FROM records WHERE kind = 'incident' ORDER BY id"),
        *c.execute("SELECT seq, action, id, body_sha256 FROM journal WHERE kind = 'incident' ORDER BY seq"),
        *c.execute("SELECT id, occurred_start, sort_key, summary FROM incidents ORDER BY id"),
        *c.execute("SELECT rowid, * FROM incident_fts ORDER BY rowid"),
        *c.execute("SELECT * FROM incident_people ORDER BY 1, 2"),
        *c.execute("SELECT * FROM evidence_links ORDER BY 1, 2"),
        *c.execute("SELECT incident_id FROM imported_items ORDER BY 1"),
    ]  # keys: per vault


def test_written_in_small_steps_the_import_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import builds and writes its incidents a step at a time and runs queued
    inserts as the queue fills; neither may change what ends up in the vault."""
    from victim_log.importers import service
    from victim_log.store import db

    req = ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh")
    results = []
    for name, per_step, queue_rows in (("big", 2000, 50_000), ("small", 2, 3)):
        monkeypatch.setattr(service, "INCIDENTS_PER_STEP", per_step)
        monkeypatch.setattr(db, "QUEUE_ROWS", queue_rows)
        v, _ = Vault.create(tmp_path / name, PASSPHRASE)
        try:
            assert run_import(v, req).incidents_created == 5
            assert v.check().ok
            results.append(_contents(v))
        finally:
            v.lock()
    assert results[0] == results[1]


def test_failure_in_a_later_step_rolls_back_the_earlier_ones(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log.importers import service
    from victim_log.store import db
    from victim_log.store.transaction import Transaction

    monkeypatch.setattr(service, "INCIDENTS_PER_STEP", 2)
    monkeypatch.setattr(db, "QUEUE_ROWS", 3)  # earlier steps reach the database file's pages
    real = Transaction.add_incidents
    steps = []

    def fails_third(self, new, reason):  # type: ignore[no-untyped-def]
        steps.append(len(new))
        if len(steps) == 3:
            raise OSError(28, "No space left on device")
        return real(self, new, reason)

    monkeypatch.setattr(Transaction, "add_incidents", fails_third)
    with pytest.raises((OSError, BadInput)):
        run_import(vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh"))
    assert steps == [2, 2, 1]
    assert snapshot(vault) == (0, 0, 0)


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_impossible_dates_are_kept_without_a_time(vault: Vault, tmp_path: Path, zone: str) -> None:
    """A broken or hostile export dated in year 1 or 9999 once stopped the import (the
    local-time arithmetic overflows); such a message is now imported with no time and
    its date kept in the details, so nothing is lost and the timeline stays usable."""
    with computer_zone(zone):
        chat = tmp_path / "chat.txt"
        chat.write_text(
            "31/12/9999, 23:59 - Dan Marsh: far future\n"
            "01/01/0001, 00:01 - Dan Marsh: far past\n"
            "13/01/2024, 10:00 - Dan Marsh: normal\n"
            "14/01/2024, 10:00 - Dan Marsh: same burst? no\n",
            encoding="utf-8",
        )
        report = run_import(
            vault, ImportRequest("whatsapp", chat, sender="Dan Marsh", group_minutes=60 * 24 * 365 * 9000)
        )
        assert report.incidents_created == 3  # the impossible ones are never grouped
        future, past, normal = (vault.get_incident(i).data for i in report.incident_ids)
        assert (future.occurred_start, future.precision) == ("", "unknown_time")
        assert future.details.startswith("[the export dates this 9999-12-31 23:59, which cannot")
        assert future.details.endswith("far future")
        assert past.occurred_start == "" and "0001-01-01 00:01" in past.details
        assert normal.occurred_start.startswith("2024-01-13T10:00") and normal.occurred_end
        assert vault.check().ok


def test_stamp_keeps_only_plausible_times() -> None:
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from victim_log.importers.service import stamp

    assert stamp(None) == ""
    assert stamp(datetime(2024, 3, 1, 20, 11, 5, tzinfo=UTC)) == "2024-03-01T20:11:05+00:00"
    assert stamp(datetime(2024, 3, 1, 20, 11, 5)).startswith("2024-03-01T20:11:05")
    for impossible in (
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1, 1, 1),
        datetime(1969, 12, 31, 23, 59),
        datetime.now() + timedelta(days=400),
        datetime(5138, 11, 16, tzinfo=UTC),
    ):  # SMS "date" of 99999999999999 ms
        assert stamp(impossible) == "", impossible
    assert stamp(datetime(1970, 1, 1, 0, 0)).startswith("1970-01-01T00:00:00")


def test_photos_folder(vault: Vault, tmp_path: Path) -> None:
    folder = tmp_path / "shots"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(100))
    (folder / "b.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(100))
    (folder / "notes.txt").write_text("not a photo")
    report = run_import(vault, ImportRequest("photos", folder, photo_incidents=True))
    assert report.exhibits_stored == 2 and report.incidents_created == 2
    assert all(vault.get_incident(i).data.complete_later for i in report.incident_ids)


def test_photo_without_exif_dated_by_phone_file_name(vault: Vault, tmp_path: Path) -> None:
    """A phone's file name (IMG_yyyymmdd_hhmmss) dates the entry when EXIF has no date
    (#22 folder hand-off); a name with no time gives no time rather than a guess."""
    folder = tmp_path / "DCIM"
    folder.mkdir()
    (folder / "IMG_20240301_123456.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(100))
    (folder / "holiday.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(100))
    report = run_import(vault, ImportRequest("photos", folder, photo_incidents=True))
    starts = sorted(vault.get_incident(i).data.occurred_start for i in report.incident_ids)
    assert starts[0] == ""
    assert starts[1].startswith("2024-03-01T12:34:56")


def test_cli_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    run_cli(capsys, "init")
    src = str(FIX / "whatsapp_android_dmy.txt")
    r = run_cli(capsys, "import", "--format", "whatsapp", src)
    assert r.code == 2 and "Dan Marsh" in r.out and "--sender" in r.err
    one = ("--group-minutes", "0")  # one incident per message (a burst is one by default)
    r = run_cli(capsys, "import", "--format", "whatsapp", src, "--sender", "Dan Marsh", "--dry-run", *one)
    assert r.code == 0
    assert "5 incidents would be created and 1 exhibit would be stored; 0 lines skipped." in r.out
    r = run_cli(capsys, "import", "--format", "whatsapp", src, "--sender", "Dan Marsh", "--json", *one)
    import json

    doc = json.loads(r.out)
    assert doc["incidents_created"] == 5 and doc["exhibits_stored"] == 1
    assert {"messages_seen", "skipped_lines"} <= set(doc)
    r = run_cli(capsys, "import", "--format", "whatsapp", src, "--sender", "Dan Marsh")
    assert r.code == 0 and "imported before" in r.out
    us = str(FIX / "whatsapp_android_us.txt")
    r = run_cli(capsys, "import", "--format", "whatsapp", us, "--sender", "Dan Marsh", *one)
    assert r.code == 0 and " incidents were created and 1 exhibit was stored;" in r.out
    junk = tmp_path / "junk.xml"
    junk.write_bytes(b"<!DOCTYPE x [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]><smses>&b;</smses>")
    r = run_cli(capsys, "import", "--format", "sms-backup", str(junk), "--sender", "x")
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1


def test_several_names_for_one_person(vault: Vault) -> None:
    report = run_import(
        vault,
        ImportRequest(
            "whatsapp",
            FIX / "whatsapp_android_dmy.txt",
            sender="Dan Marsh",
            other_senders=("+44 7700 900123",),
        ),
    )
    assert report.incidents_created == 7
    person = vault.find_person("Dan Marsh")
    assert person is not None and "+44 7700 900123" in person.data.phones
    assert {p for i in report.incident_ids for p in vault.get_incident(i).data.people} == {person.id}


def test_dry_run_counts_only_exhibits_that_exist(vault: Vault) -> None:
    dry = run_import(
        vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh", dry_run=True)
    )
    real = run_import(vault, ImportRequest("whatsapp", FIX / "whatsapp_android_dmy.txt", sender="Dan Marsh"))
    assert dry.exhibits_stored == real.exhibits_stored == 1


def test_another_number_of_the_same_person_later(vault: Vault) -> None:
    src = FIX / "whatsapp_android_dmy.txt"
    run_import(vault, ImportRequest("whatsapp", src, sender="Dan Marsh"))
    assert run_import(vault, ImportRequest("whatsapp", src)).already_imported
    more = run_import(vault, ImportRequest("whatsapp", src, sender="+44 7700 900123"))
    assert more.incidents_created == 2 and not more.already_imported


def test_json_report_has_every_documented_key_and_no_message_text() -> None:
    from victim_log.importers.service import ImportReport

    report = ImportReport("whatsapp", dry_run=True, senders=[("Dan Marsh", 3)], preview=["a message's words"])
    out = report.to_json()
    assert list(out) == [
        *("format", "dry_run", "messages_seen", "matched", "incidents_created", "exhibits_stored"),
        *("skipped_lines", "duplicates_skipped", "already_imported", "senders", "incident_ids"),
        *("group_minutes", "context_created", "context_ids", "context_note", "possible_duplicates"),
        *("media_added", "media_incident_ids"),
    ]
    assert out["senders"] == [{"sender": "Dan Marsh", "count": 3}]
    assert "a message's words" not in repr(out)
