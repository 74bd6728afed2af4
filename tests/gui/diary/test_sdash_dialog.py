"""The S-DASH dialog (#20): answers saved as a new dated set, suggestions from the log
shown beside the questions, the latest answers shown again, changes listed."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QLabel

from tests.gui.conftest import unnamed_controls
from victim_log import casetime
from victim_log import sdash
from victim_log.gui.diary.sdash_dialog import SdashDialog
from victim_log.model import IncidentData
from victim_log.stats import compute
from victim_log.store.stats import tally
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault


def test_answer_save_and_see_changes(qtbot, vault: Vault) -> None:
    vault.add_incident(IncidentData("Threat at the door", ("threat",), "2026-03-02T19:00"))
    stats = compute(tally(vault.conn, IncidentFilter(), casetime.active_zone(), date(2026, 4, 1)))
    dialog = SdashDialog(vault, stats)
    qtbot.addWidget(dialog)
    assert unnamed_controls(dialog) == []
    note = dialog.findChild(QLabel, "sdashNote_threats")
    assert (
        note is not None and "From your log: The log has 1 entry of a threat (first: Entry 1" in note.text()
    )
    assert "0808 802 0300" in dialog.findChild(QLabel, "sdashAdvice").text()
    combo = dialog.answers["threats"]
    combo.setCurrentIndex(combo.findData("yes"))
    dialog.support.setText("Priya")
    dialog._save()
    (first,) = sdash.answer_sets(vault)
    assert first.answers == (("threats", "yes"),) and first.by == "support:Priya"

    again = SdashDialog(vault, None)
    qtbot.addWidget(again)
    assert again.answers["threats"].currentData() == "yes"  # the latest answer shown again
    again.answers["threats"].setCurrentIndex(again.answers["threats"].findData("no"))
    again._save()
    third = SdashDialog(vault, None)
    qtbot.addWidget(third)
    changes = third.findChild(QLabel, "sdashChanges")
    assert changes is not None and "Question 6 changed: yes on" in changes.text()
    assert len(sdash.answer_sets(vault)) == 2  # the first kept, never overwritten
