"""Times typed in a hurry (#18 Times): parsed without Qt."""

from __future__ import annotations

from datetime import datetime
from datetime import time

import pytest

from victim_log.gui.diary.whentext import TypedTime
from victim_log.gui.diary.whentext import parse_time
from victim_log.gui.diary.whentext import resolve
from victim_log.gui.diary.whentext import time_in_name


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


@pytest.mark.parametrize(
    ("name", "utc"),
    [
        ("Screenshot_20240312-211245_WhatsApp.png", False),
        ("IMG_20240312_211245.jpg", False),
        ("VID_20240312_211245.mp4", False),
        ("Screenshot_2024-03-12-21-12-45-123_com.whatsapp.jpg", False),
        ("Screenshot 2024-03-12 at 21.12.45.png", False),
        ("WhatsApp Image 2024-03-12 at 21.12.45.jpeg", False),
        ("PXL_20240312_211245123.jpg", True),  # a Pixel names its files in UTC
    ],
)
def test_times_in_phone_file_names(name: str, utc: bool) -> None:
    assert time_in_name(name) == (datetime(2024, 3, 12, 21, 12, 45), utc)


@pytest.mark.parametrize("name", ["car.jpg", "IMG_20241399_999999.jpg", "20240312.txt", "scan 0001.pdf"])
def test_names_without_a_time(name: str) -> None:
    assert time_in_name(name) is None
