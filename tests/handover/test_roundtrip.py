"""Handover round trip (#18): victim -> worker -> victim, with attributed versions,
an idempotent merge, conflicts kept, deletions reported, wrong codes and damage refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from victim_log.errors import IntegrityError
from victim_log.errors import WrongPassphrase
from victim_log.handover import merge_case
from victim_log.handover import open_case
from victim_log.handover import share_case
from victim_log.handover.code import normalise_code
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.support import support_author

WORKER = support_author("Jo Advocate", "Safe Lives")


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


@pytest.fixture
def worker_dir(tmp_path: Path) -> Path:
    return tmp_path / "worker-vault"


def _hand_over(vault: Any, tmp_path: Path, worker_dir: Path) -> tuple[Any, Any]:
    shared = share_case(vault, tmp_path / "case.vlcase")
    worker, _recovery, report = open_case(
        shared.path, shared.code, worker_dir, "worker pass phrase", worker=WORKER
    )
    return worker, report


def test_the_worker_gets_every_record_with_its_history(vault: Any, tmp_path: Path, worker_dir: Path) -> None:
    ids = _victim_case(vault)
    shared = share_case(vault, tmp_path / "case.vlcase")
    assert (shared.incidents, shared.evidence) == (2, 1)
    assert len(normalise_code(shared.code)) == 24
    worker, _recovery, report = open_case(shared.path, shared.code, worker_dir, "worker pass phrase")
    try:
        assert report.added == {"person": 1, "order": 1, "incident": 2, "evidence": 1}
        listed = {i.summary: i.id for i in worker.list_incidents()}
        assert set(listed) == {"He phoned 14 times", "Breach at the school gate"}
        history = worker.incident_history(listed["He phoned 14 times"])
        assert [h.data.summary for h in history] == ["He phoned 12 times", "He phoned 14 times"]
        assert history[1].reason == "recounted"
        (item,) = worker.evidence.items()
        assert worker.evidence.read_bytes(item.id) == b"\x89PNG fake screenshot bytes"
        assert history[-1].evidence == (item.id,)
        breach = worker.get_incident(listed["Breach at the school gate"])
        assert worker.get_order(breach.data.order_id).data.conditions == ("No contact",)
        assert [worker.get_person(p).data.name for p in breach.data.people] == ["Dan Marsh"]
        assert worker.check().ok
    finally:
        worker.lock()
    assert ids


def test_the_workers_additions_come_back_attributed_and_merge_once(
    vault: Any, tmp_path: Path, worker_dir: Path
) -> None:
    ids = _victim_case(vault)
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        mapped = {i.summary: i.id for i in worker.list_incidents()}
        dan = worker.find_person("Dan Marsh")
        worker.add_incident(
            IncidentData(summary="Flowers left on the doorstep", kinds=("gift",), people=(dan.id,)),
            files=[("doorstep.jpg", b"fake jpeg bytes")],
        )
        old = worker.get_incident(mapped["Breach at the school gate"])
        worker.edit_incident(
            old.incident_id,
            IncidentData(**{**old.data.__dict__, "location": "Oak Lane School"}),
            "added the place",
        )
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    report = merge_case(vault, back.path, back.code)
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
    again = merge_case(vault, back.path, back.code)
    assert again.nothing_new
    assert len(vault.journal_entries()) == before
    assert vault.check().ok


def test_a_change_on_both_sides_keeps_both(vault: Any, tmp_path: Path, worker_dir: Path) -> None:
    ids = _victim_case(vault)
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        wid = {i.summary: i.id for i in worker.list_incidents()}["Breach at the school gate"]
        old = worker.get_incident(wid)
        worker.edit_incident(
            wid, IncidentData(**{**old.data.__dict__, "details": "Worker's wording"}), "worker"
        )
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    mine = vault.get_incident(ids["second"])
    vault.edit_incident(
        ids["second"], IncidentData(**{**mine.data.__dict__, "details": "My wording"}), "mine"
    )
    report = merge_case(vault, back.path, back.code)
    assert len(report.conflicts) == 1 and str(ids["second"]) in report.conflicts[0]
    history = vault.incident_history(ids["second"])
    assert [h.data.details for h in history] == ["", "My wording", "Worker's wording"]
    assert "both are kept" in history[-1].reason
    assert merge_case(vault, back.path, back.code).nothing_new


def test_a_deletion_by_the_worker_is_reported_not_applied(
    vault: Any, tmp_path: Path, worker_dir: Path
) -> None:
    ids = _victim_case(vault)
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        wid = {i.summary: i.id for i in worker.list_incidents()}["Breach at the school gate"]
        worker.delete_incident(wid, "duplicate")
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    report = merge_case(vault, back.path, back.code)
    assert report.nothing_new and len(report.deletions) == 1
    assert not vault.get_incident(ids["second"]).deleted


def test_a_wrong_code_changes_nothing(vault: Any, tmp_path: Path, worker_dir: Path) -> None:
    _victim_case(vault)
    shared = share_case(vault, tmp_path / "case.vlcase")
    wrong = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"
    with pytest.raises(WrongPassphrase):
        open_case(shared.path, wrong, worker_dir, "worker pass phrase")
    assert not worker_dir.exists()
    with pytest.raises(WrongPassphrase):
        merge_case(vault, shared.path, "not a code")


@pytest.mark.parametrize("where", ["header", "manifest", "evidence", "truncated", "appended"])
def test_a_damaged_file_is_refused_and_changes_nothing(
    vault: Any, tmp_path: Path, worker_dir: Path, where: str
) -> None:
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
        open_case(shared.path, shared.code, worker_dir, "worker pass phrase")
    assert not worker_dir.exists()
    before = len(vault.journal_entries())
    with pytest.raises((IntegrityError, WrongPassphrase)):
        merge_case(vault, shared.path, shared.code)
    assert len(vault.journal_entries()) == before


def test_a_new_vault_takes_the_cases_deletions(vault: Any, tmp_path: Path, worker_dir: Path) -> None:
    ids = _victim_case(vault)
    vault.delete_incident(ids["second"], "logged twice")
    worker, report = _hand_over(vault, tmp_path, worker_dir)
    try:
        assert not report.deletions
        assert [i.summary for i in worker.list_incidents()] == ["He phoned 14 times"]
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    assert merge_case(vault, back.path, back.code).nothing_new  # the deletion is the victim's own


def test_private_notes_stay_behind_unless_asked_and_are_kept_on_merge(
    vault: Any, tmp_path: Path, worker_dir: Path
) -> None:
    iid = vault.add_incident(IncidentData(summary="At the gym", private_note="Only for me"))
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        (copy,) = worker.list_incidents()
        old = worker.get_incident(copy.id)
        assert old.data.private_note == ""
        worker.edit_incident(copy.id, IncidentData(**{**old.data.__dict__, "location": "Fit Gym"}), "place")
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    assert merge_case(vault, back.path, back.code).versions == 1
    now = vault.get_incident(iid)
    assert (now.data.location, now.data.private_note) == ("Fit Gym", "Only for me")
    shared = share_case(vault, tmp_path / "with-notes.vlcase", private_notes=True)
    other, _recovery, _report = open_case(shared.path, shared.code, tmp_path / "w2", "worker pass phrase")
    try:
        assert other.get_incident(other.list_incidents()[0].id).data.private_note == "Only for me"
    finally:
        other.lock()


def test_files_that_did_not_travel_stay_cited(vault: Any, tmp_path: Path, worker_dir: Path) -> None:
    iid = vault.add_incident(
        IncidentData(summary="Two photos"), files=[("a.jpg", b"first photo"), ("b.jpg", b"second photo")]
    )
    first, second = vault.get_incident(iid).evidence
    vault.evidence.remove(second, "blurred")
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        (copy,) = worker.list_incidents()
        old = worker.get_incident(copy.id)
        assert len(old.evidence) == 1
        worker.edit_incident(copy.id, IncidentData(**{**old.data.__dict__, "details": "Outside"}), "details")
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    merge_case(vault, back.path, back.code)
    now = vault.get_incident(iid)
    assert now.data.details == "Outside" and set(now.evidence) == {first, second}


def test_a_change_to_an_entry_deleted_here_is_reported_and_adds_nothing(
    vault: Any, tmp_path: Path, worker_dir: Path
) -> None:
    ids = _victim_case(vault)
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        wid = {i.summary: i.id for i in worker.list_incidents()}["Breach at the school gate"]
        old = worker.get_incident(wid)
        worker.edit_incident(wid, IncidentData(**{**old.data.__dict__, "details": "More"}), "more")
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    vault.delete_incident(ids["second"], "not a breach after all")
    report = merge_case(vault, back.path, back.code)
    assert report.nothing_new and len(report.conflicts) == 1 and "deleted here" in report.conflicts[0]
    assert report.lines()[0].startswith("Nothing new")


def test_an_author_other_than_the_victim_is_kept(vault: Any, tmp_path: Path, worker_dir: Path) -> None:
    _victim_case(vault)
    worker, _ = _hand_over(vault, tmp_path, worker_dir)
    try:
        worker.add_incident(
            IncidentData(summary="Typed by a colleague", author="support:Sam (Victim Support)")
        )
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    merge_case(vault, back.path, back.code)
    (new,) = [i for i in vault.list_incidents() if i.summary == "Typed by a colleague"]
    assert vault.get_incident(new.id).data.author == "support:Sam (Victim Support)"
