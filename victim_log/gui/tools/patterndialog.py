"""The pattern of the log (#20) in its own window: incidents per week, when they
happen, changes in the pattern, and the FOUR questions (the view is H-stats'
:class:`~victim_log.gui.diary.pattern.PatternView`; this is its frame).

The view is about 1,100 px tall, so it scrolls while Close stays in view (#18.6);
it counts on a worker thread, and the window is closed and deleted at a lock like
every other dialog.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QWidget

from ...vault import Vault
from ..shell.fitting import fit_to_screen
from ..shell.fitting import scrolling_form
from ..shell.session import Session
from ..widgets import dialogs


class PatternDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ..diary.pattern import PatternView

        vault = session.require()
        self.setObjectName("patternDialog")
        self.setWindowTitle(self.tr("The pattern"))
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)
        self.view = PatternView(vault, self)
        self.view.refresh()  # counting starts now, on a worker thread, while the window is laid out
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        # The stalking screening questions (S-DASH), suggested from these figures (#20).
        self.sdash_button = self.buttons.addButton(
            self.tr("Risk questions (S-DASH)…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.sdash_button.setObjectName("sdashButton")
        self.sdash_button.setAccessibleName(
            self.tr("Risk questions (S-DASH): the stalking screening questions")
        )
        self.sdash_button.clicked.connect(lambda: self.open_sdash(vault))
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("closePattern")
        close.setAccessibleName(self.tr("Close the pattern"))
        scrolling_form(self, self.view, self.buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 60)
        fit_to_screen(self)

    def open_sdash(self, vault: Vault) -> None:
        """The S-DASH questions, with suggestions from the figures once counted."""
        from ..diary.sdash_dialog import SdashDialog

        dialogs.open_modal(lambda: SdashDialog(vault, self.view.stats, self), self)


def open_pattern_dialog(session: Session, parent: QWidget | None = None) -> None:
    """Show the pattern (modal; deleted afterwards: it held counts of the diary)."""
    dialogs.open_modal(lambda: PatternDialog(session, parent), parent)
