"""A save while another window or process holds the vault (#23.9).

The window keeps working (a timer keeps ticking) while the write waits on a worker
thread; a "busy" answer is tried again quietly with a visible "Saving…" state; the
entry is saved once the vault is free, and nothing typed is lost when it never is.
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QWidget

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import held_elsewhere
from tests.gui.conftest import ticking
from victim_log.errors import VaultBusy
from victim_log.gui.diary.editor import IncidentEditor
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.shell.session import Session
from victim_log.gui.widgets import background_write
from victim_log.model import IncidentData
from victim_log.vault import Vault


def test_quick_log_saves_once_the_other_window_lets_go_and_the_window_never_freezes(
    qtbot, quick: QuickLogDialog, vault: Vault
) -> None:
    qtbot.keyClicks(quick.text, "Parked outside again")
    seen: list[bool] = []
    with held_elsewhere(vault) as other, ticking() as ticks:
        # Let go after a second; on the GUI thread the release could not even run
        # until SQLite gave up (5 s), and then the save would have said "busy".
        QTimer.singleShot(1000, other.close)
        QTimer.singleShot(500, lambda: seen.append(quick.save_button.isEnabled()))
        quick.save_button.click()
    assert len(ticks) >= 20, "the GUI thread kept handling events during the save"
    assert seen == [False], "no second save while one runs"
    assert quick.saved_id is not None and not quick.isVisible()
    assert vault.get_incident(quick.saved_id).data.summary == "Parked outside again"
    assert vault.count_incidents() == 1


def test_editor_saves_off_the_gui_thread_too(qtbot, session: Session, vault: Vault) -> None:
    editor = IncidentEditor(session)
    qtbot.addWidget(editor)
    editor.set_data(IncidentData(summary="Rang twelve times", kinds=("phone_call",)))
    with held_elsewhere(vault) as other, ticking() as ticks:
        QTimer.singleShot(800, other.close)
        editor.save()
    assert len(ticks) >= 15
    assert editor.saved_id is not None
    assert vault.get_incident(editor.saved_id).data.summary == "Rang twelve times"


def test_busy_is_retried_quietly_with_a_visible_state(
    qtbot, quick: QuickLogDialog, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background_write, "PAUSE", 0.2)
    real_add = Vault.add_incident
    tries: list[int] = []

    def busy_twice(self: Vault, *args: object, **kwargs: object) -> int:
        tries.append(1)
        if len(tries) <= 2:
            # As SQLite does: it waits first, so "Saving…" is already shown.
            time.sleep(0.6 if len(tries) == 1 else 0)
            raise VaultBusy("The vault is busy in another window. Try again in a moment.")
        return real_add(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Vault, "add_incident", busy_twice)
    shown: list[str] = []

    def look() -> None:
        label = quick.findChild(QLabel, "savingText")
        if label is not None and label.isVisible():
            shown.append(label.text())

    watcher = QTimer()
    watcher.timeout.connect(look)
    watcher.start(20)
    qtbot.keyClicks(quick.text, "Followed me to work")
    quick.save_button.click()  # no dialog: a busy answer is not an error yet
    watcher.stop()
    assert len(tries) == 3 and quick.saved_id is not None
    assert shown[0] == "Saving\u2026" and shown[-1] == "Saving\u2026 (the diary is busy, trying again)"
    assert vault.get_incident(quick.saved_id).data.summary == "Followed me to work"
    banner = quick.findChild(QWidget, "savingBanner")
    assert banner is None or not banner.isVisible()


def test_nothing_is_lost_when_the_vault_never_frees(
    qtbot, quick: QuickLogDialog, vault: Vault, answers: DialogAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background_write, "PATIENCE", 0.5)
    monkeypatch.setattr(background_write, "PAUSE", 0.05)

    def always_busy(*_a: object, **_k: object) -> int:
        raise VaultBusy("The vault is busy in another window. Try again in a moment.")

    monkeypatch.setattr(Vault, "add_incident", always_busy)
    quick.kinds.buttons["following"].click()
    qtbot.keyClicks(quick.text, "Waited at the bus stop")
    answers.ok()
    quick.save_button.click()
    assert "busy" in answers.seen[-1].text()
    assert quick.isVisible() and quick.saved_id is None
    assert quick.text.toPlainText() == "Waited at the bus stop"
    assert quick.kinds.kinds() == ("following",)
    assert quick.save_button.isEnabled() and quick.text.isEnabled()  # the form is given back
    assert quick.draft()["text"] == "Waited at the bus stop"  # what the lock would seal
    assert vault.count_incidents() == 0


def test_a_save_that_landed_while_the_lock_waited_leaves_no_draft(
    qtbot, session: Session, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock settles a running save first; if it landed, the form is no draft (a
    draft as well would make a second entry at the next unlock)."""
    window = QWidget()
    qtbot.addWidget(window)
    landed: list[bool] = []

    def lock_now() -> None:
        background_write.settle()
        landed.append(background_write.landed_for(window))

    QTimer.singleShot(0, lock_now)
    saved = background_write.run_write(
        window, lambda: vault.add_incident(IncidentData(summary="x", kinds=()))
    )
    assert landed == [True] and vault.get_incident(saved).data.summary == "x"
    assert not background_write.landed_for(window)  # handed back: nothing left to settle


def test_a_lock_during_a_busy_save_keeps_the_form_as_a_draft_and_says_nothing(
    qtbot, quick: QuickLogDialog, vault: Vault, answers: DialogAnswers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No "busy" or "locked" box over the lock screen: the lock's settle() ends the
    retries, the form is sealed as a draft (its save did not land), nothing is saved."""
    monkeypatch.setattr(background_write, "PAUSE", 0.05)

    def always_busy(*_a: object, **_k: object) -> int:
        raise VaultBusy("The vault is busy in another window. Try again in a moment.")

    monkeypatch.setattr(Vault, "add_incident", always_busy)
    qtbot.keyClicks(quick.text, "Left a note on the car")
    kept: list[dict[str, object]] = []

    def lock() -> None:
        background_write.settle()
        if not background_write.landed_for(quick):
            kept.append(quick.draft())
        quick.discard()

    QTimer.singleShot(300, lock)
    quick.save_button.click()  # an unexpected message box would fail the test (answers)
    assert answers.seen == []
    assert [d["text"] for d in kept] == ["Left a note on the car"]
    assert quick.saved_id is None and vault.count_incidents() == 0
