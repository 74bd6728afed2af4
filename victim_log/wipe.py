"""Overwrite a file where it lies, then delete it (erase for good, #17.4).

``unlink`` only forgets where a file's bytes are; they stay in the file system's free
blocks until something else is written there. Overwriting them with zeros first
(and syncing) removes them on a file system that writes in place (ext4, XFS without
reflinks). Copy-on-write file systems (btrfs, ZFS, APFS), SSDs (wear levelling keeps
old blocks until the drive's own garbage collection) and snapshots may still hold
them: the README says so.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .fsutil import fsync_dir

CHUNK = 1024 * 1024


def zero_in_place(path: Path, *, unless_first_byte_set: bool = False) -> bool:
    """Overwrite ``path`` with zeros where it lies and sync it, keeping the file. True
    when done or the file is not there; False (nothing written) when it cannot be
    written, or when ``unless_first_byte_set`` and its first byte is not zero (a
    SQLite journal that is still hot: SQLite must roll it back, never us)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        if unless_first_byte_set and os.pread(fd, 1, 0) not in (b"", b"\0"):
            return False
        size = os.fstat(fd).st_size
        zeros = bytes(min(CHUNK, size))
        done = 0
        while done < size:
            done += os.pwrite(fd, zeros[: size - done], done)
        os.fsync(fd)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def zero_and_unlink(path: Path, *, unless_first_byte_set: bool = False) -> bool:
    """:func:`zero_in_place`, then delete the file and sync its folder."""
    if not path.exists():
        return True
    if not zero_in_place(path, unless_first_byte_set=unless_first_byte_set):
        return False
    try:
        os.unlink(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    with contextlib.suppress(OSError):
        fsync_dir(path.parent)
    return True
