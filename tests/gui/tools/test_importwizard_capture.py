"""ProofMode proof zips and Tella verification exports in the import wizard (#19).

Driven as a person would: choose the kind, pick the zip or the CSV, no sender page (a
capture app's files are the person's own), the checks shown on the confirm page,
Import. A changed file is refused in plain words with both hashes, and nothing is stored.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtCore import QRect
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from PySide6.QtWidgets import QWizard

from tests.gui.conftest import DialogAnswers
from tests.gui.tools.test_importwizard import FIXTURES
from tests.gui.tools.test_importwizard import next_page
from tests.gui.tools.test_importwizard import wait_plan
from victim_log.gui.shell.session import Session
from victim_log.gui.tools.importwizard import formats
from victim_log.gui.tools.importwizard.formats import FORMAT_BY_KEY
from victim_log.gui.tools.importwizard.formats import FORMATS
from victim_log.gui.tools.importwizard.wizard import ImportWizard
from victim_log.vault import Vault

ZIP = FIXTURES / "proofmode_two.zip"
TELLA_CSV = FIXTURES / "tella_export" / "verification.csv"
PHOTO = "IMG_20240701_203000.jpg"
PHOTO_HASH = "6bc3409603ff10f591585ebb8566e79829a5ca5da2274075e3082798bdc17daf"
TELLA_PHOTO_HASH = "d206b988a4bf74616d6ecdbe545be7877c874e99d53c1ca8e815fcb3f1ef8058"
HAVE_GPGV = shutil.which("gpgv") is not None


@pytest.fixture
def pick(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Answer the file dialog with ``chosen[0]``."""
    chosen: list[Path] = [ZIP]

    def ask(parent: object, fmt: str, folder: bool = False) -> Path:
        assert fmt in ("proofmode", "tella")
        assert folder == chosen[0].is_dir()  # a folder only through "Choose its folder…"
        return chosen[0]

    monkeypatch.setattr(formats, "choose_open_path", ask)
    return chosen


def scan(qtbot, w: ImportWizard, fmt: str, *, folder: bool = False) -> None:
    w.format_page.buttons[fmt].click()
    next_page(qtbot, w)
    assert w.currentId() == ImportWizard.FILE
    assert w.file_page.folder_button.isVisible() == (fmt == "tella")  # a zip has no folder
    button = w.file_page.folder_button if folder else w.file_page.choose_button
    with qtbot.waitSignal(w.scanned, timeout=30_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def checks(w: ImportWizard) -> list[str]:
    preview = w.confirm_page.preview
    return [preview.item(i).text() for i in range(preview.count())]


def fits(w: ImportWizard, width: int = 1024, height: int = 600) -> None:
    """At 1024×600 the page (its checks or its refusal shown) and every wizard button fit."""
    w.resize(width, height)
    QApplication.processEvents()
    assert (w.width(), w.height()) == (width, height)  # nothing forced it larger
    for hint in (w.minimumSizeHint(), w.currentPage().minimumSizeHint()):
        assert hint.width() <= width and hint.height() <= height, (hint, w.currentPage().objectName())
    inside = QRect(0, 0, w.width(), w.height())
    for which in (QWizard.WizardButton.CommitButton, QWizard.WizardButton.NextButton):
        button = w.button(which)
        if button is not None and button.isVisible():
            assert inside.contains(QRect(button.mapTo(w, QPoint(0, 0)), button.size())), which


def test_offered_without_a_sender() -> None:
    for key, label in (
        ("proofmode", "ProofMode proof (zip)"),
        ("tella", "Tella verification export (CSV)"),
    ):
        choice = FORMAT_BY_KEY[key]
        assert choice.label == label and choice.how and not choice.asks_sender
    # One attribute says which formats have no sender page; every chat and log has one.
    assert {f.key for f in FORMATS if not f.asks_sender} == {"photos", "proofmode", "tella"}


def test_proofmode_zip_checked_then_imported(
    qtbot, wizard: ImportWizard, pick: list[Path], session: Session, vault: Vault
) -> None:
    scan(qtbot, wizard, "proofmode")
    assert wizard.file_page.status.text() == "Found 2 files."
    assert wizard.file_page.path_label.text() == ZIP.name
    next_page(qtbot, wizard)
    assert wizard.currentId() == ImportWizard.CONFIRM  # no "Who is harassing you?"
    wait_plan(qtbot, wizard)
    confirm = wizard.confirm_page
    assert confirm.summary.text().startswith("2 incidents will be created, ")
    assert "checked against the one the app recorded" in confirm.detail.text()
    lines = checks(wizard)
    assert len(lines) == 2
    assert lines[0].startswith(f"{PHOTO}: SHA-256 {PHOTO_HASH[:12]}… matches the one ProofMode recorded")
    if HAVE_GPGV:
        assert "OpenPGP signatures of the file and its proof good, key FD75E9C0" in lines[0]
    else:
        assert "signature not checked (GnuPG's gpgv is not installed" in lines[0]
    assert confirm.preview.accessibleName() == "The checks, file by file"
    assert vault.count_incidents() == 0  # a dry run wrote nothing
    fits(wizard)

    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        next_page(qtbot, wizard)
    report = done.args[0]
    assert report.incidents_created == 2
    assert vault.count_incidents() == 2
    assert wizard.currentId() == ImportWizard.DONE
    assert wizard.done_page.result_label.text() == (
        f"2 entries created and {report.exhibits_stored} evidence files stored."
    )
    photo = next(e for e in vault.evidence.items() if e.filename == PHOTO)
    assert PHOTO_HASH in photo.metadata["provenance"]["description"]


def test_proofmode_without_gpgv_says_not_checked(
    qtbot, wizard: ImportWizard, pick: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("victim_log.importers.pgpverify.gpgv_path", lambda: None)
    scan(qtbot, wizard, "proofmode")
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    assert all("signature not checked (GnuPG's gpgv is not installed" in line for line in checks(wizard))


def _tampered_zip(tmp_path: Path) -> tuple[Path, str]:
    with zipfile.ZipFile(ZIP) as z:
        members = {n: z.read(n) for n in z.namelist()}
    members[PHOTO] += b"edited"
    out = tmp_path / "proof-shared-again.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out, hashlib.sha256(members[PHOTO]).hexdigest()


def _refused(qtbot, w: ImportWizard, fmt: str, answers: DialogAnswers) -> str:
    answers.ok()
    scan(qtbot, w, fmt)
    message = answers.seen[0].text()
    assert w.currentId() == ImportWizard.FILE
    assert w.file_page.status.text() == message
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()
    fits(w)
    return message


def test_changed_proofmode_photo_refused_nothing_stored(
    qtbot, wizard: ImportWizard, pick: list[Path], tmp_path: Path, answers: DialogAnswers, vault: Vault
) -> None:
    pick[0], changed = _tampered_zip(tmp_path)
    message = _refused(qtbot, wizard, "proofmode", answers)
    assert f"'{PHOTO}' is not the file ProofMode recorded" in message
    assert PHOTO_HASH in message and changed in message and "Nothing was imported" in message
    assert vault.count_incidents() == 0 and vault.evidence.items() == []


@pytest.mark.skipif(not HAVE_GPGV, reason="a bad signature is only seen with gpgv")
def test_bad_proofmode_signature_refused_nothing_stored(
    qtbot, wizard: ImportWizard, pick: list[Path], tmp_path: Path, answers: DialogAnswers, vault: Vault
) -> None:
    with zipfile.ZipFile(ZIP) as z:
        members = {n: z.read(n) for n in z.namelist()}
    proof = f"{PHOTO_HASH}.proof.json"
    members[proof] = members[proof].replace(b"Pixel 6", b"Pixel 7")  # the proof edited after signing
    pick[0] = tmp_path / "edited-proof.zip"
    with zipfile.ZipFile(pick[0], "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    message = _refused(qtbot, wizard, "proofmode", answers)
    assert "signature of" in message and "does not match it" in message and "Nothing was imported" in message
    assert vault.count_incidents() == 0 and vault.evidence.items() == []


def test_tella_csv_checked_then_imported(qtbot, wizard: ImportWizard, pick: list[Path], vault: Vault) -> None:
    pick[0] = TELLA_CSV
    scan(qtbot, wizard, "tella")
    # IMG_0043.jpg is in the CSV but not beside it: left out, and said why.
    assert (
        wizard.file_page.status.text() == "Found 2 files. 1 file will be left out (the next page says why)."
    )
    next_page(qtbot, wizard)
    assert wizard.currentId() == ImportWizard.CONFIRM
    wait_plan(qtbot, wizard)
    lines = checks(wizard)
    assert lines[0] == f"IMG_0042.jpg: SHA-256 {TELLA_PHOTO_HASH[:12]}… matches the one Tella recorded"
    assert lines[-1] == "IMG_0043.jpg: not in the CSV's folder"
    fits(wizard)
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        next_page(qtbot, wizard)
    assert done.args[0].incidents_created == 2
    assert vault.count_incidents() == 2
    assert wizard.done_page.result_label.text() == "2 entries created and 3 evidence files stored."


def test_tella_again_is_already_imported(qtbot, wizard: ImportWizard, pick: list[Path], vault: Vault) -> None:
    from victim_log.importers.service import ImportRequest
    from victim_log.importers.service import run_import

    run_import(vault, ImportRequest("tella", TELLA_CSV))
    pick[0] = TELLA_CSV
    scan(qtbot, wizard, "tella")
    assert "already imported this file" in wizard.file_page.status.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_changed_tella_file_refused_nothing_stored(
    qtbot, wizard: ImportWizard, pick: list[Path], tmp_path: Path, answers: DialogAnswers, vault: Vault
) -> None:
    folder = tmp_path / "export"
    shutil.copytree(TELLA_CSV.parent, folder)
    (folder / "IMG_0042.jpg").write_bytes(b"\xff\xd8\xff changed")
    changed = hashlib.sha256(b"\xff\xd8\xff changed").hexdigest()
    pick[0] = folder / "verification.csv"
    message = _refused(qtbot, wizard, "tella", answers)
    assert "'IMG_0042.jpg' is not the file Tella recorded" in message
    assert TELLA_PHOTO_HASH in message and changed in message
    assert vault.count_incidents() == 0 and vault.evidence.items() == []


def test_tella_file_changed_after_the_checks_refused_at_import(
    qtbot, wizard: ImportWizard, pick: list[Path], tmp_path: Path, answers: DialogAnswers, vault: Vault
) -> None:
    """The files are read again on Import: one changed since the confirm page is refused there."""
    folder = tmp_path / "export"
    shutil.copytree(TELLA_CSV.parent, folder)
    pick[0] = folder / "verification.csv"
    scan(qtbot, wizard, "tella")
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    (folder / "IMG_0042.jpg").write_bytes(b"\xff\xd8\xff changed")
    answers.ok()
    with qtbot.waitSignal(wizard.failed, timeout=30_000):
        next_page(qtbot, wizard)
    assert TELLA_PHOTO_HASH in answers.seen[0].text() and "Nothing was imported" in answers.seen[0].text()
    assert wizard.currentId() == ImportWizard.CONFIRM
    assert wizard.confirm_page.summary.text() == "Nothing was imported."
    assert vault.count_incidents() == 0 and vault.evidence.items() == []


def test_tella_folder_chosen_as_it_is(qtbot, wizard: ImportWizard, pick: list[Path], vault: Vault) -> None:
    pick[0] = TELLA_CSV.parent
    scan(qtbot, wizard, "tella", folder=True)
    assert wizard.file_page.status.text().startswith("Found 2 files.")
    next_page(qtbot, wizard)
    wait_plan(qtbot, wizard)
    with qtbot.waitSignal(wizard.imported, timeout=30_000) as done:
        next_page(qtbot, wizard)
    assert done.args[0].incidents_created == 2 and vault.count_incidents() == 2
