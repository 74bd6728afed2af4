"""Handover: a case file for a support worker, and their additions brought back (#18).

The victim makes an encrypted **case file** (:func:`share_case`): one file holding
every record with all its versions, the people, the orders and the evidence files,
sealed with a key from a **one-time code** (:mod:`.code`) that is shown once and never
stored; the victim reads it out to the worker. The worker opens it in their own
installation (:func:`open_case`): a new vault with its own passphrase, holding the
case. What they add or change there comes back the same way: they make a case file
of their vault, and the victim merges it (:func:`merge_case`). A merge adds new
records and new versions, each attributed to its author, never overwrites, adds
nothing the second time, keeps both sides of a conflict and never applies a deletion
without the victim (:mod:`.merge`).

Records are matched across installations by stable ids (:mod:`victim_log.store.handover`);
the file format is :mod:`.casefile`'s (and docs/handover-format.md). Qt-free: the CLI's
``share`` commands and the app's File menu both call these three functions.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from typing import BinaryIO

from .. import casetime
from ..errors import BadInput
from ..errors import VaultExists
from ..model import canonical_json
from . import casefile
from .casefile import CaseFile
from .code import new_code
from .manifest import WORKER_SETTING
from .manifest import take
from .merge import MergeReport
from .merge import merge

if TYPE_CHECKING:
    from ..vault import Vault

__all__ = ["CaseFile", "MergeReport", "Shared", "merge_case", "open_case", "share_case"]


@dataclass(frozen=True)
class Shared:
    """A case file just written: where, its one-time code (show it once) and counts."""

    path: Path
    code: str
    incidents: int
    evidence: int
    size: int


def share_case(vault: Vault, out: Path, *, private_notes: bool = False) -> Shared:
    """Write the whole case into a new case file at ``out``, sealed with a new code;
    private notes only with ``private_notes``.

    The journal records that a case file was made (counts only)."""
    snapshot = take(vault, private_notes=private_notes)

    def producer(evidence_id: int) -> Callable[[BinaryIO], None]:
        def produce(out: BinaryIO) -> None:
            for chunk in vault.evidence.iter_verified(evidence_id):
                out.write(chunk)

        return produce

    code = new_code()
    size = casefile.write(
        Path(out), code, canonical_json(snapshot.doc), [producer(e) for e in snapshot.evidence_ids]
    )
    vault.record_event("share", {"incidents": snapshot.incidents, "evidence": len(snapshot.evidence_ids)})
    return Shared(Path(out), code, snapshot.incidents, len(snapshot.evidence_ids), size)


def _unlocked(path: Path, code: str) -> tuple[CaseFile, dict[str, object]]:
    """The case file opened with ``code`` and verified whole, and its manifest."""
    case = CaseFile(Path(path))
    case.unlock(code)
    case.verify()
    return case, case.manifest()


def open_case(
    path: Path, code: str, vault_dir: Path, passphrase: str, *, worker: str | None = None
) -> tuple[Vault, str, MergeReport]:
    """A new vault at ``vault_dir`` (a new or empty folder) holding the case file's
    case; returns it unlocked, its recovery key and what went in. ``worker``
    (``support:NAME (ORG)``) marks what is added there as theirs when it comes back.
    The file is checked whole before the vault is made; if filling it fails, the new
    vault is removed again."""
    from ..vault import Vault

    vault_dir = Path(vault_dir)
    if Vault.exists(vault_dir):
        raise VaultExists(
            f"There is already a vault in {vault_dir}. Choose a new folder. Nothing was changed."
        )
    made = not vault_dir.exists()
    if not made and (not vault_dir.is_dir() or any(vault_dir.iterdir())):
        raise BadInput(f"{vault_dir} is not an empty folder. Choose a new or empty one. Nothing was changed.")
    case, doc = _unlocked(path, code)
    vault, recovery = Vault.create(vault_dir, passphrase)
    try:
        zone = doc.get("time_zone")
        if isinstance(zone, str):
            with contextlib.suppress(Exception):
                casetime.set_vault_zone(vault, zone)
        if worker:
            vault.set_setting(WORKER_SETTING, worker)
        report = merge(vault, case, doc, copy=True)
    except BaseException:
        vault.lock()
        # Nothing half-made is left: the folder was new or empty before.
        for child in [vault_dir] if made else list(vault_dir.iterdir()):
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        raise
    return vault, recovery, report


def merge_case(vault: Vault, path: Path, code: str) -> MergeReport:
    """Merge a case file into ``vault``: see :mod:`.merge`. Checked whole first: a
    wrong code, a damaged or altered file changes nothing."""
    case, doc = _unlocked(path, code)
    return merge(vault, case, doc)
