"""docs/screenshots/phone-folder-thumbnails.png and phone-folder-safely-stored.png:
the import wizard with a phone's camera folder, as thumbnails, and after the import,
which originals are safely stored (``.venv/bin/python docs/make_handoff_screenshot.py``).

The "phone folder" is three pictures drawn here; everything is written under a
temporary folder that is removed afterwards."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"


def main() -> int:
    from make_screenshots import run_isolated  # the same isolation as the other screenshots

    return run_isolated(_render, prefix="victim-log-shot-")


def _wait(app: object, until: Callable[[], bool], seconds: float = 30) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + seconds
    while not until() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    for _ in range(10):
        app.processEvents()


def _phone_folder(tmp: Path) -> Path:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor
    from PySide6.QtGui import QImage
    from PySide6.QtGui import QPainter

    folder = tmp / "Phone" / "DCIM" / "Camera"
    folder.mkdir(parents=True)
    pictures = [
        ("IMG_20240301_213045.jpg", "#41627a", "car outside"),
        ("IMG_20240302_074512.jpg", "#7a5a41", "note on the door"),
        ("Screenshot_20240302-221530.png", "#3f6e4f", "messages"),
    ]
    for name, colour, words in pictures:
        image = QImage(640, 480, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        painter = QPainter(image)
        painter.setPen(QColor("white"))
        font = painter.font()
        font.setPointSize(36)
        painter.setFont(font)
        painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, words)
        painter.end()
        assert image.save(str(folder / name))
    return folder


def _render(tmp: Path) -> int:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication
    from PySide6.QtWidgets import QWizard

    from victim_log.gui.shell.session import Session
    from victim_log.gui.tools.importwizard import formats
    from victim_log.gui.tools.importwizard.wizard import ImportWizard
    from victim_log.vault import Vault

    app = QApplication.instance() or QApplication([])
    if "DejaVu Sans" in QFontDatabase.families():
        app.setFont(QFont("DejaVu Sans", 10))
    folder = _phone_folder(tmp)
    vault, _ = Vault.create(tmp / "vault", "correct horse battery staple")
    session = Session(vault.path)
    session.set_vault(vault)
    formats.choose_open_path = lambda parent, fmt, folder_=False, **kw: folder  # type: ignore[assignment]
    wizard = ImportWizard(session)
    wizard.resize(960, 640)
    wizard.show()
    wizard.format_page.buttons["photos"].click()
    wizard.next()
    wizard.file_page.choose_button.click()
    _wait(app, lambda: wizard.file_page.thumbs.count() == 3)
    ok = wizard.grab().save(str(SHOTS / "phone-folder-thumbnails.png"))
    wizard.next()
    _wait(app, lambda: not wizard.confirm_page.working)
    wizard.button(QWizard.WizardButton.CommitButton).click()
    _wait(app, lambda: wizard.currentPage() is wizard.done_page and not wizard.done_page.working)
    wizard.done_page.originals.sortItems(1, Qt.SortOrder.AscendingOrder)
    ok = wizard.grab().save(str(SHOTS / "phone-folder-safely-stored.png")) and ok
    wizard.reject()
    session.lock()
    print("wrote docs/screenshots/phone-folder-*.png" if ok else "a screenshot was not written")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
