"""File → Share with a support worker… and Open / merge a shared case file… (#18),
driven through real widgets offscreen: the code shown once, the merge attributed,
a second merge adding nothing, a wrong code changing nothing, a new diary for a worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import show_active
from tests.gui.shellfixtures import OFFSCREEN_NOISE
from tests.gui.shellfixtures import PASSPHRASE
from tests.gui.shellfixtures import make_window
from tests.gui.shellfixtures import unlock_via_gui
from victim_log import caselist
from victim_log.gui.shell.session import Session
from victim_log.gui.tools import shared_case_dialog
from victim_log.gui.tools.share_dialog import ShareDialog
from victim_log.gui.tools.shared_case_dialog import SharedCaseDialog
from victim_log.gui.widgets import dialogs
from victim_log.gui.widgets import savepath
from victim_log.handover import open_case
from victim_log.handover import share_case
from victim_log.model import IncidentData
from victim_log.vault import Vault


@pytest.fixture
def answers(qtbot, monkeypatch: pytest.MonkeyPatch) -> DialogAnswers:
    a = DialogAnswers(qtbot)
    monkeypatch.setattr(dialogs, "run_dialog", a)
    return a


def _click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_share_dialog_shows_the_code_once(
    qtbot, session: Session, vault: Vault, tmp_path: Path, monkeypatch
) -> None:
    vault.add_incident(IncidentData(summary="He waited outside work"))
    out = tmp_path / "case.vlcase"
    monkeypatch.setattr(savepath, "choose_save_path", lambda *a, **k: out)
    dialog = ShareDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.made, timeout=30_000) as made:
        _click(qtbot, dialog.make_button)
    shared = made.args[0]
    assert out.is_file() and dialog.code.isVisible()
    assert dialog.code.text() == shared.code and "1 entry" in dialog.status.text()
    dialog.accept()
    assert dialog.code.text() == ""  # kept nowhere once the dialog closes


def test_private_notes_go_only_when_ticked(
    qtbot, session: Session, vault: Vault, tmp_path: Path, monkeypatch
) -> None:
    vault.add_incident(IncidentData(summary="At the gym", private_note="Only for me"))
    outs = iter([tmp_path / "plain.vlcase", tmp_path / "notes.vlcase"])
    monkeypatch.setattr(savepath, "choose_save_path", lambda *a, **k: next(outs))
    dialog = ShareDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    notes = []
    for tick in (False, True):
        dialog.private.setChecked(tick)
        with qtbot.waitSignal(dialog.made, timeout=30_000) as made:
            _click(qtbot, dialog.make_button)
        shared = made.args[0]
        worker, _recovery, _report = open_case(
            shared.path, shared.code, tmp_path / f"w{tick}", "worker pass phrase", worker="support:Jo"
        )
        notes.append(worker.get_incident(worker.list_incidents()[0].id).data.private_note)
        worker.lock()
    assert notes == ["", "Only for me"]


def _worker_file(vault: Vault, tmp_path: Path) -> tuple[Path, str]:
    """The victim's case opened by a worker who adds an entry and hands it back."""
    shared = share_case(vault, tmp_path / "case.vlcase")
    worker, _recovery, _report = open_case(
        shared.path, shared.code, tmp_path / "w", "worker pass phrase", worker="support:Jo"
    )
    try:
        worker.add_incident(IncidentData(summary="Car parked across the road"))
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    return back.path, back.code


def _ready(qtbot, session: Session, monkeypatch, path: Path, code: str) -> SharedCaseDialog:
    monkeypatch.setattr(shared_case_dialog, "choose_case_file", lambda parent: path)
    dialog = SharedCaseDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.choose_button)
    assert dialog.file_label.text() == path.name
    qtbot.keyClicks(dialog.code, code.lower().replace("-", " "))  # as heard: any case, spaces
    return dialog


def test_merge_brings_the_workers_entry_in_once(
    qtbot, session: Session, vault: Vault, tmp_path: Path, monkeypatch
) -> None:
    vault.add_incident(IncidentData(summary="He waited outside work"))
    path, code = _worker_file(vault, tmp_path)
    dialog = _ready(qtbot, session, monkeypatch, path, code)
    with qtbot.waitSignal(dialog.merged, timeout=30_000) as merged:
        _click(qtbot, dialog.open_button)
    assert merged.args[0].added["incident"] == 1
    assert "Added 1 entry" in dialog.status.text()
    (new,) = [i for i in vault.list_incidents() if i.summary == "Car parked across the road"]
    assert vault.get_incident(new.id).data.author == "support:Jo"
    qtbot.keyClicks(dialog.code, code)
    with qtbot.waitSignal(dialog.merged, timeout=30_000):
        _click(qtbot, dialog.open_button)
    assert "Nothing new" in dialog.status.text()
    assert vault.count_incidents() == 2


def test_a_wrong_code_says_so_and_changes_nothing(
    qtbot, session: Session, vault: Vault, tmp_path: Path, monkeypatch, answers: DialogAnswers
) -> None:
    vault.add_incident(IncidentData(summary="He waited outside work"))
    path, _code = _worker_file(vault, tmp_path)
    dialog = _ready(qtbot, session, monkeypatch, path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF")
    shown: list[str] = []
    answers.add(lambda d: shown.append(d.text()) or d.accept())
    _click(qtbot, dialog.open_button)
    assert answers.done() and "code does not open" in shown[0]
    assert "Nothing was changed" in dialog.status.text()
    assert vault.count_incidents() == 1


def test_open_as_a_new_diary_for_a_worker(
    qtbot, session: Session, vault: Vault, tmp_path: Path, monkeypatch
) -> None:
    vault.add_incident(IncidentData(summary="He waited outside work"))
    shared = share_case(vault, tmp_path / "case.vlcase")
    dialog = _ready(qtbot, session, monkeypatch, shared.path, shared.code)
    _click(qtbot, dialog.new_choice)
    assert dialog.new_group.isVisible()
    qtbot.keyClicks(dialog.label, "A.B. case")
    qtbot.keyClicks(dialog.worker, "Jo Advocate")
    for box in (dialog.passphrase, dialog.again):
        qtbot.keyClicks(box, "copper kettle seaside umbrella")
    with qtbot.waitSignal(dialog.opened_new, timeout=30_000) as made:
        _click(qtbot, dialog.open_button)
    folder = made.args[0]
    assert dialog.recovery.isVisible() and dialog.recovery.text()
    assert [c.label for c in caselist.load_cases()] == ["A.B. case"]
    with Vault.open(folder, "copper kettle seaside umbrella") as opened:
        assert [i.summary for i in opened.list_incidents()] == ["He waited outside work"]
    dialog.reject()
    assert dialog.recovery.text() == "" and dialog.passphrase.text() == ""


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_the_file_menu_opens_both(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: DialogAnswers
) -> None:
    v, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    v.lock()
    window, _session, _ = make_window(qtbot, tmp_path)
    unlock_via_gui(qtbot, window)
    seen: list[str] = []
    for _ in range(2):
        answers.add(lambda d: seen.append(d.objectName()) or d.reject())
    for action_name in ("shareCase", "openSharedCase"):
        action = window.findChild(QAction, action_name)
        assert action is not None
        action.trigger()
    assert seen == ["shareDialog", "sharedCaseDialog"]


def test_each_field_has_its_own_alt_letter(qtbot, session: Session) -> None:
    dialog = SharedCaseDialog(session)
    qtbot.addWidget(dialog)
    show_active(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    assert dialog.code.hasFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(dialog.new_group.isVisible, timeout=3000)  # a button's letter clicks it (animated)
    assert dialog.new_choice.isChecked()
    for letter, box in (
        (Qt.Key.Key_M, dialog.worker),
        (Qt.Key.Key_R, dialog.org),
        (Qt.Key.Key_P, dialog.passphrase),
    ):
        qtbot.keyClick(dialog, letter, Qt.KeyboardModifier.AltModifier)
        assert box.hasFocus()


@pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)
def test_a_deletion_in_the_file_can_be_done_here_through_the_diarys_delete(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answers: DialogAnswers
) -> None:
    from victim_log.gui.diary.view import DiaryView

    v, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    kept = v.add_incident(IncidentData(summary="He waited outside work"))
    twice = v.add_incident(IncidentData(summary="He waited outside work again"))
    shared = share_case(v, tmp_path / "case.vlcase")
    v.lock()
    worker, _recovery, _report = open_case(
        shared.path, shared.code, tmp_path / "w", "worker pass phrase", worker="support:Jo"
    )
    try:
        (dup,) = [i.id for i in worker.list_incidents() if i.summary.endswith("again")]
        worker.delete_incident(dup, "logged twice")
        back = share_case(worker, tmp_path / "back.vlcase")
    finally:
        worker.lock()
    window, session, _ = make_window(qtbot, tmp_path, diary=DiaryView)
    unlock_via_gui(qtbot, window)
    monkeypatch.setattr(shared_case_dialog, "choose_case_file", lambda parent: back.path)
    dialog = SharedCaseDialog(session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.choose_button)
    qtbot.keyClicks(dialog.code, back.code)
    with qtbot.waitSignal(dialog.merged, timeout=30_000) as merged:
        _click(qtbot, dialog.open_button)
    assert merged.args[0].to_delete == [twice] and "To confirm" in dialog.status.text()
    button = dialog.findChild(QPushButton, f"deleteHereToo{twice}")
    assert button is not None and button.isVisible() and f"entry {twice}" in button.text()
    # Cancelled at "Delete this entry?": nothing happens.
    answers.cancel()
    _click(qtbot, button)
    assert answers.done() and not session.require().get_incident(twice).deleted
    # Confirmed, with a reason: the diary's own deletion, reason kept.
    answers.press("Delete")

    def because(d) -> None:
        d.reason_edit.setText("the worker saw it twice")
        d.accept()

    answers.add(because)
    _click(qtbot, button)
    assert answers.done()
    vault = session.require()
    assert vault.get_incident(twice).deleted and not vault.get_incident(kept).deleted
    assert vault.incident_history(twice)[-1].reason == "the worker saw it twice"
    assert not button.isEnabled() and "deleted" in button.text()
    dialog.reject()
