"""Step 1: which kind of export the person has."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QRadioButton

from ...widgets.common import scaled, wrapped
from .base import WizardBase, WizardStep
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
        for i, choice in enumerate(FORMATS):
            # "&" would be taken as a keyboard-shortcut marker and vanish.
            button = QRadioButton(self.tr(choice.label).replace("&", "&&"), self)
            button.setObjectName(f"format_{choice.key}")
            self.group.addButton(button, i)
            self.buttons[choice.key] = button
            how = wrapped(self.tr(choice.how), self)
            how.setContentsMargins(24, 0, 0, 6)
            how.setFont(scaled(how.font(), 0.92))
            self.column.addWidget(button)
            self.column.addWidget(how)
        self.buttons["whatsapp"].setChecked(True)
        self.column.addStretch(1)

    def chosen(self) -> str:
        for key, button in self.buttons.items():
            if button.isChecked():
                return key
        return "whatsapp"

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        self.w.set_format(self.chosen())
        return True
