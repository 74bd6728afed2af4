"""A support worker's session in the app (#18): asked once, then everything is theirs.

The worker types their name and organisation; from then until the session is ended
or the diary locks (or the app closes), every entry added or edited, and every file
attached, is recorded as entered by ``support:NAME (ORG)`` (:mod:`victim_log.support`,
applied by the vault itself, so every form that saves is covered). A banner above
the diary says so the whole time. The name and organisation are remembered inside
the encrypted vault only, to be offered next time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QWidget

from ...errors import VictimLogError
from ..widgets import dialogs
from ..widgets.common import action_row
from ..widgets.common import fill_banner
from ..widgets.common import line_edit
from ..widgets.common import opened

if TYPE_CHECKING:  # the banner is built before the first screen is painted (start-up time)
    from ...vault import Vault


class SupportSessionDialog(QDialog):
    """Name and organisation, filled in from last time; Start checks and keeps them."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ...support import NAME_SETTING
        from ...support import ORG_SETTING

        self.vault = vault
        self.author = ""
        what_it_does = self.tr(
            "For a support worker entering things with the person whose diary this is. "
            "Until the session ends (or the diary locks), everything added or changed is "
            "marked as entered by you, in the timeline, each entry's history and the export."
        )
        column = opened(self, "supportSessionDialog", self.tr("Start a support session"), what_it_does)
        body = QWidget(self)
        form = QFormLayout(body)
        self.name = line_edit(body, "supportName", self.tr("Your name"))
        self.org = line_edit(
            body, "supportOrg", self.tr("Your organisation"), self.tr("for example: Safe Lives")
        )
        form.addRow(self.tr("Your &name"), self.name)
        form.addRow(self.tr("Your &organisation"), self.org)
        self.name.setText(vault.get_setting(NAME_SETTING))
        self.org.setText(vault.get_setting(ORG_SETTING))
        column.addWidget(body)
        row, _cancel, self.start_button = action_row(
            self,
            (self.tr("Cancel"), "supportCancel", self.reject),
            (self.tr("Start session"), "supportStart", self.start),
        )
        column.addLayout(row)
        self.name.setFocus()

    def start(self) -> None:
        """Check the name, remember both inside the vault, and accept."""
        from ...support import NAME_SETTING
        from ...support import ORG_SETTING
        from ...support import support_author

        try:
            author = support_author(self.name.text(), self.org.text())
            if self.vault.get_setting(NAME_SETTING) != self.name.text().strip():
                self.vault.set_setting(NAME_SETTING, self.name.text().strip())
            if self.vault.get_setting(ORG_SETTING) != self.org.text().strip():
                self.vault.set_setting(ORG_SETTING, self.org.text().strip())
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        self.author = author
        self.accept()


def ask_support_author(vault: Vault, parent: QWidget | None) -> str:
    """Run the dialog; the worker's author (``support:…``) or "" if cancelled."""
    return dialogs.answer_of(SupportSessionDialog(vault, parent), lambda d: d.author)


class SupportBanner(QFrame):
    """Always in view while a session runs: whose the additions are, and how to end it."""

    def __init__(self, end: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supportBanner")
        self.text, (self.end_button,) = fill_banner(
            self,
            "supportBannerText",
            self.tr("Support session"),
            (self.tr("&End support session"), "endSupportSession", self.tr("End support session"), end),
        )

    def show_for(self, author: str) -> None:
        """Show the banner for ``author``; hide it when ``author`` is ""."""
        from ...support import worker_of

        worker = worker_of(author)
        if not worker:
            self.text.clear()
            self.hide()
            return
        self.text.setText(
            self.tr("Support session: %1 \u2014 everything you add is marked as theirs.").replace(
                "%1", worker
            )
        )
        self.show()
