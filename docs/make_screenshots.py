"""Render every screen of the desktop app to docs/screenshots/*.png (`make screenshots`).

Runs on Qt's offscreen platform (or under Xvfb if QT_QPA_PLATFORM says so) in a
throwaway home folder, with the invented demo case (resources/demo/case.json): no
real diary is read and nothing is left behind. The screens are driven through the
same widgets a person uses.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSPHRASE = "correct horse battery staple"  # noqa: S105 - a throwaway demo vault
SIZE = (1200, 760)


def _isolate(tmp: Path) -> None:
    """Point every place the app could write at ``tmp`` before Qt is imported."""
    home = tmp / "home"
    for sub in (".config", ".local/share", ".local/state", ".cache", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "TMPDIR": str(home / "tmp"),
            "VICTIM_LOG_VAULT": str(tmp / "vault"),
            "VICTIM_LOG_STATE": str(tmp / "state"),
        }
    )
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def run_isolated(render: Callable[[Path], int], prefix: str = "victim-log-shots-") -> int:
    """Run ``render`` with HOME, the vault and every data folder under a temporary
    folder that is removed afterwards (no screenshot touches the person's own diary)."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        _isolate(tmp)
        sys.path.insert(0, str(ROOT))
        return render(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    return run_isolated(_render)


def _render(tmp: Path) -> int:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QFont
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QDialog
    from PySide6.QtWidgets import QWidget

    from victim_log.demo import fill_demo
    from victim_log.gui.shell.app import make_application
    from victim_log.gui.shell.mainwindow import MainWindow
    from victim_log.gui.shell.neutral import face_for
    from victim_log.gui.shell.session import Session
    from victim_log.gui.widgets import dialogs
    from victim_log.prefs import Prefs

    app = make_application(face_for(Prefs()))
    if "DejaVu Sans" in QFontDatabase.families():
        app.setFont(QFont("DejaVu Sans", 10))
    OUT.mkdir(parents=True, exist_ok=True)
    made: list[str] = []

    def settle() -> None:
        for _ in range(5):
            # Widgets replaced with deleteLater() must be gone before the grab, or they
            # show through in the picture (the live app repaints them away).
            app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            app.processEvents()

    def wait_for(done: Callable[[], bool], seconds: float = 10.0) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)

    def shot(name: str, widget: QWidget) -> None:
        settle()
        path = OUT / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"could not write {path}")
        made.append(path.name)

    def grab_dialogs(name: str, prepare: Callable[[QDialog], None] | None = None) -> None:
        """The next dialog the app opens is shown, photographed and cancelled."""

        def runner(dialog: QDialog) -> int:
            dialog.show()
            if prepare is not None:
                prepare(dialog)
            shot(name, dialog)
            dialog.hide()
            dialogs.run_dialog = previous
            return int(QDialog.DialogCode.Rejected)

        previous = dialogs.run_dialog
        dialogs.run_dialog = runner

    session = Session(tmp / "vault")
    window = MainWindow(session, Prefs(), quit_app=lambda: None)
    window.resize(*SIZE)
    window.show()
    settle()

    # First run: the passphrase typed twice, the meter showing.
    fr = window.firstrun
    fr.pair.first.setText(PASSPHRASE)
    fr.pair.second.setText(PASSPHRASE)
    shot("01-first-run", window)
    fr.create_vault()
    shot("02-recovery-key", window)
    fr.kept.setChecked(True)
    fr.continue_button.click()

    # The diary, with the invented demo case, an entry selected.
    vault = session.require()
    fill_demo(vault)
    session.notify_changed()
    diary = window.diary
    wait_for(lambda: not _busy(diary))
    rows = vault.list_incidents(limit=5)
    show = getattr(diary, "show_incident", None)
    if rows and callable(show):
        show(rows[1].id)
    wait_for(lambda: not _busy(diary))
    shot("03-diary", window)

    window.toggle_help()
    shot("04-help-panel", window)
    window.toggle_help()

    grab_dialogs("05-settings")
    window.open_settings()

    def type_quick_log(dialog: QDialog) -> None:
        from PySide6.QtWidgets import QPlainTextEdit

        text = dialog.findChild(QPlainTextEdit, "whatHappened")
        if text is not None:
            text.setPlainText(
                "Dan was parked outside the Co-op on High Street again.\n"
                "He didn't get out, just watched me go in and out."
            )

    if window.diary is not None:
        grab_dialogs("06-quick-log", type_quick_log)
        window.log_action.trigger()

    # Locked, then three wrong tries: the back-off countdown.
    window.locker.lock("manual")
    shot("07-unlock", window)
    for attempt in range(3):
        window.unlock.passphrase.setText(f"wrong guess {attempt}")
        window.unlock.try_unlock()
    shot("08-unlock-backoff", window)
    window.unlock.show_recovery()
    window.unlock.recovery_key.setText("XXXX-XXXX")
    shot("09-recovery-key-unlock", window)
    window.unlock.show_passphrase()

    # After the wait: unlock, and the notice about the failed tries.
    from victim_log.vault import Vault

    opened = Vault.open(session.vault_dir, PASSPHRASE, wait=True)
    window.unlock.unlocked.emit(opened)
    shot("10-failed-attempts-notice", window)

    # Quick exit to the cover screen.
    window.quick_exit.configure("cover", "")
    window.quick_exit.trigger()
    cover = window.quick_exit.cover
    assert cover is not None
    cover.resize(700, 460)
    shot("11-cover-notes", cover)
    cover.hide()

    # The neutral face: the same locked screen, called "Notes".
    neutral = MainWindow(
        Session(tmp / "vault"), Prefs(neutral_face=True, face="notes"), quit_app=lambda: None
    )
    neutral.resize(*SIZE)
    neutral.show()
    shot("12-neutral-face-unlock", neutral)
    neutral.hide()
    calc_prefs = Prefs(neutral_face=True, face="calculator")
    calc = MainWindow(Session(tmp / "vault"), calc_prefs, quit_app=lambda: None)
    calc.quick_exit.configure("cover", "")
    calc.quick_exit.trigger()
    assert calc.quick_exit.cover is not None
    shot("13-cover-calculator", calc.quick_exit.cover)
    calc.quick_exit.cover.hide()

    # First run on another machine: restoring a backup instead of starting afresh.
    fresh = MainWindow(Session(tmp / "empty-vault"), Prefs(), quit_app=lambda: None)
    fresh.resize(*SIZE)
    fresh.show()
    fresh.firstrun.show_restore()
    shot("14-restore-backup", fresh)
    fresh.hide()

    print(f"wrote {len(made)} screenshots to {OUT.relative_to(ROOT)}: {', '.join(made)}")
    window.shutdown()
    return 0


def _busy(diary: object) -> bool:
    model = getattr(getattr(diary, "timeline", None), "model", None)
    busy = getattr(model, "busy", None)
    return bool(busy()) if callable(busy) else False


if __name__ == "__main__":
    sys.exit(main())
