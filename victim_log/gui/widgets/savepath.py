"""Asking where to save a file: the one seam every "Save…" goes through.

The dialog is :mod:`.privacy`'s file dialog that remembers nothing (no history, no
recent documents). Tests replace :func:`choose_save_path` on this module to answer
without a dialog.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QWidget

from . import privacy


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

    ``suffix`` (without a dot) is added when the typed name has none; with ``remember``
    (an open vault) the dialog starts in the folder last used (see :func:`privacy.pick_paths`).
    """
    chosen = privacy.pick_paths(
        parent,
        privacy.Mode.SAVE,
        title,
        name_filters=list(name_filters),
        default_suffix=suffix,
        suggested_name=suggested_name,
        remember=remember,
    )
    return chosen[0] if chosen else None
