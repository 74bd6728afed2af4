"""File → Open / merge a shared case file…: bring a case file in (#18).

Two uses, one dialog, the file and its one-time code asked once:

* **Bring its additions into this diary** (the victim, when the worker's case file
  comes back): new entries and new versions, marked as the worker's, never replacing
  anything, merged field by field; a second time adds nothing; a field changed on
  both sides keeps both wordings, this diary's current; a deletion is listed for the
  person to do themselves if they agree, with a "Delete entry N here too…" button that
  runs the diary's own deletion (confirm, then why).
* **Open it as a new diary on this computer** (the worker's installation): a new
  diary under a label the worker types, with its own passphrase and recovery key
  (shown once here), added to File → Open another….

A wrong code or a damaged file changes nothing and says so. The work runs off the GUI
thread (:func:`run_write`). :func:`choose_case_file` is the seam tests replace.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import caselist
from ...errors import BadInput
from ...handover import MergeReport
from ...handover import merge_case
from ...handover import open_case
from ...passphrase import check_passphrase_acceptable
from ...support import support_author
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets import privacy
from ..widgets.background_write import run_write
from ..widgets.common import fit_to_text
from ..widgets.common import form_group
from ..widgets.common import form_line
from ..widgets.common import left_row
from ..widgets.common import line_edit
from ..widgets.common import named
from ..widgets.common import secret_line
from ..widgets.common import wrapped
from .share_dialog import FILTERS
from .share_dialog import CaseDialog
from .share_dialog import case_footer

if TYPE_CHECKING:
    from ..diary.view import DiaryView


def choose_case_file(parent: QWidget | None) -> Path | None:
    """Ask for the case file (tests replace this)."""
    chosen = privacy.pick_paths(
        parent,
        privacy.Mode.OPEN,
        "Choose the case file",
        name_filters=list(FILTERS),
    )
    return chosen[0] if chosen else None


class SharedCaseDialog(CaseDialog):
    merged = Signal(object)  # MergeReport
    opened_new = Signal(object)  # the new diary's folder (Path)

    NAME = "sharedCaseDialog"

    INTRO = (
        "Open or merge a shared case file",
        "A case file is made with “Share with a support worker…”. You need the file and the "
        "one-time code that was read out to you.",
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.path: Path | None = None
        layout = self.column
        self.file_label = wrapped(self.tr("No file chosen yet."), self, name="caseFileName")
        self.choose_button = named(QPushButton(self.tr("&Choose the case file…"), self), "chooseCaseFile")
        self.choose_button.clicked.connect(self.choose)
        layout.addLayout(left_row(self.choose_button, self.file_label))
        self.code = line_edit(self, "caseCode", self.tr("One-time code"), "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        code_form = QFormLayout()
        code_form.addRow(self.tr("One-time co&de:"), self.code)
        layout.addLayout(code_form)

        self.merge_choice = named(
            QRadioButton(self.tr("&Bring what it adds into this diary (nothing here is replaced)"), self),
            "mergeIntoThis",
        )
        self.new_choice = named(
            QRadioButton(self.tr("Open it as a &new diary on this computer (for a support worker)"), self),
            "openAsNew",
        )
        self.merge_choice.setChecked(True)
        layout.addWidget(self.merge_choice)
        layout.addWidget(self.new_choice)

        self.new_group, form = form_group(self, self.tr("The new diary"))
        self.label = form_line(form, self.tr("&Label (shown in the list):"), "newLabel", self.tr("Label"))
        self.worker = form_line(form, self.tr("Your na&me:"), "workerName", self.tr("Your name"))
        self.org = form_line(form, self.tr("O&rganisation:"), "workerOrg", self.tr("Organisation"))
        self.passphrase = secret_line(self, "newPassphrase", self.tr("New passphrase"))
        self.again = secret_line(self, "newPassphraseAgain", self.tr("New passphrase again"))
        form.addRow(self.tr("New &passphrase:"), self.passphrase)
        form.addRow(self.tr("&Again:"), self.again)
        self.new_group.setVisible(False)
        self.new_choice.toggled.connect(self.new_group.setVisible)
        layout.addWidget(self.new_group)

        # After a merge: "Delete it here too…" for each entry the case file deletes.
        self.deletions = QVBoxLayout()
        layout.addLayout(self.deletions)
        self.delete_buttons: dict[int, QPushButton] = {}

        self.status, self.recovery, self.close_button, self.open_button = case_footer(
            self,
            layout,
            ("sharedCaseStatus", "newRecoveryKey", self.tr("Recovery key"), 1.2),
            (self.tr("&Open"), "openCaseFile", self.start),
        )

    @Slot()
    def choose(self) -> None:
        path = choose_case_file(self)
        if path is not None:
            self.path = path
            self.file_label.setText(display_safe(path.name, single_line=True))

    def _new_diary_inputs(self) -> tuple[str, str, str]:
        label = caselist.clean_label(self.label.text())
        worker = support_author(self.worker.text(), self.org.text())
        secret = self.passphrase.text()
        if secret != self.again.text():
            raise BadInput("The two passphrases are not the same.")
        check_passphrase_acceptable(secret)
        return label, worker, secret

    @Slot()
    def start(self) -> None:
        try:
            if self.path is None:
                raise BadInput("Choose the case file first.")
            if not self.code.text().strip():
                raise BadInput("Type the one-time code that was read out to you.")
            if self.new_choice.isChecked():
                self._open_new(self.path, self.code.text(), *self._new_diary_inputs())
            else:
                self._merge(self.path, self.code.text())
        except Exception as exc:  # noqa: BLE001 - shown calmly; nothing was changed
            self.status.setText(self.tr("Nothing was changed."))
            dialogs.show_error(self, exc)

    def _merge(self, path: Path, code: str) -> None:
        vault = self.session.require()
        self.status.setText(self.tr("Checking and merging the case file…"))
        report = run_write(self, lambda: merge_case(vault, path, code))
        self.code.clear()
        self.status.setText("\n".join(report.lines()))
        self.close_button.setText(self.tr("Done"))
        self._offer_deletions(report.to_delete)
        fit_to_text(self)
        self.merged.emit(report)

    def _diary(self) -> DiaryView | None:
        from ..diary.view import DiaryView

        window = self.parentWidget()
        return window.findChild(DiaryView) if window is not None else None

    def _offer_deletions(self, incident_ids: list[int]) -> None:
        """A "Delete it here too…" button per entry the case file deletes, when the
        diary is open behind this dialog (its own deletion asks to confirm and why)."""
        if self._diary() is None:
            return
        for incident_id in incident_ids:
            if incident_id in self.delete_buttons:
                continue
            button = named(
                QPushButton(self.tr("Delete entry %1 here too…").replace("%1", str(incident_id)), self),
                f"deleteHereToo{incident_id}",
            )
            button.clicked.connect(lambda _=False, i=incident_id: self.delete_here(i))
            self.deletions.addWidget(button)
            button.show()
            self.delete_buttons[incident_id] = button

    def delete_here(self, incident_id: int) -> None:
        """The diary's own deletion of one entry (confirm, then a reason)."""
        diary = self._diary()
        if diary is None:
            return
        diary.delete_incident(incident_id)
        if self.session.is_unlocked and self.session.require().get_incident(incident_id).deleted:
            button = self.delete_buttons[incident_id]
            button.setText(self.tr("Entry %1 deleted here too").replace("%1", str(incident_id)))
            button.setEnabled(False)

    def _open_new(self, path: Path, code: str, label: str, worker: str, secret: str) -> None:
        folder = caselist.new_case_dir()
        self.status.setText(self.tr("Checking the case file and making the new diary…"))

        def work() -> tuple[str, MergeReport]:
            vault, recovery, report = open_case(path, code, folder, secret, worker=worker)
            vault.lock()
            caselist.remember(label, folder)
            return recovery, report

        recovery, report = run_write(self, work)
        self.code.clear()
        self.passphrase.clear()
        self.again.clear()
        self.status.setText(
            self.tr(
                "{report}\nThe new diary “{label}” is in File → Open another…. Its RECOVERY KEY is "
                "below, shown only this once: write it down and keep it away from the case file."
            ).format(report="\n".join(report.lines()), label=label)
        )
        self.recovery.setText(recovery)
        self.recovery.show()
        self.open_button.setEnabled(False)
        self.close_button.setText(self.tr("Done"))
        fit_to_text(self)
        self.opened_new.emit(folder)

    def done(self, result: int) -> None:
        for secret in (self.code, self.passphrase, self.again):
            secret.clear()
        self.recovery.clear()
        super().done(result)


def open_shared_case_dialog(session: Session, parent: QWidget | None = None) -> None:
    """Show the open / merge dialog (modal)."""
    dialogs.open_modal(lambda: SharedCaseDialog(session, parent), parent)


__all__ = ["SharedCaseDialog", "choose_case_file", "open_shared_case_dialog"]
