"""#22: a computer can be watched too. Said once, on the first run's last page (after
the diary is made, never on the welcome page a passer-by might see), with where to
get help checking; the same words stay in Help."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QWidget

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from victim_log.gui.shell.helppanel import device_safety

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _visible_text(root: QWidget) -> str:
    return "\n".join(label.text() for label in root.findChildren(QLabel) if label.isVisibleTo(root.window()))


def test_the_device_note_is_shown_once_after_the_diary_is_made(qtbot, tmp_path):
    window, session, _ = make_window(qtbot, tmp_path)
    fr = window.firstrun
    welcome = _visible_text(fr.pages.currentWidget())
    assert "stalkerware" not in welcome.lower() and "watched" not in welcome.lower()

    qtbot.keyClicks(fr.pair.first, PASSPHRASE)
    qtbot.keyClicks(fr.pair.second, PASSPHRASE)
    qtbot.mouseClick(fr.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fr.pages.currentIndex() == 1)
    note = fr.findChild(QWidget, "deviceSafetyNote")
    assert note is not None and note.isVisibleTo(window)
    text = _visible_text(note)
    assert "Is this computer safe to use?" in text
    for words in ("mirroring", "account you share", "stalkerware", "before you remove"):
        assert words in text
    assert "stopstalkerware.org" in text and "refugetechsafety.org" in text
    assert "again any time in Help" in text
    assert all(line in text for line in device_safety())  # the words Help shows

    fr.kept.setFocus()
    qtbot.keyClick(fr.kept, Qt.Key.Key_Space)
    qtbot.mouseClick(fr.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_screen() == window.UNLOCK)
    assert "stalkerware" not in _visible_text(window.unlock)  # never again at unlock
    unlock_via_gui(qtbot, window)
    assert session.is_unlocked
    assert window.current_screen() == window.DIARY  # straight back to the diary
