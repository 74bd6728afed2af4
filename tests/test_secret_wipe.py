"""The passphrase and recovery key bytes the key derivation reads are wiped (#17.5).

Python's own ``str`` of a passphrase cannot be overwritten (the README says so: a
locked app is protected from someone at the keyboard, not from someone who can read
its memory; quit for that). The copies this code makes, the bytes Argon2id and HKDF
read, are held in a ``bytearray`` and zeroed as soon as the key is derived.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PASSPHRASE
from victim_log.crypto import keys
from victim_log.errors import WrongPassphrase
from victim_log.vault import Vault


@pytest.fixture
def handed(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every secret buffer the key derivations were given, kept to look at later."""
    seen: list[Any] = []
    real_argon2id, real_recovery = keys.argon2id, keys._recovery_wrapping

    def argon2id(secret: Any, salt: bytes, params: keys.KdfParams) -> bytes:
        seen.append(secret)
        return real_argon2id(secret, salt, params)

    def recovery(slot: dict[str, Any], secret: Any) -> bytes:
        seen.append(secret)
        return real_recovery(slot, secret)

    monkeypatch.setattr(keys, "argon2id", argon2id)
    monkeypatch.setattr(keys, "_recovery_wrapping", recovery)
    return seen


def _all_wiped(seen: list[Any]) -> bool:
    return bool(seen) and all(isinstance(s, bytearray) and len(s) and not any(s) for s in seen)


def test_create_unlock_recover_and_change_leave_no_secret_bytes(tmp_path: Path, handed: list[Any]) -> None:
    vault, recovery_key = Vault.create(tmp_path / "v", PASSPHRASE)
    vault.lock()
    assert _all_wiped(handed)
    handed.clear()
    Vault.open(tmp_path / "v", PASSPHRASE).lock()
    assert _all_wiped(handed)
    handed.clear()
    vault = Vault.open(tmp_path / "v", recovery_key=recovery_key)
    assert _all_wiped(handed)
    handed.clear()
    vault.change_passphrase("a new and quite long passphrase here")
    vault.lock()
    assert _all_wiped(handed)


def test_a_wrong_passphrase_is_wiped_too(tmp_path: Path, handed: list[Any]) -> None:
    Vault.create(tmp_path / "v", PASSPHRASE)[0].lock()
    handed.clear()
    with pytest.raises(WrongPassphrase):
        Vault.open(tmp_path / "v", "not the passphrase at all", backoff=False)
    assert _all_wiped(handed)


def test_secret_bytes_overwrites_in_place() -> None:
    with keys.secret_bytes("pässphrase") as buf:
        assert bytes(buf) == "pässphrase".encode()
    assert buf == bytearray(len("pässphrase".encode()))
