"""Saving an encrypted backup of the whole diary from the unlocked app.

A lost, broken or seized laptop must not mean a lost diary. The backup is the vault
exactly as it is on disk, still encrypted (see :mod:`victim_log.backup`), so the
dialog says plainly that it is safe to keep anywhere and opens only with the
passphrase or the recovery key. Restoring is done from the first-run screen or the
command line, not here: restoring over an open diary is never what someone means.

The copy runs on a worker thread behind a busy indicator (a diary with much
evidence can take a while); the core writes to a temporary file and renames it at
the end, so a failure leaves nothing half-written.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...backup import BackupInfo
from ...backup import write_backup
from ...errors import VictimLogError
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets import savepath
from ..widgets.common import BackgroundTask
from ..widgets.common import action_row
from ..widgets.common import busy_bar
from ..widgets.common import fit_to_text
from ..widgets.common import intro
from ..widgets.common import name_window
from ..widgets.common import plural
from ..widgets.common import size_text
from ..widgets.common import start_task
from ..widgets.common import wrapped

SUFFIX = "vlbak"


class BackupDialog(QDialog):
    saved = Signal(object)  # BackupInfo
    failed = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name_window(self, "backupDialog", self.tr("Save a backup"))
        self.session = session
        session.require()  # a locked diary cannot be backed up from here: say so, open nothing
        self.info: BackupInfo | None = None
        self._task: BackgroundTask | None = None
        self.setModal(True)

        layout = QVBoxLayout(self)
        intro(
            layout,
            self,
            self.tr("Keep a copy of your diary somewhere safe"),
            self.tr(
                "A backup is one file holding your whole diary and all your evidence. It stays "
                "encrypted: it opens only with your passphrase or your recovery key, so it is safe "
                "on a USB stick or in online storage."
            ),
            self.tr(
                "Keep it where the person you fear cannot reach it, and make a new one now and "
                "then: a backup holds only what was in the diary when you saved it."
            ),
            self.tr(
                "To open a backup on a new computer, choose “Already have a backup? Restore it” "
                "when the app first starts there, or use the command “victim-log restore”."
            ),
        )
        self.busy = busy_bar(self)
        self.busy.hide()
        layout.addWidget(self.busy)
        self.status = wrapped("", self, name="backupStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        layout.addStretch(1)
        buttons, self.close_button, self.save_button = action_row(
            self,
            (self.tr("Close"), "closeButton", self.reject),
            (self.tr("Save a backup…"), "saveBackup", self.start_backup),
        )
        layout.addLayout(buttons)
        fit_to_text(self, self.fontMetrics().averageCharWidth() * 95)

    @property
    def busy_now(self) -> bool:
        return self._task is not None

    @Slot()
    def start_backup(self) -> None:
        if self._task is not None:
            return
        try:
            vault = self.session.require()
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        out = savepath.choose_save_path(
            self,
            self.tr("Save the backup as"),
            f"backup-{date.today().isoformat()}.{SUFFIX}",
            name_filters=[f"Backups (*.{SUFFIX})", "All files (*)"],
            suffix=SUFFIX,
        )
        if out is None:
            return
        self.status.setText(self.tr("Saving the backup…"))
        self.busy.show()
        self.save_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self._task = start_task(lambda: write_backup(vault, out), self._done)

    @Slot(object, object)
    def _done(self, info: object, error: object) -> None:
        self._task = None
        self.busy.hide()
        self.save_button.setEnabled(True)
        self.close_button.setEnabled(True)
        if error is not None:
            self.status.setText(self.tr("The backup was not saved."))
            dialogs.show_error(self, error)  # type: ignore[arg-type]
            self.failed.emit(error)
            return
        assert isinstance(info, BackupInfo)
        self.info = info
        self.status.setText(
            self.tr(
                "Backup saved: {path} ({files}, {size}). It is encrypted; it opens only with your "
                "passphrase or recovery key."
            ).format(
                path=display_safe(str(info.path), single_line=True),
                files=plural(info.files, "file"),
                size=size_text(info.bytes),
            )
        )
        self.save_button.setText(self.tr("Save another…"))
        self.close_button.setText(self.tr("Done"))
        self.close_button.setDefault(True)
        fit_to_text(self)
        self.saved.emit(info)

    def reject(self) -> None:
        if self._task is not None:
            return  # let the copy finish; the lock still closes us with QDialog.done
        super().reject()


def open_backup_dialog(session: Session, parent: QWidget | None = None) -> None:
    """Show the backup dialog (modal)."""
    dialogs.open_modal(lambda: BackupDialog(session, parent), parent)
