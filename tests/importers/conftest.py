"""Fixtures shared by the importer tests."""

from __future__ import annotations

import pytest

from victim_log import casetime
from victim_log.vault import Vault


@pytest.fixture
def london_vault(vault: Vault) -> Vault:
    """The shared ``vault`` (tests/conftest.py) on London's clock, for exports whose
    times cross BST."""
    casetime.set_vault_zone(vault, "Europe/London")
    return vault
