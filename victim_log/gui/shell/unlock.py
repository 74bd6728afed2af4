"""The unlock screen: a passphrase, or the recovery key and a new passphrase.

Nothing of the diary shows here, not even a count. After wrong tries the core
makes the next one wait (the delay is kept in the vault's key file, so restarting
the app does not skip it); this screen shows that wait as a countdown and keeps
the Unlock button off until it ends. The recovery key is never held back: the core
lets it through during a wait, so someone who can write the vault folder cannot
lock the person out by planting a long wait (#17.2).

The recovery-key page is built the first time it is asked for: most starts paint
only the passphrase page, and the other page's strength meter (the first run's)
need not load before that paint (issue 5).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...errors import VaultLocked
from ...errors import VictimLogError
from ...errors import WrongPassphrase
from ..widgets.common import left_row
from ..widgets.common import named
from ..widgets.common import push_button
from ..widgets.common import secret_line
from .screen import PagedScreen
from .screen import intro_page
from .screen import link_button
from .screen import plain_label
from .screen import set_message
from .screen import title_label
from .session import Session
from .session import carry_on

if TYPE_CHECKING:  # loaded after the first screen is painted (start-up time)
    from ...vault import Vault
    from .firstrun import PassphrasePair

_LEFT = Qt.AlignmentFlag.AlignLeft

# After the first paint, a moment for the frame to reach the screen before the
# count-down loads the vault's code (a twentieth of a second on a slow machine),
# counted from the event loop's turn after the paint.
BACKOFF_AFTER_PAINT_MS = 50


class UnlockScreen(PagedScreen):
    """Emits ``unlocked(vault)`` with the open vault."""

    unlocked = Signal(object)

    # The recovery-key page's parts (see _recovery_page).
    recovery_key: QLineEdit
    new_pair: PassphrasePair
    recover_button: QPushButton
    back_button: QPushButton
    recover_message: QLabel

    def __init__(self, session: Session, *, neutral: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(session, "unlockScreen", 2, parent)
        self._backoff_after_paint = False
        self.setAccessibleName(self.tr("Unlock"))
        self.add_pages(self._make_passphrase_page(neutral))
        self._recovery: QWidget | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self.refresh_backoff)

    # ------------------------------------------------------------------ pages

    def _make_passphrase_page(self, neutral: bool) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        if neutral:
            self.heading = title_label(self.tr("Locked"), page)
            explain = self.tr("Enter your passphrase to continue.")
        else:
            self.heading = title_label(self.tr("Your diary is locked"), page)
            explain = self.tr("Enter your passphrase to open it.")
        layout.addWidget(self.heading)
        layout.addWidget(plain_label(explain, page))
        self.passphrase = secret_line(page, "unlockPassphrase", self.tr("Passphrase"), self.try_unlock)
        form = QFormLayout()
        form.addRow(self.tr("Passphrase:"), self.passphrase)
        layout.addLayout(form)
        self.unlock_button = push_button(
            self.tr("Unlock"), page, "unlockButton", self.tr("Unlock"), self.try_unlock
        )
        self.unlock_button.setDefault(True)
        layout.addWidget(self.unlock_button, 0, _LEFT)
        self.message = plain_label("", page, self.tr("Message"))
        self.message.setObjectName("unlockMessage")
        layout.addWidget(self.message)
        self.backoff = plain_label("", page, self.tr("Waiting time"))
        self.backoff.setObjectName("backoffMessage")
        layout.addWidget(self.backoff)
        self.forgot_button = link_button(
            self.tr("Forgot your passphrase? Use your recovery key"), page, "forgotButton"
        )
        self.forgot_button.clicked.connect(self.show_recovery)
        layout.addWidget(self.forgot_button, 0, _LEFT)
        layout.addStretch(1)
        set_message(self.message, "")
        set_message(self.backoff, "")
        return page

    def _recovery_page(self) -> QWidget:
        """The recovery-key page, built (and added as page 1) the first time it is needed."""
        if self._recovery is None:
            self._recovery = self._make_recovery_page()
            self.add_pages(self._recovery)
            self._update_recover_button()
        return self._recovery

    def _make_recovery_page(self) -> QWidget:
        """The way back in without the passphrase: the recovery key and a new passphrase.
        Never held back by the wait after wrong tries (see the module's docstring)."""
        from .firstrun import PassphrasePair  # its strength meter is not needed at start-up

        page, layout = intro_page(
            self,
            self.tr("Use your recovery key"),
            self.tr(
                "Type the recovery key you printed or saved when you set things up, then choose a "
                "new passphrase. Your recovery key keeps working afterwards."
            ),
        )
        self.recovery_key = named(QLineEdit(page), "recoveryKeyInput", self.tr("Recovery key"))
        form = QFormLayout()
        form.addRow(self.tr("Recovery key:"), self.recovery_key)
        layout.addLayout(form)
        self.new_pair = PassphrasePair(page, label=self.tr("New passphrase:"))
        self.new_pair.changed.connect(self._update_recover_button)
        self.recovery_key.textChanged.connect(self._update_recover_button)
        layout.addWidget(self.new_pair)
        set_new = self.tr("Set new passphrase and open")
        self.recover_button = push_button(set_new, page, "recoverButton", set_new, self.try_recover)
        self.back_button = push_button(
            self.tr("Back"), page, "backButton", self.tr("Back to the passphrase"), self.show_passphrase
        )
        layout.addLayout(left_row(self.recover_button, self.back_button))
        self.recover_message = plain_label("", page, self.tr("Message"))
        self.recover_message.setObjectName("recoverMessage")
        layout.addWidget(self.recover_message)
        layout.addStretch(1)
        set_message(self.recover_message, "")
        return page

    # ------------------------------------------------------------------ navigation

    def show_passphrase(self) -> None:
        if self._recovery is not None:
            self.recovery_key.clear()
            self.new_pair.clear()
            set_message(self.recover_message, "")
        self.pages.setCurrentIndex(0)
        self.refresh_backoff()
        self.passphrase.setFocus()

    def show_recovery(self) -> None:
        self.pages.setCurrentWidget(self._recovery_page())
        self.refresh_backoff()
        self.recovery_key.setFocus()

    def focus_first(self) -> None:
        (self.passphrase if self.pages.currentIndex() == 0 else self.recovery_key).setFocus()

    def wipe(self) -> None:
        """Forget anything typed here (runs on every lock)."""
        self.passphrase.clear()
        if self._recovery is not None:
            self.recovery_key.clear()
            self.new_pair.clear()

    def reset(self) -> None:
        """Back to a clean passphrase page, e.g. after a lock."""
        self.wipe()
        set_message(self.message, "")
        self.pages.setCurrentIndex(0)
        if self.isVisible():
            self.refresh_backoff()
        else:
            # Once painted: the count-down reads the key file through the vault's
            # code, which need not hold up the first screen at start-up. Until then
            # the core still refuses an early try by itself.
            self._backoff_after_paint = True

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt name
        super().paintEvent(event)
        if self._backoff_after_paint:
            self._backoff_after_paint = False
            # Counted from the event loop's next turn, not from inside the paint: a
            # paint slower than the wait (a busy machine) would otherwise have the
            # vault's code load before whatever was queued for just after the paint.
            QTimer.singleShot(0, self._backoff_soon)

    def _backoff_soon(self) -> None:
        QTimer.singleShot(BACKOFF_AFTER_PAINT_MS, self.refresh_backoff)

    # ------------------------------------------------------------------ back-off

    def pending_delay(self) -> float:
        try:
            from ...vault import Vault

            return Vault.pending_delay(self.session.vault_dir)
        except VictimLogError as exc:
            set_message(self.message, exc.message)
            return 0.0

    def refresh_backoff(self) -> None:
        delay = self.pending_delay()
        waiting = delay > 0
        if waiting:
            seconds = max(1, math.ceil(delay))
            if seconds == 1:
                text = self.tr("Too many wrong tries. You can try again in 1 second.")
            else:
                text = self.tr("Too many wrong tries. You can try again in {n} seconds.").format(n=seconds)
            set_message(self.backoff, text)
            if not self._tick.isActive():
                self._tick.start()
        else:
            set_message(self.backoff, "")
            self._tick.stop()
        self.unlock_button.setEnabled(not waiting)
        self._update_recover_button()

    def _update_recover_button(self) -> None:
        """The recovery key works during a back-off too, so only what is typed counts."""
        if self._recovery is None:
            return
        ready = bool(self.recovery_key.text().strip()) and self.new_pair.problem() is None
        self.recover_button.setEnabled(ready)

    # ------------------------------------------------------------------ unlocking

    def try_unlock(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        secret = self.passphrase.text()
        self.passphrase.clear()
        if not secret:
            set_message(self.message, self.tr("Please type your passphrase."))
            return
        vault = self._open(secret=secret)
        del secret
        if vault is not None:
            set_message(self.message, "")
            self.unlocked.emit(vault)

    def try_recover(self) -> None:
        if not self.recover_button.isEnabled():
            return
        key = self.recovery_key.text().strip()
        new = self.new_pair.passphrase()
        vault = self._open(recovery=key)
        if vault is None:
            return
        try:
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                vault.change_passphrase(new)
            finally:
                QGuiApplication.restoreOverrideCursor()
        except VictimLogError as exc:
            # The core judged it against the names and dates in the diary: from now on
            # the meter does too (gathered once, while the vault is open).
            with carry_on():
                from ...passphrase import vault_user_inputs

                self.new_pair.set_user_inputs(vault_user_inputs(vault))
            vault.lock()
            set_message(self.recover_message, exc.message)
            return
        self.recovery_key.clear()
        self.new_pair.clear()
        set_message(self.recover_message, "")
        self.pages.setCurrentIndex(0)
        self.unlocked.emit(vault)

    def _open(self, *, secret: str | None = None, recovery: str | None = None) -> Vault | None:
        label = self.message if recovery is None else self.recover_message
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            from ...vault import Vault

            if recovery is not None:
                return Vault.open(self.session.vault_dir, recovery_key=recovery)
            return Vault.open(self.session.vault_dir, secret)
        except WrongPassphrase as exc:
            if recovery is not None:
                label.setText(
                    self.tr(exc.message)
                    + " "
                    + self.tr("Check each group of letters and numbers and try again.")
                )
            else:
                label.setText(self.tr("That passphrase didn't open it. Check Caps Lock and try again."))
            return None
        except VaultLocked as exc:
            label.setText(exc.message)
            return None
        except Exception as exc:  # noqa: BLE001 - calm message, app stays usable
            from ..widgets import dialogs

            dialogs.show_error(self, exc)
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.refresh_backoff()
