"""Every evidence file in the diary, those not attached to any entry first (#18).

A folder of screenshots imported "without entries", or a file added from the command
line, is kept safely but cited by nothing, so no export shows it as supporting an
entry. This screen lists every stored file, says which entry cites it, and for one that
nothing cites offers the two ways to use it: attach it to an entry (chosen from a
searchable list) or make an entry for it (the quick log opens with the file attached).
Both writes leave the GUI thread (``widgets/background_write``): attaching here, the
new entry in the quick log's Save; a busy vault is tried again with "Saving…" showing.

Only names, dates and the entries' summaries are shown; a file is opened in memory by
the same viewer as an entry's files.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QTreeWidget
from PySide6.QtWidgets import QTreeWidgetItem
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ...errors import VictimLogError
from ...model import EvidenceItem
from ...textsafe import display_safe
from ...vault import IncidentFilter
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.background_write import SaveInterrupted
from ..widgets.background_write import run_write
from ..widgets.common import action_row
from ..widgets.common import left_row
from ..widgets.common import line_edit
from ..widgets.common import line_height
from ..widgets.common import name_window
from ..widgets.common import plural
from ..widgets.common import push_button
from ..widgets.common import push_buttons
from ..widgets.common import resize_on_screen
from ..widgets.common import scaled
from ..widgets.common import wrapped

_UNATTACHED = "Not attached to any entry"


def _day(iso: str) -> str:
    """A stored time as the day on the case's clock ("Thu 27 Aug 2026")."""
    dt = casetime.parse_instant(iso)
    return casetime.day_text(casetime.in_zone(dt)) if dt is not None else ""


def _entry_text(session: Session, incident_id: int) -> str:
    try:
        data = session.require().get_incident(incident_id).data
    except VictimLogError:
        return ""
    when = _day(data.occurred_start) if data.occurred_start else "no date"
    return f"{when}: {display_safe(data.summary, single_line=True)}"


class EvidenceDialog(QDialog):
    """All the files; unattached first. ``make_entry_for`` is set when the person asked
    to make an entry for a file (the caller opens the quick log once this closes)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name_window(self, "evidenceDialog", self.tr("Evidence files"))
        self.session = session
        self.items: list[EvidenceItem] = []
        # What the caller reads once the window closes:
        self.make_entry_for: int | None = None  # the file to make an entry for
        self.changed = False  # something was attached or made: reload the timeline
        heading = wrapped(self.tr("Your evidence files"), self)
        heading.setFont(scaled(self.font(), 1.2, bold=True))
        self.summary = wrapped("", self, name="evidenceSummary")
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("evidenceTree")
        self.tree.setAccessibleName(self.tr("Evidence files, those not attached to an entry first"))
        self.tree.setHeaderLabels([self.tr("File"), self.tr("Added"), self.tr("Attached to")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.open_button, self.attach_button, self.entry_button = push_buttons(
            self,
            (self.tr("&Open"), "evidenceOpen", self.tr("Open the chosen file"), self.open_current),
            (
                self.tr("&Attach to an entry\u2026"),
                "evidenceAttach",
                self.tr("Attach to an entry: the chosen file"),
                self.attach_current,
            ),
            (
                self.tr("&Make an entry for it\u2026"),
                "evidenceMakeEntry",
                self.tr("Make an entry for it (the chosen file)"),
                self.make_entry,
            ),
        )
        self.close_button = push_button(
            self.tr("Close"), self, "evidenceClose", self.tr("Close"), self.accept
        )
        self.tree.currentItemChanged.connect(lambda *_a: self._update_buttons())
        self.tree.itemActivated.connect(lambda *_a: self.open_current())
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        row = left_row(self.open_button, self.attach_button, self.entry_button)
        row.addWidget(self.close_button)
        layout.addLayout(row)
        lh = line_height(self)
        resize_on_screen(self, lh * 60, lh * 32)
        self.reload()
        self.tree.setFocus()

    # ------------------------------------------------------------------ filling

    def reload(self, select: int | None = None) -> None:
        try:
            items = self.session.require().evidence.items()
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            items = []
        # Not attached first; within each group the newest first.
        items.sort(key=lambda i: (i.added_at, i.id), reverse=True)
        items.sort(key=lambda i: bool(i.incidents))
        self.items = items
        self.tree.clear()
        for item in items:
            if item.incidents:
                cited = _entry_text(self.session, item.incidents[0])
                if len(item.incidents) > 1:
                    cited += " " + self.tr("(and %1)").replace("%1", plural(len(item.incidents) - 1, "more"))
            else:
                cited = self.tr(_UNATTACHED)
            row = QTreeWidgetItem([display_safe(item.filename, single_line=True), _day(item.added_at), cited])
            row.setData(0, Qt.ItemDataRole.UserRole, item.id)
            if not item.incidents:
                font = row.font(2)
                font.setBold(True)
                row.setFont(2, font)
            self.tree.addTopLevelItem(row)
        for column in range(2):
            self.tree.resizeColumnToContents(column)
        unattached = sum(1 for i in items if not i.incidents)
        if not items:
            text = self.tr("No files yet. Files you attach to entries or import are listed here.")
        elif unattached:
            text = self.tr(
                "%1, %2 not attached to any entry. An export shows a file with the entries it "
                "supports, so attach each to an entry, or make an entry for it."
            )
            text = text.replace("%1", plural(len(items), "file")).replace("%2", str(unattached))
        else:
            text = self.tr("%1, each attached to an entry.").replace("%1", plural(len(items), "file"))
        self.summary.setText(text)
        wanted = next((r for r in range(len(items)) if items[r].id == select), 0)
        first = self.tree.topLevelItem(wanted)
        if first is not None:
            self.tree.setCurrentItem(first)
        self._update_buttons()

    def current(self) -> EvidenceItem | None:
        row = self.tree.currentItem()
        if row is None:
            return None
        eid = row.data(0, Qt.ItemDataRole.UserRole)
        return next((i for i in self.items if i.id == eid), None)

    def _update_buttons(self) -> None:
        item = self.current()
        for button in (self.open_button, self.attach_button, self.entry_button):
            button.setEnabled(item is not None)
        self.entry_button.setEnabled(item is not None and not item.incidents)

    # ------------------------------------------------------------------ actions

    def open_current(self) -> None:
        from .evidence import open_evidence

        item = self.current()
        if item is not None:
            open_evidence(self, self.session, item)

    def attach_current(self) -> None:
        item = self.current()
        if item is None:
            return
        incident_id = choose_entry(self, self.session)
        if incident_id is None:
            return
        try:
            vault = self.session.require()
            # Off the GUI thread, a busy vault tried again with "Saving…" showing (#23.9).
            run_write(self, lambda: vault.evidence.attach(item.id, incident_id))
        except SaveInterrupted:
            return  # locked meanwhile: this window is closed by the lock
        except Exception as exc:  # noqa: BLE001 - shown calmly; nothing changed
            dialogs.show_error(self, exc)
            return
        self.changed = True
        self.reload(select=item.id)

    def make_entry(self) -> None:
        item = self.current()
        if item is not None:
            self.make_entry_for = item.id
            self.accept()


class EntryPicker(QDialog):
    """Choose one entry: type words to narrow the list, Enter (or double-click) chooses."""

    LIMIT = 200

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name_window(self, "entryPicker", self.tr("Attach to which entry?"))
        self.session = session
        self.chosen: int | None = None
        self.search = line_edit(
            self, "entrySearch", self.tr("Words in the entry"), self.tr("Type to find the entry")
        )
        self.list = QListWidget(self)
        self.list.setObjectName("entryList")
        self.list.setAccessibleName(self.tr("Entries, newest first"))
        self.list.itemActivated.connect(lambda _i: self.choose())
        self.search.textChanged.connect(lambda _t: self.fill())
        self.search.returnPressed.connect(self.choose)
        row, _cancel, self.choose_button = action_row(
            self,
            (self.tr("Cancel"), "entryCancel", self.reject),
            (self.tr("&Attach to this entry"), "entryChoose", self.choose),
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        lh = line_height(self)
        resize_on_screen(self, lh * 44, lh * 26)
        self.fill()
        self.search.setFocus()

    def fill(self) -> None:
        try:
            rows = self.session.require().list_incidents(
                IncidentFilter(text=self.search.text().strip()), limit=self.LIMIT
            )
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            rows = []
        self.list.clear()
        for r in rows:
            when = _day(r.occurred_start) if r.occurred_start else self.tr("no date")
            item = QListWidgetItem(f"{when}: {display_safe(r.summary, single_line=True)}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
        if rows:
            self.list.setCurrentRow(0)
        self.choose_button.setEnabled(bool(rows))

    def choose(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = int(item.data(Qt.ItemDataRole.UserRole))
        self.accept()


def choose_entry(parent: QWidget | None, session: Session) -> int | None:
    """The entry chosen, or None if the person cancelled."""
    picker = EntryPicker(session, parent)
    try:
        accepted = dialogs.exec_dialog(picker) == QDialog.DialogCode.Accepted
        return picker.chosen if accepted else None
    finally:
        picker.deleteLater()
