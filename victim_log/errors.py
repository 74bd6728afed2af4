"""The error hierarchy every face (CLI, GUI) maps to messages and exit codes.

Messages are written for the person using the app: plain, kind, and never holding
diary text, evidence content or key material (a canary test enforces it). They may
hold ids, counts and file names the user typed themselves.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEM = 1  # a check found a problem (tampering, missing blob, invalid bundle)
EXIT_BAD_INPUT = 2  # usage or bad input
EXIT_LOCKED = 3  # wrong passphrase or locked vault


class VictimLogError(Exception):
    """Base of every error we expect; anything else is a bug and is logged, not shown."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInput(VictimLogError):
    """The user or a file gave us something we cannot use. Nothing was changed."""


class UsageError(BadInput):
    """The command line was not well formed."""


class NotFound(BadInput):
    """An id or file the user named does not exist."""


class DiskFull(BadInput):
    """The disk ran out of space (or another write error). Nothing was changed."""


class VaultMissing(BadInput):
    """There is no vault where we looked."""


class VaultExists(BadInput):
    """`init` refused to overwrite a vault that is already there."""


class VaultCorrupt(VictimLogError):
    """A vault file is damaged or from an unknown format; we refuse rather than guess."""

    exit_code = EXIT_PROBLEM


class NewerSchema(BadInput):
    """The vault was written by a newer Victim Log; opening it could lose data."""


class ReadOnlyVault(BadInput):
    """The vault directory cannot be written."""


class VaultBusy(BadInput):
    """Another window or process is writing to the vault and did not finish in time.
    Nothing was changed; the same action a moment later usually works. Exit code 2
    (as before this class existed): scripts may simply try again."""


class WrongPassphrase(VictimLogError):
    """The passphrase or recovery key did not open the vault."""

    exit_code = EXIT_LOCKED


class VaultLocked(VictimLogError):
    """An operation needed an open vault and it is locked."""

    exit_code = EXIT_LOCKED


class IntegrityError(VictimLogError):
    """Stored data failed verification (hash chain, blob hash, AEAD tag)."""

    exit_code = EXIT_PROBLEM


class BundleInvalid(VictimLogError):
    """An export bundle was read but something in it does not verify."""

    exit_code = EXIT_PROBLEM


class NotABundle(BadInput):
    """The file is not a Victim Log bundle, or cannot be read safely."""
