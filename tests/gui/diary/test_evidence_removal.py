"""Removing a file from the detail pane: explicit, confirmed, recorded with a reason;
erasing it for good asks twice and leaves nothing readable."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import DialogAnswers
from victim_log.errors import VictimLogError
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets.reason import ReasonDialog
from victim_log.model import IncidentData
from victim_log.store import journal
from victim_log.vault import Vault

from .test_diary_flow import diary_view


def _reason(qtbot: object, text: str):  # noqa: ANN202 - a dialog answer
    def answer(dlg: ReasonDialog) -> None:
        assert dlg.reason() == ""  # never prefilled for a removal
        qtbot.keyClicks(dlg.reason_edit, text)  # type: ignore[attr-defined]
        dlg.buttons.accepted.emit()

    return answer


@pytest.fixture
def two_files(vault: Vault, tmp_path: Path) -> tuple[int, int, int]:
    incident = vault.add_incident(IncidentData(summary="Photos of the car outside"))
    ids = []
    for name, data in (("car.txt", b"first photo"), ("gate.txt", b"second photo")):
        path = tmp_path / name
        path.write_bytes(data)
        ids.append(vault.evidence.add(path, incident_id=incident)[0])
    return incident, ids[0], ids[1]


def test_remove_then_erase_a_file(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers, two_files: tuple[int, int, int]
) -> None:
    incident, first, second = two_files
    diary = diary_view(qtbot, session)
    diary.show_incident(incident)
    detail = diary.detail
    assert detail.evidence_list.count() == 2

    # Cancel at the first question changes nothing.
    detail.evidence_list.setCurrentRow(0)
    answers.cancel(QMessageBox)
    detail.remove_evidence_button.click()
    assert not vault.evidence.get(first).removed

    # Remove: kept encrypted, recorded with the reason, marked in the list.
    answers.press("Remove", QMessageBox)
    answers.add(_reason(qtbot, "wrong photo"), ReasonDialog)
    detail.remove_evidence_button.click()
    assert answers.done()
    item = vault.evidence.get(first)
    assert item.removed and not item.erased
    assert vault.evidence.read_bytes(first) == b"first photo"  # still there, explained
    entry = [e for e in journal.entries(vault.conn) if e.action == "evidence_remove"][-1]
    assert entry.detail["reason_sha256"] == journal.body_hash("wrong photo")
    qtbot.waitUntil(
        lambda: (
            detail.evidence_list.count() == 2 and detail.evidence_list.item(0).text().endswith("(removed)")
        ),
        timeout=3000,
    )

    # Erase for good: asked twice, then the file cannot be read by anyone.
    detail.evidence_list.setCurrentRow(1)
    answers.press("Erase for good", QMessageBox)
    answers.press("Erase for good", QMessageBox)
    answers.add(_reason(qtbot, "sent by mistake"), ReasonDialog)
    detail.remove_evidence_button.click()
    assert answers.done()
    assert vault.evidence.get(second).erased
    with pytest.raises(VictimLogError):
        vault.evidence.read_bytes(second)
    qtbot.waitUntil(lambda: detail.evidence_list.item(1).text().endswith("(erased)"), timeout=3000)
    detail.evidence_list.setCurrentRow(1)
    assert not detail.remove_evidence_button.isEnabled()
    assert not detail.view_button.isEnabled()


def test_erasing_can_be_called_off_at_the_second_question(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers, two_files: tuple[int, int, int]
) -> None:
    incident, first, _second = two_files
    diary = diary_view(qtbot, session)
    diary.show_incident(incident)
    diary.detail.evidence_list.setCurrentRow(0)
    answers.press("Erase for good", QMessageBox)
    answers.press("Cancel", QMessageBox)
    diary.detail.remove_evidence_button.click()
    assert answers.done()
    item = vault.evidence.get(first)
    assert not item.removed and not item.erased
