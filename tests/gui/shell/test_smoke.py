"""`victim-log gui --smoke` starts, paints its first screen and exits 0, writing nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from victim_log import paths
from victim_log.prefs import Prefs
from victim_log.prefs import apply_neutral_face
from victim_log.prefs import save_prefs
from victim_log.vault import Vault


def _smoke(*extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "victim_log.cli", "gui", "--smoke", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_smoke_first_run_writes_nothing(tmp_path):
    result = _smoke()
    assert result.returncode == 0, result.stderr
    assert "painted" in result.stderr
    assert not (tmp_path / "vault").exists()
    assert not paths.state_dir().exists()
    assert _files_under(Path.home()) == []


def test_smoke_with_a_vault_and_neutral_face(tmp_path):
    vault, _ = Vault.create(tmp_path / "vault", "correct horse battery staple")
    vault.lock()
    save_prefs(Prefs(neutral_face=True, face="calculator"))
    before = _files_under(tmp_path / "vault")
    result = _smoke("--vault", str(tmp_path / "vault"))
    assert result.returncode == 0, result.stderr
    assert _files_under(tmp_path / "vault") == before
    assert _files_under(Path.home()) == []


@pytest.mark.parametrize(
    "name",
    [
        "shell.app",
        "shell.mainwindow",
        "shell.firstrun",
        "shell.unlock",
        "shell.lock",
        "shell.quickexit",
        "shell.neutral",
        "shell.helppanel",
        "shell.settings",
        "widgets.privacy",
    ],
)
def test_shell_modules_import(name):
    __import__(f"victim_log.gui.{name}")


def test_start_moves_the_vault_folder_to_the_neutral_name(tmp_path, monkeypatch):
    """#17.8: run_gui settles the folders (no vault is open before the Session exists)."""
    monkeypatch.delenv("VICTIM_LOG_VAULT")
    monkeypatch.delenv("VICTIM_LOG_STATE")
    plain = paths.default_vault_dir()
    Vault.create(plain, "correct horse battery staple")[0].lock()
    apply_neutral_face(True)  # as Settings does while the vault is open
    assert plain.is_dir()
    result = _smoke()
    assert result.returncode == 0, result.stderr
    assert not plain.exists()
    moved = paths.default_vault_dir()
    assert paths.NEUTRAL_DIR_NAME in moved.parts and paths.vault_exists(moved)
