"""Fixtures shared by the tools' GUI tests."""

from __future__ import annotations

import pytest

from victim_log.gui.shell.session import Session
from victim_log.gui.tools.importwizard.wizard import ImportWizard


@pytest.fixture
def wizard(qtbot, session: Session) -> ImportWizard:
    """A shown import wizard on the test's unlocked diary."""
    w = ImportWizard(session)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
