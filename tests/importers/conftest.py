"""Fixtures shared by the importer tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import PASSPHRASE
from victim_log import casetime
from victim_log.vault import Vault


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    """A new, unlocked vault on the default (UTC) clock; locked again afterwards."""
    v, _ = Vault.create(tmp_path / "v", PASSPHRASE)
    yield v
    v.lock()


@pytest.fixture
def london_vault(vault: Vault) -> Vault:
    """:func:`vault` on London's clock, for exports whose times cross BST."""
    casetime.set_vault_zone(vault, "Europe/London")
    return vault
