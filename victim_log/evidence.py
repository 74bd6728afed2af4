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
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import BinaryIO
from typing import Protocol
from typing import cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import mediatype
from .clock import now_iso
from .crypto import stream
from .errors import BadInput
from .errors import IntegrityError
from .errors import NotFound
from .errors import VaultCorrupt
from .fsutil import EarlyWriteback
from .fsutil import atomic_writer
from .fsutil import check_output_path
from .fsutil import fsync_dir
from .fsutil import kind_of
from .fsutil import translate_os_error
from .model import _SURROGATE
from .model import EvidenceItem
from .model import IncidentVersion
from .model import require_reason
from .store import db
from .store import erase as erase_rows
from .store import exhibits
from .store import journal
from .store import rekey as rekey_rows
from .store.records import versions
from .store.transaction import Transaction
from .textsafe import display_safe
from .wipe import zero_and_unlink

ERASED_NAME = "(erased file)"  # what an erased exhibit shows instead of its name


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
    latest: Any = None,
) -> EvidenceItem:
    """An item from its first version's body (what arrived, never rewritten) and its
    latest version's state (removed or not, and why). The same bytes arriving again
    under another name are recorded in later versions as ``arrivals`` (#16.7); they
    are shown in ``metadata["arrivals"]``."""
    if erase_rows.is_tombstone(first):  # erased for good: only the tombstone is kept
        first = {
            **first,
            "filename": ERASED_NAME,
            "media_type": "",
            "sha256": "",
            "metadata": {},
        }
        latest = None
    try:
        metadata = dict(first.get("metadata") or {})
        if isinstance(latest, dict) and latest.get("arrivals"):
            metadata["arrivals"] = list(latest["arrivals"])
        return EvidenceItem(
            id=evidence_id,
            version=version,
            filename=str(first["filename"]),
            size=int(first["size"]),
            media_type=str(first["media_type"]),
            sha256=str(first["sha256"]),
            added_at=str(first["added_at"]),
            added_by=str(first["added_by"]),
            metadata=metadata,
            blob_id=str(first["blob_id"]),
            removed=deleted,
            removed_reason=reason if deleted else "",
            erased=erased,
            incidents=incidents,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise VaultCorrupt(f"The record of evidence item {evidence_id} is damaged.") from None


class VaultAccess(Protocol):
    """What the evidence store needs from the vault: its folder, its keys, reading
    through its connection, and its unit of work (every change to the evidence
    tables is made inside a :class:`~victim_log.store.transaction.Transaction`).

    Declared here, by the one who needs it, so this module does not import the vault
    (which builds the store): the dependency runs one way.
    """

    path: Path

    @property
    def conn(self) -> db.Connection: ...

    def subkey(self, purpose: str) -> bytes: ...

    def get_incident(self, incident_id: int) -> IncidentVersion: ...

    def transaction(self, what: str = ..., *, bulk: bool = ...) -> AbstractContextManager[Transaction]: ...


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
    def __init__(self, vault: VaultAccess) -> None:
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

    def rewrap_keys(
        self, conn: db.Connection, new_wrap: bytes, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Re-key: wrap every kept file key under ``new_wrap`` (the new data key's
        blob-wrap sub-key) instead of the current one, inside the caller's transaction.
        The blob files are untouched (their own keys do not change). A key that does
        not unwrap (damaged: ``check`` reports it) is left as it is and counted;
        returns that count."""
        old, new = AESGCM(self._vault.subkey("blob-wrap")), AESGCM(new_wrap)
        total, done, damaged = rekey_rows.count_wrapped_keys(conn), 0, 0
        for page in rekey_rows.wrapped_keys(conn):
            out: list[tuple[bytes, str]] = []
            for blob_id, wrapped in page:
                try:
                    file_key = old.decrypt(wrapped[:12], wrapped[12:], blob_id.encode())
                except InvalidTag:
                    damaged += 1
                    continue
                nonce = secrets.token_bytes(12)
                out.append((nonce + new.encrypt(nonce, file_key, blob_id.encode()), blob_id))
            rekey_rows.put_wrapped_keys(conn, out)
            done += len(page)
            if progress is not None:
                progress(done, total)
        return damaged

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
        provenance: dict[str, str] | None = None,
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
            item_id, new = self._intake(fh, path.name, head, added_by, incident_id, before, provenance)
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
        self,
        data: bytes,
        filename: str,
        *,
        incident_id: int | None = None,
        added_by: str = "victim",
        provenance: dict[str, str] | None = None,
    ) -> tuple[int, bool]:
        """Store bytes held in memory (a pasted screenshot, an import's attachment)."""
        return self._intake(
            io.BytesIO(data), filename, data[:METADATA_HEAD_BYTES], added_by, incident_id, None, provenance
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
        provenance: dict[str, str] | None = None,
    ) -> tuple[int, bool]:
        if incident_id is not None:
            self._vault.get_incident(incident_id)  # NotFound before any work
        pending = self.store_blob(src, filename, head, before)
        try:
            with self._vault.transaction("the evidence") as tx:
                result = self.record_blob(
                    pending, added_by=added_by, incident_id=incident_id, provenance=provenance, tx=tx
                )
        except BaseException:
            self.discard(pending)
            raise
        # No second sync of the blob's folder here: store_blob's atomic_writer synced it
        # after the rename, before the record was committed.
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
        self,
        pending: PendingBlob,
        *,
        added_by: str = "victim",
        incident_id: int | None = None,
        provenance: dict[str, str] | None = None,
        tx: Transaction | None = None,
    ) -> tuple[int, bool]:
        """Second half of an intake, inside ``tx`` (the vault's open transaction is
        joined, or one is opened, when it is not given).

        Returns (evidence id, True if new); identical bytes already in the vault give
        the existing id and the new blob file is dropped, but the name it came with,
        who added it and how it was obtained are recorded on the existing item (a new
        version with an ``arrivals`` list), so an exhibit keeps every name it arrived
        with. ``provenance`` (how obtained, captured by/on, description: see
        victim_log.export.provenance) goes into the metadata.
        """
        if tx is None:
            with self._vault.transaction("the evidence") as opened:
                return self.record_blob(
                    pending, added_by=added_by, incident_id=incident_id, provenance=provenance, tx=opened
                )
        conn = tx.conn
        blob_id, result = pending.blob_id, pending.result
        tag = self._dedup_tag(result.sha256)
        kept = exhibits.blob_with_tag(conn, tag)
        if kept is not None and kept != blob_id:
            existing = exhibits.first_item_of_blob(conn, kept)
            self.discard(pending)
            if existing is not None:
                self._record_arrival(tx, existing, pending.filename, added_by, provenance)
                if incident_id is not None:
                    tx.attach_evidence(existing, incident_id)
                return existing, False
            blob_id = kept
        else:
            exhibits.insert_blob(conn, blob_id, tag, self._wrap(blob_id, pending.file_key), result.size)
        media_type = mediatype.sniff(pending.head[: mediatype.HEAD_BYTES])

        shown, raw = storable_name(pending.filename)
        body: dict[str, Any] = {
            "filename": shown,
            "size": result.size,
            "media_type": media_type,
            "sha256": result.sha256,
            "added_at": now_iso(),
            "added_by": added_by,
            "metadata": _metadata(pending.head, media_type),
            "blob_id": blob_id,
        }
        if provenance:
            body["metadata"]["provenance"] = dict(provenance)
        if raw is not None:
            body["filename_bytes"] = raw
        evidence_id = tx.next_id("evidence")
        tx.write_record(
            "evidence", evidence_id, 1, body, reason="added", deleted=False, action="evidence_add"
        )
        exhibits.insert_item(conn, evidence_id, blob_id, str(body["added_at"]), result.size)
        if incident_id is not None:
            tx.attach_evidence(evidence_id, incident_id)
        return evidence_id, True

    def _record_arrival(
        self,
        tx: Transaction,
        evidence_id: int,
        filename: str,
        added_by: str,
        provenance: dict[str, str] | None,
    ) -> None:
        """The same bytes arrived again: keep the name, who and how, in a new version
        of the item's record (its intake facts, in version 1, never change)."""
        rows = tx.versions("evidence", evidence_id)
        version, body = rows[-1].version, dict(rows[-1].body)
        shown, _raw = storable_name(filename)
        arrival: dict[str, Any] = {"filename": shown, "added_at": now_iso(), "added_by": added_by}
        if provenance:
            arrival["provenance"] = dict(provenance)
        arrivals = list(body.get("arrivals") or [])
        same = [a for a in arrivals if a.get("filename") == shown and a.get("added_by") == added_by]
        if not provenance and (same or (shown == body.get("filename") and added_by == body.get("added_by"))):
            return  # nothing new to say
        body["arrivals"] = [*arrivals, arrival]
        tx.write_record(
            "evidence",
            evidence_id,
            version + 1,
            body,
            reason="arrived again as another file",
            deleted=False,
            action="evidence_arrival",
        )
        exhibits.set_version(tx.conn, evidence_id, version + 1)

    def attach(self, evidence_id: int, incident_id: int) -> None:
        """Cite an exhibit from an incident (a new version recorded as an attachment)."""
        self.require_active(evidence_id)
        with self._vault.transaction("the attachment") as tx:
            tx.attach_evidence(evidence_id, incident_id)

    # ------------------------------------------------------------------ reading

    def get(self, evidence_id: int) -> EvidenceItem:
        conn = self._vault.conn
        rows = versions(conn, "evidence", evidence_id)
        if not rows:
            raise NotFound(f"There is no evidence item {evidence_id}.")
        first = rows[0][4]
        version, _at, reason, deleted, body = rows[-1]
        return _item(
            evidence_id,
            first,
            version,
            reason,
            deleted,
            erased=exhibits.is_erased(conn, evidence_id),
            incidents=exhibits.citing_incidents(conn, evidence_id),
            latest=body,
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
        for start in range(0, len(ids), exhibits.SQL_BATCH):
            rows, erased = exhibits.records_of(conn, ids[start : start + exhibits.SQL_BATCH])
            first: dict[int, Any] = {}
            last: dict[int, tuple[int, str, bool, Any]] = {}
            for eid, version, reason, deleted, body in rows:
                eid = int(eid)
                if eid not in first:
                    first[eid] = body
                last[eid] = (int(version), str(reason), bool(deleted), body)
            for eid, body in first.items():
                version, reason, deleted, last_body = last[eid]
                try:
                    first_body = json.loads(body)
                    latest = json.loads(last_body) if version > 1 else None
                except ValueError:
                    raise VaultCorrupt(f"The record of evidence item {eid} is damaged.") from None
                out[eid] = _item(
                    eid,
                    first_body,
                    version,
                    reason,
                    deleted,
                    erased=erased.get(eid, False),
                    incidents=(),
                    latest=latest,
                )
        return out

    def require_active(self, evidence_id: int) -> None:
        """Refuse a missing or removed item; one indexed lookup (imports call it per incident)."""
        exhibits.require_active(self._vault.conn, evidence_id)

    def items(self, *, include_removed: bool = False) -> list[EvidenceItem]:
        return [self.get(i) for i in exhibits.item_ids(self._vault.conn, include_removed=include_removed)]

    def for_incident(self, incident_id: int) -> list[EvidenceItem]:
        ids = self._vault.get_incident(incident_id).evidence
        return [self.get(i) for i in ids]

    def _open_blob(self, item: EvidenceItem) -> tuple[BinaryIO, bytes]:
        if item.erased:
            raise IntegrityError(f"Evidence item {item.id} was permanently removed.")
        found, wrapped = exhibits.wrapped_key(self._vault.conn, item.blob_id)
        if not found:
            raise IntegrityError(f"Evidence item {item.id} has no stored key.")
        key = self._unwrap(item.blob_id, wrapped)
        try:
            return open(self._blob_path(item.blob_id), "rb"), key
        except FileNotFoundError:
            raise StoredFileMissing(f"The stored file of evidence item {item.id} is missing.") from None

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
            raise StoredFileMismatch(
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
            raise StoredFileMismatch(
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
                        StoredFileMismatch(
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
        ``permanent`` (erase for good): then the per-file key is erased from the
        database, whose freed space SQLite overwrites (``secure_delete``); the
        transaction's rollback journal, which held the page with that key, is zeroed
        before it is deleted (:func:`.db.wiped_journal`); and the blob file is
        overwritten with zeros, synced, and only then deleted (:mod:`.wipe`). What a
        file system or disk may still keep elsewhere (copy-on-write, SSD wear
        levelling, snapshots, backups) is in the README. Its records keep only a
        tombstone (:mod:`.store.erase`): its name, hash, photo details and how it
        was obtained are dropped; that it was erased, when and why stay.
        """

        reason = require_reason(reason)
        vault = self._vault
        item = self.get(evidence_id)
        if item.erased:
            raise BadInput(f"Evidence item {evidence_id} was already permanently removed.")
        erase_blob = False
        with (
            db.wiped_journal(vault.conn) if permanent else contextlib.nullcontext(),
            vault.transaction("the removal") as tx,
        ):
            if not item.removed:
                body = tx.versions("evidence", evidence_id)[-1].body
                tx.write_record(
                    "evidence",
                    evidence_id,
                    item.version + 1,
                    body,
                    reason=reason,
                    deleted=True,
                    action="evidence_remove",
                )
                exhibits.mark_removed(tx.conn, evidence_id, item.version + 1)
            if permanent:
                erase_blob = exhibits.erase(tx.conn, evidence_id, item.blob_id)
                erase_rows.redact(tx.conn, evidence_id, now_iso())
                tx.record_event(
                    "evidence_erased",
                    {"evidence_id": evidence_id, "reason_sha256": journal.body_hash(reason)},
                )
        if erase_blob:
            zero_and_unlink(self._blob_path(item.blob_id))

    def finish_erasures(self) -> list[str]:
        """Overwrite and delete the files of blobs erased for good that are still on
        disk (an erase interrupted after its commit, before its file was overwritten);
        returns what was done, in words (ids only). Run after an unlock."""
        done: list[str] = []
        for blob_id in erase_rows.erased_blob_ids(self._vault.conn):
            path = self._blob_path(blob_id)
            if path.exists() and zero_and_unlink(path):
                done.append(
                    f"an evidence file erased for good whose deletion was interrupted "
                    f"(blobs/{blob_id[:2]}/{blob_id}, overwritten and deleted)"
                )
        return done

    # ------------------------------------------------------------------ checking

    def check_all(self) -> tuple[int, list[str]]:
        """Decrypt every kept blob, recompute its SHA-256 and compare with intake."""
        problems: list[str] = []
        checked = 0
        for eid in exhibits.item_ids(self._vault.conn, include_removed=True, include_erased=False):
            item = self.get(eid)
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


class StoredFileMissing(IntegrityError):
    """An exhibit's encrypted file is not in ``blobs/``."""


class StoredFileMismatch(IntegrityError):
    """An exhibit's file decrypted, but its SHA-256 or size is not the one recorded at
    intake."""


def _short(exc: IntegrityError) -> str:
    """What ``check`` says about a stored file that failed, by the failure's type."""
    if isinstance(exc, StoredFileMissing):
        return "the encrypted file is missing"
    if isinstance(exc, StoredFileMismatch):
        return "the file does not match the hash recorded at intake"
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
