"""Rules for member names: what a safe relative path is, how a name is decoded, and
which two names are one file on some system.

A name is refused when it could write outside the folder it is extracted into
(absolute, ``..``, a Windows drive), when tools disagree on where it points
(backslashes, empty or ``.`` parts), when it could display as something it is not
(control and bidi characters, from :func:`victim_log.textsafe.is_unsafe_char`), or
when two names land on one file on Windows or macOS (case folding, Unicode NFC/NFD).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from ..textsafe import is_unsafe_char

__all__ = [
    "DIRECTION_MARKS",
    "collision_key",
    "folder_clash",
    "decode_name",
    "is_unsafe_char",
    "unsafe_name_reason",
]

MAX_NAME_BYTES = 1024
FLAG_UTF8 = 0x0800

#: The invisible direction marks phones put around names in right-to-left scripts;
#: unlike the embeddings and overrides they cannot reorder the text around them.
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")

_DRIVE_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def unsafe_name_reason(
    name: str, *, max_bytes: int = MAX_NAME_BYTES, allow_marks: bool = False
) -> str | None:
    """Why ``name`` is not a safe relative path inside a zip (a phrase that follows
    "it has"), or None if it is. ``allow_marks`` lets :data:`DIRECTION_MARKS` through."""
    if not name or len(name.encode("utf-8", "surrogatepass")) > max_bytes:
        return "an empty or overlong name"
    if not (name.isascii() and name.isprintable()):  # printable ASCII: nothing to look for
        for ch in name:
            if is_unsafe_char(ch) and not (allow_marks and ch in DIRECTION_MARKS):
                return "a control character in a name"
    if "\\" in name:
        return "a backslash in a name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":" and name[0] in _DRIVE_LETTERS):
        return "an absolute path"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    for part in parts:
        if part == "..":
            return "a path that climbs out of its folder (..)"
        if part in ("", "."):
            return "an empty path component"
    return None


def decode_name(raw: bytes, flags: int, *, allow_cp437: bool) -> str | None:
    """The name as Python's zipfile reads it, or None when it cannot be read safely.

    UTF-8 when the flag says so; plain ASCII otherwise. Other bytes without the flag
    are code page 437 by the standard, but Info-ZIP on Linux, Windows Explorer and
    macOS each guess differently, so they are accepted only when ``allow_cp437``.
    """
    try:
        return raw.decode("utf-8" if flags & FLAG_UTF8 else "ascii")
    except UnicodeDecodeError:
        pass
    if flags & FLAG_UTF8 or not allow_cp437:
        return None
    return raw.decode("cp437")


def collision_key(name: str) -> str:
    """Names with one key are one file on a case-insensitive, normalising file system."""
    return unicodedata.normalize("NFC", name).casefold()


def folder_clash(names: Iterable[str]) -> str | None:
    """A path used both as a file and as a folder (``a`` and ``a/b``), or None."""
    all_names = list(names)
    files = {n for n in all_names if not n.endswith("/")}
    for n in all_names:
        parts = n.rstrip("/").split("/")
        if n.endswith("/") and n[:-1] in files:
            return n[:-1]
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            if prefix in files:
                return prefix
    return None
