"""The desktop app: the only package that imports Qt. It holds no business logic.

One adjustment to Qt for Python is made here, before any of the app's modules load
(start-up time, issue 5). Qt for Python replaces Python's ``import`` with its own and,
the first time it sees each module imported after it (the app's own modules and the
standard library's they use, about ninety at start-up), reads that module's whole
source to see whether it mentions PySide6. The answer only matters to a module that
selects one of Qt for Python's optional ``__feature__`` s (snake_case names,
true properties), which none of ours does (a test checks). So the app answers "no"
without reading the file; a module that does select a feature is still marked when
it imports one, by Qt for Python's own handling of that import. Reading those sources took
about a tenth of a bare Qt window's start-up time.
"""

from __future__ import annotations

import sys


def selects_no_feature(module: object) -> bool:
    """Qt for Python's question "does this module use PySide6?", answered without
    reading its source (see the package's docstring)."""
    return False


def _skip_feature_source_scan() -> None:
    try:
        import PySide6  # noqa: F401 - loads Qt for Python's import hook
    except ImportError:  # the app will say Qt is missing; nothing to adjust
        return
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", selects_no_feature)  # noqa: B010 - Qt for Python's own


_skip_feature_source_scan()
