"""The quick log: get an incident down in under a minute, complete it later.

Design choices, from what victims say about logging the 100th incident:

* It opens with the cursor in "What happened"; typing and Ctrl+Enter is a complete
  entry. The first line becomes the summary; the time defaults to when the dialog
  opened (closest to when it happened, not when typing finished).
* Evidence goes in the way people already have it: a screenshot on the clipboard
  (Ctrl+V, stored as PNG bytes straight from memory), files dropped on the dialog,
  or a file picker that remembers nothing.
* Nothing typed is ever lost: if saving fails the dialog stays open with
  everything in it; cancelling a dialog with content asks first; and the whole
  form can be taken as plain data (a *draft*) for the shell to keep across a lock.

Evidence is stored before the incident so the incident is written once, citing it,
as version 1. If the incident then fails to save, the stored evidence ids are
remembered so that trying again does not store the files twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer
from PySide6.QtCore import QByteArray
from PySide6.QtCore import QDateTime
from PySide6.QtCore import QIODevice
from PySide6.QtCore import QMimeData
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtCore import QTime
from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtGui import QDropEvent
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QIcon
from PySide6.QtGui import QImage
from PySide6.QtGui import QImageReader
from PySide6.QtGui import QKeyEvent
from PySide6.QtGui import QKeySequence
from PySide6.QtGui import QPixmap
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QButtonGroup
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDateTimeEdit
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QStyle
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ...model import PERSON_ROLES
from ...model import SHORT_LABELS
from ...model import IncidentData
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets.background_write import SaveInterrupted
from ..widgets.background_write import run_write
from ..widgets.common import calendar_picker
from ..widgets.common import file_icon_list
from ..widgets.common import line_height
from ..widgets.common import named
from ..widgets.common import push_button
from ..widgets.common import resize_on_screen
from ..widgets.common import scaled
from ..widgets.common import scroll_area
from ..widgets.common import stack
from ..widgets.common import tab_chain
from ..widgets.common import wrapped
from .editor import iso_local
from .editor import validated_asking
from .editor import wall_key
from .editor import wall_time
from .kindpicker import KindPicker
from .provenance import ask_provenance
from .provenance import provenance_summary
from .whentext import parse_time
from .whentext import resolve
from .whentext import time_in_name

SUMMARY_MAX = 120
THUMB_FILE_MAX_BYTES = 40 * 1024 * 1024
WHEN_CHOICES = ("now", "earlier", "yesterday", "pick")


@dataclass
class PendingFile:
    """An attachment not yet saved: a file on disk or bytes from the clipboard."""

    name: str  # untrusted: shown through display_safe
    path: Path | None = None
    data: bytes | None = None
    evidence_id: int | None = None  # set once stored in the vault

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path) if self.path else None,
            "data": self.data,
            "evidence_id": self.evidence_id,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PendingFile:
        path = d.get("path")
        return cls(
            name=str(d.get("name", "")),
            path=Path(path) if path else None,
            data=d.get("data"),
            evidence_id=d.get("evidence_id"),
        )


def split_summary(text: str) -> tuple[str, str]:
    """(summary, details) from what was typed: the first line is the summary.

    A short first line is not repeated in the details; a long one is cut for the
    summary and the whole text kept as the details, so nothing is lost.
    """
    text = text.strip()
    if not text:
        return "", ""
    first, _sep, rest = text.partition("\n")
    first = first.strip()
    if len(first) <= SUMMARY_MAX:
        return first, rest.strip()
    cut = first[:SUMMARY_MAX].rsplit(" ", 1)[0] or first[:SUMMARY_MAX]
    return cut.rstrip(" ,.;:") + "\u2026", text


def image_to_png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 6.11 takes the format as str at run time; its stubs say bytes.
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return bytes(data.data())


def _exif_time(pending: PendingFile) -> datetime | None:
    """A photo's 'date taken' on the case's clock (naive), or None."""
    try:
        from ...importers.photos import read_image_metadata

        source: bytes | Path | None = pending.data if pending.data is not None else pending.path
        if source is None:
            return None
        if isinstance(source, Path):
            with open(source, "rb") as fh:
                source = fh.read(256 * 1024)
        taken = read_image_metadata(source).date_taken
    except Exception:  # noqa: BLE001 - metadata is a courtesy; any odd file just has none
        return None
    if taken is not None and taken.tzinfo is not None:
        taken = casetime.in_zone(taken).replace(tzinfo=None)
    return taken


def attachable(mime: QMimeData | None) -> bool:
    if mime is None:
        return False
    return mime.hasImage() or any(u.isLocalFile() for u in mime.urls())


class WhatHappenedEdit(QPlainTextEdit):
    """Text box that hands pasted or dropped files and images to the dialog.

    Without this, dropping a file would type its path into the diary, and pasting
    a screenshot would silently do nothing.
    """

    attach = Signal(object)  # QMimeData

    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return attachable(source) or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        if attachable(source):
            self.attach.emit(source)
        else:
            super().insertFromMimeData(source)


class QuickLogDialog(QDialog):
    changed = Signal()  # the draft changed

    def __init__(
        self, session: Session, parent: QWidget | None = None, *, draft: dict[str, Any] | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quickLogDialog")
        self.session = session
        self.saved_id: int | None = None
        self.wants_editor = False
        self.files: list[PendingFile] = []
        self._discarding = False
        self._opened_at = QDateTime.currentDateTime()
        # Answers for times a clock change repeated (#16.4), by the wall time asked about:
        # a different time typed later is asked about again, never given an old answer.
        self._folds: dict[str, int] = {}
        self._opened_at.setTime(QTime(self._opened_at.time().hour(), self._opened_at.time().minute()))
        self.setWindowTitle(self.tr("Log something"))
        self.setAccessibleName(self.tr("Log something"))
        self.setAcceptDrops(True)
        lh = line_height(self)

        title = QLabel(self.tr("What happened?"), self)
        title.setFont(scaled(self.font(), 1.3, bold=True))

        # -- when
        when_label = QLabel(self.tr("When"), self)
        when_label.setFont(scaled(self.font(), 1.0, bold=True))
        self.when_group = QButtonGroup(self)
        self.when_buttons: dict[str, QRadioButton] = {}
        when_row = QHBoxLayout()
        for key, text in zip(
            WHEN_CHOICES,
            (self.tr("&Just now"), self.tr("Earlier &today"), self.tr("&Yesterday"), self.tr("&Pick\u2026")),
            strict=True,
        ):
            b = QRadioButton(text, self)
            b.setObjectName(f"when_{key}")
            b.setAccessibleName(text.replace("&", ""))
            self.when_group.addButton(b)
            self.when_buttons[key] = b
            when_row.addWidget(b)
            b.toggled.connect(lambda on, k=key: self._when_chosen(k) if on else None)
        self.when_edit = calendar_picker(
            QDateTimeEdit(self._opened_at, self), "whenEdit", self.tr("Date and time it happened")
        )
        self.approximate = named(
            QCheckBox(self.tr("About then (not exact)"), self),
            "approximateCheck",
            self.tr("About then (not exact)"),
        )
        # A time typed as people say it ("9pm", "21:30", "about 9"), for the chosen day.
        self._date_only = False
        time_label = QLabel(self.tr("T&ime"), self)
        self.time_text = named(QLineEdit(self), "whenTime", self.tr("Time it happened, if you know it"))
        self.time_text.setPlaceholderText(self.tr("e.g. 9pm, 21:30, about 9"))
        self.time_text.setMaximumWidth(lh * 9)
        time_label.setBuddy(self.time_text)
        self.time_hint = wrapped("", self, name="whenTimeHint")
        when_row.addWidget(self.when_edit)
        when_row.addWidget(time_label)
        when_row.addWidget(self.time_text)
        when_row.addWidget(self.approximate)
        when_row.addStretch(1)
        self.time_hint.setVisible(False)

        # -- who: the person doing this, so an export "involving" them includes it (#18.4)
        who_label = QLabel(self.tr("&Who"), self)
        who_label.setFont(scaled(self.font(), 1.0, bold=True))
        self.who = named(QComboBox(self), "whoCombo", self.tr("Who did this"))
        who_label.setBuddy(self.who)
        self._fill_who()
        who_row = QHBoxLayout()
        who_row.addWidget(who_label)
        who_row.addWidget(self.who)
        who_row.addStretch(1)

        # -- kinds
        kinds_label = QLabel(self.tr("What kind? (choose all that apply)"), self)
        kinds_label.setFont(scaled(self.font(), 1.0, bold=True))
        self.kinds = KindPicker(self, large=True, columns=6)

        # -- text
        text_label = QLabel(self.tr("What &happened"), self)
        text_label.setFont(scaled(self.font(), 1.0, bold=True))
        self.text = WhatHappenedEdit(self)
        self.text.setObjectName("whatHappened")
        self.text.setAccessibleName(self.tr("What happened"))
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(
            self.tr("In your own words. Put what was said in quotes. The first line becomes the summary.")
        )
        self.text.setMinimumHeight(lh * 6)
        self.text.attach.connect(self.attach_from_mime)
        text_label.setBuddy(self.text)

        # -- evidence
        evidence_label = QLabel(self.tr("Evidence"), self)
        evidence_label.setFont(scaled(self.font(), 1.0, bold=True))
        self.file_list = file_icon_list(self, "attachmentList", self.tr("Files to attach"))
        self.file_list.setIconSize(QSize(lh * 3, lh * 3))
        self.file_list.setGridSize(QSize(lh * 8, lh * 5))
        self.file_list.setFixedHeight(lh * 6)
        self.file_list.setVisible(False)
        self.attach_button = push_button(
            self.tr("&Attach files\u2026"), self, "attachFiles", self.tr("Attach files"), self.pick_files
        )
        self.remove_button = push_button(
            self.tr("&Remove"), self, "removeFile", self.tr("Remove the chosen file"), self.remove_selected
        )
        self.remove_button.setEnabled(False)
        # Where the files came from (#16.7): optional, asked only when the person wants to.
        self.provenance: dict[str, str] = {}
        self.provenance_button = push_button(
            self.tr("Where did it come fr&om?\u2026"),
            self,
            "provenanceButton",
            self.tr("Where did it come from? Say where the files came from"),
            self.ask_provenance,
        )
        self.provenance_button.setToolTip(self.tr("Optional. This helps the police use it."))
        self.provenance_label = wrapped("", self, name="provenanceSummary")
        self.provenance_button.setVisible(False)
        self.provenance_label.setVisible(False)
        drop_hint = QLabel(self.tr("or drop files here, or paste a screenshot with Ctrl+V"), self)
        drop_hint.setWordWrap(True)
        attach_row = QHBoxLayout()
        attach_row.addWidget(self.attach_button)
        attach_row.addWidget(self.remove_button)
        attach_row.addWidget(drop_hint, 1)
        provenance_row = QHBoxLayout()
        provenance_row.addWidget(self.provenance_button)
        provenance_row.addWidget(self.provenance_label, 1)

        self.complete_later = named(
            QCheckBox(self.tr("&Complete later (I'll add the details when I can)"), self),
            "completeLater",
            self.tr("Complete later"),
        )

        # -- buttons
        self.more_button = push_button(
            self.tr("Save and add &more details\u2026"),
            self,
            "saveAndEdit",
            self.tr("Save and add more details (opens the full form)"),
            lambda: self.save(open_editor=True),
        )
        self.cancel_button = push_button(
            self.tr("Cancel"), self, "quickCancel", self.tr("Cancel"), self.reject
        )
        self.save_button = push_button(
            self.tr("&Save (Ctrl+Enter)"), self, "quickSave", self.tr("Save"), lambda: self.save()
        )
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        for button in (
            self.more_button,
            self.cancel_button,
            self.attach_button,
            self.remove_button,
            self.provenance_button,
        ):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.more_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(lambda: self.save())

        # A photo knows when it was taken: offer that as the incident's time.
        self.photo_time_label = QLabel(self)
        self.photo_time_label.setObjectName("photoTimeLabel")
        self.photo_time_label.setWordWrap(True)
        self.photo_time_button = push_button(
            self.tr("Use this time"),
            self,
            "usePhotoTime",
            self.tr("Use this time (when the file was made)"),
            self.use_photo_time,
        )
        self.photo_time_button.setAutoDefault(False)
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo_time_label, 1)
        photo_row.addWidget(self.photo_time_button)
        self._photo_time: QDateTime | None = None
        self.photo_time_label.setVisible(False)
        self.photo_time_button.setVisible(False)

        # Reading order: the attach buttons come before the list they fill.
        tab_chain(
            self.text,
            self.attach_button,
            self.remove_button,
            self.file_list,
            self.provenance_button,
            self.complete_later,
        )

        # The form scrolls when the screen is small (1024x600, large text); the buttons
        # below it stay in view.
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        stack(
            body_layout,
            title,
            when_label,
            when_row,
            self.time_hint,
            who_row,
            kinds_label,
            self.kinds,
            text_label,
            (self.text, 1),
            evidence_label,
            attach_row,
            self.file_list,
            provenance_row,
            photo_row,
            self.complete_later,
        )
        self.form_scroll = scroll_area(self, body, self.tr("The entry"))
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        stack(QVBoxLayout(self), (self.form_scroll, 1), buttons)
        resize_on_screen(self, lh * 52, lh * 34)

        self.file_list.currentRowChanged.connect(lambda row: self.remove_button.setEnabled(row >= 0))
        self.when_edit.dateTimeChanged.connect(lambda _d: self.changed.emit())
        self.approximate.toggled.connect(lambda _on: self.changed.emit())
        self.time_text.textEdited.connect(lambda _t: self._time_typed())
        self.kinds.changed.connect(self.changed)
        self.text.textChanged.connect(self.changed)
        self.complete_later.toggled.connect(lambda _on: self.changed.emit())
        self.who.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.when_buttons["now"].setChecked(True)
        if draft:
            self.set_draft(draft)
        self.text.setFocus()

    # ------------------------------------------------------------------ when

    def _set_date_only(self, on: bool) -> None:
        """A day without a time (Yesterday, until a time is typed): saved as "day only"."""
        self._date_only = on
        self.when_edit.setDisplayFormat("ddd d MMM yyyy" if on else "ddd d MMM yyyy HH:mm")
        self.approximate.setEnabled(not on)
        if on:
            self.approximate.setChecked(False)

    def _hint(self, text: str) -> None:
        """What the typed time was read as (or how to type one), under the row."""
        self.time_hint.setText(text)
        self.time_hint.setVisible(bool(text))

    def _time_typed(self) -> None:
        """Apply the typed time to the chosen day ("Just now" becomes "Earlier today")."""
        if self.time_text.text().strip() and self.when_choice() == "now":
            self.when_buttons["earlier"].setChecked(True)  # calls _when_chosen, which applies it
            return
        if not self.time_text.text().strip() and self.when_choice() in ("earlier", "yesterday"):
            self._when_chosen(self.when_choice())  # emptied: the day's own default again
            return
        self._apply_time()
        self.changed.emit()

    def _apply_time(self) -> bool:
        """Put the typed time on the chosen day and say what was understood; False when
        nothing (or nothing readable) was typed."""
        text = self.time_text.text().strip()
        typed = parse_time(text) if text else None
        if typed is None:
            self._hint(self.tr("Type a time like 9pm or 21:30.") if text else "")
            return False
        day = self.when_edit.date()
        now = QDateTime.currentDateTime()
        today = day == now.date()
        clock = now.time()
        at = resolve(typed, time(clock.hour(), clock.minute()) if today else None)
        self._set_date_only(False)
        self.when_edit.setDateTime(QDateTime(day, QTime(at.hour, at.minute)))
        self.approximate.setChecked(typed.about)
        hint = f"{at:%H:%M}"
        if typed.ambiguous and not today:
            hint += " " + self.tr("(for the evening, type %1pm)").replace("%1", str(at.hour))
        hint = self.tr("Time: %1").replace("%1", hint)
        self._hint(hint)
        return True

    def _when_chosen(self, key: str) -> None:
        now = QDateTime.currentDateTime()
        self._set_date_only(False)
        self.when_edit.setEnabled(key != "now")
        if key == "now":
            self.when_edit.setDateTime(self._opened_at)
            self.approximate.setChecked(False)
        elif key == "earlier":
            earlier = now.addSecs(-3600)
            if earlier.date() != now.date():
                earlier = QDateTime(now.date(), QTime(0, 0))
            self.when_edit.setDateTime(earlier)
            self.approximate.setChecked(True)
        elif key == "yesterday":
            # The day, not this minute's time yesterday: "day only" until a time is typed.
            self.when_edit.setDateTime(QDateTime(now.date().addDays(-1), QTime(12, 0)))
            self._set_date_only(True)
        else:
            self.approximate.setChecked(False)
        if key == "now":
            self.time_text.clear()
            self._hint("")
        elif not self._apply_time() and key == "pick":
            self.when_edit.setFocus()
        self.changed.emit()

    def _fill_who(self) -> None:
        """Everyone in People, the person (or people) doing this first; chosen: the first
        of them. Nobody else is ever chosen for the person: naming someone in an entry
        is an allegation."""
        self.who.addItem(self.tr("Nobody named"), None)
        people = sorted(self.session.require().list_people(), key=lambda p: p.data.role != "perpetrator")
        for person in people:
            text = display_safe(person.data.name, single_line=True)
            role = PERSON_ROLES.get(person.data.role, "")
            if role and person.data.role != "named":
                text += f" \u2014 {self.tr(role).lower()}"
            self.who.addItem(text, person.id)
        if people and people[0].data.role == "perpetrator":
            self.who.setCurrentIndex(1)

    def who_id(self) -> int | None:
        value = self.who.currentData()
        return int(value) if value is not None else None

    def when_choice(self) -> str:
        return next((k for k, b in self.when_buttons.items() if b.isChecked()), "now")

    # ------------------------------------------------------------------ evidence

    def attach_from_mime(self, mime: QMimeData) -> bool:
        """Files (preferred: they are the originals) or else an image, from a drop or paste."""
        added = False
        for url in mime.urls():
            if not url.isLocalFile():
                continue
            path = Path(url.toLocalFile())
            if path.is_dir():
                dialogs.show_message(
                    self,
                    self.tr("Folders can't be attached"),
                    self.tr("\u201c%1\u201d is a folder. Please attach the files inside it.").replace(
                        "%1", display_safe(path.name, single_line=True)
                    ),
                )
                continue
            self.add_file(PendingFile(name=path.name, path=path))
            added = True
        if not added and mime.hasImage():
            image = mime.imageData()
            if isinstance(image, QPixmap):
                image = image.toImage()
            if isinstance(image, QImage) and not image.isNull():
                stamp = datetime.now().strftime("%Y-%m-%d %H-%M-%S")
                self.add_file(
                    PendingFile(name=f"Pasted screenshot {stamp}.png", data=image_to_png(image)), image
                )
                added = True
        return added

    def paste(self) -> bool:
        """Ctrl+V outside the text box: attach what the clipboard holds."""
        return self.attach_from_mime(QGuiApplication.clipboard().mimeData())

    def add_file(self, pending: PendingFile, image: QImage | None = None) -> None:
        for existing in self.files:
            if pending.path is not None and existing.path == pending.path:
                return
        self.files.append(pending)
        item = QListWidgetItem(self._file_icon(pending, image), display_safe(pending.name, single_line=True))
        item.setToolTip(display_safe(pending.name, single_line=True))
        self.file_list.addItem(item)
        self._show_files()
        self.file_list.setCurrentItem(item)
        self._offer_photo_time(pending)
        self.changed.emit()

    def _offer_photo_time(self, pending: PendingFile) -> None:
        """If the file says when it was made (a photo's 'date taken', or a phone's file
        name such as Screenshot_20240312-211245), offer that as the incident's time."""
        if self._photo_time is not None:
            return
        taken = _exif_time(pending)
        text = self.tr("This photo was taken on {0}.")
        if taken is None:
            named = time_in_name(pending.name)
            if named is None:
                return
            taken, utc = named
            if utc:  # a Pixel names its files in UTC: shown on the case's clock
                taken = casetime.in_zone(taken.replace(tzinfo=UTC)).replace(tzinfo=None)
            text = self.tr("The file's name says it was made on {0}.")
        self._photo_time = QDateTime(
            taken.year, taken.month, taken.day, taken.hour, taken.minute, taken.second
        )
        self.photo_time_label.setText(text.format(self._photo_time.toString("ddd d MMM yyyy 'at' HH:mm")))
        self.photo_time_label.setVisible(True)
        self.photo_time_button.setVisible(True)

    def use_photo_time(self) -> None:
        if self._photo_time is None:
            return
        self.when_buttons["pick"].setChecked(True)
        self.time_text.clear()
        self._set_date_only(False)
        self.when_edit.setEnabled(True)
        self.when_edit.setDateTime(self._photo_time)
        self.approximate.setChecked(False)
        self.photo_time_button.setVisible(False)
        self.changed.emit()

    def _file_icon(self, pending: PendingFile, image: QImage | None) -> QIcon:
        side = self.file_list.iconSize().width()
        if image is None and pending.data is not None:
            image = QImage.fromData(pending.data)
        if image is None and pending.path is not None:
            try:
                small = pending.path.stat().st_size <= THUMB_FILE_MAX_BYTES
            except OSError:
                small = False
            if small:
                reader = QImageReader(str(pending.path))
                reader.setAutoTransform(True)
                size = reader.size()
                if size.isValid():
                    reader.setScaledSize(size.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatio))
                    image = reader.read()
        if image is not None and not image.isNull():
            return QIcon(
                QPixmap.fromImage(
                    image.scaled(
                        QSize(side, side),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
                )
            )
        return self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)

    def remove_selected(self) -> None:
        row = self.file_list.currentRow()
        if 0 <= row < len(self.files):
            del self.files[row]
            self.file_list.takeItem(row)
            self._show_files()
            self.changed.emit()

    def _show_files(self) -> None:
        """The list, and the question where the files came from, only while there are files."""
        self.file_list.setVisible(bool(self.files))
        # Files already in the vault (chosen from Evidence files) keep what was said at intake.
        new = any(f.evidence_id is None for f in self.files)
        self.provenance_button.setVisible(new)
        summary = provenance_summary(self.provenance) if new else ""
        self.provenance_label.setText(summary)
        self.provenance_label.setVisible(bool(summary))

    def ask_provenance(self) -> None:
        """Where the files came from; Skip keeps what was said before."""
        answer = ask_provenance(self, len(self.files), self.provenance or None)
        if answer is not None:
            self.provenance = answer
            self._show_files()
            self.changed.emit()

    def pick_files(self) -> None:
        from ..widgets import privacy

        chosen = privacy.pick_paths(
            self, privacy.Mode.OPEN_MANY, self.tr("Attach files"), remember=self.session.vault
        )
        for path in chosen:
            self.add_file(PendingFile(name=path.name, path=path))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Paste) and self.paste():
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and self.file_list.hasFocus():
            self.remove_selected()
            return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if attachable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self.attach_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    # ------------------------------------------------------------------ data

    def has_content(self) -> bool:
        return bool(self.text.toPlainText().strip() or self.kinds.kinds() or self.files)

    def incident_data(self) -> IncidentData:
        summary, details = split_summary(self.text.toPlainText())
        kinds = self.kinds.kinds()
        if not summary and kinds:
            summary = ", ".join(self.tr(SHORT_LABELS[k]) for k in kinds)
        if not summary and self.files:
            summary = self.tr("Evidence to describe")
        approximate = self.approximate.isChecked()
        if self._date_only:
            start, precision = self.when_edit.date().toString(Qt.DateFormat.ISODate), "day"
        else:
            shown = self.when_edit.dateTime()
            start = iso_local(shown, self._folds.get(wall_key(shown)))
            precision = "approximate" if approximate else "exact"
        return IncidentData(
            summary=summary,
            details=details,
            kinds=kinds or ("other",),
            occurred_start=start,
            precision=precision,
            complete_later=self.complete_later.isChecked(),
            people=(pid,) if (pid := self.who_id()) is not None else (),
        )

    def draft(self) -> dict[str, Any]:
        return {
            "type": "quick_log",
            "when_choice": self.when_choice(),
            "when": iso_local(self.when_edit.dateTime()),
            "opened_at": iso_local(self._opened_at),
            "approximate": self.approximate.isChecked(),
            "time_text": self.time_text.text(),
            "date_only": self._date_only,
            "kinds": list(self.kinds.kinds()),
            "text": self.text.toPlainText(),
            "complete_later": self.complete_later.isChecked(),
            "files": [f.to_dict() for f in self.files],
            "provenance": dict(self.provenance),
            "who": self.who_id(),
        }

    def set_draft(self, draft: dict[str, Any]) -> None:
        opened = wall_time(str(draft.get("opened_at", "")))
        if opened is not None:
            self._opened_at = opened
        self.time_text.blockSignals(True)
        self.time_text.setText(str(draft.get("time_text", "")))
        self.time_text.blockSignals(False)
        choice = str(draft.get("when_choice", "now"))
        self.when_buttons.get(choice, self.when_buttons["now"]).setChecked(True)
        when = wall_time(str(draft.get("when", "")))
        if when is not None:
            self.when_edit.setDateTime(when)
        self._set_date_only(bool(draft.get("date_only")))
        self.approximate.setChecked(bool(draft.get("approximate")))
        self.kinds.set_kinds([str(k) for k in draft.get("kinds", [])])
        self.text.setPlainText(str(draft.get("text", "")))
        self.complete_later.setChecked(bool(draft.get("complete_later")))
        if "who" in draft:
            self.who.setCurrentIndex(max(0, self.who.findData(draft["who"])))
        saved = draft.get("provenance")
        if isinstance(saved, dict):
            self.provenance = {str(k): str(v) for k, v in saved.items()}
        for f in draft.get("files", []):
            self.add_file(PendingFile.from_dict(f))
        self._show_files()

    # ------------------------------------------------------------------ saving

    def save(self, *, open_editor: bool = False) -> None:
        """Save the entry and its files as one transaction; on any error stay open.

        One call (#23.1): a full disk, a refused file or a crash leaves the entry and
        its files saved together or not at all, never an entry without its evidence
        or stored files nothing cites (which a retry would add again).
        """
        try:
            data = validated_asking(self, self.incident_data, self._folds)
            if data is None:
                return  # they want to check the time first: everything typed stays
            vault = self.session.require()
            evidence = tuple(f.evidence_id for f in self.files if f.evidence_id is not None)
            files, provenance = self.files_to_store(), self.provenance or None
            # Off the GUI thread, a busy vault tried again quietly (#23.9).
            self.saved_id = run_write(
                self, lambda: vault.add_incident(data, evidence=evidence, files=files, provenance=provenance)
            )
        except SaveInterrupted:
            return  # the lock closed the form and sealed it as a draft
        except Exception as exc:  # noqa: BLE001 - shown calmly; everything typed stays
            dialogs.show_error(self, exc)
            return
        self.wants_editor = open_editor
        self.accept()

    def files_to_store(self) -> list[Path | tuple[str, bytes]]:
        """The attachments not yet in the vault, as :meth:`Vault.add_incident` takes
        them: a path, or (name, bytes) for a pasted screenshot."""
        out: list[Path | tuple[str, bytes]] = []
        for pending in self.files:
            if pending.evidence_id is not None:
                continue
            if pending.data is not None:
                out.append((pending.name, pending.data))
            elif pending.path is not None:
                out.append(pending.path)
        return out

    def reject(self) -> None:
        if (
            self._discarding
            or not self.has_content()
            or dialogs.confirm(
                self,
                self.tr("Discard this entry?"),
                self.tr("What you typed has not been saved. Discard it?"),
                yes=self.tr("Discard"),
            )
        ):
            super().reject()

    def discard(self) -> None:
        """Lock: empty the form and close without asking (the shell took the draft)."""
        self._discarding = True
        self.wipe()
        super().reject()

    def wipe(self) -> None:
        self.text.clear()
        self.files.clear()
        self.file_list.clear()
        self.provenance.clear()
        self.provenance_label.clear()
        self.kinds.set_kinds([])
