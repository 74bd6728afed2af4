"""The objects of one big JSON array, read a piece at a time (never ``json.load``).

Telegram Desktop's ``result.json`` and Meta's ``message_1.json`` hold every message of
a chat in one array under ``"messages"``; a long chat is hundreds of megabytes. This
reads the file in 1 MiB pieces, finds the array, and decodes one message object at a
time with :meth:`json.JSONDecoder.raw_decode`, keeping only the unread rest in memory.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any
from typing import BinaryIO

from .records import ImportFormatError

__all__ = ["iter_array"]

CHUNK_BYTES = 1024 * 1024
MAX_OBJECT_CHARS = 32 * 1024 * 1024  # one message; a bigger "message" is not one
MAX_HEAD_CHARS = 8 * 1024 * 1024  # before the array: a chat's name, its participants
_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


def _array_start(key: str) -> re.Pattern[str]:
    # A key's quotes are never escaped; inside a string value every quote is.
    return re.compile(r'(?<!\\)"' + re.escape(key) + r'"\s*:\s*\[')


class _Reader:
    def __init__(self, fp: BinaryIO) -> None:
        self._fp = fp
        self._dec = codecs.getincrementaldecoder("utf-8")("replace")
        self.buf = ""
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        raw = self._fp.read(CHUNK_BYTES)
        if not isinstance(raw, bytes):
            raise ImportFormatError("This file can't be read as JSON.")
        if not raw:
            self.eof = True
            self.buf += self._dec.decode(b"", final=True)
            return False
        self.buf += self._dec.decode(raw)
        return True


def iter_array(fp: BinaryIO, key: str, not_this: str) -> Iterator[Any]:
    """Each value of the first array under ``key``, in file order."""
    r = _Reader(fp)
    pattern = _array_start(key)
    while True:
        m = pattern.search(r.buf)
        if m is not None:
            break
        if len(r.buf) > MAX_HEAD_CHARS or not r.more():
            raise ImportFormatError(not_this)
    pos = m.end()
    while True:
        buf = r.buf
        n = len(buf)
        while pos < n and (buf[pos] in _WS or buf[pos] == ","):
            pos += 1
        if pos >= n:
            if not r.more():
                raise ImportFormatError("This file is cut short: its list of messages never ends.")
            r.buf = r.buf[pos:]
            pos = 0
            continue
        if buf[pos] == "]":
            return
        try:
            value, end = _DECODER.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if n - pos > MAX_OBJECT_CHARS:
                raise ImportFormatError("This file has a message far too long to be one.") from None
            if not r.more():
                raise ImportFormatError("This file is damaged or cut short inside a message.") from None
            r.buf = r.buf[pos:]
            pos = 0
            continue
        yield value
        pos = end
        if pos > CHUNK_BYTES:
            r.buf = r.buf[pos:]
            pos = 0
