"""The hand-written fast paths must give exactly what the generic code gives.

Imports write tens of thousands of records, so a few hot functions have a quick
form: the record body's JSON, the journal entry's JSON, the local-time offset of a
message, the display-safe check. Each is held here against the slow, obvious form
on generated input, because the journal hashes these bytes: a single differing
byte would make ``check`` report every imported record as altered.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from victim_log.importers import service
from victim_log.model import (
    EFFECTS,
    KINDS,
    IncidentData,
    PoliceReport,
    canonical_json,
    incident_body_json,
)
from victim_log.store import journal
from victim_log.textsafe import display_safe

text = st.text(max_size=40)
ids = st.integers(min_value=0, max_value=2**40)

incidents = st.builds(
    IncidentData,
    summary=text, kinds=st.lists(st.sampled_from(sorted(KINDS)), max_size=3).map(tuple),
    occurred_start=text, occurred_end=text, precision=text, location=text, details=text,
    people=st.lists(ids, max_size=3).map(tuple), witnesses=text,
    effects=st.lists(st.sampled_from(sorted(EFFECTS)), max_size=3).map(tuple),
    effect_text=text, actions=text,
    police=st.builds(PoliceReport, text, text, text, text), private_note=text, author=text,
    complete_later=st.booleans(), order_id=st.none() | ids, order_condition=text, source=text,
)


def _generic(data: IncidentData, evidence: tuple[int, ...]) -> str:
    return canonical_json({"data": data.to_dict(), "evidence": list(evidence)}).decode()


@settings(derandomize=True, max_examples=150)
@given(incidents, st.lists(ids, max_size=4).map(tuple))
def test_incident_body_is_the_canonical_json(data: IncidentData, evidence: tuple[int, ...]) -> None:
    assert incident_body_json(data, evidence) == _generic(data, evidence)


def test_incident_body_takes_the_generic_path_for_odd_values() -> None:
    odd = [
        IncidentData(summary="x", people=(True,)),  # type: ignore[arg-type]
        IncidentData(summary="x", complete_later=1),  # type: ignore[arg-type]
        IncidentData(summary="x", order_id="3"),  # type: ignore[arg-type]
        IncidentData(summary="x", details=None),  # type: ignore[arg-type]
    ]
    for data in odd:
        assert incident_body_json(data, (1,)) == _generic(data, (1,))


@settings(derandomize=True, max_examples=150)
@given(seq=ids, at=text, action=text, kind=text, id=ids, version=ids, body=text, prev=text,
       detail=st.dictionaries(text, text | ids, max_size=3))
def test_journal_entry_json_is_the_canonical_json(seq: int, at: str, action: str, kind: str,
                                                  id: int, version: int, body: str, prev: str,
                                                  detail: dict[str, object]) -> None:
    fields = {"seq": seq, "at": at, "action": action, "kind": kind, "id": id,
              "version": version, "body_sha256": body, "detail": detail, "prev": prev}
    fast = journal._entry_json(seq, at, action, kind, id, version, body,
                               canonical_json(detail).decode(), prev)
    assert fast == canonical_json(fields)


def test_a_detail_keeps_its_json() -> None:
    detail = journal.Detail({"reason_sha256": "ab" * 32})
    assert detail.json_text == canonical_json(dict(detail)).decode()


@pytest.fixture
def london() -> Iterator[None]:
    """A zone with clock changes (the tests' default zone may have none)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/London"
    time.tzset()
    service._day_offsets.clear()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
        service._day_offsets.clear()


@pytest.mark.usefixtures("london")
def test_local_offsets_match_astimezone_across_clock_changes() -> None:
    starts = [datetime(2024, 3, 30), datetime(2024, 10, 26), datetime(2025, 7, 1)]
    for start in starts:
        for step in range(0, 3 * 24 * 60, 7):  # three days around each change, every 7 min
            naive = start + timedelta(minutes=step)
            assert service._local(naive).isoformat() == naive.astimezone().isoformat(), naive


@settings(derandomize=True, max_examples=200)
@given(st.text(max_size=60))
def test_display_safe_fast_path_changes_nothing_it_skips(value: str) -> None:
    if value.isascii() and value.isprintable():
        assert display_safe(value) == value
        assert display_safe(value, single_line=True) == value


def test_an_import_puts_the_collector_back() -> None:
    def fail_inside() -> None:
        with service._collector_paused():
            assert not gc.isenabled()
            raise ZeroDivisionError

    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        fail_inside()
    assert gc.isenabled()
