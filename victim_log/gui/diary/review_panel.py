"""The review queue's panel (#18): what would weaken the log, and "Next" through it.

A support worker (or the victim) sits down with the diary before it goes to the
police; the panel lists :func:`victim_log.review.review_vault`'s findings, the same as
``victim-log review``, and "Next" selects the next one and asks the main window to
open its entry (:attr:`ReviewPanel.entry_requested`). A finding about an evidence file
linked to no entry opens nothing; its sentence says what to do.

The sentences hold ids and dates only (never the diary's words).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...review import Finding
from ...review import review_vault
from ...textsafe import plural
from ..widgets.common import named
from ..widgets.common import push_button
from ..widgets.common import start_task
from ..widgets.common import wrapped
from ..widgets.i18n import translator

if TYPE_CHECKING:
    from ...vault import Vault

__all__ = ["ReviewPanel"]

_tr = translator("Review")


class ReviewPanel(QWidget):
    """``ReviewPanel(vault, parent)``: call :meth:`refresh` to (re)read the log.

    ``entry_requested(int)`` is emitted with an entry's id when "Next" reaches a
    finding about an entry, or one is double-clicked / activated with Enter.
    """

    entry_requested = Signal(int)

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        named(self, "reviewPanel", _tr("Review before you export"))
        self.findings: list[Finding] = []
        self.busy = False  # a review is running on a worker thread
        self.summary = wrapped("", self, name="reviewSummary")
        self.list = named(QListWidget(self), "reviewList", _tr("Things to look at"))
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(self._activated)
        self.next_button = push_button(
            _tr("Next"), self, "reviewNext", _tr("Next: open the next thing to look at"), self.next
        )
        self.refresh_button = push_button(
            _tr("Check again"),
            self,
            "reviewRefresh",
            _tr("Check again: review the log as it is now"),
            self.refresh,
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        """Review the log again on a worker thread (a log of 100,000 entries takes
        seconds), then list what it finds; the selection starts over."""
        self.summary.setText(_tr("Reviewing your log…"))
        self.next_button.setEnabled(False)
        self.refresh_button.setEnabled(False)
        self.busy = True
        vault = self._vault
        start_task(lambda: review_vault(vault), self._reviewed)

    def _reviewed(self, result: object, error: object) -> None:
        self.busy = False
        self.refresh_button.setEnabled(True)
        if isinstance(result, list):
            self.show_findings(result)
        elif error is not None:
            self.summary.setText(_tr("The log could not be reviewed just now. Your log is unchanged."))

    def show_findings(self, findings: list[Finding]) -> None:
        """List ``findings`` (already reviewed: tests, or a caller with a worker thread)."""
        self.findings = list(findings)
        self.list.clear()
        for f in self.findings:
            item = QListWidgetItem(f.message, self.list)
            item.setData(Qt.ItemDataRole.UserRole, f.entry_id)
        if self.findings:
            self.summary.setText(
                _tr(
                    "{n} to look at. None of this is a mistake: each is a question worth asking "
                    "before the log goes to the police. 'Next' opens each entry in turn."
                ).format(n=plural(len(self.findings), "thing"))
            )
        else:
            self.summary.setText(
                _tr("Nothing to review: every entry has a time, a place and the details we look for.")
            )
        self.next_button.setEnabled(bool(self.findings))

    def next(self) -> None:
        """Select the next finding (after the last, the first again) and open its entry."""
        if not self.findings:
            return
        row = (self.list.currentRow() + 1) % len(self.findings)
        self.list.setCurrentRow(row)
        self._open(row)

    def _activated(self, item: QListWidgetItem) -> None:
        self._open(self.list.row(item))

    def _open(self, row: int) -> None:
        entry = self.findings[row].entry_id
        if entry is not None:
            self.entry_requested.emit(entry)
