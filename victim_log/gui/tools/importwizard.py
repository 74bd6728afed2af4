"""The import wizard: chats, texts, call logs, emails and photos the person already has.

Steps: what kind of export → which file (read at once, on a worker thread, so a
broken or hostile file is refused right there with the core's one-line reason) →
who is harassing you (the senders found in the file, with counts) → what will be
created (a dry run with that sender) → import (a worker thread again) → done.

Everything read from the file is untrusted: names and message text are shown only
through :func:`~victim_log.textsafe.display_safe`. The core import is all-or-nothing
and idempotent, so a failure changes nothing and "already imported" is a normal,
kindly reported outcome, not an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ...errors import VictimLogError
from ...importers.records import AmbiguousDateOrder
from ...importers.service import ImportReport, ImportRequest, run_import
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs, privacy
from ..widgets.common import BackgroundTask, busy_bar, dispose, plural, scaled, start_task, wrapped
from ..widgets.safelabel import SafeLabel


@dataclass(frozen=True)
class FormatChoice:
    key: str  # the core's format name
    label: str
    how: str  # one line: how to make this export on a phone
    filters: tuple[str, ...]  # file dialog filters; empty for a folder
    noun: str  # what one item is called ("message", "call", "email", "photo")


FORMATS: tuple[FormatChoice, ...] = (
    FormatChoice("whatsapp", "WhatsApp chat (.txt or .zip)",
                 "In WhatsApp, open the chat, tap ⋮ › More › Export chat (on iPhone tap their "
                 "name › Export chat) and send the file to this computer.",
                 ("WhatsApp chat (*.txt *.zip)", "All files (*)"), "message"),
    FormatChoice("sms-backup", "Text messages (SMS Backup & Restore, .xml)",
                 "On Android, the free app “SMS Backup & Restore” saves your texts as an .xml "
                 "file: back up Messages, then copy the file here.",
                 ("SMS backup (*.xml)", "All files (*)"), "message"),
    FormatChoice("calls", "Call log (SMS Backup & Restore, .xml)",
                 "In the same app, back up Call logs (the file name starts with “calls-”) and "
                 "copy it here.",
                 ("Call log backup (*.xml)", "All files (*)"), "call"),
    FormatChoice("email", "Emails (.eml or .mbox)",
                 "In your email program, save each message (Download or Save as .eml), or "
                 "export a whole folder as an .mbox file.",
                 ("Email (*.eml *.mbox)", "All files (*)"), "email"),
    FormatChoice("photos", "A folder of photos or screenshots",
                 "Copy the photos and screenshots from your phone into one folder on this "
                 "computer. Each becomes evidence, dated from the photo.",
                 (), "photo"),
)
FORMAT_BY_KEY = {f.key: f for f in FORMATS}

PREVIEW_LINES = 5
DEFAULT_GROUP_MINUTES = 10
SENDER_SHOWN_CHARS = 100

_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_CHAT_DATE = re.compile(r"^[\ufeff\u200e\u200f\[]*(\d{1,2})([/.\-])(\d{1,2})[/.\-]\d{2,4}")


def choose_open_path(parent: QWidget | None, fmt: str) -> Path | None:
    """Ask for the export file (or, for photos, the folder). Tests replace this."""
    choice = FORMAT_BY_KEY[fmt]
    if fmt == "photos":
        chosen = privacy.pick_paths(parent, privacy.Mode.FOLDER, "Choose the folder of photos")
    else:
        chosen = privacy.pick_paths(parent, privacy.Mode.OPEN, "Choose the file to import",
                                    name_filters=list(choice.filters))
    return chosen[0] if chosen else None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_question(sample: tuple[int, str, int] | None) -> tuple[str, str, str]:
    """The question and the two answers for a day/month-ambiguous date like 03/04."""
    a, sep, b = sample or (3, "/", 4)
    shown = f"{a:02d}{sep}{b:02d}"
    question = (f"Is {shown} the {_ordinal(a)} of {_MONTH_NAMES[b - 1]} "
                f"or {_MONTH_NAMES[a - 1]} {_ordinal(b)}?")
    dmy = f"The {_ordinal(a)} of {_MONTH_NAMES[b - 1]} (day first, as in the UK)"
    mdy = f"{_MONTH_NAMES[a - 1]} {_ordinal(b)} (month first, as in the US)"
    return question, dmy, mdy


def ambiguous_sample(path: Path) -> tuple[int, str, int] | None:
    """The first date in a chat .txt that reads both ways (both numbers 1..12, different).

    Best effort and only for the question's wording; a .zip or odd file gives None
    and the question uses 03/04 as its example.
    """
    if path.suffix.lower() != ".txt":
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(256 * 1024).decode("utf-8", "ignore")
    except OSError:
        return None
    for line in head.splitlines():
        m = _CHAT_DATE.match(line)
        if m:
            a, b = int(m.group(1)), int(m.group(3))
            if 1 <= a <= 12 and 1 <= b <= 12 and a != b:
                return a, m.group(2), b
    return None


# --------------------------------------------------------------------------- pages


class FormatPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setObjectName("formatPage")
        self.setTitle(self.tr("What would you like to import?"))
        self.setSubTitle(self.tr("Messages, calls and photos become entries in your diary, with "
                                 "the original file kept unchanged as evidence."))
        layout = QVBoxLayout(self)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        for i, choice in enumerate(FORMATS):
            # "&" would be taken as a keyboard-shortcut marker and vanish.
            button = QRadioButton(self.tr(choice.label).replace("&", "&&"), self)
            button.setObjectName(f"format_{choice.key}")
            self.group.addButton(button, i)
            self.buttons[choice.key] = button
            how = wrapped(self.tr(choice.how), self)
            how.setContentsMargins(24, 0, 0, 6)
            how.setFont(scaled(how.font(), 0.92))
            layout.addWidget(button)
            layout.addWidget(how)
        self.buttons["whatsapp"].setChecked(True)
        layout.addStretch(1)

    def chosen(self) -> str:
        for key, button in self.buttons.items():
            if button.isChecked():
                return key
        return "whatsapp"

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        self.w.set_format(self.chosen())
        return True


class FilePage(QWizardPage):
    """Choose the file; it is read at once (a dry run without a sender) on a worker."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setObjectName("filePage")
        layout = QVBoxLayout(self)
        self.how = wrapped("", self, name="how")
        layout.addWidget(self.how)
        row = QHBoxLayout()
        self.choose_button = QPushButton(self)
        self.choose_button.setObjectName("chooseFile")
        self.choose_button.clicked.connect(self.choose)
        self.path_label = SafeLabel("", self, single_line=True, name="chosenFile", wrap=True)
        row.addWidget(self.choose_button)
        row.addWidget(self.path_label, 1)
        layout.addLayout(row)
        self.busy = busy_bar(self)
        self.busy.hide()
        layout.addWidget(self.busy)
        self.status = wrapped("", self, name="fileStatus")
        layout.addWidget(self.status)

        self.date_box = QWidget(self)
        self.date_box.setObjectName("dateOrder")
        dv = QVBoxLayout(self.date_box)
        dv.setContentsMargins(0, 8, 0, 0)
        self.date_intro = wrapped(self.tr(
            "The dates in this chat could be read two ways. Think of a message you remember:"),
            self.date_box)
        self.date_question = wrapped("", self.date_box, name="dateQuestion")
        self.date_question.setFont(scaled(self.date_question.font(), 1.1, bold=True))
        self.dmy = QRadioButton(self.date_box)
        self.dmy.setObjectName("dmy")
        self.mdy = QRadioButton(self.date_box)
        self.mdy.setObjectName("mdy")
        self.order_group = QButtonGroup(self.date_box)
        self.order_group.addButton(self.dmy)
        self.order_group.addButton(self.mdy)
        self.dmy.toggled.connect(lambda on: self.set_date_order("dmy") if on else None)
        self.mdy.toggled.connect(lambda on: self.set_date_order("mdy") if on else None)
        for widget in (self.date_intro, self.date_question, self.dmy, self.mdy):
            dv.addWidget(widget)
        self.date_box.hide()
        layout.addWidget(self.date_box)
        layout.addStretch(1)
        self._task: BackgroundTask | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        choice = FORMAT_BY_KEY[self.w.format]
        photos = choice.key == "photos"
        self.setTitle(self.tr("Choose the folder") if photos else self.tr("Choose the file"))
        self.setSubTitle(self.tr(choice.label))
        self.how.setText(self.tr(choice.how))
        self.choose_button.setText(self.tr("Choose folder…") if photos else self.tr("Choose file…"))
        if self.w.source is None:
            self.path_label.setText(self.tr("Nothing chosen yet."))
            self.status.clear()
            self.date_box.hide()

    @Slot()
    def choose(self) -> None:
        path = choose_open_path(self, self.w.format)
        if path is None:
            return
        self.w.set_source(path)
        self.path_label.setText(path.name)
        self.date_box.hide()
        self.order_group.setExclusive(False)
        self.dmy.setChecked(False)
        self.mdy.setChecked(False)
        self.order_group.setExclusive(True)
        self.scan()

    def set_date_order(self, order: str) -> None:
        if self.w.date_order != order:
            self.w.date_order = order
            self.w.scan = None
            self.scan()

    def scan(self) -> None:
        """Read the whole file once, listing its senders; nothing is written."""
        vault = self.w.session.require()
        if self.w.source is None:
            return  # nothing chosen yet
        req = ImportRequest(self.w.format, self.w.source, dry_run=True,
                            date_order=self.w.date_order)
        self.w.scan = None
        self.status.setText(self.tr("Reading the file…"))
        self.busy.show()
        self.choose_button.setEnabled(False)
        self._task = start_task(lambda: run_import(vault, req), self._scanned)
        self.completeChanged.emit()

    @Slot(object, object)
    def _scanned(self, report: object, error: object) -> None:
        if self.sender() is not self._task:
            return  # an older scan, of a file no longer chosen
        self._task = None
        self.busy.hide()
        self.choose_button.setEnabled(True)
        if isinstance(error, AmbiguousDateOrder) and self.w.source is not None:
            question, dmy, mdy = date_question(ambiguous_sample(self.w.source))
            self.date_question.setText(question)
            self.dmy.setText(dmy)
            self.mdy.setText(mdy)
            self.date_box.show()
            self.status.setText(self.tr("Please answer this so every message gets the right date."))
        elif error is not None:
            message = error.message if isinstance(error, VictimLogError) else ""
            self.status.setText(message or self.tr("We couldn't read this file."))
            dialogs.show_error(self, error)  # type: ignore[arg-type]
        else:
            assert isinstance(report, ImportReport)
            self.w.scan = report
            self.status.setText(self.w.describe_scan(report))
        self.completeChanged.emit()
        self.w.scanned.emit()

    @property
    def scanning(self) -> bool:
        return self._task is not None

    def forget_scan(self) -> None:
        """Ignore the result of a scan still running (its thread finishes on its own)."""
        if self._task is not None:
            self._task = None
            self.busy.hide()
            self.choose_button.setEnabled(True)
            self.status.clear()
            self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        scan = self.w.scan
        return (not self.scanning and scan is not None and not scan.already_imported
                and scan.messages_seen > 0)

    def nextId(self) -> int:  # noqa: N802 - Qt name
        return ImportWizard.CONFIRM if self.w.format == "photos" else ImportWizard.SENDER


class SenderPage(QWizardPage):
    """Who is harassing you: pick from the senders found, or type a name or number."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setObjectName("senderPage")
        self.setTitle(self.tr("Who is harassing you?"))
        self.setSubTitle(self.tr("Their messages and calls become entries. Everyone else's, "
                                 "including yours, stay in the evidence file only."))
        layout = QVBoxLayout(self)
        self.senders = QListWidget(self)
        self.senders.setObjectName("senders")
        self.senders.setAccessibleName(self.tr("People in this file"))
        self.senders.setSpacing(2)
        self.senders.itemSelectionChanged.connect(self._picked)
        layout.addWidget(self.senders, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Or type their name or number:"), self))
        self.typed = QLineEdit(self)
        self.typed.setObjectName("typedSender")
        self.typed.setAccessibleName(self.tr("Their name or number"))
        self.typed.setPlaceholderText(self.tr("e.g. 07700 900123"))
        self.typed.textEdited.connect(self._typed)
        row.addWidget(self.typed, 1)
        layout.addLayout(row)

        group_row = QHBoxLayout()
        self.group = QCheckBox(self.tr("Make one entry for messages sent within"), self)
        self.group.setObjectName("groupMessages")
        self.minutes = QSpinBox(self)
        self.minutes.setObjectName("groupMinutes")
        self.minutes.setAccessibleName(self.tr("Minutes"))
        self.minutes.setRange(1, 240)
        self.minutes.setValue(DEFAULT_GROUP_MINUTES)
        self.minutes.setSuffix(self.tr(" minutes"))
        self.minutes.setEnabled(False)
        self.group.toggled.connect(self.minutes.setEnabled)
        group_row.addWidget(self.group)
        group_row.addWidget(self.minutes)
        group_row.addWidget(QLabel(self.tr("of each other"), self))
        group_row.addStretch(1)
        layout.addLayout(group_row)
        layout.addWidget(wrapped(self.tr(
            "Useful when they send many messages in a burst: each entry still keeps every "
            "message, word for word, with its time."), self))

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        self.senders.clear()
        self.typed.clear()
        scan = self.w.scan
        noun = FORMAT_BY_KEY[self.w.format].noun
        for sender, count in (scan.senders if scan else []):
            name = display_safe(sender, single_line=True).strip() or self.tr("(no name)")
            if len(name) > SENDER_SHOWN_CHARS:
                name = name[:SENDER_SHOWN_CHARS - 1] + "…"
            item = QListWidgetItem(f"{name}  ·  {plural(count, noun)}")
            item.setData(Qt.ItemDataRole.UserRole, sender)
            self.senders.addItem(item)

    @Slot()
    def _picked(self) -> None:
        if self.senders.selectedItems():
            self.typed.clear()
        self.completeChanged.emit()

    @Slot(str)
    def _typed(self, text: str) -> None:
        if text.strip():
            self.senders.clearSelection()
        self.completeChanged.emit()

    def choose(self, sender: str) -> bool:
        """Select ``sender`` in the list (tests and keyboard users)."""
        for row in range(self.senders.count()):
            item = self.senders.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == sender:
                self.senders.setCurrentItem(item)
                return True
        return False

    def sender_value(self) -> str:
        items = self.senders.selectedItems()
        if items:
            return str(items[0].data(Qt.ItemDataRole.UserRole))
        return self.typed.text().strip()

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        return bool(self.sender_value())

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        self.w.sender_name = self.sender_value()
        self.w.group_minutes = self.minutes.value() if self.group.isChecked() else 0
        return True


class ConfirmPage(QWizardPage):
    """What will be created (a dry run with the sender), then the import itself."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setObjectName("confirmPage")
        self.setTitle(self.tr("Ready to import"))
        self.setSubTitle(self.tr("Nothing has been changed yet. Check this looks right, then "
                                 "press Import."))
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))
        layout = QVBoxLayout(self)
        self.busy = busy_bar(self)
        self.busy.hide()
        layout.addWidget(self.busy)
        self.summary = wrapped("", self, name="plan")
        self.summary.setFont(scaled(self.summary.font(), 1.15, bold=True))
        layout.addWidget(self.summary)
        self.detail = wrapped("", self, name="planDetail")
        layout.addWidget(self.detail)
        self.preview = QListWidget(self)
        self.preview.setObjectName("previewList")
        self.preview.setAccessibleName(self.tr("The first entries"))
        self.preview.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.preview.setWordWrap(True)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.preview, 1)
        self.photo_incidents = QCheckBox(self.tr("Also make an entry for each photo, to complete "
                                                 "later"), self)
        self.photo_incidents.setObjectName("photoIncidents")
        self.photo_incidents.toggled.connect(self._photo_choice)
        layout.addWidget(self.photo_incidents)
        layout.addWidget(wrapped(self.tr(
            "The original file is kept unchanged as evidence, so an officer can find every "
            "message in it. If anything goes wrong, nothing is changed."), self))
        self._task: BackgroundTask | None = None
        self._imported = False

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        self._imported = False
        self.preview.clear()
        photos = self.w.format == "photos"
        self.photo_incidents.setVisible(photos)
        if photos:
            self._photo_choice()
            return
        vault = self.w.session.require()
        req = self.w.request(dry_run=True)
        self.summary.setText(self.tr("Working out what will be imported…"))
        self.detail.clear()
        self.busy.show()
        self.w.plan = None
        self._task = start_task(lambda: run_import(vault, req), self._planned)
        self.completeChanged.emit()

    def _photo_choice(self) -> None:
        scan = self.w.scan
        n = scan.messages_seen if scan else 0
        self.summary.setText(self.tr("{photos} will be stored as evidence.").format(
            photos=plural(n, "photo")))
        self.detail.setText(self.tr("{n} will be created, one per photo, marked “complete "
                                    "later”.").format(n=plural(n, "entry", "entries"))
                            if self.photo_incidents.isChecked() else
                            self.tr("No entries will be created; you can attach the photos to "
                                    "entries later."))
        self.completeChanged.emit()

    @Slot(object, object)
    def _planned(self, report: object, error: object) -> None:
        if self.sender() is not self._task:
            return
        self._task = None
        self.busy.hide()
        if error is not None:
            self.summary.setText(self.tr("This file can't be imported."))
            self.detail.setText(error.message if isinstance(error, VictimLogError) else "")
            dialogs.show_error(self, error)  # type: ignore[arg-type]
            self.completeChanged.emit()
            return
        assert isinstance(report, ImportReport)
        self.w.plan = report
        self.summary.setText(self.w.describe_plan(report))
        noun = FORMAT_BY_KEY[self.w.format].noun
        who = display_safe(self.w.sender_name or "", single_line=True)
        lines = [self.tr("{matched} of the {seen} in this file are from {who}.").format(
            matched=report.matched, seen=plural(report.messages_seen, noun), who=who)]
        if report.duplicates_skipped:
            n = report.duplicates_skipped
            lines.append(self.tr("1 was imported before and will not be added again.") if n == 1
                          else self.tr("{n} were imported before and will not be added again.")
                          .format(n=n))
        if report.skipped_lines:
            lines.append(self.tr("{n} in the file could not be read and will be skipped.").format(
                n=plural(report.skipped_lines, "line")))
        if report.preview:
            lines.append(self.tr("The first entries:"))
        self.detail.setText("\n".join(lines))
        for text in report.preview[:PREVIEW_LINES]:
            self.preview.addItem(display_safe(text, single_line=True))
        self.preview.setVisible(bool(report.preview))
        self.completeChanged.emit()

    @property
    def working(self) -> bool:
        return self._task is not None

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        if self.working:
            return False
        if self.w.format == "photos":
            return bool(self.w.scan and self.w.scan.messages_seen)
        return self.w.plan is not None and self.w.plan.incidents_created > 0

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        """The import runs on a worker; the wizard moves on when it has finished."""
        if self._imported:
            return True
        if self.working:
            return False
        vault = self.w.session.require()
        req = self.w.request(dry_run=False, photo_incidents=self.photo_incidents.isChecked())
        self.summary.setText(self.tr("Importing… please wait."))
        self.busy.show()
        self._task = start_task(lambda: run_import(vault, req), self._imported_done)
        self.w.set_working(True)
        self.completeChanged.emit()
        return False

    @Slot(object, object)
    def _imported_done(self, report: object, error: object) -> None:
        if self.sender() is not self._task:
            return
        self._task = None
        self.busy.hide()
        self.w.set_working(False)
        if error is not None:
            self.summary.setText(self.tr("Nothing was imported."))
            dialogs.show_error(self, error)  # type: ignore[arg-type]
            self.w.failed.emit(error)
            self.completeChanged.emit()
            return
        assert isinstance(report, ImportReport)
        self.w.final = report
        if report.incidents_created or report.exhibits_stored:
            self.w.session.notify_changed()
        self._imported = True
        self.w.next()
        self.w.imported.emit(report)


class DonePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setObjectName("donePage")
        self.setTitle(self.tr("Import finished"))
        self.setSubTitle(self.tr("Your diary has been updated."))
        layout = QVBoxLayout(self)
        self.result_label = wrapped("", self, name="result")
        self.result_label.setFont(scaled(self.result_label.font(), 1.15, bold=True))
        layout.addWidget(self.result_label)
        self.next_steps = wrapped("", self, name="nextSteps")
        layout.addWidget(self.next_steps)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        report = self.w.final
        if report is None:
            return
        if report.already_imported:
            self.result_label.setText(self.tr("This file was imported before, so there was "
                                              "nothing new to add."))
            self.next_steps.setText(self.tr("Your diary already has everything in it."))
            return
        self.result_label.setText(self.tr("{incidents} created and {exhibits} stored.").format(
            incidents=plural(report.incidents_created, "entry", "entries"),
            exhibits=plural(report.exhibits_stored, "evidence file")))
        extra = ""
        if report.duplicates_skipped:
            extra = " " + self.tr("{n} had been imported before and were left as they were.").format(
                n=report.duplicates_skipped)
        self.next_steps.setText(self.tr(
            "They are in your timeline, marked as imported. When you feel able to, you can "
            "add to each one how it affected you.") + extra)


# --------------------------------------------------------------------------- the wizard


class ImportWizard(QWizard):
    FORMAT, FILE, SENDER, CONFIRM, DONE = range(5)

    scanned = Signal()  # the file was read (or refused)
    imported = Signal(object)  # ImportReport
    failed = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.require()
        self.setObjectName("importWizard")
        self.setWindowTitle(self.tr("Import messages, calls and photos"))
        self.setAccessibleName(self.windowTitle())
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.format = "whatsapp"
        self.source: Path | None = None
        self.date_order: str | None = None
        self.scan: ImportReport | None = None
        self.plan: ImportReport | None = None
        self.final: ImportReport | None = None
        self.sender_name: str | None = None
        self.group_minutes = 0
        self._working = False
        self.format_page = FormatPage(self)
        self.file_page = FilePage(self)
        self.sender_page = SenderPage(self)
        self.confirm_page = ConfirmPage(self)
        self.done_page = DonePage(self)
        for page_id, page in ((self.FORMAT, self.format_page), (self.FILE, self.file_page),
                              (self.SENDER, self.sender_page), (self.CONFIRM, self.confirm_page),
                              (self.DONE, self.done_page)):
            self.setPage(page_id, page)
        self.setStartId(self.FORMAT)
        # Room for the help lines on the first page without squeezing them.
        self.setMinimumSize(self.fontMetrics().averageCharWidth() * 100,
                            self.fontMetrics().height() * 36)

    # state -----------------------------------------------------------------

    def set_format(self, fmt: str) -> None:
        if fmt != self.format:
            self.format = fmt
            self.set_source(None)

    def set_source(self, path: Path | None) -> None:
        self.file_page.forget_scan()  # a scan still running was of another file
        self.source = path
        self.date_order = None
        self.scan = None
        self.plan = None

    def request(self, *, dry_run: bool, photo_incidents: bool = False) -> ImportRequest:
        assert self.source is not None
        sender = None if self.format == "photos" else self.sender_name
        return ImportRequest(self.format, self.source, sender=sender,
                             group_minutes=self.group_minutes, date_order=self.date_order,
                             dry_run=dry_run, photo_incidents=photo_incidents)

    def describe_scan(self, report: ImportReport) -> str:
        if report.already_imported:
            return self.tr("You have already imported this file, so everything in it is in your "
                           "diary. There is nothing more to do with it.")
        noun = FORMAT_BY_KEY[self.format].noun
        if self.format == "photos":
            if not report.messages_seen:
                return self.tr("There are no photos in this folder.")
            return self.tr("Found {photos}.").format(photos=plural(report.messages_seen, noun))
        if not report.messages_seen:
            return self.tr("We found no {noun}s in this file. Nothing was changed.").format(noun=noun)
        text = self.tr("Read {items} from {senders}.").format(
            items=plural(report.messages_seen, noun),
            senders=plural(len(report.senders), "sender"))
        if report.skipped_lines:
            text += " " + self.tr("{n} could not be read and will be skipped.").format(
                n=plural(report.skipped_lines, "line"))
        return text

    def describe_plan(self, report: ImportReport) -> str:
        if not report.incidents_created:
            return self.tr("There is nothing new from this person to import.")
        return self.tr("{incidents} will be created, {exhibits} stored.").format(
            incidents=plural(report.incidents_created, "incident"),
            exhibits=plural(report.exhibits_stored, "exhibit"))

    def set_working(self, working: bool) -> None:
        self._working = working
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            button = self.button(which)
            if button is not None:
                button.setEnabled(not working)

    @property
    def working(self) -> bool:
        return self._working

    def reject(self) -> None:
        if self._working:
            return  # the import is all-or-nothing; let it finish, then say how it went
        super().reject()


def open_import_wizard(session: Session, parent: QWidget | None = None) -> None:
    """Show the import wizard (modal)."""
    try:
        wizard = ImportWizard(session, parent)
    except VictimLogError as exc:
        dialogs.show_error(parent, exc)
        return
    try:
        dialogs.exec_dialog(wizard)
    finally:
        dispose(wizard)


__all__ = ["FORMATS", "ImportWizard", "choose_open_path", "open_import_wizard"]
