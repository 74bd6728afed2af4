"""Quick exit and lock clear the clipboard whenever its content came from us (#17.6).

A plain Ctrl+C in the search box never went through ``Session.copy_to_clipboard``,
so it survived quick exit. Text another program put there afterwards must stay.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import visible_top_levels

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

CTRL = Qt.KeyboardModifier.ControlModifier
WORDS = "He was outside the Co-op again"


def _copy_from_search_box(qtbot, window, key=Qt.Key.Key_C):
    """Type in the real diary's search box, select all, press Ctrl+C (or Ctrl+X) there."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    box = window.diary.timeline.filter_bar.search
    box.setFocus()
    qtbot.keyClicks(box, WORDS)
    qtbot.keyClick(box, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(box, key, CTRL)
    assert QGuiApplication.clipboard().text() == WORDS


def _another_program_copies(qtbot, window, text):
    """The person switches to another program (none of our windows active) and copies."""
    window.hide()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is None)
    QGuiApplication.clipboard().setText(text)
    window.show()


@pytest.mark.parametrize("key", [Qt.Key.Key_C, Qt.Key.Key_X], ids=["ctrl_c", "ctrl_x"])
def test_quick_exit_clears_a_plain_copy_from_the_search_box(qtbot, tmp_path, key):
    window, session, quit_app = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    _copy_from_search_box(qtbot, window, key)
    window.quick_exit.trigger()
    assert visible_top_levels() == []
    assert quit_app.count == 1
    assert QGuiApplication.clipboard().text() == ""


def test_quick_exit_keeps_what_another_program_copied_afterwards(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    _copy_from_search_box(qtbot, window)
    _another_program_copies(qtbot, window, "the user's shopping list")
    window.quick_exit.trigger()
    assert quit_app.count == 1
    assert QGuiApplication.clipboard().text() == "the user's shopping list"


def test_lock_clears_a_plain_copy_from_the_search_box(qtbot, tmp_path):
    window, session, _ = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    _copy_from_search_box(qtbot, window)
    window.locker.lock("manual")
    assert session.vault is None
    assert QGuiApplication.clipboard().text() == ""


def test_lock_keeps_what_another_program_copied_afterwards(qtbot, tmp_path):
    window, session, _ = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    _copy_from_search_box(qtbot, window)
    _another_program_copies(qtbot, window, "a bus timetable")
    window.locker.lock("manual")
    assert session.vault is None
    assert QGuiApplication.clipboard().text() == "a bus timetable"
