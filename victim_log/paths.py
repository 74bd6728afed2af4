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
