"""The timeline: its list view and the panel that joins it to the filter bar.

The pieces live beside it: :mod:`.timeline_model` (the lazy model over the vault),
:mod:`.timeline_delegate` (painting a row, day grouping) and :mod:`.filterbar`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtCore import QLocale
from PySide6.QtCore import QModelIndex
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView
from PySide6.QtWidgets import QHeaderView
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QPushButton
from PySide6.QtWidgets import QStyleOptionViewItem
from PySide6.QtWidgets import QTableView
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ..shell.session import Session
from ..widgets.common import one_shot
from .filterbar import FilterBar
from .timeline_delegate import TimelineDelegate
from .timeline_model import TimelineModel

DETAIL_FOLLOWS_MS = 25  # after a new result: a frame for the list to paint first


class TimelineList(QTableView):
    """The list itself: one column of uniform rows; several can be selected.

    A one-column table rather than a QListView: QListView lays out every row on
    each reset (asking the model 200,000 questions for 100,000 rows, a third of a
    second from Python), while a table with fixed-height rows computes positions
    arithmetically. Typing in the list goes to the search box.
    """

    type_to_search = Signal(str)
    delete_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineList")
        self.setAccessibleName(self.tr("Timeline of incidents, newest first"))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the list; arrows move within it
        self.setCornerButtonEnabled(False)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        header = self.verticalHeader()
        header.hide()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._delegate = TimelineDelegate(self)
        self.setItemDelegate(self._delegate)
        self._update_row_height()
        # The top row repeats its date, so it must repaint when the list scrolls.
        self.verticalScrollBar().valueChanged.connect(self.viewport().update)

    def _update_row_height(self) -> None:
        option = QStyleOptionViewItem()
        option.initFrom(self)
        option.font = self.font()
        self.verticalHeader().setDefaultSectionSize(self._delegate.sizeHint(option, QModelIndex()).height())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._update_row_height()

    def keyboardSearch(self, search: str) -> None:
        # Qt's type-ahead would walk every row (and so fetch every page): search instead.
        if search.strip():
            self.type_to_search.emit(search)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class TimelinePanel(QWidget):
    """Filter bar + list + a kind word when there is nothing to show."""

    current_changed = Signal(object)  # incident id or None
    activated = Signal(int)
    delete_requested = Signal()
    quick_log_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelinePanel")
        self.filter_bar = FilterBar(self)
        self.model = TimelineModel(session, self)
        self.list = TimelineList(self)
        self.list.setModel(self.model)
        self._keep_id: int | None = None
        # A new result picks its row while the list is being reset; the detail pane
        # follows a frame later, once the list has painted, so typing in the search
        # box never waits for both at once (and fast typing fills the pane once).
        self._reloading = False
        self._pending_current: int | None = None
        self._current_timer = one_shot(self, self._follow_current, DETAIL_FOLLOWS_MS)

        self.empty = QWidget(self)
        self.empty.setObjectName("timelineEmpty")
        self.empty_label = QLabel(self.empty)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_button = QPushButton(self.empty)
        self.empty_button.setObjectName("emptyAction")
        self.empty_button.clicked.connect(self._empty_action)
        box = QVBoxLayout(self.empty)
        box.addStretch(1)
        box.addWidget(self.empty_label)
        box.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)

        layout = QVBoxLayout(self)
        margin = max(4, self.fontMetrics().height() // 3)
        layout.setContentsMargins(margin, margin, 0, 0)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        self.empty.setVisible(False)

        self.filter_bar.filter_changed.connect(self._filter_changed)
        self.model.query_finished.connect(self._loaded)
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.list.activated.connect(self._activated)
        self.list.type_to_search.connect(self._type_to_search)
        self.list.delete_pressed.connect(self.delete_requested)

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self.model.reload(self.filter_bar.current_filter())

    def _filter_changed(self) -> None:
        self.model.set_filter(self.filter_bar.current_filter())

    def _remember_current(self) -> None:
        current = self.current_id()
        if current is not None:
            self._keep_id = current

    def _loaded(self, total: int) -> None:
        filtered = self.filter_bar.is_filtered()
        n = QLocale().toString(total)
        if filtered:
            text = self.tr("1 match") if total == 1 else self.tr("%1 matches").replace("%1", n)
        else:
            text = self.tr("1 entry") if total == 1 else self.tr("%1 entries").replace("%1", n)
        self.filter_bar.count_label.setText(text)
        if total == 0:
            if filtered:
                self.empty_label.setText(self.tr("No entries match the search or filters."))
                self.empty_button.setText(self.tr("Clear search and filters"))
            else:
                self.empty_label.setText(
                    self.tr(
                        "Nothing here yet.\nWhen something happens, press Ctrl+N or choose "
                        "\u201cLog something\u201d. A few words are enough: you can add details later."
                    )
                )
                self.empty_button.setText(self.tr("Log something"))
            self.empty_button.setAccessibleName(self.empty_button.text())
        self.empty.setVisible(total == 0)
        self.list.setVisible(total > 0)
        if total == 0:
            # Nothing matches: the entry pane must not go on showing one (#18).
            self._current_timer.stop()
            self._pending_current = None
            self.current_changed.emit(None)
        self._reloading = True
        try:
            if self._keep_id is not None and self.select_id(self._keep_id):
                return
            if total and not self.list.currentIndex().isValid():
                # Show the newest entry rather than an empty detail pane.
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(0, 0), self.list.selectionModel().SelectionFlag.ClearAndSelect
                )
        finally:
            self._reloading = False

    def _empty_action(self) -> None:
        if self.filter_bar.is_filtered():
            self.filter_bar.search.clear()
            self.filter_bar.clear_filters()
        else:
            self.quick_log_requested.emit()

    # ------------------------------------------------------------------ selection

    def keep_selection(self, incident_id: int) -> None:
        """Select ``incident_id`` again after the next reload, if it is there."""
        self._keep_id = incident_id

    def current_id(self) -> int | None:
        index = self.list.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.list.selectionModel().selectedRows())
        ids = [self.model.id_at(r) for r in rows]
        return [i for i in ids if i is not None]

    def select_id(self, incident_id: int, *, search_pages: int = 0) -> bool:
        row = self.model.row_of(incident_id, search_pages=search_pages)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.list.selectionModel().setCurrentIndex(
            index, self.list.selectionModel().SelectionFlag.ClearAndSelect
        )
        self.list.scrollTo(index)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        incident_id = self.model.id_at(current.row()) if current.isValid() else None
        self._keep_id = incident_id
        if self._reloading:
            self._pending_current = incident_id
            self._current_timer.start()
        else:
            self._current_timer.stop()
            self.current_changed.emit(incident_id)

    def _follow_current(self) -> None:
        """The entry pane follows a new result once no search is running. Its reads
        share the vault's connection with the search's thread and wait for that
        thread's query to let go of it: the pane filled during a search (the next key
        typed) was the longest stall while typing, up to 45 ms."""
        if self.model.busy:
            self._current_timer.start()
            return
        self.current_changed.emit(self._pending_current)

    def _activated(self, index: QModelIndex) -> None:
        incident_id = self.model.id_at(index.row())
        if incident_id is not None:
            self.activated.emit(incident_id)

    def _type_to_search(self, text: str) -> None:
        self.filter_bar.search.setFocus()
        self.filter_bar.search.insert(text)

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    def wipe(self) -> None:
        self._keep_id = None
        self._current_timer.stop()
        self._pending_current = None
        self.model.clear()
        self.filter_bar.wipe()
        self.empty.setVisible(False)
        self.list.setVisible(True)
