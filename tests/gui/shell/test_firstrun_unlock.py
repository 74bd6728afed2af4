"""First run, unlock, the recovery key flow and the back-off, through the real widgets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFileDialog
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QProgressBar
from PySide6.QtWidgets import QWidget

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import FakeDiary
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from victim_log.gui.shell.firstrun import PassphrasePair
from victim_log.model import PersonData
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _new_vault(tmp_path: Path, passphrase: str = PASSPHRASE) -> str:
    vault, recovery = Vault.create(tmp_path / "vault", passphrase)
    vault.lock()
    return recovery


def test_create_log_lock_unlock_sees_same_data(qtbot, tmp_path):
    window, session, _ = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    assert session.is_unlocked
    assert window.log_action.isVisible()
    diary = window.diary
    assert isinstance(diary, FakeDiary)
    qtbot.keyClicks(diary.editor, "Dan sent three texts tonight")
    diary.save_draft()
    assert [diary.list.item(i).text() for i in range(diary.list.count())] == ["Dan sent three texts tonight"]

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.current_screen() == window.UNLOCK)
    assert session.vault is None
    assert diary.list.count() == 0  # wiped, not just hidden
    assert not diary.isVisible()
    assert not any(a.isVisible() for a in window.diary_actions)
    assert window.help_action.isVisible()
    assert window.quick_exit_action.isVisible()

    unlock_via_gui(qtbot, window)
    assert session.is_unlocked
    assert [diary.list.item(i).text() for i in range(diary.list.count())] == ["Dan sent three texts tonight"]
    assert window.notice_bar.isHidden()  # no failed attempts to report


def test_keyboard_only_first_run(qtbot, tmp_path):
    window, session, _ = make_window(qtbot, tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.firstrun.pair.first)

    def type_into_focus(text: str) -> None:
        qtbot.keyClicks(QApplication.focusWidget(), text)

    def press(key: Qt.Key) -> None:
        qtbot.keyClick(QApplication.focusWidget(), key)

    type_into_focus(PASSPHRASE)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.firstrun.pair.second
    type_into_focus(PASSPHRASE)
    press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.firstrun.pages.currentIndex() == 1)
    assert QApplication.focusWidget() is window.firstrun.kept
    press(Qt.Key.Key_Space)
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.firstrun.continue_button
    press(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)
    assert session.is_unlocked


def test_weak_and_mismatched_passphrases_are_refused_with_a_reason(qtbot, tmp_path):
    window, _, _ = make_window(qtbot, tmp_path)
    pair = window.firstrun.pair
    qtbot.keyClicks(pair.first, "password")
    qtbot.keyClicks(pair.second, "password")
    assert not window.firstrun.create_button.isEnabled()
    assert "common" in pair.reason.text()
    pair.clear()
    qtbot.keyClicks(pair.first, "short")
    assert "8 characters" in pair.reason.text()
    pair.clear()
    qtbot.keyClicks(pair.first, PASSPHRASE)
    qtbot.keyClicks(pair.second, PASSPHRASE[:-1])
    assert not window.firstrun.create_button.isEnabled()
    assert "same" in pair.reason.text()
    qtbot.keyClicks(pair.second, PASSPHRASE[-1])
    assert window.firstrun.create_button.isEnabled()
    assert pair.meter.value() >= 3
    assert not Vault.exists(tmp_path / "vault")


def test_meter_and_advice_come_from_zxcvbn_with_what_the_diary_knows(qtbot):
    """#17.9: the core's strength() and passphrase_problem(), fed the vault's names."""
    pair = PassphrasePair(user_inputs=["Jordan Pryce Carlisle", "Jordan", "Pryce", "Carlisle"])
    qtbot.addWidget(pair)
    assert pair.meter.maximum() == 4 and pair.meter.value() == 0
    qtbot.keyClicks(pair.first, "Carlisle Jordan Pryce 1990")
    assert pair.meter.value() == 0 and pair.meter.text() == "weak"
    assert "names or dates that are in your diary" in pair.reason.text()
    pair.set_user_inputs(())  # first run: nothing known, the same words read strong
    assert pair.meter.value() == 4 and pair.meter.text() == "strong"
    qtbot.keyClicks(pair.second, "Carlisle Jordan Pryce 1990")
    assert pair.problem() is None


def test_wrong_passphrase_shows_message_then_backoff_then_failed_attempts(qtbot, tmp_path, monkeypatch):
    _new_vault(tmp_path)
    window, session, _ = make_window(qtbot, tmp_path)
    screen = window.unlock
    assert window.current_screen() == window.UNLOCK
    for attempt in range(3):
        qtbot.keyClicks(screen.passphrase, f"wrong guess {attempt}")
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
        assert "didn't open" in screen.message.text()
        assert screen.passphrase.text() == ""  # never kept in the field
    assert session.vault is None
    assert "try again in" in screen.backoff.text()
    assert not screen.unlock_button.isEnabled()
    # While waiting, Enter does nothing (and does not count as another failure).
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    assert session.vault is None
    # The clock moves on past the wait (no sleeping in tests).
    import time as real_time
    import types

    from victim_log import vault as vault_module

    later = types.SimpleNamespace(time=lambda: real_time.time() + 120, sleep=real_time.sleep)
    monkeypatch.setattr(vault_module, "time", later)
    qtbot.waitUntil(screen.unlock_button.isEnabled, timeout=2000)
    assert screen.backoff.text() == ""
    screen.passphrase.clear()
    unlock_via_gui(qtbot, window)
    assert window.notice_bar.isVisible()
    assert window.notice.text().startswith("3 failed attempts")


def test_recovery_key_sets_a_new_passphrase(qtbot, tmp_path):
    recovery = _new_vault(tmp_path)
    window, session, _ = make_window(qtbot, tmp_path)
    screen = window.unlock
    qtbot.mouseClick(screen.forgot_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == 1
    new = "a brand new long passphrase"
    qtbot.keyClicks(screen.recovery_key, recovery.lower().replace("-", " "))
    qtbot.keyClicks(screen.new_pair.first, new)
    assert not screen.recover_button.isEnabled()
    qtbot.keyClicks(screen.new_pair.second, new)
    assert screen.recover_button.isEnabled()
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)
    assert session.is_unlocked
    window.locker.lock("manual")
    # The old passphrase no longer works; the new one does.
    qtbot.keyClicks(screen.passphrase, PASSPHRASE)
    qtbot.keyClick(screen.passphrase, Qt.Key.Key_Return)
    assert session.vault is None
    unlock_via_gui(qtbot, window, new)


def test_recovery_key_works_during_a_back_off(qtbot, tmp_path):
    """#17.2: a wait (planted or earned) never holds the recovery key back."""
    recovery = _new_vault(tmp_path)
    window, session, _ = make_window(qtbot, tmp_path)
    screen = window.unlock
    for attempt in range(3):
        qtbot.keyClicks(screen.passphrase, f"wrong guess {attempt}")
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert not screen.unlock_button.isEnabled()  # waiting
    assert screen.forgot_button.isEnabled()
    qtbot.mouseClick(screen.forgot_button, Qt.MouseButton.LeftButton)
    new = "a brand new long passphrase"
    qtbot.keyClicks(screen.recovery_key, recovery)
    qtbot.keyClicks(screen.new_pair.first, new)
    qtbot.keyClicks(screen.new_pair.second, new)
    screen.refresh_backoff()
    assert screen.recover_button.isEnabled()
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)
    assert session.is_unlocked


def test_recovery_judges_the_new_passphrase_by_the_names_in_the_diary(qtbot, tmp_path):
    vault, recovery = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.add_person(PersonData(name="Jordan Pryce Carlisle"))
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path)
    screen = window.unlock
    qtbot.mouseClick(screen.forgot_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(screen.recovery_key, recovery)
    for box in (screen.new_pair.first, screen.new_pair.second):
        qtbot.keyClicks(box, "Carlisle Jordan Pryce 1990")
    assert screen.recover_button.isEnabled()  # nothing known before the vault opens
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    assert session.vault is None
    assert "in your diary" in screen.recover_message.text()
    assert screen.new_pair.meter.text() == "weak"  # the meter now agrees with the core
    assert not screen.recover_button.isEnabled()


def test_wrong_recovery_key_is_explained(qtbot, tmp_path):
    _new_vault(tmp_path)
    window, session, _ = make_window(qtbot, tmp_path)
    screen = window.unlock
    screen.show_recovery()
    qtbot.keyClicks(screen.recovery_key, "not a key")
    qtbot.keyClicks(screen.new_pair.first, "another long passphrase")
    qtbot.keyClicks(screen.new_pair.second, "another long passphrase")
    qtbot.mouseClick(screen.recover_button, Qt.MouseButton.LeftButton)
    assert session.vault is None
    assert "recovery key" in screen.recover_message.text()
    qtbot.mouseClick(screen.back_button, Qt.MouseButton.LeftButton)
    assert screen.pages.currentIndex() == 0
    assert screen.recovery_key.text() == ""


def test_recovery_key_saved_privately_without_file_dialog_history(qtbot, tmp_path, monkeypatch):
    target = tmp_path / "usb" / "my-key.txt"
    target.parent.mkdir()

    def choose(dialog: QFileDialog) -> None:
        assert dialog.testOption(QFileDialog.Option.DontUseNativeDialog)
        # Qt lists the folder it is showing; nothing remembered from before.
        assert set(dialog.history()) <= {str(Path.home())}
        dialog.selectFile(str(target))

    answers = DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), choose)
    window, _, _ = make_window(qtbot, tmp_path)
    fr = window.firstrun
    qtbot.keyClicks(fr.pair.first, PASSPHRASE)
    qtbot.keyClicks(fr.pair.second, PASSPHRASE)
    qtbot.mouseClick(fr.create_button, Qt.MouseButton.LeftButton)
    key = fr.key_text.text()
    qtbot.mouseClick(fr.save_button, Qt.MouseButton.LeftButton)
    assert len(answers.seen) == 1
    assert key in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "my-key.txt" in fr.key_status.text()
    conf = Path.home() / ".config" / "QtProject.conf"
    assert not conf.exists() or "FileDialog" not in conf.read_text(encoding="utf-8")


def test_print_cancelled_changes_nothing(qtbot, tmp_path, monkeypatch):
    answers = DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected))
    window, _, _ = make_window(qtbot, tmp_path)
    fr = window.firstrun
    qtbot.keyClicks(fr.pair.first, PASSPHRASE)
    qtbot.keyClicks(fr.pair.second, PASSPHRASE)
    qtbot.mouseClick(fr.create_button, Qt.MouseButton.LeftButton)
    assert fr.print_button.isVisible()
    qtbot.mouseClick(fr.print_button, Qt.MouseButton.LeftButton)
    assert len(answers.seen) == 1
    assert fr.key_status.text() == ""


def _unnamed_controls(root: QWidget) -> list[str]:
    missing = []
    for kind in (QAbstractButton, QLineEdit, QProgressBar):
        for w in root.findChildren(kind):
            if not w.accessibleName() and not (isinstance(w, QAbstractButton) and w.text()):
                missing.append(f"{type(w).__name__} {w.objectName()}")
    return missing


@pytest.mark.parametrize("screen", ["firstrun", "unlock"])
def test_every_control_has_an_accessible_name(qtbot, tmp_path, screen):
    if screen == "unlock":
        _new_vault(tmp_path)
    window, _, _ = make_window(qtbot, tmp_path)
    assert _unnamed_controls(window) == []


def test_nothing_of_the_diary_before_unlock(qtbot, tmp_path):
    _new_vault(tmp_path)
    window, _, _ = make_window(qtbot, tmp_path)
    assert window.diary is None  # not even built
    assert not any(a.isVisible() for a in window.diary_actions)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.diary is None


def test_restore_a_backup_from_the_first_run_screen(qtbot, tmp_path, monkeypatch):
    from victim_log.backup import write_backup
    from victim_log.model import IncidentData

    elsewhere, _ = Vault.create(tmp_path / "old-laptop", PASSPHRASE)
    elsewhere.add_incident(IncidentData(summary="Flowers left on the doorstep", kinds=("gift",)))
    backup = tmp_path / "usb" / "diary.vlbak"
    backup.parent.mkdir()
    write_backup(elsewhere, backup)
    elsewhere.lock()
    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), lambda d: d.selectFile(str(backup)))
    window, session, _ = make_window(qtbot, tmp_path)
    fr = window.firstrun
    qtbot.mouseClick(fr.restore_link, Qt.MouseButton.LeftButton)
    assert fr.pages.currentIndex() == 2
    qtbot.mouseClick(fr.restore_button, Qt.MouseButton.LeftButton)
    assert "choose the backup" in fr.restore_status.text()
    qtbot.mouseClick(fr.choose_backup, Qt.MouseButton.LeftButton)
    assert fr.backup_label.text() == "diary.vlbak"
    qtbot.keyClicks(fr.restore_secret, "not the passphrase")
    qtbot.keyClick(fr.restore_secret, Qt.Key.Key_Return)
    assert session.vault is None
    assert fr.restore_status.isVisible()
    assert fr.restore_secret.text() == ""
    qtbot.keyClicks(fr.restore_secret, PASSPHRASE)
    qtbot.keyClick(fr.restore_secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_screen() == window.DIARY)
    assert [fr_.summary for fr_ in session.require().list_incidents()] == ["Flowers left on the doorstep"]
    assert window.diary.list.count() == 1


def test_unlock_shows_the_history_warning_calmly(qtbot, tmp_path, monkeypatch):
    """An older copy of the database put back: the core's sentence is in the notice bar."""
    from victim_log import vault as vault_module

    _new_vault(tmp_path)
    warning = "This diary's history is older than the last time you saved."
    monkeypatch.setattr(vault_module, "history_warning", lambda conn, anchor: warning)
    window, session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    assert window.notice_bar.isVisible()
    assert window.notice.text() == warning


def test_unlock_cleans_what_a_crash_left(qtbot, tmp_path):
    """#23.4: as the CLI does, an unlock removes abandoned temp files and restore folders."""
    _new_vault(tmp_path)
    vault_dir = tmp_path / "vault"
    partial = vault_dir / "blobs" / "ab" / ".tmp-partial"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"x" * 1000)
    restore = tmp_path / ".restore-1234"
    restore.mkdir()
    (restore / "vault.key").write_bytes(b"a copy of the key file")
    window, session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    assert not partial.exists() and not restore.exists()
    assert len(window.cleaned) == 2
