"""Step 3: who is harassing you, from the senders found in the file (with counts)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QCheckBox
from PySide6.QtWidgets import QComboBox
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QListWidget
from PySide6.QtWidgets import QListWidgetItem
from PySide6.QtWidgets import QSpinBox

from ....imported import DEFAULT_GROUP_MINUTES
from ....textsafe import display_safe
from ...widgets.common import named
from ...widgets.common import plural
from ...widgets.common import wrapped
from .base import WizardBase
from .base import WizardStep
from .formats import FORMAT_BY_KEY
from .formats import SENDER_SHOWN_CHARS


class SenderPage(WizardStep):
    """Who is harassing you: pick from the senders found, or type a name or number."""

    def __init__(self, wizard: WizardBase) -> None:
        super().__init__(
            wizard,
            "senderPage",
            self.tr("Who is harassing you?"),
            self.tr(
                "Their messages and calls become entries. Everyone else's stay in the "
                "evidence file only; your replies asking them to stop can be kept as context."
            ),
        )
        self.senders = named(QListWidget(self), "senders", self.tr("People in this file"))
        self.senders.setSpacing(2)
        self.senders.itemSelectionChanged.connect(self._picked)
        self.column.addWidget(self.senders, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Or type their name or number:"), self))
        self.typed = QLineEdit(self)
        self.typed.setObjectName("typedSender")
        self.typed.setAccessibleName(self.tr("Their name or number"))
        self.typed.setPlaceholderText(self.tr("e.g. 07700 900123"))
        self.typed.textEdited.connect(self._typed)
        row.addWidget(self.typed, 1)
        self.column.addLayout(row)

        group_row = QHBoxLayout()
        self.group = QCheckBox(self.tr("Make one entry for messages sent within"), self)
        self.group.setObjectName("groupMessages")
        self.minutes = QSpinBox(self)
        self.minutes.setObjectName("groupMinutes")
        self.minutes.setAccessibleName(self.tr("Minutes"))
        self.minutes.setRange(1, 240)
        self.minutes.setValue(DEFAULT_GROUP_MINUTES)
        self.minutes.setSuffix(self.tr(" minutes"))
        self.group.setChecked(True)  # one entry per burst unless the person says otherwise
        self.group.toggled.connect(self.minutes.setEnabled)
        group_row.addWidget(self.group)
        group_row.addWidget(self.minutes)
        group_row.addWidget(QLabel(self.tr("of each other"), self))
        group_row.addStretch(1)
        self.column.addLayout(group_row)
        self.column.addWidget(
            wrapped(
                self.tr(
                    "Useful when they send many messages in a burst: each entry still keeps every "
                    "message, word for word, with its time."
                ),
                self,
            )
        )
        self.keep_context = QCheckBox(
            self.tr("Keep my own messages asking them to stop, as context (not counted as incidents)"),
            self,
        )
        self.keep_context.setObjectName("keepContext")
        self.keep_context.setChecked(True)
        self.column.addWidget(self.keep_context)
        self.column.addWidget(
            wrapped(
                self.tr(
                    "Messages where you told them to stop or to leave you alone show that they "
                    "knew. They are shown in your timeline and the police export as your replies."
                ),
                self,
            )
        )
        me_row = QHBoxLayout()
        me_row.addWidget(QLabel(self.tr("Which name in the file is you?"), self))
        self.me = QComboBox(self)
        self.me.setObjectName("meChoice")
        self.me.setAccessibleName(self.tr("Your own name in the file"))
        self.keep_context.toggled.connect(self.me.setEnabled)
        me_row.addWidget(self.me, 1)
        self.column.addLayout(me_row)

    def initializePage(self) -> None:  # noqa: N802 - Qt name
        self.senders.clear()
        self.typed.clear()
        scan = self.w.scan
        noun = FORMAT_BY_KEY[self.w.format].noun
        for sender, count in scan.senders if scan else []:
            name = display_safe(sender, single_line=True).strip() or self.tr("(no name)")
            if len(name) > SENDER_SHOWN_CHARS:
                name = name[: SENDER_SHOWN_CHARS - 1] + "…"
            item = QListWidgetItem(f"{name}  ·  {plural(count, noun)}")
            item.setData(Qt.ItemDataRole.UserRole, sender)
            self.senders.addItem(item)
        # Who the victim is in the file: usually worked out (messages the phone marks as
        # sent, or the one other writer of a two-person chat); a group chat needs asking.
        self.me.clear()
        self.me.addItem(self.tr("Work it out for me"), None)
        for sender, _count in scan.senders if scan else []:
            name = display_safe(sender, single_line=True).strip()
            if name:
                self.me.addItem(name[:SENDER_SHOWN_CHARS], sender)

    @Slot()
    def _picked(self) -> None:
        if self.senders.selectedItems():
            self.typed.clear()
        self.completeChanged.emit()

    @Slot(str)
    def _typed(self, text: str) -> None:
        if text.strip():
            self.senders.clearSelection()
        self.completeChanged.emit()

    def choose(self, sender: str) -> bool:
        """Select ``sender`` in the list (tests and keyboard users)."""
        for row in range(self.senders.count()):
            item = self.senders.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == sender:
                self.senders.setCurrentItem(item)
                return True
        return False

    def sender_value(self) -> str:
        items = self.senders.selectedItems()
        if items:
            return str(items[0].data(Qt.ItemDataRole.UserRole))
        return self.typed.text().strip()

    def isComplete(self) -> bool:  # noqa: N802 - Qt name
        return bool(self.sender_value())

    def validatePage(self) -> bool:  # noqa: N802 - Qt name
        sender = self.sender_value()
        me = self.me.currentData()
        self.w.chosen = replace(
            self.w.chosen,
            sender=sender,
            group_minutes=self.minutes.value() if self.group.isChecked() else 0,
            context=self.keep_context.isChecked(),
            me=me if isinstance(me, str) and me != sender else None,
        )
        return True
