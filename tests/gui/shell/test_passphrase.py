"""Change the passphrase, replace the recovery key (#18.8): from Settings and from the
failed-attempts notice, always asking for the current passphrase first."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from victim_log.crypto import keys
from victim_log.errors import VictimLogError
from victim_log.gui.shell.passphrase import PassphraseDialog
from victim_log.gui.shell.settings import SettingsDialog
from victim_log.vault import KEY_NAME
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

NEW = "plum kettle orbit lantern"


@pytest.fixture
def unlocked(qtbot, tmp_path: Path):
    vault, recovery = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    return window, session, recovery


def opens_with(path: Path, *, passphrase: str = "", recovery: str = "") -> bool:
    keyfile = keys.KeyFile.load(path / KEY_NAME)
    try:
        if recovery:
            keyfile.unwrap_with_recovery(recovery)
        else:
            keyfile.unwrap_with_passphrase(passphrase)
    except VictimLogError:
        return False
    return True


def drive(qtbot, dialog: PassphraseDialog, current: str, new: str = "", *, also_key: bool = False) -> None:
    """Type as a person would, press the button, wait for the worker thread."""
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.current, current)
    if new:
        qtbot.keyClicks(dialog.pair.first, new)
        qtbot.keyClicks(dialog.pair.second, new)
    if also_key:
        dialog.also_recovery.click()
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=20_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def keep_key_and_close(qtbot, dialog: PassphraseDialog) -> str:
    """The new key page: refuses to close until the key is kept."""
    assert dialog.pages.currentIndex() == 1
    key = dialog.key_text.text()
    assert key.count("-") >= 3
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
    assert dialog.isVisible()  # Esc or Cancel cannot lose the only copy
    dialog.kept.click()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.key_text.text() == ""  # forgotten once closed
    return key


def test_change_passphrase_from_settings(qtbot, unlocked, monkeypatch) -> None:
    window, session, recovery = unlocked
    path = session.require().path
    done: list[str] = []

    def act(dialog):
        if isinstance(dialog, SettingsDialog):
            assert "cannot be shown again" in " ".join(
                label.text() for label in dialog.findChildren(type(dialog.problem))
            )
            dialog.change_passphrase.click()
        else:
            assert isinstance(dialog, PassphraseDialog)
            drive(qtbot, dialog, PASSPHRASE, NEW)
            done.append(dialog.done_text.text())
            qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    answers = DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected), act)
    window.open_settings()
    assert [type(d) for d in answers.seen] == [SettingsDialog, PassphraseDialog]
    assert done and done[0].startswith("Your passphrase was changed")
    assert opens_with(path, passphrase=NEW) and not opens_with(path, passphrase=PASSPHRASE)
    assert opens_with(path, recovery=recovery)  # kept: not asked to replace it
    window.locker.lock()
    unlock_via_gui(qtbot, window, NEW)


def test_what_a_plain_change_protects_is_said(qtbot, unlocked) -> None:
    window, session, _ = unlocked
    dialog = PassphraseDialog(session, "Victim Log")
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(type(dialog.status)))
    assert "stops anyone who knows the old one" in text
    assert "does not undo what they may already have read or copied" in text
    assert "taken before today still opens with the old passphrase" in text


def test_wrong_current_passphrase_changes_nothing(qtbot, unlocked) -> None:
    window, session, _ = unlocked
    path = session.require().path
    dialog = PassphraseDialog(session, "Victim Log")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.current, "not my passphrase at all")
    qtbot.keyClicks(dialog.pair.first, NEW)
    qtbot.keyClicks(dialog.pair.second, NEW)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.running and not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20_000)
    assert "not your current passphrase" in dialog.status.text()
    assert dialog.pages.currentIndex() == 0 and dialog.current.text() == ""
    assert opens_with(path, passphrase=PASSPHRASE) and not opens_with(path, passphrase=NEW)


def test_change_with_a_new_recovery_key(qtbot, unlocked) -> None:
    window, session, recovery = unlocked
    path = session.require().path
    dialog = PassphraseDialog(session, "Victim Log")
    qtbot.addWidget(dialog)
    drive(qtbot, dialog, PASSPHRASE, NEW, also_key=True)
    key = keep_key_and_close(qtbot, dialog)
    assert opens_with(path, passphrase=NEW)
    assert opens_with(path, recovery=key) and not opens_with(path, recovery=recovery)


def test_new_recovery_key_from_settings(qtbot, unlocked, monkeypatch) -> None:
    window, session, recovery = unlocked
    path = session.require().path
    keys_shown: list[str] = []

    def act(dialog):
        if isinstance(dialog, SettingsDialog):
            dialog.new_recovery_key.click()
        else:
            assert dialog.pair.isHidden()  # the passphrase stays as it is
            drive(qtbot, dialog, PASSPHRASE)
            keys_shown.append(keep_key_and_close(qtbot, dialog))

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected), act)
    window.open_settings()
    (key,) = keys_shown
    assert opens_with(path, recovery=key) and not opens_with(path, recovery=recovery)
    assert opens_with(path, passphrase=PASSPHRASE)


def test_failed_attempts_notice_offers_the_change(qtbot, unlocked, monkeypatch) -> None:
    window, session, _ = unlocked
    window.show_unlock_notice(("2026-11-30T21:15:00+00:00",), None)
    assert window.notice_passphrase.isVisible()
    answers = DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected))
    qtbot.mouseClick(window.notice_passphrase, Qt.MouseButton.LeftButton)
    assert [type(d) for d in answers.seen] == [PassphraseDialog]
    # A notice with no failed attempts (only the history warning) has no such button.
    window.show_unlock_notice((), "An older copy of the diary was put back.")
    assert window.notice_passphrase.isHidden()


def test_someone_may_know_my_passphrase_rekeys_everything(qtbot, unlocked, tmp_path) -> None:
    """#18.8 / #17.1: the re-key runs on a worker thread, shows the new recovery key as
    soon as it works, reports progress, and afterwards only the new credentials open."""
    window, session, recovery = unlocked
    vault = session.require()
    photo = tmp_path / "door.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    vault.evidence.add(photo)
    path = vault.path
    old_keyfile = (path / KEY_NAME).read_bytes()
    dialog = PassphraseDialog(session, "Victim Log")
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(type(dialog.status)))
    assert "does not stop someone who knew your old passphrase and kept a copy" in text
    dialog.show()
    dialog.rekey.click()
    assert dialog.also_recovery.isChecked() and not dialog.also_recovery.isEnabled()
    with qtbot.waitSignal(dialog.relay.staged, timeout=20_000):
        drive_start(qtbot, dialog, PASSPHRASE, NEW)
    qtbot.waitUntil(lambda: not dialog.running, timeout=30_000)
    assert "Only your new passphrase and this recovery key open" in dialog.rekey_status.text()
    key = keep_key_and_close(qtbot, dialog)
    assert session.idle_lock_held == 0
    assert opens_with(path, passphrase=NEW) and opens_with(path, recovery=key)
    assert not opens_with(path, passphrase=PASSPHRASE) and not opens_with(path, recovery=recovery)
    assert (path / KEY_NAME).read_bytes() != old_keyfile
    # The diary and its evidence still read back after a lock and an unlock.
    window.locker.lock()
    unlock_via_gui(qtbot, window, NEW)
    assert session.require().check().ok


def drive_start(qtbot, dialog: PassphraseDialog, current: str, new: str) -> None:
    qtbot.keyClicks(dialog.current, current)
    qtbot.keyClicks(dialog.pair.first, new)
    qtbot.keyClicks(dialog.pair.second, new)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_an_unlock_that_finished_a_rekey_shows_its_key(qtbot, unlocked, monkeypatch) -> None:
    window, session, _ = unlocked
    from dataclasses import replace

    vault = session.require()
    monkeypatch.setattr(
        vault,
        "unlock_info",
        replace(vault.unlock_info, rekey_finished=True, new_recovery_key="AAAA-BBBB-CCCC"),
    )
    shown: list[str] = []

    def look(dialog):
        assert isinstance(dialog, PassphraseDialog)
        shown.append(dialog.key_text.text())
        assert dialog.pages.currentIndex() == 1 and dialog.cancel_button.isHidden()
        return 0

    DialogAnswers(monkeypatch, 0, look)
    window._on_unlocked(vault)
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["AAAA-BBBB-CCCC"]
