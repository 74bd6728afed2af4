"""Handover round trip (#18): victim -> worker -> victim, with attributed versions,
an idempotent merge, conflicts kept, deletions reported, wrong codes and damage refused."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from victim_log import handover
from victim_log.errors import BadInput
from victim_log.errors import IntegrityError
from victim_log.errors import WrongPassphrase
from victim_log.handover import MergeReport
from victim_log.handover import Shared
from victim_log.handover import merge_case
from victim_log.handover import open_case
from victim_log.handover import share_case
from victim_log.handover.code import normalise_code
from victim_log.handover.merge import KEPT_NOTE
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.support import support_author
from victim_log.vault import Vault

WORKER = support_author("Jo Advocate", "Safe Lives")
WORKER_PASS = "worker pass phrase"


def _victim_case(vault: Any) -> dict[str, int]:
    dan = vault.person_by_name("Dan Marsh")
    order = vault.add_order(
        OrderData(order_type="SPO", made_on="2026-01-05", conditions=("No contact",), person_id=dan)
    )
    first = vault.add_incident(
        IncidentData(summary="He phoned 12 times", kinds=("phone_call",), people=(dan,)),
        files=[("call-log.png", b"\x89PNG fake screenshot bytes")],
    )
    vault.edit_incident(
        first, IncidentData(summary="He phoned 14 times", kinds=("phone_call",), people=(dan,)), "recounted"
    )
    second = vault.add_incident(
        IncidentData(
            summary="Breach at the school gate", kinds=("order_breach",), people=(dan,), order_id=order
        )
    )
    return {"dan": dan, "order": order, "first": first, "second": second}


@dataclasses.dataclass
class Worker:
    """The worker's copy of the case (``vault``, unlocked inside the block), what
    opening it did, and the case file they hand back when the block ends."""

    vault: Any
    opened: MergeReport
    back: Shared | None = None

    def by_summary(self, summary: str) -> int:
        return {i.summary: i.id for i in self.vault.list_incidents()}[summary]

    def edit(self, summary: str, reason: str, /, **changes: Any) -> None:
        wid = self.by_summary(summary)
        old = self.vault.get_incident(wid)
        self.vault.edit_incident(wid, dataclasses.replace(old.data, **changes), reason)


@contextlib.contextmanager
def worker_copy(vault: Any, tmp_path: Path, **share: Any) -> Iterator[Worker]:
    shared = share_case(vault, tmp_path / "case.vlcase", **share)
    opened, _recovery, report = open_case(
        shared.path, shared.code, tmp_path / "w", WORKER_PASS, worker=WORKER
    )
    worker = Worker(opened, report)
    try:
        yield worker
        worker.back = share_case(opened, tmp_path / "back.vlcase")
    finally:
        opened.lock()


def merge_back(vault: Any, worker: Worker) -> MergeReport:
    assert worker.back is not None
    return merge_case(vault, worker.back.path, worker.back.code)


def test_the_worker_gets_every_record_with_its_history(vault: Any, tmp_path: Path) -> None:
    _victim_case(vault)
    shared = share_case(vault, tmp_path / "case.vlcase")
    assert (shared.incidents, shared.evidence) == (2, 1)
    assert len(normalise_code(shared.code)) == 24
    with worker_copy(vault, tmp_path) as w:
        assert w.opened.added == {"person": 1, "order": 1, "incident": 2, "evidence": 1}
        history = w.vault.incident_history(w.by_summary("He phoned 14 times"))
        assert [h.data.summary for h in history] == ["He phoned 12 times", "He phoned 14 times"]
        assert history[1].reason == "recounted"
        (item,) = w.vault.evidence.items()
        assert w.vault.evidence.read_bytes(item.id) == b"\x89PNG fake screenshot bytes"
        assert history[-1].evidence == (item.id,)
        breach = w.vault.get_incident(w.by_summary("Breach at the school gate"))
        assert w.vault.get_order(breach.data.order_id).data.conditions == ("No contact",)
        assert [w.vault.get_person(p).data.name for p in breach.data.people] == ["Dan Marsh"]
        assert w.vault.check().ok


def test_the_workers_additions_come_back_attributed_and_merge_once(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        dan = w.vault.find_person("Dan Marsh")
        w.vault.add_incident(
            IncidentData(summary="Flowers left on the doorstep", kinds=("gift",), people=(dan.id,)),
            files=[("doorstep.jpg", b"fake jpeg bytes")],
        )
        w.edit("Breach at the school gate", "added the place", location="Oak Lane School")
    report = merge_back(vault, w)
    assert report.added["incident"] == 1 and report.added["evidence"] == 1 and report.versions == 1
    assert not report.conflicts and not report.deletions
    by_summary = {i.summary: i.id for i in vault.list_incidents()}
    new = vault.get_incident(by_summary["Flowers left on the doorstep"])
    assert new.data.author == WORKER
    assert new.data.people == (ids["dan"],)
    (ev,) = [e for e in vault.evidence.items() if e.filename == "doorstep.jpg"]
    assert ev.added_by == WORKER and new.evidence == (ev.id,)
    history = vault.incident_history(ids["second"])
    assert [h.data.location for h in history] == ["", "Oak Lane School"]
    assert history[-1].data.author == WORKER and history[-1].reason == "added the place"
    assert history[0].data.author == "victim"
    # Merging the same file again adds nothing.
    before = len(vault.journal_entries())
    assert merge_back(vault, w).nothing_new
    assert len(vault.journal_entries()) == before
    assert vault.check().ok


def test_a_change_on_both_sides_keeps_both(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit("Breach at the school gate", "worker", details="Worker's wording")
    mine = vault.get_incident(ids["second"])
    vault.edit_incident(ids["second"], dataclasses.replace(mine.data, details="My wording"), "mine")
    report = merge_back(vault, w)
    assert len(report.conflicts) == 1 and str(ids["second"]) in report.conflicts[0]
    assert "What happened" in report.conflicts[0] and "wording" not in report.conflicts[0].split(".")[0]
    assert not any("My wording" in line or "Worker's" in line for line in report.lines())
    history = vault.incident_history(ids["second"])
    assert [h.data.details for h in history] == ["", "My wording", "Worker's wording", "My wording"]
    assert "both are kept" in history[2].reason and history[2].data.author == WORKER
    assert history[3].reason == KEPT_NOTE and history[3].data.author == "victim"
    assert report.versions == 2
    assert merge_back(vault, w).nothing_new
    assert vault.check().ok


def test_a_deletion_by_the_worker_is_reported_not_applied(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.vault.delete_incident(w.by_summary("Breach at the school gate"), "duplicate")
    report = merge_back(vault, w)
    assert report.nothing_new and len(report.deletions) == 1
    assert report.to_delete == [ids["second"]]  # the app offers "Delete entry N here too…"
    assert not vault.get_incident(ids["second"]).deleted


def test_a_wrong_code_changes_nothing(vault: Any, tmp_path: Path) -> None:
    _victim_case(vault)
    shared = share_case(vault, tmp_path / "case.vlcase")
    with pytest.raises(WrongPassphrase):
        open_case(shared.path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF", tmp_path / "w", WORKER_PASS)
    assert not (tmp_path / "w").exists()
    with pytest.raises(WrongPassphrase):
        merge_case(vault, shared.path, "not a code")


@pytest.mark.parametrize("where", ["header", "manifest", "evidence", "truncated", "appended"])
def test_a_damaged_file_is_refused_and_changes_nothing(vault: Any, tmp_path: Path, where: str) -> None:
    _victim_case(vault)
    shared = share_case(vault, tmp_path / "case.vlcase")
    raw = bytearray(shared.path.read_bytes())
    if where == "header":
        raw[40] ^= 1
    elif where == "manifest":
        raw[len(raw) // 3] ^= 1
    elif where == "evidence":
        raw[-20] ^= 1
    elif where == "truncated":
        del raw[-100:]
    else:
        raw += b"more"
    shared.path.write_bytes(bytes(raw))
    with pytest.raises((IntegrityError, WrongPassphrase)):
        open_case(shared.path, shared.code, tmp_path / "w", WORKER_PASS)
    assert not (tmp_path / "w").exists()
    before = len(vault.journal_entries())
    with pytest.raises((IntegrityError, WrongPassphrase)):
        merge_case(vault, shared.path, shared.code)
    assert len(vault.journal_entries()) == before


def test_a_new_vault_takes_the_cases_deletions(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    vault.delete_incident(ids["second"], "logged twice")
    with worker_copy(vault, tmp_path) as w:
        assert not w.opened.deletions
        assert [i.summary for i in w.vault.list_incidents()] == ["He phoned 14 times"]
    assert merge_back(vault, w).nothing_new  # the deletion is the victim's own


def test_private_notes_stay_behind_unless_asked_and_are_kept_on_merge(vault: Any, tmp_path: Path) -> None:
    iid = vault.add_incident(IncidentData(summary="At the gym", private_note="Only for me"))
    with worker_copy(vault, tmp_path) as w:
        assert w.vault.get_incident(w.by_summary("At the gym")).data.private_note == ""
        w.edit("At the gym", "place", location="Fit Gym")
    assert merge_back(vault, w).versions == 1
    now = vault.get_incident(iid)
    assert (now.data.location, now.data.private_note) == ("Fit Gym", "Only for me")
    (tmp_path / "again").mkdir()
    with worker_copy(vault, tmp_path / "again", private_notes=True) as w:
        assert w.vault.get_incident(w.by_summary("At the gym")).data.private_note == "Only for me"


def test_files_that_did_not_travel_stay_cited(vault: Any, tmp_path: Path) -> None:
    iid = vault.add_incident(
        IncidentData(summary="Two photos"), files=[("a.jpg", b"first photo"), ("b.jpg", b"second photo")]
    )
    first, second = vault.get_incident(iid).evidence
    vault.evidence.remove(second, "blurred")
    with worker_copy(vault, tmp_path) as w:
        assert len(w.vault.get_incident(w.by_summary("Two photos")).evidence) == 1
        w.edit("Two photos", "details", details="Outside")
    merge_back(vault, w)
    now = vault.get_incident(iid)
    assert now.data.details == "Outside" and set(now.evidence) == {first, second}


def test_a_change_to_an_entry_deleted_here_is_reported_and_adds_nothing(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit("Breach at the school gate", "more", details="More")
    vault.delete_incident(ids["second"], "not a breach after all")
    report = merge_back(vault, w)
    assert report.nothing_new and len(report.conflicts) == 1 and "deleted here" in report.conflicts[0]
    assert report.lines()[0].startswith("Nothing new")


def test_an_author_other_than_the_victim_is_kept(vault: Any, tmp_path: Path) -> None:
    _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.vault.add_incident(
            IncidentData(summary="Typed by a colleague", author="support:Sam (Victim Support)")
        )
    merge_back(vault, w)
    (new,) = [i for i in vault.list_incidents() if i.summary == "Typed by a colleague"]
    assert vault.get_incident(new.id).data.author == "support:Sam (Victim Support)"


def test_open_wants_a_new_or_empty_folder_and_leaves_nothing_half_made(
    vault: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _victim_case(vault)
    shared = share_case(vault, tmp_path / "case.vlcase")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("someone's file")
    with pytest.raises(BadInput):
        open_case(shared.path, shared.code, busy, WORKER_PASS)
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()

    def fails(*_args: Any, **_kwargs: Any) -> None:
        raise BadInput("part-way")

    monkeypatch.setattr(handover, "merge", fails)
    with pytest.raises(BadInput):
        open_case(shared.path, shared.code, empty, WORKER_PASS)
    assert empty.is_dir() and not any(empty.iterdir())
    monkeypatch.undo()
    opened, _recovery, report = open_case(shared.path, shared.code, empty, WORKER_PASS)
    opened.lock()
    assert report.added["incident"] == 2


def test_later_rounds_merge_into_the_workers_diary(vault: Any, tmp_path: Path) -> None:
    _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.vault.add_incident(IncidentData(summary="Flowers left on the doorstep"))
    merge_back(vault, w)
    vault.add_incident(IncidentData(summary="He drove past twice"))
    again = share_case(vault, tmp_path / "again.vlcase")
    with Vault.open(tmp_path / "w", WORKER_PASS) as worker:
        report = merge_case(worker, again.path, again.code)
        assert report.added == {"person": 0, "order": 0, "incident": 1, "evidence": 0} and not report.versions
        assert sorted(i.summary for i in worker.list_incidents()) == sorted(
            i.summary for i in vault.list_incidents()
        )
        assert merge_case(worker, again.path, again.code).nothing_new
