"""People: the person doing this, anyone acting for them, witnesses.

Officers link incidents into a course of conduct through the person: every number,
account, alias and vehicle that belongs to them. The people dialog lists everyone
with those identifiers and, for the chosen person, their incidents (the same lazy
timeline model, filtered by person). Edits to a person are versioned with a
reason, like incidents.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QSplitter
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...errors import VictimLogError
from ...model import PERSON_ROLES
from ...model import Person
from ...model import PersonData
from ...textsafe import display_safe
from ...vault import IncidentFilter
from ..diary.timeline import TimelineList
from ..diary.timeline_model import TimelineModel
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.background_write import run_write
from ..widgets.common import line_height
from ..widgets.common import name_window
from ..widgets.common import plain_edit
from ..widgets.common import push_buttons
from ..widgets.common import resize_on_screen
from ..widgets.common import save_cancel_buttons
from ..widgets.common import scaled as scaled_font
from ..widgets.common import text_lines
from ..widgets.i18n import translator
from ..widgets.reason import ask_reason
from ..widgets.reason import take_out
from ..widgets.safelabel import SafeLabel

_tr = translator("People")


class PersonDialog(QDialog):
    """Add a person, or edit one (a new version, with a reason)."""

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, person: Person | None = None, name: str = ""
    ) -> None:
        super().__init__(parent)
        name_window(self, "personDialog", self.tr("Edit person") if person else self.tr("Add a person"))
        self.session = session
        self.person = person
        self.saved_id: int | None = None
        data = person.data if person else PersonData(name=name)

        form = QFormLayout()
        self.name = QLineEdit(data.name, self)
        self.name.setObjectName("personName")
        self.name.setAccessibleName(self.tr("Name"))
        self.name.setPlaceholderText(self.tr("A name, nickname or description"))
        form.addRow(self.tr("&Name"), self.name)
        self.role = QComboBox(self)
        self.role.setObjectName("personRole")
        self.role.setAccessibleName(self.tr("Role"))
        for key, label in PERSON_ROLES.items():
            self.role.addItem(self.tr(label), key)
        self.role.setCurrentIndex(max(0, self.role.findData(data.role)))
        form.addRow(self.tr("&Role"), self.role)
        self.relationship = QLineEdit(data.relationship, self)
        self.relationship.setObjectName("personRelationship")
        self.relationship.setAccessibleName(self.tr("Relationship to you"))
        self.relationship.setPlaceholderText(self.tr("e.g. ex-partner, neighbour, colleague"))
        form.addRow(self.tr("Re&lationship"), self.relationship)
        self.lists: dict[str, QPlainTextEdit] = {}
        lh = line_height(self)
        for key, label, hint in (
            ("aliases", self.tr("&Other names"), self.tr("Nicknames, other names (one per line)")),
            ("phones", self.tr("&Phone numbers"), self.tr("One per line")),
            ("accounts", self.tr("&Accounts"), self.tr("Social media handles, emails (one per line)")),
            ("vehicles", self.tr("&Vehicles"), self.tr("Description and registration (one per line)")),
        ):
            edit = plain_edit(self, label.replace("&", ""), 3, hint)
            edit.setObjectName(f"person_{key}")
            edit.setPlainText("\n".join(getattr(data, key)))
            self.lists[key] = edit
            form.addRow(label, edit)
        self.notes = plain_edit(self, self.tr("Notes"), 4)
        self.notes.setObjectName("personNotes")
        self.notes.setPlainText(data.notes)
        form.addRow(self.tr("No&tes"), self.notes)

        self.buttons, _save = save_cancel_buttons(self, "personSave", self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(lh * 34, self.sizeHint().height())
        self.name.setFocus()

    def person_data(self) -> PersonData:
        return PersonData(
            name=self.name.text(),
            role=self.role.currentData(),
            aliases=text_lines(self.lists["aliases"]),
            phones=text_lines(self.lists["phones"]),
            accounts=text_lines(self.lists["accounts"]),
            vehicles=text_lines(self.lists["vehicles"]),
            relationship=self.relationship.text().strip(),
            notes=self.notes.toPlainText(),
        )

    def save(self) -> None:
        """Write the person and close; stay open, with what was typed, on any error or a
        cancelled reason."""
        saved = dialogs.try_or_show(self, self._write)
        if saved is not None:
            self.saved_id = saved
            self.accept()

    def _write(self) -> int | None:
        """The id saved, or None when the person cancelled at the reason."""
        data = self.person_data().validated()
        vault = self.session.require()
        if self.person is None:
            return run_write(self, lambda: vault.add_person(data))
        if data == self.person.data:
            return self.person.id  # nothing changed: no new version, nothing to ask
        reason = ask_reason(self)
        if reason is not None:
            pid = self.person.id
            run_write(self, lambda: vault.edit_person(pid, data, reason))
            return pid
        return None


def describe_person(data: PersonData) -> list[tuple[str, str]]:
    """(label, text) pairs for what we know about someone, for display."""
    rows = [(_tr("Role"), _tr(PERSON_ROLES.get(data.role, data.role)))]
    if data.relationship:
        rows.append((_tr("Relationship"), data.relationship))
    for label, values in (
        (_tr("Other names"), data.aliases),
        (_tr("Phone numbers"), data.phones),
        (_tr("Accounts"), data.accounts),
        (_tr("Vehicles"), data.vehicles),
    ):
        if values:
            rows.append((label, "\n".join(values)))
    if data.notes:
        rows.append((_tr("Notes"), data.notes))
    return [(label, display_safe(text)) for label, text in rows]


class PeopleDialog(QDialog):
    """Everyone in the diary; choose someone to see what they know and their entries."""

    incident_chosen = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        name_window(self, "peopleDialog", self.tr("People"))
        self.session = session
        self.chosen_incident: int | None = None
        self.changed_people = False

        left = QWidget(self)
        self.list = QListWidget(left)
        self.list.setObjectName("peopleList")
        self.list.setAccessibleName(self.tr("People in your diary"))
        self.list.setSpacing(max(2, line_height(self) // 4))
        self.list.currentRowChanged.connect(self._person_selected)
        self.add_button, self.edit_button, self.delete_button = push_buttons(
            left,
            (self.tr("&Add person\u2026"), "addPerson", self.tr("Add person"), self.add_person),
            (self.tr("&Edit\u2026"), "editPerson", self.tr("Edit the chosen person"), self.edit_person),
            (
                self.tr("&Take out\u2026"),
                "deletePerson",
                self.tr("Take out the chosen person (from People)"),
                self.delete_person,
            ),
        )
        self.delete_button.setToolTip(
            self.tr("For someone added by mistake. The history keeps them, with your reason.")
        )
        self.list.itemActivated.connect(lambda _i: self.edit_person())
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.delete_button)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addLayout(buttons)

        right = QWidget(self)
        self.name_label = SafeLabel("", right, single_line=True)
        self.name_label.setObjectName("personTitle")
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        self.name_label.setFont(scaled_font(self.font(), 1.3, bold=True))
        self.facts = QFormLayout()
        self.incidents_label = QLabel(right)
        self.incidents_label.setTextFormat(Qt.TextFormat.PlainText)
        self.model = TimelineModel(session, self)
        self.incidents = TimelineList(right)
        self.incidents.setObjectName("personIncidents")
        self.incidents.setAccessibleName(self.tr("Entries involving this person"))
        self.incidents.setModel(self.model)
        self.incidents.activated.connect(self._incident_activated)
        self.model.query_finished.connect(self._counted)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.name_label)
        right_layout.addLayout(self.facts)
        right_layout.addWidget(self.incidents_label)
        right_layout.addWidget(self.incidents, 1)

        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        close.rejected.connect(self.reject)
        hint = QLabel(self.tr("Choose an entry and press Enter to open it in the timeline."), self)
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(hint)
        layout.addWidget(close)
        lh = line_height(self)
        resize_on_screen(self, lh * 60, lh * 36)
        splitter.setSizes([lh * 16, lh * 44])
        self.reload()

    def reload(self, select: int | None = None) -> None:
        current = select if select is not None else self.current_person_id()
        self.list.blockSignals(True)
        self.list.clear()
        try:
            people = self.session.require().list_people()
        except VictimLogError as exc:
            people = []
            dialogs.show_error(self, exc)
        for person in people:
            d = person.data
            role = self.tr(PERSON_ROLES.get(d.role, ""))
            item = QListWidgetItem(f"{display_safe(d.name, single_line=True)}\n{role}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{display_safe(d.name, single_line=True)}, {role}"
            )
        self.list.blockSignals(False)
        row = 0
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == current:
                row = i
        if self.list.count():
            self.list.setCurrentRow(row)
            self._person_selected(row)
        else:
            self._person_selected(-1)

    def current_person_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def _person_selected(self, row: int) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.edit_button.setEnabled(row >= 0)
        self.delete_button.setEnabled(row >= 0)
        if row < 0:
            self.name_label.setText(
                self.tr(
                    "No people yet. Add the person doing this, and anyone "
                    "acting for them or who saw what happened."
                )
            )
            self.name_label.setWordWrap(True)
            self.incidents_label.clear()
            self.model.clear()
            return
        pid = int(self.list.item(row).data(Qt.ItemDataRole.UserRole))
        try:
            person = self.session.require().get_person(pid)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        self.name_label.setText(person.data.name)
        for label, text in describe_person(person.data):
            value = QLabel(text, self)
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            name = QLabel(label, self)
            name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.facts.addRow(name, value)
        self.model.reload(IncidentFilter(person_id=pid))

    def _counted(self, total: int) -> None:
        self.incidents_label.setText(
            self.tr("No entries involve them yet.")
            if total == 0
            else self.tr("1 entry involves them:")
            if total == 1
            else self.tr("%1 entries involve them:").replace("%1", str(total))
        )

    def _incident_activated(self, index: object) -> None:
        incident_id = self.model.id_at(index.row())  # type: ignore[attr-defined]
        if incident_id is not None:
            self.chosen_incident = incident_id
            self.incident_chosen.emit(incident_id)
            self.accept()

    def add_person(self) -> None:
        saved = dialogs.run_for_saved_id(PersonDialog(self.session, self))
        if saved is not None:
            self._people_changed(saved)

    def edit_person(self) -> None:
        pid = self.current_person_id()
        if pid is None:
            return
        try:
            person = self.session.require().get_person(pid)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        if dialogs.run_for_saved_id(PersonDialog(self.session, self, person=person)) is not None:
            self._people_changed(pid)

    def delete_person(self) -> None:
        """Confirm, ask why, then take the person out (refused while entries name them)."""
        pid = self.current_person_id()
        if pid is None:
            return
        if not take_out(
            self,
            lambda reason: run_write(self, lambda: self.session.require().delete_person(pid, reason)),
            question=self.tr("Take this person out of People?"),
            explanation=self.tr(
                "For someone added by mistake. They leave the list; the history keeps them "
                "and the reason you give. Someone named in an entry or an order has to stay."
            ),
            verb=self.tr("Take out"),
            why=self.tr("Why take them out?"),
            example=self.tr("added twice by mistake"),
        ):
            return
        self._people_changed()

    def _people_changed(self, select: int | None = None) -> None:
        """Someone was added, edited or taken out: show the list anew, and let the diary
        know when this dialog closes (names in its entries may have changed)."""
        self.changed_people = True
        self.reload(select=select)

    def wipe(self) -> None:
        self.model.clear()
        self.list.clear()
        while self.facts.rowCount():
            self.facts.removeRow(0)
        self.name_label.clear()
