"""Step 5: what was imported, or why nothing was (kindly: already imported is normal)."""

from __future__ import annotations

from ...widgets.common import plural, scaled, wrapped
from .base import WizardBase, WizardStep


class DonePage(WizardStep):
    def __init__(self, wizard: WizardBase) -> None:
        super().__init__(
            wizard, "donePage", self.tr("Import finished"), self.tr("Your diary has been updated.")
        )
        self.result_label = wrapped("", self, name="result")
        self.result_label.setFont(scaled(self.result_label.font(), 1.15, bold=True))
        self.column.addWidget(self.result_label)
        self.next_steps = wrapped("", self, name="nextSteps")
        self.column.addWidget(self.next_steps)
        self.column.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        report = self.w.final
        if report is None:
            return
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
