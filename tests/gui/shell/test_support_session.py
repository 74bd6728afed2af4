"""#18 support session: the worker's name and organisation are asked once; until the
session ends or the diary locks, everything saved from the app (the quick log's own
save included) is theirs; a banner says so; the timeline marks it; the name is kept
only inside the encrypted vault."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.leakscan import scan
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.diary.timeline_model import Roles
from victim_log.gui.diary.timeline_model import TimelineModel
from victim_log.gui.shell.support_session import SupportSessionDialog
from victim_log.model import IncidentData

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

WORKER = "Quillon Marsh-Canary"  # a canary: must never be on disk unencrypted
ORG = "Safe Lives"
AUTHOR = f"support:{WORKER} ({ORG})"


def _fill(dialog: object) -> None:
    assert isinstance(dialog, SupportSessionDialog)
    if not dialog.name.text():
        dialog.name.setText(WORKER)
        dialog.org.setText(ORG)
    dialog.start()


def test_everything_saved_in_a_session_is_the_workers_until_the_lock(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    assert window.menuBar().isVisible()
    assert not window.support_banner.isVisible()
    answers = DialogAnswers(monkeypatch, act=_fill)
    window.support_action.trigger()
    assert len(answers.seen) == 1
    banner = window.support_banner
    assert banner.isVisible()
    assert banner.text.text() == (
        f"Support session: {WORKER} ({ORG}) \u2014 everything you add is marked as theirs."
    )
    assert window.end_support_action.isVisible() and not window.support_action.isVisible()

    # The quick log's own save (the path the app uses) records the worker.
    quick = QuickLogDialog(session, window)
    qtbot.addWidget(quick)
    quick.text.setPlainText("He was outside the school at pick-up")
    quick.save()
    assert quick.saved_id is not None
    vault = session.require()
    assert vault.get_incident(quick.saved_id).data.author == AUTHOR

    model = TimelineModel(session)
    model.reload()
    index = model.index(0, 0)
    assert model.data(index, Roles.AUTHOR) == AUTHOR
    assert f"With {WORKER} ({ORG})" in model.data(index, Qt.ItemDataRole.AccessibleTextRole)

    # Ending the session: the banner goes, later entries are the victim's.
    qtbot.mouseClick(banner.end_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()
    later = vault.add_incident(IncidentData(summary="A parcel"))
    assert vault.get_incident(later).data.author == "victim"

    # A new session, then the lock ends it; the next unlock acts for nobody.
    window.support_action.trigger()
    assert session.require().acting_author == AUTHOR  # name and org offered from last time
    window.locker.lock("manual")
    assert not banner.isVisible()
    unlock_via_gui(qtbot, window)
    assert session.require().acting_author is None
    assert not window.support_banner.isVisible()
    assert window.support_action.isVisible()
    model.clear()
    window.locker.lock("manual")
    assert scan([Path.home(), tmp_path], WORKER) == []  # only ever inside the encrypted vault


def test_locked_window_has_no_file_menu_and_cancel_starts_nothing(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    DialogAnswers(monkeypatch, answer=0)  # cancelled
    window.support_action.trigger()
    assert session.require().acting_author is None
    assert not window.support_banner.isVisible()
    window.locker.lock("manual")
    assert not window.menuBar().isVisible()
    assert QApplication.activeModalWidget() is None


def test_a_name_is_required(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    shown: list[str] = []
    monkeypatch.setattr(
        "victim_log.gui.shell.support_session.dialogs.show_error", lambda _p, exc: shown.append(str(exc))
    )
    dialog = SupportSessionDialog(session.require(), window)
    qtbot.addWidget(dialog)
    dialog.org.setText(ORG)
    dialog.start()
    assert dialog.author == "" and shown == ["Please give the support worker's name."]


def test_history_names_who_entered_each_version(qtbot, tmp_path, monkeypatch):
    """The entry's history has a By column: the victim's versions say "You", a version
    saved during a support session names the worker (#18)."""
    from victim_log.gui.diary.detail import DetailPane

    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    vault = session.require()
    first = vault.add_incident(IncidentData(summary="Flowers left on the car"))
    DialogAnswers(monkeypatch, act=_fill)
    window.support_action.trigger()
    vault.edit_incident(first, IncidentData(summary="Flowers left on the car, with a card"), "card found")
    pane = DetailPane(session)
    qtbot.addWidget(pane)
    pane.show_incident(first)
    tree = pane.history_list
    by = tree.columnCount() - 1
    assert tree.headerItem().text(by) == "By"
    newest_first = [tree.topLevelItem(i).text(by) for i in range(tree.topLevelItemCount())]
    assert newest_first == [f"{WORKER} ({ORG})", "You"]
    assert pane.fields.rows()["Entered by"] == f"{WORKER} ({ORG})"
    window.locker.lock("manual")
