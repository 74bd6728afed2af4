"""The pattern view (#20): the course of conduct at a glance, drawn with QPainter.

Incidents per week (breaches in red), a time-of-day by day-of-week heat map, the
escalation flags with the entries behind them, streaks and gaps, and FOUR (Fixated,
Obsessive, Unwanted, Repeated) explained with the person's own figures. The figures
are :mod:`victim_log.stats`, counted by :mod:`victim_log.store.stats` on a worker
thread (the same numbers as ``victim-log stats`` and the export's key facts page).

Why QPainter rather than QtCharts: two plain charts need no extra package
(PySide6-Addons is tens of MB) and add nothing to start-up.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtGui import QPainter
from PySide6.QtGui import QPaintEvent
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGroupBox
from PySide6.QtWidgets import QLabel
from PySide6.QtWidgets import QVBoxLayout
from PySide6.QtWidgets import QWidget

from ... import casetime
from ...stats import FOUR_NOTE
from ...stats import Period
from ...stats import Stats
from ...stats import compute
from ...stats import day_text
from ...stats import four_help
from ...stats import grid_peak
from ...textsafe import display_safe
from ...textsafe import plural
from ..widgets.common import named
from ..widgets.common import start_task
from ..widgets.common import wrapped
from ..widgets.i18n import translator

if TYPE_CHECKING:
    from ...vault import Vault

__all__ = ["HeatMap", "PatternView", "WeeklyChart"]

_tr = translator("Pattern")
BAR = QColor(70, 110, 160)
BREACH = QColor(190, 50, 50)
GRID = QColor(215, 215, 215)
MUTED = QColor(110, 110, 110)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_BARS = 104  # two years of weeks; the CLI and the export show the rest


class WeeklyChart(QWidget):
    """Incidents per week as bars, breaches of an order in red at the base."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: tuple[Period, ...] = ()
        self.setMinimumHeight(170)
        named(self, "patternWeekly", _tr("Incidents per week"))

    def set_weeks(self, weeks: tuple[Period, ...]) -> None:
        self.weeks = weeks[-MAX_BARS:]
        self.setToolTip(
            _tr("Weeks beginning {first} to {last}").format(
                first=self.weeks[0].label, last=self.weeks[-1].label
            )
            if self.weeks
            else ""
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, top, bottom = 34.0, 8.0, 22.0
        w, h = self.width() - left - 6, self.height() - top - bottom
        if not self.weeks or w <= 0 or h <= 0:
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _tr("No dated incidents yet"))
            return
        peak = max(1, max(x.count for x in self.weeks))
        step = max(1, -(-peak // 4))
        top_value = step * -(-peak // step)
        p.setPen(QPen(GRID, 1))
        for k in range(0, top_value + 1, step):
            y = top + h - h * k / top_value
            p.drawLine(int(left), int(y), int(left + w), int(y))
            p.setPen(MUTED)
            p.drawText(
                QRectF(0, y - 8, left - 4, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                str(k),
            )
            p.setPen(QPen(GRID, 1))
        slot = w / len(self.weeks)
        bar = max(1.0, slot * 0.75)
        p.setPen(Qt.PenStyle.NoPen)
        for i, week in enumerate(self.weeks):
            x = left + i * slot + (slot - bar) / 2
            total = h * week.count / top_value
            red = h * week.breaches / top_value
            p.setBrush(BAR)
            p.drawRect(QRectF(x, top + h - total, bar, total - red))
            if red:
                p.setBrush(BREACH)
                p.drawRect(QRectF(x, top + h - red, bar, red))
        p.setPen(MUTED)
        every = max(1, int(60 / slot) + 1)
        for i in range(0, len(self.weeks), every):
            label = " ".join(self.weeks[i].label.split()[:2])
            x = left + i * slot
            p.drawText(QRectF(x - 20, top + h + 3, 60, 16), Qt.AlignmentFlag.AlignLeft, label)


class HeatMap(QWidget):
    """Incidents by day of the week (rows) and hour of the day (columns), times known."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid: tuple[tuple[int, ...], ...] = ((0,) * 24,) * 7
        self.setMinimumHeight(7 * 18 + 22)
        named(self, "patternHeatMap", _tr("Incidents by day of the week and hour"))

    def set_grid(self, grid: tuple[tuple[int, ...], ...]) -> None:
        self.grid = grid
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        left, top = 36.0, 4.0
        cw = (self.width() - left - 4) / 24
        ch = (self.height() - top - 18) / 7
        peak = max(1, max(max(row) for row in self.grid))
        for d, row in enumerate(self.grid):
            p.setPen(MUTED)
            p.drawText(
                QRectF(0, top + d * ch, left - 4, ch),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                _DAYS[d],
            )
            for hr, n in enumerate(row):
                shade = n / peak
                colour = QColor(
                    int(245 - (245 - BAR.red()) * shade),
                    int(245 - (245 - BAR.green()) * shade),
                    int(245 - (245 - BAR.blue()) * shade),
                )
                p.fillRect(QRectF(left + hr * cw + 0.5, top + d * ch + 0.5, cw - 1, ch - 1), colour)
        p.setPen(MUTED)
        for hr in range(0, 24, 3):
            p.drawText(
                QRectF(left + hr * cw, top + 7 * ch + 2, 3 * cw, 14),
                Qt.AlignmentFlag.AlignLeft,
                f"{hr:02d}:00",
            )


class PatternView(QWidget):
    """The whole pattern for ``vault``: call :meth:`refresh` after a change to the log.

    ``PatternView(vault, parent)``; the figures are counted on a worker thread, then
    shown; :meth:`show_stats` shows figures already counted (tests, screenshots)."""

    def __init__(self, vault: Vault, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        named(self, "patternView", _tr("The pattern"))
        layout = QVBoxLayout(self)
        self.summary = wrapped("", self, name="patternSummary")
        self.chart = WeeklyChart(self)
        self.heat = HeatMap(self)
        self.heat_note = wrapped("", self, name="patternHeatNote")
        self.breakdown = wrapped("", self, name="patternBreakdown")
        self.escalation = wrapped("", self, name="patternEscalation")
        self.streaks = wrapped("", self, name="patternStreaks")
        four_box = QGroupBox(_tr("FOUR: is this stalking?"), self)
        four_layout = QVBoxLayout(four_box)
        self.four = wrapped("", four_box, name="patternFour")
        four_layout.addWidget(self.four)
        for widget in (
            self.summary,
            _heading(_tr("Incidents per week (red: breaches of an order)"), self),
            self.chart,
            _heading(_tr("When it happens (day of the week by hour)"), self),
            self.heat,
            self.heat_note,
            _heading(_tr("By kind and by person"), self),
            self.breakdown,
            _heading(_tr("Changes in the pattern"), self),
            self.escalation,
            self.streaks,
            four_box,
        ):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.stats: Stats | None = None

    def refresh(self) -> None:
        """Count again on a worker thread (the log may hold 100,000 incidents)."""
        from ...store.stats import tally
        from ...vault import IncidentFilter

        self.summary.setText(_tr("Counting…"))
        vault, zone = self._vault, casetime.active_zone()
        today = datetime.now(zone).date()
        conn = vault.conn

        def work() -> Stats:
            return compute(tally(conn, IncidentFilter(), zone, today))

        start_task(work, self._counted)

    def _counted(self, result: object, error: object) -> None:
        if isinstance(result, Stats):
            self.show_stats(result)
        elif error is not None:
            self.summary.setText(_tr("The pattern could not be counted just now. Your log is unchanged."))

    def show_stats(self, s: Stats) -> None:
        self.stats = s
        lines = [s.occasions_text]
        if s.last is not None:
            lines.append(
                _tr("Latest: {day} ({days} ago).").format(
                    day=day_text(s.last), days=plural(s.days_since_last or 0, "day")
                )
            )
        if s.trend:
            lines.append(_tr("Trend: {trend}.").format(trend=s.trend))
        if s.undated:
            lines.append(_tr("{n} without a date are not counted.").format(n=plural(s.undated, "incident")))
        if s.left_out_count:
            refs = ", ".join(str(i) for i, _d, _w in s.left_out)
            lines.append(
                _tr("Left out of the charts, dates that cannot be right: Entries {refs}.").format(refs=refs)
            )
        self.summary.setText("\n".join(lines))
        self.chart.set_weeks(s.weeks)
        self.heat.set_grid(s.grid)
        peak = grid_peak(s.grid)
        self.heat_note.setText(
            _tr("Busiest: {peak}. At night (10pm to 6am): {n}.").format(peak=peak, n=s.night) if peak else ""
        )
        kinds = ", ".join(f"{label} {n}" for _k, label, n in s.by_kind)
        people = ", ".join(f"{display_safe(who, single_line=True)} {n}" for _i, who, _r, n in s.by_person)
        self.breakdown.setText(
            "\n".join(
                x
                for x in (
                    _tr("Kinds: {kinds}.").format(kinds=kinds) if kinds else "",
                    _tr("People named: {people}.").format(people=people) if people else "",
                )
                if x
            )
        )
        self.escalation.setText(
            display_safe("\n".join(f"• {e.line}" for e in s.escalations))
            if s.escalations
            else _tr(
                "None of the changes we look for (more often lately, new kinds of contact, "
                "at night, breaches)."
            )
        )
        streak = []
        if s.longest_streak[0] > 1 and s.longest_streak[1] and s.longest_streak[2]:
            streak.append(
                _tr("Longest run: {n} days in a row ({a} to {b}).").format(
                    n=s.longest_streak[0], a=day_text(s.longest_streak[1]), b=day_text(s.longest_streak[2])
                )
            )
        for g in s.gaps[:3]:
            streak.append(
                _tr("Gap: {n} with nothing logged, {a} to {b}.").format(
                    n=plural(g.days, "day"), a=day_text(g.after), b=day_text(g.before)
                )
            )
        self.streaks.setText("\n".join(streak))
        four = [
            f"{word}: {meaning}\n    {_tr('Your log')}: {figure}"
            for word, meaning, figure in four_help(s)
            if figure
        ]
        self.four.setText(display_safe("\n".join([*four, "", FOUR_NOTE]) if four else FOUR_NOTE))


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label
