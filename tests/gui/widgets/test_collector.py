"""Qt objects are freed on the GUI thread only, never by a worker (#18, the crash).

A worker that allocates used to run Python's cycle collector itself, and a closed
window caught in a reference cycle was then deleted on the worker thread: its busy
bar's style animation reached the GUI thread later as a queued call on a deleted
object, and the app crashed inside Qt's drawing. These tests fail on that code.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QProgressBar
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from victim_log.gui.shell.app import make_application
from victim_log.gui.shell.neutral import neutral_faces
from victim_log.gui.widgets.background_write import run_write
from victim_log.gui.widgets.collector import GuiThreadCollector
from victim_log.gui.widgets.common import start_task
from victim_log.gui.widgets.common import tasks_running


class _Cycle:
    """Garbage only the cycle collector can free (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


def _churn() -> int:
    """A worker's work that allocates (and drops) enough cycles for many collections."""
    for _ in range(20_000):
        _Cycle()
    return 1


@pytest.fixture
def collections_off_gui_thread() -> Iterator[list[str]]:
    """The names of the threads other than the GUI's on which a collection started."""
    seen: list[str] = []

    def watch(phase: str, _info: dict[str, int]) -> None:
        if phase == "start" and threading.current_thread() is not threading.main_thread():
            seen.append(threading.current_thread().name)

    gc.callbacks.append(watch)
    yield seen
    gc.callbacks.remove(watch)


def _run(qtbot, fn) -> None:
    results: list[object] = []
    start_task(fn, lambda result, error: results.append(error or result))
    qtbot.waitUntil(lambda: bool(results) and tasks_running() == 0, timeout=20_000)
    assert results == [1]


def test_the_app_collects_on_its_gui_thread(qapp: QApplication) -> None:
    app = make_application(neutral_faces()["notes"])
    assert app.findChildren(GuiThreadCollector) != []
    assert len(app.findChildren(GuiThreadCollector)) == 1  # made again: still one
    assert not gc.isenabled()


def test_a_worker_that_allocates_runs_no_collection(qtbot, collections_off_gui_thread: list[str]) -> None:
    _run(qtbot, _churn)
    assert collections_off_gui_thread == []


def test_a_window_in_a_cycle_is_deleted_on_the_gui_thread(
    qtbot, collections_off_gui_thread: list[str]
) -> None:
    deleted_on: list[str] = []
    window = QWidget()
    bar = QProgressBar(window)
    bar.setRange(0, 0)  # busy: the style animates it
    QVBoxLayout(window).addWidget(bar)
    window.show()
    qtbot.waitExposed(window)
    window.hide()
    window.cycle = window  # type: ignore[attr-defined]  # only the collector can free it
    window.destroyed.connect(
        lambda: deleted_on.append(threading.current_thread().name), Qt.ConnectionType.DirectConnection
    )
    del window, bar

    _run(qtbot, _churn)
    assert collections_off_gui_thread == []
    gc.collect()  # what the GUI thread's timer does (it may have done it meanwhile)
    assert deleted_on == [threading.main_thread().name]


class _Marker:
    """Notes the thread on which it is freed."""

    def __init__(self, died_on: list[str]) -> None:
        self.died_on = died_on

    def __del__(self) -> None:
        self.died_on.append(threading.current_thread().name)


def _holding(marker: _Marker) -> Callable[[], int]:
    """Work whose closure holds the only reference to ``marker``."""
    return lambda: 1 if marker else 0


def test_a_task_lets_its_closure_go_on_the_gui_thread(qtbot) -> None:
    died_on: list[str] = []
    _run(qtbot, _holding(_Marker(died_on)))
    assert died_on == [threading.main_thread().name]


def test_a_write_lets_its_closure_go_on_the_gui_thread(qtbot) -> None:
    died_on: list[str] = []
    window = QWidget()
    qtbot.addWidget(window)
    assert run_write(window, _holding(_Marker(died_on))) == 1
    qtbot.waitUntil(lambda: tasks_running() == 0, timeout=20_000)
    assert died_on == [threading.main_thread().name]
