"""The import wizard's state and the steps' shared actions, apart from its pages.

The pages read and set this state (the chosen format, the file, the scan and the
plan) and call these actions; the wizard itself (:mod:`.wizard`) builds the pages.
Kept apart so that no page needs to import the module that imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget
from PySide6.QtWidgets import QWizard
from PySide6.QtWidgets import QWizardPage

from ....imported import DEFAULT_GROUP_MINUTES
from ....importers.service import ImportReport
from ....importers.service import ImportRequest
from ...shell.session import Session
from ...widgets.common import BackgroundTask
from ...widgets.common import busy_bar
from ...widgets.common import name_window
from ...widgets.common import plural
from ...widgets.common import start_task
from .formats import FORMAT_BY_KEY


@dataclass(frozen=True)
class PageChoices:
    """What the pages chose, each under its :class:`ImportRequest` field's own name.

    Why: the request is made from these by name (``asdict``), so a new import option
    is one field here and one control on its page, never a hand-written mapping that
    could pass the wrong choice on. The format and the file are chosen first and kept
    apart (choosing either again starts the file's choices afresh).
    """

    sender: str | None = None  # the person doing this, as the file names them
    group_minutes: int = DEFAULT_GROUP_MINUTES  # a burst is one entry unless unticked
    context: bool = True  # the victim's replies asking to stop, kept as context
    me: str | None = None  # the victim's own name in the file, when chosen
    date_order: str | None = None  # "dmy" or "mdy" when the file's dates are ambiguous
    skip_duplicates: bool = False  # leave out likely duplicates of typed entries


class WizardBase(QWizard):
    """What every page may use of the wizard it is on."""

    FORMAT, FILE, SENDER, CONFIRM, DONE = range(5)

    scanned = Signal()  # the file was read (or refused)
    imported = Signal(object)  # ImportReport
    failed = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.require()
        name_window(self, "importWizard", self.tr("Import messages, calls and photos"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.format = "whatsapp"
        self.source: Path | None = None
        self.scan: ImportReport | None = None
        self.plan: ImportReport | None = None
        self.final: ImportReport | None = None
        self.chosen = PageChoices()
        self._working = False

    def forget_scan(self) -> None:
        """A scan still running was of another file (the wizard tells its file page)."""

    # state -----------------------------------------------------------------

    def set_format(self, fmt: str) -> None:
        if fmt != self.format:
            self.format = fmt
            self.set_source(None)

    def set_source(self, path: Path | None) -> None:
        self.forget_scan()  # a scan still running was of another file
        self.source = path
        self.chosen = replace(self.chosen, date_order=None, skip_duplicates=False)  # of that file
        self.scan = None
        self.plan = None

    @property
    def asks_sender(self) -> bool:
        """Whether the chosen format has a sender page (not photos or a capture app's files)."""
        return FORMAT_BY_KEY[self.format].asks_sender

    def request(self, *, dry_run: bool, photo_incidents: bool = False) -> ImportRequest:
        assert self.source is not None
        chosen = self.chosen if self.asks_sender else replace(self.chosen, sender=None)
        return ImportRequest(
            self.format, self.source, dry_run=dry_run, photo_incidents=photo_incidents, **asdict(chosen)
        )

    def describe_scan(self, report: ImportReport) -> str:
        if report.already_imported:
            return self.tr(
                "You have already imported this file, so everything in it is in your "
                "diary. There is nothing more to do with it."
            )
        noun = FORMAT_BY_KEY[self.format].noun
        if not self.asks_sender:
            if not report.messages_seen:
                return self.tr("We found no {noun}s to import here. Nothing was changed.").format(noun=noun)
            text = self.tr("Found {items}.").format(items=plural(report.messages_seen, noun))
            if report.skipped_lines:
                text += " " + self.tr("{n} will be left out (the next page says why).").format(
                    n=plural(report.skipped_lines, "file")
                )
            return text
        if not report.messages_seen:
            return self.tr("We found no {noun}s in this file. Nothing was changed.").format(noun=noun)
        text = self.tr("Read {items} from {senders}.").format(
            items=plural(report.messages_seen, noun), senders=plural(len(report.senders), "sender")
        )
        if report.skipped_lines:
            text += " " + self.tr("{n} could not be read and will be skipped.").format(
                n=plural(report.skipped_lines, "line")
            )
        return text

    def describe_plan(self, report: ImportReport) -> str:
        if not report.incidents_created and report.media_added:
            return self.tr("{files} will be added to the entries an earlier import made.").format(
                files=plural(report.media_added, "file")
            )
        if not report.incidents_created:
            if not self.asks_sender:
                return self.tr("There is nothing new in this export to import.")
            return self.tr("There is nothing new from this person to import.")
        return self.tr("{incidents} will be created, {exhibits} stored.").format(
            incidents=plural(report.incidents_created, "incident"),
            exhibits=plural(report.exhibits_stored, "exhibit"),
        )

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


class WizardStep(QWizardPage):
    """What every page of the wizard starts from, so each page holds only its own part.

    A page keeps its wizard as ``w`` (typed, unlike ``QWizardPage.wizard()``, and
    valid before the page is added) and lays its content out top to bottom in
    ``column``.
    """

    def __init__(self, wizard: WizardBase, name: str, title: str = "", subtitle: str = "") -> None:
        super().__init__()
        self.w = wizard
        self.setObjectName(name)
        if title:
            self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.column = QVBoxLayout(self)


class WorkingStep(WizardStep):
    """A page that reads the file on a worker thread behind a busy bar.

    A scan or an import of a large file takes seconds, and the wizard must stay
    responsive (and closable by the lock) meanwhile. The page places ``busy`` in
    its column where it fits.
    """

    def __init__(self, wizard: WizardBase, name: str, title: str = "", subtitle: str = "") -> None:
        super().__init__(wizard, name, title, subtitle)
        self.busy = busy_bar(self)
        self.busy.hide()
        self._task: BackgroundTask | None = None

    @property
    def working(self) -> bool:
        """A worker started by this page has not reported yet."""
        return self._task is not None

    def start_work(self, work: Callable[[], Any], done: Callable[[object, object], None]) -> None:
        """Run ``work`` on a worker behind the busy bar; ``done(result, error)`` follows.

        The page stays incomplete meanwhile, so Next cannot outrun the worker.
        """
        self.busy.show()
        self._task = start_task(work, done)
        self.completeChanged.emit()

    def work_ended(self) -> bool:
        """In ``done``: whether this result is the one the page still waits for.

        A result is stale when the person chose another file (or the page forgot the
        worker) after it started: its thread still ends on its own, and its report,
        of a file no longer chosen, must not be shown.
        """
        if self.sender() is not self._task:
            return False
        self.forget_work()
        return True

    def forget_work(self) -> None:
        """Stop waiting for the worker (its thread finishes on its own, unheard)."""
        self._task = None
        self.busy.hide()
