"""Positional reads from a zip on disk or in a binary file object.

Why positional: the verifier hashes several members at once from threads, and
``os.pread`` needs no shared file position (so no lock) and lets the kernel read
ahead at disk speed. A file object (a phone export handed over as bytes or a stream)
has one position, so its reads take a lock.
"""

from __future__ import annotations

import io
import os
import stat
import threading
from pathlib import Path
from typing import BinaryIO

from ..errors import NotABundle
from .records import damaged


class Source:
    """A read-only view of the zip's bytes. ``label`` names it in messages."""

    def __init__(self, source: str | os.PathLike[str] | BinaryIO) -> None:
        self._lock = threading.Lock()
        self._fd = -1
        self._fp: BinaryIO | None = None
        self.path: Path | None = None
        if isinstance(source, (str, os.PathLike)):
            self.path = Path(source)
            self.label = self.path.name
            self._fd = _open_file(self.path)
            try:
                self.size = os.fstat(self._fd).st_size
                if hasattr(os, "posix_fadvise"):  # read mostly front to back: read ahead more
                    os.posix_fadvise(self._fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)
            except BaseException:
                self.close()
                raise
        else:
            self.label = ""
            self._fp = source
            try:
                self.size = source.seek(0, io.SEEK_END)
            except (OSError, ValueError):
                raise NotABundle("This zip file cannot be read.") from None

    @property
    def fileobj(self) -> BinaryIO | None:
        return self._fp

    @property
    def lock(self) -> threading.Lock:
        """Held by anyone who moves the file object's position."""
        return self._lock

    def pread(self, size: int, offset: int) -> bytes:
        if self._fp is not None:
            with self._lock:
                self._fp.seek(offset)
                return self._fp.read(size)
        if hasattr(os, "pread"):
            return os.pread(self._fd, size, offset)
        with self._lock:  # pragma: no cover - Windows has no pread
            os.lseek(self._fd, offset, os.SEEK_SET)
            return os.read(self._fd, size)

    def preadinto(self, buf: memoryview, offset: int) -> int:
        if self._fp is None and hasattr(os, "preadv"):
            return os.preadv(self._fd, [buf], offset)
        data = self.pread(len(buf), offset)
        buf[: len(data)] = data
        return len(data)

    def read_exact(self, size: int, offset: int) -> bytes:
        if size < 0 or offset < 0 or offset + size > self.size:
            raise damaged()
        data = self.pread(size, offset) if size else b""
        if len(data) != size:
            raise damaged()
        return data

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._fp = None  # a caller's file object stays theirs to close


def _open_file(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise NotABundle(f"There is no file called {path.name}.") from None
    except IsADirectoryError:
        raise NotABundle(f"{path.name} is a folder, not a zip file.") from None
    except OSError:
        raise NotABundle(f"{path.name} cannot be opened for reading.") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotABundle(f"{path.name} is not an ordinary file.")
    except BaseException:
        os.close(fd)
        raise
    return fd
