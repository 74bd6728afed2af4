"""Initials for exhibit references (#16.2): asked at first run, asked at export,
never invented; the export dialog's count gives no reference away."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import shown
from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from victim_log import references
from victim_log.gui.shell.session import Session
from victim_log.gui.tools.exportdialog import ExportDialog
from victim_log.gui.widgets import savepath
from victim_log.model import IncidentData
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_first_run_keeps_the_initials_typed(qtbot, tmp_path: Path) -> None:
    window, session, _ = make_window(qtbot, tmp_path)
    qtbot.keyClicks(window.firstrun.initials, "s/m")  # the validator keeps letters and digits
    assert window.firstrun.initials.text() == "sm"
    create_vault_via_gui(qtbot, window)
    vault = session.require()
    assert vault.get_setting("initials") == "SM"


@pytest.fixture
def with_file(vault: Vault) -> Vault:
    iid = vault.add_incident(
        IncidentData(summary="A text", kinds=("message",), occurred_start="2026-06-01T10:00:00+01:00")
    )
    vault.evidence.add_bytes(PNG, "shot.png", incident_id=iid)
    return vault


def test_export_asks_for_initials_and_the_count_gives_nothing_away(
    qtbot,
    session: Session,
    with_file: Vault,
    answers: DialogAnswers,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        savepath, "choose_save_path", lambda *a, **k: asked.append("x") or tmp_path / "o.json"
    )
    dialog = shown(qtbot, ExportDialog(session))
    assert dialog.initials.text() == ""
    dialog.update_preview()
    assert dialog.preview.text().startswith("1 incident, 1 exhibit")
    assert references.known(with_file) == {}  # counting gave no reference
    answers.ok(QMessageBox)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked == [] and answers.seen and "initials" in answers.seen[0].text()

    dialog.format_buttons["json"].setChecked(True)
    qtbot.keyClicks(dialog.initials, "jd")
    with qtbot.waitSignal(dialog.exported, timeout=15_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert with_file.get_setting("initials") == "JD"
    assert [r.text for r in references.known(with_file).values()] == ["JD/1"]


def test_the_app_names_files_by_reference_never_by_id(qtbot, session: Session, vault: Vault) -> None:
    from victim_log.export.case import ExportOptions
    from victim_log.export.case import build_case
    from victim_log.gui.diary.detail import DetailPane
    from victim_log.importers.service import ImportRequest
    from victim_log.importers.service import run_import

    fixture = Path(__file__).parent.parent / "importers" / "fixtures" / "whatsapp_android_dmy.txt"
    report = run_import(vault, ImportRequest("whatsapp", fixture, sender="Dan Marsh"))
    iid = report.incident_ids[0]
    vault.evidence.add_bytes(PNG, "screenshot.png", incident_id=iid)  # "attached evidence N"
    pane = DetailPane(session)
    qtbot.addWidget(pane)
    pane.show_incident(iid)
    before = pane.fields.rows()["Source"]
    assert "exhibit" not in before and before.startswith("whatsapp_android_dmy.txt, line ")
    build_case(vault, ExportOptions(initials="SM"), exported_at="2026-09-06T14:03:00+01:00")
    pane.show_incident(iid)
    assert pane.fields.rows()["Source"].startswith("SM/1, line ")
    assert pane.evidence_list.item(1).text() == "SM/2 screenshot.png"
    reasons = [
        pane.history_list.topLevelItem(i).text(2) for i in range(pane.history_list.topLevelItemCount())
    ]
    assert "attached SM/2" in reasons and not any("evidence" in r for r in reasons)
