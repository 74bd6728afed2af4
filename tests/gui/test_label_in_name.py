"""WCAG 2.5.3 (label in name) across the shell's and the tools' windows: a button's
accessible name holds the words it shows, so a person using speech input can say
what they see ("click Save to file") and a screen reader says what is on screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from tests.gui.conftest import label_not_in_name
from victim_log.gui.shell.firstrun import FirstRunScreen
from victim_log.gui.shell.passphrase import NEW_KEY
from victim_log.gui.shell.passphrase import PassphraseDialog
from victim_log.gui.shell.session import Session
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

#: Each window, made on the test's unlocked diary (the first run on a new folder).
WINDOWS: dict[str, Callable[[Session, Path], QWidget]] = {
    "settings": lambda s, _t: SettingsDialog(load_shell_settings(s.require()), Prefs(), []),
    "change passphrase": lambda s, _t: PassphraseDialog(s, "Victim Log"),
    "new recovery key": lambda s, _t: PassphraseDialog(s, "Victim Log", NEW_KEY),
    "support session": lambda s, _t: SupportSessionDialog(s.require()),
    "export": lambda s, _t: ExportDialog(s),
    "backup": lambda s, _t: BackupDialog(s),
    "import": lambda s, _t: ImportWizard(s),
    "pattern": lambda s, _t: PatternDialog(s),
    "share": lambda s, _t: ShareDialog(s),
    "open or merge a case file": lambda s, _t: SharedCaseDialog(s),
    "first run": lambda _s, t: FirstRunScreen(Session(t / "new"), "Victim Log"),
    "unlock": lambda s, _t: UnlockScreen(s),
}


@pytest.mark.parametrize("name", list(WINDOWS))
def test_every_button_says_what_it_shows(qtbot, session: Session, tmp_path: Path, name: str) -> None:
    window = WINDOWS[name](session, tmp_path)
    qtbot.addWidget(window)
    assert label_not_in_name(window) == []
