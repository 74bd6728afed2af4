"""Several diaries on one computer, in the app (#18): choose which one to open.

Only the labels the worker typed are shown (:mod:`victim_log.caselist`), never
anything from inside a diary, and only as typed (no words of ours around them that
would say what the app is). Two pieces:

* :class:`CaseChooser`, a row above the unlock screen, shown only when more than one
  diary is known: choosing one makes the unlock (or the first run, for a new diary)
  open that one.
* :class:`OpenAnotherDialog` (File → Open another…, while unlocked): open one of the
  list (the diary open now is locked first), start a new one under a new label,
  label the one open now, or take one off the list. A diary whose folder has gone is
  shown as missing and cannot be chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QWidget

from ... import caselist
from ...errors import VictimLogError
from ..widgets import dialogs
from ..widgets.common import action_row
from ..widgets.common import line_edit
from ..widgets.common import named
from ..widgets.common import opened
from ..widgets.common import push_button
from ..widgets.i18n import translator

_PATH = Qt.ItemDataRole.UserRole


def case_text(case: caselist.Case, current: Path | None = None) -> str:
    """How a diary is named in the lists: its label exactly as typed ("Unlabelled"
    until it has one); a gone folder marked missing; the one open now (``current``) so."""
    text = case.label or _tr("Unlabelled")
    if case.missing:
        text += " " + _tr("(missing)")
    elif current is not None and case.path == current:
        text += " " + _tr("(open now)")
    return text


_tr = translator("CaseList")


class CaseChooser(QWidget):
    """ "Open: [label ▾]" above the unlock screen; hidden with fewer than two diaries."""

    def __init__(self, chosen: Callable[[Path], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseChooser")
        self._chosen = chosen
        row = QHBoxLayout(self)
        self.combo = named(QComboBox(self), "caseCombo", self.tr("Which one to open"))
        label = QLabel(self.tr("O&pen:"), self)
        label.setBuddy(self.combo)
        row.addStretch(1)
        row.addWidget(label)
        row.addWidget(self.combo)
        row.addStretch(1)
        self.combo.activated.connect(self._activated)
        self.hide()

    def refresh(self, current: Path) -> None:
        """Fill from the list; shown only when there is a choice to make."""
        cases = caselist.known_cases(current)
        self.combo.clear()
        for case in cases:
            self.combo.addItem(case_text(case), str(case.path))
            if case.missing:
                item = self.combo.model().index(self.combo.count() - 1, 0)
                self.combo.model().setData(item, 0, Qt.ItemDataRole.UserRole - 1)  # disabled
        for i, case in enumerate(cases):
            if case.path == current:
                self.combo.setCurrentIndex(i)
        self.setVisible(len(cases) > 1)

    def _activated(self, index: int) -> None:
        where = self.combo.itemData(index)
        if isinstance(where, str):
            self._chosen(Path(where))


class OpenAnotherDialog(QDialog):
    """The list, with Open, New diary…, Label this one… and Remove from list.

    ``chosen`` is the folder to open after the dialog closes (None: stay)."""

    def __init__(self, current: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current = current
        self.chosen: Path | None = None
        self.new_label = ""
        column = opened(
            self,
            "openAnotherDialog",
            self.tr("Open another"),
            self.tr(
                "Each one has its own passphrase. Opening another locks this one first. "
                "Only the labels you type here are kept on this computer unencrypted, so "
                "choose labels that say nothing you would not want seen."
            ),
        )
        self.list = named(QListWidget(self), "caseList", self.tr("Diaries on this computer"))
        self.list.itemActivated.connect(lambda _item: self._open())
        self.list.currentRowChanged.connect(lambda _row: self._update())
        column.addWidget(self.list, 1)
        self.label = line_edit(self, "caseLabel", self.tr("Label"), self.tr("A label you will recognise"))
        buttons = QHBoxLayout()
        self.new_button = push_button(
            self.tr("&New…"), self, "newCase", self.tr("Start a new one with this label"), self._new
        )
        self.relabel_button = push_button(
            self.tr("&Label it"),
            self,
            "relabelCase",
            self.tr("Give the chosen one this label"),
            self._relabel,
        )
        self.remove_button = push_button(
            self.tr("&Remove from list"), self, "forgetCase", self.tr("Take it off the list"), self._forget
        )
        for widget in (self.label, self.new_button, self.relabel_button, self.remove_button):
            buttons.addWidget(widget)
        column.addLayout(buttons)
        row, _close, self.open_button = action_row(
            self, (self.tr("Close"), "closeCases", self.reject), (self.tr("&Open"), "openCase", self._open)
        )
        column.addLayout(row)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        for case in caselist.known_cases(self.current):
            item = QListWidgetItem(case_text(case, self.current), self.list)
            item.setData(_PATH, str(case.path))
            if case.missing:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self.list.setCurrentRow(0)
        self._update()

    def _selected(self) -> Path | None:
        item = self.list.currentItem()
        where = item.data(_PATH) if item is not None else None
        return Path(where) if isinstance(where, str) else None

    def _update(self) -> None:
        picked = self._selected()
        self.open_button.setEnabled(picked is not None and picked != self.current)
        self.remove_button.setEnabled(picked is not None and picked != self.current)

    def _open(self) -> None:
        picked = self._selected()
        if picked is None or picked == self.current:
            return
        if not caselist.Case("", picked).missing:
            self.chosen = picked
            self.accept()

    def _new(self) -> None:
        self._try(lambda: self._chose_new(caselist.remember(self.label.text(), caselist.new_case_dir())))

    def _chose_new(self, cases: list[caselist.Case]) -> None:
        self.chosen = cases[-1].path
        self.accept()

    def _relabel(self) -> None:
        picked = self._selected()
        if picked is not None and self._try(lambda: caselist.remember(self.label.text(), picked)):
            self.label.clear()
            self._fill()

    def _forget(self) -> None:
        picked = self._selected()
        if picked is not None and picked != self.current:
            self._try(lambda: caselist.forget(picked))
            self._fill()

    def _try(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return False
        return True


def ask_case(current: Path, parent: QWidget | None) -> Path | None:
    """Run :class:`OpenAnotherDialog`; the folder to open, or None to stay."""
    return dialogs.answer_of(OpenAnotherDialog(current, parent), lambda d: d.chosen)
