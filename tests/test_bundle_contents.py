"""What the bundle viewer shows, read without Qt: timeline rows, exhibits, notes."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from victim_log.bundle_contents import BundleContents
from victim_log.bundle_contents import cell
from victim_log.bundle_contents import read_contents
from victim_log.bundle_contents import text
from victim_log.errors import NotABundle
from victim_log.safezip import SafeZip

TIMELINE = {
    "case_title": "Case 1",
    "incidents": [
        {
            "number": 1,
            "when": "6 Jun 2026 21:15",
            "kind_labels": ["Gift"],
            "summary": "Flowers\u202e left",
            "exhibits": ["SM/1"],
            "details": "A card",
        },
        {"number": 2, "when": "7 Jun 2026", "kinds": ["phone_call"], "summary": "Calls"},
        "not an incident",
    ],
}
EXHIBITS = (
    "reference,file,original_filename,sha256,size_bytes,media_type,added_at,entries\r\n"
    "SM/1,data/exhibits/SM-1_card.png,card.png,ABC,4,image/png,"
    "2026-06-06T21:20:00+01:00,1\r\n"
    "'=SM/2,data/exhibits/gone.png,gone.png,,1,image/png,,2\r\n"
)


def make_bundle(
    path: Path, *, timeline: bytes | None = None, root: str = "case/", extra: dict[str, bytes] | None = None
) -> Path:
    members = {
        root + "bagit.txt": b"BagIt-Version: 1.0\n",
        root + "data/timeline.json": json.dumps(TIMELINE).encode() if timeline is None else timeline,
        root + "data/exhibits.csv": EXHIBITS.encode(),
        root + "data/exhibits/SM-1_card.png": b"\x89PNG",
        root + "data/exhibits/unlisted.txt": b"hello",
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def contents_of(path: Path) -> BundleContents:
    with SafeZip(path) as z:
        return read_contents(z)


def test_rows_exhibits_and_unlisted_files(tmp_path: Path) -> None:
    c = contents_of(make_bundle(tmp_path / "b.zip"))
    assert c.root == "case/"
    assert [r.number for r in c.rows] == ["1", "2"]  # the string entry is skipped
    assert c.rows[0].summary == "Flowers left"  # bidi control neutralised
    assert c.rows[0].kinds == "Gift"
    assert c.rows[1].kinds == "phone_call"
    assert "Case 1" in c.about
    first, second, unlisted = c.exhibits
    assert (first.reference, first.member, first.sha256) == (
        "SM/1",
        "case/data/exhibits/SM-1_card.png",
        "abc",
    )
    assert (second.reference, second.member) == ("=SM/2", "")  # formula guard removed; missing
    assert (unlisted.listed, unlisted.member) == (False, "case/data/exhibits/unlisted.txt")
    assert c.notes == []


@pytest.mark.parametrize(
    ("timeline", "note"),
    [
        (b"[" * 100_000, "timeline.json cannot be read"),
        (b"[1, 2]", "not in the format Victim Log writes"),
    ],
)
def test_a_broken_timeline_is_a_note_not_an_error(tmp_path: Path, timeline: bytes, note: str) -> None:
    c = contents_of(make_bundle(tmp_path / "b.zip", timeline=timeline))
    assert c.rows == []
    assert any(note in n for n in c.notes)
    assert len(c.exhibits) == 3  # the exhibits list is read all the same


def test_a_zip_that_is_not_a_bag_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("holiday.jpg", b"not really")
    with pytest.raises(NotABundle, match="not an export bundle"):
        contents_of(plain)


def test_two_bags_in_one_zip_are_refused(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "b.zip", extra={"other/bagit.txt": b"BagIt-Version: 1.0\n"})
    with pytest.raises(NotABundle, match="more than one bundle"):
        contents_of(path)


def test_text_helpers() -> None:
    assert text(["a", 1, None, True]) == "a; 1; yes"
    assert text({"x": 1}) == ""
    assert text("a\u202eb\x07") == "ab\ufffd"
    assert cell("'=HYPERLINK(x)") == "=HYPERLINK(x)"
    assert cell("'plain") == "'plain"


def test_times_are_on_the_bundles_clock_not_the_viewers(tmp_path: Path) -> None:
    """#16.4: an officer in another zone (or a machine set to UTC) sees the times the
    PDF shows: the bundle names its case zone and the viewer uses it."""
    from victim_log import casetime

    doc = {
        **TIMELINE,
        "time_zone": "Europe/London",
        "exported_at": "2026-06-08T09:00:00+00:00",
        "incidents": [{**TIMELINE["incidents"][0], "first_recorded_at": "2026-06-06T20:30:00+00:00"}],
    }
    casetime.activate("America/New_York")  # the viewer's own clock
    try:
        with SafeZip(make_bundle(tmp_path / "b.zip", timeline=json.dumps(doc).encode())) as z:
            contents = read_contents(z)
    finally:
        casetime.activate(None)
    assert "First recorded: Sat 6 Jun 2026 21:30:00 BST" in contents.rows[0].detail
    assert "Exported: Mon 8 Jun 2026 10:00:00 BST" in contents.about
    assert "Times: on the clock of Europe/London" in contents.about
