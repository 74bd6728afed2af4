"""The first screen must not wait for code it does not use.

Cold start to a painted unlock screen has a budget (issue 5: within 1.6 times a bare
Qt window), and most of it is Qt's own. The vault's code (SQLCipher, cryptography, the
model of the diary), the screens behind the lock, the first run (most starts open an
existing diary), the D-Bus watch and the passphrase reader of the commands load after
the first paint; Qt for Python builds a class and every enum type it has the first
time the class is named, so the Qt classes only other screens use wait too. This test
fails if an import at the top of a start-up module pulls any of them back in.
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
    "victim_log.gui.shell.firstrun",
    "victim_log.gui.shell.passphrase",
    "victim_log.gui.shell.desktopentry",
    "victim_log.gui.shell.caselist",
    "victim_log.gui.widgets.privacy",
    "victim_log.gui.widgets.background_write",
    "victim_log.cli.parser",
    "victim_log.cli.session",
    "victim_log.model",
    "cryptography",
    "sqlcipher3",
    "getpass",
    "datetime",
    "PySide6.QtDBus",
    "PySide6.QtSvg",
)

# Qt classes the first screen does not show: naming one builds it and its enum types.
QT_LATER = (
    "QListView",
    "QListWidget",
    "QDateTimeEdit",
    "QPlainTextEdit",
    "QProgressBar",
    "QGroupBox",
    "QFileDialog",
    "QComboBox",
    "QGridLayout",
)


def test_starting_the_app_leaves_the_vault_code_for_later() -> None:
    code = (
        "import sys\n"
        "import victim_log.cli, victim_log.gui.shell.app\n"
        f"print(','.join(m for m in {LATER!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


def test_the_first_screen_names_only_the_qt_classes_it_shows() -> None:
    """Qt for Python makes a class (and its enums) when it is first looked up; a class
    nobody has looked up is still in its module's lazy table, not in its __dict__."""
    code = (
        "import victim_log.cli, victim_log.gui.shell.app\n"
        "from PySide6 import QtWidgets\n"
        f"print(','.join(n for n in {QT_LATER!r} if n in vars(QtWidgets)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""
