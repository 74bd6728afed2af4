"""Member-name rules and the one set of unsafe characters they share with display."""

from __future__ import annotations

import unicodedata

import pytest

from victim_log import textsafe
from victim_log.export import bagit_zip
from victim_log.safezip import is_unsafe_char
from victim_log.safezip import unsafe_name_reason
from victim_log.safezip.names import collision_key
from victim_log.safezip.names import decode_name
from victim_log.safezip.names import folder_clash


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("", "empty"),
        ("a" * 1025, "overlong"),
        ("/etc/passwd", "absolute"),
        ("C:/x", "absolute"),
        ("c:x", "absolute"),
        ("a/../b", "climbs"),
        ("..", "climbs"),
        ("a//b", "empty path component"),
        ("./a", "empty path component"),
        ("a\\b", "backslash"),
        ("a\x00b", "control"),
        ("a\x7fb", "control"),
        ("a\x85b", "control"),  # C1
        ("a\u2028b", "control"),  # line separator
        ("gpj.\u202eexe", "control"),
        ("a\u2066b", "control"),
        ("a\u200eb", "control"),
    ],
)
def test_unsafe_names(name: str, phrase: str) -> None:
    reason = unsafe_name_reason(name)
    assert reason is not None and phrase in reason


@pytest.mark.parametrize("name", ["a", "bag/data/x.jpg", "dir/", "café.jpg", "a b/ü.txt", "日記.txt"])
def test_safe_names(name: str) -> None:
    assert unsafe_name_reason(name) is None


def test_direction_marks_only_when_allowed() -> None:
    assert unsafe_name_reason("a\u200fb", allow_marks=True) is None
    assert unsafe_name_reason("a\u061cb", allow_marks=True) is None
    assert unsafe_name_reason("a\u202eb", allow_marks=True) is not None
    assert unsafe_name_reason("a\u2067b", allow_marks=True) is not None


def test_one_set_of_unsafe_characters() -> None:
    """The zip reader, the bag writer and display share textsafe's definition."""
    assert is_unsafe_char is textsafe.is_unsafe_char
    assert bagit_zip.is_unsafe_char is textsafe.is_unsafe_char
    for ch in textsafe.BIDI_CONTROLS:
        assert is_unsafe_char(ch)
        assert ch not in textsafe.display_safe(f"a{ch}b")
    for ch in "\x00\x1f\x7f\x80\x9f\u2028\u2029\ud800":
        assert is_unsafe_char(ch)
    assert not any(is_unsafe_char(ch) for ch in "aZ09 .-_é日\u00a0")


def test_decode_name() -> None:
    assert decode_name(b"ascii.txt", 0, allow_cp437=False) == "ascii.txt"
    assert decode_name("é.txt".encode(), 0x800, allow_cp437=False) == "é.txt"
    assert decode_name(b"\x82.txt", 0, allow_cp437=False) is None
    assert decode_name(b"\x82.txt", 0, allow_cp437=True) == "é.txt"
    assert decode_name(b"\xff.txt", 0x800, allow_cp437=True) is None


def test_collisions_and_clashes() -> None:
    nfc = unicodedata.normalize("NFC", "café")
    assert collision_key(nfc) == collision_key(unicodedata.normalize("NFD", nfc))
    assert collision_key("README.TXT") == collision_key("readme.txt")
    assert folder_clash(["a", "a/b"]) == "a"
    assert folder_clash(["a", "a/"]) == "a"
    assert folder_clash(["a/", "a/b", "c"]) is None
