"""The full editor: every field round-trips, edits need a reason and make a new version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime

import pytest
from PySide6.QtCore import QDate
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import show_active
from tests.gui.conftest import unnamed_controls
from victim_log.gui.diary.editor import IncidentEditor
from victim_log.gui.diary.orders import OrderDialog
from victim_log.gui.people.people_dialog import PersonDialog
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets.reason import DEFAULT_REASON
from victim_log.gui.widgets.reason import ReasonDialog
from victim_log.gui.widgets.reason import ask_reason
from victim_log.model import IncidentData
from victim_log.model import OrderData
from victim_log.model import PersonData
from victim_log.model import PoliceReport
from victim_log.vault import Vault

from .conftest import alt_letters


def editor_for(qtbot, session: Session, incident_id: int | None = None) -> IncidentEditor:
    current = session.require().get_incident(incident_id) if incident_id else None
    editor = IncidentEditor(session, incident=current)
    qtbot.addWidget(editor)
    show_active(qtbot, editor)
    return editor


@pytest.fixture
def full_incident(vault: Vault) -> int:
    dan = vault.add_person(PersonData(name="Dan Marsh", phones=("07700 900123",)))
    priya = vault.add_person(PersonData(name="Priya Shah", role="witness"))
    order = vault.add_order(
        OrderData(
            order_type="Stalking Protection Order",
            reference="SPO/1",
            conditions=("No contact by any means", "Not to enter High Street"),
        )
    )
    return vault.add_incident(
        IncidentData(
            summary="Dan seen on High Street",
            kinds=("turned_up", "order_breach"),
            occurred_start="2026-08-02T17:20:00+01:00",
            occurred_end="2026-08-02T17:45:30+01:00",
            precision="approximate",
            location="Outside the Co-op on High Street",
            details='He stared and said "see you soon".',
            people=(dan, priya),
            witnesses="Priya Shah, 07700 900321",
            effects=("afraid_violence", "stayed_home"),
            effect_text="Did not go out for two days.",
            actions="Called 101.",
            police=PoliceReport(
                reference="EX/26/150777",
                officer="DC Alex Reid",
                collar_number="3310",
                reported_on="2026-08-03",
            ),
            private_note="Scared to tell work.",
            author="support:Jo",
            complete_later=True,
            order_id=order,
            order_condition="Not to enter High Street",
            source="import:test",
            source_time="02/08/2026, 17:20",
        )
    )


def test_every_field_round_trips(qtbot, session: Session, vault: Vault, full_incident: int) -> None:
    editor = editor_for(qtbot, session, full_incident)
    stored = vault.get_incident(full_incident).data
    # Every field is set (none left at its default), so a field the form forgets to
    # carry over on an edit fails here rather than being silently reset.
    assert [f.name for f in fields(IncidentData) if getattr(stored, f.name) == f.default] == []
    assert editor.incident_data().validated() == stored
    assert editor.summary.hasFocus()
    assert editor.order.currentText().endswith("Not to enter High Street")
    assert unnamed_controls(editor) == []


def test_untouched_save_writes_nothing(
    qtbot, session: Session, vault: Vault, full_incident: int, answers: DialogAnswers
) -> None:
    editor = editor_for(qtbot, session, full_incident)
    answers.ok()
    editor.save_button.click()
    assert "Nothing has changed" in answers.seen[-1].text()
    assert editor.isVisible() and len(vault.incident_history(full_incident)) == 1


def test_edit_asks_for_a_reason_and_makes_version_two(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    incident = vault.add_incident(
        IncidentData(
            summary="Missed calls", kinds=("phone_call",), occurred_start="2026-07-01T23:10:00+01:00"
        )
    )
    editor = editor_for(qtbot, session, incident)
    editor.details.setFocus()
    qtbot.keyClicks(editor.details, "Four calls from a withheld number.")
    editor.effects["sleep_affected"].click()
    qtbot.keyClicks(editor.police_reference, "EX/26/1")

    def give_reason(dialog: ReasonDialog) -> None:
        assert dialog.reason_edit.text() == DEFAULT_REASON
        assert dialog.reason_edit.selectedText() == DEFAULT_REASON  # typing replaces it
        qtbot.keyClicks(dialog.reason_edit, "added the police reference")
        qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)

    answers.add(give_reason, ReasonDialog)
    with qtbot.waitSignal(editor.finished, timeout=2000):
        qtbot.keyClick(editor.summary, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    history = vault.incident_history(incident)
    assert [v.version for v in history] == [1, 2]
    assert history[1].reason == "added the police reference"
    assert history[1].data.details == "Four calls from a withheld number."
    assert history[1].data.effects == ("sleep_affected",)
    assert history[1].data.police.reference == "EX/26/1"
    assert history[1].data.occurred_start == history[0].data.occurred_start  # untouched time kept


def test_cancelling_the_reason_keeps_the_editor_open(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    incident = vault.add_incident(IncidentData(summary="Texts"))
    editor = editor_for(qtbot, session, incident)
    qtbot.keyClicks(editor.location, "Home")
    answers.cancel(ReasonDialog)
    editor.save_button.click()
    assert editor.isVisible() and editor.location.text() == "Home"
    assert len(vault.incident_history(incident)) == 1


def test_changing_the_time_and_precision(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    incident = vault.add_incident(
        IncidentData(summary="Followed", occurred_start="2026-07-01T18:00:00+01:00")
    )
    editor = editor_for(qtbot, session, incident)
    editor.start.setDateTime(editor.start.dateTime().addSecs(1800))
    editor.precision.setCurrentIndex(editor.precision.findData("approximate"))
    editor.has_end.setChecked(True)
    editor.end.setDateTime(editor.start.dateTime().addSecs(600))
    answers.ok(ReasonDialog)
    editor.save_button.click()
    data = vault.get_incident(incident).data
    # the same instants, on the case's clock (this computer's zone here) with its offset
    assert datetime.fromisoformat(data.occurred_start) == datetime.fromisoformat("2026-07-01T18:30:00+01:00")
    assert datetime.fromisoformat(data.occurred_end) == datetime.fromisoformat("2026-07-01T18:40:00+01:00")
    assert data.precision == "approximate"


def test_add_person_from_the_editor(qtbot, session: Session, vault: Vault, answers: DialogAnswers) -> None:
    incident = vault.add_incident(IncidentData(summary="Kerry messaged"))
    editor = editor_for(qtbot, session, incident)

    def new_person(dialog: PersonDialog) -> None:
        qtbot.keyClicks(dialog.name, "Kerry Marsh")
        dialog.role.setCurrentIndex(dialog.role.findData("third_party"))
        dialog.lists["phones"].setPlainText("07700 900789\n")
        dialog.buttons.accepted.emit()

    answers.add(new_person, PersonDialog)
    editor.add_person_button.click()
    kerry = vault.find_person("Kerry Marsh")
    assert kerry is not None and kerry.data.phones == ("07700 900789",)
    assert kerry.data.role == "third_party"
    answers.ok(ReasonDialog)
    editor.save_button.click()
    assert vault.get_incident(incident).data.people == (kerry.id,)


def test_order_breach_condition(qtbot, session: Session, vault: Vault, answers: DialogAnswers) -> None:
    order = vault.add_order(
        OrderData(order_type="Non-molestation order", conditions=("No contact", "Stay 100 m away"))
    )
    incident = vault.add_incident(IncidentData(summary="Came to the door"))
    editor = editor_for(qtbot, session, incident)
    editor.order.setCurrentIndex(editor.order.findText("Non-molestation order: Stay 100 m away"))
    answers.ok(ReasonDialog)
    editor.save_button.click()
    data = vault.get_incident(incident).data
    assert (data.order_id, data.order_condition) == (order, "Stay 100 m away")
    assert vault.list_incidents()[0].breach


def test_record_an_order_from_the_editor_and_mark_the_breach(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    incident = vault.add_incident(IncidentData(summary="Waited at the school gate"))
    editor = editor_for(qtbot, session, incident)

    def empty_kind(dialog: OrderDialog) -> None:
        dialog.order_type.setCurrentText("")
        dialog.buttons.accepted.emit()  # refused: the kind of order is needed

    def new_order(dialog: OrderDialog) -> None:
        assert unnamed_controls(dialog) == []
        assert dialog.person.currentData() == dan  # the only person is offered first
        dialog.order_type.setCurrentText("Stalking Protection Order")
        dialog.made_on.date_edit.setDate(QDate(2026, 3, 4))  # a calendar date, not free text
        qtbot.keyClicks(dialog.reference, "SPO/2026/0142")
        dialog.conditions.setPlainText(
            "Must not go within 200 m of the school\n\nMust not contact Sam by any means\n"
        )
        dialog.buttons.accepted.emit()

    answers.add(empty_kind, OrderDialog)
    answers.ok()  # the core's reason, shown calmly; the dialog stays open...
    editor.add_order_button.click()
    assert vault.list_orders() == []
    answers.add(new_order, OrderDialog)
    editor.add_order_button.click()
    [order] = vault.list_orders()
    assert order.data.conditions == (
        "Must not go within 200 m of the school",
        "Must not contact Sam by any means",
    )
    assert order.data.person_id == dan and order.data.reference == "SPO/2026/0142"
    assert order.data.made_on == "2026-03-04"
    # Recording an order is not an allegation: the entry stays "Not a breach" (#18.3).
    assert editor.order.currentData() == (None, "")
    assert editor.order.currentIndex() == 0
    # Only the person's own choice makes it a breach.
    editor.order.setCurrentIndex(
        editor.order.findText(
            "Stalking Protection Order (SPO/2026/0142): Must not go within 200 m of the school"
        )
    )
    answers.ok(ReasonDialog)
    editor.save_button.click()
    data = vault.get_incident(incident).data
    assert (data.order_id, data.order_condition) == (order.id, "Must not go within 200 m of the school")


def _two_condition_order(qtbot, reference: str) -> Callable[[OrderDialog], None]:
    def new_order(dialog: OrderDialog) -> None:
        dialog.order_type.setCurrentText("Restraining order")
        qtbot.keyClicks(dialog.reference, reference)
        dialog.conditions.setPlainText("No contact by any means\nNot to enter Mill Lane\n")
        dialog.buttons.accepted.emit()

    return new_order


def test_recording_an_order_never_makes_the_entry_a_breach(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    """#18.3: a breach is a criminal allegation; only the person may choose one."""
    incident = vault.add_incident(IncidentData(summary="Car parked outside again"))
    editor = editor_for(qtbot, session, incident)
    assert editor.order.currentData() == (None, "")  # reopening a non-breach selects none
    qtbot.keyClicks(editor.details, "Silver hatchback, engine running.")
    answers.add(_two_condition_order(qtbot, "RO/7"), OrderDialog)
    editor.add_order_button.click()
    [order] = vault.list_orders()
    assert editor.order.currentData() == (None, "")
    answers.ok(ReasonDialog)
    editor.save_button.click()
    data = vault.get_incident(incident).data
    assert data.details == "Silver hatchback, engine running."  # the save did happen
    assert (data.order_id, data.order_condition) == (None, "")
    assert not vault.list_incidents()[0].breach

    # Reopened, still no breach; choosing a condition explicitly records exactly that one.
    editor = editor_for(qtbot, session, incident)
    assert editor.order.currentData() == (None, "")
    editor.order.setCurrentIndex(editor.order.findText("Restraining order (RO/7): Not to enter Mill Lane"))
    answers.ok(ReasonDialog)
    editor.save_button.click()
    data = vault.get_incident(incident).data
    assert (data.order_id, data.order_condition) == (order.id, "Not to enter Mill Lane")


def test_recording_an_order_on_a_new_entry_is_no_breach(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    editor = editor_for(qtbot, session)
    qtbot.keyClicks(editor.summary, "Letter through the door")
    answers.add(_two_condition_order(qtbot, "RO/8"), OrderDialog)
    editor.add_order_button.click()
    editor.save_button.click()
    data = vault.get_incident(editor.saved_id).data
    assert (data.order_id, data.order_condition) == (None, "")


def test_recording_an_order_keeps_the_breach_already_chosen(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    first = vault.add_order(
        OrderData(order_type="Non-molestation order", conditions=("No contact", "Stay away"))
    )
    incident = vault.add_incident(
        IncidentData(summary="Phoned", order_id=first, order_condition="No contact")
    )
    editor = editor_for(qtbot, session, incident)
    assert editor.order.currentData() == (first, "No contact")
    answers.add(_two_condition_order(qtbot, "RO/9"), OrderDialog)
    editor.add_order_button.click()
    assert editor.order.currentData() == (first, "No contact")  # neither lost nor moved


def test_new_entry_and_validation_errors(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    editor = editor_for(qtbot, session)
    answers.ok()
    editor.save_button.click()  # no summary
    assert editor.isVisible() and "summary" in answers.seen[-1].text()
    qtbot.keyClicks(editor.summary, "Gift left")
    editor.kinds.buttons["gift"].click()
    editor.date_known.setChecked(False)
    editor.save_button.click()
    data = vault.get_incident(editor.saved_id).data
    assert data.kinds == ("gift",) and data.occurred_start == ""
    assert data.precision == "unknown_time"


def test_reason_prompt_needs_words(qtbot, answers: DialogAnswers) -> None:
    def empty_then_type(dialog: ReasonDialog) -> int:
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        dialog.reason_edit.clear()
        assert not ok.isEnabled()
        qtbot.keyClicks(dialog.reason_edit, "  logged twice ")
        assert ok.isEnabled()
        ok.click()
        return QDialog.DialogCode.Accepted

    answers.add(empty_then_type, ReasonDialog)
    assert ask_reason(None, default="") == "logged twice"
    answers.cancel(ReasonDialog)
    assert ask_reason(None) is None


def test_every_alt_shortcut_in_the_editor_is_unique(qtbot, session: Session, vault: Vault) -> None:
    """Alt+letter must reach one control: a repeated letter only cycles between them."""
    editor = editor_for(qtbot, session, vault.add_incident(IncidentData(summary="x")))
    letters = alt_letters(editor)
    assert letters and len(letters) == len(set(letters)), sorted(letters)


def test_effects_tab_order_follows_the_screen(qtbot, session: Session) -> None:
    """The ticks of the effect group come before the box for it in your own words."""
    editor = editor_for(qtbot, session)
    last = list(editor.effects.values())[-1]
    last.setFocus()
    qtbot.waitUntil(last.hasFocus)
    qtbot.keyClick(last, Qt.Key.Key_Tab)
    assert editor.effect_text.hasFocus()
    qtbot.keyClick(editor.effect_text, Qt.Key.Key_Tab)
    assert editor.actions_edit.hasFocus()


def test_an_order_with_one_condition_is_not_chosen_even_for_a_breach_kind(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    """#18.3 check: even with "Order breach" ticked (key 3) and an order of exactly one
    condition (the one the old editor picked by itself), recording it chooses nothing."""
    incident = vault.add_incident(IncidentData(summary="Sent flowers"))
    editor = editor_for(qtbot, session, incident)
    editor.kinds.move_focus("threat")
    qtbot.keyClicks(editor.kinds.buttons["threat"], "3")
    assert "order_breach" in editor.kinds.kinds()

    def one_condition(dialog: OrderDialog) -> None:
        dialog.order_type.setCurrentText("Stalking Protection Order")
        dialog.conditions.setPlainText("No contact by any means\n")
        dialog.buttons.accepted.emit()

    def no_conditions(dialog: OrderDialog) -> None:
        dialog.order_type.setCurrentText("Bail conditions")
        dialog.buttons.accepted.emit()

    for answer in (one_condition, no_conditions):
        answers.add(answer, OrderDialog)
        editor.add_order_button.click()
        assert editor.order.currentIndex() == 0 and editor.order.currentData() == (None, "")
    assert editor.order.count() == 3  # "Not a breach" and one choice for each order
    # A breach kind with no condition chosen says so, rather than choosing one.
    assert "not linked to a recorded order" in editor.order_warning.text()
    answers.ok(ReasonDialog)
    editor.save_button.click()
    data = vault.get_incident(incident).data
    assert (data.order_id, data.order_condition) == (None, "") and "order_breach" in data.kinds


def test_the_editor_opens_no_larger_than_the_screen(qtbot, session: Session) -> None:
    """#18.6: the full form scrolls inside a window that fits; Save stays on screen."""
    editor = editor_for(qtbot, session)
    room = editor.screen().availableGeometry()
    assert room.height() <= 800  # the offscreen test screen is small, like a netbook's
    assert editor.height() <= room.height() and editor.width() <= room.width()
    bottom = editor.save_button.mapTo(editor, editor.save_button.rect().bottomRight())
    assert 0 < bottom.y() <= editor.height()
