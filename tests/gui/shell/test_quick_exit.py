"""Quick exit from every screen and from inside a modal dialog: nothing of ours left."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QMessageBox

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.gui.shellfixtures import visible_top_levels
from victim_log.gui.shell.neutral import CoverWindow
from victim_log.gui.shell.quickexit import DOUBLE_ESC_MS
from victim_log.gui.shell.quickexit import parse_shortcut
from victim_log.gui.shell.quickexit import shortcut_is_usable
from victim_log.gui.widgets import dialogs
from victim_log.prefs import Prefs
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

HANG_GUARD_MS = 5_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _new_vault(tmp_path):
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()


def _assert_gone(window, session, quit_recorder, *, quits=1):
    assert visible_top_levels() == []
    assert session.vault is None
    assert quit_recorder.count == quits
    # A hang guard only (quick exit must not wait on a save, a lock or a dialog): speed
    # is never asserted in a test, the machines are too noisy (bench/__init__.py).
    assert window.quick_exit.last_duration_ms < HANG_GUARD_MS


def test_from_first_run_screen_with_the_button(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    qtbot.keyClicks(window.firstrun.pair.first, "half typed passphrase")
    button = window.exit_toolbar.widgetForAction(window.quick_exit_action)
    assert button.isVisible()
    assert button.accessibleName() == "Quick exit"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    _assert_gone(window, session, quit_app)
    assert window.firstrun.pair.first.text() == ""
    assert not Vault.exists(tmp_path / "vault")


def test_from_unlock_screen_with_esc_twice(qtbot, tmp_path):
    _new_vault(tmp_path)
    window, session, quit_app = make_window(qtbot, tmp_path)
    qtbot.keyClicks(window.unlock.passphrase, "partial")
    qtbot.keyClick(window.unlock.passphrase, Qt.Key.Key_Escape)
    assert window.isVisible()
    qtbot.keyClick(window.unlock.passphrase, Qt.Key.Key_Escape)
    _assert_gone(window, session, quit_app)
    assert window.unlock.passphrase.text() == ""


def test_neutral_locked_window_still_exits_with_esc_twice_and_the_shortcut(qtbot, tmp_path):
    """#18.5: behind a neutral face the locked window hides the Quick exit button, but
    Esc twice and the shortcut still hide everything."""
    _new_vault(tmp_path)
    window, session, quit_app = make_window(qtbot, tmp_path, prefs=Prefs(neutral_face=True, face="notes"))
    assert not window.quick_exit_action.isVisible()
    qtbot.keyClick(window.unlock.passphrase, Qt.Key.Key_Escape)
    qtbot.keyClick(window.unlock.passphrase, Qt.Key.Key_Escape)
    _assert_gone(window, session, quit_app)
    again, session2, quit2 = make_window(qtbot, tmp_path, prefs=Prefs(neutral_face=True, face="notes"))
    qtbot.keyClick(again.unlock.passphrase, Qt.Key.Key_Q, CTRL_SHIFT)
    _assert_gone(again, session2, quit2)


def test_from_diary_with_shortcut_clears_our_clipboard_text(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    qtbot.keyClicks(window.diary.editor, "He was outside the Co-op again")
    session.copy_to_clipboard("He was outside the Co-op again")
    qtbot.keyClick(window.diary.editor, Qt.Key.Key_Q, CTRL_SHIFT)
    _assert_gone(window, session, quit_app)
    assert QGuiApplication.clipboard().text() == ""
    assert window.diary.editor.toPlainText() == ""


def test_from_diary_keeps_the_users_own_clipboard_text(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    session.copy_to_clipboard("diary words")
    # Copied in another program since: none of our windows is active while that happens.
    window.hide()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is None)
    QGuiApplication.clipboard().setText("the user's shopping list")
    window.show()
    qtbot.waitExposed(window)
    qtbot.mouseClick(window.exit_toolbar.widgetForAction(window.quick_exit_action), Qt.MouseButton.LeftButton)
    _assert_gone(window, session, quit_app)
    assert QGuiApplication.clipboard().text() == "the user's shopping list"


def _in_modal(qtbot, window, open_modal, keys):
    """Open a real modal dialog (its own event loop) and press ``keys`` inside it."""
    seen = []

    def press():
        modal = QApplication.activeModalWidget()
        seen.append(modal)
        for key, mods in keys:
            qtbot.keyClick(QApplication.focusWidget() or modal, key, mods)

    QTimer.singleShot(0, press)
    open_modal()  # returns when the dialog's loop ends
    assert isinstance(seen[0], QDialog)
    return seen[0]


def test_from_inside_a_modal_dialog_with_shortcut(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    dialog = _in_modal(qtbot, window, window.open_settings, [(Qt.Key.Key_Q, CTRL_SHIFT)])
    assert dialog.objectName() == "settingsDialog"
    _assert_gone(window, session, quit_app)


def test_from_inside_a_message_box_with_esc_twice(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    noop = Qt.KeyboardModifier.NoModifier
    box = _in_modal(
        qtbot,
        window,
        lambda: dialogs.show_message(window, "Victim Log", "Saved."),
        [(Qt.Key.Key_Escape, noop), (Qt.Key.Key_Escape, noop)],
    )
    assert isinstance(box, QMessageBox)
    _assert_gone(window, session, quit_app)


def test_cover_screen_when_chosen(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    session.require().set_setting("quick_exit_action", "cover")
    window.apply_settings(session.require())
    qtbot.keyClicks(window.diary.editor, "private words")
    qtbot.keyClick(window.diary.editor, Qt.Key.Key_Q, CTRL_SHIFT)
    shown = visible_top_levels()
    assert len(shown) == 1
    cover = shown[0]
    assert isinstance(cover, CoverWindow)
    qtbot.addWidget(cover)
    assert cover.windowTitle() == "Notes"
    assert session.vault is None
    assert quit_app.count == 0
    # A hang guard only (quick exit must not wait on a save, a lock or a dialog): speed
    # is never asserted in a test, the machines are too noisy (bench/__init__.py).
    assert window.quick_exit.last_duration_ms < HANG_GUARD_MS
    assert QApplication.applicationDisplayName() == "Notes"
    cover.close()
    assert quit_app.count == 1


def test_calculator_cover_works_and_holds_nothing(qtbot, tmp_path):
    window, session, quit_app = make_window(
        qtbot, tmp_path, prefs=Prefs(neutral_face=True, face="calculator")
    )
    window.quick_exit.configure("cover", "")
    window.quick_exit.trigger()
    cover = window.quick_exit.cover
    qtbot.addWidget(cover)
    assert visible_top_levels() == [cover]
    assert cover.windowTitle() == "Calculator"
    calc = cover.centralWidget()
    for key in ("1", "2", "+", "3", "0", "="):
        calc.press(key)
    assert calc.display.text() == "42"


def test_single_or_slow_esc_does_not_exit(qtbot, tmp_path):
    _new_vault(tmp_path)
    window, _, quit_app = make_window(qtbot, tmp_path)
    field = window.unlock.passphrase
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert window.isVisible()
    # Esc, another key, Esc: not a double press.
    qtbot.keyClick(field, Qt.Key.Key_A)
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert window.isVisible()
    # The first press longer ago than the window allows (no sleeping: move it back).
    window.quick_exit._last_esc = time.monotonic() - (DOUBLE_ESC_MS + 50) / 1000
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert window.isVisible()
    assert quit_app.count == 0


def test_a_changed_shortcut_replaces_the_default(qtbot, tmp_path, monkeypatch):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)

    def choose(dialog):
        dialog.shortcut.setKeySequence(parse_shortcut("Ctrl+Alt+H"))

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), choose)
    window.open_settings()
    assert session.require().get_setting("quick_exit_shortcut") == "Ctrl+Alt+H"
    qtbot.keyClick(window.diary.editor, Qt.Key.Key_Q, CTRL_SHIFT)
    assert window.isVisible()
    qtbot.keyClick(
        window.diary.editor,
        Qt.Key.Key_H,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier,
    )
    _assert_gone(window, session, quit_app)
    # The choice is the vault's: after unlocking again it still applies.
    window.show()
    unlock_via_gui(qtbot, window)
    assert window.quick_exit.shortcut.toString() == "Ctrl+Alt+H"


def test_shortcut_rules():
    assert parse_shortcut("").toString() == "Ctrl+Shift+Q"
    assert parse_shortcut("Q").toString() == "Ctrl+Shift+Q"  # bare key: would fire while typing
    assert parse_shortcut("Ctrl+K, Ctrl+J").toString() == "Ctrl+Shift+Q"
    assert parse_shortcut("Alt+X").toString() == "Alt+X"
    assert shortcut_is_usable(parse_shortcut("F12"))


def test_quick_exit_twice_is_harmless(qtbot, tmp_path):
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    window.quick_exit.trigger()
    window.quick_exit.trigger()
    assert session.vault is None
    assert visible_top_levels() == []
