"""The import wizard: format, file (read on a worker), sender, dry run, import, done."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWizard

from tests.gui.conftest import DialogAnswers
from victim_log.gui.shell.session import Session
from victim_log.gui.tools.importwizard import formats
from victim_log.gui.tools.importwizard.formats import ambiguous_sample
from victim_log.gui.tools.importwizard.formats import date_question
from victim_log.gui.tools.importwizard.wizard import ImportWizard
from victim_log.gui.tools.importwizard.wizard import open_import_wizard
from victim_log.vault import Vault

FIXTURES = Path(__file__).parents[2] / "importers" / "fixtures"
CHAT = FIXTURES / "whatsapp_android_dmy.txt"


@pytest.fixture
def pick(monkeypatch: pytest.MonkeyPatch):
    """Answer the file dialog with the path set in ``chosen[0]``."""
    chosen: list[Path | None] = [CHAT]
    monkeypatch.setattr(formats, "choose_open_path", lambda parent, fmt, folder=False: chosen[0])
    return chosen


def next_page(qtbot, w: ImportWizard) -> None:
    button = w.button(
        QWizard.WizardButton.CommitButton
        if w.currentPage().isCommitPage()
        else QWizard.WizardButton.NextButton
    )
    assert button.isEnabled(), f"Next is disabled on {w.currentPage().objectName()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def choose_file(qtbot, w: ImportWizard, fmt: str = "whatsapp") -> None:
    w.format_page.buttons[fmt].click()
    next_page(qtbot, w)
    assert w.currentId() == ImportWizard.FILE
    with qtbot.waitSignal(w.scanned, timeout=10_000):
        qtbot.mouseClick(w.file_page.choose_button, Qt.MouseButton.LeftButton)


def wait_plan(qtbot, w: ImportWizard) -> None:
    qtbot.waitUntil(lambda: not w.confirm_page.working, timeout=10_000)


def test_whatsapp_choose_dan_marsh_imports_five(
    qtbot, wizard: ImportWizard, pick, session: Session, vault: Vault
) -> None:
    choose_file(qtbot, wizard)
    assert wizard.file_page.status.text() == "Read 12 messages from 3 senders."
    assert wizard.file_page.path_label.text() == CHAT.name
    next_page(qtbot, wizard)
    assert wizard.currentId() == ImportWizard.SENDER
    page = wizard.sender_page
    rows = [page.senders.item(i).text() for i in range(page.senders.count())]
    assert "Dan Marsh  ·  5 messages" in rows
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()  # nobody chosen yet
    assert page.choose("Dan Marsh")
    page.group.setChecked(False)  # one entry per message (a burst is one by default)
    next_page(qtbot, wizard)
    assert wizard.currentId() == ImportWizard.CONFIRM
    wait_plan(qtbot, wizard)
    confirm = wizard.confirm_page
    # (The core's dry run also counts the photo the .txt names but does not hold.)
    assert confirm.summary.text().startswith("5 incidents will be created, ")
    assert "5 of the 12 messages in this file are from Dan Marsh." in confirm.detail.text()
    previews = [confirm.preview.item(i).text() for i in range(confirm.preview.count())]
    assert len(previews) == 5
    assert previews[0] == "WhatsApp message from Dan Marsh: Why aren't you answering me"
    assert vault.count_incidents() == 0  # a dry run wrote nothing

    with (
        qtbot.waitSignal(session.changed, timeout=10_000),
        qtbot.waitSignal(wizard.imported, timeout=10_000) as done,
    ):
        next_page(qtbot, wizard)
        assert wizard.working  # the import runs on a worker thread
        assert not wizard.button(QWizard.WizardButton.CancelButton).isEnabled()
    assert done.args[0].incidents_created == 5
    assert done.args[0].context_created == 1  # "Please stop messaging me."
    assert vault.count_incidents() == 6  # the five and the reply kept as context
    assert len(vault.evidence.items()) == 1
    assert wizard.currentId() == ImportWizard.DONE
    assert wizard.done_page.result_label.text() == "5 entries created and 1 evidence file stored."
    assert "in your timeline" in wizard.done_page.next_steps.text()


def test_random_bytes_shows_error_and_stays(
    qtbot, wizard: ImportWizard, pick, tmp_path: Path, answers: DialogAnswers, vault: Vault
) -> None:
    junk = tmp_path / "chat.txt"
    junk.write_bytes(random.Random(5).randbytes(20_000))
    pick[0] = junk
    answers.ok()
    choose_file(qtbot, wizard)
    message = answers.seen[0].text()
    assert message and "\n" not in message
    assert wizard.currentId() == ImportWizard.FILE
    assert wizard.file_page.status.text() == message
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert vault.count_incidents() == 0
    assert vault.evidence.items() == []

    # A good file afterwards works from the same page.
    pick[0] = CHAT
    with qtbot.waitSignal(wizard.scanned, timeout=10_000):
        qtbot.mouseClick(wizard.file_page.choose_button, Qt.MouseButton.LeftButton)
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_already_imported_is_said_kindly(qtbot, session: Session, pick, vault: Vault) -> None:
    from victim_log.importers.service import ImportRequest
    from victim_log.importers.service import run_import

    run_import(vault, ImportRequest("whatsapp", CHAT, sender="Dan Marsh"))
    w = ImportWizard(session)
    qtbot.addWidget(w)
    w.show()
    choose_file(qtbot, w)  # no error dialog: `answers` is not even installed
    assert "already imported this file" in w.file_page.status.text()
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()


def test_ambiguous_dates_are_asked(qtbot, wizard: ImportWizard, pick) -> None:
    pick[0] = FIXTURES / "whatsapp_ambiguous.txt"
    choose_file(qtbot, wizard)
    page = wizard.file_page
    assert page.date_box.isVisible()
    assert page.date_question.text() == "Is 01/02 the 1st of February or January 2nd?"
    assert page.dmy.text().startswith("The 1st of February")
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    with qtbot.waitSignal(wizard.scanned, timeout=10_000):
        page.dmy.click()
    assert wizard.chosen.date_order == "dmy"
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert wizard.request(dry_run=True).date_order == "dmy"


def test_date_question_words() -> None:
    assert date_question(None)[0] == "Is 03/04 the 3rd of April or March 4th?"
    assert date_question((11, ".", 12))[0] == "Is 11.12 the 11th of December or November 12th?"
    assert ambiguous_sample(FIXTURES / "missing.zip") is None  # only .txt files are looked at
    assert ambiguous_sample(FIXTURES / "whatsapp_ambiguous.txt") == (1, "/", 2)


def test_typed_number_and_grouping(qtbot, wizard: ImportWizard, pick, vault: Vault) -> None:
    choose_file(qtbot, wizard)
    next_page(qtbot, wizard)
    page = wizard.sender_page
    qtbot.keyClicks(page.typed, "07700 900123")
    assert page.group.isChecked()  # bursts are grouped by default
    assert page.minutes.isEnabled() and page.minutes.value() == 10
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    # Two messages a minute apart from the number: one entry when grouped.
    assert wizard.confirm_page.summary.text() == "1 incident will be created, 1 exhibit stored."
    with qtbot.waitSignal(wizard.imported, timeout=10_000):
        next_page(qtbot, wizard)
    assert vault.count_incidents() == 2  # and the reply asking to stop, kept as context


def test_photos_folder(qtbot, wizard: ImportWizard, pick, tmp_path: Path, vault: Vault) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    for n, colour in enumerate(("red", "green")):
        image = QImage(20, 20, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        assert image.save(str(folder / f"shot{n}.png"))
    pick[0] = folder
    choose_file(qtbot, wizard, "photos")
    assert wizard.file_page.status.text() == "Found 2 photos."
    next_page(qtbot, wizard)
    assert wizard.currentId() == ImportWizard.CONFIRM  # no sender for photos
    assert wizard.confirm_page.summary.text() == "2 photos will be stored as evidence."
    wizard.confirm_page.photo_incidents.click()
    assert "2 entries will be created" in wizard.confirm_page.detail.text()
    with qtbot.waitSignal(wizard.imported, timeout=10_000):
        next_page(qtbot, wizard)
    assert len(vault.evidence.items()) == 2
    assert vault.count_incidents() == 2


def test_nothing_new_from_this_sender(qtbot, wizard: ImportWizard, pick, vault: Vault) -> None:
    choose_file(qtbot, wizard)
    next_page(qtbot, wizard)
    qtbot.keyClicks(wizard.sender_page.typed, "Nobody Atall")
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    assert wizard.confirm_page.summary.text() == "There is nothing new from this person to import."
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()


def test_open_import_wizard_cancel_disposes(qtbot, session: Session, answers: DialogAnswers) -> None:
    seen = []

    def cancel(w):
        seen.append(w)
        assert isinstance(w, ImportWizard)
        w.reject()

    answers.add(cancel, "importWizard")
    open_import_wizard(session)
    assert not shiboken6.isValid(seen[0])


def test_sender_names_are_display_safe(qtbot, wizard: ImportWizard, pick, tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text(
        "12/03/2024, 20:01 - Dan\u202e Marsh: hi\n13/03/2024, 20:01 - Dan\u202e Marsh: hi\n", encoding="utf-8"
    )
    pick[0] = chat
    choose_file(qtbot, wizard)
    next_page(qtbot, wizard)
    text = wizard.sender_page.senders.item(0).text()
    assert "\u202e" not in text and "Marsh" in text
    assert os.fspath(chat)  # the file itself is untouched


def test_changing_format_mid_scan_ignores_the_old_result(qtbot, wizard: ImportWizard, pick) -> None:
    from victim_log.gui.tools.exportdialog import tasks_running

    next_page(qtbot, wizard)
    qtbot.mouseClick(wizard.file_page.choose_button, Qt.MouseButton.LeftButton)
    assert wizard.file_page.scanning
    wizard.back()
    wizard.format_page.buttons["email"].click()
    next_page(qtbot, wizard)
    assert wizard.source is None and not wizard.file_page.scanning
    # The task's result is queued before its end, so it has been delivered (and ignored).
    qtbot.waitUntil(lambda: tasks_running() == 0)
    assert wizard.scan is None
    assert wizard.file_page.path_label.text() == "Nothing chosen yet."
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def import_dan(qtbot, w: ImportWizard, *, folder: bool = False) -> object:
    """Choose (the file or its folder), Dan Marsh, one entry per message, import."""
    w.format_page.buttons["whatsapp"].click()
    next_page(qtbot, w)
    button = w.file_page.folder_button if folder else w.file_page.choose_button
    assert button.isVisible()
    with qtbot.waitSignal(w.scanned, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert w.file_page.isComplete(), w.file_page.status.text()
    next_page(qtbot, w)
    assert w.sender_page.choose("Dan Marsh")
    w.sender_page.group.setChecked(False)
    next_page(qtbot, w)
    wait_plan(qtbot, w)
    with qtbot.waitSignal(w.imported, timeout=10_000) as done:
        next_page(qtbot, w)
    return done.args[0]


def test_whatsapp_folder_with_media_adds_the_photos_to_the_earlier_entries(
    qtbot, session: Session, pick, tmp_path: Path, vault: Vault
) -> None:
    """#19.2: the chat imported without media, then its folder 'with media': the photo
    joins the entry the first import made, and the done page says so."""
    without = tmp_path / "without media.txt"  # WhatsApp's export "without media"
    without.write_text(
        CHAT.read_text("utf-8").replace("IMG-20240313-WA0001.jpg (file attached)", "<Media omitted>"), "utf-8"
    )
    pick[0] = without
    first = ImportWizard(session)
    qtbot.addWidget(first)
    first.show()
    assert import_dan(qtbot, first).incidents_created == 5
    folder = tmp_path / "WhatsApp Chat with Dan Marsh"
    folder.mkdir()
    (folder / CHAT.name).write_bytes(CHAT.read_bytes())
    image = QImage(20, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(folder / "IMG-20240313-WA0001.jpg"))
    pick[0] = folder
    again = ImportWizard(session)
    qtbot.addWidget(again)
    again.show()
    report = import_dan(qtbot, again, folder=True)
    assert report.media_added == 1 and report.incidents_created == 0
    assert "1 file from this export was added to the entries an earlier import made." in (
        again.done_page.next_steps.text()
    )
    assert vault.count_incidents() == 6  # nothing made twice


def test_folder_button_only_where_a_folder_is_read(qtbot, wizard: ImportWizard) -> None:
    wizard.format_page.buttons["sms-backup"].click()
    next_page(qtbot, wizard)
    assert wizard.file_page.folder_button.isHidden()


@pytest.mark.parametrize(("fmt", "folder"), [("signal", "signal_dan_marsh"), ("telegram", "telegram_chat")])
def test_chat_folders_of_other_apps(
    qtbot, wizard: ImportWizard, pick, fmt: str, folder: str, vault: Vault
) -> None:
    """#19: Signal (signal-export) and Telegram Desktop chats, chosen as their folders."""
    pick[0] = FIXTURES / folder
    wizard.format_page.buttons[fmt].click()
    next_page(qtbot, wizard)
    assert wizard.file_page.folder_button.isVisible()
    with qtbot.waitSignal(wizard.scanned, timeout=10_000):
        qtbot.mouseClick(wizard.file_page.folder_button, Qt.MouseButton.LeftButton)
    assert wizard.file_page.isComplete(), wizard.file_page.status.text()
    next_page(qtbot, wizard)
    page = wizard.sender_page
    rows = [page.senders.item(i).text() for i in range(page.senders.count())]
    assert any(r.startswith("Dan Marsh") for r in rows), rows
    assert page.choose("Dan Marsh")
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    with qtbot.waitSignal(wizard.imported, timeout=10_000) as done:
        next_page(qtbot, wizard)
    assert done.args[0].incidents_created >= 1
    assert vault.count_incidents() >= 1
