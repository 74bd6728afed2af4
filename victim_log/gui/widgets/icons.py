"""Kind icons drawn with QPainter, so they stay sharp at any font size or screen scale.

Why drawn and not bitmaps: text scales with the system font, and the icons sit next
to that text in the timeline and on the quick-log buttons; a vector drawing in a
24-unit box scales with it. Each kind has its own colour *and* its own shape, so
the icons still differ for people who cannot tell the colours apart, and every icon
is always shown with its label (the colour is never the only signal).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF
from PySide6.QtCore import QRect
from PySide6.QtCore import QRectF
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtGui import QColor
from PySide6.QtGui import QIcon
from PySide6.QtGui import QIconEngine
from PySide6.QtGui import QPainter
from PySide6.QtGui import QPainterPath
from PySide6.QtGui import QPen
from PySide6.QtGui import QPixmap
from PySide6.QtGui import QPolygonF

from ...model import KINDS

# Background of each kind's badge: dark enough that a white glyph on it has a
# contrast ratio of at least 4.5:1.
KIND_COLORS: dict[str, str] = {
    "phone_call": "#1d5fa8",
    "message": "#2f6f9f",
    "voicemail": "#3b5aa6",
    "email": "#4a5a8a",
    "social_media": "#6a3fa0",
    "in_person": "#9a4a00",
    "following": "#a33f00",
    "loitering": "#8a5a00",
    "turned_up": "#9c4600",
    "gift": "#a0306a",
    "damage": "#b02a2a",
    "third_party": "#6b5234",
    "monitoring": "#1f6f66",
    "threat": "#b3261e",
    "violence": "#8f1a1a",
    "order_breach": "#7a0f2e",
    "other": "#555555",
}

# Colours of the flags shown on timeline rows (drawn as tinted pills with text).
FLAG_COLORS: dict[str, str] = {
    "evidence": "#2f6f9f",
    "police": "#1d5fa8",
    "breach": "#7a0f2e",
    "later": "#8a5a00",
    "context": "#555555",
    "support": "#3f5f2a",  # entered by a support worker with the victim (#18)
}

Glyph = Callable[[QPainter], None]


def _circle(p: QPainter, x: float, y: float, r: float, *, fill: bool = False) -> None:
    if fill:
        p.save()
        p.setBrush(p.pen().color())
        p.drawEllipse(QPointF(x, y), r, r)
        p.restore()
    else:
        p.drawEllipse(QPointF(x, y), r, r)


def _poly(p: QPainter, points: list[tuple[float, float]], *, closed: bool = True, fill: bool = False) -> None:
    poly = QPolygonF([QPointF(x, y) for x, y in points])
    if fill:
        p.save()
        p.setBrush(p.pen().color())
        p.drawPolygon(poly)
        p.restore()
    elif closed:
        p.drawPolygon(poly)
    else:
        p.drawPolyline(poly)


def _phone(p: QPainter) -> None:
    path = QPainterPath(QPointF(6, 5))
    path.cubicTo(5, 13, 11, 19, 19, 18)
    pen = QPen(p.pen())
    pen.setWidthF(3.2)
    p.save()
    p.setPen(pen)
    p.drawPath(path)
    p.restore()
    _circle(p, 6.3, 5.2, 2.6, fill=True)
    _circle(p, 18.8, 17.7, 2.6, fill=True)


def _message(p: QPainter) -> None:
    path = QPainterPath()
    path.addRoundedRect(QRectF(3, 4, 18, 12), 3, 3)
    p.drawPath(path)
    _poly(p, [(7, 16), (6.5, 21), (12, 16)], closed=False)
    p.drawLine(QPointF(7, 8.5), QPointF(17, 8.5))
    p.drawLine(QPointF(7, 12), QPointF(14, 12))


def _voicemail(p: QPainter) -> None:
    _circle(p, 7, 12, 3.6)
    _circle(p, 17, 12, 3.6)
    p.drawLine(QPointF(7, 15.6), QPointF(17, 15.6))


def _email(p: QPainter) -> None:
    p.drawRect(QRectF(3, 6, 18, 12))
    _poly(p, [(3, 6.5), (12, 13), (21, 6.5)], closed=False)


def _social(p: QPainter) -> None:
    p.drawLine(QPointF(6, 12), QPointF(18, 6))
    p.drawLine(QPointF(6, 12), QPointF(18, 18))
    for x, y in ((6, 12), (18, 6), (18, 18)):
        _circle(p, x, y, 2.8, fill=True)


def _in_person(p: QPainter) -> None:
    _circle(p, 12, 8, 3.6)
    path = QPainterPath(QPointF(5, 20.5))
    path.cubicTo(5, 13, 19, 13, 19, 20.5)
    p.drawPath(path)


def _following(p: QPainter) -> None:
    p.save()
    p.setBrush(p.pen().color())
    p.drawEllipse(QRectF(5, 11, 4.5, 7))
    p.drawEllipse(QRectF(14, 4, 4.5, 7))
    p.restore()
    _circle(p, 7.25, 20.5, 1.3, fill=True)
    _circle(p, 16.25, 13.5, 1.3, fill=True)


def _eye(p: QPainter) -> None:
    path = QPainterPath(QPointF(2, 12))
    path.quadTo(12, 2, 22, 12)
    path.quadTo(12, 22, 2, 12)
    p.drawPath(path)
    _circle(p, 12, 12, 3, fill=True)


def _pin(p: QPainter) -> None:
    path = QPainterPath(QPointF(12, 22))
    path.cubicTo(4, 13, 4, 3, 12, 3)
    path.cubicTo(20, 3, 20, 13, 12, 22)
    p.drawPath(path)
    _circle(p, 12, 10, 2.6, fill=True)


def _gift(p: QPainter) -> None:
    p.drawRect(QRectF(4.5, 11, 15, 9.5))
    p.drawRect(QRectF(3, 7.5, 18, 3.5))
    p.drawLine(QPointF(12, 7.5), QPointF(12, 20.5))
    p.drawEllipse(QRectF(7.5, 3.5, 4.5, 4))
    p.drawEllipse(QRectF(12, 3.5, 4.5, 4))


def _bolt(p: QPainter) -> None:
    _poly(p, [(14, 2), (5, 13.5), (11, 13.5), (9, 22), (19, 9.5), (13, 9.5), (15.5, 2)])


def _third_party(p: QPainter) -> None:
    _circle(p, 8, 8.5, 3.2)
    path = QPainterPath(QPointF(2, 20))
    path.cubicTo(2, 14, 14, 14, 14, 20)
    p.drawPath(path)
    _circle(p, 16.5, 7, 3)
    path2 = QPainterPath(QPointF(13.5, 13.2))
    path2.cubicTo(16, 12, 22, 12.5, 22, 18.5)
    p.drawPath(path2)


def _crosshair(p: QPainter) -> None:
    _circle(p, 12, 12, 7)
    for a, b in (((12, 2), (12, 8)), ((12, 16), (12, 22)), ((2, 12), (8, 12)), ((16, 12), (22, 12))):
        p.drawLine(QPointF(*a), QPointF(*b))
    _circle(p, 12, 12, 1.5, fill=True)


def _threat(p: QPainter) -> None:
    _poly(p, [(12, 3), (22, 20.5), (2, 20.5)])
    p.drawLine(QPointF(12, 9), QPointF(12, 14.5))
    _circle(p, 12, 17.6, 1.3, fill=True)


def _starburst(p: QPainter) -> None:
    points = []
    for i in range(16):
        radius = 10.5 if i % 2 == 0 else 5
        angle = math.pi * 2 * i / 16 - math.pi / 2
        points.append((12 + radius * math.cos(angle), 12 + radius * math.sin(angle)))
    _poly(p, points)


def _order_breach(p: QPainter) -> None:
    path = QPainterPath(QPointF(5, 3))
    path.lineTo(15, 3)
    path.lineTo(19, 7)
    path.lineTo(19, 21)
    path.lineTo(5, 21)
    path.closeSubpath()
    p.drawPath(path)
    p.drawLine(QPointF(8.5, 9.5), QPointF(15.5, 16.5))
    p.drawLine(QPointF(15.5, 9.5), QPointF(8.5, 16.5))


def _dots(p: QPainter) -> None:
    for x in (5.5, 12, 18.5):
        _circle(p, x, 12, 2.2, fill=True)


def _paperclip(p: QPainter) -> None:
    path = QPainterPath(QPointF(15.5, 8))
    path.lineTo(15.5, 17)
    path.arcTo(QRectF(8.5, 13.5, 7, 7), 0, -180)
    path.lineTo(8.5, 6)
    path.arcTo(QRectF(8.5, 2.5, 5, 5), 180, -180)
    path.lineTo(13.5, 15.5)
    path.arcTo(QRectF(10.5, 14, 3, 3), 0, -180)
    path.lineTo(10.5, 8)
    p.drawPath(path)


def _shield(p: QPainter) -> None:
    path = QPainterPath(QPointF(12, 2.5))
    path.lineTo(20, 5.5)
    path.lineTo(20, 11)
    path.cubicTo(20, 16.5, 16.5, 19.5, 12, 21.5)
    path.cubicTo(7.5, 19.5, 4, 16.5, 4, 11)
    path.lineTo(4, 5.5)
    path.closeSubpath()
    p.drawPath(path)


def _clock(p: QPainter) -> None:
    _circle(p, 12, 12, 9)
    _poly(p, [(12, 6.5), (12, 12), (16, 14.5)], closed=False)


GLYPHS: dict[str, Glyph] = {
    "phone_call": _phone,
    "message": _message,
    "voicemail": _voicemail,
    "email": _email,
    "social_media": _social,
    "in_person": _in_person,
    "following": _following,
    "loitering": _eye,
    "turned_up": _pin,
    "gift": _gift,
    "damage": _bolt,
    "third_party": _third_party,
    "monitoring": _crosshair,
    "threat": _threat,
    "violence": _starburst,
    "order_breach": _order_breach,
    "other": _dots,
    # Not kinds: the flags on a timeline row.
    "evidence": _paperclip,
    "police": _shield,
    "breach": _order_breach,
    "later": _clock,
    "context": _dots,
    "support": _in_person,
}

assert set(KINDS) <= set(GLYPHS), "every kind needs a glyph"


def kind_color(kind: str) -> QColor:
    return QColor(KIND_COLORS.get(kind, KIND_COLORS["other"]))


def paint_glyph(painter: QPainter, rect: QRect | QRectF, name: str, color: QColor) -> None:
    """Draw glyph ``name`` (a kind or a flag) in ``color``, fitted into ``rect``."""
    glyph = GLYPHS.get(name, _dots)
    r = QRectF(rect)
    side = min(r.width(), r.height())
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(r.center().x() - side / 2, r.center().y() - side / 2)
    painter.scale(side / 24.0, side / 24.0)
    pen = QPen(color, 2.0)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    glyph(painter)
    painter.restore()


def paint_kind_badge(
    painter: QPainter, rect: QRect | QRectF, kind: str, *, disabled: bool = False, edge: QColor | None = None
) -> None:
    """A rounded square in the kind's colour with its glyph in white; ``edge``, when
    given, outlines it (a dark palette's background leaves the square itself faint)."""
    r = QRectF(rect)
    side = min(r.width(), r.height())
    box = QRectF(r.center().x() - side / 2, r.center().y() - side / 2, side, side)
    color = kind_color(kind)
    if disabled:
        gray = int(0.3 * color.red() + 0.59 * color.green() + 0.11 * color.blue())
        color = QColor(gray, gray, gray)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(edge, 1.0) if edge is not None else Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(color))
    painter.drawRoundedRect(
        box.adjusted(0.5, 0.5, -0.5, -0.5) if edge is not None else box, side * 0.22, side * 0.22
    )
    painter.restore()
    inset = side * 0.16
    paint_glyph(painter, box.adjusted(inset, inset, -inset, -inset), kind, QColor("white"))


class _BadgeEngine(QIconEngine):
    """An icon engine that paints a kind badge at whatever size is asked for."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self._kind = kind

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        paint_kind_badge(painter, rect, self._kind, disabled=mode == QIcon.Mode.Disabled)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        self.paint(painter, QRect(0, 0, size.width(), size.height()), mode, state)
        painter.end()
        return pm

    def clone(self) -> QIconEngine:
        return _BadgeEngine(self._kind)


_ICONS: dict[str, QIcon] = {}
_PIXMAPS: dict[tuple[str, int, float, int], QPixmap] = {}


def _cached(key: tuple[str, int, float, int], draw: Callable[[QPainter, QRect], None]) -> QPixmap:
    pixmap = _PIXMAPS.get(key)
    if pixmap is None:
        _name, side, ratio, _rgba = key
        pixmap = QPixmap(round(side * ratio), round(side * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        draw(p, QRect(0, 0, side, side))
        p.end()
        if len(_PIXMAPS) > 512:
            _PIXMAPS.clear()
        _PIXMAPS[key] = pixmap
    return pixmap


def draw_kind_badge(painter: QPainter, rect: QRect, kind: str, edge: QColor | None = None) -> None:
    """A kind badge from a pixmap cache: timeline rows draw many per repaint."""
    side = min(rect.width(), rect.height())
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    key = (kind, side, ratio, edge.rgba() if edge is not None else 0)
    pixmap = _cached(key, lambda p, r: paint_kind_badge(p, r, kind, edge=edge))
    painter.drawPixmap(rect.topLeft(), pixmap)


def draw_glyph(painter: QPainter, rect: QRect, name: str, color: QColor) -> None:
    """A glyph in one colour, from the same cache."""
    side = min(rect.width(), rect.height())
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    pixmap = _cached((name, side, ratio, color.rgba()), lambda p, r: paint_glyph(p, r, name, color))
    painter.drawPixmap(rect.topLeft(), pixmap)


def kind_icon(kind: str) -> QIcon:
    """The icon of a kind of incident (cached; icons hold no diary data)."""
    icon = _ICONS.get(kind)
    if icon is None:
        icon = QIcon(_BadgeEngine(kind))
        _ICONS[kind] = icon
    return icon
