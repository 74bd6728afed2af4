"""Behind the neutral face, no folder or prefs field names the app (issue #17, finding 8).

The data folder ``~/.local/share/victim-log/`` and the prefs field ``neutral_face`` gave
the app away to anyone looking through the home folder. With the neutral face on, the
folders are renamed (one atomic rename each) and the prefs file says only
``{"look": "notes"}``; a move that cannot be made keeps everything where it was.
"""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from victim_log import logs
from victim_log import paths
from victim_log.model import IncidentData
from victim_log.prefs import Prefs
from victim_log.prefs import apply_neutral_face
from victim_log.prefs import load_prefs
from victim_log.prefs import prefs_path
from victim_log.prefs import save_prefs
from victim_log.prefs import settle_location
from victim_log.vault import Vault

TELLTALE = ("victim", "neutral", "stalk", "harass")


@pytest.fixture(autouse=True)
def usual_places(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real lookup (XDG folders under the test's HOME), not the test overrides."""
    monkeypatch.delenv("VICTIM_LOG_VAULT", raising=False)
    monkeypatch.delenv("VICTIM_LOG_STATE", raising=False)


def make_vault() -> Path:
    folder = paths.default_vault_dir()
    vault, _ = Vault.create(folder, PASSPHRASE)
    vault.add_incident(IncidentData(summary="he was outside again"))
    vault.lock()
    logs.log_unexpected(RuntimeError("for the log file"))
    return folder


def telltale_names(home: Path) -> list[str]:
    found = []
    for root, dirs, files in os.walk(home):
        for name in dirs + files:
            if any(word in name.casefold() for word in TELLTALE):
                found.append(str(Path(root, name).relative_to(home)))
    return found


def summaries(folder: Path) -> list[str]:
    vault = Vault.open(folder, PASSPHRASE)
    try:
        return [i.summary for i in vault.list_incidents()]
    finally:
        vault.lock()


def test_the_neutral_face_leaves_no_telltale_names(isolated_home: Path) -> None:
    folder = make_vault()
    assert telltale_names(isolated_home)  # today: victim-log/ and victim-log.log
    apply_neutral_face(True, "notes")  # the Settings toggle, vault still open
    new_folder = settle_location(folder)  # after lock
    assert new_folder != folder and new_folder == paths.default_vault_dir()
    assert telltale_names(isolated_home) == []
    text = prefs_path().read_text(encoding="utf-8")
    assert json.loads(text) == {"look": "notes"}
    assert not any(word in text for word in (*TELLTALE, "face"))
    assert load_prefs() == Prefs(neutral_face=True, face="notes")
    assert summaries(new_folder) == ["he was outside again"]
    assert logs.log_path().exists() and logs.log_path().parent == paths.state_dir()


def test_turning_it_off_moves_everything_back(isolated_home: Path) -> None:
    folder = make_vault()
    apply_neutral_face(True, "calculator")
    hidden = settle_location(folder)
    assert load_prefs() == Prefs(neutral_face=True, face="calculator")
    apply_neutral_face(False)
    back = settle_location(hidden)
    assert back == folder
    assert load_prefs() == Prefs(neutral_face=False)
    assert summaries(back) == ["he was outside again"]
    assert not (isolated_home / ".local/share" / paths.NEUTRAL_DIR_NAME).exists()
    assert (paths.state_dir() / paths.LOG_NAMES[False]).exists()


def test_a_move_that_fails_keeps_the_old_place(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_vault()

    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    with monkeypatch.context() as patched:
        patched.setattr(os, "rename", refuse)
        apply_neutral_face(True)  # saved where the state folder is
        assert settle_location(folder) == folder
        assert paths.default_vault_dir() == folder
        assert summaries(folder) == ["he was outside again"]
        assert load_prefs().neutral_face is True
    moved = settle_location(folder)  # tried again next time, and now it works
    assert moved != folder and summaries(moved) == ["he was outside again"]
    assert telltale_names(isolated_home) == []


def test_a_stranger_folder_of_the_same_name_is_never_merged(isolated_home: Path) -> None:
    folder = make_vault()
    stranger = isolated_home / ".local/share" / paths.NEUTRAL_DIR_NAME
    stranger.mkdir()
    (stranger / "theirs.txt").write_text("someone else's")
    apply_neutral_face(True)
    assert settle_location(folder) == folder  # their folder is not ours to fill
    assert (stranger / "theirs.txt").read_text() == "someone else's"
    assert paths.default_vault_dir() == folder  # the vault is found where it is
    assert summaries(folder) == ["he was outside again"]


def test_neutral_from_the_first_run(isolated_home: Path) -> None:
    apply_neutral_face(True)
    folder = settle_location(paths.default_vault_dir())
    Vault.create(folder, PASSPHRASE)[0].lock()
    assert telltale_names(isolated_home) == []


def test_an_explicit_vault_folder_is_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "usb" / "diary"
    apply_neutral_face(True)
    assert settle_location(mine) == mine


def test_the_old_prefs_form_is_read_and_rewritten() -> None:
    path = prefs_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"neutral_face": True, "face": "calculator"}), encoding="utf-8")
    prefs = load_prefs()
    assert prefs == Prefs(neutral_face=True, face="calculator")
    save_prefs(prefs)
    assert json.loads(prefs_path().read_text(encoding="utf-8")) == {"look": "calculator"}
