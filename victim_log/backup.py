"""Encrypted backups: the vault as it is, still encrypted, in one file.

Why this shape: a lost or seized laptop must not mean a lost diary, and the backup
must be as unreadable as the vault. So a backup is a plain zip of the vault's files
exactly as they are on disk (the SQLCipher database, the key file with its
passphrase and recovery slots, the encrypted blobs) plus ``manifest.json`` listing
each file's size and SHA-256, authenticated with an HMAC under a key derived from
the vault's data key. Restoring needs the passphrase or the recovery key; it checks
every file against the manifest, the manifest's HMAC, and then the whole vault
(``check``) in a temporary folder before anything appears at the destination.

The database is copied while we hold SQLite's write lock, so no change can land
half-way through the copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .crypto.keys import same_secret
from .errors import BadInput
from .errors import IntegrityError
from .errors import NotABundle
from .errors import VaultExists
from .errors import VictimLogError
from .fsutil import BACKUP_TEMP_PREFIX
from .fsutil import RESTORE_PREFIX
from .fsutil import check_output_path
from .fsutil import ensure_private_dir
from .fsutil import fsync_dir
from .fsutil import hold_lock
from .fsutil import translate_os_error
from .fsutil import unrecorded_reason
from .leftovers import clean_vault_folder
from .leftovers import remember_temp
from .model import canonical_json
from .safezip import STRICT
from .safezip import SafeZip
from .textsafe import display_safe
from .vault import BLOB_DIR
from .vault import DB_NAME
from .vault import KEY_NAME
from .vault import Vault
from .vault import now_iso

FORMAT = "victim-log-backup"
VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST = 64 * 1024 * 1024


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    files: int
    bytes: int
    not_recorded: str = ""  # why the diary's history does not record the backup, if so


def _vault_files(vault: Vault) -> list[Path]:
    base = vault.path
    files = [base / KEY_NAME, base / DB_NAME]
    blob_root = base / BLOB_DIR
    if blob_root.is_dir():
        files += sorted(p for p in blob_root.rglob("*") if p.is_file() and not p.name.startswith(".tmp-"))
    return files


def _manifest_mac(vault: Vault, body: dict[str, Any]) -> str:
    return hmac.new(vault.subkey("backup-mac"), canonical_json(body), hashlib.sha256).hexdigest()


def write_backup(vault: Vault, out: Path) -> BackupInfo:
    """Write the backup to ``out`` atomically (temp file, fsync, rename)."""
    out = check_output_path(Path(out), "the backup")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=BACKUP_TEMP_PREFIX, dir=out.parent)
    except OSError as exc:
        raise translate_os_error(exc, "the backup") from None
    hold_lock(fd)  # released when fd closes: until then nobody takes it for a leftover
    tmp = Path(tmp_name)
    forget = remember_temp(vault, tmp)
    entries: list[dict[str, Any]] = []
    total = 0
    try:
        # No other writer can change the files while we copy them.
        with (
            vault.writers_held("the backup"),
            zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf,
        ):
            for path in _vault_files(vault):
                name = path.relative_to(vault.path).as_posix()
                digest = hashlib.sha256()
                size = 0
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = 0o600 << 16
                with open(path, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                    while chunk := src.read(1 << 20):
                        digest.update(chunk)
                        dst.write(chunk)
                        size += len(chunk)
                entries.append({"name": name, "size": size, "sha256": digest.hexdigest()})
                total += size
            body = {
                "format": FORMAT,
                "version": VERSION,
                "vault_id": vault.vault_id,
                "created_at": now_iso(),
                "files": entries,
            }
            manifest = {**body, "mac": _manifest_mac(vault, body)}
            zf.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise translate_os_error(exc, "the backup") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
        forget()
    try:
        vault.record_event("backup_written", {"files": len(entries), "bytes": total})
    except VictimLogError as exc:  # the backup is complete: say exactly that
        return BackupInfo(out, len(entries), total, unrecorded_reason(exc))
    return BackupInfo(out, len(entries), total)


def _read_manifest(zf: SafeZip) -> dict[str, Any]:
    member = zf.get(MANIFEST)
    if member is None:
        raise NotABundle("This is not a Victim Log backup (it has no manifest).")
    try:
        doc = json.loads(zf.read_bytes(member, MAX_MANIFEST))
        # Its MAC is taken over this form: text that has none (a lone surrogate, which
        # JSON allows) would fail there, after the files were unpacked.
        canonical_json(doc)
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        raise IntegrityError("The backup's manifest is damaged.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise NotABundle("This is not a Victim Log backup.")
    if not isinstance(doc.get("version"), int) or doc["version"] > VERSION:
        raise BadInput("This backup was made by a newer Victim Log; please update to restore it.")
    if not isinstance(doc.get("files"), list):
        raise IntegrityError("The backup's manifest is damaged.")
    return doc


def restore_backup(
    backup: Path, target: Path, *, passphrase: str | None = None, recovery_key: str | None = None
) -> Vault:
    """Restore ``backup`` into ``target`` (which must not hold a vault); returns it unlocked."""
    backup, target = Path(backup), Path(target)
    if Vault.exists(target):
        raise VaultExists(
            f"There is already a vault in {target}. Restore somewhere else, "
            "or move that vault away first. Nothing was changed."
        )
    if not backup.is_file():
        raise BadInput(f"There is no backup file called '{backup.name}'.")
    ensure_private_dir(target.parent)
    clean_vault_folder(target)  # an earlier restore killed half-way left its staging folder
    staging = Path(tempfile.mkdtemp(prefix=RESTORE_PREFIX, dir=target.parent))
    staging_fd = os.open(staging, os.O_RDONLY)
    hold_lock(staging_fd)  # a restore in progress is never taken for a leftover
    try:
        os.chmod(staging, 0o700)
        with SafeZip(backup, STRICT) as zf:
            manifest = _read_manifest(zf)
            listed = {}
            for entry in manifest["files"]:
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise IntegrityError("The backup's manifest is damaged.")
                listed[entry["name"]] = entry
            present = {m.name for m in zf.members if not m.is_dir} - {MANIFEST}
            extra = present - set(listed)
            if extra:
                raise IntegrityError(
                    f"The backup holds files it does not list ({sorted(extra)[0]}); "
                    "it may have been tampered with."
                )
            for name, entry in listed.items():
                parts = name.split("/")
                if name not in present or not (
                    name in (KEY_NAME, DB_NAME) or (parts[0] == BLOB_DIR and len(parts) == 3)
                ):
                    raise IntegrityError(
                        f"The backup is incomplete or damaged ({display_safe(name[:200], single_line=True)})."
                    )
                member = zf.get(name)
                assert member is not None
                dest = staging.joinpath(*parts)
                dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                digest = hashlib.sha256()
                size = 0
                with open(dest, "wb") as fh:
                    for chunk in zf.iter_chunks(member):
                        digest.update(chunk)
                        fh.write(chunk)
                        size += len(chunk)
                    fh.flush()
                    os.fsync(fh.fileno())
                if size != entry.get("size") or digest.hexdigest() != entry.get("sha256"):
                    raise IntegrityError(
                        f"The backup has been changed or damaged: {name} does "
                        "not match its manifest. Nothing was restored."
                    )
        # The key file comes from the backup: its recorded failures are not ours to honour.
        vault = Vault.open(staging, passphrase, recovery_key=recovery_key, backoff=False)
        try:
            body = {k: v for k, v in manifest.items() if k != "mac"}
            if not same_secret(_manifest_mac(vault, body), str(manifest.get("mac", ""))):
                raise IntegrityError("The backup's manifest has been changed. Nothing was restored.")
            report = vault.check()
            if not report.ok:
                raise IntegrityError(
                    "The restored vault does not pass its check: " + "; ".join(report.problems[:3])
                )
        finally:
            vault.lock()
        if target.exists():
            with contextlib.suppress(OSError):
                target.rmdir()  # only an empty folder
        os.replace(staging, target)
        fsync_dir(target.parent)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise translate_os_error(exc, "the restored vault") from None
    except VictimLogError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.close(staging_fd)
    restored = Vault.open(target, passphrase, recovery_key=recovery_key, wait=True)
    restored.record_event("backup_restored", {"from_vault": manifest.get("vault_id", "")})
    return restored
