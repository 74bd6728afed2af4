"""The log file: technical details of unexpected errors, never diary text.

Only the exception's type and the stack's file names, line numbers and function
names are written: messages and local values could hold what the person typed.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path

from . import paths


def log_path() -> Path:
    return paths.log_path()


def log_unexpected(exc: BaseException) -> Path | None:
    try:
        log = log_path()
        log.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        frames = traceback.extract_tb(exc.__traceback__)
        lines = [f"{time.strftime('%Y-%m-%dT%H:%M:%S')} unexpected {type(exc).__name__}"]
        lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
        with open(log, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        return log
    except OSError:
        return None
