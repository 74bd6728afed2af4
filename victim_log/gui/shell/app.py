"""Starting the desktop app: process hardening, the QApplication, the main window.

``run_gui`` is what ``victim-log gui`` calls. Before any secret can exist in memory
it switches off core dumps and makes every new file private; it then sets up Qt
with the face the person chose (our name or a neutral one) so that nothing Qt
shows outside the window says what the app is. We keep nothing in QSettings; Qt's
own file-dialog history is removed at start and at exit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtCore import QObject
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QWidget

from ... import paths
from ...prefs import load_prefs
from ...prefs import prefs_path
from ...prefs import settle_location
from ...safety import harden_process
from ..widgets import privacy
from ..widgets.common import wait_for_tasks
from ..widgets.contrast import readable_palette
from .mainwindow import MainWindow
from .neutral import Face
from .neutral import apply_face
from .neutral import face_for
from .neutral import neutral_faces
from .session import Session

SMOKE_TIMEOUT_MS = 20_000


def make_application(face: Face) -> QApplication:
    """The QApplication (reused if one exists, as in tests), dressed in ``face``.

    Only the program name is passed to Qt, never the user's arguments: Qt would
    otherwise act on options such as ``-style`` or ``-platformpluginpath``.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([face.app_name])
    apply_face(app, face)
    app.setStyle("Fusion")
    # The palette stays the system's (light, dark or high contrast), so whatever the
    # desktop chose for readability applies; only the pairs that fall short of WCAG's
    # 4.5:1 (placeholders, disabled text, selected text) are darkened or lightened.
    readable_colours(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: readable_colours(app))
    app.setQuitOnLastWindowClosed(True)
    return app


def readable_colours(app: QApplication) -> None:
    """The desktop's palette, with what falls short of WCAG AA made readable. Run again
    when the desktop switches between light and dark: the system's palette is read
    afresh (an empty palette means "the system's") and checked again."""
    app.setPalette(QPalette())
    app.setPalette(readable_palette(app.palette()))


class _FirstPaint(QObject):
    """Ends a ``--smoke`` run once the window has really been painted."""

    def __init__(self, window: QWidget, app: QApplication) -> None:
        super().__init__(app)
        self.window = window
        self.app = app
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (
            not self.painted
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self.window
        ):
            self.painted = True
            QTimer.singleShot(0, lambda: self.app.exit(0))
        return False


def run_gui(vault_dir: Path, smoke: bool = False, open_bundle: str | None = None) -> int:
    """Run the app until it quits; returns the exit code."""
    harden_process()
    os.umask(0o077)
    prefs = load_prefs()
    # The very first start (no diary, no choice saved) asks how the app should show
    # before its own name is seen anywhere: until then it wears the plain face.
    first_start = not prefs_path().exists() and not paths.vault_exists(Path(vault_dir))
    face = neutral_faces()["notes"] if first_start else face_for(prefs)
    app = make_application(face)
    privacy.clear_file_dialog_history()
    if open_bundle and not smoke:
        return _run_bundle_viewer(Path(open_bundle))
    session = Session(settle_location(Path(vault_dir)))  # no vault is open yet: it may move
    window = MainWindow(session, prefs, quit_app=lambda: app.exit(0), ask_look=first_start)
    if not first_start and not smoke:
        QTimer.singleShot(0, lambda: _wear_in_menu(face))  # after the first paint
    app.aboutToQuit.connect(window.shutdown)
    if smoke:
        watcher = _FirstPaint(window, app)
        app.installEventFilter(watcher)
        QTimer.singleShot(SMOKE_TIMEOUT_MS, lambda: app.exit(1))
    window.show()
    try:
        code = app.exec()
    finally:
        window.shutdown()
        wait_for_tasks()  # export, import, backup: let them finish their files
        session.settle_location()  # the last chance this run has to move the vault folder
        privacy.clear_file_dialog_history()
    if smoke and code == 0:
        print("smoke: first screen painted", file=sys.stderr)
    return int(code)


def _run_bundle_viewer(path: Path) -> int:
    """An officer's or support worker's view of a received bundle: no vault involved."""
    from ..tools.bundleviewer import run_bundle_viewer

    return int(run_bundle_viewer(path))


def _wear_in_menu(face: Face) -> None:
    from .desktopentry import wear_in_menu  # not needed to paint the first screen

    wear_in_menu(face)
