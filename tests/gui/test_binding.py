"""The Qt binding must not leak references to None (PySide6 6.12.0 on Python 3.11 did).

Every Qt call that returns nothing lowered None's reference count until the process
aborted with "deallocating None" after enough use; the pin in pyproject.toml keeps
us off that release, and this test fails if a future version brings it back.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QWidget


def test_qt_calls_returning_nothing_keep_none_alive(qtbot: object) -> None:
    w = QWidget()
    before = sys.getrefcount(None)
    for _ in range(5000):
        w.parentWidget()
    assert sys.getrefcount(None) - before > -100
