"""Opening the vault for a command: the folder, the back-off wait, the passphrase,
and the notes about failed attempts and leftovers a crash left."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import paths
from ..errors import VictimLogError
from ..textsafe import display_safe
from .secrets import passphrase

if TYPE_CHECKING:
    from ..vault import Vault


def vault_dir(args: argparse.Namespace) -> Path:
    """``--vault DIR``, else ``VICTIM_LOG_VAULT``, else the user's data folder."""
    return Path(args.vault).expanduser() if getattr(args, "vault", None) else paths.default_vault_dir()


CLEANED: list[str] = []  # leftovers of a crash removed when this run opened the vault


def open_vault(args: argparse.Namespace) -> Vault:
    """The unlocked vault for a command, after any back-off wait; notes go to stderr."""
    from ..vault import Vault

    path = vault_dir(args)
    Vault.require_present(path)  # "no vault here" before asking for a passphrase
    delay = Vault.pending_delay(path)
    if delay > 0:
        print(f"Too many wrong tries: waiting {int(delay) + 1} seconds…", file=sys.stderr)
        time.sleep(delay)
    vault = Vault.open(path, passphrase(args))
    from ..casetime import use_vault_zone

    use_vault_zone(vault)  # every time this command reads or shows is on the case's clock
    from ..leftovers import clean_leftovers

    try:
        CLEANED[:] = clean_leftovers(vault)  # what a crash left; 'check' says what went
    except VictimLogError:
        CLEANED[:] = []
    if vault.unlock_info.failed_attempts:
        n = len(vault.unlock_info.failed_attempts)
        # Outside the key file's MAC: anyone who can write the folder chose this text.
        last = display_safe(vault.unlock_info.failed_attempts[-1][:40], single_line=True)
        print(
            f"Note: {n} failed attempt{'s' if n != 1 else ''} to open this vault since it "
            f"was last opened (last at {last}).",
            file=sys.stderr,
        )
    if vault.unlock_info.history_warning:
        print(f"Note: {vault.unlock_info.history_warning}", file=sys.stderr)
    return vault
