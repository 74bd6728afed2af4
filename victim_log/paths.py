"""Where things live on disk, in one place (platformdirs).

Environment overrides exist so tests and portable installs never touch the real home:
``VICTIM_LOG_VAULT`` names the vault directory, ``VICTIM_LOG_STATE`` the directory for
logs and non-secret settings.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "victim-log"

# The files of a vault directory (see victim_log.vault).
DB_NAME = "vault.db"
KEY_NAME = "vault.key"
BLOB_DIR = "blobs"


def vault_exists(path: Path) -> bool:
    """Whether ``path`` holds a vault (or what is left of one), without loading the
    vault's code: the desktop app asks this before its first screen is painted."""
    return (path / KEY_NAME).exists() or (path / DB_NAME).exists()


def default_vault_dir() -> Path:
    env = os.environ.get("VICTIM_LOG_VAULT")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)) / "vault"


def state_dir() -> Path:
    """Logs and non-secret preferences; never diary text."""
    env = os.environ.get("VICTIM_LOG_STATE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir(APP_DIR_NAME, appauthor=False))


def secure_umask() -> None:
    """Files we create are ours alone (0600/0700); called first thing by every face."""
    os.umask(0o077)
