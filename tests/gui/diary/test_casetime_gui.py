"""The app on the case's clock (#16.4): times typed on a night the clocks changed are
asked about or refused, never moved; the detail view names the zone and the source's
own time; the first run offers the computer's zone and keeps the choice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QDate
from PySide6.QtCore import QDateTime
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import show_active
from victim_log import casetime
from victim_log.gui.diary.detail import format_stamp
from victim_log.gui.diary.detail import format_when
from victim_log.gui.diary.editor import IncidentEditor
from victim_log.gui.shell.session import Session
from victim_log.model import IncidentData
from victim_log.vault import Vault


@pytest.fixture
def london(vault: Vault) -> Iterator[None]:
    casetime.set_vault_zone(vault, "Europe/London")
    yield
    casetime.activate(None)


def _new_entry(qtbot, session: Session, when: QDateTime) -> IncidentEditor:  # type: ignore[no-untyped-def]
    editor = IncidentEditor(session)
    qtbot.addWidget(editor)
    show_active(qtbot, editor)
    editor.summary.setText("Texts")
    editor.date_known.setChecked(True)
    editor.start.setDateTime(when)
    return editor


def _at(y: int, m: int, d: int, hh: int, mm: int) -> QDateTime:
    return QDateTime(QDate(y, m, d), QTime(hh, mm))


def test_a_time_the_clocks_had_twice_is_asked_about(
    qtbot, session: Session, vault: Vault, london: None, answers: DialogAnswers
) -> None:
    session.set_vault(vault)  # as after an unlock: the case zone is the active one
    editor = _new_entry(qtbot, session, _at(2024, 10, 27, 1, 30))
    answers.press("01:30 GMT", QMessageBox)
    editor.save_button.click()
    assert editor.saved_id is not None
    stored = vault.get_incident(editor.saved_id).data.occurred_start
    assert stored == "2024-10-27T01:30:00+00:00"
    assert "01:30 GMT" in format_when(vault.get_incident(editor.saved_id).data)


def test_a_time_the_clocks_skipped_is_refused(
    qtbot, session: Session, vault: Vault, london: None, answers: DialogAnswers
) -> None:
    session.set_vault(vault)
    editor = _new_entry(qtbot, session, _at(2024, 3, 31, 1, 30))
    shown: list[str] = []
    answers.add(lambda d: shown.append(d.text()) or 0, QMessageBox)
    editor.save_button.click()
    assert editor.saved_id is None and editor.isVisible()
    assert shown and "did not happen in Europe/London" in shown[0]
    assert vault.count_incidents() == 0


def test_detail_view_names_the_zone_and_the_source_time(vault: Vault, london: None) -> None:
    casetime.use_vault_zone(vault)
    data = IncidentData(
        summary="Text",
        occurred_start="2024-04-10T17:30:00+00:00",  # an SMS stored in UTC before #16.4
        source_time='date="1712770200000" readable_date="10 Apr 2024 18:30:00"',
    )
    text = format_when(data)
    assert "18:30 BST" in text and "17:30" not in text
    assert "readable_date" in text
    assert format_stamp("2024-01-10T17:30:00+00:00").endswith("17:30 GMT")


def test_first_run_offers_the_computer_s_zone_and_keeps_the_choice(
    qtbot, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import PASSPHRASE
    from victim_log.gui.shell.firstrun import FirstRunScreen
    from victim_log.gui.shell.firstrun import computer_zone_name

    session = Session(tmp_path / "v")
    screen = FirstRunScreen(session, "Victim Log")
    qtbot.addWidget(screen)
    assert screen.zone.currentText() == computer_zone_name()
    screen.zone.setCurrentText("Europe/London")
    screen.pair.first.setText(PASSPHRASE + " lighthouse")
    screen.pair.second.setText(PASSPHRASE + " lighthouse")
    screen.create_vault()
    try:
        vault = session.require()
        assert vault.get_setting(casetime.ZONE_SETTING) == "Europe/London"
        assert casetime.active_zone().key == "Europe/London"
    finally:
        session.lock()
        casetime.activate(None)


def test_settings_change_the_case_zone(qtbot, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    from victim_log.gui.shell.settings import SettingsDialog
    from victim_log.gui.shell.settings import load_shell_settings
    from victim_log.gui.shell.settings import save_shell_settings
    from victim_log.prefs import Prefs

    try:
        dialog = SettingsDialog(load_shell_settings(vault), Prefs())
        qtbot.addWidget(dialog)
        dialog.zone.setCurrentText("Mars/Olympus")
        assert "time zone" in dialog.problem.text()
        dialog.zone.setCurrentText("Europe/London")
        assert dialog.problem.text() == ""
        settings, _prefs = dialog.values()
        save_shell_settings(vault, settings)
        assert vault.get_setting(casetime.ZONE_SETTING) == "Europe/London"
        assert casetime.active_zone().key == "Europe/London"
    finally:
        casetime.activate(None)


def test_detail_flags_a_date_after_it_was_recorded(vault: Vault) -> None:
    from victim_log.gui.diary.detail import dated_after_recording

    recorded = "2024-04-10T18:00:00+01:00"
    later = IncidentData(summary="x", occurred_start="2024-04-11T09:00:00+01:00")
    assert dated_after_recording(later, recorded)
    assert not dated_after_recording(
        IncidentData(summary="x", occurred_start="2024-04-10T17:58:00+01:00"), recorded
    )
    # the same instant written in UTC is not "after"
    assert not dated_after_recording(
        IncidentData(summary="x", occurred_start="2024-04-10T17:00:00+00:00"), recorded
    )


def test_the_quick_log_asks_which_time_too(
    qtbot, session: Session, vault: Vault, london: None, answers: DialogAnswers
) -> None:
    """The quick log offers the same choice as the editor for a time the clocks had
    twice (#16.4), instead of only refusing it; 'check the time first' keeps the entry."""
    from victim_log.gui.diary.quicklog import QuickLogDialog

    session.set_vault(vault)
    quick = QuickLogDialog(session)
    qtbot.addWidget(quick, before_close_func=lambda d: d.discard())
    show_active(qtbot, quick)
    qtbot.keyClicks(quick.text, "Calls from a withheld number")
    quick.when_buttons["pick"].click()
    quick.when_edit.setDateTime(_at(2024, 10, 27, 1, 30))
    answers.cancel(QMessageBox)  # neither: go back and check the time
    quick.save_button.click()
    assert quick.saved_id is None and vault.count_incidents() == 0 and quick.isVisible()
    assert "01:30 BST (the first)" in [b.text() for b in answers.seen[-1].buttons()]
    answers.press("01:30 BST", QMessageBox)
    quick.save_button.click()
    assert quick.saved_id is not None
    assert vault.get_incident(quick.saved_id).data.occurred_start == "2024-10-27T01:30:00+01:00"
