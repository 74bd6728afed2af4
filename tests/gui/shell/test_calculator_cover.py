"""#18.5: the Calculator cover works from the keyboard and is a way back in: the
person's own code (Settings, kept inside the vault) typed then "=" shows the unlock
screen again (the passphrase is still needed); any other sum is just a sum."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.gui.shellfixtures import visible_top_levels
from victim_log.gui.shell.settings import SettingsDialog
from victim_log.gui.shell.settings import cover_code_problem
from victim_log.gui.shell.settings import load_shell_settings
from victim_log.gui.shell.settings import save_shell_settings
from victim_log.prefs import Prefs

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

CALCULATOR = Prefs(neutral_face=True, face="calculator")


def _covered(qtbot, tmp_path, code: str = "2580"):
    window, session, quit_app = make_window(qtbot, tmp_path, prefs=CALCULATOR)
    create_vault_via_gui(qtbot, window)
    vault = session.require()
    chosen = dataclasses.replace(load_shell_settings(vault), quick_exit_action="cover", cover_code=code)
    save_shell_settings(vault, chosen)
    window.apply_settings(vault)
    window.quick_exit.trigger()
    cover = window.quick_exit.cover
    assert cover is not None
    qtbot.addWidget(cover)
    assert visible_top_levels() == [cover]
    return window, session, quit_app, cover


def test_typing_the_code_then_equals_shows_the_unlock(qtbot, tmp_path):
    window, session, quit_app, cover = _covered(qtbot, tmp_path)
    calc = cover.centralWidget()
    calc.setFocus()
    qtbot.keyClicks(calc, "12*2")  # a real sum first: nothing happens
    qtbot.keyClick(calc, Qt.Key.Key_Return)
    assert calc.display.text() == "24" and cover.isVisible()
    qtbot.keyClicks(calc, "2580")
    qtbot.keyClick(calc, Qt.Key.Key_Equal)
    assert not cover.isVisible()
    assert window.isVisible() and window.current_screen() == window.UNLOCK
    assert session.vault is None  # still locked: the passphrase is needed
    assert quit_app.count == 0
    unlock_via_gui(qtbot, window)


def test_a_wrong_code_is_a_sum_and_the_buttons_work_too(qtbot, tmp_path):
    window, _session, _quit, cover = _covered(qtbot, tmp_path)
    calc = cover.centralWidget()
    calc.setFocus()
    qtbot.keyClicks(calc, "2581")
    qtbot.keyClick(calc, Qt.Key.Key_Enter)
    assert cover.isVisible() and not window.isVisible()
    assert calc.display.text() == "2581"
    qtbot.keyClick(calc, Qt.Key.Key_Delete)
    assert calc.display.text() == "0"
    qtbot.keyClicks(calc, "25800")
    qtbot.keyClick(calc, Qt.Key.Key_Backspace)  # a slip corrected: 2580
    calc.press("=")
    assert not cover.isVisible() and window.isVisible()


def test_no_code_set_means_only_sums(qtbot, tmp_path):
    window, _session, quit_app, cover = _covered(qtbot, tmp_path, code="")
    calc = cover.centralWidget()
    for key in "2580=":
        calc.press(key)
    assert cover.isVisible() and not window.isVisible()
    cover.close()  # closing it ends the app: start it again to unlock
    assert quit_app.count == 1


def test_settings_take_a_code_of_4_to_12_digits(qtbot, tmp_path):
    assert cover_code_problem("") is None and cover_code_problem("2580") is None
    for bad in ("123", "12a4", "1234567890123", "１２３４"):
        assert cover_code_problem(bad)
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    settings = load_shell_settings(session.require())
    dialog = SettingsDialog(settings, Prefs(), [], window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.cover_code, "12")
    assert dialog.problem.text()
    qtbot.keyClicks(dialog.cover_code, "34")
    assert not dialog.problem.text()
    assert dialog.values()[0].cover_code == "1234"


def test_a_superscript_digit_is_not_typed_into_a_sum(qtbot):
    """AltGr+2 gives "²" on many keyboards: str.isdigit says it is a digit, float()
    does not, so the next "+" raised ValueError inside the key handler."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    from victim_log.gui.shell.neutral import Calculator

    calc = Calculator()
    qtbot.addWidget(calc)

    def key(code: int, text: str) -> None:
        calc.keyPressEvent(QKeyEvent(QEvent.Type.KeyPress, code, Qt.KeyboardModifier.NoModifier, text))

    key(Qt.Key.Key_2, "2")
    key(0, "\u00b2")
    key(Qt.Key.Key_Plus, "+")
    key(0, "\u0663")  # an Arabic-Indic three: a digit float() reads
    key(Qt.Key.Key_Equal, "=")
    assert calc.display.text() == "5"
