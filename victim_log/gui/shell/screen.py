"""What the full-window screens shown before the diary is open (first run, unlock)
have in common: their pages, centred in the window, and a wipe on every lock.

Both stand where the diary will be, so a lock (or a quick exit) must leave nothing
typed on them: each registers its own :meth:`PagedScreen.wipe` with the session.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ..widgets.common import centred_pages
from .session import Session


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
