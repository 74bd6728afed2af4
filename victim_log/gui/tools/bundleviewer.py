"""A read-only viewer for an export bundle someone sent: no vault, no passphrase.

For the officer or support worker who received a bundle (``victim-log gui
--open-bundle FILE``). At the top, what :func:`~victim_log.verify.verify_bundle` says
about it: green VALID with the counts, period and the signing key in its read-out
form (to compare with what the sender reads out by phone), or red INVALID listing
every problem by file. Below, the timeline (from ``data/timeline.json``), each
entry's fields in full, and the exhibits (from ``data/exhibits.csv``), with pictures
shown from memory and "Save exhibit…" to write a member's exact bytes elsewhere.

Safety: the bundle is untrusted. It is read only through
:class:`~victim_log.safezip.SafeZip` (hardened, and never extracted: members
are read as byte streams), sizes are capped before anything is loaded, every text
is shown through :func:`~victim_log.textsafe.display_safe` in plain-text widgets (no
HTML), and a malformed file inside the bundle is reported, not trusted. An invalid
bundle still opens what it can under the red banner; a zip too unsafe to read opens
nothing but the banner; a file that is not a bundle at all is refused with a plain
message (:class:`~victim_log.errors.NotABundle`).

The check runs on a worker thread, so a bundle with gigabytes of video opens at once
and the banner turns green or red when the check is done. What the bundle holds is
read by the Qt-free :mod:`victim_log.bundle_contents`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtGui import QImage
from PySide6.QtGui import QPixmap
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QHeaderView
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QMainWindow
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QPlainTextEdit
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QSplitter
from PySide6.QtWidgets import QTableWidget
from PySide6.QtWidgets import QTableWidgetItem
from PySide6.QtWidgets import QTabWidget
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...bundle_contents import BundleContents
from ...bundle_contents import ExhibitRow
from ...bundle_contents import read_contents
from ...errors import EXIT_BAD_INPUT
from ...errors import BadInput
from ...errors import NotABundle
from ...errors import VictimLogError
from ...export.case import format_datetime
from ...fsutil import atomic_writer
from ...safezip import DamagedMember
from ...safezip import SafeZip
from ...safezip import UnsafeZip
from ...safezip import ZipMember
from ...textsafe import display_safe
from ...textsafe import safe_filename
from ...verify import SIGNATURE
from ...verify import VerifyReport
from ...verify import contents_text
from ...verify import normalise_expected_key
from ...verify import verify_bundle
from ..widgets import dialogs
from ..widgets import privacy
from ..widgets import savepath
from ..widgets.common import BackgroundTask
from ..widgets.common import busy_bar
from ..widgets.common import key_readout
from ..widgets.common import named
from ..widgets.common import scaled
from ..widgets.common import start_task
from ..widgets.common import wait_for_tasks
from ..widgets.common import wrapped

MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_BANNER_PROBLEMS = 8

# The banner is the one place we choose colours: green and red must mean the same on
# every desktop theme, with white text dark enough behind it to read (WCAG AA).
_VALID_STYLE = "QFrame#banner { background: #1e6b32; } QFrame#banner QLabel { color: white; }"
_INVALID_STYLE = "QFrame#banner { background: #a11d1d; } QFrame#banner QLabel { color: white; }"
_CHECKING_STYLE = ""


# --------------------------------------------------------------------------- widgets


class ImageView(QLabel):
    """A picture scaled to fit, kept as a QImage in memory (never written anywhere)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(160, 120))
        self.setWordWrap(True)

    def set_image(self, image: QImage | None, message: str = "") -> None:
        self._image = image
        self.clear()
        if image is None:
            self.setText(message)
        else:
            self._rescale()

    def has_image(self) -> bool:
        return self._image is not None

    def _rescale(self) -> None:
        if self._image is not None:
            self.setPixmap(
                QPixmap.fromImage(self._image).scaled(
                    self.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._rescale()


def _table(columns: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setAlternatingRowColors(True)
    return table


def key_facts_text(lines: list[tuple[str, str]]) -> str:
    """The key facts as the viewer shows them: a heading, then "Label: text" with a
    long value's further lines indented under it."""
    out = ["KEY FACTS (as on page 1 of the PDF; every Entry N is the timeline's reference)", ""]
    for label, text in lines:
        first, *rest = text.split("\n") or [""]
        out.append(f"{label}: {first}")
        out += [f"    {line}" for line in rest]
    return "\n".join(out)


def _item(value: str) -> QTableWidgetItem:
    item = QTableWidgetItem(value)
    item.setToolTip(value if len(value) > 40 else "")
    return item


class BundleViewer(QMainWindow):
    """Shows one bundle read-only. Raises NotABundle if ``bundle`` is not one at all."""

    verified = Signal(object)  # VerifyReport, or the exception if the check itself failed
    pin_checked = Signal(object)  # the same, for a check against the key the sender read out

    def __init__(self, bundle: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bundle = Path(bundle)
        self.report: VerifyReport | None = None
        self.contents: BundleContents | None = None
        self.unsafe_reason = ""
        self._zip: SafeZip | None = None
        self._task: BackgroundTask | None = None
        self._pin_task: BackgroundTask | None = None
        try:
            self._zip = SafeZip(self.bundle)
        except UnsafeZip as exc:
            if exc.reason == "not-a-zip":
                raise  # not a bundle at all: a plain message, no window
            self.unsafe_reason = exc.message
        if self._zip is not None:
            try:
                self.contents = read_contents(self._zip)
            except BaseException:
                self._zip.close()
                raise
        self.setObjectName("bundleViewer")
        name = display_safe(self.bundle.name, single_line=True)
        self.setWindowTitle(self.tr("Bundle: {name} (read-only)").format(name=name))
        self.setAccessibleName(self.windowTitle())
        self._build()
        self._fill()
        if self._zip is None:
            self._show_unsafe()
        else:
            self._start_check()
        self.resize(self.fontMetrics().averageCharWidth() * 170, self.fontMetrics().height() * 50)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.banner = QFrame(central)
        self.banner.setObjectName("banner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        bl = QVBoxLayout(self.banner)
        bl.setContentsMargins(16, 12, 16, 12)
        self.status = QLabel(self.banner)
        self.status.setObjectName("status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setFont(scaled(self.status.font(), 1.8, bold=True))
        self.status.setAccessibleName(self.tr("Check result"))
        self.summary = wrapped("", self.banner, name="summary")
        self.summary.setFont(scaled(self.summary.font(), 1.1))
        self.key_row = QWidget(self.banner)
        kr = QHBoxLayout(self.key_row)
        kr.setContentsMargins(0, 4, 0, 0)
        self.key_caption = QLabel(self.tr("Signing key:"), self.key_row)
        self.readout = key_readout(self.key_row, "readout", 1.6)
        kr.addWidget(self.key_caption)
        kr.addWidget(self.readout)
        kr.addStretch(1)
        self.key_note = wrapped(
            self.tr(
                "Ask the sender to read their key to you by phone and check it matches: anyone "
                "can sign a bundle with a key of their own."
            ),
            self.banner,
            name="keyNote",
        )
        self.pin_row = QWidget(self.banner)
        pr = QHBoxLayout(self.pin_row)
        pr.setContentsMargins(0, 4, 0, 0)
        pin_caption = QLabel(self.tr("Key the sender read to you:"), self.pin_row)
        self.pin_edit = QLineEdit(self.pin_row)
        self.pin_edit.setObjectName("pinEdit")
        self.pin_edit.setMaxLength(120)
        self.pin_edit.setPlaceholderText("XXXX XXXX XXXX XXXX XXXX XXXX")
        self.pin_edit.setAccessibleName(self.tr("Key the sender read to you"))
        pin_caption.setBuddy(self.pin_edit)
        self.pin_button = QPushButton(self.tr("Check the key"), self.pin_row)
        self.pin_button.setObjectName("pinCheck")
        self.pin_button.clicked.connect(self.check_pin)
        self.pin_edit.returnPressed.connect(self.check_pin)
        for part in (pin_caption, self.pin_edit, self.pin_button):
            pr.addWidget(part)
        self.pin_result = wrapped("", self.banner, name="pinResult")
        self.problems = wrapped("", self.banner, name="problems")
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.checking = busy_bar(self.banner)
        for w in (
            self.status,
            self.summary,
            self.problems,
            self.key_row,
            self.key_note,
            self.pin_row,
            self.pin_result,
            self.checking,
        ):
            bl.addWidget(w)
        layout.addWidget(self.banner)

        self.notes = wrapped("", central, name="notes")
        layout.addWidget(self.notes)

        # The key facts (#20), as on page 1 of the PDF: what the case is, in two minutes.
        self.key_facts = QPlainTextEdit(central)
        self.key_facts.setObjectName("keyFacts")
        self.key_facts.setReadOnly(True)
        self.key_facts.setAccessibleName(self.tr("Key facts"))
        self.key_facts.setMinimumHeight(self.fontMetrics().height() * 6)

        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self._build_timeline(), self.tr("Timeline"))
        self.tabs.addTab(self._build_exhibits(), self.tr("Exhibits"))
        self.about = QPlainTextEdit(central)
        self.about.setObjectName("about")
        self.about.setReadOnly(True)
        self.tabs.addTab(self.about, self.tr("About this bundle"))
        split = QSplitter(Qt.Orientation.Vertical, central)
        split.setObjectName("keyFactsSplit")
        split.addWidget(self.key_facts)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        self.setCentralWidget(central)

    def _build_timeline(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        self.filter = named(QLineEdit(page), "filter", self.tr("Filter entries"))
        self.filter.setPlaceholderText(self.tr("Show only entries containing…"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_rows)
        layout.addWidget(self.filter)
        split = QSplitter(Qt.Orientation.Vertical, page)
        self.timeline = _table(
            [self.tr("Entry"), self.tr("When"), self.tr("Kinds"), self.tr("Summary"), self.tr("Exhibits")],
            split,
        )
        self.timeline.setObjectName("timeline")
        self.timeline.setAccessibleName(self.tr("Timeline"))
        header = self.timeline.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.timeline.itemSelectionChanged.connect(self._show_entry)
        self.detail = QPlainTextEdit(split)
        self.detail.setObjectName("detail")
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName(self.tr("Entry in full"))
        split.addWidget(self.timeline)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        return page

    def _build_exhibits(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.exhibit_table = _table(
            [
                self.tr("Reference"),
                self.tr("Original name"),
                self.tr("Type"),
                self.tr("Size"),
                self.tr("Entries"),
                self.tr("Check"),
            ],
            split,
        )
        self.exhibit_table.setObjectName("exhibits")
        self.exhibit_table.setAccessibleName(self.tr("Exhibits"))
        self.exhibit_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.exhibit_table.itemSelectionChanged.connect(self._show_exhibit)
        side = QWidget(split)
        sv = QVBoxLayout(side)
        self.image = ImageView(side)
        self.image.setObjectName("exhibitImage")
        self.image.setAccessibleName(self.tr("Exhibit picture"))
        self.exhibit_info = QPlainTextEdit(side)
        self.exhibit_info.setObjectName("exhibitInfo")
        self.exhibit_info.setReadOnly(True)
        self.exhibit_info.setMaximumHeight(self.fontMetrics().height() * 12)
        self.save_button = QPushButton(self.tr("Save exhibit…"), side)
        self.save_button.setObjectName("saveExhibit")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_exhibit)
        sv.addWidget(self.image, 1)
        sv.addWidget(self.exhibit_info)
        sv.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignRight)
        split.addWidget(self.exhibit_table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        return split

    # ------------------------------------------------------------------ filling

    def _fill(self) -> None:
        contents = self.contents
        if contents is None:
            return
        self.timeline.setRowCount(len(contents.rows))
        for r, row in enumerate(contents.rows):
            for c, value in enumerate((row.number, row.when, row.kinds, row.summary, row.exhibits)):
                self.timeline.setItem(r, c, _item(value))
        self._fit_columns(self.timeline, stretch=3, caps={2: 30, 4: 18})
        self.exhibit_table.setRowCount(len(contents.exhibits))
        for r, ex in enumerate(contents.exhibits):
            for c, value in enumerate(
                (ex.reference, ex.original_filename, ex.media_type, ex.size, ex.entries, "")
            ):
                self.exhibit_table.setItem(r, c, _item(value))
        self._fit_columns(self.exhibit_table, stretch=1, caps={2: 20, 4: 18})
        self.about.setPlainText(contents.about)
        self.key_facts.setPlainText(key_facts_text(contents.key_facts))
        self.key_facts.setVisible(bool(contents.key_facts))
        self.notes.setText("\n".join(contents.notes))
        self.notes.setVisible(bool(contents.notes))
        self.tabs.setTabText(0, self.tr("Timeline ({n})").format(n=len(contents.rows)))
        self.tabs.setTabText(1, self.tr("Exhibits ({n})").format(n=len(contents.exhibits)))
        if contents.rows:
            self.timeline.selectRow(0)

    def _fit_columns(self, table: QTableWidget, *, stretch: int, caps: dict[int, int]) -> None:
        """Columns as wide as their contents, but long lists capped (in characters) so
        the summary or name column keeps the room."""
        char = self.fontMetrics().averageCharWidth()
        table.resizeColumnsToContents()
        for column, limit in caps.items():
            table.setColumnWidth(column, min(table.columnWidth(column), limit * char))
        table.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def _set_banner(self, style: str, status: str, summary: str) -> None:
        self.banner.setStyleSheet(style)
        self.status.setText(status)
        self.summary.setText(summary)

    def _show_unsafe(self) -> None:
        self._set_banner(
            _INVALID_STYLE,
            self.tr("NOT OPENED: this zip is unsafe"),
            display_safe(self.unsafe_reason, single_line=True),
        )
        self.problems.setText(
            self.tr("Nothing in it was read, to keep this computer safe. Ask the sender for a fresh copy.")
        )
        self.key_row.hide()
        self.key_note.hide()
        self.checking.hide()
        self.notes.hide()

    def _start_check(self) -> None:
        self._set_banner(
            _CHECKING_STYLE,
            self.tr("Checking…"),
            self.tr(
                "Checking every file against the bundle's manifests and "
                "signature. You can start reading meanwhile."
            ),
        )
        self.key_row.hide()
        self.key_note.hide()
        self.pin_row.hide()
        self.pin_result.hide()
        self.problems.hide()
        path = self.bundle
        self._task = start_task(lambda: verify_bundle(path), self._checked)

    @Slot(object, object)
    def _checked(self, report: object, error: object) -> None:
        self._task = None
        self.checking.hide()
        if error is not None or not isinstance(report, VerifyReport):
            message = (
                error.message
                if isinstance(error, VictimLogError)
                else self.tr("The bundle could not be checked.")
            )
            self._set_banner(_INVALID_STYLE, self.tr("NOT CHECKED"), display_safe(message, single_line=True))
            if not isinstance(error, VictimLogError) and isinstance(error, Exception):
                from ...logs import log_unexpected

                log_unexpected(error)
            self.verified.emit(error)
            return
        self.report = report
        if report.valid:
            self._show_valid(report)
        else:
            self._show_invalid(report)
        self._mark_exhibits(report)
        self.verified.emit(report)

    def _show_valid(self, report: VerifyReport) -> None:
        counts = contents_text(report)
        self._set_banner(
            _VALID_STYLE,
            self.tr("VALID, signed by the key you expected")
            if report.signer_confirmed
            else self.tr("VALID, signer not yet confirmed"),
            self.tr("Nothing has changed since it was exported.") + (f" {counts}." if counts else ""),
        )
        self.readout.setText(report.short_fingerprint or "")
        self.readout.setToolTip(report.fingerprint or "")
        self.key_row.show()
        self.key_note.show()
        self.pin_row.show()

    def _show_invalid(self, report: VerifyReport) -> None:
        self._set_banner(
            _INVALID_STYLE,
            self.tr("INVALID: do not rely on this copy"),
            self.tr("It is not exactly as it was exported. Ask the sender for a fresh copy. What is wrong:"),
        )
        lines = ["• " + display_safe(p.message, single_line=True) for p in report.problems]
        shown = lines[:MAX_BANNER_PROBLEMS]
        if len(lines) > len(shown):
            shown.append(
                self.tr("… and {n} more: see “About this bundle”.").format(n=len(lines) - len(shown))
            )
        self.problems.setText("\n".join(shown))
        self.problems.show()
        self.about.setPlainText(
            "\n".join(
                [
                    self.tr("Problems found by the check:"),
                    *lines,
                    "",
                    self.contents.about if self.contents else "",
                ]
            )
        )
        if report.short_fingerprint:
            self.readout.setText(report.short_fingerprint)
            self.key_row.show()

    # ------------------------------------------------------------------ the sender's key

    @Slot()
    def check_pin(self) -> None:
        """Check the bundle again, pinned to the key the sender read out (by phone): the
        key inside a bundle proves only that whoever holds it made the bundle."""
        typed = self.pin_edit.text()
        try:
            normalise_expected_key(typed)
        except BadInput as exc:
            self._show_pin_result(exc.message)
            return
        self.pin_button.setEnabled(False)
        self._show_pin_result(self.tr("Checking the key…"))
        path = self.bundle
        self._pin_task = start_task(
            lambda: verify_bundle(path, expected_fingerprint=typed), self._pin_checked
        )

    @Slot(object, object)
    def _pin_checked(self, report: object, error: object) -> None:
        self._pin_task = None
        self.pin_button.setEnabled(True)
        if isinstance(report, VerifyReport) and report.signer_confirmed:
            self.banner.setStyleSheet(_VALID_STYLE)
            self.status.setText(self.tr("VALID, signed by the key you expected"))
            self._show_pin_result(
                self.tr("It matches: this bundle was signed with the key the sender read to you.")
            )
        elif isinstance(report, VerifyReport):
            # Signed by someone else than the sender says: as the CLI, this is INVALID.
            self.banner.setStyleSheet(_INVALID_STYLE)
            self.status.setText(self.tr("INVALID: not signed by the key the sender read to you"))
            signature = [p.message for p in report.problems if p.kind == SIGNATURE]
            self._show_pin_result(
                display_safe(signature[0], single_line=True)
                if signature
                else self.tr("The bundle is not valid, so the key cannot be confirmed.")
            )
        else:
            self._show_pin_result(
                display_safe(error.message, single_line=True)
                if isinstance(error, VictimLogError)
                else self.tr("The key could not be checked.")
            )
        self.pin_checked.emit(report if report is not None else error)

    def _show_pin_result(self, text: str) -> None:
        self.pin_result.setText(text)
        self.pin_result.show()

    def _mark_exhibits(self, report: VerifyReport) -> None:
        contents = self.contents
        if contents is None:
            return
        by_file = {p.file: p for p in report.problems}
        root = contents.root
        for r, ex in enumerate(contents.exhibits):
            rel = ex.member[len(root) :] if ex.member else ""
            problem = by_file.get(rel) if rel else None
            if not ex.member:
                mark = self.tr("⚠ missing")
            elif problem is not None:
                mark = "⚠ " + {
                    "changed": self.tr("changed"),
                    "added": self.tr("added after export"),
                    "damaged": self.tr("damaged"),
                }.get(problem.kind, problem.kind)
            else:
                mark = self.tr("✓ unchanged")
            item = self.exhibit_table.item(r, 5)
            if item is not None:
                item.setText(mark)
        self.exhibit_table.resizeColumnToContents(5)

    # ------------------------------------------------------------------ selection

    @Slot(str)
    def _filter_rows(self, needle: str) -> None:
        contents = self.contents
        if contents is None:
            return
        words = needle.casefold().split()
        for r, row in enumerate(contents.rows):
            hay = row.detail.casefold()
            self.timeline.setRowHidden(r, not all(w in hay for w in words))

    def selected_row(self, table: QTableWidget) -> int:
        rows = table.selectionModel().selectedRows() if table.selectionModel() else []
        return rows[0].row() if rows else -1

    @Slot()
    def _show_entry(self) -> None:
        r = self.selected_row(self.timeline)
        if self.contents is None or not 0 <= r < len(self.contents.rows):
            self.detail.clear()
            return
        self.detail.setPlainText(self.contents.rows[r].detail)

    def current_exhibit(self) -> ExhibitRow | None:
        r = self.selected_row(self.exhibit_table)
        if self.contents is None or not 0 <= r < len(self.contents.exhibits):
            return None
        return self.contents.exhibits[r]

    def _member(self, ex: ExhibitRow) -> ZipMember | None:
        return self._zip.get(ex.member) if self._zip is not None and ex.member else None

    @Slot()
    def _show_exhibit(self) -> None:
        ex = self.current_exhibit()
        member = self._member(ex) if ex else None
        self.save_button.setEnabled(member is not None)
        if ex is None:
            self.image.set_image(None)
            self.exhibit_info.clear()
            return
        info = [
            f"Reference: {ex.reference}",
            f"File in the bundle: {ex.file}",
            f"Original name: {ex.original_filename}",
            f"Type: {ex.media_type}",
            f"Size: {ex.size} bytes",
            f"SHA-256: {ex.sha256}",
            f"Added to the log: {format_datetime(ex.added_at) if ex.added_at else ''}",
            f"Supports entries: {ex.entries}",
        ]
        if not ex.listed:
            info.insert(0, "This file is in the bundle but not in its list of exhibits.")
        if member is None:
            self.image.set_image(None, self.tr("This file is missing from the bundle."))
        elif ex.media_type.startswith("image/") or (not ex.listed and member.size < MAX_IMAGE_BYTES):
            self._preview_image(member, ex, info)
        else:
            self.image.set_image(
                None,
                self.tr(
                    "No preview for this kind of file. Use “Save exhibit…” to open it with another program."
                ),
            )
        self.exhibit_info.setPlainText("\n".join(info))

    def _preview_image(self, member: ZipMember, ex: ExhibitRow, info: list[str]) -> None:
        if member.size > MAX_IMAGE_BYTES:
            self.image.set_image(
                None, self.tr("This picture is too large to preview here. Use “Save exhibit…” to open it.")
            )
            return
        assert self._zip is not None
        try:
            data = self._zip.read_bytes(member, MAX_IMAGE_BYTES)
        except DamagedMember as exc:
            self.image.set_image(None, display_safe(exc.message, single_line=True))
            return
        image = QImage.fromData(data)
        if ex.sha256:
            ok = hashlib.sha256(data).hexdigest() == ex.sha256
            info.append(
                self.tr("These bytes match the SHA-256 in the list.")
                if ok
                else self.tr("⚠ These bytes do NOT match the SHA-256 in the list.")
            )
        del data
        if image.isNull():
            self.image.set_image(None, self.tr("This picture cannot be shown here."))
        else:
            self.image.set_image(image)

    @Slot()
    def save_exhibit(self) -> None:
        ex = self.current_exhibit()
        member = self._member(ex) if ex else None
        if ex is None or member is None or self._zip is None:
            return
        if self.report is not None and not self.report.valid:
            rel = member.name[len(self.contents.root) :] if self.contents else member.name
            if any(p.file == rel for p in self.report.problems) and not dialogs.confirm(
                self,
                self.tr("Save exhibit"),
                self.tr("This file has changed since the bundle was exported. Save it anyway?"),
                self.tr("Save anyway"),
            ):
                return
        suggested = safe_filename(member.name.rpartition("/")[2], fallback="exhibit")
        out = savepath.choose_save_path(self, self.tr("Save the exhibit as"), suggested)
        if out is None:
            return
        try:
            with atomic_writer(out, "the exhibit") as fh:
                for chunk in self._zip.iter_chunks(member):
                    fh.write(chunk)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        dialogs.show_message(
            self,
            self.tr("Save exhibit"),
            self.tr("Saved {ref} as {path}, byte for byte as it is in the bundle.").format(
                ref=ex.reference, path=display_safe(str(out), single_line=True)
            ),
        )

    # ------------------------------------------------------------------ closing

    def wipe(self) -> None:
        """Forget what was shown (the app's lock closes us) and close the zip."""
        self.timeline.setRowCount(0)
        self.exhibit_table.setRowCount(0)
        self.detail.clear()
        self.about.clear()
        self.exhibit_info.clear()
        self.image.set_image(None)
        self.contents = None
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        self.wipe()
        super().closeEvent(event)


def open_bundle(parent: QWidget | None, path: Path) -> BundleViewer | None:
    """Open a viewer window from inside the app; a non-bundle gets a plain message."""
    try:
        viewer = BundleViewer(Path(path), parent)
    except NotABundle as exc:
        dialogs.show_message(parent, "Victim Log", exc.message, QMessageBox.Icon.Warning)
        return None
    viewer.setWindowFlag(Qt.WindowType.Window, True)
    viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    viewer.show()
    return viewer


def run_bundle_viewer(path: Path) -> int:
    """Show the viewer until it is closed; the exit code (2 if it is not a bundle)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(["victim-log"])
    try:
        viewer = BundleViewer(Path(path))
    except NotABundle as exc:
        dialogs.show_message(None, "Victim Log", exc.message, QMessageBox.Icon.Warning)
        return EXIT_BAD_INPUT
    viewer.show()
    try:
        code = int(app.exec())
    finally:
        viewer.wipe()
        wait_for_tasks()
        privacy.clear_file_dialog_history()
    return code
