"""Change the passphrase, or make a new recovery key (#18.8).

Both ask for the current passphrase first: the person this app guards against may
sit at the unlocked computer, and must not be able to lock the victim out of her own
diary or take a recovery key away with them. The key work (Argon2id, a second or so)
runs on a worker thread behind a plain "Changing…" line, so the window never freezes.

What a plain change does is said on the dialog, because a frightened person will
rely on it: it stops the old passphrase opening *this* diary from now on; it does not
undo what someone already read or copied, and a copy of the diary's files taken before
the change still opens with the old passphrase.

A recovery key is never kept on the computer, so it cannot be shown again; it can be
replaced, and the old one stops working at once. The new one is shown once, with
Print and Save, as at first run.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QProgressBar
from PySide6.QtWidgets import QStackedWidget
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...errors import BadInput
from ...errors import VictimLogError
from ...errors import WrongPassphrase
from ...vault import Vault
from ..widgets import dialogs
from ..widgets.common import BackgroundTask
from ..widgets.common import action_row
from ..widgets.common import busy_bar
from ..widgets.common import secret_line
from ..widgets.common import start_task
from .firstrun import PassphrasePair
from .firstrun import RecoveryKeyBox
from .firstrun import plain_label
from .firstrun import set_message
from .firstrun import title_label
from .fitting import fit_to_screen
from .fitting import scrolling_form
from .session import Session

CHANGE, NEW_KEY, SHOW = "passphrase", "recovery", "show"
REKEY = "rekey"  # what ``changed`` reports after "Someone may know my passphrase"

INTERRUPTED = (
    "The change of keys was interrupted. Your diary opens with the old or the new passphrase "
    "and recovery key; the next unlock finishes it."
)


class RekeyRelay(QObject):
    """Carries the re-key's reports from the worker thread to the dialog (queued)."""

    progress = Signal(str, int, int)  # stage, done, total (vault.REKEY_STAGES)
    staged = Signal(str)  # the new recovery key, as soon as it works


def confirm_current(vault: Vault, current: str) -> None:
    """Raise WrongPassphrase unless ``current`` opens the key file as it is on disk
    now (slow on purpose: Argon2id; called on the worker thread)."""
    from ...crypto import keys
    from ...vault import KEY_NAME

    if not current:
        raise WrongPassphrase("Please type your current passphrase first.")
    keys.KeyFile.load(vault.path / KEY_NAME).unwrap_with_passphrase(current)


def rekey(vault: Vault, current: str, new_passphrase: str, relay: RekeyRelay) -> str:
    """Check ``current``, then a new key for the whole diary (worker thread): returns
    the new recovery key, also sent through ``relay.staged`` as soon as it works."""
    confirm_current(vault, current)
    return vault.rekey(new_passphrase, progress=relay.progress.emit, staged=relay.staged.emit)


def change_keys(vault: Vault, current: str, new_passphrase: str, new_recovery: bool) -> str:
    """Check ``current``, set ``new_passphrase`` (if any), make a new recovery key if
    asked; returns the new recovery key or "" (worker thread)."""
    confirm_current(vault, current)
    if new_passphrase:
        vault.change_passphrase(new_passphrase)
    return vault.new_recovery_key() if new_recovery else ""


class PassphraseDialog(QDialog):
    """Change the passphrase (``mode=CHANGE``, optionally re-keying everything),
    replace the recovery key (``NEW_KEY``), or show a key an unlock made (``SHOW``)."""

    changed = Signal(str)  # what was done: "passphrase", "recovery", "both" or "rekey"

    def __init__(
        self,
        session: Session,
        app_name: str,
        mode: str = CHANGE,
        parent: QWidget | None = None,
        *,
        key: str = "",
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.app_name = app_name
        self.mode = mode
        self._task: BackgroundTask | None = None
        self._staged = False
        self.relay = RekeyRelay(self)
        self.relay.progress.connect(self._progress)
        self.relay.staged.connect(self._show_staged_key)
        vault = session.require()
        self.setObjectName("passphraseDialog")
        title = {
            CHANGE: self.tr("Change your passphrase"),
            NEW_KEY: self.tr("Make a new recovery key"),
            SHOW: self.tr("Your diary's keys were changed"),
        }.get(mode, "")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._form_page(vault, title))
        self.pages.addWidget(self._key_page())
        self.pages.addWidget(self._done_page())
        buttons, self.cancel_button, self.ok_button = action_row(
            self,
            (self.tr("Cancel"), "cancelButton", self.reject),
            (
                self.tr("Change passphrase") if mode == CHANGE else self.tr("Make a new key"),
                "okButton",
                self.start,
            ),
        )
        scrolling_form(self, self.pages, buttons)
        if mode == SHOW:  # an unlock finished an interrupted re-key: its key, once
            self.key_box.show_key(key)
            set_message(
                self.rekey_status,
                self.tr("Only your new passphrase and this recovery key open your diary now."),
            )
            self.cancel_button.hide()
            self.ok_button.setText(self.tr("Done"))
            self.pages.setCurrentIndex(1)
        self._update()
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.sizeHint().height())
        fit_to_screen(self)
        (self.print_button if mode == SHOW else self.current).setFocus()

    # ------------------------------------------------------------------ pages

    def _form_page(self, vault: Vault, title: str) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(title_label(title, page, 1.3))
        if self.mode == CHANGE:
            explain = self.tr(
                "A new passphrase stops anyone who knows the old one from opening this diary from "
                "now on. It does not undo what they may already have read or copied, and a copy of "
                "the diary's files taken before today still opens with the old passphrase. Your "
                "recovery key keeps working unless you replace it below."
            )
        else:
            explain = self.tr(
                "Your recovery key is not kept on this computer, so it cannot be shown again. You can "
                "make a new one: the old one stops working at once, so a lost or seen copy is no use "
                "to anyone. Your passphrase stays the same."
            )
        layout.addWidget(plain_label(explain, page))
        form = QFormLayout()
        self.current = secret_line(page, "currentPassphrase", self.tr("Current passphrase"), self.start)
        self.current.textChanged.connect(self._update)
        form.addRow(self.tr("Current passphrase:"), self.current)
        layout.addLayout(form)
        from ...passphrase import vault_user_inputs

        self.pair = PassphrasePair(
            page, label=self.tr("New passphrase:"), user_inputs=vault_user_inputs(vault)
        )
        self.pair.changed.connect(self._update)
        self.also_recovery = QCheckBox(
            self.tr("Also make a new recovery key (the old one stops working)"), page
        )
        self.also_recovery.setObjectName("alsoNewRecoveryKey")
        self.also_recovery.setAccessibleName(self.also_recovery.text())
        self.rekey = QCheckBox(
            self.tr("Someone may know my passphrase: give the whole diary a new key"), page
        )
        self.rekey.setObjectName("rekeyEverything")
        self.rekey.setAccessibleName(self.rekey.text())
        self.rekey.toggled.connect(self._rekey_toggled)
        self.rekey_note = plain_label(
            self.tr(
                "A plain change does not stop someone who knew your old passphrase and kept a copy "
                "of the diary's small key file. A new key does: the database is re-encrypted, and "
                "you get a new recovery key too. It takes longer; keep the app open until it is done."
            ),
            page,
        )
        if self.mode == CHANGE:
            for widget in (self.pair, self.also_recovery, self.rekey, self.rekey_note):
                layout.addWidget(widget)
        else:
            for widget in (self.pair, self.also_recovery, self.rekey, self.rekey_note):
                widget.hide()
        self.busy, self.status = self._progress_rows(page, layout, "passphraseStatus", self.tr("Status"))
        return page

    @staticmethod
    def _progress_rows(
        page: QWidget, layout: QVBoxLayout, name: str, what: str
    ) -> tuple[QProgressBar, QLabel]:
        """A busy bar (hidden until work runs) and a status line, at the foot of a page."""
        busy = busy_bar(page)
        busy.hide()
        layout.addWidget(busy)
        status = plain_label("", page, what)
        status.setObjectName(name)
        layout.addWidget(status)
        layout.addStretch(1)
        set_message(status, "")
        return busy, status

    def _key_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(title_label(self.tr("Your new recovery key"), page, 1.3))
        layout.addWidget(
            plain_label(
                self.tr(
                    "Print it or save it somewhere safe away from this computer, such as a USB stick "
                    "you keep with you. This is the only time it is shown. The old key no longer works."
                ),
                page,
            )
        )
        self.key_box = RecoveryKeyBox(
            page, lambda: self.app_name, self.tr("I have kept my new recovery key somewhere safe")
        )
        self.key_box.key_text.setObjectName("newRecoveryKey")
        box = self.key_box
        self.key_text, self.print_button, self.save_button = box.key_text, box.print_button, box.save_button
        self.kept = box.kept
        self.kept.toggled.connect(self._update)
        layout.addWidget(box)
        self.rekey_busy, self.rekey_status = self._progress_rows(
            page, layout, "rekeyStatus", self.tr("Progress")
        )
        return page

    def _done_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        self.done_text = plain_label("", page, self.tr("Done"))
        self.done_text.setObjectName("doneText")
        layout.addWidget(self.done_text)
        layout.addStretch(1)
        return page

    # ------------------------------------------------------------------ state

    def problem(self) -> str | None:
        if not self.current.text():
            return self.tr("Type your current passphrase.")
        if self.mode == CHANGE:
            return self.pair.problem()
        return None

    @Slot()
    def _update(self) -> None:
        page = self.pages.currentIndex()
        if page == 0:
            self.ok_button.setEnabled(self._task is None and self.problem() is None)
        elif page == 1:
            self.ok_button.setEnabled(self._task is None and self.kept.isChecked())
        else:
            self.ok_button.setEnabled(True)

    @property
    def running(self) -> bool:
        return self._task is not None

    # ------------------------------------------------------------------ the change

    @Slot()
    def start(self) -> None:
        page = self.pages.currentIndex()
        if page != 0:
            if self._task is not None or page == 1 and not self.kept.isChecked():
                return
            self.accept()
            return
        if self._task is not None or self.problem() is not None:
            return
        vault = self.session.require()
        current = self.current.text()
        new = self.pair.passphrase() if self.mode == CHANGE else ""
        recovery = self.mode == NEW_KEY or self.also_recovery.isChecked()
        everything = self.mode == CHANGE and self.rekey.isChecked()
        self.current.clear()
        self.pair.clear()
        self._inputs_enabled(False)
        set_message(self.status, self.tr("Changing… This takes a few seconds."))
        self.busy.show()
        if everything:
            relay = self.relay
            self.session.idle_lock_held += 1  # the auto-lock waits; Lock and quick exit do not
            self._task = start_task(lambda: rekey(vault, current, new, relay), self._finished)
        else:
            self._task = start_task(lambda: change_keys(vault, current, new, recovery), self._finished)
        self._update()

    def _inputs_enabled(self, enabled: bool) -> None:
        for widget in (self.current, self.pair, self.also_recovery, self.rekey, self.cancel_button):
            widget.setEnabled(enabled)
        if enabled and self.rekey.isChecked():
            self.also_recovery.setEnabled(False)

    @Slot(bool)
    def _rekey_toggled(self, on: bool) -> None:
        """A new key for everything always comes with a new recovery key."""
        if on:
            self.also_recovery.setChecked(True)
        self.also_recovery.setEnabled(not on)

    @Slot(str)
    def _show_staged_key(self, key: str) -> None:
        """The re-key's new recovery key works: show it now, while the database is
        still being rewritten, so nothing after this can lose it."""
        self._staged = True
        self.key_box.show_key(key)
        self.pages.setCurrentIndex(1)
        self.rekey_busy.show()
        self.cancel_button.hide()
        self.ok_button.setText(self.tr("Done"))
        self.print_button.setFocus()
        self._update()

    @Slot(str, int, int)
    def _progress(self, stage: str, done: int, total: int) -> None:
        text = {
            "keys": self.tr("Making new keys…"),
            "files": self.tr("New keys for your evidence files: {done} of {total}…").format(
                done=done, total=total
            ),
            "database": self.tr("Re-encrypting your diary… This can take a minute with a big diary."),
            "done": self.tr("Done. Only your new passphrase and this recovery key open your diary now."),
        }.get(stage, "")
        set_message(self.rekey_status if self._staged else self.status, text)

    @Slot(object, object)
    def _finished(self, result: object, error: object) -> None:
        self._task = None
        self.busy.hide()
        self.rekey_busy.hide()
        everything = self.mode == CHANGE and self.rekey.isChecked()
        if everything:
            self.session.idle_lock_held = max(0, self.session.idle_lock_held - 1)
        self._inputs_enabled(True)
        if error is not None and self._staged:
            # The new key is on screen and works; what is left, the next unlock finishes.
            set_message(self.rekey_status, self.tr(INTERRUPTED))
            self._update()
            return
        if error is not None:
            if isinstance(error, WrongPassphrase):
                set_message(self.status, self.tr("That is not your current passphrase. Nothing was changed."))
            elif isinstance(error, VictimLogError):
                set_message(self.status, error.message)
            else:
                set_message(self.status, "")
                dialogs.show_error(self, error if isinstance(error, BaseException) else BadInput(str(error)))
            self.current.setFocus()
            self._update()
            return
        key = str(result or "")
        done = "both" if key and self.mode == CHANGE else (CHANGE if self.mode == CHANGE else NEW_KEY)
        if everything:
            done = REKEY
            self._progress("done", 1, 1)
        self.cancel_button.hide()
        if key and self._staged:
            self.kept.setFocus()
        elif key:
            self.key_box.show_key(key)
            self.pages.setCurrentIndex(1)
            self.ok_button.setText(self.tr("Done"))
            self.print_button.setFocus()
        else:
            self.done_text.setText(
                self.tr(
                    "Your passphrase was changed. Use the new one from now on. Your recovery key still works."
                )
            )
            self.pages.setCurrentIndex(2)
            self.ok_button.setText(self.tr("Done"))
            self.ok_button.setFocus()
        self._update()
        self.changed.emit(done)

    # ------------------------------------------------------------------ closing

    def reject(self) -> None:
        # While the change runs, closing would leave the person unsure which
        # passphrase works; once the new key is shown, it must be kept first.
        if self.running or self.pages.currentIndex() == 1 and not self.kept.isChecked():
            return
        super().reject()

    def done(self, result: int) -> None:
        self.wipe()
        super().done(result)

    def wipe(self) -> None:
        """Forget what was typed and the key shown (also at every lock)."""
        self.current.clear()
        self.pair.clear()
        self.key_box.wipe()


def open_passphrase_dialog(
    session: Session, app_name: str, mode: str = CHANGE, parent: QWidget | None = None
) -> None:
    """Show the dialog modally (deleted afterwards: it held a recovery key)."""
    dialogs.open_modal(lambda: PassphraseDialog(session, app_name, mode, parent), parent)


def show_finished_rekey_key(session: Session, app_name: str, key: str, parent: QWidget | None = None) -> None:
    """An unlock just finished an interrupted re-key: show its new recovery key once."""
    dialogs.open_modal(lambda: PassphraseDialog(session, app_name, SHOW, parent, key=key), parent)
