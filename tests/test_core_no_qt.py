"""The core must import, and work, with PySide6 absent (dangerzone's rule)."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "victim_log",
    "victim_log.cli",
    "victim_log.vault",
    "victim_log.evidence",
    "victim_log.model",
    "victim_log.crypto.keys",
    "victim_log.crypto.stream",
    "victim_log.store.db",
    "victim_log.store.journal",
    "victim_log.demo",
]

SCRIPT = """
import sys
sys.modules["PySide6"] = None  # any import of Qt now fails
import importlib, pkgutil
import victim_log
for name in %r:
    importlib.import_module(name)
for info in pkgutil.walk_packages(victim_log.__path__, "victim_log."):
    if info.name.startswith("victim_log.gui"):
        continue
    importlib.import_module(info.name)
assert "PySide6.QtCore" not in sys.modules
print("ok")
"""


def test_core_imports_without_pyside6() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT % CORE_MODULES], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
