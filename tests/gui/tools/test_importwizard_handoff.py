"""#22 folder hand-off in the import wizard: after photos from a phone folder, the
done page lists every photo with its path, size and SHA-256, each checked against
the diary's copy read back, and says deleting from the phone is the person's choice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtGui import QImage

from tests.gui.tools.test_importwizard import choose_file
from tests.gui.tools.test_importwizard import next_page
from victim_log.gui.tools.importwizard import formats
from victim_log.gui.tools.importwizard.wizard import ImportWizard
from victim_log.vault import Vault


def _phone_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "DCIM" / "Camera"
    folder.mkdir(parents=True)
    for name, colour in (("IMG_20240301_123456.png", "red"), ("Screenshot_20240302-101010.png", "green")):
        image = QImage(20, 20, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        assert image.save(str(folder / name))
    return folder


def _chosen(qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The phone's folder chosen (and read) on the wizard's file page."""
    folder = _phone_folder(tmp_path)
    monkeypatch.setattr(formats, "choose_open_path", lambda parent, fmt, folder_=False, **kw: folder)
    choose_file(qtbot, wizard, "photos")
    return folder


def test_done_page_lists_what_is_safely_stored(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: Vault
) -> None:
    folder = _chosen(qtbot, wizard, monkeypatch, tmp_path)
    next_page(qtbot, wizard)
    with qtbot.waitSignal(wizard.imported, timeout=10_000):
        next_page(qtbot, wizard)
    page = wizard.done_page
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    assert page.originals.isVisibleTo(wizard) and page.delete_note.isVisibleTo(wizard)
    assert "2 of 2 photos in the folder are safely stored" in page.stored_heading.text()
    rows = [
        [page.originals.topLevelItem(i).text(c) for c in range(4)]
        for i in range(page.originals.topLevelItemCount())
    ]
    stored = {item.sha256 for item in vault.evidence.items()}
    assert len(rows) == 2
    for status, path, size, sha in rows:
        assert status == "Safely stored"
        assert int(size.replace(",", "")) == (folder / path).stat().st_size  # the path within the folder
        assert sha in stored
    assert str(folder) in page.stored_heading.text()
    assert page.originals.topLevelItem(0).toolTip(1).startswith(str(folder))
    assert "your choice" in page.delete_note.text() and "only one" in page.delete_note.text()


def test_a_damaged_copy_is_not_called_safely_stored(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, vault: Vault
) -> None:
    _chosen(qtbot, wizard, monkeypatch, tmp_path)
    next_page(qtbot, wizard)
    import victim_log.gui.tools.importwizard.done_page as done_page

    real = done_page.check_originals

    def after_damage(v, paths):  # the copy of one photo is damaged before the check runs
        item = vault.evidence.items()[0]
        blob = next((vault.path / "blobs").rglob(item.blob_id))
        data = bytearray(blob.read_bytes())
        data[-20] ^= 1
        blob.write_bytes(bytes(data))
        return real(v, paths)

    monkeypatch.setattr(done_page, "check_originals", after_damage)
    with qtbot.waitSignal(wizard.imported, timeout=10_000):
        next_page(qtbot, wizard)
    page = wizard.done_page
    qtbot.waitUntil(lambda: not page.working, timeout=30_000)
    statuses = sorted(page.originals.topLevelItem(i).text(0) for i in range(2))
    assert statuses == ["Copy did not check out", "Safely stored"]
    assert "1 of 2 photos" in page.stored_heading.text()


def test_other_formats_show_no_originals_list(wizard: ImportWizard) -> None:
    assert not wizard.done_page.originals.isVisibleTo(wizard)


def test_the_folder_is_shown_as_thumbnails_with_dates_from_the_names(
    qtbot, wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _chosen(qtbot, wizard, monkeypatch, tmp_path)
    thumbs = wizard.file_page.thumbs
    assert thumbs.isVisibleTo(wizard) and thumbs.count() == 2
    texts = sorted(thumbs.item(i).text() for i in range(2))
    assert texts[0].startswith("IMG_20240301_123456.png") and "01 Mar 2024 12:34" in texts[0]
    assert "02 Mar 2024 10:10" in texts[1]
    assert all(not thumbs.item(i).icon().isNull() for i in range(2))
