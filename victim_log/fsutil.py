"""Atomic, private file writes.

A crash at any instant must leave either the old file or the new one, never half of
each: temp file in the same directory, fsync, ``os.replace``, fsync the directory.
Write errors (ENOSPC, EROFS, EACCES) become :class:`~victim_log.errors.DiskFull` or
:class:`~victim_log.errors.ReadOnlyVault` with a plain message, and the temp file is
removed so nothing half-written is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import DiskFull, ReadOnlyVault, VictimLogError


def translate_os_error(exc: OSError, what: str) -> VictimLogError:
    """Turn a write failure into a user-facing error that names no content."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(f"There is not enough free disk space to save {what}. Nothing was changed.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyVault(
            f"Victim Log cannot write {what}: the folder is read-only or not yours. "
            "Nothing was changed."
        )
    return DiskFull(f"Saving {what} failed ({os.strerror(exc.errno or 0)}). Nothing was changed.")


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, what: str = "the file") -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only if the block ends normally."""
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError as exc:
        raise translate_os_error(exc, what) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise translate_os_error(exc, what) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes, what: str = "the file") -> None:
    with atomic_writer(path, what) as fh:
        fh.write(data)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (0700) if missing; tighten it if it exists with looser bits."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
