"""The pattern view (#20): counted on a worker thread from the vault, the weekly chart
and heat map fed with the same figures as ``victim-log stats``, escalation and FOUR in
words with the person's own figures, and it paints offscreen."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtGui import QImage

from victim_log import casetime
from victim_log.gui.diary.pattern import PatternView
from victim_log.model import IncidentData
from victim_log.stats import Entry
from victim_log.stats import compute
from victim_log.stats import tally_entries
from victim_log.vault import Vault


def test_pattern_view_counts_the_log(qtbot, vault: Vault) -> None:
    casetime.set_vault_zone(vault, "Europe/London")
    casetime.use_vault_zone(vault)
    for day in (2, 3, 4, 10, 24):
        vault.add_incident(IncidentData("Texts", ("message",), f"2026-03-{day:02d}T23:15"))
    vault.add_incident(IncidentData("At the door", ("in_person", "threat"), "2026-03-26T19:00"))
    vault.add_incident(
        IncidentData("You replied: stop", ("message",), "2026-03-05T08:00", author="imported:context")
    )
    view = PatternView(vault)
    qtbot.addWidget(view)
    view.refresh()
    qtbot.waitUntil(lambda: view.stats is not None, timeout=10_000)
    s = view.stats
    assert s is not None and s.total == 6
    assert "6 incidents on 6 separate days" in view.summary.text()
    assert [w.count for w in view.chart.weeks][:4] == [3, 1, 0, 2]  # 24 and 26 March share a week
    assert view.heat.grid[0][23] == 1  # Monday 2 March, 23:15
    assert "Kinds: Message 5, In person 1, Threat 1." in view.breakdown.text()
    assert "Now in person" in view.escalation.text() and "Entry 6" in view.escalation.text()
    four = view.four.text()
    assert "Repeated: It happens again and again" in four
    assert "6 incidents in 4 weeks." in four
    assert "You told them to stop once" in four
    assert "0808 802 0300" in four
    # Counted again after a change: the day totals the vault keeps followed it.
    vault.delete_incident(1, "typed twice")
    vault.add_incident(IncidentData("Outside", ("loitering",), "2026-03-03T01:00"))
    view.stats = None
    view.refresh()
    qtbot.waitUntil(lambda: view.stats is not None, timeout=10_000)
    assert view.stats is not None and view.stats.total == 6
    assert [w.count for w in view.chart.weeks][:4] == [3, 1, 0, 2] and view.heat.grid[1][1] == 1


def test_pattern_view_paints_offscreen(qtbot, vault: Vault) -> None:
    london = ZoneInfo("Europe/London")
    entries = [
        Entry(k + 1, datetime(2026, 3, k % 28 + 1, 21, tzinfo=london), True, ("message",)) for k in range(40)
    ]
    view = PatternView(vault)
    qtbot.addWidget(view)
    view.resize(800, 900)
    view.show_stats(compute(tally_entries(entries, date(2026, 4, 6))))
    image = QImage(view.size(), QImage.Format.Format_ARGB32)
    view.render(image)
    colours = {image.pixelColor(x, y).name() for x in range(0, 800, 7) for y in range(0, 900, 7)}
    assert "#466ea0" in colours  # the bars' blue was painted


def test_empty_log(qtbot, vault: Vault) -> None:
    view = PatternView(vault)
    qtbot.addWidget(view)
    view.show_stats(compute(tally_entries([], date(2026, 4, 6))))
    assert "No incidents with a known date" in view.summary.text()
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    view.chart.render(image)  # "No dated incidents yet", no division by zero
