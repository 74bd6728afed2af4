"""docs/screenshots/receive-from-phone.png: the Receive from phone window with a
phone's offer listed (``.venv/bin/python docs/make_receive_screenshot.py``).

The "phone" is the tests' protocol client on 127.0.0.1 in a thread; everything is
written under a temporary folder that is removed afterwards."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots" / "receive-from-phone.png"


def main() -> int:
    from make_screenshots import run_isolated  # the same isolation as the other screenshots

    return run_isolated(_render, prefix="victim-log-shot-")


def _render(tmp: Path) -> int:
    from PySide6.QtGui import QFont
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    from tests.tella_client import TellaClient
    from tests.tella_client import describe
    from victim_log.gui.shell.session import Session
    from victim_log.gui.tools import receive_dialog
    from victim_log.gui.tools.receive_dialog import ReceiveDialog
    from victim_log.vault import Vault

    app = QApplication.instance() or QApplication([])
    if "DejaVu Sans" in QFontDatabase.families():
        app.setFont(QFont("DejaVu Sans", 10))
    vault, _ = Vault.create(tmp / "vault", "correct horse battery staple")
    session = Session(vault.path)
    session.set_vault(vault)
    receive_dialog.LISTEN_AT = ("127.0.0.1", 0)  # loopback only, a free port
    dialog = ReceiveDialog(session)
    dialog.show()

    def phone() -> None:
        client = TellaClient(dialog.receiver.payload)
        client.register()
        client.prepare(
            [
                describe("1", "IMG_2041.jpg", b"x" * 2_345_678),
                describe("2", "voice-note-21-14.m4a", b"y" * 812_345),
            ],
            title="Car outside the house again",
        )

    threading.Thread(target=phone, daemon=True).start()
    deadline = time.monotonic() + 20
    while not dialog.offer_box.isVisible() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    for _ in range(10):
        app.processEvents()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    ok = dialog.grab().save(str(OUT))
    dialog.reject()
    session.lock()
    print(f"wrote {OUT.relative_to(ROOT)}" if ok else "the screenshot was not written")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
