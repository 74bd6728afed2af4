"""Search and the entry pane agree (#18): when nothing matches, no entry is shown; the
filter's dates read with the month's name."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtCore import Qt

from tests.gui.conftest import show_active
from victim_log.gui.shell.session import Session
from victim_log.model import IncidentData
from victim_log.vault import Vault

from .test_diary_flow import diary_view


def test_no_match_empties_the_entry_pane(qtbot, session: Session, vault: Vault) -> None:
    vault.add_incident(IncidentData(summary="Texts from a new number"))
    diary = diary_view(qtbot, session)
    qtbot.waitUntil(lambda: diary.detail.incident_id is not None, timeout=3000)
    search = diary.timeline.filter_bar.search
    show_active(qtbot, diary)
    search.setFocus()
    qtbot.keyClicks(search, "flowers")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: diary.timeline.filter_bar.count_label.text() == "0 matches", timeout=3000)
    qtbot.waitUntil(lambda: diary.detail.incident_id is None, timeout=3000)
    # Clearing the search shows the entry again.
    search.clear()
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: diary.detail.incident_id is not None, timeout=3000)


def test_filter_dates_name_the_month(qtbot, session: Session) -> None:
    diary = diary_view(qtbot, session)
    bar = diary.timeline.filter_bar
    bar.date_from.setDate(QDate(2026, 12, 2))
    assert bar.date_from.text() == "2 Dec 2026" and bar.date_to.calendarPopup()
