"""The case's time zone (#16.4): every time names its zone, typed times that a clock
change skipped or repeated are refused (never moved), implausible dates are flagged.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log import casetime
from victim_log.errors import BadInput
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.case import format_date
from victim_log.export.case import format_datetime
from victim_log.export.case import when_text
from victim_log.model import IncidentData
from victim_log.model import parse_when
from victim_log.vault import Vault

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def zone_reset() -> Iterator[None]:
    yield
    casetime.activate(None)


# ---------------------------------------------------------------------- formatting


def test_times_are_shown_on_the_case_clock_naming_the_zone() -> None:
    # An instant stored in UTC (as SMS imports and old vaults did) reads as the UK clock.
    assert format_datetime("2024-04-10T17:30:00+00:00", zone=LONDON) == "Wed 10 Apr 2024 18:30:00 BST"
    assert (
        format_datetime("2024-01-10T17:30:00+00:00", seconds=False, zone=LONDON)
        == "Wed 10 Jan 2024 17:30 GMT"
    )
    assert when_text("2024-04-10T17:30:00+00:00", "", "exact", zone=LONDON) == "Wed 10 Apr 2024 at 18:30 BST"
    assert when_text("2024-04-10T17:30:00+00:00", "", "approximate", zone=LONDON) == (
        "Wed 10 Apr 2024 at about 18:30 BST"
    )
    # a range over the autumn change names each end's clock
    assert when_text("2024-10-27T00:50:00+00:00", "2024-10-27T01:10:00+00:00", "exact", zone=LONDON) == (
        "Sun 27 Oct 2024 from 01:50 BST to 01:10 GMT"
    )
    # the date is the case clock's: 23:30 UTC on 10 April is 00:30 BST on the 11th
    assert format_date("2024-04-10T23:30:00+00:00", zone=LONDON) == "Thu 11 Apr 2024"
    # a day without a time keeps the day it was given
    assert when_text("2024-04-11T00:00:00+01:00", "", "day", zone=ZoneInfo("America/New_York")) == (
        "Thu 11 Apr 2024, time not known"
    )
    # a zone without letters for its time gives the offset
    assert casetime.clock_text(
        datetime.fromisoformat("2024-04-10T17:30:00+00:00"), ZoneInfo("Europe/Istanbul")
    ) == ("20:30 +03:00")
    assert casetime.data_text("2024-04-10T17:30:00+00:00", LONDON) == "2024-04-10T18:30:00+01:00"


def test_zone_names_are_checked() -> None:
    assert casetime.zone_of("Europe/London").key == "Europe/London"
    for bad in ("", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/London/x"):
        with pytest.raises(BadInput):
            casetime.zone_of(bad)
    assert "Europe/London" in casetime.zone_names()


def test_system_zone_follows_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    assert casetime.system_zone_name() == "Europe/London"
    assert casetime.active_zone().key == "Europe/London"
    monkeypatch.setenv("TZ", ":America/New_York")
    assert casetime.system_zone_name() == "America/New_York"
    assert casetime.active_zone().key == "America/New_York"


# ---------------------------------------------------------------------- typed times


def test_typed_time_skipped_or_repeated_is_refused_not_moved() -> None:
    with pytest.raises(casetime.NonexistentTime, match="did not happen") as gap:
        parse_when("2024-03-31T01:30", LONDON)
    assert "2024-03-31T01:30+00:00" in gap.value.message
    with pytest.raises(casetime.AmbiguousTime, match="happened twice") as fold:
        parse_when("2024-10-27T01:30", LONDON)
    assert "2024-10-27T01:30+01:00" in fold.value.message and "2024-10-27T01:30+00:00" in fold.value.message
    # with the offset it is one instant, kept as given
    assert parse_when("2024-10-27T01:30+00:00", LONDON).isoformat() == "2024-10-27T01:30:00+00:00"
    # an ordinary time takes the case zone's offset of that day
    assert parse_when("2024-04-10T18:30", LONDON).isoformat() == "2024-04-10T18:30:00+01:00"
    assert parse_when("2024-01-10T18:30", LONDON).isoformat() == "2024-01-10T18:30:00+00:00"
    casetime.activate("Europe/London")
    with pytest.raises(BadInput):
        IncidentData(summary="x", occurred_start="2024-03-31T01:30").validated()


@pytest.fixture
def london_vault(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "init", "--time-zone", "Europe/London")
    assert r.code == 0, r.err


def _add(capsys: pytest.CaptureFixture[str], when: str) -> tuple[int, str, str]:
    r = run_cli(capsys, "add", "--kind", "message", "--summary", "Texts", "--when", when)
    return r.code, r.out, r.err


def test_cli_refuses_times_a_clock_change_skipped_or_repeated(
    london_vault: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _add(capsys, "2024-03-31T01:30")
    assert code == 2 and "did not happen in Europe/London" in err
    code, _, err = _add(capsys, "2024-10-27T01:30")
    assert code == 2 and "happened twice in Europe/London" in err
    assert json.loads(run_cli(capsys, "list", "--json").out) == []
    for when, shown in (("2024-10-27T01:30+01:00", "01:30 BST"), ("2024-10-27T01:30+00:00", "01:30 GMT")):
        code, out, err = _add(capsys, when)
        assert code == 0, err
        r = run_cli(capsys, "show", out.strip().split()[-1].strip("."))
        assert f"Sun 27 Oct 2024 at {shown}" in r.out
    listed = run_cli(capsys, "list", "--oldest-first").out
    assert "2024-10-27 01:30 BST" in listed and "2024-10-27 01:30 GMT" in listed


def test_cli_init_refuses_an_unknown_zone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    r = run_cli(capsys, "init", "--time-zone", "Mars/Olympus")
    assert r.code == 2 and "time zone" in r.err
    assert not vault_path().exists() or not any(vault_path().iterdir())


def test_existing_vault_without_a_zone_reads_in_the_computer_s_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/London")
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    try:
        # stored before zones existed, in UTC (as the SMS import did)
        v.add_incident(
            IncidentData(summary="Old text", kinds=("message",), occurred_start="2024-04-10T17:30:00+00:00")
        )
        case = build_case(v, ExportOptions(initials="SM"), exported_at="2024-06-01T10:00:00+01:00")
    finally:
        v.lock()
    assert case.time_zone == "Europe/London"
    assert case.incidents[0].when == "Wed 10 Apr 2024 at 18:30 BST"
    assert case.incidents[0].occurred_start == "2024-04-10T17:30:00+00:00"  # stored data unchanged


# ---------------------------------------------------------------------- implausible dates


def test_implausible_dates_are_flagged_not_charted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.export.pdf import render_pdf
    from victim_log.export.tables import timeline_csv

    monkeypatch.setenv("TZ", "Europe/London")
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    try:
        casetime.set_vault_zone(v, "Europe/London")
        for day in ("2024-03-04T21:15", "2024-03-20T09:00", "2024-04-02T18:30", "2024-04-09T18:30"):
            v.add_incident(IncidentData(summary="Texts", kinds=("message",), occurred_start=day))
        # a typed year: 2021 for 2024, 170 weeks before the others
        typo = v.add_incident(
            IncidentData(summary="Typo", kinds=("message",), occurred_start="2021-03-10T10:00")
        )
        # dated after it was written (the recording time is set by the app: now)
        late = v.add_incident(
            IncidentData(summary="Late", kinds=("message",), occurred_start="2026-12-31T10:00:00+00:00")
        )
        case = build_case(v, ExportOptions(initials="SM"), exported_at="2027-01-02T10:00:00+00:00")
    finally:
        v.lock()
    flags = {i.id: i.date_flag for i in case.incidents}
    assert "before the next entry" in flags[typo]
    assert flags[late].startswith("after it was recorded")
    assert len(case.per_week) <= 6, "no years of empty weeks"
    assert case.first_incident == "2024-03-04"
    assert any("Entry" in n and "before the next entry" in n for n in case.date_notes)
    buf = io.BytesIO()
    render_pdf(case, buf)
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(buf.getvalue())
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Date check" in text and "after it was recorded" in text
    csv_text = timeline_csv(case).decode("utf-8-sig")
    assert "before the next entry" in csv_text
