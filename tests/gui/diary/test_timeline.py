"""The timeline: lazy paging over 100,000 rows, day grouping, filters, search off the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from tests.gui.conftest import add
from tests.gui.conftest import bulk_timeline
from victim_log.gui.diary.filterbar import FilterBar
from victim_log.gui.diary.timeline import TimelineList
from victim_log.gui.diary.timeline import TimelinePanel
from victim_log.gui.diary.timeline_model import MAX_CACHED_PAGES
from victim_log.gui.diary.timeline_model import PAGE_SIZE
from victim_log.gui.diary.timeline_model import Roles
from victim_log.gui.diary.timeline_model import TimelineModel
from victim_log.gui.diary.timeline_model import day_key
from victim_log.gui.diary.timeline_model import describe
from victim_log.gui.diary.timeline_model import filter_from_dict
from victim_log.gui.diary.timeline_model import filter_to_dict
from victim_log.gui.diary.timeline_model import format_time
from victim_log.gui.shell.session import Session
from victim_log.model import PersonData
from victim_log.model import PoliceReport
from victim_log.vault import IncidentFilter
from victim_log.vault import Vault


def test_model_over_100k_rows_pages_lazily(qtbot, session: Session, vault: Vault) -> None:
    bulk_timeline(vault, 100_000)
    model = TimelineModel(session)
    model.reload()
    assert model.rowCount() == 100_000
    assert model.fetches == 0 and model.cached_pages() == 1  # count + first page only

    first = model.index(0).data(Roles.SUMMARY)
    middle = model.index(50_000).data(Roles.SUMMARY)
    last = model.index(99_999).data(Roles.SUMMARY)
    assert (first.id, middle.id, last.id) == (1, 50_001, 100_000)  # newest first
    assert first.occurred_start > middle.occurred_start > last.occurred_start
    assert "Bulk incident 100000." in model.index(99_999).data(Qt.ItemDataRole.DisplayRole)
    assert model.cached_pages() == 3 and model.fetches == 2
    assert not model.canFetchMore(model.index(0).parent())  # the count is known up front

    # Jumping around never keeps more than the page budget in memory.
    for page in range(0, 100_000 // PAGE_SIZE, 7):
        assert model.summary_at(page * PAGE_SIZE) is not None
    assert model.cached_pages() <= MAX_CACHED_PAGES

    # A real view over it paints only what is visible.
    view = TimelineList()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    before = model.fetches
    view.scrollToBottom()
    view.viewport().grab()
    view.scrollTo(model.index(50_123), QAbstractItemView.ScrollHint.PositionAtTop)
    view.viewport().grab()
    assert model.fetches - before <= 4
    view.keyboardSearch("Bulk")  # Qt's type-ahead would walk all 100,000 rows; ours does not
    assert model.fetches - before <= 4


def test_day_grouping_and_row_text(qtbot, session: Session, vault: Vault, monkeypatch) -> None:
    from zoneinfo import ZoneInfo

    from victim_log import casetime

    monkeypatch.setattr(casetime, "_active", ZoneInfo("Europe/London"))  # the case's clock
    a = add(vault, "Flowers on the doorstep", "2026-06-06T08:10:00+01:00", kinds=("gift",))
    b = add(
        vault,
        "Missed calls",
        "2026-06-06T23:10:00+01:00",
        kinds=("phone_call",),
        precision="approximate",
        police=PoliceReport(reference="EX/1"),
    )
    c = add(
        vault,
        "Watching the house",
        "2026-06-05T21:00:00+01:00",
        kinds=("loitering",),
        precision="day",
        complete_later=True,
    )
    model = TimelineModel(session)
    model.reload()
    assert [model.id_at(r) for r in range(3)] == [b, a, c]
    assert [model.index(r).data(Roles.NEW_DAY) for r in range(3)] == [True, False, True]
    rows = [model.summary_at(r) for r in range(3)]
    assert [day_key(s) for s in rows] == ["2026-06-06", "2026-06-06", "2026-06-05"]
    # on the case's clock, naming it (#16.4)
    assert [format_time(s) for s in rows] == ["~23:10 BST", "08:10 BST", "\u2014"]
    assert "Reported" in describe(rows[0]) and "Complete later" in describe(rows[2])

    view = TimelineList()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 300)
    view.show()
    qtbot.waitExposed(view)
    assert not view.viewport().grab().isNull()


def test_search_as_you_type_is_debounced_and_off_the_gui_thread(
    qtbot, session: Session, vault: Vault, monkeypatch
) -> None:
    add(vault, "Car tyres slashed", "2026-07-02T23:55:00+01:00", kinds=("damage",))
    add(vault, "Text messages from Dan", "2026-07-03T10:00:00+01:00", kinds=("message",))
    add(vault, "Texts again", "2026-07-04T10:00:00+01:00", kinds=("message",))
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    panel.show()
    panel.reload()
    assert panel.model.rowCount() == 3

    threads: list[str] = []
    real_count = vault.count_incidents

    def counting(flt: IncidentFilter | None = None) -> int:
        threads.append(threading.current_thread().name)
        return real_count(flt)

    monkeypatch.setattr(vault, "count_incidents", counting)
    search = panel.filter_bar.search
    qtbot.keyClicks(search, "tyre")
    assert threads == []  # typing itself never queries
    assert panel.filter_bar.pending
    with qtbot.waitSignal(panel.model.query_finished, timeout=3000):
        pass
    assert threads == ["timeline-query"]
    assert panel.model.rowCount() == 1
    assert panel.model.summary_at(0).summary == "Car tyres slashed"
    assert panel.filter_bar.count_label.text() == "1 match"

    search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=3000)
    qtbot.keyClicks(search, "zzzz")
    qtbot.waitUntil(lambda: panel.empty.isVisible(), timeout=3000)
    assert panel.empty_button.text() == "Clear search and filters"
    panel.empty_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 3, timeout=3000)
    assert search.text() == ""


def test_newest_request_wins(qtbot, session: Session, vault: Vault) -> None:
    add(vault, "Alpha", "2026-07-01T10:00:00+01:00")
    add(vault, "Beta", "2026-07-02T10:00:00+01:00")
    model = TimelineModel(session)
    model.reload()
    model.set_filter(IncidentFilter(text="alpha"))
    model.set_filter(IncidentFilter(text="beta"))
    model.set_filter(IncidentFilter(text="alpha"))
    qtbot.waitUntil(lambda: not model.busy and model.current_filter.text == "alpha", timeout=3000)
    assert model.rowCount() == 1 and model.summary_at(0).summary == "Alpha"


def test_filters_kind_person_evidence_police_later(qtbot, session: Session, vault: Vault) -> None:
    dan = vault.add_person(PersonData(name="Dan Marsh"))
    add(vault, "Calls", "2026-07-01T10:00:00+01:00", kinds=("phone_call",), people=(dan,))
    add(
        vault,
        "Reported gift",
        "2026-07-02T10:00:00+01:00",
        kinds=("gift",),
        police=PoliceReport(reference="EX/2"),
        complete_later=True,
    )
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    panel.filter_bar.set_people([(p.id, p.data.name) for p in vault.list_people()])
    panel.reload()
    bar = panel.filter_bar
    bar.more.click()
    assert bar.panel.isVisibleTo(panel)

    def apply(action) -> int:
        with qtbot.waitSignal(panel.model.query_finished, timeout=3000):
            action()
        return panel.model.rowCount()

    assert apply(lambda: bar.kind.setCurrentIndex(bar.kind.findData("gift"))) == 1
    assert bar.more.text() == "Filters (1)"
    assert apply(lambda: bar.kind.setCurrentIndex(0)) == 2
    assert apply(lambda: bar.person.setCurrentIndex(bar.person.findData(dan))) == 1
    assert panel.model.summary_at(0).summary == "Calls"
    assert apply(lambda: bar.person.setCurrentIndex(0)) == 2
    assert apply(lambda: bar.police.setCurrentIndex(1)) == 1  # reported
    assert apply(lambda: bar.police.setCurrentIndex(2)) == 1  # not reported
    assert apply(lambda: bar.police.setCurrentIndex(0)) == 2
    assert apply(lambda: bar.later.setChecked(True)) == 1
    assert apply(lambda: bar.evidence.setCurrentIndex(1)) == 0  # with evidence: none
    assert apply(bar.clear_button.click) == 2
    assert bar.current_filter() == IncidentFilter()

    bar.range.setCurrentIndex(bar.range.findData("custom"))
    assert bar.date_from.isVisibleTo(panel)


def test_filter_state_round_trip(qtbot) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_people([(4, "Dan Marsh")])
    bar.search.setText("tyres")
    bar.kind.setCurrentIndex(bar.kind.findData("damage"))
    bar.person.setCurrentIndex(1)
    bar.police.setCurrentIndex(2)
    bar.later.setChecked(True)
    state = bar.state()
    flt = bar.current_filter()
    assert flt == IncidentFilter(
        text="tyres", kinds=("damage",), person_id=4, reported=False, complete_later=True
    )
    assert filter_from_dict(filter_to_dict(flt)) == flt

    other = FilterBar()
    qtbot.addWidget(other)
    other.set_people([(4, "Dan Marsh")])
    other.set_state(state)
    assert other.current_filter() == flt
    assert not other.pending  # restoring does not start a search by itself

    other.wipe()
    assert other.search.text() == "" and other.person.count() == 1
    assert other.current_filter() == IncidentFilter()


def test_typing_in_the_list_goes_to_search_and_wipe_forgets(qtbot, session: Session, vault: Vault) -> None:
    add(vault, "Something", "2026-07-01T10:00:00+01:00")
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    panel.show()
    panel.reload()
    panel.list.setFocus()
    qtbot.keyClicks(panel.list, "so")
    assert panel.filter_bar.search.text() == "so"
    panel.wipe()
    assert panel.model.rowCount() == 0 and panel.model.cached_pages() == 0
    assert panel.filter_bar.search.text() == ""


def _panel_telling_shown(qtbot, session: Session) -> tuple[TimelinePanel, list[object]]:
    """A shown timeline, and the list of the entries it told the entry pane to show."""
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    panel.show()
    shown: list[object] = []
    panel.current_changed.connect(shown.append)
    return panel, shown


def test_a_new_result_shows_its_entry_a_frame_after_the_list(qtbot, session: Session, vault: Vault) -> None:
    """Applying a search result must not also fill the detail pane in the same turn:
    together they were the longest pause while typing (issue 5's 50 ms budget)."""
    add(vault, "Car tyres slashed", "2026-07-02T23:55:00+01:00", kinds=("damage",))
    add(vault, "Texts again", "2026-07-04T10:00:00+01:00", kinds=("message",))
    panel, shown = _panel_telling_shown(qtbot, session)
    with qtbot.waitSignal(panel.model.query_finished, timeout=3000):
        panel.reload()
    assert shown == []  # the list is reset and painted first
    qtbot.waitUntil(lambda: shown == [2], timeout=2000)
    # Choosing a row by hand shows it at once.
    panel.list.setCurrentIndex(panel.model.index(1, 0))
    assert shown == [2, 1]


def test_the_entry_waits_for_a_search_running_before_it_follows(
    qtbot, session: Session, vault: Vault, monkeypatch
) -> None:
    """Its reads would wait for the search thread's hold on the vault's connection:
    the longest stall while typing (up to 45 ms) was the pane filled during a search."""
    add(vault, "Car tyres slashed", "2026-07-02T23:55:00+01:00", kinds=("damage",))
    panel, shown = _panel_telling_shown(qtbot, session)
    searching = [True]
    monkeypatch.setattr(TimelineModel, "busy", property(lambda _self: searching[0]))
    with qtbot.waitSignal(panel.model.query_finished, timeout=3000):
        panel.reload()
    qtbot.wait(200)  # many times the frame it would otherwise wait
    assert shown == []
    searching[0] = False
    qtbot.waitUntil(lambda: shown == [1], timeout=2000)
