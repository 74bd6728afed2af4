"""Starting the desktop app: process hardening, the QApplication, the main window.

``run_gui`` is what ``victim-log gui`` calls. Before any secret can exist in memory
it switches off core dumps and makes every new file private; it then sets up Qt
with the face the person chose (our name or a neutral one) so that nothing Qt
shows outside the window says what the app is. We keep nothing in QSettings; Qt's
own file-dialog history is removed just after the first paint and at exit.

Start-up time (issue 5: a painted unlock screen within 1.6 times a bare Qt window):
what the first screen does not need waits until it has been painted
(:class:`AfterFirstPaint`): clearing Qt's file-dialog history, the application menu's
desktop entry, and the quick exit's key watch on the whole application (a Python
event filter on the application runs for every event of every object, well over a
thousand before the first paint). Nothing can be typed into a window that has not
been shown, so the watch is in place before the first key can reach it. A
``--smoke`` run ends at that first paint, as the bench's bare Qt window does.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
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
from ..widgets.collector import collect_on_gui_thread
from ..widgets.common import wait_for_tasks
from ..widgets.contrast import readable_palette
from .mainwindow import MainWindow
from .neutral import Face
from .neutral import apply_face
from .neutral import face_for
from .neutral import neutral_faces
from .session import Session

SMOKE_TIMEOUT_MS = 20_000
STYLE = "Fusion"
_PAINT = QEvent.Type.Paint  # looked up once: an event filter runs for every event


def make_application(face: Face) -> QApplication:
    """The QApplication (reused if one exists, as in tests), dressed in ``face``.

    Only the program name and our own style are passed to Qt, never the user's
    arguments: Qt would otherwise act on options such as ``-style`` or
    ``-platformpluginpath``. The style goes in as an argument rather than through
    ``setStyle``, which hands Python the style object and so makes Qt for Python build
    every enum type of QStyle (a few hundred values) before the first paint.
    """
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([face.app_name, "-style", STYLE])
    else:
        app.setStyle(STYLE)
    apply_face(app, face)
    # The palette stays the system's (light, dark or high contrast), so whatever the
    # desktop chose for readability applies; only the pairs that fall short of WCAG's
    # 4.5:1 (placeholders, disabled text, selected text) are darkened or lightened.
    app.setPalette(readable_palette(app.palette()))
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: readable_colours(app))
    app.setQuitOnLastWindowClosed(True)
    collect_on_gui_thread(app)  # a closed window is freed on this thread, never a worker's
    return app


def readable_colours(app: QApplication) -> None:
    """The desktop's palette, with what falls short of WCAG AA made readable. Run again
    when the desktop switches between light and dark: the system's palette is read
    afresh (an empty palette means "the system's") and checked again."""
    app.setPalette(QPalette())
    app.setPalette(readable_palette(app.palette()))


class AfterFirstPaint(QObject):
    """Runs ``steps`` in order once ``window`` has been painted for the first time.

    It watches the window alone (an event filter on the application would run for
    every event of every object). The steps run from the event loop just after the
    paint, in one go.
    """

    def __init__(self, window: QWidget, steps: list[Callable[[], object]]) -> None:
        super().__init__(window)
        self.window = window
        self.steps = steps
        self.painted = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if not self.painted and event.type() == _PAINT:
            self.painted = True
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self._run)
        return False

    def _run(self) -> None:
        for step in self.steps:
            step()


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
    if open_bundle and not smoke:
        _clear_file_dialog_history()
        return _run_bundle_viewer(Path(open_bundle))
    session = Session(settle_location(Path(vault_dir)))  # no vault is open yet: it may move
    window = MainWindow(session, prefs, quit_app=lambda: app.exit(0), ask_look=first_start)
    # The quick exit's key watch runs for every event; nothing can be typed before
    # the first paint, so it is put on the application right after it.
    app.removeEventFilter(window.quick_exit)
    steps: list[Callable[[], object]]
    if smoke:  # the run ends at the first paint: nothing meant for after it starts
        steps = [lambda: app.exit(0)]
        QTimer.singleShot(SMOKE_TIMEOUT_MS, lambda: app.exit(1))
    else:
        steps = [lambda: app.installEventFilter(window.quick_exit), _clear_file_dialog_history]
        if not first_start:
            steps.append(lambda: _wear_in_menu(face))
    AfterFirstPaint(window, steps)
    app.aboutToQuit.connect(window.shutdown)
    # What start-up made (modules, Qt's classes and enum types, the window) lives as
    # long as the app: the cyclic garbage collector need not walk those tens of
    # thousands of objects again, at each full collection while the app runs (a pause
    # while typing) or at exit (a quick exit ends sooner).
    gc.freeze()
    window.show()
    try:
        code = app.exec()
    finally:
        window.shutdown()
        wait_for_tasks()  # export, import, backup: let them finish their files
        session.settle_location()  # the last chance this run has to move the vault folder
        if not smoke:  # a --smoke run ends at its first paint: it opened no file dialog
            _clear_file_dialog_history()
    if smoke and code == 0:
        print("smoke: first screen painted", file=sys.stderr)
    return int(code)


def _clear_file_dialog_history() -> None:
    from ..widgets import privacy  # not needed to paint the first screen

    privacy.clear_file_dialog_history()


def _run_bundle_viewer(path: Path) -> int:
    """An officer's or support worker's view of a received bundle: no vault involved."""
    from ..tools.bundleviewer import run_bundle_viewer

    return int(run_bundle_viewer(path))


def _wear_in_menu(face: Face) -> None:
    from .desktopentry import wear_in_menu  # not needed to paint the first screen

    wear_in_menu(face)
