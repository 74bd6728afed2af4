"""The app menu wears the chosen face too (#18.5).

A packaged install puts one desktop file in the system's ``applications`` folder,
saying "Victim Log". When the person chooses a neutral face, the app writes, in
their own ``~/.local/share/applications``, the chosen face's entry ("Notes") and,
for each other face, an entry with ``Hidden=true``, which by the freedesktop rules
hides the system's entry of the same id from menus and searches. Back to the own
face, the hiding entries are replaced the other way round.

Only files this module wrote (marked ``X-VictimLog-Managed=true``) are ever replaced,
and nothing is written when no entry of ours is installed at all: running from a
source checkout never adds the app to anyone's menu.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from collections.abc import Sequence
from pathlib import Path

from ...fsutil import atomic_write_bytes
from .neutral import Face
from .neutral import all_faces
from .neutral import icon_path
from .session import carry_on

MANAGED = "X-VictimLog-Managed=true"
DEFAULT_EXEC = "victim-log gui"

_COMMENTS = {
    "victimlog": "Keep a private, locked diary of what is happening, with evidence",
    "notes": "Write notes",
    "calculator": "Do sums",
}
_CATEGORIES = {"victimlog": "Office;", "notes": "Utility;TextEditor;", "calculator": "Utility;Calculator;"}


def user_applications_dir() -> Path:
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "applications"


def system_applications_dirs() -> list[Path]:
    dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(d) / "applications" for d in dirs.split(os.pathsep) if d]


def _file(folder: Path, face: Face) -> Path:
    return folder / f"{face.desktop_id}.desktop"


def _ours(path: Path) -> bool:
    try:
        return MANAGED in path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False


def _installed_exec(faces: Sequence[Face], folders: Iterable[Path]) -> str | None:
    """The ``Exec=`` of an entry of ours a package installed, or None if there is none."""
    for folder in folders:
        for face in faces:
            path = _file(folder, face)
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            if MANAGED in lines:
                continue
            for line in lines:
                if line.startswith("Exec="):
                    return line[len("Exec=") :].strip() or DEFAULT_EXEC
            return DEFAULT_EXEC
    return None


def entry_text(face: Face, command: str) -> str:
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={face.name}",
        f"Comment={_COMMENTS.get(face.key, '')}",
        f"Exec={command}",
        f"Icon={icon_path(face)}",
        "Terminal=false",
        f"Categories={_CATEGORIES.get(face.key, 'Utility;')}",
        "StartupNotify=true",
        f"StartupWMClass={face.app_name}",
        MANAGED,
    ]
    return "\n".join(lines) + "\n"


def hidden_text(worn: Face) -> str:
    """An entry that hides a face's system entry; it names only the face worn."""
    lines = ["[Desktop Entry]", "Type=Application", f"Name={worn.name}", "Hidden=true", MANAGED]
    return "\n".join(lines) + "\n"


def switch_desktop_entry(
    face: Face,
    faces: Sequence[Face],
    *,
    user_dir: Path | None = None,
    system_dirs: Sequence[Path] | None = None,
) -> list[Path]:
    """Make the app menu show ``face`` and hide the others; returns the files written."""
    user = user_dir or user_applications_dir()
    command = _installed_exec(faces, system_dirs if system_dirs is not None else system_applications_dirs())
    if command is None:
        command = _installed_exec(faces, [user])  # installed by hand, in the user's own folder
        if command is None and not any(_ours(_file(user, f)) for f in faces):
            return []  # not installed anywhere: add nothing to anyone's menu
    written: list[Path] = []
    for other in faces:
        path = _file(user, other)
        if path.exists() and not _ours(path):
            continue  # the person's own file (or a package's): never ours to replace
        text = entry_text(face, command or DEFAULT_EXEC) if other.key == face.key else hidden_text(face)
        try:
            current = path.read_text(encoding="utf-8") if path.exists() else None
        except OSError:
            current = None
        if current == text:
            continue
        user.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, text.encode("utf-8"), "the app menu entry")
        written.append(path)
    return written


def wear_in_menu(face: Face) -> None:
    """The app menu follows the face (a user-level desktop entry); never stops the app."""
    with carry_on():
        switch_desktop_entry(face, all_faces())
