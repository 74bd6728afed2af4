"""The quick log's "Who" row (#18.4): it names the person marked as doing this unless
the person says otherwise, so an export "involving Dan Marsh" includes quick entries."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from tests.gui.conftest import show_active
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.tables import timeline_json
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session
from victim_log.model import PersonData
from victim_log.vault import Vault

CTRL = Qt.KeyboardModifier.ControlModifier


def open_quick(qtbot, session: Session) -> QuickLogDialog:
    dialog = QuickLogDialog(session)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.discard())
    show_active(qtbot, dialog)
    return dialog


def exported_summaries(vault: Vault, person_id: int) -> list[str]:
    options = ExportOptions(initials="SM", person_id=person_id)
    case = build_case(vault, options, exported_at="2026-09-06T14:03:00+01:00")
    return [i["summary"] for i in json.loads(timeline_json(case))["incidents"]]


def test_who_defaults_to_the_person_doing_this(qtbot, session: Session, vault: Vault) -> None:
    vault.add_person(PersonData(name="Priya Shah", role="witness"))
    dan = vault.add_person(PersonData(name="Dan Marsh", role="perpetrator"))
    vault.add_person(PersonData(name="Sam Cole", role="named"))
    quick = open_quick(qtbot, session)
    items = [quick.who.itemText(i) for i in range(quick.who.count())]
    assert items == [
        "Nobody named",
        "Dan Marsh \u2014 the person doing this",
        "Priya Shah \u2014 witness",
        "Sam Cole",
    ]
    assert quick.who.currentText().startswith("Dan Marsh") and quick.who.accessibleName() == "Who did this"
    qtbot.keyClicks(quick.text, "Parked outside the school")
    qtbot.keyClick(quick.text, Qt.Key.Key_Return, CTRL)
    assert quick.saved_id is not None
    assert vault.get_incident(quick.saved_id).data.people == (dan,)
    assert exported_summaries(vault, dan) == ["Parked outside the school"]


def test_who_can_be_changed_by_keyboard_and_kept_in_a_draft(qtbot, session: Session, vault: Vault) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh", role="perpetrator"))
    quick = open_quick(qtbot, session)
    qtbot.keyClicks(quick.text, "A parcel with no name on it")
    qtbot.keyClick(quick.text, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # the row's shortcut
    assert quick.who.hasFocus()
    qtbot.keyClick(quick.who, Qt.Key.Key_Up)  # to "Nobody named"
    assert quick.who_id() is None
    draft = quick.draft()
    again = open_quick(qtbot, session)
    again.set_draft(draft)
    assert again.who_id() is None  # what the person chose, not the default
    again.discard()
    show_active(qtbot, quick)
    qtbot.keyClick(quick.text, Qt.Key.Key_Return, CTRL)
    assert quick.saved_id is not None and vault.get_incident(quick.saved_id).data.people == ()
    assert exported_summaries(vault, dan) == []


def test_nobody_is_named_when_nobody_is_marked_as_doing_this(qtbot, session: Session, vault: Vault) -> None:
    vault.add_person(PersonData(name="Sam Cole", role="named"))
    quick = open_quick(qtbot, session)
    assert quick.who.currentText() == "Nobody named" and quick.who.count() == 2
    assert quick.incident_data().people == ()
