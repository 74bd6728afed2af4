"""The main window's tool table names real openers: each module loads on first use
(not at start-up), so a misspelt entry would only fail when a person pressed it."""

from __future__ import annotations

import importlib
import inspect

import pytest

from victim_log.gui.shell import mainwindow


@pytest.mark.parametrize("name", sorted(mainwindow.TOOLS))
def test_each_tool_names_an_opener_taking_the_session_and_a_parent(name: str) -> None:
    module, function = mainwindow.TOOLS[name].split(":")
    opener = getattr(importlib.import_module(module, mainwindow.__package__), function)
    params = list(inspect.signature(opener).parameters.values())
    assert [p.name for p in params[:2]] == ["session", "parent"]
    assert all(p.default is not inspect.Parameter.empty for p in params[2:])
