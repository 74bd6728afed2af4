"""Atomic, private file writes.

A crash at any instant must leave either the old file or the new one, never half of
each: temp file in the same directory, fsync, ``os.replace``, fsync the directory.
Write errors (ENOSPC, EROFS, EACCES) become :class:`~victim_log.errors.DiskFull` or
:class:`~victim_log.errors.ReadOnlyVault` with a plain message, and the temp file is
removed so nothing half-written is left behind.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import errno
import hashlib
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from typing import Self

from .errors import BadInput
from .errors import DiskFull
from .errors import ReadOnlyVault
from .errors import VictimLogError
from .textsafe import display_safe

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: leftovers are judged by age instead
    fcntl = None  # type: ignore[assignment]

STALE_WITHOUT_LOCKS = 24 * 3600  # where flock is missing, a day-old temp file is abandoned


class ClosedOnExit:
    """``with thing:`` closes it at the end: for readers and stores that hold files
    open (a vault, a zip, an import stream), so none is left open by an error."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def translate_os_error(exc: OSError, what: str) -> VictimLogError:
    """Turn a write failure into a user-facing error that names no content."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(f"There is not enough free disk space to save {what}. Nothing was changed.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return ReadOnlyVault(
            f"Victim Log cannot write {what}: the folder is read-only or not yours. Nothing was changed."
        )
    return DiskFull(f"Saving {what} failed ({os.strerror(exc.errno or 0)}). Nothing was changed.")


def unrecorded_reason(exc: VictimLogError) -> str:
    """Why a finished file's journal entry could not be saved, for "the file was
    written, but..." (the error's own "Nothing was changed" would be untrue)."""
    text = exc.message.replace(" Nothing was changed.", "").rstrip(".")
    if isinstance(exc, DiskFull) and "not enough free disk space" in text:
        return "the disk holding the vault is full"
    if isinstance(exc, ReadOnlyVault):
        return "the vault's folder is read-only"
    return text


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_writer(path: Path, what: str = "the file", *, durable: bool = True) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` only if the block ends normally.

    ``durable`` waits for the bytes to reach the disk before the rename (the vault's
    own files). A copy handed out of the vault may skip that, as ``cp`` does: the
    name still never shows a half-written file, and the original stays safe inside.
    """
    path = Path(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    except OSError as exc:
        raise translate_os_error(exc, what) from None
    tmp = Path(tmp_name)
    hold_lock(fd)
    tracker = _TRACKER.get()
    untrack = tracker(tmp) if tracker is not None else None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
        if durable:
            fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise translate_os_error(exc, what) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if untrack is not None:
            untrack()


# ---------------------------------------------------------------------- leftovers of a crash
#
# A temp file or staging folder is locked (flock) by the process writing it for as
# long as it works; the lock dies with the process. Whatever carries our prefix and
# is NOT locked is therefore left over from a crash (or kill -9) and may be removed:
# a write still running in another window is never touched.

TEMP_PREFIX = ".tmp-"
BACKUP_TEMP_PREFIX = ".tmp-backup-"
RESTORE_PREFIX = ".restore-"

TempTracker = Callable[[Path], Callable[[], None]]
_TRACKER: contextvars.ContextVar[TempTracker | None] = contextvars.ContextVar("temp_tracker", default=None)


@contextlib.contextmanager
def tracking_temps(tracker: TempTracker) -> Iterator[None]:
    """While the block runs, every temp file :func:`atomic_writer` makes is reported to
    ``tracker`` (which returns a function to call when the file is gone): a vault
    remembers the partial exports it started outside its folder, to clean them up."""
    token = _TRACKER.set(tracker)
    try:
        yield
    finally:
        _TRACKER.reset(token)


def hold_lock(fd: int) -> None:
    """Mark an open temp file or folder as in use (released when ``fd`` closes)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_abandoned(path: Path) -> bool:
    """True if nobody holds the lock of the temp file or folder ``path``."""
    if fcntl is None:  # pragma: no cover - no flock: only the old ones
        try:
            return time.time() - os.lstat(path).st_mtime > STALE_WITHOUT_LOCKS
        except OSError:
            return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live writer holds it
    finally:
        os.close(fd)
    return True


def remove_abandoned(path: Path) -> int:
    """Remove an abandoned temp file or staging folder; the bytes freed (0 if kept)."""
    try:
        st = os.lstat(path)
    except OSError:
        return 0
    if stat.S_ISLNK(st.st_mode) or not is_abandoned(path):
        return 0
    if stat.S_ISDIR(st.st_mode):
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        shutil.rmtree(path, ignore_errors=True)
        return max(size, 1)
    with contextlib.suppress(OSError):
        path.unlink()
        return max(st.st_size, 1)
    return 0


WRITEBACK_STEP = 16 * 1024 * 1024
SYNC_FILE_RANGE_WRITE = 2  # from <fcntl.h>: start write-back, do not wait


def _find_sync_file_range() -> Callable[[int, int, int], None] | None:
    """Linux's sync_file_range(2), or None elsewhere (then nothing is asked early)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn.restype = ctypes.c_int

    def start_writeback(fd: int, offset: int, length: int) -> None:
        fn(fd, offset, length, SYNC_FILE_RANGE_WRITE)  # a failure only loses the head start

    return start_writeback


_START_WRITEBACK = _find_sync_file_range()


class EarlyWriteback:
    """A file whose bytes head for the disk while later ones are still being made.

    Left alone, the kernel keeps a large write in memory until the closing fsync and
    then writes all of it while we wait. Starting write-back every few MiB (Linux's
    ``sync_file_range``, which neither waits nor drops the pages from the cache) lets
    the disk work while the next chunks are hashed and encrypted, so the fsync has
    little left to do. Elsewhere this is a plain pass-through.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self._fd = fh.fileno()
        self._written = 0
        self._started = 0

    def write(self, data: bytes | memoryview) -> int:
        n = self._fh.write(data)
        self._written += len(data) if n is None else n
        if _START_WRITEBACK is not None and self._written - self._started >= WRITEBACK_STEP:
            self._fh.flush()
            _START_WRITEBACK(self._fd, self._started, self._written - self._started)
            self._started = self._written
        return len(data) if n is None else n


def file_sha256(path: Path) -> tuple[int, str]:
    """The size and SHA-256 (hex) of the file at ``path`` as it reads now, a block at a
    time. ``OSError`` propagates: each caller says in its own words what could not be read."""
    with open(path, "rb", buffering=0) as fh:
        digest = hashlib.file_digest(fh, "sha256")
        return fh.tell(), digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes, what: str = "the file") -> None:
    with atomic_writer(path, what) as fh:
        fh.write(data)


def ensure_private_dir(path: Path) -> None:
    """Create ``path`` (0700) if missing; tighten it if it exists with looser bits."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)


def kind_of(mode: int) -> str:
    """What a path that is not a regular file is, in words for a message."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_output_path(path: Path, what: str = "the file", *, overwrite: bool = False) -> Path:
    """Accept a path the person chose to write to only if it is new, or (``overwrite``)
    a regular file; say plainly what it is otherwise.

    Every writer of user-chosen paths (evidence copies, exports, backups) calls this
    first: an atomic write renames a temp file over the name, which would replace a
    device node (``/dev/full`` as root), a FIFO another program reads, or a symlink
    itself instead of the file it points to. A link is refused rather than followed,
    so the written file is always exactly the one named.
    """
    path = Path(path)
    name = display_safe(str(path), single_line=True)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise BadInput(
                f"The folder '{display_safe(str(path.parent), single_line=True)}' "
                f"does not exist, so {what} cannot be saved there."
            ) from None
        return path
    except OSError as exc:
        raise BadInput(f"'{name}' cannot be used for {what} ({exc.strerror}).") from None
    if stat.S_ISLNK(st.st_mode):
        raise BadInput(
            f"'{name}' is a link. Give the real file's name, or a new name, "
            f"for {what} (the link itself is never replaced)."
        )
    if stat.S_ISDIR(st.st_mode):
        raise BadInput(f"'{name}' is a folder; give a file name to save {what} to.")
    if not stat.S_ISREG(st.st_mode):
        raise BadInput(
            f"'{name}' is {kind_of(st.st_mode)}, not a file: Victim Log will not "
            f"write {what} over it. Choose a new file name."
        )
    if not overwrite:
        raise BadInput(f"'{name}' already exists; choose another name for {what}.")
    return path
