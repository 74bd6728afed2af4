"""Secrets input: the passphrase, a new passphrase and the recovery key, from a file,
the environment or typed at a terminal (never echoed, never an argument)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..errors import BadInput
from .output import one_line

PASSPHRASE_ENV = "VICTIM_LOG_PASSPHRASE"  # noqa: S105 - the name of a variable, not a secret
NEW_PASSPHRASE_ENV = "VICTIM_LOG_NEW_PASSPHRASE"  # noqa: S105
RECOVERY_ENV = "VICTIM_LOG_RECOVERY_KEY"


def read_secret_file(path: str, what: str) -> str:
    """A secret from the first 64 KiB of a UTF-8 file, without its final line break."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(64 * 1024)
    except OSError as exc:
        raise BadInput(f"Cannot read the {what} file '{one_line(path)}' ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise BadInput(f"The {what} file is not UTF-8 text.") from None
    return text.rstrip("\r\n")


def prompt(label: str) -> str:
    """A secret typed at a terminal (not echoed); a clear message when there is none."""
    if not sys.stdin.isatty():
        raise BadInput(
            "A passphrase is needed: use --passphrase-file FILE, set VICTIM_LOG_PASSPHRASE, "
            "or run this in a terminal."
        )
    return getpass.getpass(label)


def _secret(file: str | None, env_name: str, label: str, *, confirm: bool) -> str:
    """A passphrase from a file, else the environment, else typed (twice if ``confirm``)."""
    if file:
        return read_secret_file(file, label.lower())
    env = os.environ.get(env_name)
    if env:
        return env
    first = prompt(f"{label}: ")
    if confirm and prompt(f"{label} again: ") != first:
        raise BadInput("The two passphrases were not the same. Nothing was changed.")
    return first


def passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    """The vault's passphrase: ``--passphrase-file``, ``VICTIM_LOG_PASSPHRASE`` or typed."""
    return _secret(getattr(args, "passphrase_file", None), PASSPHRASE_ENV, "Passphrase", confirm=confirm)


def new_passphrase(args: argparse.Namespace) -> str:
    """A new passphrase: ``--new-passphrase-file``, ``VICTIM_LOG_NEW_PASSPHRASE`` or typed twice."""
    return _secret(
        getattr(args, "new_passphrase_file", None), NEW_PASSPHRASE_ENV, "New passphrase", confirm=True
    )


def recovery_key(args: argparse.Namespace, *, ask: bool) -> str | None:
    """The recovery key: ``--recovery-key-file``, else ``VICTIM_LOG_RECOVERY_KEY``, else
    typed when ``ask`` (``recover``), else None (``restore`` then uses the passphrase)."""
    file = getattr(args, "recovery_key_file", None)
    if file:
        return read_secret_file(file, "recovery key")
    env = os.environ.get(RECOVERY_ENV)
    if env:
        return env
    return prompt("Recovery key: ") if ask else None
