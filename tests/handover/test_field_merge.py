"""Handover merge field by field (#18): a change made on one side only is combined with
this diary's current version, a field changed on both sides keeps both wordings with
this diary's own current, and neither merging twice nor sending it back adds anything."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tests.handover.test_roundtrip import WORKER
from tests.handover.test_roundtrip import WORKER_PASS
from tests.handover.test_roundtrip import _victim_case
from tests.handover.test_roundtrip import merge_back
from tests.handover.test_roundtrip import worker_copy
from victim_log.handover import merge_case
from victim_log.handover import share_case
from victim_log.handover.merge import KEPT_NOTE
from victim_log.model import PersonData
from victim_log.vault import Vault

FIRST = "He phoned 14 times"


def _edit(vault: Any, iid: int, reason: str, **changes: Any) -> None:
    vault.edit_incident(iid, dataclasses.replace(vault.get_incident(iid).data, **changes), reason)


def test_a_change_on_one_side_only_is_combined_and_the_victims_summary_stays(
    vault: Any, tmp_path: Path
) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit(FIRST, "added what he said", details="Said he would wait outside")
    _edit(vault, ids["first"], "recounted", summary="He phoned 15 times")
    report = merge_back(vault, w)
    assert not report.conflicts and report.versions == 1
    now = vault.get_incident(ids["first"])
    assert (now.data.summary, now.data.details) == ("He phoned 15 times", "Said he would wait outside")
    assert now.data.author == WORKER and now.reason == "added what he said"
    assert [h.data.summary for h in vault.incident_history(ids["first"])][-2:] == ["He phoned 15 times"] * 2
    assert merge_back(vault, w).nothing_new
    assert vault.get_incident(ids["first"]).version == now.version


def test_changes_to_different_fields_on_both_sides_are_combined(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit("Breach at the school gate", "worker", details="At 3pm", witnesses="Another parent")
        dan = w.vault.find_person("Dan Marsh")
        w.vault.edit_person(dan.id, dataclasses.replace(dan.data, phones=("07700 900123",)), "his number")
    _edit(vault, ids["second"], "mine", location="Oak Lane School")
    vault.edit_person(
        ids["dan"], dataclasses.replace(vault.get_person(ids["dan"]).data, relationship="ex-partner"), "who"
    )
    report = merge_back(vault, w)
    assert not report.conflicts and report.versions == 2
    now = vault.get_incident(ids["second"]).data
    assert (now.location, now.details, now.witnesses) == ("Oak Lane School", "At 3pm", "Another parent")
    person: PersonData = vault.get_person(ids["dan"]).data
    assert (person.relationship, person.phones) == ("ex-partner", ("07700 900123",))
    assert merge_back(vault, w).nothing_new


def test_the_same_change_on_both_sides_is_nothing_new(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit("Breach at the school gate", "worker", location="Oak Lane School")
    _edit(vault, ids["second"], "mine", location="Oak Lane School")
    before = vault.get_incident(ids["second"]).version
    report = merge_back(vault, w)
    assert report.nothing_new and not report.conflicts
    assert vault.get_incident(ids["second"]).version == before
    assert merge_back(vault, w).nothing_new


def test_a_person_changed_on_both_sides_names_the_field(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        dan = w.vault.find_person("Dan Marsh")
        w.vault.edit_person(dan.id, dataclasses.replace(dan.data, relationship="neighbour"), "worker")
    vault.edit_person(
        ids["dan"], dataclasses.replace(vault.get_person(ids["dan"]).data, relationship="ex-partner"), "me"
    )
    report = merge_back(vault, w)
    (conflict,) = report.conflicts
    assert conflict.startswith(f"Person {ids['dan']}: Relationship changed") and "neighbour" not in conflict
    assert vault.get_person(ids["dan"]).data.relationship == "ex-partner"


def test_round_trips_after_a_conflict_agree_and_add_nothing_twice(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit(FIRST, "worker", summary="He phoned 16 times")
    _edit(vault, ids["first"], "recounted", summary="He phoned 15 times")
    assert len(merge_back(vault, w).conflicts) == 1
    assert vault.get_incident(ids["first"]).data.summary == "He phoned 15 times"
    # Back to the worker: the victim already kept both, so the worker's diary takes the
    # victim's wording as current with nothing to confirm, and only once.
    again = share_case(vault, tmp_path / "again.vlcase")
    with Vault.open(tmp_path / "w", WORKER_PASS) as worker:
        report = merge_case(worker, again.path, again.code)
        assert not report.conflicts and not report.deletions
        wid = {i.summary: i.id for i in worker.list_incidents()}["He phoned 15 times"]
        summaries = [h.data.summary for h in worker.incident_history(wid)]
        assert "He phoned 16 times" in summaries and summaries[-1] == "He phoned 15 times"
        assert merge_case(worker, again.path, again.code).nothing_new
        _edit(worker, wid, "added the times", details="Between 9 and 11pm")
        back = share_case(worker, tmp_path / "back2.vlcase")
    # And forth: only the worker's new details come back, combined, no conflict.
    before = vault.get_incident(ids["first"]).version
    report = merge_case(vault, back.path, back.code)
    assert not report.conflicts and report.versions == 1
    now = vault.get_incident(ids["first"])
    assert now.version == before + 1 and now.data.author == WORKER
    assert (now.data.summary, now.data.details) == ("He phoned 15 times", "Between 9 and 11pm")
    assert merge_case(vault, back.path, back.code).nothing_new
    assert [h.reason for h in vault.incident_history(ids["first"])].count(KEPT_NOTE) == 1


def test_round_trip_of_a_combined_change_adds_nothing_more(vault: Any, tmp_path: Path) -> None:
    ids = _victim_case(vault)
    with worker_copy(vault, tmp_path) as w:
        w.edit(FIRST, "worker", details="Withheld number")
    _edit(vault, ids["first"], "recounted", summary="He phoned 15 times")
    merge_back(vault, w)
    again = share_case(vault, tmp_path / "again.vlcase")
    with Vault.open(tmp_path / "w", WORKER_PASS) as worker:
        report = merge_case(worker, again.path, again.code)
        assert not report.conflicts and report.versions == 1
        (inc,) = [i for i in worker.list_incidents() if i.summary == "He phoned 15 times"]
        assert worker.get_incident(inc.id).data.details == "Withheld number"
        back = share_case(worker, tmp_path / "back2.vlcase")
    assert merge_case(vault, back.path, back.code).nothing_new


def test_a_new_diary_keeps_every_version_even_one_that_changed_only_the_author(
    vault: Any, tmp_path: Path
) -> None:
    ids = _victim_case(vault)
    _edit(vault, ids["second"], "typed for me", author="support:Sam (Victim Support)")
    with worker_copy(vault, tmp_path) as w:
        history = w.vault.incident_history(w.by_summary("Breach at the school gate"))
        assert [h.data.author for h in history] == ["victim", "support:Sam (Victim Support)"]
    assert merge_back(vault, w).nothing_new
