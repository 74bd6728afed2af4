"""The import wizard offers iPhone Messages exports and an iPhone backup's messages and calls (#19)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.gui.tools.test_importwizard import FIXTURES
from tests.gui.tools.test_importwizard import next_page
from tests.gui.tools.test_importwizard import wait_plan
from victim_log.gui.tools.importwizard import formats
from victim_log.gui.tools.importwizard.formats import FOLDER_FORMATS
from victim_log.gui.tools.importwizard.formats import FORMAT_BY_KEY
from victim_log.gui.tools.importwizard.wizard import ImportWizard
from victim_log.vault import Vault


@pytest.fixture
def pick(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    chosen: list[Path] = [FIXTURES]
    monkeypatch.setattr(formats, "choose_open_path", lambda parent, fmt, folder=False: chosen[0])
    return chosen


def test_formats_are_offered_with_how_to_get_them() -> None:
    for key in ("imessage", "iphone-backup", "iphone-calls"):
        assert FORMAT_BY_KEY[key].how
    assert {"iphone-backup", "iphone-calls"} <= FOLDER_FORMATS and "imessage" not in FOLDER_FORMATS
    assert FORMAT_BY_KEY["iphone-calls"].noun == "call"


@pytest.mark.parametrize(
    ("fmt", "source", "folder", "sender", "made"),
    [
        ("imessage", "imazing_export/Messages - Dan Marsh.csv", False, "Dan Marsh", 5),
        ("iphone-backup", "iphone_backup", True, "+447700900123", 6),
        ("iphone-calls", "iphone_backup", True, "+447700900123", 2),
    ],
)
def test_iphone_formats_import_through_the_wizard(
    qtbot,
    wizard: ImportWizard,
    pick,
    fmt: str,
    source: str,
    folder: bool,
    sender: str,
    made: int,
    vault: Vault,
) -> None:
    pick[0] = FIXTURES / source
    wizard.format_page.buttons[fmt].click()
    next_page(qtbot, wizard)
    button = wizard.file_page.folder_button if folder else wizard.file_page.choose_button
    assert button.isVisible()
    with qtbot.waitSignal(wizard.scanned, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert wizard.file_page.isComplete(), wizard.file_page.status.text()
    next_page(qtbot, wizard)
    page = wizard.sender_page
    rows = [page.senders.item(i).text() for i in range(page.senders.count())]
    assert any(r.startswith(sender) for r in rows), rows
    assert page.choose(next(r for r in rows if r.startswith(sender)).split("  ·  ")[0])
    page.group.setChecked(False)
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as done:
        next_page(qtbot, wizard)
    assert done.args[0].incidents_created == made
    assert vault.count_incidents() >= made
