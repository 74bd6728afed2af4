"""Where the app's runtime files live (the top-level ``resources/`` folder).

Why a helper: code must not guess paths relative to the working directory. In a
source checkout or an editable install, ``resources/`` sits beside the ``victim_log``
package; a frozen build must copy it to the same place relative to the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import victim_log

from .errors import NotFound


def _candidates() -> list[Path]:
    here = Path(victim_log.__file__).resolve().parent
    found = [here.parent / "resources"]  # source checkout, editable install
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        found.append(Path(frozen) / "resources")  # PyInstaller bundle
    found.append(Path(sys.prefix) / "share" / "victim-log" / "resources")  # wheel data files
    return found


def resources_dir() -> Path:
    """The first place that holds our resources (checked by a marker file)."""
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / "helplines.json").is_file():
            return candidate
    return candidates[0]


def resource_path(name: str) -> Path:
    """The path of resource ``name`` (e.g. ``demo/case.json``); NotFound if it is missing."""
    parts = name.split("/")
    if not name or "\\" in name or any(p in ("", ".", "..") for p in parts):
        raise NotFound(f"{name!r} is not a resource name.")
    path = resources_dir() / name
    if not path.is_file():
        raise NotFound(f"A file Victim Log needs is missing ({name}). Please reinstall Victim Log.")
    return path
