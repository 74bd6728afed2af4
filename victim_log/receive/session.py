"""One receiving session: the PIN, the offer the person accepts, the uploads.

Plain Python, no HTTP: :mod:`.server` turns requests into the calls below and
:class:`~.protocol.ProtocolError` into status codes. Everything here may be called from
several connection threads at once; one lock guards the state.

An upload is streamed straight into the encrypted evidence store
(:meth:`EvidenceStore.store_blob`: AES-GCM chunks written to a temporary file inside
the vault's ``blobs/`` folder and renamed into place only when complete), so no
plaintext of a received file is ever on disk. Only when the bytes are all there, the
size is the one declared and the SHA-256 we computed equals the one the phone declared
is the file recorded as evidence (one transaction); anything else discards the blob
and answers with the protocol's error: nothing half-stored.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import secrets
import threading
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import BinaryIO

from ..crypto.keys import same_secret
from ..errors import VictimLogError
from ..evidence import METADATA_HEAD_BYTES
from ..evidence import PendingBlob
from ..model import IncidentData
from .protocol import BAD_REQUEST
from .protocol import CONFLICT
from .protocol import FORBIDDEN
from .protocol import INSUFFICIENT_STORAGE
from .protocol import MAX_PIN_ATTEMPTS
from .protocol import MAX_TEXT
from .protocol import MAX_THUMBNAIL_BYTES
from .protocol import NOT_ACCEPTABLE
from .protocol import PIN_DIGITS
from .protocol import SERVER_ERROR
from .protocol import SHA256_HEX
from .protocol import TOO_LARGE
from .protocol import TOO_MANY
from .protocol import UNAUTHORIZED
from .protocol import UNAVAILABLE
from .protocol import ProtocolError

if TYPE_CHECKING:
    from ..vault import Vault

GIB = 1024**3

#: How a session ended (``reason`` of :class:`Summary`, ``ended`` in ``--json``).
CLOSED = "closed"  # the phone said it was done
TIMED_OUT = "timeout"
TOO_MANY_PINS = "too_many_pins"
STOPPED = "stopped"  # the person closed the window, pressed Ctrl+C, locked or quick exit


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 4 * GIB
    max_session_bytes: int = 16 * GIB
    max_files: int = 500
    io_timeout: float = 30.0  # a connection silent this long is dropped
    decision_timeout: float = 300.0  # waiting for the person to accept the files (as Tella-Desktop)
    close_grace: float = 10.0  # every accepted file stored: the phone's close-connection is awaited this long


@dataclass(frozen=True)
class OfferedFile:
    id: str
    name: str  # untrusted: shown only through textsafe
    size: int
    file_type: str
    sha256: str
    thumbnail: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Offer:
    title: str  # untrusted
    files: tuple[OfferedFile, ...]

    @property
    def total(self) -> int:
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class Received:
    file_id: str
    name: str
    evidence_id: int
    new: bool  # False: the same bytes were already in the vault
    size: int
    sha256: str  # computed here as the bytes arrived
    declared_sha256: str  # what the phone said in prepare-upload


@dataclass(frozen=True)
class Refused:
    """A file the phone offered that was not stored: ``status`` is the protocol's HTTP
    error code the phone was given, ``reason`` the plain words shown to the person."""

    file_id: str
    name: str
    status: int
    reason: str


@dataclass(frozen=True)
class Summary:
    """What one receiving session did, for the window, ``receive --json`` and the log:
    why it ended (``reason``: :data:`CLOSED`, :data:`TIMED_OUT`, :data:`TOO_MANY_PINS` or
    :data:`STOPPED`), the transfer's title, every file stored or refused, and the entry
    the files were attached to or made into."""

    reason: str
    title: str
    received: tuple[Received, ...]
    refused: tuple[Refused, ...]
    incident_id: int | None
    note: str = ""


@dataclass(frozen=True)
class Event:
    """What the faces show: ``kind`` is one of ping, registered, wrong_pin, offer,
    progress, received, refused, ended."""

    kind: str
    offer: Offer | None = None
    file_id: str = ""
    done: int = 0
    total: int = 0
    received: Received | None = None
    refused: Refused | None = None
    summary: Summary | None = None
    attempts_left: int = 0


@dataclass(frozen=True)
class Destination:
    """Where received files go: evidence only, attached to an entry, or one new entry
    for the lot titled by the transfer's title."""

    attach_to: int | None = None
    make_entry: bool = False


class BodyError(Exception):
    """Reading an upload's body failed (never an OSError, which the evidence store
    would report as a problem with the disk)."""


class Stopped(BodyError):
    """The receiver stopped while a request was in progress."""


class Dropped(BodyError):
    """The phone's connection ended or went silent before the body was complete."""


class TooLarge(BodyError):
    """More bytes than the phone declared."""


def make_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def _text(value: Any, what: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value) or len(value) > MAX_TEXT:
        raise ProtocolError(BAD_REQUEST, f"Invalid request format ({what})")
    return value


def _thumbnail(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value or len(value) > MAX_THUMBNAIL_BYTES * 2:
        return None
    with contextlib.suppress(binascii.Error, ValueError):
        data = base64.b64decode(value.replace("-", "+").replace("_", "/") + "==", validate=False)
        return data if 0 < len(data) <= MAX_THUMBNAIL_BYTES else None
    return None


class _FileState:
    __slots__ = ("done", "offered", "receiving", "transmission_id")

    def __init__(self, offered: OfferedFile) -> None:
        self.offered = offered
        self.transmission_id = str(uuid.uuid4())
        self.receiving = False
        self.done = False


class Session:
    """The state of one receiver: at most one registered phone, one offer."""

    def __init__(
        self,
        vault: Vault,
        *,
        limits: Limits | None = None,
        destination: Destination | None = None,
        listener: Callable[[Event], None] | None = None,
    ) -> None:
        self.vault = vault
        self.limits = limits or Limits()
        self.destination = destination or Destination()
        self.pin = make_pin()
        self._listener = listener
        self._lock = threading.Lock()
        self._bad_pins = 0
        self._nonces: set[str] = set()
        self.session_id: str | None = None
        self._offer: Offer | None = None
        self._files: dict[str, _FileState] = {}
        self._decision = threading.Event()
        self._accepted: frozenset[str] | None = None
        self._received: list[Received] = []
        self._refused: list[Refused] = []
        self.ended = threading.Event()
        self.end_reason = ""
        self._record_lock = threading.Lock()

    # ------------------------------------------------------------------ state

    def emit(self, event: Event) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                self._listener(event)

    def end(self, reason: str) -> bool:
        """Mark the session over (first reason wins); wakes anyone waiting."""
        with self._lock:
            if self.ended.is_set():
                return False
            self.end_reason = reason
            self.ended.set()
        self._decision.set()
        return True

    def _require_open(self) -> None:
        if self.ended.is_set():
            raise ProtocolError(UNAVAILABLE, "The receiver has stopped")

    def _nonce(self, value: Any, *, required: bool) -> None:
        if value is None and not required:
            return
        nonce = _text(value, "nonce")
        with self._lock:
            if nonce in self._nonces:
                raise ProtocolError(BAD_REQUEST, "Invalid request format (nonce seen before)")
            self._nonces.add(nonce)

    def _require_session(self, value: Any) -> None:
        if not isinstance(value, str) or not value:
            raise ProtocolError(BAD_REQUEST, "Missing session ID")
        sid = self.session_id
        if sid is None or not same_secret(value, sid):
            raise ProtocolError(UNAUTHORIZED, "Invalid session ID")

    # ------------------------------------------------------------------ protocol

    def ping(self) -> None:
        self._require_open()
        self.emit(Event("ping"))

    def register(self, body: Any) -> dict[str, Any]:
        self._require_open()
        if not isinstance(body, dict):
            raise ProtocolError(BAD_REQUEST, "Invalid request format")
        pin = _text(body.get("pin"), "pin")
        self._nonce(body.get("nonce"), required=True)
        with self._lock:
            if self._bad_pins >= MAX_PIN_ATTEMPTS:
                raise ProtocolError(TOO_MANY, "Too many requests")
            if not same_secret(pin, self.pin):
                self._bad_pins += 1
                left = MAX_PIN_ATTEMPTS - self._bad_pins
                too_many = left <= 0
            elif self.session_id is not None:
                raise ProtocolError(CONFLICT, "Active session already exists")
            else:
                self.session_id = str(uuid.uuid4())
                self.emit(Event("registered"))
                return {"sessionId": self.session_id}
        if too_many:
            self.emit(Event("wrong_pin", attempts_left=0))
            self.end(TOO_MANY_PINS)
            raise ProtocolError(TOO_MANY, "Too many requests")
        self.emit(Event("wrong_pin", attempts_left=left))
        raise ProtocolError(UNAUTHORIZED, "Invalid PIN")

    def prepare(self, body: Any) -> dict[str, Any]:
        self._require_open()
        if not isinstance(body, dict):
            raise ProtocolError(BAD_REQUEST, "Invalid request format")
        self._require_session(body.get("sessionId"))
        self._nonce(body.get("nonce"), required=False)
        offer = self._parse_offer(body)
        with self._lock:
            if self._offer is not None:
                raise ProtocolError(FORBIDDEN, "Rejected (one transfer per session)")
            self._offer = offer
        self.emit(Event("offer", offer=offer, total=offer.total))
        answered = self._decision.wait(self.limits.decision_timeout)
        self._require_open()
        accepted = self._accepted if answered else None
        if not accepted:
            raise ProtocolError(FORBIDDEN, "Rejected")
        files = []
        with self._lock:
            for f in offer.files:
                if f.id in accepted:
                    state = _FileState(f)
                    self._files[f.id] = state
                    files.append({"id": f.id, "transmissionId": state.transmission_id})
        return {"files": files}

    def _parse_offer(self, body: dict[str, Any]) -> Offer:
        title = _text(body.get("title"), "title", required=False)
        raw = body.get("files")
        if not isinstance(raw, list) or not raw:
            raise ProtocolError(BAD_REQUEST, "Invalid request format (files)")
        if len(raw) > self.limits.max_files:
            raise ProtocolError(TOO_LARGE, f"Too many files (at most {self.limits.max_files})")
        files: list[OfferedFile] = []
        for item in raw:
            if not isinstance(item, dict):
                raise ProtocolError(BAD_REQUEST, "Invalid request format (file)")
            size = item.get("size")
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise ProtocolError(BAD_REQUEST, "Invalid request format (size)")
            sha = _text(item.get("sha256"), "sha256").lower()
            if not SHA256_HEX.fullmatch(sha):
                raise ProtocolError(BAD_REQUEST, "Invalid request format (sha256)")
            if size > self.limits.max_file_bytes:
                raise ProtocolError(TOO_LARGE, "Content too large")
            files.append(
                OfferedFile(
                    id=_text(item.get("id"), "id"),
                    name=_text(item.get("fileName"), "fileName"),
                    size=size,
                    file_type=_text(item.get("fileType"), "fileType", required=False),
                    sha256=sha,
                    thumbnail=_thumbnail(item.get("thumbnail")),
                )
            )
        if len({f.id for f in files}) != len(files):
            raise ProtocolError(BAD_REQUEST, "Invalid request format (the same file id twice)")
        offer = Offer(title, tuple(files))
        if offer.total > self.limits.max_session_bytes:
            raise ProtocolError(TOO_LARGE, "Content too large")
        return offer

    def all_stored(self) -> bool:
        """Every accepted file has arrived and was stored (the transfer is complete)."""
        with self._lock:
            return bool(self._files) and all(f.done for f in self._files.values())

    def answer(self, accepted: Iterable[str] | None) -> None:
        """The person's choice: the ids of the files to receive (None or empty: none)."""
        self._accepted = frozenset(accepted or ())
        self._decision.set()

    @property
    def offer(self) -> Offer | None:
        return self._offer

    def upload(
        self,
        query: dict[str, str],
        length: int | None,
        open_body: Callable[[int], BinaryIO],
    ) -> dict[str, Any]:
        """Receive one file. ``length`` is the Content-Length (None: chunked);
        ``open_body(limit)`` gives the request body, raising on more than ``limit``."""
        self._require_open()
        sid, fid, tid = (query.get(k, "") for k in ("sessionId", "fileId", "transmissionId"))
        if not sid or not fid or not tid:
            raise ProtocolError(BAD_REQUEST, "Missing required parameters")
        self._require_session(sid)
        self._nonce(query.get("nonce"), required=False)
        with self._lock:
            state = self._files.get(fid)
            if state is None or not same_secret(tid, state.transmission_id):
                raise ProtocolError(FORBIDDEN, "Invalid transmission ID")
            if state.done:
                raise ProtocolError(CONFLICT, "Transfer already completed")
            if state.receiving:
                raise ProtocolError(CONFLICT, "Transfer already in progress")
            state.receiving = True
        offered = state.offered
        try:
            if length is not None and length > offered.size:
                raise ProtocolError(TOO_LARGE, "Content too large")
            received = self._receive(offered, open_body(offered.size))
        except ProtocolError as exc:
            self._refuse(offered, exc.status, exc.message)
            raise
        finally:
            with self._lock:
                state.receiving = False
        with self._lock:
            state.done = True
            self._received.append(received)
        self.emit(Event("received", file_id=offered.id, received=received))
        return {"success": True}

    def _refuse(self, offered: OfferedFile, status: int, reason: str) -> None:
        refused = Refused(offered.id, offered.name, status, reason)
        with self._lock:
            self._refused.append(refused)
        self.emit(Event("refused", file_id=offered.id, refused=refused))

    def _receive(self, offered: OfferedFile, body: BinaryIO) -> Received:
        store = self.vault.evidence
        try:
            # the first bytes (media type, EXIF) are kept by the body reader as they pass
            pending = store.store_blob(body, offered.name, b"")
        except Stopped:
            raise ProtocolError(UNAVAILABLE, "The receiver has stopped") from None
        except TooLarge:
            raise ProtocolError(TOO_LARGE, "Content too large") from None
        except Dropped:
            raise ProtocolError(BAD_REQUEST, "Upload incomplete: the connection ended") from None
        except VictimLogError as exc:  # the disk filled, or the vault was locked
            raise ProtocolError(INSUFFICIENT_STORAGE, "Could not store the file") from exc
        pending = _with_head(pending, getattr(body, "head", b""))
        try:
            if self.ended.is_set():
                raise ProtocolError(UNAVAILABLE, "The receiver has stopped")
            if pending.result.size != offered.size:
                raise ProtocolError(BAD_REQUEST, "Size differs from the one declared")
            if not same_secret(pending.result.sha256, offered.sha256):
                raise ProtocolError(NOT_ACCEPTABLE, "File hash mismatch")
            with self._record_lock:
                if self.ended.is_set():
                    raise ProtocolError(UNAVAILABLE, "The receiver has stopped")
                evidence_id, new = store.record_blob(
                    pending,
                    added_by="victim",
                    incident_id=self.destination.attach_to,
                    provenance=_provenance(offered),
                )
        except ProtocolError:
            store.discard(pending)
            raise
        except VictimLogError as exc:
            store.discard(pending)
            raise ProtocolError(SERVER_ERROR, "Could not record the file") from exc
        except BaseException:
            store.discard(pending)
            raise
        store.sync_dirs([pending])
        result = pending.result
        o = offered
        return Received(o.id, o.name, evidence_id, new, result.size, result.sha256, o.sha256)

    def close(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("sessionId"):
            raise ProtocolError(BAD_REQUEST, "Missing session ID")
        if self.ended.is_set():
            raise ProtocolError(FORBIDDEN, "Session already closed")
        self._require_session(body.get("sessionId"))
        return {"success": True}

    # ------------------------------------------------------------------ the end

    def finish(self) -> Summary:
        """After the server stopped: make the entry for the lot if asked; the summary."""
        with self._lock:
            received = tuple(self._received)
            refused = tuple(self._refused)
        title = self._offer.title if self._offer else ""
        incident_id = self.destination.attach_to if received else None
        note = ""
        if self.destination.make_entry and received:
            try:
                incident_id = self.vault.add_incident(
                    IncidentData(
                        summary=(title.strip() or "Files received from my phone")[:200],
                        details=f"{len(received)} file(s) received from a phone with Tella Nearby Sharing.",
                    ),
                    evidence=tuple(dict.fromkeys(r.evidence_id for r in received)),
                    reason="received from phone",
                )
            except VictimLogError as exc:
                note = f"The files are stored as evidence, but the entry was not made: {exc.message}"
        return Summary(self.end_reason or STOPPED, title, received, refused, incident_id, note)


def _provenance(offered: OfferedFile) -> dict[str, str]:
    return {
        "obtained_from": "Tella on a phone (Nearby Sharing)",
        "description": (
            "Received from a phone with Tella Nearby Sharing. The phone declared SHA-256 "
            f"{offered.sha256}; the file that arrived had the same SHA-256."
        ),
    }


def _with_head(pending: PendingBlob, head: bytes) -> PendingBlob:
    if pending.head or not head:
        return pending
    return dataclasses.replace(pending, head=head[:METADATA_HEAD_BYTES])
