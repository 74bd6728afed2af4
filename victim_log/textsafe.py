"""Make untrusted text safe to show on screen and to use as a file name.

Imported messages, sender names and attachment names come from files a perpetrator
may have shaped. Two tricks matter here:

* **Bidi controls** (U+202A..U+202E, U+2066..U+2069, and the marks U+200E, U+200F,
  U+061C) reorder what is displayed, so "invoice_gpj.exe" can show as
  "invoice_exe.jpg" and a sender name can appear to say something else. We remove
  them: the logical order of the words is the truth.
* **Control characters** (C0 except tab/newline, DEL, C1) can fake line breaks,
  ring terminals or corrupt file names. They become U+FFFD so that something is
  visibly there.

Neither function changes stored evidence: they are for display and for names we
write to disk.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BIDI_CONTROLS",
    "UNSAFE_CATEGORIES",
    "ascii_digits",
    "display_safe",
    "has_utf8",
    "is_unsafe_char",
    "safe_filename",
]

#: Characters that change the display order of text.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: Unicode categories that never belong in a name someone reads: controls (C0, C1,
#: DEL), lone surrogates (undecodable bytes), and the line/paragraph separators some
#: tools split lines on.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})

_REPLACEMENT = "\ufffd"


def is_unsafe_char(ch: str) -> bool:
    """True for a character that can fake a line break, hide or reorder a name: the one
    set (bidi controls plus :data:`UNSAFE_CATEGORIES`) that zip names, bag paths and
    display all use."""
    return ch in BIDI_CONTROLS or unicodedata.category(ch) in UNSAFE_CATEGORIES


# One table for str.translate: fast on long messages.
_DISPLAY_TABLE: dict[int, str | None] = {}
for _cp in range(0x20):
    _DISPLAY_TABLE[_cp] = _REPLACEMENT
for _cp in range(0x7F, 0xA0):
    _DISPLAY_TABLE[_cp] = _REPLACEMENT
_DISPLAY_TABLE[ord("\t")] = "\t"
_DISPLAY_TABLE[ord("\n")] = "\n"
_DISPLAY_TABLE[0x85] = "\n"  # NEL
_DISPLAY_TABLE[0x2028] = "\n"  # line separator
_DISPLAY_TABLE[0x2029] = "\n"  # paragraph separator
_DISPLAY_TABLE[0xFEFF] = None  # BOM / zero-width no-break space: invisible, never meant
for _ch in BIDI_CONTROLS:
    _DISPLAY_TABLE[ord(_ch)] = None

_SURROGATES = re.compile("[\ud800-\udfff]")


def plural(n: int, word: str, words: str | None = None) -> str:
    """``1 exhibit``, ``2 exhibits`` (``words`` for irregular plurals)."""
    return f"{n} {word if n == 1 else (words or word + 's')}"


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is a number written in 0-9 only. ``str.isdigit`` alone also
    accepts "²", which ``int()`` refuses (a crash where a number was typed)."""
    return text.isascii() and text.isdigit()


def has_utf8(text: str) -> bool:
    """Whether ``text`` can be encoded as UTF-8: not when it holds a lone surrogate
    (bytes that were not UTF-8, decoded with surrogate escapes; ``"\\ud800"`` in JSON)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_safe(untrusted: str, *, single_line: bool = False) -> str:
    """Return ``untrusted`` with bidi controls removed and control characters replaced.

    Line breaks (``\\r\\n``, ``\\r``, NEL, U+2028/9) become ``\\n`` and tabs stay, unless
    ``single_line`` is set, when both become a space (for lists and titles). Lone
    surrogates (from undecodable bytes) become U+FFFD.
    """
    if untrusted.isascii() and untrusted.isprintable():
        return untrusted  # nothing to replace: the common case, without a per-character walk
    text = untrusted.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_DISPLAY_TABLE)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub(_REPLACEMENT, text)
    if single_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text


# Characters never allowed in a file name on Windows, macOS or Linux.
_FILENAME_BAD = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f]')
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{i}" for i in range(10)]
    + [f"LPT{i}" for i in range(10)]
    + ["COM\u00b9", "COM\u00b2", "COM\u00b3", "LPT\u00b9", "LPT\u00b2", "LPT\u00b3"]
)
_MAX_EXT_CHARS = 16


def _utf8_cut(text: str, max_bytes: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 form fits ``max_bytes``."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    return raw[:max_bytes].decode("utf-8", "ignore")


def safe_filename(untrusted: str, max_len: int = 120, *, fallback: str = "file") -> str:
    """A single, portable file name component made from ``untrusted``.

    Removes bidi controls and zero-width format characters, replaces path separators,
    reserved and control characters with ``_``, trims leading/trailing dots and
    spaces (Windows drops them silently), avoids reserved device names (``CON``,
    ``nul.txt``) and never returns ``.``, ``..`` or an empty string (``fallback``
    instead). ``max_len`` counts UTF-8 bytes, as file systems do (most allow 255);
    truncation keeps a short extension so the file still opens with the right app.
    """
    if max_len < 8:
        raise ValueError("max_len must be at least 8")
    text = unicodedata.normalize("NFC", untrusted)
    text = _SURROGATES.sub("_", text)
    text = "".join(ch for ch in text if ch not in BIDI_CONTROLS and unicodedata.category(ch) != "Cf")
    text = _FILENAME_BAD.sub("_", text)
    text = " ".join(text.split())  # other whitespace (tabs, U+2028, NBSP runs) -> one space
    text = text.strip(" .")
    if not text:
        text = fallback
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXT_CHARS or " " in ext:
        stem, ext = text, ""
    if stem.split(".")[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    if stem.startswith("-"):
        stem = "_" + stem[1:]  # never looks like a command-line option
    suffix = "." + ext if ext else ""
    budget = max_len - len(suffix.encode("utf-8"))
    if budget < 1:
        suffix = ""
        budget = max_len
    stem = _utf8_cut(stem, budget).rstrip(" .") or fallback
    result = stem + suffix
    return _utf8_cut(result, max_len)
