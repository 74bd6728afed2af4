"""The import wizard: chats, texts, call logs, emails and photos the person already has.

Steps: what kind of export → which file (read at once, on a worker thread, so a
broken or hostile file is refused right there with the core's one-line reason) →
who is harassing you (the senders found in the file, with counts) → what will be
created (a dry run with that sender) → import (a worker thread again) → done.

Everything read from the file is untrusted: names and message text are shown only
through :func:`~victim_log.textsafe.display_safe`. The core import is all-or-nothing
and idempotent, so a failure changes nothing and "already imported" is a normal,
kindly reported outcome, not an error.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QWidget,
    QWizard,
)

from ....errors import VictimLogError
from ....importers.service import ImportReport, ImportRequest
from ...shell.session import Session
from ...widgets import dialogs
from ...widgets.common import dispose, plural
from .confirm_page import ConfirmPage
from .done_page import DonePage
from .file_page import FilePage
from .format_page import FormatPage
from .formats import FORMAT_BY_KEY
from .sender_page import SenderPage


class ImportWizard(QWizard):
    FORMAT, FILE, SENDER, CONFIRM, DONE = range(5)

    scanned = Signal()  # the file was read (or refused)
    imported = Signal(object)  # ImportReport
    failed = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.require()
        self.setObjectName("importWizard")
        self.setWindowTitle(self.tr("Import messages, calls and photos"))
        self.setAccessibleName(self.windowTitle())
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.format = "whatsapp"
        self.source: Path | None = None
        self.date_order: str | None = None
        self.scan: ImportReport | None = None
        self.plan: ImportReport | None = None
        self.final: ImportReport | None = None
        self.sender_name: str | None = None
        self.group_minutes = 0
        self._working = False
        self.format_page = FormatPage(self)
        self.file_page = FilePage(self)
        self.sender_page = SenderPage(self)
        self.confirm_page = ConfirmPage(self)
        self.done_page = DonePage(self)
        for page_id, page in ((self.FORMAT, self.format_page), (self.FILE, self.file_page),
                              (self.SENDER, self.sender_page), (self.CONFIRM, self.confirm_page),
                              (self.DONE, self.done_page)):
            self.setPage(page_id, page)
        self.setStartId(self.FORMAT)
        # Room for the help lines on the first page without squeezing them.
        self.setMinimumSize(self.fontMetrics().averageCharWidth() * 100,
                            self.fontMetrics().height() * 36)

    # state -----------------------------------------------------------------

    def set_format(self, fmt: str) -> None:
        if fmt != self.format:
            self.format = fmt
            self.set_source(None)

    def set_source(self, path: Path | None) -> None:
        self.file_page.forget_scan()  # a scan still running was of another file
        self.source = path
        self.date_order = None
        self.scan = None
        self.plan = None

    def request(self, *, dry_run: bool, photo_incidents: bool = False) -> ImportRequest:
        assert self.source is not None
        sender = None if self.format == "photos" else self.sender_name
        return ImportRequest(self.format, self.source, sender=sender,
                             group_minutes=self.group_minutes, date_order=self.date_order,
                             dry_run=dry_run, photo_incidents=photo_incidents)

    def describe_scan(self, report: ImportReport) -> str:
        if report.already_imported:
            return self.tr("You have already imported this file, so everything in it is in your "
                           "diary. There is nothing more to do with it.")
        noun = FORMAT_BY_KEY[self.format].noun
        if self.format == "photos":
            if not report.messages_seen:
                return self.tr("There are no photos in this folder.")
            return self.tr("Found {photos}.").format(photos=plural(report.messages_seen, noun))
        if not report.messages_seen:
            return self.tr("We found no {noun}s in this file. Nothing was changed.").format(noun=noun)
        text = self.tr("Read {items} from {senders}.").format(
            items=plural(report.messages_seen, noun),
            senders=plural(len(report.senders), "sender"))
        if report.skipped_lines:
            text += " " + self.tr("{n} could not be read and will be skipped.").format(
                n=plural(report.skipped_lines, "line"))
        return text

    def describe_plan(self, report: ImportReport) -> str:
        if not report.incidents_created:
            return self.tr("There is nothing new from this person to import.")
        return self.tr("{incidents} will be created, {exhibits} stored.").format(
            incidents=plural(report.incidents_created, "incident"),
            exhibits=plural(report.exhibits_stored, "exhibit"))

    def set_working(self, working: bool) -> None:
        self._working = working
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not working)

    @property
    def working(self) -> bool:
        return self._working

    def reject(self) -> None:
        if self._working:
            return  # the import is all-or-nothing; let it finish, then say how it went
        super().reject()


def open_import_wizard(session: Session, parent: QWidget | None = None) -> None:
    """Show the import wizard (modal)."""
    try:
        wizard = ImportWizard(session, parent)
    except VictimLogError as exc:
        dialogs.show_error(parent, exc)
        return
    try:
        dialogs.exec_dialog(wizard)
    finally:
        dispose(wizard)


