"""The entry pane's rows: reused from entry to entry, nothing of the last entry left."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtCore import QObject

from victim_log.gui.diary.detail import IncidentFields
from victim_log.model import IncidentData

LONG = IncidentData(
    summary="Waiting at the gate",
    kinds=("loitering",),
    occurred_start="2026-06-06T21:15:00+01:00",
    location="Outside the school",
    details="He stood by the gate for an hour",
    witnesses="Mrs Patel",
    actions="Rang 101",
)
SHORT = IncidentData(summary="A call", kinds=("phone_call",), occurred_start="2026-06-07T08:00:00+01:00")
OTHER_SHORT = IncidentData(summary="A text", kinds=("message",), occurred_start="2026-06-08T09:00:00+01:00")


class _ShowsAndHides(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
            self.count += 1
        return False


def test_a_shorter_entry_leaves_nothing_of_the_longer_one(qtbot) -> None:
    fields = IncidentFields()
    qtbot.addWidget(fields)
    fields.show()
    fields.show_version(LONG, {}, {})
    assert list(fields.rows()) == ["When", "Kind", "Where", "What happened", "Witnesses", "What I did"]
    fields.show_version(SHORT, {}, {})
    assert list(fields.rows()) == ["When", "Kind"]
    spare = [label for pair in fields._pool[2:] for label in pair]
    assert spare and all(not label.isVisible() and label.text() == "" for label in spare)  # no words linger
    fields.show_version(LONG, {}, {})
    assert fields.rows()["Witnesses"] == "Mrs Patel"
    assert all(name.isVisible() and value.isVisible() for name, value in fields._pool)


def test_an_entry_as_long_as_the_last_shows_and_hides_nothing(qtbot) -> None:
    """Each show or hide relays the pane out and runs the app's event filters: it was
    most of the time taken to show the next entry while a search was being typed."""
    fields = IncidentFields()
    qtbot.addWidget(fields)
    fields.show()
    fields.show_version(SHORT, {}, {})
    counter = _ShowsAndHides()
    for name, value in fields._pool:
        name.installEventFilter(counter)
        value.installEventFilter(counter)
    fields.show_version(OTHER_SHORT, {}, {})
    assert counter.count == 0
    assert fields.rows()["Kind"] == "Text or message"
