"""Several diaries on one computer (#18): the list of labels a support worker chose.

Why: an advocate's installation holds a diary for each person they support, each
its own vault with its own passphrase. Before one is unlocked the app may show only
what the worker typed as each one's label, never anything from inside a vault, so
this list is a small plaintext file holding a label and a folder per diary and
nothing else (unknown keys are dropped on read and never written back). It is not
Qt's recent-files list and is never shown to the operating system's.

Diaries the app makes live beside the usual one in the app's data folder and are
kept as paths relative to it, so they follow the folder when the neutral face
renames it (:func:`victim_log.paths.relocate`); a diary elsewhere is kept by its
absolute path. A folder that has gone (a removed USB stick) stays in the list,
marked missing, until the worker removes it.

A diary folder made elsewhere (restored from a backup, copied from a colleague's
machine, made with the command line's ``--vault PATH``) is added under a label with
:func:`add_existing`: only a folder that holds a diary (its key file and database),
and only once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from . import paths
from .errors import BadInput
from .prefs import read_small_json
from .prefs import write_small_json

__all__ = [
    "LIST_NAME",
    "Case",
    "add_existing",
    "clean_label",
    "diary_folder",
    "forget",
    "known_cases",
    "list_path",
    "load_cases",
    "new_case_dir",
    "remember",
]

LIST_NAME = "notebooks.json"  # a plain name: says nothing of what is kept
CASES_SUBDIR = "more"
MAX_LABEL = 60
_MAX_BYTES = 64 * 1024
_MAX_CASES = 200


@dataclass(frozen=True)
class Case:
    """One diary the worker named: its label (exactly as typed) and its folder."""

    label: str
    path: Path

    @property
    def missing(self) -> bool:
        """Its folder holds no vault any more (moved, removed, a drive not plugged in)."""
        try:
            return not paths.vault_exists(self.path)
        except OSError:
            return True


def list_path() -> Path:
    return paths.state_dir() / LIST_NAME


def _data_root() -> Path:
    return paths.default_vault_dir().parent


def _stored(path: Path) -> str:
    try:
        return Path(path).relative_to(_data_root()).as_posix()
    except ValueError:
        return str(path)


def _resolved(stored: str) -> Path:
    p = Path(stored)
    return p if p.is_absolute() else _data_root() / p


def clean_label(label: str) -> str:
    """``label`` with its spaces tidied; BadInput if empty, too long or unprintable."""
    label = " ".join(label.split())
    if not label:
        raise BadInput("Please give this diary a label you will recognise.")
    if len(label) > MAX_LABEL:
        raise BadInput(f"Please keep the label under {MAX_LABEL} characters.")
    if any(not ch.isprintable() for ch in label):
        raise BadInput("The label has characters that cannot be shown.")
    return label


def _folder_name(where: object) -> TypeGuard[str]:
    """Could ``where`` (from the list, which anyone with the computer can edit) name a
    folder? Not with a NUL, nor with a lone surrogate ("\\ud800" is valid JSON) other
    than the escapes of a name that is not UTF-8 (which the list keeps as they are)."""
    if not isinstance(where, str) or not where or "\x00" in where:
        return False
    try:
        where.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return False
    return True


def load_cases(path: Path | None = None) -> list[Case]:
    """The diaries in the list, in the order added. Never raises: a damaged list is
    an empty one (each diary still opens by its folder)."""
    data = read_small_json(path or list_path(), _MAX_BYTES)
    items = data.get("notebooks") if data is not None else None
    out: list[Case] = []
    seen: set[Path] = set()
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        label, where = item.get("label"), item.get("path")
        if not isinstance(label, str) or not _folder_name(where):
            continue
        try:
            case = Case(clean_label(label), _resolved(where))
        except BadInput:
            continue
        if case.path not in seen:
            seen.add(case.path)
            out.append(case)
    return out[:_MAX_CASES]


def _save(cases: list[Case], path: Path | None) -> None:
    body = {"notebooks": [{"label": c.label, "path": _stored(c.path)} for c in cases]}
    write_small_json(path or list_path(), dict(body), "the list of diaries")


def remember(label: str, folder: Path, path: Path | None = None) -> list[Case]:
    """Add ``folder`` under ``label`` (or relabel it); returns the new list."""
    label = clean_label(label)
    cases = load_cases(path)
    folder = Path(folder)
    if any(c.label == label and c.path != folder for c in cases):
        raise BadInput("Another diary in the list has that label. Please choose another.")
    if any(c.path == folder for c in cases):
        cases = [Case(label, c.path) if c.path == folder else c for c in cases]
    else:
        if len(cases) >= _MAX_CASES:
            raise BadInput(f"The list holds at most {_MAX_CASES} diaries.")
        cases.append(Case(label, folder))
    _save(cases, path)
    return cases


def diary_folder(folder: Path) -> Path:
    """``folder`` as the diary it holds (its absolute path), or the ``vault`` folder
    inside it (the app's data folder, or the folder a backup was restored into);
    BadInput with what to choose instead if it holds no diary."""
    folder = Path(folder).expanduser().absolute()
    for candidate in (folder, folder / paths.VAULT_SUBDIR):
        try:
            if (candidate / paths.KEY_NAME).is_file() and (candidate / paths.DB_NAME).is_file():
                return candidate
        except OSError:
            break
    raise BadInput(
        f"That folder does not hold a diary. Choose the folder that has the files "
        f"{paths.KEY_NAME} and {paths.DB_NAME} in it (the folder given to --vault, or "
        f"the one a backup was restored into)."
    )


def _same(a: Path, b: Path) -> bool:
    try:
        return a == b or a.resolve() == b.resolve()
    except OSError:
        return False


def add_existing(label: str, folder: Path, path: Path | None = None) -> Case:
    """Add a diary folder made elsewhere under ``label`` (:func:`diary_folder` says
    which); BadInput if it holds no diary, is in the list already, or the label is
    taken. Nothing inside the diary is read."""
    label = clean_label(label)
    where = diary_folder(folder)
    listed = next((c for c in load_cases(path) if _same(c.path, where)), None)
    if listed is not None:
        raise BadInput(f'That diary is in the list already, as "{listed.label}".')
    remember(label, where, path)
    return Case(label, where)


def forget(folder: Path, path: Path | None = None) -> list[Case]:
    """Take ``folder`` off the list (the diary itself is not touched)."""
    cases = [c for c in load_cases(path) if c.path != Path(folder)]
    _save(cases, path)
    return cases


def known_cases(current: Path, path: Path | None = None) -> list[Case]:
    """The list, with the usual diary and the one in use (``current``) in it even
    before they were labelled (under an empty label: the app says "Unlabelled"), so
    opening another never loses the way back to them."""
    cases = load_cases(path)
    listed = {c.path for c in cases}
    extra = [
        Case("", folder)
        for folder in dict.fromkeys((paths.default_vault_dir(), Path(current)))
        if folder not in listed and paths.vault_exists(folder)
    ]
    return [*extra, *cases]


def new_case_dir() -> Path:
    """A fresh folder name for a new diary beside the usual one (not yet made)."""
    import secrets  # not needed to paint the first screen

    return _data_root() / CASES_SUBDIR / secrets.token_hex(8)
