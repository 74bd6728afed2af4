"""The filter bar above the timeline: search words, date range, kinds, people, flags."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QDateEdit
from PySide6.QtWidgets import QGridLayout
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...model import KINDS
from ...model import SHORT_LABELS
from ...textsafe import display_safe
from ...vault import IncidentFilter
from ..widgets import icons
from ..widgets.common import DAY_FORMAT
from ..widgets.common import calendar_picker
from ..widgets.common import one_shot

SEARCH_DEBOUNCE_MS = 150

_RANGES = ("any", "7", "30", "365", "custom")
# Combo boxes never hold None as data (see the note in TimelineDelegate.paint).
_ANY = "any"
_ANYONE = -1
_TRISTATE: dict[str, bool | None] = {_ANY: None, "yes": True, "no": False}


def _yes_no_combo(parent: QWidget, accessible: str, either: str, yes_no: tuple[str, str]) -> QComboBox:
    """A filter on a yes-or-no fact about an entry (has evidence, reported to police):
    ``either`` way first (no filter), then only yes, only no (see ``_TRISTATE``)."""
    combo = QComboBox(parent)
    combo.setAccessibleName(accessible)
    for label, value in ((either, _ANY), (yes_no[0], "yes"), (yes_no[1], "no")):
        combo.addItem(label, value)
    return combo


class FilterBar(QWidget):
    """Search as you type (debounced) plus date, kind, person and flag filters."""

    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._debounce = one_shot(self, self.filter_changed.emit, SEARCH_DEBOUNCE_MS)

        self.search = QLineEdit(self)
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText(self.tr("Search the diary (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search the diary"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.flush)

        self.more = QPushButton(self.tr("Filters"), self)
        self.more.setObjectName("filtersButton")
        self.more.setCheckable(True)
        self.more.setAccessibleName(self.tr("Show more filters"))
        self.more.toggled.connect(self._show_filters)

        # Every stored file, those no entry cites first (#18): the diary view opens it.
        self.files_button = QPushButton(self.tr("E&vidence files\u2026"), self)
        self.files_button.setObjectName("evidenceFilesButton")
        self.files_button.setAccessibleName(self.tr("Evidence files, those not attached to an entry first"))

        self.count_label = QLabel(self)
        self.count_label.setObjectName("resultCount")
        self.count_label.setAccessibleName(self.tr("Number of entries shown"))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.more)
        top.addWidget(self.files_button)
        top.addWidget(self.count_label)

        self.panel = QWidget(self)
        self.panel.setObjectName("filterPanel")
        self.range = QComboBox(self.panel)
        self.range.setAccessibleName(self.tr("When"))
        for key, label in zip(
            _RANGES,
            (
                self.tr("Any time"),
                self.tr("Last 7 days"),
                self.tr("Last 30 days"),
                self.tr("Last 12 months"),
                self.tr("Between dates\u2026"),
            ),
            strict=True,
        ):
            self.range.addItem(label, key)
        today = QDate.currentDate()
        # Dates with the month's name ("2 Dec 2026"), never "2 12 2026".
        self.date_from = calendar_picker(
            QDateEdit(today.addMonths(-1), self.panel), "filterFrom", self.tr("From date"), DAY_FORMAT
        )
        self.date_to = calendar_picker(
            QDateEdit(today, self.panel), "filterTo", self.tr("To date"), DAY_FORMAT
        )
        self.kind = QComboBox(self.panel)
        self.kind.setAccessibleName(self.tr("Kind of incident"))
        self.kind.addItem(self.tr("Any kind"), "")
        for key in KINDS:
            self.kind.addItem(icons.kind_icon(key), self.tr(SHORT_LABELS[key]), key)
        self.person = QComboBox(self.panel)
        self.person.setAccessibleName(self.tr("Person"))
        self.person.addItem(self.tr("Anyone"), _ANYONE)
        self.evidence = _yes_no_combo(
            self.panel,
            self.tr("Evidence"),
            self.tr("With or without evidence"),
            (self.tr("With evidence"), self.tr("Without evidence")),
        )
        self.police = _yes_no_combo(
            self.panel,
            self.tr("Reported to police"),
            self.tr("Reported or not"),
            (self.tr("Reported to police"), self.tr("Not reported")),
        )
        self.later = QCheckBox(self.tr("Needs completing"), self.panel)
        self.later.setAccessibleName(self.tr("Needs completing: only entries marked complete later"))
        self.clear_button = QPushButton(self.tr("Clear filters"), self.panel)
        self.clear_button.setAccessibleName(self.tr("Clear filters (all of them)"))
        self.clear_button.clicked.connect(self.clear_filters)

        grid = QGridLayout(self.panel)
        grid.setContentsMargins(0, 0, 0, 0)
        for combo in (self.range, self.kind, self.person, self.evidence, self.police):
            # Let the combos shrink with the pane instead of pushing the window wider.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        grid.addWidget(self.range, 0, 0)
        grid.addWidget(self.kind, 0, 1)
        grid.addWidget(self.person, 0, 2)
        grid.addWidget(self.date_from, 1, 0)
        grid.addWidget(self.date_to, 1, 1)
        grid.addWidget(self.evidence, 2, 0)
        grid.addWidget(self.police, 2, 1)
        grid.addWidget(self.later, 2, 2)
        grid.addWidget(self.clear_button, 2, 3)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        self.panel.setVisible(False)
        self.date_from.setVisible(False)
        self.date_to.setVisible(False)

        for combo in (self.range, self.kind, self.person, self.evidence, self.police):
            combo.currentIndexChanged.connect(self._changed_now)
        self.date_from.dateChanged.connect(self._changed_now)
        self.date_to.dateChanged.connect(self._changed_now)
        self.later.toggled.connect(self._changed_now)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.panel)
        self._update_more()

    # ------------------------------------------------------------------ state

    def _show_filters(self, shown: bool) -> None:
        self.panel.setVisible(shown)
        if shown:
            self.range.setFocus()

    def _changed_now(self, *_args: object) -> None:
        custom = self.range.currentData() == "custom"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self._update_more()
        self._debounce.stop()
        self.filter_changed.emit()

    def flush(self) -> None:
        """Apply a pending search now (Enter in the search box)."""
        if self._debounce.isActive():
            self._debounce.stop()
            self.filter_changed.emit()

    @property
    def pending(self) -> bool:
        return self._debounce.isActive()

    def active_filters(self) -> int:
        return sum(
            (
                self.range.currentIndex() > 0,
                self.kind.currentIndex() > 0,
                self.person.currentIndex() > 0,
                self.evidence.currentIndex() > 0,
                self.police.currentIndex() > 0,
                self.later.isChecked(),
            )
        )

    def _update_more(self) -> None:
        n = self.active_filters()
        self.more.setText(self.tr("Filters") if n == 0 else self.tr("Filters (%1)").replace("%1", str(n)))

    def current_filter(self) -> IncidentFilter:
        start = end = ""
        key = self.range.currentData()
        if key in ("7", "30", "365"):
            start = (date.today() - timedelta(days=int(key))).isoformat()
        elif key == "custom":
            start = self.date_from.date().toString(Qt.DateFormat.ISODate)
            end = self.date_to.date().toString(Qt.DateFormat.ISODate)
            if end < start:
                start, end = end, start
        kind = self.kind.currentData()
        person = self.person.currentData()
        return IncidentFilter(
            text=self.search.text().strip(),
            start=start,
            end=end,
            kinds=(kind,) if kind else (),
            person_id=None if person == _ANYONE else person,
            has_evidence=_TRISTATE[self.evidence.currentData()],
            reported=_TRISTATE[self.police.currentData()],
            complete_later=True if self.later.isChecked() else None,
        )

    def is_filtered(self) -> bool:
        return bool(self.search.text().strip()) or self.active_filters() > 0

    def set_people(self, people: list[tuple[int, str]]) -> None:
        """Refill the person list, keeping the chosen person if they are still there."""
        current = self.person.currentData()
        self.person.blockSignals(True)
        self.person.clear()
        self.person.addItem(self.tr("Anyone"), _ANYONE)
        for pid, name in people:
            self.person.addItem(display_safe(name, single_line=True), pid)
        index = self.person.findData(current)
        self.person.setCurrentIndex(max(0, index))
        self.person.blockSignals(False)

    def state(self) -> dict[str, Any]:
        return {
            "text": self.search.text(),
            "range": self.range.currentData(),
            "from": self.date_from.date().toString(Qt.DateFormat.ISODate),
            "to": self.date_to.date().toString(Qt.DateFormat.ISODate),
            "kind": self.kind.currentData(),
            "person": self.person.currentData(),
            "evidence": self.evidence.currentData(),
            "police": self.police.currentData(),
            "later": self.later.isChecked(),
            "open": self.more.isChecked(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Put the controls back as :meth:`state` described them, without emitting."""
        widgets = (
            self.search,
            self.range,
            self.date_from,
            self.date_to,
            self.kind,
            self.person,
            self.evidence,
            self.police,
            self.later,
        )
        for w in widgets:
            w.blockSignals(True)
        try:
            self.search.setText(str(state.get("text", "")))
            for combo, key in (
                (self.range, "range"),
                (self.kind, "kind"),
                (self.person, "person"),
                (self.evidence, "evidence"),
                (self.police, "police"),
            ):
                index = combo.findData(state[key]) if state.get(key) is not None else 0
                combo.setCurrentIndex(max(0, index))
            for edit, key in ((self.date_from, "from"), (self.date_to, "to")):
                d = QDate.fromString(str(state.get(key, "")), Qt.DateFormat.ISODate)
                if d.isValid():
                    edit.setDate(d)
            self.later.setChecked(bool(state.get("later")))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._debounce.stop()
        custom = self.range.currentData() == "custom"
        self.date_from.setVisible(custom)
        self.date_to.setVisible(custom)
        self.more.setChecked(bool(state.get("open")) or self.active_filters() > 0)
        self._update_more()

    def clear_filters(self) -> None:
        self.set_state({"open": self.more.isChecked()})
        self.filter_changed.emit()

    def wipe(self) -> None:
        """Forget the search text and names (the undo history goes with setText)."""
        self.set_state({})
        self.set_people([])
        self.count_label.clear()
