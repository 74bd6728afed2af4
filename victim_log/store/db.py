"""The SQLCipher database: connection, transactions and schema migrations.

The database is opened with a raw 256-bit key derived from the vault's data key
(SQLCipher's ``x'...'`` form, handed over through its key API rather than a
``PRAGMA key`` statement, so no Python string ever holds it), so opening after
unlock costs no key stretching; the stretching happened once, in
:mod:`victim_log.crypto.keys`. ``temp_store=MEMORY``
keeps SQLite's own temporary tables and sort spills off the disk, and
``secure_delete`` overwrites freed pages so an erased blob key is really gone.

Migrations are forward-only. Each is a list of SQL statements run in one transaction
with the new ``user_version``; a test builds a database at every earlier version and
opens it with the current code.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from ..errors import NewerSchema
from ..errors import VaultBusy
from ..errors import VaultCorrupt
from ..errors import VaultLocked
from ..errors import VictimLogError
from ..errors import WrongPassphrase
from ..fsutil import translate_os_error
from ..wipe import zero_and_unlink
from ..wipe import zero_in_place

# Queued inserts run in groups of about this many rows: large enough that
# executemany's per-call cost vanishes, small enough that a 100,000-message import
# does not hold every row of its transaction in Python memory at once.
QUEUE_ROWS = 50_000

# How long a transaction waits for another thread's transaction on the same
# connection to end: the same as SQLite's own wait for another process's (the
# ``timeout`` ``sqlcipher3.connect`` is given by default).
WRITER_WAIT_SECONDS = 5.0


class Connection:
    """The SQLCipher connection, with damage reported as :class:`VaultCorrupt`.

    SQLCipher checks each page's HMAC when it reads it, so a flipped byte anywhere in
    the file surfaces as ``DatabaseError`` from whichever query first touches that
    page. Translating it here, once, means every caller gets a plain message instead
    of a traceback, and nothing else in the code needs to know about it.

    The desktop app reads on worker threads (search as you type). Closing the
    connection while another thread is inside SQLite would free memory that thread
    is using, so each call into SQLite holds ``_busy`` and ``close`` waits for it;
    a call after the close is refused as "locked", never run. ``interrupt`` takes no
    lock: its purpose is to cut a running query short.

    Threads share this one connection, so they share its transaction too: a second
    thread's ``BEGIN`` while the first's is open would fail with a plain SQLite error
    (once reported as a damaged vault), and its ``ROLLBACK`` could undo the other's
    work. :meth:`one_writer` orders them instead: a transaction holds ``_writer`` from
    its ``BEGIN`` to its end, and a writer on another thread waits its turn (then
    says "busy", as for another process). Reads never wait: they see the open
    transaction's rows, as SQLite shows a connection its own changes.
    """

    # Called after every COMMIT (the vault moves its key file's anchor): hooked here,
    # the one place every transaction commits, so no caller has to remember it. It
    # must never raise: the change is already saved when it runs.
    after_commit: Callable[[], None] | None = None
    # Asked when a page fails its check: an error that explains it better than
    # "damaged" (the vault was re-keyed in another window), or None.
    explain_damage: Callable[[], Exception | None] | None = None

    def __init__(self, raw: Any, path: Path | None = None) -> None:
        self._raw = raw
        self.path = path  # the database file (its rollback journal is beside it)
        self._queued: dict[str, list[Any]] | None = None
        self._queued_rows = 0
        self._queuing_thread: int | None = None
        self._busy = threading.RLock()
        self._writer = threading.Lock()
        self._writer_owner: int | None = None
        self._closed = False

    @contextlib.contextmanager
    def one_writer(self, what: str, wait: float = WRITER_WAIT_SECONDS) -> Iterator[None]:
        """The right to open a transaction, waiting up to ``wait`` seconds for another
        thread's to end; :class:`VaultBusy` if it does not (nothing was changed).

        A plain lock, not a re-entrant one: a block may end on another thread than
        it began (a backup's hold handed to a timer). A second transaction on the
        thread that holds it passes, for SQLite to refuse as before."""
        me = threading.get_ident()
        if self._writer_owner == me:
            yield
            return
        if not self._writer.acquire(timeout=wait):
            raise _busy()
        self._writer_owner = me
        try:
            yield
        finally:
            self._writer_owner = None
            self._writer.release()

    @contextlib.contextmanager
    def deferred_inserts(self) -> Iterator[None]:
        """Queue INSERTs and run them with ``executemany`` (a bulk import's hot path).

        Any other statement (a SELECT, UPDATE, DELETE or the COMMIT) first runs what is
        queued, so reads always see earlier writes. Inserts of one statement keep their
        order; inserts of different statements may run grouped, which is safe because
        our tables have no triggers and every insert names its own key. The queue is
        run whenever it holds :data:`QUEUE_ROWS` rows, so its memory stays bounded.

        The queue belongs to the thread that opened it: another thread's statement
        (a search while an import runs) runs at once and leaves the queue alone,
        which it could otherwise run while the import was still adding to it.
        """
        self._queuing_thread = threading.get_ident()
        self._queued = {}
        self._queued_rows = 0
        try:
            yield
        except BaseException:
            self._queued = None  # the transaction rolls back: nothing queued may run
            raise
        queued, self._queued = self._queued, None
        if queued:
            self._run_queued(queued)

    def _flush(self) -> None:
        if self._queued:
            queued, self._queued = self._queued, {}
            self._queued_rows = 0
            self._run_queued(queued)

    def _queue(self, sql: str, rows: list[Any]) -> None:
        assert self._queued is not None
        self._queued.setdefault(sql, []).extend(rows)
        self._queued_rows += len(rows)
        if self._queued_rows >= QUEUE_ROWS:
            self._flush()

    def _run_queued(self, queued: dict[str, list[Any]]) -> None:
        for sql, rows in queued.items():
            self._executemany_now(sql, rows)

    def _queuing(self) -> bool:
        return self._queued is not None and self._queuing_thread == threading.get_ident()

    def execute(self, sql: str, args: Any = ()) -> Any:
        if self._queuing():
            if sql.startswith("INSERT"):
                self._queue(sql, [args])
                return None
            self._flush()
        with self._inside():
            cursor = _Cursor(self._raw.execute(sql, args), self)
        if sql == "COMMIT" and self.after_commit is not None:
            self.after_commit()
        return cursor

    @contextlib.contextmanager
    def _inside(self, *, operational_is_damage: bool = False) -> Iterator[None]:
        """One call into SQLite: holds ``_busy``, refuses a closed connection, and turns
        damage into :class:`VaultCorrupt` (``OperationalError``: locked, full or
        interrupted, passes through unless ``operational_is_damage``)."""
        with self._busy:
            if self._closed:
                raise VaultLocked("The vault is locked. Unlock it to continue.")
            try:
                yield
            except sqlcipher3.OperationalError:
                if operational_is_damage:
                    raise self._damaged() from None
                raise
            except sqlcipher3.DatabaseError:
                raise self._damaged() from None

    def _damaged(self) -> Exception:
        explained = None
        if self.explain_damage is not None:
            with contextlib.suppress(Exception):
                explained = self.explain_damage()
        return explained or _damaged()

    def executemany(self, sql: str, rows: Any) -> Any:
        if self._queuing():
            if sql.startswith("INSERT"):
                self._queue(sql, rows if isinstance(rows, list) else list(rows))
                return None
            self._flush()
        return self._executemany_now(sql, rows)

    def _executemany_now(self, sql: str, rows: Any) -> Any:
        with self._inside():
            return self._raw.executemany(sql, rows)

    def interrupt(self) -> None:
        """Stop a running query from another thread (lock must not wait for a search)."""
        self._raw.interrupt()

    def close(self) -> None:
        with self._busy:  # waits for a statement another thread is running
            self._closed = True
            self._raw.close()


class _Cursor:
    """Cursor results, translating damage found while rows are fetched."""

    def __init__(self, raw: Any, conn: Connection) -> None:
        self._raw = raw
        self._conn = conn

    def fetchone(self) -> Any:
        with self._conn._inside(operational_is_damage=True):
            return self._raw.fetchone()

    def fetchall(self) -> list[Any]:
        with self._conn._inside(operational_is_damage=True):
            return list(self._raw.fetchall())

    def __iter__(self) -> Any:
        return iter(self.fetchall())


def _busy() -> VaultBusy:
    return VaultBusy("The vault is busy in another window. Try again in a moment.")


def _damaged() -> VaultCorrupt:
    return VaultCorrupt(
        "The vault's database is damaged (it failed its integrity check). "
        "Restore it from a backup; nothing was changed."
    )


MIGRATIONS: list[list[str]] = [
    # 1: foundation - versioned records, hash-chained journal, incident index and search.
    [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE records (
            kind TEXT NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL,
            recorded_at TEXT NOT NULL, reason TEXT NOT NULL, deleted INTEGER NOT NULL,
            body TEXT NOT NULL, PRIMARY KEY (kind, id, version)) WITHOUT ROWID""",
        """CREATE TABLE journal (
            seq INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL,
            kind TEXT NOT NULL, id INTEGER NOT NULL, version INTEGER NOT NULL,
            body_sha256 TEXT NOT NULL, detail TEXT NOT NULL,
            prev TEXT NOT NULL, hash TEXT NOT NULL)""",
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY, version INTEGER NOT NULL,
            first_recorded_at TEXT NOT NULL, recorded_at TEXT NOT NULL,
            occurred_start TEXT NOT NULL, occurred_end TEXT NOT NULL, precision TEXT NOT NULL,
            sort_key REAL NOT NULL, deleted INTEGER NOT NULL, kinds TEXT NOT NULL,
            summary TEXT NOT NULL, evidence_count INTEGER NOT NULL,
            reported INTEGER NOT NULL, breach INTEGER NOT NULL, complete_later INTEGER NOT NULL)""",
        "CREATE INDEX incidents_by_time ON incidents (deleted, sort_key DESC, id DESC)",
        """CREATE VIRTUAL TABLE incident_fts USING fts5(
            summary, details, location, people, tokenize = 'unicode61 remove_diacritics 2')""",
        """CREATE TABLE incident_people (
            incident_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
            PRIMARY KEY (incident_id, person_id)) WITHOUT ROWID""",
        "CREATE INDEX incident_people_by_person ON incident_people (person_id, incident_id)",
        """CREATE TABLE people (
            id INTEGER PRIMARY KEY, version INTEGER NOT NULL, deleted INTEGER NOT NULL,
            name TEXT NOT NULL, role TEXT NOT NULL)""",
        """CREATE TABLE orders (
            id INTEGER PRIMARY KEY, version INTEGER NOT NULL, deleted INTEGER NOT NULL)""",
    ],
    # 2: evidence locker - encrypted blobs, deduplicated by a keyed hash.
    [
        """CREATE TABLE blobs (
            blob_id TEXT PRIMARY KEY, dedup TEXT UNIQUE, wrapped_key BLOB,
            size INTEGER NOT NULL, erased INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE evidence (
            id INTEGER PRIMARY KEY, version INTEGER NOT NULL, blob_id TEXT NOT NULL,
            removed INTEGER NOT NULL, erased INTEGER NOT NULL,
            added_at TEXT NOT NULL, size INTEGER NOT NULL)""",
        """CREATE TABLE evidence_links (
            evidence_id INTEGER NOT NULL, incident_id INTEGER NOT NULL,
            PRIMARY KEY (evidence_id, incident_id)) WITHOUT ROWID""",
        "CREATE INDEX evidence_links_by_incident ON evidence_links (incident_id, evidence_id)",
    ],
    # 3: imports - remember what was imported so a second import creates nothing new.
    [
        """CREATE TABLE imports (
            source_key TEXT PRIMARY KEY, evidence_id INTEGER, imported_at TEXT NOT NULL,
            incident_count INTEGER NOT NULL)""",
        """CREATE TABLE imported_items (
            item_key TEXT PRIMARY KEY, incident_id INTEGER NOT NULL) WITHOUT ROWID""",
    ],
    # 4: exhibit references - "SM/4" given once and kept for ever (store/references.py).
    # Rows are only ever added: a number is never reused, even for a file later removed
    # or erased, and a reference keeps the initials it was given with.
    [
        """CREATE TABLE exhibit_refs (
            evidence_id INTEGER PRIMARY KEY, initials TEXT NOT NULL,
            number INTEGER NOT NULL UNIQUE, assigned_at TEXT NOT NULL)""",
    ],
    # 5: context entries (#16.5). The victim's own replies kept from an import ("please
    # stop") are not incidents: the timeline row says so, so that list, check and the
    # app count them apart. Existing rows are marked from each latest version's author.
    [
        "ALTER TABLE incidents ADD COLUMN context INTEGER NOT NULL DEFAULT 0",
        """UPDATE incidents SET context = 1 WHERE EXISTS (
            SELECT 1 FROM records r WHERE r.kind = 'incident' AND r.id = incidents.id
            AND r.version = incidents.version AND json_valid(r.body)
            AND json_extract(r.body, '$.data.author') = 'imported:context')""",
    ],
    # 6: handover (#18). A record or version that came from another installation (a
    # case file shared with a support worker, or their additions merged back) keeps
    # the stable id it had there, so a second merge recognises it. Records made here
    # need no row: their stable id is derived from the vault's id (store/handover.py).
    [
        """CREATE TABLE shared_ids (
            uid TEXT PRIMARY KEY, kind TEXT NOT NULL, id INTEGER NOT NULL,
            version INTEGER NOT NULL) WITHOUT ROWID""",
        "CREATE INDEX shared_ids_by_record ON shared_ids (kind, id, version)",
    ],
    # 7: the pattern's numbers kept as entries are written (#20, store/stats.py): one
    # row of facts per incident (day and hour on the case's clock, status, "stop", "at
    # work") and each day's totals. Counted at the first `stats` (they depend on the
    # case zone).
    [
        """CREATE TABLE stats_facts (
            id INTEGER PRIMARY KEY, day INTEGER, hour INTEGER NOT NULL, kinds TEXT NOT NULL,
            breach INTEGER NOT NULL, people TEXT NOT NULL, status INTEGER NOT NULL,
            stop INTEGER NOT NULL, work INTEGER NOT NULL)""",
        "CREATE INDEX stats_facts_by_day ON stats_facts (status, day)",
        "CREATE INDEX stats_facts_at_work ON stats_facts (day, status) WHERE work = 1",
        "CREATE TABLE stats_days (day INTEGER PRIMARY KEY, body TEXT NOT NULL)",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


_HEX_DIGITS = b"0123456789abcdef"


def _key_spec(raw_key: bytes | bytearray) -> bytearray:
    """``x'<hex>'``, SQLCipher's form for a raw key, written into a wipeable buffer.

    Built byte by byte on purpose: ``raw_key.hex()`` or an f-string would leave the
    key as text in an immutable ``str`` that lingers in freed memory long after lock.
    """
    spec = bytearray(len(raw_key) * 2 + 3)
    spec[0:2] = b"x'"
    for i, byte in enumerate(raw_key):
        spec[2 + 2 * i] = _HEX_DIGITS[byte >> 4]
        spec[3 + 2 * i] = _HEX_DIGITS[byte & 15]
    spec[-1] = 0x27  # the closing quote
    return spec


def _wipe(buffer: bytearray) -> None:
    buffer[:] = bytes(len(buffer))


def _set_key(conn: Connection, raw_key: bytes | bytearray) -> None:
    """Key the connection through SQLCipher's key API (``sqlite3_key``), not SQL.

    A ``PRAGMA key`` statement puts the key text into a Python string, into the
    binding's statement cache and into SQLite's copy of the SQL, none of which is
    ever wiped; the key API copies the buffer into SQLCipher, which wipes its copy
    when the connection closes, and we wipe ours at once.
    """
    _hand_key(conn, raw_key, "set_key")


def rekey(conn: Connection, raw_key: bytes | bytearray) -> None:
    """Re-encrypt the whole database under ``raw_key`` (``sqlite3_rekey``, as
    ``PRAGMA rekey`` does), without the new key ever becoming text in a ``str``.

    The database must not be inside a transaction; SQLCipher rewrites every page in
    one transaction of its own, so a crash leaves it under the old key or the new.
    """
    _hand_key(conn, raw_key, "reset_key")


def _hand_key(conn: Connection, raw_key: bytes | bytearray, method: str) -> None:
    """Hand ``raw_key`` to the binding's key ``method`` as :func:`_key_spec`, wiped after."""
    spec = _key_spec(raw_key)
    try:
        with conn._inside():
            getattr(conn._raw, method)(spec)
    finally:
        _wipe(spec)


def connect(
    path: Path, raw_key: bytes | bytearray, *, create: bool = False, upto: int | None = None
) -> Connection:
    """Open (or create) the database with ``raw_key`` and bring its schema up to date.

    ``upto`` stops migrations early; only tests use it, to build old vaults.
    """
    if not create and not path.exists():
        raise VaultCorrupt("The vault's database (vault.db) is missing. Restore it from a backup.")
    if not create and path.stat().st_size == 0:
        raise VaultCorrupt(
            "The vault's database is empty (0 bytes): it was damaged. Restore it from a backup."
        )
    if create and not path.exists():
        # Private from the first byte: SQLite's journal files copy these permissions.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        conn = Connection(sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False), path)
    except sqlcipher3.Error:
        raise VaultCorrupt("The vault's database cannot be opened.") from None
    try:
        # SQLCipher logs decryption failures to stderr; we report damage ourselves.
        conn.execute("PRAGMA cipher_log_level = NONE")
        _set_key(conn, raw_key)
        # Off (SQLCipher's own default since 4.5): wiping every freed allocation made
        # search 3-4x slower, and protects little here, since the keys and the text the
        # app shows live in Python's memory too. The threat we defend is the disk and
        # the unlocked-but-unattended laptop (auto-lock, quick exit), not memory dumps.
        conn.execute("PRAGMA cipher_memory_security = OFF")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except (sqlcipher3.DatabaseError, VaultCorrupt):
            raise WrongPassphrase(
                "The vault's database does not open with this key: it is damaged, "
                "or belongs to another key file."
            ) from None
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = ON")
        # PERSIST: one journal file, reused in place, never deleted by SQLite; with
        # DELETE every transaction's page images went to the file system's free
        # blocks, beyond the reach of an erase (see "Journals that held secrets").
        conn.execute("PRAGMA journal_mode = PERSIST")
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn, SCHEMA_VERSION if upto is None else upto)
        wipe_leftover_journal(conn)
    except BaseException:
        conn.close()
        raise
    return conn


# --- Journals that held secrets ---------------------------------------------------------
#
# A rollback journal holds the page images a transaction is about to change: for an
# erase, the page with the erased file's wrapped key (and, from earlier transactions,
# pages that held it beside other files' keys); for a re-key, the whole database
# under the old key. With SQLite's usual ``journal_mode = DELETE`` each journal is
# deleted at its commit, which leaves those bytes in the file system's free blocks.
# So the vault runs with ``PERSIST``: one journal file, its header zeroed after each
# commit and reused in place, never freed; a wiped transaction (erase, re-key) zeroes
# all of it afterwards, and each open zeroes and deletes what the last session left.
# On a file system that writes in place (ext4, XFS without reflinks) no page image
# is then left anywhere. Copy-on-write file systems, SSD wear levelling and
# snapshots may still keep old blocks (README: "What erase cannot reach").


def journal_path(conn: Connection) -> Path | None:
    return None if conn.path is None else conn.path.with_name(conn.path.name + "-journal")


def wipe_leftover_journal(conn: Connection) -> None:
    """The journal the last session left (its last transaction's page images): zeroed
    and deleted, holding the write lock (no other writer is using it then; a hot one
    was rolled back by the first read, and one still hot is left to SQLite). Best
    effort; a read-only folder is left alone."""
    path = journal_path(conn)
    if path is None or not path.exists() or not os.access(path.parent, os.W_OK):
        return
    with contextlib.suppress(VictimLogError, sqlcipher3.Error, OSError), writers_held(conn, "the clean-up"):
        zero_and_unlink(path, unless_first_byte_set=True)


@contextlib.contextmanager
def wiped_journal(conn: Connection) -> Iterator[None]:
    """Zero the journal in place after the block's transactions (erase, re-key), while
    holding the write lock. The file stays (SQLite may hold it open); zeros are all
    it keeps. Inside an open transaction (a joined one) nothing can be done yet: the
    next open wipes it."""
    joined = bool(conn._raw.in_transaction)
    try:
        yield
    finally:
        path = journal_path(conn)
        if path is not None and not joined:
            with (
                contextlib.suppress(VictimLogError, sqlcipher3.Error, OSError),
                writers_held(conn, "the clean-up"),
            ):
                zero_in_place(path, unless_first_byte_set=True)


@contextlib.contextmanager
def held_exclusively(conn: Connection) -> Iterator[None]:
    """No other connection may read or write the database while the block runs (a
    re-key: another process reading half-re-keyed pages, or writing with the old key,
    must wait). The lock is taken by the first write and kept until the end."""
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    try:
        yield
    finally:
        conn.execute("PRAGMA locking_mode = NORMAL")
        with contextlib.suppress(sqlcipher3.Error, VaultCorrupt):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # releases the lock


def integrity_problems(conn: Connection) -> list[str]:
    """Every page's HMAC (SQLCipher) and SQLite's own structure, without trusting either.

    Needed because a damaged page that no query happens to read would otherwise go
    unnoticed until the day it is needed.
    """
    problems = []
    try:
        for (row,) in conn.execute("PRAGMA cipher_integrity_check").fetchall():
            problems.append(f"the database file is damaged ({row})")
        if not problems:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                problems += [f"the database structure is damaged ({r})" for r in rows[:5]]
    except VaultCorrupt as exc:
        problems.append(str(exc))
    return problems


def schema_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection, target: int = SCHEMA_VERSION) -> None:
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise NewerSchema(
            "This vault was written by a newer version of Victim Log "
            f"(schema {current}, this version knows {SCHEMA_VERSION}). "
            "Please update Victim Log. Nothing was changed."
        )
    for number in range(current + 1, target + 1):
        with transaction(conn, "the vault upgrade"):
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")


@contextlib.contextmanager
def transaction(
    conn: Connection, what: str = "your change", *, wait: float = WRITER_WAIT_SECONDS
) -> Iterator[Connection]:
    """One atomic change: all of it is saved, or none of it.

    Disk-full and read-only errors from SQLite become plain messages; the rollback
    means the vault is exactly as it was. Another thread's transaction on the same
    connection is waited for up to ``wait`` seconds (then :class:`VaultBusy`).
    """
    with _write_locked(conn, what, wait):
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlcipher3.OperationalError as exc:
            with contextlib.suppress(sqlcipher3.Error, VaultLocked):
                conn.execute("ROLLBACK")
            raise _translate(exc, what, conn) from None
        except BaseException:
            with contextlib.suppress(sqlcipher3.Error, VaultLocked):
                conn.execute("ROLLBACK")
            raise


@contextlib.contextmanager
def cache_size(conn: Connection, kib: int) -> Iterator[None]:
    """SQLite's page cache at ``kib`` KiB while the block runs, then as it was."""
    default = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {default}")


@contextlib.contextmanager
def writers_held(conn: Connection, what: str = "your change") -> Iterator[None]:
    """Hold the write lock, changing nothing: no other writer can change the database
    file while the block copies it (a backup). Always rolled back."""
    with _write_locked(conn, what, WRITER_WAIT_SECONDS):
        try:
            yield
        finally:
            conn.execute("ROLLBACK")


@contextlib.contextmanager
def _write_locked(conn: Connection, what: str, wait: float) -> Iterator[None]:
    """This thread's turn on the connection, then SQLite's write lock (``BEGIN
    IMMEDIATE``, refused as a plain message); the caller ends the transaction."""
    with conn.one_writer(what, wait):
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlcipher3.OperationalError as exc:
            raise _translate(exc, what, conn) from None
        yield


def _translate(exc: sqlite3.Error | Exception, what: str, conn: Connection | None = None) -> Exception:
    """An error SQLite reported while saving, by its result code (never its wording,
    which differs between versions and languages). SQLCipher reports pages that fail
    their check while writing as read-only: the connection may explain why (a re-key
    in another window) before that is taken at its word."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if conn is not None and primary in (
        sqlcipher3.SQLITE_READONLY,
        sqlcipher3.SQLITE_NOTADB,
        sqlcipher3.SQLITE_CORRUPT,
    ):
        damage = conn._damaged()
        if not isinstance(damage, VaultCorrupt):
            return damage
    if primary == sqlcipher3.SQLITE_FULL:
        return translate_os_error(OSError(28, "No space left on device"), what)
    if primary == sqlcipher3.SQLITE_READONLY:
        return translate_os_error(OSError(30, "Read-only file system"), what)
    if primary in (sqlcipher3.SQLITE_BUSY, sqlcipher3.SQLITE_LOCKED):
        return _busy()
    if primary == sqlcipher3.SQLITE_IOERR:
        return translate_os_error(OSError(5, "Input/output error"), what)
    return VaultCorrupt(f"The vault's database reported a problem while saving {what}.")


DatabaseError = sqlcipher3.DatabaseError
