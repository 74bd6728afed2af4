"""What kind of incident: large toggle buttons, one per kind, several can be on (#18.1).

Every kind is reachable from the keyboard, the way a toolbar is: Tab enters the grid
once (on the kind last visited) and leaves it with the next Tab; the arrow keys, Home
and End move between the kinds; Space turns the one with the focus on or off. Each
button also shows its own key: pressed while the grid has the focus it turns that kind
on or off, and the first nine (numbers) work with Alt from anywhere in the window, so
"Alt+1" marks a threat while typing. Threat, Violence and Order breach come first:
they are what the police look for first.

A tick is added to the label of a chosen kind, so the state never depends on colour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtCore import QObject
from PySide6.QtCore import QSize
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtGui import QKeySequence
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QGridLayout
from PySide6.QtWidgets import QSizePolicy
from PySide6.QtWidgets import QToolButton
from PySide6.QtWidgets import QWidget

from ...model import KINDS
from ...model import SHORT_LABELS
from ..widgets import icons
from ..widgets.common import line_height
from ..widgets.contrast import focus_css

_FIRST = ("threat", "violence", "order_breach")

#: The order the kinds are shown in: the most serious first, then as the model lists them.
KIND_ORDER: tuple[str, ...] = _FIRST + tuple(k for k in KINDS if k not in _FIRST)

#: The key shown on each kind's button: numbers for the first nine (also Alt+number
#: anywhere in the window), then a letter from its label.
KIND_KEYS: dict[str, str] = {
    **{kind: str(i + 1) for i, kind in enumerate(KIND_ORDER[:9])},
    "following": "F",
    "loitering": "W",  # "Watching"
    "turned_up": "U",
    "gift": "G",
    "damage": "D",
    "third_party": "T",
    "monitoring": "M",
    "other": "O",
}

_MOVES = {
    Qt.Key.Key_Left: -1,
    Qt.Key.Key_Right: 1,
    Qt.Key.Key_Home: -len(KIND_ORDER),
    Qt.Key.Key_End: len(KIND_ORDER),
}


class KindPicker(QWidget):
    """One toggle button per kind; several can be on (see the module's docstring)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, large: bool = True, columns: int = 6) -> None:
        super().__init__(parent)
        self.setObjectName("kindPicker")
        self.setAccessibleName(self.tr("What kind of incident (choose all that apply)"))
        self.setAccessibleDescription(
            self.tr("Arrow keys move between the kinds, Space chooses; or press the key shown on a kind.")
        )
        self.columns = columns
        self.buttons: dict[str, QToolButton] = {}
        self._by_key = {key.lower(): kind for kind, key in KIND_KEYS.items()}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(max(2, line_height(self) // 4))
        lh = line_height(self)
        side = int(lh * 1.8) if large else lh
        for i, kind in enumerate(KIND_ORDER):
            b = QToolButton(self)
            b.setObjectName(f"kind_{kind}")
            b.setCheckable(True)
            b.setIcon(icons.kind_icon(kind))
            b.setIconSize(QSize(side, side))
            b.setToolButtonStyle(
                Qt.ToolButtonStyle.ToolButtonTextUnderIcon
                if large
                else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            )
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            # The name a speech user says is the label they see; the full wording is the description.
            b.setAccessibleName(self.tr(SHORT_LABELS[kind]))
            b.setAccessibleDescription(self.tr(KINDS[kind]))
            key = KIND_KEYS[kind]
            tip = self.tr(KINDS[kind]) + " " + self.tr("(key %1)").replace("%1", key)
            if key.isdigit():
                tip += " " + self.tr("or Alt+%1 anywhere in this window").replace("%1", key)
            b.setToolTip(tip)
            b.toggled.connect(lambda _on, k=kind: self._toggled(k))
            b.installEventFilter(self)
            self.buttons[kind] = b
            self._label(kind)
            grid.addWidget(b, i // columns, i % columns)
            if key.isdigit():
                shortcut = QShortcut(QKeySequence(f"Alt+{key}"), self)
                shortcut.activated.connect(lambda k=kind: self.buttons[k].toggle())  # typing goes on
        self._current = KIND_ORDER[0]
        self._rove(self._current)
        self.setStyleSheet(
            "QToolButton { border: 1px solid palette(mid); border-radius: 6px; padding: 4px; }"
            "QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);"
            " border: 1px solid palette(highlight); } "
            # The focus ring: 2 px, 3:1 against the window and the buttons (WCAG 2.4.13).
            f"{focus_css('QToolButton', self.palette())} "
            "QToolButton:checked:focus { border: 2px solid palette(text); }"
        )

    # ------------------------------------------------------------------ keyboard

    def _rove(self, kind: str) -> None:
        """Make ``kind`` the grid's one Tab stop (the others are reached with arrows)."""
        self._current = kind
        for k, b in self.buttons.items():
            b.setFocusPolicy(Qt.FocusPolicy.StrongFocus if k == kind else Qt.FocusPolicy.ClickFocus)

    def move_focus(self, kind: str) -> None:
        self._rove(kind)
        self.buttons[kind].setFocus(Qt.FocusReason.OtherFocusReason)

    def press(self, kind: str) -> None:
        """Turn ``kind`` on or off as a click would, and put the focus on it."""
        self.move_focus(kind)
        self.buttons[kind].toggle()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = next((k for k, b in self.buttons.items() if b is watched), None)
        if kind is None:
            return super().eventFilter(watched, event)
        if event.type() == QEvent.Type.FocusIn and kind != self._current:
            self._rove(kind)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            return self._key(kind, event)
        return super().eventFilter(watched, event)

    def _key(self, kind: str, event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods & ~Qt.KeyboardModifier.ShiftModifier:
            return False  # Alt, Ctrl: the window's shortcuts
        index = KIND_ORDER.index(kind)
        step = _MOVES.get(Qt.Key(event.key()))
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = self.columns if event.key() == Qt.Key.Key_Down else -self.columns
            if not 0 <= index + step < len(KIND_ORDER):
                return True  # the top or bottom row: stay
        if step is not None:
            self.move_focus(KIND_ORDER[max(0, min(len(KIND_ORDER) - 1, index + step))])
            return True
        chosen = self._by_key.get(event.text().lower())
        if chosen is not None:
            self.press(chosen)
            return True
        return False

    # ------------------------------------------------------------------ state

    def _label(self, kind: str) -> None:
        b = self.buttons[kind]
        label = f"{KIND_KEYS[kind]}  {self.tr(SHORT_LABELS[kind])}"
        b.setText(("\u2713 " + label) if b.isChecked() else label)

    def _toggled(self, kind: str) -> None:
        self._label(kind)
        self.changed.emit()

    def kinds(self) -> tuple[str, ...]:
        """The kinds chosen, in the model's order (as stored)."""
        return tuple(k for k in KINDS if self.buttons[k].isChecked())

    def set_kinds(self, kinds: tuple[str, ...] | list[str]) -> None:
        wanted = set(kinds)
        for kind, b in self.buttons.items():
            b.blockSignals(True)
            b.setChecked(kind in wanted)
            b.blockSignals(False)
            self._label(kind)
        self.changed.emit()
