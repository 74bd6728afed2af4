"""The vault's keys and the key file that holds them wrapped.

Why this shape: a random 256-bit *data key* protects everything; the passphrase and
the recovery key only *wrap* it. Changing the passphrase rewrites one small file and
never re-encrypts the database, and losing the passphrase is survivable with the
recovery key. Sub-keys for the database, blobs and deduplication come from the data
key with HKDF, so no key is used for two purposes.

Key file format (``vault.key``, JSON, UTF-8), version 2::

    {
      "format": "victim-log-keyfile",
      "version": 2,
      "vault_id": "<32 hex chars>",
      "created_at": "<ISO 8601>",
      "slots": [
        {"type": "passphrase", "kdf": "argon2id", "salt": "<b64>",
         "iterations": 3, "memory_kib": 131072, "lanes": 4,
         "nonce": "<b64 12 bytes>", "wrapped": "<b64 AES-GCM(data key)>"},
        {"type": "recovery", "kdf": "hkdf-sha256", "salt": "<b64>",
         "nonce": "<b64>", "wrapped": "<b64>"}
      ],
      "journal_head": {"seq": <int>, "hash": "<64 hex>"},
      "failed_attempts": [<ISO 8601 of each failure since the last unlock>],
      "mac": "<hex HMAC-SHA256 over the canonical JSON of the other fields
               except failed_attempts, keyed by an HKDF sub-key>"
    }

Version 2 added ``journal_head``: the last journal entry (seq and hash) the vault
committed, inside the MAC. The database can be swapped for an older copy without
any key; the key file's head cannot be moved without the data key, so an unlock
that finds the database behind it (or without the anchored entry) reports a
rolled-back history. Version 1 files (no ``journal_head``, MAC over the other
fields) are still read; the next unlock anchors them and writes version 2. The
anchor proves nothing against someone who puts back an older ``vault.key`` *and*
``vault.db`` together: that is an older, consistent vault, and only an earlier
export's signed ``Journal-Head`` can show it is behind.

Each slot's AES-GCM associated data is ``vault_id|slot type|kdf parameters``, so a
slot cannot be moved to another vault or have its cost parameters lowered. The MAC
is checked after unlock and detects any other edit. ``failed_attempts`` is
deliberately outside the MAC: it is rewritten before the key is known, so the
"failed attempts" notice is not tamper-evident against someone who can write the
vault folder, and the back-off it drives is clamped (see :func:`backoff_seconds`
and ``Vault.pending_delay``) so such a person cannot use it to lock the owner out.

Every change to the file is a read-modify-write of the file *on disk* under an
exclusive lock on ``vault.key.lock`` beside it (:func:`update`): a process never
writes back a copy it read earlier, so a passphrase changed in one process is never
undone by another (a new recovery key, a failed attempt, an anchor update).

Re-keying ("someone may know my passphrase", ``Vault.rekey``) replaces the data key
itself. While it runs the file is written as version 3 with a ``rekey`` field inside
the MAC (still keyed by the old data key)::

    "rekey": {"slots": [<passphrase slot>, <recovery slot>],   # both wrap the NEW key
              "next": {"nonce", "wrapped"},      # new key, AES-GCM under HKDF(old, "rekey-next")
              "previous": {"nonce", "wrapped"},  # old key, AES-GCM under HKDF(new, "rekey-previous")
              "recovery": {"nonce", "wrapped"}}  # the new recovery key, under HKDF(new, "rekey-recovery")

so the old passphrase or recovery key (main slots: old key, then "next") and the new
ones (staged slots: new key, then "previous") all yield both keys, and whichever
unlocks next finishes the re-key (and shows the new recovery key, which an
interrupted re-key may never have shown). Finishing makes the staged slots the only ones and
MACs the file with the new key (version 2 again): from then on only the new
passphrase and recovery key open it. Older versions of the app refuse a version 3
file instead of misreading it.

Only costs :func:`calibrate` could have chosen are accepted (:data:`ACCEPTED_COSTS`:
memory between :data:`MIN_MEMORY_KIB` and :data:`MAX_MEMORY_KIB`, at most
:data:`MAX_ITERATIONS` passes, at most :data:`MAX_LANES` lanes): a key file that asks
for more was changed, and running it would keep the unlock busy for minutes. No
environment variable or other switch weakens either: a cheaper cost can only be
passed in (``Vault.create(kdf=...)``) by code running in the same process.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import BadInput
from ..errors import VaultCorrupt
from ..errors import VictimLogError
from ..errors import WrongPassphrase
from ..fsutil import atomic_write_bytes
from ..fsutil import translate_os_error
from ..textsafe import has_utf8
from . import kdfcost
from .kdfcost import MAX_ITERATIONS as MAX_ITERATIONS
from .kdfcost import MAX_MEMORY_KIB as MAX_MEMORY_KIB
from .kdfcost import MIN_MEMORY_KIB as MIN_MEMORY_KIB

FORMAT = "victim-log-keyfile"
VERSION = 2
REKEY_VERSION = 3  # written only while a re-key is in progress (older versions refuse it)
KEY_LEN = 32
MAX_LANES = 4
MAX_KEYFILE_BYTES = 64 * 1024
Key = bytes | bytearray  # a key in a buffer that may be wiped after use
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to copy by hand
RECOVERY_GROUPS = 8
RECOVERY_GROUP_LEN = 5  # 40 characters x 5 bits = 200 bits


def b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64d(text: Any) -> bytes:
    if not isinstance(text, str):
        raise VaultCorrupt("The vault's key file is damaged (a field has the wrong type).")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise VaultCorrupt("The vault's key file is damaged (bad encoding).") from None


def same_secret(ours: str | bytes, theirs: str | bytes) -> bool:
    """Constant-time equality of a secret or MAC with one from outside (a file, a
    phone). ``hmac.compare_digest`` raises ``TypeError`` for text with non-ASCII
    characters, which a damaged or hostile file could then turn into a crash: both
    sides are compared as UTF-8 bytes instead, lone surrogates (JSON allows
    ``"\\ud800"``) kept as they are, so any text is simply equal or not."""

    def raw(value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")

    return hmac.compare_digest(raw(ours), raw(theirs))


def hkdf(key: Key, info: bytes, length: int = KEY_LEN) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


def subkey(data_key: Key, purpose: str) -> bytes:
    """A key for one purpose only (database, blobs, dedup, key-file MAC, ...)."""
    return hkdf(data_key, b"victim-log v1 " + purpose.encode("ascii"))


@dataclass(frozen=True)
class KdfParams:
    iterations: int
    memory_kib: int
    lanes: int = 4


@dataclass(frozen=True)
class CostRange:
    """The Argon2id costs a passphrase slot read from a key file may ask for.

    It is the range :func:`calibrate` chooses from, so the two go together: code
    that replaces ``calibrate`` in its own process (to choose differently) replaces
    :data:`ACCEPTED_COSTS` with it. :func:`slot_params` reads the module attribute at
    every check for that reason, and :func:`.kdfcost.choose_cost` keeps to the
    module's constants, never to this object.
    """

    min_memory_kib: int
    max_memory_kib: int
    max_iterations: int
    max_lanes: int


ACCEPTED_COSTS = CostRange(
    min_memory_kib=MIN_MEMORY_KIB,
    max_memory_kib=MAX_MEMORY_KIB,
    max_iterations=MAX_ITERATIONS,
    max_lanes=MAX_LANES,
)


@contextlib.contextmanager
def secret_bytes(text: str, encoding: str = "utf-8") -> Iterator[bytearray]:
    """``text``'s bytes in a buffer we own, overwritten with zeros when the block ends
    (#17.5). The ``str`` they come from is Python's (immutable, freed without being
    overwritten: the README says a locked app is not safe from someone who can read its
    memory); the copy the key derivation reads is not left behind as well."""
    buf = bytearray(text, encoding)
    try:
        yield buf
    finally:
        buf[:] = bytes(len(buf))  # same length: overwritten in place, never moved


def argon2id(secret: bytes | bytearray, salt: bytes, params: KdfParams) -> bytes:
    return Argon2id(
        salt=salt,
        length=KEY_LEN,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(secret)  # type: ignore[arg-type]  # any buffer (typed as bytes only)


def calibrate(target_seconds: float | None = None) -> KdfParams:
    """Argon2id costs for a new passphrase slot on this machine.

    The policy (256 MiB and at least two passes where the machine has the memory,
    about a second an unlock) is :func:`.kdfcost.choose_cost`'s; what it returns
    always lies inside what :func:`slot_params` accepts from a key file.
    """
    target = kdfcost.TARGET_SECONDS if target_seconds is None else target_seconds
    iterations, memory = kdfcost.choose_cost(lambda kib: kdfcost.time_one_pass(kib, _one_pass), target)
    return KdfParams(iterations=iterations, memory_kib=memory)


def _one_pass(memory_kib: int) -> None:
    """One Argon2id pass over ``memory_kib``, through :func:`argon2id` (the function
    every slot uses), for :func:`.kdfcost.time_one_pass` to time."""
    argon2id(b"calibration", b"\0" * 16, KdfParams(iterations=1, memory_kib=memory_kib))


# --- Recovery keys ---------------------------------------------------------------------


def random_key() -> bytearray:
    """A new random key in a buffer the caller can wipe: read straight into it, so no
    immutable ``bytes`` copy of it is left behind in freed memory (where the system
    has ``/dev/urandom``)."""
    key = bytearray(KEY_LEN)
    try:
        with open("/dev/urandom", "rb", buffering=0) as source:
            if source.readinto(key) == KEY_LEN:
                return key
    except OSError:
        pass
    key[:] = secrets.token_bytes(KEY_LEN)
    return key


def new_recovery_key() -> str:
    return _grouped(
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    )


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + RECOVERY_GROUP_LEN] for i in range(0, len(chars), RECOVERY_GROUP_LEN))


def normalise_recovery_key(text: str) -> str:
    """Accept what a person types from paper: any case, with or without spaces and dashes."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != RECOVERY_GROUPS * RECOVERY_GROUP_LEN or any(
        ch not in RECOVERY_ALPHABET for ch in cleaned
    ):
        raise WrongPassphrase(
            "That recovery key is not in the right form: it has "
            f"{RECOVERY_GROUPS} groups of {RECOVERY_GROUP_LEN} letters and numbers."
        )
    return cleaned


# --- The key file ----------------------------------------------------------------------

GENESIS_HEAD = (0, "0" * 64)
SLOT_TYPES = ("passphrase", "recovery")
_HEX64 = frozenset("0123456789abcdef")


def changed(what: str) -> VaultCorrupt:
    """The message for a key file someone edited: never mistaken for a typo."""
    return VaultCorrupt(
        f"The vault's key file (vault.key) has been changed outside Victim Log ({what}). "
        "Your passphrase was not tried and nothing was counted. Restore vault.key from a backup."
    )


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def _plain_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class KeyFile:
    vault_id: str
    created_at: str
    slots: list[dict[str, Any]]
    failed_attempts: list[str] = field(default_factory=list)
    mac: str = ""
    journal_head: tuple[int, str] | None = None
    version: int = VERSION
    # A re-key in progress (see "Re-keying" in the module doc): inside the MAC.
    rekey: dict[str, Any] | None = None

    # -- serialisation --

    def _doc(self) -> dict[str, Any]:
        """The fields the MAC covers (everything but ``failed_attempts`` and the MAC)."""
        doc: dict[str, Any] = {
            "format": FORMAT,
            "version": REKEY_VERSION if self.rekey is not None else self.version,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "slots": self.slots,
        }
        if self.version >= 2 or self.rekey is not None:
            seq, digest = self.journal_head or GENESIS_HEAD
            doc["journal_head"] = {"seq": seq, "hash": digest}
        if self.rekey is not None:
            doc["rekey"] = self.rekey
        return doc

    def _mac_body(self) -> bytes:
        return json.dumps(self._doc(), sort_keys=True, separators=(",", ":")).encode()

    def compute_mac(self, data_key: Key) -> str:
        return hmac.new(subkey(data_key, "keyfile-mac"), self._mac_body(), hashlib.sha256).hexdigest()

    def mac_matches(self, data_key: bytes) -> bool:
        return same_secret(self.compute_mac(data_key), self.mac)

    def set_journal_head(self, data_key: Key, head: tuple[int, str]) -> None:
        """Anchor the journal head (upgrading a version 1 file) and re-MAC."""
        self.journal_head = (int(head[0]), str(head[1]))
        self.version = VERSION
        self.mac = self.compute_mac(data_key)

    def to_bytes(self) -> bytes:
        doc = {**self._doc(), "failed_attempts": self.failed_attempts, "mac": self.mac}
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> KeyFile:
        if not raw:
            raise VaultCorrupt("The vault's key file is empty. Restore it from a backup.")
        if len(raw) > MAX_KEYFILE_BYTES:
            raise VaultCorrupt("The vault's key file is too large to be a key file.")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise VaultCorrupt(
                "The vault's key file is damaged or truncated. Restore it from a backup."
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise VaultCorrupt("This is not a Victim Log key file.")
        version = _plain_int(doc.get("version"))
        if version is None or version < 1:
            raise VaultCorrupt("The vault's key file is damaged (no version).")
        if version > REKEY_VERSION:
            raise BadInput(
                "This vault was made by a newer version of Victim Log. "
                "Please update Victim Log to open it. Nothing was changed."
            )
        slots = doc.get("slots")
        if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
            raise VaultCorrupt("The vault's key file is damaged (no key slots).")
        failed = doc.get("failed_attempts", [])
        if not isinstance(failed, list):
            failed = []
        vid, created, mac = doc.get("vault_id"), doc.get("created_at"), doc.get("mac", "")
        if not isinstance(vid, str) or not isinstance(created, str) or not isinstance(mac, str):
            raise VaultCorrupt("The vault's key file is damaged (missing fields).")
        if len(vid) != 32 or not set(vid) <= _HEX64:
            # Always uuid4().hex. Anything else (a lone surrogate, which JSON allows,
            # could not even be encoded into a slot's associated data) was edited.
            raise changed("its vault id is malformed")
        head: tuple[int, str] | None = None
        if version >= 2:
            anchor = doc.get("journal_head")
            seq = _plain_int(anchor.get("seq")) if isinstance(anchor, dict) else None
            digest = anchor.get("hash") if isinstance(anchor, dict) else None
            if seq is None or seq < 0 or not _is_hash(digest):
                raise changed("its record of the history is missing or malformed")
            head = (seq, str(digest))
        rekey = doc.get("rekey")
        if (version == REKEY_VERSION) != isinstance(rekey, dict):
            raise changed("its record of a change of keys is malformed")
        return cls(
            vault_id=vid,
            created_at=created,
            slots=slots,
            failed_attempts=[str(f) for f in failed][-1000:],
            mac=mac,
            journal_head=head,
            version=min(version, VERSION),
            rekey=rekey if isinstance(rekey, dict) else None,
        )

    @classmethod
    def load(cls, path: Path) -> KeyFile:
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_KEYFILE_BYTES + 1)
        except FileNotFoundError:
            raise VaultCorrupt(
                "The vault's key file (vault.key) is missing. Restore it from a backup."
            ) from None
        except OSError as exc:
            raise VaultCorrupt(f"The vault's key file cannot be read ({exc.strerror}).") from None
        return cls.from_bytes(raw)

    def save(self, path: Path, *, sync_folder: bool = True) -> None:
        """Write this copy whole. Outside :func:`update`, only for a file nobody else
        can be using yet (a new vault).

        The new file always reaches the disk before it replaces the old one (never an
        empty key file after a crash). ``sync_folder=False`` skips waiting for the
        rename itself: for an anchor update, where a crash that loses the rename
        leaves the previous, complete key file and a database ahead of it, which is
        what a crash just before the update leaves too. It saves a third of the cost.
        """
        if sync_folder:
            atomic_write_bytes(path, self.to_bytes(), "the vault's key file")
            return
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        except OSError as exc:
            raise translate_os_error(exc, "the vault's key file") from None
        _hold(fd)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.to_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            if isinstance(exc, OSError):
                raise translate_os_error(exc, "the vault's key file") from None
            raise

    # -- slots --

    def _slot(self, slot_type: str, slots: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        slots = self.slots if slots is None else slots
        found = [s for s in slots if s.get("type") == slot_type]
        if any(s.get("type") not in SLOT_TYPES for s in slots):
            raise changed("it holds a kind of key slot Victim Log never writes")
        if len(found) > 1:
            raise changed(f"it holds more than one {slot_type} slot")
        if not found:
            raise VaultCorrupt(f"The vault's key file has no {slot_type} slot.")
        slot = found[0]
        if (
            len(b64d(slot.get("salt"))) != 16
            or len(b64d(slot.get("nonce"))) != 12
            or len(b64d(slot.get("wrapped"))) != KEY_LEN + 16
        ):
            raise changed(f"its {slot_type} slot has the wrong shape")
        return slot

    @staticmethod
    def _ad(vault_id: str, slot: dict[str, Any]) -> bytes:
        params = {k: slot[k] for k in ("type", "kdf", "iterations", "memory_kib", "lanes") if k in slot}
        return (
            f"victim-log keyslot|{vault_id}|".encode()
            + json.dumps(params, sort_keys=True, separators=(",", ":")).encode()
        )

    def put_slot(self, slot: dict[str, Any], data_key: bytes) -> None:
        """Replace the slot of ``slot``'s type and re-MAC (slot made by
        :func:`passphrase_slot` or :func:`recovery_slot`, outside the lock)."""
        self.slots = [s for s in self.slots if s.get("type") != slot["type"]] + [slot]
        self.mac = self.compute_mac(data_key)

    def set_passphrase(self, data_key: bytes, passphrase: str, params: KdfParams) -> None:
        self.put_slot(passphrase_slot(self.vault_id, data_key, passphrase, params), data_key)

    def set_recovery(self, data_key: bytes, recovery_key: str) -> None:
        self.put_slot(recovery_slot(self.vault_id, data_key, recovery_key), data_key)

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        """The data key the MAC is keyed by. While a re-key is pending, the new
        passphrase opens too (its slot wraps the new key, which unwraps the old)."""
        return self._open_slot("passphrase", lambda slot: self._passphrase_wrapping(slot, passphrase))

    def unwrap_with_recovery(self, recovery_key: str) -> bytes:
        """As :meth:`unwrap_with_passphrase`, with the recovery key (old or pending new)."""
        with secret_bytes(normalise_recovery_key(recovery_key), "ascii") as secret:
            return self._open_slot("recovery", lambda slot: _recovery_wrapping(slot, secret))

    @staticmethod
    def _passphrase_wrapping(slot: dict[str, Any], passphrase: str) -> bytes:
        if not has_utf8(passphrase):
            # Bytes that were not UTF-8 (an environment variable, a pipe) arrive as lone
            # surrogates: no slot was ever made from such a passphrase.
            raise WrongPassphrase("That passphrase is not right.")
        with secret_bytes(passphrase) as secret:
            return argon2id(secret, b64d(slot.get("salt")), slot_params(slot))

    def _open_slot(self, slot_type: str, wrapping_of: Callable[[dict[str, Any]], bytes]) -> bytes:
        wrong = f"That {'passphrase' if slot_type == 'passphrase' else 'recovery key'} is not right."
        slot = self._slot(slot_type)
        try:
            return self._unwrap(slot, wrapping_of(slot), wrong)
        except WrongPassphrase:
            if self.rekey is None:
                raise
        pending = self._slot(slot_type, self._rekey_slots())
        new_key = self._unwrap_raw(pending, wrapping_of(pending), wrong)
        data_key = self._sealed_open(new_key, "rekey-previous", self.rekey.get("previous"))
        if not self.mac_matches(data_key):
            raise _mac_failed()
        return data_key

    def _rekey_slots(self) -> list[dict[str, Any]]:
        slots = (self.rekey or {}).get("slots")
        if not isinstance(slots, list) or not all(isinstance(s, dict) for s in slots):
            raise changed("its record of a change of keys is malformed")
        return slots

    def _unwrap_raw(self, slot: dict[str, Any], wrapping: bytes, wrong: str) -> bytes:
        nonce, wrapped = b64d(slot.get("nonce")), b64d(slot.get("wrapped"))
        try:
            return AESGCM(wrapping).decrypt(nonce, wrapped, self._ad(self.vault_id, slot))
        except InvalidTag:
            raise WrongPassphrase(wrong) from None

    def _unwrap(self, slot: dict[str, Any], wrapping: bytes, wrong: str) -> bytes:
        data_key = self._unwrap_raw(slot, wrapping, wrong)
        if not self.mac_matches(data_key):
            raise _mac_failed()
        return data_key

    # -- re-keying (see the module doc) --

    def _seal(self, key: Key, purpose: str, secret: Key) -> dict[str, str]:
        nonce = secrets.token_bytes(12)
        ad = f"victim-log {purpose}|{self.vault_id}".encode()
        return {
            "nonce": b64e(nonce),
            "wrapped": b64e(AESGCM(subkey(key, purpose)).encrypt(nonce, secret, ad)),
        }

    def _sealed_open(self, key: Key, purpose: str, sealed: Any, length: int = KEY_LEN) -> bytes:
        if not isinstance(sealed, dict):
            raise changed("its record of a change of keys is malformed")
        ad = f"victim-log {purpose}|{self.vault_id}".encode()
        try:
            out = AESGCM(subkey(key, purpose)).decrypt(
                b64d(sealed.get("nonce")), b64d(sealed.get("wrapped")), ad
            )
        except (InvalidTag, ValueError):
            raise changed("its record of a change of keys does not match its keys") from None
        if len(out) != length:
            raise changed("its record of a change of keys has the wrong shape")
        return out

    def begin_rekey(
        self, data_key: bytes, new_key: Key, slots: list[dict[str, Any]], recovery_key: str
    ) -> None:
        """Stage a re-key: ``slots`` (made for ``new_key`` by :func:`passphrase_slot`
        and :func:`recovery_slot`) and each data key sealed under the other, MACed with
        the current ``data_key``. From the moment this is on disk both the old and the
        new credentials open the vault, and either finishes the re-key. The new
        ``recovery_key`` is sealed beside them (under the new key) until then, so the
        unlock that finishes an interrupted re-key can show it: it may never have
        reached the person."""
        if self.rekey is not None:
            raise BadInput("A change of keys is already under way. Unlock the vault again to finish it.")
        self.rekey = {
            "slots": slots,
            "next": self._seal(data_key, "rekey-next", new_key),
            "previous": self._seal(new_key, "rekey-previous", data_key),
            "recovery": self._seal(new_key, "rekey-recovery", normalise_recovery_key(recovery_key).encode()),
        }
        self.mac = self.compute_mac(data_key)

    def staged_recovery_key(self, new_key: Key) -> str:
        """The new recovery key of a staged re-key, in its written form."""
        sealed = (self.rekey or {}).get("recovery")
        text = self._sealed_open(new_key, "rekey-recovery", sealed, RECOVERY_GROUPS * RECOVERY_GROUP_LEN)
        return _grouped(text.decode("ascii", "replace"))

    def pending_key(self, data_key: bytes) -> bytes | None:
        """The new data key of a staged re-key (None when there is none)."""
        if self.rekey is None:
            return None
        return self._sealed_open(data_key, "rekey-next", self.rekey.get("next"))

    def finish_rekey(self, new_key: Key, head: tuple[int, str]) -> None:
        """Make the staged slots the only ones, MACed with ``new_key``: the old
        passphrase and recovery key stop opening the vault. The staged record is
        checked first (the old key it holds must verify the current MAC)."""
        if self.rekey is None:
            raise changed("it records no change of keys to finish")
        # The old key sealed under the new one (authenticated) and the MAC with the old
        # key over the whole staged record prove ``new_key`` is the staged one, without
        # decrypting another copy of it (which would linger in freed memory).
        old_key = self._sealed_open(new_key, "rekey-previous", self.rekey.get("previous"))
        if not self.mac_matches(old_key):
            raise _mac_failed()
        self.slots = self._rekey_slots()
        self.rekey = None
        self.set_journal_head(new_key, head)


def _mac_failed() -> VaultCorrupt:
    return VaultCorrupt("The vault's key file has been changed outside Victim Log. Restore it from a backup.")


def _recovery_wrapping(slot: dict[str, Any], secret: bytes | bytearray) -> bytes:
    if slot.get("kdf") != "hkdf-sha256":
        raise changed("its recovery slot names another key derivation")
    return HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_LEN,
        salt=b64d(slot.get("salt")),
        info=b"victim-log v1 recovery",
    ).derive(secret)


def slot_params(slot: dict[str, Any]) -> KdfParams:
    """The passphrase slot's Argon2id costs, refused unless :func:`calibrate` could
    have chosen them (checked before any work: a raised cost would run for minutes,
    a lowered one makes guessing cheap; either way the file was changed)."""
    if slot.get("kdf") != "argon2id":
        raise changed("its passphrase slot names another key derivation")
    iterations, memory, lanes = (_plain_int(slot.get(k)) for k in ("iterations", "memory_kib", "lanes"))
    if iterations is None or memory is None or lanes is None:
        raise changed("its passphrase slot's costs are missing")
    accepted = ACCEPTED_COSTS
    if (
        memory > accepted.max_memory_kib
        or not 1 <= iterations <= accepted.max_iterations
        or not 1 <= lanes <= accepted.max_lanes
    ):
        raise changed("it asks for key-derivation costs Victim Log never sets")
    if memory < accepted.min_memory_kib:
        raise changed("its passphrase slot was weakened")
    return KdfParams(iterations, memory, lanes)


def _sealed_slot(vault_id: str, slot: dict[str, Any], wrapping: bytes, data_key: Key) -> dict[str, Any]:
    nonce = secrets.token_bytes(12)
    slot["nonce"] = b64e(nonce)
    slot["wrapped"] = b64e(AESGCM(wrapping).encrypt(nonce, data_key, KeyFile._ad(vault_id, slot)))
    return slot


def passphrase_slot(vault_id: str, data_key: Key, passphrase: str, params: KdfParams) -> dict[str, Any]:
    """A new passphrase slot (the slow Argon2id step: run it outside the file lock)."""
    salt = secrets.token_bytes(16)
    slot: dict[str, Any] = {
        "type": "passphrase",
        "kdf": "argon2id",
        "salt": b64e(salt),
        "iterations": params.iterations,
        "memory_kib": params.memory_kib,
        "lanes": params.lanes,
    }
    with secret_bytes(passphrase) as secret:
        wrapping = argon2id(secret, salt, params)
    return _sealed_slot(vault_id, slot, wrapping, data_key)


def recovery_slot(vault_id: str, data_key: Key, recovery_key: str) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    slot: dict[str, Any] = {"type": "recovery", "kdf": "hkdf-sha256", "salt": b64e(salt)}
    with secret_bytes(normalise_recovery_key(recovery_key), "ascii") as secret:
        wrapping = _recovery_wrapping(slot, secret)
    return _sealed_slot(vault_id, slot, wrapping, data_key)


def new_keyfile(vault_id: str) -> KeyFile:
    return KeyFile(
        vault_id=vault_id,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        slots=[],
        journal_head=GENESIS_HEAD,
    )


# --- What this computer last unlocked with ----------------------------------------------

SEEN_FILE = "key-slots.json"
SEEN_VAULTS = 20


def slot_digest(slot: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(slot, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _read_seen(state: Path) -> dict[str, Any]:
    try:
        with open(state / SEEN_FILE, "rb") as fh:
            doc = json.loads(fh.read(MAX_KEYFILE_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return doc if isinstance(doc, dict) else {}


def remember_slots(state: Path, keyfile: KeyFile) -> None:
    """Note (in the state folder, outside the vault) a digest of each slot of a key
    file that just unlocked, or that this computer just wrote.

    A wrong passphrase against a slot that is not the one noted here is then told
    apart from a typo (:func:`slot_changed_since_seen`): someone replaced or
    re-costed the slot, or the passphrase was changed on another computer. Only
    digests of the slots (themselves public in vault.key) are kept. Best effort.
    """
    doc = _read_seen(state)
    entry = {str(s.get("type")): slot_digest(s) for s in keyfile.slots}
    if doc.get(keyfile.vault_id) == entry:
        return
    doc.pop(keyfile.vault_id, None)
    doc[keyfile.vault_id] = entry  # newest last; the oldest are dropped
    doc = dict(list(doc.items())[-SEEN_VAULTS:])
    with contextlib.suppress(OSError, VictimLogError):
        state.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write_bytes(state / SEEN_FILE, json.dumps(doc, sort_keys=True).encode(), "the app's state")


def slot_changed_since_seen(state: Path, keyfile: KeyFile, slot_type: str) -> bool:
    """True when this computer noted a different ``slot_type`` slot for this vault."""
    entry = _read_seen(state).get(keyfile.vault_id)
    if not isinstance(entry, dict) or not isinstance(entry.get(slot_type), str):
        return False
    current = [s for s in keyfile.slots if s.get("type") == slot_type]
    return len(current) == 1 and entry[slot_type] != slot_digest(current[0])


# --- Updating the file on disk -----------------------------------------------------------


def _hold(fd: int) -> None:
    """Lock a temp file while it is written, as fsutil's writer does: a temp file
    nobody holds is a crash's leftover that the clean-up may remove; ours is not."""
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``vault.key.lock`` beside the key file ``path``.

    A separate lock file because the key file itself is replaced on every write (a
    lock on the old inode would guard nothing). Without ``fcntl`` (not POSIX), or
    in a folder where the lock file cannot be made (read-only: nothing can be
    written there anyway), this is a no-op.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd: int | None
    try:
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        fd = None
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if fd is not None:
            os.close(fd)  # releases the lock


def update(path: Path, change: Callable[[KeyFile], bool], *, sync_folder: bool = True) -> KeyFile:
    """Read the key file on disk, let ``change`` edit it, write it back: all under
    :func:`locked`, so no update is lost and none restores an older copy. ``change``
    returns False when there is nothing to write. Returns the file as now on disk.
    ``sync_folder``: see :meth:`KeyFile.save`."""
    with locked(path):
        keyfile = KeyFile.load(path)
        if change(keyfile):
            keyfile.save(path, sync_folder=sync_folder)
        return keyfile


def backoff_seconds(failures: int) -> float:
    """Delay before the next try after ``failures`` wrong passphrases in a row.

    Grows from nothing (typos happen) to 30 s, so guessing by hand is slow while the
    owner who mistyped twice is barely held up.
    """
    if failures < 3:
        return 0.0
    return float(min(30, 2 ** (failures - 3)))


def pending_delay(failed_attempts: list[str], now: float) -> float:
    """Seconds still to wait, from the failures recorded in the key file.

    The record is outside the MAC (anyone who can write the folder can edit it), so
    it is read defensively: stamps that do not parse, or lie in the future, are
    ignored, and the wait never exceeds what the counted failures allow (30 s and
    the second the last one was stamped in). Never weeks.
    """
    stamps: list[float] = []
    for text in failed_attempts:
        try:
            stamp = datetime.fromisoformat(text).timestamp()
        except (ValueError, OverflowError, OSError):
            continue
        if stamp <= now:
            stamps.append(stamp)
    wait = backoff_seconds(len(stamps))
    if wait <= 0:
        return 0.0
    # Failures are stamped to the second. Counting from the end of that second
    # never shortens the wait: counted from its start, the first (one-second)
    # step often vanished altogether.
    return min(wait + 1.0, max(0.0, wait - (now - (max(stamps) + 1.0))))
