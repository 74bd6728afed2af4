"""One log read as a defence lawyer would read it (#16, "Must hold").

Built only through the command line, as a victim and her advocate would build it: an
order with its service and expiry; breaches before it was made, in its term and after
it ended; an entry amended; one with a private note; one deleted; a file removed; a
support worker's entry and file; a third party and someone merely named; typed times
refused on the nights the clocks changed; a WhatsApp chat crossing both 2024 clock
changes with the victim's own "please stop"; and a typed entry the chat repeats.

Every point of the issue is then asserted in what the officer receives: the PDF (read
with pdftotext), the CSV files and timeline.json. Exporting again with a filter, and
once more after an older entry is added, must give every entry and exhibit the same
reference: a reference that moves is the first thing a defence lawyer would use.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.bundle_text import Bundle
from tests.bundle_text import pdf_words
from tests.bundle_text import read_bundle
from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from tests.helpers import Result
from tests.helpers import run_proc

CONDITION = "Must not contact Sam Morgan by any means"
CHAT = """31/03/2024, 00:45 - Dan Marsh: chat before spring change
31/03/2024, 01:30 - Dan Marsh: chat in the skipped hour
31/03/2024, 02:45 - Dan Marsh: chat after spring change
31/03/2024, 02:50 - Sam Morgan: Please stop contacting me.
10/04/2024, 18:32 - Dan Marsh: I can see you at the gate
27/10/2024, 01:50 - Dan Marsh: chat first time round
27/10/2024, 01:10 - Dan Marsh: chat second time round
"""


class CaseBundle(Bundle):
    """A bundle of this case, with its entries found by summary and its references."""

    def incident(self, summary_start: str) -> dict:  # type: ignore[type-arg]
        found = [i for i in self.json()["incidents"] if i["summary"].startswith(summary_start)]
        assert len(found) == 1, summary_start
        return found[0]  # type: ignore[no-any-return]

    def refs(self) -> tuple[dict[str, str], dict[str, str]]:
        """Entry reference by summary, exhibit reference by original file name."""
        data = self.json()
        entries = {i["summary"]: i["reference"] for i in data["incidents"]}
        exhibits = {e["original_filename"]: e["reference"] for e in data["exhibits"]}
        return entries, exhibits


@dataclass
class Log:
    root: Path
    env: dict[str, str]
    adds: dict[str, Result]

    def cli(self, *args: str, ok: bool = True) -> Result:
        r = run_proc(*args, env=self.env)
        if ok:
            assert r.code == 0, (args[:2], r.err)
        return r

    def export(self, name: str, *args: str) -> CaseBundle:
        out = self.root / f"{name}.zip"
        self.cli("export", "--out", str(out), *args)
        tmp = self.root / name
        tmp.mkdir()
        found = read_bundle(out, tmp)
        return CaseBundle(found.files, found.pdf)


@dataclass
class Case:
    log: Log
    full: CaseBundle
    filtered: CaseBundle
    later: CaseBundle  # after an older entry was added
    import_report: dict  # type: ignore[type-arg]


def _env(root: Path) -> dict[str, str]:
    home = root / "home"
    for sub in (".config", ".local/share", ".local/state", ".cache", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "TMPDIR": str(home / "tmp"),
        "VICTIM_LOG_VAULT": str(root / "vault"),
        "VICTIM_LOG_STATE": str(root / "state"),
        "VICTIM_LOG_PASSPHRASE": PASSPHRASE,
    }


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Case:  # noqa: D103
    root = tmp_path_factory.mktemp("cross")
    log = Log(root, _env(root), {})
    cli = log.cli
    cli("init", "--time-zone", "Europe/London")
    cli("add", "--summary", "Dan rang", "--kind", "phone_call", "--when", "2024-01-15T19:00")
    cli("person", "list")  # the first --person made him: named, unless a role is given
    cli(
        "add", "--summary", "Dan followed me home", "--kind", "following", "--when", "2024-01-20T17:00",
        "--person", "Dan Marsh", "--person-role", "perpetrator",
    )  # fmt: skip
    cli(
        "order", "add", "--type", "Stalking Protection Order", "--made-on", "2024-03-01",
        "--served-on", "2024-03-05", "--served-how", "in person", "--served-by", "PC Jones 1234",
        "--full", "--expires-on", "2024-12-31", "--condition", CONDITION, "--person", "Dan Marsh",
        "--reference", "SPO/24/1",
    )  # fmt: skip
    breach = ("--order", "1", "--condition", "1", "--person", "Dan Marsh")
    cli("add", "--summary", "Texts before the order", "--kind", "message,order_breach",
        "--when", "2024-02-20T21:00", *breach)  # fmt: skip
    photo = root / "car.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    cli(
        "add", "--summary", "Dan waited outside my work", "--kind", "loitering,order_breach",
        "--when", "2024-04-10T18:30", "--where", "Outside work",
        "--details", "He stood by the gate for 20 minutes.", *breach,
        "--attach", str(photo), "--how", "photo", "--captured-by", "me", "--device", "my phone",
        "--captured-on", "2024-04-10T18:35", "--description", "Dan's car by the gate",
    )  # fmt: skip
    gate = _id_of(log, "Dan waited outside my work")
    cli("edit", str(gate), "--reason", "remembered more",
        "--details", "He stood by the gate for 40 minutes and shouted my name.")  # fmt: skip
    cli("add", "--summary", "Flowers after the order ended", "--kind", "gift,order_breach",
        "--when", "2025-02-01T10:00", *breach)  # fmt: skip
    # Typed times the case's clock skipped or had twice are refused, never shifted.
    log.adds["twice"] = cli(
        "add", "--summary", "x", "--kind", "message", "--when", "2024-10-27T01:30", ok=False
    )
    log.adds["skipped"] = cli(
        "add", "--summary", "x", "--kind", "message", "--when", "2024-03-31T01:30", ok=False
    )
    cli("add", "--summary", "Second half past one", "--kind", "phone_call",
        "--when", "2024-10-27T01:30+00:00", "--person", "Dan Marsh")  # fmt: skip
    cli("add", "--summary", "Nothing much", "--kind", "other", "--when", "2024-05-01T12:00",
        "--private-note", CANARY)  # fmt: skip
    cli("add", "--summary", "Wrong entry", "--kind", "other", "--when", "2024-05-02T12:00")
    cli("delete", str(_id_of(log, "Wrong entry")), "--reason", "entered twice by mistake")
    wrong = root / "wrong.txt"
    wrong.write_bytes(b"a file about something else")
    cli(
        "add", "--summary", "Jo came to the door for Dan", "--kind", "third_party",
        "--when", "2024-06-01T17:00", "--person", "Jo Pryce", "--person-role", "third_party",
        "--attach", str(wrong),
    )  # fmt: skip
    cli("add", "--summary", "Kim saw it happen", "--kind", "other", "--when", "2024-06-02T10:00",
        "--person", "Kim Lowe")  # fmt: skip
    cli("evidence", "remove", _evidence_id(log, "wrong.txt"), "--reason", "not about this case")
    shot = root / "voicemail.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n not really a screenshot")
    cli(
        "add", "--summary", "Advocate logged voicemail", "--kind", "voicemail",
        "--when", "2024-07-01T09:00", "--author", "support:Alex Reid", "--attach", str(shot),
        "--how", "screenshot", "--captured-by", "Alex Reid",
    )  # fmt: skip
    # Typed first, then the chat that holds the same message.
    cli("add", "--summary", "Dan: I can see you at the gate", "--kind", "message",
        "--when", "2024-04-10T18:33", "--details", "I can see you at the gate", "--person", "Dan Marsh")  # fmt: skip
    chat = root / "chat.txt"
    chat.write_text(CHAT, encoding="utf-8")
    report = json.loads(
        cli(
            "import",
            "--format",
            "whatsapp",
            "--sender",
            "Dan Marsh",
            "--me",
            "Sam Morgan",
            "--group-minutes",
            "0",
            "--json",
            str(chat),
        ).out  # fmt: skip
    )
    full = log.export("full", "--initials", "SM")
    filtered = log.export("filtered", "--from", "2024-04-01", "--to", "2024-06-30")
    older = root / "older.txt"
    older.write_bytes(b"an older note")
    cli("add", "--summary", "A note from before it all", "--kind", "other", "--when", "2023-12-01T12:00",
        "--attach", str(older))  # fmt: skip
    later = log.export("later")
    return Case(log, full, filtered, later, report)


def _id_of(log: Log, summary: str) -> int:
    rows = json.loads(run_proc("list", "--json", env=log.env).out)
    return int(next(r["id"] for r in rows if r["summary"] == summary))


def _evidence_id(log: Log, name: str) -> str:
    r = run_proc("evidence", "list", env=log.env)
    line = next(x for x in r.out.splitlines() if x.rstrip().endswith(name))
    return line.split()[0]


# ------------------------------------------------------------------ 1. earlier wording


def test_the_first_wording_is_in_every_format(case: Case) -> None:
    gate = case.full.incident("Dan waited outside my work")
    assert gate["account_changes"] == 1 and gate["evidence_changes"] == 0
    assert gate["details"] == "He stood by the gate for 40 minutes and shouted my name."
    [first] = gate["versions"]
    assert first["details"] == "He stood by the gate for 20 minutes." and first["reason"] == "created"
    rows = [r for r in case.full.csv("versions.csv") if r["entry"] == gate["reference"].split()[-1]]
    assert [r["details"] for r in rows] == ["He stood by the gate for 20 minutes."]
    pdf = case.full.pdf
    assert "Earlier versions of changed entries" in pdf
    assert "He stood by the gate for 20 minutes." in pdf  # the account as first written
    assert "[-20 minutes.-] {+40 minutes and shouted my name.+}" in pdf
    assert "remembered more" in pdf


def test_attaching_a_file_is_not_an_amendment(case: Case) -> None:
    # Entries whose only change is a file (none here) or no change at all read as unamended.
    for summary in ("Dan rang", "Advocate logged voicemail", "Texts before the order"):
        inc = case.full.incident(summary)
        assert inc["account_changes"] == 0 and inc["versions"] == [] and not inc["amended"]


# ------------------------------------------------------------ 2. references that stay


def test_exhibit_and_entry_references_never_move(case: Case) -> None:
    full_entries, full_exhibits = case.full.refs()
    for bundle in (case.filtered, case.later):
        entries, exhibits = bundle.refs()
        for summary, ref in entries.items():
            if summary in full_entries:
                assert ref == full_entries[summary], summary
        for name, ref in exhibits.items():
            if name in full_exhibits:
                assert ref == full_exhibits[name], name
    # The older entry and its file come after every reference already given: nothing moves.
    later_entries, later_exhibits = case.later.refs()
    new_entry = later_entries["A note from before it all"]
    assert int(new_entry.split()[-1]) > max(int(r.split()[-1]) for r in full_entries.values())
    given = [int(r.split("/")[1]) for r in full_exhibits.values()]
    assert int(later_exhibits["older.txt"].split("/")[1]) > max(given)
    # SM/3 (the removed file) is never given again: it is listed as not in the export.
    assert "SM/3" not in later_exhibits.values()
    assert {"reference": "SM/3", "why": "removed from the log by its owner"} in case.later.json()[
        "not_in_this_export"
    ]["exhibits"]
    assert case.later.json()["incidents"][0]["summary"] == "A note from before it all"  # first in time


def test_a_filtered_export_lists_what_it_leaves_out_by_reference(case: Case) -> None:
    data = case.filtered.json()
    out = data["not_in_this_export"]
    kept = {i["reference"] for i in data["incidents"]}
    assert "Entry 1" not in kept and out["entries"], out
    left = {r for span in out["entries"] for r in range(span[0], span[1] + 1)}
    assert 1 in left
    assert "Entries and exhibits not in this export" in case.filtered.pdf
    # SM/1 is the chat, cited by entries outside the period too; it is in or listed.
    exhibits = {e["reference"] for e in data["exhibits"]} | {e["reference"] for e in out["exhibits"]}
    assert {"SM/1", "SM/2", "SM/3"} <= exhibits


def test_evidence_is_cited_by_reference_never_by_internal_id(case: Case) -> None:
    chat_line = case.full.incident("WhatsApp message from Dan Marsh: chat after spring change")
    assert re.fullmatch(r"SM/\d+, line 3", chat_line["source"])
    assert "exhibit" not in chat_line["source"] and "import:" not in chat_line["source"]
    assert "import:whatsapp" not in case.full.pdf and "attached evidence" not in case.full.pdf
    door = case.full.incident("Jo came to the door for Dan")
    assert door["exhibits_withheld"] == ["SM/3"]


def test_initials_are_asked_for_never_invented(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    log = Log(root, _env(root), {})
    log.cli("init", "--time-zone", "Europe/London")
    f = root / "a.txt"
    f.write_bytes(b"evidence")
    log.cli("add", "--summary", "x", "--kind", "other", "--when", "2024-01-01T10:00", "--attach", str(f))
    r = log.cli("export", "--out", str(root / "b.zip"), ok=False)
    assert r.code == 2 and "--initials" in r.err and "Traceback" not in r.err
    assert not (root / "b.zip").exists()


# --------------------------------------------------------------------- 3. orders


def test_orders_record_service_and_term(case: Case) -> None:
    [order] = case.full.json()["orders"]
    assert order["served_on"] == "2024-03-05" and order["served_by"] == "PC Jones 1234"
    assert order["interim"] is False and order["expires_on"] == "2024-12-31"
    assert "Served on Tue 5 Mar 2024 in person by PC Jones 1234" in case.full.pdf


def test_each_breach_is_judged_on_its_own_date(case: Case) -> None:
    full = case.full
    before = full.incident("Texts before the order")
    inside = full.incident("Dan waited outside my work")
    after = full.incident("Flowers after the order ended")
    assert (before["order_in_force"], inside["order_in_force"], after["order_in_force"]) == (
        "before_made",
        "in_force",
        "after_expiry",
    )
    assert sorted(full.json()["breaches_flagged"]) == sorted([before["id"], after["id"]])
    rows = {r["summary"]: r for r in full.csv("timeline.csv")}
    assert rows["Flowers after the order ended"]["order_in_force"] == "after_expiry"
    pdf = full.pdf
    assert "not shown to be in force on the date" in pdf
    assert "before the order was made on Fri 1 Mar 2024" in pdf
    assert "after the order ended on Tue 31 Dec 2024" in pdf
    assert "In force on the date of the breach" in pdf
    assert "expired on the export date (each breach: on its own date)" in pdf


# ---------------------------------------------------------------------- 4. times


def test_typed_times_on_clock_change_nights_are_refused_not_shifted(case: Case) -> None:
    twice, skipped = case.log.adds["twice"], case.log.adds["skipped"]
    assert twice.code == 2 and "happened twice" in twice.err and "+01:00" in twice.err
    assert skipped.code == 2 and "did not happen" in skipped.err
    second = case.full.incident("Second half past one")
    assert second["occurred_start"] == "2024-10-27T01:30:00+00:00"
    assert "Sun 27 Oct 2024 at 01:30 GMT" in case.full.pdf


def test_every_time_states_its_zone(case: Case) -> None:
    data = case.full.json()
    assert data["time_zone"] == "Europe/London" and data["schema"].startswith("victim-log-timeline/")
    gate = case.full.incident("Dan waited outside my work")
    assert gate["occurred_start"] == "2024-04-10T18:30:00+01:00"
    assert "Wed 10 Apr 2024 at 18:30 BST" in case.full.pdf
    row = next(r for r in case.full.csv("timeline.csv") if r["summary"] == "Dan waited outside my work")
    assert row["occurred_start_local"] == "2024-04-10T18:30:00+01:00" and row["when"].endswith("18:30 BST")
    # A capture time typed at intake is on the case's clock too (it was read as UTC).
    photo = next(e for e in data["exhibits"] if e["original_filename"] == "car.jpg")
    assert photo["provenance"]["captured_on"] == "2024-04-10T18:35:00+01:00"
    assert "on Wed 10 Apr 2024 at 18:35 BST" in photo["statement"]


def test_imported_times_keep_the_source_and_agree_with_it(case: Case) -> None:
    full = case.full
    expected = {
        "chat before spring change": ("2024-03-31T00:45:00+00:00", "31/03/2024, 00:45"),
        "chat after spring change": ("2024-03-31T02:45:00+01:00", "31/03/2024, 02:45"),
        "I can see you at the gate": ("2024-04-10T18:32:00+01:00", "10/04/2024, 18:32"),
        "chat first time round": ("2024-10-27T01:50:00+01:00", "27/10/2024, 01:50"),
        "chat second time round": ("2024-10-27T01:10:00+00:00", "27/10/2024, 01:10"),
    }
    for text, (instant, source) in expected.items():
        inc = full.incident(f"WhatsApp message from Dan Marsh: {text}")
        assert (inc["occurred_start"], inc["source_time"]) == (instant, source), text
    skipped = full.incident("WhatsApp message from Dan Marsh: chat in the skipped hour")
    assert skipped["source_time"] == "31/03/2024, 01:30"
    pdf = full.pdf
    assert "The source says 01:30 on Sun 31 Mar 2024, a time the clocks skipped" in pdf
    assert "Sun 27 Oct 2024 at 01:50 BST" in pdf and "Sun 27 Oct 2024 at 01:10 GMT" in pdf
    assert "Source time 31/03/2024, 00:45" in pdf


# ------------------------------------------------------------- 5. imported records


def test_imported_entries_are_labelled_records(case: Case) -> None:
    inc = case.full.incident("WhatsApp message from Dan Marsh: chat before spring change")
    assert inc["author"] == "imported" and inc["imported"] is True
    assert re.fullmatch(r"message as exported \(SM/\d+, line 1\)", inc["imported_as"])
    assert inc["imported_at"]
    typed = case.full.incident("Dan rang")
    assert typed["imported"] is False and typed["author"] == "victim"
    assert "Imported record, not typed by the victim" in case.full.pdf
    # "recorded N days later" measures memory: only the victim's own entries carry it.
    i = case.full.pdf.index("chat before spring change")
    assert "days later" not in case.full.pdf[i : i + 300]


def test_the_victims_reply_is_context_not_an_incident(case: Case) -> None:
    data = case.full.json()
    [reply] = data["context"]
    assert reply["details"] == "Please stop contacting me."
    assert all(i["details"] != "Please stop contacting me." for i in data["incidents"])
    assert (
        "Context (entry" in case.full.pdf and "The victim replied Please stop contacting me." in case.full.pdf
    )
    assert case.import_report["context_created"] == 1
    assert case.import_report["context_ids"] == [reply["id"]]


def test_a_likely_duplicate_is_reported_at_import(case: Case) -> None:
    typed = case.full.incident("Dan: I can see you at the gate")
    [dup] = case.import_report["possible_duplicates"]
    assert dup["incident_id"] == typed["id"] and dup["ref"] == "line 5" and not dup["skipped"]
    # Asked about, never dropped: the imported message is still there beside the typed one.
    case.full.incident("WhatsApp message from Dan Marsh: I can see you at the gate")


# ------------------------------------------------------------------ 6. disclosure


def test_withheld_material_is_scheduled_never_silent(case: Case) -> None:
    data = case.full.json()
    material = data["material_not_included"]
    [note] = material["private_notes"]
    assert note["occurred_start"].startswith("2024-05-01")
    [deleted] = material["deleted_entries"]
    assert deleted["reason"] == "entered twice by mistake" and deleted["deleted_at"]
    [removed] = material["removed_files"]
    assert removed["reference"] == "SM/3" and removed["reason"] == "not about this case"
    assert len(removed["sha256"]) == 64
    rows = case.full.csv("not_included.csv")
    assert {r["what"] for r in rows} == {"private note", "deleted entry", "removed file"}
    pdf = case.full.pdf
    for words in ("Material not included in this export", "entered twice by mistake", removed["sha256"]):
        assert words in pdf
    assert "Gaps in the journal" in pdf
    for bundle in (case.full, case.filtered, case.later):
        for name, body in bundle.files.items():
            assert CANARY.encode() not in body, name


def test_people_are_not_all_perpetrators(case: Case) -> None:
    roles = {p["name"]: p["role"] for p in case.full.json()["people"]}
    assert roles == {"Dan Marsh": "perpetrator", "Jo Pryce": "third_party", "Kim Lowe": "named"}
    pdf = case.full.pdf
    assert "Jo Pryce: acting for the perpetrator" in pdf
    assert "Kim Lowe (perpetrator)" not in pdf


def test_order_conditions_are_never_redacted(case: Case) -> None:
    red = case.log.export("redacted", "--redact", "locations,third-parties")
    assert CONDITION in red.pdf
    assert red.json()["orders"][0]["conditions"] == [CONDITION]
    assert red.json()["material_not_included"]["derived_from"], "a redacted copy names its source"


# ------------------------------------------------------------------- 7. provenance


def test_each_exhibit_says_where_it_came_from(case: Case) -> None:
    exhibits = {e["original_filename"]: e for e in case.full.json()["exhibits"]}
    photo = exhibits["car.jpg"]["provenance"]
    assert (photo["how_obtained"], photo["captured_by"], photo["device"]) == ("photo", "me", "my phone")
    voicemail = exhibits["voicemail.png"]
    assert voicemail["added_by"] == "support:Alex Reid"
    assert voicemail["statement"].startswith(
        f"I produce {voicemail['reference']}, a screenshot taken by Alex Reid"
    )
    assert exhibits["chat.txt"]["provenance"]["how_obtained"] == "app_export"
    pdf = case.full.pdf
    assert "Draft lines for a witness statement" in pdf
    assert "Added by Support worker: Alex Reid" in pdf


def test_a_pdf_alone_says_it_is_an_unsigned_copy(case: Case) -> None:
    out = case.log.root / "alone.pdf"
    case.log.cli("export", "--format", "pdf", "--out", str(out))
    text = pdf_words(out.read_bytes(), case.log.root)
    assert "unsigned" in text.lower()


# --------------------------------------------------------------- and it all checks


def test_the_bundles_verify_offline(case: Case) -> None:
    for name in ("full", "filtered", "later"):
        path = case.log.root / f"{name}.zip"
        r = case.log.cli("verify", str(path))
        assert r.code == 0, r.err
        unpacked = case.log.root / f"{name}-unpacked"
        with zipfile.ZipFile(path) as zf:
            zf.extractall(unpacked)
        [bag] = list(unpacked.iterdir())
        script = subprocess.run(
            [sys.executable, str(bag / "verify_bundle.py"), str(bag)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **case.log.env},
            check=False,
        )
        assert script.returncode == 0, script.stdout + script.stderr
