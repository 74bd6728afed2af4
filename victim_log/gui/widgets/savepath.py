"""Asking where to save a file: the one seam every "Save…" goes through.

The dialog is :mod:`.privacy`'s file dialog that remembers nothing on the disk (no
history, no recent documents). It starts in the folder used last, remembered only
inside the encrypted diary (#18): the diary given as ``remember``, else the unlocked
diary of the window asking (a dialog of the diary holds its ``session``: an export,
a backup); a window of no diary (the bundle viewer) starts at home. Tests replace
:func:`choose_save_path` on this module to answer without a dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QWidget

from . import privacy


def diary_of(window: QWidget | None) -> privacy.FolderMemory | None:
    """The unlocked vault of ``window``'s session or its nearest parent's, if any."""
    while window is not None:
        session = getattr(window, "session", None)
        if session is not None and getattr(session, "is_unlocked", False):
            vault: privacy.FolderMemory | None = getattr(session, "vault", None)
            return vault
        window = window.parentWidget()
    return None


def choose_save_path(
    parent: QWidget | None,
    title: str,
    suggested_name: str,
    *,
    name_filters: Sequence[str] = (),
    suffix: str = "",
    remember: privacy.FolderMemory | None = None,
) -> Path | None:
    """The path the person chose to save to, or None if they cancelled.

    ``suffix`` (without a dot) is added when the typed name has none; the dialog
    starts in the folder last used in ``remember`` (default: :func:`diary_of` the
    parent), see :func:`privacy.pick_paths`.
    """
    chosen = privacy.pick_paths(
        parent,
        privacy.Mode.SAVE,
        title,
        name_filters=list(name_filters),
        default_suffix=suffix,
        suggested_name=suggested_name,
        remember=remember if remember is not None else diary_of(parent),
    )
    return chosen[0] if chosen else None
