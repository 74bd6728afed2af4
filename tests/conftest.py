"""Test isolation: no test touches the real home, and Qt runs offscreen.

Every test gets its own HOME, XDG dirs, vault and state dirs under ``tmp_path``; TMPDIR
is pointed there too so the leak scanner can read everything a test wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Fast key derivation for tests: the real calibration targets ~0.5 s per unlock.
os.environ.setdefault("VICTIM_LOG_TEST_FAST_KDF", "1")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", help="run longer fault and fuzz cases")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    for sub in ("", ".config", ".local/share", ".local/state", ".cache", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "tmp"))
    monkeypatch.setenv("TMPDIR", str(home / "tmp"))
    monkeypatch.setenv("VICTIM_LOG_VAULT", str(tmp_path / "vault"))
    monkeypatch.setenv("VICTIM_LOG_STATE", str(tmp_path / "state"))
    monkeypatch.delenv("VICTIM_LOG_PASSPHRASE", raising=False)
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(home / "tmp"))
    return home


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--long"))
