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

from tests.startup_helpers import fresh_python

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


def _present_after_start(names: tuple[str, ...], where: str, setup: str) -> str:
    """Which of ``names`` are in ``where`` (evaluated in a new interpreter after
    ``setup``) once the app's start-up modules are imported, comma-separated."""
    return fresh_python(
        setup,
        "import victim_log.cli, victim_log.gui.shell.app",
        f"print(','.join(n for n in {names!r} if n in {where}))",
    )


def test_starting_the_app_leaves_the_vault_code_for_later() -> None:
    assert _present_after_start(LATER, "sys.modules", "import sys") == ""


def test_the_first_screen_names_only_the_qt_classes_it_shows() -> None:
    """Qt for Python makes a class (and its enums) when it is first looked up; a class
    nobody has looked up is still in its module's lazy table, not in its __dict__."""
    assert _present_after_start(QT_LATER, "vars(QtWidgets)", "from PySide6 import QtWidgets") == ""


def test_qt_for_python_reads_no_module_source_at_start_up() -> None:
    """The gui package answers Qt for Python's "does this module use PySide6?" itself
    (see victim_log/gui/__init__.py); Qt for Python used to read each module's source."""
    read = fresh_python(
        "import linecache",
        "import victim_log.cli",
        "from victim_log.cli.gui_start import gui_args",
        "import victim_log.gui.shell.app",
        "print(','.join(f for f in linecache.cache if 'victim_log' in f or 'typing' in f))",
    )
    assert read == ""
