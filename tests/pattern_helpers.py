"""Shared by the #20 tests (stats, key facts, S-DASH): a vault on London's clock, the
demo case through the CLI, and a PDF's text as pdftotext gives it."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log import casetime
from victim_log.vault import Vault


@pytest.fixture
def vault() -> Iterator[Vault]:
    """A new vault whose case clock is Europe/London."""
    v, _ = Vault.create(vault_path(), PASSPHRASE)
    casetime.set_vault_zone(v, "Europe/London")
    casetime.use_vault_zone(v)
    yield v
    v.lock()


def demo_log(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``init --time-zone Europe/London`` and ``demo`` through the CLI."""
    monkeypatch.setenv("VICTIM_LOG_PASSPHRASE", PASSPHRASE)
    assert run_cli(capsys, "init", "--time-zone", "Europe/London").code == 0
    assert run_cli(capsys, "demo").code == 0


def pdf_pages(pdf: Path, *, layout: bool = True) -> list[str]:
    args = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout.split("\f")
