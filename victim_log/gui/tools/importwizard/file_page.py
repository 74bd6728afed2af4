"""Step 2: which file; it is read at once (a worker thread), so a broken or
hostile file is refused right there with the core's one-line reason."""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtCore import Slot
from PySide6.QtGui import QIcon
from PySide6.QtGui import QImage
from PySide6.QtGui import QImageReader
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QButtonGroup
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QListView
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ....errors import VictimLogError
from ....importers.photos import scan_photos
from ....importers.records import AmbiguousDateOrder
from ....importers.service import ImportReport
from ....importers.service import ImportRequest
from ....importers.service import run_import
from ....textsafe import display_safe
from ...widgets import dialogs
from ...widgets.common import scaled
from ...widgets.common import wrapped
from ...widgets.safelabel import SafeLabel
from . import formats
from .base import WizardBase
from .base import WorkingStep
from .formats import FOLDER_FORMATS
from .formats import FORMAT_BY_KEY
from .formats import ambiguous_sample
from .formats import date_question

THUMB = 96  # pixels, the longer side
MAX_THUMBS = 200


def photo_thumbnails(folder: Path) -> list[tuple[str, str, QImage]]:
    """Small pictures of the first photos in ``folder`` (name, date, image), made on
    the worker in memory only: never written to disk, no thumbnail cache."""
    out: list[tuple[str, str, QImage]] = []
    for photo in islice(scan_photos(folder), MAX_THUMBS):
        reader = QImageReader(str(photo.path))
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        when = photo.date_taken
        out.append((photo.name, when.strftime("%d %b %Y %H:%M") if when else "", image))
    return out


class FilePage(WorkingStep):
    """Choose the file; it is read at once (a dry run without a sender) on a worker."""

    def __init__(self, wizard: WizardBase) -> None:
        super().__init__(wizard, "filePage")  # title and subtitle follow the format chosen
        self.how = wrapped("", self, name="how")
        self.column.addWidget(self.how)
        row = QHBoxLayout()
        self.choose_button = QPushButton(self)
        self.choose_button.setObjectName("chooseFile")
        self.choose_button.clicked.connect(self.choose)
        # #19.2: an Android phone shares a WhatsApp export "with media" as a folder (the
        # chat's .txt beside its photos): that folder can be chosen as it is.
        self.folder_button = QPushButton(self.tr("Choose its folder…"), self)
        self.folder_button.setObjectName("chooseFolder")
        self.folder_button.setAccessibleName(
            self.tr("Choose its folder: the one holding the export and its files")
        )
        self.folder_button.clicked.connect(self.choose_folder)
        self.path_label = SafeLabel("", self, single_line=True, name="chosenFile", wrap=True)
        row.addWidget(self.choose_button)
        row.addWidget(self.folder_button)
        row.addWidget(self.path_label, 1)
        self.column.addLayout(row)
        self.column.addWidget(self.busy)
        self.status = wrapped("", self, name="fileStatus")
        self.column.addWidget(self.status)
        self.thumbs = QListWidget(self)  # #22: see the photos before importing them
        self.thumbs.setObjectName("thumbnails")
        self.thumbs.setAccessibleName(self.tr("The photos in this folder"))
        self.thumbs.setViewMode(QListView.ViewMode.IconMode)
        self.thumbs.setIconSize(QSize(THUMB, THUMB))
        self.thumbs.setResizeMode(QListView.ResizeMode.Adjust)
        self.thumbs.setWordWrap(True)
        self.thumbs.hide()
        self.column.addWidget(self.thumbs, 1)

        self.date_box = QWidget(self)
        self.date_box.setObjectName("dateOrder")
        dv = QVBoxLayout(self.date_box)
        dv.setContentsMargins(0, 8, 0, 0)
        self.date_intro = wrapped(
            self.tr("The dates in this chat could be read two ways. Think of a message you remember:"),
            self.date_box,
        )
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
        self.column.addWidget(self.date_box)
        self.column.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        choice = FORMAT_BY_KEY[self.w.format]
        photos = choice.key == "photos"
        self.setTitle(self.tr("Choose the folder") if photos else self.tr("Choose the file"))
        self.setSubTitle(self.tr(choice.label))
        self.how.setText(self.tr(choice.how))
        self.choose_button.setText(self.tr("Choose folder…") if photos else self.tr("Choose file…"))
        self.folder_button.setVisible(choice.key in FOLDER_FORMATS)
        if self.w.source is None:
            self.path_label.setText(self.tr("Nothing chosen yet."))
            self.status.clear()
            self.date_box.hide()

    @Slot()
    def choose_folder(self) -> None:
        self.choose(folder=True)

    @Slot()
    def choose(self, folder: bool = False) -> None:
        ask = formats.choose_open_path
        path = ask(self, self.w.format, folder=True) if folder else ask(self, self.w.format)
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
        if self.w.chosen.date_order != order:
            self.w.chosen = replace(self.w.chosen, date_order=order)
            self.w.scan = None
            self.scan()

    def scan(self) -> None:
        """Read the whole file once, listing its senders; nothing is written."""
        vault = self.w.session.require()
        if self.w.source is None:
            return  # nothing chosen yet
        req = ImportRequest(self.w.format, self.w.source, dry_run=True, date_order=self.w.chosen.date_order)
        self.w.scan = None
        self.status.setText(self.tr("Reading the file…"))
        self.choose_button.setEnabled(False)
        self.thumbs.clear()
        self.thumbs.hide()
        photos = self.w.format == "photos"

        def work() -> tuple[ImportReport, list[tuple[str, str, QImage]]]:
            report = run_import(vault, req)
            return report, photo_thumbnails(req.source) if photos else []

        self.start_work(work, self._scanned)

    def _show_thumbnails(self, thumbs: list[tuple[str, str, QImage]]) -> None:
        for name, when, image in thumbs:
            shown = display_safe(name, single_line=True)
            item = QListWidgetItem(QIcon(QPixmap.fromImage(image)), shown + (f"\n{when}" if when else ""))
            item.setToolTip(shown)
            self.thumbs.addItem(item)
        self.thumbs.setVisible(bool(thumbs))

    @Slot(object, object)
    def _scanned(self, result: object, error: object) -> None:
        if not self.work_ended():
            return  # an older scan, of a file no longer chosen
        report: object = None
        if isinstance(result, tuple):
            report, thumbs = result
            self._show_thumbnails(thumbs)
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
        """The file is being read (the wizard's and the tests' word for ``working``)."""
        return self.working

    def forget_scan(self) -> None:
        """Ignore the result of a scan still running (its thread finishes on its own)."""
        if self.working:
            self.forget_work()
            self.choose_button.setEnabled(True)
            self.status.clear()
            self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        scan = self.w.scan
        return not self.scanning and scan is not None and not scan.already_imported and scan.messages_seen > 0

    def nextId(self) -> int:  # noqa: N802 - Qt name
        return self.w.SENDER if self.w.asks_sender else self.w.CONFIRM
