"""The zipfile cross-check: any difference between zipfile's listing and ours refuses
the zip (a trick we did not think of still cannot show tools another archive)."""

from __future__ import annotations

import dataclasses
import io

import pytest

from tests import zipcraft as zc
from victim_log.safezip import STRICT
from victim_log.safezip import SafeZip
from victim_log.safezip import UnsafeZip
from victim_log.safezip.archive import read_archive
from victim_log.safezip.crosscheck import cross_check
from victim_log.safezip.source import Source

E = zc.Entry
DATA = zc.build([E("a.txt", b"first"), E("b.txt", b"second", method=8)])


@pytest.mark.parametrize(
    "change",
    [
        {"name": "c.txt"},
        {"header_offset": 1},
        {"compressed_size": 99},
        {"size": 99},
        {"crc32": 0},
    ],
)
def test_any_difference_from_zipfile_refuses(change: dict[str, object]) -> None:
    src = Source(io.BytesIO(DATA))
    members = list(read_archive(src, STRICT))
    cross_check(src, members)  # the genuine listing agrees
    members[1] = dataclasses.replace(members[1], **change)  # type: ignore[arg-type]
    with pytest.raises(UnsafeZip) as info:
        cross_check(src, members)
    assert info.value.reason == "zipfile-disagrees"
    with pytest.raises(UnsafeZip):
        cross_check(src, members[:1])  # a member zipfile sees and we do not


def test_a_zip_zipfile_cannot_read_is_refused() -> None:
    src = Source(io.BytesIO(b"PK\x05\x06" + b"\0" * 10))  # too short for zipfile
    with pytest.raises(UnsafeZip) as info:
        cross_check(src, [])
    assert info.value.reason == "zipfile-disagrees"


def test_the_check_runs_when_opening() -> None:
    with SafeZip(io.BytesIO(DATA)) as z:
        assert [m.name for m in z.members] == ["a.txt", "b.txt"]
