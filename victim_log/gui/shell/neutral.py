"""The app's faces: its own, a neutral one ("Notes", "Calculator"), and the cover screen.

Why: someone who shares the computer may see the taskbar, the window title or the
application menu. With the neutral face on, every place Qt shows a name or icon
(window titles, the application name the window manager reads, the desktop file
the taskbar matches) says "Notes" or "Calculator". The cover window, shown after a
quick exit, is a plain working notepad or calculator holding nothing of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent
from PySide6.QtCore import QObject
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QMainWindow
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QWidget

from ...prefs import Prefs
from ...resources import resources_dir
from ..widgets.common import named
from ..widgets.i18n import translator

if TYPE_CHECKING:  # the cover's own classes load when a cover is made (start-up time)
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QPlainTextEdit

ICON_DIR = "icons"


@dataclass(frozen=True)
class Face:
    key: str
    name: str  # shown in titles and to assistive technology
    app_name: str  # QCoreApplication.applicationName (window manager class)
    desktop_id: str  # matches packaging/linux/<desktop_id>.desktop
    icon_file: str  # under resources/icons/

    def icon(self) -> QIcon:
        return QIcon(str(resources_dir() / ICON_DIR / self.icon_file))


_tr = translator("Face")


def own_face() -> Face:
    return Face(
        "victimlog",
        _tr("Victim Log"),
        "victim-log",
        "org.victimlog.VictimLog",
        "app/org.victimlog.VictimLog.svg",
    )


def neutral_faces() -> dict[str, Face]:
    return {
        "notes": Face("notes", _tr("Notes"), "notes", "org.victimlog.Notes", "neutral/notepad.svg"),
        "calculator": Face(
            "calculator",
            _tr("Calculator"),
            "calculator",
            "org.victimlog.Calculator",
            "neutral/calculator.svg",
        ),
    }


def face_for(prefs: Prefs) -> Face:
    """The face to wear given the saved choice."""
    if not prefs.neutral_face:
        return own_face()
    faces = neutral_faces()
    return faces.get(prefs.face, faces["notes"])


def cover_face(prefs: Prefs) -> Face:
    """The cover always looks neutral: the chosen neutral face, else a notepad."""
    faces = neutral_faces()
    return faces.get(prefs.face, faces["notes"]) if prefs.neutral_face else faces["notes"]


def apply_face(app: QApplication, face: Face) -> None:
    """Name and icon everything Qt shows outside our windows' contents.

    The desktop file name only reaches the taskbar for windows created after it is
    set (Wayland app id), so the shell sets it before making its first window.
    """
    app.setApplicationName(face.app_name)
    # Never used for settings (we keep none in QSettings), but if Qt ever wrote
    # one it would land under a neutral name.
    app.setOrganizationName(face.app_name)
    app.setOrganizationDomain("")
    app.setApplicationDisplayName(face.name)
    app.setDesktopFileName(face.desktop_id)
    app.setWindowIcon(face.icon())
    wear_titles(app, face)


class NeutralTitles(QObject):
    """While a neutral face is worn, every window's title is the face's name (#18.5).

    Dialogs are titled by the code that makes them ("Log an incident", an error box's
    "Victim Log"), and the window manager shows those titles in the taskbar and the
    window switcher. Rather than trust every dialog to ask, this filter on the
    application renames each top-level window as it is shown or retitled; the
    dialog's accessible name still says what it is, for a screen reader.
    """

    def __init__(self, face: Face, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.face = face

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (
            event.type() in (QEvent.Type.Show, QEvent.Type.WindowTitleChange)
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and watched.windowTitle() != self.face.name
            and QApplication.applicationDisplayName() == self.face.name  # still worn
        ):
            watched.setWindowTitle(self.face.name)
        return False


def wear_titles(app: QApplication, face: Face) -> None:
    """Install (neutral face) or remove (own face) the one :class:`NeutralTitles` filter."""
    old = app.findChild(NeutralTitles, "neutralTitles")
    if old is not None:
        app.removeEventFilter(old)
        old.deleteLater()
    if face.key != own_face().key:
        guard = NeutralTitles(face, app)
        guard.setObjectName("neutralTitles")
        app.installEventFilter(guard)
        for window in app.topLevelWidgets():
            if window.windowTitle() and window.windowTitle() != face.name:
                window.setWindowTitle(face.name)


# ---------------------------------------------------------------------- the cover


class CoverWindow(QMainWindow):
    """A harmless notepad or calculator; closing it ends the app.

    Nothing typed here is kept, and it has no menu or link back to the diary. The
    calculator is a way back in, as Tella's is: typing the person's own code (set in
    Settings, digits only) and then "=" calls ``on_code`` (the app shows its unlock
    screen again; the passphrase is still needed). Any other sum is just a sum. The
    notepad's way back is to close it and start the app again.
    """

    def __init__(
        self,
        face: Face,
        on_close: Callable[[], None],
        *,
        code_matches: Callable[[str], bool] | None = None,
        on_code: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(None)
        self._on_close = on_close
        self.setObjectName("coverWindow")
        self.setWindowTitle(face.name)
        self.setWindowIcon(face.icon())
        self.setAccessibleName(face.name)
        if face.key == "calculator":
            calculator = Calculator(self, code_matches=code_matches, on_code=on_code)
            self.setCentralWidget(calculator)
            self.setFocusProxy(calculator)
            self.resize(280, 360)
        else:
            from PySide6.QtWidgets import QPlainTextEdit

            editor = QPlainTextEdit(self)
            editor.setObjectName("coverNotes")
            editor.setAccessibleName(self.tr("Note"))
            self.setCentralWidget(editor)
            self._notepad_menus(editor)
            self.resize(560, 420)

    def _notepad_menus(self, editor: QPlainTextEdit) -> None:
        """What any notepad has; New and Close do what they say, nothing is saved."""
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        file_menu.addAction(self.tr("&New"), editor.clear)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("&Close"), self.close)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.tr("&Undo"), editor.undo)
        edit_menu.addAction(self.tr("&Redo"), editor.redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.tr("Cu&t"), editor.cut)
        edit_menu.addAction(self.tr("&Copy"), editor.copy)
        edit_menu.addAction(self.tr("&Paste"), editor.paste)
        edit_menu.addSeparator()
        edit_menu.addAction(self.tr("Select &All"), editor.selectAll)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        from PySide6.QtWidgets import QPlainTextEdit

        central = self.centralWidget()
        if isinstance(central, QPlainTextEdit):
            central.clear()
        super().closeEvent(event)
        self._on_close()


class Calculator(QWidget):
    """Enough of a calculator to be believable: + - × ÷, left to right, no eval().

    Works from the keyboard as any calculator does: digits, + - * / (or x), Enter or =,
    Backspace, Delete or C. ``code_matches`` is asked about the digits typed just
    before "=" (never stored here); when it says yes, ``on_code`` runs instead of the sum.
    """

    KEYS: dict[int, str] = {
        Qt.Key.Key_Plus: "+",
        Qt.Key.Key_Minus: "−",
        Qt.Key.Key_Asterisk: "×",
        Qt.Key.Key_X: "×",
        Qt.Key.Key_Slash: "÷",
        Qt.Key.Key_Equal: "=",
        Qt.Key.Key_Return: "=",
        Qt.Key.Key_Enter: "=",
        Qt.Key.Key_C: "C",
        Qt.Key.Key_Delete: "C",
        Qt.Key.Key_Escape: "C",
    }

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        code_matches: Callable[[str], bool] | None = None,
        on_code: Callable[[], None] | None = None,
    ) -> None:
        from PySide6.QtWidgets import QGridLayout
        from PySide6.QtWidgets import QSizePolicy

        super().__init__(parent)
        self._code_matches = code_matches
        self._on_code = on_code
        self._typed = ""  # the digits of the number being typed, as typed
        self.setObjectName("calculator")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.display = named(QLineEdit("0", self), "calculatorDisplay", self.tr("Result"))
        self.display.setReadOnly(True)
        self.display.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.display.setAlignment(Qt.AlignmentFlag.AlignRight)
        big = QFont(self.display.font())
        big.setPointSizeF(big.pointSizeF() * 1.8)
        self.display.setFont(big)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        grid = QGridLayout(self)
        grid.addWidget(self.display, 0, 0, 1, 4)
        rows = (("7", "8", "9", "÷"), ("4", "5", "6", "×"), ("1", "2", "3", "−"), ("C", "0", "=", "+"))
        for r, row in enumerate(rows, start=1):
            for c, label in enumerate(row):
                button = QPushButton(label, self)
                button.setAccessibleName(label)
                button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
                button.setFont(font)
                button.setObjectName(f"calculatorKey{c}{r}")
                button.setAutoDefault(False)
                button.clicked.connect(lambda _=False, k=label: self.press(k))
                grid.addWidget(button, r, c)
        self._acc: float | None = None
        self._op = ""
        self._fresh = True

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        text = event.text()
        # isdecimal, not isdigit: "²" (AltGr+2) is a digit float() cannot read.
        key = text if len(text) == 1 and text.isdecimal() else self.KEYS.get(event.key(), "")
        if event.key() == Qt.Key.Key_Backspace:
            self._backspace()
        elif key:
            self.press(key)
        else:
            super().keyPressEvent(event)

    def _backspace(self) -> None:
        if not self._fresh:
            self._typed = self._typed[:-1]
            self.display.setText(self.display.text()[:-1] or "0")

    def press(self, key: str) -> None:
        if key.isdecimal():
            text = "" if self._fresh or self.display.text() == "0" else self.display.text()
            self.display.setText((text + key)[:15])
            self._typed = (("" if self._fresh else self._typed) + key)[:15]
            self._fresh = False
        elif key == "C":
            self._acc, self._op, self._fresh, self._typed = None, "", True, ""
            self.display.setText("0")
        elif key == "=" and self._is_code():
            self._acc, self._op, self._fresh, self._typed = None, "", True, ""
            self.display.setText("0")
            if self._on_code is not None:
                self._on_code()
        else:
            self._apply()
            self._op = "" if key == "=" else key
            self._fresh = True
            self._typed = ""

    def _is_code(self) -> bool:
        typed = "" if self._fresh else self._typed
        return bool(typed) and self._code_matches is not None and self._code_matches(typed)

    def _apply(self) -> None:
        value = float(self.display.text() or 0)
        if self._acc is None or not self._op:
            self._acc = value
        elif self._op == "+":
            self._acc += value
        elif self._op == "−":
            self._acc -= value
        elif self._op == "×":
            self._acc *= value
        elif self._op == "÷":
            self._acc = self._acc / value if value else 0.0
        shown = f"{self._acc:.10g}"
        self.display.setText(shown)


def all_faces() -> list[Face]:
    return [own_face(), *neutral_faces().values()]


def icon_path(face: Face) -> Path:
    return resources_dir() / ICON_DIR / face.icon_file
