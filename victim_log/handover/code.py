"""The one-time code that opens a case file, and the key it gives.

The victim reads the code out to the worker (on the phone, or across a table); it is
shown once, never stored, and is the only secret the file needs. Six groups of four
characters from the recovery key's alphabet (no I, O, 0 or 1, so nothing is misheard
or miscopied): 24 characters x 5 bits = 120 bits, which no offline guessing reaches
even before the key stretching. The key is still stretched with Argon2id at the costs
this machine chooses for a passphrase (:func:`victim_log.crypto.keys.calibrate`), and
a file asking for costs outside the range a key file may ask for is refused before
any work (a huge cost would run for minutes; a tiny one would make guessing cheap).
"""

from __future__ import annotations

import secrets
from typing import Any

from ..crypto import keys
from ..errors import IntegrityError
from ..errors import WrongPassphrase

GROUPS = 6
GROUP_LEN = 4
ALPHABET = keys.RECOVERY_ALPHABET
CODE_BITS = GROUPS * GROUP_LEN * 5  # 120


def new_code() -> str:
    """A fresh code, e.g. ``K7QM-2XRD-WP4H-9TNC-EJ3B-V6SA``."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LEN))
    return "-".join(chars[i : i + GROUP_LEN] for i in range(0, len(chars), GROUP_LEN))


def normalise_code(text: str) -> str:
    """What a person typed or heard, in any case, with or without spaces or dashes."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != GROUPS * GROUP_LEN or any(ch not in ALPHABET for ch in cleaned):
        raise WrongPassphrase(
            f"That code is not in the right form: it has {GROUPS} groups of {GROUP_LEN} "
            "letters and numbers (no I, O, 0 or 1). Nothing was changed."
        )
    return cleaned


def new_kdf() -> dict[str, Any]:
    """The key derivation for a new file: a fresh salt and this machine's costs."""
    params = keys.calibrate()
    return {
        "name": "argon2id",
        "salt": keys.b64e(secrets.token_bytes(16)),
        "iterations": params.iterations,
        "memory_kib": params.memory_kib,
        "lanes": params.lanes,
    }


def _params(kdf: Any) -> tuple[bytes, keys.KdfParams]:
    """The salt and costs a file names, refused unless Victim Log could have chosen them."""
    if not isinstance(kdf, dict) or kdf.get("name") != "argon2id":
        raise IntegrityError("This case file names a key derivation Victim Log does not use.")
    costs = [c for c in (kdf.get(k) for k in ("iterations", "memory_kib", "lanes")) if type(c) is int]
    if len(costs) != 3:
        raise IntegrityError("This case file is damaged (its key derivation is incomplete).")
    iterations, memory, lanes = costs
    accepted = keys.ACCEPTED_COSTS
    if not (
        accepted.min_memory_kib <= memory <= accepted.max_memory_kib
        and 1 <= iterations <= accepted.max_iterations
        and 1 <= lanes <= accepted.max_lanes
    ):
        raise IntegrityError("This case file asks for key-derivation costs Victim Log never sets.")
    try:
        salt = keys.b64d(kdf.get("salt"))
    except Exception:  # noqa: BLE001 - the key file's words would mislead here
        raise IntegrityError("This case file is damaged (its salt is unreadable).") from None
    if len(salt) < 16:
        raise IntegrityError("This case file is damaged (its salt is too short).")
    return salt, keys.KdfParams(iterations, memory, lanes)


def case_key(code: str, kdf: Any) -> bytes:
    """The file's 32-byte key from the code (normalised first) and the file's ``kdf``."""
    salt, params = _params(kdf)
    with keys.secret_bytes(normalise_code(code), "ascii") as secret:
        stretched = keys.argon2id(secret, salt, params)
    return keys.hkdf(stretched, b"victim-log case file v1")
