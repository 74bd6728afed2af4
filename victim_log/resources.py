"""Where the app's runtime files live (the top-level ``resources/`` folder).

Why a helper: code must not guess paths relative to the working directory. In a
source checkout or an editable install, ``resources/`` sits beside the ``victim_log``
package; a frozen build must copy it to the same place relative to the package.
"""

from __future__ import annotations

from pathlib import Path

import victim_log

from .errors import NotFound


def resources_dir() -> Path:
    return Path(victim_log.__file__).resolve().parent.parent / "resources"


def resource_path(name: str) -> Path:
    """The path of resource ``name`` (a plain file name); NotFound if it is missing."""
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        raise NotFound(f"{name!r} is not a resource name.")
    path = resources_dir() / name
    if not path.is_file():
        raise NotFound(
            f"A file Victim Log needs is missing ({name}). Please reinstall Victim Log."
        )
    return path
