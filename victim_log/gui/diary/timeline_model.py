"""The timeline's model: a lazy list over the vault, and how a row is put in words.

Why lazy: a victim may have logged 100,000 incidents (imported chats add thousands
at once). The model never holds them all: it knows the count and keeps a small
least-recently-used cache of pages fetched with ``vault.list_incidents(flt, offset,
limit)``.

Why a worker thread for searches: a full-text count over 100,000 entries takes
longer than the 50 ms a keystroke may wait. Filter changes run count + first page
on a Python thread (the C library releases the GIL and serialises access to the
connection); the result is applied on the GUI thread if nothing newer was asked
for meanwhile. ``reload()`` (after a change or an unlock) stays synchronous so the
view is correct the moment it returns. Locking interrupts and joins the worker
before the database is closed.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import OrderedDict
from dataclasses import asdict
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel
from PySide6.QtCore import QDate
from PySide6.QtCore import QLocale
from PySide6.QtCore import QModelIndex
from PySide6.QtCore import QObject
from PySide6.QtCore import QPersistentModelIndex
from PySide6.QtCore import Qt
from PySide6.QtCore import Signal

from ... import casetime
from ...errors import VictimLogError
from ...model import SHORT_LABELS
from ...support import worker_of
from ...textsafe import display_safe
from ...vault import IncidentFilter
from ...vault import IncidentSummary
from ...vault import Vault
from ..shell.session import Session
from ..shell.session import carry_on
from ..widgets.i18n import translator

PAGE_SIZE = 200
MAX_CACHED_PAGES = 50

_tr = translator("Timeline")


class Roles(IntEnum):
    SUMMARY = Qt.ItemDataRole.UserRole + 1  # the IncidentSummary
    ID = Qt.ItemDataRole.UserRole + 2  # the incident id
    NEW_DAY = Qt.ItemDataRole.UserRole + 3  # True on the first row of a day
    AUTHOR = Qt.ItemDataRole.UserRole + 4  # "support:NAME" when a worker entered it, else ""


# --------------------------------------------------------------------------- formatting


@functools.lru_cache(maxsize=4096)
def _on_case_clock(start: str, zone: str) -> tuple[str, str]:
    """(ISO day, "21:15 BST") of a stored time on the case's clock (#16.4)."""
    dt = casetime.parse_instant(start)
    if dt is None:
        return start[:10], ""
    local = casetime.in_zone(dt, casetime.zone_of(zone))
    return local.date().isoformat(), casetime.clock_text(local, local.tzinfo)


def _timed(s: IncidentSummary) -> bool:
    return (
        bool(s.occurred_start) and s.precision not in ("day", "unknown_time") and len(s.occurred_start) >= 16
    )


def day_key(s: IncidentSummary) -> str:
    """The day a row belongs to on the case's clock (a day without a time: the day given)."""
    if s.occurred_start:
        if _timed(s):
            return _on_case_clock(s.occurred_start, casetime.active_zone().key)[0]
        return s.occurred_start[:10]
    return "?" + s.first_recorded_at[:10]


@functools.lru_cache(maxsize=1024)
def format_day(key: str, long: bool = False) -> str:
    """A day key as words: 'Wed 3 Jun 2026' (or the long form for the detail pane)."""
    unknown = key.startswith("?")
    qdate = QDate.fromString(key.lstrip("?"), Qt.DateFormat.ISODate)
    if not qdate.isValid():
        return _tr("Date not known")
    text = QLocale().toString(qdate, "dddd d MMMM yyyy" if long else "ddd d MMM yyyy")
    return _tr("Date not known") if unknown and not long else text


def format_time(s: IncidentSummary) -> str:
    """The time column on the case's clock, naming it: '21:15 BST', '~21:15 BST' when
    approximate, a dash when not known."""
    if not _timed(s):
        return "\u2014"
    hhmm = _on_case_clock(s.occurred_start, casetime.active_zone().key)[1]
    return "~" + hhmm if s.precision == "approximate" else hhmm


def flag_labels(s: IncidentSummary, author: str = "") -> list[tuple[str, str]]:
    """(flag id, label) pairs for the row's flags, in the order they are drawn;
    ``author`` is the support worker who entered the latest version (#18), if any."""
    out: list[tuple[str, str]] = []
    worker = worker_of(author)
    if worker:
        out.append(("support", _tr("With %1").replace("%1", display_safe(worker, single_line=True))))
    if s.context:  # the victim's own reply kept from an import (#16.5)
        out.append(("context", _tr("Your reply, kept as context: not an incident")))
    if s.evidence_count:
        n = s.evidence_count
        out.append(("evidence", _tr("1 file") if n == 1 else _tr("%1 files").replace("%1", str(n))))
    if s.reported:
        out.append(("police", _tr("Reported")))
    if s.breach and "order_breach" not in s.kinds:  # the kind already says so
        out.append(("breach", _tr("Order breach")))
    if s.complete_later:
        out.append(("later", _tr("Complete later")))
    return out


def describe(s: IncidentSummary, author: str = "") -> str:
    """One plain sentence for screen readers and tool tips."""
    when = format_day(day_key(s))
    t = format_time(s)
    if t != "\u2014":
        when += " " + t
    kinds = ", ".join(_tr(SHORT_LABELS.get(k, k)) for k in s.kinds)
    parts = [when, kinds, display_safe(s.summary, single_line=True)]
    parts += [label for _flag, label in flag_labels(s, author)]
    return ". ".join(p for p in parts if p)


def filter_to_dict(flt: IncidentFilter) -> dict[str, Any]:
    d = asdict(flt)
    d["kinds"] = list(flt.kinds)
    return d


def filter_from_dict(d: dict[str, Any]) -> IncidentFilter:
    known = set(IncidentFilter.__dataclass_fields__)
    values = {k: v for k, v in d.items() if k in known}
    if "kinds" in values:
        values["kinds"] = tuple(values["kinds"])
    return IncidentFilter(**values)


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class _FirstPage:
    """What a query thread hands back: the number of matches and the first rows."""

    total: int
    rows: list[IncidentSummary]
    authors: dict[int, str]


class TimelineModel(QAbstractListModel):
    """Incidents newest first, fetched a page at a time; never all in memory."""

    query_started = Signal()
    query_finished = Signal(int)  # the number of rows after a (re)load
    query_failed = Signal(object)  # the exception (a VictimLogError or unexpected)
    _result_ready = Signal(int, object, object)  # generation, filter, (total, page) | exc

    def __init__(
        self,
        session: Session,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_CACHED_PAGES,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._page_size = page_size
        self._max_pages = max_pages
        self._flt = IncidentFilter()  # what the rows show
        self._wanted = IncidentFilter()  # what was last asked for
        self._count = 0
        self._pages: OrderedDict[int, list[IncidentSummary]] = OrderedDict()
        # Entries a support worker entered last, for the rows cached (#18): id -> author.
        self._authors: dict[int, str] = {}
        self._generation = 0
        self._worker: threading.Thread | None = None
        self._worker_vault: Vault | None = None
        self._queued: tuple[int, IncidentFilter] | None = None
        self._result_ready.connect(self._apply_result, Qt.ConnectionType.QueuedConnection)
        self.fetches = 0  # pages read from the vault (tests check laziness with it)

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        s = self.summary_at(row)
        if s is None:
            return None
        if role == Roles.SUMMARY:
            return s
        if role == Roles.ID:
            return s.id
        if role == Roles.AUTHOR:
            return self._authors.get(s.id, "")
        if role == Roles.NEW_DAY:
            if row == 0:
                return True
            prev = self.summary_at(row - 1)
            return prev is None or day_key(prev) != day_key(s)
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return describe(s, self._authors.get(s.id, ""))
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # ------------------------------------------------------------------ rows

    @property
    def current_filter(self) -> IncidentFilter:
        return self._flt

    @property
    def wanted_filter(self) -> IncidentFilter:
        return self._wanted

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def cached_pages(self) -> int:
        return len(self._pages)

    def summary_at(self, row: int) -> IncidentSummary | None:
        if not 0 <= row < self._count:
            return None
        page, offset = divmod(row, self._page_size)
        rows = self._pages.get(page)
        if rows is None:
            rows = self._fetch_page(page)
        else:
            self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    def author_of(self, incident_id: int) -> str:
        """``support:NAME`` if a support worker entered the row's latest version, else ""."""
        return self._authors.get(incident_id, "")

    def id_at(self, row: int) -> int | None:
        s = self.summary_at(row)
        return None if s is None else s.id

    def row_of(self, incident_id: int, *, search_pages: int = 0) -> int | None:
        """The row showing ``incident_id`` if it is in a cached page (or in the first
        ``search_pages`` pages, which are fetched if needed)."""
        for page, rows in list(self._pages.items()):
            for i, s in enumerate(rows):
                if s.id == incident_id:
                    return page * self._page_size + i
        for page in range(min(search_pages, -(-self._count // self._page_size))):
            if page in self._pages:
                continue
            for i, s in enumerate(self._fetch_page(page)):
                if s.id == incident_id:
                    return page * self._page_size + i
        return None

    def _fetch_page(self, page: int) -> list[IncidentSummary]:
        vault = self._session.vault
        if vault is None or not vault.is_open:
            return []
        try:
            rows = vault.list_incidents(self._flt, offset=page * self._page_size, limit=self._page_size)
            self._authors.update(vault.support_authors([r.id for r in rows]))
        except VictimLogError:
            return []
        self.fetches += 1
        self._pages[page] = rows
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)
        return rows

    # ------------------------------------------------------------------ (re)loading

    def reload(self, flt: IncidentFilter | None = None) -> None:
        """Re-query now, on this thread (after a change, an unlock or a restore)."""
        if flt is not None:
            self._wanted = flt
        self._generation += 1
        self._queued = None
        vault = self._session.vault
        total = 0
        first: list[IncidentSummary] = []
        authors: dict[int, str] = {}
        if vault is not None and vault.is_open:
            try:
                total = vault.count_incidents(self._wanted)
                if total:
                    first = vault.list_incidents(self._wanted, offset=0, limit=self._page_size)
                    authors = vault.support_authors([r.id for r in first])
            except VictimLogError as exc:
                self.query_failed.emit(exc)
                total, first = 0, []
        self._apply(self._wanted, total, first, authors)

    def set_filter(self, flt: IncidentFilter) -> None:
        """Ask for rows matching ``flt``; they arrive a moment later (see query_finished)."""
        self._wanted = flt
        self._generation += 1
        if self._worker is not None:
            self._queued = (self._generation, flt)  # the newest request wins
            return
        self._start(self._generation, flt)

    def _start(self, generation: int, flt: IncidentFilter) -> None:
        vault = self._session.vault
        if vault is None or not vault.is_open:
            return
        self.query_started.emit()
        self._worker_vault = vault
        worker = threading.Thread(
            target=self._run_query, args=(generation, flt, vault), name="timeline-query", daemon=True
        )
        self._worker = worker
        worker.start()

    def _run_query(self, generation: int, flt: IncidentFilter, vault: Vault) -> None:
        """Worker thread: only reads, and hands the result back to the GUI thread."""
        result: _FirstPage | Exception
        try:
            total = vault.count_incidents(flt)
            first = vault.list_incidents(flt, offset=0, limit=self._page_size) if total else []
            result = _FirstPage(total, first, vault.support_authors([r.id for r in first]))
        except Exception as exc:  # noqa: BLE001 - passed to the GUI thread to be shown
            result = exc
        with contextlib.suppress(RuntimeError):  # the model was deleted meanwhile
            self._result_ready.emit(generation, flt, result)

    def _apply_result(self, generation: int, flt: IncidentFilter, result: object) -> None:
        self._join_worker()
        queued, self._queued = self._queued, None
        if generation == self._generation:
            if isinstance(result, _FirstPage):
                self._apply(flt, result.total, result.rows, result.authors)
            else:
                self.query_failed.emit(result)
                self.query_finished.emit(self._count)
        if queued is not None and queued[0] == self._generation:
            self._start(*queued)

    def _apply(
        self, flt: IncidentFilter, total: int, first: list[IncidentSummary], authors: dict[int, str]
    ) -> None:
        self.beginResetModel()
        self._flt = flt
        self._count = total
        self._pages.clear()
        self._authors = authors
        if first:
            self._pages[0] = first
        self.endResetModel()
        self.query_finished.emit(total)

    def _join_worker(self) -> None:
        worker, self._worker = self._worker, None
        self._worker_vault = None
        if worker is not None:
            worker.join()

    def stop(self) -> None:
        """Cancel a running search and wait for its thread (before the vault closes)."""
        self._generation += 1
        self._queued = None
        worker, vault = self._worker, self._worker_vault
        if worker is not None and worker.is_alive() and vault is not None and vault.is_open:
            # Stop the query early if the connection offers it; otherwise it ends
            # by itself (a count over 100,000 rows takes well under a second).
            with carry_on():
                interrupt = getattr(vault.conn, "interrupt", None)
                if callable(interrupt):
                    interrupt()
        if worker is not None:
            worker.join(timeout=5)
        self._worker = None
        self._worker_vault = None

    def clear(self) -> None:
        """Forget every row (lock): nothing of the diary stays in this model."""
        self.stop()
        self.beginResetModel()
        self._count = 0
        self._pages.clear()
        self._authors = {}
        self._flt = IncidentFilter()
        self._wanted = IncidentFilter()
        self.endResetModel()
