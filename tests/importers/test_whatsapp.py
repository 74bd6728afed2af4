"""WhatsApp chat exports: Android/iOS layouts, date orders, media, system lines."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from victim_log.errors import BadInput
from victim_log.importers import AmbiguousDateOrder
from victim_log.importers import ImportFormatError
from victim_log.importers import parse_whatsapp

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes
from .util import ios_zip
from .util import make_zip


def test_android_day_first_fixture() -> None:
    with parse_whatsapp(fixture("whatsapp_android_dmy.txt"), me="Sarah Jones") as stream:
        items = list(stream)
        stats = stream.stats
    assert stream.format == "whatsapp-android"
    assert len(items) == 12
    assert stats.items == 12
    assert stats.skipped == []
    assert stats.senders() == [("Dan Marsh", 5), ("Sarah Jones", 3), ("+44 7700 900123", 2)]

    system = items[0]
    assert system.flags == {"system"}
    assert system.sender == ""
    assert system.occurred_at == datetime(2024, 3, 12, 19, 58)
    assert system.text.startswith("Messages and calls are end-to-end encrypted")

    first = items[1]
    assert (first.source_ref, first.sender, first.direction) == ("line 2", "Dan Marsh", "in")
    assert first.occurred_at == datetime(2024, 3, 12, 20, 1)
    assert first.occurred_at.tzinfo is None
    assert first.text == "Why aren't you answering me"

    multi = items[2]
    assert multi.text == (
        "I saw you at the Co-op on High Street.\n"
        "You were wearing the blue coat.\n"
        "\n"
        "Don't pretend you didn't see me"
    )
    assert items[3].direction == "out"
    assert items[4].flags == {"media_omitted"} and items[4].text == ""
    assert items[5].flags == {"deleted"} and items[5].text == ""

    attached = items[6]
    assert attached.text == "Look familiar?"
    assert [a.name for a in attached.attachments] == ["IMG-20240313-WA0001.jpg"]
    assert not attached.attachments[0].available
    assert "attachment_missing" in attached.flags

    number_change = items[7]
    assert number_change.flags == {"system"}
    assert number_change.sender == ""

    by_number = items[8]
    assert by_number.sender == "+44 7700 900123"  # U+202A/U+202C removed
    assert by_number.sender_id == "+44 7700 900123"
    assert items[9].text == "I'll be outside at 8"
    assert items[9].flags == {"edited"}
    assert items[10].flags == {"deleted"} and items[10].direction == "out"
    assert items[11].text == "Time: 7:31 and counting"
    assert items[11].source_ref == "line 16"


def test_android_us_twelve_hour_two_digit_year() -> None:
    items = parse_whatsapp(fixture("whatsapp_android_us.txt")).collect().items
    assert [i.occurred_at for i in items] == [
        datetime(2024, 3, 12, 20, 1),
        datetime(2024, 3, 12, 20, 2),
        datetime(2024, 3, 13, 0, 5),  # 12:05 AM
        datetime(2024, 3, 13, 12, 30),  # 12:30 PM
        datetime(2024, 3, 13, 13, 7),  # "pm" in lower case
    ]
    assert {i.direction for i in items} == {"unknown"}  # no `me` given


def test_ios_zip_with_media() -> None:
    with parse_whatsapp(ios_zip()) as stream:
        items = list(stream)
        assert stream.format == "whatsapp-ios"
        assert len(items) == 9
        assert stream.stats.senders() == [("Dan Marsh", 7), ("Sarah Jones", 1)]
        assert items[0].flags == {"system"}
        assert items[0].occurred_at == datetime(2024, 3, 12, 19, 58, 1)
        assert items[2].text == "I know where you work.\nI'll be waiting."  # CRLF dropped

        photo = items[3]
        (att,) = photo.attachments
        assert att.name == "00000012-PHOTO-2024-03-12-20-03-00.jpg"
        assert att.member == att.name
        assert att.size_hint == len(TINY_JPEG)
        assert att.read() == TINY_JPEG
        assert photo.flags == frozenset()
        assert photo.text == ""

        assert items[5].flags == {"media_omitted", "media:photo"}
        call = items[6]
        assert call.kind == "phone_call"
        assert call.call is not None and call.call.type == "missed"
        assert items[7].flags == {"deleted"}
        audio = items[8]
        assert audio.flags == {"attachment_missing"}
        assert not audio.attachments[0].available
        with pytest.raises(ImportFormatError):
            audio.attachments[0].read()


def test_android_zip_picks_the_chat_text(tmp_path: pytest.TempPathFactory) -> None:
    data = make_zip(
        {
            "WhatsApp Chat with Dan Marsh.txt": fixture_bytes("whatsapp_android_dmy.txt"),
            "IMG-20240313-WA0001.jpg": TINY_JPEG,
        }
    )
    path = tmp_path / "export.zip"  # type: ignore[operator]
    path.write_bytes(data)
    with parse_whatsapp(path) as stream:
        items = list(stream)
        attached = items[6]
        assert attached.attachments[0].read() == TINY_JPEG
        assert "attachment_missing" not in attached.flags


def test_zip_without_chat_or_with_two_chats() -> None:
    with pytest.raises(ImportFormatError, match="doesn't contain a WhatsApp chat"):
        parse_whatsapp(make_zip({"photo.jpg": TINY_JPEG}))
    two = make_zip({"a.txt": b"x", "b.txt": b"y"})
    with pytest.raises(ImportFormatError, match="more than one chat"):
        parse_whatsapp(two)


def test_ambiguous_date_order_needs_a_choice() -> None:
    data = fixture_bytes("whatsapp_ambiguous.txt")
    with pytest.raises(AmbiguousDateOrder) as info:
        parse_whatsapp(data)
    assert isinstance(info.value, ImportFormatError)
    assert isinstance(info.value, BadInput)
    dmy = [i.occurred_at for i in parse_whatsapp(data, date_order="dmy")]
    mdy = [i.occurred_at for i in parse_whatsapp(data, date_order="mdy")]
    assert dmy[0] == datetime(2024, 2, 1, 10, 0)
    assert mdy[0] == datetime(2024, 1, 2, 10, 0)
    assert dmy[2] == datetime(2024, 3, 5, 23, 59)
    assert mdy[2] == datetime(2024, 5, 3, 23, 59)


def test_date_order_detected_from_anywhere_in_the_file() -> None:
    lines = ["01/02/2024, 10:00 - Dan Marsh: hi"] * 50 + ["25/02/2024, 10:00 - Dan Marsh: late"]
    items = parse_whatsapp("\n".join(lines).encode()).collect().items
    assert items[0].occurred_at == datetime(2024, 2, 1, 10, 0)
    us = ["02/01/2024, 10:00 - Dan Marsh: hi", "02/25/2024, 10:00 - Dan Marsh: late"]
    assert parse_whatsapp("\n".join(us).encode()).collect().items[0].occurred_at == datetime(
        2024, 2, 1, 10, 0
    )


def test_conflicting_or_mismatched_date_orders() -> None:
    mixed = b"13/01/2024, 10:00 - Dan Marsh: a\n01/13/2024, 10:00 - Dan Marsh: b\n"
    with pytest.raises(ImportFormatError, match="mixes day-first and month-first"):
        parse_whatsapp(mixed).collect()
    late = b"13/01/2024, 10:00 - Dan Marsh: a\n" * 40 + b"01/13/2024, 10:00 - Dan Marsh: b\n"
    with pytest.raises(ImportFormatError, match="mixes day-first and month-first"):
        parse_whatsapp(late, date_order="dmy").collect()
    undecided_then_mixed = b"01/02/2024, 10:00 - A: a\n02/13/2024, 10:00 - A: b\n13/02/2024, 10:00 - A: c\n"
    with pytest.raises(ImportFormatError, match="mixes day-first and month-first"):
        parse_whatsapp(undecided_then_mixed).collect()
    with pytest.raises(ImportFormatError, match="don't match the chosen date order"):
        parse_whatsapp(b"13/01/2024, 10:00 - Dan Marsh: a\n", date_order="mdy")


def test_year_first_dates_need_no_order() -> None:
    (item,) = parse_whatsapp(b"2024-03-12, 20:01 - Dan Marsh: hi\n")
    assert item.occurred_at == datetime(2024, 3, 12, 20, 1)


def test_marks_anywhere_in_the_header() -> None:
    line = (
        "\u200e[\u200e13/03/2024,\u200f 20:01:15\u200e]\u200e \u2068Dan Marsh\u2069: \u200ehi \u200fthere\n"
    )
    (item,) = parse_whatsapp(line.encode())
    assert item.occurred_at == datetime(2024, 3, 13, 20, 1, 15)
    assert item.sender == "Dan Marsh"
    assert item.text == "hi \u200fthere"  # marks inside the words are kept (display strips them)


def test_dotted_dates_and_impossible_dates_are_skipped_by_line() -> None:
    data = (
        b"12.03.24, 20:01 - Dan Marsh: one\n"
        b"31.02.24, 20:02 - Dan Marsh: February 31st\n"
        b"12.03.24, 25:02 - Dan Marsh: hour 25\n"
        b"12.03.24, 20:03 - Dan Marsh: three\n"
    )
    stream = parse_whatsapp(data)
    items = list(stream)
    assert [i.text for i in items] == ["one", "three"]
    assert "truncated" in items[0].flags  # the lines after it may have belonged to it
    assert [(s.ref, s.reason) for s in stream.stats.skipped] == [
        ("line 2", "date or time that doesn't exist"),
        ("line 3", "date or time that doesn't exist"),
    ]


def test_group_events_without_sender_are_system_lines() -> None:
    data = (
        b'12/03/2024, 20:00 - Dan Marsh created group "Neighbours"\n'
        b"12/03/2024, 20:01 - Dan Marsh added Amy Pond\n"
        b'12/03/2024, 20:02 - Dan Marsh changed the subject from "a" to "b: c"\n'
        b"12/03/2024, 20:03 - Amy Pond: hello all\n"
        b"13/03/2024, 20:03 - Amy Pond left\n"
    )
    stream = parse_whatsapp(data)
    items = list(stream)
    assert [("system" in i.flags) for i in items] == [True, True, True, False, True]
    assert stream.stats.senders() == [("Amy Pond", 1)]


def test_bad_utf8_is_repaired_and_flagged() -> None:
    data = b"12/03/2024, 20:01 - Dan Marsh: caf\xe9\n13/03/2024, 20:01 - Dan Marsh: ok\n"
    items = list(parse_whatsapp(data))
    assert items[0].text == "caf\ufffd"
    assert items[0].flags == {"encoding_repaired"}
    assert items[1].flags == frozenset()


def test_text_before_first_message_is_reported() -> None:
    data = b"13/03/2024, 20:01 - Dan Marsh: ok\n"
    stream = parse_whatsapp(io.BytesIO(data))
    assert len(list(stream)) == 1


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n\n  \n",
        b"hello there\n12/03/2024, 20:01 - Dan Marsh: hi\n",
        b"<?xml version='1.0'?><smses/>",
        b"\x00\x01\x02binary",
        "\ufeffhello".encode("utf-16"),
        b"From dan@example.com Tue Mar 12 20:01:00 2024\nSubject: hi\n\nbody\n",
    ],
)
def test_not_a_chat(data: bytes) -> None:
    with pytest.raises(ImportFormatError) as info:
        parse_whatsapp(data)
    assert "\n" not in str(info.value)


def test_wrong_date_order_value() -> None:
    with pytest.raises(ImportFormatError):
        parse_whatsapp(fixture_bytes("whatsapp_ambiguous.txt"), date_order="ymd")  # type: ignore[arg-type]


def test_file_object_position_is_restored() -> None:
    raw = b"junk" + fixture_bytes("whatsapp_android_us.txt")
    fp = io.BytesIO(raw)
    fp.seek(4)
    items = list(parse_whatsapp(fp))
    assert len(items) == 5
    assert fp.tell() == 4


def test_overlong_line_is_skipped_not_kept() -> None:
    big = b"x" * (2 * 1024 * 1024)
    data = b"12/03/2024, 20:01 - Dan Marsh: hi\n" + big + b"\n13/03/2024, 20:01 - Dan Marsh: ok\n"
    stream = parse_whatsapp(data)
    items = list(stream)
    assert [i.text for i in items] == ["hi", "ok"]
    assert [(s.ref, s.reason) for s in stream.stats.skipped] == [("line 2", "line too long")]
