"""Run in a child process by test_dialogs_fit.py, on an offscreen screen of a given
size and scale (which Qt fixes when the application starts, hence the process).

Opens each of the shell's and tools' dialogs as the app would, lets it fit itself,
and prints a JSON object: dialog name -> the buttons (text) that are not wholly on
the screen's available area, or are hidden behind the dialog's own edge.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QAbstractButton
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QDialog
from PySide6.QtWidgets import QMessageBox
from PySide6.QtWidgets import QWidget

PASSPHRASE = "correct horse battery staple"


def off_screen_buttons(window: QWidget, area: QRect) -> list[str]:
    """Buttons of ``window`` that a person could not see and press."""
    bad = []
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or button.objectName().startswith("qt_"):
            continue
        if not button.text().strip():
            continue  # arrows, calendar pop-ups, scroll buttons: not the dialog's buttons
        top_left = button.mapToGlobal(QPoint(0, 0))
        rect = QRect(top_left, button.size())
        # A button inside a scroll area may scroll into view: judge the visible part
        # of its viewport instead (the body scrolls; the dialog's own buttons may not).
        visible = button.visibleRegion().boundingRect()
        if visible.isEmpty() and not _inside_scroll_area(button):
            bad.append(f"{button.text()} (hidden)")
        elif not _inside_scroll_area(button) and not area.contains(rect):
            bad.append(f"{button.text()} at {rect.x()},{rect.y()} {rect.width()}x{rect.height()}")
    from PySide6.QtWidgets import QScrollArea

    for scroll in window.findChildren(QScrollArea, "formScroll"):
        # A form must not be cut off on the right (a person would not scroll sideways).
        if scroll.isVisible() and scroll.horizontalScrollBar().isVisible():
            bad.append(f"{window.objectName()} form scrolls sideways")
    exit_button = window.findChild(QAbstractButton, "quickExitButton")
    if exit_button is not None and not exit_button.isVisible():
        bad.append("Quick exit is tucked away")  # it must be one press away, always
    win = window.frameGeometry()
    if not area.contains(QRect(win.topLeft(), window.geometry().size())):
        bad.append(f"window {win.x()},{win.y()} {window.width()}x{window.height()}")
    return bad


def _inside_scroll_area(widget: QWidget) -> bool:
    from PySide6.QtWidgets import QScrollArea

    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _no_modal(dialog: QDialog) -> int:
    """A message box in the probe would wait for a click that never comes (the probe
    once hung until its time limit on an error shown while a dialog was built): say
    which one opened, and end at once."""
    text = dialog.text() if isinstance(dialog, QMessageBox) else ""
    sys.stderr.write(
        f"a modal dialog opened while probing: {type(dialog).__name__} {dialog.windowTitle()!r} {text!r}\n"
    )
    sys.stderr.flush()
    os._exit(3)


def main(home: str) -> None:
    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setStyle("Fusion")
    from victim_log.gui.widgets import dialogs

    dialogs.run_dialog = _no_modal
    from victim_log.demo import fill_demo
    from victim_log.gui.shell.mainwindow import MainWindow
    from victim_log.gui.shell.passphrase import NEW_KEY
    from victim_log.gui.shell.passphrase import PassphraseDialog
    from victim_log.gui.shell.session import Session
    from victim_log.gui.shell.settings import SettingsDialog
    from victim_log.gui.shell.settings import load_shell_settings
    from victim_log.gui.tools.backupdialog import BackupDialog
    from victim_log.gui.tools.exportdialog import ExportDialog
    from victim_log.gui.tools.importwizard.wizard import ImportWizard
    from victim_log.gui.tools.patterndialog import PatternDialog
    from victim_log.gui.tools.share_dialog import ShareDialog
    from victim_log.gui.tools.shared_case_dialog import SharedCaseDialog
    from victim_log.prefs import Prefs
    from victim_log.vault import Vault

    vault, _ = Vault.create(Path(home) / "vault", PASSPHRASE)
    fill_demo(vault, total=12)
    from victim_log.export.bundle import PortalRequest
    from victim_log.export.bundle import export
    from victim_log.export.case import ExportOptions
    from victim_log.gui.tools.portal_send import PortalSendDialog
    from victim_log.model import IncidentData

    for i in range(3):  # files with captions for the upload batches' window
        vault.add_incident(
            IncidentData(kinds=("message",), summary=f"Texts {i}", occurred_start=f"2024-04-0{i + 1}T09:00Z"),
            files=[(f"screenshot of the messages that evening {i}.png", b"\x89PNG\r\n\x1a\n" + bytes(i))],
        )
    batches = Path(home) / "upload-batches"
    export(vault, Path(home) / "probe.zip", ExportOptions(initials="SM"), portal=PortalRequest(batches, 16))
    session = Session(vault.path)
    session.set_vault(vault)
    screen = app.primaryScreen()
    area = screen.availableGeometry()
    window = MainWindow(session, Prefs(), quit_app=lambda: None, diary_factory=lambda s: _Diary(s))
    window.show()
    window._enter_diary(None)  # the diary's toolbar, at its fullest

    def private_ticked(d: ExportDialog) -> None:
        d.include_private.setChecked(True)
        d.redact_locations.setChecked(True)

    makers: dict[str, Callable[[], QWidget]] = {
        "main window": lambda: window,
        "export": lambda: ExportDialog(session, window, [1, 2, 3]),
        "settings": lambda: SettingsDialog(load_shell_settings(vault), Prefs(), [], window),
        "change passphrase": lambda: PassphraseDialog(session, "Victim Log", parent=window),
        "new recovery key": lambda: PassphraseDialog(session, "Victim Log", NEW_KEY, window),
        "backup": lambda: BackupDialog(session, window),
        "import": lambda: ImportWizard(session, window),
        "pattern": lambda: PatternDialog(session, window),
        "send through the police link": lambda: PortalSendDialog(session, batches, window),
        "share with a support worker": lambda: ShareDialog(session, window),
        "open or merge a case file, as a new diary": lambda: _as_new(SharedCaseDialog(session, window)),
    }
    out: dict[str, list[str]] = {}
    sizes: dict[str, list[int]] = {}
    for name, make in makers.items():
        dialog = make()
        dialog.show()
        app.processEvents()
        out[name] = off_screen_buttons(dialog, area)
        sizes[name] = [dialog.frameGeometry().y(), dialog.height(), dialog.minimumHeight()]
        if isinstance(dialog, ExportDialog):
            private_ticked(dialog)  # the warning grows the form: still fits?
            app.processEvents()
            out["export, warnings shown"] = off_screen_buttons(dialog, area)
        if dialog is not window:
            dialog.close()
            dialog.deleteLater()
    print(json.dumps({"screen": [area.width(), area.height()], "problems": out, "sizes": sizes}))
    from victim_log.gui.widgets.common import wait_for_tasks

    wait_for_tasks()  # the pattern's count may still run: let it end before the lock and exit
    window.shutdown()


def _as_new(dialog: QWidget) -> QWidget:
    """The case-file dialog at its tallest: the new diary's form shown."""
    dialog.new_choice.setChecked(True)  # type: ignore[attr-defined]
    return dialog


class _Diary(QWidget):
    """The least a diary needs to be for the shell (DiaryLike)."""

    def __init__(self, session: object) -> None:
        super().__init__()

    def reload(self) -> None: ...
    def wipe(self) -> None: ...
    def quick_log(self) -> None: ...
    def show_people(self) -> None: ...
    def focus_search(self) -> None: ...
    def selected_incident_ids(self) -> list[int]:
        return []

    def take_draft(self) -> None:
        return None

    def restore_draft(self, draft: object) -> None: ...
    def state(self) -> dict[str, object]:
        return {}

    def restore_state(self, state: object) -> None: ...


if __name__ == "__main__":
    import faulthandler

    # A probe that hangs says where (every thread's stack on stderr, which the test
    # shows) before the test's own time limit ends it without a word.
    faulthandler.dump_traceback_later(200, exit=True)
    main(sys.argv[1])
