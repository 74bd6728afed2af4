"""#21: "Send through the police link", batch by batch.

The person copies each caption into the portal's caption box (the clipboard is
cleared 30 s later, and at lock), and ticks each batch as sent: the tick is kept in
the vault with the reference, asked for once; taking it back asks why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QPushButton

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import shown
from tests.gui.conftest import tab_chain
from tests.gui.conftest import unnamed_controls
from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import unlock_via_gui
from tests.test_portal_sends import make_batches
from victim_log import portal_sends
from victim_log.export.portal import read_portal
from victim_log.gui.shell.session import Session
from victim_log.gui.tools import portal_send
from victim_log.gui.tools.portal_send import CLEAR_AFTER_MS
from victim_log.gui.tools.portal_send import PortalSendDialog
from victim_log.vault import Vault


@pytest.fixture
def up(vault: Vault, tmp_path: Path) -> Path:
    return make_batches(vault, tmp_path)


@pytest.fixture
def dialog(qtbot, session: Session, up: Path) -> PortalSendDialog:
    return shown(qtbot, PortalSendDialog(session, up))


def _typed(text: str, title: str = ""):  # type: ignore[no-untyped-def]
    """Answer a one-line question (the reference, a reason) with ``text``."""

    def answer(d):  # type: ignore[no-untyped-def]
        assert not title or d.windowTitle() == title
        d.reason_edit.setText(text)
        d.accept()

    return answer


def test_copy_puts_the_caption_on_the_clipboard_then_clears_it(
    qtbot, dialog: PortalSendDialog, session: Session, up: Path
) -> None:
    portal = read_portal(up)
    assert dialog.batch_choice.count() == 2 and len(dialog.copy_buttons) == 2
    clipboard = QGuiApplication.clipboard()
    qtbot.mouseClick(dialog.copy_buttons[1], Qt.MouseButton.LeftButton)
    assert clipboard.text() == portal.batches[0][1].caption
    assert dialog.copy_buttons[1].text() == "Copied" and "30 seconds" in dialog.copied_note.text()
    timer = session.findChild(QTimer, "captionClipboardTimer")
    assert timer is not None and timer.isActive() and timer.interval() == CLEAR_AFTER_MS == 30_000
    timer.timeout.emit()  # the 30 seconds are up
    assert clipboard.text() == ""
    # Something the person copied elsewhere afterwards is never cleared.
    qtbot.mouseClick(dialog.copy_buttons[0], Qt.MouseButton.LeftButton)
    clipboard.setText("from the browser")
    timer.timeout.emit()
    assert clipboard.text() == "from the browser"
    # Closing the window does not leave a caption behind: the timer is the session's.
    qtbot.mouseClick(dialog.copy_buttons[0], Qt.MouseButton.LeftButton)
    dialog.close()
    assert timer.isActive()
    session.lock()  # and a lock (quick exit locks too) clears it at once
    assert clipboard.text() == ""


def test_ticking_records_the_batch_with_the_reference_asked_once(
    qtbot, dialog: PortalSendDialog, session: Session, vault: Vault, up: Path, answers: DialogAnswers
) -> None:
    tick = dialog.findChild(QCheckBox, "sentTick")
    assert tick is not None and not tick.isChecked() and "batch 1" in tick.text()
    answers.add(_typed("CR/1234/26", "Which police reference?"), "reasonDialog")
    tick.click()
    portal = read_portal(up)
    states = portal_sends.batch_states(vault, portal)
    assert [s.sent for s in states] == [True, False]
    assert states[0].latest is not None and states[0].latest.reference == "CR/1234/26"
    # On to the next batch, with what was recorded said plainly.
    assert dialog.batch_choice.currentIndex() == 1 and not tick.isChecked()
    assert (
        "Batch 1 recorded as sent" in dialog.done_note.text() and "Next: batch 2" in dialog.done_note.text()
    )
    assert "sent" in dialog.batch_choice.itemText(0)
    assert "Ticking it records it as sent now, to CR/1234/26" in dialog.status.text()
    tick.click()  # the reference is not asked again
    assert all(s.sent for s in portal_sends.batch_states(vault, portal))
    assert "Every batch is sent" in dialog.done_note.text()
    # Taking a tick back asks why, and keeps the first tick in the history.
    answers.add(_typed("the upload failed"), "reasonDialog")
    tick.click()
    second = portal_sends.batch_states(vault, portal)[1]
    assert not second.sent and [r.version for r in second.history] == [1, 2]
    assert "Tick taken back: the upload failed" in dialog.status.text()
    # Cancelling the question changes nothing.
    answers.add(lambda d: d.reject(), "reasonDialog")
    dialog.reference = ""
    tick.click()
    assert not tick.isChecked() and len(portal_sends.batch_states(vault, portal)[1].history) == 2


def test_opens_the_last_folder_and_reaches_everything_by_keyboard(
    qtbot, session: Session, up: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = session.require()
    portal_sends.remember_folder(vault, up)
    d = shown(qtbot, PortalSendDialog(session))  # from the Tools entry: no folder given
    assert d.portal is not None and d.portal.path == up.absolute()
    assert unnamed_controls(d) == []
    opened: list[Path] = []
    monkeypatch.setattr(portal_send, "open_in_file_manager", lambda p: opened.append(p) or True)
    d.findChild(QPushButton, "openBatchFolder").click()  # type: ignore[union-attr]
    assert opened == [up.absolute() / "Batch 01 of 02"]
    # Tab goes in the order things are done: the batch, each caption, then the tick.
    chain = tab_chain(d.batch_choice, 6)
    assert chain[:2] == ["Which batch", "Open this batch's folder"]
    assert [n for n in chain if n.startswith("Copy the caption")] == chain[2:4]
    assert chain[4:6] == ["I have sent this batch", "Close"]
    for name in ("batchChoice", "openBatchFolder", "copyCaption0", "sentTick", "portalClose"):
        widget = d.findChild(object, name)  # type: ignore[arg-type]
        assert widget is not None and widget.focusPolicy() & Qt.FocusPolicy.TabFocus, name


def test_a_folder_that_is_not_batches_is_a_calm_message(
    qtbot, session: Session, tmp_path: Path, answers: DialogAnswers
) -> None:
    answers.ok()
    d = PortalSendDialog(session, tmp_path)
    qtbot.addWidget(d)
    assert d.portal is None and not d.findChild(QCheckBox, "sentTick").isEnabled()  # type: ignore[union-attr]
    assert "No upload batches yet" in d.folder_label.text()


def test_choose_folder_uses_the_dialog_that_remembers_nothing(
    qtbot, session: Session, up: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_log.gui.widgets import privacy

    d = PortalSendDialog(session)  # nothing made yet
    qtbot.addWidget(d)
    asked: list[object] = []
    monkeypatch.setattr(privacy, "pick_paths", lambda parent, mode, title, **kw: asked.append(mode) or [up])
    d.findChild(QPushButton, "choosePortalFolder").click()  # type: ignore[union-attr]
    assert asked == [privacy.Mode.FOLDER] and d.portal is not None and d.batch_choice.count() == 2
    assert portal_sends.last_folder(session.require()) == up.absolute()


def test_reached_from_the_export_dialogs_done_page(
    qtbot, session: Session, up: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: DialogAnswers
) -> None:
    from tests.gui.tools.test_exportdialog import run_export
    from victim_log.gui.tools.exportdialog import ExportDialog
    from victim_log.gui.widgets import savepath

    monkeypatch.setattr(savepath, "choose_save_path", lambda *_a, **_k: tmp_path / "again.zip")
    d = ExportDialog(session)
    qtbot.addWidget(d)
    d.show()
    d.portal.click()
    run_export(qtbot, d)
    folder = tmp_path / "again-upload-batches"
    assert d.send_button.isVisible()
    assert "Send through the police link" in d.next_steps.text()
    assert portal_sends.last_folder(session.require()) == folder.absolute()  # for the Tools entry
    shown: list[Path] = []

    def look(w):  # type: ignore[no-untyped-def]
        assert isinstance(w, PortalSendDialog) and w.portal is not None
        shown.append(w.portal.path)
        w.accept()

    answers.add(look, "portalSendDialog")
    qtbot.mouseClick(d.send_button, Qt.MouseButton.LeftButton)
    assert shown == [folder]


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_file_menu_opens_the_last_batches(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.gui.shell.mainwindow import MainWindow

    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, _session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    assert isinstance(window, MainWindow)
    opened: list[tuple[object, object]] = []
    monkeypatch.setattr(
        portal_send, "open_portal_send", lambda s, parent=None, folder=None: opened.append((s, folder))
    )
    action = window.findChild(QAction, "portalSend")
    assert action is not None and action.text() == "Send through the police &link…"
    action.trigger()
    assert opened and opened[0][1] is None  # the last batches made or opened
