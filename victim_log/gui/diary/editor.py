"""The full editor (every field of an incident) and the reason prompt.

Why a reason: an edit never overwrites; it writes a new version, and a log that
says *why* it changed ("added details", "found the police reference") answers the
"you could have changed that" challenge. The prompt is short and prefilled so it
costs one keystroke.

Round-trips matter: opening an entry and saving without touching anything must
produce the same data (the vault then refuses to store a version that changes
nothing), so times, dates and fields the editor does not show (author, source) are
carried over exactly as stored unless the person changes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtCore import QDateTime
from PySide6.QtCore import Qt
from PySide6.QtCore import QTime
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDateEdit
from PySide6.QtWidgets import QDateTimeEdit
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QGridLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ...errors import VictimLogError
from ...model import EFFECTS
from ...model import KINDS
from ...model import PERSON_ROLES
from ...model import PRECISIONS
from ...model import IncidentData
from ...model import IncidentVersion
from ...model import PoliceReport
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.background_write import SaveInterrupted
from ..widgets.background_write import run_write
from ..widgets.common import DAY_FORMAT
from ..widgets.common import RowSpec
from ..widgets.common import boxed_text
from ..widgets.common import calendar_picker
from ..widgets.common import check_item
from ..widgets.common import form_group
from ..widgets.common import line_height
from ..widgets.common import name_window
from ..widgets.common import push_button
from ..widgets.common import resize_on_screen
from ..widgets.common import save_cancel_buttons
from ..widgets.common import scroll_area
from ..widgets.common import spec_line
from ..widgets.common import spec_text
from ..widgets.reason import ask_reason
from .kindpicker import KindPicker

if TYPE_CHECKING:
    from PySide6.QtWidgets import QListWidgetItem

# The text rows of the form (see widgets.common.RowSpec).
# fmt: off
_SUMMARY: RowSpec = ("&Summary", "summaryEdit", "Summary",
                     "A few words, e.g. \u201cCalls from a withheld number\u201d")
_DETAILS: RowSpec = ("&Details", "detailsEdit", "What happened and what was said",
                     "Exactly what happened. Put the words that were said in quotes.")
_LOCATION: RowSpec = ("W&here", "locationEdit", "Where", "")
_WITNESSES: RowSpec = ("&Witnesses", "witnessesEdit", "Witnesses", "Names and how to contact them")
_POLICE_REFERENCE: RowSpec = ("&Reference number", "policeReference",
                              "Crime or incident reference number", "")
_POLICE_OFFICER: RowSpec = ("&Officer", "policeOfficer", "Officer's name", "")
_POLICE_COLLAR: RowSpec = ("&Collar number", "policeCollar", "Officer's collar number", "")
# fmt: on


# --------------------------------------------------------------------------- time helpers


def wall_time(value: str) -> QDateTime | None:
    """A stored ISO time on the case's clock (:mod:`victim_log.casetime`), as the
    diary shows it everywhere else."""
    dt = casetime.parse_instant(value)
    if dt is None:
        return None
    dt = casetime.in_zone(dt)
    return QDateTime(QDate(dt.year, dt.month, dt.day), QTime(dt.hour, dt.minute, dt.second))


def iso_local(qdt: QDateTime, fold: int | None = None) -> str:
    """A wall time from an edit box as ISO 8601 with the case zone's offset for it.

    A time the zone skipped or had twice (a night the clocks changed) is returned
    without an offset, so saving refuses it with the reason (never a silent hour's
    move) and a draft still keeps it; ``fold`` (0 the first, 1 the second) is the
    person's answer for a time that happened twice.
    """
    d, t = qdt.date(), qdt.time()
    naive = datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second())
    zone = casetime.active_zone()
    kind = casetime.check_wall(naive, zone)
    if kind == "fold" and fold is not None:
        return casetime.fixed(naive.replace(tzinfo=zone, fold=fold)).isoformat(timespec="seconds")
    if kind != "ok":
        return naive.isoformat(timespec="seconds")
    return casetime.typed(naive, zone).isoformat(timespec="seconds")


def ask_which(parent: QWidget, problem: casetime.AmbiguousTime, naive: str) -> int | None:
    """Which of the two times a clock-change night had twice the person meant: 0 the
    first (summer time), 1 the second, None if they want to check the time first."""
    dt = datetime.fromisoformat(naive)
    zone = casetime.active_zone()
    first, second = (casetime.clock_text(dt.replace(tzinfo=zone, fold=f), zone) for f in (0, 1))
    return dialogs.choose(
        parent,
        parent.tr("Which %1?").replace("%1", f"{dt:%H:%M}"),
        problem.message,
        [
            parent.tr("%1 (the first)").replace("%1", first),
            parent.tr("%1 (the second)").replace("%1", second),
        ],
    )


def wall_key(qdt: QDateTime) -> str:
    """The wall time in an edit box as the key of an answer for a repeated time."""
    d, t = qdt.date(), qdt.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), t.second()).isoformat()


def validated_asking(
    parent: QWidget, build: Callable[[], IncidentData], folds: dict[str, int]
) -> IncidentData | None:
    """A form's data, validated; a time the clocks had twice (the night they went back)
    is asked about and the answer kept in ``folds`` for ``build`` to use, never moved
    by an hour. None: the person went back to check it. A time the clocks skipped is
    refused by ``validated`` with the reason. Shared by the editor and the quick log."""
    for _ in range(3):  # a start and an end may both need an answer
        data = build()
        try:
            return data.validated()
        except casetime.AmbiguousTime as exc:
            naive = next((v for v in (data.occurred_start, data.occurred_end) if v and len(v) == 19), "")
            if not naive:
                raise
            fold = ask_which(parent, exc, naive)
            if fold is None:
                return None
            folds[naive] = fold
    return build().validated()


# --------------------------------------------------------------------------- editor


def _text_of(edit: QLineEdit | QPlainTextEdit) -> str:
    return edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()


def _put_text(edit: QLineEdit | QPlainTextEdit, text: str) -> None:
    if isinstance(edit, QLineEdit):
        edit.setText(text)
    else:
        edit.setPlainText(text)


class IncidentEditor(QDialog):
    """Every field of an incident. Editing asks for a reason and writes a new version."""

    changed = Signal()

    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        incident: IncidentVersion | None = None,
        data: IncidentData | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.incident = incident
        self.saved_id: int | None = None
        self._folds: dict[str, int] = {}  # answers for times a clock change repeated
        self._original = incident.data if incident is not None else IncidentData(summary="", kinds=())
        start = data if data is not None else self._original
        self._loaded = start
        editing = incident is not None
        name_window(self, "incidentEditor", self.tr("Edit entry") if editing else self.tr("New entry"))
        vault = session.require()

        body = QWidget(self)
        form_layout = QVBoxLayout(body)

        # -- what
        what, what_form = form_group(body, self.tr("What happened"))
        self.summary = spec_line(what_form, self.tr, _SUMMARY)
        self.kinds = KindPicker(what, large=False, columns=4)
        what_form.addRow(self.tr("Kind"), self.kinds)
        self.details = spec_text(what_form, self.tr, _DETAILS, 6)
        self.location = spec_line(what_form, self.tr, _LOCATION)
        form_layout.addWidget(what)

        # -- when
        when, when_form = form_group(body, self.tr("When"))
        self.date_known = QCheckBox(self.tr("I know the date"), when)
        self.date_known.setAccessibleName(self.tr("I know the date"))
        self.start = calendar_picker(QDateTimeEdit(when), "startEdit", self.tr("Date and time it happened"))
        self.precision = QComboBox(when)
        self.precision.setObjectName("precisionCombo")
        self.precision.setAccessibleName(self.tr("How sure is the time"))
        for key, label in PRECISIONS.items():
            self.precision.addItem(self.tr(label), key)
        self.has_end = QCheckBox(self.tr("It went on until"), when)
        self.has_end.setAccessibleName(self.tr("It went on until a later time"))
        self.end = calendar_picker(QDateTimeEdit(when), "endEdit", self.tr("Date and time it ended"))
        start_row = QHBoxLayout()
        start_row.addWidget(self.date_known)
        start_row.addWidget(self.start, 1)
        start_row.addWidget(self.precision)
        end_row = QHBoxLayout()
        end_row.addWidget(self.has_end)
        end_row.addWidget(self.end, 1)
        when_form.addRow(self.tr("Started"), start_row)
        when_form.addRow(self.tr("Ended"), end_row)
        self.date_known.toggled.connect(self._update_when)
        self.has_end.toggled.connect(self._update_when)
        form_layout.addWidget(when)

        # -- who
        who, who_form = form_group(body, self.tr("Who"))
        self.people = QListWidget(who)
        self.people.setObjectName("peopleList")
        self.people.setAccessibleName(self.tr("People involved (tick all that apply)"))
        self.people.setFixedHeight(line_height(self) * 5 + 8)
        self.add_person_button = push_button(
            self.tr("Add &person\u2026"), who, "addPersonButton", self.tr("Add person"), self._add_person
        )
        people_box = QVBoxLayout()
        people_box.addWidget(self.people)
        people_box.addWidget(self.add_person_button, 0, Qt.AlignmentFlag.AlignLeft)
        who_form.addRow(self.tr("People"), people_box)
        self.witnesses = spec_text(who_form, self.tr, _WITNESSES, 3)
        form_layout.addWidget(who)

        # -- effect and actions
        effect, effect_layout, self.effect_text = boxed_text(
            body,
            self.tr("Effect on me"),
            "effectTextEdit",
            self.tr("Effect on me in my own words"),
            3,
            self.tr("In your own words: how it made you feel, what you changed"),
        )
        grid = QGridLayout()
        self.effects: dict[str, QCheckBox] = {}
        for i, (key, label) in enumerate(EFFECTS.items()):
            box = QCheckBox(self.tr(label), effect)
            box.setObjectName(f"effect_{key}")
            box.setAccessibleName(self.tr(label))
            self.effects[key] = box
            grid.addWidget(box, i // 2, i % 2)
        effect_layout.insertLayout(0, grid)
        QWidget.setTabOrder(box, self.effect_text)  # the ticks, then the words, as shown
        form_layout.addWidget(effect)
        did, _did_layout, self.actions_edit = boxed_text(
            body,
            self.tr("What I did"),
            "actionsEdit",
            self.tr("What I did"),
            3,
            self.tr("e.g. told a friend, called police, blocked the number, kept a screenshot"),
        )
        form_layout.addWidget(did)

        # -- police and orders
        police, police_form = form_group(body, self.tr("Police and orders"))
        self.police_reference = spec_line(police_form, self.tr, _POLICE_REFERENCE)
        self.police_officer = spec_line(police_form, self.tr, _POLICE_OFFICER)
        self.police_collar = spec_line(police_form, self.tr, _POLICE_COLLAR)
        self.reported = QCheckBox(self.tr("Reported on"), police)
        self.reported.setObjectName("reportedCheck")
        self.reported.setAccessibleName(self.tr("Reported on: I reported it to police"))
        self.reported_on = calendar_picker(
            QDateEdit(QDate.currentDate(), police),
            "reportedOn",
            self.tr("Date reported to police"),
            DAY_FORMAT,
        )
        self.reported.toggled.connect(self.reported_on.setEnabled)
        reported_row = QHBoxLayout()
        reported_row.addWidget(self.reported)
        reported_row.addWidget(self.reported_on, 1)
        police_form.addRow(self.tr("Reported"), reported_row)
        self.order = QComboBox(police)
        self.order.setObjectName("orderCombo")
        self.order.setAccessibleName(self.tr("Order condition this breaches"))
        self.add_order_button = push_button(
            self.tr("&Add an order\u2026"),
            police,
            "addOrder",
            self.tr("Add an order (record a protection order)"),
            self._add_order,
        )
        order_row = QHBoxLayout()
        order_row.addWidget(self.order, 1)
        order_row.addWidget(self.add_order_button)
        police_form.addRow(self.tr("Breach of"), order_row)
        # A breach dated outside its order's term, or before it was served, says so (#16.3).
        self.order_warning = QLabel(police)
        self.order_warning.setObjectName("orderInForce")
        self.order_warning.setWordWrap(True)
        self.order_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.order_warning.hide()
        police_form.addRow("", self.order_warning)
        self.order.currentIndexChanged.connect(self._check_in_force)
        self.start.dateTimeChanged.connect(self._check_in_force)
        self.end.dateTimeChanged.connect(self._check_in_force)
        form_layout.addWidget(police)

        # -- private and later
        private, private_layout, self.private_note = boxed_text(
            body, self.tr("Private note"), "privateNoteEdit", self.tr("Private note"), 3
        )
        hint = QLabel(self.tr("Only for you: you can leave private notes out of an export."), private)
        hint.setWordWrap(True)
        private_layout.insertWidget(0, hint)
        form_layout.addWidget(private)
        self.complete_later = QCheckBox(self.tr("Complete &later (this entry still needs details)"), body)
        self.complete_later.setObjectName("completeLaterCheck")
        self.complete_later.setAccessibleName(self.tr("Complete later"))
        form_layout.addWidget(self.complete_later)
        form_layout.addStretch(1)

        scroll = scroll_area(self, body, self.tr("All the details of the entry"))
        self.buttons, self.save_button = save_cancel_buttons(self, "editorSave", self.save)
        self.save_button.setText(self.tr("Save (Ctrl+Enter)"))
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        lh = line_height(self)
        resize_on_screen(self, lh * 48, lh * 42)

        self._fill_people(vault.list_people(), start.people)
        self._fill_orders((start.order_id, start.order_condition))
        # The typed fields, each under its IncidentData name: filled and read in one loop.
        self._typed: dict[str, QLineEdit | QPlainTextEdit] = {
            "summary": self.summary,
            "location": self.location,
            "details": self.details,
            "witnesses": self.witnesses,
            "effect_text": self.effect_text,
            "actions": self.actions_edit,
            "private_note": self.private_note,
        }
        self.set_data(start)
        self._lines = (
            self.summary,
            self.location,
            self.police_reference,
            self.police_officer,
            self.police_collar,
        )
        self._texts = (self.details, self.witnesses, self.effect_text, self.actions_edit, self.private_note)
        for w in self._lines:
            w.textChanged.connect(self.changed)
        for e in self._texts:
            e.textChanged.connect(self.changed)
        self.kinds.changed.connect(self.changed)
        self.summary.setFocus()

    # ------------------------------------------------------------------ filling

    def _fill_people(self, people: list[Any], chosen: tuple[int, ...]) -> None:
        self.people.clear()
        seen = set()
        for person in people:
            self._add_person_item(person.id, person.data.name, person.data.role, person.id in chosen)
            seen.add(person.id)
        vault = self.session.require()
        for pid in chosen:
            if pid not in seen:
                try:
                    p = vault.get_person(pid)
                except VictimLogError:
                    continue
                self._add_person_item(pid, p.data.name, p.data.role, True)

    def _add_person_item(self, pid: int, name: str, role: str, checked: bool) -> QListWidgetItem:
        role_label = self.tr(PERSON_ROLES.get(role, ""))
        text = display_safe(name, single_line=True)
        if role_label:
            text += f" \u2014 {role_label}"
        return check_item(self.people, text, pid, checked)

    def _fill_orders(self, wanted: tuple[int | None, str]) -> None:
        """Every order's conditions as choices, keeping ``wanted`` even if it is gone.

        This only fills the list; the caller selects. The first choice, "Not a breach of an
        order", is what an empty refill leaves selected, so no path here invents a breach.
        """
        self.order.clear()
        self.order.addItem(self.tr("Not a breach of an order"), (None, ""))
        for order in self.session.require().list_orders():
            name = display_safe(order.data.order_type, single_line=True)
            if order.data.reference:
                name += f" ({display_safe(order.data.reference, single_line=True)})"
            if not order.data.conditions:
                self.order.addItem(name, (order.id, ""))
            for condition in order.data.conditions:
                self.order.addItem(
                    f"{name}: {display_safe(condition, single_line=True)}", (order.id, condition)
                )
        order_id, condition = wanted
        if order_id is not None and self._order_index(wanted) < 0:
            self.order.addItem(
                display_safe(condition, single_line=True) or self.tr("Order %1").replace("%1", str(order_id)),
                wanted,
            )

    def _order_index(self, wanted: tuple[int | None, str]) -> int:
        for i in range(self.order.count()):
            if tuple(self.order.itemData(i)) == wanted:
                return i
        return -1

    def set_data(self, data: IncidentData) -> None:
        """Put ``data`` into the form (used on open and when restoring a draft)."""
        for name, edit in self._typed.items():
            _put_text(edit, getattr(data, name))
        self.kinds.set_kinds([k for k in data.kinds if k in KINDS])
        start = wall_time(data.occurred_start) if data.occurred_start else None
        self.date_known.setChecked(start is not None)
        self.start.setDateTime(start or QDateTime.currentDateTime())
        index = self.precision.findData(data.precision)
        self.precision.setCurrentIndex(max(0, index))
        end = wall_time(data.occurred_end) if data.occurred_end else None
        self.has_end.setChecked(end is not None)
        self.end.setDateTime(end or self.start.dateTime().addSecs(3600))
        for key, box in self.effects.items():
            box.setChecked(key in data.effects)
        self.police_reference.setText(data.police.reference)
        self.police_officer.setText(data.police.officer)
        self.police_collar.setText(data.police.collar_number)
        reported = QDate.fromString(data.police.reported_on[:10], Qt.DateFormat.ISODate)
        self.reported.setChecked(bool(data.police.reported_on))
        self.reported_on.setDate(reported if reported.isValid() else QDate.currentDate())
        self.reported_on.setEnabled(self.reported.isChecked())
        self.order.setCurrentIndex(max(0, self._order_index((data.order_id, data.order_condition))))
        self.complete_later.setChecked(data.complete_later)
        self._loaded = data
        self._update_when()

    def _update_when(self) -> None:
        known = self.date_known.isChecked()
        self.start.setEnabled(known)
        self.precision.setEnabled(known)
        self.has_end.setEnabled(known)
        self.end.setEnabled(known and self.has_end.isChecked())
        self._check_in_force()

    def _check_in_force(self, *_args: object) -> None:
        from .orders import show_in_force

        if not hasattr(self, "_typed"):  # still being built (its fields come last)
            return
        show_in_force(self.order_warning, self.incident_data(), self.session.require().list_orders())

    # ------------------------------------------------------------------ reading

    def _time_value(self, edit: QDateTimeEdit, original: str) -> str:
        """Keep the stored string when the wall time shown is unchanged (no false edits)."""
        shown = edit.dateTime()
        loaded = wall_time(original) if original else None
        if loaded is not None and shown.toString("yyyy-MM-dd HH:mm") == loaded.toString("yyyy-MM-dd HH:mm"):
            return original
        return iso_local(shown, self._folds.get(wall_key(shown)))

    def incident_data(self) -> IncidentData:
        """What the form says now (not validated: saving validates)."""
        loaded = self._loaded
        start = end = ""
        precision = self.precision.currentData()
        if self.date_known.isChecked():
            start = self._time_value(self.start, loaded.occurred_start)
            if self.has_end.isChecked():
                end = self._time_value(self.end, loaded.occurred_end)
        elif precision == "exact":
            precision = "unknown_time"
        people = []
        for i in range(self.people.count()):
            item = self.people.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                people.append(int(item.data(Qt.ItemDataRole.UserRole)))
        reported_on = ""
        if self.reported.isChecked():
            reported_on = self.reported_on.date().toString(Qt.DateFormat.ISODate)
            if loaded.police.reported_on and loaded.police.reported_on[:10] == reported_on:
                reported_on = loaded.police.reported_on
        order_id, condition = self.order.currentData() or (None, "")
        # Start from the version loaded, so a field this form does not show (the
        # author, an import's source) is kept as it was, never reset by an edit.
        return replace(
            loaded,
            **{name: _text_of(edit) for name, edit in self._typed.items()},
            kinds=self.kinds.kinds() or ("other",),
            occurred_start=start,
            occurred_end=end,
            precision=precision,
            people=tuple(people),
            effects=tuple(k for k, box in self.effects.items() if box.isChecked()),
            police=PoliceReport(
                reference=self.police_reference.text().strip(),
                officer=self.police_officer.text().strip(),
                collar_number=self.police_collar.text().strip(),
                reported_on=reported_on,
            ),
            complete_later=self.complete_later.isChecked(),
            order_id=order_id,
            order_condition=condition,
        )

    def draft(self) -> dict[str, Any]:
        """The unsaved form as plain data (the shell may keep it, encrypted, across a lock)."""
        return {
            "type": "editor",
            "incident_id": self.incident.incident_id if self.incident else None,
            "data": self.incident_data().to_dict(),
        }

    # ------------------------------------------------------------------ actions

    def _add_person(self) -> None:
        from ..people.people_dialog import PersonDialog

        pid = dialogs.run_for_saved_id(PersonDialog(self.session, self))
        if pid is None:
            return
        person = self.session.require().get_person(pid)
        item = self._add_person_item(pid, person.data.name, person.data.role, True)
        self.people.setCurrentItem(item)
        self.changed.emit()

    def _add_order(self) -> None:
        from .orders import OrderDialog

        oid = dialogs.run_for_saved_id(OrderDialog(self.session, self))
        if oid is None:
            return
        chosen = self.order.currentData() or (None, "")
        wanted = (chosen[0], chosen[1])
        self._fill_orders(wanted)
        # Keep exactly what the person had chosen (usually "Not a breach"). Never pick one
        # of the new order's conditions for them: a breach is a criminal allegation, and a
        # false one recorded by the software would be used against a truthful victim.
        self.order.setCurrentIndex(max(0, self._order_index(wanted)))
        self.changed.emit()

    def save(self) -> None:
        """Validate, ask for a reason when editing, write; stay open on any error."""
        try:
            data = self._validated()
            if data is None:
                return
            vault = self.session.require()
            if self.incident is None:
                self.saved_id = run_write(self, lambda: vault.add_incident(data))
            else:
                if data == self.incident.data:
                    dialogs.show_message(
                        self,
                        self.tr("Nothing to save"),
                        self.tr("Nothing has changed, so no new version was saved."),
                    )
                    return
                reason = ask_reason(self)
                if reason is None:
                    return
                incident_id = self.incident.incident_id
                run_write(self, lambda: vault.edit_incident(incident_id, data, reason))
                self.saved_id = incident_id
        except SaveInterrupted:
            return  # the lock closed the form and sealed it as a draft
        except Exception as exc:  # noqa: BLE001 - shown calmly; the form keeps what was typed
            dialogs.show_error(self, exc)
            return
        self.accept()

    def _validated(self) -> IncidentData | None:
        return validated_asking(self, self.incident_data, self._folds)

    def wipe(self) -> None:
        """Lock: empty every field (this also drops the text boxes' undo history)."""
        for w in self._lines:
            w.setText("")
        for e in self._texts:
            e.clear()
        self.people.clear()
        self.order.clear()
