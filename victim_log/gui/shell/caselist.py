"""Several diaries on one computer, in the app (#18): choose which one to open.

Only the labels the worker typed are shown (:mod:`victim_log.caselist`), never
anything from inside a diary, and only as typed (no words of ours around them that
would say what the app is). Two pieces:

* :class:`CaseChooser`, a row above the unlock screen, shown only when more than one
  diary is known: choosing one makes the unlock (or the first run, for a new diary)
  open that one.
* :class:`OpenAnotherDialog` (File → Open another…, while unlocked): open one of the
  list (the diary open now is locked first), start a new one under a new label, add
  a diary folder made elsewhere under a label, label the one open now, or take one
  off the list. A diary whose folder has gone is shown as missing and cannot be chosen.
* :func:`keep_before_switch`, run before the diary open now is locked for another:
  what was being written is kept inside that diary (encrypted, off the GUI thread, a
  busy vault tried again with the "Saving…" bar showing), since nothing is carried
  over to the next diary; if it cannot be kept the person is asked, never surprised.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QWidget

from ... import caselist
from ... import drafts
from ...errors import VictimLogError
from ..widgets import dialogs
from ..widgets.background_write import SaveInterrupted
from ..widgets.background_write import run_write
from ..widgets.common import action_row
from ..widgets.common import line_edit
from ..widgets.common import named
from ..widgets.common import opened
from ..widgets.common import push_button
from ..widgets.i18n import translator

if TYPE_CHECKING:
    from .lock import DiaryLike
    from .lock import LockController

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

    def __init__(self, chosen: Callable[[Path], object], parent: QWidget | None = None) -> None:
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
        self._current: Path | None = None
        self.hide()

    def refresh(self, current: Path) -> None:
        """Fill from the list; shown only when there is a choice to make."""
        self._current = current
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
            if self._current is not None:  # "Stay" was chosen: show the one still open
                self.refresh(self._current)


class OpenAnotherDialog(QDialog):
    """The list, with Open, New…, Add a folder…, Label it and Remove from list.

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
            self.tr("&New…"), self, "newCase", self.tr("New: start another under this label"), self._new
        )
        self.relabel_button = push_button(
            self.tr("&Label it"),
            self,
            "relabelCase",
            self.tr("Label it: give the chosen one this label"),
            self._relabel,
        )
        self.remove_button = push_button(
            self.tr("&Remove from list"),
            self,
            "forgetCase",
            self.tr("Remove from list (the diary itself is kept)"),
            self._forget,
        )
        self.add_button = push_button(
            self.tr("&Add a folder…"),
            self,
            "addCaseFolder",
            self.tr("Add a folder: a diary made elsewhere, under this label"),
            self._add_folder,
        )
        for widget in (self.label, self.new_button, self.add_button, self.relabel_button, self.remove_button):
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
        self.chosen, self.new_label = cases[-1].path, cases[-1].label
        self.accept()

    def _add_folder(self) -> None:
        """A diary folder made elsewhere (a backup restored, a colleague's copy, the
        command line's --vault): the label first, then the folder. The picker starts
        nowhere in particular and remembers nothing (not even in this diary: where
        another case lives is not this one's business)."""
        from ..widgets import privacy

        label = self.label.text()
        if not self._try(lambda: caselist.clean_label(label)):
            self.label.setFocus()
            return
        chosen = privacy.pick_paths(self, privacy.Mode.FOLDER, self.tr("Choose the diary's folder"))
        if chosen and self._try(lambda: self._added(caselist.add_existing(label, chosen[0]))):
            self.label.clear()

    def _added(self, case: caselist.Case) -> None:
        self._fill()
        for row in range(self.list.count()):
            if self.list.item(row).data(_PATH) == str(case.path):
                self.list.setCurrentRow(row)
        self.list.setFocus()

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


def ask_case(current: Path, parent: QWidget | None, switch: Callable[[Path], bool]) -> None:
    """Run :class:`OpenAnotherDialog`, then ``switch`` to the folder chosen; a new
    diary's label is taken off the list again if the person chose to stay."""
    chosen, new = dialogs.answer_of(OpenAnotherDialog(current, parent), lambda d: (d.chosen, d.new_label))
    if chosen is not None and not switch(chosen) and new:
        caselist.forget(chosen)


def keep_before_switch(window: QWidget, locker: LockController, diary: DiaryLike | None) -> bool:
    """Before the diary open now is locked to open another: keep what was being written
    inside it, so it comes back at its next unlock. False: the person chose to stay.

    The draft is the open form's (``diary.take_draft()``) or one sealed at a lock and
    not given back yet. While unlocked it is written off the GUI thread, a busy vault
    (another window or process holding it) tried again for about 15 s with the
    "Saving… (the diary is busy, trying again)" bar showing. While locked nothing can
    be written: a draft the lock could not keep in the vault is only in memory. Either
    way, a draft that could not be kept is lost only if the person says so.
    """
    session = locker.session
    if not session.is_unlocked:
        return not (locker.draft_box.full and not locker.kept_in_vault) or _lose_anyway(window, locked=True)
    draft: dict[str, Any] | None = diary.take_draft() if diary is not None else None
    sealed = not draft and locker.draft_box.full
    if sealed:
        draft = locker.draft_box.open()
    if not draft:
        return True
    vault = session.require()
    kept = False
    try:
        kept = run_write(window, lambda: drafts.store(vault, draft))
    except SaveInterrupted:  # locked meanwhile: held sealed in memory, as the lock does
        if sealed or not locker.draft_box.full:
            locker.draft_box.seal(draft)
            session.draft = locker.draft_box
        return keep_before_switch(window, locker, diary)
    except VictimLogError:
        kept = False  # still busy after the retries (or full): asked below
    stay = not kept and not _lose_anyway(window)
    if sealed:
        locker.draft_box.seal(draft)  # the lock's own sealing finds it as before
    elif stay and diary is not None:
        diary.restore_draft(draft)  # the form as it was (the open form just comes forward)
    return not stay


def _lose_anyway(parent: QWidget, *, locked: bool = False) -> bool:
    """ "Stay" (the default, and Esc) or "Switch and lose it"."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        parent.window().windowTitle(),
        _tr("Your unsaved entry could not be kept because the diary is in use elsewhere."),
        QMessageBox.StandardButton.NoButton,
        parent,
    )
    box.setObjectName("switchLosesDraft")
    box.setInformativeText(
        _tr("If you stay, it comes back when you unlock this diary again. If you switch now, it is lost.")
        if locked
        else _tr(
            "If you stay, it stays open: save it, or switch again in a moment. If you switch now, it is lost."
        )
    )
    stay = box.addButton(_tr("&Stay"), QMessageBox.ButtonRole.RejectRole)
    lose = box.addButton(_tr("S&witch and lose it"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(stay)
    box.setEscapeButton(stay)
    try:
        dialogs.exec_dialog(box)
        return box.clickedButton() is lose
    finally:
        box.deleteLater()
