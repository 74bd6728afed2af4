"""The first screen must not wait for code it does not use.

Cold start to a painted unlock screen has a budget of 0.8 s (issue 5), and most of it
is Qt's own. The vault's code (SQLCipher, cryptography, the model of the diary) and
the screens behind the lock load after the first paint; this test fails if an import
at the top of a start-up module pulls them back in.
"""

from __future__ import annotations

import subprocess
import sys

LATER = (
    "victim_log.vault",
    "victim_log.store.db",
    "victim_log.gui.shell.settings",
    "victim_log.gui.diary.view",
    "victim_log.gui.diary.timeline",
    "victim_log.gui.diary.timeline_model",
    "victim_log.gui.diary.editor",
    "victim_log.gui.tools.importwizard.wizard",
    "victim_log.gui.tools.exportdialog",
    "victim_log.gui.tools.backupdialog",
    "victim_log.gui.tools.bundleviewer",
)


def test_starting_the_app_leaves_the_vault_code_for_later() -> None:
    code = (
        "import sys\n"
        "import victim_log.cli, victim_log.gui.shell.app\n"
        f"print(','.join(m for m in {LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""
