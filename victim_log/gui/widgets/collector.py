"""Python's cyclic garbage collector runs on the GUI thread, never on a worker.

Why: CPython runs a collection in whichever thread happens to allocate when a
generation's threshold is crossed. The app's checks, imports, exports and saves run
on worker threads and allocate a great deal, so a collection often ran there. When
that collection freed a closed window caught in a reference cycle (a dialog whose
lambdas refer back to it, say), Qt for Python deleted its widgets on the worker
thread. Qt objects must be deleted in their own thread: the widgets' style
animations (a busy bar's) and repaint connections then reached the GUI thread as
queued calls on objects already gone, and the app crashed some time later inside
Qt's drawing, long after the cause (seen as ``QCommonStylePrivate::removeAnimation``
and glyph drawing in ``QRasterPaintEngine``; #18).

So while the app runs, automatic collection is off and :class:`GuiThreadCollector`
does the same work from a timer on the GUI thread, with the thresholds Python would
have used: the objects of a closed window are freed where they were made. Plain
reference counting (most objects) is unaffected; only cycles wait for the timer.
pyqtgraph and Spyder do the same, for the same reason (a pattern first
described by Erik Janssens on the PyDev blog in 2014).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject
from PySide6.QtCore import QTimer

INTERVAL_MS = 500  # how often the GUI thread looks at the collector's counts


class GuiThreadCollector(QObject):
    """Turns automatic collection off and collects on the GUI thread instead.

    Owned by the application (``parent``), so it lives as long as the event loop
    that drives it. :meth:`stop` gives collection back to Python (the tests' session
    does at its end).
    """

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect what Python itself would have by now; the number of objects freed.

        The generation follows CPython's rule: the youngest when its count passed its
        threshold, an older one too when enough younger collections have happened.
        """
        young, middle, old = gc.get_count()
        t_young, t_middle, t_old = self._thresholds
        if t_young <= 0 or young <= t_young:
            return 0
        generation = 0
        if middle > t_middle:
            generation = 2 if old > t_old else 1
        return gc.collect(generation)

    def stop(self) -> None:
        """Stop the timer and let Python collect by itself again (if it did before)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """The collector of ``app`` (the QApplication), installed if it has none yet: the
    app and the bundle viewer both make their application through one function, which
    tests call again on the same application."""
    found = app.findChild(GuiThreadCollector)
    return found if isinstance(found, GuiThreadCollector) else GuiThreadCollector(app)
