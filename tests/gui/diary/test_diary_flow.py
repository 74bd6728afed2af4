"""A whole session through the real widgets: log three incidents (typed, pasted screenshot,
dropped file), search, look at the evidence, edit with a reason, delete, lock and unlock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtCore import QPoint
from PySide6.QtCore import QPointF
from PySide6.QtCore import Qt
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtGui import QDropEvent
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QFileDialog
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import PASSPHRASE
from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import show_active
from tests.gui.conftest import tab_chain
from tests.gui.conftest import unnamed_controls
from victim_log.gui.diary.detail import VersionDialog
from victim_log.gui.diary.editor import IncidentEditor
from victim_log.gui.diary.evidence import EvidenceViewer
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.diary.view import DiaryView
from victim_log.gui.people.people_dialog import PeopleDialog
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets.reason import ReasonDialog
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.vault import Vault

CTRL = Qt.KeyboardModifier.ControlModifier


def diary_view(qtbot, session: Session) -> DiaryView:
    diary = DiaryView(session)
    qtbot.addWidget(diary)
    diary.resize(1200, 800)
    show_active(qtbot, diary)
    diary.reload()
    return diary


def image(color: str) -> QImage:
    img = QImage(320, 200, QImage.Format.Format_RGB32)
    img.fill(QColor(color))
    return img


def drop_files(widget, *paths: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    args = (
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Enter takes an integer point, drop a float one (as Qt 6 declares them).
    QApplication.sendEvent(widget, QDragEnterEvent(QPoint(10, 10), *args[1:]))
    QApplication.sendEvent(widget, QDropEvent(*args))


def test_log_search_view_edit_delete_and_lock(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers, tmp_path: Path
) -> None:
    diary = diary_view(qtbot, session)
    assert diary.timeline.empty.isVisible()
    assert unnamed_controls(diary) == []
    drafts: list[int] = []
    diary.draft_changed.connect(lambda: drafts.append(1))

    # 1. Typed, with kinds clicked, saved with Ctrl+Enter.
    def typed(dlg: QuickLogDialog) -> None:
        qtbot.mouseClick(dlg.kinds.buttons["damage"], Qt.MouseButton.LeftButton)
        dlg.text.setFocus()
        qtbot.keyClicks(dlg.text, "Car tyres slashed")
        qtbot.keyClick(dlg.text, Qt.Key.Key_Return)
        qtbot.keyClicks(dlg.text, "Both front tyres cut overnight.")
        assert diary.take_draft()["text"].startswith("Car tyres slashed\n")
        qtbot.keyClick(dlg.text, Qt.Key.Key_Return, CTRL)

    answers.add(typed, QuickLogDialog)
    diary.quick_log()
    assert drafts and diary.take_draft() is None
    assert diary.timeline.model.rowCount() == 1 and not diary.timeline.empty.isVisible()
    tyres = diary.selected_incident_ids()[0]
    qtbot.waitUntil(lambda: diary.detail.incident_id == tyres, timeout=2000)  # the next turn
    assert diary.detail.title.text() == "Car tyres slashed"

    # 2. A screenshot pasted with Ctrl+V.
    def pasted(dlg: QuickLogDialog) -> None:
        QGuiApplication.clipboard().setImage(image("red"))
        qtbot.keyClick(dlg, Qt.Key.Key_V, CTRL)
        qtbot.mouseClick(dlg.kinds.buttons["message"], Qt.MouseButton.LeftButton)
        dlg.text.setFocus()
        qtbot.keyClicks(dlg.text, "Messages from Dan all evening")
        qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)

    answers.add(pasted, QuickLogDialog)
    diary.quick_log()
    messages = diary.selected_incident_ids()[0]

    # 3. A photo dropped onto the dialog, from yesterday.
    photo = tmp_path / "van outside.png"
    image("blue").save(str(photo))

    def dropped(dlg: QuickLogDialog) -> None:
        drop_files(dlg, photo)
        dlg.when_buttons["yesterday"].click()
        qtbot.mouseClick(dlg.kinds.buttons["loitering"], Qt.MouseButton.LeftButton)
        dlg.text.setFocus()
        qtbot.keyClicks(dlg.text, "Blue van parked outside")
        qtbot.keyClick(dlg.text, Qt.Key.Key_Return, CTRL)

    answers.add(dropped, QuickLogDialog)
    diary.quick_log()
    van = diary.selected_incident_ids()[0]
    model = diary.timeline.model
    assert model.rowCount() == 3
    assert [model.summary_at(r).id for r in range(3)][-1] == van  # yesterday sorts last
    assert {vault.evidence.get(e).filename for e in vault.get_incident(van).evidence} == {"van outside.png"}

    # Search for a word: as you type, debounced, then the filtered rows.
    diary.focus_search()
    search = diary.timeline.filter_bar.search
    assert search.hasFocus()
    qtbot.keyClicks(search, "tyres")
    qtbot.waitUntil(lambda: model.current_filter.text == "tyres" and not model.busy, timeout=3000)
    assert model.rowCount() == 1 and model.summary_at(0).id == tyres
    search.clear()
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=3000)

    # The detail pane shows the pasted screenshot as an in-memory thumbnail.
    diary.show_incident(messages)
    detail = diary.detail
    qtbot.waitUntil(lambda: detail.pending_thumbnails() == 0, timeout=3000)
    evidence_id = vault.get_incident(messages).evidence[0]
    thumb = detail.thumbnails.get(evidence_id, detail.thumb_side)
    assert thumb is not None and not thumb.isNull()
    assert max(thumb.width(), thumb.height()) <= detail.thumb_side
    assert QColor(thumb.toImage().pixel(3, 3)) == QColor("red")
    assert detail.evidence_list.count() == 1
    assert detail.evidence_list.item(0).text().startswith("Pasted screenshot")

    # View it (from memory) and save a verified copy.
    def view(dlg: EvidenceViewer) -> None:
        assert dlg.has_image
        dlg.zoom_in.click()
        dlg.reject()

    answers.add(view, EvidenceViewer)
    detail.view_button.click()
    out = tmp_path / "copy.png"

    def save_as(fd: QFileDialog) -> None:
        assert fd.testOption(QFileDialog.Option.DontUseNativeDialog)
        assert fd.selectedFiles()[0].endswith(".png")  # a safe name is suggested
        fd.setDirectory(str(out.parent))
        name = fd.findChild(QLineEdit, "fileNameEdit")
        name.selectAll()
        qtbot.keyClicks(name, out.name)  # what a person would type
        fd.accept()

    answers.add(save_as, QFileDialog)
    answers.ok()
    detail.save_button.click()
    assert "identical to the original" in answers.seen[-1].text()
    assert out.read_bytes() == vault.evidence.read_bytes(evidence_id)

    # Edit it with the full editor: a reason is asked for, version 2 is written.
    def edit(ed: IncidentEditor) -> None:
        assert ed.summary.text() == "Messages from Dan all evening"
        qtbot.keyClicks(ed.location, "At home")
        ed.effects["alarm_distress"].click()
        qtbot.keyClick(ed.location, Qt.Key.Key_Return, CTRL)

    def reason(dlg: ReasonDialog) -> None:
        assert dlg.reason() == "added details"
        qtbot.keyClicks(dlg.reason_edit, "added where I was")
        qtbot.keyClick(dlg.reason_edit, Qt.Key.Key_Return)

    answers.add(edit, IncidentEditor)
    answers.add(reason, ReasonDialog)
    detail.edit_button.click()
    history = vault.incident_history(messages)
    assert [v.version for v in history] == [1, 2]
    assert history[1].reason == "added where I was" and history[1].data.location == "At home"
    assert diary.selected_incident_ids() == [messages]
    assert detail.history_list.topLevelItemCount() == 2
    assert detail.fields.rows()["Where"] == "At home"

    # The first version is still there to read.
    def first_version(dlg: VersionDialog) -> None:
        assert dlg.windowTitle() == "Version 1 of 2"
        assert "Where" not in dlg.fields.rows()
        dlg.reject()

    answers.add(first_version, VersionDialog)
    old = detail.history_list.topLevelItem(1)
    detail.history_list.itemActivated.emit(old, 0)

    # Delete the van entry: confirmed, with a reason; its history stays.
    diary.show_incident(van)
    answers.press("Delete", QMessageBox)

    def why(dlg: ReasonDialog) -> None:
        assert dlg.reason() == ""  # no prefilled reason for a deletion
        qtbot.keyClicks(dlg.reason_edit, "logged twice")
        dlg.buttons.accepted.emit()

    answers.add(why, ReasonDialog)
    detail.delete_button.click()
    assert model.rowCount() == 2
    qtbot.waitUntil(lambda: detail.incident_id in (tyres, messages), timeout=2000)
    assert vault.get_incident(van).deleted and vault.incident_history(van)[-1].reason == "logged twice"

    state = diary.state()
    assert state["selected"] is None or isinstance(state["selected"], int)

    # Lock: everything the diary view held is forgotten.
    diary.show_incident(messages)
    session.lock()
    assert model.rowCount() == 0 and model.cached_pages() == 0
    assert len(detail.thumbnails) == 0 and detail.incident_id is None
    assert detail.evidence_list.count() == 0 and detail.title.text() == ""
    assert search.text() == "" and diary.timeline.filter_bar.person.count() == 1

    # Unlock: the same data, where the person was.
    session.set_vault(Vault.open(vault.path, PASSPHRASE))
    diary.restore_state({"selected": messages, "filters": {"text": "dan"}})
    assert model.rowCount() == 1 and diary.selected_incident_ids() == [messages]
    assert search.text() == "dan"


def test_lock_while_typing_keeps_the_draft(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    diary = diary_view(qtbot, session)
    taken: list[dict] = []

    def interrupted(dlg: QuickLogDialog) -> None:
        qtbot.keyClicks(dlg.text, "Half written: he was at the gate")
        QGuiApplication.clipboard().setImage(image("green"))
        dlg.paste()
        taken.append(diary.take_draft())  # the shell keeps this (encrypted) over the lock
        session.lock()  # e.g. the inactivity timer
        assert not dlg.isVisible() and dlg.text.toPlainText() == ""

    answers.add(interrupted, QuickLogDialog)
    diary.quick_log()
    assert not vault.is_open

    session.set_vault(Vault.open(vault.path, PASSPHRASE))
    assert session.require().count_incidents() == 0  # nothing half-saved
    diary.reload()

    def resumed(dlg: QuickLogDialog) -> None:
        assert dlg.text.toPlainText() == "Half written: he was at the gate"
        assert len(dlg.files) == 1 and dlg.files[0].data.startswith(b"\x89PNG")
        qtbot.keyClick(dlg.text, Qt.Key.Key_Return, CTRL)

    answers.add(resumed, QuickLogDialog)
    diary.restore_draft(taken[0])
    reopened = session.require()
    assert reopened.count_incidents() == 1
    assert len(reopened.get_incident(diary.selected_incident_ids()[0]).evidence) == 1


def test_keyboard_order_from_search_to_detail(qtbot, session: Session, vault: Vault) -> None:
    vault.add_incident(IncidentData(summary="Texts"))
    diary = diary_view(qtbot, session)
    diary.timeline.filter_bar.more.setChecked(True)
    diary.show_incident(1)
    assert tab_chain(diary.timeline.filter_bar.search, 13) == [
        "Search the diary",
        "Show more filters",
        "Evidence files, those not attached to an entry first",
        "When",
        "Kind of incident",
        "Person",
        "Evidence",
        "Reported to police",
        "Needs completing: only entries marked complete later",
        "Clear filters (all of them)",
        "Timeline of incidents, newest first",
        "Edit this entry",
        "Attach files to this entry",
    ]


def test_changes_elsewhere_reload_the_timeline_and_people(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    diary = diary_view(qtbot, session)
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    incident = vault.add_incident(IncidentData(summary="Imported message", people=(dan,)))
    session.notify_changed()  # e.g. an import finished
    assert diary.timeline.model.rowCount() == 1
    assert diary.timeline.filter_bar.person.findData(dan) > 0

    # People dialog: choose the person's entry and it is shown in the diary.
    def choose(dlg: PeopleDialog) -> None:
        dlg.incidents.setCurrentIndex(dlg.model.index(0))
        dlg.incidents.activated.emit(dlg.model.index(0))

    answers.add(choose, PeopleDialog)
    diary.show_people()
    assert diary.detail.incident_id == incident

    # Keyboard: Enter on a row opens the editor; Delete asks to delete.
    diary.timeline.list.setFocus()
    diary.timeline.select_id(incident)
    answers.cancel(IncidentEditor)
    qtbot.keyClick(diary.timeline.list, Qt.Key.Key_Return)
    answers.press("Cancel", QMessageBox)
    qtbot.keyClick(diary.timeline.list, Qt.Key.Key_Delete)
    assert not vault.get_incident(incident).deleted
