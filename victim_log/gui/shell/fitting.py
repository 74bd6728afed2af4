"""Dialogs that fit the screen (#18.6): the form scrolls, the buttons stay in view.

A dialog built with :func:`scrolling_form` puts its body in a scroll area with no
frame and its button row below it, outside the scroll area; :func:`fit_to_screen`
then makes the dialog no taller or wider than the screen's available area (a
1024×600 laptop, or 200 % scaling), so the buttons are always on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QLayout
from PySide6.QtWidgets import QScrollArea
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

#: Room kept for the window frame and title bar the window manager adds.
FRAME_ALLOWANCE = 48


def scrolling_form(window: QWidget, body: QWidget, buttons: QLayout | QWidget) -> QScrollArea:
    """Lay ``window`` out as ``body`` (scrolling when the screen is short) above ``buttons``."""
    scroll = QScrollArea(window)
    scroll.setObjectName("formScroll")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    # Never cut off on the right: a body wider than the screen scrolls sideways too.
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    scroll.setWidget(body)
    layout = window.layout()
    if not isinstance(layout, QVBoxLayout):
        layout = QVBoxLayout(window)
    layout.addWidget(scroll, 1)
    if isinstance(buttons, QWidget):
        layout.addWidget(buttons)
    else:
        layout.addLayout(buttons)
    return scroll


def available_area(window: QWidget) -> QRect:
    """The part of the window's screen not taken by panels and docks."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 600)


def fit_to_screen(window: QWidget) -> None:
    """Size ``window`` to show its whole form if the screen allows, else to the
    available screen area (its scrolling body takes up the difference), and keep it
    on screen."""
    area = available_area(window)
    max_w = max(200, area.width() - FRAME_ALLOWANCE // 2)
    max_h = max(200, area.height() - FRAME_ALLOWANCE)
    layout = window.layout()
    if layout is not None:
        layout.activate()
    width = max(window.width(), window.sizeHint().width())
    scrolls: list[tuple[QScrollArea, QWidget]] = []
    for scroll in window.findChildren(QScrollArea, "formScroll"):
        inside = scroll.widget()
        if inside is not None and scroll.isVisibleTo(window):
            scrolls.append((scroll, inside))
    for scroll, body in scrolls:  # as wide as the body needs (a tick box's words do not wrap)
        sides = window.sizeHint().width() - scroll.sizeHint().width()
        bar = scroll.verticalScrollBar().sizeHint().width()
        width = max(width, body.minimumSizeHint().width() + max(0, sides) + bar + 8)
    width = min(width, max_w)
    height = max(window.height(), window.sizeHint().height())
    for scroll, body in scrolls:
        inner = max(100, width - (window.sizeHint().width() - scroll.sizeHint().width()) - 24)
        need = body.heightForWidth(inner) if body.hasHeightForWidth() else body.sizeHint().height()
        overhead = window.sizeHint().height() - scroll.sizeHint().height()
        height = max(height, overhead + need + 4)
    height = min(height, max_h)
    window.setMinimumSize(min(window.minimumWidth(), width), min(window.minimumHeight(), height))
    window.resize(width, height)
    geo = window.frameGeometry()
    x = min(max(geo.x(), area.x()), area.x() + area.width() - width)
    y = min(max(geo.y(), area.y()), area.y() + area.height() - height - FRAME_ALLOWANCE // 2)
    window.move(max(area.x(), x), max(area.y(), y))
