"""SMS Backup & Restore XML: texts, MMS with attachments, call logs, big files."""

from __future__ import annotations

import base64
import io
import os
import tracemalloc
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest

from victim_log.importers import ImportFormatError
from victim_log.importers import parse_sms_backup

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes

HEAD = b"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n"
TAIL = b"</smses>\n"


def sms_xml(*elements: str) -> bytes:
    return HEAD + "\n".join(elements).encode("utf-8") + b"\n" + TAIL


def sms(body: str, *, date: str = "1710273660000", type_: str = "1") -> str:
    return (
        f'<sms protocol="0" address="07700900123" date="{date}" type="{type_}" subject="null" '
        f'body="{body}" read="1" status="-1" contact_name="Dan Marsh" />'
    )


def test_messages_fixture() -> None:
    with parse_sms_backup(fixture("sms_backup.xml")) as stream:
        items = list(stream)
        stats = stream.stats
        assert stream.format == "sms-backup"
        assert len(items) == 6
        assert [i.source_ref for i in items] == ["sms #1", "sms #2", "sms #3", "sms #4", "mms #1", "mms #2"]
        assert [(s.ref, s.reason) for s in stats.skipped] == [("sms #5", "missing or unreadable date")]
        assert stats.senders() == [("Dan Marsh (+447700900123)", 2), ("07700900456", 1)]

        first = items[0]
        assert first.occurred_at == datetime(2024, 3, 12, 20, 1, tzinfo=UTC)
        assert (first.sender, first.sender_id, first.direction) == ("Dan Marsh", "07700900123", "in")
        # "&#10;" is a newline; the surrogate-pair reference became one emoji.
        assert first.text == "I know where you live.\nNice blue door \U0001f600"
        assert first.kind == "message" and first.flags == frozenset()

        sent = items[1]
        assert (sent.sender, sent.sender_id, sent.direction) == ("", None, "out")
        assert sent.recipients == ("07700900123",)

        third = items[2]
        assert third.sender == "07700900456"  # "(Unknown)" contact falls back to the number
        assert third.text == "Dan asked me to tell you he's sorry & wants to talk"
        assert third.flags == {"unread"}

        assert items[3].flags == {"draft"} and items[3].direction == "out"

        mms = items[4]
        assert mms.occurred_at == datetime(2024, 3, 13, 8, 15, tzinfo=UTC)
        assert (mms.sender, mms.sender_id, mms.direction) == ("Dan Marsh", "07700900123", "in")
        assert mms.text == "Your car, this morning."
        (att,) = mms.attachments
        assert (att.name, att.content_type) == ("IMG_0042.jpg", "image/jpeg")
        assert att.read() == TINY_JPEG
        assert b"".join(att.iter_bytes()) == TINY_JPEG  # readable again

        out_mms = items[5]
        assert out_mms.direction == "out"
        assert out_mms.recipients == ("07700900123",)
        assert out_mms.text == "Stay away from my car."
        assert out_mms.attachments == ()


def test_call_log_fixture() -> None:
    stream = parse_sms_backup(fixture_bytes("calls_backup.xml"))
    items = list(stream)
    assert len(items) == 7
    assert [i.kind for i in items] == ["phone_call"] * 3 + ["voicemail"] + ["phone_call"] * 3
    calls = [i.call for i in items]
    assert all(c is not None for c in calls)
    assert [c.type for c in calls if c] == [
        "incoming",
        "missed",
        "outgoing",
        "voicemail",
        "rejected",
        "blocked",
        "missed",
    ]
    assert [i.direction for i in items] == ["in", "in", "out", "in", "in", "in", "in"]
    assert [c.duration_s for c in calls if c] == [35, 0, 0, 42, 0, 0, 0]
    withheld = [(i.source_ref, i.call.presentation) for i in items if i.call and i.call.withheld]
    assert withheld == [("call #2", "withheld"), ("call #6", "unknown")]
    assert items[1].sender == "" and items[1].sender_id is None and items[1].flags == {"withheld"}
    assert items[2].recipients == ("07700900123",)
    assert items[6].sender == "07700900999"  # no contact name
    assert stream.stats.withheld_calls == 2
    assert stream.stats.senders() == [("Dan Marsh (+447700900123)", 3), ("07700900999", 1)]
    assert stream.stats.by_kind == {"phone_call": 6, "voicemail": 1}


def test_hidden_number_without_presentation() -> None:
    xml = HEAD.replace(b"smses", b"calls") + (
        b'<call number="-1" duration="0" date="1710273600000" type="3" />\n</calls>'
    )
    (item,) = parse_sms_backup(xml)
    assert item.call is not None
    assert (item.call.withheld, item.call.presentation) == (True, "unknown")


def test_sms_type_codes() -> None:
    xml = sms_xml(*(sms(f"t{t}", type_=str(t)) for t in range(1, 8)))
    items = list(parse_sms_backup(xml))
    assert [(i.direction, sorted(i.flags)) for i in items] == [
        ("in", []),
        ("out", []),
        ("out", ["draft"]),
        ("out", ["outbox"]),
        ("out", ["failed"]),
        ("out", ["queued"]),
        ("unknown", []),
    ]


def test_invalid_xml_characters_become_replacement() -> None:
    xml = sms_xml(sms("bell &#7; lone &#55357; x &#x1F600; ok"), sms("raw \x1b escape"))
    stream = parse_sms_backup(xml)
    items = list(stream)
    assert items[0].text == "bell \ufffd lone \ufffd x \U0001f600 ok"
    assert items[1].text == "raw \ufffd escape"
    assert stream.stats.skipped[-1].ref == "file"


def test_surrogate_pair_split_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.importers import sms_backup

    monkeypatch.setattr(sms_backup, "CHUNK_BYTES", 7)
    xml = sms_xml(sms("a&#55357;&#56832;b " * 20), sms("&amp;" * 30))
    items = list(parse_sms_backup(xml))
    assert items[0].text == "a\U0001f600b " * 20
    assert items[1].text == "&" * 30


def test_part_data_split_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.importers import sms_backup

    monkeypatch.setattr(sms_backup, "CHUNK_BYTES", 5)
    payload = os.urandom(3000)
    xml = sms_xml(mms_xml(payload))
    (item,) = parse_sms_backup(xml)
    assert item.attachments[0].read() == payload


def mms_xml(payload: bytes, *, quote: str = '"', wrap: bool = False) -> str:
    b64 = base64.b64encode(payload).decode()
    if wrap:
        b64 = "&#10;".join(b64[i : i + 76] for i in range(0, len(b64), 76))
    q = quote
    return (
        '<mms date="1710317700000" msg_box="1" address="07700900123" contact_name="Dan Marsh">'
        "<parts>"
        '<part seq="0" ct="text/plain" text="look" />'
        f'<part seq="1" ct="image/jpeg" name="p.jpg" data = {q}{b64}{q} />'
        "</parts>"
        '<addrs><addr address="07700900123" type="137" /></addrs>'
        "</mms>"
    )


@pytest.mark.parametrize(("quote", "wrap"), [('"', False), ("'", False), ('"', True)])
def test_attachment_variants(quote: str, wrap: bool) -> None:
    payload = os.urandom(5000)
    (item,) = parse_sms_backup(sms_xml(mms_xml(payload, quote=quote, wrap=wrap)))
    assert item.text == "look"
    assert item.attachments[0].read() == payload
    assert item.attachments[0].size_hint is not None


class _Pipe(io.RawIOBase):
    """A non-seekable stream, delivering a few bytes per read."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview) -> int:  # type: ignore[override]
        chunk = self._buf.read(min(len(b), 4096))
        b[: len(chunk)] = chunk
        return len(chunk)


def test_pipe_input_keeps_attachments_in_memory() -> None:
    payload = os.urandom(20000)
    items = list(parse_sms_backup(_Pipe(sms_xml(sms("hi"), mms_xml(payload)))))
    assert items[0].text == "hi"
    assert items[1].attachments[0].read() == payload


def test_pipe_input_too_large_part(monkeypatch: pytest.MonkeyPatch) -> None:
    from victim_log.importers import sms_backup

    monkeypatch.setattr(sms_backup, "MAX_INLINE_PART_BYTES", 1000)
    (item,) = parse_sms_backup(_Pipe(sms_xml(mms_xml(os.urandom(5000)))))
    assert "attachment_too_large" in item.flags
    assert not item.attachments[0].available


def test_file_object_shared_with_attachment_reads() -> None:
    payload = os.urandom(10000)
    fp = io.BytesIO(sms_xml(mms_xml(payload), sms("after")))
    stream = parse_sms_backup(fp)
    first = next(stream)
    assert first.attachments[0].read() == payload  # seeks the shared file...
    assert next(stream).text == "after"  # ...and the parse carries on where it was


def test_big_part_is_not_held_in_memory(tmp_path: Path) -> None:
    """A 24 MB base64 value streams past expat; traced memory stays small."""
    path = tmp_path / "big.xml"
    chunk = base64.b64encode(os.urandom(3 * 1024 * 1024))
    with path.open("wb") as fh:
        fh.write(HEAD)
        fh.write(
            b'<mms date="1710317700000" msg_box="1" address="07700900123"><parts>'
            b'<part seq="0" ct="video/mp4" name="v.mp4" data="'
        )
        for _ in range(6):
            fh.write(chunk)
        fh.write(b'" /></parts></mms>\n')
        fh.write(TAIL)
    tracemalloc.start()
    try:
        with parse_sms_backup(path) as stream:
            (item,) = list(stream)
            total = sum(len(piece) for piece in item.attachments[0].iter_bytes())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == 6 * 3 * 1024 * 1024
    assert peak < 12 * 1024 * 1024, peak


def test_overlong_entry_outside_data_is_refused() -> None:
    from victim_log.importers import sms_backup

    xml = sms_xml(sms("x" * (sms_backup.MAX_TOKEN_BYTES + 10)))
    with pytest.raises(ImportFormatError, match="far too long"):
        list(parse_sms_backup(xml))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"<?xml version='1.0'?><html><body/></html>",
        b"12/03/2024, 20:01 - Dan Marsh: hi\n",
        "<?xml version='1.0' encoding='UTF-16'?><smses/>".encode("utf-16"),
    ],
)
def test_not_a_backup_is_recognised_early(data: bytes) -> None:
    with pytest.raises(ImportFormatError):
        parse_sms_backup(data)


def test_wrong_root_element() -> None:
    with pytest.raises(ImportFormatError, match="SMS Backup"):
        list(parse_sms_backup(b"<?xml version='1.0'?><!-- <smses> --><other/>"))


def test_truncated_file_reports_line() -> None:
    data = fixture_bytes("sms_backup.xml")[:2000]
    stream = parse_sms_backup(data)
    with pytest.raises(ImportFormatError, match=r"damaged or cut short \(near line \d+\)"):
        list(stream)


def test_deep_nesting_refused() -> None:
    xml = HEAD + b"<a>" * 100 + b"</a>" * 100 + TAIL
    with pytest.raises(ImportFormatError, match="nested too deeply"):
        list(parse_sms_backup(xml))


def test_many_parts_are_capped() -> None:
    from victim_log.importers import sms_backup

    parts = "".join(
        f'<part seq="{i}" ct="text/plain" text="p{i}" />' for i in range(sms_backup.MAX_PARTS + 5)
    )
    xml = sms_xml(f'<mms date="1710317700000" msg_box="1" address="1"><parts>{parts}</parts></mms>')
    (item,) = parse_sms_backup(xml)
    assert "parts_truncated" in item.flags
    assert item.text.count("\n") == sms_backup.MAX_PARTS - 1


def test_group_mms_uses_from_address() -> None:
    xml = sms_xml(
        '<mms date="1710317700000" msg_box="1" address="07700900123~07700900456" '
        'contact_name="Dan Marsh, Amy Pond"><parts><part seq="0" ct="text/plain" text="hi all"/>'
        '</parts><addrs><addr address="07700900456" type="137"/>'
        '<addr address="07700900123" type="151"/></addrs></mms>'
    )
    (item,) = parse_sms_backup(xml)
    assert (item.sender, item.sender_id) == ("07700900456", "07700900456")


def test_an_mms_part_numbered_with_a_superscript_is_read() -> None:
    """seq="²" passed str.isdigit but not int(): the ValueError refused the whole
    file as damaged. The part is read (in place 0)."""
    mms = (
        '<mms date="1710317700000" msg_box="1" address="07700900123" contact_name="Dan Marsh"><parts>'
        '<part seq="\u00b2" ct="text/plain" text="look" /></parts>'
        '<addrs><addr address="07700900123" type="137" /></addrs></mms>'
    )
    (item,) = parse_sms_backup(sms_xml(mms))
    assert item.text == "look"
