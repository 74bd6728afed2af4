"""The unlocked vault as the GUI sees it, and the one place that locks it.

Why one object: locking must reach everything that holds diary text (models, image
caches, open dialogs, the clipboard, drafts). Widgets register a wipe callback here
when they start holding such data; ``lock()`` runs them all, then drops the keys.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication

from ...logs import log_unexpected

if TYPE_CHECKING:  # loaded after the first screen is painted (start-up time)
    from ...vault import Vault


@contextlib.contextmanager
def carry_on() -> Iterator[None]:
    """Run one step of the lock that must never stop the lock if it fails.

    The failure is logged (the exception's type and stack only, never its message,
    which could hold diary text) so a broken step can be found and fixed.
    """
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the lock goes on; the log says what failed
        log_unexpected(exc)


class Session(QObject):
    unlocked = Signal()
    locked = Signal()
    changed = Signal()  # the diary changed (add, edit, import...): views reload

    def __init__(self, vault_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vault_dir = vault_dir
        self.vault: Vault | None = None
        self._wipers: list[Callable[[], None]] = []
        self._clipboard_text: str | None = None
        # A draft kept across a lock: encrypted in memory by the GUI's draft store.
        self.draft: object | None = None
        # Work that must not be cut off by the auto-lock (a re-key rewriting the whole
        # database): while above 0 the idle timer waits. A lock the person asks for
        # (Lock, quick exit) still happens at once.
        self.idle_lock_held = 0

    @property
    def is_unlocked(self) -> bool:
        return self.vault is not None and self.vault.is_open

    def require(self) -> Vault:
        if self.vault is None or not self.vault.is_open:
            from ...errors import VaultLocked

            raise VaultLocked("The vault is locked. Unlock it to continue.")
        return self.vault

    def set_vault(self, vault: Vault) -> None:
        from ...casetime import use_vault_zone

        self.vault = vault
        use_vault_zone(vault)  # every time the app shows is on the case's clock (#16.4)
        self.unlocked.emit()

    def register_wipe(self, wipe: Callable[[], None]) -> None:
        """``wipe`` forgets every piece of diary data its owner holds (models, caches)."""
        self._wipers.append(wipe)

    def copy_to_clipboard(self, text: str) -> None:
        """Copy for the user, remembering it so lock can clear it if it is still there."""
        QGuiApplication.clipboard().setText(text)
        self._clipboard_text = text

    def clear_clipboard_if_ours(self) -> None:
        if self._clipboard_text is None:
            return
        clipboard = QGuiApplication.clipboard()
        if clipboard.text() == self._clipboard_text:
            clipboard.clear()
        self._clipboard_text = None

    def lock(self) -> None:
        for wipe in list(self._wipers):
            with carry_on():
                wipe()
        self.clear_clipboard_if_ours()
        if self.vault is not None:
            self.vault.lock()
            self.vault = None
        self.settle_location()
        self.locked.emit()

    def settle_location(self) -> None:
        """Give the vault's folder the name the neutral-face choice asks for (#17.8).

        It can only move while no vault is open, so this runs at start-up, after
        each lock and at quit (which locks); a move that fails is tried again next
        time, and the unlock screen reads ``vault_dir`` afresh each time.
        """
        if self.vault is not None:
            return
        from ...prefs import settle_location

        with carry_on():
            self.vault_dir = settle_location(self.vault_dir)

    def notify_changed(self) -> None:
        self.changed.emit()
