"""Untrusted text for display and for file names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from victim_log.textsafe import BIDI_CONTROLS
from victim_log.textsafe import display_safe
from victim_log.textsafe import safe_filename


def test_bidi_controls_removed() -> None:
    spoof = "invoice_\u202egpj.exe"
    assert display_safe(spoof) == "invoice_gpj.exe"
    assert display_safe("\u2066Dan\u2069 \u200eMarsh\u200f") == "Dan Marsh"
    assert display_safe("a\u061cb\u202ac\u202bd\u202ce\u202df\u2067g\u2068h") == "abcdefgh"


def test_controls_replaced_and_newlines_normalised() -> None:
    assert display_safe("ring\x07 esc\x1b[31m del\x7f c1\x9b") == (
        "ring\ufffd esc\ufffd[31m del\ufffd c1\ufffd"
    )
    assert display_safe("a\r\nb\rc\u2028d\u2029e\x85f") == "a\nb\nc\nd\ne\nf"
    assert display_safe("tab\there\nnext") == "tab\there\nnext"
    assert display_safe("\ufeffbom") == "bom"
    assert display_safe("lone \udcff surrogate") == "lone \ufffd surrogate"


def test_single_line() -> None:
    assert display_safe("two\nlines\tand tab", single_line=True) == "two lines and tab"


def test_emoji_and_scripts_untouched() -> None:
    text = "\U0001f469\u200d\U0001f469\u200d\U0001f467 \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 caf\u00e9"
    assert display_safe(text) == text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "_._etc_passwd"),
        ('a/b\\c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("invoice_\u202egpj.exe", "invoice_gpj.exe"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1.tar.gz", "_com1.tar.gz"),
        ("  trailing dots... ", "trailing dots"),
        ("", "file"),
        ("..", "file"),
        (".", "file"),
        ("-rf", "_rf"),
        ("tab\tand\nnewline", "tab_and_newline"),
        ("zero\u200bwidth", "zerowidth"),
        ("e\u0301", "\u00e9"),  # NFC
        (".bashrc", "bashrc"),
    ],
)
def test_safe_filename_cases(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_fallback_and_length() -> None:
    assert safe_filename("\u202e", fallback="exhibit") == "exhibit"
    long = "\u00e9" * 300 + ".jpeg"
    out = safe_filename(long, max_len=100)
    assert out.endswith(".jpeg")
    assert len(out.encode("utf-8")) <= 100
    huge_ext = "a." + "b" * 300
    assert len(safe_filename(huge_ext, max_len=50).encode()) <= 50
    with pytest.raises(ValueError):
        safe_filename("x", max_len=3)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=8, max_value=255))
def test_safe_filename_properties(name: str, max_len: int) -> None:
    out = safe_filename(name, max_len=max_len)
    assert out and out not in (".", "..")
    assert len(out.encode("utf-8")) <= max_len
    assert not any(c in out for c in '/\\:*?"<>|\x00')
    assert not any(c in BIDI_CONTROLS for c in out)
    assert all(ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0 for c in out)
    assert out == out.strip(" ")
    assert not out.endswith(".")
    assert safe_filename(out, max_len=max_len) == out  # idempotent


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_display_safe_properties(text: str) -> None:
    out = display_safe(text)
    assert not any(c in BIDI_CONTROLS for c in out)
    assert all(c in "\n\t" or (ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0) for c in out)
    assert "\r" not in out
    assert display_safe(out) == out
