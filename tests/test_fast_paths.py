"""The hand-written fast paths must give exactly what the generic code gives.

Imports write tens of thousands of records, so a few hot functions have a quick
form: the record body's JSON, the journal entry's JSON, the local-time offset of a
message, the display-safe check, the checks of ``IncidentData.validated``. Each is held here against the slow, obvious form
on generated input, because the journal hashes these bytes: a single differing
byte would make ``check`` report every imported record as altered.
"""

from __future__ import annotations

import dataclasses
import gc
import inspect
from collections.abc import Callable
from collections.abc import Iterator
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from tests.helpers import computer_zone
from victim_log import casetime
from victim_log import model
from victim_log.errors import BadInput
from victim_log.importers import service
from victim_log.importers.records import ParsedItem
from victim_log.model import EFFECTS
from victim_log.model import KINDS
from victim_log.model import IncidentData
from victim_log.model import PoliceReport
from victim_log.model import canonical_json
from victim_log.model import incident_body_json
from victim_log.store import journal
from victim_log.textsafe import display_safe

text = st.text(max_size=40)
ids = st.integers(min_value=0, max_value=2**40)

incidents = st.builds(
    IncidentData,
    summary=text,
    kinds=st.lists(st.sampled_from(sorted(KINDS)), max_size=3).map(tuple),
    occurred_start=text,
    occurred_end=text,
    precision=text,
    location=text,
    details=text,
    people=st.lists(ids, max_size=3).map(tuple),
    witnesses=text,
    effects=st.lists(st.sampled_from(sorted(EFFECTS)), max_size=3).map(tuple),
    effect_text=text,
    actions=text,
    police=st.builds(PoliceReport, text, text, text, text),
    private_note=text,
    author=text,
    complete_later=st.booleans(),
    order_id=st.none() | ids,
    order_condition=text,
    source=text,
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


def _reference_validated(d: IncidentData) -> IncidentData:
    """``validated()`` as first written: every rule in the general form."""
    clean = model._clean_text
    summary = clean(d.summary, "summary", 2000).strip()
    if not summary:
        raise BadInput("Please give a short summary of what happened.")
    kinds = tuple(dict.fromkeys(k.strip() for k in d.kinds if k.strip())) or ("other",)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise BadInput(f"Unknown kind '{unknown[0][:40]}'. Known kinds: {', '.join(KINDS)}.")
    if d.precision not in model.PRECISIONS:
        raise BadInput(f"Unknown time precision. Use one of: {', '.join(model.PRECISIONS)}.")
    bad_effects = [e for e in d.effects if e not in EFFECTS]
    if bad_effects:
        raise BadInput(f"Unknown effect '{bad_effects[0][:40]}'.")
    start, end = d.occurred_start, d.occurred_end
    if start:
        start = model.iso(model.parse_when(start))
    if end:
        end = model.iso(model.parse_when(end))
        if not start:
            raise BadInput("An end time needs a start time.")
        if model.parse_when(end) < model.parse_when(start):
            raise BadInput("The end time is before the start time.")
    text = {
        name: clean(getattr(d, name), name)
        for name in (
            "location",
            "details",
            "witnesses",
            "effect_text",
            "actions",
            "private_note",
            "author",
            "order_condition",
            "source",
        )
    }
    p = d.police
    police = PoliceReport(
        *(clean(getattr(p, f), f, 500) for f in ("reference", "officer", "collar_number", "reported_on"))
    )
    return IncidentData(
        summary=summary,
        kinds=kinds,
        occurred_start=start,
        occurred_end=end,
        precision=d.precision,
        people=tuple(dict.fromkeys(int(x) for x in d.people)),
        effects=tuple(dict.fromkeys(d.effects)),
        police=police,
        complete_later=bool(d.complete_later),
        order_id=d.order_id,
        **{**text, "author": text["author"] or "victim"},
    )


def _outcome(check: Callable[[], IncidentData]) -> tuple[str, object]:
    try:
        result = check()
    except (BadInput, ValueError) as exc:
        return type(exc).__name__, str(exc)
    return "ok", (result, repr(result), {f: type(getattr(result, f)) for f in result.__dict__})


times = st.sampled_from(
    [
        "",
        "2024-03-01T20:11",
        "2024-03-01T20:11:05+01:00",
        "2024-03-01",
        "2024-03-02T08:00:00Z",
        "not a time",
        "2024-03-01T20:11:05-00:00",
        "2024-03-01T20:11:05+00:60",
        "2024-02-30T10:00:00+00:00",
        "2024-03-01T24:00:00+00:00",
        "2024-03-01T20:11:05-05:30",
        "2024-03-01T20:11:05+23:59",
        "2024-03-01T20:11:05.5+01:00",
        " 2024-03-01T20:11:05+01:00",
        "\u0662024-03-01T20:11:05+01:00",
    ]
) | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat(timespec="seconds"))
varied = st.builds(
    IncidentData,
    summary=text | st.just("  fine  "),
    kinds=st.lists(st.sampled_from([*sorted(KINDS)[:4], " message", "", "bogus"]), max_size=3).map(tuple)
    | st.lists(st.sampled_from(sorted(KINDS)), max_size=2),
    occurred_start=times,
    occurred_end=times,
    precision=st.sampled_from(["exact", "day", "soon"]),
    details=text | st.just("caf\u00e9 \ud800"),
    source=text,
    people=st.lists(st.integers(0, 5) | st.booleans(), max_size=3).map(tuple)
    | st.lists(st.integers(0, 5), max_size=2),
    effects=st.lists(st.sampled_from([*sorted(EFFECTS)[:3], "bogus"]), max_size=3).map(tuple)
    | st.lists(st.sampled_from(sorted(EFFECTS)), max_size=2),
    police=st.just(PoliceReport()) | st.builds(PoliceReport, text, text, text, text),
    author=st.sampled_from(["", "victim", "support:Ann"]),
    complete_later=st.booleans() | st.integers(0, 2),
)


@settings(derandomize=True, max_examples=300)
@given(varied)
def test_validated_gives_what_the_general_rules_give(data: IncidentData) -> None:
    assert _outcome(data.validated) == _outcome(lambda: _reference_validated(data))


@settings(derandomize=True, max_examples=150)
@given(
    seq=ids,
    at=text,
    action=text,
    kind=text,
    id=ids,
    version=ids,
    body=text,
    prev=text,
    detail=st.dictionaries(text, text | ids, max_size=3),
)
def test_journal_entry_json_is_the_canonical_json(
    seq: int,
    at: str,
    action: str,
    kind: str,
    id: int,
    version: int,
    body: str,
    prev: str,
    detail: dict[str, object],
) -> None:
    fields = {
        "seq": seq,
        "at": at,
        "action": action,
        "kind": kind,
        "id": id,
        "version": version,
        "body_sha256": body,
        "detail": detail,
        "prev": prev,
    }
    fast = journal._entry_json(
        seq, at, action, kind, id, version, body, canonical_json(detail).decode(), prev
    )
    assert fast == canonical_json(fields)


@pytest.mark.parametrize("cls", [IncidentData, ParsedItem])
def test_written_out_inits_take_exactly_the_fields(cls: type) -> None:
    """IncidentData and ParsedItem spell out their __init__ (see there): its parameters
    must be the fields, in order, with the same defaults, and fill every field."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    declared = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in declared]
    for p, f in zip(params, declared, strict=True):
        assert p.default == (inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default), (
            f.name
        )
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    args = {f.name: object() for f in declared}
    made = cls(**args)
    assert all(getattr(made, name) is value for name, value in args.items())
    assert made.__dict__.keys() == args.keys()
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.summary = "x"  # type: ignore[misc]


def test_a_detail_keeps_its_json() -> None:
    detail = journal.Detail({"reason_sha256": "ab" * 32})
    assert detail.json_text == canonical_json(dict(detail)).decode()


@pytest.fixture
def london() -> Iterator[None]:
    """A zone with clock changes (the tests' default zone may have none)."""
    with computer_zone("Europe/London"):
        yield


@pytest.mark.usefixtures("london")
def test_local_offsets_match_astimezone_across_clock_changes() -> None:
    """The per-day offsets of an import's clock give what the zone itself gives."""
    clock = service.SourceClock(ZoneInfo("Europe/London"))
    starts = [datetime(2024, 3, 30), datetime(2024, 10, 26), datetime(2025, 7, 1)]
    for start in starts:
        for step in range(0, 3 * 24 * 60, 7):  # three days around each change, every 7 min
            naive = start + timedelta(minutes=step, seconds=step % 60, microseconds=step)
            item = ParsedItem(
                source_ref="line 1",
                occurred_at=naive,
                sender="x",
                sender_id=None,
                direction="in",
                kind="message",
                text="",
            )
            if casetime.check_wall(naive, clock.zone) != "ok":
                continue  # a time the clocks skipped or repeated: tests/test_import_clock_changes.py
            assert clock.when(item) == naive.astimezone().isoformat(timespec="seconds"), naive


@settings(derandomize=True, max_examples=200)
@given(st.text(max_size=60))
def test_display_safe_fast_path_changes_nothing_it_skips(value: str) -> None:
    if value.isascii() and value.isprintable():
        assert display_safe(value) == value
        assert display_safe(value, single_line=True) == value


@pytest.mark.parametrize("enabled", [True, False])
def test_an_import_puts_the_collector_back(enabled: bool) -> None:
    """As it was: on, or off because the app's GUI thread collects instead."""

    def fail_inside() -> None:
        with service._collector_paused():
            assert not gc.isenabled()
            raise ZeroDivisionError

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(ZeroDivisionError):
            fail_inside()
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
