"""The shared records: streams, statistics, attachments, sources."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime

import pytest

from victim_log.errors import BadInput
from victim_log.importers import ImportFormatError
from victim_log.importers import ImportStats
from victim_log.importers import ItemStream
from victim_log.importers import ParsedAttachment
from victim_log.importers import ParsedItem
from victim_log.importers.records import MAX_SKIPPED_KEPT
from victim_log.importers.records import Source


def _item(sender: str, flags: frozenset[str] = frozenset()) -> ParsedItem:
    return ParsedItem("x", datetime(2024, 3, 12), sender, None, "in", "message", "t", flags=flags)


def test_senders_sorted_by_count_then_name_and_system_excluded() -> None:
    stats = ImportStats("t")
    for s in ["Dan", "Amy", "Dan", "Bob", "Amy", "Dan", ""]:
        stats.note_item(_item(s))
    stats.note_item(_item("Group", frozenset({"system"})))
    assert stats.senders() == [("Dan", 3), ("Amy", 2), ("Bob", 1)]
    assert stats.items == 8


def test_skipped_list_is_capped_but_counted() -> None:
    stats = ImportStats("t")
    for i in range(MAX_SKIPPED_KEPT + 10):
        stats.note_skip(f"line {i}", "bad")
    assert len(stats.skipped) == MAX_SKIPPED_KEPT
    assert stats.skipped_count == MAX_SKIPPED_KEPT + 10


def test_stream_collect_limit_and_close() -> None:
    closed: list[bool] = []

    def produce(stats: ImportStats) -> Iterator[ParsedItem]:
        for i in range(5):
            yield _item(f"s{i}")

    stream = ItemStream("t", produce, lambda: closed.append(True))
    with pytest.raises(ImportFormatError, match="over 3 items"):
        stream.collect(max_items=3)
    assert closed == [True]
    result = ItemStream("t", produce).collect()
    assert len(result.items) == 5
    assert result.senders()[0] == ("s0", 1)


def test_stream_turns_data_errors_into_ours_and_lets_bugs_through() -> None:
    def broken(stats: ImportStats) -> Iterator[ParsedItem]:
        yield _item("a")
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad")

    stream = ItemStream("t", broken)
    next(stream)
    with pytest.raises(ImportFormatError) as info:
        next(stream)
    assert "utf-8" not in str(info.value)
    with pytest.raises(StopIteration):
        next(stream)

    def buggy(stats: ImportStats) -> Iterator[ParsedItem]:
        raise KeyError("a bug")
        yield  # pragma: no cover

    with pytest.raises(KeyError):
        next(ItemStream("t", buggy))


def test_attachment_read_limit_and_missing() -> None:
    att = ParsedAttachment("a.bin", opener=lambda: iter([b"x" * 10, b"y" * 10]))
    assert att.read() == b"x" * 10 + b"y" * 10
    with pytest.raises(ImportFormatError, match="too large"):
        att.read(max_bytes=15)
    missing = ParsedAttachment("b.bin")
    assert not missing.available
    with pytest.raises(ImportFormatError):
        missing.read()
    assert att == ParsedAttachment("a.bin")  # the opener is not part of equality

    def failing() -> Iterator[bytes]:
        raise OSError("disk gone")

    with pytest.raises(ImportFormatError) as info:
        ParsedAttachment("c", opener=failing).read()
    assert isinstance(info.value, BadInput)


def test_source_kinds(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "f.bin"  # type: ignore[operator]
    path.write_bytes(b"0123456789")
    for src in (Source(path), Source(str(path)), Source(b"0123456789"), Source(io.BytesIO(b"0123456789"))):
        assert src.head(4) == b"0123"
        assert src.pread(3, 4) == b"3456"
        with src.open() as fp:
            assert fp.read() == b"0123456789"
    with pytest.raises(ImportFormatError):
        Source(tmp_path)
    with pytest.raises(ImportFormatError):
        Source(tmp_path / "missing")  # type: ignore[operator]
    with pytest.raises(ImportFormatError):
        Source(12345)
