"""The timeline: a lazy list model over the vault, its delegate and the filter bar.

Why lazy: a victim may have logged 100,000 incidents (imported chats add thousands
at once). The model never holds them all: it knows the count and keeps a small
least-recently-used cache of pages fetched with ``vault.list_incidents(flt, offset,
limit)``. Rows have one uniform height (the view then never asks for every row's
size), and day grouping is drawn by the delegate: the date appears in the left
gutter of the first row of each day, with a rule above it, and on the top visible
row so you always know which day you are looking at.

Why a worker thread for searches: a full-text count over 100,000 entries takes
longer than the 50 ms a keystroke may wait. Filter changes run count + first page
on a Python thread (the C library releases the GIL and serialises access to the
connection); the result is applied on the GUI thread if nothing newer was asked
for meanwhile. ``reload()`` (after a change or an unlock) stays synchronous so the
view is correct the moment it returns. Locking interrupts and joins the worker
before the database is closed.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QEvent,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...errors import VictimLogError
from ...model import KINDS, SHORT_LABELS
from ...textsafe import display_safe
from ...vault import IncidentFilter, IncidentSummary, Vault
from ..shell.session import Session, carry_on
from ..widgets import icons
from ..widgets.i18n import translator

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50
SEARCH_DEBOUNCE_MS = 150
DETAIL_FOLLOWS_MS = 25  # after a new result: a frame for the list to paint first


_tr = translator("Timeline")


class Roles(IntEnum):
    SUMMARY = Qt.ItemDataRole.UserRole + 1  # the IncidentSummary
    ID = Qt.ItemDataRole.UserRole + 2  # the incident id
    NEW_DAY = Qt.ItemDataRole.UserRole + 3  # True on the first row of a day


# --------------------------------------------------------------------------- formatting


def day_key(s: IncidentSummary) -> str:
    """The day a row belongs to, as the victim's own clock said it (the stored offset)."""
    if s.occurred_start:
        return s.occurred_start[:10]
    return "?" + s.first_recorded_at[:10]


@functools.lru_cache(maxsize=1024)
def format_day(key: str, long: bool = False) -> str:
    """A day key as words: 'Wed 3 Jun 2026' (or the long form for the detail pane)."""
    unknown = key.startswith("?")
    qdate = QDate.fromString(key.lstrip("?"), Qt.DateFormat.ISODate)
    if not qdate.isValid():
        return _tr("Date not known")
    text = QLocale().toString(qdate, "dddd d MMMM yyyy" if long else "ddd d MMM yyyy")
    return _tr("Date not known") if unknown and not long else text


def format_time(s: IncidentSummary) -> str:
    """The time column: '21:15', '~21:15' when approximate, a dash when not known."""
    if not s.occurred_start or s.precision in ("day", "unknown_time") or len(s.occurred_start) < 16:
        return "\u2014"
    hhmm = s.occurred_start[11:16]
    return "~" + hhmm if s.precision == "approximate" else hhmm


def flag_labels(s: IncidentSummary) -> list[tuple[str, str]]:
    """(flag id, label) pairs for the row's flags, in the order they are drawn."""
    out: list[tuple[str, str]] = []
    if s.evidence_count:
        n = s.evidence_count
        out.append(("evidence", _tr("1 file") if n == 1 else _tr("%1 files").replace("%1", str(n))))
    if s.reported:
        out.append(("police", _tr("Reported")))
    if s.breach and "order_breach" not in s.kinds:  # the kind already says so
        out.append(("breach", _tr("Order breach")))
    if s.complete_later:
        out.append(("later", _tr("Complete later")))
    return out


def describe(s: IncidentSummary) -> str:
    """One plain sentence for screen readers and tool tips."""
    when = format_day(day_key(s))
    t = format_time(s)
    if t != "\u2014":
        when += " " + t
    kinds = ", ".join(_tr(SHORT_LABELS.get(k, k)) for k in s.kinds)
    parts = [when, kinds, display_safe(s.summary, single_line=True)]
    parts += [label for _flag, label in flag_labels(s)]
    return ". ".join(p for p in parts if p)


def filter_to_dict(flt: IncidentFilter) -> dict[str, Any]:
    d = asdict(flt)
    d["kinds"] = list(flt.kinds)
    return d


def filter_from_dict(d: dict[str, Any]) -> IncidentFilter:
    known = set(IncidentFilter.__dataclass_fields__)
    values = {k: v for k, v in d.items() if k in known}
    if "kinds" in values:
        values["kinds"] = tuple(values["kinds"])
    return IncidentFilter(**values)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class _FirstPage:
    """What a query thread hands back: the number of matches and the first rows."""

    total: int
    rows: list[IncidentSummary]


class TimelineModel(QAbstractListModel):
    """Incidents newest first, fetched a page at a time; never all in memory."""

    query_started = Signal()
    query_finished = Signal(int)  # the number of rows after a (re)load
    query_failed = Signal(object)  # the exception (a VictimLogError or unexpected)
    _result_ready = Signal(int, object, object)  # generation, filter, (total, page) | exc

    def __init__(self, session: Session, parent: QObject | None = None, *,
                 page_size: int = PAGE_SIZE, max_pages: int = MAX_CACHED_PAGES) -> None:
        super().__init__(parent)
        self._session = session
        self._page_size = page_size
        self._max_pages = max_pages
        self._flt = IncidentFilter()  # what the rows show
        self._wanted = IncidentFilter()  # what was last asked for
        self._count = 0
        self._pages: OrderedDict[int, list[IncidentSummary]] = OrderedDict()
        self._generation = 0
        self._worker: threading.Thread | None = None
        self._worker_vault: Vault | None = None
        self._queued: tuple[int, IncidentFilter] | None = None
        self._result_ready.connect(self._apply_result, Qt.ConnectionType.QueuedConnection)
        self.fetches = 0  # pages read from the vault (tests check laziness with it)

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        s = self.summary_at(row)
        if s is None:
            return None
        if role == Roles.SUMMARY:
            return s
        if role == Roles.ID:
            return s.id
        if role == Roles.NEW_DAY:
            if row == 0:
                return True
            prev = self.summary_at(row - 1)
            return prev is None or day_key(prev) != day_key(s)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return describe(s)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ------------------------------------------------------------------ rows

    @property
    def current_filter(self) -> IncidentFilter:
        return self._flt

    @property
    def wanted_filter(self) -> IncidentFilter:
        return self._wanted

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def cached_pages(self) -> int:
        return len(self._pages)

    def summary_at(self, row: int) -> IncidentSummary | None:
        if not 0 <= row < self._count:
            return None
        page, offset = divmod(row, self._page_size)
        rows = self._pages.get(page)
        if rows is None:
            rows = self._fetch_page(page)
        else:
            self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    def id_at(self, row: int) -> int | None:
        s = self.summary_at(row)
        return None if s is None else s.id

    def row_of(self, incident_id: int, *, search_pages: int = 0) -> int | None:
        """The row showing ``incident_id`` if it is in a cached page (or in the first
        ``search_pages`` pages, which are fetched if needed)."""
        for page, rows in list(self._pages.items()):
            for i, s in enumerate(rows):
                if s.id == incident_id:
                    return page * self._page_size + i
        for page in range(min(search_pages, -(-self._count // self._page_size))):
            if page in self._pages:
                continue
            for i, s in enumerate(self._fetch_page(page)):
                if s.id == incident_id:
                    return page * self._page_size + i
        return None

    def _fetch_page(self, page: int) -> list[IncidentSummary]:
        vault = self._session.vault
        if vault is None or not vault.is_open:
            return []
        try:
            rows = vault.list_incidents(self._flt, offset=page * self._page_size,
                                        limit=self._page_size)
        except VictimLogError:
            return []
        self.fetches += 1
        self._pages[page] = rows
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return rows

    # ------------------------------------------------------------------ (re)loading

    def reload(self, flt: IncidentFilter | None = None) -> None:
        """Re-query now, on this thread (after a change, an unlock or a restore)."""
        if flt is not None:
            self._wanted = flt
        self._generation += 1
        self._queued = None
        vault = self._session.vault
        total = 0
        first: list[IncidentSummary] = []
        if vault is not None and vault.is_open:
            try:
                total = vault.count_incidents(self._wanted)
                if total:
                    first = vault.list_incidents(self._wanted, offset=0, limit=self._page_size)
            except VictimLogError as exc:
                self.query_failed.emit(exc)
                total, first = 0, []
        self._apply(self._wanted, total, first)

    def set_filter(self, flt: IncidentFilter) -> None:
        """Ask for rows matching ``flt``; they arrive a moment later (see query_finished)."""
        self._wanted = flt
        self._generation += 1
        if self._worker is not None:
            self._queued = (self._generation, flt)  # the newest request wins
            return
        self._start(self._generation, flt)

    def _start(self, generation: int, flt: IncidentFilter) -> None:
        vault = self._session.vault
        if vault is None or not vault.is_open:
            return
        self.query_started.emit()
        self._worker_vault = vault
        worker = threading.Thread(target=self._run_query, args=(generation, flt, vault),
                                  name="timeline-query", daemon=True)
        self._worker = worker
        worker.start()

    def _run_query(self, generation: int, flt: IncidentFilter, vault: Vault) -> None:
        """Worker thread: only reads, and hands the result back to the GUI thread."""
        result: _FirstPage | Exception
        try:
            total = vault.count_incidents(flt)
            first = vault.list_incidents(flt, offset=0, limit=self._page_size) if total else []
            result = _FirstPage(total, first)
        except Exception as exc:  # noqa: BLE001 - passed to the GUI thread to be shown
            result = exc
        with contextlib.suppress(RuntimeError):  # the model was deleted meanwhile
            self._result_ready.emit(generation, flt, result)

    def _apply_result(self, generation: int, flt: IncidentFilter, result: object) -> None:
        self._join_worker()
        queued, self._queued = self._queued, None
        if generation == self._generation:
            if isinstance(result, _FirstPage):
                self._apply(flt, result.total, result.rows)
            else:
                self.query_failed.emit(result)
                self.query_finished.emit(self._count)
        if queued is not None and queued[0] == self._generation:
            self._start(*queued)

    def _apply(self, flt: IncidentFilter, total: int, first: list[IncidentSummary]) -> None:
        self.beginResetModel()
        self._flt = flt
        self._count = total
        self._pages.clear()
        if first:
            self._pages[0] = first
        self.endResetModel()
        self.query_finished.emit(total)

    def _join_worker(self) -> None:
        worker, self._worker = self._worker, None
        self._worker_vault = None
        if worker is not None:
            worker.join()

    def stop(self) -> None:
        """Cancel a running search and wait for its thread (before the vault closes)."""
        self._generation += 1
        self._queued = None
        worker, vault = self._worker, self._worker_vault
        if worker is not None and worker.is_alive() and vault is not None and vault.is_open:
            # Stop the query early if the connection offers it; otherwise it ends
            # by itself (a count over 100,000 rows takes well under a second).
            with carry_on():
                interrupt = getattr(vault.conn, "interrupt", None)
                if callable(interrupt):
                    interrupt()
        if worker is not None:
            worker.join(timeout=5)
        self._worker = None
        self._worker_vault = None

    def clear(self) -> None:
        """Forget every row (lock): nothing of the diary stays in this model."""
        self.stop()
        self.beginResetModel()
        self._count = 0
        self._pages.clear()
        self._flt = IncidentFilter()
        self._wanted = IncidentFilter()
        self.endResetModel()


# --------------------------------------------------------------------------- delegate


_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_MIDDLE = Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class _RowStyle:
    """Fonts and measures for one row font, worked out once: a repaint draws every
    visible row and building QFont/QFontMetrics objects per row was half its time."""

    font: QFont
    fm: QFontMetrics
    lh: int
    pad: int
    bold: QFont
    small: QFont
    sfm: QFontMetrics
    time_w: int
    gutter: int
    plus_w: int


class TimelineDelegate(QStyledItemDelegate):
    """Draws a row: date gutter (when the day changes), time, kind badges, flags, summary."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._styles: dict[str, _RowStyle] = {}

    def _style(self, font: QFont) -> _RowStyle:
        key = font.key()
        style = self._styles.get(key)
        if style is None:
            fm = QFontMetrics(font)
            lh = fm.height()
            pad = max(4, lh // 2)
            bold = QFont(font)
            bold.setBold(True)
            small = QFont(font)
            if font.pointSizeF() > 0:
                small.setPointSizeF(font.pointSizeF() * 0.9)
            else:
                small.setPixelSize(max(8, round(font.pixelSize() * 0.9)))
            sfm = QFontMetrics(small)
            bfm = QFontMetrics(bold)
            samples = [QLocale().toString(QDate(2026, m, 28), "ddd d MMM yyyy") for m in range(1, 13)]
            samples.append(_tr("Date not known"))
            gutter = max(bfm.horizontalAdvance(s) for s in samples) + lh
            style = _RowStyle(font=QFont(font), fm=fm, lh=lh, pad=pad, bold=bold, small=small,
                              sfm=sfm, time_w=fm.horizontalAdvance("~00:00") + pad,
                              gutter=gutter, plus_w=sfm.horizontalAdvance("+9"))
            self._styles[key] = style
        return style

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        st = self._style(option.font)
        lh = st.lh
        return QSize(lh * 30, 2 * lh + lh // 3 + 2 * st.pad)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)
        # The model is ours: ask it directly (cheaper than QVariant round trips, and
        # PySide6 6.12 on Python < 3.12 leaks a reference to None for every invalid
        # QVariant it hands back).
        model = index.model()
        row = index.row()
        s = model.summary_at(row) if isinstance(model, TimelineModel) else None
        st = self._style(opt.font)
        lh, pad = st.lh, st.pad
        rect = opt.rect
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal = opt.palette
        text_color = pal.color(QPalette.ColorRole.HighlightedText if selected
                               else QPalette.ColorRole.Text)
        muted = QColor(text_color)
        muted.setAlphaF(0.72)
        painter.save()
        painter.setClipRect(rect)
        if s is None:
            painter.setPen(muted)
            painter.drawText(rect.adjusted(pad, 0, 0, 0), _MIDDLE, _tr("Loading\u2026"))
            painter.restore()
            return
        gutter = st.gutter
        prev = model.summary_at(row - 1) if row > 0 and isinstance(model, TimelineModel) else None
        day = day_key(s)
        new_day = prev is None or day_key(prev) != day
        top_visible = rect.top() <= 0 < rect.bottom()
        y1 = rect.top() + pad
        y2 = y1 + lh + lh // 3
        if new_day and row > 0:
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
            painter.drawLine(rect.left(), rect.top(), rect.right(), rect.top())
        if new_day or top_visible:
            painter.setFont(st.bold)
            painter.setPen(text_color if new_day else muted)
            painter.drawText(QRect(rect.left() + pad, y1, gutter - pad, lh), _LEFT_MIDDLE,
                             format_day(day))
            painter.setFont(st.font)
        x = rect.left() + gutter
        painter.setPen(text_color)
        painter.drawText(QRect(x, y1, st.time_w, lh), _LEFT_MIDDLE, format_time(s))
        x += st.time_w
        right = rect.right() - pad
        flags_left = self._paint_flags(painter, st, s, right, y1, text_color)
        self._paint_kinds(painter, st, s, x, flags_left - pad, y1, text_color)
        painter.setPen(text_color)
        summary = st.fm.elidedText(display_safe(s.summary, single_line=True),
                                   Qt.TextElideMode.ElideRight, max(0, right - x))
        painter.drawText(QRect(x, y2, right - x, lh), _LEFT_MIDDLE, summary)
        painter.restore()

    @staticmethod
    def _paint_kinds(painter: QPainter, st: _RowStyle, s: IncidentSummary, x: int,
                     limit: int, y: int, color: QColor) -> None:
        lh, pad, sfm = st.lh, st.pad, st.sfm
        painter.setFont(st.small)
        painter.setPen(color)
        badge = lh - 2
        for i, kind in enumerate(s.kinds):
            label = _tr(SHORT_LABELS.get(kind, kind))
            width = badge + pad // 2 + sfm.horizontalAdvance(label)
            if x + width > limit:
                rest = len(s.kinds) - i
                if rest > 0 and x + st.plus_w <= limit:
                    painter.drawText(QRect(x, y, limit - x, lh), _MIDDLE, f"+{rest}")
                break
            icons.draw_kind_badge(painter, QRect(x, y + 1, badge, badge), kind)
            painter.drawText(QRect(x + badge + pad // 2, y, width, lh), _LEFT_MIDDLE, label)
            x += width + pad
        painter.setFont(st.font)

    @staticmethod
    def _paint_flags(painter: QPainter, st: _RowStyle, s: IncidentSummary, right: int,
                     y: int, color: QColor) -> int:
        """Draw the flags right-aligned; returns the x where they start."""
        labels = flag_labels(s)
        if not labels:
            return right
        lh, pad, sfm = st.lh, st.pad, st.sfm
        painter.setFont(st.small)
        x = right
        glyph = lh - 4
        for flag, label in reversed(labels):
            width = glyph + pad // 2 + sfm.horizontalAdvance(label) + pad
            x -= width
            pill = QRectF(x, y, width, lh)
            tint = QColor(icons.FLAG_COLORS[flag])
            fill = QColor(tint)
            fill.setAlphaF(0.16)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(tint, 1))
            painter.setBrush(fill)
            painter.drawRoundedRect(pill.adjusted(0.5, 0.5, -0.5, -0.5), lh / 2.5, lh / 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            icons.draw_glyph(painter, QRect(int(x + pad / 2), y + 2, glyph, glyph), flag, color)
            painter.setPen(color)
            painter.drawText(QRect(int(x + pad / 2 + glyph + pad / 4), y, width, lh),
                             _LEFT_MIDDLE, label)
            x -= pad // 2
        painter.setFont(st.font)
        return x


# --------------------------------------------------------------------------- view


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
        self.verticalHeader().setDefaultSectionSize(
            self._delegate.sizeHint(option, QModelIndex()).height())

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


# --------------------------------------------------------------------------- filter bar


_RANGES = ("any", "7", "30", "365", "custom")
# Combo boxes never hold None as data (see the note in TimelineDelegate.paint).
_ANY = "any"
_ANYONE = -1
_TRISTATE: dict[str, bool | None] = {_ANY: None, "yes": True, "no": False}


class FilterBar(QWidget):
    """Search as you type (debounced) plus date, kind, person and flag filters."""

    filter_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.filter_changed)

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

        self.count_label = QLabel(self)
        self.count_label.setObjectName("resultCount")
        self.count_label.setAccessibleName(self.tr("Number of entries shown"))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.more)
        top.addWidget(self.count_label)

        self.panel = QWidget(self)
        self.panel.setObjectName("filterPanel")
        self.range = QComboBox(self.panel)
        self.range.setAccessibleName(self.tr("When"))
        for key, label in zip(_RANGES, (self.tr("Any time"), self.tr("Last 7 days"),
                                        self.tr("Last 30 days"), self.tr("Last 12 months"),
                                        self.tr("Between dates\u2026")), strict=True):
            self.range.addItem(label, key)
        today = QDate.currentDate()
        self.date_from = QDateEdit(today.addMonths(-1), self.panel)
        self.date_from.setCalendarPopup(True)
        self.date_from.setAccessibleName(self.tr("From date"))
        self.date_to = QDateEdit(today, self.panel)
        self.date_to.setCalendarPopup(True)
        self.date_to.setAccessibleName(self.tr("To date"))
        self.kind = QComboBox(self.panel)
        self.kind.setAccessibleName(self.tr("Kind of incident"))
        self.kind.addItem(self.tr("Any kind"), "")
        for key in KINDS:
            self.kind.addItem(icons.kind_icon(key), self.tr(SHORT_LABELS[key]), key)
        self.person = QComboBox(self.panel)
        self.person.setAccessibleName(self.tr("Person"))
        self.person.addItem(self.tr("Anyone"), _ANYONE)
        self.evidence = QComboBox(self.panel)
        self.evidence.setAccessibleName(self.tr("Evidence"))
        for label, value in ((self.tr("With or without evidence"), _ANY),
                             (self.tr("With evidence"), "yes"), (self.tr("Without evidence"), "no")):
            self.evidence.addItem(label, value)
        self.police = QComboBox(self.panel)
        self.police.setAccessibleName(self.tr("Reported to police"))
        for label, value in ((self.tr("Reported or not"), _ANY),
                             (self.tr("Reported to police"), "yes"),
                             (self.tr("Not reported"), "no")):
            self.police.addItem(label, value)
        self.later = QCheckBox(self.tr("Needs completing"), self.panel)
        self.later.setAccessibleName(self.tr("Only entries marked complete later"))
        self.clear_button = QPushButton(self.tr("Clear filters"), self.panel)
        self.clear_button.setAccessibleName(self.tr("Clear all filters"))
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
        return sum((self.range.currentIndex() > 0, self.kind.currentIndex() > 0,
                    self.person.currentIndex() > 0, self.evidence.currentIndex() > 0,
                    self.police.currentIndex() > 0, self.later.isChecked()))

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
            text=self.search.text().strip(), start=start, end=end,
            kinds=(kind,) if kind else (), person_id=None if person == _ANYONE else person,
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
            "text": self.search.text(), "range": self.range.currentData(),
            "from": self.date_from.date().toString(Qt.DateFormat.ISODate),
            "to": self.date_to.date().toString(Qt.DateFormat.ISODate),
            "kind": self.kind.currentData(), "person": self.person.currentData(),
            "evidence": self.evidence.currentData(), "police": self.police.currentData(),
            "later": self.later.isChecked(), "open": self.more.isChecked(),
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Put the controls back as :meth:`state` described them, without emitting."""
        widgets = (self.search, self.range, self.date_from, self.date_to, self.kind,
                   self.person, self.evidence, self.police, self.later)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.search.setText(str(state.get("text", "")))
            for combo, key in ((self.range, "range"), (self.kind, "kind"), (self.person, "person"),
                               (self.evidence, "evidence"), (self.police, "police")):
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


# --------------------------------------------------------------------------- panel


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
        self._current_timer = QTimer(self)
        self._current_timer.setSingleShot(True)
        self._current_timer.setInterval(DETAIL_FOLLOWS_MS)
        self._current_timer.timeout.connect(
            lambda: self.current_changed.emit(self._pending_current))

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
                self.empty_label.setText(self.tr(
                    "Nothing here yet.\nWhen something happens, press Ctrl+N or choose "
                    "\u201cLog an incident\u201d. A few words are enough: you can add details later."))
                self.empty_button.setText(self.tr("Log an incident"))
            self.empty_button.setAccessibleName(self.empty_button.text())
        self.empty.setVisible(total == 0)
        self.list.setVisible(total > 0)
        self._reloading = True
        try:
            if self._keep_id is not None and self.select_id(self._keep_id):
                return
            if total and not self.list.currentIndex().isValid():
                # Show the newest entry rather than an empty detail pane.
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(0, 0), self.list.selectionModel().SelectionFlag.ClearAndSelect)
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
            index, self.list.selectionModel().SelectionFlag.ClearAndSelect)
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
