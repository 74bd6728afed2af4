"""The export dialog: the police bundle (or a PDF, CSV or JSON) made from the diary.

What matters to the person using it, and so shapes the dialog:

* **Nothing surprising leaves the diary.** Private notes are off by default and,
  when ticked, a warning says the defence may read them; redaction of places and
  other people's details is one tick each, with one line saying what it does.
* **A live count** ("61 incidents, 3 exhibits, 1 Jun 2026 to 25 Nov 2026") so the
  choices can be checked before anything is written. It is computed with
  :func:`~victim_log.export.case.build_case` in the GUI thread only for diaries small
  enough for that to be instant; bigger ones count when asked.
* **The app never freezes**: the export itself runs on a worker thread
  (:class:`BackgroundTask`) behind a busy indicator. The core writes atomically, so
  a failure (or a lock half-way) leaves no half-written file.
* **The signing key's read-out form** is shown large at the end, with Copy (through
  the session, so locking clears the clipboard), because the officer should hear it
  by phone to know the bundle came from this diary.

``BackgroundTask`` lives here because this dialog came first; the import wizard and
backup dialog use it too.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QButtonGroup
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDateEdit
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QGroupBox
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QSpinBox
from PySide6.QtWidgets import QStackedWidget
from PySide6.QtWidgets import QStyle
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import references
from ...errors import BadInput
from ...errors import VictimLogError
from ...export.bundle import ExportResult
from ...export.bundle import PortalRequest
from ...export.bundle import export
from ...export.case import ExportOptions
from ...export.case import build_case
from ...export.portal import DEFAULT_BATCH_SIZE
from ...export.portal import MAX_BATCH_SIZE
from ...model import PERSON_ROLES
from ...textsafe import display_safe
from ...vault import IncidentFilter
from ...vault import Vault
from ..shell.firstrun import initials_edit
from ..shell.fitting import fit_to_screen
from ..shell.fitting import scrolling_form
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets import savepath
from ..widgets.common import DAY_FORMAT  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import BackgroundTask  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import action_row  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import busy_bar  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import calendar_picker  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import day_text  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import dispose  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import fit_to_text  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import form_group  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import heading  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import key_readout  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import named
from ..widgets.common import one_shot
from ..widgets.common import plural  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import scaled  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import start_task  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import tasks_running  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import wait_for_tasks  # noqa: F401 - re-exported for callers of the old home
from ..widgets.common import wrapped  # noqa: F401 - re-exported for callers of the old home
from ..widgets.safelabel import SafeLabel

#: The fewest selected rows the dialog offers to export on their own: a single
#: highlighted row (the timeline selects its top row at unlock) is never a choice.
MIN_SELECTION = 2

#: Diaries with at most this many incidents get a live count (build_case costs about
#: 1 ms per incident); bigger ones count when the person presses "Count".
LIVE_PREVIEW_LIMIT = 250
PREVIEW_DELAY_MS = 150

FORMATS: tuple[tuple[str, str, str, str], ...] = (
    # (core format, label, file filter, suffix)
    (
        "bundle",
        "Evidence bundle for the police (.zip): the PDF, spreadsheets and your "
        "original files, signed. Recommended.",
        "Zip files (*.zip)",
        "zip",
    ),
    ("pdf", "PDF only: the readable timeline, without your original files", "PDF files (*.pdf)", "pdf"),
    ("csv", "Spreadsheet (CSV): one row per incident", "CSV files (*.csv)", "csv"),
    ("json", "Data (JSON): every field, for case systems", "JSON files (*.json)", "json"),
)


def _iso_day(day: QDate) -> str:
    """A date edit's day as ``YYYY-MM-DD`` (what ExportOptions takes)."""
    return f"{day.year():04d}-{day.month():02d}-{day.day():02d}"


# --------------------------------------------------------------------------- the dialog


def export_remembering(
    vault: Vault,
    out: Path,
    options: ExportOptions,
    fmt: str,
    full_copy: Path | None = None,
    portal: PortalRequest | None = None,
    statement: Path | None = None,
) -> ExportResult:
    """:func:`export`, with its temp file remembered in the vault while it exists, as
    the CLI does: a partial export left by a crash in another folder is found and
    removed at the next unlock (#23.4). Runs on the worker thread (the tracking is
    per thread of execution, so it is set up here, not around ``start_task``).

    ``full_copy`` (with a redacted export) also writes the unredacted export it is
    made from, first and at the same moment, as ``export --redact … --unredacted-copy``
    does: the redacted copy's schedule names that one by hash (#16.6). ``portal`` also
    writes upload-link batches cut from the export given to the police (#21);
    ``statement`` a DRAFT witness statement from the same entries, after the export
    (so its exhibit references are the export's), as ``victim-log statement`` does."""
    import time

    from ...leftovers import remembering_temps

    with remembering_temps(vault):
        if full_copy is None or not options.redact:
            result = export(vault, out, options, fmt=fmt, portal=portal)
        else:
            moment = int(time.time())
            export(vault, full_copy, replace(options, redact=frozenset()), fmt=fmt, timestamp=moment)
            result = export(vault, out, options, fmt=fmt, timestamp=moment, portal=portal)
        if statement is not None:
            write_statement(vault, statement, replace(options, redact=frozenset()))
    return result


def write_statement(vault: Vault, out: Path, options: ExportOptions) -> None:
    """The statement draft (.docx or .odt by its name), on the case's country's form."""
    from ...clock import now_iso
    from ...export.statement import COUNTRY_SETTING
    from ...export.statement import build_statement
    from ...export.statement import clean_country
    from ...export.statement import render
    from ...export.statement import statement_format
    from ...fsutil import atomic_write_bytes
    from ...fsutil import check_output_path

    fmt = statement_format(out)
    out = check_output_path(out, "the statement draft", overwrite=True)
    country = clean_country(vault.get_setting(COUNTRY_SETTING, "") or "GB")
    draft = build_statement(build_case(vault, options, exported_at=now_iso()), country)
    atomic_write_bytes(out, render(draft, fmt), "the statement draft")


class ExportDialog(QDialog):
    """Choose what to export, export it on a worker thread, show the result."""

    exported = Signal(object)  # ExportResult
    failed = Signal(object)  # the exception, after it has been shown

    def __init__(
        self, session: Session, parent: QWidget | None = None, incident_ids: list[int] | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        # One highlighted row is where the person happens to be, not a choice (#18.2):
        # only several rows, selected on purpose, are offered as a limit.
        chosen = tuple(dict.fromkeys(incident_ids or ()))
        self.incident_ids = chosen if len(chosen) >= MIN_SELECTION else ()
        self.result_value: ExportResult | None = None
        self._task: BackgroundTask | None = None
        self.full_copy: Path | None = None  # the unredacted copy being (or last) made
        self.statement_path: Path | None = None  # the statement draft being (or last) made
        self.setObjectName("exportDialog")
        self.setWindowTitle(self.tr("Export for the police"))
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)

        vault = session.require()
        self.total_incidents = vault.count_incidents()
        self.live = self.total_incidents <= LIVE_PREVIEW_LIMIT

        self.pages = QStackedWidget(self)
        self.options_page = self._build_options(vault)
        self.busy_page = self._build_busy()
        self.done_page = self._build_done()
        for page in (self.options_page, self.busy_page, self.done_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

        self._preview_timer = one_shot(self, self.update_preview, PREVIEW_DELAY_MS)
        self._connect_changes()
        if self.live:
            self.update_preview()
        else:
            self.preview.setText(
                self.tr(
                    "{n} entries in your diary. Press Count to see how many incidents these choices export."
                ).format(n=self.total_incidents)
            )
        fit_to_text(self, self.fontMetrics().averageCharWidth() * 95)
        fit_to_screen(self)

    # ------------------------------------------------------------------ building

    def _build_options(self, vault: Vault) -> QWidget:
        page = QWidget(self)
        page.setObjectName("optionsPage")
        body = QWidget(page)  # scrolls on a short screen; the count and buttons stay (#18.6)
        outer = QVBoxLayout(body)
        intro = wrapped(
            self.tr(
                "Make a copy of your log to give to the police. Your diary itself stays exactly as it is."
            ),
            page,
        )
        outer.addWidget(intro)

        # Which incidents ---------------------------------------------------
        which, form = form_group(page, self.tr("Which incidents"))
        first, last = self._date_bounds(vault)
        self.all_dates = QCheckBox(self.tr("All dates"), which)
        self.all_dates.setObjectName("allDates")
        self.all_dates.setChecked(True)
        self.from_date = self._date_edit(first, "fromDate", self.tr("From"))
        self.to_date = self._date_edit(last, "toDate", self.tr("To"))
        dates = QHBoxLayout()
        dates.addWidget(self.all_dates)
        dates.addSpacing(12)
        dates.addWidget(QLabel(self.tr("from"), which))
        dates.addWidget(self.from_date)
        dates.addWidget(QLabel(self.tr("to"), which))
        dates.addWidget(self.to_date)
        dates.addStretch(1)
        form.addRow(self.tr("Period:"), dates)

        self.person = QComboBox(which)
        self.person.setObjectName("person")
        self.person.setAccessibleName(self.tr("Person"))
        self.person.addItem(self.tr("Everyone"), None)
        people = sorted(
            vault.list_people(), key=lambda p: (p.data.role != "perpetrator", p.data.name.casefold())
        )
        for p in people:
            role = PERSON_ROLES.get(p.data.role, "").lower()
            name = display_safe(p.data.name, single_line=True)
            self.person.addItem(f"{name} ({role})" if role else name, p.id)
        form.addRow(self.tr("Involving:"), self.person)
        # #18.4: a quick entry may name nobody; exporting "involving Dan Marsh" would
        # silently leave it out. Say how many, and offer them.
        self.include_nameless = QCheckBox(which)
        self.include_nameless.setObjectName("includeNameless")
        self.include_nameless.hide()
        self._nameless: tuple[tuple[str, str], tuple[int, ...]] | None = None
        form.addRow("", self.include_nameless)

        self.only_selected = QCheckBox(which)
        self.only_selected.setObjectName("onlySelected")
        self.selection_note = wrapped("", which, name="selectionNote")
        if self.incident_ids:
            self.only_selected.setText(
                self.tr("Only the {n} you selected").format(n=plural(len(self.incident_ids), "incident"))
            )
            self.only_selected.setAccessibleName(self.only_selected.text())
            self.only_selected.setChecked(True)
            self.selection_note.setText(
                self.tr(
                    "This is {n} of {total} entries in your diary. Untick the box to export the whole diary."
                ).format(n=len(self.incident_ids), total=self.total_incidents)
            )
            self.selection_note.setFont(scaled(self.selection_note.font(), 1.0, bold=True))
            self.only_selected.toggled.connect(self.selection_note.setVisible)
            form.addRow("", self.only_selected)
            form.addRow("", self.selection_note)
        else:
            self.only_selected.hide()
            self.selection_note.hide()
        outer.addWidget(which)

        # Exhibit references ------------------------------------------------
        refs, refs_form = form_group(page, self.tr("Exhibit references"))
        self.initials = initials_edit(refs, "initials", references.vault_initials(vault))
        refs_form.addRow(self.tr("Your initials:"), self.initials)
        refs_form.addRow(
            "",
            wrapped(
                self.tr(
                    "Exhibits are numbered with them, as in a witness statement: SM/1, SM/2 … "
                    "A number is given once and kept in every later export."
                ),
                refs,
            ),
        )
        outer.addWidget(refs)

        # Privacy -----------------------------------------------------------
        privacy_box = QGroupBox(self.tr("What the other side may see"), page)
        pv = QVBoxLayout(privacy_box)
        pv.addWidget(
            wrapped(
                self.tr("An export may be shown to the defence, and so to the person you are reporting."),
                privacy_box,
            )
        )
        self.include_private = QCheckBox(self.tr("Include my private notes"), privacy_box)
        self.include_private.setObjectName("includePrivate")
        pv.addWidget(self.include_private)
        self.private_warning = QWidget(privacy_box)
        warn_row = QHBoxLayout(self.private_warning)
        warn_row.setContentsMargins(24, 0, 0, 0)
        icon = QLabel(self.private_warning)
        size = self.fontMetrics().height()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(size, size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        warn_text = wrapped(
            self.tr(
                "The defence may see these, and so may the person you are reporting. Only "
                "include them if you are sure."
            ),
            self.private_warning,
            name="privateWarning",
        )
        bold = warn_text.font()
        bold.setBold(True)
        warn_text.setFont(bold)
        warn_row.addWidget(icon)
        warn_row.addWidget(warn_text, 1)
        self.private_warning.setVisible(False)
        pv.addWidget(self.private_warning)

        self.redact_locations = self._option(
            pv,
            self.tr("Hide places (redact locations)"),
            "redactLocations",
            self.tr(
                "Places become “[location redacted]” in this copy. Photos and files are never "
                "changed, so they may still show where you were."
            ),
        )
        self.redact_third = self._option(
            pv,
            self.tr("Hide other people’s details (redact third parties)"),
            "redactThirdParties",
            self.tr(
                "Witnesses, friends and family become “[third party redacted]”; the person "
                "you are reporting is still named."
            ),
        )
        self.unredacted_copy = self._option(
            pv,
            self.tr("Also save the full copy this one is made from"),
            "unredactedCopy",
            self.tr(
                "The hidden copy names the full one by its fingerprint, so the court can ask for it "
                "and check it is the same export. Keep the full copy yourself."
            ),
        )
        self.unredacted_copy.setEnabled(False)
        self.include_sdash = self._option(
            pv,
            self.tr("Include my S-DASH answers"),
            "includeSdash",
            self.tr(
                "Your answers to the stalking screening questions (Pattern › Risk questions), on the "
                "first page. Only if you want the officer to see them."
            ),
        )
        from ...sdash import answer_sets

        self.include_sdash.setEnabled(bool(answer_sets(vault)))
        outer.addWidget(privacy_box)

        # Format ------------------------------------------------------------
        fmt_box = QGroupBox(self.tr("What to make"), page)
        fv = QVBoxLayout(fmt_box)
        self.format_group = QButtonGroup(fmt_box)
        self.format_buttons: dict[str, QRadioButton] = {}
        for i, (fmt, label, _filter, _suffix) in enumerate(FORMATS):
            button = QRadioButton(self.tr(label), fmt_box)
            button.setObjectName(f"format_{fmt}")
            self.format_group.addButton(button, i)
            self.format_buttons[fmt] = button
            fv.addWidget(button)
        self.format_buttons["bundle"].setChecked(True)
        self.portal = self._option(
            fv,
            self.tr("Also make upload batches for a police upload link"),
            "portalBatches",
            self.tr(
                "A new folder beside the bundle, of numbered folders of at most this many files, named "
                "by exhibit reference, with a caption for each, for portals that take a few files at a time."
            ),
        )
        self.statement = self._option(
            fv,
            self.tr("Also write a draft witness statement (.docx)"),
            "statementDraft",
            self.tr(
                "Beside the export: your entries in date order, each exhibit by its reference, to "
                "prepare a statement with your advocate or the officer. It is a draft, never signed."
            ),
        )
        self.batch_size = named(QSpinBox(fmt_box), "batchSize", self.tr("Files in each upload batch"))
        self.batch_size.setRange(1, MAX_BATCH_SIZE)
        self.batch_size.setValue(DEFAULT_BATCH_SIZE)
        self.batch_size.setSuffix(self.tr(" files a batch"))
        self.batch_size.setEnabled(False)
        self.portal.toggled.connect(self.batch_size.setEnabled)
        self.format_buttons["bundle"].toggled.connect(self._bundle_toggled)
        fv.addWidget(self.batch_size, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(fmt_box)

        # Preview and buttons -----------------------------------------------
        preview_row = QHBoxLayout()
        self.preview = wrapped("", page, name="preview")
        self.preview.setFont(scaled(self.preview.font(), 1.1, bold=True))
        self.preview.setAccessibleName(self.tr("What will be exported"))
        self.count_button = QPushButton(self.tr("Count"), page)
        self.count_button.setObjectName("countButton")
        self.count_button.clicked.connect(self.update_preview)
        self.count_button.setVisible(not self.live)
        preview_row.addWidget(self.preview, 1)
        preview_row.addWidget(self.count_button)
        bottom = QVBoxLayout()
        bottom.addLayout(preview_row)

        buttons, self.cancel_button, self.export_button = action_row(
            page,
            (self.tr("Cancel"), "cancelButton", self.reject),
            (self.tr("Export…"), "exportButton", self.start_export),
        )
        bottom.addLayout(buttons)
        self.options_scroll = scrolling_form(page, body, bottom)
        return page

    def _option(self, column: QVBoxLayout, text: str, name: str, hint: str) -> QCheckBox:
        """A tick box with one line under it saying what it does."""
        box = QCheckBox(text, self)
        box.setObjectName(name)
        box.setAccessibleName(text)
        column.addWidget(box)
        column.addWidget(self._hint(hint))
        return box

    def _hint(self, text: str) -> QLabel:
        label = wrapped(text)
        label.setContentsMargins(24, 0, 0, 4)
        label.setFont(scaled(label.font(), 0.92))
        return label

    def _date_edit(self, value: date, name: str, accessible: str) -> QDateEdit:
        day = QDateEdit(QDate(value.year, value.month, value.day), self)
        edit = calendar_picker(day, name, accessible, DAY_FORMAT)
        edit.setEnabled(False)
        return edit

    @staticmethod
    def _date_bounds(vault: Vault) -> tuple[date, date]:
        """The first and last dated incidents, to start the period pickers sensibly."""

        def day(rows: list[Any]) -> date | None:
            for row in rows:
                try:
                    return date.fromisoformat(row.occurred_start[:10])
                except ValueError:
                    continue
            return None

        flt = IncidentFilter()
        first = day(vault.list_incidents(flt, limit=20, oldest_first=True))
        last = day(vault.list_incidents(flt, limit=20))
        today = date.today()
        return first or today, last or today

    def _build_busy(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("busyPage")
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        self.busy_label = wrapped(
            self.tr("Making your export… With many photos or videos this can take a minute."), page
        )
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.busy_label)
        layout.addWidget(busy_bar(page))
        layout.addStretch(1)
        return page

    def _build_done(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("donePage")
        body = QWidget(page)
        layout = QVBoxLayout(body)
        layout.addWidget(heading(self.tr("Your export is ready"), page, 1.4))
        self.done_counts = wrapped("", page, name="doneCounts")
        layout.addWidget(self.done_counts)
        self.done_path = SafeLabel("", page, single_line=True, name="donePath", wrap=True)
        self.done_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.done_path)
        self.done_redactions = wrapped("", page, name="doneRedactions")
        layout.addWidget(self.done_redactions)
        self.done_portal = wrapped("", page, name="donePortal")
        layout.addWidget(self.done_portal)
        self.send_button = QPushButton(self.tr("Send through the police &link…"), page)
        self.send_button.setObjectName("portalSendButton")
        self.send_button.setAccessibleName(self.tr("Send through the police link: the batches, one by one"))
        self.send_button.clicked.connect(self.open_portal_send)
        send_row = QHBoxLayout()
        send_row.addWidget(self.send_button)
        send_row.addStretch(1)
        layout.addLayout(send_row)
        self.done_statement = wrapped("", page, name="doneStatement")
        layout.addWidget(self.done_statement)

        self.key_box = QGroupBox(self.tr("Signing key"), page)
        kv = QVBoxLayout(self.key_box)
        row = QHBoxLayout()
        self.readout = key_readout(self.key_box, "fingerprintReadout", 2.0)
        self.copy_button = QPushButton(self.tr("Copy"), self.key_box)
        self.copy_button.setObjectName("copyFingerprint")
        self.copy_button.clicked.connect(self.copy_fingerprint)
        row.addWidget(self.readout, 1)
        row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignVCenter)
        kv.addLayout(row)
        kv.addWidget(
            wrapped(
                self.tr(
                    "Read these characters to the officer by phone: they prove the bundle came from "
                    "your diary and that nothing in it was changed afterwards."
                ),
                self.key_box,
            )
        )
        self.full_fingerprint = wrapped("", self.key_box, name="fullFingerprint")
        self.full_fingerprint.setFont(scaled(self.full_fingerprint.font(), 0.9))
        self.full_fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        kv.addWidget(self.full_fingerprint)
        layout.addWidget(self.key_box)
        self.unsigned_note = wrapped(
            self.tr(
                "This file is not signed. For evidence the officer can check, export the "
                "evidence bundle (.zip)."
            ),
            page,
            name="unsignedNote",
        )
        layout.addWidget(self.unsigned_note)
        steps_title = wrapped(self.tr("What to do next"), page)
        steps_title.setFont(scaled(steps_title.font(), 1.1, bold=True))
        layout.addSpacing(8)
        layout.addWidget(steps_title)
        self.next_steps = wrapped("", page, name="nextSteps")
        layout.addWidget(self.next_steps)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Done"), page)
        self.close_button.setObjectName("doneButton")
        self.close_button.clicked.connect(self.accept)
        buttons.addWidget(self.close_button)
        self.done_scroll = scrolling_form(page, body, buttons)
        return page

    def _connect_changes(self) -> None:
        self.all_dates.toggled.connect(self._all_dates_toggled)
        self.include_private.toggled.connect(self._private_toggled)
        self.redact_locations.toggled.connect(self._redaction_toggled)
        self.redact_third.toggled.connect(self._redaction_toggled)
        for signal in (
            self.all_dates.toggled,
            self.from_date.dateChanged,
            self.to_date.dateChanged,
            self.person.currentIndexChanged,
            self.include_nameless.toggled,
            self.only_selected.toggled,
            self.initials.textChanged,
            self.include_private.toggled,
            self.redact_locations.toggled,
            self.redact_third.toggled,
            self.include_sdash.toggled,
        ):
            signal.connect(self._options_changed)

    # ------------------------------------------------------------------ options

    @Slot(bool)
    def _all_dates_toggled(self, checked: bool) -> None:
        self.from_date.setEnabled(not checked)
        self.to_date.setEnabled(not checked)

    @Slot(bool)
    def _bundle_toggled(self, bundle: bool) -> None:
        """Upload batches are cut from the signed bundle only."""
        self.portal.setEnabled(bundle)
        if not bundle:
            self.portal.setChecked(False)

    @Slot()
    def _redaction_toggled(self) -> None:
        redacting = self.redact_locations.isChecked() or self.redact_third.isChecked()
        self.unredacted_copy.setEnabled(redacting)
        if not redacting:
            self.unredacted_copy.setChecked(False)

    @Slot(bool)
    def _private_toggled(self, checked: bool) -> None:
        self.private_warning.setVisible(checked)
        if checked:
            fit_to_text(self)
            fit_to_screen(self)

    @Slot()
    def _options_changed(self) -> None:
        if self.live:
            self._preview_timer.start()
        else:
            self.preview.setText(self.tr("Press Count to see how many incidents these choices export."))

    def fmt(self) -> str:
        for fmt, button in self.format_buttons.items():
            if button.isChecked():
                return fmt
        return "bundle"

    def options(self) -> ExportOptions:
        start = end = ""
        if not self.all_dates.isChecked():
            start = _iso_day(self.from_date.date())
            end = _iso_day(self.to_date.date())
        redact = set()
        if self.redact_locations.isChecked():
            redact.add("locations")
        if self.redact_third.isChecked():
            redact.add("third-parties")
        person = self.person.currentData()
        person_id = int(person) if person is not None else None
        ids = self.incident_ids if self.incident_ids and self.only_selected.isChecked() else ()
        if (
            person_id is not None
            and self.include_nameless.isVisibleTo(self)
            and self.include_nameless.isChecked()
        ):
            # Theirs and those naming nobody, chosen by id (the filter takes one person).
            vault = self.session.require()
            theirs = [
                s.id for s in vault.list_incidents(IncidentFilter(start=start, end=end, person_id=person_id))
            ]
            both = set(theirs) | set(self.nameless_ids(start, end))
            chosen = tuple(sorted(both & set(ids) if ids else both))
            if chosen:
                ids, person_id = chosen, None
        return ExportOptions(
            start=start,
            end=end,
            person_id=person_id,
            incident_ids=ids,
            include_private=self.include_private.isChecked(),
            include_sdash=self.include_sdash.isChecked(),
            redact=frozenset(redact),
            initials=self.initials.text().strip(),
        )

    def nameless_ids(self, start: str, end: str) -> tuple[int, ...]:
        """The entries in the period that name nobody (kept for the same period)."""
        if self._nameless is None or self._nameless[0] != (start, end):
            vault = self.session.require()
            rows = [r.id for r in vault.list_incidents(IncidentFilter(start=start, end=end), limit=None)]
            found = tuple(v.incident_id for v in vault.get_incidents(rows) if not v.data.people)
            self._nameless = ((start, end), found)
        return self._nameless[1]

    def _offer_nameless(self) -> None:
        """Under "Involving:": "4 entries in this period name nobody. Include them too"."""
        if self.person.currentData() is None:
            self.include_nameless.hide()
            return
        start = end = ""
        if not self.all_dates.isChecked():
            start, end = _iso_day(self.from_date.date()), _iso_day(self.to_date.date())
        n = len(self.nameless_ids(start, end))
        self.include_nameless.setText(
            self.tr("{n} in this period name nobody. Include them too").format(
                n=plural(n, "entry", "entries")
            )
        )
        self.include_nameless.setAccessibleName(self.include_nameless.text())
        self.include_nameless.setVisible(n > 0)

    @Slot()
    def update_preview(self) -> None:
        """Count what these choices export (build_case reads but never writes)."""
        self._preview_timer.stop()
        try:
            self._offer_nameless()
            vault = self.session.require()
            options = self.options()
            case = build_case(
                vault,
                options,
                exported_at=datetime.now().astimezone().isoformat(timespec="seconds"),
                assign_references=False,  # a count: references are given by the export itself
            )
        except VictimLogError as exc:
            self.preview.setText(exc.message)
            self.export_button.setEnabled(False)
            return
        except Exception as exc:  # noqa: BLE001 - a preview must never take the dialog down
            from ...logs import log_unexpected

            log_unexpected(exc)
            self.preview.setText(self.tr("The count is not available just now."))
            return
        start = options.start or case.first_incident
        end = options.end or case.last_incident
        parts = [plural(len(case.incidents), "incident"), plural(len(case.exhibits), "exhibit")]
        if start and end:
            parts.append(f"{day_text(start)} to {day_text(end)}")
        self.preview.setText(", ".join(parts))
        self.export_button.setEnabled(bool(case.incidents))
        if not case.incidents:
            self.preview.setText(self.tr("No incidents match these choices."))

    # ------------------------------------------------------------------ exporting

    def suggested_name(self, fmt: str) -> str:
        suffix = dict((f, s) for f, _l, _flt, s in FORMATS)[fmt]
        return f"incident-log-{date.today().isoformat()}.{suffix}"

    @Slot()
    def start_export(self) -> None:
        if self._task is not None:
            return
        fmt = self.fmt()
        try:
            options = self.options()
            vault = self.session.require()
            if not references.clean_initials(options.initials) and not references.vault_initials(vault):
                # Never invent letters: exhibit references are given once and kept.
                self.initials.setFocus()
                raise BadInput(
                    self.tr(
                        "Please type your initials first. Exhibits are numbered with them, "
                        "as in a witness statement (SM/1, SM/2 …), and each keeps its number "
                        "in every later export."
                    )
                )
            references.remember_initials(vault, options.initials)
        except VictimLogError as exc:
            dialogs.show_error(self, exc)
            return
        out = self._ask_path(fmt, self.tr("Save the export as"), self.suggested_name(fmt))
        if out is None:
            return
        full: Path | None = None
        if options.redact and self.unredacted_copy.isChecked():
            full = self._ask_path(fmt, self.tr("Save the full copy (nothing hidden) as"), f"{out.stem}-full")
            if full is None:
                return
            if full.resolve() == out.resolve():
                same = self.tr("Choose another name for the full copy: it would replace the export.")
                dialogs.show_error(self, BadInput(same))
                return
        self.full_copy = full
        portal = None
        if fmt == "bundle" and self.portal.isChecked():
            portal = PortalRequest(
                out.with_name(f"{out.stem}-upload-batches"), batch_size=self.batch_size.value()
            )
        statement = out.with_name(f"{out.stem}-statement-draft.docx") if self.statement.isChecked() else None
        self.statement_path = statement
        self.pages.setCurrentWidget(self.busy_page)
        self._task = start_task(
            lambda: export_remembering(vault, out, options, fmt, full, portal, statement), self._export_done
        )

    def _ask_path(self, fmt: str, title: str, suggested: str) -> Path | None:
        """Where to save (the format's suffix added when the person typed none)."""
        _f, _label, name_filter, suffix = next(x for x in FORMATS if x[0] == fmt)
        if not suggested.endswith("." + suffix):
            suggested += "." + suffix
        chosen = savepath.choose_save_path(self, title, suggested, name_filters=[name_filter], suffix=suffix)
        if chosen is not None and not chosen.suffix:
            chosen = chosen.with_suffix("." + suffix)
        return chosen

    @Slot(object, object)
    def _export_done(self, result: object, error: object) -> None:
        self._task = None
        if error is not None:
            self.pages.setCurrentWidget(self.options_page)
            dialogs.show_error(self, error if isinstance(error, BaseException) else BadInput(str(error)))
            self.failed.emit(error)
            return
        assert isinstance(result, ExportResult)
        self.result_value = result
        folder = self.portal_folder()
        if folder is not None:  # the Tools entry opens these batches next time
            from ...portal_sends import remember_folder

            with contextlib.suppress(VictimLogError):  # a convenience only: a folder can be chosen
                remember_folder(self.session.require(), folder)
        self.show_result(result)
        self.exported.emit(result)

    def show_result(self, result: ExportResult) -> None:
        what = {
            "bundle": self.tr("evidence bundle"),
            "pdf": "PDF",
            "csv": self.tr("spreadsheet"),
            "json": self.tr("JSON file"),
        }.get(result.format, result.format)
        self.done_counts.setText(
            self.tr("{incidents} and {exhibits} in the {what}, saved as:").format(
                incidents=plural(result.incidents, "incident"),
                exhibits=plural(result.exhibits, "exhibit"),
                what=what,
            )
        )
        self.done_path.setText(str(result.path))
        if result.redactions:
            hidden = self.tr("Hidden in this copy: ") + " ".join(display_safe(r) for r in result.redactions)
            if self.full_copy is not None:
                hidden += "\n" + self.tr(
                    "The full copy it names, with nothing hidden, is saved as {name}. Keep it yourself; "
                    "give it only if the police or the court ask for it."
                ).format(name=display_safe(self.full_copy.name, single_line=True))
            self.done_redactions.setText(hidden)
        self.done_redactions.setVisible(bool(result.redactions))
        self.done_portal.setText(self._portal_text(result.portal))
        self.done_portal.setVisible(result.portal is not None)
        self.send_button.setVisible(result.portal is not None)
        if self.statement_path is not None:
            self.done_statement.setText(
                self.tr(
                    "A DRAFT witness statement is beside it: {name}. Check every word with your "
                    "advocate or the officer before you use it."
                ).format(name=display_safe(self.statement_path.name, single_line=True))
            )
        self.done_statement.setVisible(self.statement_path is not None)
        signed = result.format == "bundle"
        self.key_box.setVisible(signed)
        self.unsigned_note.setVisible(not signed)
        steps = [
            self.tr("Give the file to the officer in the way they ask: an upload link, email or a USB stick.")
        ]
        if result.portal is not None:
            steps.append(
                self.tr(
                    "For an upload link: press 'Send through the police link…' above, send the "
                    "batches one at a time and tick each one as it goes."
                )
            )
        if signed:
            steps.append(self.tr("Phone them and read out the signing key above, so they can check it."))
        steps += [
            self.tr("Keep your own copy somewhere safe: you may be asked for it again."),
            self.tr("Delete copies you no longer need from shared computers and downloads folders."),
        ]
        self.next_steps.setText("\n".join(f"{n}. {step}" for n, step in enumerate(steps, 1)))
        self.readout.setText(result.short_fingerprint)
        self.full_fingerprint.setText(self.tr("In full: {fp}").format(fp=result.fingerprint))
        self.pages.setCurrentWidget(self.done_page)
        fit_to_text(self)
        fit_to_screen(self)
        self.close_button.setFocus()

    def _portal_text(self, portal: dict[str, object] | None) -> str:
        """Where the upload batches are, and what to do with a file too large for them."""
        if portal is None:
            return ""
        batches = portal.get("batches")
        too_large = portal.get("too_large")
        n = len(batches) if isinstance(batches, list) else 0
        lines = [
            self.tr(
                "Upload batches: {n} of at most {size} files in {folder}. README.txt there says how "
                "to send them; captions.txt in each folder has a caption for each file."
            ).format(
                n=plural(n, "folder"),
                size=portal.get("batch_size"),
                folder=display_safe(Path(str(portal.get("folder"))).name, single_line=True),
            )
        ]
        for item in too_large if isinstance(too_large, list) else []:
            name = item.get("name", "") if isinstance(item, dict) else ""
            lines.append(
                self.tr("Too large for the upload link: {name}. {advice}").format(
                    name=display_safe(str(name), single_line=True), advice=portal.get("too_large_advice", "")
                )
            )
        return "\n".join(lines)

    def portal_folder(self) -> Path | None:
        """Where the last export's upload batches are (None without batches)."""
        portal = self.result_value.portal if self.result_value is not None else None
        return Path(str(portal["folder"])) if portal is not None else None

    @Slot()
    def open_portal_send(self) -> None:
        """The batches just made, one at a time, with a tick for each (#21)."""
        from .portal_send import open_portal_send

        folder = self.portal_folder()
        if folder is not None:
            open_portal_send(self.session, self, folder)

    @Slot()
    def copy_fingerprint(self) -> None:
        if self.result_value is not None:
            self.session.copy_to_clipboard(self.result_value.short_fingerprint)
            self.copy_button.setText(self.tr("Copied"))

    @property
    def busy(self) -> bool:
        return self._task is not None

    def reject(self) -> None:
        # Closing while the export runs would leave the person unsure whether it
        # happened; the lock closes us with QDialog.done, which still works.
        if self.busy:
            return
        super().reject()


def open_export_dialog(
    session: Session, parent: QWidget | None = None, incident_ids: list[int] | None = None
) -> None:
    """Show the export dialog (modal); ``incident_ids`` offers "only the selected"."""
    dialogs.open_modal(lambda: ExportDialog(session, parent, incident_ids), parent)
