"""The file dialog starts in the folder last used, remembered only inside the vault's
encrypted settings (#18): never in Qt's settings file on the disk."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog
from PySide6.QtWidgets import QLineEdit

from tests.gui.conftest import DialogAnswers
from victim_log.gui.widgets import privacy
from victim_log.vault import Vault


def test_the_last_folder_is_kept_in_the_vault(
    qtbot, vault: Vault, answers: DialogAnswers, tmp_path: Path
) -> None:
    shots = tmp_path / "Screenshots"
    shots.mkdir()
    (shots / "one.png").write_bytes(b"1")
    (shots / "two.png").write_bytes(b"2")
    starts: list[str] = []

    def choose(name: str):
        def answer(fd: QFileDialog) -> None:
            starts.append(fd.directory().absolutePath())
            fd.setDirectory(str(shots))
            edit = fd.findChild(QLineEdit, "fileNameEdit")
            edit.setText(name)  # (typing opens a completer popup the test platform cannot show)
            fd.accept()

        return answer

    answers.add(choose("one.png"), QFileDialog)
    assert privacy.pick_paths(None, privacy.Mode.OPEN_MANY, "Attach files", remember=vault) == [
        shots / "one.png"
    ]
    answers.add(choose("two.png"), QFileDialog)
    privacy.pick_paths(None, privacy.Mode.OPEN_MANY, "Attach files", remember=vault)
    assert starts == [str(Path.home()), str(shots)]  # the second time it starts there
    assert vault.get_setting(privacy.LAST_FOLDER_SETTING) == str(shots)
    qt_conf = Path(privacy._qt_project_settings().fileName())
    assert not qt_conf.exists() or str(shots) not in qt_conf.read_text(errors="replace")

    # A folder that has gone since: back to the home folder, calmly.
    shots.rename(tmp_path / "moved")
    answers.cancel(QFileDialog)
    assert privacy.pick_paths(None, privacy.Mode.OPEN_MANY, "Attach files", remember=vault) == []
    assert starts == [str(Path.home()), str(shots)]


def test_save_a_copy_starts_where_files_came_from(
    qtbot, vault: Vault, answers: DialogAnswers, tmp_path: Path
) -> None:
    from victim_log.gui.widgets import savepath

    vault.set_setting(privacy.LAST_FOLDER_SETTING, str(tmp_path))
    starts: list[str] = []
    answers.add(lambda fd: starts.append(fd.directory().absolutePath()) or fd.reject(), QFileDialog)
    assert savepath.choose_save_path(None, "Save a copy", "copy.png", remember=vault) is None
    assert starts == [str(tmp_path)]


def test_every_save_of_the_diary_starts_in_the_last_folder(
    qtbot, session, vault: Vault, answers: DialogAnswers, tmp_path: Path
) -> None:
    """#18: Backup and Export ask through savepath with no ``remember``: the diary of
    the window asking remembers (in its encrypted settings); a window of no diary, or
    a locked one, starts at home."""
    from PySide6.QtWidgets import QWidget

    from victim_log.gui.tools.backupdialog import BackupDialog
    from victim_log.gui.widgets import savepath

    backups = tmp_path / "USB stick"
    backups.mkdir()
    starts: list[str] = []

    def save_in(folder: Path | None):
        def answer(fd: QFileDialog) -> None:
            starts.append(fd.directory().absolutePath())
            if folder is None:
                fd.reject()
                return
            fd.setDirectory(str(folder))
            fd.findChild(QLineEdit, "fileNameEdit").setText("backup.vlbackup")
            fd.accept()

        return answer

    dialog = BackupDialog(session)
    qtbot.addWidget(dialog)
    answers.add(save_in(backups), QFileDialog)
    assert (
        savepath.choose_save_path(dialog, "Save the backup as", "backup.vlbackup")
        == backups / "backup.vlbackup"
    )
    assert vault.get_setting(privacy.LAST_FOLDER_SETTING) == str(backups)
    answers.add(save_in(None), QFileDialog)
    savepath.choose_save_path(dialog, "Save the backup as", "backup.vlbackup")
    outsider = QWidget()  # the bundle viewer's window: no diary
    qtbot.addWidget(outsider)
    answers.add(save_in(None), QFileDialog)
    savepath.choose_save_path(outsider, "Save the exhibit as", "x.pdf")
    session.lock()
    answers.add(save_in(None), QFileDialog)
    savepath.choose_save_path(dialog, "Save the backup as", "backup.vlbackup")
    assert starts == [str(Path.home()), str(backups), str(Path.home()), str(Path.home())]
