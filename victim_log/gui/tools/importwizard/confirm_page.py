"""Step 4: what will be created (a dry run with that sender); Import runs it."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QWizard

from ....errors import VictimLogError
from ....importers.service import ImportReport
from ....importers.service import run_import
from ....textsafe import display_safe
from ...widgets import dialogs
from ...widgets.common import plural
from ...widgets.common import scaled
from ...widgets.common import wrapped
from .base import WizardBase
from .base import WorkingStep
from .formats import DUPLICATES_SHOWN
from .formats import FORMAT_BY_KEY
from .formats import PREVIEW_LINES


class ConfirmPage(WorkingStep):
    """What will be created (a dry run with the sender), then the import itself."""

    def __init__(self, wizard: WizardBase) -> None:
        super().__init__(
            wizard,
            "confirmPage",
            self.tr("Ready to import"),
            self.tr("Nothing has been changed yet. Check this looks right, then press Import."),
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))
        self.column.addWidget(self.busy)
        self.summary = wrapped("", self, name="plan")
        self.summary.setFont(scaled(self.summary.font(), 1.15, bold=True))
        self.column.addWidget(self.summary)
        self.detail = wrapped("", self, name="planDetail")
        self.column.addWidget(self.detail)
        self.preview = QListWidget(self)
        self.preview.setObjectName("previewList")
        self.preview.setAccessibleName(self.tr("The first entries"))
        self.preview.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.preview.setWordWrap(True)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.column.addWidget(self.preview, 1)
        # Likely duplicates of entries the person typed (#16.5): asked, never dropped silently.
        self.duplicates = QListWidget(self)
        self.duplicates.setObjectName("duplicatesList")
        self.duplicates.setAccessibleName(self.tr("Messages that may be the same as entries you typed"))
        self.duplicates.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.duplicates.setWordWrap(True)
        self.duplicates.hide()
        self.column.addWidget(self.duplicates)
        self.skip_duplicates = QCheckBox(self)
        self.skip_duplicates.setObjectName("skipDuplicates")
        self.skip_duplicates.toggled.connect(self._skip_choice)
        self.skip_duplicates.hide()
        self.column.addWidget(self.skip_duplicates)
        self.photo_incidents = QCheckBox(
            self.tr("Also make an entry for each photo, to complete later"), self
        )
        self.photo_incidents.setObjectName("photoIncidents")
        self.photo_incidents.toggled.connect(self._photo_choice)
        self.column.addWidget(self.photo_incidents)
        self.column.addWidget(
            wrapped(
                self.tr(
                    "The original file is kept unchanged as evidence, so an officer can find every "
                    "message in it. If anything goes wrong, nothing is changed."
                ),
                self,
            )
        )
        self._imported = False

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        self._imported = False
        self.preview.clear()
        self.preview.setAccessibleName(
            self.tr("The first entries") if self.w.asks_sender else self.tr("The checks, file by file")
        )
        self.duplicates.clear()
        self.duplicates.hide()
        self.skip_duplicates.hide()
        self.skip_duplicates.setChecked(False)
        photos = self.w.format == "photos"
        self.photo_incidents.setVisible(photos)
        if photos:
            self._photo_choice()
            return
        vault = self.w.session.require()
        req = self.w.request(dry_run=True)
        self.summary.setText(self.tr("Working out what will be imported…"))
        self.detail.clear()
        self.w.plan = None
        self.start_work(lambda: run_import(vault, req), self._planned)

    def _photo_choice(self) -> None:
        scan = self.w.scan
        n = scan.messages_seen if scan else 0
        self.summary.setText(
            self.tr("{photos} will be stored as evidence.").format(photos=plural(n, "photo"))
        )
        self.detail.setText(
            self.tr("{n} will be created, one per photo, marked “complete later”.").format(
                n=plural(n, "entry", "entries")
            )
            if self.photo_incidents.isChecked()
            else self.tr("No entries will be created; you can attach the photos to entries later.")
        )
        self.completeChanged.emit()

    @Slot(object, object)
    def _planned(self, report: object, error: object) -> None:
        if not self.work_ended():
            return
        if error is not None:
            self.summary.setText(self.tr("This file can't be imported."))
            self.detail.setText(error.message if isinstance(error, VictimLogError) else "")
            dialogs.show_error(self, error)  # type: ignore[arg-type]
            self.completeChanged.emit()
            return
        assert isinstance(report, ImportReport)
        self.w.plan = report
        self.summary.setText(self.w.describe_plan(report))
        lines = self._source_lines(report)
        if report.duplicates_skipped:
            n = report.duplicates_skipped
            lines.append(
                self.tr("1 was imported before and will not be added again.")
                if n == 1
                else self.tr("{n} were imported before and will not be added again.").format(n=n)
            )
        if report.skipped_lines:
            lines.append(
                self.tr("{n} in the file could not be read and will be skipped.").format(
                    n=plural(report.skipped_lines, "line")
                )
            )
        lines += self._records_lines(report)
        if report.preview and self.w.asks_sender:
            lines.append(self.tr("The first entries:"))
        self.detail.setText("\n".join(lines))
        # A capture app's preview is its checks, one line a file: all of them are shown.
        shown = report.preview[:PREVIEW_LINES] if self.w.asks_sender else report.preview
        for text in shown:
            self.preview.addItem(display_safe(text, single_line=True))
        self.preview.setVisible(bool(report.preview))
        self._show_duplicates(report)
        self.completeChanged.emit()

    def _source_lines(self, report: ImportReport) -> list[str]:
        """Whose messages these are or, for a capture app's files, what was checked."""
        noun = FORMAT_BY_KEY[self.w.format].noun
        if not self.w.asks_sender:
            return [
                self.tr(
                    "Each file's SHA-256 was checked against the one the app recorded when it was "
                    "taken, and any signature with the key in the export. Each file becomes an entry "
                    "to complete (what it shows), kept with the app's proof files and the export itself:"
                )
            ]
        who = display_safe(self.w.chosen.sender or "", single_line=True)
        return [
            self.tr("{matched} of the {seen} in this file are from {who}.").format(
                matched=report.matched, seen=plural(report.messages_seen, noun), who=who
            )
        ]

    def _records_lines(self, report: ImportReport) -> list[str]:
        """Grouping, context and duplicates, said before anything is written."""
        lines = []
        if report.group_minutes and report.incidents_created:
            lines.append(
                self.tr("Messages sent within {n} minutes of each other make one entry.").format(
                    n=report.group_minutes
                )
            )
        if report.context_created:
            lines.append(
                self.tr(
                    "{replies} asking them to stop will be kept as context: shown in your "
                    "timeline and the export, not counted as incidents."
                ).format(replies=plural(report.context_created, "reply of yours", "replies of yours"))
            )
        if report.context_note:
            lines.append(
                self.tr(
                    "We couldn't tell which messages are yours, so none of your replies will be "
                    "kept. Go back and choose which name in the file is you."
                )
            )
        return lines

    def _show_duplicates(self, report: ImportReport) -> None:
        dups = report.possible_duplicates
        self.duplicates.setVisible(bool(dups))
        self.skip_duplicates.setVisible(bool(dups))
        if not dups:
            return
        self.skip_duplicates.setText(
            self.tr(
                "Leave out the {n} that may be the same as entries you typed (they stay in the "
                "original file kept as evidence)"
            ).format(n=plural(len(dups), "message"))
        )
        self.duplicates.addItem(
            self.tr("These may be the same as entries you typed. Both are kept unless you tick below:")
        )
        for dup in dups[:DUPLICATES_SHOWN]:
            self.duplicates.addItem(display_safe(dup.describe(), single_line=True))
        if len(dups) > DUPLICATES_SHOWN:
            self.duplicates.addItem(self.tr("… and {n} more").format(n=len(dups) - DUPLICATES_SHOWN))

    @Slot(bool)
    def _skip_choice(self, checked: bool) -> None:
        self.w.chosen = replace(self.w.chosen, skip_duplicates=checked)

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        if self.working:
            return False
        if self.w.format == "photos":
            return bool(self.w.scan and self.w.scan.messages_seen)
        # New entries, or files for the entries an earlier import made (#19.2).
        return self.w.plan is not None and (self.w.plan.incidents_created > 0 or self.w.plan.media_added > 0)

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        """The import runs on a worker; the wizard moves on when it has finished."""
        if self._imported:
            return True
        if self.working:
            return False
        vault = self.w.session.require()
        req = self.w.request(dry_run=False, photo_incidents=self.photo_incidents.isChecked())
        self.summary.setText(self.tr("Importing… please wait."))
        self.w.set_working(True)  # before start_work's completeChanged updates the buttons
        self.start_work(lambda: run_import(vault, req), self._imported_done)
        return False

    @Slot(object, object)
    def _imported_done(self, report: object, error: object) -> None:
        if not self.work_ended():
            return
        self.w.set_working(False)
        if error is not None:
            self.summary.setText(self.tr("Nothing was imported."))
            dialogs.show_error(self, error)  # type: ignore[arg-type]
            self.w.failed.emit(error)
            self.completeChanged.emit()
            return
        assert isinstance(report, ImportReport)
        self.w.final = report
        if report.incidents_created or report.exhibits_stored or report.media_added:
            self.w.session.notify_changed()
        self._imported = True
        self.w.next()
        self.w.imported.emit(report)
