"""The victim's own reply kept as context is marked on its timeline row (#16.5), so
nobody reading the app takes it for one of the incidents."""

from __future__ import annotations

from victim_log.gui.diary.timeline_model import describe
from victim_log.gui.diary.timeline_model import flag_labels
from victim_log.store.index import IncidentSummary


def _row(*, context: bool) -> IncidentSummary:
    return IncidentSummary(
        id=4, version=1, occurred_start="2024-04-10T18:31:00+01:00", occurred_end="", precision="exact",
        kinds=("message",), summary="You replied: Please stop contacting me.", evidence_count=1,
        reported=False, breach=False, complete_later=False, deleted=False,
        recorded_at="2024-04-11T09:00:00+00:00", first_recorded_at="2024-04-11T09:00:00+00:00",
        context=context,
    )  # fmt: skip


def test_a_context_row_says_it_is_not_an_incident() -> None:
    flags = flag_labels(_row(context=True))
    assert flags[0] == ("context", "Your reply, kept as context: not an incident")
    assert "not an incident" in describe(_row(context=True))
    assert all(flag != "context" for flag, _label in flag_labels(_row(context=False)))
