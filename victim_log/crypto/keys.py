"""The vault's keys and the key file that holds them wrapped.

Why this shape: a random 256-bit *data key* protects everything; the passphrase and
the recovery key only *wrap* it. Changing the passphrase rewrites one small file and
never re-encrypts the database, and losing the passphrase is survivable with the
recovery key. Sub-keys for the database, blobs and deduplication come from the data
key with HKDF, so no key is used for two purposes.

Key file format (``vault.key``, JSON, UTF-8), version 1::

    {
      "format": "victim-log-keyfile",
      "version": 1,
      "vault_id": "<32 hex chars>",
      "created_at": "<ISO 8601>",
      "slots": [
        {"type": "passphrase", "kdf": "argon2id", "salt": "<b64>",
         "iterations": 3, "memory_kib": 131072, "lanes": 4,
         "nonce": "<b64 12 bytes>", "wrapped": "<b64 AES-GCM(data key)>"},
        {"type": "recovery", "kdf": "hkdf-sha256", "salt": "<b64>",
         "nonce": "<b64>", "wrapped": "<b64>"}
      ],
      "failed_attempts": [<ISO 8601 of each failure since the last unlock>],
      "mac": "<hex HMAC-SHA256 over the canonical JSON of the other fields
               except failed_attempts, keyed by an HKDF sub-key>"
    }

Each slot's AES-GCM associated data is ``vault_id|slot type|kdf parameters``, so a
slot cannot be moved to another vault or have its cost parameters lowered. The MAC
is checked after unlock and detects any other edit. ``failed_attempts`` is
deliberately outside the MAC: it is rewritten before the key is known.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import BadInput, VaultCorrupt, WrongPassphrase
from ..fsutil import atomic_write_bytes

FORMAT = "victim-log-keyfile"
VERSION = 1
KEY_LEN = 32
MIN_MEMORY_KIB = 64 * 1024
MAX_KEYFILE_BYTES = 64 * 1024
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


def hkdf(key: bytes, info: bytes, length: int = KEY_LEN) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


def subkey(data_key: bytes, purpose: str) -> bytes:
    """A key for one purpose only (database, blobs, dedup, key-file MAC, ...)."""
    return hkdf(data_key, b"victim-log v1 " + purpose.encode("ascii"))


@dataclass(frozen=True)
class KdfParams:
    iterations: int
    memory_kib: int
    lanes: int = 4


def _fast_kdf_for_tests() -> bool:
    return os.environ.get("VICTIM_LOG_TEST_FAST_KDF") == "1"


def argon2id(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return Argon2id(
        salt=salt,
        length=KEY_LEN,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(secret)


def calibrate(target_seconds: float = 0.6) -> KdfParams:
    """Pick Argon2id costs that take about ``target_seconds`` here, with >= 64 MiB.

    Memory is the costly resource for an attacker's GPUs, so we fix it high (256 MiB
    where the time allows, never under 64 MiB) and tune iterations to the target.
    """
    if _fast_kdf_for_tests():
        return KdfParams(iterations=1, memory_kib=8 * 1024, lanes=1)
    memory = 256 * 1024
    probe = KdfParams(iterations=1, memory_kib=memory)
    start = time.perf_counter()
    argon2id(b"calibration", b"\0" * 16, probe)
    one = max(time.perf_counter() - start, 1e-3)
    if one > target_seconds:
        # Slow machine: lower memory (not below the floor) before giving up on time.
        memory = max(MIN_MEMORY_KIB, int(memory * target_seconds / one))
        return KdfParams(iterations=1, memory_kib=memory)
    iterations = max(1, min(10, round(target_seconds / one)))
    return KdfParams(iterations=iterations, memory_kib=memory)


# --- Recovery keys ---------------------------------------------------------------------


def new_recovery_key() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET)
                    for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LEN))
    return "-".join(chars[i:i + RECOVERY_GROUP_LEN]
                    for i in range(0, len(chars), RECOVERY_GROUP_LEN))


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


@dataclass
class KeyFile:
    vault_id: str
    created_at: str
    slots: list[dict[str, Any]]
    failed_attempts: list[str] = field(default_factory=list)
    mac: str = ""

    # -- serialisation --

    def _mac_body(self) -> bytes:
        body = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "slots": self.slots,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def compute_mac(self, data_key: bytes) -> str:
        return hmac.new(subkey(data_key, "keyfile-mac"), self._mac_body(), hashlib.sha256).hexdigest()

    def to_bytes(self) -> bytes:
        doc = {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "slots": self.slots,
            "failed_attempts": self.failed_attempts,
            "mac": self.mac,
        }
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> KeyFile:
        if not raw:
            raise VaultCorrupt("The vault's key file is empty. Restore it from a backup.")
        if len(raw) > MAX_KEYFILE_BYTES:
            raise VaultCorrupt("The vault's key file is too large to be a key file.")
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise VaultCorrupt(
                "The vault's key file is damaged or truncated. Restore it from a backup."
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise VaultCorrupt("This is not a Victim Log key file.")
        version = doc.get("version")
        if not isinstance(version, int):
            raise VaultCorrupt("The vault's key file is damaged (no version).")
        if version > VERSION:
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
        return cls(vault_id=vid, created_at=created, slots=slots,
                   failed_attempts=[str(f) for f in failed][-1000:], mac=mac)

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

    def save(self, path: Path) -> None:
        atomic_write_bytes(path, self.to_bytes(), "the vault's key file")

    # -- slots --

    def _slot(self, slot_type: str) -> dict[str, Any]:
        for slot in self.slots:
            if slot.get("type") == slot_type:
                return slot
        raise VaultCorrupt(f"The vault's key file has no {slot_type} slot.")

    @staticmethod
    def _ad(vault_id: str, slot: dict[str, Any]) -> bytes:
        params = {k: slot[k] for k in ("type", "kdf", "iterations", "memory_kib", "lanes")
                  if k in slot}
        return f"victim-log keyslot|{vault_id}|".encode() + json.dumps(
            params, sort_keys=True, separators=(",", ":")).encode()

    def set_passphrase(self, data_key: bytes, passphrase: str, params: KdfParams) -> None:
        salt = secrets.token_bytes(16)
        slot: dict[str, Any] = {
            "type": "passphrase", "kdf": "argon2id", "salt": b64e(salt),
            "iterations": params.iterations, "memory_kib": params.memory_kib,
            "lanes": params.lanes,
        }
        wrapping = argon2id(passphrase.encode("utf-8"), salt, params)
        self._store_slot(slot, wrapping, data_key)

    def set_recovery(self, data_key: bytes, recovery_key: str) -> None:
        salt = secrets.token_bytes(16)
        slot: dict[str, Any] = {"type": "recovery", "kdf": "hkdf-sha256", "salt": b64e(salt)}
        secret = normalise_recovery_key(recovery_key).encode("ascii")
        wrapping = HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=salt,
                        info=b"victim-log v1 recovery").derive(secret)
        self._store_slot(slot, wrapping, data_key)

    def _store_slot(self, slot: dict[str, Any], wrapping: bytes, data_key: bytes) -> None:
        nonce = secrets.token_bytes(12)
        slot["nonce"] = b64e(nonce)
        slot["wrapped"] = b64e(AESGCM(wrapping).encrypt(nonce, data_key, self._ad(self.vault_id, slot)))
        self.slots = [s for s in self.slots if s.get("type") != slot["type"]] + [slot]
        self.mac = self.compute_mac(data_key)

    def unwrap_with_passphrase(self, passphrase: str) -> bytes:
        slot = self._slot("passphrase")
        try:
            params = KdfParams(int(slot["iterations"]), int(slot["memory_kib"]), int(slot["lanes"]))
        except (KeyError, TypeError, ValueError):
            raise VaultCorrupt("The vault's key file is damaged (passphrase slot).") from None
        if params.memory_kib > 4 * 1024 * 1024 or params.iterations > 100 or not 1 <= params.lanes <= 64:
            raise VaultCorrupt("The vault's key file asks for impossible key-derivation costs.")
        if params.memory_kib < MIN_MEMORY_KIB and not _fast_kdf_for_tests():
            raise VaultCorrupt("The vault's key file has been weakened (memory cost too low).")
        wrapping = argon2id(passphrase.encode("utf-8"), b64d(slot.get("salt")), params)
        return self._unwrap(slot, wrapping, "That passphrase is not right.")

    def unwrap_with_recovery(self, recovery_key: str) -> bytes:
        slot = self._slot("recovery")
        secret = normalise_recovery_key(recovery_key).encode("ascii")
        wrapping = HKDF(algorithm=hashes.SHA256(), length=KEY_LEN, salt=b64d(slot.get("salt")),
                        info=b"victim-log v1 recovery").derive(secret)
        return self._unwrap(slot, wrapping, "That recovery key is not right.")

    def _unwrap(self, slot: dict[str, Any], wrapping: bytes, wrong: str) -> bytes:
        nonce, wrapped = b64d(slot.get("nonce")), b64d(slot.get("wrapped"))
        if len(nonce) != 12:
            raise VaultCorrupt("The vault's key file is damaged (bad nonce).")
        try:
            data_key = AESGCM(wrapping).decrypt(nonce, wrapped, self._ad(self.vault_id, slot))
        except InvalidTag:
            raise WrongPassphrase(wrong) from None
        if not hmac.compare_digest(self.compute_mac(data_key), self.mac):
            raise VaultCorrupt(
                "The vault's key file has been changed outside Victim Log. "
                "Restore it from a backup."
            )
        return data_key


def new_keyfile(vault_id: str) -> KeyFile:
    return KeyFile(vault_id=vault_id, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                   slots=[])


def backoff_seconds(failures: int) -> float:
    """Delay before the next try after ``failures`` wrong passphrases in a row.

    Grows from nothing (typos happen) to 30 s, so guessing by hand is slow while the
    owner who mistyped twice is barely held up.
    """
    if failures < 3:
        return 0.0
    return float(min(30, 2 ** (failures - 3)))
