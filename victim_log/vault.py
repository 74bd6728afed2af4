"""The vault: the one service the CLI and the GUI call.

A vault is a directory holding ``vault.key`` (the data key, wrapped), ``vault.db``
(SQLCipher) and ``blobs/`` (encrypted evidence). Every change is one transaction that
writes an immutable record version and a journal entry together, then refreshes the
derived index tables used for the timeline and search. Nothing is updated in place:
the index tables can always be rebuilt from the records, and ``check`` compares them.

This module keeps what is the vault's own: its keys, opening, locking, the key
file's journal anchor, settings and ``check``. The changes themselves live in
:mod:`victim_log.store` (records, index, imports, and the incident, people and
order use cases), composed by the unit of work ``with vault.transaction() as tx:``
(:class:`victim_log.store.transaction.Transaction`); each public change method here
is one such transaction around one of its methods.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from . import integrity
from . import paths
from .clock import now_iso as now_iso
from .crypto import keys
from .errors import BadInput
from .errors import VaultCorrupt
from .errors import VaultExists
from .errors import VaultLocked
from .errors import VaultMissing
from .errors import VictimLogError
from .errors import WrongPassphrase
from .evidence import EvidenceStore
from .evidence import PendingBlob
from .fsutil import ClosedOnExit
from .fsutil import ensure_private_dir
from .integrity import ORPHAN_GRACE_SECONDS as ORPHAN_GRACE_SECONDS
from .integrity import ROLLBACK_EVENT as ROLLBACK_EVENT
from .integrity import CheckReport as CheckReport
from .logs import log_unexpected
from .model import IncidentData
from .model import IncidentVersion
from .model import Order
from .model import OrderData
from .model import Person
from .model import PersonData
from .passphrase import check_passphrase_acceptable as check_passphrase_acceptable
from .passphrase import passphrase_problem as passphrase_problem
from .passphrase import vault_user_inputs
from .store import authors
from .store import db
from .store import incidents
from .store import index as store_index
from .store import journal
from .store import meta
from .store import orders
from .store import people
from .store import records
from .store.index import IncidentFilter as IncidentFilter
from .store.index import IncidentSummary as IncidentSummary
from .store.index import fts_query as fts_query
from .store.records import RECORD_KINDS as RECORD_KINDS
from .store.transaction import BATCH_CACHE_KIB as BATCH_CACHE_KIB
from .store.transaction import Transaction
from .store.transaction import begin
from .store.transaction import joined
from .support import attributed

DB_NAME, KEY_NAME, BLOB_DIR = paths.DB_NAME, paths.KEY_NAME, paths.BLOB_DIR


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
    # An interrupted re-key was finished by this unlock: only the NEW passphrase and
    # the NEW recovery key open the vault from now on.
    rekey_finished: bool = False
    # ... and its new recovery key, to be shown once (it may never have been shown).
    new_recovery_key: str | None = field(default=None, repr=False)


# Re-key progress stages, in order (``progress(stage, done, total)``).
REKEY_STAGES = ("keys", "files", "database", "done")
# HMAC keys whose tags are kept in the database (evidence and import deduplication):
# they are not secrets from anyone who can read the database, so a re-key keeps them
# (stored in the re-keyed database) instead of recomputing every tag.
HASH_KEY_PURPOSES = ("dedup", "import-dedup")
HASH_KEY_META = "hash-key:"
DATA_KEY_ID_META = "data-key-id"
RekeyProgress = Callable[[str, int, int], None]


def _key_id(data_key: keys.Key) -> str:
    """Names a data key without revealing it (which key wraps the file keys)."""
    return keys.subkey(data_key, "key-id").hex()[:32]


def history_warning(conn: db.Connection, anchor: tuple[int, str] | None) -> str | None:
    """Compare the database's journal with the head anchored in the key file.

    The key file is written after each commit, so a database *ahead* of the anchor
    is a crash between the two (fine). Behind it, or without the anchored entry,
    means an older or another database was put back.
    """
    if anchor is None or anchor[0] == 0:
        return None
    seq, digest = anchor
    found_hash = journal.hash_at(conn, seq)
    if found_hash is None:
        found = journal.head(conn)[0]
        return (
            f"Your diary opened, but its history is shorter than when it was last saved: "
            f"it now ends at entry {found}, and entry {seq} was saved before. An older copy "
            "of the vault's database may have been put back. Nothing has been deleted "
            "now; compare with your backups and exports."
        )
    if found_hash != digest:
        return (
            f"Your diary opened, but entry {seq} of its history is not the one that was "
            "saved: the vault's database may have been replaced with another copy. "
            "Nothing has been deleted now; compare with your backups and exports."
        )
    return None


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
        self._tx: Transaction | None = None  # the open one (see :meth:`transaction`)
        self._tx_thread: int | None = None
        self.read_only = False  # opened from a folder that cannot be written (reads work)
        self._anchored = keyfile.journal_head
        conn.after_commit = self._after_commit
        conn.explain_damage = self._rekeyed_elsewhere
        self.evidence = EvidenceStore(self)
        # A support worker entering changes in the app ("support:NAME (ORG)"), else None:
        # what is added or edited while it is set is theirs (victim_log/support.py, #18).
        self.acting_author: str | None = None

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
                meta.put(conn, "vault_id", keyfile.vault_id, replace=False)
                meta.put(conn, "created_at", now_iso(), replace=False)
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
        new_key = keyfile.pending_key(data_key)
        if new_key is not None and read_only:
            raise BadInput(
                "A change of the vault's keys was interrupted, and it can only be finished "
                "where the vault's folder can be written. Nothing was changed."
            )
        conn, data_key = _connect(path, data_key, new_key)
        try:
            if meta.get(conn, "vault_id") != keyfile.vault_id:
                raise VaultCorrupt("The vault's database and key file do not belong together.")
            warning = history_warning(conn, keyfile.journal_head)
        except BaseException:
            conn.close()
            raise
        failures = tuple(keyfile.failed_attempts)
        shown = None if new_key is None else keyfile.staged_recovery_key(new_key)
        vault = cls(path, data_key, conn, keyfile, UnlockInfo(failures, warning, new_key is not None, shown))
        vault.read_only = read_only
        if new_key is not None:
            try:
                vault._complete_rekey(new_key, None)
            except BaseException:
                vault.lock()
                raise
        keys.remember_slots(paths.state_dir(), vault._keyfile)
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

    def _rekeyed_elsewhere(self) -> Exception | None:
        """A page that fails its check right after another window or terminal re-keyed
        the vault is not damage: the key file on disk no longer verifies with our key.
        Said so, as a locked vault (exit code 3), never "restore from a backup"."""
        if self._data_key is None:
            return None
        fresh = keys.KeyFile.load(self.path / KEY_NAME)
        if fresh.vault_id != self.vault_id or fresh.mac_matches(self._key()):
            return None
        return VaultLocked(
            "The vault's keys were changed in another window or terminal (a re-key). "
            "Lock it and unlock it again with the new passphrase. Nothing was changed here."
        )

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
        if purpose in HASH_KEY_PURPOSES:
            kept = meta.get(self.conn, HASH_KEY_META + purpose)
            if kept is not None:
                return bytes.fromhex(kept)  # kept by a re-key
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
            try:
                self._conn.close()
            except Exception as exc:  # noqa: BLE001 - locking must finish; the log says why
                log_unexpected(exc)
            self._conn = None
        records.forget_reasons()  # they hold the reasons last typed

    close = lock

    def change_passphrase(self, new_passphrase: str, kdf: keys.KdfParams | None = None) -> None:
        """Rewrap the data key; the database itself is untouched."""
        check_passphrase_acceptable(new_passphrase, vault_user_inputs(self))
        key = self._key()
        self._put_slot(keys.passphrase_slot(self.vault_id, key, new_passphrase, kdf or keys.calibrate()))
        with self.transaction("the passphrase change") as tx:
            tx.record_event("passphrase_changed", {})

    def rekey(
        self,
        new_passphrase: str,
        *,
        kdf: keys.KdfParams | None = None,
        progress: RekeyProgress | None = None,
        staged: Callable[[str], None] | None = None,
    ) -> str:
        """Re-key ("someone may know my passphrase"): a new random data key for everything.

        The database is re-encrypted under it (SQLCipher's rekey), every evidence
        file's key is rewrapped under it, and the key file ends up holding it wrapped
        by ``new_passphrase`` and by a NEW recovery key, which is returned (show it
        once). Afterwards the old passphrase, the old recovery key and any old copy of
        ``vault.key`` open neither this database nor any later copy of it.

        Crash-safe at every step: first the key file stages the new slots beside the
        old ones (:meth:`keys.KeyFile.begin_rekey`); from then until the end the old
        AND the new passphrase and recovery key all open the vault, and the next
        unlock finishes what was interrupted. ``staged(recovery_key)`` is called
        once the new recovery key works (before the long part), so a face can show
        it even if the rest is interrupted. ``progress(stage, done, total)``, stages
        :data:`REKEY_STAGES`. Other windows with the vault open must be locked
        first: the database is held exclusively while it is re-encrypted.
        """
        check_passphrase_acceptable(new_passphrase, vault_user_inputs(self))
        if self.read_only:
            raise BadInput("This vault's folder cannot be written, so its keys cannot be changed.")
        old = self._key()
        new = keys.random_key()  # a wipeable buffer, wiped when this returns
        recovery = keys.new_recovery_key()
        _report(progress, "keys", 0, 1)
        slots = [
            keys.passphrase_slot(self.vault_id, new, new_passphrase, kdf or keys.calibrate()),
            keys.recovery_slot(self.vault_id, new, recovery),
        ]

        def stage(fresh: keys.KeyFile) -> bool:
            self._require_ours(fresh, old)
            fresh.begin_rekey(old, new, slots, recovery)
            return True

        try:
            self._keyfile = keys.update(self.path / KEY_NAME, stage)
            if staged is not None:
                staged(recovery)
            self._complete_rekey(new, progress)
        finally:
            new[:] = bytes(len(new))
        return recovery

    def _complete_rekey(self, new: keys.Key, progress: RekeyProgress | None) -> None:
        """The steps of a re-key after the key file staged it, each safe to repeat:
        (1) one transaction rewraps the file keys, keeps the hash keys, names the new
        key and journals the change; (2) SQLCipher re-encrypts the database (its own
        transaction); (3) the key file keeps only the new slots. Both transactions
        run with a journal that is wiped afterwards (the old key's pages leave no
        images on disk) and with the database held exclusively."""
        conn = self.conn
        old = self._key()
        with db.held_exclusively(conn), db.wiped_journal(conn):
            if old != new and meta.get(conn, DATA_KEY_ID_META) != _key_id(new):
                _report(progress, "files", 0, 1)
                with self.transaction("the change of keys") as tx:
                    for purpose in HASH_KEY_PURPOSES:
                        if meta.get(conn, HASH_KEY_META + purpose) is None:
                            tx.put_meta(HASH_KEY_META + purpose, self.subkey(purpose).hex())
                    damaged = self.evidence.rewrap_keys(
                        conn,
                        keys.subkey(new, "blob-wrap"),
                        None if progress is None else lambda d, t: progress("files", d, t),
                    )
                    tx.put_meta(DATA_KEY_ID_META, _key_id(new))
                    tx.record_event("data_key_rotated", {"damaged_file_keys": damaged})
            if old != new:
                _report(progress, "database", 0, 1)
                db.rekey(conn, keys.subkey(new, "sqlcipher"))
                self._set_key(new)
        _report(progress, "database", 1, 1)
        head = journal.head(conn)

        def finish(fresh: keys.KeyFile) -> bool:
            if fresh.rekey is None:
                return False  # finished already (another window)
            if fresh.vault_id != self.vault_id:
                raise VaultCorrupt("The vault's key file was replaced while its keys were being changed.")
            fresh.finish_rekey(new, head)
            return True

        self._keyfile = keys.update(self.path / KEY_NAME, finish)
        self._anchored = self._keyfile.journal_head
        keys.remember_slots(paths.state_dir(), self._keyfile)
        _report(progress, "done", 1, 1)

    def _set_key(self, new: keys.Key) -> None:
        if self._data_key is not None:
            self._data_key[:] = bytes(len(self._data_key))
        self._data_key = bytearray(new)

    def _require_ours(self, fresh: keys.KeyFile, key: bytes) -> None:
        if fresh.vault_id != self.vault_id or not fresh.mac_matches(key):
            raise VaultCorrupt(
                "The vault's key file was changed by another program while the vault "
                "was open. Lock the vault, unlock it again and retry. Nothing was changed."
            )

    def new_recovery_key(self) -> str:
        recovery = keys.new_recovery_key()
        self._put_slot(keys.recovery_slot(self.vault_id, self._key(), recovery))
        with self.transaction("the new recovery key") as tx:
            tx.record_event("recovery_key_replaced", {})
        return recovery

    def _put_slot(self, slot: dict[str, Any]) -> None:
        """Replace one slot in the key file *as it is on disk now*, under its lock:
        never from the copy read at unlock, which another process (``passwd`` in a
        terminal) may have replaced since."""
        key = self._key()

        def put(fresh: keys.KeyFile) -> bool:
            self._require_ours(fresh, key)
            if fresh.rekey is not None:
                raise BadInput(
                    "A change of keys is under way. Lock the vault and unlock it to finish it first."
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
        value = meta.get(self.conn, meta.SETTING_PREFIX + name)
        return default if value is None else value

    def set_setting(self, name: str, value: str) -> None:
        with self.transaction("your settings") as tx:
            tx.put_meta(meta.SETTING_PREFIX + name, value)

    def settings_with_prefix(self, prefix: str) -> list[tuple[str, str]]:
        """(name, value) of every setting whose name starts with ``prefix``."""
        cut = len(meta.SETTING_PREFIX)
        return [(k[cut:], v) for k, v in meta.with_prefix(self.conn, meta.SETTING_PREFIX + prefix)]

    def forget_settings(self, names: Sequence[str]) -> None:
        with self.transaction("your settings") as tx:
            tx.delete_meta([meta.SETTING_PREFIX + n for n in names])

    def get_meta(self, key: str) -> str | None:
        """A value another module keeps in the vault (the export signing key); set with
        :meth:`Transaction.put_meta`."""
        return meta.get(self.conn, key)

    @contextlib.contextmanager
    def writers_held(self, what: str = "the backup") -> Iterator[None]:
        """No other writer may change the vault's files while the block runs (a backup
        copies them); nothing is written."""
        with db.writers_held(self.conn, what):
            yield

    # ------------------------------------------------------------------ the unit of work

    @contextlib.contextmanager
    def transaction(self, what: str = "your change", *, bulk: bool = False) -> Iterator[Transaction]:
        """One atomic change: ``with vault.transaction() as tx:`` composes any of the
        :class:`~victim_log.store.transaction.Transaction` methods; all of it is saved
        at the end of the block, or none of it if anything raises.

        Nested use JOINS: inside an open transaction on the same thread this yields
        the same one (``what`` and ``bulk`` of the outer block apply), and an
        exception leaving the inner block means nothing of the transaction is saved,
        even if the outer block catches it. Another thread's transaction waits for
        this one to end (threads share the connection: see
        :meth:`~victim_log.store.db.Connection.one_writer`), then for SQLite's write
        lock as before. ``bulk`` (an import) remembers ids and the
        journal head in memory and sends INSERTs in groups.

        Evidence files are encrypted to disk before their transaction: when a joined
        :meth:`add_incident` or :meth:`attach_files` succeeds but the outer block then
        fails, its files stay as unreferenced blobs, which ``check`` reports (and an
        interrupted save leaves the same).
        """
        current = self._tx
        if current is not None and self._tx_thread == threading.get_ident():
            with joined(current) as tx:
                yield tx
            return
        with begin(self.conn, what, bulk=bulk) as tx:
            self._tx, self._tx_thread = tx, threading.get_ident()
            try:
                yield tx
            finally:
                self._tx, self._tx_thread = None, None

    def batch(self, what: str = "your change") -> contextlib.AbstractContextManager[Transaction]:
        """:meth:`transaction` with ``bulk=True``: one transaction for many changes."""
        return self.transaction(what, bulk=True)

    def record_event(self, action: str, detail: dict[str, Any]) -> None:
        with self.transaction("the journal") as tx:
            tx.record_event(action, detail)

    # ------------------------------------------------------------------ incidents

    def add_incident(
        self,
        data: IncidentData,
        *,
        evidence: tuple[int, ...] = (),
        files: Sequence[Path | tuple[str, bytes]] = (),
        people_names: Sequence[str] = (),
        reason: str = "created",
        people_role: str = "named",
        provenance: dict[str, str] | None = None,
    ) -> int:
        """Save a new entry, with its files and the people it names, as ONE transaction.

        A person new to People gets ``people_role`` ("named" unless said: naming
        someone never makes them a perpetrator); the files are recorded as added by the
        entry's author, with ``provenance`` (how obtained, captured by/on: #16.7).

        ``files`` are paths, or (file name, bytes) pairs for what is held in memory
        (a pasted screenshot). They are encrypted into blob files first (the slow
        part, outside the write lock); the entry, its exhibits and any new person named in
        ``people_names`` are then recorded in one commit. A crash, a full disk or a
        refused file therefore leaves all of it or none of it, never an entry without
        its evidence (which a retry would duplicate). A name is looked up and, if new,
        added inside that same transaction, so two adds naming the same new person at
        once make one person. Blob files of a failed add are removed again.
        """
        data = attributed(data, self.acting_author).validated()
        people.require_people(self.conn, data.people)
        if not files and not people_names:
            with self.transaction("the new entry") as tx:
                return tx.add_incidents([(data, tuple(evidence))], reason)[0]
        what = "the new entry and its files" if files else "the new entry"
        # Validated before any work, and looked up as they will be stored.
        names = [PersonData(name=n, role=people_role).validated().name for n in people_names]
        pending = self._store_files(files)
        try:
            with self.transaction(what) as tx:
                named = list(data.people)
                for name in names:
                    pid = tx.person_by_name(name, people_role)
                    if pid not in named:
                        named.append(pid)
                cited = list(evidence)
                for blob in pending:
                    eid, _new = self.evidence.record_blob(
                        blob, added_by=data.author or "victim", provenance=provenance, tx=tx
                    )
                    cited.append(eid)
                if named != list(data.people):
                    values = {f: getattr(data, f) for f in data.__dataclass_fields__}
                    values["people"] = tuple(named)
                    data = IncidentData(**values)
                incident_id = tx.add_incidents([(data, tuple(dict.fromkeys(cited)))], reason)[0]
        except BaseException:
            for blob in pending:
                self.evidence.discard(blob)
            raise
        self.evidence.sync_dirs(pending)
        return incident_id

    def attach_files(
        self,
        incident_id: int,
        files: Sequence[Path | tuple[str, bytes]],
        reason: str = "attached evidence",
        *,
        added_by: str | None = None,
        provenance: dict[str, str] | None = None,
    ) -> IncidentVersion:
        """Attach several files to an existing entry as ONE transaction: every file
        becomes an exhibit and the entry gets one new version citing them all, or,
        when any file is refused or the disk fills, nothing changes at all (no
        exhibits without their entry, which a retry would duplicate).

        Files are encrypted into blob files first, outside the write lock; blob files
        of a failed attach are removed again. A file already in the vault is cited
        by its existing exhibit. ``added_by`` defaults to the entry's author, so a file
        attached to a support worker's entry is theirs (#16.7).
        """
        current = self.get_incident(incident_id)  # NotFound before any work
        if current.deleted:
            raise BadInput(f"Incident {incident_id} was deleted; evidence cannot be attached.")
        added_by = added_by or self.acting_author or current.data.author or "victim"
        pending = self._store_files(files)
        try:
            with self.transaction("the files" if len(pending) != 1 else "the file") as tx:
                cited = [
                    self.evidence.record_blob(blob, added_by=added_by, provenance=provenance, tx=tx)[0]
                    for blob in pending
                ]
                tx.link_evidence(incident_id, cited, reason)
        except BaseException:
            for blob in pending:
                self.evidence.discard(blob)
            raise
        self.evidence.sync_dirs(pending)
        return self.get_incident(incident_id)

    def _store_files(self, files: Sequence[Path | tuple[str, bytes]]) -> list[PendingBlob]:
        """Encrypt each file into a blob file no record cites yet (all removed again
        if one fails)."""
        pending: list[PendingBlob] = []
        try:
            for f in files:
                if isinstance(f, tuple):
                    pending.append(self.evidence.store_bytes(f[1], f[0]))
                else:
                    pending.append(self.evidence.store_path_checked(Path(f)))
        except BaseException:
            for blob in pending:
                self.evidence.discard(blob)
            raise
        return pending

    def get_incidents(self, incident_ids: Sequence[int]) -> list[IncidentVersion]:
        """The current versions of many incidents, in the order asked (a page of a list
        or an export) with few queries; missing ids raise NotFound."""
        return incidents.get_incidents(self.conn, incident_ids)

    def incident_records(
        self, incident_ids: Sequence[int]
    ) -> dict[int, tuple[str, int, str, str, bool, str]]:
        """Current stored bodies (JSON text) of many incidents: id -> (first recorded
        at, version, recorded at, reason, deleted, body). Missing ids raise NotFound."""
        return incidents.incident_records(self.conn, incident_ids)

    def edit_incident(
        self, incident_id: int, data: IncidentData, reason: str, *, evidence: tuple[int, ...] | None = None
    ) -> IncidentVersion:
        """Write a new version; the old ones stay readable in the history."""
        data = attributed(data, self.acting_author)
        with self.transaction("your change") as tx:
            tx.edit_incident(incident_id, data, reason, evidence=evidence)
        return self.get_incident(incident_id)

    def delete_incident(self, incident_id: int, reason: str) -> None:
        """A tombstone with a reason: the entry leaves the timeline, its history stays."""
        with self.transaction("the deletion") as tx:
            tx.delete_incident(incident_id, reason)

    def link_evidence(
        self, incident_id: int, evidence_ids: tuple[int, ...], reason: str = "attached evidence"
    ) -> IncidentVersion:
        with self.transaction("your change") as tx:
            tx.link_evidence(incident_id, evidence_ids, reason)
        return self.get_incident(incident_id)

    def get_incident(self, incident_id: int) -> IncidentVersion:
        return incidents.get_incident(self.conn, incident_id)

    def incident_history(self, incident_id: int) -> list[IncidentVersion]:
        return incidents.incident_history(self.conn, incident_id)

    def support_authors(self, incident_ids: Sequence[int]) -> dict[int, str]:
        """id -> ``support:NAME`` for those of ``incident_ids`` a support worker
        entered last (the timeline marks them, #18); the victim's own are left out."""
        return authors.support_authors(self.conn, incident_ids)

    # ------------------------------------------------------------------ timeline and search

    def list_incidents(
        self,
        flt: IncidentFilter | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        oldest_first: bool = False,
    ) -> list[IncidentSummary]:
        """Newest first (by when it happened), a page at a time for lazy views."""
        return store_index.list_incidents(
            self.conn, flt or IncidentFilter(), offset=offset, limit=limit, oldest_first=oldest_first
        )

    def count_incidents(self, flt: IncidentFilter | None = None) -> int:
        return store_index.count_incidents(self.conn, flt or IncidentFilter())

    def search(self, text: str, *, limit: int = 100, offset: int = 0) -> list[IncidentSummary]:
        return self.list_incidents(IncidentFilter(text=text), limit=limit, offset=offset)

    # ------------------------------------------------------------------ people

    def add_person(self, data: PersonData, reason: str = "created") -> int:
        with self.transaction("the new person") as tx:
            return tx.add_person(data, reason)

    def edit_person(self, person_id: int, data: PersonData, reason: str) -> Person:
        with self.transaction("your change") as tx:
            tx.edit_person(person_id, data, reason)
        return self.get_person(person_id)

    def delete_person(self, person_id: int, reason: str) -> None:
        """Take someone out of People (added by mistake, say), with a reason.

        Refused while an entry or an order names them: their entries would lose who did
        it without the victim seeing it happen. Like an entry's deletion this is a
        tombstone version, so the history still shows they were there and why not now.
        """
        with self.transaction("the deletion") as tx:
            tx.delete_person(person_id, reason)

    def get_person(self, person_id: int) -> Person:
        return people.get_person(self.conn, person_id)

    def list_people(self) -> list[Person]:
        return people.list_people(self.conn)

    def find_person(self, name: str) -> Person | None:
        return people.find_person(self.conn, name)

    def person_by_name(self, name: str, role: str = "perpetrator") -> int:
        """The id of the person with this name or alias, adding them if new (looked up
        and added in one transaction: one person per name)."""
        with self.transaction("the new person") as tx:
            return tx.person_by_name(name, role)

    # ------------------------------------------------------------------ orders

    def add_order(self, data: OrderData, reason: str = "created") -> int:
        with self.transaction("the order") as tx:
            return tx.add_order(data, reason)

    def list_orders(self) -> list[Order]:
        return orders.list_orders(self.conn)

    def order_history(self, order_id: int) -> list[Order]:
        """Every version of an order, oldest first, each with when and why it was written."""
        return orders.order_history(self.conn, order_id)

    def get_order(self, order_id: int) -> Order:
        return orders.get_order(self.conn, order_id)

    def update_order(self, order_id: int, data: OrderData, reason: str) -> Order:
        """A new version of an order (served, varied, corrected): never an overwrite, the
        history keeps every earlier version with the reason it changed (#16.3)."""
        with self.transaction("the change to the order") as tx:
            tx.update_order(order_id, data, reason)
        return self.get_order(order_id)

    # ------------------------------------------------------------------ integrity

    def journal_entries(self) -> list[journal.JournalEntry]:
        return journal.entries(self.conn)

    def iter_journal_entries(self) -> Iterator[journal.JournalEntry]:
        """:meth:`journal_entries` a page at a time, for writers that stream."""
        return journal.iter_entries(self.conn)

    def check(self, *, blobs: bool = True) -> CheckReport:
        """Re-walk the journal, every stored record, the indexes and (optionally) every
        blob, and compare with what the unlock found (:func:`victim_log.integrity.check`)."""
        return integrity.check(
            self.conn,
            self.path,
            self.subkey("sqlcipher"),
            history_warning=self.unlock_info.history_warning,
            count_incidents=self.count_incidents,
            check_blobs=self.evidence.check_all if blobs else None,
        )

    def clock_went_back(self, limit: int = 5) -> list[str]:
        """Where a recorded-at time is earlier than the one before it in the journal
        (:func:`victim_log.integrity.clock_went_back`)."""
        return integrity.clock_went_back(self.conn, limit)


def _report(progress: RekeyProgress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _connect(path: Path, data_key: bytes, new_key: bytes | None) -> tuple[db.Connection, bytes]:
    """Open the database with the data key; during an interrupted re-key it is under
    the old key until SQLCipher's re-encryption commits, under the new one after (the
    old is tried first: a re-encryption cut short is rolled back under it)."""
    try:
        return db.connect(path / DB_NAME, keys.subkey(data_key, "sqlcipher")), data_key
    except WrongPassphrase:
        if new_key is None:
            raise
    return db.connect(path / DB_NAME, keys.subkey(new_key, "sqlcipher")), new_key


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
