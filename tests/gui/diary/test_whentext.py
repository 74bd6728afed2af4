"""Times typed in a hurry (#18 Times): parsed without Qt."""

from __future__ import annotations

from datetime import time

import pytest

from victim_log.gui.diary.whentext import TypedTime, parse_time, resolve


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", TypedTime(time(21, 30), False, False)),
        ("9pm", TypedTime(time(21, 0), False, False)),
        ("9 PM", TypedTime(time(21, 0), False, False)),
        ("9.30am", TypedTime(time(9, 30), False, False)),
        ("12am", TypedTime(time(0, 0), False, False)),
        ("12pm", TypedTime(time(12, 0), False, False)),
        ("09:30", TypedTime(time(9, 30), False, False)),
        ("about 9", TypedTime(time(9, 0), True, True)),
        ("around 9:15", TypedTime(time(9, 15), True, True)),
        ("~10pm", TypedTime(time(22, 0), True, False)),
        ("9ish", TypedTime(time(9, 0), True, True)),
        ("noon", TypedTime(time(12, 0), False, False)),
        ("about midnight", TypedTime(time(0, 0), True, False)),
        ("12", TypedTime(time(12, 0), False, False)),
    ],
)
def test_times_people_type(text: str, expected: TypedTime) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "25:00", "9:75", "13pm", "tonight", "9 o'clock maybe", "0pm"])
def test_what_is_not_a_time(text: str) -> None:
    assert parse_time(text) is None


def test_an_hour_that_could_be_either() -> None:
    nine = parse_time("about 9")
    assert nine is not None
    assert resolve(nine, time(22, 5)) == time(21, 0)  # tonight's 9 has happened
    assert resolve(nine, time(15, 0)) == time(9, 0)  # this morning's
    assert resolve(nine, None) == time(9, 0)  # another day: as typed (and shown)
    exact = parse_time("21:30")
    assert exact is not None and resolve(exact, time(8, 0)) == time(21, 30)
