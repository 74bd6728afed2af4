"""The quick log: typing, kinds, paste and drop of evidence, Ctrl+Enter, nothing lost."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtCore import QPoint
from PySide6.QtCore import QPointF
from PySide6.QtCore import Qt
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtGui import QDropEvent
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QWidget

from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import tab_chain
from tests.gui.conftest import unnamed_controls
from victim_log.errors import DiskFull
from victim_log.gui.diary.quicklog import PendingFile
from victim_log.gui.diary.quicklog import QuickLogDialog
from victim_log.gui.diary.quicklog import split_summary
from victim_log.gui.shell.session import Session
from victim_log.vault import Vault


def red_image() -> QImage:
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    return image


def drop(widget: QWidget, mime: QMimeData) -> QDropEvent:
    """What a drag from a file manager delivers: enter, then drop."""
    args = (
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    # Enter takes an integer point, drop a float one (as Qt 6 declares them).
    QApplication.sendEvent(widget, QDragEnterEvent(QPoint(10, 10), *args[1:]))
    event = QDropEvent(*args)
    QApplication.sendEvent(widget, event)
    return event


def test_split_summary() -> None:
    assert split_summary("") == ("", "")
    assert split_summary("  Calls again \n") == ("Calls again", "")
    assert split_summary("Calls again\nFour from a withheld number.") == (
        "Calls again",
        "Four from a withheld number.",
    )
    long = "word " * 60
    summary, details = split_summary(long)
    assert summary.endswith("\u2026") and len(summary) <= 121
    assert details == long.strip()  # nothing lost


def test_type_choose_kinds_and_ctrl_enter(qtbot, quick: QuickLogDialog, vault: Vault) -> None:
    assert quick.text.hasFocus()
    qtbot.mouseClick(quick.kinds.buttons["phone_call"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(quick.kinds.buttons["threat"], Qt.MouseButton.LeftButton)
    assert quick.kinds.buttons["threat"].text().startswith("\u2713")
    quick.text.setFocus()
    qtbot.keyClicks(quick.text, "Call at 2am")
    qtbot.keyClick(quick.text, Qt.Key.Key_Return)
    qtbot.keyClicks(quick.text, 'He said "I know where you are".')
    with qtbot.waitSignal(quick.finished, timeout=2000):
        qtbot.keyClick(quick.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert quick.saved_id is not None
    stored = vault.get_incident(quick.saved_id)
    assert stored.version == 1
    assert stored.data.summary == "Call at 2am"
    assert stored.data.details == 'He said "I know where you are".'
    assert stored.data.kinds == ("phone_call", "threat")
    assert stored.data.precision == "exact"
    when = datetime.fromisoformat(stored.data.occurred_start)
    assert abs((datetime.now().astimezone() - when).total_seconds()) < 120


def test_keypad_enter_also_saves(qtbot, quick: QuickLogDialog) -> None:
    qtbot.keyClicks(quick.text, "Watched from the car")
    with qtbot.waitSignal(quick.finished, timeout=2000):
        qtbot.keyClick(
            quick.text,
            Qt.Key.Key_Enter,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.KeypadModifier,
        )
    assert quick.saved_id is not None


def test_ctrl_v_pastes_a_screenshot_as_png(qtbot, quick: QuickLogDialog, vault: Vault) -> None:
    QGuiApplication.clipboard().setImage(red_image())
    qtbot.keyClick(quick, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(quick.files) == 1
    pending = quick.files[0]
    assert pending.data is not None and pending.data.startswith(b"\x89PNG")
    assert pending.name.startswith("Pasted screenshot") and pending.name.endswith(".png")
    assert quick.file_list.count() == 1 and not quick.file_list.item(0).icon().isNull()
    qtbot.keyClicks(quick.text, "Screenshot of the messages")
    quick.save_button.click()
    stored = vault.get_incident(quick.saved_id)
    assert stored.version == 1 and len(stored.evidence) == 1  # one version, citing the file
    item = vault.evidence.get(stored.evidence[0])
    assert item.media_type == "image/png"
    assert QImage.fromData(vault.evidence.read_bytes(item.id)).pixel(5, 5) == QColor("red").rgb()


def test_ctrl_v_in_the_text_box_attaches_instead_of_typing(qtbot, quick: QuickLogDialog) -> None:
    QGuiApplication.clipboard().setImage(red_image())
    quick.text.setFocus()
    qtbot.keyClick(quick.text, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(quick.files) == 1 and quick.text.toPlainText() == ""
    QGuiApplication.clipboard().setText("plain words")
    qtbot.keyClick(quick.text, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert quick.text.toPlainText() == "plain words" and len(quick.files) == 1


def test_drop_files_and_refuse_folders(
    qtbot, quick: QuickLogDialog, vault: Vault, tmp_path: Path, answers: DialogAnswers
) -> None:
    voicemail = tmp_path / "voicemail.amr"
    voicemail.write_bytes(b"#!AMR\n" + bytes(range(200)))
    folder = tmp_path / "folder"
    folder.mkdir()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(voicemail)), QUrl("https://example.com/x.png")])
    event = drop(quick, mime)
    assert event.isAccepted()
    assert [f.path for f in quick.files] == [voicemail]
    drop(quick, mime)  # the same file twice is attached once
    assert len(quick.files) == 1

    answers.ok()
    folder_mime = QMimeData()
    folder_mime.setUrls([QUrl.fromLocalFile(str(folder))])
    assert not drop(quick, folder_mime).isAccepted()
    assert "folder" in answers.seen[-1].text()

    # Dropping onto the text box attaches too (instead of typing the path).
    photo = tmp_path / "photo.png"
    red_image().save(str(photo))
    photo_mime = QMimeData()
    photo_mime.setUrls([QUrl.fromLocalFile(str(photo))])
    quick.text.insertFromMimeData(photo_mime)
    assert quick.text.toPlainText() == "" and len(quick.files) == 2

    quick.file_list.setCurrentRow(1)
    quick.file_list.setFocus()
    qtbot.keyClick(quick.file_list, Qt.Key.Key_Delete)
    assert [f.path for f in quick.files] == [voicemail]

    qtbot.keyClicks(quick.text, "Voicemail from Dan")
    quick.save_button.click()
    stored = vault.get_incident(quick.saved_id)
    item = vault.evidence.get(stored.evidence[0])
    assert item.filename == "voicemail.amr" and item.media_type == "audio/amr"


def test_a_failed_save_keeps_everything_and_stores_nothing_half(
    qtbot, quick: QuickLogDialog, vault: Vault, answers: DialogAnswers, tmp_path: Path, monkeypatch
) -> None:
    """#23.1: the entry and its files (pasted and on disk) are one transaction, so a
    full disk while the entry is written leaves no stored file behind."""
    QGuiApplication.clipboard().setImage(red_image())
    quick.paste()
    letter = tmp_path / "letter.txt"
    letter.write_bytes(b"a letter")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(letter))])
    drop(quick, mime)
    qtbot.mouseClick(quick.kinds.buttons["message"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(quick.text, "Messages all evening")
    quick.complete_later.setChecked(True)

    def full(*_a, **_k):
        raise DiskFull("The disk is full. Nothing was changed.")

    from victim_log.store.transaction import Transaction

    real_add = Transaction.add_incidents
    monkeypatch.setattr(Transaction, "add_incidents", full)
    answers.ok()
    quick.save_button.click()
    assert "disk is full" in answers.seen[-1].text()
    assert quick.isVisible() and quick.saved_id is None
    assert quick.text.toPlainText() == "Messages all evening"
    assert quick.kinds.kinds() == ("message",) and quick.complete_later.isChecked()
    assert len(quick.files) == 2
    assert vault.evidence.items() == [] and vault.list_incidents() == []  # nothing half-saved
    assert not [p for p in (vault.path / "blobs").rglob("*") if p.is_file()]

    monkeypatch.setattr(Transaction, "add_incidents", real_add)
    quick.save_button.click()
    assert quick.saved_id is not None
    assert len(vault.evidence.items()) == 2
    stored = vault.get_incident(quick.saved_id)
    assert stored.version == 1 and len(stored.evidence) == 2
    assert stored.data.complete_later


def test_nothing_to_save_says_so(qtbot, quick: QuickLogDialog, answers: DialogAnswers) -> None:
    answers.ok()
    quick.save_button.click()
    assert "summary" in answers.seen[-1].text()
    assert quick.isVisible()


def test_kinds_alone_make_a_summary(qtbot, quick: QuickLogDialog, vault: Vault) -> None:
    qtbot.mouseClick(quick.kinds.buttons["following"], Qt.MouseButton.LeftButton)
    quick.complete_later.setChecked(True)
    quick.save_button.click()
    assert vault.get_incident(quick.saved_id).data.summary == "Following"


def test_yesterday_is_the_day_unless_a_time_is_given(qtbot, quick: QuickLogDialog, vault: Vault) -> None:
    """#18 Times: "Yesterday" no longer keeps this minute's clock time; it is the day only."""
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert not quick.when_edit.isEnabled()
    quick.when_buttons["yesterday"].click()
    assert quick.when_edit.isEnabled() and quick.when_edit.text().count(":") == 0  # no time shown
    assert quick.incident_data().precision == "day"
    assert quick.incident_data().occurred_start == yesterday
    quick.when_buttons["earlier"].click()
    assert quick.when_edit.date().toPython() == date.today() and quick.approximate.isChecked()
    quick.when_buttons["pick"].click()
    assert not quick.approximate.isChecked()
    quick.when_buttons["yesterday"].click()
    qtbot.keyClicks(quick.text, "Followed home")
    quick.save_button.click()
    data = vault.get_incident(quick.saved_id).data
    assert data.precision == "day"
    assert data.occurred_start[:10] == yesterday


def test_times_typed_as_people_say_them(qtbot, quick: QuickLogDialog) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    quick.when_buttons["yesterday"].click()
    qtbot.keyClicks(quick.time_text, "9pm")
    data = quick.incident_data()
    assert (data.occurred_start[:16], data.precision) == (f"{yesterday}T21:00", "exact")
    assert quick.time_hint.text() == "Time: 21:00" and quick.time_hint.isVisible()
    quick.time_text.clear()
    qtbot.keyClicks(quick.time_text, "about 9")  # morning or evening? shown, not hidden
    data = quick.incident_data()
    assert (data.occurred_start[:16], data.precision) == (f"{yesterday}T09:00", "approximate")
    assert "type 9pm" in quick.time_hint.text()
    quick.time_text.clear()
    qtbot.keyClicks(quick.time_text, "21:30")
    assert quick.incident_data().occurred_start[:16] == f"{yesterday}T21:30"
    qtbot.keyClick(quick.time_text, Qt.Key.Key_A)  # "21:30a": not a time; nothing changes
    assert quick.time_hint.text() == "Type a time like 9pm or 21:30."
    assert quick.incident_data().occurred_start[:16] == f"{yesterday}T21:30"
    qtbot.keyClick(quick.time_text, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(quick.time_text, Qt.Key.Key_Backspace)  # emptied: the day only again
    assert quick.incident_data().precision == "day" and not quick.time_hint.isVisible()

    # Typing a time with "Just now" means earlier today.
    quick.when_buttons["now"].click()
    assert quick.time_text.text() == ""
    qtbot.keyClicks(quick.time_text, "about midnight")
    assert quick.when_choice() == "earlier"
    data = quick.incident_data()
    assert (data.occurred_start[:16], data.precision) == (f"{date.today().isoformat()}T00:00", "approximate")

    # A draft keeps the typed time and the day-only state.
    again = QuickLogDialog(quick.session, draft=quick.draft())
    qtbot.addWidget(again, before_close_func=lambda d: d.discard())
    assert again.time_text.text() == "about midnight"
    assert again.incident_data().occurred_start == quick.incident_data().occurred_start
    quick.when_buttons["yesterday"].click()
    quick.time_text.clear()
    quick.when_buttons["earlier"].click()
    quick.when_buttons["yesterday"].click()
    day_only = QuickLogDialog(quick.session, draft=quick.draft())
    qtbot.addWidget(day_only, before_close_func=lambda d: d.discard())
    assert day_only.incident_data().precision == "day"


def test_draft_round_trip(qtbot, quick: QuickLogDialog, session: Session) -> None:
    changes = []
    quick.changed.connect(lambda: changes.append(1))
    quick.when_buttons["yesterday"].click()
    qtbot.mouseClick(quick.kinds.buttons["gift"], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(quick.text, "Lilies on the doorstep")
    QGuiApplication.clipboard().setImage(red_image())
    quick.paste()
    assert changes
    draft = quick.draft()
    assert draft["type"] == "quick_log" and draft["files"][0]["data"].startswith(b"\x89PNG")

    again = QuickLogDialog(session, draft=draft)
    qtbot.addWidget(again, before_close_func=lambda d: d.discard())
    assert again.draft() == draft


def test_cancel_with_content_asks_first(qtbot, quick: QuickLogDialog, answers: DialogAnswers) -> None:
    qtbot.keyClicks(quick.text, "Something")
    answers.press("Cancel")
    qtbot.keyClick(quick, Qt.Key.Key_Escape)
    assert quick.isVisible()
    answers.press("Discard")
    quick.cancel_button.click()
    assert not quick.isVisible()


def test_esc_then_esc_on_discard_keeps_the_entry(
    qtbot, quick: QuickLogDialog, answers: DialogAnswers
) -> None:
    """#18.7: Esc asks "Discard?"; Esc on that question is "no": the form stays open
    with everything in it (Discard is never the default, nor Esc's answer)."""
    qtbot.keyClicks(quick.text, "Stood by the car")
    asked: list[str] = []

    def esc(box: QDialog) -> int:
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        assert box.defaultButton() is None or "Discard" not in box.defaultButton().text()
        qtbot.keyClick(box, Qt.Key.Key_Escape)
        return box.result()

    answers.add(esc, QMessageBox)
    qtbot.keyClick(quick.text, Qt.Key.Key_Escape)
    assert asked == ["What you typed has not been saved. Discard it?"]
    assert quick.isVisible()
    assert quick.text.toPlainText() == "Stood by the car"


def test_every_control_is_named_and_tab_order_reads_down(quick: QuickLogDialog) -> None:
    assert unnamed_controls(quick) == []
    QGuiApplication.clipboard().setImage(red_image())
    quick.paste()
    chain = tab_chain(quick.text, 7)
    assert chain == [
        "What happened",
        "Attach files",
        "Remove the chosen file",
        "Files to attach",
        "Where did it come from? Say where the files came from",
        "Complete later",
        "Save and add more details (opens the full form)",
    ]


def test_photo_date_is_offered_as_the_time(
    qtbot, quick: QuickLogDialog, session: Session, tmp_path: Path
) -> None:
    import struct

    from PySide6.QtCore import QBuffer
    from PySide6.QtCore import QIODevice

    from tests.importers.util import tiff_exif

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    red_image().save(buf, "JPEG")
    jpeg = bytes(buf.data())
    app1 = b"Exif\x00\x00" + tiff_exif(taken="2026:03:04 21:15:00")
    photo = tmp_path / "car-outside.jpg"  # a real JPEG with the camera's EXIF block
    photo.write_bytes(jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + jpeg[2:])
    quick.text.setPlainText("His car outside the house")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo))])
    quick.attach_from_mime(mime)
    assert quick.photo_time_button.isVisibleTo(quick)
    assert "4 Mar 2026" in quick.photo_time_label.text()
    qtbot.mouseClick(quick.photo_time_button, Qt.MouseButton.LeftButton)
    data = quick.incident_data()
    assert data.occurred_start.startswith("2026-03-04T21:15")


def test_fits_a_small_screen_with_its_buttons_in_view(qtbot, quick: QuickLogDialog, tmp_path: Path) -> None:
    """#18.6 for the quick log: at 1024x600 the form scrolls and Save stays on screen."""
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"x")
    quick.add_file(PendingFile(name=shot.name, path=shot))
    quick.when_buttons["yesterday"].click()
    qtbot.keyClicks(quick.time_text, "about 9")  # the hint line shows too
    assert quick.minimumSizeHint().height() < 480
    quick.resize(1024, 600)
    qtbot.waitUntil(lambda: quick.height() <= 600)
    for button in (quick.save_button, quick.cancel_button, quick.more_button):
        bottom = button.mapTo(quick, button.rect().bottomRight())
        assert 0 < bottom.y() <= quick.height() and bottom.x() <= quick.width()
    # Tabbing down the form brings each control into view.
    quick.provenance_button.setFocus()
    qtbot.keyClick(quick.provenance_button, Qt.Key.Key_Tab)
    assert quick.complete_later.hasFocus()
    assert quick.form_scroll.verticalScrollBar().value() > 0


def test_a_phone_file_name_offers_its_time(qtbot, quick: QuickLogDialog, tmp_path: Path) -> None:
    shot = tmp_path / "Screenshot_20240312-211245_WhatsApp.png"
    shot.write_bytes(b"not an image with a date inside")
    quick.add_file(PendingFile(name=shot.name, path=shot))
    assert quick.photo_time_button.isVisibleTo(quick)
    assert quick.photo_time_label.text() == "The file's name says it was made on Tue 12 Mar 2024 at 21:12."
    qtbot.mouseClick(quick.photo_time_button, Qt.MouseButton.LeftButton)
    assert quick.incident_data().occurred_start.startswith("2024-03-12T21:12")


def test_one_name_for_logging(qtbot, quick: QuickLogDialog, session: Session) -> None:
    """#18: the toolbar says "Log something", and so do the window and the empty diary."""
    from victim_log.gui.diary.timeline import TimelinePanel

    assert quick.windowTitle() == "Log something"
    panel = TimelinePanel(session)
    qtbot.addWidget(panel)
    panel.reload()
    qtbot.waitUntil(lambda: panel.empty_button.text() != "", timeout=3000)
    assert panel.empty_button.text() == "Log something" and "Log something" in panel.empty_label.text()
