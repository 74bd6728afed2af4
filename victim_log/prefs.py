"""The few choices that must be known before the vault is unlocked.

Everything else the person sets lives encrypted inside the vault. This file is
plaintext, so it holds only what the locked app needs to look right: whether to wear
a neutral face ("Notes", "Calculator") and which one. It must never hold diary text,
a vault path or anything that says what the app is for; unknown keys are dropped on
read and never written back, so a bug elsewhere cannot smuggle data into it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .fsutil import atomic_write_bytes, ensure_private_dir, translate_os_error

PREFS_NAME = "prefs.json"

# The neutral faces we ship (icons in resources/icons/neutral/). "notes" first: the default.
FACES: tuple[str, ...] = ("notes", "calculator")

_MAX_BYTES = 4096  # a prefs file bigger than this is not ours: ignore it


@dataclass(frozen=True)
class Prefs:
    """Non-secret choices read before unlock."""

    neutral_face: bool = False
    face: str = FACES[0]

    def validated(self) -> Prefs:
        face = self.face if self.face in FACES else FACES[0]
        return Prefs(neutral_face=bool(self.neutral_face), face=face)

    def to_dict(self) -> dict[str, object]:
        return {"neutral_face": self.neutral_face, "face": self.face}


def prefs_path() -> Path:
    return paths.state_dir() / PREFS_NAME


def load_prefs(path: Path | None = None) -> Prefs:
    """The saved choices, or the defaults if the file is missing, damaged or odd.

    Never raises: a broken prefs file must not stop someone reaching their diary.
    """
    path = path or prefs_path()
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except OSError:
        return Prefs()
    if len(raw) > _MAX_BYTES:
        return Prefs()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Prefs()
    if not isinstance(data, dict):
        return Prefs()
    neutral = data.get("neutral_face", False)
    face = data.get("face", FACES[0])
    return Prefs(
        neutral_face=neutral if isinstance(neutral, bool) else False,
        face=face if isinstance(face, str) else FACES[0],
    ).validated()


def save_prefs(prefs: Prefs, path: Path | None = None) -> None:
    """Write the choices atomically (0600 in a 0700 directory).

    Raises :class:`~victim_log.errors.DiskFull` or ``ReadOnlyVault`` with a plain
    message if the state directory cannot be written.
    """
    path = path or prefs_path()
    try:
        ensure_private_dir(path.parent)
    except OSError as exc:
        raise translate_os_error(exc, "your display preferences") from None
    body = json.dumps(prefs.validated().to_dict(), sort_keys=True).encode("utf-8") + b"\n"
    atomic_write_bytes(path, body, "your display preferences")
