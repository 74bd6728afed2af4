"""The evidence locker: originals kept encrypted, hashed at intake, never altered.

Intake streams the file once: SHA-256 of the original bytes and AES-256-GCM chunks
(:mod:`victim_log.crypto.stream`) under a fresh random per-file key, written to a
temporary file in ``blobs/`` and renamed into place only when complete. The per-file
key is stored wrapped (AES-GCM under a vault sub-key) in the encrypted database, so
a permanent removal can crypto-erase the file by forgetting that key.

Blob file names are random ids: they reveal neither the original name nor its hash.
Identical files are found by a keyed hash (HMAC of the SHA-256 under a vault
sub-key), so even the database's dedup column says nothing to someone who knows a
file's plain hash. The plaintext never touches the disk except where the person
asks for a copy (``get``), and then only after it has verified.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import io
import json
import os
import queue
import secrets
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import mediatype
from .clock import now_iso
from .crypto import stream
from .errors import BadInput, IntegrityError, NotFound, VaultCorrupt
from .fsutil import (
    EarlyWriteback,
    atomic_writer,
    check_output_path,
    fsync_dir,
    kind_of,
    translate_os_error,
)
from .model import (
    _SURROGATE,
    EvidenceItem,
    IncidentData,
    IncidentVersion,
    incident_body_json,
    require_reason,
)
from .store import db, journal
from .textsafe import display_safe


def one_line(text: str) -> str:
    """Untrusted text for a one-line display (file names, list rows)."""
    return display_safe(text, single_line=True)


def _item(
    evidence_id: int,
    first: Any,
    version: int,
    reason: str,
    deleted: bool,
    *,
    erased: bool,
    incidents: tuple[int, ...],
) -> EvidenceItem:
    """An item from its first version's body (what arrived, never rewritten) and its
    latest version's state (removed or not, and why)."""
    try:
        return EvidenceItem(
            id=evidence_id,
            version=version,
            filename=str(first["filename"]),
            size=int(first["size"]),
            media_type=str(first["media_type"]),
            sha256=str(first["sha256"]),
            added_at=str(first["added_at"]),
            added_by=str(first["added_by"]),
            metadata=dict(first.get("metadata") or {}),
            blob_id=str(first["blob_id"]),
            removed=deleted,
            removed_reason=reason if deleted else "",
            erased=erased,
            incidents=incidents,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise VaultCorrupt(f"The record of evidence item {evidence_id} is damaged.") from None


class RecordWriter(Protocol):
    """What the evidence store needs from the vault: its folder, its keys and the
    versioned-record primitives it writes through, all inside the caller's transaction.

    Declared here, by the one who needs it, so this module does not import the vault
    (which builds the store): the dependency runs one way.
    """

    path: Path

    @property
    def conn(self) -> db.Connection: ...

    def subkey(self, purpose: str) -> bytes: ...

    def get_incident(self, incident_id: int) -> IncidentVersion: ...

    def _next_id(self, kind: str, count: int = 1) -> int: ...

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
    ) -> str: ...

    def _event(self, action: str, detail: dict[str, Any]) -> None: ...

    def _records(self, kind: str, id: int) -> list[tuple[int, str, str, bool, dict[str, Any]]]: ...

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
    ) -> None: ...


_SQL_BATCH = 500  # ids per IN (...) query: well under SQLite's variable limit
MAX_VIEW_BYTES = 200 * 1024 * 1024  # largest file opened in memory for viewing
METADATA_HEAD_BYTES = 256 * 1024  # enough for a JPEG's EXIF block


@dataclass(frozen=True)
class PendingBlob:
    """An encrypted blob written to disk but not yet recorded in the database."""

    blob_id: str
    file_key: bytes = field(repr=False)
    filename: str
    head: bytes = field(repr=False)
    result: stream.StreamResult


class _Cancelled(Exception):
    """The consumer of :meth:`EvidenceStore.iter_verified` stopped early."""


class _Sink(io.RawIOBase):
    """A write-only file that keeps nothing: for verifying blobs without output."""

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(memoryview(b))


class EvidenceStore:
    def __init__(self, vault: RecordWriter) -> None:
        self._vault = vault

    # ------------------------------------------------------------------ paths and keys

    @property
    def _dir(self) -> Path:
        return self._vault.path / "blobs"

    def _blob_path(self, blob_id: str) -> Path:
        return self._dir / blob_id[:2] / blob_id

    def _wrap(self, blob_id: str, file_key: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return nonce + AESGCM(self._vault.subkey("blob-wrap")).encrypt(nonce, file_key, blob_id.encode())

    def _unwrap(self, blob_id: str, wrapped: bytes | None) -> bytes:
        if not wrapped:
            raise IntegrityError("This file was permanently removed; its key has been erased.")
        try:
            return AESGCM(self._vault.subkey("blob-wrap")).decrypt(
                bytes(wrapped[:12]), bytes(wrapped[12:]), blob_id.encode()
            )
        except InvalidTag:
            raise IntegrityError("The key of a stored file is damaged.") from None

    def _dedup_tag(self, sha256_hex: str) -> str:
        return hmac.new(self._vault.subkey("dedup"), sha256_hex.encode(), hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ intake

    def add(
        self,
        path: Path,
        *,
        incident_id: int | None = None,
        added_by: str = "victim",
        progress: Callable[[int], None] | None = None,
    ) -> tuple[int, bool]:
        """Store the file at ``path``; returns (evidence id, True if it was new).

        A file already in the vault (same bytes) is not stored twice: its existing id
        comes back and is linked to ``incident_id`` if given.
        """
        path = Path(path)
        label = one_line(path.name)
        fh, before = open_regular_file(path)
        try:
            head = fh.read(METADATA_HEAD_BYTES)
            fh.seek(0)
            item_id, new = self._intake(fh, path.name, head, added_by, incident_id, before)
        except OSError as exc:
            raise BadInput(f"Reading '{label}' failed ({exc.strerror}). Nothing was added.") from None
        finally:
            fh.close()
        return item_id, new

    def store_path_checked(self, path: Path) -> PendingBlob:
        """:meth:`store_blob` for a file the person named: refuses, saying what it is,
        anything that is not a readable regular file (a folder, FIFO, socket, device,
        symlink loop), and a file that changes while it is read."""
        path = Path(path)
        fh, before = open_regular_file(path)
        try:
            head = fh.read(METADATA_HEAD_BYTES)
            fh.seek(0)
            return self.store_blob(fh, path.name, head, before)
        except OSError as exc:
            raise BadInput(
                f"Reading '{one_line(path.name)}' failed ({exc.strerror}). Nothing was added."
            ) from None
        finally:
            fh.close()

    def sync_dirs(self, pending: list[PendingBlob]) -> None:
        """Make the renames of newly recorded blob files durable (after the commit)."""
        for folder in {self._blob_path(p.blob_id).parent for p in pending}:
            with contextlib.suppress(OSError):
                fsync_dir(folder)

    def add_bytes(
        self, data: bytes, filename: str, *, incident_id: int | None = None, added_by: str = "victim"
    ) -> tuple[int, bool]:
        """Store bytes held in memory (a pasted screenshot, an import's attachment)."""
        return self._intake(
            io.BytesIO(data), filename, data[:METADATA_HEAD_BYTES], added_by, incident_id, None
        )

    def store_bytes(self, data: bytes, filename: str) -> PendingBlob:
        """:meth:`store_blob` for bytes held in memory (a pasted screenshot saved with
        its entry in one transaction by :meth:`Vault.add_incident`)."""
        return self.store_blob(io.BytesIO(data), filename, data[:METADATA_HEAD_BYTES])

    def _intake(
        self,
        src: BinaryIO,
        filename: str,
        head: bytes,
        added_by: str,
        incident_id: int | None,
        before: os.stat_result | None,
    ) -> tuple[int, bool]:
        if incident_id is not None:
            self._vault.get_incident(incident_id)  # NotFound before any work
        pending = self.store_blob(src, filename, head, before)
        try:
            with db.transaction(self._vault.conn, "the evidence"):
                result = self.record_blob(pending, added_by=added_by, incident_id=incident_id)
        except BaseException:
            self.discard(pending)
            raise
        with contextlib.suppress(OSError):
            fsync_dir(self._blob_path(pending.blob_id).parent)
        return result

    def store_blob(
        self, src: BinaryIO, filename: str, head: bytes, before: os.stat_result | None = None
    ) -> PendingBlob:
        """Encrypt ``src`` into a new blob file that no record refers to yet.

        The first half of an intake, so that an import can store many files and then
        record them all in one transaction (and :meth:`discard` them if it fails).
        """
        if len(filename.encode("utf-8", "surrogatepass")) > 1024:
            filename = filename[:255]
        blob_id = secrets.token_hex(16)
        file_key = secrets.token_bytes(32)
        final = self._blob_path(blob_id)
        try:
            final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with atomic_writer(final, "the evidence file") as out:
                result = stream.encrypt_stream(
                    src, cast(BinaryIO, EarlyWriteback(out)), file_key, blob_id.encode()
                )
                if before is not None:
                    after = os.fstat(src.fileno())
                    if (
                        after.st_size != before.st_size
                        or after.st_mtime_ns != before.st_mtime_ns
                        or result.size != before.st_size
                    ):
                        raise BadInput(
                            f"'{one_line(filename)}' changed while it was being "
                            "read. Try again when it has finished saving. "
                            "Nothing was added."
                        )
        except OSError as exc:
            raise translate_os_error(exc, "the evidence file") from None
        return PendingBlob(blob_id, file_key, filename, head[:METADATA_HEAD_BYTES], result)

    def store_path(self, path: Path, filename: str | None = None) -> PendingBlob:
        """:meth:`store_blob` for a file on disk, refusing one that changes meanwhile."""
        with open(path, "rb") as fh:
            before = os.fstat(fh.fileno())
            head = fh.read(METADATA_HEAD_BYTES)
            fh.seek(0)
            return self.store_blob(fh, filename or Path(path).name, head, before)

    def discard(self, pending: PendingBlob) -> None:
        with contextlib.suppress(OSError):
            self._blob_path(pending.blob_id).unlink()

    def record_blob(
        self, pending: PendingBlob, *, added_by: str = "victim", incident_id: int | None = None
    ) -> tuple[int, bool]:
        """Second half of an intake: must run inside the caller's transaction.

        Returns (evidence id, True if new); identical bytes already in the vault give
        the existing id and the new blob file is dropped.
        """
        vault = self._vault
        conn = vault.conn
        blob_id, result = pending.blob_id, pending.result
        tag = self._dedup_tag(result.sha256)
        row = conn.execute("SELECT blob_id FROM blobs WHERE dedup = ? AND erased = 0", (tag,)).fetchone()
        if row is not None and str(row[0]) != blob_id:
            existing = conn.execute(
                "SELECT id FROM evidence WHERE blob_id = ? AND removed = 0 ORDER BY id LIMIT 1", (row[0],)
            ).fetchone()
            self.discard(pending)
            if existing is not None:
                if incident_id is not None:
                    self._link(int(existing[0]), incident_id)
                return int(existing[0]), False
            blob_id = str(row[0])
        else:
            conn.execute(
                "INSERT INTO blobs (blob_id, dedup, wrapped_key, size, erased) VALUES (?,?,?,?,0)",
                (blob_id, tag, self._wrap(blob_id, pending.file_key), result.size),
            )
        media_type = mediatype.sniff(pending.head[: mediatype.HEAD_BYTES])

        shown, raw = storable_name(pending.filename)
        body = {
            "filename": shown,
            "size": result.size,
            "media_type": media_type,
            "sha256": result.sha256,
            "added_at": now_iso(),
            "added_by": added_by,
            "metadata": _metadata(pending.head, media_type),
            "blob_id": blob_id,
        }
        if raw is not None:
            body["filename_bytes"] = raw
        evidence_id = vault._next_id("evidence")
        vault._write_record(
            "evidence", evidence_id, 1, body, reason="added", deleted=False, action="evidence_add"
        )
        conn.execute(
            "INSERT INTO evidence (id, version, blob_id, removed, erased, added_at, size)"
            " VALUES (?,?,?,0,0,?,?)",
            (evidence_id, 1, blob_id, body["added_at"], result.size),
        )
        if incident_id is not None:
            self._link(evidence_id, incident_id)
        return evidence_id, True

    def _link(self, evidence_id: int, incident_id: int) -> None:
        """Attach inside the caller's transaction: a new incident version citing it."""
        vault = self._vault
        current = vault.get_incident(incident_id)
        if evidence_id in current.evidence:
            return
        if current.deleted:
            raise BadInput(f"Incident {incident_id} was deleted; evidence cannot be attached.")
        evidence = (*current.evidence, evidence_id)
        version = current.version + 1
        body = incident_body_json(current.data, evidence)
        at = vault._write_record(
            "incident",
            incident_id,
            version,
            body,
            reason=f"attached evidence {evidence_id}",
            deleted=False,
            action="attach",
        )
        vault._index_incident(
            incident_id, version, current.first_recorded_at, at, current.data, evidence, deleted=False
        )

    def attach(self, evidence_id: int, incident_id: int) -> None:
        self.require_active(evidence_id)
        with db.transaction(self._vault.conn, "the attachment"):
            self._link(evidence_id, incident_id)

    # ------------------------------------------------------------------ reading

    def get(self, evidence_id: int) -> EvidenceItem:
        rows = self._vault._records("evidence", evidence_id)
        if not rows:
            raise NotFound(f"There is no evidence item {evidence_id}.")
        first = rows[0][4]
        version, _at, reason, deleted, body = rows[-1]
        erased_row = self._vault.conn.execute(
            "SELECT erased FROM evidence WHERE id = ?", (evidence_id,)
        ).fetchone()
        incidents = tuple(
            int(r[0])
            for r in self._vault.conn.execute(
                "SELECT incident_id FROM evidence_links WHERE evidence_id = ? ORDER BY incident_id",
                (evidence_id,),
            )
        )
        return _item(
            evidence_id,
            first,
            version,
            reason,
            deleted,
            erased=bool(erased_row and erased_row[0]),
            incidents=incidents,
        )

    def get_many(self, evidence_ids: Iterable[int]) -> dict[int, EvidenceItem]:
        """The items for many ids in three queries, WITHOUT their ``incidents`` (empty).

        For listing a page of incidents: :meth:`get` also reads every incident citing
        an item, and an imported chat's one exhibit is cited by tens of thousands of
        messages, so calling it per row made ``list --json`` hang (issue #23.7).
        Missing ids are simply absent.
        """
        ids = sorted({int(i) for i in evidence_ids})
        out: dict[int, EvidenceItem] = {}
        conn = self._vault.conn
        for start in range(0, len(ids), _SQL_BATCH):
            chunk = ids[start : start + _SQL_BATCH]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                "SELECT id, version, reason, deleted, body FROM records WHERE kind = 'evidence'"
                f" AND id IN ({marks}) ORDER BY id, version",
                chunk,
            ).fetchall()
            erased = {
                int(r[0]): bool(r[1])
                for r in conn.execute(
                    f"SELECT id, erased FROM evidence WHERE id IN ({marks})", chunk
                ).fetchall()
            }
            first: dict[int, Any] = {}
            last: dict[int, tuple[int, str, bool]] = {}
            for eid, version, reason, deleted, body in rows:
                eid = int(eid)
                if eid not in first:
                    first[eid] = body
                last[eid] = (int(version), str(reason), bool(deleted))
            for eid, body in first.items():
                version, reason, deleted = last[eid]
                try:
                    first_body = json.loads(body)
                except ValueError:
                    raise VaultCorrupt(f"The record of evidence item {eid} is damaged.") from None
                out[eid] = _item(
                    eid, first_body, version, reason, deleted, erased=erased.get(eid, False), incidents=()
                )
        return out

    def require_active(self, evidence_id: int) -> None:
        """Refuse a missing or removed item; one indexed lookup (imports call it per incident)."""
        row = self._vault.conn.execute("SELECT removed FROM evidence WHERE id = ?", (evidence_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no evidence item {evidence_id}.")
        if row[0]:
            raise BadInput(f"Evidence item {evidence_id} was removed.")

    def items(self, *, include_removed: bool = False) -> list[EvidenceItem]:
        sql = "SELECT id FROM evidence" + ("" if include_removed else " WHERE removed = 0")
        return [self.get(int(r[0])) for r in self._vault.conn.execute(sql + " ORDER BY id")]

    def for_incident(self, incident_id: int) -> list[EvidenceItem]:
        ids = self._vault.get_incident(incident_id).evidence
        return [self.get(i) for i in ids]

    def _open_blob(self, item: EvidenceItem) -> tuple[BinaryIO, bytes]:
        if item.erased:
            raise IntegrityError(f"Evidence item {item.id} was permanently removed.")
        row = self._vault.conn.execute(
            "SELECT wrapped_key FROM blobs WHERE blob_id = ?", (item.blob_id,)
        ).fetchone()
        if row is None:
            raise IntegrityError(f"Evidence item {item.id} has no stored key.")
        key = self._unwrap(item.blob_id, row[0])
        try:
            return open(self._blob_path(item.blob_id), "rb"), key
        except FileNotFoundError:
            raise IntegrityError(f"The stored file of evidence item {item.id} is missing.") from None

    def _verify_into(self, item: EvidenceItem, dst: BinaryIO) -> None:
        fh, key = self._open_blob(item)
        with fh:
            try:
                result = stream.decrypt_stream(fh, dst, key, item.blob_id.encode())
            except IntegrityError:
                raise IntegrityError(
                    f"The stored file of evidence item {item.id} is damaged or has been altered."
                ) from None
        if result.sha256 != item.sha256 or result.size != item.size:
            raise IntegrityError(
                f"The stored file of evidence item {item.id} does not match "
                "the hash recorded when it was added."
            )

    def save_copy(self, evidence_id: int, out: Path, *, overwrite: bool = False) -> EvidenceItem:
        """Write the verified original to ``out``; nothing is written if it fails to verify.

        The copy is not forced to disk before returning (no fsync, like ``cp``, ``age -d``
        or a browser's download): it is a copy of something the vault keeps safely, and
        waiting for the disk halved the speed of getting a large file out.
        """
        item = self.get(evidence_id)
        out = check_output_path(Path(out), "the copy", overwrite=overwrite)
        with atomic_writer(out, "the copy", durable=False) as dst:
            self._verify_into(item, dst)
        return item

    def read_bytes(self, evidence_id: int, max_size: int = MAX_VIEW_BYTES) -> bytes:
        """The verified original in memory, for viewing without any temp file."""
        item = self.get(evidence_id)
        if item.size > max_size:
            raise BadInput("This file is too large to open here. Save a copy instead.")
        fh, key = self._open_blob(item)
        with fh:
            try:
                data = stream.decrypt_to_bytes(fh, key, item.blob_id.encode(), max_size=max_size)
            except IntegrityError:
                raise IntegrityError(
                    f"The stored file of evidence item {item.id} is damaged or has been altered."
                ) from None
        if hashlib.sha256(data).hexdigest() != item.sha256:
            raise IntegrityError(
                f"The stored file of evidence item {item.id} does not match "
                "the hash recorded when it was added."
            )
        return data

    def iter_verified(self, evidence_id: int) -> Iterator[bytes]:
        """The original's bytes in chunks, for streaming into an export.

        Each chunk has passed its AEAD check before it is yielded; the SHA-256 against
        intake is known only at the end, so the consumer must treat the output as
        provisional until the iterator finishes (the export writes to a temporary
        file and abandons it on error). Memory stays bounded by a small queue.
        """
        item = self.get(evidence_id)
        fh, key = self._open_blob(item)
        chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        cancelled = threading.Event()
        failure: list[BaseException] = []

        class _QueueWriter:
            def write(self, b: Any) -> int:
                data = bytes(b)
                while not cancelled.is_set():
                    try:
                        chunks.put(data, timeout=0.1)
                        return len(data)
                    except queue.Full:
                        continue
                raise _Cancelled

        def work() -> None:
            try:
                with fh:
                    result = stream.decrypt_stream(
                        fh,
                        _QueueWriter(),  # type: ignore[arg-type]
                        key,
                        item.blob_id.encode(),
                    )
                if result.sha256 != item.sha256 or result.size != item.size:
                    failure.append(
                        IntegrityError(
                            f"The stored file of evidence item {item.id} does not match the hash "
                            "recorded when it was added."
                        )
                    )
            except _Cancelled:
                pass
            except IntegrityError:
                failure.append(
                    IntegrityError(
                        f"The stored file of evidence item {item.id} is damaged or has been altered."
                    )
                )
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer thread
                failure.append(exc)
            finally:
                while not cancelled.is_set():
                    try:
                        chunks.put(None, timeout=0.1)
                        break
                    except queue.Full:
                        continue

        worker = threading.Thread(target=work, name="evidence-reader", daemon=True)
        worker.start()
        try:
            while (chunk := chunks.get()) is not None:
                yield chunk
            worker.join()
            if failure:
                raise failure[0]
        finally:
            cancelled.set()
            worker.join(timeout=5)

    # ------------------------------------------------------------------ removal

    def remove(self, evidence_id: int, reason: str, *, permanent: bool = False) -> None:
        """Take evidence out of use, recorded with a reason.

        The encrypted bytes stay (and the removal can be explained) unless
        ``permanent``: then the per-file key is erased, which makes the stored bytes
        unreadable for ever, and the blob file is deleted.
        """

        reason = require_reason(reason)
        vault = self._vault
        item = self.get(evidence_id)
        if item.erased:
            raise BadInput(f"Evidence item {evidence_id} was already permanently removed.")
        erase_blob = False
        with db.transaction(vault.conn, "the removal"):
            if not item.removed:
                rows = vault._records("evidence", evidence_id)
                body = rows[-1][4]
                vault._write_record(
                    "evidence",
                    evidence_id,
                    item.version + 1,
                    body,
                    reason=reason,
                    deleted=True,
                    action="evidence_remove",
                )
                vault.conn.execute(
                    "UPDATE evidence SET removed = 1, version = ? WHERE id = ?",
                    (item.version + 1, evidence_id),
                )
            if permanent:
                vault.conn.execute("UPDATE evidence SET erased = 1 WHERE id = ?", (evidence_id,))
                others = vault.conn.execute(
                    "SELECT count(*) FROM evidence WHERE blob_id = ? AND erased = 0", (item.blob_id,)
                ).fetchone()[0]
                if int(others) == 0:
                    vault.conn.execute(
                        "UPDATE blobs SET wrapped_key = NULL, erased = 1, dedup = NULL WHERE blob_id = ?",
                        (item.blob_id,),
                    )
                    erase_blob = True
                vault._event(
                    "evidence_erased",
                    {"evidence_id": evidence_id, "reason_sha256": journal.body_hash(reason)},
                )
        if erase_blob:
            with contextlib.suppress(OSError):
                self._blob_path(item.blob_id).unlink()

    # ------------------------------------------------------------------ checking

    def check_all(self) -> tuple[int, list[str]]:
        """Decrypt every kept blob, recompute its SHA-256 and compare with intake."""
        problems: list[str] = []
        checked = 0
        for (eid,) in self._vault.conn.execute(
            "SELECT id FROM evidence WHERE erased = 0 ORDER BY id"
        ).fetchall():
            item = self.get(int(eid))
            name = one_line(item.filename)
            try:
                self._verify_into(item, _Sink())  # type: ignore[arg-type]
            except IntegrityError as exc:
                problems.append(f"evidence {item.id} ({name}): {_short(exc)}")
            except OSError as exc:
                problems.append(f"evidence {item.id} ({name}): cannot be read ({exc.strerror})")
            checked += 1
        return checked, problems


def describe_path(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file, in words; None for a file.

    Looked at before opening: opening a FIFO or a device could block or never end.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        try:
            os.lstat(path)
        except OSError:
            return "missing"
        return "a broken link"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a loop of links"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "unreadable"
        if exc.errno == errno.ENAMETOOLONG:
            return "a name that is too long"
        return None
    return None if stat.S_ISREG(mode) else kind_of(mode)


def open_regular_file(path: Path) -> tuple[BinaryIO, os.stat_result]:
    """Open a file the person named for reading, or say plainly what it is instead."""
    label = one_line(path.name or str(path))
    what = describe_path(path)
    if what == "missing":
        raise BadInput(f"There is no file called '{label}'. Nothing was added.")
    if what == "unreadable":
        raise BadInput(f"'{label}' cannot be read (permission denied). Nothing was added.")
    if what is not None:
        raise BadInput(f"'{label}' is {what}, not a regular file. Nothing was added.")
    try:
        fh = open(path, "rb")  # noqa: SIM115 - the caller closes it
    except FileNotFoundError:
        raise BadInput(f"There is no file called '{label}'. Nothing was added.") from None
    except PermissionError:
        raise BadInput(f"'{label}' cannot be read (permission denied). Nothing was added.") from None
    except OSError as exc:
        raise BadInput(f"'{label}' cannot be read ({exc.strerror}). Nothing was added.") from None
    before = os.fstat(fh.fileno())
    if not stat.S_ISREG(before.st_mode):  # swapped between the look and the open
        fh.close()
        raise BadInput(f"'{label}' is not a regular file. Nothing was added.")
    return fh, before


def storable_name(name: str) -> tuple[str, str | None]:
    """A file name as the record keeps it: (text to show, hex of the raw bytes or None).

    A name that is not valid UTF-8 arrives with its bad bytes surrogate-escaped
    (``os.fsdecode``); JSON and the journal need real text, so the record shows it
    with U+FFFD and keeps the exact bytes beside it: nothing is lost.
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        escaped_only = all("\udc80" <= ch <= "\udcff" for ch in name if "\ud800" <= ch <= "\udfff")
        raw = name.encode("utf-8", "surrogateescape" if escaped_only else "surrogatepass")
        return _SURROGATE.sub("\ufffd", name), raw.hex()
    return name, None


def _short(exc: IntegrityError) -> str:
    text = str(exc)
    if "missing" in text:
        return "the encrypted file is missing"
    if "does not match" in text:
        return "the file does not match the hash recorded at intake"
    if "incomplete" in text or "truncat" in text:
        return "the encrypted file is truncated"
    return "the encrypted file is damaged or has been altered"


def _metadata(head: bytes, media_type: str) -> dict[str, Any]:
    """Read-only facts from inside images (date taken, GPS, device), if we can read them.

    EXIF sits in the first 64 KiB of a JPEG (APP1 is size-limited), so the head we
    already read is enough; a hostile image must never stop the intake.
    """
    if not mediatype.is_image(media_type):
        return {}
    try:
        from .importers.photos import read_image_metadata

        meta = read_image_metadata(head)
    except Exception:  # noqa: BLE001 - metadata is a nicety, never a reason to refuse a file
        return {}
    out: dict[str, Any] = {}
    if meta.date_taken is not None:
        out["date_taken"] = meta.date_taken.isoformat()
    if meta.gps is not None:
        out["gps"] = list(meta.gps)
    if meta.device:
        out["device"] = meta.device
    return out
