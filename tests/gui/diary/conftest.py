"""Fixtures for the diary's tests (the shared ones are in tests/gui/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton
from PySide6.QtWidgets import QGroupBox
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QWidget

from tests.gui.conftest import show_active
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets import privacy


@pytest.fixture
def picked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """What the file picker returns: fill the list before the app asks."""
    chosen: list[Path] = []
    monkeypatch.setattr(privacy, "pick_paths", lambda *a, **k: list(chosen))
    return chosen


@pytest.fixture
def quick(qtbot, session: Session) -> QuickLogDialog:
    """A shown, active quick log on the test's unlocked diary."""
    dialog = QuickLogDialog(session)
    # Closing with content would (rightly) ask before discarding: discard instead.
    qtbot.addWidget(dialog, before_close_func=lambda d: d.discard())
    show_active(qtbot, dialog)
    return dialog


def alt_letters(window: QWidget) -> list[str]:
    """The Alt+letter keys shown in ``window`` (buttons, labels, group titles), lower case."""
    letters: list[str] = []
    for widget in (
        window.findChildren(QAbstractButton) + window.findChildren(QLabel) + window.findChildren(QGroupBox)
    ):
        text = widget.title() if isinstance(widget, QGroupBox) else widget.text()
        letters += [m.lower() for m in re.findall(r"(?<!&)&([^&\s])", text)]
    return letters
