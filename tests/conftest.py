"""Test isolation: no test touches the real home, and Qt runs offscreen.

Every test gets its own HOME, XDG dirs, vault and state dirs under ``tmp_path``; TMPDIR
is pointed there too so the leak scanner can read everything a test wrote.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Fast key derivation for tests (the real calibration aims at about a second an
# unlock), injected from outside the package: kdf_site/fast_kdf.py patches this
# process, and its sitecustomize.py every Python subprocess the tests start (the CLI,
# the crash driver), since the folder goes first on PYTHONPATH. No shipped code reads
# a switch for it (#17.10).
KDF_SITE = str(Path(__file__).resolve().parent / "kdf_site")
if KDF_SITE not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (KDF_SITE, os.environ.get("PYTHONPATH", "")) if p)
if KDF_SITE not in sys.path:
    sys.path.insert(0, KDF_SITE)
import fast_kdf  # noqa: E402

fast_kdf.install()


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
def vault(tmp_path: Path) -> Iterator[Any]:
    """A new, unlocked vault at ``tmp_path / "vault"``, locked again afterwards unless
    the test locked it itself. Test modules with a vault of their own override it."""
    from tests.helpers import PASSPHRASE
    from victim_log.vault import Vault

    v, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    yield v
    if v.is_open:
        v.lock()


@pytest.fixture
def real_kdf_costs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped calibrate() and accepted cost range, for tests of that policy."""
    from victim_log.crypto import keys

    for name, value in fast_kdf.originals().items():
        monkeypatch.setattr(keys, name, value)


@pytest.fixture
def long_run(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--long"))
