"""The shell's tests share one QApplication: a face worn by one test is taken off after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from victim_log.gui.shell.neutral import own_face
from victim_log.gui.shell.neutral import wear_titles


@pytest.fixture(autouse=True)
def _own_titles_after_each_test() -> Iterator[None]:
    yield
    app = QApplication.instance()
    if isinstance(app, QApplication):
        wear_titles(app, own_face())
