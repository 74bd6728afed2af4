"""Fixtures for the diary's tests (the shared ones are in tests/gui/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from victim_log.gui.widgets import privacy


@pytest.fixture
def picked(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """What the file picker returns: fill the list before the app asks."""
    chosen: list[Path] = []
    monkeypatch.setattr(privacy, "pick_paths", lambda *a, **k: list(chosen))
    return chosen
