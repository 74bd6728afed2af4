"""After a hand-off from a phone folder (#22): which originals are safely stored.

A person who copied photos off a phone (mounted over USB, a memory card, a synced
folder) wants to know which files they may now delete from the phone. For each
original this module hashes the file where it is, finds the exhibit with the same
SHA-256 in the vault, and reads that exhibit back (decrypting and checking every
chunk and the SHA-256 recorded at intake): only when both hashes agree is the
original "safely stored". Nothing here deletes anything: deleting from the phone is
the person's choice, and :data:`DELETE_NOTE` says plainly what it means.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from .errors import BadInput
from .errors import IntegrityError
from .fsutil import file_sha256

if TYPE_CHECKING:
    from .vault import Vault

#: Why an original is or is not safely stored (``reason`` in ``--json``).
STORED = "stored"  # its bytes are in the diary and the copy there read back the same
NOT_IN_DIARY = "not_in_diary"  # no exhibit has these bytes (not imported, or changed since)
COPY_DAMAGED = "copy_damaged"  # the diary's copy did not read back as recorded
UNREADABLE = "unreadable"  # the original could not be read where it is

REASON_TEXT = {
    STORED: "safely stored",
    NOT_IN_DIARY: "not in your diary",
    COPY_DAMAGED: "the copy in your diary did not check out",
    UNREADABLE: "could not be read",
}

DELETE_NOTE = (
    "Deleting these files from your phone is your choice; nothing here deletes anything. "
    "The copies marked 'safely stored' are in your diary, encrypted, and were read back and "
    "checked just now. Once you delete a file from the phone, the phone's original (and "
    "details only the phone keeps, such as its album or its place in a chat) is gone: the "
    "copy in your diary becomes the only one, unless you also have a backup. A court may ask "
    "where a photo came from, so you may want advice before deleting anything."
)

MAX_FILES = 100_000


@dataclass(frozen=True)
class OriginalCheck:
    """One original file and whether the diary holds a checked copy of it."""

    path: Path
    name: str  # untrusted: display through textsafe
    size: int
    sha256: str  # of the original as it is now ("" if it could not be read)
    evidence_id: int | None
    reason: str

    @property
    def stored(self) -> bool:
        return self.reason == STORED

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "name": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "evidence_id": self.evidence_id,
            "stored": self.stored,
            "reason": self.reason,
        }


def originals_in(folder: Path, *, recursive: bool = False) -> list[Path]:
    """The regular files in ``folder`` (below it too with ``recursive``), by name;
    links are never followed."""
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise BadInput(f"'{folder.name}' is not a folder. Give the folder you imported from.")
    except OSError:
        raise BadInput(f"The folder '{folder.name}' could not be opened.") from None
    found: list[Path] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and recursive:
                stack.append(Path(entry.path))
            elif stat.S_ISREG(mode):
                found.append(Path(entry.path))
                if len(found) > MAX_FILES:
                    raise BadInput(f"This folder has more than {MAX_FILES} files; choose a smaller one.")
    return sorted(found)


def _read_back(vault: Vault, evidence_id: int) -> str:
    """The SHA-256 of the diary's copy, read back and decrypted now."""
    digest = hashlib.sha256()
    for chunk in vault.evidence.iter_verified(evidence_id):
        digest.update(chunk)
    return digest.hexdigest()


def check_originals(
    vault: Vault, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None
) -> list[OriginalCheck]:
    """Each original's size and SHA-256 as it is now, and whether the diary holds a
    copy that reads back with the same SHA-256 (see the module docstring)."""
    wanted = list(paths)
    by_hash: dict[str, int] = {}
    for item in vault.evidence.items():
        by_hash.setdefault(item.sha256, item.id)
    checks: list[OriginalCheck] = []
    for done, path in enumerate(wanted, 1):
        try:
            size, sha = file_sha256(path)
        except OSError:
            checks.append(OriginalCheck(path, path.name, 0, "", None, UNREADABLE))
            continue
        eid = by_hash.get(sha)
        reason = NOT_IN_DIARY
        if eid is not None:
            try:
                reason = STORED if _read_back(vault, eid) == sha else COPY_DAMAGED
            except IntegrityError:
                reason = COPY_DAMAGED
        checks.append(OriginalCheck(path, path.name, size, sha, eid, reason))
        if progress is not None:
            progress(done, len(wanted))
    return checks
