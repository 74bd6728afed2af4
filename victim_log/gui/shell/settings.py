"""Settings: safety choices, help numbers, and how the case is named in exports.

Everything here is stored encrypted in the vault (``Vault.set_setting``), except
the neutral face, which the locked app must know and so lives in the small
plaintext prefs file (:mod:`victim_log.prefs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView
from PySide6.QtWidgets import QButtonGroup
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QFormLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QHeaderView
from PySide6.QtWidgets import QKeySequenceEdit
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QSpinBox
from PySide6.QtWidgets import QTableWidget
from PySide6.QtWidgets import QTableWidgetItem
from PySide6.QtWidgets import QTabWidget
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ... import references
from ...errors import VictimLogError
from ...prefs import FACES
from ...prefs import Prefs
from ...vault import Vault
from ..widgets.common import named
from .firstrun import initials_edit
from .helppanel import HELPLINES_SETTING
from .helppanel import MAX_HELPLINES
from .helppanel import Helpline
from .helppanel import default_helplines
from .helppanel import helplines_for
from .helppanel import helplines_to_json
from .lock import AUTOLOCK_SETTING
from .lock import MAX_MINUTES
from .lock import MIN_MINUTES
from .lock import autolock_minutes
from .quickexit import ACTION_SETTING
from .quickexit import DEFAULT_SHORTCUT
from .quickexit import SHORTCUT_SETTING
from .quickexit import parse_action
from .quickexit import parse_shortcut
from .quickexit import shortcut_is_usable

CASE_TITLE_SETTING = "case_title"
OWNER_SETTING = "owner_name"  # "Whose log" on the export's key facts page (#20)
INITIALS_SETTING = "initials"
COVER_CODE_SETTING = "cover_code"  # kept inside the vault only
COVER_CODE_DIGITS = (4, 12)


def cover_code_problem(code: str) -> str | None:
    """Why ``code`` cannot be the calculator's way back; None if it can ("" = none)."""
    low, high = COVER_CODE_DIGITS
    if code and not (code.isascii() and code.isdigit() and low <= len(code) <= high):
        return f"The calculator code is {low} to {high} digits (0 to 9), or empty for none."
    return None


@dataclass(frozen=True)
class ShellSettings:
    autolock_minutes: int = 5
    quick_exit_action: str = "quit"
    quick_exit_shortcut: str = DEFAULT_SHORTCUT
    helplines: tuple[Helpline, ...] = field(default_factory=tuple)  # empty: the defaults
    case_title: str = ""
    owner_name: str = ""
    initials: str = ""
    time_zone: str = ""  # the case's clock (#16.4); "" only when built by hand
    cover_code: str = ""  # digits typed then "=" in the calculator cover: back to the unlock


def load_shell_settings(vault: Vault) -> ShellSettings:
    stored_helplines = vault.get_setting(HELPLINES_SETTING)
    return ShellSettings(
        autolock_minutes=autolock_minutes(vault.get_setting(AUTOLOCK_SETTING, "5")),
        quick_exit_action=parse_action(vault.get_setting(ACTION_SETTING, "quit")),
        quick_exit_shortcut=parse_shortcut(vault.get_setting(SHORTCUT_SETTING, DEFAULT_SHORTCUT)).toString(
            QKeySequence.SequenceFormat.PortableText
        ),
        helplines=tuple(helplines_for(vault)) if stored_helplines else (),
        case_title=vault.get_setting(CASE_TITLE_SETTING),
        owner_name=vault.get_setting(OWNER_SETTING),
        initials=vault.get_setting(INITIALS_SETTING),
        time_zone=casetime.zone_of_vault(vault).key,
        cover_code=vault.get_setting(COVER_CODE_SETTING),
    )


def save_shell_settings(vault: Vault, new: ShellSettings) -> None:
    """Write only what changed, so an unchanged dialog adds nothing to the vault."""
    old = load_shell_settings(vault)
    values = {
        AUTOLOCK_SETTING: (str(old.autolock_minutes), str(new.autolock_minutes)),
        ACTION_SETTING: (old.quick_exit_action, new.quick_exit_action),
        SHORTCUT_SETTING: (old.quick_exit_shortcut, new.quick_exit_shortcut),
        CASE_TITLE_SETTING: (old.case_title, new.case_title),
        OWNER_SETTING: (old.owner_name, new.owner_name),
        INITIALS_SETTING: (old.initials, new.initials),
        COVER_CODE_SETTING: (old.cover_code, new.cover_code),
    }
    for name, (before, after) in values.items():
        if before != after:
            vault.set_setting(name, after)
    if old.helplines != new.helplines:
        vault.set_setting(HELPLINES_SETTING, helplines_to_json(list(new.helplines)) if new.helplines else "")
    if new.time_zone and new.time_zone != old.time_zone:
        casetime.set_vault_zone(vault, new.time_zone)  # shown on this clock from now on


class SettingsDialog(QDialog):
    """Edit :class:`ShellSettings` and the neutral-face :class:`Prefs`."""

    keys_requested = Signal(str)  # "passphrase" or "recovery": the main window asks for it

    def __init__(
        self,
        settings: ShellSettings,
        prefs: Prefs,
        reserved: list[QKeySequence] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.setAccessibleName(self.tr("Settings"))
        self.setModal(True)
        self._reserved = [s for s in (reserved or []) if not s.isEmpty()]
        self._zones = frozenset({*casetime.zone_names(), settings.time_zone, casetime.active_zone().key})
        tabs = QTabWidget(self)
        tabs.setAccessibleName(self.tr("Settings sections"))
        tabs.addTab(self._safety_tab(settings, prefs), self.tr("Safety"))
        tabs.addTab(self._help_tab(settings), self.tr("Help numbers"))
        tabs.addTab(self._case_tab(settings), self.tr("Your case"))
        self.problem = QLabel("", self)
        self.problem.setObjectName("settingsProblem")
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(self.tr("Problem"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setAccessibleName(
            self.tr("OK, save settings")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(self.tr("Cancel"))
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self._validate()

    # ------------------------------------------------------------------ tabs

    def _safety_tab(self, settings: ShellSettings, prefs: Prefs) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.minutes = QSpinBox(page)
        self.minutes.setObjectName("autolockMinutes")
        self.minutes.setRange(MIN_MINUTES, MAX_MINUTES)
        self.minutes.setSuffix(self.tr(" minutes"))
        self.minutes.setValue(settings.autolock_minutes)
        self.minutes.setAccessibleName(self.tr("Lock after this many minutes without use"))
        form.addRow(self.tr("Lock when not used for:"), self.minutes)

        self.exit_quit = named(
            QRadioButton(self.tr("Close the app"), page), "exitQuit", self.tr("Quick exit: close the app")
        )
        self.exit_cover = named(
            QRadioButton(self.tr("Show a harmless blank window instead"), page),
            "exitCover",
            self.tr("Quick exit: show a harmless blank window instead"),
        )
        group = QButtonGroup(page)
        group.addButton(self.exit_quit)
        group.addButton(self.exit_cover)
        (self.exit_cover if settings.quick_exit_action == "cover" else self.exit_quit).setChecked(True)
        column = QVBoxLayout()
        column.addWidget(self.exit_quit)
        column.addWidget(self.exit_cover)
        form.addRow(self.tr("Quick exit:"), column)
        self.cover_code = named(QLineEdit(settings.cover_code, page), "coverCode", self.tr("Calculator code"))
        self.cover_code.setEchoMode(QLineEdit.EchoMode.Password)
        self.cover_code.setMaxLength(COVER_CODE_DIGITS[1])
        self.cover_code.textChanged.connect(self._validate)
        self._noted_row(
            form,
            self.tr("Calculator code:"),
            self.cover_code,
            self.tr(
                "With the Calculator look, the blank window after a quick exit is a calculator. "
                "Type this code in it, then =, to get back to where you unlock (as in Tella). "
                "4 to 12 digits; leave it empty to close the calculator and start the app again instead."
            ),
        )

        self.shortcut = QKeySequenceEdit(QKeySequence(settings.quick_exit_shortcut), page)
        self.shortcut.setObjectName("quickExitShortcut")
        self.shortcut.setMaximumSequenceLength(1)
        self.shortcut.setAccessibleName(self.tr("Quick exit shortcut"))
        self.shortcut.keySequenceChanged.connect(self._validate)
        form.addRow(self.tr("Quick exit shortcut:"), self.shortcut)
        form.addRow("", _note(self.tr("Pressing Esc twice quickly always works too."), page))

        self.change_passphrase = named(
            QPushButton(self.tr("Change passphrase…"), page), "changePassphraseButton"
        )
        self.change_passphrase.clicked.connect(lambda: self.keys_requested.emit("passphrase"))
        self.new_recovery_key = named(QPushButton(self.tr("New recovery key…"), page), "newRecoveryKeyButton")
        self.new_recovery_key.clicked.connect(lambda: self.keys_requested.emit("recovery"))
        keys_row = QHBoxLayout()
        keys_row.addWidget(self.change_passphrase)
        keys_row.addWidget(self.new_recovery_key)
        keys_row.addStretch(1)
        self._noted_row(
            form,
            self.tr("Passphrase:"),
            _row_widget(keys_row, page),
            self.tr(
                "Both ask for your current passphrase first. Your recovery key cannot be shown "
                "again (it is not kept on this computer), but you can replace it."
            ),
        )

        self.neutral = QCheckBox(self.tr("Use a plain name and icon"), page)
        self.neutral.setObjectName("neutralFace")
        self.neutral.setAccessibleName(self.tr("Use a plain name and icon"))
        self.neutral.setChecked(prefs.neutral_face)
        self.face = QComboBox(page)
        self.face.setObjectName("faceChoice")
        self.face.setAccessibleName(self.tr("Which plain name"))
        names = {"notes": self.tr("Notes"), "calculator": self.tr("Calculator")}
        for key in FACES:
            self.face.addItem(names.get(key, key), key)
        self.face.setCurrentIndex(max(0, self.face.findData(prefs.face)))
        self.face.setEnabled(prefs.neutral_face)
        self.neutral.toggled.connect(self.face.setEnabled)
        form.addRow(self.tr("Disguise:"), self.neutral)
        form.addRow(self.tr("Show as:"), self.face)
        form.addRow(
            "",
            _note(
                self.tr(
                    "The window title, icon and app menu change now; the taskbar follows the "
                    "next time you start it."
                ),
                page,
            ),
        )
        return page

    def _help_tab(self, settings: ShellSettings) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(
            _note(
                self.tr(
                    "These numbers show in the Help panel. You can add your own, such as your "
                    "support worker. They are kept inside your locked diary."
                ),
                page,
            )
        )
        self.helplines = QTableWidget(0, 3, page)
        self.helplines.setObjectName("helplinesTable")
        self.helplines.setAccessibleName(self.tr("Help numbers"))
        self.helplines.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Number"), self.tr("Note")])
        self.helplines.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.helplines.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.helplines.setTabKeyNavigation(False)
        self._fill_helplines(list(settings.helplines) or default_helplines())
        layout.addWidget(self.helplines)
        row = QHBoxLayout()
        add = QPushButton(self.tr("Add a number"), page)
        add.setAccessibleName(self.tr("Add a number"))
        add.clicked.connect(self._add_helpline)
        remove = QPushButton(self.tr("Remove the selected number"), page)
        remove.setAccessibleName(self.tr("Remove the selected number"))
        remove.clicked.connect(self._remove_helpline)
        reset = QPushButton(self.tr("Restore the usual numbers"), page)
        reset.setObjectName("restoreHelplines")
        reset.setAccessibleName(self.tr("Restore the usual numbers"))
        reset.clicked.connect(lambda: self._fill_helplines(default_helplines()))
        for button in (add, remove, reset):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _case_tab(self, settings: ShellSettings) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.case_title = QLineEdit(settings.case_title, page)
        self.case_title.setObjectName("caseTitle")
        self.case_title.setMaxLength(200)
        self.case_title.setAccessibleName(self.tr("Title of your log"))
        form.addRow(self.tr("Title of your log:"), self.case_title)
        self.owner_name = QLineEdit(settings.owner_name, page)
        self.owner_name.setObjectName("ownerName")
        self.owner_name.setMaxLength(200)
        self.owner_name.setAccessibleName(self.tr("Your name, shown to the police in exports"))
        self._noted_row(
            form,
            self.tr("Your name:"),
            self.owner_name,
            self.tr("Shown to the police on the first page of an export, as whose log it is. Optional."),
        )
        self.initials = initials_edit(page, "initials", settings.initials)
        self._noted_row(
            form,
            self.tr("Your initials:"),
            self.initials,
            self.tr(
                "Police number evidence with the initials of the person who produced it, "
                "for example SM/1, SM/2."
            ),
        )
        self.initials.textChanged.connect(self._validate)
        self.zone = QComboBox(page)
        self.zone.setObjectName("timeZone")
        self.zone.setAccessibleName(self.tr("Time zone"))
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone.addItems(casetime.zone_names())
        self.zone.setCurrentText(settings.time_zone or casetime.active_zone().key)
        line = self.zone.lineEdit()
        if line is not None:
            line.setAccessibleName(self.tr("Time zone"))
        self._noted_row(
            form,
            self.tr("Time zone:"),
            self.zone,
            self.tr(
                "Every time in your log and your exports is shown on this clock and says "
                "which (BST, GMT). Changing it moves no entry: each keeps the moment it "
                "happened."
            ),
        )
        self.zone.currentTextChanged.connect(self._validate)
        return page

    @staticmethod
    def _noted_row(form: QFormLayout, label: str, widget: QWidget, note: str) -> None:
        """A labelled widget with a line under it saying what it is for."""
        form.addRow(label, widget)
        form.addRow("", _note(note, widget.parentWidget() or widget))

    # ------------------------------------------------------------------ helplines

    def _fill_helplines(self, helplines: list[Helpline]) -> None:
        self.helplines.setRowCount(0)
        for h in helplines:
            self._append_row(h.name, h.number, h.note)

    def _append_row(self, name: str, number: str, note: str) -> None:
        row = self.helplines.rowCount()
        self.helplines.insertRow(row)
        for col, text in enumerate((name, number, note)):
            self.helplines.setItem(row, col, QTableWidgetItem(text))

    def _add_helpline(self) -> None:
        if self.helplines.rowCount() >= MAX_HELPLINES:
            return
        self._append_row("", "", "")
        self.helplines.setCurrentCell(self.helplines.rowCount() - 1, 0)
        item = self.helplines.item(self.helplines.rowCount() - 1, 0)
        if item is not None:
            self.helplines.editItem(item)

    def _remove_helpline(self) -> None:
        row = self.helplines.currentRow()
        if row >= 0:
            self.helplines.removeRow(row)

    def table_helplines(self) -> list[Helpline]:
        out = []
        for row in range(self.helplines.rowCount()):
            cells = []
            for col in range(3):
                item = self.helplines.item(row, col)
                cells.append(item.text().strip() if item is not None else "")
            if cells[0] and cells[1]:
                out.append(Helpline(cells[0], cells[1], cells[2]))
        return out

    # ------------------------------------------------------------------ result

    def shortcut_problem(self) -> str | None:
        seq = self.shortcut.keySequence()
        if seq.isEmpty():
            return self.tr("Choose a quick exit shortcut (Esc twice always works too).")
        if not shortcut_is_usable(seq):
            return self.tr(
                "The quick exit shortcut needs Ctrl or Alt (or a function key), "
                "so it can't go off while you type."
            )
        if any(seq.matches(r) == QKeySequence.SequenceMatch.ExactMatch for r in self._reserved):
            return self.tr("That shortcut is already used by something else in the app.")
        return None

    def _validate(self) -> None:
        problem = self.shortcut_problem() or cover_code_problem(self.cover_code.text())
        if problem is None:
            try:
                references.clean_initials(self.initials.text())
            except VictimLogError as exc:
                problem = exc.message
        zone = getattr(self, "zone", None)
        if problem is None and zone is not None and zone.currentText().strip() not in self._zones:
            problem = self.tr("Choose a time zone from the list, like Europe/London.")
        self.problem.setText(problem or "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)

    def values(self) -> tuple[ShellSettings, Prefs]:
        helplines = self.table_helplines()
        if helplines == default_helplines():
            helplines = []
        settings = ShellSettings(
            autolock_minutes=self.minutes.value(),
            quick_exit_action="cover" if self.exit_cover.isChecked() else "quit",
            quick_exit_shortcut=self.shortcut.keySequence().toString(
                QKeySequence.SequenceFormat.PortableText
            ),
            helplines=tuple(helplines),
            case_title=self.case_title.text().strip(),
            owner_name=self.owner_name.text().strip(),
            initials=self.initials.text().strip().upper(),
            time_zone=self.zone.currentText().strip(),
            cover_code=self.cover_code.text(),
        )
        prefs = Prefs(neutral_face=self.neutral.isChecked(), face=str(self.face.currentData() or FACES[0]))
        return settings, prefs.validated()


def _note(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def _row_widget(row: QHBoxLayout, parent: QWidget) -> QWidget:
    box = QWidget(parent)
    row.setContentsMargins(0, 0, 0, 0)
    box.setLayout(row)
    return box
