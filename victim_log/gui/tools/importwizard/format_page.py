"""Step 1: which kind of export the person has."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QRadioButton
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ...widgets.common import scaled
from ...widgets.common import scroll_area
from ...widgets.common import wrapped
from .base import WizardBase
from .base import WizardStep
from .formats import FORMATS


class FormatPage(WizardStep):
    def __init__(self, wizard: WizardBase) -> None:
        super().__init__(
            wizard,
            "formatPage",
            self.tr("What would you like to import?"),
            self.tr(
                "Messages, calls and photos become entries in your diary, with "
                "the original file kept unchanged as evidence."
            ),
        )
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        # Eight kinds with a line each: on a short screen the list scrolls rather than
        # squeezing the lines into each other (#18.6).
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        for i, choice in enumerate(FORMATS):
            # "&" would be taken as a keyboard-shortcut marker and vanish.
            button = QRadioButton(self.tr(choice.label).replace("&", "&&"), body)
            button.setObjectName(f"format_{choice.key}")
            self.group.addButton(button, i)
            self.buttons[choice.key] = button
            how = wrapped(self.tr(choice.how), body)
            how.setContentsMargins(24, 0, 0, 6)
            how.setFont(scaled(how.font(), 0.92))
            column.addWidget(button)
            column.addWidget(how)
        column.addStretch(1)
        self.buttons["whatsapp"].setChecked(True)
        scroll = scroll_area(self, body, self.tr("Kinds of export"))
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.column.addWidget(scroll, 1)

    def chosen(self) -> str:
        for key, button in self.buttons.items():
            if button.isChecked():
                return key
        return "whatsapp"

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        self.w.set_format(self.chosen())
        return True
