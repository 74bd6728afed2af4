"""#18: a date is never shown as "2 12 2026": every date and date-time box in the app's
forms names the month ("Wed 2 Dec 2026"), whatever the desktop's locale would do."""

from __future__ import annotations

import re

from PySide6.QtCore import QDate
from PySide6.QtCore import QDateTime
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QDateTimeEdit
from PySide6.QtWidgets import QWidget

from victim_log.gui.shell.session import Session

ALL_DIGITS = re.compile(r"\b\d{1,2}[ ./-]\d{1,2}[ ./-]\d{2,4}\b")


def _windows(session: Session) -> list[QWidget]:
    from victim_log.gui.diary.editor import IncidentEditor
    from victim_log.gui.diary.orders import OrderDialog
    from victim_log.gui.diary.provenance import ProvenanceDialog
    from victim_log.gui.diary.quicklog import QuickLogDialog
    from victim_log.gui.diary.view import DiaryView
    from victim_log.gui.tools.exportdialog import ExportDialog

    return [
        QuickLogDialog(session),
        IncidentEditor(session),
        OrderDialog(session),
        ProvenanceDialog(None, 1),
        DiaryView(session),
        ExportDialog(session, None, None),
    ]


def test_every_date_box_names_the_month(qtbot, session: Session) -> None:
    when = QDateTime(QDate(2026, 12, 2), QTime(21, 30))
    seen: list[str] = []
    for window in _windows(session):
        qtbot.addWidget(window)
        boxes = window.findChildren(QDateTimeEdit)
        for box in boxes:
            box.setDateTime(when)
            where = f"{type(window).__name__}.{box.objectName()}"
            assert "MMM" in box.displayFormat(), (where, box.displayFormat())
            assert "Dec" in box.text() and not ALL_DIGITS.search(box.text()), (where, box.text())
            seen.append(where)
        if hasattr(window, "discard"):
            window.discard()
    assert len(seen) >= 8, seen  # the quick log, editor, orders, provenance, filters, export
