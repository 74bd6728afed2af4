"""Alt+letter reaches one control in each of the diary's windows: a repeated letter
only cycles between controls, which is no shortcut at all."""

from __future__ import annotations

from pathlib import Path

from tests.gui.conftest import show_active
from victim_log.gui.diary.evidence_list import EntryPicker, EvidenceDialog
from victim_log.gui.diary.provenance import ProvenanceDialog
from victim_log.gui.diary.quicklog import PendingFile, QuickLogDialog
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
