"""victim_log.caselist: several diaries, listed by the labels a worker typed (#18)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import CANARY
from tests.leakscan import scan
from victim_log import caselist
from victim_log import paths
from victim_log.errors import BadInput
from victim_log.model import IncidentData
from victim_log.vault import Vault

PASSPHRASE = "correct horse battery staple"


def test_list_holds_labels_and_folders_only(tmp_path):
    first = paths.default_vault_dir()
    vault, _ = Vault.create(first, PASSPHRASE)
    vault.add_incident(IncidentData(summary=f"At the gate {CANARY}"))
    vault.lock()
    other = caselist.new_case_dir()
    caselist.remember("Client A", first)
    caselist.remember("  Client   B ", other)
    raw = json.loads(caselist.list_path().read_text(encoding="utf-8"))
    assert raw == {
        "notebooks": [
            {"label": "Client A", "path": "vault"},
            {"label": "Client B", "path": other.relative_to(first.parent).as_posix()},
        ]
    }
    assert scan([caselist.list_path().parent], CANARY) == []
    cases = caselist.load_cases()
    assert [(c.label, c.path, c.missing) for c in cases] == [
        ("Client A", first, False),
        ("Client B", other, True),  # not made yet: shown as missing, never a crash
    ]


def test_missing_damaged_and_odd_entries_never_raise(tmp_path):
    assert caselist.load_cases() == []
    caselist.list_path().parent.mkdir(parents=True, exist_ok=True)
    caselist.list_path().write_bytes(b"\x00not json")
    assert caselist.load_cases() == []
    caselist.list_path().write_text(
        json.dumps(
            {"notebooks": [{"label": "ok", "path": str(tmp_path / "gone")}, {"label": 3}, "x"], "x": 1}
        )
    )
    (case,) = caselist.load_cases()
    assert case.label == "ok" and case.missing


def test_labels_are_checked_and_unique(tmp_path):
    caselist.remember("Client A", tmp_path / "a")
    with pytest.raises(BadInput):
        caselist.remember("Client A", tmp_path / "b")
    with pytest.raises(BadInput):
        caselist.remember("   ", tmp_path / "b")
    with pytest.raises(BadInput):
        caselist.remember("bad\u202elabel", tmp_path / "b")
    caselist.remember("Renamed", tmp_path / "a")
    assert [c.label for c in caselist.load_cases()] == ["Renamed"]
    assert caselist.forget(tmp_path / "a") == []


def test_known_cases_include_the_one_in_use_unlabelled(tmp_path):
    here = paths.default_vault_dir()
    Vault.create(here, PASSPHRASE)[0].lock()
    assert caselist.known_cases(here) == [caselist.Case("", here)]
    caselist.remember("Client B", tmp_path / "b")
    assert [c.label for c in caselist.known_cases(here)] == ["", "Client B"]


def test_a_second_diary_follows_the_neutral_rename(monkeypatch, tmp_path):
    """With the neutral face turned on, the data folder is renamed; a diary made
    beside the usual one moves with it and the list still finds it."""
    from victim_log.prefs import apply_neutral_face
    from victim_log.prefs import settle_location

    monkeypatch.delenv("VICTIM_LOG_VAULT", raising=False)
    monkeypatch.delenv("VICTIM_LOG_STATE", raising=False)
    Vault.create(paths.default_vault_dir(), PASSPHRASE)[0].lock()
    second = caselist.new_case_dir()
    Vault.create(second, PASSPHRASE)[0].lock()
    caselist.remember("Client B", second)
    apply_neutral_face(True, "notes")
    moved = settle_location(second)
    assert moved != second and paths.vault_exists(moved)
    assert paths.NEUTRAL_DIR_NAME in moved.parts
    (case,) = caselist.load_cases()
    assert case.path == moved and not case.missing
    assert settle_location(tmp_path / "usb" / "vault") == tmp_path / "usb" / "vault"


def test_an_existing_diary_folder_is_added_once_under_a_label(tmp_path):
    """A folder made with --vault, restored from a backup or copied from a colleague:
    added by its folder (or the folder holding its "vault" folder), never twice, and a
    folder that holds no diary is refused saying what to choose."""
    made = tmp_path / "restored" / "vault"
    vault, _ = Vault.create(made, PASSPHRASE)
    vault.add_incident(IncidentData(summary=f"At the gate {CANARY}"))
    vault.lock()
    case = caselist.add_existing(" Client  C ", made.parent)  # the folder above it is fine
    assert case == caselist.Case("Client C", made)
    assert [(c.label, c.path, c.missing) for c in caselist.load_cases()] == [("Client C", made, False)]
    with pytest.raises(BadInput, match='in the list already, as "Client C"'):
        caselist.add_existing("Client D", made / ".." / "vault")
    other, _ = Vault.create(tmp_path / "other", PASSPHRASE)
    other.lock()
    with pytest.raises(BadInput, match="has that label"):
        caselist.add_existing("Client C", tmp_path / "other")
    empty = tmp_path / "photos"
    empty.mkdir()
    (empty / "vault.db").write_bytes(b"not a diary without its key")
    for wrong in (empty, tmp_path / "nowhere"):
        with pytest.raises(BadInput, match="does not hold a diary.*vault.key and vault.db"):
            caselist.add_existing("Client E", wrong)
    with pytest.raises(BadInput, match="give this diary a label"):
        caselist.add_existing("  ", made)
    assert [c.label for c in caselist.load_cases()] == ["Client C"]
    assert scan([caselist.list_path().parent], CANARY) == []


def test_a_list_nested_too_deep_or_with_odd_paths_never_raises(tmp_path):
    """Anyone with the computer can edit the list: JSON nested too deep raised
    RecursionError; a folder given as a lone surrogate ("\\ud800", valid JSON, no
    UTF-8 form) or with a NUL made adding another diary fail while saving the list."""
    caselist.list_path().parent.mkdir(parents=True, exist_ok=True)
    caselist.list_path().write_bytes(b"[" * 50_000)
    assert caselist.load_cases() == []
    odd = [{"label": "Odd", "path": "/tmp/\ud800"}, {"label": "Nul", "path": "/tmp/a\x00b"}]
    caselist.list_path().write_text(json.dumps({"notebooks": odd}))
    assert caselist.load_cases() == []
    caselist.remember("Client A", tmp_path / "a")
    assert [c.label for c in caselist.load_cases()] == ["Client A"]  # no folder has those names
    assert caselist.forget(tmp_path / "a") == []


def test_prefs_nested_too_deep_are_the_defaults():
    from victim_log import prefs

    prefs.prefs_path().parent.mkdir(parents=True, exist_ok=True)
    prefs.prefs_path().write_bytes(b"[" * 4000)
    assert prefs.load_prefs() == prefs.Prefs()


def test_a_folder_whose_name_is_not_utf8_is_listed_and_kept(tmp_path):
    """On Linux a folder name is bytes: one that is not UTF-8 (a Latin-1 "é" from an old
    drive) reaches Python with surrogate escapes, which could not be written to the
    list (UnicodeEncodeError: adding that diary failed with an internal error)."""
    import os

    folder = tmp_path / os.fsdecode(b"caf\xe9")
    caselist.remember("Caf\u00e9 diary", folder)
    (case,) = caselist.load_cases()
    assert case.path == folder and case.label == "Caf\u00e9 diary"
    caselist.list_path().read_bytes().decode("utf-8")  # the list itself stays UTF-8
