"""After a scripted GUI session and a quick exit, no file anywhere holds the diary's words."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFileDialog

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.gui.shellfixtures import visible_top_levels
from tests.leakscan import scan
from victim_log import paths
from victim_log.gui.widgets import privacy

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

CANARY = "CANARY-Quokka-7731-Marmalade"


def _roots(tmp_path: Path) -> list[Path]:
    home = Path.home()
    return [
        tmp_path / "vault",
        Path(os.environ["TMPDIR"]),
        home,
        home / ".config" / "QtProject.conf",
        home / ".local" / "share" / "recently-used.xbel",
        home / ".cache",
        paths.state_dir(),
    ]


def test_scripted_session_then_quick_exit_leaves_no_trace(qtbot, tmp_path, monkeypatch):
    # Evidence lives in a folder whose name is the canary, so a remembered folder
    # (file-dialog history) would show up in the scan.
    outside = tmp_path / f"outside-{CANARY}"
    outside.mkdir()
    evidence_file = outside / f"{CANARY}.txt"
    evidence_file.write_text(f"screenshot text {CANARY}", encoding="utf-8")
    key_file = outside / "recovery-key.txt"

    def answer(dialog):
        if isinstance(dialog, QFileDialog):
            dialog.selectFile(
                str(key_file if dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave else evidence_file)
            )
        elif dialog.objectName() == "settingsDialog":
            dialog.case_title.setText(f"Log {CANARY}")

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), answer)
    window, session, quit_app = make_window(qtbot, tmp_path)

    # First run, saving the recovery key through our file dialog.
    fr = window.firstrun
    qtbot.keyClicks(fr.pair.first, "a long enough passphrase")
    qtbot.keyClicks(fr.pair.second, "a long enough passphrase")
    qtbot.mouseClick(fr.create_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(fr.save_button, Qt.MouseButton.LeftButton)
    assert key_file.exists()
    qtbot.keyClick(fr.kept, Qt.Key.Key_Space)
    qtbot.mouseClick(fr.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)

    # Diary text, a search, evidence picked through our dialog, a setting, the clipboard.
    diary = window.diary
    qtbot.keyClicks(diary.editor, f"He said {CANARY} at the door")
    diary.save_draft()
    qtbot.keyClicks(diary.search, CANARY)
    chosen = privacy.pick_paths(window, privacy.Mode.OPEN, "Attach")
    assert chosen == [evidence_file]
    session.require().evidence.add(chosen[0])
    window.open_settings()
    assert session.require().get_setting("case_title") == f"Log {CANARY}"
    window.toggle_help()
    session.copy_to_clipboard(f"copied {CANARY}")

    # Lock with an unsaved draft, unlock, write more, then quick exit.
    qtbot.keyClicks(diary.editor, f"unsaved {CANARY}")
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    unlock_via_gui(qtbot, window, "a long enough passphrase")
    qtbot.waitUntil(lambda: CANARY in diary.editor.toPlainText())
    qtbot.keyClick(diary.editor, Qt.Key.Key_Escape)
    qtbot.keyClick(diary.editor, Qt.Key.Key_Escape)
    assert visible_top_levels() == []
    assert quit_app.count == 1
    assert session.vault is None

    window.close()
    privacy.clear_file_dialog_history()
    hits = scan(_roots(tmp_path), CANARY)
    assert hits == []
    # Nothing of ours in Qt's settings places, under any name.
    config = Path.home() / ".config"
    assert sorted(p.name for p in config.iterdir()) == []
    assert not (Path.home() / ".local" / "share" / "recently-used.xbel").exists()


def test_the_scan_would_see_file_dialog_history(qtbot, tmp_path):
    """Control: without our scrub, Qt's dialog does write the folder name to disk."""
    folder = tmp_path / "home" / f"x-{CANARY}"
    folder.mkdir()
    dialog = QFileDialog(None, "control")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setDirectory(str(folder))
    shiboken6.delete(dialog)
    conf = Path.home() / ".config" / "QtProject.conf"
    assert scan([conf], CANARY) != []
    privacy.clear_file_dialog_history()
    assert scan([Path.home()], CANARY) == [] or not conf.exists()
    assert not conf.exists()


def test_clearing_keeps_other_programs_settings(qtbot):
    conf = Path.home() / ".config" / "QtProject.conf"
    conf.write_text("[Other]\nkey=value\n\n[FileDialog]\nhistory=file:///secret-place\n", encoding="utf-8")
    privacy.clear_file_dialog_history()
    text = conf.read_text(encoding="utf-8")
    assert "secret-place" not in text
    assert "key=value" in text


def test_session_with_the_real_diary_leaves_no_trace(qtbot, tmp_path, monkeypatch):
    """The same scan with the real DiaryView: quick log saved, searched, a draft sealed."""
    from PySide6.QtWidgets import QApplication
    from PySide6.QtWidgets import QLineEdit
    from PySide6.QtWidgets import QPlainTextEdit
    from PySide6.QtWidgets import QPushButton

    from victim_log.gui.widgets import dialogs

    queue = []

    def runner(dialog):
        return queue.pop(0)(dialog)

    monkeypatch.setattr(dialogs, "run_dialog", runner)

    def save_quick_log(dialog):
        qtbot.keyClicks(dialog.findChild(QPlainTextEdit, "whatHappened"), f"Texts {CANARY} again")
        qtbot.mouseClick(dialog.findChild(QPushButton, "quickSave"), Qt.MouseButton.LeftButton)
        return int(QDialog.DialogCode.Accepted)

    window, session, quit_app = make_window(qtbot, tmp_path, diary=None)
    create_vault_via_gui(qtbot, window)
    queue.append(save_quick_log)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert queue == []
    assert session.require().count_incidents() == 1
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    search = window.diary.findChild(QLineEdit, "searchBox")
    qtbot.keyClicks(search, CANARY)
    session.copy_to_clipboard(f"copied {CANARY}")

    # A second entry left unsaved in its (real, modal) dialog when the lock comes.
    window.locker.set_idle_ms(200)
    monkeypatch.setattr(dialogs, "run_dialog", lambda d: int(d.exec()))
    QTimer.singleShot(
        0,
        lambda: qtbot.keyClicks(
            QApplication.activeModalWidget().findChild(QPlainTextEdit, "whatHappened"), f"unsaved {CANARY}"
        ),
    )
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert session.vault is None
    assert window.locker.draft_box.full

    reopened = []
    monkeypatch.setattr(dialogs, "run_dialog", lambda d: reopened.append(d) or 0)
    window.locker.fixed_ms = None
    unlock_via_gui(qtbot, window, PASSPHRASE)
    qtbot.waitUntil(lambda: reopened != [])
    qtbot.keyClick(window.diary, Qt.Key.Key_Escape)
    qtbot.keyClick(window.diary, Qt.Key.Key_Escape)
    assert visible_top_levels() == []
    assert session.vault is None
    assert quit_app.count == 1

    window.close()
    assert scan(_roots(tmp_path), CANARY) == []
    assert sorted(p.name for p in (Path.home() / ".config").iterdir()) == []
