"""#18: opening another diary keeps what was being written inside the one being locked,
even while another window or process holds that diary's write lock: tried again
quietly with the "Saving…" bar showing, and if it still cannot be kept the switch
waits for the person ("Stay" / "Switch and lose it"), never drops it silently.

The second holder is real: another connection to the same vault in BEGIN IMMEDIATE
(what another window's save or a backup holds). The app's own connection is told to
give up waiting after 0.1 s instead of SQLite's 5 s, so the retries are seen quickly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import held_elsewhere
from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import WRITING
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import kept_in
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.gui.shellfixtures import window_with_writing
from victim_log import caselist
from victim_log.gui.shell.caselist import OpenAnotherDialog
from victim_log.gui.shell.mainwindow import MainWindow
from victim_log.gui.widgets import background_write
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _answers(monkeypatch: pytest.MonkeyPatch, *replies: str) -> DialogAnswers:
    """Open another → New… "Client B"; each question after that answered by the
    button whose text is the next of ``replies``."""
    queue = list(replies)

    def act(dialog: object) -> None:
        if isinstance(dialog, OpenAnotherDialog):
            dialog.label.setText("Client B")
            dialog.new_button.click()
            return
        assert isinstance(dialog, QMessageBox) and dialog.objectName() == "switchLosesDraft"
        wanted = queue.pop(0)
        next(b for b in dialog.buttons() if b.text().replace("&", "") == wanted).click()

    return DialogAnswers(monkeypatch, act=act)


def _watch_banner(window: MainWindow) -> tuple[QTimer, list[str]]:
    shown: list[str] = []

    def look() -> None:
        label = window.findChild(QLabel, "savingText")
        if label is not None and label.isVisible() and label.text() not in shown:
            shown.append(label.text())

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(20)
    return timer, shown


def test_a_busy_diary_is_retried_and_the_draft_kept_before_switching(qtbot, tmp_path, monkeypatch):
    window, session = window_with_writing(qtbot, tmp_path)
    first_dir = session.vault_dir
    first = session.require()
    answers = _answers(monkeypatch)
    timer, shown = _watch_banner(window)
    with held_elsewhere(first) as other:
        QTimer.singleShot(1500, other.close)  # the other window lets go after a while
        window.open_another_action.trigger()
    timer.stop()
    assert len(answers.seen) == 1  # only the list: no question, nothing was lost
    assert "Saving\u2026 (the diary is busy, trying again)" in shown
    assert not first.is_open and session.vault_dir != first_dir
    assert window.current_screen() == window.FIRST_RUN
    assert kept_in(first_dir) == {"text": WRITING}  # inside the first diary, encrypted

    # Back to the first diary: what was being written comes back in its form.
    create_vault_via_gui(qtbot, window, "a different long passphrase for b")
    window.locker.lock("manual")
    window.case_chooser.combo.activated.emit(0)
    assert session.vault_dir == first_dir
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: window.diary.editor.toPlainText() == WRITING)


def _never_frees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(background_write, "PATIENCE", 0.4)
    monkeypatch.setattr(background_write, "PAUSE", 0.05)


def test_a_draft_that_cannot_be_kept_is_lost_only_if_the_person_says_so(qtbot, tmp_path, monkeypatch):
    _never_frees(monkeypatch)
    window, session = window_with_writing(qtbot, tmp_path)
    first_dir, first = session.vault_dir, session.require()
    answers = _answers(monkeypatch, "Stay", "Switch and lose it")
    with held_elsewhere(first):
        window.open_another_action.trigger()
        box = answers.seen[-1]
        assert isinstance(box, QMessageBox)
        assert box.text() == "Your unsaved entry could not be kept because the diary is in use elsewhere."
        assert box.defaultButton() is box.escapeButton()  # Enter and Esc both stay
        assert box.escapeButton().text().replace("&", "") == "Stay"
        # Stayed: still open, what was being written still in its form.
        assert session.is_unlocked and session.vault_dir == first_dir
        assert window.current_screen() == window.DIARY
        assert window.diary.editor.toPlainText() == WRITING
        assert caselist.load_cases() == []  # the new one's label is not left behind

        window.open_another_action.trigger()  # and this time they let it go
        assert len(answers.seen) == 4  # list, question, list, question
        assert not session.is_unlocked and session.vault_dir != first_dir
    assert kept_in(first_dir) is None
    assert not window.locker.draft_box.full  # nothing of the first carried over


def test_on_the_locked_screen_a_draft_held_only_in_memory_is_not_dropped(qtbot, tmp_path, monkeypatch):
    """The diary locked while busy elsewhere (the draft could only be sealed in memory);
    choosing another diary on the locked screen asks before that draft goes."""
    window, session = window_with_writing(qtbot, tmp_path)
    first_dir, first = session.vault_dir, session.require()
    other_dir = tmp_path / "client-b"
    Vault.create(other_dir, PASSPHRASE)[0].lock()
    caselist.remember("Client B", other_dir)
    replies: list[str] = ["Stay", "Switch and lose it"]

    def act(dialog: object) -> None:
        assert isinstance(dialog, QMessageBox) and dialog.objectName() == "switchLosesDraft"
        wanted = replies.pop(0)
        next(b for b in dialog.buttons() if b.text().replace("&", "") == wanted).click()

    answers = DialogAnswers(monkeypatch, act=act)
    with held_elsewhere(first):
        window.locker.lock("idle")
    assert window.locker.draft_box.full and not window.locker.kept_in_vault
    chooser = window.case_chooser
    assert chooser.isVisible()
    pick: Callable[[], None] = lambda: chooser.combo.activated.emit(chooser.combo.findText("Client B"))  # noqa: E731
    pick()
    assert "comes back when you unlock" in answers.seen[-1].informativeText()
    assert session.vault_dir == first_dir and window.locker.draft_box.full
    assert chooser.combo.currentText() != "Client B"  # shows the one still chosen
    pick()
    assert session.vault_dir == other_dir and not window.locker.draft_box.full
    assert len(answers.seen) == 2


def test_no_question_when_the_lock_had_kept_the_draft_in_the_diary(qtbot, tmp_path, monkeypatch):
    window, session = window_with_writing(qtbot, tmp_path)
    first_dir = session.vault_dir
    other_dir = tmp_path / "client-b"
    Vault.create(other_dir, PASSPHRASE)[0].lock()
    caselist.remember("Client B", other_dir)
    answers = DialogAnswers(monkeypatch)
    window.locker.lock("idle")
    assert window.locker.kept_in_vault
    window.case_chooser.combo.activated.emit(window.case_chooser.combo.findText("Client B"))
    assert answers.seen == [] and session.vault_dir == other_dir
    assert kept_in(first_dir) == {"text": WRITING}


def test_a_lock_while_it_waits_keeps_the_draft_sealed_and_still_asks(qtbot, tmp_path, monkeypatch):
    """The auto-lock comes while the switch is still trying (the diary busy): the draft
    is held sealed in memory as the lock's own, and the switch asks before it goes."""
    window, session = window_with_writing(qtbot, tmp_path)
    first = session.require()
    answers = _answers(monkeypatch, "Stay")
    with held_elsewhere(first):
        QTimer.singleShot(600, lambda: window.locker.lock("idle"))
        window.open_another_action.trigger()
    assert [type(d) for d in answers.seen] == [OpenAnotherDialog, QMessageBox]
    assert "comes back when you unlock" in answers.seen[-1].informativeText()
    assert window.current_screen() == window.UNLOCK and window.locker.draft_box.full
    assert caselist.load_cases() == []
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: window.diary.editor.toPlainText() == WRITING)
