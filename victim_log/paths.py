"""Where things live on disk, in one place (platformdirs).

Environment overrides exist so tests and portable installs never touch the real home:
``VICTIM_LOG_VAULT`` names the vault directory, ``VICTIM_LOG_STATE`` the directory for
logs and non-secret settings.

Two names for each folder. Behind the neutral face ("Notes", "Calculator") a folder
called ``victim-log`` in the person's data folder would give the app away to anyone
who looks, so with the neutral face on, the data folder and the state folder (prefs
and log) are called :data:`NEUTRAL_DIR_NAME` instead, and the log file too. Which one
is in use is read from the disk: the neutral folder if it exists, else the plain one.
:func:`relocate` moves both with one ``rename`` each (atomic, same parent folder, so
never a copy): if a move cannot be made, everything stays where it was and nothing is
lost; the next attempt tries again. The overridden folders are never moved.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "victim-log"
NEUTRAL_DIR_NAME = "jotter"  # a plain note-taking name; says nothing of what is kept
LOG_NAMES = {False: "victim-log.log", True: "jotter.log"}
VAULT_SUBDIR = "vault"

# The files of a vault directory (see victim_log.vault).
DB_NAME = "vault.db"
KEY_NAME = "vault.key"
BLOB_DIR = "blobs"


def vault_exists(path: Path) -> bool:
    """Whether ``path`` holds a vault (or what is left of one), without loading the
    vault's code: the desktop app asks this before its first screen is painted."""
    return (path / KEY_NAME).exists() or (path / DB_NAME).exists()


def _data_root(neutral: bool) -> Path:
    name = NEUTRAL_DIR_NAME if neutral else APP_DIR_NAME
    return Path(platformdirs.user_data_dir(name, appauthor=False))


def _state_root(neutral: bool) -> Path:
    name = NEUTRAL_DIR_NAME if neutral else APP_DIR_NAME
    return Path(platformdirs.user_state_dir(name, appauthor=False))


def default_vault_dir() -> Path:
    env = os.environ.get("VICTIM_LOG_VAULT")
    if env:
        return Path(env).expanduser()
    for neutral in (True, False):  # wherever a vault is: a failed move hides nothing
        folder = _data_root(neutral) / VAULT_SUBDIR
        if vault_exists(folder):
            return folder
    neutral = _data_root(True).is_dir() or neutral_names_in_use()
    return _data_root(neutral) / VAULT_SUBDIR


def state_dir() -> Path:
    """Logs and non-secret preferences; never diary text."""
    env = os.environ.get("VICTIM_LOG_STATE")
    if env:
        return Path(env).expanduser()
    neutral = _state_root(True)
    return neutral if neutral.is_dir() else _state_root(False)


def neutral_names_in_use() -> bool:
    """Whether the folders on disk go by the neutral name (the state folder decides)."""
    return os.environ.get("VICTIM_LOG_STATE") is None and _state_root(True).is_dir()


def log_path() -> Path:
    """The content-free error log (see :mod:`victim_log.logs`), named like its folder."""
    return state_dir() / LOG_NAMES[neutral_names_in_use()]


def _move_folder(src: Path, dst: Path) -> bool:
    """Rename ``src`` to ``dst``; True if ``dst`` now holds what ``src`` held.

    Nothing to move is success (``dst`` is made, empty and private, so the next
    lookup finds it). An empty ``dst`` is taken out of the way first; a non-empty one
    means two sets of data, which we never merge: both stay as they are.
    """
    if not src.is_dir():
        try:
            dst.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return False
        return True
    if dst.exists():
        try:
            dst.rmdir()
        except OSError:
            return False
    try:
        os.rename(src, dst)
    except OSError:
        return False
    try:
        fd = os.open(dst.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # the rename is done; only its durability over a power cut is less sure
    return True


def relocate(neutral: bool, *, data: bool = True) -> bool:
    """Give the state folder (and, with ``data``, the data folder holding the vault)
    the neutral name or the plain one; True if everything now goes by that name.

    The data folder may only move while no vault in it is open (its database and key
    file are reached by path): the app moves it at start-up and after each lock. The
    state folder may move at any time: the log is opened anew for each entry.
    Never raises and never copies; a move that fails leaves that folder in place.
    """
    done = True
    if os.environ.get("VICTIM_LOG_STATE") is None:
        src, dst = _state_root(not neutral), _state_root(neutral)
        if src.is_dir() or not dst.is_dir():
            done = _move_folder(src, dst) and done
        old_log, new_log = dst / LOG_NAMES[not neutral], dst / LOG_NAMES[neutral]
        if old_log.exists() and not new_log.exists():
            try:
                os.rename(old_log, new_log)
            except OSError:
                done = False
    if data and os.environ.get("VICTIM_LOG_VAULT") is None:
        src, dst = _data_root(not neutral), _data_root(neutral)
        if src.is_dir() or not dst.is_dir():
            done = _move_folder(src, dst) and done
    return done


def secure_umask() -> None:
    """Files we create are ours alone (0600/0700); called first thing by every face."""
    os.umask(0o077)
