"""#18.7: quick exit set to close the app, while another window or process holds the
diary's write lock: what was being written is tried again (every window already
hidden) until the diary takes it, so it comes back at the next unlock instead of
ending with the process. The second holder is a real connection in BEGIN IMMEDIATE."""

from __future__ import annotations

import threading

import pytest

from tests.gui.conftest import held_elsewhere
from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import WRITING
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import impatient
from tests.gui.shellfixtures import kept_in
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import window_with_writing

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def test_quick_exit_that_closes_the_app_waits_for_a_busy_diary_to_keep_the_draft(qtbot, tmp_path) -> None:
    window, session, quit_app = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    qtbot.keyClicks(window.diary.editor, WRITING)
    impatient(session)
    vault = session.require()
    with held_elsewhere(vault) as other:
        releaser = threading.Timer(1.0, other.close)  # the other window's save ends
        releaser.start()
        try:
            window.quick_exit.trigger()
        finally:
            releaser.join(timeout=30)
    assert quit_app.count == 1  # the app still ends
    assert not window.isVisible()
    kept = kept_in(tmp_path / "vault")
    assert kept is not None and WRITING in str(kept)


def test_a_switch_does_not_wait_for_a_busy_diary_again(qtbot, tmp_path) -> None:
    """ "Switch and lose it" (or a switch that kept the draft already): the lock that
    follows reads what the diary holds instead of waiting for it once more."""
    window, session = window_with_writing(qtbot, tmp_path)
    vault = session.require()
    with held_elsewhere(vault):
        window.locker.lock("switch")
        assert not window.locker.kept_in_vault
        assert window.locker.draft_box.full  # still sealed in memory, as before
