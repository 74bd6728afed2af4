"""Fixtures shared by the tools' GUI tests."""

from __future__ import annotations

import pytest

from tests.gui.conftest import shown
from victim_log.gui.shell.session import Session
from victim_log.gui.tools.importwizard.wizard import ImportWizard


@pytest.fixture
def wizard(qtbot, session: Session) -> ImportWizard:
    """A shown import wizard on the test's unlocked diary."""
    return shown(qtbot, ImportWizard(session))
