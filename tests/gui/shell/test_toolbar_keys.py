"""#18: the toolbar's Alt+letter keys work (each its own letter, none shared with the
diary's buttons beside it, those hidden behind "More buttons" included), and every
toolbar button's name for screen readers holds the words it shows (WCAG 2.5.3).

(Two letters shared inside the diary itself are the diary's own tests' business.)"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton
from PySide6.QtWidgets import QGroupBox
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QToolButton

from tests.gui.conftest import label_not_in_name
from tests.gui.conftest import spoken
from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from victim_log.gui.people.people_dialog import PeopleDialog
from victim_log.gui.shell.mainwindow import MainWindow
from victim_log.gui.shell.settings import SettingsDialog
from victim_log.model import IncidentData

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _alt(seq: QKeySequence) -> str | None:
    text = seq.toString(QKeySequence.SequenceFormat.PortableText)
    return text[4:].lower() if text.startswith("Alt+") and len(text) == 5 else None


def _letters_in(window: MainWindow) -> list[tuple[str, str]]:
    """(letter, where) of every Alt key in the unlocked window: the toolbar's actions,
    the menu bar, and each "&" shown on a visible button, label or group."""
    out = [
        (letter, act.objectName())
        for act in window.diary_actions + (window.help_action,)
        for letter in filter(None, map(_alt, act.shortcuts()))
    ]
    out += [(m.lower(), "menu") for m in re.findall(r"&(\w)", window.menuBar().actions()[0].text())]
    for widget in (
        window.findChildren(QAbstractButton) + window.findChildren(QLabel) + window.findChildren(QGroupBox)
    ):
        if widget.isVisibleTo(window):
            text = widget.title() if isinstance(widget, QGroupBox) else widget.text()
            out += [(m.lower(), widget.objectName()) for m in re.findall(r"(?<!&)&([^&\s])", text)]
    return out


def test_each_toolbar_letter_is_its_own_and_presses_its_button(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    vault = session.require()
    entry = vault.add_incident(IncidentData(summary="At the gate"), files=[("gate.jpg", b"a photo")])
    window.diary.reload()
    window.diary.show_incident(entry)  # the entry's own buttons (Edit, Delete, Save a copy…) show
    window.diary.detail.evidence_list.setCurrentRow(0)
    letters = _letters_in(window)
    assert {"l", "c", "p", "o", "n", "w", "i", "m", "x", "b", "t", "h", "k", "f", "e", "s", "v"} <= {
        letter for letter, _w in letters
    }
    ours = {act.objectName() for act in window.diary_actions + (window.help_action,)} | {"menu"}
    mine = [letter for letter, where in letters if where in ours]
    assert len(mine) == len(set(mine)) == len(ours)  # one key each, none twice
    shared = {letter for letter, where in letters if letter in mine and where not in ours}
    assert shared == set(), sorted(w for w in letters if w[0] in shared)

    for button in window.toolbar.findChildren(QToolButton):
        shown = button.text().replace("&", "").replace("\u2026", "").strip().lower()
        assert shown in button.accessibleName().lower(), (button.text(), button.accessibleName())
        assert "&" not in button.text()  # the key is the action's: no second mnemonic

    window.resize(640, window.height())  # most buttons now behind "More buttons"
    qtbot.waitUntil(lambda: not window.toolbar.widgetForAction(window.lock_action).isVisible())
    answers = DialogAnswers(monkeypatch)
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    assert [type(d) for d in answers.seen] == [PeopleDialog, SettingsDialog]
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # Lock, hidden as it is
    assert not session.is_unlocked and window.current_screen() == window.UNLOCK
    # Locked: the diary's keys are gone with its buttons.
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert len(answers.seen) == 2


def test_the_window_and_the_diaries_list_say_what_they_show(qtbot, tmp_path, monkeypatch):
    """WCAG 2.5.3: each button's accessible name holds its visible words: the toolbar,
    the notice bar (failed attempts), the list of diaries and its question on switching."""
    from PySide6.QtWidgets import QMessageBox

    from victim_log.gui.shell import caselist as caselist_gui
    from victim_log.gui.shell.caselist import OpenAnotherDialog

    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    window.show_unlock_notice(("2026-12-02T21:30:00+00:00",), None)
    dialog = OpenAnotherDialog(session.vault_dir, window)
    qtbot.addWidget(dialog)
    roots = [window.toolbar, window.exit_toolbar, window.notice_bar, dialog]
    wrong = [found for root in roots for found in label_not_in_name(root)]
    assert wrong == []
    answers = DialogAnswers(monkeypatch)
    caselist_gui._lose_anyway(window)
    asked = answers.seen
    assert isinstance(asked[0], QMessageBox)
    assert [spoken(b.text()) for b in asked[0].buttons()] == ["stay", "switch and lose it"]
    window.locker.lock("manual")
