"""Writes to the vault leave the GUI thread; a busy vault is tried again quietly (#23.9).

Why: SQLite waits up to 5 s for the write lock another window or process holds. On
the GUI thread that froze the window (no painting, no auto-lock timer, the quick
exit keys queued) and then said "busy" anyway. :func:`run_write` runs one core call
(``vault.add_incident(...)``, a deletion, a new person) on a worker thread and spins
a local event loop until it ends, so a caller stays as plain as a direct call (the
return value, or the exception) while the window keeps painting and every timer and
key filter keeps working.

While it runs the window's controls are disabled (nothing typed after the form was
read could be lost by a save that then closes it), and after a moment a banner at the
foot of the window says "Saving…". When the vault answers busy the call is tried
again quietly until :data:`PATIENCE` seconds have passed, the banner saying the diary
is busy; if it never frees, the error reaches the caller, whose form still holds
everything typed (and the lock seals it as a draft).

The lock calls :func:`settle` before it seals the draft: no new attempt starts and
the one running is waited for (SQLite's own wait is bounded), so the lock knows from
:func:`landed_for` whether an entry being saved is in the diary already.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any
from typing import Generic
from typing import TypeVar
from typing import cast

import shiboken6
from PySide6.QtCore import QEventLoop
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFrame
from PySide6.QtWidgets import QHBoxLayout
from PySide6.QtWidgets import QWidget

from ...errors import VaultBusy
from ...errors import VaultLocked
from .common import busy_bar
from .common import one_shot
from .common import start_task
from .common import wrapped
from .i18n import translator

T = TypeVar("T")

PATIENCE = 15.0  # seconds of quiet retrying after the vault first answers busy
PAUSE = 0.5  # between attempts (each attempt itself waits up to 5 s inside SQLite)
SHOW_AFTER_MS = 300  # a save quicker than this shows no banner at all
SETTLE_SECONDS = 8.0  # how long the lock waits for a write that is running

_tr = translator("Widgets")
_JOBS: set[WriteJob[Any]] = set()


class SaveInterrupted(VaultLocked):
    """The lock (or quitting) stopped a save before it landed. The lock has sealed the
    form as a draft already, so the form says nothing more about it."""


class WriteJob(Generic[T]):
    """One write and its outcome; :meth:`run` is the worker thread's whole work."""

    def __init__(self, work: Callable[[], T], owner: QWidget | None = None) -> None:
        self._work: Callable[[], T] = work
        self.owner = owner
        self.stop = threading.Event()  # the lock: no further attempt
        self.finished = threading.Event()
        self.busy = threading.Event()  # the vault answered busy at least once
        self.result: T | None = None
        self.error: BaseException | None = None

    @property
    def landed(self) -> bool:
        return self.finished.is_set() and self.error is None

    def run(self) -> None:
        deadline: float | None = None
        try:
            while True:
                try:
                    self.result = self._work()
                    return
                except VaultBusy:
                    now = time.monotonic()
                    deadline = now + PATIENCE if deadline is None else deadline
                    if self.stop.is_set() or now >= deadline:
                        raise
                    self.busy.set()
                    self.stop.wait(PAUSE)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread to show
            self.error = exc
        finally:
            # The closure (the entry's words, perhaps the window) is let go with the
            # job, on the GUI thread: a window freed here would be deleted off it.
            self.finished.set()


class SavingBanner(QFrame):
    """ "Saving…" at the foot of a window while a write runs: the app is working, not stuck."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("savingBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.text = wrapped(_tr("Saving\u2026"), self, name="savingText")
        self.said_busy = False
        row = QHBoxLayout(self)
        row.addWidget(busy_bar(self))
        row.addWidget(self.text, 1)
        self.hide()

    def busy(self) -> None:
        self.said_busy = True
        self.text.setText(_tr("Saving\u2026 (the diary is busy, trying again)"))
        self.appear()

    def appear(self) -> None:
        window = self.parentWidget()
        if window is None:
            return
        height = self.sizeHint().height()
        self.setGeometry(0, max(0, window.height() - height), window.width(), height)
        self.setAccessibleName(self.text.text())
        self.show()
        self.raise_()


@contextlib.contextmanager
def _held_still(window: QWidget, banner: QWidget) -> Iterator[None]:
    """The window's controls disabled while the write runs, then as they were."""
    focus = window.focusWidget()
    changed = [w for w in window.children() if isinstance(w, QWidget) and w is not banner and w.isEnabled()]
    for w in changed:
        w.setEnabled(False)
    try:
        yield
    finally:
        for w in changed:
            if shiboken6.isValid(w):
                w.setEnabled(True)
        if focus is not None and shiboken6.isValid(focus):
            focus.setFocus()


def run_write(parent: QWidget, work: Callable[[], T], *, hold: bool = True) -> T:
    """``work()`` on a worker thread, retried while the vault is busy; the GUI keeps
    running meanwhile. Returns its result or raises its error, like a direct call.
    Raises :class:`SaveInterrupted` if the lock or quitting stopped it first.
    ``hold=False``: the window's controls stay enabled (a write of nothing typed)."""
    window = parent.window()
    job: WriteJob[T] = WriteJob(work, window)
    _JOBS.add(job)
    loop = QEventLoop()
    banner = SavingBanner(window)
    shown = one_shot(banner, banner.appear, SHOW_AFTER_MS)
    watch = QTimer()
    watch.setInterval(100)
    watch.timeout.connect(lambda: banner.busy() if job.busy.is_set() and not banner.said_busy else None)

    def ended(_result: object, _error: object) -> None:
        loop.quit()

    try:
        with _held_still(window, banner) if hold else contextlib.nullcontext():
            start_task(job.run, ended)
            shown.start()
            watch.start()
            if not job.finished.is_set():
                loop.exec()
    finally:
        shown.stop()
        watch.stop()
        banner.hide()
        banner.deleteLater()
        _JOBS.discard(job)
    if not job.finished.is_set() or (job.stop.is_set() and job.error is not None):
        job.stop.set()  # quitting, or locked meanwhile: the lock sealed the form
        raise SaveInterrupted("The diary was locked before this was saved; what you typed is kept.")
    if job.error is not None:
        raise job.error
    return cast(T, job.result)


def settle(timeout: float = SETTLE_SECONDS) -> None:
    """The lock: start no new attempt, and wait (bounded) for those running."""
    deadline = time.monotonic() + timeout
    for job in list(_JOBS):
        job.stop.set()
    for job in list(_JOBS):
        job.finished.wait(max(0.0, deadline - time.monotonic()))


def landed_for(window: QWidget) -> bool:
    """A write ``window`` started has been saved (its result not yet handed back)."""
    return any(job.owner is window and job.landed for job in list(_JOBS))
