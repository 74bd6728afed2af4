"""Leaving no traces on disk: file dialogs without history, no recent-documents lists.

Qt's own (non-native) file dialog remembers the folders it visited in
``~/.config/QtProject.conf`` (group ``FileDialog``: ``history``, ``lastVisited``,
``shortcuts``). Someone looking through the home folder could learn from it where
evidence or a recovery key was saved. Native dialogs are worse: the desktop adds
the file to ``recently-used.xbel``. So every file dialog we open is Qt's own, starts
with an empty history and a plain sidebar, and the ``FileDialog`` group is removed
as soon as the dialog is gone (Qt writes it from the dialog's destructor) and again
at start and exit. We never register recent documents with the desktop.

So that a person attaching a batch of screenshots is not sent back to the home folder
each time, the last folder used can be remembered inside the diary instead: in its
encrypted settings (:func:`pick_paths` with ``remember``), never on the disk in clear.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Protocol

import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFileDialog
from PySide6.QtWidgets import QWidget

from ...errors import VictimLogError
from . import dialogs

QT_SETTINGS_ORG = "QtProject"
FILE_DIALOG_GROUP = "FileDialog"


LAST_FOLDER_SETTING = "last_folder"


class FolderMemory(Protocol):
    """Where the last folder is kept: the vault's encrypted settings."""

    def get_setting(self, name: str, default: str = "") -> str: ...
    def set_setting(self, name: str, value: str) -> None: ...


class Mode(Enum):
    OPEN = "open"  # one existing file
    OPEN_MANY = "open_many"  # several existing files
    SAVE = "save"  # a new file name
    FOLDER = "folder"  # an existing folder


def _qt_project_settings() -> QSettings:
    return QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, QT_SETTINGS_ORG)


def clear_file_dialog_history() -> None:
    """Remove what Qt's file dialog remembered; delete QtProject.conf if that empties it.

    Other Qt programs share the file, so only our group goes; an empty file left
    behind would still tell someone that a Qt program ran, so it goes too.
    """
    settings = _qt_project_settings()
    settings.remove(FILE_DIALOG_GROUP)
    settings.sync()
    path = Path(settings.fileName())
    empty = not settings.allKeys()
    del settings
    if empty:
        with contextlib.suppress(OSError):
            if path.is_file() and not path.read_bytes().strip():
                path.unlink()


def file_dialog(
    parent: QWidget | None,
    mode: Mode,
    title: str,
    *,
    directory: Path | None = None,
    suggested_name: str = "",
    name_filters: Sequence[str] = (),
    default_suffix: str = "",
) -> QFileDialog:
    """A Qt (non-native) file dialog that remembers nothing.

    Callers normally use :func:`pick_paths`, which also runs the dialog through the
    test seam and scrubs Qt's settings afterwards.
    """
    dialog = QFileDialog(parent, title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    dialog.setObjectName("privateFileDialog")
    dialog.setAccessibleName(title)
    if mode is Mode.OPEN:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    elif mode is Mode.OPEN_MANY:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    elif mode is Mode.SAVE:
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # We write atomically and the name is the person's choice; Qt's overwrite
        # prompt is a QMessageBox, which stays.
    else:
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    if name_filters:
        dialog.setNameFilters(list(name_filters))
    if default_suffix:
        dialog.setDefaultSuffix(default_suffix)
    start = directory if directory is not None else Path.home()
    dialog.setDirectory(str(start))
    if suggested_name:
        dialog.selectFile(suggested_name)
    dialog.setHistory([])
    dialog.setSidebarUrls([QUrl.fromLocalFile(str(Path.home()))])
    return dialog


def pick_paths(
    parent: QWidget | None, mode: Mode, title: str, *, remember: FolderMemory | None = None, **kwargs: object
) -> list[Path]:
    """Ask for file(s) or a folder; returns [] if the person cancelled.

    The dialog is destroyed before returning (that is when Qt saves its history) and
    the history is then removed. With ``remember`` (an open vault) the dialog starts in
    the folder last used and the folder of this choice is kept, encrypted, for next time.
    """
    if remember is not None and "directory" not in kwargs:
        last = Path(remember.get_setting(LAST_FOLDER_SETTING) or Path.home())
        kwargs["directory"] = last if last.is_dir() else Path.home()
    dialog = file_dialog(parent, mode, title, **kwargs)  # type: ignore[arg-type]
    try:
        result = dialogs.exec_dialog(dialog)
        chosen = [Path(p) for p in dialog.selectedFiles()] if result == QDialog.DialogCode.Accepted else []
    finally:
        if shiboken6.isValid(dialog):
            shiboken6.delete(dialog)
        clear_file_dialog_history()
    if remember is not None and chosen:
        folder = chosen[0] if mode is Mode.FOLDER else chosen[0].parent
        with contextlib.suppress(VictimLogError):  # a convenience (locked meanwhile): never in the way
            if remember.get_setting(LAST_FOLDER_SETTING) != str(folder):
                remember.set_setting(LAST_FOLDER_SETTING, str(folder))
    return chosen
