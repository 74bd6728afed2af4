"""Asking why: every change to the diary is recorded with a short reason.

Shared by the incident editor, the diary's delete and remove actions and the people
dialogs (which is why it lives here, not in any of them).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from . import dialogs
from .common import line_height
from .i18n import translator

DEFAULT_REASON = "added details"

_tr = translator("Reason")


class ReasonDialog(QDialog):
    """Asks for the short reason every change is recorded with."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        title: str = "",
        prompt: str = "",
        default: str = DEFAULT_REASON,
        ok_text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasonDialog")
        self.setWindowTitle(title or self.tr("Why the change?"))
        self.setAccessibleName(self.windowTitle())
        label = QLabel(
            prompt
            or self.tr(
                "Your change is saved as a new version; the earlier one stays in the history. "
                "Please give a short reason."
            ),
            self,
        )
        label.setWordWrap(True)
        self.reason_edit = QLineEdit(default, self)
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setMaxLength(500)
        self.reason_edit.setAccessibleName(self.tr("Reason for the change"))
        self.reason_edit.selectAll()
        label.setBuddy(self.reason_edit)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(ok_text or self.tr("Save"))
        ok.setAccessibleName(ok.text())
        ok.setObjectName("reasonOk")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        ok.setEnabled(bool(default.strip()))
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.buttons)
        self.resize(line_height(self) * 30, self.sizeHint().height())

    def reason(self) -> str:
        return self.reason_edit.text().strip()


def ask_reason(
    parent: QWidget | None,
    *,
    title: str = "",
    prompt: str = "",
    default: str = DEFAULT_REASON,
    ok_text: str = "",
) -> str | None:
    """The reason typed, or None if the person cancelled."""
    dialog = ReasonDialog(parent, title=title, prompt=prompt, default=default, ok_text=ok_text)
    try:
        result = dialogs.exec_dialog(dialog)
        reason = dialog.reason()
    finally:
        dialog.deleteLater()
    if result != QDialog.DialogCode.Accepted or not reason:
        return None
    return reason


def reason_prompt(example: str) -> str:
    """What the reason box says when something is taken out, with an ``example`` of a
    reason (the same words for an entry, a person or a file)."""
    return _tr("Please give a short reason, for example \u201c%1\u201d.").replace("%1", example)


def confirm_then_reason(
    parent: QWidget | None, *, question: str, explanation: str, verb: str, why: str, example: str
) -> str | None:
    """Ask "are you sure?", then why: the reason typed, or None if either was cancelled.

    For taking something out of the diary (an entry, a person): nothing goes without
    both, and the reason is kept in the history. Both questions answer with ``verb``
    ("Delete"): first with an ellipsis, since another question follows, then as it is."""
    if not dialogs.confirm(parent, question, explanation, yes=f"{verb}\u2026"):
        return None
    return ask_reason(parent, title=why, prompt=reason_prompt(example), default="", ok_text=verb)


def take_out(
    parent: QWidget | None,
    act: Callable[[str], object],
    *,
    question: str,
    explanation: str,
    verb: str,
    why: str,
    example: str,
) -> bool:
    """:func:`confirm_then_reason`, then ``act(reason)``; a refusal or failure is shown
    calmly. True when it was done."""
    reason = confirm_then_reason(
        parent, question=question, explanation=explanation, verb=verb, why=why, example=example
    )
    if reason is None:
        return False
    try:
        act(reason)
    except Exception as exc:  # noqa: BLE001 - shown calmly; nothing was taken out
        dialogs.show_error(parent, exc)
        return False
    return True
