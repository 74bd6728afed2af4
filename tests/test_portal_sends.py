"""#21: the record of upload-link batches sent, kept in the vault's journal.

Why: the person ticks each batch as they send it through the officer's link, and the
log must say afterwards what was sent, when and to which reference, even across a
lock; a tick taken back is a correction on the record, never a deletion.
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import CANARY
from tests.helpers import PASSPHRASE
from victim_log import portal_sends as ps
from victim_log.errors import BadInput
from victim_log.export.bundle import PortalRequest
from victim_log.export.bundle import export
from victim_log.export.case import ExportOptions
from victim_log.export.portal import MANIFEST
from victim_log.export.portal import read_portal
from victim_log.model import IncidentData
from victim_log.vault import Vault


def make_batches(vault: Vault, folder: Path) -> Path:
    """Three entries with a file each, exported with upload batches of 2 (the timeline
    PDF and SM/1; SM/2 and SM/3) into ``folder``/up; returns that folder."""
    for i in range(3):
        vault.add_incident(
            IncidentData(kinds=("message",), summary=f"Texts {i}", occurred_start=f"2024-04-0{i + 1}T09:00Z"),
            files=[(f"screenshot {i}.txt", f"message {i}\n".encode())],
        )
    export(vault, folder / "log.zip", ExportOptions(initials="SM"), portal=PortalRequest(folder / "up", 2))
    return folder / "up"


@pytest.fixture
def made(tmp_path: Path) -> tuple[Vault, Path]:
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    return vault, make_batches(vault, tmp_path)


def test_portal_json_lists_the_batches_written(made: tuple[Vault, Path]) -> None:
    _vault, up = made
    doc = json.loads((up / MANIFEST).read_text(encoding="utf-8"))
    folder = read_portal(up)
    assert doc["id"] == folder.id and doc["bundle"] == "log.zip" and doc["batch_size"] == 2
    # 1 PDF + 3 exhibits in batches of 2; every listed file is on disk in its folder.
    assert [len(b) for b in folder.batches] == [2, 2]
    for n, files in enumerate(folder.batches, 1):
        assert {f.name for f in files} == {p.name for p in folder.batch_path(n).iterdir()} - {"captions.txt"}
        assert all(len(f.caption) > 20 and f.sha256 for f in files)


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["batches"][0]["files"][0].update(name="../../escape.txt"),
        lambda d: d["batches"][0].update(folder="../elsewhere"),
        lambda d: d["batches"][0]["files"][0].update(sha256="not a hash"),
        lambda d: d.update(format="something else"),
        lambda d: d["batches"][1]["files"][0].update(caption="changed by hand"),
        # a lone surrogate (valid JSON) crashed the id check with UnicodeEncodeError
        lambda d: d["batches"][1]["files"][0].update(caption="\ud800"),
        lambda d: d["batches"][0]["files"][0].update(name="a\x00b.txt"),
        lambda d: d["batches"][0]["files"][0].update(size=True),
    ],
)
def test_a_damaged_or_crafted_portal_json_is_refused(made: tuple[Vault, Path], damage: object) -> None:
    _vault, up = made
    doc = json.loads((up / MANIFEST).read_text(encoding="utf-8"))
    damage(doc)  # type: ignore[operator]
    (up / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(BadInput, match="not a folder of upload batches"):
        read_portal(up)


def test_a_portal_json_nested_too_deep_is_refused(made: tuple[Vault, Path]) -> None:
    """json raises RecursionError, not ValueError, for deep nesting: it was a traceback."""
    _vault, up = made
    (up / MANIFEST).write_bytes(b"[" * 50_000)
    with pytest.raises(BadInput, match="not a folder of upload batches"):
        read_portal(up)


def test_a_folder_without_portal_json_is_refused_plainly(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no portal.json"):
        read_portal(tmp_path)
    (tmp_path / "Batch 01 of 01").mkdir()  # made before portal.json was written
    with pytest.raises(BadInput, match="make them again"):
        read_portal(tmp_path)
    (tmp_path / MANIFEST).write_bytes(b"\xff{not json")
    with pytest.raises(BadInput, match="damaged"):
        read_portal(tmp_path)


def test_ticks_survive_a_lock_and_a_correction_is_a_new_version(made: tuple[Vault, Path]) -> None:
    vault, up = made
    folder = read_portal(up)
    when = datetime.now(UTC).replace(microsecond=0)
    first = ps.mark_sent(vault, folder, 1, "  CR/1234/26  ", when=when)
    assert first.reference == "CR/1234/26" and first.version == 1 and first.sent
    assert first.sent_at == when.isoformat().replace("+00:00", "Z")
    assert first.files == tuple(f.sha256 for f in folder.batches[0])
    path = vault.path
    vault.lock()
    vault = Vault.open(path, PASSPHRASE)
    states = ps.batch_states(vault, folder)
    assert [s.sent for s in states] == [True, False]
    assert states[0].latest == first
    assert ps.last_reference(states) == "CR/1234/26"
    # Taken back: a new entry with a reason; the first tick stays in the history.
    undo = ps.mark_not_sent(vault, folder, 1, "the upload failed")
    assert (undo.version, undo.sent, undo.reason) == (2, False, "the upload failed")
    before = ps.batch_states(vault, folder)
    again = ps.mark_sent(vault, folder, 1, "CR/1234/26")
    states = ps.batch_states(vault, folder)
    assert ps.with_record(before, again) == states  # what the app shows without reading again
    assert [r.version for r in states[0].history] == [1, 2, 3] and states[0].latest == again
    assert states[0].history[0] == first
    assert vault.check().ok  # the journal still walks: nothing was changed in place
    vault.lock()


def test_refusals_say_why(made: tuple[Vault, Path]) -> None:
    vault, up = made
    folder = read_portal(up)
    with pytest.raises(BadInput, match="police reference"):
        ps.mark_sent(vault, folder, 1, "   ")
    with pytest.raises(BadInput, match="no batch 3"):
        ps.mark_sent(vault, folder, 3, "CR/1")
    with pytest.raises(BadInput, match="future"):
        ps.mark_sent(vault, folder, 1, "CR/1", when=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(BadInput, match="before that"):
        ps.mark_sent(vault, folder, 1, "CR/1", when=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(BadInput, match="nothing to take back"):
        ps.mark_not_sent(vault, folder, 2, "mistake")
    with pytest.raises(BadInput, match="support:NAME"):
        ps.mark_sent(vault, folder, 1, "CR/1", author="someone")
    ps.mark_sent(vault, folder, 1, "CR/1", author="support:Ann Lee (Advocacy)")
    with pytest.raises(BadInput, match="already recorded as sent"):
        ps.mark_sent(vault, folder, 1, "CR/1")
    # Sent again to another reference: a new version, the first kept.
    second = ps.mark_sent(vault, folder, 1, "CR/9999/26")
    assert second.version == 2 and ps.batch_states(vault, folder)[0].history[0].author.startswith("support:")
    vault.lock()


def test_the_last_folder_is_remembered_inside_the_vault(made: tuple[Vault, Path]) -> None:
    vault, up = made
    assert ps.last_folder(vault) is None
    ps.remember_folder(vault, up)
    assert ps.last_folder(vault) == up.absolute()
    vault.lock()


def test_the_reference_stays_in_the_vault(made: tuple[Vault, Path], tmp_path: Path) -> None:
    """What was typed is in no message and in no later export: the bundle's journal
    withholds the vault's own entries (docs/export-format.md)."""
    import zipfile

    vault, up = made
    folder = read_portal(up)
    ps.mark_sent(vault, folder, 1, CANARY)
    with pytest.raises(BadInput) as refused:
        ps.mark_sent(vault, folder, 1, CANARY)
    assert CANARY not in refused.value.message
    export(vault, tmp_path / "later.zip", ExportOptions(initials="SM"))
    with zipfile.ZipFile(tmp_path / "later.zip") as z:
        for name in z.namelist():
            assert CANARY.encode() not in z.read(name), name
    assert ps.batch_states(vault, folder)[0].latest.reference == CANARY  # type: ignore[union-attr]
    vault.lock()
