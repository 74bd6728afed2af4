"""File → Share with a support worker…: the case file and its one-time code (#18).

The victim makes one encrypted file holding the whole case (every entry with its
history, the people, the orders and the evidence files) and is shown a one-time
code to read out to the worker, by phone or in person, never sent with the file.
The code is shown here once, in large fixed-width letters, and kept nowhere: it is
cleared when the dialog closes (or the diary locks, which closes every dialog).

The work (reading the diary, encrypting every evidence file into the case file)
runs off the GUI thread through :func:`run_write`, so the window keeps painting.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...handover import Shared
from ...handover import share_case
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets import savepath
from ..widgets.background_write import run_write
from ..widgets.common import action_row
from ..widgets.common import fit_to_text
from ..widgets.common import key_readout
from ..widgets.common import named
from ..widgets.common import opened
from ..widgets.common import plural
from ..widgets.common import size_text
from ..widgets.common import wrapped

SUFFIX = "vlcase"
FILTERS = (f"Case files (*.{SUFFIX})", "All files (*)")
Action = tuple[str, str, Callable[[], Any]]


def case_footer(
    dialog: QDialog, layout: QVBoxLayout, names: tuple[str, str, str, float], primary: Action
) -> tuple[QLabel, QLabel, QPushButton, QPushButton]:
    """The case-file dialogs' foot: what happened (a label named ``names[0]``), a secret
    shown once in large letters (a readout named ``names[1]``, read as ``names[2]``,
    ``names[3]`` times the font, hidden until there is one), then Close and ``primary``."""
    status_name, readout_name, accessible, factor = names
    status = wrapped("", dialog, name=status_name)
    readout = key_readout(dialog, readout_name, factor)
    readout.setAccessibleName(accessible)
    readout.hide()
    layout.addWidget(status)
    layout.addWidget(readout)
    layout.addStretch(1)
    buttons, close, main = action_row(dialog, (dialog.tr("Close"), "closeButton", dialog.reject), primary)
    layout.addLayout(buttons)
    fit_to_text(dialog, dialog.fontMetrics().averageCharWidth() * 90)
    return status, readout, close, main


class CaseDialog(QDialog):
    """What the two case-file dialogs have in common: modal, over an unlocked diary
    (refused, saying so, when it is locked), begun with a title and what it is for."""

    NAME = ""  # the object name tests find the dialog by
    #: The title, then what the dialog is for, a paragraph each (shown translated).
    INTRO: tuple[str, ...] = ()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.require()
        self.setModal(True)
        self.column = opened(self, self.NAME, *(self.tr(text) for text in self.INTRO))


class ShareDialog(CaseDialog):
    made = Signal(object)  # Shared

    NAME = "shareDialog"
    INTRO = (
        "Share with a support worker",
        "This makes one encrypted file holding your whole diary: every entry with its earlier "
        "versions, the people, the orders and your evidence files. Your support worker opens "
        "it on their computer with a one-time code that you read out to them.",
        "Send the file any way you like. Give the code another way (by phone or in person), "
        "never with the file: anyone with both can read the whole case. What they add comes "
        "back the same way, marked as theirs, and never replaces your words.",
    )

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.shared: Shared | None = None
        self.private = named(QCheckBox(self.tr("Include my &private notes"), self), "includePrivate")
        self.private.setToolTip(self.tr("Left out unless ticked; what the worker changes keeps your notes."))
        self.column.addWidget(self.private)
        self.status, self.code, self.close_button, self.make_button = case_footer(
            self,
            self.column,
            ("shareStatus", "shareCode", self.tr("One-time code"), 1.6),
            (self.tr("Make the case file…"), "makeCaseFile", self.make),
        )

    @Slot()
    def make(self) -> None:
        vault = self.session.require()
        suggested = f"case-{date.today().isoformat()}.{SUFFIX}"
        title = self.tr("Save the case file as")
        out = savepath.choose_save_path(
            self, title, suggested, name_filters=FILTERS, suffix=SUFFIX, remember=vault
        )
        if out is None:
            return
        self.status.setText(self.tr("Making the case file…"))
        try:
            private = self.private.isChecked()
            shared = run_write(self, lambda: share_case(vault, out, private_notes=private))
        except Exception as exc:  # noqa: BLE001 - shown calmly; the dialog stays usable
            self.status.setText(self.tr("The case file was not made."))
            dialogs.show_error(self, exc)
            return
        self.shared = shared
        self.status.setText(
            self.tr(
                "Saved {path} ({entries}, {files}, {size}). Read this code to your support worker. "
                "It is shown only now and kept nowhere: if it is lost, make a new case file."
            ).format(
                path=display_safe(str(shared.path), single_line=True),
                entries=plural(shared.incidents, "entry", "entries"),
                files=plural(shared.evidence, "evidence file"),
                size=size_text(shared.size),
            )
        )
        self.code.setText(shared.code)
        self.code.show()
        self.make_button.setText(self.tr("Make another…"))
        self.close_button.setText(self.tr("Done"))
        fit_to_text(self)
        self.made.emit(shared)

    def done(self, result: int) -> None:
        self.code.clear()  # the code is kept nowhere, not even in a closed dialog
        self.shared = None
        super().done(result)


def open_share_dialog(session: Session, parent: QWidget | None = None) -> None:
    """Show the share dialog (modal)."""
    dialogs.open_modal(lambda: ShareDialog(session, parent), parent)
