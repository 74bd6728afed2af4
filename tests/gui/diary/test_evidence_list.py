"""Evidence files (#18): every stored file, those no entry cites first; attach one to an
entry (found by typing), or make an entry for it through the quick log."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QLabel

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import held_elsewhere
from tests.gui.conftest import show_active
from tests.gui.conftest import ticking
from tests.gui.conftest import unnamed_controls
from victim_log.gui.diary.evidence_list import EntryPicker
from victim_log.gui.diary.evidence_list import EvidenceDialog
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets import background_write
from victim_log.model import IncidentData
from victim_log.vault import Vault

from .test_diary_flow import diary_view


def rows(dialog: EvidenceDialog) -> list[tuple[str, str]]:
    tree = dialog.tree
    return [
        (tree.topLevelItem(i).text(0), tree.topLevelItem(i).text(2)) for i in range(tree.topLevelItemCount())
    ]


def test_unattached_files_first_then_attach_one_to_an_entry(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    school = vault.add_incident(
        IncidentData(summary="Waited at the school gate", occurred_start="2026-08-03T15:10:00+01:00"),
        files=[("gate.jpg", b"a photo of the gate")],
    )
    vault.add_incident(
        IncidentData(summary="Letter through the door", occurred_start="2026-08-05T09:00:00+01:00")
    )
    loose, _new = vault.evidence.add_bytes(b"a screenshot", "Screenshot_20260804-211245_WhatsApp.png")
    diary = diary_view(qtbot, session)
    seen: list[list[tuple[str, str]]] = []

    def look_then_attach(dialog: QDialog) -> int:
        assert isinstance(dialog, EvidenceDialog)
        assert unnamed_controls(dialog) == []
        seen.append(rows(dialog))
        assert "2 files, 1 not attached to any entry" in dialog.summary.text()
        assert dialog.tree.hasFocus() and dialog.entry_button.isEnabled()
        qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
        seen.append(rows(dialog))
        assert "each attached to an entry" in dialog.summary.text()
        assert not dialog.entry_button.isEnabled()  # it has an entry now
        qtbot.keyClick(dialog.tree, Qt.Key.Key_Escape)
        return dialog.result()

    def pick(dialog: QDialog) -> int:
        assert isinstance(dialog, EntryPicker)
        assert dialog.list.count() == 2 and dialog.search.hasFocus()
        qtbot.keyClicks(dialog.search, "school")  # narrows the list
        assert dialog.list.count() == 1
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
        return dialog.result()

    answers.add(look_then_attach, "evidenceDialog")
    answers.add(pick, "entryPicker")
    qtbot.mouseClick(diary.timeline.filter_bar.files_button, Qt.MouseButton.LeftButton)
    assert seen[0] == [
        ("Screenshot_20260804-211245_WhatsApp.png", "Not attached to any entry"),
        ("gate.jpg", "Mon 3 Aug 2026: Waited at the school gate"),
    ]
    assert (
        dict(seen[1])["Screenshot_20260804-211245_WhatsApp.png"]
        == "Mon 3 Aug 2026: Waited at the school gate"
    )
    assert vault.get_incident(school).evidence[-1] == loose
    assert vault.get_incident(school).version == 2  # attaching is a recorded new version


def test_make_an_entry_for_a_file(qtbot, session: Session, vault: Vault, answers: DialogAnswers) -> None:
    loose, _new = vault.evidence.add_bytes(b"a photo", "IMG_20260804_211245.jpg")
    diary = diary_view(qtbot, session)

    def make(dialog: QDialog) -> int:
        assert isinstance(dialog, EvidenceDialog)
        qtbot.mouseClick(dialog.entry_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    def write(dialog: QDialog) -> int:
        assert isinstance(dialog, QuickLogDialog)
        assert [f.evidence_id for f in dialog.files] == [loose]
        assert not dialog.provenance_button.isVisibleTo(dialog)  # said at intake, if at all
        qtbot.keyClicks(dialog.text, "His car outside the house")
        qtbot.keyClick(dialog.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return dialog.result()

    answers.add(make, "evidenceDialog")
    answers.add(write, "quickLogDialog")
    diary.show_evidence()
    [row] = vault.list_incidents()
    assert row.summary == "His car outside the house"
    assert vault.get_incident(row.id).evidence == (loose,)
    assert vault.evidence.get(loose).incidents == (row.id,)


def test_no_files_yet(qtbot, session: Session, answers: DialogAnswers) -> None:
    diary = diary_view(qtbot, session)

    def empty(dialog: QDialog) -> int:
        assert isinstance(dialog, EvidenceDialog)
        assert dialog.summary.text().startswith("No files yet")
        assert not dialog.attach_button.isEnabled() and not dialog.open_button.isEnabled()
        dialog.close_button.click()
        return dialog.result()

    answers.add(empty, "evidenceDialog")
    diary.show_evidence()


def _loose_file_and_an_entry(vault: Vault) -> tuple[int, int]:
    entry = vault.add_incident(
        IncidentData(summary="Waited at the school gate", occurred_start="2026-08-03T15:10:00+01:00")
    )
    loose, _new = vault.evidence.add_bytes(b"a screenshot", "Screenshot_20260804-211245_WhatsApp.png")
    return loose, entry


def _attach_first_file(
    qtbot, dialog: EvidenceDialog, answers: DialogAnswers, *, then_ok: bool = False
) -> None:
    answers.add(lambda d: qtbot.keyClick(d.search, Qt.Key.Key_Return) or d.result(), "entryPicker")
    if then_ok:
        answers.ok()
    qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)


def test_attaching_runs_off_the_gui_thread_and_a_busy_diary_is_retried_with_a_visible_state(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    """#18/#23.9: another window holds the diary's write lock; attaching waits on a
    worker thread (the window keeps handling events, its buttons held still), says
    "Saving… (the diary is busy, trying again)", and lands once the other lets go."""
    loose, entry = _loose_file_and_an_entry(vault)
    vault.conn.execute("PRAGMA busy_timeout = 100")  # each attempt gives up quickly
    dialog = EvidenceDialog(session)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    seen: list[tuple[str, bool]] = []

    def look() -> None:
        label = dialog.findChild(QLabel, "savingText")
        if label is not None and label.isVisible():
            seen.append((label.text(), dialog.attach_button.isEnabled()))

    watcher = QTimer()
    watcher.timeout.connect(look)
    watcher.start(20)
    with held_elsewhere(vault) as other, ticking() as ticks:
        QTimer.singleShot(1500, other.close)
        _attach_first_file(qtbot, dialog, answers)
    watcher.stop()
    assert len(ticks) >= 30, "the GUI thread kept handling events while it waited"
    assert ("Saving\u2026 (the diary is busy, trying again)", False) in seen
    assert vault.get_incident(entry).evidence == (loose,)
    assert dialog.changed and "each attached to an entry" in dialog.summary.text()
    assert dialog.attach_button.isEnabled()  # given back


def test_a_diary_that_stays_busy_attaches_nothing_and_says_so(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background_write, "PATIENCE", 0.3)
    monkeypatch.setattr(background_write, "PAUSE", 0.05)
    loose, entry = _loose_file_and_an_entry(vault)
    vault.conn.execute("PRAGMA busy_timeout = 100")
    dialog = EvidenceDialog(session)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    with held_elsewhere(vault):
        _attach_first_file(qtbot, dialog, answers, then_ok=True)
    assert "busy" in answers.seen[-1].text()
    assert vault.get_incident(entry).evidence == ()
    assert not dialog.changed and dialog.current() is not None and dialog.current().id == loose
    assert dialog.attach_button.isEnabled()
