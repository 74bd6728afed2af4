"""Commands that look after the vault itself: init, check, passwd, recover, demo,
backup, restore, and gui (the desktop app)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import EXIT_OK
from ..errors import EXIT_PROBLEM
from ..errors import VictimLogError
from .gui_start import cmd_gui as cmd_gui  # the app's start reads its options without the parser
from .json_contract import check_json
from .output import one_line
from .output import print_json
from .output import warn
from .secrets import new_passphrase
from .secrets import passphrase
from .secrets import recovery_key
from .session import CLEANED
from .session import open_vault
from .session import vault_dir


def cmd_init(args: argparse.Namespace) -> int:
    from ..vault import Vault

    path = vault_dir(args)
    if Vault.exists(path):
        from ..errors import VaultExists

        raise VaultExists(f"There is already a vault in {path}. Nothing was changed.")
    from .. import casetime

    zone = casetime.zone_of(getattr(args, "time_zone", None) or casetime.system_zone_name())
    secret = passphrase(args, confirm=True)
    vault, recovery = Vault.create(path, secret)
    casetime.set_vault_zone(vault, zone.key)  # every time is shown on this clock (#16.4)
    vault.lock()
    print(f"Created a new vault in {path}")
    print(f"Times are shown in {zone.key} time.")
    print()
    print("Your RECOVERY KEY (shown only this once; write it down and keep it somewhere safe):")
    print()
    print(f"    {recovery}")
    print()
    print(
        "With it you can set a new passphrase if you forget yours. Nobody else, not even "
        "the makers of Victim Log, can open your vault without one of them."
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with open_vault(args) as vault:
        report = vault.check()
        warnings = vault.clock_went_back()
    cleaned = list(CLEANED)
    if args.json:
        print_json(check_json(report, warnings, cleaned))
    elif report.ok:
        print(
            f"All good: {report.journal_entries} journal entries, {report.incidents} incidents "
            f"and {report.blobs_checked} evidence files verified."
        )
    else:
        print(f"Problems found ({len(report.problems)}):")
        for p in report.problems:
            print(f"  - {p}")
    if not args.json:
        for w in warnings:
            print(f"Note: {w}")
        for c in cleaned:
            print(f"Cleaned up {c}.")
    return EXIT_OK if report.ok else EXIT_PROBLEM


def cmd_passwd(args: argparse.Namespace) -> int:
    if getattr(args, "rekey", False):
        return _rekey(args)
    with open_vault(args) as vault:
        new = new_passphrase(args)
        try:
            vault.change_passphrase(new)
        except VictimLogError as exc:
            if not _key_file_opens_with(vault.path, new):
                raise
            # The key file was rewritten, then the journal entry failed (a full disk):
            # "Nothing was changed" would be untrue, and the old passphrase is gone.
            from ..fsutil import unrecorded_reason

            print("Your passphrase WAS changed: use the new one from now on. Your recovery key still works.")
            warn(f"the diary's history does not record the change ({unrecorded_reason(exc)}).")
            return EXIT_OK
    print("Your passphrase was changed. Your recovery key still works.")
    return EXIT_OK


REKEY_STAGE_WORDS = {
    "files": "Rewrapping the keys of your evidence files",
    "database": "Re-encrypting the database (this can take a while for a large diary)",
}


def _rekey(args: argparse.Namespace) -> int:
    """``passwd --rekey``: a new data key, database re-encrypted, file keys rewrapped,
    a new passphrase and a NEW recovery key (shown as soon as it works)."""
    import sys

    with open_vault(args) as vault:
        new = new_passphrase(args)
        said: set[str] = set()
        staged: list[str] = []

        def progress(stage: str, done: int, total: int) -> None:
            words = REKEY_STAGE_WORDS.get(stage)
            if words and stage not in said:
                said.add(stage)
                print(f"{words}...", file=sys.stderr, flush=True)

        def show(recovery: str) -> None:
            staged.append(recovery)
            print("Your NEW RECOVERY KEY (shown only this once; write it down and keep it somewhere safe;")
            print("the old recovery key stops working when this finishes):")
            print()
            print(f"    {recovery}")
            print(flush=True)

        try:
            vault.rekey(new, progress=progress, staged=show)
        except VictimLogError:
            if staged:
                warn(
                    "the change of keys was interrupted. Your vault opens with the old or the new "
                    "passphrase and recovery key, and the next unlock finishes the change."
                )
            raise
    print(
        "Your vault has a new key: the database was re-encrypted and the keys of your evidence "
        "files were rewrapped. Only the new passphrase and the new recovery key open it now; "
        "the old passphrase, the old recovery key and old copies of vault.key do not."
    )
    return EXIT_OK


def _key_file_opens_with(path: Path, passphrase_text: str) -> bool:
    """Whether the key file on disk now opens with ``passphrase_text`` (exact reporting
    after a failure part-way through a change)."""
    from ..crypto import keys
    from ..vault import KEY_NAME

    try:
        keys.KeyFile.load(path / KEY_NAME).unwrap_with_passphrase(passphrase_text)
    except (VictimLogError, OSError, ValueError):
        return False
    return True


def cmd_recover(args: argparse.Namespace) -> int:
    from ..vault import Vault

    path = vault_dir(args)
    Vault.require_present(path)
    key = recovery_key(args, ask=True)
    with Vault.open(path, recovery_key=key, wait=True) as vault:
        vault.change_passphrase(new_passphrase(args))
    print("A new passphrase is set. Your recovery key still works; keep it safe.")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import fill_demo

    with open_vault(args) as vault:
        count = fill_demo(vault)
    print(f"Added an invented demonstration case: {count} incidents over three months.")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from ..backup import write_backup

    with open_vault(args) as vault:
        info = write_backup(vault, Path(args.out))
    print(
        f"Backup written to {one_line(str(info.path))} ({info.files} files, {info.bytes} bytes, "
        "still encrypted: it opens only with your passphrase or recovery key)."
    )
    if info.not_recorded:
        warn(f"the backup is complete, but the diary's history does not record it ({info.not_recorded}).")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from ..backup import restore_backup

    target = vault_dir(args)
    key = recovery_key(args, ask=False)
    if key is not None:
        vault = restore_backup(Path(args.file), target, recovery_key=key)
    else:
        vault = restore_backup(Path(args.file), target, passphrase=passphrase(args))
    with vault:
        n = vault.count_incidents()
    print(f"Restored the vault into {target}: {n} incidents, and it passed its check.")
    return EXIT_OK
