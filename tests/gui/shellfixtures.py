"""Helpers for the app-shell tests (first run, unlock, lock, quick exit, leaks).

The shell is tested against the DiaryView *contract*, with a small stand-in diary
that behaves like the real one where the shell cares: it holds diary text in
widgets, has an unsaved draft, a place (search text and selected row), and wipes
everything on lock. The diary screens have their own tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from victim_log import drafts
from victim_log.gui.shell.mainwindow import MainWindow
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets import dialogs
from victim_log.model import IncidentData
from victim_log.prefs import Prefs
from victim_log.vault import Vault

PASSPHRASE = "correct horse battery staple"

# The offscreen platform cannot resize windows to their layouts' hints and says so on
# every layout change; that is the test platform's limit, not a fault in the app.
OFFSCREEN_NOISE = "This plugin does not support (propagateSizeHints|raise)"


@pytest.fixture(autouse=True)
def qsettings_home() -> None:
    """Point Qt's settings files at this test's HOME.

    QSettings reads XDG_CONFIG_HOME once per process and caches it, so without this
    every test after the first would write QtProject.conf into the first test's home
    and the leak checks would look in the wrong place. Test modules import this
    fixture to activate it.
    """
    config = str(Path.home() / ".config")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, config)


class FakeDiary(QWidget):
    """A minimal DiaryView: a list of summaries, a search box and a draft editor."""

    draft_changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("fakeDiary")
        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setAccessibleName("Search")
        self.list = QListWidget(self)
        self.list.setObjectName("timeline")
        self.list.setAccessibleName("Timeline")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("draftEditor")
        self.editor.setAccessibleName("What happened")
        self.editor.textChanged.connect(self.draft_changed)
        layout = QVBoxLayout(self)
        for w in (self.search, self.list, self.editor):
            layout.addWidget(w)
        self.calls: list[str] = []

    def reload(self) -> None:
        self.calls.append("reload")
        self.list.clear()
        vault = self.session.require()
        for row in vault.list_incidents():
            self.list.addItem(row.summary)

    def wipe(self) -> None:
        self.calls.append("wipe")
        self.list.clear()
        self.search.clear()
        self.editor.clear()

    def save_draft(self) -> int:
        """What the real quick log's Save does: the core writes the entry."""
        text = self.editor.toPlainText().strip()
        iid = self.session.require().add_incident(IncidentData(summary=text, kinds=("message",)))
        self.editor.clear()
        self.reload()
        return iid

    def quick_log(self) -> None:
        self.calls.append("quick_log")
        self.editor.setFocus()

    def show_people(self) -> None:
        self.calls.append("show_people")

    def focus_search(self) -> None:
        self.calls.append("focus_search")
        self.search.setFocus()

    def selected_incident_ids(self) -> list[int]:
        return []

    def state(self) -> dict[str, Any]:
        return {"search": self.search.text(), "row": self.list.currentRow()}

    def restore_state(self, state: dict[str, Any]) -> None:
        self.search.setText(str(state.get("search", "")))
        self.list.setCurrentRow(int(state.get("row", -1)))

    def take_draft(self) -> dict[str, Any] | None:
        text = self.editor.toPlainText()
        if not text:
            return None
        self.editor.clear()
        return {"text": text}

    def restore_draft(self, draft: dict[str, Any]) -> None:
        self.editor.setPlainText(str(draft.get("text", "")))


class QuitRecorder:
    """Stands in for QApplication.quit so a test can see it was asked to quit."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def make_window(
    qtbot: Any,
    tmp_path: Path,
    *,
    prefs: Prefs | None = None,
    diary: Callable[[Session], QWidget] | None = FakeDiary,
    quit_app: QuitRecorder | None = None,
) -> tuple[MainWindow, Session, QuitRecorder]:
    session = Session(tmp_path / "vault")
    recorder = quit_app or QuitRecorder()
    window = MainWindow(session, prefs or Prefs(), quit_app=recorder, diary_factory=diary)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window, session, recorder


def create_vault_via_gui(qtbot: Any, window: MainWindow, passphrase: str = PASSPHRASE) -> None:
    """Type the passphrase twice, create, tick the kept-key box, continue."""
    fr = window.firstrun
    assert window.current_screen() == window.FIRST_RUN
    qtbot.keyClicks(fr.pair.first, passphrase)
    qtbot.keyClicks(fr.pair.second, passphrase)
    assert fr.create_button.isEnabled()
    qtbot.mouseClick(fr.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: fr.pages.currentIndex() == 1)
    assert fr.key_text.text().count("-") >= 3
    assert not fr.continue_button.isEnabled()
    fr.kept.setFocus()
    qtbot.keyClick(fr.kept, Qt.Key.Key_Space)
    assert fr.continue_button.isEnabled()
    qtbot.mouseClick(fr.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)


def unlock_via_gui(qtbot: Any, window: MainWindow, passphrase: str = PASSPHRASE) -> None:
    screen = window.unlock
    assert window.current_screen() == window.UNLOCK
    qtbot.keyClicks(screen.passphrase, passphrase)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)


def visible_top_levels() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


class DialogAnswers:
    """Replace the dialog seam: record dialogs and answer them without showing them."""

    def __init__(self, monkeypatch: Any, answer: int = 0, act: Callable[[Any], None] | None = None) -> None:
        self.seen: list[Any] = []
        self.answer = answer
        self.act = act
        monkeypatch.setattr(dialogs, "run_dialog", self)

    def __call__(self, dialog: Any) -> int:
        self.seen.append(dialog)
        if self.act is not None:
            self.act(dialog)
        return self.answer


WRITING = "Half-written: he was at the station again"


def impatient(session: Session) -> None:
    """The app's connection stops waiting for the lock after 0.1 s (SQLite's own 5 s
    would make each attempt slow); the app's retrying is what is tested."""
    session.require().conn.execute("PRAGMA busy_timeout = 100")


def window_with_writing(qtbot: Any, tmp_path: Path) -> tuple[MainWindow, Session]:
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    qtbot.keyClicks(window.diary.editor, WRITING)
    impatient(session)
    return window, session


def kept_in(folder: Path) -> dict[str, Any] | None:
    vault = Vault.open(folder, PASSPHRASE)
    try:
        return drafts.peek(vault)
    finally:
        vault.lock()
