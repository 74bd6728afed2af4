"""Knowing when the clipboard holds something this app put there (#17.6).

Lock and quick exit must clear the clipboard when its content came from us, and
not only text copied through ``Session.copy_to_clipboard``: a plain Ctrl+C or
Ctrl+X in the search box, the editor or the detail pane goes straight to the
clipboard through Qt and the session never hears of it. Leaving that text behind
means someone who walks in can paste a diary sentence.

Two ways to know, because neither works everywhere:

* Where the window system tells (X11, Wayland, Windows), ``ownsClipboard()`` says
  whether the current content is ours; nothing else is needed.
* Elsewhere (macOS, offscreen) we watch ``dataChanged``: a change while one of our
  windows is the active one is ours, because the person copies in the program they
  are using; a change while none is active came from another program. The clipboard
  is ours while it still holds the text we saw it get.

What the person copied from another program later is never cleared.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtCore import Slot
from PySide6.QtGui import QClipboard
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

# Platforms whose clipboard ownership answer is reliable.
_OWNERSHIP_PLATFORMS = frozenset({"xcb", "wayland", "windows"})


def _clipboard() -> QClipboard | None:
    app = QGuiApplication.instance()
    return app.clipboard() if isinstance(app, QGuiApplication) else None


class ClipboardWatch(QObject):
    """Remembers whether the clipboard's content came from this app; clears it if so."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ours: str | None = None  # the text we saw arrive while we were active
        clipboard = _clipboard()
        if clipboard is not None:
            clipboard.dataChanged.connect(self._changed)

    @staticmethod
    def ownership_is_known() -> bool:
        return QGuiApplication.platformName() in _OWNERSHIP_PLATFORMS

    @Slot()
    def _changed(self) -> None:
        clipboard = _clipboard()
        if clipboard is None:
            return
        text = clipboard.text()
        self._ours = text if text and QApplication.activeWindow() is not None else None

    def holds_ours(self) -> bool:
        clipboard = _clipboard()
        if clipboard is None:
            return False
        if self.ownership_is_known():
            return clipboard.ownsClipboard()
        return self._ours is not None and clipboard.text() == self._ours

    def clear_if_ours(self) -> None:
        """Empty the clipboard when its content is ours; leave other programs' alone."""
        clipboard = _clipboard()
        if clipboard is not None and self.holds_ours():
            clipboard.clear()
        self._ours = None
