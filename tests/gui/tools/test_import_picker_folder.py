"""The import wizard's file picker starts in the folder last used, remembered only
inside the diary's encrypted settings (#18), like the other pickers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.gui.conftest import DialogAnswers
from victim_log.gui.tools.importwizard.formats import choose_open_path
from victim_log.gui.tools.importwizard.wizard import ImportWizard
from victim_log.gui.widgets import privacy
from victim_log.vault import Vault


@pytest.mark.parametrize(("fmt", "folder"), [("whatsapp", False), ("whatsapp", True), ("photos", False)])
def test_the_import_picker_starts_in_the_last_folder(
    wizard: ImportWizard, vault: Vault, answers: DialogAnswers, tmp_path: Path, fmt: str, folder: bool
) -> None:
    exports = tmp_path / "Phone exports"
    exports.mkdir()
    vault.set_setting(privacy.LAST_FOLDER_SETTING, str(exports))
    starts: list[str] = []
    answers.add(lambda fd: starts.append(fd.directory().absolutePath()) or fd.reject(), QFileDialog)
    assert choose_open_path(wizard.file_page, fmt, folder=folder) is None
    assert starts == [str(exports)]
