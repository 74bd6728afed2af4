"""Weeks and months for counts over time (victim_log/periods.py), shared by stats and the export."""

from __future__ import annotations

from datetime import date

from victim_log.periods import period_label
from victim_log.periods import period_run
from victim_log.periods import period_start


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    assert period_start(date(2026, 4, 9), monthly=False) == date(2026, 4, 6)
    assert period_start(date(2026, 4, 9), monthly=True) == date(2026, 4, 1)
    assert period_label(date(2026, 4, 6), monthly=False) == "6 Apr 2026"
    assert period_label(date(2026, 4, 1), monthly=True) == "Apr 2026"


def test_empty_periods_are_filled_in_up_to_the_bound() -> None:
    assert period_run([], monthly=True, most=10) == []
    months = period_run({date(2025, 11, 1), date(2026, 2, 1)}, monthly=True, most=10)
    assert months == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    weeks = period_run([date(2026, 1, 5), date(2026, 3, 2)], monthly=False, most=2)
    assert weeks == [date(2026, 1, 5), date(2026, 1, 12), date(2026, 3, 2)]  # then only those present
