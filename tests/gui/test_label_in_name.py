"""WCAG 2.5.3 (label in name) across the shell's and the tools' windows: a button's
accessible name holds the words it shows, so a person using speech input can say
what they see ("click Save to file") and a screen reader says what is on screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from tests.gui.conftest import label_not_in_name
from victim_log.gui.shell.session import Session
from victim_log.vault import Vault


def _makers(session: Session, vault: Vault, tmp_path: Path) -> dict[str, Callable[[], QWidget]]:
    from victim_log.gui.shell.firstrun import FirstRunScreen
    from victim_log.gui.shell.passphrase import NEW_KEY
    from victim_log.gui.shell.passphrase import PassphraseDialog
    from victim_log.gui.shell.settings import SettingsDialog
    from victim_log.gui.shell.settings import load_shell_settings
    from victim_log.gui.shell.support_session import SupportSessionDialog
    from victim_log.gui.shell.unlock import UnlockScreen
    from victim_log.gui.tools.backupdialog import BackupDialog
    from victim_log.gui.tools.exportdialog import ExportDialog
    from victim_log.gui.tools.importwizard.wizard import ImportWizard
    from victim_log.gui.tools.patterndialog import PatternDialog
    from victim_log.gui.tools.share_dialog import ShareDialog
    from victim_log.gui.tools.shared_case_dialog import SharedCaseDialog
    from victim_log.prefs import Prefs

    return {
        "settings": lambda: SettingsDialog(load_shell_settings(vault), Prefs(), []),
        "change passphrase": lambda: PassphraseDialog(session, "Victim Log"),
        "new recovery key": lambda: PassphraseDialog(session, "Victim Log", NEW_KEY),
        "support session": lambda: SupportSessionDialog(vault),
        "export": lambda: ExportDialog(session),
        "backup": lambda: BackupDialog(session),
        "import": lambda: ImportWizard(session),
        "pattern": lambda: PatternDialog(session),
        "share": lambda: ShareDialog(session),
        "open or merge a case file": lambda: SharedCaseDialog(session),
        "first run": lambda: FirstRunScreen(Session(tmp_path / "new"), "Victim Log"),
        "unlock": lambda: UnlockScreen(session),
    }


@pytest.mark.parametrize(
    "name",
    [
        "settings",
        "change passphrase",
        "new recovery key",
        "support session",
        "export",
        "backup",
        "import",
        "pattern",
        "share",
        "open or merge a case file",
        "first run",
        "unlock",
    ],
)
def test_every_button_says_what_it_shows(
    qtbot, session: Session, vault: Vault, tmp_path: Path, name: str
) -> None:
    window = _makers(session, vault, tmp_path)[name]()
    qtbot.addWidget(window)
    assert label_not_in_name(window) == []
