"""How one timeline row is painted.

Rows have one uniform height (the view then never asks for every row's size), and
day grouping is drawn here: the date appears in the left gutter of the first row of
each day, with a rule above it, and on the top visible row so you always know which
day you are looking at.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtCore import QLocale
from PySide6.QtCore import QModelIndex
from PySide6.QtCore import QObject
from PySide6.QtCore import QPersistentModelIndex
from PySide6.QtCore import QRect
from PySide6.QtCore import QRectF
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtGui import QFont
from PySide6.QtGui import QFontMetrics
from PySide6.QtGui import QPainter
from PySide6.QtGui import QPalette
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QStyle
from PySide6.QtWidgets import QStyledItemDelegate
from PySide6.QtWidgets import QStyleOptionViewItem

from ...model import SHORT_LABELS
from ...textsafe import display_safe
from ...vault import IncidentSummary
from ..widgets import contrast
from ..widgets import icons
from ..widgets.i18n import translator
from .timeline_model import TimelineModel
from .timeline_model import day_key
from .timeline_model import flag_labels
from .timeline_model import format_day
from .timeline_model import format_time

_tr = translator("Timeline")


_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_MIDDLE = Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class RowColors:
    """A row's colours, each checked against what it is painted on (WCAG 2.2 AA:
    text 4.5:1, the kind badges' outline 3:1), on the system's palette."""

    background: QColor
    text: QColor
    muted: QColor  # a day heading repeated at the top of the view

    def badge_edge(self, kind: str) -> QColor | None:
        """An outline for a kind's badge where its colour is faint on this background."""
        color = icons.kind_color(kind)
        if contrast.ratio(color, self.background) >= contrast.MARK_RATIO:
            return None
        return contrast.readable(color, self.background, contrast.MARK_RATIO)

    def flag(self, flag: str) -> tuple[QColor, QColor, QColor]:
        """A flag pill's outline, fill (its tint, faint) and text colour."""
        tint = QColor(icons.FLAG_COLORS[flag])
        fill = QColor(tint)
        fill.setAlphaF(0.16)
        return tint, fill, contrast.readable(self.text, contrast.over(fill, self.background))


def row_colors(palette: QPalette, selected: bool) -> RowColors:
    """The colours of a (selected) row on ``palette``."""
    role = QPalette.ColorRole
    background = palette.color(role.Highlight if selected else role.Base)
    text = contrast.readable(palette.color(role.HighlightedText if selected else role.Text), background)
    muted = QColor(text)
    muted.setAlphaF(0.72)
    return RowColors(background, text, contrast.readable(muted, background))


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
            style = _RowStyle(
                font=QFont(font),
                fm=fm,
                lh=lh,
                pad=pad,
                bold=bold,
                small=small,
                sfm=sfm,
                time_w=fm.horizontalAdvance("~00:00 CEST") + pad,  # the zone named (#16.4)
                gutter=gutter,
                plus_w=sfm.horizontalAdvance("+9"),
            )
            self._styles[key] = style
        return style

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        st = self._style(option.font)
        lh = st.lh
        return QSize(lh * 30, 2 * lh + lh // 3 + 2 * st.pad)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
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
        colors = row_colors(pal, selected)
        text_color, muted = colors.text, colors.muted
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
            painter.drawText(QRect(rect.left() + pad, y1, gutter - pad, lh), _LEFT_MIDDLE, format_day(day))
            painter.setFont(st.font)
        x = rect.left() + gutter
        painter.setPen(text_color)
        painter.drawText(QRect(x, y1, st.time_w, lh), _LEFT_MIDDLE, format_time(s))
        x += st.time_w
        right = rect.right() - pad
        author = model.author_of(s.id) if isinstance(model, TimelineModel) else ""
        flags_left = self._paint_flags(painter, st, s, author, right, y1, colors)
        self._paint_kinds(painter, st, s, x, flags_left - pad, y1, colors)
        painter.setPen(text_color)
        summary = st.fm.elidedText(
            display_safe(s.summary, single_line=True), Qt.TextElideMode.ElideRight, max(0, right - x)
        )
        painter.drawText(QRect(x, y2, right - x, lh), _LEFT_MIDDLE, summary)
        painter.restore()

    @staticmethod
    def _paint_kinds(
        painter: QPainter, st: _RowStyle, s: IncidentSummary, x: int, limit: int, y: int, colors: RowColors
    ) -> None:
        lh, pad, sfm = st.lh, st.pad, st.sfm
        painter.setFont(st.small)
        painter.setPen(colors.text)
        badge = lh - 2
        for i, kind in enumerate(s.kinds):
            label = _tr(SHORT_LABELS.get(kind, kind))
            width = badge + pad // 2 + sfm.horizontalAdvance(label)
            if x + width > limit:
                rest = len(s.kinds) - i
                if rest > 0 and x + st.plus_w <= limit:
                    painter.drawText(QRect(x, y, limit - x, lh), _MIDDLE, f"+{rest}")
                break
            icons.draw_kind_badge(painter, QRect(x, y + 1, badge, badge), kind, colors.badge_edge(kind))
            painter.drawText(QRect(x + badge + pad // 2, y, width, lh), _LEFT_MIDDLE, label)
            x += width + pad
        painter.setFont(st.font)

    @staticmethod
    def _paint_flags(
        painter: QPainter,
        st: _RowStyle,
        s: IncidentSummary,
        author: str,
        right: int,
        y: int,
        colors: RowColors,
    ) -> int:
        """Draw the flags right-aligned; returns the x where they start."""
        labels = flag_labels(s, author)
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
            tint, fill, color = colors.flag(flag)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(QPen(tint, 1))
            painter.setBrush(fill)
            painter.drawRoundedRect(pill.adjusted(0.5, 0.5, -0.5, -0.5), lh / 2.5, lh / 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            icons.draw_glyph(painter, QRect(int(x + pad / 2), y + 2, glyph, glyph), flag, color)
            painter.setPen(color)
            painter.drawText(QRect(int(x + pad / 2 + glyph + pad / 4), y, width, lh), _LEFT_MIDDLE, label)
            x -= pad // 2
        painter.setFont(st.font)
        return x
