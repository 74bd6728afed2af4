"""Auto-lock: idle time, closing dialogs, the draft kept sealed and given back."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QPlainTextEdit

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.gui.shellfixtures import visible_top_levels
from victim_log.errors import BadInput
from victim_log.gui.shell.lock import SealedBox
from victim_log.gui.shell.lock import SystemLockWatch
from victim_log.gui.shell.lock import autolock_minutes
from victim_log.gui.widgets import dialogs
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

IDLE_MS = 300


@pytest.fixture
def unlocked(qtbot, tmp_path):
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, session, quit_app = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    return window, session


def test_locks_after_the_idle_time(qtbot, unlocked):
    window, session = unlocked
    window.locker.set_idle_ms(IDLE_MS)
    with qtbot.waitSignal(window.locker.did_lock, timeout=3000) as blocker:
        pass
    assert blocker.args == ["idle"]
    assert session.vault is None
    assert window.current_screen() == window.UNLOCK
    assert window.isVisible()
    # Nothing was being written: the lock screen says why it locked, and no more.
    assert window.unlock.message.isVisible()
    assert window.unlock.message.text() == "Locked after 1 minute without use."


def test_input_postpones_the_lock(qtbot, unlocked):
    window, session = unlocked
    window.locker.set_idle_ms(60_000)
    window.locker._filter.last_input -= 59.9  # as if idle for almost the whole minute
    qtbot.keyClick(window.diary.editor, Qt.Key.Key_A)  # and then a key press
    window.locker._check_idle()
    assert session.is_unlocked
    window.locker._filter.last_input -= 61
    window.locker._check_idle()
    assert session.vault is None


def test_closes_a_modal_dialog(qtbot, unlocked):
    window, session = unlocked
    window.locker.set_idle_ms(IDLE_MS)
    seen = []
    QTimer.singleShot(0, lambda: seen.append(QApplication.activeModalWidget()))
    window.open_settings()  # a real modal loop: only the lock can end it here
    assert seen[0] is not None
    assert seen[0].objectName() == "settingsDialog"
    assert session.vault is None
    assert visible_top_levels() == [window]


def test_closes_a_message_box(qtbot, unlocked):
    window, session = unlocked
    window.locker.set_idle_ms(IDLE_MS)
    seen = []
    QTimer.singleShot(0, lambda: seen.append(QApplication.activeModalWidget()))
    dialogs.show_message(window, "Victim Log", "Saved.")
    assert isinstance(seen[0], QMessageBox)
    assert session.vault is None
    assert visible_top_levels() == [window]


def test_draft_and_place_survive_sealed(qtbot, unlocked):
    window, session = unlocked
    diary = window.diary
    qtbot.keyClicks(diary.search, "texts")
    qtbot.keyClicks(diary.editor, "Half-written: he followed me from the bus stop")
    session.copy_to_clipboard("from the bus stop")
    window.locker.set_idle_ms(IDLE_MS)
    qtbot.waitUntil(lambda: session.vault is None, timeout=3000)
    assert diary.editor.toPlainText() == ""
    assert diary.search.text() == ""
    assert QGuiApplication.clipboard().text() == ""
    box = window.locker.draft_box
    assert box.full
    said = window.unlock.message.text()
    # Kept inside the vault too (#18.7), so it would outlive closing the app.
    assert (
        said == "Locked after 1 minute without use. What you were writing is kept, locked inside your diary."
    )
    assert session.draft is box
    assert b"bus stop" not in box._blob
    assert b"texts" not in window.locker.state_box._blob
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: diary.editor.toPlainText() != "")
    assert diary.editor.toPlainText() == "Half-written: he followed me from the bus stop"
    assert diary.search.text() == "texts"
    assert not box.full
    assert session.draft is None


def test_a_draft_the_vault_cannot_take_is_said_to_live_in_memory_only(qtbot, unlocked, monkeypatch):
    window, session = unlocked
    qtbot.keyClicks(window.diary.editor, "Half-written")

    def busy(name, value):
        raise BadInput("The vault is busy in another window. Try again in a moment.")

    monkeypatch.setattr(session.require(), "set_setting", busy)
    window.locker.lock("manual")  # skipped at once, never waited for
    assert window.locker.draft_box.full
    assert window.unlock.message.text() == (
        "What you were writing is safe: it comes back when you unlock. "
        "Closing the app before then would lose it."
    )


def test_idle_minutes_come_from_the_vault(qtbot, unlocked):
    window, session = unlocked
    assert window.locker.idle_ms == 5 * 60_000
    session.require().set_setting("autolock_minutes", "7")
    window.locker.lock()
    unlock_via_gui(qtbot, window)
    assert window.locker.idle_ms == 7 * 60_000


def test_settings_dialog_changes_idle_minutes(qtbot, unlocked, monkeypatch):
    window, session = unlocked
    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), lambda d: d.minutes.setValue(2))
    window.open_settings()
    assert session.require().get_setting("autolock_minutes") == "2"
    assert window.locker.idle_ms == 2 * 60_000


def test_suspend_locks(qtbot, unlocked):
    window, session = unlocked
    window.locker._app_state(Qt.ApplicationState.ApplicationInactive)  # focus lost: no lock
    assert session.is_unlocked
    window.locker._app_state(Qt.ApplicationState.ApplicationSuspended)
    assert session.vault is None


def test_autolock_minutes_parsing():
    assert autolock_minutes("") == 5
    assert autolock_minutes("x") == 5
    assert autolock_minutes("0") == 1
    assert autolock_minutes("100000") == 240
    assert autolock_minutes("15") == 15


def test_sealed_box_opens_once():
    box = SealedBox()
    assert box.open() is None
    draft = {
        "text": "draft ü",
        "files": [{"name": "shot.png", "data": b"\x89PNG\0\xff"}],
        "kinds": ("message",),
    }
    box.seal(draft)
    key = box._key
    assert box.open() == {
        "text": "draft ü",
        "files": [{"name": "shot.png", "data": b"\x89PNG\0\xff"}],
        "kinds": ["message"],
    }
    assert key == bytearray(len(key))  # the key bytes were overwritten
    assert box.open() is None


@pytest.fixture
def private_bus():
    """A throwaway D-Bus session bus, so screen-lock signals can be sent for real."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed")
    proc = subprocess.Popen(
        [daemon, "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = proc.stdout.readline().strip()
        if not address:
            pytest.skip("dbus-daemon did not start")
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_screen_lock_signal_over_dbus_locks(qtbot, private_bus):
    from PySide6.QtDBus import QDBusConnection
    from PySide6.QtDBus import QDBusMessage

    listener = QDBusConnection.connectToBus(private_bus, "victim-log-test-listener")
    sender = QDBusConnection.connectToBus(private_bus, "victim-log-test-sender")
    try:
        assert listener.isConnected()
        watch = SystemLockWatch()
        watch.watch(listener, None)
        assert "org.freedesktop.ScreenSaver" in watch.connected
        # A round trip on the listener: the bus has now applied its match rules.
        listener.call(
            QDBusMessage.createMethodCall(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId"
            )
        )
        message = QDBusMessage.createSignal(
            "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged"
        )
        message.setArguments([False])
        sender.send(message)
        message = QDBusMessage.createSignal(
            "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged"
        )
        message.setArguments([True])
        with qtbot.waitSignal(watch.lock_requested, timeout=3000) as blocker:
            sender.send(message)
        assert blocker.args == ["screen"]
    finally:
        QDBusConnection.disconnectFromBus("victim-log-test-listener")
        QDBusConnection.disconnectFromBus("victim-log-test-sender")


def test_real_quick_log_draft_survives_autolock(qtbot, tmp_path, monkeypatch):
    """With the real DiaryView: a quick log open in its own modal loop, auto-lock, unlock."""
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path, diary=None)
    unlock_via_gui(qtbot, window)
    assert type(window.diary).__name__ == "DiaryView"
    window.locker.set_idle_ms(IDLE_MS)
    typed = []

    def type_draft():
        dialog = QApplication.activeModalWidget()
        typed.append(dialog.objectName())
        qtbot.keyClicks(dialog.findChild(QPlainTextEdit, "whatHappened"), "He left a note on my car")

    QTimer.singleShot(0, type_draft)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # runs until locked
    assert typed == ["quickLogDialog"]
    assert session.vault is None
    assert visible_top_levels() == [window]
    assert window.locker.draft_box.full
    assert b"note on my car" not in window.locker.draft_box._blob

    reopened = []

    def answer(dialog):
        reopened.append((dialog.objectName(), dialog.findChild(QPlainTextEdit, "whatHappened").toPlainText()))
        return int(QDialog.DialogCode.Rejected)

    monkeypatch.setattr(dialogs, "run_dialog", answer)
    unlock_via_gui(qtbot, window)
    qtbot.waitUntil(lambda: reopened != [])
    assert reopened == [("quickLogDialog", "He left a note on my car")]


def test_a_failing_step_of_the_lock_is_logged_without_its_text(qtbot, unlocked, monkeypatch):
    """The lock goes on when the diary fails to give its draft or wipe, and the log says
    what failed (type and place) without the exception's text, which could be diary text."""
    from victim_log import logs

    window, session = unlocked
    secret = "canary-she-said-meet-at-the-bridge"

    def broken(*_args: object) -> None:
        raise RuntimeError(secret)

    monkeypatch.setattr(window.diary, "take_draft", broken)
    session.register_wipe(broken)
    window.locker.lock("manual")
    assert session.vault is None
    log = logs.log_path().read_text(encoding="utf-8")
    assert log.count("unexpected RuntimeError") == 2
    assert secret not in log


def test_auto_lock_waits_for_a_rekey(qtbot, unlocked):
    """While the whole diary is re-encrypted the idle timer waits, then locks."""
    window, session = unlocked
    window.locker.set_idle_ms(60_000)
    session.idle_lock_held = 1
    window.locker._filter.last_input -= 120
    window.locker._check_idle()
    assert session.is_unlocked
    session.idle_lock_held = 0
    window.locker._check_idle()
    assert session.vault is None
