"""Dialogs that fit the screen (#18.6): the form scrolls, the buttons stay in view.

A dialog built with :func:`scrolling_form` puts its body in a scroll area with no
frame and its button row below it, outside the scroll area; :func:`fit_to_screen`
then makes the dialog no taller or wider than the screen's available area (a
1024×600 laptop, or 200 % scaling), so the buttons are always on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QVBoxLayout, QWidget

#: Room kept for the window frame and title bar the window manager adds.
FRAME_ALLOWANCE = 48


def scrolling_form(window: QWidget, body: QWidget, buttons: QLayout | QWidget) -> QScrollArea:
    """Lay ``window`` out as ``body`` (scrolling when the screen is short) above ``buttons``."""
    scroll = QScrollArea(window)
    scroll.setObjectName("formScroll")
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
    """Shrink ``window`` (and its minimum size) to the available screen area, keeping
    it on screen; a scrolling body takes up the difference."""
    area = available_area(window)
    max_w = max(200, area.width() - FRAME_ALLOWANCE // 2)
    max_h = max(200, area.height() - FRAME_ALLOWANCE)
    window.setMaximumSize(max(max_w, 200), max(max_h, 200))
    window.setMinimumSize(min(window.minimumWidth(), max_w), min(window.minimumHeight(), max_h))
    width = min(max(window.width(), window.sizeHint().width()), max_w)
    height = min(max(window.height(), window.sizeHint().height()), max_h)
    window.resize(width, height)
    window.setMaximumSize(16_777_215, 16_777_215)
    geo = window.frameGeometry()
    x = min(max(geo.x(), area.x()), area.right() - width)
    y = min(max(geo.y(), area.y()), area.bottom() - height - FRAME_ALLOWANCE // 2)
    window.move(max(area.x(), x), max(area.y(), y))
