"""People: list with identifiers, add and edit (versioned), each person's entries."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import click_button
from tests.gui.conftest import show_active
from tests.gui.conftest import unnamed_controls
from victim_log.gui.people.people_dialog import PeopleDialog
from victim_log.gui.people.people_dialog import PersonDialog
from victim_log.gui.people.people_dialog import describe_person
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets.reason import ReasonDialog
from victim_log.model import IncidentData
from victim_log.model import PersonData
from victim_log.vault import Vault


def people_dialog(qtbot, session: Session) -> PeopleDialog:
    dialog = PeopleDialog(session)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    return dialog


def test_empty_then_add_a_person(qtbot, session: Session, vault: Vault, answers: DialogAnswers) -> None:
    dialog = people_dialog(qtbot, session)
    assert dialog.list.count() == 0 and "No people yet" in dialog.name_label.text()
    assert not dialog.edit_button.isEnabled()

    def fill(person: PersonDialog) -> None:
        assert person.name.hasFocus()
        qtbot.keyClicks(person.name, "Dan Marsh")
        qtbot.keyClicks(person.relationship, "ex-partner")
        person.lists["aliases"].setPlainText("Danny\ndm_1987")
        person.lists["phones"].setPlainText("07700 900123\n\n07700 900456")
        person.lists["accounts"].setPlainText("@dan.marsh.87 (Instagram)")
        person.lists["vehicles"].setPlainText("Blue hatchback, XY21 ABC")
        person.buttons.accepted.emit()

    answers.add(fill, PersonDialog)
    dialog.add_button.click()
    assert dialog.changed_people and dialog.list.count() == 1
    dan = vault.find_person("Danny")
    assert dan is not None and dan.data.phones == ("07700 900123", "07700 900456")
    facts = {
        dialog.facts.itemAt(r, dialog.facts.ItemRole.LabelRole).widget().text(): dialog.facts.itemAt(
            r, dialog.facts.ItemRole.FieldRole
        )
        .widget()
        .text()
        for r in range(dialog.facts.rowCount())
    }
    assert facts["Vehicles"] == "Blue hatchback, XY21 ABC"
    assert facts["Other names"] == "Danny\ndm_1987"
    assert unnamed_controls(dialog) == []


def test_edit_a_person_with_a_reason(qtbot, session: Session, vault: Vault, answers: DialogAnswers) -> None:
    pid = vault.add_person(PersonData(name="Kerry Marsh", role="third_party"))
    dialog = people_dialog(qtbot, session)

    def add_phone(person: PersonDialog) -> None:
        assert person.name.text() == "Kerry Marsh"
        person.lists["phones"].setPlainText("07700 900789")
        person.buttons.accepted.emit()

    answers.add(add_phone, PersonDialog)
    answers.ok(ReasonDialog)
    dialog.edit_button.click()
    person = vault.get_person(pid)
    assert person.version == 2 and person.data.phones == ("07700 900789",)


def test_take_a_person_out_with_a_reason(
    qtbot, session: Session, vault: Vault, answers: DialogAnswers
) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    typo = vault.add_person(PersonData(name="Dna Marsh"))
    vault.add_incident(IncidentData(summary="Parked outside", people=(dan,)))
    dialog = people_dialog(qtbot, session)
    assert dialog.delete_button.isEnabled()

    def give_reason(reason: ReasonDialog) -> None:
        reason.reason_edit.setText("added twice by mistake")
        click_button(reason, accept=True)

    # Someone an entry names stays, and the message says why.
    dialog.list.setCurrentRow(0)
    answers.press("Take out")
    answers.add(give_reason, ReasonDialog)
    messages: list[str] = []
    answers.add(lambda box: messages.append(box.text()) or click_button(box, accept=True))
    dialog.delete_button.click()
    assert "named in 1 entry" in messages[0]
    assert [p.id for p in vault.list_people()] == [dan, typo]

    # Cancelling changes nothing; confirming with a reason takes them out.
    dialog.list.setCurrentRow(1)
    answers.cancel()
    dialog.delete_button.click()
    assert len(vault.list_people()) == 2
    answers.press("Take out")
    answers.add(give_reason, ReasonDialog)
    dialog.delete_button.click()
    assert [p.id for p in vault.list_people()] == [dan]
    assert dialog.changed_people and dialog.list.count() == 1
    assert vault.get_person(typo).version == 2


def test_a_persons_entries_and_choosing_one(qtbot, session: Session, vault: Vault) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    priya = vault.add_person(PersonData(name="Priya Shah", role="witness"))
    first = vault.add_incident(
        IncidentData(
            summary="Parked outside", people=(dan, priya), occurred_start="2026-07-01T20:00:00+01:00"
        )
    )
    vault.add_incident(
        IncidentData(summary="Texts", people=(dan,), occurred_start="2026-07-02T20:00:00+01:00")
    )
    vault.add_incident(IncidentData(summary="Nobody named"))
    dialog = people_dialog(qtbot, session)
    assert [dialog.list.item(i).text().split("\n")[0] for i in range(2)] == ["Dan Marsh", "Priya Shah"]
    assert dialog.model.rowCount() == 2 and dialog.incidents_label.text() == "2 entries involve them:"
    dialog.list.setCurrentRow(1)
    assert dialog.model.rowCount() == 1 and dialog.model.id_at(0) == first

    chosen = []
    dialog.incident_chosen.connect(chosen.append)
    dialog.incidents.setFocus()
    dialog.incidents.setCurrentIndex(dialog.model.index(0))
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.keyClick(dialog.incidents, Qt.Key.Key_Return)
    assert chosen == [first] and dialog.chosen_incident == first


def test_untrusted_names_are_made_safe() -> None:
    rows = describe_person(PersonData(name="x", aliases=("evil\u202egpj.exe",), notes="a\x07b"))
    text = dict(rows)
    assert text["Other names"] == "evilgpj.exe"
    assert text["Notes"] == "a\ufffdb"
