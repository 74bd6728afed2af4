"""Where a file came from (#16.7), said in the app: a small, skippable step after
attaching (the diary's Attach files, the quick log's "Where did it come from?"); what
the person typed reaches the exhibit's provenance in the exported timeline.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from PySide6.QtCore import QDateTime
from PySide6.QtCore import Qt
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QDialog

from tests.gui.conftest import PASSPHRASE
from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import tab_chain
from tests.gui.conftest import unnamed_controls
from victim_log import casetime
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.tables import timeline_json
from victim_log.gui.diary.provenance import ProvenanceDialog
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session
from victim_log.model import IncidentData
from victim_log.vault import Vault

from .test_diary_flow import diary_view


def exported_provenance(vault: Vault) -> list[dict[str, object]]:
    case = build_case(vault, ExportOptions(initials="SM"), exported_at="2026-09-06T14:03:00+01:00")
    return [ex["provenance"] for ex in json.loads(timeline_json(case))["exhibits"]]


def fill_in(qtbot, dialog: QDialog) -> int:
    """As a person would: choose with the keyboard, type, tick, then Save."""
    assert isinstance(dialog, ProvenanceDialog)
    assert dialog.windowTitle() == "Where did this come from?"
    assert dialog.how.hasFocus()  # the first question has the focus
    assert dialog.texts["captured_by"].text() == "me"  # the usual answer, already there
    qtbot.keyClicks(dialog.how, "Photograph")  # a combo box jumps to what is typed
    qtbot.keyClicks(dialog.texts["device"], "my phone")
    qtbot.keyClicks(dialog.texts["description"], "the silver car outside my house")
    dialog.when_known.setFocus()
    qtbot.keyClick(dialog.when_known, Qt.Key.Key_Space)
    assert dialog.when.isEnabled()
    dialog.when.setDateTime(QDateTime(QDate(2024, 3, 31), QTime(18, 30)))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    return dialog.result()


@pytest.fixture
def uk_case() -> Iterator[None]:
    """A UK case: 31 March 2024 is a clock-change day (01:00-02:00 did not happen)."""
    before = casetime.active_zone()
    casetime.activate("Europe/London")
    yield
    casetime.activate(before)


def test_attach_asks_where_it_came_from_and_the_export_says_so(
    qtbot,
    session: Session,
    vault: Vault,
    answers: DialogAnswers,
    tmp_path: Path,
    picked: list[Path],
    uk_case: None,
) -> None:
    incident = vault.add_incident(
        IncidentData(summary="Car outside again", occurred_start="2024-03-31T18:30")
    )
    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(b"a photo of the car")
    diary = diary_view(qtbot, session)
    picked.append(photo)
    answers.add(lambda d: fill_in(qtbot, d), "provenanceDialog")
    diary.attach_files(incident)
    assert answers.done()

    (p,) = exported_provenance(vault)
    assert (p["how_obtained"], p["captured_by"], p["device"]) == ("photo", "me", "my phone")
    assert p["description"] == "the silver car outside my house"
    assert str(p["captured_on"]).startswith("2024-03-31T18:30:00+01:00")  # on the case's clock (BST)


def test_skipping_attaches_with_nothing_said(qtbot, session, vault, answers, tmp_path, picked) -> None:
    incident = vault.add_incident(IncidentData(summary="A letter through the door"))
    letter = tmp_path / "letter.txt"
    letter.write_bytes(b"a letter")
    diary = diary_view(qtbot, session)
    picked.append(letter)

    def escape(dialog: QDialog) -> int:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # Esc skips; the file is still attached
        return dialog.result()

    answers.add(escape, "provenanceDialog")
    diary.attach_files(incident)
    assert len(vault.get_incident(incident).evidence) == 1
    (p,) = exported_provenance(vault)
    assert (p["how_obtained"], p["captured_by"], p["captured_on"], p["description"]) == ("", "", "", "")


def test_quick_log_files_carry_what_was_said(
    qtbot,
    quick: QuickLogDialog,  # noqa: F811 - the fixture
    session: Session,
    vault: Vault,
    answers: DialogAnswers,
    tmp_path: Path,
    uk_case: None,
) -> None:
    from victim_log.gui.diary.quicklog import PendingFile

    assert not quick.provenance_button.isVisibleTo(quick)  # nothing to ask about yet
    shot = tmp_path / "Screenshot_20240331-183000.png"
    shot.write_bytes(b"not really a png")
    qtbot.keyClicks(quick.text, "He messaged again")
    quick.add_file(PendingFile(name=shot.name, path=shot))
    assert quick.provenance_button.isVisibleTo(quick)

    def answer(dialog: QDialog) -> int:
        assert isinstance(dialog, ProvenanceDialog)
        qtbot.keyClicks(dialog.how, "Screenshot")
        qtbot.keyClicks(dialog.texts["obtained_from"], "WhatsApp")
        dialog.when_known.setChecked(True)
        dialog.date_only.setChecked(True)
        dialog.when.setDate(QDate(2024, 3, 31))
        qtbot.keyClick(dialog.texts["description"], Qt.Key.Key_Return)  # Enter saves
        return dialog.result()

    answers.add(answer, "provenanceDialog")
    qtbot.mouseClick(quick.provenance_button, Qt.MouseButton.LeftButton)
    assert quick.provenance_label.text() == "Screenshot, from WhatsApp, by me, 31 Mar 2024"
    draft = quick.draft()
    assert draft["provenance"]["how"] == "screenshot"

    again = QuickLogDialog(session, draft=draft)  # a draft kept across a lock keeps it too
    qtbot.addWidget(again, before_close_func=lambda d: d.discard())
    assert (
        again.provenance == quick.provenance
        and again.provenance_label.text() == quick.provenance_label.text()
    )

    qtbot.keyClick(quick.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert quick.saved_id is not None
    (p,) = exported_provenance(vault)
    assert (p["how_obtained"], p["obtained_from"], p["captured_by"]) == ("screenshot", "WhatsApp", "me")
    assert p["captured_on"] == "2024-03-31"


def test_a_time_the_clocks_skipped_is_refused_and_the_form_stays(
    qtbot, answers: DialogAnswers, uk_case: None
) -> None:
    dialog = ProvenanceDialog(None, 2)
    qtbot.addWidget(dialog)
    dialog.show()
    assert unnamed_controls(dialog) == []
    assert tab_chain(dialog.how, 6)[1:] == [
        "Which app, or who sent it",
        "Who took it or saved it",
        "I know when it was taken",
        "On what device",
        "What it shows",
    ]
    dialog.when_known.setChecked(True)
    dialog.when.setDateTime(QDateTime(QDate(2024, 3, 31), QTime(1, 30)))  # 01:00-02:00 never happened
    messages: list[str] = []
    answers.add(lambda box: messages.append(box.text()) or box.accept())
    dialog.save_button.click()
    assert messages and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.values()["captured_on"] == "2024-03-31T01:30"  # what was typed is kept


def test_a_lock_during_the_question_attaches_nothing(
    qtbot, session, vault, answers, tmp_path, picked
) -> None:
    incident = vault.add_incident(IncidentData(summary="A parcel on the step"))
    photo = tmp_path / "parcel.jpg"
    photo.write_bytes(b"a photo of the parcel")
    picked.append(photo)
    diary = diary_view(qtbot, session)

    def lock_meanwhile(dialog: QDialog) -> int:
        session.lock()  # auto-lock or Ctrl+L while the question is open
        return QDialog.DialogCode.Rejected

    answers.add(lock_meanwhile, "provenanceDialog")
    diary.attach_files(incident)  # no error box over the lock screen (none is expected)
    assert answers.done()
    reopened = Vault.open(vault.path, PASSPHRASE)
    with reopened:
        assert reopened.evidence.items() == [] and reopened.get_incident(incident).version == 1
