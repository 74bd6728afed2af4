"""Settings, the neutral face, the Help panel and the desktop files."""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QDialogButtonBox
from PySide6.QtWidgets import QLabel

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import FakeDiary
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from victim_log import paths
from victim_log.gui.shell.helppanel import HelpPanel
from victim_log.gui.shell.helppanel import default_helplines
from victim_log.gui.shell.helppanel import helplines_for
from victim_log.gui.shell.helppanel import parse_helplines
from victim_log.gui.shell.mainwindow import MainWindow
from victim_log.gui.shell.neutral import apply_face
from victim_log.gui.shell.neutral import face_for
from victim_log.gui.shell.neutral import neutral_faces
from victim_log.gui.shell.neutral import own_face
from victim_log.gui.shell.session import Session
from victim_log.prefs import Prefs
from victim_log.prefs import load_prefs
from victim_log.prefs import prefs_path
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ROOT = Path(__file__).resolve().parents[3]
LINUX = ROOT / "packaging" / "linux"


@pytest.fixture
def unlocked(qtbot, tmp_path):
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    vault.lock()
    window, session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    return window, session


@pytest.fixture
def restore_app_face():
    app = QApplication.instance()
    before = (
        app.applicationName(),
        app.organizationName(),
        app.applicationDisplayName(),
        app.desktopFileName(),
    )
    yield
    app.setApplicationName(before[0])
    app.setOrganizationName(before[1])
    app.setApplicationDisplayName(before[2])
    app.setDesktopFileName(before[3])


def _panel_text(panel: HelpPanel) -> str:
    return "\n".join(label.text() for label in panel.findChildren(QLabel))


def test_default_helplines_are_the_uk_numbers():
    numbers = [h.number for h in default_helplines()]
    assert numbers == ["999", "101", "0808 802 0300", "0808 2000 247", "116 123"]
    assert "55" in default_helplines()[0].note


def test_help_panel_shows_numbers_and_guidance(qtbot):
    panel = HelpPanel()
    qtbot.addWidget(panel)
    text = _panel_text(panel)
    for number in ("999", "101", "0808 802 0300", "0808 2000 247", "116 123"):
        assert number in text
    assert "What to write down" in text
    assert "reference number" in text
    assert all(label.accessibleName() for label in panel.findChildren(QLabel))
    # A computer can be watched too (#22): said plainly, with where to get help checking.
    assert "If your phone or computer may be watched" in text
    assert "stalkerware" in text and "stopstalkerware.org" in text and "before you remove" in text


def test_help_is_reachable_while_locked(qtbot, tmp_path):
    window, _, _ = make_window(qtbot, tmp_path)
    assert window.help_action.isVisible()
    window.help_action.trigger()
    assert window.help_dock.isVisible()
    assert "0808 802 0300" in _panel_text(window.help_panel)


def test_parse_helplines_skips_bad_rows():
    rows = parse_helplines(
        [
            {"name": "IDVA Jo", "number": "07700 900111"},
            {"name": "no number"},
            "junk",
            {"name": "Bell\x07", "number": "1\u202e23"},
        ]
    )
    assert rows[0].name == "IDVA Jo"
    assert len(rows) == 2
    assert "\x07" not in rows[1].name
    assert "\u202e" not in rows[1].number
    assert parse_helplines("nonsense") == []


def test_own_helplines_saved_in_the_vault_and_hidden_when_locked(qtbot, unlocked, monkeypatch):
    window, session = unlocked

    def add_row(dialog):
        dialog._append_row("My support worker Jo", "07700 900111", "weekdays")

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), add_row)
    window.toggle_help()
    window.open_settings()
    stored = json.loads(session.require().get_setting("helplines"))
    assert stored[-1]["name"] == "My support worker Jo"
    assert "My support worker Jo" in _panel_text(window.help_panel)
    window.locker.lock()
    assert not window.help_dock.isVisible()
    qtbot.waitUntil(lambda: "My support worker Jo" not in _panel_text(window.help_panel))
    assert [h.number for h in helplines_for(None)][0] == "999"
    unlock_via_gui(qtbot, window)
    assert "My support worker Jo" in _panel_text(window.help_panel)


def test_case_title_and_initials(qtbot, unlocked, monkeypatch):
    window, session = unlocked

    def fill(dialog):
        dialog.case_title.setText("Log of Sam Morgan")
        dialog.owner_name.setText("Sam Morgan")
        dialog.initials.setText("S/1")
        assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        assert "letters" in dialog.problem.text()
        dialog.initials.setText("sm")
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), fill)
    window.open_settings()
    assert session.require().get_setting("case_title") == "Log of Sam Morgan"
    assert session.require().get_setting("owner_name") == "Sam Morgan"
    assert session.require().get_setting("initials") == "SM"


def test_shortcut_that_clashes_is_refused(qtbot, unlocked, monkeypatch):
    window, session = unlocked

    def clash(dialog):
        dialog.shortcut.setKeySequence(QKeySequence("Ctrl+L"))
        assert "already used" in dialog.problem.text()
        dialog.shortcut.setKeySequence(QKeySequence("K"))
        assert "Ctrl or Alt" in dialog.problem.text()
        assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected), clash)
    window.open_settings()
    assert session.require().get_setting("quick_exit_shortcut") == ""


def test_unchanged_settings_write_nothing(qtbot, unlocked, monkeypatch):
    window, session = unlocked
    entries = len(session.require().journal_entries())
    before = (
        session.require().conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'setting:%'").fetchone()[0]
    )
    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted))
    window.open_settings()
    after = (
        session.require().conn.execute("SELECT count(*) FROM meta WHERE key LIKE 'setting:%'").fetchone()[0]
    )
    assert after == before
    assert len(session.require().journal_entries()) == entries


def test_neutral_face_from_settings(qtbot, unlocked, monkeypatch, restore_app_face, tmp_path):
    window, session = unlocked

    def choose(dialog):
        dialog.neutral.setChecked(True)
        dialog.face.setCurrentIndex(dialog.face.findData("notes"))

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), choose)
    window.open_settings()
    assert load_prefs() == Prefs(neutral_face=True, face="notes")
    assert set(json.loads(prefs_path().read_text(encoding="utf-8"))) == {
        "look"
    }  # one innocent key (prefs.py)
    assert window.windowTitle() == "Notes"
    assert QApplication.applicationDisplayName() == "Notes"
    assert QApplication.desktopFileName() == "org.victimlog.Notes"
    # Next start: the locked screen says nothing about a diary.
    window.locker.lock()
    window.close()
    again, _, _ = make_window(qtbot, tmp_path, prefs=load_prefs())
    assert again.windowTitle() == "Notes"
    assert again.unlock.heading.text() == "Locked"
    shown = " ".join(w.text() for w in again.unlock.findChildren(QLabel) if w.isVisible())
    assert "diary" not in shown.lower()


def test_faces_and_icons():
    assert face_for(Prefs()) == own_face()
    assert face_for(Prefs(neutral_face=True, face="calculator")).name == "Calculator"
    for face in (own_face(), *neutral_faces().values()):
        assert not face.icon().isNull()
        assert (LINUX / f"{face.desktop_id}.desktop").is_file()


def test_apply_face_sets_names(restore_app_face):
    app = QApplication.instance()
    apply_face(app, neutral_faces()["calculator"])
    assert app.applicationName() == "calculator"
    assert app.applicationDisplayName() == "Calculator"
    assert app.desktopFileName() == "org.victimlog.Calculator"


def test_desktop_files_match_faces():
    for face in (own_face(), *neutral_faces().values()):
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str
        parser.read(LINUX / f"{face.desktop_id}.desktop", encoding="utf-8")
        entry = parser["Desktop Entry"]
        assert entry["Name"] == face.name
        assert entry["Icon"] == face.desktop_id
        assert entry["StartupWMClass"] == face.app_name
        if face.key != "victimlog":
            # What the menu and taskbar show (ids and Exec are not shown) gives nothing away.
            shown = " ".join(entry.get(k, "") for k in ("Name", "GenericName", "Comment", "Keywords"))
            for word in ("victim", "stalk", "harass", "diary", "evidence", "police"):
                assert word not in shown.lower()


def test_desktop_files_validate():
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (desktop-file-utils)")
    for path in sorted(LINUX.glob("*.desktop")):
        result = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_validates():
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed (appstream)")
    path = LINUX / "org.victimlog.VictimLog.metainfo.xml"
    result = subprocess.run(
        [tool, "validate", "--no-net", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_and_toolbar_controls_have_accessible_names(qtbot, unlocked, monkeypatch):
    from PySide6.QtWidgets import QAbstractButton
    from PySide6.QtWidgets import QAbstractSpinBox
    from PySide6.QtWidgets import QComboBox
    from PySide6.QtWidgets import QKeySequenceEdit
    from PySide6.QtWidgets import QLineEdit
    from PySide6.QtWidgets import QTableWidget

    window, _ = unlocked
    seen = []

    def check(dialog):
        seen.append(dialog)
        for kind in (QAbstractButton, QLineEdit, QAbstractSpinBox, QComboBox, QTableWidget):
            for w in dialog.findChildren(kind):
                inner = isinstance(w.parent(), QAbstractSpinBox | QKeySequenceEdit | QComboBox)
                if inner or w.objectName().startswith("qt_"):
                    continue  # part of a composite control that carries the name
                assert w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()), (
                    f"{type(w).__name__} {w.objectName()}"
                )

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Rejected), check)
    window.open_settings()
    assert seen
    for act in (*window.diary_actions, window.help_action, window.quick_exit_action):
        button = window.toolbar.widgetForAction(act) or window.exit_toolbar.widgetForAction(act)
        assert button.accessibleName()
        assert button.focusPolicy() != button.focusPolicy().NoFocus


def test_neutral_face_renames_the_folders_once_the_vault_is_locked(qtbot, monkeypatch, restore_app_face):
    """#17.8: Settings saves the choice with apply_neutral_face (the state folder moves at
    once); the vault's folder follows at the lock, and the next unlock finds it there."""
    monkeypatch.delenv("VICTIM_LOG_VAULT")
    monkeypatch.delenv("VICTIM_LOG_STATE")
    plain = paths.default_vault_dir()
    assert paths.APP_DIR_NAME in plain.parts
    Vault.create(plain, PASSPHRASE)[0].lock()
    session = Session(plain)
    window = MainWindow(session, Prefs(), quit_app=lambda: None, diary_factory=FakeDiary)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    unlock_via_gui(qtbot, window)

    def choose(dialog):
        dialog.neutral.setChecked(True)

    DialogAnswers(monkeypatch, int(QDialog.DialogCode.Accepted), choose)
    window.open_settings()
    assert paths.NEUTRAL_DIR_NAME in paths.state_dir().parts  # at once
    assert session.vault_dir == plain and plain.is_dir()  # open: it cannot move yet
    window.locker.lock("manual")
    assert not plain.exists()
    assert paths.NEUTRAL_DIR_NAME in session.vault_dir.parts
    assert paths.vault_exists(session.vault_dir)
    unlock_via_gui(qtbot, window)
    assert session.is_unlocked
    window.locker.lock("manual")


def test_neutral_face_names_every_window_and_hides_help_while_locked(
    qtbot, tmp_path, restore_app_face, monkeypatch
):
    """#18.5: with the neutral face, a dialog or error box is titled with the face's
    name (the taskbar shows titles), and the locked window shows no Help or Quick exit."""
    from victim_log.gui.widgets import dialogs

    Vault.create(tmp_path / "vault", PASSPHRASE)[0].lock()
    prefs = Prefs(neutral_face=True, face="notes")
    apply_face(QApplication.instance(), face_for(prefs))
    window, session, _ = make_window(qtbot, tmp_path, prefs=prefs)
    assert window.windowTitle() == "Notes"
    assert not window.help_action.isVisible() and not window.quick_exit_action.isVisible()
    window.help_action.trigger()  # F1 does nothing either: help is behind the unlock
    assert not window.help_dock.isVisible()
    unlock_via_gui(qtbot, window)
    assert window.help_action.isVisible() and window.quick_exit_action.isVisible()

    titles = record_titles(monkeypatch)
    dialogs.show_error(window, ValueError("boom"))  # titled "Victim Log" by its code
    window.open_settings()
    assert titles == ["Notes", "Notes"]
    window.locker.lock()
    assert not window.help_action.isVisible() and not window.quick_exit_action.isVisible()


def test_own_face_keeps_dialog_titles(qtbot, unlocked, monkeypatch):
    window, _session = unlocked
    titles = record_titles(monkeypatch)
    window.open_settings()
    assert titles == ["Settings"]


def record_titles(monkeypatch) -> list[str]:
    """Stand in for the dialog seam: show each dialog and keep its title as shown."""
    from victim_log.gui.widgets import dialogs

    titles: list[str] = []

    def record(dialog):
        dialog.show()
        titles.append(dialog.windowTitle())
        return 0

    monkeypatch.setattr(dialogs, "run_dialog", record)
    return titles


@pytest.mark.parametrize(("choice", "title"), [("notes", "Notes"), ("own", "Victim Log")])
def test_first_start_asks_the_look_before_showing_the_name(qtbot, tmp_path, restore_app_face, choice, title):
    """#18.5: the very first start wears the plain face and asks how the app should
    show before anything says "Victim Log"; the choice is saved and worn at once."""
    from PySide6.QtWidgets import QAbstractButton

    from tests.gui.shellfixtures import create_vault_via_gui

    session = Session(tmp_path / "vault")
    window = MainWindow(session, Prefs(), quit_app=lambda: None, diary_factory=FakeDiary, ask_look=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    fr = window.firstrun
    assert window.windowTitle() == "Notes"
    assert fr.pages.currentIndex() == fr.LOOK
    widgets = [*window.findChildren(QLabel), *window.findChildren(QAbstractButton)]
    shown = [w.text() for w in widgets if w.isVisible()]
    assert not any("Victim Log" in text for text in shown), shown
    assert not prefs_path().exists()  # nothing written before the choice
    assert not window.help_action.isVisible()  # its numbers say what the app is for

    fr.look_buttons["" if choice == "own" else choice].click()
    qtbot.mouseClick(fr.look_button, Qt.MouseButton.LeftButton)
    assert window.windowTitle() == title
    assert load_prefs() == Prefs(neutral_face=choice != "own", face="notes")
    assert fr.pages.currentIndex() == fr.CREATE
    assert window.help_action.isVisible() == (choice == "own")
    create_vault_via_gui(qtbot, window)
    assert window.windowTitle() == title
