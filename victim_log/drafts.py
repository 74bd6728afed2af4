"""What was being written when the app locked or quit, kept inside the encrypted vault.

The quick log's (or the editor's) unsaved form is kept as one vault setting, JSON,
inside the SQLCipher database: never an incident, never in the journal (settings are
not journalled), never in a file of its own, so it is exactly as safe as the diary.
It comes back at the next unlock and is removed once saved as an entry or discarded
on purpose (#18.7).

One small write, bounded: pasted screenshots are left out when the whole would pass
:data:`MAX_BYTES` (the words are what must not be lost), and a vault that cannot
take the write (full, locked, or still busy in another window after SQLite's own wait
of at most 5 s) is skipped by the lock (:func:`keep`): the lock has already sealed the
draft in memory, and the lock screen then says closing the app would lose it. Only a
quick exit that ends the app keeps trying a busy vault, for a bounded time, since the
draft would otherwise end with the process. Opening another diary cannot carry a
draft over, so it keeps it first with :func:`store` off the GUI thread, a busy vault
tried again, and asks before a draft it could not keep is lost
(``gui/shell/caselist.py``). Removing a kept draft runs off the GUI thread too
(``gui/widgets/background_write``). Errors never carry the draft's words.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from .errors import VaultBusy
from .errors import VictimLogError

SETTING = "kept_draft"
MAX_BYTES = 2 * 1024 * 1024


class SettingsVault(Protocol):
    """The public :class:`~victim_log.vault.Vault` methods used here."""

    def get_setting(self, name: str, default: str = "") -> str: ...
    def set_setting(self, name: str, value: str) -> None: ...
    def forget_settings(self, names: Sequence[str]) -> None: ...


def _encode(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"cannot keep a {type(value).__name__} in a draft")


def _decode(d: dict[str, Any]) -> object:
    if set(d) == {"__bytes__"} and isinstance(d["__bytes__"], str):
        return base64.b64decode(d["__bytes__"])
    return d


def encode(draft: dict[str, Any]) -> str | None:
    """The draft as JSON within :data:`MAX_BYTES`, pasted images dropped if need be;
    None if even the words alone are too long or it cannot be encoded."""
    # ASCII JSON: any text a form can hold survives, a lone surrogate (pasted from
    # bytes that were not UTF-8) included, which UTF-8 itself cannot carry.
    try:
        text = json.dumps(draft, default=_encode)
        if len(text) <= MAX_BYTES:
            return text
        lean = dict(draft)
        files = [f for f in lean.get("files") or [] if isinstance(f, dict)]
        lean["files"] = [f for f in files if f.get("data") is None]
        lean["files_left_out"] = len(files) - len(lean["files"])
        text = json.dumps(lean, default=_encode)
    except (TypeError, ValueError, RecursionError):
        return None  # never the message: it could quote the draft
    return text if len(text) <= MAX_BYTES else None


def store(vault: SettingsVault, draft: dict[str, Any]) -> bool:
    """Store ``draft`` in the vault (replacing any kept before); False if it is too
    large to keep. The vault's errors (:class:`~victim_log.errors.VaultBusy` above
    all) are raised, so a caller off the GUI thread can try again. The same draft
    kept already is not written again (a read: the lock after a switch that kept it)."""
    text = encode(draft)
    if text is None:
        return False
    if vault.get_setting(SETTING) != text:
        vault.set_setting(SETTING, text)
    return True


def keep(vault: SettingsVault, draft: dict[str, Any], *, patience: float = 0.0) -> bool:
    """:func:`store`, once, or for up to ``patience`` seconds while the vault is busy
    (another window or process writing; the app is about to end and the draft would
    end with it): False if it was not kept (too large, full, locked, still busy)."""
    give_up = time.monotonic() + patience
    while True:
        try:
            return store(vault, draft)
        except VaultBusy:
            if time.monotonic() >= give_up:
                return False
        except VictimLogError:
            return False
        time.sleep(0.2)


def peek(vault: SettingsVault) -> dict[str, Any] | None:
    """The kept draft, left in the vault; None if there is none or it is unreadable."""
    text = vault.get_setting(SETTING)
    if not text:
        return None
    try:
        data = json.loads(text, object_hook=_decode)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def is_kept(vault: SettingsVault) -> bool:
    return bool(vault.get_setting(SETTING))


def forget(vault: SettingsVault) -> None:
    """Remove the kept draft (saved as an entry, or discarded on purpose). A read
    first, so closing an empty form writes nothing."""
    if vault.get_setting(SETTING):
        vault.forget_settings([SETTING])
