"""The import wizard: chats, texts, call logs, emails and photos the person already has.

Steps: what kind of export → which file (read at once, on a worker thread, so a
broken or hostile file is refused right there with the core's one-line reason) →
who is harassing you (the senders found in the file, with counts; not asked for
photos or a ProofMode/Tella export, whose files are the person's own) → what will be
created (a dry run with that sender; for a capture app, each file's checks) → import
(a worker thread again) → done.

Everything read from the file is untrusted: names and message text are shown only
through :func:`~victim_log.textsafe.display_safe`. The core import is all-or-nothing
and idempotent, so a failure changes nothing and "already imported" is a normal,
kindly reported outcome, not an error.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ...shell.fitting import FRAME_ALLOWANCE
from ...shell.fitting import available_area
from ...shell.fitting import fit_to_screen
from ...shell.session import Session
from ...widgets import dialogs
from .base import WizardBase
from .confirm_page import ConfirmPage
from .done_page import DonePage
from .file_page import FilePage
from .format_page import FormatPage
from .sender_page import SenderPage


class ImportWizard(WizardBase):
    """The five steps on one :class:`~.base.WizardBase`."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.format_page = FormatPage(self)
        self.file_page = FilePage(self)
        self.sender_page = SenderPage(self)
        self.confirm_page = ConfirmPage(self)
        self.done_page = DonePage(self)
        for page_id, page in (
            (self.FORMAT, self.format_page),
            (self.FILE, self.file_page),
            (self.SENDER, self.sender_page),
            (self.CONFIRM, self.confirm_page),
            (self.DONE, self.done_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(self.FORMAT)
        # Room for the help lines on the first page without squeezing them, where the
        # screen has it; never more than the screen (#18.6: 1280×720 at 150 %).
        area = available_area(self)
        self.setMinimumSize(
            min(self.fontMetrics().averageCharWidth() * 100, area.width() - FRAME_ALLOWANCE // 2),
            min(self.fontMetrics().height() * 36, area.height() - FRAME_ALLOWANCE),
        )
        fit_to_screen(self)

    def forget_scan(self) -> None:
        self.file_page.forget_scan()


def open_import_wizard(session: Session, parent: QWidget | None = None) -> None:
    """Show the import wizard (modal)."""
    dialogs.open_modal(lambda: ImportWizard(session, parent), parent)
