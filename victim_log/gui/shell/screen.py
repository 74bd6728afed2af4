"""What the full-window screens shown before the diary is open (first run, unlock)
have in common: their pages, centred in the window, a wipe on every lock, and the
few pieces their pages are made of (a title, plain words, a link-like button, a
message that hides when empty).

Both stand where the diary will be, so a lock (or a quick exit) must leave nothing
typed on them: each registers its own :meth:`PagedScreen.wipe` with the session.

The pieces live here rather than with the first run: the unlock screen is the first
thing most starts paint, and it should not wait for the first run's module (issue 5).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ..widgets.common import centred_pages
from .session import Session

_PLAIN = Qt.TextFormat.PlainText


def title_label(text: str, parent: QWidget, scale: float = 1.5) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def plain_label(text: str, parent: QWidget, name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(_PLAIN)
    label.setAccessibleName(name or text)
    return label


def intro_page(parent: QWidget, title: str, intro: str) -> tuple[QWidget, QVBoxLayout]:
    """A page of the first-run or unlock screen: its title, then what this step is
    for in plain words (someone frightened or in a hurry should never have to guess);
    returns the page and its layout for the rest."""
    page = QWidget(parent)
    layout = QVBoxLayout(page)
    layout.addWidget(title_label(title, page))
    layout.addWidget(plain_label(intro, page))
    return page, layout


def link_button(text: str, parent: QWidget, name: str) -> QPushButton:
    """A button that looks like a link (underlined, the palette's link colour)."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setAccessibleName(text)
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    font = QFont(button.font())
    font.setUnderline(True)
    button.setFont(font)
    palette = button.palette()
    palette.setColor(QPalette.ColorRole.ButtonText, palette.color(QPalette.ColorRole.Link))
    button.setPalette(palette)
    return button


def set_message(label: QLabel, text: str) -> None:
    """Show ``text`` in ``label``, hiding it when empty so it leaves no gap."""
    label.setText(text)
    label.setAccessibleDescription(text)
    label.setVisible(bool(text))


class PagedScreen(QWidget):
    """A screen of pages (``self.pages``, as wide as ``share`` parts against one part of
    margin each side) that forgets what was typed on it whenever the session locks."""

    def __init__(self, session: Session, name: str, share: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName(name)
        self.pages = centred_pages(self, share)
        session.register_wipe(self.wipe)

    def add_pages(self, *pages: QWidget) -> None:
        """The screen's pages, in the order their indexes name them."""
        for page in pages:
            self.pages.addWidget(page)

    def wipe(self) -> None:
        """Forget anything typed here (runs on every lock)."""
        raise NotImplementedError

    def focus_first(self) -> None:
        """Put the keyboard focus where the person starts on the page shown."""
        raise NotImplementedError
