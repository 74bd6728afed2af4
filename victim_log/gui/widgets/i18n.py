"""Marking the GUI's text for translation outside a QObject (module-level helpers)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def translator(context: str) -> Callable[[str], str]:
    """``tr`` for plain functions: ``_tr = translator("Timeline")`` in a module, then
    ``_tr("Today")``; the context groups the module's strings for translators."""

    def tr(text: str) -> str:
        return QCoreApplication.translate(context, text)

    return tr
