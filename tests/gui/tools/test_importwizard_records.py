"""The import wizard's #16.5 choices: bursts grouped and replies kept by default,
likely duplicates of typed entries shown on the confirm page and left out only when
ticked."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from victim_log.gui.shell.session import Session
from victim_log.gui.tools.importwizard import formats
from victim_log.gui.tools.importwizard.wizard import ImportWizard
from victim_log.model import IncidentData
from victim_log.vault import Vault

FIXTURES = Path(__file__).parents[2] / "importers" / "fixtures"
CHAT = FIXTURES / "whatsapp_android_dmy.txt"
SMS = FIXTURES / "sms_backup.xml"


def _next(qtbot, w: ImportWizard) -> None:
    which = (
        QWizard.WizardButton.CommitButton
        if w.currentPage().isCommitPage()
        else QWizard.WizardButton.NextButton
    )
    button = w.button(which)
    assert button.isEnabled(), f"Next is disabled on {w.currentPage().objectName()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _to_confirm(
    qtbot, w: ImportWizard, monkeypatch: pytest.MonkeyPatch, fmt: str, path: Path, sender: str
) -> None:
    monkeypatch.setattr(formats, "choose_open_path", lambda parent, f: path)
    w.format_page.buttons[fmt].click()
    _next(qtbot, w)
    with qtbot.waitSignal(w.scanned, timeout=10_000):
        qtbot.mouseClick(w.file_page.choose_button, Qt.MouseButton.LeftButton)
    _next(qtbot, w)
    qtbot.keyClicks(w.sender_page.typed, sender)


def _plan(qtbot, w: ImportWizard) -> None:
    _next(qtbot, w)
    qtbot.waitUntil(lambda: not w.confirm_page.working, timeout=10_000)


def test_grouping_and_context_are_on_by_default(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, vault: Vault
) -> None:
    _to_confirm(qtbot, wizard, monkeypatch, "whatsapp", CHAT, "Dan Marsh")
    page = wizard.sender_page
    assert page.group.isChecked() and page.minutes.value() == 10
    assert page.keep_context.isChecked()
    _plan(qtbot, wizard)
    detail = wizard.confirm_page.detail.text()
    assert "Messages sent within 10 minutes of each other make one entry." in detail
    assert "1 reply of yours asking them to stop will be kept as context" in detail
    # 20:01-20:02, then (after "Please stop messaging me." at 20:05) 20:06-20:07, then 07:15
    assert wizard.confirm_page.summary.text().startswith("3 incidents will be created")
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as done:
        _next(qtbot, wizard)
    report = done.args[0]
    assert report.incidents_created == 3 and report.context_created == 1
    assert "1 reply of yours asking them to stop was kept beside them as context" in (
        wizard.done_page.next_steps.text()
    )
    assert vault.get_incident(report.context_ids[0]).data.author == "imported:context"
    assert all(vault.get_incident(i).data.author == "imported" for i in report.incident_ids)


def test_context_can_be_turned_off(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, vault: Vault
) -> None:
    _to_confirm(qtbot, wizard, monkeypatch, "whatsapp", CHAT, "Dan Marsh")
    wizard.sender_page.keep_context.setChecked(False)
    _plan(qtbot, wizard)
    assert "as context" not in wizard.confirm_page.detail.text()
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as done:
        _next(qtbot, wizard)
    assert done.args[0].context_created == 0


def test_duplicates_are_shown_and_left_out_only_when_ticked(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, vault: Vault
) -> None:
    typed = vault.add_incident(
        IncidentData(
            "Text from Dan",
            kinds=("message",),
            occurred_start="2024-03-12T20:03:00+00:00",
            details="He texted me: I know where you live. Nice blue door",
        )
    )
    _to_confirm(qtbot, wizard, monkeypatch, "sms-backup", SMS, "07700 900123")
    wizard.sender_page.group.setChecked(False)
    _plan(qtbot, wizard)
    confirm = wizard.confirm_page
    assert confirm.duplicates.isVisibleTo(wizard) and confirm.skip_duplicates.isVisibleTo(wizard)
    rows = [confirm.duplicates.item(i).text() for i in range(confirm.duplicates.count())]
    assert f"sms #1: may be the same as entry {typed} you typed (2 min apart); imported too" in rows
    planned = wizard.plan.incidents_created if wizard.plan else 0
    confirm.skip_duplicates.setChecked(True)
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as done:
        _next(qtbot, wizard)
    report = done.args[0]
    assert report.incidents_created == planned - 1
    assert [(d.ref, d.skipped) for d in report.possible_duplicates] == [("sms #1", True)]
    assert "1 message that looked like entries you typed was left out" in wizard.done_page.next_steps.text()


def test_detail_pane_says_imported_record(qtbot, session: Session, vault: Vault) -> None:
    """What the victim sees of an imported entry: a record, added on that day, not typed."""
    from victim_log.gui.diary.detail import DetailPane
    from victim_log.importers.service import ImportRequest
    from victim_log.importers.service import run_import

    report = run_import(vault, ImportRequest("whatsapp", CHAT, sender="Dan Marsh", group_minutes=0))
    own = vault.add_incident(
        IncidentData("He was outside", kinds=("loitering",), occurred_start="2024-03-12T21:00")
    )
    pane = DetailPane(session)
    qtbot.addWidget(pane)
    pane.show_incident(report.incident_ids[0])
    assert pane.recorded.text().startswith("Imported record, added to your diary ")
    assert pane.fields.rows()["Entered by"] == "Imported record (from an export, not typed by the victim)"
    pane.show_incident(report.context_ids[0])
    assert "kept as context" in pane.fields.rows()["Entered by"]
    pane.show_incident(own)
    assert pane.recorded.text().startswith("Recorded ")
    assert "Entered by" not in pane.fields.rows()


def test_a_group_chat_asks_which_name_is_you(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: Vault
) -> None:
    chat = tmp_path / "group.txt"
    chat.write_text(
        "12/03/2024, 20:01 - Dan Marsh: Where are you\n"
        "13/03/2024, 20:02 - Jo Bloggs: Leave me alone\n"
        "14/03/2024, 20:03 - Sarah Jones: Please stop messaging me\n",
        encoding="utf-8",
    )
    _to_confirm(qtbot, wizard, monkeypatch, "whatsapp", chat, "Dan Marsh")
    _plan(qtbot, wizard)
    assert "choose which name in the file is you" in wizard.confirm_page.detail.text()
    wizard.back()
    me = wizard.sender_page.me
    me.setCurrentIndex(me.findData("Sarah Jones"))
    _plan(qtbot, wizard)
    assert "1 reply of yours asking them to stop will be kept" in wizard.confirm_page.detail.text()
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as done:
        _next(qtbot, wizard)
    kept = [vault.get_incident(i).data.details for i in done.args[0].context_ids]
    assert kept == ["Please stop messaging me"]
