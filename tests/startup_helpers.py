"""The start-up tests ask a new interpreter what starting the app loaded (issue 5)."""

from __future__ import annotations

import subprocess
import sys


def fresh_python(*lines: str) -> str:
    """What a new interpreter prints (stripped) after running ``lines``."""
    out = subprocess.run(
        [sys.executable, "-c", "\n".join(lines)], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.strip()
