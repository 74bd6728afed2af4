"""The vault: the one service the CLI and the GUI call.

A vault is a directory holding ``vault.key`` (the data key, wrapped), ``vault.db``
(SQLCipher) and ``blobs/`` (encrypted evidence). Every change is one transaction that
writes an immutable record version and a journal entry together, then refreshes the
derived index tables used for the timeline and search. Nothing is updated in place:
the index tables can always be rebuilt from the records, and ``check`` compares them.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import secrets
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import paths
from .clock import now_iso as now_iso
from .crypto import keys
from .errors import (
    BadInput,
    NotFound,
    VaultCorrupt,
    VaultExists,
    VaultLocked,
    VaultMissing,
    VictimLogError,
    WrongPassphrase,
)
from .fsutil import ClosedOnExit, ensure_private_dir
from .model import (
    IncidentData,
    IncidentVersion,
    Order,
    OrderData,
    Person,
    PersonData,
    canonical_json,
    incident_body_json,
    parse_when,
)
from .model import require_reason as _require_reason
from .passphrase import check_passphrase_acceptable as check_passphrase_acceptable
from .passphrase import passphrase_problem as passphrase_problem
from .passphrase import vault_user_inputs
from .store import db, journal
from .textsafe import plural

DB_NAME, KEY_NAME, BLOB_DIR = paths.DB_NAME, paths.KEY_NAME, paths.BLOB_DIR

RECORD_KINDS = ("incident", "person", "order", "evidence")
BATCH_CACHE_KIB = 256 * 1024


@functools.lru_cache(maxsize=16)
def _reason_detail(reason: str) -> journal.Detail:
    """A record's journal detail: the reason's hash (the reason itself stays in the
    record). Remembered because an import gives every message the same reason."""
    return journal.Detail({"reason_sha256": journal.body_hash(reason)})


def _sort_key(start: str, fallback: str) -> float:
    try:
        return parse_when(start or fallback).timestamp()
    except BadInput:
        return 0.0


_INSERT_RECORD = (
    "INSERT INTO records (kind, id, version, recorded_at, reason, deleted, body) VALUES (?,?,?,?,?,?,?)"
)
# A new incident's timeline row is a plain INSERT (half the work of OR REPLACE, which
# a changed incident needs).
_INSERT_TIMELINE = (
    "INSERT INTO incidents (id, version, first_recorded_at, recorded_at,"
    " occurred_start, occurred_end, precision, sort_key, deleted, kinds, summary,"
    " evidence_count, reported, breach, complete_later) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_REPLACE_TIMELINE = _INSERT_TIMELINE.replace("INSERT", "INSERT OR REPLACE", 1)
_INSERT_PERSON_LINK = "INSERT INTO incident_people (incident_id, person_id) VALUES (?, ?)"
_INSERT_EVIDENCE_LINK = "INSERT INTO evidence_links (evidence_id, incident_id) VALUES (?, ?)"
_INSERT_SEARCH = "INSERT INTO incident_fts (rowid, summary, details, location, people) VALUES (?,?,?,?,?)"


def _timeline_row(
    incident_id: int,
    version: int,
    first_at: str,
    at: str,
    data: IncidentData,
    evidence_count: int,
    deleted: bool,
) -> tuple[Any, ...]:
    """An incident's row in the ``incidents`` table (the timeline and its filters)."""
    return (
        incident_id,
        version,
        first_at,
        at,
        data.occurred_start,
        data.occurred_end,
        data.precision,
        _sort_key(data.occurred_start, first_at),
        int(deleted),
        "," + ",".join(data.kinds) + ",",
        data.summary,
        evidence_count,
        int(not data.police.is_empty()),
        int("order_breach" in data.kinds or data.order_id is not None),
        int(data.complete_later),
    )


@dataclass(frozen=True)
class IncidentSummary:
    """One row of the timeline: enough to draw it without loading the full record."""

    id: int
    version: int
    occurred_start: str
    occurred_end: str
    precision: str
    kinds: tuple[str, ...]
    summary: str
    evidence_count: int
    reported: bool
    breach: bool
    complete_later: bool
    deleted: bool
    recorded_at: str
    first_recorded_at: str


@dataclass(frozen=True)
class IncidentFilter:
    text: str = ""
    start: str = ""  # ISO date or date-time, inclusive
    end: str = ""  # ISO date or date-time, inclusive (a date means to the end of that day)
    kinds: tuple[str, ...] = ()
    person_id: int | None = None
    has_evidence: bool | None = None
    reported: bool | None = None
    complete_later: bool | None = None
    include_deleted: bool = False


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    journal_entries: int = 0
    incidents: int = 0
    blobs_checked: int = 0
    history_warning: str | None = None  # what the unlock found (see UnlockInfo)
    orphaned_blobs: list[str] = field(default_factory=list)  # file names only

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class UnlockInfo:
    """What the person should be told after a successful unlock.

    ``history_warning`` is a calm sentence (no diary content) when the database is
    behind the journal head anchored in the key file, or no longer holds the
    anchored entry: an older copy of ``vault.db`` was put back, or it was replaced.
    The diary still opens; the finding is recorded in the journal and ``check``
    keeps reporting it.
    """

    failed_attempts: tuple[str, ...]
    history_warning: str | None = None


ROLLBACK_EVENT = "history_rollback_found"
ORPHAN_GRACE_SECONDS = 3600.0  # an unreferenced blob younger than this may be a save in progress
_BLOB_NAME = re.compile(r"[0-9a-f]{32}")


def history_warning(conn: db.Connection, anchor: tuple[int, str] | None) -> str | None:
    """Compare the database's journal with the head anchored in the key file.

    The key file is written after each commit, so a database *ahead* of the anchor
    is a crash between the two (fine). Behind it, or without the anchored entry,
    means an older or another database was put back.
    """
    if anchor is None or anchor[0] == 0:
        return None
    seq, digest = anchor
    row = conn.execute("SELECT hash FROM journal WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        found = journal.head(conn)[0]
        return (
            f"Your diary opened, but its history is shorter than when it was last saved: "
            f"it now ends at entry {found}, and entry {seq} was saved before. An older copy "
            "of the vault's database may have been put back. Nothing has been deleted "
            "now; compare with your backups and exports."
        )
    if str(row[0]) != digest:
        return (
            f"Your diary opened, but entry {seq} of its history is not the one that was "
            "saved: the vault's database may have been replaced with another copy. "
            "Nothing has been deleted now; compare with your backups and exports."
        )
    return None


class _AnchoredConnection(db.Connection):
    """The vault's connection: after every COMMIT, the key file's anchor follows.

    Every module commits through ``db.transaction``; hooking the COMMIT here keeps
    the anchor in step with all of them without each caller remembering to. The
    hook must never raise: the change is already saved when it runs.
    """

    after_commit: Any = None

    def execute(self, sql: str, args: Any = ()) -> Any:
        result = super().execute(sql, args)
        if sql == "COMMIT" and self.after_commit is not None:
            self.after_commit()
        return result


_FTS_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """Turn what a person types into a safe FTS5 prefix query (every word must match)."""
    words = _FTS_TOKEN.findall(text)[:20]
    return " ".join(f'"{w}"*' for w in words)


class Vault(ClosedOnExit):
    """An unlocked vault. ``lock()`` drops the keys and closes the database."""

    def __init__(
        self, path: Path, data_key: bytes, conn: db.Connection, keyfile: keys.KeyFile, unlock_info: UnlockInfo
    ) -> None:
        self.path = path
        self._data_key: bytearray | None = bytearray(data_key)
        self._conn: db.Connection | None = conn
        self._keyfile = keyfile
        self.unlock_info = unlock_info
        self._batch: dict[Any, Any] | None = None
        self.read_only = False  # opened from a folder that cannot be written (reads work)
        self._anchored = keyfile.journal_head
        conn.__class__ = _AnchoredConnection
        conn.after_commit = self._after_commit  # type: ignore[attr-defined]
        from .evidence import EvidenceStore

        self.evidence = EvidenceStore(self)

    # ------------------------------------------------------------------ opening

    @staticmethod
    def exists(path: Path) -> bool:
        return paths.vault_exists(path)

    @classmethod
    def create(cls, path: Path, passphrase: str, kdf: keys.KdfParams | None = None) -> tuple[Vault, str]:
        """Make a new vault; returns it unlocked with the recovery key to show once."""
        path = Path(path)
        paths.secure_umask()
        if cls.exists(path):
            raise VaultExists(f"There is already a vault in {path}. Nothing was changed.")
        check_passphrase_acceptable(passphrase)
        try:
            ensure_private_dir(path)
            ensure_private_dir(path / BLOB_DIR)
        except OSError as exc:
            from .fsutil import translate_os_error

            raise translate_os_error(exc, "the new vault") from None
        data_key = secrets.token_bytes(keys.KEY_LEN)
        recovery = keys.new_recovery_key()
        keyfile = keys.new_keyfile(uuid.uuid4().hex)  # anchored at the empty journal
        keyfile.set_passphrase(data_key, passphrase, kdf or keys.calibrate())
        keyfile.set_recovery(data_key, recovery)
        conn = db.connect(path / DB_NAME, keys.subkey(data_key, "sqlcipher"), create=True)
        try:
            with db.transaction(conn, "the new vault"):
                conn.execute("INSERT INTO meta (key, value) VALUES ('vault_id', ?)", (keyfile.vault_id,))
                conn.execute("INSERT INTO meta (key, value) VALUES ('created_at', ?)", (now_iso(),))
            keyfile.save(path / KEY_NAME)
            keys.remember_slots(paths.state_dir(), keyfile)
        except BaseException:
            conn.close()
            for name in (DB_NAME, KEY_NAME):
                with contextlib.suppress(OSError):
                    (path / name).unlink()
            raise
        return cls(path, data_key, conn, keyfile, UnlockInfo(())), recovery

    @classmethod
    def require_present(cls, path: Path) -> None:
        """Raise :class:`VaultMissing` (or the key file's own error) unless a vault is at
        ``path``: "no vault here" is said before anyone is asked for a passphrase."""
        cls._load_keyfile(path)

    @classmethod
    def pending_delay(cls, path: Path) -> float:
        """Seconds the person must still wait after earlier wrong passphrases."""
        return keys.pending_delay(cls._load_keyfile(path).failed_attempts, time.time())

    @classmethod
    def _load_keyfile(cls, path: Path) -> keys.KeyFile:
        if not (path / KEY_NAME).exists():
            if (path / DB_NAME).exists():
                return keys.KeyFile.load(path / KEY_NAME)  # raises: key file missing
            raise VaultMissing(f"There is no vault in {path}. Create one with 'victim-log init'.")
        return keys.KeyFile.load(path / KEY_NAME)

    @classmethod
    def open(
        cls,
        path: Path,
        passphrase: str | None = None,
        *,
        recovery_key: str | None = None,
        wait: bool = False,
        backoff: bool = True,
    ) -> Vault:
        """Unlock with the passphrase (or the recovery key).

        Refuses while the back-off delay is running (or sleeps through it when
        ``wait``), records each failure in the key file, and on success reports the
        failures since the last unlock so the owner learns someone tried. The
        recovery key (200 random bits) is never held back, and ``backoff=False``
        (a key file just taken from a backup) ignores the recorded failures.

        Then the journal head anchored in the key file is compared with the
        database (:func:`history_warning`).
        """
        path = Path(path)
        paths.secure_umask()
        keyfile = cls._load_keyfile(path)
        if not (path / DB_NAME).exists():
            raise VaultCorrupt("The vault's database (vault.db) is missing. Restore it from a backup.")
        # A read-only vault (a write-protected USB stick, a copy on a DVD) still opens for
        # reading (list, show, check, export); any change is refused when it is tried.
        read_only = not os.access(path, os.W_OK)
        delay = cls.pending_delay(path) if backoff and recovery_key is None else 0.0
        if delay > 0:
            if not wait:
                seconds = math.ceil(delay)
                raise VaultLocked(
                    f"Too many wrong tries. Please wait {seconds} second{'s' if seconds != 1 else ''}"
                    " and try again."
                )
            time.sleep(delay)
        try:
            if recovery_key is not None:
                data_key = keyfile.unwrap_with_recovery(recovery_key)
            elif passphrase is not None:
                data_key = keyfile.unwrap_with_passphrase(passphrase)
            else:
                raise WrongPassphrase("A passphrase is needed to open the vault.")
        except WrongPassphrase:
            slot_type = "recovery" if recovery_key is not None else "passphrase"
            # A slot other than the one this computer last unlocked with: not a typo
            # (not for a key file just taken from a backup, which may be older).
            if (
                backoff
                and (passphrase is not None or recovery_key is not None)
                and _slot_replaced_here(path, keyfile, slot_type)
            ):
                raise _slot_replaced(slot_type) from None
            stamp = datetime.now(UTC).isoformat(timespec="seconds")

            def count(fresh: keys.KeyFile) -> bool:
                fresh.failed_attempts.append(stamp)
                return True

            with contextlib.suppress(BadInput, VaultCorrupt):
                keys.update(path / KEY_NAME, count)  # the file on disk, under its lock
            raise
        conn = db.connect(path / DB_NAME, keys.subkey(data_key, "sqlcipher"))
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
            if row is None or row[0] != keyfile.vault_id:
                raise VaultCorrupt("The vault's database and key file do not belong together.")
            warning = history_warning(conn, keyfile.journal_head)
        except BaseException:
            conn.close()
            raise
        failures = tuple(keyfile.failed_attempts)
        keys.remember_slots(paths.state_dir(), keyfile)
        vault = cls(path, data_key, conn, keyfile, UnlockInfo(failures, warning))
        vault.read_only = read_only
        if read_only:
            return vault  # nothing can be settled or recorded; reading works
        vault._settle_keyfile(failures, anchor=warning is None)
        if warning is not None:
            vault._record_rollback(keyfile.journal_head)
        return vault

    def _settle_keyfile(self, reported: tuple[str, ...], *, anchor: bool) -> None:
        """After an unlock, in one locked write: forget the failures just reported
        and anchor the journal head (first anchor of an old vault, or the head a
        crash left the key file behind)."""
        key = self._key()
        conn = self.conn

        def settle(fresh: keys.KeyFile) -> bool:
            changed = False
            if reported and tuple(fresh.failed_attempts[: len(reported)]) == reported:
                fresh.failed_attempts = fresh.failed_attempts[len(reported) :]
                changed = True
            if anchor and fresh.vault_id == self.vault_id and fresh.mac_matches(key):
                head = journal.head(conn)
                if fresh.journal_head != head or fresh.version < keys.VERSION:
                    fresh.set_journal_head(key, head)
                    changed = True
            return changed

        if (
            not reported
            and anchor
            and self._anchored == journal.head(conn)
            and self._keyfile.version == keys.VERSION
        ):
            return  # the usual unlock: nothing to write
        with contextlib.suppress(BadInput, VaultCorrupt):
            self._keyfile = keys.update(self.path / KEY_NAME, settle)
            self._anchored = self._keyfile.journal_head

    def _record_rollback(self, anchor: tuple[int, str] | None) -> None:
        """Write what the unlock found into the journal (so exports and ``check``
        carry it); its commit moves the anchor to the database's head. If it cannot
        be written, the anchor stays and the next unlock says it again."""
        seq, digest = anchor or keys.GENESIS_HEAD
        found_seq, found_hash = journal.head(self.conn)
        with contextlib.suppress(BadInput, VaultCorrupt):
            self.record_event(
                ROLLBACK_EVENT,
                {
                    "anchored_seq": seq,
                    "anchored_hash": digest,
                    "found_seq": found_seq,
                    "found_hash": found_hash,
                },
            )

    def _after_commit(self) -> None:
        """Move the key file's anchor to the journal head just committed.

        One locked read-modify-write of ``vault.key`` per transaction that added
        journal entries (an import is one). The head is read again under the lock,
        so two processes committing at once leave the newer head. A key file this
        vault's key no longer verifies (changed by someone else) is left alone.
        Never raises: the change itself is already saved, and a key file left behind
        the database is what a crash here leaves too, which the next unlock repairs.
        """
        if self._data_key is None or self._conn is None:
            return
        conn = self._conn
        try:
            if journal.head(conn) == self._anchored:
                return
            key = self._key()

            def anchor(fresh: keys.KeyFile) -> bool:
                if fresh.vault_id != self.vault_id or not fresh.mac_matches(key):
                    return False
                head = journal.head(conn)
                if fresh.journal_head == head and fresh.version == keys.VERSION:
                    return False
                fresh.set_journal_head(key, head)
                return True

            self._keyfile = keys.update(self.path / KEY_NAME, anchor, sync_folder=False)
            self._anchored = self._keyfile.journal_head
        except (VictimLogError, OSError):
            pass

    # ------------------------------------------------------------------ keys

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    @property
    def conn(self) -> db.Connection:
        if self._conn is None:
            raise VaultLocked("The vault is locked. Unlock it to continue.")
        return self._conn

    def subkey(self, purpose: str) -> bytes:
        return keys.subkey(self._key(), purpose)

    def _key(self) -> bytes:
        if self._data_key is None:
            raise VaultLocked("The vault is locked. Unlock it to continue.")
        return bytes(self._data_key)

    def lock(self) -> None:
        """Drop the keys and close the database. Safe to call twice."""
        if self._data_key is not None:
            for i in range(len(self._data_key)):
                self._data_key[i] = 0
            self._data_key = None
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        _reason_detail.cache_clear()  # it holds the reasons last typed

    close = lock

    def change_passphrase(self, new_passphrase: str, kdf: keys.KdfParams | None = None) -> None:
        """Rewrap the data key; the database itself is untouched."""
        check_passphrase_acceptable(new_passphrase, vault_user_inputs(self))
        key = self._key()
        self._put_slot(keys.passphrase_slot(self.vault_id, key, new_passphrase, kdf or keys.calibrate()))
        with db.transaction(self.conn, "the passphrase change"):
            self._event("passphrase_changed", {})

    def new_recovery_key(self) -> str:
        recovery = keys.new_recovery_key()
        self._put_slot(keys.recovery_slot(self.vault_id, self._key(), recovery))
        with db.transaction(self.conn, "the new recovery key"):
            self._event("recovery_key_replaced", {})
        return recovery

    def _put_slot(self, slot: dict[str, Any]) -> None:
        """Replace one slot in the key file *as it is on disk now*, under its lock:
        never from the copy read at unlock, which another process (``passwd`` in a
        terminal) may have replaced since."""
        key = self._key()

        def put(fresh: keys.KeyFile) -> bool:
            if fresh.vault_id != self.vault_id or not fresh.mac_matches(key):
                raise VaultCorrupt(
                    "The vault's key file was changed by another program while the vault "
                    "was open. Lock the vault, unlock it again and retry. Nothing was changed."
                )
            fresh.put_slot(slot, key)
            return True

        self._keyfile = keys.update(self.path / KEY_NAME, put)
        keys.remember_slots(paths.state_dir(), self._keyfile)

    @property
    def vault_id(self) -> str:
        return self._keyfile.vault_id

    # ------------------------------------------------------------------ settings

    def get_setting(self, name: str, default: str = "") -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", ("setting:" + name,)).fetchone()
        return default if row is None else str(row[0])

    def set_setting(self, name: str, value: str) -> None:
        with db.transaction(self.conn, "your settings"):
            self.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", ("setting:" + name, value)
            )

    # ------------------------------------------------------------------ records

    def _next_id(self, kind: str, count: int = 1) -> int:
        """The first of ``count`` new ids for ``kind`` (the others follow it)."""
        cache = self._batch
        if cache is not None and kind in cache:
            first = int(cache[kind]) + 1
        else:
            row = self.conn.execute("SELECT max(id) FROM records WHERE kind = ?", (kind,)).fetchone()
            first = int(row[0] or 0) + 1
        if cache is not None:
            cache[kind] = first + count - 1
        return first

    @contextlib.contextmanager
    def batch(self, what: str = "your change") -> Iterator[None]:
        """One transaction for many changes (an import), remembering the next ids and
        the journal head in memory instead of asking the database each time.

        Only this connection writes inside the transaction (BEGIN IMMEDIATE holds the
        write lock), so the remembered values cannot go stale.
        """
        # A bigger page cache while the transaction lasts: a large import's new pages
        # then stay in memory until the commit instead of being encrypted and spilled
        # to the file midway (SQLite allocates it only as pages are used).
        default = self.conn.execute("PRAGMA cache_size").fetchone()[0]
        self.conn.execute(f"PRAGMA cache_size = -{BATCH_CACHE_KIB}")
        try:
            with db.transaction(self.conn, what), self.conn.deferred_inserts():
                self._batch = {}
                try:
                    yield
                finally:
                    self._batch = None
        finally:
            self.conn.execute(f"PRAGMA cache_size = {int(default)}")

    def _journal_head(self) -> tuple[int, str]:
        cache = self._batch
        if cache is not None and "_head" in cache:
            return cache["_head"]  # type: ignore[no-any-return]
        return journal.head(self.conn)

    def _journal(self, **fields: Any) -> None:
        head = journal.append(self.conn, after=self._journal_head(), **fields)
        if self._batch is not None:
            self._batch["_head"] = head

    def _write_record(
        self,
        kind: str,
        id: int,
        version: int,
        body: dict[str, Any] | str,
        *,
        reason: str,
        deleted: bool,
        action: str,
    ) -> str:
        """Store one version and its journal entry; ``body`` is a dict or its canonical JSON."""
        at = now_iso()
        body_text = body if isinstance(body, str) else canonical_json(body).decode()
        self.conn.execute(_INSERT_RECORD, (kind, id, version, at, reason, int(deleted), body_text))
        self._journal(
            at=at,
            action=action,
            kind=kind,
            id=id,
            version=version,
            body_sha256=journal.body_hash(body_text),
            detail=_reason_detail(reason),
        )
        return at

    def _event(self, action: str, detail: dict[str, Any]) -> None:
        """A journal entry for something that is not a record (passphrase change, export)."""
        body = canonical_json(detail).decode()
        self._journal(
            at=now_iso(),
            action=action,
            kind="vault",
            id=0,
            version=0,
            body_sha256=journal.body_hash(body),
            detail=detail,
        )

    def record_event(self, action: str, detail: dict[str, Any]) -> None:
        with db.transaction(self.conn, "the journal"):
            self._event(action, detail)

    def _records(self, kind: str, id: int) -> list[tuple[int, str, str, bool, dict[str, Any]]]:
        rows = self.conn.execute(
            "SELECT version, recorded_at, reason, deleted, body FROM records"
            " WHERE kind = ? AND id = ? ORDER BY version",
            (kind, id),
        ).fetchall()
        out = []
        for version, at, reason, deleted, body in rows:
            try:
                parsed = json.loads(body)
            except ValueError:
                raise VaultCorrupt(
                    f"The stored {kind} {id} version {version} is damaged. Run 'victim-log check'."
                ) from None
            out.append((int(version), str(at), str(reason), bool(deleted), parsed))
        return out

    # ------------------------------------------------------------------ incidents

    def add_incident(
        self,
        data: IncidentData,
        *,
        evidence: tuple[int, ...] = (),
        files: Sequence[Path | tuple[str, bytes]] = (),
        people_names: Sequence[str] = (),
        reason: str = "created",
    ) -> int:
        """Save a new entry, with its files and the people it names, as ONE transaction.

        ``files`` are paths, or (file name, bytes) pairs for what is held in memory
        (a pasted screenshot). They are encrypted into blob files first (the slow
        part, outside the write lock); the entry, its exhibits and any new person named in
        ``people_names`` are then recorded in one commit. A crash, a full disk or a
        refused file therefore leaves all of it or none of it, never an entry without
        its evidence (which a retry would duplicate). A name is looked up and, if new,
        added inside that same transaction, so two adds naming the same new person at
        once make one person. Blob files of a failed add are removed again.
        """
        data = data.validated()
        self._check_people_exist(data.people)
        if not files and not people_names:
            with db.transaction(self.conn, "the new entry"):
                return self._add_incident_tx(data, evidence, reason)
        what = "the new entry and its files" if files else "the new entry"
        # Validated before any work, and looked up as they will be stored.
        names = [PersonData(name=n).validated().name for n in people_names]
        pending = []
        try:
            for f in files:
                if isinstance(f, tuple):
                    pending.append(self.evidence.store_bytes(f[1], f[0]))
                else:
                    pending.append(self.evidence.store_path_checked(Path(f)))
            with db.transaction(self.conn, what):
                people = list(data.people)
                for name in names:
                    pid = self._person_by_name_tx(name)
                    if pid not in people:
                        people.append(pid)
                exhibits = list(evidence)
                for blob in pending:
                    eid, _new = self.evidence.record_blob(blob)
                    exhibits.append(eid)
                if people != list(data.people):
                    values = {f: getattr(data, f) for f in data.__dataclass_fields__}
                    values["people"] = tuple(people)
                    data = IncidentData(**values)
                incident_id = self._add_incident_tx(data, tuple(dict.fromkeys(exhibits)), reason)
        except BaseException:
            for blob in pending:
                self.evidence.discard(blob)
            raise
        self.evidence.sync_dirs(pending)
        return incident_id

    def clock_went_back(self, limit: int = 5) -> list[str]:
        """Where a recorded-at time is earlier than the one before it in the journal.

        Recorded-at times come from the computer's clock; set back (by hand, a dead
        CMOS battery, a wrong time zone), it makes a later entry look older than an
        earlier one. Nothing is wrong with the entries, but a defence lawyer will ask,
        so ``check`` and the export say where it happened (not an integrity problem).
        """
        out: list[str] = []
        count = 0
        latest: tuple[float, int, str] | None = None
        # One stamp is read once for the entries after it that carry the same one (an
        # import stamps thousands with the same second; reading each was most of the
        # time this takes, #23.8).
        last_at: Any = None
        when = 0.0
        for seq, at, kind, rid in self._journal_times():
            if at != last_at or type(at) is not str:
                last_at = None
                try:
                    when = datetime.fromisoformat(str(at)).timestamp()
                except (ValueError, OverflowError, OSError):
                    continue
                last_at = at
            if latest is not None and when < latest[0] - 1:
                count += 1
                if len(out) < limit:
                    what = f"{kind} {rid}" if kind != "vault" else "a vault event"
                    out.append(
                        f"journal entry {seq} ({what}) was recorded at {at}, earlier "
                        f"than entry {latest[1]} before it ({latest[2]}): the "
                        "computer's clock was set back in between"
                    )
            if latest is None or when >= latest[0]:
                latest = (when, int(seq), str(at))
        if count > limit:
            out.append(f"... and {count - limit} more entries recorded after the clock went back")
        return out

    def _journal_times(self) -> Iterator[tuple[int, Any, Any, Any]]:
        """(seq, at, kind, id) of every journal entry in order, a page at a time."""
        sql = "SELECT seq, at, kind, id FROM journal{} ORDER BY seq LIMIT " + str(journal.PAGE_ROWS)
        rows = self.conn.execute(sql.format("")).fetchall()
        while rows:
            yield from rows
            rows = self.conn.execute(sql.format(" WHERE seq > ?"), (int(rows[-1][0]),)).fetchall()

    def get_incidents(self, incident_ids: Sequence[int]) -> list[IncidentVersion]:
        """The current versions of many incidents, in the order asked (a page of a list
        or an export) with few queries; missing ids raise NotFound."""
        raw = self.incident_records(incident_ids)
        out = []
        for iid in incident_ids:
            first_at, version, at, reason, deleted, body = raw[int(iid)]
            try:
                parsed = json.loads(body)
            except ValueError:
                raise VaultCorrupt(f"The stored incident {iid} is damaged. Run 'victim-log check'.") from None
            pair = [(1, first_at, "", False, {}), (version, at, reason, deleted, parsed)]
            out.append(self._version_from(int(iid), pair, 1))
        return out

    def incident_records(
        self, incident_ids: Sequence[int]
    ) -> dict[int, tuple[str, int, str, str, bool, str]]:
        """Current stored bodies (JSON text) of many incidents: id -> (first recorded
        at, version, recorded at, reason, deleted, body). Missing ids raise NotFound.

        A few ids are looked up 500 at a time; many are read in one pass over the
        table in key order, which is several times faster than looking up rows spread
        over a database bigger than SQLite's page cache (``list --json``, #23.7).
        """
        ids = [int(i) for i in incident_ids]
        wanted = set(ids)
        sql = "SELECT id, version, recorded_at, reason, deleted, body FROM records WHERE kind = 'incident'"
        if len(wanted) > 2_000:
            queries: list[tuple[str, list[int]]] = [(sql + " ORDER BY id, version", [])]
        else:
            order = sorted(wanted)
            queries = [
                (sql + f" AND id IN ({','.join('?' * len(chunk))}) ORDER BY id, version", chunk)
                for chunk in (order[i : i + 500] for i in range(0, len(order), 500))
            ]
        first: dict[int, str] = {}
        out: dict[int, tuple[str, int, str, str, bool, str]] = {}
        for query, args in queries:
            for iid, version, at, reason, deleted, body in self.conn.execute(query, args):
                if iid not in wanted:
                    continue
                first_at = first.setdefault(iid, str(at))
                out[iid] = (first_at, int(version), str(at), str(reason), bool(deleted), str(body))
        missing = [i for i in ids if i not in out]
        if missing:
            raise NotFound(f"There is no incident {missing[0]}.")
        return out

    def _person_by_name_tx(self, name: str, role: str = "perpetrator") -> int:
        """``person_by_name`` inside the caller's transaction (which holds the write
        lock, so no other process can add the same name between look-up and insert)."""
        found = self.find_person(name)
        if found is not None:
            return found.id
        data = PersonData(name=name, role=role).validated()
        pid = self._next_id("person")
        self._write_record("person", pid, 1, data.to_dict(), reason="created", deleted=False, action="create")
        self.conn.execute(
            "INSERT INTO people (id, version, deleted, name, role) VALUES (?,?,?,?,?)",
            (pid, 1, 0, data.name, data.role),
        )
        return pid

    def _add_incident_tx(self, data: IncidentData, evidence: tuple[int, ...], reason: str) -> int:
        return self._add_incidents_tx([(data, evidence)], reason)[0]

    def _add_incidents_tx(
        self, new: Sequence[tuple[IncidentData, tuple[int, ...]]], reason: str
    ) -> list[int]:
        """Write new incidents (validated data and exhibit ids) in the open transaction.

        For each, the rows ``add_incident`` writes (record, journal entry, timeline row,
        people and exhibit links, search row), gathered per table into one
        ``executemany``: an import adds tens of thousands, and taking the general
        path for each was most of its time. Returns the new ids, in order.
        """
        first = self._next_id("incident", len(new))
        ids = list(range(first, first + len(new)))
        checked = self._batch.setdefault("_active", set()) if self._batch is not None else set()
        detail = journal.encode_detail(_reason_detail(reason))
        seq, prev = self._journal_head()
        records: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        timeline: list[tuple[Any, ...]] = []
        people: list[tuple[int, int]] = []
        links: list[tuple[int, int]] = []
        search: list[tuple[Any, ...]] = []
        for incident_id, (data, evidence) in zip(ids, new, strict=True):
            if len(evidence) > 1:
                evidence = tuple(dict.fromkeys(evidence))
            for ev in evidence:
                if ev not in checked:  # within a batch, each exhibit is checked once
                    self.evidence.require_active(ev)
                    checked.add(ev)
            body = incident_body_json(data, evidence)
            at = now_iso()
            records.append(("incident", incident_id, 1, at, reason, 0, body))
            seq += 1
            entry = journal.entry_row(
                seq, at, "create", "incident", incident_id, 1, journal.body_hash(body), detail, prev
            )
            entries.append(entry)
            prev = entry[-1]
            timeline.append(_timeline_row(incident_id, 1, at, at, data, len(evidence), False))
            people.extend((incident_id, p) for p in data.people)
            links.extend((e, incident_id) for e in evidence)
            search.append(
                (incident_id, data.summary, data.details, data.location, self._people_text(data.people))
            )
        c = self.conn
        c.executemany(_INSERT_RECORD, records)
        c.executemany(journal.INSERT, entries)
        if self._batch is not None:
            self._batch["_head"] = (seq, prev)
        c.executemany(_INSERT_TIMELINE, timeline)
        if people:
            c.executemany(_INSERT_PERSON_LINK, people)
        if links:
            c.executemany(_INSERT_EVIDENCE_LINK, links)
        c.executemany(_INSERT_SEARCH, search)
        return ids

    def edit_incident(
        self, incident_id: int, data: IncidentData, reason: str, *, evidence: tuple[int, ...] | None = None
    ) -> IncidentVersion:
        """Write a new version; the old ones stay readable in the history."""
        reason = _require_reason(reason)
        data = data.validated()
        self._check_people_exist(data.people)
        with db.transaction(self.conn, "your change"):
            current = self.get_incident(incident_id)
            if current.deleted:
                raise BadInput(f"Incident {incident_id} was deleted; it cannot be edited.")
            new_evidence = current.evidence if evidence is None else tuple(dict.fromkeys(evidence))
            for ev in set(new_evidence) - set(current.evidence):
                self.evidence.require_active(ev)
            if data == current.data and new_evidence == current.evidence:
                raise BadInput("Nothing has changed, so no new version was saved.")
            version = current.version + 1
            body = incident_body_json(data, new_evidence)
            at = self._write_record(
                "incident", incident_id, version, body, reason=reason, deleted=False, action="edit"
            )
            self._index_incident(
                incident_id, version, current.first_recorded_at, at, data, new_evidence, deleted=False
            )
        return self.get_incident(incident_id)

    def delete_incident(self, incident_id: int, reason: str) -> None:
        """A tombstone with a reason: the entry leaves the timeline, its history stays."""
        reason = _require_reason(reason)
        with db.transaction(self.conn, "the deletion"):
            current = self.get_incident(incident_id)
            if current.deleted:
                raise BadInput(f"Incident {incident_id} is already deleted.")
            version = current.version + 1
            body = incident_body_json(current.data, current.evidence)
            at = self._write_record(
                "incident", incident_id, version, body, reason=reason, deleted=True, action="delete"
            )
            self._index_incident(
                incident_id,
                version,
                current.first_recorded_at,
                at,
                current.data,
                current.evidence,
                deleted=True,
            )

    def link_evidence(
        self, incident_id: int, evidence_ids: tuple[int, ...], reason: str = "attached evidence"
    ) -> IncidentVersion:
        current = self.get_incident(incident_id)
        merged = tuple(dict.fromkeys(current.evidence + tuple(evidence_ids)))
        if merged == current.evidence:
            return current
        return self.edit_incident(incident_id, current.data, reason, evidence=merged)

    def _index_incident(
        self,
        incident_id: int,
        version: int,
        first_at: str,
        at: str,
        data: IncidentData,
        evidence: tuple[int, ...],
        *,
        deleted: bool,
    ) -> None:
        """Bring a changed incident's timeline row, links and search row up to date."""
        c = self.conn
        c.execute(
            _REPLACE_TIMELINE, _timeline_row(incident_id, version, first_at, at, data, len(evidence), deleted)
        )
        c.execute("DELETE FROM incident_fts WHERE rowid = ?", (incident_id,))
        c.execute("DELETE FROM incident_people WHERE incident_id = ?", (incident_id,))
        c.execute("DELETE FROM evidence_links WHERE incident_id = ?", (incident_id,))
        if deleted:
            return
        if data.people:
            c.executemany(_INSERT_PERSON_LINK, [(incident_id, p) for p in data.people])
        if evidence:
            c.executemany(_INSERT_EVIDENCE_LINK, [(e, incident_id) for e in evidence])
        c.execute(
            _INSERT_SEARCH,
            (incident_id, data.summary, data.details, data.location, self._people_text(data.people)),
        )

    def _people_text(self, people: tuple[int, ...]) -> str:
        cache = self._batch
        key = ("_people", people)
        if cache is not None and key in cache:
            return str(cache[key])
        words = []
        for pid in people:
            with contextlib.suppress(NotFound):
                p = self.get_person(pid).data
                words.extend([p.name, *p.aliases, *p.phones, *p.accounts, *p.vehicles])
        text = " ".join(words)
        if cache is not None:
            cache[key] = text
        return text

    def _check_people_exist(self, people: tuple[int, ...]) -> None:
        for pid in people:
            self.get_person(pid)

    def _version_from(
        self, incident_id: int, rows: list[tuple[int, str, str, bool, dict[str, Any]]], index: int
    ) -> IncidentVersion:
        version, at, reason, deleted, body = rows[index]
        try:
            data = IncidentData.from_dict(body["data"])
            evidence = tuple(int(e) for e in body.get("evidence", []))
        except (KeyError, TypeError, ValueError):
            raise VaultCorrupt(
                f"The stored incident {incident_id} is damaged. Run 'victim-log check'."
            ) from None
        return IncidentVersion(
            incident_id=incident_id,
            version=version,
            recorded_at=at,
            first_recorded_at=rows[0][1],
            reason=reason,
            deleted=deleted,
            data=data,
            evidence=evidence,
        )

    def get_incident(self, incident_id: int) -> IncidentVersion:
        rows = self._records("incident", incident_id)
        if not rows:
            raise NotFound(f"There is no incident {incident_id}.")
        return self._version_from(incident_id, rows, len(rows) - 1)

    def incident_history(self, incident_id: int) -> list[IncidentVersion]:
        rows = self._records("incident", incident_id)
        if not rows:
            raise NotFound(f"There is no incident {incident_id}.")
        return [self._version_from(incident_id, rows, i) for i in range(len(rows))]

    # ------------------------------------------------------------------ timeline and search

    _SUMMARY_COLS = (
        "id, version, occurred_start, occurred_end, precision, kinds, summary,"
        " evidence_count, reported, breach, complete_later, deleted, recorded_at,"
        " first_recorded_at"
    )

    def _where(self, flt: IncidentFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        if not flt.include_deleted:
            clauses.append("deleted = 0")
        if flt.text.strip():
            query = fts_query(flt.text)
            if not query:
                clauses.append("0")
            else:
                clauses.append("id IN (SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?)")
                args.append(query)
        if flt.start:
            clauses.append("sort_key >= ?")
            args.append(parse_when(flt.start).timestamp())
        if flt.end:
            end = parse_when(flt.end)
            if len(flt.end.strip()) <= 10:  # a bare date: include the whole day
                end = end.replace(hour=23, minute=59, second=59)
            clauses.append("sort_key <= ?")
            args.append(end.timestamp())
        if flt.kinds:
            clauses.append("(" + " OR ".join("kinds LIKE ?" for _ in flt.kinds) + ")")
            args.extend(f"%,{k},%" for k in flt.kinds)
        if flt.person_id is not None:
            clauses.append("id IN (SELECT incident_id FROM incident_people WHERE person_id = ?)")
            args.append(flt.person_id)
        for column, wanted in (
            ("evidence_count > 0", flt.has_evidence),
            ("reported = 1", flt.reported),
            ("complete_later = 1", flt.complete_later),
        ):
            if wanted is not None:
                clauses.append(column if wanted else f"NOT ({column})")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", args

    def list_incidents(
        self,
        flt: IncidentFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        oldest_first: bool = False,
    ) -> list[IncidentSummary]:
        """Newest first (by when it happened), a page at a time for lazy views."""
        where, args = self._where(flt or IncidentFilter())
        order = "ASC" if oldest_first else "DESC"
        sql = f"SELECT {self._SUMMARY_COLS} FROM incidents{where} ORDER BY sort_key {order}, id {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            args = [*args, int(limit), int(offset)]
        return [_summary(r) for r in self.conn.execute(sql, args).fetchall()]

    def count_incidents(self, flt: IncidentFilter | None = None) -> int:
        where, args = self._where(flt or IncidentFilter())
        return int(self.conn.execute(f"SELECT count(*) FROM incidents{where}", args).fetchone()[0])

    def search(self, text: str, *, limit: int = 100, offset: int = 0) -> list[IncidentSummary]:
        return self.list_incidents(IncidentFilter(text=text), limit=limit, offset=offset)

    # ------------------------------------------------------------------ people

    def add_person(self, data: PersonData, reason: str = "created") -> int:
        data = data.validated()
        with db.transaction(self.conn, "the new person"):
            pid = self._next_id("person")
            self._write_record(
                "person", pid, 1, data.to_dict(), reason=reason, deleted=False, action="create"
            )
            self.conn.execute(
                "INSERT INTO people (id, version, deleted, name, role) VALUES (?,?,?,?,?)",
                (pid, 1, 0, data.name, data.role),
            )
        return pid

    def edit_person(self, person_id: int, data: PersonData, reason: str) -> Person:
        reason = _require_reason(reason)
        data = data.validated()
        with db.transaction(self.conn, "your change"):
            current = self.get_person(person_id)
            if current.deleted:
                raise BadInput(f"Person {person_id} was taken out of People; they cannot be edited.")
            if current.data == data:
                raise BadInput("Nothing has changed, so no new version was saved.")
            version = current.version + 1
            self._write_record(
                "person", person_id, version, data.to_dict(), reason=reason, deleted=False, action="edit"
            )
            self.conn.execute(
                "UPDATE people SET version = ?, name = ?, role = ? WHERE id = ?",
                (version, data.name, data.role, person_id),
            )
            # Search text of this person's incidents names them: refresh it.
            rows = self.conn.execute(
                "SELECT incident_id FROM incident_people WHERE person_id = ?", (person_id,)
            ).fetchall()
            for (iid,) in rows:
                inc = self.get_incident(int(iid))
                self.conn.execute(
                    "UPDATE incident_fts SET people = ? WHERE rowid = ?",
                    (self._people_text(inc.data.people), int(iid)),
                )
        return self.get_person(person_id)

    def delete_person(self, person_id: int, reason: str) -> None:
        """Take someone out of People (added by mistake, say), with a reason.

        Refused while an entry or an order names them: their entries would lose who did
        it without the victim seeing it happen. Like an entry's deletion this is a
        tombstone version, so the history still shows they were there and why not now.
        """
        reason = _require_reason(reason)
        with db.transaction(self.conn, "the deletion"):
            current = self.get_person(person_id)
            if current.deleted:
                raise BadInput(f"Person {person_id} was already taken out of People.")
            entries = int(
                self.conn.execute(
                    "SELECT count(*) FROM incident_people WHERE person_id = ?", (person_id,)
                ).fetchone()[0]
            )
            if entries:
                raise BadInput(
                    f"This person is named in {plural(entries, 'entry', 'entries')}. Take them "
                    "out of those entries first, then they can leave People."
                )
            if any(o.data.person_id == person_id for o in self.list_orders()):
                raise BadInput("An order is against this person, so they stay in People.")
            self._write_record(
                "person",
                person_id,
                current.version + 1,
                current.data.to_dict(),
                reason=reason,
                deleted=True,
                action="delete",
            )
            self.conn.execute(
                "UPDATE people SET version = ?, deleted = 1 WHERE id = ?", (current.version + 1, person_id)
            )

    def get_person(self, person_id: int) -> Person:
        rows = self._records("person", person_id)
        if not rows:
            raise NotFound(f"There is no person {person_id}.")
        version, _at, _reason, deleted, body = rows[-1]
        return Person(person_id, version, PersonData.from_dict(body), deleted)

    def list_people(self) -> list[Person]:
        ids = [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM people WHERE deleted = 0 ORDER BY name COLLATE NOCASE, id"
            )
        ]
        return [self.get_person(i) for i in ids]

    def find_person(self, name: str) -> Person | None:
        wanted = name.strip().casefold()
        for person in self.list_people():
            d = person.data
            if wanted in {n.casefold() for n in (d.name, *d.aliases, *d.phones, *d.accounts)}:
                return person
        return None

    def person_by_name(self, name: str, role: str = "perpetrator") -> int:
        """The id of the person with this name or alias, adding them if new."""
        found = self.find_person(name)
        if found is not None:
            return found.id
        return self.add_person(PersonData(name=name, role=role))

    # ------------------------------------------------------------------ orders

    def add_order(self, data: OrderData, reason: str = "created") -> int:
        data = data.validated()
        with db.transaction(self.conn, "the order"):
            oid = self._next_id("order")
            self._write_record("order", oid, 1, data.to_dict(), reason=reason, deleted=False, action="create")
            self.conn.execute("INSERT INTO orders (id, version, deleted) VALUES (?,?,0)", (oid, 1))
        return oid

    def list_orders(self) -> list[Order]:
        out = []
        for (oid,) in self.conn.execute("SELECT id FROM orders WHERE deleted = 0 ORDER BY id"):
            rows = self._records("order", int(oid))
            version, _a, _r, _d, body = rows[-1]
            out.append(Order(int(oid), version, OrderData.from_dict(body)))
        return out

    def order_history(self, order_id: int) -> list[Order]:
        """Every version of an order, oldest first, each with when and why it was written."""
        rows = self._records("order", order_id)
        if not rows:
            raise NotFound(f"There is no order {order_id}.")
        return [Order(order_id, v, OrderData.from_dict(body), at, why) for v, at, why, _d, body in rows]

    def get_order(self, order_id: int) -> Order:
        return self.order_history(order_id)[-1]

    def update_order(self, order_id: int, data: OrderData, reason: str) -> Order:
        """A new version of an order (served, varied, corrected): never an overwrite, the
        history keeps every earlier version with the reason it changed (#16.3)."""
        reason = _require_reason(reason)
        data = data.validated()
        with db.transaction(self.conn, "the change to the order"):
            current = self.get_order(order_id)
            if current.data == data:
                raise BadInput("Nothing has changed, so no new version was saved.")
            version = current.version + 1
            self._write_record(
                "order", order_id, version, data.to_dict(), reason=reason, deleted=False, action="edit"
            )
            self.conn.execute("UPDATE orders SET version = ? WHERE id = ?", (version, order_id))
        return self.get_order(order_id)

    # ------------------------------------------------------------------ integrity

    def journal_entries(self) -> list[journal.JournalEntry]:
        return journal.entries(self.conn)

    def check(self, *, blobs: bool = True) -> CheckReport:
        """Re-walk the journal, every stored record, the indexes and (optionally) every blob.

        Each table is read once, a page at a time, in key order (#23.8): the journal
        (its chain), then the records (each against its entry, and each incident's
        latest version against its timeline row, see :meth:`_check_records`).
        """
        report = CheckReport()
        # SQLite's whole-file checks (a third of the time at 100,000 incidents) run on a
        # connection of their own in another thread while this one walks the journal
        # and the records: SQLite lets go of Python's lock while it works.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-check") as pool:
            integrity = pool.submit(self._integrity_beside)
            walk = journal.walk(self.conn, record_kinds=RECORD_KINDS, keep_actions=(ROLLBACK_EVENT,))
            found = self._check_records(walk.records)
            beside = integrity.result()
        report.problems.extend(db.integrity_problems(self.conn) if beside is None else beside)
        report.journal_entries = walk.count
        report.problems.extend(walk.problems)
        report.problems.extend(found)
        report.incidents = self.count_incidents()
        rollbacks = self._history_problems(walk.kept, report)
        report.orphaned_blobs = self._orphaned_blobs(recent_too=rollbacks)
        if report.orphaned_blobs:
            n = len(report.orphaned_blobs)
            shown = ", ".join(report.orphaned_blobs[:5]) + (", ..." if n > 5 else "")
            report.problems.append(
                f"{plural(n, 'stored evidence file belongs', 'stored evidence files belong')} "
                f"to no exhibit ({shown}): left by an interrupted save, or the database was "
                "put back to an older copy that does not know them"
            )
        if blobs:
            report.blobs_checked, blob_problems = self.evidence.check_all()
            report.problems.extend(blob_problems)
        return report

    def _integrity_beside(self) -> list[str] | None:
        """:func:`db.integrity_problems` on a second connection to the database; None
        when that does not open (``check`` then runs them on its own connection, which
        reports why)."""
        try:
            conn = db.connect(self.path / DB_NAME, self.subkey("sqlcipher"))
        except Exception:  # whatever it is, the check on our own connection reports it
            return None
        try:
            return db.integrity_problems(conn)
        finally:
            conn.close()

    def _record_pages(self) -> Iterator[list[Any]]:
        """Every stored record, in key order, :data:`journal.PAGE_ROWS` at a time:
        (kind, id, version, body, reason, deleted, summary); see :data:`_PLAIN_SUMMARY`."""
        sql = _CHECK_RECORDS.format("")
        args: tuple[Any, ...] = ()
        while True:
            rows = self.conn.execute(sql, args).fetchall()
            if not rows:
                return
            yield rows
            sql, args = _CHECK_RECORDS.format(_AFTER_KEY), tuple(rows[-1][:3])

    def _check_records(self, by_key: dict[tuple[str, int, int], tuple[int, str, Any]]) -> list[str]:
        """Every stored record against its journal entry, then the timeline against each
        incident's latest version (:class:`_IndexCheck`), in one pass over the records.

        ``by_key`` is :attr:`journal.Walk.records`. The comparisons are the ones made on
        parsed entries before (#23.8), taken the short way when it provably agrees: an
        entry's detail equal to the canonical ``{"reason_sha256": ...}`` of the
        record's reason is that detail; anything else is parsed and compared as it was.
        """
        problems: list[str] = []
        seen: set[tuple[str, int, int]] = set()
        reasons: dict[Any, tuple[str, str]] = {}
        body_hash, parse_detail = journal.body_hash, journal.parse_detail
        index = _IndexCheck(self.conn)
        for page in self._record_pages():
            for kind, rid, version, body, reason, deleted, summary in page:
                key = (str(kind), int(rid), int(version))
                seen.add(key)
                entry = by_key.get(key)
                if entry is None:
                    problems.append(
                        f"{kind} {rid} version {version} has no journal entry (added outside Victim Log)"
                    )
                else:
                    want = reasons.get(reason)
                    if want is None:
                        digest = body_hash(str(reason))
                        want = reasons[reason] = (digest, canonical_json({"reason_sha256": digest}).decode())
                    seq, body_sha, detail = entry
                    if body_sha != body_hash(str(body)) or (
                        detail != want[1] and parse_detail(detail).get("reason_sha256") != want[0]
                    ):
                        problems.append(
                            f"{kind} {rid} version {version} has been altered since journal entry {seq}"
                        )
                if key[0] == "incident":
                    index.see(key[1], key[2], bool(deleted), summary, body)
        for key, (seq, _sha, _detail) in by_key.items():
            if key not in seen:
                problems.append(f"{key[0]} {key[1]} version {key[2]} is missing (journal entry {seq})")
        return problems + index.finish()

    def _history_problems(self, chain: list[journal.JournalEntry], report: CheckReport) -> bool:
        """Rollbacks found at unlock (this one, or recorded in the journal before);
        True when there was any."""
        report.history_warning = self.unlock_info.history_warning
        found = False
        for entry in chain:
            if entry.action == ROLLBACK_EVENT and entry.kind == "vault":
                found = True
                d = entry.detail
                report.problems.append(
                    f"journal entry {entry.seq} records that on {entry.at[:10]} the database was "
                    f"found behind its history (entry {d.get('anchored_seq', '?')} had been "
                    f"saved; the database ended at entry {d.get('found_seq', '?')}): an older "
                    "copy of vault.db had been put back"
                )
        if self.unlock_info.history_warning and not found:
            found = True  # the unlock could not record it: report it as it was said
            report.problems.append(self.unlock_info.history_warning)
        return found

    def _orphaned_blobs(self, *, recent_too: bool) -> list[str]:
        """Names of finished blob files that no evidence row references.

        One younger than :data:`ORPHAN_GRACE_SECONDS` may be an intake still running
        in another window (files are written before their transaction), so it is
        left out unless the history was rolled back.
        """
        root = self.path / BLOB_DIR
        known = {str(r[0]) for r in self.conn.execute("SELECT blob_id FROM evidence")}
        now = time.time()
        out: list[str] = []
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir())
        except OSError:
            return out
        for folder in folders:
            with contextlib.suppress(OSError):
                for blob in sorted(folder.iterdir()):
                    if not _BLOB_NAME.fullmatch(blob.name) or blob.name in known:
                        continue
                    if not recent_too and now - blob.stat().st_mtime < ORPHAN_GRACE_SECONDS:
                        continue
                    out.append(blob.name)
        return out


class _IndexCheck:
    """The timeline (the ``incidents`` table) against each incident's latest stored
    version, fed the incident records in key order (so an incident's versions arrive
    together, its latest last).

    The summary is the one SQLite read from the body (:data:`_PLAIN_SUMMARY`) when
    there is one, otherwise the body is parsed here, as it always was.
    """

    def __init__(self, conn: db.Connection) -> None:
        self.indexed = {
            int(r[0]): (int(r[1]), bool(r[2]), str(r[3]))
            for r in conn.execute("SELECT id, version, deleted, summary FROM incidents")
        }
        self.stored: set[int] = set()
        self.problems: list[str] = []
        self._last: tuple[int, int, bool, Any, Any] | None = None

    def see(self, iid: int, version: int, deleted: bool, summary: Any, body: Any) -> None:
        """One incident record; the one before it was its incident's latest when the id
        changes."""
        if self._last is not None and self._last[0] != iid:
            self._compare(*self._last)
        self._last = (iid, version, deleted, summary, body)

    def finish(self) -> list[str]:
        if self._last is not None:
            self._compare(*self._last)
            self._last = None
        for iid in set(self.indexed) - self.stored:
            self.problems.append(f"incident {iid} is in the timeline but has no stored record")
        return self.problems

    def _compare(self, iid: int, version: int, deleted: bool, summary: Any, body: Any) -> None:
        self.stored.add(iid)
        got = self.indexed.get(iid)
        if got is None or got[0] != version:
            self.problems.append(f"incident {iid}: the timeline index is out of date")
            return
        if summary is None or not _plain_summary_text(body):
            try:
                summary = json.loads(str(body))["data"]["summary"]
            except (ValueError, KeyError, TypeError):
                return  # a damaged body: the record walk reports it
        if deleted != got[1] or summary != got[2]:
            self.problems.append(f"incident {iid}: the timeline shows something other than the stored record")


# An incident body's ``data.summary`` as SQLite reads it from strict RFC 8259 JSON
# (which json.loads reads the same way), else NULL. Used only where the body's text
# also passes :func:`_plain_summary_text`; otherwise Python parses the body as it
# always did. Parsing 100,000 bodies in Python was over half the time of ``check``
# (#23.8). json_type runs only on valid JSON (it raises on anything else), hence
# the nested CASE.
_PLAIN_SUMMARY = (
    "CASE WHEN kind = 'incident' AND typeof(body) = 'text' AND json_valid(body, 1)"
    " THEN CASE WHEN json_type(body, '$.data.summary') = 'text'"
    " THEN json_extract(body, '$.data.summary') END END"
)
_CHECK_RECORDS = (
    "SELECT kind, id, version, body, reason, deleted, "
    + _PLAIN_SUMMARY
    + " FROM records{} ORDER BY kind, id, version LIMIT "
    + str(journal.PAGE_ROWS)
)
_AFTER_KEY = " WHERE (kind, id, version) > (?, ?, ?)"


def _plain_summary_text(body: Any) -> bool:
    """Whether SQLite's ``$.data.summary`` of this (strict JSON) body is provably the
    value of ``json.loads(body)["data"]["summary"]``: with no \\u escape, every key
    named "data" or "summary" is written as exactly that text, and each appearing once
    means neither key is duplicated (for a duplicate SQLite takes the first value,
    Python the last)."""
    return (
        type(body) is str
        and ("\\" not in body or "\\u" not in body)
        and body.count('"summary"') == 1
        and body.count('"data"') == 1
    )


def _slot_replaced_here(path: Path, tried: keys.KeyFile, slot_type: str) -> bool:
    """The slot just tried is still the one on disk, yet not the one this computer
    noted at its last unlock (or wrote itself). A slot replaced on disk while we
    were trying (``passwd`` in another window) is an ordinary miss instead."""
    if not keys.slot_changed_since_seen(paths.state_dir(), tried, slot_type):
        return False
    try:
        fresh = keys.KeyFile.load(path / KEY_NAME)
    except (VaultCorrupt, BadInput):
        return False
    mine = [keys.slot_digest(s) for s in tried.slots if s.get("type") == slot_type]
    now = [keys.slot_digest(s) for s in fresh.slots if s.get("type") == slot_type]
    return mine == now


def _slot_replaced(slot_type: str) -> VaultCorrupt:
    what = "recovery key" if slot_type == "recovery" else "passphrase"
    return VaultCorrupt(
        f"That {what} does not open the vault, and its {what} slot in the key file "
        "(vault.key) is not the one this computer last opened it with: it was changed "
        f"outside Victim Log. If you set a new {what} on another computer, use that one; "
        "if you did not, restore vault.key from a backup or use your "
        f"{'passphrase' if slot_type == 'recovery' else 'recovery key'}. "
        "This try was not counted as a wrong one."
    )


def _summary(r: tuple[Any, ...]) -> IncidentSummary:
    return IncidentSummary(
        id=int(r[0]),
        version=int(r[1]),
        occurred_start=str(r[2]),
        occurred_end=str(r[3]),
        precision=str(r[4]),
        kinds=tuple(k for k in str(r[5]).split(",") if k),
        summary=str(r[6]),
        evidence_count=int(r[7]),
        reported=bool(r[8]),
        breach=bool(r[9]),
        complete_later=bool(r[10]),
        deleted=bool(r[11]),
        recorded_at=str(r[12]),
        first_recorded_at=str(r[13]),
    )
