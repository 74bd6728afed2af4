"""First run: say what the app does, make the vault, hand over the recovery key.

Two pages (and a third to restore a backup instead). The first explains in three
sentences and asks for a passphrase twice, with a strength meter; the meter and the
rule that refuses weak ones are the core's (zxcvbn through
:func:`victim_log.passphrase.strength` and :func:`~victim_log.passphrase.passphrase_problem`),
so the CLI and the GUI agree. The
second shows the recovery key once, with Print and Save, and will not go on until
the person ticks that they have kept it.

The new vault is handed to the session as soon as it exists, so a quick exit or an
auto-lock while the recovery key is on screen locks it like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtCore import QRegularExpression
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QProgressBar
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...errors import VictimLogError
from ...fsutil import atomic_write_bytes
from ..widgets import dialogs
from ..widgets import privacy
from ..widgets.common import left_row
from ..widgets.common import push_button
from ..widgets.common import push_buttons
from ..widgets.common import scaled
from ..widgets.common import secret_line
from .helppanel import device_safety
from .screen import PagedScreen
from .screen import intro_page as intro_page  # the screens' pieces, as before
from .screen import link_button as link_button
from .screen import plain_label as plain_label
from .screen import set_message as set_message
from .screen import title_label as title_label
from .session import Session


def initials_edit(parent: QWidget, name: str, text: str = "") -> QLineEdit:
    """The one field for the initials exhibits are numbered with (SM/1): letters and
    digits only, as many as the core allows (first run, export, settings)."""
    from ...references import MAX_INITIALS

    edit = QLineEdit(text, parent)
    edit.setObjectName(name)
    edit.setAccessibleName(edit.tr("Your initials"))
    edit.setMaxLength(MAX_INITIALS)
    edit.setPlaceholderText("SM")
    edit.setValidator(QRegularExpressionValidator(QRegularExpression(rf"[^\W_]{{0,{MAX_INITIALS}}}"), edit))
    edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("M" * MAX_INITIALS) + 16)
    return edit


class PassphrasePair(QWidget):
    """A new passphrase typed twice, with a strength meter and the reason it's refused."""

    changed = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, label: str = "", user_inputs: Iterable[str] = ()
    ) -> None:
        super().__init__(parent)
        # What someone close to the victim would try first (names, dates): gathered
        # once per screen (vault_user_inputs), () at first run when nothing is known.
        self._inputs: tuple[str, ...] = tuple(user_inputs)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.first = secret_line(self, "newPassphrase", label or self.tr("New passphrase"))
        self.second = secret_line(self, "confirmPassphrase", self.tr("Type the passphrase again"))
        self.meter = QProgressBar(self)
        self.meter.setObjectName("strengthMeter")
        self.meter.setRange(0, 4)  # zxcvbn's score
        self.meter.setTextVisible(True)
        self.meter.setAccessibleName(self.tr("Passphrase strength"))
        self.reason = plain_label("", self, self.tr("Passphrase advice"))
        self.reason.setObjectName("passphraseReason")
        self.show_text = QCheckBox(self.tr("Show what I type"), self)
        self.show_text.setAccessibleName(self.tr("Show what I type"))
        self.show_text.toggled.connect(self._toggle_echo)
        form.addRow(label or self.tr("Passphrase:"), self.first)
        form.addRow(self.tr("Again:"), self.second)
        form.addRow(self.tr("Strength:"), self.meter)
        form.addRow("", self.show_text)
        form.addRow("", self.reason)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._update()

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.first.setEchoMode(mode)
        self.second.setEchoMode(mode)

    def problem(self) -> str | None:
        """Why the pair can't be used yet, in plain words; None when it can."""
        text = self.first.text()
        if not text:
            return self.tr("Choose a passphrase: a few unrelated words is easiest to remember.")
        from ...passphrase import passphrase_problem  # zxcvbn loads at the first key press

        core = passphrase_problem(text, self._inputs)
        if core:
            return self.tr(core)
        if self.second.text() != text:
            return self.tr("Type the same passphrase again in the second box.")
        return None

    def set_user_inputs(self, user_inputs: Iterable[str]) -> None:
        """Judge against these names and dates from now on (once a vault is open)."""
        self._inputs = tuple(user_inputs)
        self._update()

    def _update(self) -> None:
        text = self.first.text()
        if text:
            from ...passphrase import strength

            reading = strength(text, self._inputs)
            score, word = reading.score, reading.word
        else:
            score, word = 0, "weak"
        words = {
            "weak": self.tr("weak"),
            "fair": self.tr("fair"),
            "good": self.tr("good"),
            "strong": self.tr("strong"),
        }
        self.meter.setValue(score)
        self.meter.setFormat(words.get(word, word) if text else "")
        self.meter.setAccessibleDescription(words.get(word, word))
        problem = self.problem()
        self.reason.setText(problem or self.tr("That will do. Keep it somewhere only you know."))
        self.reason.setAccessibleDescription(self.reason.text())
        self.changed.emit()

    def passphrase(self) -> str:
        return self.first.text()

    def clear(self) -> None:
        self.first.clear()
        self.second.clear()
        self.show_text.setChecked(False)


class FirstRunScreen(PagedScreen):
    """Make a vault. ``finished`` fires when the person has kept their recovery key."""

    finished = Signal()  # created, and the recovery key kept
    restored = Signal()  # a backup was restored and is open
    look_chosen = Signal(str)  # "" for the app's own name, else a neutral face's key

    CREATE, KEY, RESTORE, LOOK = range(4)

    def __init__(
        self, session: Session, app_name: str, parent: QWidget | None = None, *, ask_look: bool = False
    ) -> None:
        super().__init__(session, "firstRunScreen", 3, parent)
        self.app_name = app_name
        self.setAccessibleName(self.tr("Welcome"))
        self.add_pages(
            self._make_create_page(), self._make_key_page(), self._make_restore_page(), self._make_look_page()
        )
        self._look_pending = ask_look
        if ask_look:
            self.pages.setCurrentIndex(self.LOOK)
        for label in (self.status, self.key_status, self.restore_status):
            set_message(label, "")

    # ------------------------------------------------------------------ page 1

    def _make_create_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(title_label(self.tr("Welcome"), page))
        intro = plain_label(
            self.tr(
                "Write down what is happening to you, with dates and evidence, to show the police "
                "or a support worker. "
                "Everything is locked with a passphrase that only you know. "
                "Nobody, not even us, can open it without your passphrase or your recovery key."
            ),
            page,
        )
        intro.setObjectName("introText")
        layout.addWidget(intro)
        layout.addSpacing(8)
        self.pair = PassphrasePair(page, label=self.tr("Passphrase:"))
        self.pair.changed.connect(self._update_create)
        layout.addWidget(self.pair)
        layout.addWidget(self._make_initials_row(page))
        layout.addWidget(self._make_zone_row(page))
        self.create_button = QPushButton(self.tr("Create my diary"), page)
        self.create_button.setObjectName("createButton")
        self.create_button.setAccessibleName(self.tr("Create my diary"))
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self.create_vault)
        self.pair.second.returnPressed.connect(self.create_vault)
        self.status = plain_label("", page, self.tr("Status"))
        self.status.setObjectName("createStatus")
        layout.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        layout.addSpacing(8)
        self.restore_link = link_button(self.tr("Already have a backup? Restore it"), page, "restoreLink")
        self.restore_link.clicked.connect(self.show_restore)
        layout.addWidget(self.restore_link, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self._update_create()
        return page

    def _make_initials_row(self, page: QWidget) -> QWidget:
        """Your initials (optional here; an export asks if they are still missing):
        exhibits are numbered with them, SM/1, SM/2 …, never with invented letters."""
        box = QWidget(page)
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        self.initials = initials_edit(box, "firstRunInitials")
        form.addRow(self.tr("Your initials:"), self.initials)
        form.addRow(
            "",
            plain_label(
                self.tr(
                    "Optional. Evidence you give the police is numbered with your initials, as in "
                    "a witness statement (SM/1, SM/2 …). You can add them later."
                ),
                box,
            ),
        )
        return box

    def _make_zone_row(self, page: QWidget) -> QWidget:
        """The case's time zone (#16.4), the computer's by default: every time in the diary
        and in an export is shown on its clock and names it (18:30 BST, 18:30 GMT)."""
        from ...casetime import zone_names

        box = QWidget(page)
        form = QFormLayout(box)
        form.setContentsMargins(0, 0, 0, 0)
        self.zone = QComboBox(box)
        self.zone.setObjectName("firstRunTimeZone")
        self.zone.setAccessibleName(self.tr("Time zone"))
        self.zone.setEditable(True)
        line = self.zone.lineEdit()
        if line is not None:
            line.setAccessibleName(self.tr("Time zone"))
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(zone_names())
        self.zone.setCurrentText(computer_zone_name())
        form.addRow(self.tr("Time zone:"), self.zone)
        form.addRow(
            "",
            plain_label(
                self.tr(
                    "Times are shown and exported in this zone, marked BST or GMT (or the zone's "
                    "own letters). It is your computer's zone unless you change it."
                ),
                box,
            ),
        )
        return box

    def _update_create(self) -> None:
        self.create_button.setEnabled(self.pair.problem() is None)

    def create_vault(self) -> None:
        if self.pair.problem() is not None:
            return
        from ...casetime import set_vault_zone
        from ...casetime import zone_of

        try:
            zone = zone_of(self.zone.currentText())
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            self.zone.setFocus()
            return
        self.create_button.setEnabled(False)
        set_message(self.status, self.tr("Creating your diary. This takes a moment…"))
        self.status.repaint()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            from ...vault import Vault

            vault, recovery = Vault.create(self.session.vault_dir, self.pair.passphrase())
        except VictimLogError as exc:
            set_message(self.status, "")
            dialogs.show_error(self, exc)
            self._update_create()
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.pair.clear()
        try:
            from ...references import remember_initials

            remember_initials(vault, self.initials.text())
        except VictimLogError:
            pass  # optional here: the first export asks again
        try:
            set_vault_zone(vault, zone.key)
        except VictimLogError as exc:  # the disk: the computer's zone is used meanwhile
            dialogs.show_error(self, exc)
        set_message(self.status, "")
        self.key_box.show_key(recovery)
        self.session.set_vault(vault)
        self.pages.setCurrentIndex(1)
        self.kept.setFocus()

    def _intro(self, which: str) -> tuple[QWidget, QVBoxLayout]:
        """The later pages' titles and what each is for."""
        texts = {
            "key": (
                self.tr("Your recovery key"),
                self.tr(
                    "If you forget your passphrase, this key is the only way back in. "
                    "Print it or save it somewhere safe away from this computer, such as a USB stick "
                    "you keep with you. Anyone who has it can open your diary."
                ),
            ),
            "restore": (
                self.tr("Restore a backup"),
                self.tr(
                    "Choose the backup file you saved, then type the passphrase you used with it "
                    "(or your recovery key). The backup is checked before anything is restored."
                ),
            ),
        }
        return intro_page(self, *texts[which])

    # ------------------------------------------------------------------ page 2

    def _make_key_page(self) -> QWidget:
        page, layout = self._intro("key")
        self.key_box = RecoveryKeyBox(
            page, lambda: self.app_name, self.tr("I have kept my recovery key somewhere safe")
        )
        self.key_box.key_text.setObjectName("recoveryKey")
        layout.addWidget(self.key_box)
        box = self.key_box
        self.key_text, self.print_button, self.save_button = box.key_text, box.print_button, box.save_button
        self.key_status, self.kept = box.key_status, box.kept
        self.continue_button = QPushButton(self.tr("Open my diary"), page)
        self.continue_button.setObjectName("continueButton")
        self.continue_button.setAccessibleName(self.tr("Open my diary"))
        self.continue_button.setEnabled(False)
        self.kept.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._continue)
        layout.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addSpacing(12)
        layout.addWidget(self._make_device_note(page))
        layout.addStretch(1)
        return page

    def _make_device_note(self, page: QWidget) -> QWidget:
        """Once, on the first run's last page (#22): this computer can be watched too,
        and where to get help checking; the same words stay in Help. This page only
        ever appears when a diary is made, after the passphrase, so it is shown once
        and nothing needs remembering; and nothing before it (the welcome page a
        passer-by might see) speaks of stalking."""
        note = QWidget(page)
        note.setObjectName("deviceSafetyNote")
        column = QVBoxLayout(note)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(title_label(self.tr("Is this computer safe to use?"), note, 1.15))
        for line in [*device_safety(), self.tr("You can read this again any time in Help.")]:
            column.addWidget(plain_label(line, note))
        return note

    def key_document_text(self) -> str:
        return self.key_box.document_text()

    def print_key(self) -> None:
        self.key_box.print_key()

    def save_key(self) -> None:
        self.key_box.save_key()

    def _continue(self) -> None:
        if not self.kept.isChecked():
            return
        self.wipe()
        self.finished.emit()

    # ------------------------------------------------------------------ page 3: restore

    def _make_restore_page(self) -> QWidget:
        page, layout = self._intro("restore")
        row = QHBoxLayout()
        self.backup_label = plain_label(self.tr("No file chosen yet."), page, self.tr("Backup file"))
        self.backup_label.setObjectName("backupFile")
        self.choose_backup = QPushButton(self.tr("Choose backup file…"), page)
        self.choose_backup.setObjectName("chooseBackup")
        self.choose_backup.setAccessibleName(self.tr("Choose backup file"))
        self.choose_backup.clicked.connect(self.pick_backup)
        row.addWidget(self.choose_backup)
        row.addWidget(self.backup_label, 1)
        layout.addLayout(row)
        form = QFormLayout()
        self.restore_secret = secret_line(
            page, "restoreSecret", self.tr("Passphrase or recovery key"), self.restore_vault
        )
        form.addRow(self.tr("Passphrase:"), self.restore_secret)
        self.use_recovery = QCheckBox(self.tr("This is my recovery key"), page)
        self.use_recovery.setObjectName("useRecoveryKey")
        self.use_recovery.setAccessibleName(self.use_recovery.text())
        form.addRow("", self.use_recovery)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.restore_button = QPushButton(self.tr("Restore"), page)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setAccessibleName(self.tr("Restore the backup"))
        self.restore_button.clicked.connect(self.restore_vault)
        back = QPushButton(self.tr("Back"), page)
        back.setObjectName("restoreBack")
        back.setAccessibleName(self.tr("Back to creating a new diary"))
        back.clicked.connect(self.show_create)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(back)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.restore_status = plain_label("", page, self.tr("Status"))
        self.restore_status.setObjectName("restoreStatus")
        layout.addWidget(self.restore_status)
        layout.addStretch(1)
        self._backup: Path | None = None
        return page

    def show_restore(self) -> None:
        self.pair.clear()
        self.pages.setCurrentIndex(2)
        self.choose_backup.setFocus()

    def show_create(self) -> None:
        self.restore_secret.clear()
        set_message(self.restore_status, "")
        self.pages.setCurrentIndex(0)
        self.pair.first.setFocus()

    def pick_backup(self) -> None:
        chosen = privacy.pick_paths(
            self,
            privacy.Mode.OPEN,
            self.tr("Choose your backup"),
            name_filters=[self.tr("Backups (*.vlbak)"), self.tr("All files (*)")],
        )
        if chosen:
            self._backup = chosen[0]
            self.backup_label.setText(chosen[0].name)
            self.restore_secret.setFocus()

    def restore_vault(self) -> None:
        if self._backup is None:
            set_message(self.restore_status, self.tr("Please choose the backup file first."))
            return
        secret = self.restore_secret.text()
        if not secret:
            set_message(self.restore_status, self.tr("Please type the passphrase for this backup."))
            return
        from ...backup import restore_backup

        set_message(self.restore_status, self.tr("Checking and restoring. This takes a moment…"))
        self.restore_status.repaint()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self.use_recovery.isChecked():
                vault = restore_backup(self._backup, self.session.vault_dir, recovery_key=secret)
            else:
                vault = restore_backup(self._backup, self.session.vault_dir, passphrase=secret)
        except VictimLogError as exc:
            set_message(self.restore_status, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - calm message, the app stays usable
            set_message(self.restore_status, "")
            dialogs.show_error(self, exc)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
            self.restore_secret.clear()
        del secret
        set_message(self.restore_status, "")
        self._backup = None
        self.backup_label.setText(self.tr("No file chosen yet."))
        self.session.set_vault(vault)
        self.restored.emit()

    # ------------------------------------------------------------------ page 4: the look

    def _make_look_page(self) -> QWidget:
        """Asked first, at the very first start, while the window still wears a plain
        name (#18.5): so the app's own name never shows on a shared computer unless
        the person chose it."""
        from ...prefs import FACES

        page, layout = intro_page(
            self,
            self.tr("Before you start"),
            self.tr(
                "How should this app show on this computer? Whoever sees your screen, taskbar or "
                "app menu sees this name and icon. You can change it later in Settings."
            ),
        )
        names = {
            "": self.tr("With its own name and icon"),
            "notes": self.tr("As “Notes”, a plain notepad"),
            "calculator": self.tr("As “Calculator”"),
        }
        self.look_buttons: dict[str, QRadioButton] = {}
        for key in ("", *FACES):
            button = QRadioButton(names.get(key, key), page)
            button.setObjectName(f"look_{key or 'own'}")
            button.setAccessibleName(button.text())
            layout.addWidget(button)
            self.look_buttons[key] = button
        self.look_buttons[""].setChecked(True)
        self.look_button = push_button(
            self.tr("Continue"), page, "lookContinue", self.tr("Continue"), self.choose_look
        )
        self.look_button.setDefault(True)
        layout.addWidget(self.look_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def choose_look(self) -> None:
        chosen = next((key for key, button in self.look_buttons.items() if button.isChecked()), "")
        self._look_pending = False
        self.look_chosen.emit(chosen)
        self.pages.setCurrentIndex(self.CREATE)
        self.pair.first.setFocus()

    # ------------------------------------------------------------------ wipe

    def wipe(self) -> None:
        """Forget the passphrase fields and the recovery key."""
        self.pair.clear()
        self.key_box.wipe()
        self.restore_secret.clear()
        set_message(self.restore_status, "")
        self.pages.setCurrentIndex(self.LOOK if self._look_pending else self.CREATE)
        self._update_create()

    def focus_first(self) -> None:
        if self.pages.currentIndex() == self.LOOK:
            next(b for b in self.look_buttons.values() if b.isChecked()).setFocus()
        elif self.pages.currentIndex() == 0:
            self.pair.first.setFocus()
        else:
            self.kept.setFocus()


def computer_zone_name() -> str:
    """The computer's time zone as an IANA name: Qt knows it on every platform (Windows
    included); the core's own guess otherwise."""
    from PySide6.QtCore import QTimeZone

    from ...casetime import system_zone_name
    from ...casetime import zone_of

    name = bytes(QTimeZone.systemTimeZoneId().data()).decode("ascii", "replace")
    try:
        return zone_of(name).key
    except VictimLogError:
        return system_zone_name()


def _printing_available() -> bool:
    try:
        from PySide6.QtPrintSupport import QPrinter  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------- the recovery key on paper


def recovery_key_text(app_name: str, key: str) -> str:
    """What is printed or saved: the key and what it is for (first run, Settings)."""
    return QCoreApplication.translate(
        "FirstRunScreen",
        "Recovery key for {app}\n\n{key}\n\n"
        "Keep this somewhere safe, away from the computer. With it, you can set a new "
        "passphrase if you forget yours. Anyone who has it can open the diary.",
    ).format(app=app_name, key=key)


class RecoveryKeyBox(QWidget):
    """A recovery key shown once: the key large, Print… and Save to file…, what
    happened, and the "I have kept it" tick (first run, and a new key from Settings)."""

    def __init__(self, parent: QWidget, app_name: Callable[[], str], kept_text: str) -> None:
        super().__init__(parent)
        self._app_name = app_name
        self._key = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key_text = QLabel("", self)
        self.key_text.setTextFormat(Qt.TextFormat.PlainText)
        self.key_text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.key_text.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.key_text.setAccessibleName(self.tr("Recovery key"))
        self.key_text.setFont(scaled(self.font(), 1.4, mono=True))
        self.key_text.setWordWrap(True)
        layout.addWidget(self.key_text)
        self.print_button, self.save_button, buttons = key_buttons(self, self.print_key, self.save_key)
        layout.addLayout(buttons)
        self.key_status = plain_label("", self, self.tr("Status"))
        self.key_status.setObjectName("keyStatus")
        layout.addWidget(self.key_status)
        self.kept = QCheckBox(kept_text, self)
        self.kept.setObjectName("keptKeyCheck")
        self.kept.setAccessibleName(kept_text)
        layout.addWidget(self.kept)
        set_message(self.key_status, "")

    def show_key(self, key: str) -> None:
        self._key = key
        self.key_text.setText(key)
        self.kept.setChecked(False)
        set_message(self.key_status, "")

    def document_text(self) -> str:
        return recovery_key_text(self._app_name(), self._key)

    def print_key(self) -> None:
        if print_recovery_key(self, self.document_text()):
            set_message(self.key_status, self.tr("Sent to the printer."))

    def save_key(self) -> None:
        saved = save_recovery_key(self, self.document_text())
        if saved is not None:
            set_message(self.key_status, self.tr("Saved as {name}.").format(name=saved.name))

    def wipe(self) -> None:
        self._key = ""
        self.key_text.setText("")
        set_message(self.key_status, "")
        self.kept.setChecked(False)


def key_buttons(
    page: QWidget, print_key: Callable[[], None], save_key: Callable[[], None]
) -> tuple[QPushButton, QPushButton, QHBoxLayout]:
    """Print… and Save to file… for a recovery key shown once (Print only where Qt
    can print), left-aligned in a row."""
    tr = page.tr
    print_button, save_button = push_buttons(
        page,
        (tr("Print…"), "printKeyButton", tr("Print the recovery key"), print_key),
        (tr("Save to file…"), "saveKeyButton", tr("Save to file: the recovery key"), save_key),
    )
    if not _printing_available():
        print_button.hide()
    return print_button, save_button, left_row(print_button, save_button)


def print_recovery_key(parent: QWidget, text: str) -> bool:
    """Ask for a printer and print ``text``; False when the person cancels."""
    from PySide6.QtGui import QTextDocument
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(parent.tr("Print your recovery key"))
    if dialogs.exec_dialog(dialog) != QPrintDialog.DialogCode.Accepted:
        return False
    doc = QTextDocument()
    doc.setPlainText(text)
    doc.print_(printer)
    doc.clear()
    return True


def save_recovery_key(parent: QWidget, text: str) -> Path | None:
    """Ask where, then write ``text`` there atomically; the file's path, or None."""
    chosen = privacy.pick_paths(
        parent,
        privacy.Mode.SAVE,
        parent.tr("Save your recovery key"),
        name_filters=[parent.tr("Text files (*.txt)")],
        default_suffix="txt",
        suggested_name="recovery-key.txt",
    )
    if not chosen:
        return None
    path: Path = chosen[0]
    try:
        atomic_write_bytes(path, text.encode("utf-8"), "the recovery key")
    except VictimLogError as exc:
        dialogs.show_error(parent, exc)
        return None
    return path
