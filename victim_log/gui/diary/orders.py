"""Recording a protection order, so that entries can be marked as breaches of it.

A breach of a stalking protection order (or a non-molestation or restraining order)
is a criminal offence in itself, and officers charge it per condition: "must not
contact her directly or indirectly". So the order is kept with its conditions, word
for word, and the full editor offers each condition as a "Breach of" choice. The
dialog only gathers the words; the core checks them (``OrderData.validated``).
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...model import OrderData
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.common import line_height, plain_edit, save_cancel_buttons, text_lines

# The orders victims in England and Wales most often hold (see DOMAIN.md).
ORDER_TYPES = (
    "Stalking Protection Order",
    "Interim Stalking Protection Order",
    "Non-molestation order",
    "Restraining order",
    "Domestic Abuse Protection Order",
    "Injunction",
)


class OrderDialog(QDialog):
    """Add a protection order: its kind, dates, court, reference and conditions."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("orderDialog")
        self.session = session
        self.saved_id: int | None = None
        self.setWindowTitle(self.tr("Add a protection order"))
        self.setAccessibleName(self.windowTitle())
        lh = line_height(self)

        intro = QLabel(
            self.tr(
                "Copy the conditions from the order, one per line, in its own words. When "
                "something breaks a condition, choose it under \u201cBreach of\u201d in the entry."
            ),
            self,
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        self.order_type = QComboBox(self)
        self.order_type.setObjectName("orderType")
        self.order_type.setEditable(True)
        self.order_type.addItems([self.tr(t) for t in ORDER_TYPES])
        self.order_type.setAccessibleName(self.tr("Kind of order"))
        line = self.order_type.lineEdit()
        if line is not None:
            line.setAccessibleName(self.tr("Kind of order"))
        form.addRow(self.tr("&Kind of order"), self.order_type)
        self.made_on = self._line(
            "orderMadeOn", self.tr("Date the order was made"), self.tr("e.g. 2026-03-04")
        )
        form.addRow(self.tr("&Made on"), self.made_on)
        self.expires_on = self._line(
            "orderExpiresOn",
            self.tr("Date the order ends"),
            self.tr("Leave empty if it lasts until further order"),
        )
        form.addRow(self.tr("&Ends on"), self.expires_on)
        self.court = self._line("orderCourt", self.tr("Court"), self.tr("e.g. Nottingham Magistrates' Court"))
        form.addRow(self.tr("&Court"), self.court)
        self.reference = self._line("orderReference", self.tr("Order or case reference"), "")
        form.addRow(self.tr("&Reference"), self.reference)
        self.person = QComboBox(self)
        self.person.setObjectName("orderPerson")
        self.person.setAccessibleName(self.tr("The person the order is against"))
        self.person.addItem(self.tr("Not linked to a person"), -1)
        for p in session.require().list_people():
            self.person.addItem(display_safe(p.data.name, single_line=True), p.id)
        if self.person.count() > 1:
            self.person.setCurrentIndex(1)
        form.addRow(self.tr("&Against"), self.person)
        self.conditions = plain_edit(
            self,
            self.tr("Conditions, one per line"),
            6,
            self.tr("e.g. Must not contact Sam directly or indirectly by any means"),
        )
        self.conditions.setObjectName("orderConditions")
        form.addRow(self.tr("C&onditions"), self.conditions)

        self.buttons, _save = save_cancel_buttons(self, "orderSave", self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(lh * 40, self.sizeHint().height())
        self.order_type.setFocus()

    def _line(self, name: str, accessible: str, hint: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(hint)
        return edit

    def order_data(self) -> OrderData:
        person = self.person.currentData()
        return OrderData(
            order_type=self.order_type.currentText().strip(),
            made_on=self.made_on.text().strip(),
            expires_on=self.expires_on.text().strip(),
            court=self.court.text().strip(),
            reference=self.reference.text().strip(),
            conditions=text_lines(self.conditions),
            person_id=int(person) if person is not None and int(person) >= 0 else None,
        )

    def save(self) -> None:
        try:
            self.saved_id = self.session.require().add_order(self.order_data())
        except Exception as exc:  # noqa: BLE001 - shown calmly; the form keeps what was typed
            dialogs.show_error(self, exc)
            return
        self.accept()
