"""The bundle viewer: verification banner, timeline and exhibits, read straight from the zip."""

from __future__ import annotations

import json
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import PASSPHRASE
from tests.gui.conftest import DialogAnswers
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.gui.tools.bundleviewer import BundleViewer
from victim_log.gui.tools.bundleviewer import run_bundle_viewer
from victim_log.gui.tools.exportdialog import tasks_running
from victim_log.gui.widgets import savepath
from victim_log.model import IncidentData
from victim_log.vault import Vault


@pytest.fixture(scope="module")
def bundle_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real export: three incidents, one with a photo, one with hostile characters."""
    base = tmp_path_factory.mktemp("bundle")
    vault, _recovery = Vault.create(base / "vault", PASSPHRASE)
    with vault:
        vault.set_setting("initials", "SM")
        vault.set_setting("time_zone", "Europe/London")  # the case's clock (#16.4)
        image = QImage(64, 48, QImage.Format.Format_RGB32)
        image.fill(QColor("red"))
        photo = base / "doorstep.png"
        assert image.save(str(photo))
        first = vault.add_incident(
            IncidentData(
                summary="Flowers left on the doorstep",
                kinds=("gift",),
                occurred_start="2026-06-06T21:15:00+01:00",
                location="outside the Co-op on High Street",
                details='Card said "I\'ll always be watching"',
            )
        )
        vault.evidence.add(photo, incident_id=first)
        vault.add_incident(
            IncidentData(
                summary="Sixteen calls\u202e from a withheld number",
                kinds=("phone_call",),
                occurred_start="2026-06-07T08:00:00+01:00",
            )
        )
        vault.add_incident(
            IncidentData(
                summary="Waiting outside work",
                kinds=("loitering",),
                occurred_start="2026-06-09T17:30:00+01:00",
            )
        )
        export(vault, base / "case.zip", ExportOptions())
    from victim_log import casetime

    casetime.activate(None)  # the export made the vault's zone the active one
    return base / "case.zip"


def rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a zip member by member, letting ``change`` alter (or drop, with None) each."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info))
            if data is None:
                continue
            out = zipfile.ZipInfo(info.filename, info.date_time)
            out.compress_type = info.compress_type
            zout.writestr(out, data)
    return dst


def open_viewer(qtbot, path: Path) -> BundleViewer:
    viewer = BundleViewer(path)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.verified, timeout=10_000):
        viewer.show()
    qtbot.waitUntil(lambda: tasks_running() == 0)
    return viewer


def test_valid_bundle_banner_timeline_and_exhibit(
    qtbot, bundle_file: Path, tmp_path: Path, monkeypatch, answers: DialogAnswers
) -> None:
    viewer = open_viewer(qtbot, bundle_file)
    assert viewer.status.text() == "VALID, signer not yet confirmed"  # never an unqualified VALID
    assert "3 incidents, 1 exhibit, 6 Jun 2026 to 9 Jun 2026" in viewer.summary.text()
    assert viewer.readout.text() == viewer.report.short_fingerprint
    assert len(viewer.readout.text()) == 29  # six groups of four
    assert "#1e6b32" in viewer.banner.styleSheet()

    table = viewer.timeline
    assert table.rowCount() == 3
    assert [table.item(r, 0).text() for r in range(3)] == ["1", "2", "3"]
    assert table.item(0, 3).text() == "Flowers left on the doorstep"
    assert table.item(0, 4).text() == "SM/1"
    assert "\u202e" not in table.item(1, 3).text()  # bidi control neutralised
    assert "Sixteen calls" in table.item(1, 3).text()
    assert table.item(0, 1).text().startswith("Sat 6 Jun 2026 at 21:15 BST")
    detail = viewer.detail.toPlainText()  # the first row is selected on open
    assert detail.startswith("Entry 1")
    assert "Place: outside the Co-op on High Street" in detail
    assert 'Card said "I\'ll always be watching"' in detail
    table.selectRow(2)
    assert "Waiting outside work" in viewer.detail.toPlainText()
    viewer.filter.setText("withheld")
    assert [table.isRowHidden(r) for r in range(3)] == [True, False, True]

    ex = viewer.exhibit_table
    assert ex.rowCount() == 1 and ex.item(0, 0).text() == "SM/1"
    assert ex.item(0, 1).text() == "doorstep.png"
    assert ex.item(0, 5).text() == "✓ unchanged"
    ex.selectRow(0)
    assert viewer.image.has_image()
    assert "match the SHA-256" in viewer.exhibit_info.toPlainText()

    out = tmp_path / "saved.png"
    asked = []
    monkeypatch.setattr(
        savepath, "choose_save_path", lambda parent, title, name, **_kw: asked.append(name) or out
    )
    answers.ok()
    viewer.save_button.click()
    assert asked == ["SM-1_doorstep.png"]
    with zipfile.ZipFile(bundle_file) as z:
        original = next(n for n in z.namelist() if n.endswith("SM-1_doorstep.png"))
        assert out.read_bytes() == z.read(original)
    assert "byte for byte" in answers.seen[0].text()

    viewer.close()  # what the app's lock does: everything shown is forgotten
    assert viewer.timeline.rowCount() == 0 and viewer.detail.toPlainText() == ""


def test_tampered_bundle_is_red_and_names_the_file(qtbot, bundle_file: Path, tmp_path: Path) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name.endswith("SM-1_doorstep.png"):
            return data[:-1] + bytes([data[-1] ^ 1])
        return data

    bad = rewrite(bundle_file, tmp_path / "tampered.zip", change)
    viewer = open_viewer(qtbot, bad)
    assert viewer.status.text().startswith("INVALID")
    assert "#a11d1d" in viewer.banner.styleSheet()
    assert "data/exhibits/SM-1_doorstep.png has changed since export" in viewer.problems.text()
    # What can be read still is.
    assert viewer.timeline.rowCount() == 3
    assert viewer.exhibit_table.item(0, 5).text() == "⚠ changed"
    viewer.exhibit_table.selectRow(0)
    assert "do NOT match" in viewer.exhibit_info.toPlainText()


def test_tampered_timeline_json_is_named_and_still_shown(qtbot, bundle_file: Path, tmp_path: Path) -> None:
    def change(name: str, data: bytes) -> bytes:
        if name.endswith("data/timeline.json"):
            doc = json.loads(data)
            doc["incidents"][0]["summary"] = "Something else entirely"
            return json.dumps(doc).encode()
        return data

    viewer = open_viewer(qtbot, rewrite(bundle_file, tmp_path / "edited.zip", change))
    assert viewer.status.text().startswith("INVALID")
    assert "data/timeline.json" in viewer.problems.text()
    assert viewer.timeline.item(0, 3).text() == "Something else entirely"


def test_broken_json_and_missing_exhibit_open_what_they_can(qtbot, bundle_file: Path, tmp_path: Path) -> None:
    def change(name: str, data: bytes) -> bytes | None:
        if name.endswith("data/timeline.json"):
            return b"[" * 100_000  # deep nesting: refused, not a crash
        if name.endswith("SM-1_doorstep.png"):
            return None
        return data

    viewer = open_viewer(qtbot, rewrite(bundle_file, tmp_path / "broken.zip", change))
    assert viewer.status.text().startswith("INVALID")
    assert "timeline.json cannot be read" in viewer.notes.text()
    assert viewer.timeline.rowCount() == 0
    assert viewer.exhibit_table.item(0, 5).text() == "⚠ missing"
    viewer.exhibit_table.selectRow(0)
    assert not viewer.save_button.isEnabled()


def test_unsafe_zip_opens_nothing_but_the_banner(qtbot, tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
        z.writestr("../../outside.txt", "escape")
    viewer = BundleViewer(evil)
    qtbot.addWidget(viewer)
    assert viewer.status.text() == "NOT OPENED: this zip is unsafe"
    assert ".." in viewer.summary.text()
    assert viewer.timeline.rowCount() == 0
    assert tasks_running() == 0
    assert not (tmp_path.parent / "outside.txt").exists()


def test_not_a_bundle_gives_exit_code_2(qtbot, tmp_path: Path, answers: DialogAnswers) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(random.Random(3).randbytes(5000))
    answers.ok()
    assert run_bundle_viewer(junk) == 2
    assert "not a zip file" in answers.seen[0].text()

    plain = tmp_path / "photos.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("holiday.jpg", b"not really")
    answers.ok()
    assert run_bundle_viewer(plain) == 2
    assert "not an export bundle" in answers.seen[1].text()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, BundleViewer) and w.isVisible()]


def test_run_bundle_viewer_shows_and_returns_0(qtbot, bundle_file: Path) -> None:
    shown: list[BundleViewer] = []

    def close_when_checked() -> None:
        viewers = [w for w in QApplication.topLevelWidgets() if isinstance(w, BundleViewer) and w.isVisible()]
        if viewers and viewers[0].report is not None:
            shown.append(viewers[0])
            viewers[0].close()
        else:
            QTimer.singleShot(20, close_when_checked)

    QTimer.singleShot(0, close_when_checked)
    assert run_bundle_viewer(bundle_file) == 0
    assert shown and shown[0].report.valid
    assert tasks_running() == 0


def test_key_the_sender_read_out_is_checked(qtbot, bundle_file: Path) -> None:
    viewer = open_viewer(qtbot, bundle_file)
    assert viewer.pin_row.isVisible()
    right = viewer.report.short_fingerprint
    viewer.pin_edit.setText(right.lower().replace(" ", "-"))  # as someone might type it
    with qtbot.waitSignal(viewer.pin_checked, timeout=10_000):
        viewer.pin_button.click()
    assert viewer.pin_result.text().startswith("It matches")
    assert viewer.status.text() == "VALID, signed by the key you expected"

    wrong = "0000 0000 0000 0000 0000 0000" if right != "0000 0000 0000 0000 0000 0000" else "1" * 24
    viewer.pin_edit.setText(wrong)
    with qtbot.waitSignal(viewer.pin_checked, timeout=10_000):
        viewer.pin_button.click()
    assert "not by the key you expected" in viewer.pin_result.text()
    assert viewer.status.text().startswith("INVALID")

    viewer.pin_edit.setText("not a key")
    viewer.pin_button.click()  # refused at once: a mistyped key is not a failed bundle
    assert viewer.pin_result.text().startswith("The expected key must be written")
    qtbot.waitUntil(lambda: tasks_running() == 0)
