"""Showing messages and running modal dialogs, through one seam tests can replace.

Every error from the core reaches the user through :func:`show_error` as a calm,
plain dialog; an unexpected exception gets a generic message and its stack (never
its text, which could hold diary content) goes to the log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QWidget

from ...errors import VictimLogError
from ...logs import log_unexpected
from .common import dispose

T = TypeVar("T")
D = TypeVar("D", bound=QDialog)
A = TypeVar("A")

# Tests replace this to answer dialogs without a nested event loop.
DialogRunner = Callable[[QDialog], int]


def _default_runner(dialog: QDialog) -> int:
    return int(dialog.exec())


run_dialog: DialogRunner = _default_runner


def exec_dialog(dialog: QDialog) -> int:
    """Run a modal dialog via the current seam (``run_dialog``)."""
    return run_dialog(dialog)


def open_modal(build: Callable[[], QDialog], parent: QWidget | None) -> None:
    """Build a tool's dialog, run it modally, then delete it at once.

    Building can fail with a core error (the vault was locked between the click and
    the dialog: ``session.require()`` refuses), which the person sees calmly instead
    of a dialog. The dialog is deleted rather than left to the garbage collector
    because it held diary text (names, counts, paths).
    """
    try:
        dialog = build()
    except VictimLogError as exc:
        show_error(parent, exc)
        return
    try:
        exec_dialog(dialog)
    finally:
        dispose(dialog)


def answer_of(dialog: D, answer: Callable[[D], A]) -> A:
    """Run ``dialog``, then dispose of it; what ``answer`` reads from it (its own
    record of what the person chose, left empty when they cancelled)."""
    try:
        exec_dialog(dialog)
        return answer(dialog)
    finally:
        dialog.deleteLater()


def run_for_saved_id(dialog: QDialog) -> int | None:
    """Run a dialog that saves one thing (a person, an order) and dispose of it; the id
    it saved (its ``saved_id``) if the person accepted, else None."""
    try:
        accepted = exec_dialog(dialog) == QDialog.DialogCode.Accepted
        saved: int | None = getattr(dialog, "saved_id", None)
        return saved if accepted else None
    finally:
        dialog.deleteLater()


def show_message(
    parent: QWidget | None, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information
) -> None:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("messageBox")
    exec_dialog(box)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    if isinstance(exc, VictimLogError):
        show_message(parent, "Victim Log", exc.message, QMessageBox.Icon.Warning)
        return
    log_unexpected(exc)
    show_message(
        parent,
        "Victim Log",
        "Something went wrong, but nothing you typed has been lost. Please try again.",
        QMessageBox.Icon.Warning,
    )


def try_or_show(parent: QWidget | None, action: Callable[[], T | None]) -> T | None:
    """``action()``, or None once its error has been shown (see :func:`show_error`).

    For a form's Save: whatever goes wrong, the form stays open with what was typed,
    and the person reads a calm sentence instead of losing their words.
    """
    try:
        return action()
    except Exception as exc:  # noqa: BLE001 - shown calmly; the form keeps what was typed
        show_error(parent, exc)
        return None


def choose(parent: QWidget | None, title: str, text: str, options: list[str]) -> int | None:
    """Which of ``options`` the person picked (its index), or None for Cancel."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    buttons = [box.addButton(o, QMessageBox.ButtonRole.AcceptRole) for o in options]
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    exec_dialog(box)
    clicked = box.clickedButton()
    return next((i for i, b in enumerate(buttons) if b is clicked), None)


def confirm(parent: QWidget | None, title: str, text: str, yes: str = "Yes") -> bool:
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    exec_dialog(box)
    return box.clickedButton() is yes_button
