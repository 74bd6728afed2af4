"""#18.7: Esc to cancel the quick log, then Esc on "Discard?", is a quick exit. What was
typed is kept inside the encrypted vault, comes back in the quick log at the next
unlock (in a new window), and goes once it is saved or discarded on purpose; nothing
of it is found outside the vault's database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QPushButton

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.gui.shellfixtures import visible_top_levels
from tests.helpers import CANARY
from tests.leakscan import scan
from victim_log import drafts
from victim_log import paths
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.widgets import dialogs

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

KEPT = "What you were writing is kept, locked inside your diary."


def _typed_then_double_esc(qtbot, tmp_path, monkeypatch, cover: bool = False):
    """A real quick log (real modal loops): type, Esc (asks "Discard?"), Esc again."""
    window, session, quit_app = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    if cover:
        window.quick_exit.configure("cover", "")
    monkeypatch.setattr(dialogs, "run_dialog", lambda d: int(d.exec()))
    asked: list[QMessageBox] = []

    def esc_on_the_question() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or window.quick_exit._press_open:
            QTimer.singleShot(0, esc_on_the_question)  # the first press is still being handled
            return
        asked.append(box)
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    def type_then_esc() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QuickLogDialog)
        text = dialog.findChild(QPlainTextEdit, "whatHappened")
        qtbot.keyClicks(text, f"He waited at the gate {CANARY}")
        QTimer.singleShot(0, esc_on_the_question)
        qtbot.keyClick(text, Qt.Key.Key_Escape)

    QTimer.singleShot(0, type_then_esc)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert asked and asked[0].text() == "What you typed has not been saved. Discard it?"
    assert session.vault is None
    return window, session, quit_app


def _reopen(qtbot, tmp_path, monkeypatch, answer):
    """A new window on the same vault (the app started again), unlocked by keyboard;
    ``answer`` gets the quick log that comes back and returns its result."""
    back: list[str] = []

    def run(dialog):
        assert isinstance(dialog, QuickLogDialog)
        back.append(dialog.findChild(QPlainTextEdit, "whatHappened").toPlainText())
        return answer(dialog)

    monkeypatch.setattr(dialogs, "run_dialog", run)
    window, session, quit_app = make_window(qtbot, tmp_path, diary=None)
    assert KEPT not in window.unlock.message.text()  # a fresh start knows nothing yet
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: back != [])
    assert back == [f"He waited at the gate {CANARY}"]
    return window, session


def test_double_esc_keeps_the_draft_in_the_vault_and_saving_removes_it(qtbot, tmp_path, monkeypatch):
    first, _session, quit_app = _typed_then_double_esc(qtbot, tmp_path, monkeypatch)
    assert visible_top_levels() == []
    assert quit_app.count == 1
    first.close()

    def save(dialog):
        dialog.save()
        return int(dialog.result())

    _window, session = _reopen(qtbot, tmp_path, monkeypatch, save)
    vault = session.require()
    assert [i.summary for i in vault.list_incidents()] == [f"He waited at the gate {CANARY}"]
    assert not drafts.is_kept(vault)


def test_discarding_the_kept_draft_removes_it(qtbot, tmp_path, monkeypatch):
    first, _session, _quit = _typed_then_double_esc(qtbot, tmp_path, monkeypatch)
    first.close()

    def discard(dialog):
        def yes():
            box = QApplication.activeModalWidget()
            assert isinstance(box, QMessageBox)
            button = next(b for b in box.findChildren(QPushButton) if b.text() == "Discard")
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

        monkeypatch.setattr(dialogs, "run_dialog", lambda d: int(d.exec()))
        QTimer.singleShot(0, yes)
        dialog.reject()  # Cancel, then "Discard" on the question
        return int(dialog.result())

    _window, session = _reopen(qtbot, tmp_path, monkeypatch, discard)
    vault = session.require()
    assert vault.count_incidents() == 0
    assert not drafts.is_kept(vault)


def test_a_lock_screen_says_the_draft_is_kept_and_it_stays_until_dealt_with(qtbot, tmp_path, monkeypatch):
    window, session, quit_app = _typed_then_double_esc(qtbot, tmp_path, monkeypatch, cover=True)
    assert quit_app.count == 0
    window.quick_exit.cover.close()
    window.show()
    assert window.unlock.message.text() == KEPT
    # Closed again without saving (a lock closed the quick log): still kept.
    back: list[str] = []

    def lock_while_open(dialog):
        back.append(dialog.findChild(QPlainTextEdit, "whatHappened").toPlainText())
        window.locker.lock("manual")
        return int(dialog.result())

    monkeypatch.setattr(dialogs, "run_dialog", lock_while_open)
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: session.vault is None)
    assert back == [f"He waited at the gate {CANARY}"]
    assert window.unlock.message.text() == KEPT
    unlock_via_gui(qtbot, window)
    assert drafts.is_kept(session.require())


def test_nothing_of_the_kept_draft_outside_the_database(qtbot, tmp_path, monkeypatch):
    window, _session, _quit = _typed_then_double_esc(qtbot, tmp_path, monkeypatch)
    window.close()
    home = Path.home()
    roots = [Path(os.environ["TMPDIR"]), home, paths.state_dir()]
    roots += [p for p in (tmp_path / "vault").rglob("*") if p.is_file() and not p.name.startswith("vault.db")]
    assert (tmp_path / "vault" / "vault.db").exists()
    assert scan(roots, CANARY) == []
    # And the database holds it only encrypted: the canary in no form in any file.
    assert scan([tmp_path / "vault"], CANARY) == []


def test_a_lock_before_the_kept_draft_is_given_back_still_says_kept(qtbot, tmp_path, monkeypatch):
    window, session, _quit = _typed_then_double_esc(qtbot, tmp_path, monkeypatch, cover=True)
    window.quick_exit.cover.close()
    window.show()
    monkeypatch.setattr(dialogs, "run_dialog", lambda d: int(d.exec()))
    QTimer.singleShot(0, lambda: window.locker.lock("manual"))  # before the quick log opens
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: session.vault is None)
    assert window.unlock.message.text() == KEPT
