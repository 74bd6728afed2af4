"""Tools opened from the main window's toolbar: the pattern view (#20), receive from phone (#22)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from victim_log.demo import fill_demo
from victim_log.gui.tools.patterndialog import PatternDialog
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def demo_window(qtbot, tmp_path):
    """The main window, unlocked through the GUI, on a small invented case."""
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    fill_demo(vault, total=12)
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    return window, session


def test_pattern_from_the_toolbar(qtbot, tmp_path, monkeypatch) -> None:
    window, session = demo_window(qtbot, tmp_path)
    button = window.toolbar.findChild(
        type(window.toolbar.widgetForAction(window.diary_actions[0])), "patternButton"
    )
    assert button is not None and button.isVisible()
    seen: list[str] = []

    def look(dialog):
        assert isinstance(dialog, PatternDialog)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.view.stats is not None, timeout=10_000)
        seen.append(dialog.view.summary.text())
        assert dialog.buttons.isVisible()

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected), look)
    button.click()
    assert seen and "12" in seen[0]
    window.locker.lock()
    assert not button.isVisible()  # nothing of the diary while locked


def test_receive_from_phone_from_the_toolbar(qtbot, tmp_path, monkeypatch) -> None:
    """#22: the toolbar's Receive button opens H-receive's dialog, offering the one
    entry the person is on (never a guess among several)."""
    from victim_log.gui.tools import receive_dialog

    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    calls: list[int | None] = []
    monkeypatch.setattr(
        receive_dialog, "open_receive_dialog", lambda s, parent=None, attach_to=None: calls.append(attach_to)
    )
    action = next(a for a in window.diary_actions if a.objectName() == "receive")
    monkeypatch.setattr(window.diary, "selected_incident_ids", lambda: [7])
    action.trigger()
    monkeypatch.setattr(window.diary, "selected_incident_ids", lambda: [7, 8])
    action.trigger()
    assert calls == [7, None]


def test_sdash_questions_from_the_pattern_window(qtbot, tmp_path, monkeypatch) -> None:
    """#20: the pattern window opens the S-DASH questions with the figures counted."""
    from victim_log.gui.diary.sdash_dialog import SdashDialog

    window, session = demo_window(qtbot, tmp_path)
    seen: list[type] = []

    def look(dialog):
        seen.append(type(dialog))
        if isinstance(dialog, PatternDialog):
            dialog.show()
            qtbot.waitUntil(lambda: dialog.view.stats is not None, timeout=10_000)
            dialog.sdash_button.click()

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected), look)
    next(a for a in window.diary_actions if a.objectName() == "pattern").trigger()
    assert seen == [PatternDialog, SdashDialog]


def test_export_includes_sdash_answers_only_when_asked(qtbot, tmp_path) -> None:
    from victim_log import sdash
    from victim_log.gui.shell.session import Session
    from victim_log.gui.tools.exportdialog import ExportDialog

    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    session = Session(vault.path)
    session.set_vault(vault)
    first = ExportDialog(session)
    qtbot.addWidget(first)
    assert not first.include_sdash.isEnabled()  # nothing answered: nothing to include
    sdash.record(vault, sdash.parse_answers(["frightened=yes"]), by="victim", at="2026-12-01T10:00:00+00:00")
    dialog = ExportDialog(session)
    qtbot.addWidget(dialog)
    assert dialog.include_sdash.isEnabled() and not dialog.include_sdash.isChecked()
    assert not dialog.options().include_sdash
    dialog.include_sdash.click()
    assert dialog.options().include_sdash
    session.lock()


def test_review_panel_beside_the_diary(qtbot, tmp_path, monkeypatch) -> None:
    """#18 review queue: the toolbar's Review opens H-review's panel in a dock; its
    Next opens the entry in the diary; a lock drops the panel."""
    from victim_log.gui.diary.review_panel import ReviewPanel

    window, session = demo_window(qtbot, tmp_path)
    opened: list[int] = []
    monkeypatch.setattr(window.diary, "show_incident", opened.append, raising=False)
    action = next(a for a in window.diary_actions if a.objectName() == "review")
    action.trigger()
    panel = window.review_dock.widget()
    assert isinstance(panel, ReviewPanel) and window.review_dock.isVisible()
    qtbot.waitUntil(lambda: not panel.busy and panel.list.count() > 0, timeout=10_000)
    panel.entry_requested.emit(3)
    assert opened == [3]
    window.locker.lock()
    assert not window.review_dock.isVisible()
    assert not isinstance(window.review_dock.widget(), ReviewPanel)
