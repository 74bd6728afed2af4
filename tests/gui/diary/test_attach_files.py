"""Attaching files to an entry from the diary (#23.1): all the chosen files and the
entry's new version in one transaction, so a refused file leaves nothing behind."""

from __future__ import annotations

from victim_log.model import IncidentData

from .test_diary_flow import diary_view


def test_attaching_files_is_all_or_nothing(qtbot, session, vault, answers, tmp_path, picked) -> None:
    incident = vault.add_incident(IncidentData(summary="Photos of the car outside"))
    photo = tmp_path / "car.jpg"
    photo.write_bytes(b"a photo")
    letter = tmp_path / "letter.txt"
    letter.write_bytes(b"a letter")
    folder = tmp_path / "a folder"
    folder.mkdir()
    diary = diary_view(qtbot, session)
    diary.show_incident(incident)

    picked[:] = [photo, folder]
    answers.press("Skip", "provenanceDialog")  # where they came from: optional
    answers.ok()
    diary.attach_files(incident)
    assert answers.done() and "not a regular file" in answers.seen[-1].text()
    assert vault.evidence.items() == [] and vault.get_incident(incident).version == 1
    assert not [p for p in (vault.path / "blobs").rglob("*") if p.is_file()]

    picked[:] = [photo, letter]
    answers.press("Skip", "provenanceDialog")
    diary.attach_files(incident)
    current = vault.get_incident(incident)
    assert current.version == 2 and len(current.evidence) == 2  # one new version for both
    assert [vault.evidence.read_bytes(e) for e in current.evidence] == [b"a photo", b"a letter"]
    qtbot.waitUntil(lambda: diary.detail.evidence_list.count() == 2, timeout=3000)
