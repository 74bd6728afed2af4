"""Locking: after idle time, when the system sleeps or the screen locks, or on request.

The lock itself is one method, :meth:`LockController.lock`. In order it: closes
every open dialog, message box and menu (they may show diary text); takes the
unsaved draft and the view state from the diary and seals them with AES-GCM under a
fresh random key that lives only in this process (the plaintext dict is dropped),
and keeps the draft inside the encrypted vault too (``victim_log.drafts``: one small
write, skipped if the vault cannot take it at once) so it outlives closing the app;
then calls :meth:`Session.lock`, which runs every registered wiper, clears the
clipboard if it still holds our text, drops the keys and closes the database; then the
clipboard is cleared whenever its content came from this app, a plain Ctrl+C in
one of our fields included (``widgets/clipwatch.py``). After
the next unlock :meth:`restore` opens the sealed draft and state and gives them back.

Idle time is measured by an application-wide event filter that notes the time of
the last keyboard, mouse or touch input; a single timer checks it. The filter, and the
watch for the system's screen lock and sleep, are put in place when a diary is first
opened: before that there is nothing to lock, and a Python filter on the whole
application runs for every event of every object (thousands of them while the first
screen is built), which start-up cannot afford (issue 5).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any
from typing import Protocol
from typing import runtime_checkable

import shiboken6
from PySide6.QtCore import QEvent
from PySide6.QtCore import QObject
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QWidget

from ...logs import log_unexpected
from ..widgets import dialogs
from ..widgets.clipwatch import ClipboardWatch
from ..widgets.common import one_shot
from .session import Session
from .session import carry_on

DEFAULT_MINUTES = 5
#: How long a quick exit that closes the app keeps trying to put the draft into a diary
#: another window or process is writing to (its windows are gone meanwhile).
QUIT_KEEP_SECONDS = 30
MIN_MINUTES = 1
MAX_MINUTES = 240
AUTOLOCK_SETTING = "autolock_minutes"

_INPUT_EVENTS = frozenset(
    int(t)
    for t in (
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.InputMethod,
        QEvent.Type.ShortcutOverride,
    )
)


@runtime_checkable
class DiaryLike(Protocol):
    """What the shell asks of the diary screen: the toolbar's actions, a wipe for the
    lock, and its draft and view state to seal across a lock."""

    def reload(self) -> None: ...
    def wipe(self) -> None: ...
    def quick_log(self) -> None: ...
    def show_people(self) -> None: ...
    def focus_search(self) -> None: ...
    def selected_incident_ids(self) -> list[int]: ...
    def take_draft(self) -> dict[str, Any] | None: ...
    def restore_draft(self, draft: dict[str, Any]) -> None: ...
    def state(self) -> dict[str, Any]: ...
    def restore_state(self, state: dict[str, Any]) -> None: ...


def autolock_minutes(text: str) -> int:
    """The stored setting as minutes, clamped; the default if unset or odd."""
    try:
        minutes = int(text)
    except ValueError:
        return DEFAULT_MINUTES
    return max(MIN_MINUTES, min(MAX_MINUTES, minutes))


class SealedBox:
    """One JSON-able dict, encrypted in memory under a key used once.

    Why bother when the key sits in the same process: after a lock, nothing that
    reads memory as text (a swap file, a crash report, a hibernation image, a
    debugger attached by someone else) finds the draft as plain words, and the
    key's bytes are overwritten as soon as the box is opened.
    """

    def __init__(self) -> None:
        self._key: bytearray | None = None
        self._blob: bytes | None = None

    @property
    def full(self) -> bool:
        return self._blob is not None

    def seal(self, data: dict[str, Any]) -> None:
        self.clear()
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # not needed at start-up

        plain = json.dumps(data, ensure_ascii=False, default=_encode_bytes).encode("utf-8")
        key = bytearray(AESGCM.generate_key(bit_length=256))
        nonce = os.urandom(12)
        self._blob = nonce + AESGCM(bytes(key)).encrypt(nonce, plain, b"victim-log draft")
        self._key = key

    def open(self) -> dict[str, Any] | None:
        """The dict, once: the box is empty afterwards."""
        if self._blob is None or self._key is None:
            return None
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        blob, key = self._blob, self._key
        try:
            plain = AESGCM(bytes(key)).decrypt(blob[:12], blob[12:], b"victim-log draft")
            data = json.loads(plain.decode("utf-8"), object_hook=_decode_bytes)
        finally:
            self.clear()
        return data if isinstance(data, dict) else None

    def clear(self) -> None:
        if self._key is not None:
            for i in range(len(self._key)):
                self._key[i] = 0
        self._key = None
        self._blob = None


@contextlib.contextmanager
def no_new_dialogs() -> Iterator[None]:
    """While locking, any dialog someone tries to open (a "discard changes?" prompt in
    a closeEvent, say) is answered "cancel" at once and never shown."""
    previous = dialogs.run_dialog
    dialogs.run_dialog = _refuse_dialog
    try:
        yield
    finally:
        dialogs.run_dialog = previous


def _refuse_dialog(dialog: QDialog) -> int:
    return int(QDialog.DialogCode.Rejected)


_BYTES_TAG = "$victim-log-bytes"


def _encode_bytes(value: object) -> object:
    """Drafts may hold a pasted screenshot (bytes) or paths; JSON gets a tagged form."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {_BYTES_TAG: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot keep a {type(value).__name__} in a draft")


def _decode_bytes(obj: dict[str, Any]) -> object:
    if len(obj) == 1 and _BYTES_TAG in obj:
        return base64.b64decode(obj[_BYTES_TAG])
    return obj


def close_transient_windows(keep: tuple[QWidget, ...] = (), were_open: tuple[QWidget, ...] = ()) -> int:
    """Hide and close menus, dialogs and other top-level windows except ``keep``.

    ``were_open`` names windows the caller already hid (quick exit hides everything
    first). Windows are hidden before anything else so no prompt can appear on top;
    a dialog running ``exec()`` then gets ``done(Rejected)``, which ends its event
    loop: the code that opened it sees "cancelled" and must cope with a locked
    session. Returns how many windows were closed.
    """
    closed = 0
    with no_new_dialogs():
        for _ in range(20):  # nested popups close one level at a time
            popup = QApplication.activePopupWidget()
            if popup is None:
                break
            popup.close()
            closed += 1
        targets = [
            w for w in QApplication.topLevelWidgets() if w not in keep and (w.isVisible() or w in were_open)
        ]
        for widget in targets:
            widget.hide()
        for widget in targets:
            if not shiboken6.isValid(widget):
                continue
            if isinstance(widget, QDialog):
                # The base class's done(): a subclass's reject() might ask a question.
                QDialog.done(widget, int(QDialog.DialogCode.Rejected))
            elif widget.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose):
                widget.close()
            closed += 1
    return closed


class _ActivityFilter(QObject):
    """Notes the time of the latest input anywhere in the app. Never consumes events."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.last_input = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if int(event.type()) in _INPUT_EVENTS:
            self.last_input = time.monotonic()
        return False


class LockController(QObject):
    """Owns auto-lock and the lock sequence for one main window."""

    did_lock = Signal(str)  # reason: "manual", "idle", "suspend", "screen", "quick exit"

    def __init__(self, session: Session, main_window: QWidget, diary: Callable[[], DiaryLike | None]) -> None:
        super().__init__(main_window)
        self.session = session
        self.main_window = main_window
        self._diary = diary
        self.draft_box = SealedBox()
        self.state_box = SealedBox()
        self.kept_in_vault = False  # the last lock kept the draft inside the vault too
        self.keep_windows: list[QWidget] = []
        self._idle_ms = DEFAULT_MINUTES * 60_000
        self.fixed_ms: int | None = None  # set by tests and set_idle_ms: wins over settings
        self._filter = _ActivityFilter(self)
        self._timer = one_shot(self, self._check_idle)
        app = QApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._app_state)
        session.unlocked.connect(self._watch)
        session.unlocked.connect(self._start_idle)
        session.locked.connect(self._stop_watching_input)
        self._system_watch: SystemLockWatch | None = None
        # Ctrl+C in any of our fields bypasses the session: watch the clipboard itself.
        self.clipboard = ClipboardWatch(self)

    # ------------------------------------------------------------------ idle

    @property
    def idle_ms(self) -> int:
        return self._idle_ms

    def set_idle_minutes(self, minutes: int) -> None:
        self._set_ms(autolock_minutes(str(minutes)) * 60_000)

    def set_idle_ms(self, ms: int) -> None:
        """Exact interval that later settings do not override; tests use a few hundred ms."""
        self.fixed_ms = max(50, int(ms))
        self._set_ms(self.fixed_ms)

    def _set_ms(self, ms: int) -> None:
        self._idle_ms = ms
        if self.session.is_unlocked:
            self._start_idle()

    @property
    def system_watch(self) -> SystemLockWatch:
        """The screen-lock and sleep watch (D-Bus), made when a diary is first opened."""
        return self._made_system_watch()

    def _made_system_watch(self) -> SystemLockWatch:
        if self._system_watch is None:
            self._system_watch = SystemLockWatch(self)
            self._system_watch.lock_requested.connect(self.lock)
        return self._system_watch

    @Slot()
    def _watch(self) -> None:
        """A diary is open: watch for input (idle time) and the system's lock and sleep."""
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._filter)  # never twice
            app.installEventFilter(self._filter)
        self._made_system_watch()

    @Slot()
    def _start_idle(self) -> None:
        self._filter.last_input = time.monotonic()
        self._timer.start(self._idle_ms)

    @Slot()
    def _stop_watching_input(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._filter)

    def _check_idle(self) -> None:
        if not self.session.is_unlocked:
            return
        idle_ms = (time.monotonic() - self._filter.last_input) * 1000
        remaining = self._idle_ms - idle_ms
        if self.session.idle_lock_held > 0:
            self._timer.start(max(1000, self._idle_ms // 4))  # look again when it is done
        elif remaining <= 0:
            self.lock("idle")
        else:
            self._timer.start(max(10, int(remaining) + 1))

    @Slot(Qt.ApplicationState)
    def _app_state(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock("suspend")

    # ------------------------------------------------------------------ the lock

    @Slot(str)
    def lock(
        self, reason: str = "manual", were_open: tuple[QWidget, ...] = (), *, quitting: bool = False
    ) -> None:
        """Close dialogs, seal the draft and view state, wipe, drop keys. Safe to repeat.

        ``quitting``: the app ends next (quick exit set to close it), so a draft the
        diary cannot take at once is tried again for up to :data:`QUIT_KEEP_SECONDS`
        (every window is hidden already) instead of being lost with the process."""
        self._timer.stop()
        # A save running on a worker thread ends first (no retry starts), so the draft
        # below is left out if that save landed (#23.9).
        with carry_on():
            from ..widgets import background_write  # loaded with the first save

            background_write.settle()
        # The draft first, while its dialog is still intact; then close every window
        # (without letting any of them ask a question); then wipe and drop the keys.
        if self.session.is_unlocked:
            diary = self._diary()
            if diary is not None:
                self._seal_from(diary, reason, quitting)
        close_transient_windows((self.main_window, *self.keep_windows), were_open)
        self.session.lock()
        with carry_on():
            self.clipboard.clear_if_ours()
        self.did_lock.emit(reason)

    def _seal_from(self, diary: DiaryLike, reason: str = "manual", quitting: bool = False) -> None:
        self.kept_in_vault = False
        with carry_on():  # a broken view must never stop the lock
            draft = diary.take_draft()
            if draft:
                self.draft_box.seal(draft)
                if reason == "switch":
                    # Opening another diary kept it already (off the GUI thread), or the
                    # person chose to lose it: never wait here for a busy diary again.
                    self.kept_in_vault = self._still_kept()
                else:
                    self.kept_in_vault = self._keep_in_vault(draft, patient=quitting)
            elif self.draft_box.full:  # kept from before and not given back yet
                self.kept_in_vault = self._still_kept()
            del draft
        with carry_on():
            state = diary.state()
            if state:
                self.state_box.seal(state)
            del state
        self.session.draft = self.draft_box if self.draft_box.full else None

    def _keep_in_vault(self, draft: dict[str, Any], *, patient: bool = False) -> bool:
        """Keep the draft inside the encrypted vault too (#18.7), so it outlives the app:
        one small write while the vault is still open; skipped if it cannot be done.
        ``patient`` (the app is about to end): a busy diary is tried again until
        :data:`QUIT_KEEP_SECONDS` have passed, since the draft would otherwise end with
        the process; only a busy diary is retried (full, too large: no)."""
        from ... import drafts  # after start-up: the lock screen paints without it

        if self.session.idle_lock_held > 0:
            return False  # a re-key is rewriting the database: never wait for it
        with carry_on():
            return drafts.keep(self.session.require(), draft, patience=QUIT_KEEP_SECONDS if patient else 0)
        return False

    def _still_kept(self) -> bool:
        from ... import drafts

        with carry_on():
            return drafts.is_kept(self.session.require())
        return False

    def take_kept_draft(self) -> bool:
        """At unlock: a draft the vault kept (the app was closed or quick-exited) is put
        in the box for :meth:`restore_draft`, unless one is there already. It stays in
        the vault until it is saved or discarded on purpose."""
        from ... import drafts

        if self.draft_box.full or not self.session.is_unlocked:
            return self.draft_box.full
        with carry_on():
            kept = drafts.peek(self.session.require())
            if kept:
                self.draft_box.seal(kept)
                self.session.draft = self.draft_box
            del kept
        return self.draft_box.full

    def restore_state(self, diary: DiaryLike | None) -> None:
        """After unlock: put the view back where it was (filters, selection)."""
        state = self.state_box.open()
        if diary is not None and state:
            with carry_on():
                diary.restore_state(state)

    def restore_draft(self, diary: DiaryLike | None) -> None:
        """After unlock: give the unsaved draft back (this may open its dialog and wait).

        If that fails the draft is sealed again, so it is offered after the next unlock
        rather than lost.
        """
        draft = self.draft_box.open()
        self.session.draft = None
        if not draft:
            return
        if diary is None or not self.session.is_unlocked:
            self.draft_box.seal(draft)
            self.session.draft = self.draft_box
            return
        try:
            diary.restore_draft(draft)
        except Exception as exc:  # noqa: BLE001 - keep the draft rather than lose it
            log_unexpected(exc)
            if not self.draft_box.full:
                self.draft_box.seal(draft)
                self.session.draft = self.draft_box

    def forget(self) -> None:
        """Drop sealed draft and state (a different vault was opened, or we quit)."""
        self.draft_box.clear()
        self.state_box.clear()
        self.session.draft = None


class SystemLockWatch(QObject):
    """Asks for a lock when the desktop locks the screen or the machine goes to sleep.

    Qt has no portable signal for these. On Linux desktops they come over D-Bus:
    ``ActiveChanged(true)`` from the freedesktop or GNOME screensaver on the session
    bus, and logind's ``PrepareForSleep(true)`` on the system bus. Where there is no
    bus (tests, other systems) this quietly does nothing.
    """

    lock_requested = Signal(str)

    SCREENSAVERS = (
        ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
        ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.connected: list[str] = []
        with contextlib.suppress(ImportError, RuntimeError):
            from PySide6.QtDBus import QDBusConnection

            self.watch(QDBusConnection.sessionBus(), QDBusConnection.systemBus())

    def watch(self, session_bus: Any, system_bus: Any | None = None) -> None:
        """Subscribe on the given buses (tests pass a private bus)."""
        if session_bus is not None and session_bus.isConnected():
            for _service, path, interface in self.SCREENSAVERS:
                # Empty service: accept the signal from whoever owns the name.
                if session_bus.connect(
                    "", path, interface, "ActiveChanged", self, "1_screensaver_active(bool)"
                ):
                    self.connected.append(interface)
        if (
            system_bus is not None
            and system_bus.isConnected()
            and system_bus.connect(
                "org.freedesktop.login1",
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                self,
                "1_prepare_for_sleep(bool)",
            )
        ):
            self.connected.append("login1")

    @Slot(bool)
    def _screensaver_active(self, active: bool) -> None:
        if active:
            self.lock_requested.emit("screen")

    @Slot(bool)
    def _prepare_for_sleep(self, sleeping: bool) -> None:
        if sleeping:
            self.lock_requested.emit("suspend")
