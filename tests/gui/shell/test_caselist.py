"""#18 several diaries on one computer: File → Open another… locks the diary open now
(its database closed) before another is shown; the unlock screen offers the labels
only when there is more than one; a gone folder is shown as missing, never a crash;
the list file holds labels and folders, nothing from inside a diary."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QFileDialog
from PySide6.QtWidgets import QLineEdit
from PySide6.QtWidgets import QMessageBox

from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import DialogAnswers
from tests.gui.shellfixtures import create_vault_via_gui
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import qsettings_home  # noqa: F401 - autouse fixture
from tests.gui.shellfixtures import unlock_via_gui
from tests.helpers import CANARY
from tests.leakscan import scan
from victim_log import caselist
from victim_log.gui.shell.caselist import OpenAnotherDialog
from victim_log.gui.widgets import dialogs
from victim_log.model import IncidentData
from victim_log.vault import Vault

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


def _new_diary(label: str):
    def act(dialog: object) -> None:
        assert isinstance(dialog, OpenAnotherDialog)
        dialog.label.setText(label)
        dialog.new_button.click()

    return act


def test_switching_locks_the_first_and_the_list_holds_only_labels(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path)
    assert not window.case_chooser.isVisible()  # one diary (or none): nothing to choose
    create_vault_via_gui(qtbot, window)
    first_dir = session.vault_dir
    first = session.require()
    first.add_incident(IncidentData(summary=f"He followed me {CANARY}"))

    DialogAnswers(monkeypatch, act=_new_diary("Client B"))
    window.open_another_action.trigger()
    assert not first.is_open  # the first diary's database is closed, its keys dropped
    assert not session.is_unlocked
    assert session.vault_dir != first_dir
    assert window.current_screen() == window.FIRST_RUN  # a new diary: its own passphrase
    assert window.case_chooser.isVisible()
    create_vault_via_gui(qtbot, window, "a different long passphrase for b")
    assert session.require().count_incidents() == 0  # nothing of the first one

    window.locker.lock("manual")
    chooser = window.case_chooser
    assert chooser.isVisible()
    texts = [chooser.combo.itemText(i) for i in range(chooser.combo.count())]
    assert texts == ["Unlabelled", "Client B"]
    chooser.combo.setCurrentIndex(0)
    chooser.combo.activated.emit(0)
    assert session.vault_dir == first_dir
    unlock_via_gui(qtbot, window)
    assert session.require().count_incidents() == 1
    window.locker.lock("manual")

    assert scan([caselist.list_path().parent], CANARY) == []
    raw = caselist.list_path().read_text(encoding="utf-8")
    assert "Client B" in raw and "He followed" not in raw


def test_a_gone_folder_is_shown_missing_and_cannot_be_chosen(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    caselist.remember("On the USB stick", tmp_path / "unplugged" / "vault")
    dialog = OpenAnotherDialog(session.vault_dir, window)
    qtbot.addWidget(dialog)
    item = dialog.list.item(1)
    assert item.text() == "On the USB stick (missing)"
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    dialog.list.setCurrentRow(1)
    dialog._open()
    assert dialog.chosen is None
    window.locker.lock("manual")
    combo = window.case_chooser.combo
    assert combo.itemText(1) == "On the USB stick (missing)"
    assert window.current_screen() == window.UNLOCK


def test_a_damaged_list_never_stops_the_unlock(qtbot, tmp_path):
    caselist.list_path().parent.mkdir(parents=True, exist_ok=True)
    caselist.list_path().write_bytes(b"{\xff")
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    window.locker.lock("manual")
    assert not window.case_chooser.isVisible()
    unlock_via_gui(qtbot, window)


def test_two_new_diaries_in_one_run_each_get_a_fresh_first_run(qtbot, tmp_path, monkeypatch):
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    folders = {session.vault_dir}
    for label in ("Client B", "Client C"):
        answers = DialogAnswers(monkeypatch, act=_new_diary(label))
        window.open_another_action.trigger()
        assert len(answers.seen) == 1
        assert window.current_screen() == window.FIRST_RUN
        assert window.firstrun.pair.first.text() == ""  # nothing left from the last one
        create_vault_via_gui(qtbot, window, f"a long passphrase for {label.lower()} here")
        folders.add(session.vault_dir)
    assert len(folders) == 3
    assert [c.label for c in caselist.known_cases(session.vault_dir)] == ["", "Client B", "Client C"]
    window.locker.lock("manual")


def _pick_folder(folder):
    """Answer the folder picker as a person would: go to the folder above, type its name."""

    def answer(fd: QFileDialog) -> None:
        fd.setDirectory(str(folder.parent))
        fd.findChild(QLineEdit, "fileNameEdit").setText(folder.name)
        fd.accept()

    return answer


def test_an_existing_diary_folder_is_added_under_a_label_then_opened(qtbot, tmp_path, monkeypatch):
    """#18: a diary made with --vault (or restored, or copied) is added to the list
    under a label; a folder with no diary in it, or one listed already, is refused
    with a clear message; the one added opens with its own passphrase."""
    elsewhere = tmp_path / "from-backup" / "vault"
    made, _key = Vault.create(elsewhere, "the passphrase of the restored one")
    made.add_incident(IncidentData(summary="Restored entry"))
    made.lock()
    not_a_diary = tmp_path / "Pictures"
    not_a_diary.mkdir()
    window, session, _quit = make_window(qtbot, tmp_path)
    create_vault_via_gui(qtbot, window)
    said: list[str] = []
    listed: list[list[str]] = []

    def add(dialog: OpenAnotherDialog, folder) -> None:
        dialog.label.clear()
        qtbot.keyClicks(dialog.label, "Client R")
        steps[:0] = [_pick_folder(folder)]
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)

    def in_the_list(dialog: object) -> None:
        assert isinstance(dialog, OpenAnotherDialog)
        assert dialog.add_button.accessibleName().startswith("Add a folder")
        add(dialog, not_a_diary)
        add(dialog, elsewhere.parent)  # the folder above the diary's is fine too
        listed.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        assert dialog.label.text() == ""
        assert dialog.list.currentItem().text() == "Client R"  # chosen, ready to open
        add(dialog, elsewhere)  # again: refused, one entry only
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)

    steps = [in_the_list]

    def run(dialog: QDialog) -> int:
        if isinstance(dialog, QMessageBox):
            said.append(dialog.text())
        else:
            steps.pop(0)(dialog)
        return dialog.result()

    monkeypatch.setattr(dialogs, "run_dialog", run)
    window.open_another_action.trigger()
    assert said[0].startswith(
        "That folder does not hold a diary. Choose the folder that has the files vault.key"
    )
    assert said[1:] == ['That diary is in the list already, as "Client R".']
    assert listed == [["Unlabelled (open now)", "Client R"]]
    assert session.vault_dir == elsewhere and window.current_screen() == window.UNLOCK
    unlock_via_gui(qtbot, window, "the passphrase of the restored one")
    assert [i.summary for i in session.require().list_incidents()] == ["Restored entry"]
    assert [(c.label, c.path) for c in caselist.load_cases()] == [("Client R", elsewhere)]
    window.locker.lock("manual")
