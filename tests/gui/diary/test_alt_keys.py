"""Alt+letter reaches one control in each of the diary's windows (a repeated letter
only cycles between controls, which is no shortcut at all), and each button's name for
screen readers and speech input contains the words it shows (WCAG 2.5.3)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton

from tests.gui.conftest import label_not_in_name
from tests.gui.conftest import show_active
from victim_log.gui.diary.evidence_list import EntryPicker
from victim_log.gui.diary.evidence_list import EvidenceDialog
from victim_log.gui.diary.provenance import ProvenanceDialog
from victim_log.gui.diary.quicklog import PendingFile
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session

from .conftest import alt_letters


def unique(letters: list[str]) -> bool:
    return bool(letters) and len(letters) == len(set(letters))


def test_quick_log_with_a_file(qtbot, session: Session, tmp_path: Path) -> None:
    quick = QuickLogDialog(session)
    qtbot.addWidget(quick, before_close_func=lambda d: d.discard())
    show_active(qtbot, quick)
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"x")
    quick.add_file(PendingFile(name=shot.name, path=shot))
    letters = alt_letters(quick)
    assert unique(letters), sorted(letters)
    assert {"w", "i", "o"} <= set(letters)  # Who, Time, Where did it come from


def test_provenance_evidence_and_entry_picker(qtbot, session: Session) -> None:
    for window in (ProvenanceDialog(None, 1), EvidenceDialog(session), EntryPicker(session)):
        qtbot.addWidget(window)
        letters = alt_letters(window)
        assert unique(letters), (window.objectName(), sorted(letters))


def test_label_in_name(qtbot, session: Session) -> None:
    """WCAG 2.5.3: every button's accessible name contains the words it shows."""
    from victim_log.gui.diary.editor import IncidentEditor
    from victim_log.gui.diary.orders import OrderDialog
    from victim_log.gui.diary.orders import OrdersDialog
    from victim_log.gui.diary.view import DiaryView
    from victim_log.gui.people.people_dialog import PeopleDialog
    from victim_log.gui.people.people_dialog import PersonDialog

    windows = [
        QuickLogDialog(session),
        IncidentEditor(session),
        ProvenanceDialog(None, 1),
        EvidenceDialog(session),
        EntryPicker(session),
        DiaryView(session),
        OrderDialog(session),
        OrdersDialog(session),
        PeopleDialog(session),
        PersonDialog(session),
    ]
    wrong = []
    for window in windows:
        qtbot.addWidget(window)
        wrong += [(type(window).__name__, *found) for found in label_not_in_name(window)]
    assert wrong == []


def test_the_diary_showing_an_entry_with_a_file(qtbot, session: Session) -> None:
    """The filter bar's "E&vidence files…" and the shown entry's file buttons share the
    window: one letter each (a "&View" there made Alt+V only cycle)."""
    from victim_log.gui.diary.view import DiaryView
    from victim_log.model import IncidentData

    vault = session.require()
    incident = vault.add_incident(
        IncidentData(summary="Texts", kinds=("message",), occurred_start="2026-05-01T21:00:00+01:00"),
        files=[("shot.png", b"\x89PNG\r\n\x1a\n")],
    )
    diary = DiaryView(session)
    qtbot.addWidget(diary)
    show_active(qtbot, diary)
    diary.reload()
    diary.show_incident(incident)
    visible = [w for w in diary.findChildren(QAbstractButton) if w.isVisibleTo(diary)]
    letters = [m.lower() for b in visible for m in re.findall(r"(?<!&)&([^&\s])", b.text())]
    assert unique(letters), sorted(letters)
