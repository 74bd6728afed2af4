"""The key facts at the top of the bundle viewer (#20), offscreen, on the demo case's
exported bundle: the same lines as page 1 of its PDF, above the timeline."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests import pattern_helpers
from tests.gui.tools.test_bundleviewer import open_viewer
from tests.helpers import PASSPHRASE
from tests.helpers import run_cli
from tests.helpers import vault_path
from victim_log.bundle_contents import key_fact_lines
from victim_log.export.case import ExportOptions
from victim_log.export.case import build_case
from victim_log.export.keyfacts import key_facts
from victim_log.gui.tools.bundleviewer import key_facts_text
from victim_log.vault import Vault


def test_demo_bundle_shows_the_key_facts_on_top(
    qtbot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pattern_helpers.demo_log(monkeypatch, capsys)
    out = tmp_path / "demo.zip"
    assert run_cli(capsys, "export", "--out", str(out), "--initials", "SM").code == 0
    viewer = open_viewer(qtbot, out)
    assert viewer.contents is not None
    shown = viewer.key_facts.toPlainText()
    assert viewer.key_facts.isVisible() and viewer.key_facts.isReadOnly()
    assert shown.startswith("KEY FACTS")
    for label in ("Whose log", "Person doing this", "Dates", "Counts by kind", "Per week", "Most serious",
                  "Police", "Reported", "Told to stop"):  # fmt: skip
        assert f"\n{label}: " in shown
    # The same facts as the PDF's page 1, which export/keyfacts.py draws from the case.
    with Vault.open(vault_path(), PASSPHRASE) as v:
        case = build_case(v, ExportOptions(initials="SM"), exported_at=_exported_at(out))
        assert shown == key_facts_text(key_fact_lines(key_facts(case)))
    # On top: above the tabs holding the timeline.
    assert (
        viewer.key_facts.mapTo(viewer, viewer.key_facts.rect().topLeft()).y()
        < viewer.tabs.mapTo(viewer, viewer.tabs.rect().topLeft()).y()
    )


def _exported_at(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith("data/timeline.json"))
        return str(json.loads(z.read(name))["exported_at"])
