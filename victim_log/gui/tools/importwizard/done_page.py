"""Step 5: what was imported, or why nothing was (kindly: already imported is normal).

After photos from a phone folder (#22), the page also lists every photo in the folder
with its size and SHA-256, each checked against the diary's copy read back on a
worker (:func:`victim_log.handoff.check_originals`), and says plainly that deleting
the originals from the phone is the person's choice and what it means.
"""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHeaderView
from PySide6.QtWidgets import QTreeWidget
from PySide6.QtWidgets import QTreeWidgetItem

from ....handoff import DELETE_NOTE
from ....handoff import OriginalCheck
from ....handoff import check_originals
from ....importers.photos import scan_photos
from ....textsafe import display_safe
from ...widgets import dialogs
from ...widgets.common import plural
from ...widgets.common import scaled
from ...widgets.common import wrapped
from .base import WizardBase
from .base import WorkingStep


class DonePage(WorkingStep):
    def __init__(self, wizard: WizardBase) -> None:
        super().__init__(
            wizard, "donePage", self.tr("Import finished"), self.tr("Your diary has been updated.")
        )
        self.result_label = wrapped("", self, name="result")
        self.result_label.setFont(scaled(self.result_label.font(), 1.15, bold=True))
        self.column.addWidget(self.result_label)
        self.next_steps = wrapped("", self, name="nextSteps")
        self.column.addWidget(self.next_steps)
        self.stored_heading = wrapped("", self, name="storedHeading")
        self.stored_heading.setFont(scaled(self.stored_heading.font(), 1.0, bold=True))
        self.column.addWidget(self.stored_heading)
        self.column.addWidget(self.busy)
        self.originals = QTreeWidget(self)
        self.originals.setObjectName("originals")
        self.originals.setAccessibleName(self.tr("The photos on the phone and whether each is safely stored"))
        self.originals.setRootIsDecorated(False)
        self.originals.setHeaderLabels(
            [self.tr("Status"), self.tr("File"), self.tr("Size"), self.tr("SHA-256")]
        )
        self.originals.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.column.addWidget(self.originals, 1)
        self.delete_note = wrapped(self.tr(DELETE_NOTE), self, name="deleteNote")
        self.column.addWidget(self.delete_note)
        self.checks: list[OriginalCheck] = []
        self._show_originals(False)
        self.column.addStretch(1)

    def _show_originals(self, shown: bool) -> None:
        for widget in (self.stored_heading, self.originals, self.delete_note):
            widget.setVisible(shown)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        report = self.w.final
        if report is None:
            return
        if self.w.format == "photos" and self.w.source is not None:
            self._check_originals()
        if report.already_imported and not report.media_added:
            self.result_label.setText(
                self.tr("This file was imported before, so there was nothing new to add.")
            )
            self.next_steps.setText(self.tr("Your diary already has everything in it."))
            return
        self.result_label.setText(
            self.tr("{incidents} created and {exhibits} stored.").format(
                incidents=plural(report.incidents_created, "entry", "entries"),
                exhibits=plural(report.exhibits_stored, "evidence file"),
            )
        )
        extra = ""
        if report.context_created:
            extra += " " + self.tr(
                "{replies} asking them to stop {verb} kept beside them as context (not counted)."
            ).format(
                replies=plural(report.context_created, "reply of yours", "replies of yours"),
                verb="was" if report.context_created == 1 else "were",
            )
        if any(d.skipped for d in report.possible_duplicates):
            n = sum(1 for d in report.possible_duplicates if d.skipped)
            extra += " " + self.tr(
                "{n} that looked like entries you typed {verb} left out (they stay in the original file)."
            ).format(n=plural(n, "message"), verb="was" if n == 1 else "were")
        if report.media_added:
            # #19.2: the same chat exported again "with media" gives its files to the
            # entries the first import made, rather than making new ones.
            extra += " " + self.tr(
                "{n} from this export {verb} added to the entries an earlier import made."
            ).format(n=plural(report.media_added, "file"), verb="was" if report.media_added == 1 else "were")
        if report.duplicates_skipped:
            extra += " " + self.tr("{n} had been imported before and were left as they were.").format(
                n=report.duplicates_skipped
            )
        self.next_steps.setText(
            self.tr(
                "They are in your timeline, marked as imported. When you feel able to, you can "
                "add to each one how it affected you."
            )
            + extra
        )

    def _check_originals(self) -> None:
        """Hash each photo where it is and read the diary's copy back, on a worker."""
        vault = self.w.session.require()
        folder = self.w.source
        assert folder is not None
        self.originals.clear()
        self._show_originals(True)
        self.delete_note.hide()
        self.stored_heading.setText(self.tr("Checking which photos are now safely stored in your diary…"))
        self.start_work(lambda: check_originals(vault, [f.path for f in scan_photos(folder)]), self._checked)

    @Slot(object, object)
    def _checked(self, checks: object, error: object) -> None:
        if not self.work_ended():
            return
        self.completeChanged.emit()
        if error is not None:
            self.stored_heading.setText(self.tr("The photos could not be checked."))
            dialogs.show_error(self, error)  # type: ignore[arg-type]
            return
        assert isinstance(checks, list)
        self.checks = checks
        folder = self.w.source
        assert folder is not None
        stored = sum(c.stored for c in checks)
        self.stored_heading.setText(
            self.tr(
                "{stored} of {total} in the folder are safely stored in your diary (read back and checked)."
            ).format(stored=stored, total=plural(len(checks), "photo"))
            + "\n"
            + display_safe(str(folder), single_line=True)
        )
        texts = {
            "stored": self.tr("Safely stored"),
            "not_in_diary": self.tr("Not in your diary"),
            "copy_damaged": self.tr("Copy did not check out"),
            "unreadable": self.tr("Could not be read"),
        }
        for c in checks:
            try:
                shown = str(c.path.relative_to(folder))
            except ValueError:
                shown = str(c.path)
            row = QTreeWidgetItem(
                [texts[c.reason], display_safe(shown, single_line=True), f"{c.size:,}", c.sha256]
            )
            row.setToolTip(1, display_safe(str(c.path), single_line=True))
            self.originals.addTopLevelItem(row)
        self.delete_note.show()
