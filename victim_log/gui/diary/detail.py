"""The detail pane: everything about one incident, its evidence and its history.

Evidence is only ever viewed from memory: ``vault.evidence.read_bytes`` returns the
verified original, Qt decodes it from a buffer, and thumbnails live in a dict that
``wipe()`` empties on lock. Nothing is written to disk except where the person asks
for a copy ("Save a copy…"), through Qt's own file dialog with its history cleared
(see :mod:`victim_log.gui.widgets.privacy`). The viewer, the thumbnail cache and
saving a copy are in :mod:`.evidence`.

Everything shown here may have come from an imported file or from another person
(names, file names, messages), so all of it passes through ``display_safe`` and is
shown as plain text, never as rich text.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtCore import QLocale
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtCore import Signal
from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QGridLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QScrollArea
from PySide6.QtWidgets import QSizePolicy
from PySide6.QtWidgets import QStyle
from PySide6.QtWidgets import QTreeWidget
from PySide6.QtWidgets import QTreeWidgetItem
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ... import mediatype
from ...errors import VictimLogError
from ...fields import changed_names
from ...fields import labels as field_labels
from ...imported import author_label as imported_author_label
from ...imported import is_imported
from ...model import EFFECTS
from ...model import KINDS
from ...model import PERSON_ROLES
from ...model import EvidenceItem
from ...model import IncidentData
from ...model import IncidentVersion
from ...model import Order
from ...references import GONE
from ...references import cite_reason
from ...references import cite_source
from ...references import in_app_names
from ...support import worker_of
from ...textsafe import display_safe
from ..shell.session import Session
from ..widgets import dialogs
from ..widgets import icons
from ..widgets.common import file_icon_list
from ..widgets.common import line_height
from ..widgets.common import resize_on_screen
from ..widgets.common import scaled as scaled_font  # one rule for relative font sizes
from ..widgets.common import scroll_area
from ..widgets.common import size_text
from ..widgets.i18n import translator
from ..widgets.safelabel import SafeLabel
from .evidence import ThumbnailCache
from .evidence import open_evidence
from .evidence import save_evidence_copy

if TYPE_CHECKING:
    from ...vault import Vault

THUMBNAIL_MAX_BYTES = 40 * 1024 * 1024  # larger images get a plain icon, not a thumbnail

_tr = translator("Detail")


# --------------------------------------------------------------------------- formatting


def _parse(value: str) -> datetime | None:
    """A stored time on the case's clock (:mod:`victim_log.casetime`), or None."""
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return casetime.in_zone(dt) if dt.tzinfo is not None else dt


def _clock(dt: datetime) -> str:
    """'21:40 BST': the time and which clock (#16.4)."""
    return casetime.clock_text(dt, dt.tzinfo) if dt.tzinfo is not None else dt.strftime("%H:%M")


def _day(dt: datetime, fmt: str) -> str:
    return QLocale().toString(QDate(dt.year, dt.month, dt.day), fmt)


def format_stamp(value: str) -> str:
    """A recorded-at stamp on the case's clock, naming it: 'Wed 3 Jun 2026 21:40 BST'."""
    dt = _parse(value)
    if dt is None:
        return display_safe(value, single_line=True)
    return _day(dt, "ddd d MMM yyyy") + " " + _clock(dt)


def format_when(data: IncidentData) -> str:
    """When it happened, in words, honest about how sure the time is, on the case's
    clock and naming it (a day without a time keeps the day it was given)."""
    timed = data.precision in ("exact", "approximate")
    start = _parse(data.occurred_start) if data.occurred_start else None
    if start is None:
        return _tr("Date not known")
    if not timed:
        start = datetime.fromisoformat(data.occurred_start)
    day = _day(start, "dddd d MMMM yyyy")
    if not timed:
        text = day + " " + _tr("(time not known)")
    elif data.precision == "approximate":
        text = day + ", " + _tr("about %1").replace("%1", _clock(start))
    else:
        text = day + ", " + _clock(start)
    end = _parse(data.occurred_end) if data.occurred_end else None
    if end is not None and not timed:
        end = datetime.fromisoformat(data.occurred_end)
        if end.date() != start.date():
            text += " " + _tr("until %1").replace("%1", _day(end, "dddd d MMMM yyyy"))
    elif end is not None:
        if end.date() == start.date():
            text += " " + _tr("until %1").replace("%1", _clock(end))
        else:
            text += " " + _tr("until %1").replace("%1", format_stamp(data.occurred_end))
    if data.source_time:
        source_time = display_safe(data.source_time, single_line=True)
        text += "\n" + _tr("In the source: %1").replace("%1", source_time)
    return text


def dated_after_recording(data: IncidentData, first_recorded_at: str) -> bool:
    """Whether the entry says it happened after it was written down (a typing error in
    the date, most likely), by the export's own rule."""
    from ...export.case import AFTER_RECORDING

    start, recorded = _parse(data.occurred_start), _parse(first_recorded_at)
    if start is None or recorded is None or start.tzinfo is None or recorded.tzinfo is None:
        return False
    if data.precision in ("exact", "approximate"):
        return start > recorded + AFTER_RECORDING
    return datetime.fromisoformat(data.occurred_start).date() > recorded.date()


def changed_fields(old: IncidentVersion | None, new: IncidentVersion) -> list[str]:
    """The names of what a version changed, for the history list."""
    if new.deleted and (old is None or not old.deleted):
        return [_tr("deleted")]
    if old is None:
        return []
    # Every field, with the labels victim_log.fields declares (one per shown row).
    out = [_tr(label).lower() for label in field_labels(changed_names(old.data, new.data))]
    if old.evidence != new.evidence:
        out.append(_tr("evidence"))
    return out


# --------------------------------------------------------------------------- fields


def _value_label(text: str, parent: QWidget) -> QLabel:
    label = SafeLabel(text, parent, wrap=True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)  # a new policy drops the flag setWordWrap() set
    label.setSizePolicy(policy)
    return label


class IncidentFields(QWidget):
    """One version of an incident, as labelled plain text (only the fields that are set)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # A grid, not a QFormLayout: wrapped labels in a form get a line of empty
        # space under them; a grid asks them their height for the real width.
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.grid.setHorizontalSpacing(line_height(self))
        self.grid.setVerticalSpacing(max(4, line_height(self) // 3))
        # Rows are reused from one entry to the next (hidden when not needed): making
        # a dozen labels for every entry shown was most of the time to show one.
        self._pool: list[tuple[QLabel, QLabel]] = []
        self._shown = 0

    def clear(self) -> None:
        """Empty every row (the text goes, not just the widget: this runs on lock).
        Rows past those shown are always empty and hidden already."""
        self._show_rows([])

    def rows(self) -> dict[str, str]:
        """Label -> text of what is shown (for tests and for copying)."""
        return {name.text(): value.text() for name, value in self._pool[: self._shown]}

    def _show_rows(self, rows: list[tuple[str, str]]) -> None:
        """Show ``rows`` (label, text) in order, reusing the rows already shown: a row
        is shown or hidden only when the number of rows changes, since each show and
        hide relays the pane out and goes through the app's event filters (it was
        most of the time to show the next entry while typing a search)."""
        for i, (label, text) in enumerate(rows):
            if i == len(self._pool):
                name = QLabel(self)
                name.setTextFormat(Qt.TextFormat.PlainText)
                name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                value = _value_label("", self)
                self.grid.addWidget(name, i, 0, Qt.AlignmentFlag.AlignTop)
                self.grid.addWidget(value, i, 1)
                self._pool.append((name, value))
            name, value = self._pool[i]
            name.setText(label)
            value.setText(text)
            if i >= self._shown:
                name.show()
                value.show()
        for name, value in self._pool[len(rows) : self._shown]:
            name.clear()
            value.clear()
            name.hide()
            value.hide()
        self._shown = len(rows)

    def show_version(
        self,
        data: IncidentData,
        people: dict[int, tuple[str, str]],
        orders: dict[int, Order],
        *,
        with_kinds: bool = True,
    ) -> None:
        rows: list[tuple[str, str]] = []

        def add(label: str, text: str) -> None:
            if text.strip():
                rows.append((label, text))

        add(self.tr("When"), format_when(data))
        if with_kinds:
            add(self.tr("Kind"), ", ".join(self.tr(KINDS.get(k, k)) for k in data.kinds))
        add(self.tr("Where"), data.location)
        add(self.tr("What happened"), data.details)
        names = []
        for pid in data.people:
            name, role = people.get(pid, (self.tr("Person %1").replace("%1", str(pid)), ""))
            role_label = PERSON_ROLES.get(role, "")
            names.append(f"{name} ({self.tr(role_label).lower()})" if role_label else name)
        add(self.tr("People"), "\n".join(names))
        add(self.tr("Witnesses"), data.witnesses)
        effects = [self.tr(EFFECTS.get(e, e)) for e in data.effects]
        if data.effect_text.strip():
            effects.append(data.effect_text)
        add(self.tr("Effect on me"), "\n".join(effects))
        add(self.tr("What I did"), data.actions)
        police = data.police
        if not police.is_empty():
            parts = []
            if police.reference:
                parts.append(self.tr("Reference %1").replace("%1", police.reference))
            officer = police.officer
            if police.collar_number:
                officer = (officer + " " if officer else "") + self.tr("(collar number %1)").replace(
                    "%1", police.collar_number
                )
            if officer:
                parts.append(officer)
            if police.reported_on:
                parts.append(self.tr("reported on %1").replace("%1", police.reported_on))
            add(self.tr("Police"), ", ".join(parts))
        if data.order_id is not None or data.order_condition:
            order = orders.get(data.order_id) if data.order_id is not None else None
            what = order.data.order_type if order else self.tr("An order")
            if order and order.data.reference:
                what += f" ({order.data.reference})"
            if data.order_condition:
                what += "\n" + self.tr("Condition: %1").replace("%1", data.order_condition)
            add(self.tr("Order breached"), what)
        from ... import casetime
        from ...breaches import check_breach  # judged on the breach's own date (#16.3)
        from .orders import check_text

        in_force = check_breach(data, orders, zone=casetime.active_zone())
        if in_force is not None:
            add(self.tr("Order in force?"), check_text(in_force))
        add(self.tr("Private note"), data.private_note)
        if data.author and data.author != "victim":
            add(self.tr("Entered by"), entered_by(data.author))
        add(self.tr("Source"), data.source)
        self._show_rows(rows)


def entered_by(author: str) -> str:
    """Who entered a version, in words: the support worker (``NAME (ORG)``) during a
    support session, what an imported record is (#16.5: not typed by the victim), or ""
    for the victim's own words. The entry's fields and its history say the same (#18)."""
    if not author or author == "victim":
        return ""
    return display_safe(imported_author_label(author) or worker_of(author) or author, single_line=True)


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(scaled_font(parent.font(), 1.1, bold=True))
    return label


class VersionDialog(QDialog):
    """An earlier version of an incident, exactly as it was recorded."""

    def __init__(
        self,
        version: IncidentVersion,
        total: int,
        people: dict[int, tuple[str, str]],
        orders: dict[int, Order],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("versionDialog")
        self.setWindowTitle(
            self.tr("Version %1 of %2").replace("%1", str(version.version)).replace("%2", str(total))
        )
        self.setAccessibleName(self.windowTitle())
        head = QLabel(
            self.tr("Recorded %1. Reason: %2")
            .replace("%1", format_stamp(version.recorded_at))
            .replace("%2", display_safe(version.reason, single_line=True)),
            self,
        )
        head.setWordWrap(True)
        head.setTextFormat(Qt.TextFormat.PlainText)
        title = SafeLabel(version.data.summary, self)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        title.setFont(scaled_font(self.font(), 1.2, bold=True))
        self.fields = IncidentFields(self)
        self.fields.show_version(version.data, people, orders)
        body = QWidget(self)
        inner = QVBoxLayout(body)
        inner.addWidget(title)
        inner.addWidget(head)
        inner.addWidget(self.fields)
        inner.addStretch(1)
        scroll = scroll_area(self, body, self.tr("This version"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        lh = line_height(self)
        resize_on_screen(self, lh * 40, lh * 30)


# --------------------------------------------------------------------------- the pane


class DetailPane(QWidget):
    """Shows the selected incident; asks the diary view to edit, delete or attach."""

    edit_requested = Signal(int)
    delete_requested = Signal(int)
    attach_requested = Signal(int)
    remove_evidence_requested = Signal(int, int)  # incident id, evidence id
    thumbnails_done = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.session = session
        self.incident_id: int | None = None
        self.version: IncidentVersion | None = None
        self.history: list[IncidentVersion] = []
        self.evidence: list[EvidenceItem] = []
        self._people: dict[int, tuple[str, str]] = {}
        self._orders: dict[int, Order] = {}
        self._names: dict[int, str] = {}  # files by exhibit reference (or name), never by id
        self.thumbnails = ThumbnailCache()
        self._thumb_queue: list[tuple[int, QListWidgetItem]] = []
        self._thumb_timer = QTimer(self)
        self._thumb_timer.setInterval(0)
        self._thumb_timer.timeout.connect(self._next_thumbnail)

        self.placeholder = QLabel(
            self.tr("Choose an entry in the timeline to see everything about it here."), self
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("detailPlaceholder")

        self.body = QWidget(self)
        self.title = SafeLabel("", self.body, name="detailTitle", wrap=True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setFont(scaled_font(self.font(), 1.35, bold=True))
        self.recorded = QLabel(self.body)
        self.recorded.setObjectName("detailRecorded")
        self.recorded.setTextFormat(Qt.TextFormat.PlainText)
        self.recorded.setWordWrap(True)
        self.kinds_row = QHBoxLayout()
        self.flags = QLabel(self.body)
        self.flags.setObjectName("detailFlags")
        self.flags.setTextFormat(Qt.TextFormat.PlainText)
        self.flags.setWordWrap(True)
        self.later_note = QLabel(
            self.tr("Marked \u201ccomplete later\u201d: use Edit to add the details when you can."), self.body
        )
        self.later_note.setWordWrap(True)
        self.later_note.setFrameShape(QFrame.Shape.StyledPanel)
        self.later_note.setObjectName("completeLaterNote")

        self.edit_button = QPushButton(self.tr("&Edit\u2026"), self.body)
        self.edit_button.setObjectName("editButton")
        self.edit_button.setAccessibleName(self.tr("Edit this entry"))
        self.edit_button.clicked.connect(lambda: self._request(self.edit_requested))
        self.attach_button = QPushButton(self.tr("&Attach files\u2026"), self.body)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setAccessibleName(self.tr("Attach files to this entry"))
        self.attach_button.clicked.connect(lambda: self._request(self.attach_requested))
        self.delete_button = QPushButton(self.tr("&Delete\u2026"), self.body)
        self.delete_button.setObjectName("deleteButton")
        self.delete_button.setAccessibleName(self.tr("Delete this entry"))
        self.delete_button.clicked.connect(lambda: self._request(self.delete_requested))
        actions = QHBoxLayout()
        for b in (self.edit_button, self.attach_button, self.delete_button):
            actions.addWidget(b)
        actions.addStretch(1)

        self.fields = IncidentFields(self.body)

        self.evidence_heading = _heading(self.tr("Evidence"), self.body)
        self.evidence_list = file_icon_list(
            self.body, "evidenceList", self.tr("Evidence files of this entry")
        )
        self.evidence_list.itemActivated.connect(lambda _i: self.view_evidence())
        self.evidence_list.currentRowChanged.connect(self._evidence_selected)
        self.view_button = QPushButton(self.tr("View"), self.body)  # Alt+V is "Evidence files…"
        self.view_button.setObjectName("viewEvidence")
        self.view_button.setAccessibleName(self.tr("View the chosen file"))
        self.view_button.clicked.connect(self.view_evidence)
        self.save_button = QPushButton(self.tr("&Save a copy\u2026"), self.body)
        self.save_button.setObjectName("saveEvidence")
        self.save_button.setAccessibleName(self.tr("Save a copy of the chosen file"))
        self.save_button.clicked.connect(self.save_evidence)
        self.remove_evidence_button = QPushButton(self.tr("&Remove file\u2026"), self.body)
        self.remove_evidence_button.setObjectName("removeEvidence")
        self.remove_evidence_button.setAccessibleName(self.tr("Remove file: the chosen file"))
        self.remove_evidence_button.clicked.connect(self._request_removal)
        ev_buttons = QHBoxLayout()
        ev_buttons.addWidget(self.view_button)
        ev_buttons.addWidget(self.save_button)
        ev_buttons.addWidget(self.remove_evidence_button)
        ev_buttons.addStretch(1)

        self.history_heading = _heading(self.tr("History"), self.body)
        self.history_list = QTreeWidget(self.body)
        self.history_list.setObjectName("historyList")
        self.history_list.setAccessibleName(self.tr("Versions of this entry"))
        self.history_list.setRootIsDecorated(False)
        self.history_list.setHeaderLabels(
            [self.tr("Version"), self.tr("Recorded"), self.tr("Reason"), self.tr("Changed"), self.tr("By")]
        )
        self.history_list.itemActivated.connect(self._show_version)

        body = QVBoxLayout(self.body)
        body.addWidget(self.title)
        body.addWidget(self.recorded)
        body.addLayout(self.kinds_row)
        body.addWidget(self.flags)
        body.addWidget(self.later_note)
        body.addLayout(actions)
        body.addWidget(self.fields)
        body.addWidget(self.evidence_heading)
        body.addWidget(self.evidence_list)
        body.addLayout(ev_buttons)
        body.addWidget(self.history_heading)
        body.addWidget(self.history_list)
        body.addStretch(1)

        self.scroll_area = QScrollArea(self)
        self.scroll_area.setObjectName("detailScroll")
        self.scroll_area.setAccessibleName(self.tr("The chosen entry"))
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder, 1)
        layout.addWidget(self.scroll_area, 1)
        self.scroll_area.setVisible(False)

    # ------------------------------------------------------------------ showing

    @property
    def thumb_side(self) -> int:
        return line_height(self) * 6

    def _open_vault(self) -> Vault | None:
        """The open vault, or None after clearing the pane (it was locked meanwhile)."""
        vault = self.session.vault
        if vault is None or not vault.is_open:
            self.clear()
            return None
        return vault

    def show_incident(self, incident_id: int | None) -> None:
        """Show ``incident_id`` (None clears). Errors leave the pane empty, calmly."""
        if incident_id is None:
            self.clear()
            return
        vault = self._open_vault()
        if vault is None:
            return
        try:
            history = vault.incident_history(incident_id)
            current = history[-1]
            evidence = [vault.evidence.get(e) for e in current.evidence]
            people: dict[int, tuple[str, str]] = {}
            for version in history:
                for pid in version.data.people:
                    if pid not in people:
                        person = vault.get_person(pid)
                        people[pid] = (display_safe(person.data.name, single_line=True), person.data.role)
            orders = {o.id: o for o in vault.list_orders()}
            names = in_app_names(vault, history)
        except VictimLogError as exc:
            self.clear()
            dialogs.show_error(self, exc)
            return
        self.incident_id = incident_id
        self.version = current
        self.history = history
        self.evidence = evidence
        self._people = people
        self._orders = orders
        self._names = names
        self._fill()

    def refresh(self) -> None:
        """Re-read the shown incident (after an edit); clear if it is gone."""
        if self.incident_id is None:
            return
        vault = self._open_vault()
        if vault is None:
            return
        try:
            deleted = vault.get_incident(self.incident_id).deleted
        except VictimLogError:
            deleted = True
        if deleted:
            self.clear()
        else:
            self.show_incident(self.incident_id)

    def _fill(self) -> None:
        v = self.version
        assert v is not None
        data = v.data
        self.placeholder.setVisible(False)
        self.scroll_area.setVisible(True)
        self.title.setText(data.summary)
        self.title.setAccessibleName(self.tr("Summary"))
        recorded = self.tr("Recorded %1").replace("%1", format_stamp(v.first_recorded_at))
        if is_imported(data.author, data.source):  # a record from an export, not your account
            recorded = self.tr("Imported record, added to your diary %1").replace(
                "%1", format_stamp(v.first_recorded_at)
            )
        if v.version > 1:
            recorded += " \u00b7 " + self.tr("version %1, last changed %2").replace(
                "%1", str(v.version)
            ).replace("%2", format_stamp(v.recorded_at))
        if v.deleted:
            recorded += " \u00b7 " + self.tr("deleted")
        if dated_after_recording(data, v.first_recorded_at):  # the export flags it too (#16.4)
            recorded += " \u00b7 " + self.tr("dated after it was recorded: please check the date")
        self.recorded.setText(recorded)
        self._fill_kinds(data.kinds)
        flags = []
        if not data.police.is_empty():
            flags.append(self.tr("Reported to police"))
        if "order_breach" not in data.kinds and data.order_id is not None:
            flags.append(self.tr("Breach of an order"))
        self.flags.setText(" \u00b7 ".join(flags))
        self.flags.setVisible(bool(flags))
        self.later_note.setVisible(data.complete_later)
        editable = not v.deleted
        for b in (self.edit_button, self.attach_button, self.delete_button):
            b.setEnabled(editable)
        source = cite_source(data.source, self._names, GONE)  # "SM/4, line 10"
        self.fields.show_version(replace(data, source=source), self._people, self._orders, with_kinds=False)
        self._fill_evidence()
        self._fill_history()

    def _fill_kinds(self, kinds: tuple[str, ...]) -> None:
        while self.kinds_row.count():
            item = self.kinds_row.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        side = line_height(self) + 4
        for kind in kinds:
            badge = QLabel(self.body)
            badge.setPixmap(icons.kind_icon(kind).pixmap(QSize(side, side)))
            badge.setAccessibleName(self.tr(KINDS.get(kind, kind)))
            label = QLabel(self.tr(KINDS.get(kind, kind)), self.body)
            label.setWordWrap(True)
            self.kinds_row.addWidget(badge)
            self.kinds_row.addWidget(label)
            self.kinds_row.addSpacing(side // 2)
        self.kinds_row.addStretch(1)

    def _fill_evidence(self) -> None:
        self._thumb_queue.clear()
        self.evidence_list.clear()
        side = self.thumb_side
        self.evidence_list.setIconSize(QSize(side, side))
        lh = line_height(self)
        self.evidence_list.setGridSize(QSize(side + lh * 3, side + lh * 3))
        n = len(self.evidence)
        self.evidence_heading.setText(
            self.tr("Evidence (%1)").replace("%1", str(n)) if n else self.tr("Evidence")
        )
        file_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for ev in self.evidence:
            name = display_safe(ev.filename, single_line=True)
            if self._names.get(ev.id, name) != name:  # its exhibit reference, once exported
                name = f"{self._names[ev.id]} {name}"
            if ev.erased:
                name = self.tr("%1 (erased)").replace("%1", name)
            elif ev.removed:
                name = self.tr("%1 (removed)").replace("%1", name)
            item = QListWidgetItem(file_icon, name)
            item.setData(Qt.ItemDataRole.UserRole, ev.id)
            item.setToolTip(
                "\n".join(
                    [
                        name,
                        f"{ev.media_type}, {size_text(ev.size)}",
                        self.tr("Added %1").replace("%1", format_stamp(ev.added_at)),
                        "SHA-256 " + ev.sha256,
                    ]
                )
            )
            item.setData(
                Qt.ItemDataRole.AccessibleTextRole,
                self.tr("%1, %2").replace("%1", name).replace("%2", size_text(ev.size)),
            )
            self.evidence_list.addItem(item)
            if mediatype.is_image(ev.media_type) and ev.size <= THUMBNAIL_MAX_BYTES and not ev.erased:
                cached = self.thumbnails.get(ev.id, side)
                if cached is not None:
                    item.setIcon(QIcon(cached))
                elif not self.thumbnails.has(ev.id, side):
                    self._thumb_queue.append((ev.id, item))
        self.evidence_list.setVisible(n > 0)
        self.evidence_list.setFixedHeight(side + lh * 4 if n else 0)
        if n:
            self.evidence_list.setCurrentRow(0)
        self._evidence_selected(self.evidence_list.currentRow())
        if not n:
            self.view_button.setVisible(False)
            self.save_button.setVisible(False)
        if self._thumb_queue:
            self._thumb_timer.start()
        else:
            self.thumbnails_done.emit()

    def _next_thumbnail(self) -> None:
        """One thumbnail per event-loop turn, so choosing an entry never waits for all."""
        if not self._thumb_queue:
            self._thumb_timer.stop()
            self.thumbnails_done.emit()
            return
        evidence_id, item = self._thumb_queue.pop(0)
        vault = self.session.vault
        if vault is None or not vault.is_open:
            self._thumb_queue.clear()
            return
        pixmap = self.thumbnails.make(
            lambda: vault.evidence.read_bytes(evidence_id), evidence_id, self.thumb_side
        )
        if pixmap is not None:
            item.setIcon(QIcon(pixmap))

    def pending_thumbnails(self) -> int:
        return len(self._thumb_queue)

    def _evidence_selected(self, row: int) -> None:
        ok = 0 <= row < len(self.evidence)
        for button in (self.view_button, self.save_button, self.remove_evidence_button):
            button.setVisible(bool(self.evidence))
        self.view_button.setEnabled(ok and not self.evidence[row].erased)
        self.save_button.setEnabled(ok and not self.evidence[row].erased)
        self.remove_evidence_button.setEnabled(ok and not self.evidence[row].erased)

    def _fill_history(self) -> None:
        self.history_list.clear()
        previous: IncidentVersion | None = None
        items = []
        for version in self.history:
            changes = ", ".join(changed_fields(previous, version))
            item = QTreeWidgetItem(
                [
                    str(version.version),
                    format_stamp(version.recorded_at),
                    display_safe(cite_reason(version.reason, self._names, GONE), single_line=True),
                    changes,
                    entered_by(version.data.author) or self.tr("You"),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, version.version)
            items.append(item)
            previous = version
        self.history_list.addTopLevelItems(list(reversed(items)))
        for col in range(3):
            self.history_list.resizeColumnToContents(col)
        lh = line_height(self)
        self.history_list.setFixedHeight(min(len(items) + 1, 8) * (lh + 6) + lh)
        # An attached file is not a change to the account: counted apart.
        account = sum(
            bool(changed_names(a.data, b.data)) for a, b in zip(self.history, self.history[1:], strict=False)
        )
        files = sum(a.evidence != b.evidence for a, b in zip(self.history, self.history[1:], strict=False))
        self.history_heading.setText(
            self.tr("History (%1 versions; changes to the account: %2; files attached or taken off: %3)")
            .replace("%1", str(len(items)))
            .replace("%2", str(account))
            .replace("%3", str(files))
            if len(items) > 1
            else self.tr("History")
        )

    # ------------------------------------------------------------------ actions

    def _request(self, signal: SignalInstance) -> None:
        if self.incident_id is not None:
            signal.emit(self.incident_id)

    def current_evidence(self) -> EvidenceItem | None:
        row = self.evidence_list.currentRow()
        return self.evidence[row] if 0 <= row < len(self.evidence) else None

    def view_evidence(self) -> None:
        item = self.current_evidence()
        if item is not None and not item.erased:
            open_evidence(self, self.session, item)

    def save_evidence(self) -> None:
        item = self.current_evidence()
        if item is not None and not item.erased:
            save_evidence_copy(self, self.session, item)

    def _request_removal(self) -> None:
        item = self.current_evidence()
        if item is not None and not item.erased and self.incident_id is not None:
            self.remove_evidence_requested.emit(self.incident_id, item.id)

    def _show_version(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        number = item.data(0, Qt.ItemDataRole.UserRole)
        version = next((v for v in self.history if v.version == number), None)
        if version is None:
            return
        dialog = VersionDialog(version, len(self.history), self._people, self._orders, self)
        try:
            dialogs.exec_dialog(dialog)
        finally:
            dialog.fields.clear()
            dialog.deleteLater()

    # ------------------------------------------------------------------ forgetting

    def clear(self) -> None:
        self._thumb_timer.stop()
        self._thumb_queue.clear()
        self.incident_id = None
        self.version = None
        self.history = []
        self.evidence = []
        self._people = {}
        self._orders = {}
        self.title.clear()
        self.recorded.clear()
        self.flags.clear()
        self._fill_kinds(())
        self.fields.clear()
        self.evidence_list.clear()
        self.history_list.clear()
        self.scroll_area.setVisible(False)
        self.placeholder.setVisible(True)

    def wipe(self) -> None:
        """Lock: forget the incident shown and every thumbnail."""
        self.clear()
        self.thumbnails.clear()
