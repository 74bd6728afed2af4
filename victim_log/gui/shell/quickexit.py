"""Quick exit: everything of ours gone from the screen in well under 200 ms.

Three ways in, so one always works: the always-visible toolbar button, Esc pressed
twice within 600 ms, and a shortcut the person chooses (default Ctrl+Shift+Q). The
keys are watched by an application-wide event filter, not a QShortcut, because a
shortcut on the main window is blocked while a modal dialog is open, and that is
exactly when someone may walk in.

Order matters: first hide every window (that is what the other person sees), then
lock (close dialogs, seal the draft, wipe models, drop keys), then clear the
clipboard if it still holds our text, then quit or show the cover.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtCore import QKeyCombination
from PySide6.QtCore import QObject
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QKeyEvent
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QWidget

from .lock import LockController
from .neutral import CoverWindow
from .neutral import Face
from .neutral import apply_face
from .session import Session

DOUBLE_ESC_MS = 600
DEFAULT_SHORTCUT = "Ctrl+Shift+Q"
SHORTCUT_SETTING = "quick_exit_shortcut"
ACTION_SETTING = "quick_exit_action"
ACTIONS = ("quit", "cover")

_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.ShiftModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)
_KEY_EVENTS = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
_MODIFIER_KEYS = frozenset(
    {
        Qt.Key.Key_Control,
        Qt.Key.Key_Shift,
        Qt.Key.Key_Alt,
        Qt.Key.Key_Meta,
        Qt.Key.Key_AltGr,
        Qt.Key.Key_CapsLock,
    }
)


def parse_shortcut(text: str) -> QKeySequence:
    """A stored shortcut as one key chord with a modifier; the default if unusable.

    A bare key (say "Q") would fire while the person types, so it is refused.
    """
    seq = QKeySequence.fromString(text or "", QKeySequence.SequenceFormat.PortableText)
    if seq.count() != 1 or not shortcut_is_usable(seq):
        return QKeySequence(DEFAULT_SHORTCUT)
    return seq


def shortcut_is_usable(seq: QKeySequence) -> bool:
    if seq.count() != 1:
        return False
    combo: QKeyCombination = seq[0]  # type: ignore[index]  # the stubs lack __getitem__
    mods = combo.keyboardModifiers() & _MODIFIERS
    key = combo.key()
    if key in _MODIFIER_KEYS or key == Qt.Key.Key_unknown:
        return False
    is_function_key = Qt.Key.Key_F1 <= key <= Qt.Key.Key_F35
    return (
        bool(
            mods
            & (
                Qt.KeyboardModifier.ControlModifier
                | Qt.KeyboardModifier.AltModifier
                | Qt.KeyboardModifier.MetaModifier
            )
        )
        or is_function_key
    )


def parse_action(text: str) -> str:
    return text if text in ACTIONS else "quit"


class QuickExit(QObject):
    """Watches for the quick-exit keys and runs the exit."""

    done = Signal(str)  # "quit" or "cover"
    returned = Signal()  # the person's code was typed into the calculator cover, then "="

    def __init__(
        self,
        session: Session,
        locker: LockController,
        *,
        quit_app: Callable[[], None],
        cover_face: Callable[[], Face],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.locker = locker
        self._quit_app = quit_app
        self._cover_face = cover_face
        self.action = "quit"  # until an unlocked vault tells us the person's choice
        self.shortcut = QKeySequence(DEFAULT_SHORTCUT)
        self.cover: CoverWindow | None = None
        # The calculator cover's code, as a keyed hash with a key made for this run:
        # the code itself is kept only inside the vault (Settings), never here or on disk.
        self._code_key = os.urandom(32)
        self._code_digest = b""
        self.last_duration_ms = 0.0
        self._last_esc = -1.0
        self._press_open = False  # one physical press reaches the filter once per widget
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def configure(self, action: str, shortcut: str, cover_code: str = "") -> None:
        self.action = parse_action(action)
        self.shortcut = parse_shortcut(shortcut)
        self._code_digest = self._digest(cover_code) if cover_code else b""
        if self.action == "cover":
            self._build_cover()  # now, so showing it later costs nothing

    def _digest(self, code: str) -> bytes:
        import hashlib  # not needed to paint the first screen

        return hashlib.blake2b(code.encode("utf-8"), key=self._code_key).digest()

    def code_matches(self, typed: str) -> bool:
        """Whether ``typed`` (digits typed into the calculator) is the person's code."""
        import hmac

        return bool(self._code_digest) and hmac.compare_digest(self._digest(typed), self._code_digest)

    def _build_cover(self) -> CoverWindow:
        if self.cover is None:
            self.cover = CoverWindow(
                self._cover_face(), self._quit_app, code_matches=self.code_matches, on_code=self.come_back
            )
            self.locker.keep_windows.append(self.cover)
        return self.cover

    def come_back(self) -> None:
        """The code was typed: hide the cover; the main window shows its unlock again."""
        if self.cover is not None:
            self.cover.hide()
        self.returned.emit()

    # ------------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        etype = event.type()
        if etype == QEvent.Type.KeyRelease:
            self._press_open = False
            return False
        if etype not in _KEY_EVENTS or self._press_open:
            return False
        assert isinstance(event, QKeyEvent)
        if event.isAutoRepeat() or event.key() in _MODIFIER_KEYS:
            return False
        # The same press is delivered to each parent in turn, and as ShortcutOverride
        # before KeyPress: count it once, until it is released or the loop turns.
        self._press_open = True
        QTimer.singleShot(0, self._end_press)
        if self._matches_shortcut(event):
            self.trigger()
            return True
        if event.key() == Qt.Key.Key_Escape and not (event.modifiers() & _MODIFIERS):
            now = time.monotonic()
            if self._last_esc >= 0 and (now - self._last_esc) * 1000 <= DOUBLE_ESC_MS:
                self._last_esc = -1.0
                self.trigger()
                return True
            self._last_esc = now
        else:
            self._last_esc = -1.0
        return False

    def _end_press(self) -> None:
        self._press_open = False

    def _matches_shortcut(self, event: QKeyEvent) -> bool:
        if self.shortcut.isEmpty():
            return False
        mods = event.modifiers() & _MODIFIERS
        pressed = QKeyCombination(mods, Qt.Key(event.key()))
        wanted: QKeyCombination = self.shortcut[0]  # type: ignore[index]
        return bool(
            pressed.key() == wanted.key()
            and pressed.keyboardModifiers() == (wanted.keyboardModifiers() & _MODIFIERS)
        )

    # ------------------------------------------------------------------ the exit

    def trigger(self) -> None:
        """Hide everything, lock, clear our clipboard text, then quit or show the cover."""
        start = time.perf_counter()
        shown: list[QWidget] = [
            w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not self.cover
        ]
        for window in shown:
            window.hide()
        self.locker.lock("quick exit", were_open=tuple(shown), quitting=self.action != "cover")
        self.session.clear_clipboard_if_ours()
        self.locker.clipboard.clear_if_ours()  # also a plain Ctrl+C from our fields
        if self.action == "cover":
            self.show_cover()
        self.last_duration_ms = (time.perf_counter() - start) * 1000
        self.done.emit(self.action)
        if self.action != "cover":
            self._quit_app()

    def reset_cover(self) -> None:
        """The face changed: the next cover must wear the new one."""
        if self.cover is not None:
            self.locker.keep_windows.remove(self.cover)
            self.cover.hide()
            self.cover.deleteLater()
            self.cover = None
        if self.action == "cover":
            self._build_cover()

    def show_cover(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_face(app, self._cover_face())
        cover = self._build_cover()
        cover.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            cover.raise_()
            cover.activateWindow()
