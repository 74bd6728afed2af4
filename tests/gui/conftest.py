"""Fixtures for the diary screens: a fast vault, an unlocked Session, answers for dialogs.

Modal dialogs run through ``victim_log.gui.widgets.dialogs.run_dialog`` (the seam); the
``answers`` fixture replaces it with a queue of small functions, each of which gets
the real dialog, shown, and drives it with qtbot (typing, clicking) as a person
would. A dialog nobody expected fails the test with its title and text.
"""

from __future__ import annotations

import contextlib
import re
from collections import deque
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from victim_log.gui.shell.session import Session
from victim_log.gui.widgets import dialogs
from victim_log.gui.widgets.collector import GuiThreadCollector
from victim_log.gui.widgets.collector import collect_on_gui_thread
from victim_log.model import IncidentData
from victim_log.store import db
from victim_log.vault import Vault

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _qsettings_in_test_home() -> None:
    """Qt caches its settings folder per process: point it at each test's HOME."""
    from PySide6.QtCore import QSettings

    config = str(Path.home() / ".config")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, config)


class _CollectBetweenTests:
    """A plugin: after every test (GUI or not), on the main thread, the collection
    Python would have run by itself, since the GUI collector has turned that off for
    the rest of this process."""

    def __init__(self, collector: GuiThreadCollector) -> None:
        self.collector = collector

    def pytest_runtest_teardown(self) -> None:
        self.collector.collect_due()


@pytest.fixture(scope="session", autouse=True)
def _collect_on_gui_thread(qapp: QApplication, pytestconfig: pytest.Config) -> Iterator[None]:
    """As in the app (``make_application``): cycles are collected on the GUI thread
    only, never by a worker that happens to allocate (victim_log/gui/widgets/collector.py).
    Tests that run no event loop still collect between tests."""
    collector = collect_on_gui_thread(qapp)
    plugin = _CollectBetweenTests(collector)
    pytestconfig.pluginmanager.register(plugin, "victim-log-gui-collector")
    yield
    pytestconfig.pluginmanager.unregister(plugin)
    collector.stop()


@pytest.fixture(autouse=True)
def _widgets_held_until_closed(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The widgets a test hands to ``qtbot.addWidget`` live until pytest-qt has closed
    them. pytest-qt keeps them by weak reference only, so a window a test left shown
    was freed by the next collection, still on screen, while pytest-qt processed the
    test's last events; Qt sometimes crashed deleting a shown window that way (the
    app itself holds every window it shows)."""
    held: list[QWidget] = []
    add = qtbot.addWidget

    def add_and_hold(widget: QWidget, **kw: object) -> None:
        held.append(widget)
        add(widget, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(qtbot, "addWidget", add_and_hold)
    monkeypatch.setattr(qtbot, "add_widget", add_and_hold)
    yield
    held.clear()  # pytest-qt closed them before fixtures are torn down


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The offscreen platform plugin warns that it cannot pass size hints to a
    # window manager (there is none); that is the platform, not our code.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    v, _recovery = Vault.create(tmp_path / "vault", PASSPHRASE)
    yield v
    v.lock()


@pytest.fixture
def session(qtbot: object, vault: Vault) -> Iterator[Session]:
    s = Session(vault.path)
    s.set_vault(vault)
    yield s
    s.lock()


Answer = Callable[[QDialog], "int | None"]


class DialogAnswers:
    """Stands in for ``dialogs.run_dialog``: hands each dialog to the next answer."""

    def __init__(self, qtbot: object) -> None:
        self.qtbot = qtbot
        self.queue: deque[tuple[type | str | None, Answer]] = deque()
        self.seen: list[QDialog] = []

    def add(self, answer: Answer, expect: type | str | None = None) -> None:
        self.queue.append((expect, answer))

    def ok(self, expect: type | str | None = QMessageBox) -> None:
        """Press the message box's OK/accepting button."""
        self.add(lambda d: click_button(d, accept=True), expect)

    def press(self, text: str, expect: type | str | None = None) -> None:
        """Press the button whose text contains ``text``."""
        self.add(lambda d: click_button(d, text=text), expect)

    def cancel(self, expect: type | str | None = None) -> None:
        self.add(lambda d: d.reject() or QDialog.DialogCode.Rejected, expect)

    def __call__(self, dialog: QDialog) -> int:
        self.seen.append(dialog)
        if not self.queue:
            text = dialog.text() if isinstance(dialog, QMessageBox) else ""
            dialog.reject()
            raise AssertionError(
                f"unexpected dialog {type(dialog).__name__} {dialog.windowTitle()!r} {text!r}"
            )
        expect, answer = self.queue.popleft()
        if isinstance(expect, type):
            assert isinstance(dialog, expect), f"expected {expect.__name__}, got {type(dialog).__name__}"
        elif isinstance(expect, str):
            assert dialog.objectName() == expect, f"expected {expect}, got {dialog.objectName()}"
        dialog.setResult(QDialog.DialogCode.Rejected)
        show_active(self.qtbot, dialog)
        result = answer(dialog)
        if result is None or isinstance(result, bool):
            result = dialog.result()
        dialog.hide()
        parent = dialog.parentWidget()
        if parent is not None and parent.window().isVisible():
            # As a window manager would: the window underneath becomes active again.
            parent.window().activateWindow()
            self.qtbot.waitUntil(parent.window().isActiveWindow, timeout=3000)  # type: ignore[attr-defined]
        return int(result)

    def done(self) -> bool:
        return not self.queue


def _accepts(dialog: QDialog, button: QAbstractButton) -> bool:
    roles = (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole)
    if isinstance(dialog, QMessageBox):
        return dialog.buttonRole(button) in (
            QMessageBox.ButtonRole.AcceptRole,
            QMessageBox.ButtonRole.YesRole,
        )
    box = button.parent()
    return isinstance(box, QDialogButtonBox) and box.buttonRole(button) in roles


W = TypeVar("W", bound=QWidget)


def shown(qtbot: object, widget: W) -> W:
    """``widget`` handed to qtbot (closed after the test), shown and exposed."""
    qtbot.addWidget(widget)  # type: ignore[attr-defined]
    widget.show()
    qtbot.waitExposed(widget)  # type: ignore[attr-defined]
    return widget


def show_active(qtbot: object, widget: QWidget) -> None:
    """Show a window and wait until it is active (focus and shortcuts need that)."""
    widget.show()
    widget.activateWindow()
    # waitActive() returns early for dialogs with a parent; ask the widget instead.
    qtbot.waitUntil(widget.isActiveWindow, timeout=3000)  # type: ignore[attr-defined]


def click_button(dialog: QDialog, *, text: str = "", accept: bool = False) -> int:
    buttons = dialog.findChildren(QAbstractButton)
    for b in buttons:
        if text and text.lower() in b.text().replace("&", "").lower():
            b.click()
            break
        if accept and _accepts(dialog, b):
            b.click()
            break
    else:
        raise AssertionError(f"no button {text!r} in {[b.text() for b in buttons]}")
    if isinstance(dialog, QMessageBox):
        # A message box's result is the button; callers look at clickedButton().
        return QDialog.DialogCode.Accepted
    return dialog.result()


@pytest.fixture
def answers(qtbot: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[DialogAnswers]:
    runner = DialogAnswers(qtbot)
    monkeypatch.setattr(dialogs, "run_dialog", runner)
    yield runner
    assert runner.done(), f"{len(runner.queue)} expected dialog(s) never opened"


def unnamed_controls(root: QWidget) -> list[str]:
    """Focusable, visible controls without an accessible name (Qt's own parts excluded)."""
    out = []
    for w in root.findChildren(QWidget):
        if (
            w.focusPolicy() == Qt.FocusPolicy.NoFocus
            or not w.isVisibleTo(root)
            or w.accessibleName()
            or w.objectName().startswith("qt_")
            or type(w).__name__ in ("QWidget", "QScrollBar", "QSplitterHandle")
        ):
            continue
        out.append(w.objectName() or type(w).__name__)
    return out


def spoken(text: str) -> str:
    """A control's words as a speech-input user would say them: no "&", "…", tick, shown
    key ("1  Threat") or trailing explanation in brackets."""
    text = text.replace("&", "").replace("\u2026", "").replace("\u2713", "").strip()
    text = re.sub(r"^[0-9A-Z]\s\s", "", text)
    return re.sub(r"\s*\([^)]*\)$", "", text).strip().lower()


def label_not_in_name(root: QWidget) -> list[tuple[str, str, str]]:
    """Buttons under ``root`` whose accessible name leaves out the words they show
    (WCAG 2.5.3 label in name): (object name, text, accessible name)."""
    from PySide6.QtWidgets import QAbstractButton

    return [
        (b.objectName(), b.text(), b.accessibleName())
        for b in root.findChildren(QAbstractButton)
        if spoken(b.text()) and b.accessibleName() and spoken(b.text()) not in b.accessibleName().lower()
    ]


def tab_chain(start: QWidget, steps: int) -> list[str]:
    """Accessible names met pressing Tab ``steps`` times from ``start`` (visible, enabled)."""
    names = []
    widget = start
    for _ in range(steps):
        names.append(widget.accessibleName() or widget.objectName())
        widget = widget.nextInFocusChain()
        while not (
            widget.isVisible() and widget.isEnabled() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            widget = widget.nextInFocusChain()
    return names


def find(widget: QWidget, cls: type, name: str) -> QWidget:
    found = widget.findChild(cls, name)
    assert found is not None, f"no {cls.__name__} named {name}"
    return found  # type: ignore[no-any-return]


def bulk_timeline(vault: Vault, count: int, *, step_seconds: int = 1800) -> None:
    """``count`` incidents straight into the timeline index, in one transaction.

    The timeline reads only the derived ``incidents`` index, and writing full records
    (journal, hash chain, search index) costs ~1.4 ms each, too slow for 100,000 in
    a unit test; ``vault.check()`` would rightly call these rows unbacked.
    """
    newest = datetime(2026, 8, 31, 22, 0, tzinfo=UTC).timestamp()
    kinds = (",message,", ",phone_call,", ",following,loitering,", ",gift,", ",threat,message,")
    rows = []
    for i in range(1, count + 1):
        ts = newest - i * step_seconds
        when = datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
        rows.append(
            (
                i,
                1,
                when,
                when,
                when,
                "",
                "exact",
                ts,
                0,
                kinds[i % len(kinds)],
                f"Bulk incident {i}",
                i % 3,
                int(i % 7 == 0),
                int(i % 11 == 0),
                int(i % 13 == 0),
            )
        )
    with db.transaction(vault.conn):
        vault.conn.executemany(
            "INSERT INTO incidents (id, version, first_recorded_at, recorded_at, occurred_start,"
            " occurred_end, precision, sort_key, deleted, kinds, summary, evidence_count,"
            " reported, breach, complete_later) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )


def add(vault: Vault, summary: str, when: str, **kw: object) -> int:
    """A real incident (full record, journal, search index)."""
    return vault.add_incident(IncidentData(summary=summary, occurred_start=when, **kw))  # type: ignore[arg-type]


@contextlib.contextmanager
def held_elsewhere(vault: Vault) -> Iterator[contextlib.ExitStack]:
    """Another connection (as another window would) holding the vault's write lock;
    ``stack.close()`` lets it go."""
    other = Vault.open(vault.path, PASSPHRASE)
    stack = contextlib.ExitStack()
    stack.callback(other.lock)
    stack.enter_context(other.writers_held("the test"))
    try:
        yield stack
    finally:
        stack.close()


@contextlib.contextmanager
def ticking() -> Iterator[list[int]]:
    """A timer of the GUI thread, counting its ticks."""
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    try:
        yield ticks
    finally:
        timer.stop()
