"""Protection orders: the list of them, the form that records one, and the warning an
entry shows when its breach is dated outside its order's term.

A breach of a stalking protection order (or a non-molestation or restraining order)
is a criminal offence in itself, and officers charge it per condition: "must not
contact her directly or indirectly". So the order is kept with its conditions, word
for word, and the full editor offers each condition as a "Breach of" choice.

A breach counts only while the order is in force and, for an order made without
notice, once it was served (s.42A Family Law Act 1996). So the form records when it was
made, served (how, by whom), whether interim or full, made without notice, when it ends
and each variation; dates are picked from a calendar (free text let "4/3/2026" mean
two different days). A change is a new version with a reason, never an overwrite.
The dialogs only gather what was typed; the core checks it (``OrderData.validated``)
and judges breaches (``victim_log.breaches``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDateEdit
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ...breaches import BreachCheck
from ...breaches import check_breach
from ...model import SERVICE_METHODS
from ...model import IncidentData
from ...model import Order
from ...model import OrderData
from ...model import OrderVariation
from ...model import order_day
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.background_write import run_write
from ..widgets.common import DAY_FORMAT
from ..widgets.common import RowSpec
from ..widgets.common import calendar_picker
from ..widgets.common import day_text
from ..widgets.common import form_group
from ..widgets.common import line_edit
from ..widgets.common import line_height
from ..widgets.common import named
from ..widgets.common import push_buttons
from ..widgets.common import resize_on_screen
from ..widgets.common import save_cancel_buttons
from ..widgets.common import scroll_area
from ..widgets.common import spec_line
from ..widgets.common import spec_text
from ..widgets.common import text_lines

# The orders victims in England and Wales most often hold (see DOMAIN.md).
ORDER_TYPES = (
    "Stalking Protection Order",
    "Interim Stalking Protection Order",
    "Non-molestation order",
    "Restraining order",
    "Domestic Abuse Protection Order",
    "Injunction",
)

REMIND_DAYS = 28  # an order ending within four weeks is pointed out in the list


# The text rows of the form (see widgets.common.RowSpec).
# fmt: off
_SERVED_BY: RowSpec = ("Served &by", "orderServedBy", "Who served the order", "e.g. PC Jones 1234")
_COURT: RowSpec = ("&Court", "orderCourt", "Court", "e.g. Nottingham Magistrates' Court")
_REFERENCE: RowSpec = ("&Reference", "orderReference", "Order or case reference", "")
_CONDITIONS: RowSpec = ("C&onditions", "orderConditions", "Conditions, one per line",
                        "e.g. Must not contact Sam directly or indirectly by any means")
_VARY_WHAT: RowSpec = ("&What changed", "orderVaryWhat", "What the variation changed",
                       "e.g. exclusion zone added")
# fmt: on


def check_text(check: BreachCheck) -> str:
    """The in-force check in words, dates as ``4 Mar 2026``, with a warning sign when
    the breach is flagged (so it reads as a caution without colour)."""
    text = check.text(day_text)
    return ("\u26a0 " + text) if check.flagged else text


def show_in_force(label: QLabel, data: IncidentData, orders: Iterable[Order]) -> None:
    """Set ``label`` to the warning for ``data``'s breach, hidden when there is nothing
    to warn about (not a breach, or in force as far as the log shows)."""
    check = check_breach(data, list(orders), zone=casetime.active_zone())
    if check is None or not check.flagged:
        label.clear()
        label.hide()
        return
    label.setText(check_text(check))
    label.show()


class DateField(QWidget):
    """A date picked from a calendar, or none: "not recorded" / "until further order".

    Qt's date edit always holds a date, so "none" is a tick-box beside it; choosing a
    date unticks it, so the form never keeps a date the person did not pick.
    """

    def __init__(self, parent: QWidget, name: str, accessible: str, none_text: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.none = QCheckBox(none_text, self)
        self.none.setObjectName(name + "None")
        self.none.setAccessibleName(f"{accessible}: {none_text}")
        self.none.setChecked(True)
        self.date_edit = calendar_picker(
            QDateEdit(QDate.currentDate(), self),
            name + "Date",
            accessible,
            DAY_FORMAT,
        )
        self.date_edit.setMinimumDate(QDate(1900, 1, 1))
        self.date_edit.setMaximumDate(QDate(2199, 12, 31))
        self.date_edit.dateChanged.connect(lambda _d: self.none.setChecked(False))
        calendar = self.date_edit.calendarWidget()
        if calendar is not None:  # picking the date already shown (today) changes nothing
            calendar.clicked.connect(lambda _d: self.none.setChecked(False))
            calendar.activated.connect(lambda _d: self.none.setChecked(False))
        # An order stored before dates were picked may hold text like "4/3/2026" (two
        # possible days): shown as it was, so the person can pick the date it means.
        self.note = QLabel(self)
        self.note.setObjectName(name + "Note")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        row = QHBoxLayout()
        row.addWidget(self.date_edit, 1)
        row.addWidget(self.none)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.note)
        self.setFocusProxy(self.date_edit)

    def value(self) -> str:
        """``YYYY-MM-DD``, or "" when none."""
        return "" if self.none.isChecked() else self.date_edit.date().toString(Qt.DateFormat.ISODate)

    def set_value(self, value: str) -> None:
        day = order_day(value)
        if day is not None:
            self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.none.setChecked(day is None)
        unreadable = day is None and bool(value.strip())
        self.note.setText(
            self.tr("Recorded before as \u201c%1\u201d: please pick the date it means.").replace(
                "%1", display_safe(value, single_line=True)[:40]
            )
            if unreadable
            else ""
        )
        self.note.setVisible(unreadable)


class OrderDialog(QDialog):
    """Add a protection order, or change one (record its service, a variation, or
    correct it): its kind, dates, service, court, reference and conditions."""

    def __init__(self, session: Session, parent: QWidget | None = None, order: Order | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.session = session
        self.order = order
        self.saved_id: int | None = None
        self.setWindowTitle(
            self.tr("Change a protection order") if order else self.tr("Add an order (a protection order)")
        )
        self.setAccessibleName(self.windowTitle())
        lh = line_height(self)

        intro = QLabel(
            self.tr(
                "Copy the conditions from the order, one per line, in its own words. When "
                "something breaks a condition, choose it under \u201cBreach of\u201d in the entry. "
                "A breach counts from the day the order was served on him or her, so record "
                "that too when you know it."
            ),
            self,
        )
        intro.setWordWrap(True)
        body = QWidget(self)
        form = QFormLayout(body)
        self.order_type = QComboBox(body)
        self.order_type.setObjectName("orderType")
        self.order_type.setEditable(True)
        self.order_type.addItems([self.tr(t) for t in ORDER_TYPES])
        self.order_type.setAccessibleName(self.tr("Kind of order"))
        line = self.order_type.lineEdit()
        if line is not None:
            line.setAccessibleName(self.tr("Kind of order"))
        form.addRow(self.tr("&Kind of order"), self.order_type)
        self.stage = QComboBox(body)
        self.stage.setObjectName("orderStage")
        self.stage.setAccessibleName(self.tr("Interim or full order"))
        self.stage.addItem(self.tr("Not recorded"), None)
        self.stage.addItem(self.tr("Interim order"), True)
        self.stage.addItem(self.tr("Full order"), False)
        form.addRow(self.tr("&Interim or full"), self.stage)
        self.made_on = DateField(
            body, "orderMadeOn", self.tr("Date the order was made"), self.tr("Not recorded")
        )
        form.addRow(self.tr("&Made on"), self.made_on)
        self.without_notice = QCheckBox(
            self.tr("Made without notice (he or she was not told of the hearing)"), body
        )
        self.without_notice.setObjectName("orderWithoutNotice")
        self.without_notice.setAccessibleName(
            self.tr("Made without notice (the respondent was not told of the hearing)")
        )
        form.addRow("", self.without_notice)
        self.served_on = DateField(
            body, "orderServedOn", self.tr("Date the order was served"), self.tr("Not served, or not known")
        )
        form.addRow(self.tr("&Served on"), self.served_on)
        self.served_how = QComboBox(body)
        self.served_how.setObjectName("orderServedHow")
        self.served_how.setEditable(True)
        self.served_how.addItems(["", *(self.tr(m) for m in SERVICE_METHODS)])
        self.served_how.setAccessibleName(self.tr("How the order was served"))
        how_line = self.served_how.lineEdit()
        if how_line is not None:
            how_line.setAccessibleName(self.tr("How the order was served"))
        form.addRow(self.tr("&How served"), self.served_how)
        self.served_by = spec_line(form, self.tr, _SERVED_BY)
        self.expires_on = DateField(
            body, "orderExpiresOn", self.tr("Date the order ends"), self.tr("Until further order")
        )
        form.addRow(self.tr("&Ends on"), self.expires_on)
        self.court = spec_line(form, self.tr, _COURT)
        self.reference = spec_line(form, self.tr, _REFERENCE)
        self.person = QComboBox(body)
        self.person.setObjectName("orderPerson")
        self.person.setAccessibleName(self.tr("The person the order is against"))
        self.person.addItem(self.tr("Not linked to a person"), -1)
        for p in session.require().list_people():
            self.person.addItem(display_safe(p.data.name, single_line=True), p.id)
        if self.person.count() > 1:
            self.person.setCurrentIndex(1)
        form.addRow(self.tr("&Against"), self.person)
        self.conditions = spec_text(form, self.tr, _CONDITIONS, 6)

        # A change: a variation by the court, and why this version is saved.
        self.vary, vary_form = form_group(body, self.tr("The court varied the order"))
        named(self.vary, "orderVary", self.tr("Record a variation of the order"))
        self.vary.setCheckable(True)
        self.vary.setChecked(False)
        self.vary_on = calendar_picker(
            QDateEdit(QDate.currentDate(), self.vary),
            "orderVaryOn",
            self.tr("Date the order was varied"),
            DAY_FORMAT,
        )
        vary_form.addRow(self.tr("&Varied on"), self.vary_on)
        self.vary_what = spec_line(vary_form, self.tr, _VARY_WHAT)
        self.reason = line_edit(
            self, "orderReason", self.tr("Why you are changing this order"), self.tr("e.g. it was served")
        )
        if order is not None:
            form.addRow(self.vary)
            form.addRow(self.tr("Reason for the c&hange"), self.reason)
            self._fill(order.data)
        else:
            self.vary.hide()
            self.reason.hide()

        scroll = scroll_area(self, body, self.tr("The order"))
        self.buttons, _save = save_cancel_buttons(self, "orderSave", self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        resize_on_screen(self, lh * 42, body.sizeHint().height() + intro.sizeHint().height() + lh * 6)
        self.order_type.setFocus()

    def _fill(self, d: OrderData) -> None:
        self.order_type.setCurrentText(d.order_type)
        self.stage.setCurrentIndex(max(0, self.stage.findData(d.interim)) if d.interim is not None else 0)
        self.made_on.set_value(d.made_on)
        self.without_notice.setChecked(d.without_notice)
        self.served_on.set_value(d.served_on)
        self.served_how.setCurrentText(d.served_how)
        self.served_by.setText(d.served_by)
        self.expires_on.set_value(d.expires_on)
        self.court.setText(d.court)
        self.reference.setText(d.reference)
        index = self.person.findData(d.person_id if d.person_id is not None else -1)
        self.person.setCurrentIndex(max(0, index))
        self.conditions.setPlainText("\n".join(d.conditions))

    def order_data(self) -> OrderData:
        person = self.person.currentData()
        variations = self.order.data.variations if self.order is not None else ()
        if self.order is not None and self.vary.isChecked():
            on = self.vary_on.date().toString(Qt.DateFormat.ISODate)
            variations = (*variations, OrderVariation(on=on, what=self.vary_what.text().strip()))
        data = OrderData(
            order_type=self.order_type.currentText().strip(),
            made_on=self.made_on.value(),
            expires_on=self.expires_on.value(),
            court=self.court.text().strip(),
            reference=self.reference.text().strip(),
            conditions=text_lines(self.conditions),
            person_id=int(person) if person is not None and int(person) >= 0 else None,
            served_on=self.served_on.value(),
            served_how=self.served_how.currentText().strip(),
            served_by=self.served_by.text().strip(),
            interim=self.stage.currentData(),
            without_notice=self.without_notice.isChecked(),
            variations=variations,
        )
        if self.order is not None and self.vary.isChecked() and data.expires_on != self.order.data.expires_on:
            last = dataclasses.replace(variations[-1], expires_on=data.expires_on)
            data = dataclasses.replace(data, variations=(*variations[:-1], last))
        return data

    def save(self) -> None:
        vault = self.session.require()
        try:
            data = self.order_data()
            if self.order is None:
                self.saved_id = run_write(self, lambda: vault.add_order(data))
            else:
                oid, reason = self.order.id, self.reason.text()
                run_write(self, lambda: vault.update_order(oid, data, reason))
                self.saved_id = oid
        except Exception as exc:  # noqa: BLE001 - shown calmly; the form keeps what was typed
            dialogs.show_error(self, exc)
            return
        self.accept()


def order_summary(order: Order, today: date | None = None) -> str:
    """One order in a line or two: kind, reference, made, served, ends (with a reminder
    when it ends within :data:`REMIND_DAYS`)."""
    d = order.data
    today = today or date.today()
    name = display_safe(d.order_type, single_line=True)
    if d.reference:
        name += f" ({display_safe(d.reference, single_line=True)})"
    if d.interim is not None:
        name += " \u2014 interim" if d.interim else " \u2014 full order"
    made = f"made {day_text(d.made_on)}" if d.made_on else "date made not recorded"
    if d.served_on:
        served = f"served {day_text(d.served_on)}"
    else:
        served = "service not recorded" + (" (made without notice)" if d.without_notice else "")
    end = order_day(d.expires_on)
    if end is None:
        ends = "until further order"
    elif end < today:
        ends = f"ended {day_text(end)}"
    elif (end - today).days <= REMIND_DAYS:
        ends = f"\u26a0 ends {day_text(end)}, in {(end - today).days} days"
    else:
        ends = f"ends {day_text(end)}"
    varied = f", varied {len(d.variations)}\u00d7" if d.variations else ""
    return f"{name}\n{made}, {served}, {ends}{varied}"


class OrdersDialog(QDialog):
    """The orders screen: every order, with Add and Change (record service, a variation,
    or correct it). Orders ending soon say so."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ordersDialog")
        self.session = session
        self.setWindowTitle(self.tr("Protection orders"))
        self.setAccessibleName(self.windowTitle())
        self.list = QListWidget(self)
        self.list.setObjectName("ordersList")
        self.list.setAccessibleName(self.tr("Your protection orders"))
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda _i: self.change())
        self.add_button, self.change_button = push_buttons(
            self,
            (
                self.tr("&Add an order\u2026"),
                "ordersAdd",
                self.tr("Add an order (a protection order)"),
                self.add,
            ),
            (
                self.tr("&Change, served or varied\u2026"),
                "ordersChange",
                self.tr("Change, served or varied: the chosen order"),
                self.change,
            ),
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        close.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.change_button)
        row.addStretch(1)
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        lh = line_height(self)
        resize_on_screen(self, lh * 40, lh * 22)
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        self.list.clear()
        for order in self.session.require().list_orders():
            item = QListWidgetItem(order_summary(order), self.list)
            item.setData(Qt.ItemDataRole.UserRole, order.id)
            if order.id == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.change_button.setEnabled(self.list.count() > 0)
        if not self.list.count():
            QListWidgetItem(self.tr("No order recorded yet."), self.list).setFlags(Qt.ItemFlag.NoItemFlags)

    def add(self) -> None:
        oid = dialogs.run_for_saved_id(OrderDialog(self.session, self))
        if oid is not None:
            self.refresh(oid)

    def change(self) -> None:
        item = self.list.currentItem()
        oid = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if oid is None:
            return
        order = self.session.require().get_order(int(oid))
        if dialogs.run_for_saved_id(OrderDialog(self.session, self, order)) is not None:
            self.refresh(int(oid))


def open_orders(session: Session, parent: QWidget | None = None) -> None:
    """The orders screen, run through the dialog seam (tests answer it)."""
    dialog = OrdersDialog(session, parent)
    try:
        dialogs.exec_dialog(dialog)
    finally:
        dialog.deleteLater()
