"""The backup dialog writes an encrypted backup that restore_backup opens."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from tests.gui.conftest import PASSPHRASE
from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import add
from tests.gui.conftest import shown
from victim_log.backup import restore_backup
from victim_log.gui.shell.session import Session
from victim_log.gui.tools.backupdialog import BackupDialog
from victim_log.gui.tools.backupdialog import open_backup_dialog
from victim_log.gui.widgets import savepath
from victim_log.gui.widgets.common import size_text
from victim_log.vault import Vault


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[Path | None]:
    chosen: list[Path | None] = [tmp_path / "backup.vlbak"]
    asked: list[str] = []

    def choose(parent, title, suggested, **_kwargs):
        asked.append(suggested)
        return chosen[0]

    monkeypatch.setattr(savepath, "choose_save_path", choose)
    chosen.append(asked)  # type: ignore[arg-type]
    return chosen


@pytest.fixture
def dialog(qtbot, session: Session) -> BackupDialog:
    return shown(qtbot, BackupDialog(session))


def test_backup_restores_elsewhere(qtbot, dialog: BackupDialog, target, vault: Vault, tmp_path: Path) -> None:
    add(vault, "Flowers left on the doorstep", "2026-06-06T21:15:00+01:00", kinds=("gift",))
    vault.evidence.add_bytes(b"a voicemail, pretend", "voicemail.amr")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.busy_now and not dialog.close_button.isEnabled()
    info = saved.args[0]
    out = target[0]
    assert info.path == out and out.is_file()
    assert target[1][0].startswith("backup-") and target[1][0].endswith(".vlbak")
    assert "encrypted" in dialog.status.text() and str(out) in dialog.status.text()
    assert b"Flowers" not in out.read_bytes()

    restored = restore_backup(out, tmp_path / "elsewhere", passphrase=PASSPHRASE)
    with restored:
        assert [s.summary for s in restored.list_incidents()] == ["Flowers left on the doorstep"]
        assert restored.check().ok
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_existing_file_is_refused_kindly(qtbot, dialog: BackupDialog, target, answers: DialogAnswers) -> None:
    target[0].write_bytes(b"something precious")
    answers.ok()
    with qtbot.waitSignal(dialog.failed, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "already exists" in answers.seen[0].text()
    assert target[0].read_bytes() == b"something precious"
    assert dialog.save_button.isEnabled() and dialog.close_button.isEnabled()


def test_cancelled_choice_does_nothing(qtbot, dialog: BackupDialog, target, tmp_path: Path) -> None:
    target[0] = None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.busy_now
    assert dialog.status.text() == ""


def test_open_backup_dialog_modal_and_disposed(
    qtbot, session: Session, answers: DialogAnswers, target
) -> None:
    seen = []

    def drive(d):
        seen.append(d)
        with qtbot.waitSignal(d.saved, timeout=10_000):
            qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(d.close_button, Qt.MouseButton.LeftButton)

    answers.add(drive, "backupDialog")
    open_backup_dialog(session)
    assert target[0].is_file()
    assert not shiboken6.isValid(seen[0])


def test_size_text() -> None:
    assert size_text(12) == "12 bytes"
    assert size_text(2048) == "2.0 KB"
    assert size_text(5 * 1024 * 1024) == "5.0 MB"
