"""What waits for the first paint (issue 5: start-up to a painted unlock screen).

Not timings (those live in bench/): the order of things. Nothing watches every event
of the application before a diary is open, the work meant for after the first paint
runs after it (and after anything queued at the paint), and no module selects one of
Qt for Python's features (the app tells it so instead of letting it read every source).
"""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.startup_helpers import fresh_python
from victim_log.gui.shell import unlock as unlock_module
from victim_log.gui.shell.app import AfterFirstPaint
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def locked_window(qtbot, tmp_path):
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path)
    return window, session


def _press_a_key(widget) -> None:
    QApplication.sendEvent(
        widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    )


def test_idle_time_is_watched_only_while_a_diary_is_open(qtbot, locked_window):
    window, session = locked_window
    activity = window.locker._filter
    activity.last_input = 0.0
    _press_a_key(window.unlock.passphrase)
    assert activity.last_input == 0.0  # locked: no filter on the application
    assert window.locker._system_watch is None  # nor a D-Bus watch

    window.unlock.passphrase.clear()
    unlock_via_gui(qtbot, window)
    assert window.locker._system_watch is not None
    activity.last_input = 0.0
    _press_a_key(window.diary.editor)
    assert activity.last_input > 0.0

    window.locker.lock("manual")
    activity.last_input = 0.0
    _press_a_key(window.unlock.passphrase)
    assert activity.last_input == 0.0  # off again with the lock


def test_after_first_paint_runs_once_after_the_paint(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    ran: list[str] = []
    AfterFirstPaint(window, [lambda: ran.append("first"), lambda: ran.append("second")])
    assert ran == []
    window.show()
    qtbot.waitUntil(lambda: ran == ["first", "second"])
    window.update()
    qtbot.wait(50)
    assert ran == ["first", "second"]


def test_the_backoff_check_comes_after_what_the_paint_queued_even_when_painting_is_slow(
    qtbot, tmp_path, monkeypatch
):
    """The count-down loads the vault's code. On a busy machine a paint can take longer
    than the short wait before it; it must still come after what was queued for just
    after the paint (a --smoke run ends there, so it must not load that code)."""
    Vault.create(tmp_path / "vault", PASSPHRASE)[0].lock()
    order: list[str] = []
    real_paint = unlock_module.UnlockScreen.paintEvent

    def slow_paint(self, event):
        real_paint(self, event)
        time.sleep(unlock_module.BACKOFF_AFTER_PAINT_MS * 2 / 1000)

    real_refresh = unlock_module.UnlockScreen.refresh_backoff

    def refresh(self):
        order.append("backoff")
        real_refresh(self)

    monkeypatch.setattr(unlock_module.UnlockScreen, "paintEvent", slow_paint)
    monkeypatch.setattr(unlock_module.UnlockScreen, "refresh_backoff", refresh)
    from victim_log.gui.shell.mainwindow import MainWindow
    from victim_log.gui.shell.session import Session
    from victim_log.prefs import Prefs

    window = MainWindow(Session(tmp_path / "vault"), Prefs(), quit_app=lambda: None)
    qtbot.addWidget(window)
    AfterFirstPaint(window, [lambda: order.append("after paint")])
    window.show()
    qtbot.waitUntil(lambda: "backoff" in order, timeout=5000)
    assert order[:2] == ["after paint", "backoff"]


def test_no_module_uses_a_qt_for_python_feature():
    """The app tells Qt for Python that no module selects a ``__feature__`` (so it need
    not read every module's source); that must stay true."""
    from pathlib import Path

    import victim_log

    root = Path(victim_log.__file__).parent
    users = [str(p) for p in root.rglob("*.py") if "from __feature__" in p.read_text(encoding="utf-8")]
    assert users == []


def test_the_app_wears_fusion_whatever_the_desktop_asks(monkeypatch):
    """The style is given to Qt as its -style argument (setStyle would make Qt for Python
    build QStyle's enums before the first paint); it still wins over the desktop's."""
    monkeypatch.setenv("QT_STYLE_OVERRIDE", "Windows")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    style = fresh_python(
        "from victim_log.gui.shell.app import make_application",
        "from victim_log.gui.shell.neutral import own_face",
        "print(make_application(own_face()).style().name())",
    )
    assert style.splitlines()[-1] == "fusion"


def test_what_start_up_made_is_left_out_of_later_garbage_collections(tmp_path, monkeypatch):
    Vault.create(tmp_path / "vault", PASSPHRASE)[0].lock()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    frozen = fresh_python(
        "import gc",
        "from victim_log.cli import main",
        f"assert main(['gui', '--smoke', '--vault', {str(tmp_path / 'vault')!r}]) == 0",
        "print(gc.get_freeze_count())",
    )
    assert int(frozen.splitlines()[-1]) > 10_000
