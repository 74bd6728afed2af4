"""The few choices that must be known before the vault is unlocked.

Everything else the person sets lives encrypted inside the vault. This file is
plaintext, so it holds only what the locked app needs to look right: whether to wear
a neutral face ("Notes", "Calculator") and which one. It must never hold diary text,
a vault path or anything that says what the app is for; unknown keys are dropped on
read and never written back, so a bug elsewhere cannot smuggle data into it.

On disk it is one innocent key, ``{"look": "notes"}`` (or ``"calculator"``, or
``"plain"`` without the neutral face): the old ``neutral_face`` field said in so many
words that the app was hiding behind another one. Old files are still read, and
rewritten in the new form the next time the choice is saved.

Turning the neutral face on or off also renames the app's folders
(:func:`victim_log.paths.relocate`): the state folder at once, the data folder when no
vault is open (:func:`settle_location`, at start-up, after each lock and at quit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .fsutil import atomic_write_bytes
from .fsutil import ensure_private_dir
from .fsutil import translate_os_error

PREFS_NAME = "prefs.json"

# The neutral faces we ship (icons in resources/icons/neutral/). "notes" first: the default.
FACES: tuple[str, ...] = ("notes", "calculator")

PLAIN_LOOK = "plain"

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
        return {"look": self.face if self.neutral_face else PLAIN_LOOK}


def prefs_path() -> Path:
    return paths.state_dir() / PREFS_NAME


def load_prefs(path: Path | None = None) -> Prefs:
    """The saved choices, or the defaults if the file is missing, damaged or odd.

    Never raises: a broken prefs file must not stop someone reaching their diary.
    """
    data = read_small_json(path or prefs_path(), _MAX_BYTES)
    if data is None:
        return Prefs()
    look = data.get("look")
    if isinstance(look, str):
        return Prefs(neutral_face=look in FACES, face=look if look in FACES else FACES[0])
    neutral = data.get("neutral_face", False)  # the old form
    face = data.get("face", FACES[0])
    return Prefs(
        neutral_face=neutral if isinstance(neutral, bool) else False,
        face=face if isinstance(face, str) else FACES[0],
    ).validated()


def save_prefs(prefs: Prefs, path: Path | None = None) -> None:
    """Write the choices atomically (0600 in a 0700 directory).

    In the usual place (no ``path``), the state folder is first renamed to match the
    neutral-face choice; if that cannot be done the choice is saved where the folder
    is, and :func:`settle_location` tries the move again later.

    Raises :class:`~victim_log.errors.DiskFull` or ``ReadOnlyVault`` with a plain
    message if the state directory cannot be written.
    """
    if path is None:
        paths.relocate(prefs.validated().neutral_face, data=False)
    write_small_json(path or prefs_path(), prefs.validated().to_dict(), "your display preferences")


def read_small_json(path: Path, max_bytes: int) -> dict[str, object] | None:
    """A small plaintext JSON object the app keeps before unlock (these prefs, the list
    of diaries): None if it is missing, bigger than ``max_bytes``, damaged or not an
    object. Never raises: such a file must never stop someone reaching their diary."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError:
        return None
    if len(raw) > max_bytes:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # RecursionError: nested too deep
        return None
    return data if isinstance(data, dict) else None


def write_small_json(path: Path, data: dict[str, object], what: str) -> None:
    """Write ``data`` atomically (0600 in a 0700 folder); DiskFull or ReadOnlyVault
    with a plain message naming ``what`` if it cannot be written."""
    try:
        ensure_private_dir(path.parent)
    except OSError as exc:
        raise translate_os_error(exc, what) from None
    # ASCII with \u escapes: a folder name that is not UTF-8 (held as surrogate escapes)
    # is kept exactly and the file stays UTF-8; json reads it back the same.
    body = json.dumps(data, sort_keys=True, ensure_ascii=True).encode("ascii") + b"\n"
    atomic_write_bytes(path, body, what)


def apply_neutral_face(enabled: bool, face: str = FACES[0]) -> Prefs:
    """Turn the neutral face on or off (the Settings toggle): save the choice, give the
    state folder its new name now, and return what was saved.

    The vault's folder is renamed by :func:`settle_location` once no vault is open.
    """
    prefs = Prefs(neutral_face=enabled, face=face).validated()
    save_prefs(prefs)
    return prefs


def settle_location(vault_dir: Path) -> Path:
    """Rename the app's folders to match the saved choice; call with no vault open.

    ``vault_dir`` is the vault folder in use; if it is the usual one, or another diary
    kept in the same data folder, and it moved, the new place is returned (use it from
    now on), otherwise ``vault_dir`` unchanged. A
    move that fails leaves the folders where they were and is tried again next time.
    """
    usual = paths.default_vault_dir()
    paths.relocate(load_prefs().neutral_face)
    if Path(vault_dir) == usual:
        return paths.default_vault_dir()
    try:  # another diary kept beside the usual one (several diaries, #18) moved with it
        inside = Path(vault_dir).relative_to(usual.parent)
    except ValueError:
        return Path(vault_dir)
    return paths.default_vault_dir().parent / inside
