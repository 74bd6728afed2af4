"""What a crash leaves behind, found and removed at the next unlock.

A kill -9 (or a power cut) in the middle of a write leaves its temporary file: a
partial evidence blob in ``blobs/``, a half-written key-file or export temp file, a
``.tmp-backup-*`` zip, or a whole ``.restore-*`` staging folder beside the vault
(holding a copy of the key file). Each is locked by the process writing it
(:func:`victim_log.fsutil.hold_lock`), so what is unlocked is abandoned and safe to
remove. Temp files made outside the vault folder (an export or backup into another
folder) are remembered in the encrypted database while they exist, so they can be
found again; their paths never sit anywhere in plain text.

A blob file whose key an erase for good already forgot, but that a crash left on
disk, is overwritten and deleted (:meth:`EvidenceStore.finish_erasures`). Finished
blob files that no exhibit names are never removed here: they may be the
evidence of a database put back from an older copy (``check`` reports them).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import VictimLogError
from .fsutil import BACKUP_TEMP_PREFIX
from .fsutil import RESTORE_PREFIX
from .fsutil import TEMP_PREFIX
from .fsutil import remove_abandoned
from .fsutil import tracking_temps
from .textsafe import display_safe

if TYPE_CHECKING:
    from .vault import Vault

PENDING_KEY = "pending_output:"  # meta keys: "pending_output:<random>" -> the temp path


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{n} bytes"


def _scan(folder: Path, prefixes: tuple[str, ...], label: Callable[[Path], str], cleaned: list[str]) -> None:
    try:
        names = [p for p in folder.iterdir() if p.name.startswith(prefixes)]
    except OSError:
        return
    for p in names:
        freed = remove_abandoned(p)
        if freed:
            cleaned.append(f"{label(p)} ({_size(freed)})")


def clean_vault_folder(path: Path) -> list[str]:
    """Remove abandoned temp files in the vault folder, its blob folders and restore
    staging folders beside it; returns what was removed, in words (no diary text)."""
    cleaned: list[str] = []
    _scan(path, (TEMP_PREFIX,), lambda p: f"a half-written file in the vault folder ({p.name})", cleaned)
    blobs = path / "blobs"
    with contextlib.suppress(OSError):
        for sub in sorted(p for p in blobs.iterdir() if p.is_dir()):
            _scan(
                sub,
                (TEMP_PREFIX,),
                lambda p: (
                    f"a partial evidence file left by an interrupted save (blobs/{p.parent.name}/{p.name})"
                ),
                cleaned,
            )
    _scan(
        path.parent,
        (RESTORE_PREFIX,),
        lambda p: f"an unfinished restore folder beside the vault ({p.name}, with a copy of the key file)",
        cleaned,
    )
    return cleaned


def _pending(vault: Vault) -> list[tuple[str, str]]:
    """(setting name, temp path) of every output this vault started and not yet finished."""
    return vault.settings_with_prefix(PENDING_KEY)


def clean_pending_outputs(vault: Vault) -> list[str]:
    """Remove abandoned partial exports and backups this vault started elsewhere."""
    cleaned: list[str] = []
    pending = _pending(vault)
    if not pending:
        return cleaned
    done = []
    for key, value in pending:
        p = Path(value)
        freed = remove_abandoned(p)
        if freed:
            kind = "backup" if p.name.startswith(BACKUP_TEMP_PREFIX) else "export"
            cleaned.append(
                f"a partial {kind} file left by an interrupted save in "
                f"{display_safe(str(p.parent), single_line=True)} ({_size(freed)})"
            )
        if freed or not p.exists():
            done.append(key)
    if done:
        with contextlib.suppress(VictimLogError):
            vault.forget_settings(done)
    return cleaned


def clean_leftovers(vault: Vault) -> list[str]:
    """Everything abandoned that this vault knows of; run after an unlock."""
    erased: list[str] = []
    if not vault.read_only:
        with contextlib.suppress(VictimLogError, OSError):
            erased = vault.evidence.finish_erasures()
    return clean_vault_folder(vault.path) + clean_pending_outputs(vault) + erased


def remember_temp(vault: Vault, tmp: Path) -> Callable[[], None]:
    """Note ``tmp`` in the database while it exists; returns the function that forgets it.

    Best effort: a vault that cannot be written to (its disk is full) must not stop
    an export to another disk, so a failure only means this one is not remembered.
    """
    if tmp.parent.resolve() == vault.path.resolve():
        return lambda: None  # the vault folder is scanned anyway
    key = f"{PENDING_KEY}{secrets.token_hex(8)}"
    try:
        vault.set_setting(key, str(tmp))
    except VictimLogError:
        return lambda: None

    def forget() -> None:
        with contextlib.suppress(VictimLogError):
            vault.forget_settings([key])

    return forget


@contextlib.contextmanager
def remembering_temps(vault: Vault) -> Iterator[None]:
    """Every temp file written in the block (exports) is remembered until it is gone."""
    with tracking_temps(lambda tmp: remember_temp(vault, tmp)):
        yield
