"""Orders in the app (#16.3, #18.3): dates picked from a calendar, service, interim or
full, without notice, variations as new versions with a reason; the orders screen; and
the warning an entry shows when its breach is dated outside its order's term."""

from __future__ import annotations

import dataclasses
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit
from PySide6.QtWidgets import QLineEdit

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import show_active
from tests.gui.conftest import unnamed_controls
from victim_log.gui.diary.detail import DetailPane
from victim_log.gui.diary.editor import IncidentEditor
from victim_log.gui.diary.orders import OrderDialog
from victim_log.gui.diary.orders import OrdersDialog
from victim_log.gui.diary.orders import order_summary
from victim_log.gui.shell.session import Session
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.vault import Vault

SERVED = OrderData(
    "Non-molestation order",
    reference="NMO/24/1",
    made_on="2024-03-01",
    served_on="2024-03-05",
    without_notice=True,
    conditions=("No contact",),
)


def _dialog(qtbot, session: Session, **kw: object) -> OrderDialog:
    dialog = OrderDialog(session, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    return dialog


def test_an_order_with_service_from_date_pickers(qtbot, session: Session, vault: Vault) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    dialog = _dialog(qtbot, session)
    assert unnamed_controls(dialog) == []
    # Every date is a calendar date edit; no date is free text any more (#18.3).
    for field in (dialog.made_on, dialog.served_on, dialog.expires_on):
        assert isinstance(field.date_edit, QDateEdit) and field.date_edit.calendarPopup()
        assert field.findChildren(QLineEdit) == field.date_edit.findChildren(QLineEdit)  # no text box
        assert field.value() == ""  # nothing is recorded until a date is picked
    dialog.order_type.setCurrentText("Non-molestation order")
    dialog.stage.setCurrentIndex(dialog.stage.findData(True))
    dialog.made_on.date_edit.setDate(QDate(2024, 3, 1))
    dialog.without_notice.click()
    dialog.served_on.date_edit.setDate(QDate(2024, 3, 5))
    dialog.served_how.setCurrentText("By a police officer")
    qtbot.keyClicks(dialog.served_by, "PC Jones 1234")
    dialog.expires_on.date_edit.setDate(QDate(2025, 3, 1))
    dialog.conditions.setPlainText("No contact\n")
    dialog.buttons.accepted.emit()
    [order] = vault.list_orders()
    d = order.data
    assert (d.made_on, d.served_on, d.expires_on) == ("2024-03-01", "2024-03-05", "2025-03-01")
    assert (d.served_how, d.served_by, d.interim, d.without_notice) == (
        "By a police officer",
        "PC Jones 1234",
        True,
        True,
    )
    assert d.person_id == dan


def test_a_date_can_be_taken_back_to_until_further_order(qtbot, session: Session, vault: Vault) -> None:
    dialog = _dialog(qtbot, session)
    dialog.expires_on.date_edit.setDate(QDate(2027, 1, 1))
    assert dialog.expires_on.value() == "2027-01-01"
    dialog.expires_on.none.click()
    assert dialog.expires_on.value() == ""


def test_service_and_a_variation_are_new_versions_with_a_reason(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    oid = vault.add_order(OrderData("Stalking Protection Order", made_on="2024-03-01", without_notice=True))
    dialog = _dialog(qtbot, session, order=vault.get_order(oid))
    assert dialog.made_on.value() == "2024-03-01" and dialog.without_notice.isChecked()
    assert dialog.served_on.value() == ""
    dialog.served_on.date_edit.setDate(QDate(2024, 3, 6))
    dialog.vary.setChecked(True)
    dialog.vary_on.setDate(QDate(2024, 6, 1))
    qtbot.keyClicks(dialog.vary_what, "Exclusion zone added")
    answers.ok()  # no reason given: refused calmly, nothing saved
    dialog.buttons.accepted.emit()
    assert vault.get_order(oid).version == 1
    qtbot.keyClicks(dialog.reason, "served and varied")
    dialog.buttons.accepted.emit()
    history = vault.order_history(oid)
    assert [(o.version, o.reason) for o in history] == [(1, "created"), (2, "served and varied")]
    d = history[-1].data
    assert d.served_on == "2024-03-06"
    assert [(v.on, v.what) for v in d.variations] == [("2024-06-01", "Exclusion zone added")]
    assert history[0].data.served_on == ""  # the earlier version is kept as it was


def test_the_orders_screen_lists_service_and_reminds_of_the_end(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    vault.add_order(SERVED)
    screen = OrdersDialog(session)
    qtbot.addWidget(screen)
    show_active(qtbot, screen)
    assert unnamed_controls(screen) == []
    text = screen.list.item(0).text()
    assert "served 5 Mar 2024" in text and "until further order" in text

    def add(dialog: OrderDialog) -> None:
        dialog.order_type.setCurrentText("Restraining order")
        dialog.made_on.date_edit.setDate(QDate(2024, 1, 10))
        dialog.buttons.accepted.emit()

    answers.add(add, OrderDialog)
    screen.add_button.click()
    assert screen.list.count() == 2
    assert "service not recorded" in screen.list.currentItem().text()
    soon = OrderData("Restraining order", made_on="2024-01-10", expires_on="2024-02-01")
    assert "\u26a0 ends 1 Feb 2024, in 11 days" in order_summary(
        vault.get_order(vault.add_order(soon)), today=date(2024, 1, 21)
    )


def test_entry_detail_warns_of_a_breach_outside_the_term(qtbot, session: Session, vault: Vault) -> None:
    oid = vault.add_order(SERVED)
    before = vault.add_incident(
        IncidentData(
            "Texted again",
            kinds=("message", "order_breach"),
            occurred_start="2024-03-03T20:00:00+00:00",
            order_id=oid,
            order_condition="No contact",
        )
    )
    inside = vault.add_incident(
        IncidentData(
            "Texted again later",
            kinds=("message", "order_breach"),
            occurred_start="2024-04-03T20:00:00+00:00",
            order_id=oid,
            order_condition="No contact",
        )
    )
    pane = DetailPane(session)
    qtbot.addWidget(pane)
    pane.show_incident(before)
    row = pane.fields.rows()["Order in force?"]
    assert row.startswith(
        "\u26a0 Not yet served: dated 3 Mar 2024, before the order was served on 5 Mar 2024"
    )
    pane.show_incident(inside)
    assert pane.fields.rows()["Order in force?"].startswith("In force on the date of the breach")


def test_the_editor_warns_while_the_breach_is_dated_outside_the_term(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    oid = vault.add_order(SERVED)
    incident = vault.add_incident(
        IncidentData(
            "Waited outside",
            kinds=("loitering", "order_breach"),
            occurred_start="2024-02-20T20:00:00+00:00",
            order_id=oid,
            order_condition="No contact",
        )
    )
    editor = IncidentEditor(session, incident=vault.get_incident(incident))
    qtbot.addWidget(editor)
    show_active(qtbot, editor)
    assert editor.order_warning.isVisibleTo(editor)
    assert "before the order was made on 1 Mar 2024" in editor.order_warning.text()
    editor.start.setDate(QDate(2024, 4, 2))
    assert not editor.order_warning.isVisibleTo(editor)  # in force: nothing to warn about
    editor.order.setCurrentIndex(0)  # "Not a breach of an order", the kind still says breach
    assert "not linked to a recorded order" in editor.order_warning.text()


def test_an_old_free_text_date_is_shown_to_be_picked_again(qtbot, session: Session, vault: Vault) -> None:
    """Before the date pickers, "4/3/2026" was stored as typed (4 March or 3 April?)."""
    oid = vault.add_order(OrderData("Restraining order"))
    old = dataclasses.replace(vault.get_order(oid), data=OrderData("Restraining order", made_on="4/3/2026"))
    dialog = _dialog(qtbot, session, order=old)
    assert dialog.made_on.value() == ""
    assert dialog.made_on.note.isVisibleTo(dialog)
    assert "\u201c4/3/2026\u201d" in dialog.made_on.note.text()
    assert not dialog.served_on.note.isVisibleTo(dialog)


def test_picking_todays_date_from_the_calendar_records_it(qtbot, session: Session, vault: Vault) -> None:
    """The picker starts on today: choosing that same day must still count as a choice."""
    dialog = _dialog(qtbot, session)
    calendar = dialog.served_on.date_edit.calendarWidget()
    calendar.clicked.emit(QDate.currentDate())
    assert dialog.served_on.value() == QDate.currentDate().toString("yyyy-MM-dd")
