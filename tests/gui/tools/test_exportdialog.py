"""The export dialog: choices, live count, export on a worker thread, a verifiable result."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QImage

from tests.gui.conftest import PASSPHRASE
from tests.gui.conftest import DialogAnswers
from tests.gui.conftest import add
from tests.gui.conftest import shown
from victim_log.demo import fill_demo
from victim_log.export.bundle import ExportResult
from victim_log.gui.shell.session import Session
from victim_log.gui.tools import exportdialog
from victim_log.gui.tools.exportdialog import ExportDialog
from victim_log.gui.tools.exportdialog import open_export_dialog
from victim_log.gui.widgets import savepath
from victim_log.safezip import SafeZip
from victim_log.vault import Vault
from victim_log.verify import verify_bundle


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo case (24 incidents, one photo) made once; each test gets a copy."""
    base = tmp_path_factory.mktemp("demo")
    v, _recovery = Vault.create(base / "vault", PASSPHRASE)
    with v:
        fill_demo(v, total=24)
        image = QImage(40, 30, QImage.Format.Format_RGB32)
        image.fill(QColor("blue"))
        photo = base / "doorstep.png"
        assert image.save(str(photo))
        first = v.list_incidents(oldest_first=True, limit=1)[0].id
        v.evidence.add(photo, incident_id=first)
    return base / "vault"


@pytest.fixture
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Vault]:
    template = request.getfixturevalue("demo_template")
    shutil.copytree(template, tmp_path / "demo-vault")
    v = Vault.open(tmp_path / "demo-vault", PASSPHRASE)
    yield v
    v.lock()


@pytest.fixture
def vault(demo: Vault) -> Vault:
    """The shared fixtures' session opens this (the demo copy)."""
    return demo


@pytest.fixture
def dialog(qtbot, session: Session, demo: Vault) -> ExportDialog:
    return shown(qtbot, ExportDialog(session))


@pytest.fixture
def save_to(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Answer the save dialog with ``out`` (set the target before clicking Export)."""
    target: dict[str, Path | None] = {"path": tmp_path / "out.zip"}
    asked: list[str] = []

    def choose(parent, title, suggested, **_kwargs):
        asked.append(suggested)
        return target["path"]

    monkeypatch.setattr(savepath, "choose_save_path", choose)
    target["asked"] = asked  # type: ignore[assignment]
    return target


def run_export(qtbot, dialog: ExportDialog) -> ExportResult:
    with qtbot.waitSignal(dialog.exported, timeout=15_000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def member_text(bundle: Path, suffix: str) -> str:
    with SafeZip(bundle) as z:
        member = next(m for m in z.members if m.name.endswith(suffix))
        return z.read_bytes(member, 50_000_000).decode("utf-8-sig")


def test_defaults_and_live_preview(qtbot, dialog: ExportDialog, demo: Vault) -> None:
    assert dialog.all_dates.isChecked() and not dialog.from_date.isEnabled()
    assert dialog.initials.text() == "SM"  # from the vault's setting
    assert not dialog.include_private.isChecked()
    assert dialog.format_buttons["bundle"].isChecked()
    assert re.fullmatch(r"24 incidents, 1 exhibit, \d+ Jun 2026 to \d+ Aug 2026", dialog.preview.text())
    assert dialog.count_button.isHidden()

    # Private notes: a clear warning appears only when ticked.
    assert dialog.private_warning.isHidden()
    dialog.include_private.click()
    assert dialog.private_warning.isVisible()
    assert "defence may see these" in dialog.findChild(type(dialog.preview), "privateWarning").text()
    dialog.include_private.click()
    assert dialog.private_warning.isHidden()

    # Choosing one person, or a period, changes the count (debounced, not on every key).
    dialog.all_dates.click()
    assert dialog.from_date.isEnabled()
    dialog.from_date.setDate(dialog.to_date.date().addDays(1))
    qtbot.waitUntil(lambda: "before its start" in dialog.preview.text())
    assert not dialog.export_button.isEnabled()
    dialog.all_dates.click()
    qtbot.waitUntil(lambda: dialog.preview.text().startswith("24 incidents"))
    assert dialog.export_button.isEnabled()


def test_export_bundle_verifies_and_honours_redaction(
    qtbot, dialog: ExportDialog, save_to, session: Session, demo: Vault
) -> None:
    witness = demo.find_person("Priya Shah")
    assert witness is not None
    dialog.redact_third.click()
    result = run_export(qtbot, dialog)
    out = save_to["path"]
    assert result.path == out and out.is_file()
    assert save_to["asked"][0].startswith("incident-log-") and save_to["asked"][0].endswith(".zip")

    report = verify_bundle(out)
    assert report.valid, report.problems
    assert report.incident_count == 24 and report.exhibit_count == 1

    timeline = json.loads(member_text(out, "data/timeline.json"))
    assert timeline["redact"] == ["third-parties"]
    assert "Priya Shah" not in json.dumps(timeline)
    assert timeline["private_notes_included"] is False

    # The result page: counts, path, and the read-out fingerprint large, with Copy.
    assert dialog.pages.currentWidget() is dialog.done_page
    assert "24 incidents and 1 exhibit" in dialog.done_counts.text()
    assert str(out) in dialog.done_path.text()
    assert dialog.readout.text() == result.short_fingerprint == report.short_fingerprint
    assert dialog.readout.font().pointSizeF() > dialog.font().pointSizeF() * 1.5
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == result.short_fingerprint
    session.clear_clipboard_if_ours()  # what lock does
    assert QGuiApplication.clipboard().text() == ""
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_redact_locations_and_pdf_format(qtbot, dialog: ExportDialog, save_to, tmp_path: Path) -> None:
    dialog.redact_locations.click()
    dialog.format_buttons["json"].click()
    save_to["path"] = tmp_path / "plain"  # no suffix: the format's is added
    result = run_export(qtbot, dialog)
    assert result.path == tmp_path / "plain.json"
    data = json.loads(result.path.read_text("utf-8"))
    locations = {i["location"] for i in data["incidents"] if i["location"]}
    assert locations == {"[location redacted]"}
    assert dialog.unsigned_note.isVisible() and dialog.key_box.isHidden()


def test_only_selected_incidents_and_one_person(qtbot, session: Session, demo: Vault, save_to) -> None:
    ids = [s.id for s in demo.list_incidents(limit=3)]
    d = ExportDialog(session, incident_ids=ids)
    qtbot.addWidget(d)
    d.show()
    assert d.only_selected.isChecked() and "3 incidents" in d.only_selected.text()
    assert d.preview.text().startswith("3 incidents")
    assert d.selection_note.isVisible()
    assert d.selection_note.text().startswith("This is 3 of 24 entries in your diary")
    result = run_export(qtbot, d)
    assert result.incidents == 3
    d.accept()

    d2 = ExportDialog(session)
    qtbot.addWidget(d2)
    assert d2.only_selected.isHidden()
    kerry = demo.find_person("Kerry Marsh")
    d2.person.setCurrentIndex(d2.person.findData(kerry.id))
    d2.update_preview()
    assert not d2.preview.text().startswith("24 incidents")
    assert d2.person.itemText(1).startswith("Dan Marsh (the person doing this)")


def test_cancelled_save_dialog_writes_nothing(qtbot, dialog: ExportDialog, save_to, tmp_path: Path) -> None:
    save_to["path"] = None
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentWidget() is dialog.options_page
    assert not dialog.busy
    assert not list(tmp_path.glob("*.zip"))


def test_error_is_shown_and_options_stay(
    qtbot, dialog: ExportDialog, save_to, tmp_path: Path, answers: DialogAnswers
) -> None:
    save_to["path"] = tmp_path / "no such folder" / "out.zip"
    answers.ok()
    with qtbot.waitSignal(dialog.failed, timeout=10_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in answers.seen[0].text()
    assert dialog.pages.currentWidget() is dialog.options_page
    assert not (tmp_path / "no such folder").exists()


def test_busy_page_and_ui_stays_responsive(qtbot, dialog: ExportDialog, save_to) -> None:
    with qtbot.waitSignal(dialog.exported, timeout=15_000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        # The click returns at once: the export runs on a worker thread.
        assert dialog.pages.currentWidget() is dialog.busy_page
        assert dialog.busy
        dialog.reject()  # ignored while busy: the person would not know if it happened
        assert dialog.isVisible()
    assert not dialog.busy
    qtbot.waitUntil(lambda: exportdialog.tasks_running() == 0)


def test_big_diary_counts_on_demand(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(exportdialog, "LIVE_PREVIEW_LIMIT", 2)
    small, _recovery = Vault.create(tmp_path / "small", PASSPHRASE)
    for n in range(3):
        add(small, f"Call {n}", f"2026-03-0{n + 1}T10:00:00+00:00", kinds=("phone_call",))
    session = Session(small.path)
    session.set_vault(small)
    d = ExportDialog(session)
    qtbot.addWidget(d)
    d.show()
    assert not d.count_button.isHidden()
    assert "Press Count" in d.preview.text()
    qtbot.mouseClick(d.count_button, Qt.MouseButton.LeftButton)
    assert d.preview.text() == "3 incidents, 0 exhibits, 1 Mar 2026 to 3 Mar 2026"
    session.lock()


def test_open_export_dialog_runs_modal_and_is_disposed(
    qtbot, session: Session, demo: Vault, answers: DialogAnswers, save_to
) -> None:
    seen: list[ExportDialog] = []

    def drive(d):
        seen.append(d)
        assert isinstance(d, ExportDialog)
        result = run_export(qtbot, d)
        assert result.incidents == 24
        qtbot.mouseClick(d.close_button, Qt.MouseButton.LeftButton)

    answers.add(drive, "exportDialog")
    open_export_dialog(session)
    import shiboken6

    assert not shiboken6.isValid(seen[0])  # deleted: it held names and counts


def test_locked_session_shows_error(qtbot, session: Session, answers: DialogAnswers) -> None:
    session.lock()
    answers.ok()
    open_export_dialog(session)
    assert "locked" in answers.seen[0].text()


def test_export_temp_file_is_remembered_while_written(
    qtbot, dialog: ExportDialog, save_to, demo: Vault, monkeypatch
) -> None:
    """#23.4: as the CLI does, the partial file of an export into another folder is
    noted in the vault while it exists, so a crash's leftover is removed at next unlock."""
    from victim_log import leftovers

    real = leftovers.remember_temp
    seen: list[tuple[Path, bool]] = []

    def spy(vault: Vault, tmp: Path):
        forget = real(vault, tmp)
        seen.append((tmp, bool(leftovers._pending(vault))))
        return forget

    monkeypatch.setattr(leftovers, "remember_temp", spy)
    result = run_export(qtbot, dialog)
    assert result.path == save_to["path"]
    assert seen and all(tmp.parent == result.path.parent and noted for tmp, noted in seen)
    assert leftovers._pending(demo) == []  # forgotten once the file was finished


def test_one_highlighted_row_exports_the_whole_diary(qtbot, session: Session, demo: Vault) -> None:
    """#18.2: the timeline highlights its top row at unlock; that is not a choice."""
    top = demo.list_incidents(limit=1)[0].id
    d = ExportDialog(session, incident_ids=[top])
    qtbot.addWidget(d)
    d.show()
    assert d.only_selected.isHidden() and d.selection_note.isHidden()
    assert d.options().incident_ids == ()
    assert d.preview.text().startswith("24 incidents")


def test_unticking_a_selection_exports_everything(qtbot, session: Session, demo: Vault) -> None:
    ids = [s.id for s in demo.list_incidents(limit=2)]
    d = ExportDialog(session, incident_ids=ids)
    qtbot.addWidget(d)
    d.show()
    assert d.selection_note.isVisible()
    d.only_selected.click()
    assert not d.only_selected.isChecked() and d.selection_note.isHidden()
    d.update_preview()
    assert d.preview.text().startswith("24 incidents")
    assert d.options().incident_ids == ()


def test_redacted_export_with_its_full_copy(
    qtbot, dialog: ExportDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo: Vault
) -> None:
    """#16.6: with redaction chosen, the dialog can also save the unredacted copy the
    redacted one names by the SHA-256 of its timeline.json."""
    import hashlib

    answers = [tmp_path / "hidden.zip", tmp_path / "full.zip"]
    asked: list[str] = []

    def choose(parent, title, suggested, **_kwargs):
        asked.append(suggested)
        return answers.pop(0)

    monkeypatch.setattr(savepath, "choose_save_path", choose)
    assert not dialog.unredacted_copy.isEnabled()  # nothing hidden: nothing to name
    dialog.redact_third.click()
    assert dialog.unredacted_copy.isEnabled() and not dialog.unredacted_copy.isChecked()
    dialog.unredacted_copy.click()
    result = run_export(qtbot, dialog)
    assert asked[1] == "hidden-full.zip"
    assert result.path == tmp_path / "hidden.zip" and (tmp_path / "full.zip").is_file()
    assert verify_bundle(tmp_path / "full.zip").valid
    with SafeZip(tmp_path / "full.zip") as z:
        member = next(m for m in z.members if m.name.endswith("data/timeline.json"))
        digest = hashlib.sha256(z.read_bytes(member, 50_000_000)).hexdigest()
    hidden = json.loads(member_text(result.path, "data/timeline.json"))
    assert hidden["material_not_included"]["derived_from"]["timeline_json_sha256"] == digest
    assert "Priya Shah" in member_text(tmp_path / "full.zip", "data/timeline.json")
    assert "full.zip" in dialog.done_redactions.text()

    # Unticking the last redaction unticks the full copy too.
    dialog.pages.setCurrentWidget(dialog.options_page)
    dialog.redact_third.click()
    assert not dialog.unredacted_copy.isEnabled() and not dialog.unredacted_copy.isChecked()


def test_export_without_initials_asks_for_them(
    qtbot, dialog: ExportDialog, save_to, session: Session, answers: DialogAnswers
) -> None:
    """Exhibits are numbered with the person's initials, never invented letters."""
    session.require().set_setting("initials", "")
    dialog.initials.clear()
    answers.ok()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert answers.done() and "initials" in answers.seen[0].text()
    assert dialog.pages.currentWidget() is dialog.options_page
    assert save_to["asked"] == []


def test_exporting_by_person_offers_the_entries_that_name_nobody(
    qtbot, dialog: ExportDialog, session: Session, demo: Vault
) -> None:
    """#18.4: 'involving Dan Marsh' would silently leave out quick entries naming nobody."""
    from victim_log.model import IncidentData

    nobody = demo.add_incident(
        IncidentData(occurred_start="2026-07-01T10:00", kinds=("phone_call",), summary="A call")
    )
    dan = demo.find_person("Dan Marsh")
    assert dialog.include_nameless.isHidden()  # everyone: nothing left out
    dialog.person.setCurrentIndex(dialog.person.findData(dan.id))
    dialog.update_preview()
    assert dialog.include_nameless.isVisible()
    assert re.match(r"\d+ entr(y|ies) in this period name nobody", dialog.include_nameless.text())
    theirs = dialog.options()
    assert theirs.person_id == dan.id and nobody not in theirs.incident_ids
    count_theirs = int(dialog.preview.text().split()[0])
    dialog.include_nameless.click()
    dialog.update_preview()
    both = dialog.options()
    assert both.person_id is None and nobody in both.incident_ids
    assert int(dialog.preview.text().split()[0]) > count_theirs


def test_upload_batches_beside_the_bundle(qtbot, dialog: ExportDialog, save_to, tmp_path: Path) -> None:
    """#21: 'Also make upload batches' writes numbered folders of at most N files,
    cut from the same bundle, in a new folder beside it; the done page says where."""
    assert not dialog.batch_size.isEnabled()
    dialog.format_buttons["pdf"].click()
    assert not dialog.portal.isEnabled()  # batches go with the signed bundle only
    dialog.format_buttons["bundle"].click()
    dialog.portal.click()
    assert dialog.batch_size.isEnabled() and dialog.batch_size.value() == 16
    dialog.batch_size.setValue(5)
    result = run_export(qtbot, dialog)
    folder = tmp_path / "out-upload-batches"
    assert result.portal is not None and Path(str(result.portal["folder"])) == folder
    assert (folder / "README.txt").is_file()
    assert dialog.done_portal.isVisible()
    assert dialog.done_portal.text().startswith(
        "Upload batches: 1 folder of at most 5 files in out-upload-batches"
    )


def test_statement_draft_beside_the_export(qtbot, dialog: ExportDialog, save_to, tmp_path: Path) -> None:
    """#21: 'Also write a draft witness statement' writes a .docx beside the bundle,
    citing the exhibits by the references the export gave them."""
    import zipfile

    dialog.statement.click()
    result = run_export(qtbot, dialog)
    draft = tmp_path / "out-statement-draft.docx"
    assert result.path == tmp_path / "out.zip" and draft.is_file()
    with zipfile.ZipFile(draft) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "SM/1" in body and "DRAFT" in body.upper()
    assert dialog.done_statement.isVisible() and draft.name in dialog.done_statement.text()
