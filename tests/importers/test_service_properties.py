"""Property test through the whole import service: generated chats with dates from
anywhere in the calendar, in zones with and without clock changes, import without an
internal error and leave a vault that checks out.

The parser tests hold the parsing; this one found that a message dated in year 9999
stopped the import inside the local-time arithmetic.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.helpers import PASSPHRASE
from tests.helpers import computer_zone
from tests.importers.test_whatsapp_roundtrip import TEXT
from tests.importers.test_whatsapp_roundtrip import Msg
from tests.importers.test_whatsapp_roundtrip import _special
from tests.importers.test_whatsapp_roundtrip import render_android
from victim_log import casetime
from victim_log.importers.service import ImportRequest
from victim_log.importers.service import run_import
from victim_log.vault import Vault

ZONES = ["UTC", "Europe/London", "America/New_York", "Pacific/Kiritimati"]
# The ends of the calendar and of the plausible window, where the arithmetic breaks.
EDGES = [
    datetime(9999, 12, 31, 23, 59),
    datetime(1000, 1, 1),
    datetime(1969, 12, 31, 23, 59),
    datetime(1970, 1, 1, 0, 1),
    datetime(2024, 3, 31, 1, 30),
    datetime(2024, 10, 27, 1, 30),
]


def _plausible(when: datetime) -> bool:
    """The rule, written again independently of the code under test."""
    return datetime(1970, 1, 1) <= when <= datetime.now() + timedelta(days=366)


@st.composite
def chats(draw: st.DrawFn) -> list[Msg]:
    msgs = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        when = draw(
            st.sampled_from(EDGES)
            | st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31))
        )
        text = draw(TEXT.filter(lambda t: not _special(t) and t.strip() != ""))
        msgs.append(Msg(when.replace(second=0, microsecond=0), "Dan Marsh", text))
    return msgs


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(msgs=chats(), zone=st.sampled_from(ZONES))
@example(msgs=[Msg(datetime(2024, 3, 31, 1, 30), "Dan Marsh", "gap")], zone="Europe/London")
@example(msgs=[Msg(datetime(2024, 10, 27, 1, 30), "Dan Marsh", "twice")], zone="Europe/London")
@example(msgs=[Msg(datetime(9999, 12, 31, 23, 59), "Dan Marsh", "end")], zone="America/New_York")
def test_any_dates_import_cleanly(
    msgs: list[Msg],
    zone: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with computer_zone(zone):
        folder = tmp_path_factory.mktemp("chat")
        chat = folder / "chat.txt"
        chat.write_bytes(render_android(msgs, "dmy", twelve=False, short_year=False))
        vault, _ = Vault.create(folder / "v", PASSPHRASE)
        try:
            report = run_import(
                vault, ImportRequest("whatsapp", Path(chat), sender="Dan Marsh", date_order="dmy")
            )
            assert report.incidents_created == len(msgs)
            for iid, msg in zip(report.incident_ids, msgs, strict=True):
                data = vault.get_incident(iid).data
                if _plausible(msg.when):
                    # the phone's wall-clock time in the zone; a time skipped when the clocks
                    # go forward is read on the clock before the change, and says so (#16.4:
                    # astimezone put 01:30 on 31 Mar 2024 at 00:30, contradicting the line)
                    placed = datetime.fromisoformat(data.occurred_start)
                    z = ZoneInfo(zone)
                    if casetime.check_wall(msg.when, z) == "gap":
                        assert placed == casetime.fixed(msg.when.replace(tzinfo=z, fold=0))
                        assert "clocks skipped" in data.details
                    else:
                        assert placed.astimezone(z).replace(tzinfo=None) == msg.when
                else:
                    assert (data.occurred_start, data.precision) == ("", "unknown_time")
                    assert "cannot be right" in data.details
            assert vault.check().ok
        finally:
            vault.lock()
